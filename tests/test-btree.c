/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the placement index's B+-trees (src/cluster/btree.c) against a sorted array, over random inserts,
 * erases and moves (an entry given a new key in place, or refused when the key belongs in another leaf) that grow trees to
 * several levels and shrink them to nothing: invariants after every operation, first-fit searches and the entry
 * order compared with the array's. */
#include <stdlib.h>

#include "test-common.h"

#include "cluster/btree.h"

typedef struct ref {
    ncg_bt_entry e[4096];
    int n;
} ref;

static bool before(const ncg_bt_entry *x, const ncg_bt_entry *y)
{
    return x->a < y->a || (x->a == y->a && x->b < y->b);
}

static void ref_insert(ref *r, const ncg_bt_entry *e)
{
    int at = 0;
    while (at < r->n && before(&r->e[at], e))
        at++;
    memmove(&r->e[at + 1], &r->e[at], (size_t)(r->n - at) * sizeof(r->e[0]));
    r->e[at] = *e;
    r->n++;
}

static void ref_erase(ref *r, int at)
{
    memmove(&r->e[at], &r->e[at + 1], (size_t)(r->n - at - 1) * sizeof(r->e[0]));
    r->n--;
}

static void *ref_first_fit(const ref *r, int64_t lo, int64_t hi, int64_t cpu, int64_t mem, bool odd_only)
{
    for (int i = 0; i < r->n; i++)
        if (r->e[i].a >= lo && r->e[i].a <= hi && r->e[i].cpu >= cpu && r->e[i].mem >= mem &&
            (!odd_only || ((uintptr_t)r->e[i].item & 1)))
            return r->e[i].item;
    return NULL;
}

static bool odd_item(const void *item, const void *ctx)
{
    (void)ctx;
    return ((uintptr_t)item & 1) != 0;
}

typedef struct walk {
    const ref *r;
    int at;
    bool same;
} walk;

static void compare_entry(const ncg_bt_entry *e, void *ctx)
{
    walk *w = ctx;
    const ncg_bt_entry *x = &w->r->e[w->at++];
    if (e->a != x->a || e->b != x->b || e->cpu != x->cpu || e->mem != x->mem || e->item != x->item)
        w->same = false;
}

/* Give entry `at` a new key near its own (as a placement or a release changes a node's), new CPU and memory, in
 * place when the tree takes it there, else by erasing and inserting; the reference the same. Counts both. */
static void move_entry(ref *r, int at, int64_t a_range, uint64_t *seed, uint64_t *next_b, ncg_bt_node **root,
                       ncg_bt_pool *pool, long *in_place, long *refused)
{
    ncg_bt_entry old = r->e[at], e = old;
    int64_t step = (int64_t)(test_rand(seed) % 5) - 2;
    e.a = test_rand(seed) % 8 == 0 ? (int64_t)(test_rand(seed) % (uint64_t)a_range) : old.a + step;
    e.b = test_rand(seed) % 2 ? old.b : (*next_b)++;
    e.cpu = (int64_t)(test_rand(seed) % 1000);
    e.mem = (int64_t)(test_rand(seed) % 1000);
    for (int k = 0; k < r->n; k++)
        if (k != at && r->e[k].a == e.a && r->e[k].b == e.b)
            e.b = (*next_b)++; /* keys stay unique */
    if (ncg_bt_move(*root, old.a, old.b, &e)) {
        ++*in_place;
    } else {
        ++*refused;
        ck_assert_int_eq(ncg_bt_check(*root), r->n); /* unchanged (the final walk compares every entry) */
        ncg_bt_erase(root, pool, old.a, old.b);
        ck_assert(ncg_bt_reserve(pool, 1));
        ncg_bt_insert(root, pool, &e);
    }
    ref_erase(r, at);
    ref_insert(r, &e);
}

/* Random operations with keys from a small range of a (many ties, broken by b) or a wide one. */
/* (deep: the trees grow past one leaf, so moves are both taken in place and refused) */
static void run_random(uint64_t seed, int64_t a_range, int ops, int max_entries, bool deep)
{
    static ref r;
    ncg_bt_node *root = NULL;
    ncg_bt_pool pool = {0};
    uint64_t next_b = 1;
    long in_place = 0, refused = 0;
    r.n = 0;
    for (int op = 0; op < ops; op++) {
        bool grow = r.n == 0 || (r.n < max_entries && test_rand(&seed) % 100 < (op < ops / 2 ? 70 : 30));
        if (grow) {
            ncg_bt_entry e;
            e.a = (int64_t)(test_rand(&seed) % (uint64_t)a_range);
            e.b = next_b++;
            e.cpu = (int64_t)(test_rand(&seed) % 1000);
            e.mem = (int64_t)(test_rand(&seed) % 1000);
            e.item = (void *)(uintptr_t)(e.b * 8 + (test_rand(&seed) & 1));
            ck_assert(ncg_bt_reserve(&pool, 1));
            ncg_bt_insert(&root, &pool, &e);
            ref_insert(&r, &e);
        } else if (test_rand(&seed) % 2) {
            int at = (int)(test_rand(&seed) % (uint64_t)r.n);
            ncg_bt_erase(&root, &pool, r.e[at].a, r.e[at].b);
            ref_erase(&r, at);
        } else {
            move_entry(&r, (int)(test_rand(&seed) % (uint64_t)r.n), a_range, &seed, &next_b, &root, &pool, &in_place,
                       &refused);
        }
        if (r.n < 300 || op % 16 == 0) /* the check reads the whole tree */
            ck_assert_int_eq(ncg_bt_check(root), r.n);
        if (r.n) {
            int64_t cpu = -1, mem = -1, want_cpu = -1, want_mem = -1;
            ck_assert_int_eq(ncg_bt_min_a(root), r.e[0].a);
            ncg_bt_max(root, &cpu, &mem);
            for (int k = 0; k < r.n; k++) {
                want_cpu = r.e[k].cpu > want_cpu ? r.e[k].cpu : want_cpu;
                want_mem = r.e[k].mem > want_mem ? r.e[k].mem : want_mem;
            }
            ck_assert_int_eq(cpu, want_cpu);
            ck_assert_int_eq(mem, want_mem);
        } else {
            ck_assert_ptr_null(root);
        }
        for (int q = 0; q < 3; q++) {
            int64_t lo = (int64_t)(test_rand(&seed) % (uint64_t)a_range), hi = lo + (int64_t)(test_rand(&seed) % 64);
            int64_t cpu = (int64_t)(test_rand(&seed) % 1100), mem = (int64_t)(test_rand(&seed) % 1100);
            bool odd = q == 2;
            if (q == 1)
                hi = INT64_MAX;
            ck_assert_ptr_eq(ncg_bt_first_fit(root, lo, hi, cpu, mem, odd ? odd_item : NULL, NULL),
                             ref_first_fit(&r, lo, hi, cpu, mem, odd));
        }
    }
    {
        walk w = {&r, 0, true};
        ncg_bt_each(root, compare_entry, &w);
        ck_assert(w.same);
        ck_assert_int_eq(w.at, r.n);
    }
    ck_assert_int_gt(in_place, ops / 50);
    if (deep)
        ck_assert_int_gt(refused, ops / 100);
    ncg_bt_free(root);
    ncg_bt_pool_free(&pool);
}

START_TEST(random_operations_with_many_ties)
{
    run_random(1, 4, 20000, 3000, true);
}
END_TEST

START_TEST(random_operations_with_wide_keys)
{
    run_random(2, 1 << 20, 20000, 3000, true);
}
END_TEST

START_TEST(small_trees_grow_and_empty)
{
    for (uint64_t seed = 10; seed < 40; seed++)
        run_random(seed, 8, 400, 1 + (int)(seed % 70), false);
}
END_TEST

/* Entries inserted in key order (how a plan's nodes arrive) fill leaves three quarters and more. */
START_TEST(entries_in_key_order_are_found_and_erased)
{
    ncg_bt_node *root = NULL;
    ncg_bt_pool pool = {0};
    for (uint64_t i = 0; i < 5000; i++) {
        ncg_bt_entry e = {(int64_t)(i / 100), i, (int64_t)i, (int64_t)(5000 - i), (void *)(uintptr_t)(i + 1)};
        ck_assert(ncg_bt_reserve(&pool, 1));
        ncg_bt_insert(&root, &pool, &e);
    }
    ck_assert_int_eq(ncg_bt_check(root), 5000);
    ck_assert_int_le(pool.height, 4);
    /* cpu >= 4000 and mem >= 500: entries 4000..4500; the first with a >= 42 is entry 4200 */
    ck_assert_ptr_eq(ncg_bt_first_fit(root, 42, INT64_MAX, 4000, 500, NULL, NULL), (void *)(uintptr_t)4201);
    ck_assert_ptr_null(ncg_bt_first_fit(root, 0, 39, 4000, 500, NULL, NULL));
    for (uint64_t i = 0; i < 5000; i++) {
        ncg_bt_erase(&root, &pool, (int64_t)(i / 100), i);
        if (i % 997 == 0)
            ck_assert_int_eq(ncg_bt_check(root), (long)(4999 - i));
    }
    ck_assert_ptr_null(root);
    ck_assert(ncg_bt_reserve(&pool, 0)); /* gives back all but the margin */
    ck_assert_int_le(pool.count, 64);
    ncg_bt_pool_free(&pool);
    ck_assert_int_eq(pool.count, 0);
}
END_TEST

NCG_SUITE(btree)
{
    Suite *s = suite_create("btree");
    TCase *t = add_tcase(s, "btree");
    add_test(t, random_operations_with_many_ties);
    add_test(t, random_operations_with_wide_keys);
    add_test(t, small_trees_grow_and_empty);
    add_test(t, entries_in_key_order_are_found_and_erased);
    return s;
}

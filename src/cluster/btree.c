/* SPDX-License-Identifier: Apache-2.0 */
/* B+-trees of the placement index (btree.h). Every node but the root holds BT_MIN to BT_MAX entries (leaves) or
 * children (inner nodes); all leaves are at the same depth. An inner node keeps, per child, the smallest key below
 * it and the largest CPU and memory below it. Inserting splits full nodes on the way down; erasing tops up nodes
 * that are at BT_MIN on the way down (borrowing from a sibling or merging with it), so neither walks back up but to
 * refresh the summaries of the path. The arrays of a node are apart (a, b, cpu, mem, item) so that a search reads
 * the keys or the maxima of many children from a few cache lines. */
#include <stdlib.h>
#include <string.h>

#include "cluster/btree.h"

#define BT_MAX 16               /* 16 x 40 bytes a node: a class of few nodes costs one 704-byte tree node (32 made
                                 * plans of 1,000 replicas a third slower, for no gain in placement) */
#define BT_MIN 4
#define BT_MARGIN 64            /* spare nodes a pool keeps beyond what a reservation asks for */

struct ncg_bt_node {
    _Alignas(64) int64_t a[BT_MAX];
    uint64_t b[BT_MAX];
    int64_t cpu[BT_MAX];        /* leaf: the entry's; inner: the largest in the child */
    int64_t mem[BT_MAX];
    void *p[BT_MAX];            /* leaf: items; inner: children */
    int count;
    bool leaf;
};

#define NODE_SIZE ((sizeof(ncg_bt_node) + 63) / 64 * 64)
#define MAX(x, y) ((x) > (y) ? (x) : (y))

static bool key_le(int64_t a1, uint64_t b1, int64_t a2, uint64_t b2)
{
    return a1 < a2 || (a1 == a2 && b1 <= b2);
}

/* The number of keys of t that are <= (a, b). */
static int upper(const ncg_bt_node *t, int64_t a, uint64_t b)
{
    int lo = 0, hi = t->count;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (key_le(t->a[mid], t->b[mid], a, b))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Move slots lo..hi-1 of t by `by` (+1: right, to make room at lo; -1: left, over slot lo-1). */
static void shift_range(ncg_bt_node *t, int lo, int hi, int by)
{
    size_t n = (size_t)(hi - lo);
    memmove(&t->a[lo + by], &t->a[lo], n * sizeof(t->a[0]));
    memmove(&t->b[lo + by], &t->b[lo], n * sizeof(t->b[0]));
    memmove(&t->cpu[lo + by], &t->cpu[lo], n * sizeof(t->cpu[0]));
    memmove(&t->mem[lo + by], &t->mem[lo], n * sizeof(t->mem[0]));
    memmove(&t->p[lo + by], &t->p[lo], n * sizeof(t->p[0]));
}

/* Move slots from..count-1 of t by `by`. */
static void shift(ncg_bt_node *t, int from, int by)
{
    shift_range(t, from, t->count, by);
}

/* The child of inner node t that holds key (a, b), or would take it. */
static int child_for(const ncg_bt_node *t, int64_t a, uint64_t b)
{
    int i = upper(t, a, b) - 1;
    return i < 0 ? 0 : i;
}

/* Copy n slots of src from s to dst at d. */
static void copy(ncg_bt_node *dst, int d, const ncg_bt_node *src, int s, int n)
{
    memcpy(&dst->a[d], &src->a[s], (size_t)n * sizeof(dst->a[0]));
    memcpy(&dst->b[d], &src->b[s], (size_t)n * sizeof(dst->b[0]));
    memcpy(&dst->cpu[d], &src->cpu[s], (size_t)n * sizeof(dst->cpu[0]));
    memcpy(&dst->mem[d], &src->mem[s], (size_t)n * sizeof(dst->mem[0]));
    memcpy(&dst->p[d], &src->p[s], (size_t)n * sizeof(dst->p[0]));
}

/* The largest CPU and memory of a node's slots (entries of a leaf, children's maxima of an inner node): the
 * summary a parent keeps of it, and a tree's from its root. */
void ncg_bt_max(const ncg_bt_node *t, int64_t *cpu, int64_t *mem)
{
    int64_t c = t->cpu[0], m = t->mem[0];
    for (int j = 1; j < t->count; j++) {
        c = MAX(c, t->cpu[j]);
        m = MAX(m, t->mem[j]);
    }
    *cpu = c;
    *mem = m;
}

/* Refresh t's summary of child i: its smallest key, largest CPU and memory. */
static void summarize(ncg_bt_node *t, int i)
{
    const ncg_bt_node *ch = t->p[i];
    t->a[i] = ch->a[0];
    t->b[i] = ch->b[0];
    ncg_bt_max(ch, &t->cpu[i], &t->mem[i]);
}

static ncg_bt_node *take(ncg_bt_pool *pool)
{
    ncg_bt_node *n = pool->spare;
    pool->spare = n->p[0];
    pool->count--;
    return n;
}

static void give(ncg_bt_pool *pool, ncg_bt_node *n)
{
    n->p[0] = pool->spare;
    pool->spare = n;
    pool->count++;
}

bool ncg_bt_reserve(ncg_bt_pool *pool, int inserts)
{
    /* an insert splits at most one node per level and may add a root; the height grows by one at most */
    long want = (long)inserts * (pool->height + 2);
    while (pool->count < want) {
        ncg_bt_node *n = aligned_alloc(64, NODE_SIZE);
        if (!n)
            return false;
        give(pool, n);
    }
    while (pool->count > want + BT_MARGIN)
        free(take(pool));
    return true;
}

void ncg_bt_pool_free(ncg_bt_pool *pool)
{
    while (pool->count > 0)
        free(take(pool));
    pool->height = 0;
}

void ncg_bt_free(ncg_bt_node *root)
{
    if (!root)
        return;
    if (!root->leaf)
        for (int i = 0; i < root->count; i++)
            ncg_bt_free(root->p[i]);
    free(root);
}

/* Split the full child i of t (t not full). The right part gets half, or BT_MIN when the key to insert comes
 * after every key of the child: nodes filled in key order (a plan's nodes) then end three quarters full. */
static void split_child(ncg_bt_node *t, int i, ncg_bt_pool *pool, int64_t a, uint64_t b)
{
    ncg_bt_node *ch = t->p[i], *right = take(pool);
    int keep = key_le(ch->a[ch->count - 1], ch->b[ch->count - 1], a, b) ? ch->count - BT_MIN : ch->count / 2;
    right->leaf = ch->leaf;
    right->count = ch->count - keep;
    copy(right, 0, ch, keep, right->count);
    ch->count = keep;
    shift(t, i + 1, 1);
    t->count++;
    t->p[i + 1] = right;
    summarize(t, i);
    summarize(t, i + 1);
}

void ncg_bt_insert(ncg_bt_node **root, ncg_bt_pool *pool, const ncg_bt_entry *e)
{
    ncg_bt_node *t = *root;
    int height = 1, at;
    if (!t) {
        t = take(pool);
        t->leaf = true;
        t->count = 0;
        *root = t;
    } else if (t->count == BT_MAX) {
        ncg_bt_node *top = take(pool);
        top->leaf = false;
        top->count = 1;
        top->p[0] = t;
        summarize(top, 0);
        split_child(top, 0, pool, e->a, e->b);
        *root = t = top;
    }
    while (!t->leaf) {
        int i = child_for(t, e->a, e->b);
        if (((const ncg_bt_node *)t->p[i])->count == BT_MAX) {
            split_child(t, i, pool, e->a, e->b);
            if (key_le(t->a[i + 1], t->b[i + 1], e->a, e->b))
                i++;
        }
        if (!key_le(t->a[i], t->b[i], e->a, e->b)) { /* the new smallest key below child i */
            t->a[i] = e->a;
            t->b[i] = e->b;
        }
        t->cpu[i] = MAX(t->cpu[i], e->cpu);
        t->mem[i] = MAX(t->mem[i], e->mem);
        t = t->p[i];
        height++;
    }
    at = upper(t, e->a, e->b);
    shift(t, at, 1);
    t->count++;
    t->a[at] = e->a;
    t->b[at] = e->b;
    t->cpu[at] = e->cpu;
    t->mem[at] = e->mem;
    t->p[at] = e->item;
    if (height > pool->height)
        pool->height = height;
}

/* Make child i of t (t has two children or more) hold more than BT_MIN, from a sibling: one slot borrowed, or the
 * two merged. Returns the index of the child that holds what child i held. */
static int top_up(ncg_bt_node *t, int i, ncg_bt_pool *pool)
{
    ncg_bt_node *ch = t->p[i], *sib;
    int j = i > 0 ? i - 1 : i + 1, lo;
    if (ch->count > BT_MIN)
        return i;
    sib = t->p[j];
    if (sib->count > BT_MIN) {
        if (j < i) { /* the left sibling's last slot becomes the child's first */
            shift(ch, 0, 1);
            ch->count++;
            copy(ch, 0, sib, sib->count - 1, 1);
            sib->count--;
        } else { /* the right sibling's first slot becomes the child's last */
            copy(ch, ch->count, sib, 0, 1);
            ch->count++;
            shift(sib, 1, -1);
            sib->count--;
        }
        summarize(t, i);
        summarize(t, j);
        return i;
    }
    lo = i < j ? i : j;
    {
        ncg_bt_node *left = t->p[lo], *right = t->p[lo + 1];
        copy(left, left->count, right, 0, right->count);
        left->count += right->count;
        shift(t, lo + 2, -1);
        t->count--;
        give(pool, right);
        summarize(t, lo);
    }
    return lo;
}

static void erase_in(ncg_bt_node *t, ncg_bt_pool *pool, int64_t a, uint64_t b)
{
    int i;
    if (t->leaf) {
        i = upper(t, a, b) - 1;
        if (i >= 0 && t->a[i] == a && t->b[i] == b) {
            shift(t, i + 1, -1);
            t->count--;
        }
        return;
    }
    i = top_up(t, child_for(t, a, b), pool);
    erase_in(t->p[i], pool, a, b);
    summarize(t, i);
}

void ncg_bt_erase(ncg_bt_node **root, ncg_bt_pool *pool, int64_t a, uint64_t b)
{
    ncg_bt_node *t = *root;
    if (!t)
        return;
    erase_in(t, pool, a, b);
    if (t->leaf && t->count == 0) {
        give(pool, t);
        *root = NULL;
    } else if (!t->leaf && t->count == 1) {
        *root = t->p[0];
        give(pool, t);
    }
}

bool ncg_bt_move(ncg_bt_node *root, int64_t a, uint64_t b, const ncg_bt_entry *e)
{
    ncg_bt_node *path[64], *t = root;
    int at[64], depth = 0, from, to;
    if (!t)
        return false;
    while (!t->leaf) {
        int i = child_for(t, a, b);
        if (i != child_for(t, e->a, e->b) || depth == 64)
            return false;
        path[depth] = t;
        at[depth++] = i;
        t = t->p[i];
    }
    from = upper(t, a, b) - 1;
    if (from < 0 || t->a[from] != a || t->b[from] != b)
        return false; /* not in the tree: the caller's bug, but change nothing */
    /* where the entry goes among the others (those before `from` stay, those after move left by one) */
    to = upper(t, e->a, e->b);
    if (to > from)
        to--;
    if (to < from) { /* slots to..from-1 move right over `from` */
        shift_range(t, to, from, 1);
    } else if (to > from) { /* slots from+1..to move left over `from` */
        shift_range(t, from + 1, to + 1, -1);
    }
    t->a[to] = e->a;
    t->b[to] = e->b;
    t->cpu[to] = e->cpu;
    t->mem[to] = e->mem;
    t->p[to] = e->item;
    while (depth-- > 0)
        summarize(path[depth], at[depth]);
    return true;
}

int64_t ncg_bt_min_a(const ncg_bt_node *root)
{
    return root->a[0];
}

/* The number of keys of t whose first key is below lo. */
static int below(const ncg_bt_node *t, int64_t lo)
{
    int l = 0, h = t->count;
    while (l < h) {
        int mid = (l + h) / 2;
        if (t->a[mid] < lo)
            l = mid + 1;
        else
            h = mid;
    }
    return l;
}

void *ncg_bt_first_fit(const ncg_bt_node *t, int64_t lo, int64_t hi, int64_t cpu, int64_t mem,
                       bool (*accept)(const void *item, const void *ctx), const void *ctx)
{
    int i;
    if (!t)
        return NULL;
    i = below(t, lo);
    if (t->leaf) {
        for (; i < t->count && t->a[i] <= hi; i++)
            if (t->cpu[i] >= cpu && t->mem[i] >= mem && (!accept || accept(t->p[i], ctx)))
                return t->p[i];
        return NULL;
    }
    /* child i holds keys from its own first up to the next child's first: the children before the last one that
     * starts below lo hold none >= lo */
    for (i = i > 0 ? i - 1 : 0; i < t->count && t->a[i] <= hi; i++) {
        void *found;
        if (t->cpu[i] >= cpu && t->mem[i] >= mem &&
            (found = ncg_bt_first_fit(t->p[i], lo, hi, cpu, mem, accept, ctx)))
            return found;
    }
    return NULL;
}

void ncg_bt_each(const ncg_bt_node *t, void (*fn)(const ncg_bt_entry *e, void *ctx), void *ctx)
{
    if (!t)
        return;
    for (int i = 0; i < t->count; i++) {
        if (t->leaf) {
            ncg_bt_entry e = {t->a[i], t->b[i], t->cpu[i], t->mem[i], t->p[i]};
            fn(&e, ctx);
        } else {
            ncg_bt_each(t->p[i], fn, ctx);
        }
    }
}

/* Entries below t, or -1; *depth is the leaves' depth below t (all equal). Keys are checked against lo (the
 * smallest allowed key, inclusive) and, for the next subtree, returned through last. */
static long check_in(const ncg_bt_node *t, bool root, int *depth, bool *has_last, int64_t *last_a, uint64_t *last_b)
{
    long n = 0;
    if (t->count < (root ? 1 : BT_MIN) || t->count > BT_MAX || (root && !t->leaf && t->count < 2))
        return -1;
    if (t->leaf) {
        for (int i = 0; i < t->count; i++) {
            if (*has_last && key_le(t->a[i], t->b[i], *last_a, *last_b))
                return -1;
            *has_last = true;
            *last_a = t->a[i];
            *last_b = t->b[i];
        }
        *depth = 1;
        return t->count;
    }
    for (int i = 0; i < t->count; i++) {
        const ncg_bt_node *ch = t->p[i];
        int d = 0;
        long k;
        int64_t c, m;
        if (ch->count < 1)
            return -1;
        ncg_bt_max(ch, &c, &m);
        if ( t->a[i] != ch->a[0] || t->b[i] != ch->b[0] || t->cpu[i] != c || t->mem[i] != m)
            return -1;
        k = check_in(ch, false, &d, has_last, last_a, last_b);
        if (k < 0 || (i > 0 && d != *depth))
            return -1;
        *depth = d;
        n += k;
    }
    ++*depth;
    return n;
}

long ncg_bt_check(const ncg_bt_node *root)
{
    int depth = 0;
    bool has_last = false;
    int64_t a = 0;
    uint64_t b = 0;
    return root ? check_in(root, true, &depth, &has_last, &a, &b) : 0;
}

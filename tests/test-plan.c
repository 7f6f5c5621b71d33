/* SPDX-License-Identifier: Apache-2.0 */
/* Plans checked by an independent validator (it re-derives every rule from the public API's data, not from the
 * library's own checks), on fixed and randomised workloads. */
#include "test-common.h"

static bool window_valid(const ncg_type *t, int first, int count)
{
    if (count < 1 || first < 0 || first + count > t->chips)
        return false;
    switch (t->topology) {
    case NCG_TOPOLOGY_SINGLE: return count == 1;
    case NCG_TOPOLOGY_CHAIN:
    case NCG_TOPOLOGY_RING: return true;
    case NCG_TOPOLOGY_TORUS_4X4: return count == 1 || ((count == 4 || count == 8 || count == 16) && first % count == 0);
    }
    return false;
}

typedef struct api_in {
    ncg_request req;
    int replicas, max_per_node;
} api_in;

static void validate(const ncg_plan *p, const api_in *apis, int napis)
{
    const ncg_cluster *c = ncg_plan_cluster(p);
    ncg_plan_summary s;
    double price = 0;
    int nodes = ncg_cluster_node_count(c), placed = 0;
    char *seen;

    ck_assert_int_eq(ncg_plan_get_summary(p, &s, NULL), 0);
    for (int i = 0; i < nodes; i++) {
        int group, n;
        const ncg_node *node = ncg_cluster_node_at(c, i, NULL, &group, NULL);
        ncg_group_spec g;
        ncg_type t;
        ncg_node_status st;
        uint32_t ids[512];
        unsigned char used[NCG_MAX_CORES] = {0};
        int64_t cpu = 0, mem = 0;
        ncg_cluster_group_at(c, group, &g, &t, NULL);
        price += g.usd_per_hour;
        ncg_node_status_get(node, &st, NULL);
        n = ncg_node_allocations(node, ids, 512, NULL);
        ck_assert_int_le(n, 512);
        for (int k = 0; k < n; k++) {
            ncg_alloc a;
            ncg_node_alloc_info(node, ids[k], &a, NULL);
            cpu += a.cpu_milli;
            mem += a.memory_bytes;
            for (int core = a.first_core; a.core_count > 0 && core < a.first_core + a.core_count; core++) {
                ck_assert_int_lt(core, t.chips * t.cores_per_chip);
                ck_assert_int_eq(used[core], 0); /* no core (so no chip of a window) used twice */
                used[core] = 1;
            }
            if (a.whole_chips) {
                ck_assert(window_valid(&t, a.first_chip, a.chip_count));
                ck_assert_int_eq(a.first_core, a.first_chip * t.cores_per_chip);
                ck_assert_int_eq(a.core_count, a.chip_count * t.cores_per_chip);
            }
            if (a.core_count > 0)
                ck_assert_int_eq(a.ppr * a.ncg_size, a.core_count);
        }
        ck_assert_int_le(cpu, st.cpu_usable_milli);
        ck_assert_int_le(mem, st.memory_usable_bytes);
    }
    seen = calloc((size_t)nodes * 4096 + 1, 1);
    for (int i = 0; i < ncg_plan_replica_count(p); i++) {
        ncg_plan_replica r;
        ncg_alloc a;
        const ncg_node *node;
        const ncg_request *q;
        ncg_plan_replica_at(p, i, &r, NULL);
        if (r.node < 0)
            continue;
        placed++;
        q = &apis[r.api].req;
        node = ncg_cluster_node_at(c, r.node, NULL, NULL, NULL);
        ck_assert_int_eq(ncg_node_alloc_info(node, r.alloc_id, &a, NULL), 0);
        ck_assert_int_lt(r.alloc_id, 4096);
        ck_assert_int_eq(seen[(size_t)r.node * 4096 + r.alloc_id], 0); /* each allocation holds one replica */
        seen[(size_t)r.node * 4096 + r.alloc_id] = 1;
        ck_assert_int_eq(a.cpu_milli, q->cpu_milli);
        ck_assert_int_eq(a.memory_bytes, q->memory_bytes);
        if (q->inf > 0) {
            ncg_type t;
            int group;
            ncg_group_spec g;
            ncg_cluster_node_at(c, r.node, NULL, &group, NULL);
            ncg_cluster_group_at(c, group, &g, &t, NULL);
            ck_assert(a.whole_chips);
            ck_assert_int_eq(a.chip_count, q->inf);
            ck_assert_int_eq(a.ppr, q->ppr);
            ck_assert_int_eq(a.ncg_size, t.cores_per_chip * q->inf / q->ppr);
        }
    }
    for (int ai = 0; ai < napis; ai++) {
        if (!apis[ai].max_per_node)
            continue;
        for (int nd = 0; nd < nodes; nd++) {
            int on = 0;
            for (int i = 0; i < ncg_plan_replica_count(p); i++) {
                ncg_plan_replica r;
                ncg_plan_replica_at(p, i, &r, NULL);
                on += r.api == ai && r.node == nd;
            }
            ck_assert_int_le(on, apis[ai].max_per_node);
        }
    }
    free(seen);
    ck_assert_int_eq(placed, s.placed);
    ck_assert_int_eq(s.placed + s.unplaced, s.replicas);
    ck_assert_int_eq(s.nodes, nodes);
    ck_assert_double_eq_tol(s.price_per_hour, price, 1e-6);
    ck_assert(s.lower_bound_per_hour <= s.price_per_hour + 1e-9);
    ck_assert(s.lower_bound_per_hour >= 0);
}

static uint64_t rng(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void random_plan(uint64_t seed, const char *const *types, int ntypes)
{
    ncg_catalog *cat = ncg_catalog_new(NULL);
    ncg_cluster *c = ncg_cluster_new(NULL);
    api_in apis[20];
    ncg_plan *p;
    char *a, *b;
    int napis = 5 + (int)(rng(&seed) % 15), len;
    ncg_cluster *back;
    for (int i = 0; i < ntypes; i++) {
        ncg_group_spec g = {.name = types[i], .type = types[i], .min_nodes = i == 0, .max_nodes = 1000};
        ck_assert_int_ge(ncg_cluster_add_group(c, cat, &g, NULL), 0);
    }
    p = ncg_plan_new(c, NULL);
    for (int i = 0; i < napis; i++) {
        static const int infs[] = {0, 1, 2, 4, 8, 16};
        ncg_api_spec s = {0};
        int64_t pprs[64];
        char name[16];
        int k;
        snprintf(name, sizeof(name), "api%d", i);
        ncg_request_init(&apis[i].req);
        apis[i].req.inf = infs[rng(&seed) % 6];
        if (apis[i].req.inf) {
            k = ncg_ppr_values(apis[i].req.inf * 2, pprs, 64, NULL);
            apis[i].req.ppr = pprs[rng(&seed) % (uint64_t)k];
        }
        apis[i].req.cpu_milli = 500 + (int64_t)(rng(&seed) % 15500);
        apis[i].req.memory_bytes = GIB * (1 + (int64_t)(rng(&seed) % 64));
        apis[i].replicas = (int)(rng(&seed) % 40);
        apis[i].max_per_node = rng(&seed) % 4 == 0 ? 2 : 0;
        s.name = name;
        s.request = apis[i].req;
        s.replicas = apis[i].replicas;
        s.max_per_node = apis[i].max_per_node;
        ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), i);
    }
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    validate(p, apis, napis);
    for (int i = 0; i < napis; i++)
        ck_assert_int_ge(ncg_plan_headroom(p, i, NULL), 0);
    /* dump/restore round-trips on the planned cluster, and headroom left it unchanged */
    len = ncg_cluster_dump(ncg_plan_cluster(p), NULL, 0, NULL);
    a = malloc((size_t)len + 1);
    ncg_cluster_dump(ncg_plan_cluster(p), a, (size_t)len + 1, NULL);
    back = ncg_cluster_restore(a, NULL);
    ck_assert_ptr_nonnull(back);
    b = malloc((size_t)len + 1);
    ck_assert_int_eq(ncg_cluster_dump(back, b, (size_t)len + 1, NULL), len);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    ncg_cluster_free(back);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}

START_TEST(random_inf2)
{
    static const char *const types[] = {"inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge"};
    random_plan(1000 + (uint64_t)_i, types, 4);
}
END_TEST

START_TEST(random_trn1)
{
    static const char *const types[] = {"trn1.2xlarge", "trn1.32xlarge", "inf1.24xlarge"};
    random_plan(2000 + (uint64_t)_i, types, 3);
}
END_TEST

/* A small case solved by hand: 6 replicas of 2 chips on inf1.6xlarge (4 chips) need 3 nodes; the bound is exact. */
START_TEST(exact_small_case)
{
    ncg_catalog *cat = ncg_catalog_new(NULL);
    ncg_cluster *c = ncg_cluster_new(NULL);
    ncg_group_spec g = {.name = "inf", .type = "inf1.6xlarge", .max_nodes = 2};
    api_in in = {.replicas = 6};
    ncg_api_spec s = {.name = "resnet", .replicas = 6};
    ncg_plan_summary sum;
    ncg_plan *p;
    char reason[256];
    ncg_cluster_add_group(c, cat, &g, NULL);
    p = ncg_plan_new(c, NULL);
    ncg_request_init(&in.req);
    in.req.inf = 2;
    in.req.ppr = 4;
    s.request = in.req;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    validate(p, &in, 1);
    ncg_plan_get_summary(p, &sum, NULL);
    ck_assert_int_eq(sum.nodes, 2);
    ck_assert_int_eq(sum.placed, 4);
    ck_assert_double_eq_tol(sum.price_per_hour, 2.36, 1e-9);
    ck_assert_double_eq_tol(sum.lower_bound_per_hour, 2.36, 1e-9);
    ck_assert_int_eq(ncg_plan_unplaced(p, 0, reason, sizeof(reason), NULL), 2);
    ck_assert_str_eq(reason, "max_instances reached: group inf (2 nodes)");
    ck_assert_int_eq(ncg_plan_headroom(p, 0, NULL), 0);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

Suite *suite_plan(void)
{
    Suite *s = suite_create("plan");
    TCase *t = tcase_create("plan");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, exact_small_case);
    tcase_add_loop_test(t, random_inf2, 0, 20);
    tcase_add_loop_test(t, random_trn1, 0, 20);
    suite_add_tcase(s, t);
    return s;
}

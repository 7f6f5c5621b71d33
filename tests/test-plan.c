/* SPDX-License-Identifier: Apache-2.0 */
/* Plans: a case solved by hand, randomised workloads checked by the independent validator of bench/validate.c,
 * and the plan API's rules (sized structs, buffers, solved once, the base cluster unchanged). */
#include <math.h>

#include "plan/plan.h"
#include "test-common.h"
#include "validate.h"

typedef validate_api api_in;

static void validate(const ncg_plan *p, const api_in *apis, int napis)
{
    char msg[512] = "";
    ck_assert_msg(validate_plan(p, apis, napis, msg, sizeof(msg)) == 0, "%s", msg);
}

/* One node group per type (the first with min_nodes 1), up to 19 random APIs; the plan must validate, headroom
 * must not change it, and its cluster must round-trip through the state text. */
static void random_plan(uint64_t seed, const char *const *types, int ntypes)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    api_in apis[20];
    ncg_plan *p;
    char *a, *b;
    int napis = 5 + (int)(test_rand(&seed) % 15);
    ncg_cluster *back;
    for (int i = 0; i < ntypes; i++) {
        ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
        g.name = types[i];
        g.type = types[i];
        g.min_nodes = i == 0;
        g.max_nodes = 1000;
        ck_assert_int_ge(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    }
    p = ncg_plan_new(c, 0, NULL);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < napis; i++) {
        static const int infs[] = {0, 1, 2, 4, 8, 16};
        ncg_api_spec s = NCG_INIT(ncg_api_spec);
        int64_t pprs[64];
        char name[16];
        int k;
        snprintf(name, sizeof(name), "api%d", i);
        ncg_request_init(&apis[i].request);
        apis[i].request.inf = infs[test_rand(&seed) % 6];
        if (apis[i].request.inf) {
            k = ncg_ppr_values(apis[i].request.inf * 2, pprs, 64, NULL);
            ck_assert_int_gt(k, 0);
            apis[i].request.ppr = pprs[test_rand(&seed) % (uint64_t)k];
        }
        apis[i].request.cpu_milli = 500 + (int64_t)(test_rand(&seed) % 15500);
        apis[i].request.memory_bytes = GIB * (1 + (int64_t)(test_rand(&seed) % 64));
        apis[i].replicas = (int)(test_rand(&seed) % 40);
        apis[i].max_per_node = test_rand(&seed) % 4 == 0 ? 2 : 0;
        s.name = name;
        s.request = &apis[i].request;
        s.replicas = apis[i].replicas;
        s.max_per_node = apis[i].max_per_node;
        ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), i);
    }
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    validate(p, apis, napis);
    a = dump_text(ncg_plan_get_cluster(p));
    for (int i = 0; i < napis; i++)
        ck_assert_int_ge(ncg_plan_get_headroom(p, i, NULL), 0);
    b = dump_text(ncg_plan_get_cluster(p));
    ck_assert_str_eq(a, b); /* headroom left the plan unchanged */
    free(b);
    back = ncg_cluster_restore(a, 0, NULL);
    ck_assert_ptr_nonnull(back);
    b = dump_text(back);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    ncg_cluster_free(back);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}

/* 10 CPU-only replicas, at most 3 per node: the LP opens 3 full nodes from its pattern and packing must not put
 * the 10th on one of them (it did: the packing pass did not count the pattern's replicas). */
START_TEST(max_per_node_holds_with_lp_patterns)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    api_in api;
    ncg_plan *p;
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    g.name = "big";
    g.type = "inf1.6xlarge";
    g.max_nodes = 100;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    p = ncg_plan_new(c, 0, NULL);
    ncg_request_init(&api.request);
    api.request.cpu_milli = 1000;
    api.replicas = 10;
    api.max_per_node = 3;
    s.name = "web";
    s.request = &api.request;
    s.replicas = 10;
    s.max_per_node = 3;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    validate(p, &api, 1);
    ck_assert_int_eq(ncg_plan_get_summary(p, &sum, NULL), 0);
    ck_assert_int_eq(sum.nodes, 4);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(random_inf2_plan_is_valid)
{
    static const char *const types[] = {"inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge"};
    random_plan(1000 + (uint64_t)_i, types, 4);
}
END_TEST

START_TEST(random_trn1_plan_is_valid)
{
    static const char *const types[] = {"trn1.2xlarge", "trn1.32xlarge", "inf1.24xlarge"};
    random_plan(2000 + (uint64_t)_i, types, 3);
}
END_TEST

/* Node group "inf" (inf1.6xlarge, 4 chips, at most `max_nodes` nodes), `nodes` of them in the cluster. */
static ncg_cluster *inf_cluster(int max_nodes, int nodes)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = "inf";
    g.type = "inf1.6xlarge";
    g.max_nodes = max_nodes;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    for (int i = 0; i < nodes; i++)
        ck_assert_int_eq(ncg_cluster_add_node(c, NULL, "inf", NULL), i);
    ncg_catalog_free(cat);
    return c;
}

/* A case solved by hand: 6 replicas of 2 chips (4 processes) on inf1.6xlarge need 3 nodes, but only 2 are
 * allowed: 4 placed on 2 nodes, 2.36 USD/h, and the bound is exact. */
typedef struct {
    ncg_cluster *base;
    ncg_plan *plan;
    api_in in;
} small_case;

static small_case solve_small_case(void)
{
    small_case k;
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    k.base = inf_cluster(2, 0);
    k.plan = ncg_plan_new(k.base, 0, NULL);
    ck_assert_ptr_nonnull(k.plan);
    k.in.request = chips_request(2, 4);
    k.in.replicas = 6;
    k.in.max_per_node = 0;
    s.name = "resnet";
    s.request = &k.in.request;
    s.replicas = 6;
    ck_assert_int_eq(ncg_plan_add_api(k.plan, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(k.plan, NULL), 0);
    return k;
}

static void free_small_case(small_case *k)
{
    ncg_plan_free(k->plan);
    ncg_cluster_free(k->base);
}

START_TEST(small_case_is_valid)
{
    small_case k = solve_small_case();
    validate(k.plan, &k.in, 1);
    free_small_case(&k);
}
END_TEST

START_TEST(small_case_places_four_on_two_nodes)
{
    small_case k = solve_small_case();
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ck_assert_int_eq(ncg_plan_get_summary(k.plan, &sum, NULL), 0);
    ck_assert_uint_eq(sum.size, sizeof(ncg_plan_summary));
    ck_assert_int_eq(sum.nodes, 2);
    ck_assert_int_eq(sum.new_nodes, 2);
    ck_assert_int_eq(sum.replicas, 6);
    ck_assert_int_eq(sum.placed, 4);
    ck_assert_int_eq(sum.unplaced, 2);
    ck_assert_int_eq(sum.unpriced_nodes, 0);
    ck_assert_int_eq(sum.chips_used, 8);
    ck_assert_int_eq(sum.chips_total, 8);
    free_small_case(&k);
}
END_TEST

START_TEST(small_case_price_meets_bound)
{
    small_case k = solve_small_case();
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ck_assert_int_eq(ncg_plan_get_summary(k.plan, &sum, NULL), 0);
    ck_assert_double_eq_tol(sum.price_per_hour, 2.36, 1e-9);
    ck_assert_double_eq_tol(sum.lower_bound_per_hour, 2.36, 1e-9);
    ck_assert_double_eq_tol(sum.gap, 0, 1e-9);
    free_small_case(&k);
}
END_TEST

#define MAX_INSTANCES_REASON "max_instances reached: node group inf (2 nodes)"

START_TEST(small_case_unplaced_reason)
{
    small_case k = solve_small_case();
    char reason[256];
    int unplaced = -1;
    ck_assert_int_eq(ncg_plan_get_unplaced(k.plan, 0, reason, sizeof(reason), &unplaced, NULL),
                     (int)strlen(MAX_INSTANCES_REASON));
    ck_assert_int_eq(unplaced, 2);
    ck_assert_str_eq(reason, MAX_INSTANCES_REASON);
    free_small_case(&k);
}
END_TEST

START_TEST(small_case_has_no_headroom)
{
    small_case k = solve_small_case();
    ck_assert_int_eq(ncg_plan_get_headroom(k.plan, 0, NULL), 0);
    free_small_case(&k);
}
END_TEST

/* A node group that can never hold the replica and one at max_instances: the reason names both, whole. */
START_TEST(unplaced_reason_names_every_group_and_cause)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_request r = chips_request(2, 1);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    char reason[1024];
    int unplaced = -1;
    const char *want = "node group small: no instances can satisfy the requested Inf quantity - requested 2 Inf but "
                       "instances only have 1 Inf available; max_instances reached: node group six (1 nodes)";
    ncg_plan *p;
    g.name = "small";
    g.type = "inf1.xlarge";
    g.max_nodes = 5;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    g.name = "six";
    g.type = "inf1.6xlarge";
    g.max_nodes = 1;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 1);
    p = ncg_plan_new(c, 0, NULL);
    s.name = "api";
    s.request = &r;
    s.replicas = 5;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    ck_assert_int_eq(ncg_plan_get_unplaced(p, 0, reason, sizeof(reason), &unplaced, NULL), (int)strlen(want));
    ck_assert_str_eq(reason, want);
    ck_assert_int_eq(unplaced, 3);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(unplaced_small_buffer_returns_length_untouched)
{
    small_case k = solve_small_case();
    char reason[16];
    int unplaced = -1;
    fill_sentinel(reason, sizeof(reason));
    ck_assert_int_eq(ncg_plan_get_unplaced(k.plan, 0, reason, sizeof(reason), &unplaced, NULL),
                     (int)strlen(MAX_INSTANCES_REASON));
    ck_assert_untouched(reason, sizeof(reason));
    ck_assert_int_eq(unplaced, 2);
    free_small_case(&k);
}
END_TEST

START_TEST(unplaced_null_buffer_returns_length)
{
    small_case k = solve_small_case();
    ck_assert_int_eq(ncg_plan_get_unplaced(k.plan, 0, NULL, 0, NULL, NULL), (int)strlen(MAX_INSTANCES_REASON));
    free_small_case(&k);
}
END_TEST

START_TEST(unplaced_is_empty_when_all_are_placed)
{
    ncg_cluster *base = inf_cluster(10, 0);
    ncg_plan *p = ncg_plan_new(base, 0, NULL);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    char reason[8];
    int unplaced = -1;
    s.name = "a";
    s.request = &r;
    s.replicas = 3;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    fill_sentinel(reason, sizeof(reason));
    ck_assert_int_eq(ncg_plan_get_unplaced(p, 0, reason, sizeof(reason), &unplaced, NULL), 0);
    ck_assert_str_eq(reason, "");
    ck_assert_int_eq(unplaced, 0);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(unplaced_rejects_unknown_api)
{
    small_case k = solve_small_case();
    ck_assert_fails(NCG_E_NOT_FOUND, "api index 1 is out of range 0..0",
                    ncg_plan_get_unplaced(k.plan, 1, NULL, 0, NULL, &err));
    free_small_case(&k);
}
END_TEST

START_TEST(replicas_are_listed_in_order)
{
    small_case k = solve_small_case();
    ncg_plan_replica r = NCG_INIT(ncg_plan_replica);
    ck_assert_int_eq(ncg_plan_replica_count(k.plan), 6);
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(ncg_plan_get_replica(k.plan, i, &r, NULL), 0);
        ck_assert_int_eq(r.api, 0);
        ck_assert_int_eq(r.replica, i);
        if (i < 4) {
            ck_assert_int_ge(r.node, 0);
            ck_assert_uint_gt(r.alloc_id, 0);
        } else {
            ck_assert_int_eq(r.node, -1);
            ck_assert_uint_eq(r.alloc_id, 0);
        }
    }
    free_small_case(&k);
}
END_TEST

/* A placed replica's allocation is on its node of the plan's cluster. */
START_TEST(replica_allocation_is_on_its_node)
{
    small_case k = solve_small_case();
    ncg_plan_replica r = NCG_INIT(ncg_plan_replica);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    const ncg_node *n = NULL;
    ck_assert_int_eq(ncg_plan_get_replica(k.plan, 0, &r, NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_node(ncg_plan_get_cluster(k.plan), r.node, &n, NULL, NULL, NULL), 0);
    ck_assert_int_eq(ncg_node_get_alloc(n, r.alloc_id, &a, NULL), 0);
    ck_assert_int_eq(a.chip_count, 2);
    ck_assert_int_eq(a.ppr, 4);
    free_small_case(&k);
}
END_TEST

START_TEST(get_replica_rejects_index_out_of_range)
{
    small_case k = solve_small_case();
    ncg_plan_replica r = NCG_INIT(ncg_plan_replica);
    ck_assert_fails(NCG_E_NOT_FOUND, "replica index 6 is out of range 0..5",
                    ncg_plan_get_replica(k.plan, 6, &r, &err));
    ck_assert_int_eq(r.node, 0);
    free_small_case(&k);
}
END_TEST

START_TEST(get_replica_rejects_size_zero)
{
    small_case k = solve_small_case();
    ncg_plan_replica r;
    memset(&r, 0, sizeof(r));
    ck_assert_rejects_size(ncg_plan_replica, 0, ncg_plan_get_replica(k.plan, 0, &r, &err));
    ck_assert_uint_eq(r.alloc_id, 0);
    free_small_case(&k);
}
END_TEST

START_TEST(get_summary_rejects_size_zero)
{
    small_case k = solve_small_case();
    ncg_plan_summary sum;
    memset(&sum, 0, sizeof(sum));
    {
        char want[NCG_MESSAGE_MAX];
        size_message(want, sizeof(want), "ncg_plan_summary", NCG_PLAN_SUMMARY_V20_SIZE, 0);
        ck_assert_fails(NCG_E_INVALID, want, ncg_plan_get_summary(k.plan, &sum, &err));
    }
    ck_assert_int_eq(sum.nodes, 0);
    free_small_case(&k);
}
END_TEST

/* ---- options (2.1) ---- */

START_TEST(options_init_sets_defaults)
{
    ncg_plan_options o;
    memset(&o, 0x5a, sizeof(o));
    ncg_plan_options_init(&o);
    ck_assert_uint_eq(o.size, sizeof(o));
    ck_assert(o.time_limit_s == 0);
    ck_assert_int_eq(o.work_limit, 0);
    ck_assert_uint_eq(o.flags, 0);
    ncg_plan_options_init(NULL); /* ignored */
}
END_TEST

START_TEST(options_round_trip)
{
    ncg_cluster *c = inf_cluster(1, 0);
    ncg_plan *p = ncg_plan_new(c, 0, NULL);
    ncg_plan_options o, back;
    ncg_plan_options_init(&o);
    o.time_limit_s = 2.5;
    o.work_limit = 12345;
    o.flags = NCG_PLAN_NO_COLGEN;
    ck_assert_int_eq(ncg_plan_set_options(p, &o, NULL), 0);
    back = (ncg_plan_options)NCG_INIT(ncg_plan_options);
    ck_assert_int_eq(ncg_plan_get_options(p, &back, NULL), 0);
    ck_assert(back.time_limit_s == 2.5);
    ck_assert_int_eq(back.work_limit, 12345);
    ck_assert_uint_eq(back.flags, NCG_PLAN_NO_COLGEN);
    ncg_plan_free(p);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(options_rejects_bad_values)
{
    ncg_cluster *c = inf_cluster(1, 0);
    ncg_plan *p = ncg_plan_new(c, 0, NULL);
    ncg_plan_options o, back = NCG_INIT(ncg_plan_options);
    ncg_plan_options_init(&o);
    ck_assert_fails(NCG_E_INVALID, "plan is NULL", ncg_plan_set_options(NULL, &o, &err));
    ck_assert_fails(NCG_E_INVALID, "plan_set_options: opts is NULL", ncg_plan_set_options(p, NULL, &err));
    o.size = 0;
    ck_assert_rejects_size(ncg_plan_options, 0, ncg_plan_set_options(p, &o, &err));
    ncg_plan_options_init(&o);
    o.time_limit_s = -1;
    ck_assert_fails(NCG_E_RANGE, "time_limit_s -1 is not a finite number of seconds >= 0",
                    ncg_plan_set_options(p, &o, &err));
    o.time_limit_s = NAN;
    ck_assert_fails(NCG_E_RANGE, "time_limit_s nan is not a finite number of seconds >= 0",
                    ncg_plan_set_options(p, &o, &err));
    o.time_limit_s = 0;
    o.work_limit = -5;
    ck_assert_fails(NCG_E_RANGE, "work_limit -5 is negative", ncg_plan_set_options(p, &o, &err));
    o.work_limit = 0;
    o.flags = 6;
    ck_assert_fails(NCG_E_INVALID, "plan options flags 0x6 has unknown bits", ncg_plan_set_options(p, &o, &err));
    /* nothing of the failed calls stuck */
    ck_assert_int_eq(ncg_plan_get_options(p, &back, NULL), 0);
    ck_assert(back.time_limit_s == 0);
    ck_assert_int_eq(back.work_limit, 0);
    ck_assert_uint_eq(back.flags, 0);
    ck_assert_fails(NCG_E_INVALID, "plan is NULL", ncg_plan_get_options(NULL, &back, &err));
    ck_assert_fails(NCG_E_INVALID, "plan_get_options: out is NULL", ncg_plan_get_options(p, NULL, &err));
    back.size = 0;
    ck_assert_rejects_size(ncg_plan_options, 0, ncg_plan_get_options(p, &back, &err));
    ncg_plan_free(p);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(options_rejected_once_solved)
{
    small_case k = solve_small_case();
    ncg_plan_options o;
    ncg_plan_options_init(&o);
    ck_assert_fails(NCG_E_INVALID, "plan_set_options: the plan is solved already",
                    ncg_plan_set_options(k.plan, &o, &err));
    free_small_case(&k);
}
END_TEST

/* A random workload of many APIs on the test catalog's inf1 groups, solved with the given options. */
static ncg_plan *options_workload(const ncg_plan_options *o, ncg_cluster **base, api_in *apis, int napis)
{
    static const char *const types[] = {"inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge", "inf1.24xlarge"};
    ncg_catalog *cat = test_catalog();
    ncg_plan *p;
    uint64_t seed = 42;
    *base = ncg_cluster_new(0, NULL);
    for (int i = 0; i < 4; i++) {
        ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
        g.name = types[i];
        g.type = types[i];
        g.max_nodes = 1000;
        ck_assert_int_ge(ncg_cluster_add_nodegroup(*base, cat, &g, NULL), 0);
    }
    p = ncg_plan_new(*base, 0, NULL);
    ck_assert_int_eq(ncg_plan_set_options(p, o, NULL), 0);
    for (int i = 0; i < napis; i++) {
        static const int infs[] = {1, 2, 4};
        ncg_api_spec s = NCG_INIT(ncg_api_spec);
        char name[16];
        snprintf(name, sizeof(name), "api%d", i);
        ncg_request_init(&apis[i].request);
        apis[i].request.inf = infs[test_rand(&seed) % 3];
        apis[i].request.cpu_milli = 500 + (int64_t)(test_rand(&seed) % 7000);
        apis[i].request.memory_bytes = GIB * (1 + (int64_t)(test_rand(&seed) % 20));
        apis[i].replicas = 1 + (int)(test_rand(&seed) % 30);
        apis[i].max_per_node = 0;
        s.name = name;
        s.request = &apis[i].request;
        s.replicas = apis[i].replicas;
        ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), i);
    }
    ncg_catalog_free(cat);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    return p;
}

START_TEST(options_limits_stop_generation_with_a_valid_bound)
{
    struct { double time; int64_t work; unsigned flags; } cases[] = {
        {0, 0, 0}, {1e-9, 0, 0}, {0, 1, 0}, {0, 0, NCG_PLAN_NO_COLGEN},
    };
    double full_bound = 0;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        api_in apis[12];
        ncg_cluster *base;
        ncg_plan_options o;
        ncg_plan_summary s = NCG_INIT(ncg_plan_summary);
        ncg_plan *p;
        ncg_plan_options_init(&o);
        o.time_limit_s = cases[k].time;
        o.work_limit = cases[k].work;
        o.flags = cases[k].flags;
        p = options_workload(&o, &base, apis, 12);
        validate(p, apis, 12);
        ck_assert_int_eq(ncg_plan_get_summary(p, &s, NULL), 0);
        ck_assert(s.lower_bound_per_hour <= s.price_per_hour);
        ck_assert(s.solve_seconds >= 0 && s.generation_seconds >= 0 && s.rounding_seconds >= 0 &&
                  s.packing_seconds >= 0);
        ck_assert(s.generation_seconds + s.rounding_seconds + s.packing_seconds <= s.solve_seconds + 1e-9);
        if (k == 0) {
            ck_assert_int_eq(s.stopped == NCG_PLAN_STOP_CONVERGED || s.stopped == NCG_PLAN_STOP_GAP ||
                                 s.stopped == NCG_PLAN_STOP_SEARCH, 1);
            ck_assert_int_ge(s.rounds, 1);
            ck_assert_int_ge(s.patterns, 1);
            full_bound = s.lower_bound_per_hour;
        } else if (cases[k].flags) {
            ck_assert_int_eq(s.stopped, NCG_PLAN_STOP_SKIPPED);
            ck_assert_int_eq(s.rounds, 0);
            ck_assert_int_eq(s.converged, 0);
        } else {
            /* one round, then the limit (or convergence in that round) */
            ck_assert_int_eq(s.rounds, 1);
            ck_assert_int_eq(s.stopped == (cases[k].time > 0 ? NCG_PLAN_STOP_TIME : NCG_PLAN_STOP_WORK) ||
                                 s.stopped == NCG_PLAN_STOP_CONVERGED,
                             1);
            ck_assert(s.lower_bound_per_hour <= full_bound * (1 + 1e-9));
        }
        ncg_plan_free(p);
        ncg_cluster_free(base);
    }
}
END_TEST

START_TEST(summary_of_a_2_0_program)
{
    small_case k = solve_small_case();
    ncg_plan_summary sum, full = NCG_INIT(ncg_plan_summary);
    memset(&sum, 0x77, sizeof(sum));
    sum.size = (uint32_t)NCG_PLAN_SUMMARY_V20_SIZE;
    ck_assert_int_eq(ncg_plan_get_summary(k.plan, &sum, NULL), 0);
    ck_assert_int_eq(ncg_plan_get_summary(k.plan, &full, NULL), 0);
    ck_assert_int_eq(sum.nodes, full.nodes);
    ck_assert_int_eq(sum.converged, full.converged);
    ck_assert_uint_eq(sum.size, NCG_PLAN_SUMMARY_V20_SIZE);
    ck_assert_int_eq(sum.rounds, 0x77777777); /* past its size: not written */
    free_small_case(&k);
}
END_TEST

START_TEST(add_api_enforces_the_plan_limits)
{
    ncg_cluster *c = inf_cluster(1, 0);
    ncg_plan *p = ncg_plan_new(c, 0, NULL);
    ncg_request r = chips_request(1, 1);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    char name[32];
    s.request = &r;
    s.name = "big";
    s.replicas = NCG_PLAN_MAX_REPLICAS;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    s.name = "one-more";
    s.replicas = 1;
    ck_assert_fails(NCG_E_RANGE, "api one-more: replicas 1 would bring the plan to 2000001 replicas, past its limit "
                    "of 2000000", ncg_plan_add_api(p, &s, &err));
    s.replicas = 0;
    for (int i = 1; i < NCG_PLAN_MAX_APIS; i++) {
        snprintf(name, sizeof(name), "api-%d", i);
        s.name = name;
        ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), i);
    }
    s.name = "api-1";
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), NCG_E_RANGE); /* the count is checked first */
    s.name = "last";
    ck_assert_fails(NCG_E_RANGE, "api last: the plan has 10000 APIs already, its limit", ncg_plan_add_api(p, &s, &err));
    ck_assert_int_eq(ncg_plan_api_count(p), NCG_PLAN_MAX_APIS);
    ncg_plan_free(p);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_api_finds_duplicates_among_many)
{
    ncg_cluster *c = inf_cluster(1, 0);
    ncg_plan *p = ncg_plan_new(c, 0, NULL);
    ncg_request r = chips_request(1, 1);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    char name[32];
    s.request = &r;
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "a%d", i);
        s.name = name;
        ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), i);
    }
    for (int i = 0; i < 3000; i += 7) {
        char want[64];
        snprintf(name, sizeof(name), "a%d", i);
        snprintf(want, sizeof(want), "api \"a%d\" exists already", i);
        s.name = name;
        ck_assert_fails(NCG_E_EXISTS, want, ncg_plan_add_api(p, &s, &err));
    }
    ck_assert_int_eq(ncg_plan_api_count(p), 3000);
    ck_assert_str_eq(ncg_plan_get_api_name(p, 2999), "a2999");
    ncg_plan_free(p);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(api_names_and_counts)
{
    small_case k = solve_small_case();
    ck_assert_int_eq(ncg_plan_api_count(k.plan), 1);
    ck_assert_str_eq(ncg_plan_get_api_name(k.plan, 0), "resnet");
    ck_assert_ptr_null(ncg_plan_get_api_name(k.plan, 1));
    ck_assert_ptr_null(ncg_plan_get_api_name(NULL, 0));
    ck_assert_int_eq(ncg_plan_api_count(NULL), 0);
    ck_assert_int_eq(ncg_plan_replica_count(NULL), 0);
    free_small_case(&k);
}
END_TEST

static ncg_plan *unsolved_plan(ncg_cluster **base)
{
    ncg_plan *p;
    *base = inf_cluster(2, 0);
    p = ncg_plan_new(*base, 0, NULL);
    ck_assert_ptr_nonnull(p);
    return p;
}

START_TEST(new_rejects_unknown_flags)
{
    ncg_cluster *base = inf_cluster(2, 0);
    ck_assert_fails_null(NCG_E_INVALID, "plan_new: flags 0x1 has unknown bits", ncg_plan_new(base, 1, &err));
    ncg_cluster_free(base);
}
END_TEST

START_TEST(new_rejects_null_base)
{
    ck_assert_fails_null(NCG_E_INVALID, "plan_new: base cluster is NULL", ncg_plan_new(NULL, 0, &err));
}
END_TEST

START_TEST(unsolved_plan_has_no_summary)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ck_assert_fails(NCG_E_INVALID, "the plan is not solved: call ncg_plan_solve first",
                    ncg_plan_get_summary(p, &sum, &err));
    ck_assert_int_eq(ncg_plan_replica_count(p), 0);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(solve_twice_is_invalid)
{
    small_case k = solve_small_case();
    ck_assert_fails(NCG_E_INVALID, "plan_solve: the plan is solved already", ncg_plan_solve(k.plan, &err));
    free_small_case(&k);
}
END_TEST

START_TEST(add_api_after_solve_is_invalid)
{
    small_case k = solve_small_case();
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    s.name = "late";
    s.request = &r;
    s.replicas = 1;
    ck_assert_fails(NCG_E_INVALID, "plan_add_api: the plan is solved already", ncg_plan_add_api(k.plan, &s, &err));
    ck_assert_int_eq(ncg_plan_api_count(k.plan), 1);
    free_small_case(&k);
}
END_TEST

START_TEST(add_api_rejects_spec_size_zero)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    s.size = 0;
    s.name = "a";
    s.request = &r;
    ck_assert_rejects_size(ncg_api_spec, 0, ncg_plan_add_api(p, &s, &err));
    ck_assert_int_eq(ncg_plan_api_count(p), 0);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(add_api_rejects_request_size_zero)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    r.size = 0;
    s.name = "a";
    s.request = &r;
    ck_assert_rejects_size_after("api a: ", ncg_request, 0, ncg_plan_add_api(p, &s, &err));
    ck_assert_int_eq(ncg_plan_api_count(p), 0);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(add_api_requires_request)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    s.name = "a";
    ck_assert_fails(NCG_E_INVALID, "api a: request is NULL", ncg_plan_add_api(p, &s, &err));
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(add_api_rejects_duplicate_name)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    s.name = "a";
    s.request = &r;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_fails(NCG_E_EXISTS, "api \"a\" exists already", ncg_plan_add_api(p, &s, &err));
    ck_assert_int_eq(ncg_plan_api_count(p), 1);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(add_api_rejects_unknown_nodegroup)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    const char *nodegroups[] = {"nope"};
    s.name = "a";
    s.request = &r;
    s.nodegroups = nodegroups;
    s.nodegroup_count = 1;
    ck_assert_fails(NCG_E_NOT_FOUND, "api a: unknown node group \"nope\"", ncg_plan_add_api(p, &s, &err));
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(add_api_rejects_negative_replicas)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    s.name = "a";
    s.request = &r;
    s.replicas = -1;
    ck_assert_fails(NCG_E_RANGE, "api a: replicas -1 is out of range 0..10000000", ncg_plan_add_api(p, &s, &err));
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(add_api_accepts_255_character_name)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    char name[256];
    memset(name, 'a', 255);
    name[255] = '\0';
    s.name = name;
    s.request = &r;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    memset(name, 'b', 255);
    ck_assert_uint_eq(strlen(ncg_plan_get_api_name(p, 0)), 255);
    ck_assert_int_eq(ncg_plan_get_api_name(p, 0)[0], 'a');
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(add_api_rejects_256_character_name)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    char name[257];
    memset(name, 'a', 256);
    name[256] = '\0';
    s.name = name;
    s.request = &r;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_api_count(p), 0);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

/* The spec and its request are copied: changing them after add_api changes nothing. */
START_TEST(add_api_copies_the_request)
{
    ncg_cluster *base;
    ncg_plan *p = unsolved_plan(&base);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(1, 1);
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    s.name = "a";
    s.request = &r;
    s.replicas = 2;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    r.inf = 100;
    s.replicas = 1000;
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    ck_assert_int_eq(ncg_plan_get_summary(p, &sum, NULL), 0);
    ck_assert_int_eq(sum.replicas, 2);
    ck_assert_int_eq(sum.placed, 2);
    ck_assert_int_eq(sum.chips_used, 2);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(plan_leaves_base_cluster_unchanged)
{
    ncg_cluster *base = inf_cluster(10, 1);
    char *before = dump_text(base), *after;
    ncg_plan *p = ncg_plan_new(base, 0, NULL);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(2, 1);
    s.name = "a";
    s.request = &r;
    s.replicas = 5;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    after = dump_text(base);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

START_TEST(unsolved_plan_cluster_is_copy_of_base)
{
    ncg_cluster *base = inf_cluster(10, 2);
    ncg_plan *p = ncg_plan_new(base, 0, NULL);
    ck_assert_ptr_nonnull(ncg_plan_get_cluster(p));
    ck_assert_ptr_ne(ncg_plan_get_cluster(p), base);
    ck_assert_same_dump(ncg_plan_get_cluster(p), base);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

/* Existing nodes are kept and filled first: one replica that fits the base node opens no node. */
START_TEST(plan_fills_existing_nodes_first)
{
    ncg_cluster *base = inf_cluster(10, 1);
    ncg_plan *p = ncg_plan_new(base, 0, NULL);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(2, 1);
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ncg_plan_replica rep = NCG_INIT(ncg_plan_replica);
    s.name = "a";
    s.request = &r;
    s.replicas = 1;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    ck_assert_int_eq(ncg_plan_get_summary(p, &sum, NULL), 0);
    ck_assert_int_eq(sum.nodes, 1);
    ck_assert_int_eq(sum.new_nodes, 0);
    ck_assert_int_eq(ncg_plan_get_replica(p, 0, &rep, NULL), 0);
    ck_assert_int_eq(rep.node, 0);
    ncg_plan_free(p);
    ncg_cluster_free(base);
}
END_TEST

/* Issue "Planner 3": 12 CPU-only replicas of 1300m / 50Gi on trn1.32xlarge (max 2, $3.5), inf1.24xlarge (max 3,
 * $0) and inf1.xlarge (min_instances 1, max 7). The improvement phase's plan held no inf1.xlarge node (its empty
 * node was no pattern); every plan now has it, and nothing else empty: 9 replicas on the free nodes, 3 on one
 * trn1.32xlarge, $3.728, nodes numbered from 1 per node group. */
START_TEST(plan_keeps_min_instances_and_no_other_empty_node)
{
    static const char *const types[] = {"trn1.32xlarge", "inf1.24xlarge", "inf1.xlarge"};
    static const char *const names[] = {"trn", "big", "small"};
    static const int max[] = {2, 3, 7}, min[] = {0, 0, 1}, want[] = {1, 3, 1};
    static const double price[] = {3.5, 0, -1};
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_request r;
    ncg_api_spec a = NCG_INIT(ncg_api_spec);
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ncg_plan *p;
    const ncg_cluster *out;
    int per_group[3] = {0, 0, 0};
    for (int g = 0; g < 3; g++) {
        ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
        s.name = names[g];
        s.type = types[g];
        s.min_nodes = min[g];
        s.max_nodes = max[g];
        s.has_price = price[g] >= 0;
        s.usd_per_hour = price[g] >= 0 ? price[g] : 0;
        s.priority = g == 1 ? 2 : 0;
        ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &s, NULL), g);
    }
    ncg_request_init(&r);
    r.cpu_milli = 1300;
    r.memory_bytes = INT64_C(50) << 30;
    a.name = "cpu";
    a.request = &r;
    a.replicas = 12;
    for (unsigned flags = 0; flags <= NCG_PLAN_NO_COLGEN; flags += NCG_PLAN_NO_COLGEN) {
        ncg_plan_options o;
        p = ncg_plan_new(c, 0, NULL);
        ncg_plan_options_init(&o);
        o.flags = flags;
        ck_assert_int_eq(ncg_plan_set_options(p, &o, NULL), 0);
        ck_assert_int_eq(ncg_plan_add_api(p, &a, NULL), 0);
        ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
        ck_assert_int_eq(ncg_plan_get_summary(p, &sum, NULL), 0);
        ck_assert_int_eq(sum.unplaced, 0);
        ck_assert_double_eq_tol(sum.price_per_hour, 3.728, 1e-9);
        ck_assert_int_eq(sum.nodes, 5);
        out = ncg_plan_get_cluster(p);
        memset(per_group, 0, sizeof(per_group));
        for (int i = 0; i < ncg_cluster_node_count(out); i++) {
            const ncg_node *n = NULL;
            const char *name = NULL;
            char expect[32];
            int g = -1;
            ck_assert_int_eq(ncg_cluster_get_node(out, i, &n, &name, &g, NULL), 0);
            snprintf(expect, sizeof(expect), "%s-%d", names[g], ++per_group[g]);
            ck_assert_str_eq(name, expect);
            /* only the node min_instances requires is empty */
            ck_assert_int_eq(ncg_node_get_alloc_ids(n, NULL, 0, NULL) == 0, g == 2);
        }
        for (int g = 0; g < 3; g++)
            ck_assert_int_eq(per_group[g], want[g]);
        ncg_plan_free(p);
    }
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* Issue "Planner 3": one API of 3 CPU / 12Gi and three of 500m / 3Gi on inf1.xlarge, inf1.2xlarge and inf1.6xlarge.
 * The strategies' plan was 1 x inf1.2xlarge + 2 x inf1.xlarge, $0.818/h; the optimum, 2 x inf1.2xlarge, $0.724/h,
 * is found and proven. */
START_TEST(exact_search_finds_and_proves_a_tiny_optimum)
{
    static const char *const types[] = {"inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge"};
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_request big, small;
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ncg_plan *p;
    for (int g = 0; g < 3; g++) {
        ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
        s.name = types[g];
        s.type = types[g];
        s.max_nodes = 10;
        ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &s, NULL), g);
    }
    p = ncg_plan_new(c, 0, NULL);
    ncg_request_init(&big);
    big.cpu_milli = 3000;
    big.memory_bytes = INT64_C(12) << 30;
    ncg_request_init(&small);
    small.cpu_milli = 500;
    small.memory_bytes = INT64_C(3) << 30;
    for (int i = 0; i < 4; i++) {
        ncg_api_spec a = NCG_INIT(ncg_api_spec);
        char name[8];
        snprintf(name, sizeof(name), "a%d", i);
        a.name = name;
        a.request = i == 0 ? &big : &small;
        a.replicas = 1;
        ck_assert_int_eq(ncg_plan_add_api(p, &a, NULL), i);
    }
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    ck_assert_int_eq(ncg_plan_get_summary(p, &sum, NULL), 0);
    ck_assert_int_eq(sum.unplaced, 0);
    ck_assert_double_eq_tol(sum.price_per_hour, 0.724, 1e-9);
    ck_assert_int_eq(sum.nodes, 2);
    ck_assert_int_eq(sum.optimal, 1);
    ck_assert(sum.lower_bound_per_hour == sum.price_per_hour && sum.gap == 0);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* trn2.48xlarge has no published price: its nodes cost 0 and the summary counts them. */
START_TEST(unpriced_nodes_are_counted)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *base = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = chips_request(16, 1);
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ncg_plan *p;
    g.name = "trn2";
    g.type = "trn2.48xlarge";
    g.max_nodes = 10;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(base, cat, &g, NULL), 0);
    p = ncg_plan_new(base, 0, NULL);
    s.name = "a";
    s.request = &r;
    s.replicas = 2;
    ck_assert_int_eq(ncg_plan_add_api(p, &s, NULL), 0);
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    ck_assert_int_eq(ncg_plan_get_summary(p, &sum, NULL), 0);
    ck_assert_int_eq(sum.nodes, 2);
    ck_assert_int_eq(sum.unpriced_nodes, 2);
    ck_assert_double_eq(sum.price_per_hour, 0);
    ncg_plan_free(p);
    ncg_cluster_free(base);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(null_plan_is_invalid)
{
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_plan_summary sum = NCG_INIT(ncg_plan_summary);
    ncg_plan_replica r = NCG_INIT(ncg_plan_replica);
    ck_assert_int_eq(ncg_plan_add_api(NULL, &s, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_solve(NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_get_summary(NULL, &sum, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_get_replica(NULL, 0, &r, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_get_headroom(NULL, 0, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_get_unplaced(NULL, 0, NULL, 0, NULL, NULL), NCG_E_INVALID);
    ck_assert_ptr_null(ncg_plan_get_cluster(NULL));
}
END_TEST

/* ---- brute force: the optimum of tiny inputs, by exhaustive search over node contents ----
 *
 * 1-3 APIs of 2-8 replicas on node groups of inf1.xlarge, inf1.2xlarge and inf1.6xlarge. For each type, every
 * content (replicas per API) that the allocator can place on one empty node is found by trying it; the optimum is
 * then a shortest-path (DP) over the replicas still to place, where a step opens one node of some type with some
 * content. Nodes' contents are independent, so this is exact. */

#define BF_APIS 3
#define BF_MAX 8
#define BF_STATES ((BF_MAX + 1) * (BF_MAX + 1) * (BF_MAX + 1))

typedef struct bf_case {
    int apis, replicas[BF_APIS];
    ncg_request req[BF_APIS];
} bf_case;

static const char *const bf_types[] = {"inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge"};

static bf_case bf_make(uint64_t seed)
{
    bf_case k;
    memset(&k, 0, sizeof(k));
    k.apis = 1 + (int)(test_rand(&seed) % BF_APIS);
    for (int i = 0; i < k.apis; i++) {
        static const int infs[] = {0, 1, 1, 2, 3, 4};
        ncg_request_init(&k.req[i]);
        k.req[i].inf = infs[test_rand(&seed) % 6];
        k.req[i].cpu_milli = 250 + 250 * (int64_t)(test_rand(&seed) % 24);
        k.req[i].memory_bytes = GIB / 2 * (1 + (int64_t)(test_rand(&seed) % 24));
        k.replicas[i] = 2 + (int)(test_rand(&seed) % (BF_MAX - 1));
    }
    return k;
}

/* Can one empty node of the type hold counts[i] replicas of each API (whole chips largest first)? */
static bool bf_fits(const ncg_catalog *cat, const char *type, const bf_case *k, const int *counts)
{
    ncg_node *n = ncg_node_new(cat, type, 0, NULL);
    bool ok = true;
    int order[BF_APIS];
    for (int i = 0; i < k->apis; i++)
        order[i] = i;
    for (int i = 1; i < k->apis; i++)
        for (int j = i; j > 0 && k->req[order[j]].inf > k->req[order[j - 1]].inf; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int o = 0; o < k->apis && ok; o++)
        for (int c = 0; c < counts[order[o]] && ok; c++) {
            ncg_alloc a = NCG_INIT(ncg_alloc);
            ok = ncg_node_allocate(n, &k->req[order[o]], &a, NULL) == 0;
        }
    ncg_node_free(n);
    return ok;
}

static int bf_index(const int *v)
{
    return (v[0] * (BF_MAX + 1) + v[1]) * (BF_MAX + 1) + v[2];
}

/* The cheapest price of nodes holding every replica, or INFINITY when some replica fits no type. */
static double bf_optimum(const ncg_catalog *cat, const bf_case *k, const double *price)
{
    static double dp[BF_STATES];
    static bool fit[3][BF_STATES];
    int v[BF_APIS] = {0, 0, 0};
    for (int t = 0; t < 3; t++)
        for (int s = 0; s < BF_STATES; s++) {
            int c[BF_APIS] = {s / ((BF_MAX + 1) * (BF_MAX + 1)), s / (BF_MAX + 1) % (BF_MAX + 1), s % (BF_MAX + 1)};
            bool in = true;
            for (int i = 0; i < BF_APIS; i++)
                in = in && c[i] <= (i < k->apis ? k->replicas[i] : 0);
            fit[t][s] = in && s > 0 && bf_fits(cat, bf_types[t], k, c);
        }
    /* dp over remaining replicas, in increasing order of the remaining vector */
    for (v[0] = 0; v[0] <= BF_MAX; v[0]++)
        for (v[1] = 0; v[1] <= BF_MAX; v[1]++)
            for (v[2] = 0; v[2] <= BF_MAX; v[2]++) {
                int s = bf_index(v);
                double best = s == 0 ? 0 : INFINITY;
                for (int t = 0; t < 3 && s; t++)
                    for (int f = 1; f < BF_STATES; f++) {
                        int c[BF_APIS] = {f / ((BF_MAX + 1) * (BF_MAX + 1)), f / (BF_MAX + 1) % (BF_MAX + 1),
                                          f % (BF_MAX + 1)}, rest[BF_APIS];
                        bool useful = false;
                        if (!fit[t][f])
                            continue;
                        for (int i = 0; i < BF_APIS; i++) {
                            rest[i] = v[i] > c[i] ? v[i] - c[i] : 0;
                            useful = useful || (c[i] > 0 && v[i] > 0);
                        }
                        if (useful && bf_index(rest) != s && price[t] + dp[bf_index(rest)] < best)
                            best = price[t] + dp[bf_index(rest)];
                    }
                dp[s] = best;
            }
    for (int i = 0; i < BF_APIS; i++)
        v[i] = i < k->apis ? k->replicas[i] : 0;
    return dp[bf_index(v)];
}

/* A cluster of the three brute-force node groups (at most 100 nodes each), the last with min_last minimum nodes. */
static ncg_cluster *bf_cluster(const ncg_catalog *cat, int min_last)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    for (int t = 0; t < 3; t++) {
        ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
        g.name = bf_types[t];
        g.type = bf_types[t];
        g.max_nodes = 100;
        g.min_nodes = t == 2 ? min_last : 0;
        ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), t);
    }
    return c;
}

/* Plan case k on cluster c with the plan flags; its summary into *sum. */
static void bf_plan(const ncg_cluster *c, const bf_case *k, unsigned flags, ncg_plan_summary *sum)
{
    ncg_plan *p = ncg_plan_new(c, 0, NULL);
    ncg_plan_options o;
    ncg_plan_options_init(&o);
    o.flags = flags;
    ck_assert_int_eq(ncg_plan_set_options(p, &o, NULL), 0);
    for (int i = 0; i < k->apis; i++) {
        ncg_api_spec a = NCG_INIT(ncg_api_spec);
        char name[16];
        snprintf(name, sizeof(name), "a%d", i);
        a.name = name;
        a.request = &k->req[i];
        a.replicas = k->replicas[i];
        ck_assert_int_eq(ncg_plan_add_api(p, &a, NULL), i);
    }
    ck_assert_int_eq(ncg_plan_solve(p, NULL), 0);
    *sum = (ncg_plan_summary)NCG_INIT(ncg_plan_summary);
    ck_assert_int_eq(ncg_plan_get_summary(p, sum, NULL), 0);
    ncg_plan_free(p);
}

/* Copy, with probability 1/2, each API's request from the API before it (same chips, CPU and memory: one class of
 * the configuration LP, plan.h), keeping its replica count. */
static void bf_twins(bf_case *k, uint64_t seed)
{
    for (int i = 1; i < k->apis; i++)
        if (test_rand(&seed) % 2)
            k->req[i] = k->req[i - 1];
}

/* 200 tiny inputs (every other API a twin of the one before when twins): every plan is the optimum, proven (gap
 * 0). */
static void near_the_brute_force_optimum(bool twins)
{
    ncg_catalog *cat = test_catalog();
    double price[3];
    int cases = 0;
    for (int t = 0; t < 3; t++) {
        ncg_type ty = NCG_INIT(ncg_type);
        ck_assert_int_ge(ncg_catalog_find_type(cat, bf_types[t], &ty, NULL), 0);
        price[t] = ty.usd_per_hour;
    }
    for (uint64_t seed = 1; cases < 200; seed++) {
        bf_case k = bf_make(seed * 7919);
        double opt;
        ncg_cluster *c;
        ncg_plan_summary sum;
        if (twins)
            bf_twins(&k, seed);
        opt = bf_optimum(cat, &k, price);
        if (!isfinite(opt))
            continue; /* some replica fits no type: nothing to compare */
        c = bf_cluster(cat, 0);
        bf_plan(c, &k, 0, &sum);
        ck_assert_int_eq(sum.unplaced, 0);
        ck_assert_msg(sum.lower_bound_per_hour <= opt * (1 + 1e-9), "seed %llu: bound %.6f above the optimum %.6f",
                      (unsigned long long)seed, sum.lower_bound_per_hour, opt);
        ck_assert_msg(sum.price_per_hour >= opt * (1 - 1e-9), "seed %llu: price %.6f below the optimum %.6f",
                      (unsigned long long)seed, sum.price_per_hour, opt);
        /* the exact search finds the optimum and proves it */
        ck_assert_msg(sum.price_per_hour <= opt * (1 + 1e-9) && sum.optimal == 1 &&
                          sum.lower_bound_per_hour == sum.price_per_hour && sum.gap == 0,
                      "seed %llu: price %.6f, optimum %.6f, bound %.6f, optimal %d", (unsigned long long)seed,
                      sum.price_per_hour, opt, sum.lower_bound_per_hour, sum.optimal);
        cases++;
        ncg_cluster_free(c);
    }
    ncg_catalog_free(cat);
}

START_TEST(plan_is_near_the_brute_force_optimum)
{
    near_the_brute_force_optimum(false);
}
END_TEST

START_TEST(plan_with_twin_apis_is_near_the_brute_force_optimum)
{
    near_the_brute_force_optimum(true);
}
END_TEST

/* ---- classes of interchangeable APIs (plan.h, plan_column_generation()) ---- */

/* A plan on bf_cluster()'s node groups with APIs of these requests, replicas and max_per_node, analysed and its
 * configuration LP generated (and the replica arrays ncg_plan_solve() would make, for plan_from_lp()). */
static ncg_plan *classed_plan(const ncg_cluster *c, const ncg_request *req, const int *replicas, const int *per_node,
                              int n)
{
    ncg_plan *p = ncg_plan_new(c, 0, NULL);
    for (int i = 0; i < n; i++) {
        ncg_api_spec a = NCG_INIT(ncg_api_spec);
        char name[16];
        snprintf(name, sizeof(name), "a%d", i);
        a.name = name;
        a.request = &req[i];
        a.replicas = replicas[i];
        a.max_per_node = per_node ? per_node[i] : 0;
        ck_assert_int_eq(ncg_plan_add_api(p, &a, NULL), i);
    }
    p->offset = malloc(((size_t)n + 1) * sizeof(int));
    ck_assert_ptr_nonnull(p->offset);
    for (int i = 0; i < n; i++) {
        p->offset[i] = p->replica_total;
        p->replica_total += replicas[i];
    }
    p->replicas = malloc(((size_t)p->replica_total + 1) * sizeof(preplica));
    ck_assert_ptr_nonnull(p->replicas);
    ck_assert_int_eq(plan_analyse(p, NULL), 0);
    ck_assert_int_eq(plan_column_generation(p, NULL), 0);
    ck_assert(p->have_cg);
    return p;
}

/* The configuration LP of plan p (no existing nodes) with one row per API (p->api_items; an API no node group
 * holds has no row to cover) by column generation: its value, bound and whether it converged into *r. */
static void api_lp(const ncg_plan *p, ncg_cg_result *r)
{
    int I = p->api_count, B = ncg_cluster_nodegroup_count(p->c), demand[8] = {0};
    ncg_cg_problem pb = {.apis = I, .bins = B, .bin = p->cg.bin, .item = p->api_items, .demand = demand};
    ncg_cg_limits lim = {.max_rounds = 400};
    ck_assert_int_le(I, 8);
    for (int i = 0; i < I; i++)
        demand[i] = p->apis[i].replicas;
    ck_assert_int_eq(ncg_cg_solve(&pb, &lim, r, NULL), 0);
}

/* The class LP's optimum (converged) is the API LP's: equal to 1e-9 when that converged too, else between the
 * API LP's bound and its master's value. Returns whether they were compared exactly. */
static bool same_optimum(const ncg_plan *p, uint64_t seed)
{
    ncg_cg_result r = {0};
    double v = p->cg_result.lp_value;
    bool exact;
    ck_assert(p->cg_result.converged);
    api_lp(p, &r);
    exact = r.converged;
    if (exact)
        ck_assert_msg(fabs(v - r.lp_value) <= 1e-9 * r.lp_value, "seed %llu: class LP %.9f, API LP %.9f",
                      (unsigned long long)seed, v, r.lp_value);
    else
        ck_assert_msg(v >= r.bound * (1 - 1e-9) && v <= r.lp_value * (1 + 1e-9),
                      "seed %llu: class LP %.9f outside the API LP's [%.9f, %.9f]", (unsigned long long)seed, v,
                      r.bound, r.lp_value);
    ncg_cg_result_clear(&r);
    return exact;
}

/* a0, a1 and a4 ask for the same and are one class, whose demand and per-node limits are theirs added up; a2
 * asks for more chips; a3 asks for what a0 does but at most 1 per node, which binds (an inf1.6xlarge holds 4 by
 * chips), so it is a class by itself. Classes are numbered by their first APIs. The class LP's optimum is the
 * API LP's. */
START_TEST(interchangeable_apis_are_one_class)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = bf_cluster(cat, 0);
    ncg_request one = chips_request(1, 1), two = chips_request(2, 1);
    ncg_request req[5] = {one, one, two, one, one};
    const int replicas[5] = {10, 3, 4, 6, 5}, per_node[5] = {0, 0, 0, 1, 0};
    ncg_plan *p = classed_plan(c, req, replicas, per_node, 5);
    const int classes[5] = {0, 0, 1, 2, 0}, first[4] = {0, 3, 4, 5}, member[5] = {0, 1, 4, 2, 3};
    ck_assert_int_eq(p->cg.apis, 3);
    ck_assert_mem_eq(p->cg_class, classes, sizeof(classes));
    ck_assert_mem_eq(p->cg_first, first, sizeof(first));
    ck_assert_mem_eq(p->cg_member, member, sizeof(member));
    ck_assert_int_eq(p->cg_demand[0], 18);
    ck_assert_int_eq(p->cg_demand[1], 4);
    ck_assert_int_eq(p->cg_demand[2], 6);
    for (int b = 0; b < 3; b++) { /* the node groups */
        const ncg_cg_item *api = &p->api_items[(size_t)b * 5], *cls = &p->cg.item[(size_t)b * 3];
        ck_assert_int_eq(cls[0].limit, api[0].limit + api[1].limit + api[4].limit);
        ck_assert_int_eq(cls[1].limit, api[2].limit);
        ck_assert_int_eq(cls[2].limit, 1);
        ck_assert_int_eq(cls[0].chips, api[0].chips);
        ck_assert_int_eq(cls[0].cpu_milli, api[0].cpu_milli);
        ck_assert_int_eq(cls[1].chips, api[2].chips);
        ck_assert_int_eq(cls[2].memory_bytes, api[3].memory_bytes);
    }
    ck_assert(same_optimum(p, 0));
    ncg_plan_free(p);
    /* with an existing inf1.6xlarge (node group 2), one more bin: its class items are its node group's */
    ck_assert_int_eq(ncg_cluster_add_node(c, NULL, bf_types[2], NULL), 0);
    p = classed_plan(c, req, replicas, per_node, 5);
    ck_assert_int_eq(p->cg.apis, 3);
    ck_assert_int_eq(p->cg.bins, 4);
    ck_assert_mem_eq(&p->cg.item[3 * 3], &p->cg.item[2 * 3], 3 * sizeof(ncg_cg_item));
    ck_assert_int_eq(p->cg.bin[3].max_nodes, 1);
    ck_assert_double_eq(p->cg.bin[3].price, 0);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* On 200 tiny inputs with twin APIs (and, on every third, a max_per_node of 1 or 2 that may bind), the class
 * LP's optimum is the API LP's: classes merge only APIs whose own limits do not bind (doc/planner.md). */
START_TEST(class_lp_optimum_is_the_api_lp_optimum)
{
    ncg_catalog *cat = test_catalog();
    int merged = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        bf_case k = bf_make(seed * 6151);
        ncg_cluster *c = bf_cluster(cat, 0);
        int per_node[BF_APIS] = {0};
        ncg_plan *p;
        uint64_t x = seed;
        bf_twins(&k, seed);
        if (seed % 3 == 0)
            per_node[test_rand(&x) % (uint64_t)k.apis] = 1 + (int)(test_rand(&x) % 2);
        p = classed_plan(c, k.req, k.replicas, per_node, k.apis);
        if (p->cg.apis < k.apis && p->cg_result.converged)
            merged += same_optimum(p, seed);
        ncg_plan_free(p);
        ncg_cluster_free(c);
    }
    ck_assert_int_ge(merged, 50);
    ncg_catalog_free(cat);
}
END_TEST

/* plan_from_lp() gives a class's replicas to its APIs in order, as far as each has replicas left: a pattern of
 * 4 replicas of the class {a0 (3 replicas), a1 (4)} used twice opens a node with a0's 3 and one of a1's (the whole
 * pattern: downsizing keeps it) and one with a1's other 3 (not the whole pattern); a third use finds nothing left
 * and opens nothing. */
START_TEST(lp_patterns_give_class_replicas_to_apis_in_order)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = bf_cluster(cat, 0);
    ncg_request one = chips_request(1, 1);
    ncg_request req[2] = {one, one};
    const int replicas[2] = {3, 4};
    ncg_plan *p = classed_plan(c, req, replicas, NULL, 2);
    int counts[1] = {4};
    ncg_cg_pattern pt = {.bin = 2, .x = 3, .counts = counts};
    ncg_cg_result r = {.patterns = &pt, .pattern_count = 1};
    ck_assert_int_eq(p->cg.apis, 1);
    ck_assert_int_eq(plan_from_lp(p, &r, false, NULL), 0);
    ck_assert_int_eq(ncg_cluster_node_count(p->c), 2);
    ck_assert_int_eq(p->apis[0].placed, 3);
    ck_assert_int_eq(p->apis[1].placed, 4);
    for (int m = 0; m < 3; m++)
        ck_assert_int_eq(p->replicas[p->offset[0] + m].node, 0);
    ck_assert_int_eq(p->replicas[p->offset[1]].node, 0);
    for (int m = 1; m < 4; m++)
        ck_assert_int_eq(p->replicas[p->offset[1] + m].node, 1);
    ck_assert_int_eq(p->count[0], 4);
    ck_assert_int_eq(p->count[1], 3);
    ck_assert(p->keep[0]);
    ck_assert(!p->keep[1]);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* Nodes that hold the same APIs' replicas are copies of one: a pattern of 2 one-chip replicas (a0, 6 of them) and
 * one two-chip replica (a1, 1) used three times opens the whole pattern once (kept by downsizing), then a node of
 * a0's 2 that is not the whole pattern, and a copy of it with the same allocation ids. */
START_TEST(lp_patterns_copy_nodes_of_the_same_apis)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = bf_cluster(cat, 0);
    ncg_request req[2] = {chips_request(1, 1), chips_request(2, 1)};
    const int replicas[2] = {6, 1};
    ncg_plan *p = classed_plan(c, req, replicas, NULL, 2);
    int counts[2] = {2, 1};
    ncg_cg_pattern pt = {.bin = 2, .x = 3, .counts = counts};
    ncg_cg_result r = {.patterns = &pt, .pattern_count = 1};
    const preplica *a0;
    ck_assert_int_eq(p->cg.apis, 2);
    ck_assert_int_eq(plan_from_lp(p, &r, false, NULL), 0);
    ck_assert_int_eq(ncg_cluster_node_count(p->c), 3);
    ck_assert_int_eq(p->apis[0].placed, 6);
    ck_assert_int_eq(p->apis[1].placed, 1);
    a0 = &p->replicas[p->offset[0]];
    for (int m = 0; m < 6; m++)
        ck_assert_int_eq(a0[m].node, m / 2);
    ck_assert_int_eq(p->replicas[p->offset[1]].node, 0);
    ck_assert_int_eq(a0[4].alloc, a0[2].alloc);
    ck_assert_int_eq(a0[5].alloc, a0[3].alloc);
    ck_assert(p->keep[0] && !p->keep[1] && !p->keep[2]);
    ck_assert_int_eq(p->origin[1], 1);
    ck_assert_int_eq(p->origin[2], 1);
    ck_assert_int_eq(p->count[2], 2);
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* What a dive step opens of its LP's patterns (plan_dive_openings, src/plan/round.c). Node groups 0 and 1; the last
 * pattern is an existing node's (bin 2), left as it is. */
static void openings(const double *x, int n, bool many, const double *want)
{
    ncg_cg_pattern pt[8];
    ncg_cg_result r = {.patterns = pt, .pattern_count = n};
    for (int k = 0; k < n; k++)
        pt[k] = (ncg_cg_pattern){.bin = k == n - 1 ? 2 : k % 2, .x = x[k]};
    ck_assert(plan_dive_openings(&r, 2, many));
    for (int k = 0; k < n; k++)
        ck_assert_msg(pt[k].x == want[k], "pattern %d: %g nodes, want %g", k, pt[k].x, want[k]);
}

START_TEST(dive_step_openings)
{
    /* much left: every use rounded half up, whole patterns or not */
    openings((const double[]){2.6, 0.4, 1.0, 0.5, 3.49, 0.7}, 6, true, (const double[]){3, 0, 1, 1, 3, 0.7});
    /* much left, every pattern fractional and under one half: the one used most, once */
    openings((const double[]){0.2, 0.45, 0.3, 0.9}, 4, true, (const double[]){0, 1, 0, 0.9});
    /* little left: the floor (plan_from_lp takes it) when a pattern is whole */
    openings((const double[]){2.6, 0.7, 1.0, 0.5}, 4, false, (const double[]){2.6, 0.7, 1.0, 0.5});
    /* little left, every pattern fractional: one node of the one used most, the first of equals */
    openings((const double[]){0.6, 0.8, 0.8, 0.9}, 4, false, (const double[]){0, 1, 0, 0.9});
    /* a use within 1e-9 of a whole number is that number */
    openings((const double[]){0.9999999999, 1.4999999999, 2.0}, 3, true, (const double[]){1, 1, 2.0});
    {
        ncg_cg_pattern pt = {.bin = 2, .x = 3}; /* existing nodes only: nothing to open */
        ncg_cg_result r = {.patterns = &pt, .pattern_count = 1};
        ck_assert(!plan_dive_openings(&r, 2, true));
        ck_assert(pt.x == 3);
    }
}
END_TEST

/* A converged generation's bound, priced exactly, is the configuration LP's optimum, which no point of the
 * resource LP beats, so ncg_plan_solve() skips that LP (doc/planner.md): on tiny inputs with a node group's
 * minimum and an existing node holding a replica, the bound with generation is at least the bound without it
 * (the resource LP's alone) whenever both plans place every replica. */
START_TEST(converged_bound_dominates_the_resource_bound)
{
    ncg_catalog *cat = test_catalog();
    int compared = 0;
    for (uint64_t seed = 1; seed <= 120; seed++) {
        bf_case k = bf_make(seed * 104729);
        ncg_plan_summary sum[2];
        ncg_cluster *c = bf_cluster(cat, seed % 3 == 0 ? 2 : 0);
        ncg_request base_req = chips_request(1, 1);
        ncg_placement pl = NCG_INIT(ncg_placement);
        if (seed % 2 == 0) { /* an existing inf1.6xlarge with one chip taken */
            ck_assert_int_eq(ncg_cluster_add_node(c, NULL, bf_types[2], NULL), 0);
            ck_assert_int_eq(ncg_cluster_place(c, &base_req, NULL, 0, &pl, NULL), 0);
        }
        bf_plan(c, &k, 0, &sum[0]);
        bf_plan(c, &k, NCG_PLAN_NO_COLGEN, &sum[1]);
        if (sum[0].converged && sum[0].unplaced == 0 && sum[1].unplaced == 0) {
            ck_assert_int_eq(sum[1].stopped, NCG_PLAN_STOP_SKIPPED);
            ck_assert_msg(sum[0].lower_bound_per_hour >= sum[1].lower_bound_per_hour * (1 - 1e-9),
                          "seed %llu: Lagrangian bound %.9f below the resource LP's %.9f", (unsigned long long)seed,
                          sum[0].lower_bound_per_hour, sum[1].lower_bound_per_hour);
            compared++;
        }
        ncg_cluster_free(c);
    }
    ck_assert_int_ge(compared, 100);
    ncg_catalog_free(cat);
}
END_TEST

NCG_SUITE(plan)
{
    Suite *s = suite_create("plan");
    TCase *t = add_tcase(s, "small-case");
    add_test(t, small_case_is_valid);
    add_test(t, small_case_places_four_on_two_nodes);
    add_test(t, small_case_price_meets_bound);
    add_test(t, small_case_unplaced_reason);
    add_test(t, unplaced_reason_names_every_group_and_cause);
    add_test(t, small_case_has_no_headroom);
    add_test(t, unplaced_small_buffer_returns_length_untouched);
    add_test(t, unplaced_null_buffer_returns_length);
    add_test(t, unplaced_is_empty_when_all_are_placed);
    add_test(t, unplaced_rejects_unknown_api);
    add_test(t, replicas_are_listed_in_order);
    add_test(t, replica_allocation_is_on_its_node);
    add_test(t, get_replica_rejects_index_out_of_range);
    add_test(t, get_replica_rejects_size_zero);
    add_test(t, get_summary_rejects_size_zero);
    add_test(t, api_names_and_counts);
    add_test(t, add_api_enforces_the_plan_limits);
    add_test(t, add_api_finds_duplicates_among_many);
    t = add_tcase(s, "options");
    add_test(t, options_init_sets_defaults);
    add_test(t, options_round_trip);
    add_test(t, options_rejects_bad_values);
    add_test(t, options_rejected_once_solved);
    add_test(t, options_limits_stop_generation_with_a_valid_bound);
    add_test(t, summary_of_a_2_0_program);
    t = add_tcase(s, "api");
    add_test(t, new_rejects_unknown_flags);
    add_test(t, new_rejects_null_base);
    add_test(t, unsolved_plan_has_no_summary);
    add_test(t, solve_twice_is_invalid);
    add_test(t, add_api_after_solve_is_invalid);
    add_test(t, add_api_rejects_spec_size_zero);
    add_test(t, add_api_rejects_request_size_zero);
    add_test(t, add_api_requires_request);
    add_test(t, add_api_rejects_duplicate_name);
    add_test(t, add_api_rejects_unknown_nodegroup);
    add_test(t, add_api_rejects_negative_replicas);
    add_test(t, add_api_accepts_255_character_name);
    add_test(t, add_api_rejects_256_character_name);
    add_test(t, add_api_copies_the_request);
    add_test(t, plan_leaves_base_cluster_unchanged);
    add_test(t, unsolved_plan_cluster_is_copy_of_base);
    add_test(t, plan_fills_existing_nodes_first);
    add_test(t, plan_keeps_min_instances_and_no_other_empty_node);
    add_test(t, exact_search_finds_and_proves_a_tiny_optimum);
    add_test(t, unpriced_nodes_are_counted);
    add_test(t, null_plan_is_invalid);
    t = add_tcase(s, "random");
    tcase_set_timeout(t, 60);
    add_loop_test(t, random_inf2_plan_is_valid, 0, 20);
    add_loop_test(t, random_trn1_plan_is_valid, 0, 20);
    add_test(t, max_per_node_holds_with_lp_patterns);
    t = add_tcase(s, "optimum");
    tcase_set_timeout(t, 300);
    add_test(t, plan_is_near_the_brute_force_optimum);
    add_test(t, plan_with_twin_apis_is_near_the_brute_force_optimum);
    add_test(t, interchangeable_apis_are_one_class);
    add_test(t, class_lp_optimum_is_the_api_lp_optimum);
    add_test(t, lp_patterns_give_class_replicas_to_apis_in_order);
    add_test(t, lp_patterns_copy_nodes_of_the_same_apis);
    add_test(t, dive_step_openings);
    add_test(t, converged_bound_dominates_the_resource_bound);
    return s;
}

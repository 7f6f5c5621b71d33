/* SPDX-License-Identifier: Apache-2.0 */
/* Every limit of doc/limits.md, at the limit (accepted) and one past it (the documented code and message). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

#define GIB (INT64_C(1) << 30)

static void fails(int rc, const ncg_error *e, int code, const char *message)
{
    ck_assert_int_eq(rc, code);
    ck_assert_int_eq(e->code, code);
    ck_assert_str_eq(e->message, message);
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static ncg_cluster *one_group(const ncg_catalog *cat, const char *name, int max_nodes)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = name;
    g.type = "inf1.xlarge";
    g.max_nodes = max_nodes;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    return c;
}

START_TEST(name_lengths)
{
    ncg_catalog *cat = ncg_catalog_new(0, NULL);
    ncg_cluster *c = one_group(cat, "g", 10);
    ncg_plan *p;
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_request r;
    ncg_api_spec a = NCG_INIT(ncg_api_spec);
    ncg_type t = NCG_INIT(ncg_type);
    char *n63 = repeat('t', 63), *n64 = repeat('t', 64), *n253 = repeat('n', 253), *n254 = repeat('n', 254);
    char *a255 = repeat('a', 255), *a256 = repeat('a', 256), msg[600];
    ncg_error e;

    /* type and node-group names: 1..63 */
    ck_assert_int_ge(ncg_catalog_find_type(cat, "inf1.xlarge", &t, NULL), 0);
    t.name = n63;
    ck_assert_int_ge(ncg_catalog_set_type(cat, &t, NULL), 0);
    t.name = n64;
    snprintf(msg, sizeof(msg), "type name \"%s\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
             n64);
    fails(ncg_catalog_set_type(cat, &t, &e), &e, NCG_E_INVALID, msg);
    g.type = "inf1.xlarge";
    g.max_nodes = 1;
    g.name = n63;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 1);
    g.name = n64;
    snprintf(msg, sizeof(msg), "node group name \"%s\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' "
             "and '-'", n64);
    fails(ncg_cluster_add_nodegroup(c, cat, &g, &e), &e, NCG_E_INVALID, msg);
    /* node names: 1..253 */
    ck_assert_int_eq(ncg_cluster_add_node(c, n253, "g", NULL), 0);
    fails(ncg_cluster_add_node(c, n254, "g", &e), &e, NCG_E_INVALID,
          "node name \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...\" is not valid: 1 to 253 "
          "characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    fails(ncg_cluster_add_node(c, "", "g", &e), &e, NCG_E_INVALID,
          "node name \"\" is not valid: 1 to 253 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    /* API names: 1..255 */
    p = ncg_plan_new(c, 0, NULL);
    ncg_request_init(&r);
    r.inf = 1;
    a.request = &r;
    a.replicas = 1;
    a.name = a255;
    ck_assert_int_eq(ncg_plan_add_api(p, &a, NULL), 0);
    a.name = a256;
    fails(ncg_plan_add_api(p, &a, &e), &e, NCG_E_INVALID,
          "api name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not valid: 1 to 255 "
          "characters");
    ncg_plan_free(p);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
    free(n63), free(n64), free(n253), free(n254), free(a255), free(a256);
}
END_TEST

START_TEST(counts)
{
    ncg_catalog *cat = ncg_catalog_new(0, NULL);
    ncg_cluster *c = one_group(cat, "g", 1);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_plan *p;
    ncg_request r;
    ncg_api_spec a = NCG_INIT(ncg_api_spec);
    ncg_error e;
    ncg_model *models = calloc(4097, sizeof(ncg_model));

    /* nodes per node group: max_nodes 0..1000000, and no node past max_nodes */
    g.name = "big";
    g.type = "inf1.xlarge";
    g.max_nodes = 1000000;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 1);
    g.name = "bigger";
    g.max_nodes = 1000001;
    fails(ncg_cluster_add_nodegroup(c, cat, &g, &e), &e, NCG_E_RANGE,
          "node group bigger: min_instances 0 and max_instances 1000001 must satisfy 0 <= min <= max <= 1000000");
    ck_assert_int_eq(ncg_cluster_add_node(c, NULL, "g", NULL), 0);
    fails(ncg_cluster_add_node(c, NULL, "g", &e), &e, NCG_E_RANGE, "node group g has max_instances 1 nodes already");

    /* replicas: 0..10000000 per API, at most NCG_PLAN_MAX_REPLICAS (2000000) per plan */
    p = ncg_plan_new(c, 0, NULL);
    ncg_request_init(&r);
    r.inf = 1;
    a.request = &r;
    a.name = "more";
    a.replicas = 10000001;
    fails(ncg_plan_add_api(p, &a, &e), &e, NCG_E_RANGE, "api more: replicas 10000001 is out of range 0..10000000");
    a.name = "many";
    a.replicas = 10000000;
    fails(ncg_plan_add_api(p, &a, &e), &e, NCG_E_RANGE,
          "api many: replicas 10000000 would bring the plan to 10000000 replicas, past its limit of 2000000");
    a.replicas = NCG_PLAN_MAX_REPLICAS;
    ck_assert_int_eq(ncg_plan_add_api(p, &a, NULL), 0);
    a.name = "one";
    a.replicas = 1;
    fails(ncg_plan_add_api(p, &a, &e), &e, NCG_E_RANGE,
          "api one: replicas 1 would bring the plan to 2000001 replicas, past its limit of 2000000");
    ncg_plan_free(p);

    /* request counts: inf, neuroncores, ppr up to 1000000; models up to 4096 */
    ncg_request_init(&r);
    r.inf = 1000000;
    fails(ncg_request_check(cat, NULL, &r, &e), &e, NCG_E_NO_FIT,
          "no instances can satisfy the requested Inf quantity - requested 1000000 Inf but instances only have 16 Inf "
          "available");
    r.inf = 1000001;
    fails(ncg_request_check(cat, NULL, &r, &e), &e, NCG_E_RANGE, "inf 1000001 is out of range 0..1000000");
    r.inf = 1;
    r.ppr = 1000001;
    fails(ncg_request_check(cat, NULL, &r, &e), &e, NCG_E_RANGE,
          "processes_per_replica 1000001 is out of range 1..1000000");
    ncg_request_init(&r);
    r.inf = 1;
    for (int i = 0; i < 4097; i++)
        models[i] = (ncg_model){sizeof(ncg_model), "m", 1, 0, 0};
    r.models = models;
    r.model_count = 4096;
    ck_assert_int_eq(ncg_request_check(cat, "inf1.xlarge", &r, NULL), 4);
    r.model_count = 4097;
    fails(ncg_request_check(cat, "inf1.xlarge", &r, &e), &e, NCG_E_RANGE, "model_count 4097 is out of range 0..4096");
    free(models);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(env_strings)
{
    ncg_catalog *cat = ncg_catalog_new(0, NULL);
    ncg_node *node = ncg_node_new(cat, "inf1.24xlarge", 0, NULL);
    ncg_type t = NCG_INIT(ncg_type);
    ncg_node *wide;
    ncg_request r;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_env env = NCG_INIT(ncg_env);
    const char *cores[257];
    char names[257][8];
    int first = -1, count = -1, sizes[2];
    ncg_error e;

    /* ids 0..999999 */
    ck_assert_int_eq(ncg_parse_visible_cores("999999", 0, &first, &count, NULL), 0);
    ck_assert_int_eq(first, 999999);
    fails(ncg_parse_visible_cores("1000000", 0, &first, &count, &e), &e, NCG_E_RANGE,
          "NEURON_RT_VISIBLE_CORES \"1000000\": the core id at character 1 is out of range 0..999999");
    /* NCG sizes 1..256 */
    ck_assert_int_eq(ncg_parse_core_group_sizes("256", sizes, 2, NULL), 1);
    fails(ncg_parse_core_group_sizes("257", sizes, 2, &e), &e, NCG_E_RANGE,
          "NEURONCORE_GROUP_SIZES \"257\": group size 257 is out of range 1..256");
    /* processes of an adopted replica: up to 256 */
    for (int i = 0; i < 257; i++) {
        snprintf(names[i], sizeof(names[i]), "%d", i);
        cores[i] = names[i];
    }
    fails(ncg_node_adopt(node, NULL, NULL, cores, 257, &a, &e), &e, NCG_E_RANGE,
          "adopt: process_count 257 is out of range 0..256");
    /* the longest env strings fit NCG_ENV_MAX: 64 chips of 4 cores, 256 processes of one core */
    ck_assert_int_ge(ncg_catalog_find_type(cat, "inf1.24xlarge", &t, NULL), 0);
    t.name = "wide.test";
    t.chips = 64;
    ck_assert_int_ge(ncg_catalog_set_type(cat, &t, NULL), 0);
    wide = ncg_node_new(cat, "wide.test", 0, NULL);
    ncg_request_init(&r);
    r.inf = 64;
    r.ppr = 256;
    r.cpu_milli = 0;
    ck_assert_int_eq(ncg_node_allocate(wide, &r, &a, NULL), 0);
    /* a node keeps chips and cores in 8 and 16 bits: the largest values read back whole */
    {
        ncg_alloc back = NCG_INIT(ncg_alloc);
        ck_assert_int_eq(ncg_node_get_alloc(wide, a.id, &back, NULL), 0);
        ck_assert_int_eq(back.chip_count, 64);
        ck_assert_int_eq(back.core_count, 256);
        ck_assert_int_eq(back.first_chip, 0);
        ck_assert_int_eq(back.first_core, 0);
        ck_assert_int_eq(back.ppr, 256);
        ck_assert_int_eq(back.ncg_size, 1);
        ck_assert_int_eq(back.whole_chips, 1);
        ck_assert_int_eq(memcmp(&back, &a, sizeof(a)), 0);
    }
    ck_assert_int_eq(ncg_node_get_env(wide, a.id, 255, &env, NULL), 0);
    ck_assert_str_eq(env.visible_cores, "255");
    ck_assert_int_eq((int)strlen(env.visible_devices), 181);
    ck_assert_int_lt((int)strlen(env.visible_devices), NCG_ENV_MAX);
    /* the last core and chip of the widest node */
    ck_assert_int_eq(ncg_node_release(wide, a.id, NULL), 0);
    r.inf = 0;
    r.neuroncores = 255;
    r.ppr = 1;
    ck_assert_int_eq(ncg_node_allocate(wide, &r, &a, NULL), 0);
    r.neuroncores = 1;
    ck_assert_int_eq(ncg_node_allocate(wide, &r, &a, NULL), 0);
    {
        ncg_alloc back = NCG_INIT(ncg_alloc);
        ck_assert_int_eq(ncg_node_get_alloc(wide, a.id, &back, NULL), 0);
        ck_assert_int_eq(back.first_core, 255);
        ck_assert_int_eq(back.core_count, 1);
        ck_assert_int_eq(back.first_chip, 63);
        ck_assert_int_eq(back.chip_count, 1);
        ck_assert_int_eq(back.whole_chips, 0);
    }
    ncg_node_free(wide);
    ncg_node_free(node);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(ids_and_state)
{
    const char *head = "ncg-cluster 2\nnodegroup inf 0 10 - inf1.6xlarge 1 4 4 0 8589934592 0 24000 51539607552 0 1 "
                       "1.18 23190 50281316352 402653184 0 0\nnode inf-1 inf 0 ";
    char text[512];
    ncg_cluster *c;
    ncg_placement p = NCG_INIT(ncg_placement);
    ncg_request r;
    ncg_error e;
    char *dumped;
    int len;

    /* allocation ids: 1..2^64-2; the last one is never handed out */
    snprintf(text, sizeof(text), "%s18446744073709551614\nend\n", head);
    c = ncg_cluster_restore(text, 0, &e);
    ck_assert_msg(c != NULL, "%s", e.message);
    ncg_request_init(&r);
    r.inf = 1;
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &p, NULL), 0);
    ck_assert_uint_eq(p.alloc_id, UINT64_C(18446744073709551614));
    fails(ncg_cluster_place(c, &r, NULL, 0, &p, &e), &e, NCG_E_RANGE,
          "allocation ids of this inf1.6xlarge node are exhausted");
    /* the state still dumps and restores */
    len = ncg_cluster_dump(c, NULL, 0, NULL);
    dumped = malloc((size_t)len + 1);
    ck_assert_int_eq(ncg_cluster_dump(c, dumped, (size_t)len + 1, NULL), len);
    ncg_cluster_free(c);
    c = ncg_cluster_restore(dumped, 0, &e);
    ck_assert_msg(c != NULL, "%s", e.message);
    ncg_cluster_free(c);
    free(dumped);
    /* NEXT_ID past 2^64-1 is refused */
    snprintf(text, sizeof(text), "%s18446744073709551616\nend\n", head);
    ck_assert_ptr_null(ncg_cluster_restore(text, 0, &e));
    ck_assert_int_eq(e.code, NCG_E_PARSE);
    ck_assert_str_eq(e.message, "cluster state line 3: expected: node NAME NODEGROUP POLICY NEXT_ID [ULTRASERVER POSITION] with a known node group");
}
END_TEST

START_TEST(reserves_and_types)
{
    ncg_catalog *cat = ncg_catalog_new(0, NULL);
    ncg_reserve rv = NCG_INIT(ncg_reserve);
    ncg_type t = NCG_INIT(ncg_type);
    ncg_error e;
    ck_assert_int_eq(ncg_catalog_get_reserve(cat, &rv, NULL), 0);
    rv.cpu_milli = INT64_C(1) << 50;
    ck_assert_int_eq(ncg_catalog_set_reserve(cat, &rv, NULL), 0);
    rv.cpu_milli = (INT64_C(1) << 50) + 1;
    fails(ncg_catalog_set_reserve(cat, &rv, &e), &e, NCG_E_RANGE,
          "reserve cpu_milli 1125899906842625 is out of range 0..1125899906842624");
    ck_assert_int_ge(ncg_catalog_find_type(cat, "inf1.24xlarge", &t, NULL), 0);
    t.name = "x.test";
    t.chips = 64;
    ck_assert_int_ge(ncg_catalog_set_type(cat, &t, NULL), 0);
    t.chips = 65;
    fails(ncg_catalog_set_type(cat, &t, &e), &e, NCG_E_RANGE, "type x.test: chips 65 is out of range 1..64");
    ncg_catalog_free(cat);
}
END_TEST

/* ncg_node_score_rank: NCG_MAX_SCORES scores at once, and one more. */
START_TEST(scores)
{
    ncg_node_score *s = malloc((size_t)NCG_MAX_SCORES * sizeof *s);
    int *ranks = malloc((size_t)NCG_MAX_SCORES * sizeof *ranks);
    ncg_error e = {0};
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(ranks);
    for (int i = 0; i < NCG_MAX_SCORES; i++) {
        s[i] = (ncg_node_score)NCG_INIT(ncg_node_score);
        s[i].leftover = (NCG_MAX_SCORES - 1 - i) / 2; /* pairs of equal scores, best last */
    }
    ck_assert_int_eq(ncg_node_score_rank(s, NCG_MAX_SCORES, ranks, &e), 0);
    ck_assert_int_eq(ranks[NCG_MAX_SCORES - 1], 0);
    ck_assert_int_eq(ranks[NCG_MAX_SCORES - 2], 0);
    ck_assert_int_eq(ranks[0], NCG_MAX_SCORES / 2 - 1);
    fails(ncg_node_score_rank(s, (size_t)NCG_MAX_SCORES + 1, ranks, &e), &e, NCG_E_RANGE,
          "node_score_rank: n 1048577 is out of range 0..1048576");
    free(s);
    free(ranks);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, name_lengths);
    tcase_add_test(tc, counts);
    tcase_add_test(tc, env_strings);
    tcase_add_test(tc, ids_and_state);
    tcase_add_test(tc, reserves_and_types);
    tcase_add_test(tc, scores);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

static ncg_cluster *make_cluster(ncg_catalog *cat, int nodes)
{
    ncg_cluster *c = ncg_cluster_new(NULL);
    ncg_group_spec small = {.name = "small", .type = "inf1.6xlarge", .max_nodes = 100};
    ncg_group_spec big = {.name = "big", .type = "inf1.24xlarge", .max_nodes = 100, .has_price = 1,
                          .usd_per_hour = 1.5};
    ck_assert_int_eq(ncg_cluster_add_group(c, cat, &small, NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_group(c, cat, &big, NULL), 1);
    for (int i = 0; i < nodes; i++)
        ck_assert_int_eq(ncg_cluster_add_node(c, NULL, i % 2 ? "big" : "small", NULL), i);
    return c;
}

static char *dump(const ncg_cluster *c)
{
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *s = malloc((size_t)n + 1);
    ck_assert_int_eq(ncg_cluster_dump(c, s, (size_t)n + 1, NULL), n);
    return s;
}

START_TEST(place_release_and_reasons)
{
    ncg_catalog *cat = ncg_catalog_new(NULL);
    ncg_cluster *c = make_cluster(cat, 2);
    const char *only_small[] = {"small"};
    ncg_placement pl;
    ncg_request r;
    ncg_group_spec g;
    ncg_request_init(&r);
    r.inf = 4;
    ck_assert_int_eq(ncg_cluster_place(c, &r, only_small, 1, &pl, NULL), 1);
    ck_assert_str_eq(pl.node, "small-1");
    ck_assert_int_eq(pl.alloc.first_chip, 0);
    ck_assert_fails(NCG_E_FULL,
                    "no node can take the replica: group small: no node has a free window of that many chips",
                    ncg_cluster_place(c, &r, only_small, 1, &pl, &err));
    r.inf = 8;
    ck_assert_fails(NCG_E_FULL,
                    "no node can take the replica: group small: no instances can satisfy the requested Inf quantity - "
                    "requested 8 Inf but instances only have 4 Inf available",
                    ncg_cluster_place(c, &r, only_small, 1, &pl, &err));
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 1);
    ck_assert_str_eq(pl.node, "big-1");
    ck_assert_int_eq(ncg_cluster_release(c, "small-1", 1, NULL), 0);
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"nope\" in the cluster", ncg_cluster_release(c, "nope", 1, &err));
    ck_assert_int_eq(ncg_cluster_group_at(c, 1, &g, NULL, NULL), 0);
    ck_assert_double_eq(g.usd_per_hour, 1.5);
    ck_assert_fails(NCG_E_EXISTS, "node group small exists already",
                    ncg_cluster_add_group(c, cat, &(ncg_group_spec){.name = "small", .type = "inf1.xlarge"}, &err));
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(dump_restore_roundtrip)
{
    ncg_catalog *cat = ncg_catalog_new(NULL);
    ncg_cluster *c = make_cluster(cat, 4), *back;
    ncg_model m = {.name = "res net%50", .bytes = GIB, .compiled_cores = 1, .static_weights = 1};
    const char *cores[] = {"12-14", "15"};
    ncg_request r;
    char *a, *b;
    ncg_request_init(&r);
    r.inf = 1;
    r.ppr = 4;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_gt(ncg_cluster_adopt(c, "small-2", NULL, "3", cores, 2, NULL, NULL), 0);
    for (int i = 0; i < 6; i++)
        ck_assert_int_gt(ncg_cluster_place(c, &r, NULL, 0, NULL, NULL), 0);
    ncg_cluster_release(c, "small-1", 1, NULL);
    a = dump(c);
    back = ncg_cluster_restore(a, NULL);
    ck_assert_ptr_nonnull(back);
    b = dump(back);
    ck_assert_str_eq(a, b);
    ck_assert_ptr_null(ncg_cluster_restore("ncg-cluster 2\nend\n", NULL));
    {
        ncg_error err;
        ck_assert_ptr_null(ncg_cluster_restore("ncg-cluster 1\nnode x small 0 1\nend\n", &err));
        ck_assert_int_eq(err.code, NCG_E_PARSE);
        ck_assert_str_eq(err.message, "cluster state line 2: expected: node NAME GROUP POLICY NEXT_ID with a known group");
    }
    free(a);
    free(b);
    ncg_cluster_free(back);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(defrag_fewest_moves)
{
    ncg_catalog *cat = ncg_catalog_new(NULL);
    ncg_cluster *c = ncg_cluster_new(NULL);
    ncg_group_spec g = {.name = "g", .type = "inf1.6xlarge", .max_nodes = 10};
    ncg_move mv[4];
    char node[NCG_NAME_MAX + 1];
    char *before, *after;
    ncg_cluster_add_group(c, cat, &g, NULL);
    ncg_cluster_add_node(c, "a", "g", NULL);
    ncg_cluster_add_node(c, "b", "g", NULL);
    /* a: chips 1 and 3 used; b: chips 0, 1, 2 used -> a 2-chip window needs one move */
    ncg_cluster_adopt(c, "a", NULL, "1", NULL, 0, NULL, NULL);
    ncg_cluster_adopt(c, "a", NULL, "3", NULL, 0, NULL, NULL);
    ncg_cluster_adopt(c, "b", NULL, "0-2", NULL, 0, NULL, NULL);
    before = dump(c);
    ck_assert_int_eq(ncg_cluster_defrag(c, 2, NULL, mv, 4, node, NULL), 1);
    ck_assert_str_eq(node, "a");
    ck_assert_str_eq(mv[0].from, "a");
    ck_assert_int_eq(mv[0].alloc_id, 1);
    ck_assert_str_eq(mv[0].to, "b");
    after = dump(c);
    ck_assert_str_eq(before, after); /* trial moves undone */
    ck_assert_int_eq(ncg_cluster_defrag(c, 1, NULL, mv, 4, node, NULL), 0);
    ck_assert_fails(NCG_E_TOPOLOGY, "no node can ever hold a window of 5 chips",
                    ncg_cluster_defrag(c, 5, NULL, mv, 4, node, &err));
    free(before);
    free(after);
    ncg_cluster_free(c);
    ncg_catalog_free(cat);
}
END_TEST

/* NULL handles and arguments give NCG_E_INVALID (or a NULL result), never a crash. */
START_TEST(null_arguments)
{
    ncg_request r;
    ncg_alloc a;
    ncg_env env;
    ncg_node_status st;
    ncg_plan_summary sum;
    ncg_request_init(&r);
    ck_assert_int_eq(ncg_cluster_add_group(NULL, NULL, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_add_node(NULL, NULL, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_remove_node(NULL, "x", NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_place(NULL, &r, NULL, 0, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_release(NULL, "x", 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_dump(NULL, NULL, 0, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_defrag(NULL, 1, NULL, NULL, 0, NULL, NULL), NCG_E_INVALID);
    ck_assert_ptr_null(ncg_cluster_restore(NULL, NULL));
    ck_assert_ptr_null(ncg_cluster_node_at(NULL, 0, NULL, NULL, NULL));
    ck_assert_ptr_null(ncg_plan_new(NULL, NULL));
    ck_assert_int_eq(ncg_plan_add_api(NULL, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_solve(NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_get_summary(NULL, &sum, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_headroom(NULL, 0, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_plan_unplaced(NULL, 0, NULL, 0, NULL), NCG_E_INVALID);
    ck_assert_ptr_null(ncg_node_new(NULL, "inf1.xlarge", NULL));
    ck_assert_int_eq(ncg_node_allocate(NULL, &r, &a, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_release(NULL, 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_env(NULL, 1, 0, &env, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_status_get(NULL, &st, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_adopt(NULL, NULL, "0", NULL, 0, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_request_check(NULL, NULL, &r, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_set_type(NULL, NULL, NULL), NCG_E_INVALID);
    ck_assert_ptr_null(ncg_catalog_free(NULL));
    ck_assert_ptr_null(ncg_node_free(NULL));
    ck_assert_ptr_null(ncg_cluster_free(NULL));
    ck_assert_ptr_null(ncg_plan_free(NULL));
    ck_assert_str_eq(ncg_strerror(-999), "unknown error");
}
END_TEST

/* Garbage state text is refused with a line number, whatever the bytes. */
START_TEST(restore_garbage)
{
    static const char *const texts[] = {
        "", "ncg-cluster 1\n", "ncg-cluster 1\nend\nend\n", "ncg-cluster 1\nalloc 1 1 0 4 1 - 0 0 0 0\nend\n",
        "ncg-cluster 1\ngroup g 0 1 - inf1.xlarge 1 1 4 0 8589934592 0 4000 8589934592 0 0 - 3190 1 1\n"
        "node n g 0 5\nalloc 9 1 0 4 1 - 0 0 0 0\nend\n",
        "ncg-cluster 1\ngroup g 0 1 - inf1.xlarge 1 1 4 0 8589934592 0 4000 8589934592 0 0 - 3190 1 1\n"
        "node n g 0 5\nalloc 1 1 0 4 1 - 0 0 0 0\nalloc 2 1 0 4 1 - 0 0 0 0\nend\n",
        "ncg-cluster 1\ngroup g 0 1 - inf1.xlarge 1 1 4 0 8589934592 0 4000 8589934592 0 0 - 3190 1 1\n"
        "node n g 0 5\nalloc 1 0 0 4 1 - 0 0 0 1\nmodel x\nend\n",
        "ncg-cluster 1\n\x01\x02\xff\n",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        ncg_error err = {0};
        ck_assert_ptr_null(ncg_cluster_restore(texts[i], &err));
        ck_assert_int_lt(err.code, 0);
        ck_assert_int_ne(err.message[0], '\0');
    }
}
END_TEST

Suite *suite_cluster(void)
{
    Suite *s = suite_create("cluster");
    TCase *t = tcase_create("cluster");
    tcase_add_test(t, place_release_and_reasons);
    tcase_add_test(t, dump_restore_roundtrip);
    tcase_add_test(t, defrag_fewest_moves);
    tcase_add_test(t, null_arguments);
    tcase_add_test(t, restore_garbage);
    suite_add_tcase(s, t);
    return s;
}

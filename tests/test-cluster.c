/* SPDX-License-Identifier: Apache-2.0 */
/* Clusters: node groups, nodes and their names, online placement with reasons, release, adoption, defragmentation
 * suggestions and deep clones. The state text is the state suite's. */
#include "test-common.h"

/* Node groups "small" (inf1.6xlarge) and "big" (inf1.24xlarge at 1.5 USD/h), nodes alternating small-N/big-N. */
static ncg_cluster *make_cluster(int nodes)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec small = NCG_INIT(ncg_nodegroup_spec), big = NCG_INIT(ncg_nodegroup_spec);
    ck_assert_ptr_nonnull(c);
    small.name = "small";
    small.type = "inf1.6xlarge";
    small.max_nodes = 100;
    big.name = "big";
    big.type = "inf1.24xlarge";
    big.max_nodes = 100;
    big.has_price = 1;
    big.usd_per_hour = 1.5;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &small, NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &big, NULL), 1);
    for (int i = 0; i < nodes; i++)
        ck_assert_int_eq(ncg_cluster_add_node(c, NULL, i % 2 ? "big" : "small", NULL), i);
    ncg_catalog_free(cat);
    return c;
}

/* One node group "g" of `type` with max_nodes and the named nodes. */
static ncg_cluster *one_nodegroup(const char *type, int max_nodes, const char *const *names, int count)
{
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = "g";
    g.type = type;
    g.max_nodes = max_nodes;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    for (int i = 0; i < count; i++)
        ck_assert_int_eq(ncg_cluster_add_node(c, names[i], "g", NULL), i);
    ncg_catalog_free(cat);
    return c;
}

static const ncg_node *node_at(const ncg_cluster *c, int index)
{
    const ncg_node *n = NULL;
    ck_assert_int_eq(ncg_cluster_get_node(c, index, &n, NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(n);
    return n;
}

static int place(ncg_cluster *c, int64_t inf, const char *const *nodegroups, size_t count, ncg_placement *pl)
{
    ncg_request r = chips_request(inf, 1);
    return ncg_cluster_place(c, &r, nodegroups, count, pl, NULL);
}

static const char *const only_small[] = {"small"};

START_TEST(new_rejects_unknown_flags)
{
    ck_assert_fails_null(NCG_E_INVALID, "cluster_new: flags 0x1 has unknown bits", ncg_cluster_new(1, &err));
}
END_TEST

START_TEST(new_cluster_is_empty)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ck_assert_int_eq(ncg_cluster_nodegroup_count(c), 0);
    ck_assert_int_eq(ncg_cluster_node_count(c), 0);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(counts_of_null_are_zero)
{
    ck_assert_int_eq(ncg_cluster_nodegroup_count(NULL), 0);
    ck_assert_int_eq(ncg_cluster_node_count(NULL), 0);
}
END_TEST

START_TEST(place_takes_first_node_of_allowed_nodegroup)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(place(c, 4, only_small, 1, &pl), 0);
    ck_assert_uint_eq(pl.size, sizeof(ncg_placement));
    ck_assert_str_eq(pl.node, "small-1");
    ck_assert_int_eq(pl.node_index, 0);
    ck_assert_int_eq(pl.nodegroup, 0);
    ck_assert_uint_eq(pl.alloc_id, 1);
    ck_assert_int_eq(ncg_node_get_alloc(node_at(c, 0), pl.alloc_id, &a, NULL), 0);
    ck_assert_int_eq(a.first_chip, 0);
    ck_assert_int_eq(a.chip_count, 4);
    ncg_cluster_free(c);
}
END_TEST

/* The placement's node name points into the cluster (no fixed-size copy). */
START_TEST(placement_node_name_points_into_cluster)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    const char *name = NULL;
    ck_assert_int_eq(place(c, 1, NULL, 0, &pl), 0);
    ck_assert_int_eq(ncg_cluster_get_node(c, pl.node_index, NULL, &name, NULL, NULL), 0);
    ck_assert_ptr_eq(pl.node, name);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_reports_no_free_window_per_nodegroup)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(place(c, 4, only_small, 1, &pl), 0);
    {
        ncg_request r = chips_request(4, 1);
        ck_assert_fails(NCG_E_FULL,
                        "no node can take the replica: node group small: 1 node, max_instances 100: 1 without a free "
                        "window of 4 chips",
                        ncg_cluster_place(c, &r, only_small, 1, &pl, &err));
    }
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_reports_request_that_never_fits_nodegroup)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(8, 1);
    ck_assert_fails(NCG_E_FULL,
                    "no node can take the replica: node group small: no instances can satisfy the requested Inf "
                    "quantity - requested 8 Inf but instances only have 4 Inf available",
                    ncg_cluster_place(c, &r, only_small, 1, &pl, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_reports_nodegroup_without_nodes)
{
    ncg_cluster *c = make_cluster(0);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(1, 1);
    ck_assert_fails(NCG_E_FULL, "no node can take the replica: node group small: has no nodes, max_instances 100",
                    ncg_cluster_place(c, &r, only_small, 1, &pl, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_reports_cluster_without_nodegroups)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(1, 1);
    ck_assert_fails(NCG_E_FULL, "no node can take the replica: no node groups",
                    ncg_cluster_place(c, &r, NULL, 0, &pl, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_falls_back_to_later_nodegroup)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(place(c, 8, NULL, 0, &pl), 0);
    ck_assert_str_eq(pl.node, "big-1");
    ck_assert_int_eq(pl.node_index, 1);
    ck_assert_int_eq(pl.nodegroup, 1);
    ck_assert_uint_eq(pl.alloc_id, 1);
    ncg_cluster_free(c);
}
END_TEST

/* Within a node group, the node whose smallest free window holds the request: the one with 3 chips free. */
START_TEST(place_prefers_smallest_free_window)
{
    static const char *const names[] = {"a", "b"};
    ncg_cluster *c = one_nodegroup("inf1.6xlarge", 10, names, 2);
    ncg_alloc adopted = NCG_INIT(ncg_alloc);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(ncg_cluster_adopt(c, "b", NULL, "0", NULL, 0, &adopted, NULL), 0);
    ck_assert_int_eq(place(c, 1, NULL, 0, &pl), 0);
    ck_assert_str_eq(pl.node, "b");
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_rejects_unknown_nodegroup)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    const char *nope[] = {"nope"};
    ncg_request r = chips_request(1, 1);
    ck_assert_fails(NCG_E_NOT_FOUND, "unknown node group \"nope\"", ncg_cluster_place(c, &r, nope, 1, &pl, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_rejects_null_nodegroups_with_count)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_request r = chips_request(1, 1);
    ck_assert_fails(NCG_E_INVALID, "nodegroups is NULL but nodegroup_count is 1",
                    ncg_cluster_place(c, &r, NULL, 1, &pl, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_requires_out)
{
    ncg_cluster *c = make_cluster(2);
    ncg_request r = chips_request(1, 1);
    char *before = dump_text(c), *after;
    ck_assert_fails(NCG_E_INVALID, "cluster_place: out is NULL", ncg_cluster_place(c, &r, NULL, 0, NULL, &err));
    after = dump_text(c);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_rejects_out_size_zero)
{
    ncg_cluster *c = make_cluster(2);
    ncg_request r = chips_request(1, 1);
    ncg_placement pl;
    memset(&pl, 0, sizeof(pl));
    ck_assert_rejects_size(ncg_placement, 0, ncg_cluster_place(c, &r, NULL, 0, &pl, &err));
    ck_assert_ptr_null(pl.node);
    ck_assert_int_eq(ncg_node_get_alloc_ids(node_at(c, 0), NULL, 0, NULL), 0);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_rejects_request_size_zero)
{
    ncg_cluster *c = make_cluster(2);
    ncg_request r = chips_request(1, 1);
    ncg_placement pl = NCG_INIT(ncg_placement);
    r.size = 0;
    ck_assert_rejects_size(ncg_request, 0, ncg_cluster_place(c, &r, NULL, 0, &pl, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(place_failure_leaves_out_untouched)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl, before;
    fill_sentinel(&pl, sizeof(pl));
    pl.size = sizeof(pl);
    memcpy(&before, &pl, sizeof(pl));
    ck_assert_int_eq(place(c, 8, only_small, 1, &pl), NCG_E_FULL);
    ck_assert_mem_eq(&pl, &before, sizeof(pl));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(release_frees_the_chips)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(place(c, 4, only_small, 1, &pl), 0);
    ck_assert_int_eq(ncg_cluster_release(c, "small-1", 1, NULL), 0);
    ck_assert_int_eq(place(c, 4, only_small, 1, &pl), 0);
    ck_assert_str_eq(pl.node, "small-1");
    ck_assert_uint_eq(pl.alloc_id, 2);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(release_rejects_unknown_node)
{
    ncg_cluster *c = make_cluster(2);
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"nope\" in the cluster", ncg_cluster_release(c, "nope", 1, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(release_does_not_truncate_ids)
{
    ncg_cluster *c = make_cluster(2);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(place(c, 1, only_small, 1, &pl), 0);
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 4294967297 on this inf1.6xlarge node",
                    ncg_cluster_release(c, "small-1", (UINT64_C(1) << 32) + 1, &err));
    ck_assert_int_eq(ncg_node_get_alloc_ids(node_at(c, 0), NULL, 0, NULL), 1);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(adopt_records_allocation_on_named_node)
{
    ncg_cluster *c = make_cluster(2);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(ncg_cluster_adopt(c, "small-1", NULL, "0-1", NULL, 0, &a, NULL), 0);
    ck_assert_uint_eq(a.id, 1);
    ck_assert_int_eq(a.first_chip, 0);
    ck_assert_int_eq(a.chip_count, 2);
    ck_assert_int_eq(place(c, 2, only_small, 1, &pl), 0);
    ck_assert_uint_eq(pl.alloc_id, 2);
    ck_assert_int_eq(place(c, 2, only_small, 1, &pl), NCG_E_FULL);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(adopt_requires_out)
{
    ncg_cluster *c = make_cluster(2);
    ck_assert_fails(NCG_E_INVALID, "node_adopt: out is NULL",
                    ncg_cluster_adopt(c, "small-1", NULL, "0", NULL, 0, NULL, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(adopt_rejects_unknown_node)
{
    ncg_cluster *c = make_cluster(2);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"nope\" in the cluster",
                    ncg_cluster_adopt(c, "nope", NULL, "0", NULL, 0, &a, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(nodegroups_are_ranked_in_order_added)
{
    ncg_cluster *c = make_cluster(0);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ck_assert_int_eq(ncg_cluster_nodegroup_count(c), 2);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(c, 0, &g, NULL, NULL), 0);
    ck_assert_str_eq(g.name, "small");
    ck_assert_int_eq(ncg_cluster_get_nodegroup(c, 1, &g, NULL, NULL), 0);
    ck_assert_str_eq(g.name, "big");
    ncg_cluster_free(c);
}
END_TEST

START_TEST(get_nodegroup_gives_spec_price)
{
    ncg_cluster *c = make_cluster(0);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_type t = NCG_INIT(ncg_type);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(c, 1, &g, &t, NULL), 0);
    ck_assert_uint_eq(g.size, sizeof(ncg_nodegroup_spec));
    ck_assert_str_eq(g.type, "inf1.24xlarge");
    ck_assert_int_eq(g.max_nodes, 100);
    ck_assert_int_eq(g.has_price, 1);
    ck_assert_double_eq(g.usd_per_hour, 1.5);
    ck_assert_str_eq(t.name, "inf1.24xlarge");
    ck_assert_int_eq(t.chips, 16);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(get_nodegroup_gives_catalog_price_without_override)
{
    ncg_cluster *c = make_cluster(0);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(c, 0, &g, NULL, NULL), 0);
    ck_assert_int_eq(g.has_price, 1);
    ck_assert_double_eq(g.usd_per_hour, 1.18);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(get_nodegroup_rejects_index_out_of_range)
{
    ncg_cluster *c = make_cluster(0);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ck_assert_fails(NCG_E_NOT_FOUND, "node group index 2 is out of range 0..1",
                    ncg_cluster_get_nodegroup(c, 2, &g, NULL, &err));
    ck_assert_ptr_null(g.name);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(get_nodegroup_rejects_size_zero)
{
    ncg_cluster *c = make_cluster(0);
    ncg_nodegroup_spec g;
    memset(&g, 0, sizeof(g));
    ck_assert_rejects_size(ncg_nodegroup_spec, 0, ncg_cluster_get_nodegroup(c, 0, &g, NULL, &err));
    ck_assert_ptr_null(g.name);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(get_nodegroup_rejects_type_size_zero)
{
    ncg_cluster *c = make_cluster(0);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_type t;
    memset(&t, 0, sizeof(t));
    ck_assert_rejects_size(ncg_type, 0, ncg_cluster_get_nodegroup(c, 0, &g, &t, &err));
    ck_assert_ptr_null(g.name);
    ck_assert_ptr_null(t.name);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_nodegroup_rejects_duplicate_name)
{
    ncg_cluster *c = make_cluster(0);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = "small";
    g.type = "inf1.xlarge";
    ck_assert_fails(NCG_E_EXISTS, "node group small exists already", ncg_cluster_add_nodegroup(c, cat, &g, &err));
    ck_assert_int_eq(ncg_cluster_nodegroup_count(c), 2);
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_nodegroup_rejects_unknown_type)
{
    ncg_cluster *c = make_cluster(0);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = "x";
    g.type = "nope";
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"nope\" in us-east-1", ncg_cluster_add_nodegroup(c, cat, &g, &err));
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_nodegroup_rejects_spec_size_zero)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.size = 0;
    g.name = "x";
    g.type = "inf1.xlarge";
    ck_assert_rejects_size(ncg_nodegroup_spec, 0, ncg_cluster_add_nodegroup(c, cat, &g, &err));
    ck_assert_int_eq(ncg_cluster_nodegroup_count(c), 0);
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_nodegroup_rejects_max_below_min)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    g.name = "x";
    g.type = "inf1.xlarge";
    g.min_nodes = 3;
    g.max_nodes = 2;
    ck_assert_fails(NCG_E_RANGE,
                    "node group x: min_instances 3 and max_instances 2 must satisfy 0 <= min <= max <= 1000000",
                    ncg_cluster_add_nodegroup(c, cat, &g, &err));
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_nodegroup_accepts_63_character_name)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec), got = NCG_INIT(ncg_nodegroup_spec);
    char name[NCG_NAME_MAX + 1];
    memset(name, 'g', NCG_NAME_MAX);
    name[NCG_NAME_MAX] = '\0';
    g.name = name;
    g.type = "inf1.xlarge";
    g.max_nodes = 1;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(c, 0, &got, NULL, NULL), 0);
    ck_assert_str_eq(got.name, name);
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

/* Node-group names stay at 63 characters in 2.0. */
START_TEST(add_nodegroup_rejects_64_character_name)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    char name[NCG_NAME_MAX + 2], want[NCG_MESSAGE_MAX];
    memset(name, 'g', NCG_NAME_MAX + 1);
    name[NCG_NAME_MAX + 1] = '\0';
    g.name = name;
    g.type = "inf1.xlarge";
    snprintf(want, sizeof(want),
             "node group name \"%s\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'", name);
    ck_assert_fails(NCG_E_INVALID, want, ncg_cluster_add_nodegroup(c, cat, &g, &err));
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_node_generates_names_per_nodegroup)
{
    ncg_cluster *c = make_cluster(4);
    const char *name = NULL;
    int nodegroup = -1;
    ck_assert_int_eq(ncg_cluster_get_node(c, 2, NULL, &name, &nodegroup, NULL), 0);
    ck_assert_str_eq(name, "small-2");
    ck_assert_int_eq(nodegroup, 0);
    ck_assert_int_eq(ncg_cluster_get_node(c, 3, NULL, &name, &nodegroup, NULL), 0);
    ck_assert_str_eq(name, "big-2");
    ck_assert_int_eq(nodegroup, 1);
    ncg_cluster_free(c);
}
END_TEST

/* "<nodegroup>-<n>", whatever the node group's length (node names may have 253 characters). */
START_TEST(add_node_generated_name_keeps_long_nodegroup_name)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    char name[NCG_NAME_MAX + 1], want[NCG_NAME_MAX + 8];
    const char *got = NULL;
    memset(name, 'g', NCG_NAME_MAX);
    name[NCG_NAME_MAX] = '\0';
    g.name = name;
    g.type = "inf1.xlarge";
    g.max_nodes = 1;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, NULL, name, NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_node(c, 0, NULL, &got, NULL, NULL), 0);
    snprintf(want, sizeof(want), "%s-1", name);
    ck_assert_str_eq(got, want);
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

static void long_name(char *buf, size_t length)
{
    for (size_t i = 0; i < length; i++)
        buf[i] = "abcdefghij.-_0123456789"[i % 23];
    buf[length] = '\0';
}

START_TEST(add_node_accepts_253_character_name)
{
    ncg_cluster *c = one_nodegroup("inf1.xlarge", 2, NULL, 0);
    char name[NCG_NODE_NAME_MAX + 1];
    const char *got = NULL;
    ncg_placement pl = NCG_INIT(ncg_placement);
    long_name(name, NCG_NODE_NAME_MAX);
    ck_assert_int_eq(ncg_cluster_add_node(c, name, "g", NULL), 0);
    ck_assert_int_eq(ncg_cluster_find_node(c, name, NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_node(c, 0, NULL, &got, NULL, NULL), 0);
    ck_assert_str_eq(got, name);
    ck_assert_int_eq(place(c, 1, NULL, 0, &pl), 0);
    ck_assert_str_eq(pl.node, name);
    ck_assert_int_eq(ncg_cluster_release(c, name, pl.alloc_id, NULL), 0);
    ncg_cluster_free(c);
}
END_TEST

/* Names up to 43 characters are kept in the node's record, longer ones apart: both kinds survive a clone, a
 * removal of a neighbour and generated names of a node group whose name is long. */
START_TEST(node_names_of_every_length_survive_clone_and_removal)
{
    static const size_t lengths[] = {1, 42, 43, 44, 45, 100, NCG_NODE_NAME_MAX};
    enum { N = sizeof(lengths) / sizeof(lengths[0]) };
    ncg_catalog *cat = test_catalog();
    ncg_cluster *c = one_nodegroup("inf1.xlarge", 2 * N, NULL, 0), *copy;
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    char names[N][NCG_NODE_NAME_MAX + 1], group[NCG_NAME_MAX + 1], want[NCG_NAME_MAX + 8];
    const char *got = NULL;
    for (int i = 0; i < N; i++) {
        long_name(names[i], lengths[i]);
        names[i][0] = (char)('a' + i); /* distinct */
        ck_assert_int_eq(ncg_cluster_add_node(c, names[i], "g", NULL), i);
    }
    long_name(group, NCG_NAME_MAX);
    g.name = group;
    g.type = "inf1.xlarge";
    g.max_nodes = 2;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, &g, NULL), 1);
    ck_assert_int_eq(ncg_cluster_add_node(c, NULL, group, NULL), N);
    snprintf(want, sizeof(want), "%s-1", group);
    ck_assert_int_eq(ncg_cluster_get_node(c, N, NULL, &got, NULL, NULL), 0);
    ck_assert_str_eq(got, want);
    copy = ncg_cluster_clone(c, NULL);
    ck_assert_ptr_nonnull(copy);
    ck_assert_int_eq(ncg_cluster_remove_node(c, names[2], NULL), 0);
    ck_assert_int_eq(ncg_cluster_remove_node(copy, names[4], NULL), 0);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(ncg_cluster_find_node(c, names[i], NULL), i == 2 ? NCG_E_NOT_FOUND : i - (i > 2));
        ck_assert_int_eq(ncg_cluster_find_node(copy, names[i], NULL), i == 4 ? NCG_E_NOT_FOUND : i - (i > 4));
    }
    ck_assert_int_eq(ncg_cluster_find_node(copy, want, NULL), N - 1);
    ck_assert_int_eq(ncg_cluster_get_node(copy, 4, NULL, &got, NULL, NULL), 0);
    ck_assert_str_eq(got, names[5]);
    ncg_cluster_free(c);
    ncg_cluster_free(copy);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(add_node_rejects_254_character_name)
{
    ncg_cluster *c = one_nodegroup("inf1.xlarge", 2, NULL, 0);
    char name[NCG_NODE_NAME_MAX + 2], want[NCG_MESSAGE_MAX];
    long_name(name, NCG_NODE_NAME_MAX + 1);
    snprintf(want, sizeof(want),
             "node name \"%.64s...\" is not valid: 1 to 253 characters of A-Z, a-z, 0-9, '.', '_' and '-'", name);
    ck_assert_fails(NCG_E_INVALID, want, ncg_cluster_add_node(c, name, "g", &err));
    ck_assert_int_eq(ncg_cluster_node_count(c), 0);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_node_rejects_bad_character)
{
    ncg_cluster *c = one_nodegroup("inf1.xlarge", 2, NULL, 0);
    ck_assert_fails(NCG_E_INVALID,
                    "node name \"a b\" is not valid: 1 to 253 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
                    ncg_cluster_add_node(c, "a b", "g", &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_node_rejects_duplicate_name)
{
    static const char *const names[] = {"a"};
    ncg_cluster *c = one_nodegroup("inf1.xlarge", 2, names, 1);
    ck_assert_fails(NCG_E_EXISTS, "node a exists already", ncg_cluster_add_node(c, "a", "g", &err));
    ck_assert_int_eq(ncg_cluster_node_count(c), 1);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_node_rejects_unknown_nodegroup)
{
    ncg_cluster *c = make_cluster(0);
    ck_assert_fails(NCG_E_NOT_FOUND, "unknown node group \"nope\"", ncg_cluster_add_node(c, "x", "nope", &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(add_node_stops_at_max_nodes)
{
    static const char *const names[] = {"a"};
    ncg_cluster *c = one_nodegroup("inf1.xlarge", 1, names, 1);
    ck_assert_fails(NCG_E_RANGE, "node group g has max_instances 1 nodes already",
                    ncg_cluster_add_node(c, "b", "g", &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(remove_node_frees_room_under_max_nodes)
{
    static const char *const names[] = {"a"};
    ncg_cluster *c = one_nodegroup("inf1.xlarge", 1, names, 1);
    ck_assert_int_eq(ncg_cluster_remove_node(c, "a", NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, "b", "g", NULL), 0);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(remove_node_renumbers_later_nodes)
{
    ncg_cluster *c = make_cluster(3);
    const char *name = NULL;
    ck_assert_int_eq(ncg_cluster_remove_node(c, "small-1", NULL), 0);
    ck_assert_int_eq(ncg_cluster_node_count(c), 2);
    ck_assert_int_eq(ncg_cluster_get_node(c, 0, NULL, &name, NULL, NULL), 0);
    ck_assert_str_eq(name, "big-1");
    ck_assert_int_eq(ncg_cluster_find_node(c, "small-2", NULL), 1);
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"small-1\" in the cluster", ncg_cluster_find_node(c, "small-1", &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(remove_node_rejects_unknown_node)
{
    ncg_cluster *c = make_cluster(1);
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"nope\" in the cluster", ncg_cluster_remove_node(c, "nope", &err));
    ck_assert_int_eq(ncg_cluster_node_count(c), 1);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(get_node_rejects_index_out_of_range)
{
    ncg_cluster *c = make_cluster(2);
    const ncg_node *n = (const ncg_node *)&c;
    const char *name = "unchanged";
    int nodegroup = 7;
    ck_assert_fails(NCG_E_NOT_FOUND, "node index 2 is out of range 0..1",
                    ncg_cluster_get_node(c, 2, &n, &name, &nodegroup, &err));
    ck_assert_ptr_eq(n, (const ncg_node *)&c);
    ck_assert_str_eq(name, "unchanged");
    ck_assert_int_eq(nodegroup, 7);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(get_node_gives_a_readable_node)
{
    ncg_cluster *c = make_cluster(2);
    const ncg_node *n = NULL;
    ck_assert_int_eq(ncg_cluster_get_node(c, 1, &n, NULL, NULL, NULL), 0);
    ck_assert_str_eq(ncg_node_get_type_name(n), "inf1.24xlarge");
    ncg_cluster_free(c);
}
END_TEST

START_TEST(find_node_gives_index)
{
    ncg_cluster *c = make_cluster(3);
    ck_assert_int_eq(ncg_cluster_find_node(c, "small-2", NULL), 2);
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"nope\" in the cluster", ncg_cluster_find_node(c, "nope", &err));
    ncg_cluster_free(c);
}
END_TEST

/* a: chips 1 and 3 used; b: chips 0-2 used. A 2-chip window needs one move: a's allocation 1 to b's chip 3. */
static ncg_cluster *fragmented(void)
{
    static const char *const names[] = {"a", "b"};
    ncg_cluster *c = one_nodegroup("inf1.6xlarge", 10, names, 2);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_cluster_adopt(c, "a", NULL, "1", NULL, 0, &a, NULL), 0);
    ck_assert_int_eq(ncg_cluster_adopt(c, "a", NULL, "3", NULL, 0, &a, NULL), 0);
    ck_assert_int_eq(ncg_cluster_adopt(c, "b", NULL, "0-2", NULL, 0, &a, NULL), 0);
    return c;
}

START_TEST(defrag_suggests_one_move)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[4];
    const char *node = NULL;
    ck_assert_int_eq(ncg_cluster_defrag(c, 2, NULL, mv, 4, &node, NULL), 1);
    ck_assert_str_eq(node, "a");
    ck_assert_str_eq(mv[0].from, "a");
    ck_assert_uint_eq(mv[0].alloc_id, 1);
    ck_assert_str_eq(mv[0].to, "b");
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_names_point_into_cluster)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[4];
    const char *node = NULL, *a = NULL, *b = NULL;
    ck_assert_int_eq(ncg_cluster_defrag(c, 2, NULL, mv, 4, &node, NULL), 1);
    ncg_cluster_get_node(c, 0, NULL, &a, NULL, NULL);
    ncg_cluster_get_node(c, 1, NULL, &b, NULL, NULL);
    ck_assert_ptr_eq(node, a);
    ck_assert_ptr_eq(mv[0].from, a);
    ck_assert_ptr_eq(mv[0].to, b);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_leaves_cluster_unchanged)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[4];
    char *before = dump_text(c), *after;
    ck_assert_int_eq(ncg_cluster_defrag(c, 2, NULL, mv, 4, NULL, NULL), 1);
    after = dump_text(c);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_free_window_needs_no_move)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[4];
    const char *node = NULL;
    fill_sentinel(mv, sizeof(mv));
    ck_assert_int_eq(ncg_cluster_defrag(c, 1, NULL, mv, 4, &node, NULL), 0);
    ck_assert_ptr_nonnull(node);
    ck_assert_untouched(mv, sizeof(mv));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_rejects_window_no_node_can_hold)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[4];
    ck_assert_fails(NCG_E_TOPOLOGY, "no node can ever hold a window of 5 chips",
                    ncg_cluster_defrag(c, 5, NULL, mv, 4, NULL, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_rejects_window_no_node_of_nodegroup_can_hold)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[4];
    ck_assert_fails(NCG_E_TOPOLOGY, "no node of node group g can ever hold a window of 5 chips",
                    ncg_cluster_defrag(c, 5, "g", mv, 4, NULL, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_reports_full_when_no_move_helps)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[4];
    ck_assert_fails(NCG_E_FULL, "no node can free a window of 4 chips by moving allocations elsewhere",
                    ncg_cluster_defrag(c, 4, NULL, mv, 4, NULL, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_small_array_returns_count_untouched)
{
    ncg_cluster *c = fragmented();
    ncg_move mv[1];
    fill_sentinel(mv, sizeof(mv));
    ck_assert_int_eq(ncg_cluster_defrag(c, 2, NULL, mv, 0, NULL, NULL), 1);
    ck_assert_untouched(mv, sizeof(mv));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_null_array_returns_count)
{
    ncg_cluster *c = fragmented();
    ck_assert_int_eq(ncg_cluster_defrag(c, 2, NULL, NULL, 0, NULL, NULL), 1);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_rejects_zero_chips)
{
    ncg_cluster *c = fragmented();
    ck_assert_fails(NCG_E_RANGE, "chips 0 is out of range 1..64", ncg_cluster_defrag(c, 0, NULL, NULL, 0, NULL, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(defrag_rejects_unknown_nodegroup)
{
    ncg_cluster *c = fragmented();
    ck_assert_fails(NCG_E_NOT_FOUND, "unknown node group \"nope\"",
                    ncg_cluster_defrag(c, 1, "nope", NULL, 0, NULL, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(clone_dumps_the_same)
{
    ncg_cluster *c = fragmented(), *copy = ncg_cluster_clone(c, NULL);
    ck_assert_ptr_nonnull(copy);
    ck_assert_same_dump(c, copy);
    ncg_cluster_free(copy);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(clone_is_deep_placing_on_copy)
{
    ncg_cluster *c = make_cluster(2), *copy = ncg_cluster_clone(c, NULL);
    char *before = dump_text(c), *after, *changed;
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(place(copy, 4, NULL, 0, &pl), 0);
    after = dump_text(c);
    changed = dump_text(copy);
    ck_assert_str_eq(before, after);
    ck_assert_str_ne(before, changed);
    free(before);
    free(after);
    free(changed);
    ncg_cluster_free(copy);
    ncg_cluster_free(c);
}
END_TEST

START_TEST(clone_is_deep_changing_original)
{
    ncg_cluster *c = make_cluster(2), *copy = ncg_cluster_clone(c, NULL);
    char *before = dump_text(copy), *after;
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(place(c, 4, NULL, 0, &pl), 0);
    ck_assert_int_eq(ncg_cluster_remove_node(c, "big-1", NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(c, "extra", "small", NULL), 1);
    after = dump_text(copy);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ncg_cluster_free(copy);
    ncg_cluster_free(c);
}
END_TEST

/* The copy outlives the original: names, types and models are its own. */
START_TEST(clone_outlives_original)
{
    ncg_cluster *c = fragmented(), *copy = ncg_cluster_clone(c, NULL);
    char *before = dump_text(c), *after;
    ncg_move mv[4];
    const char *node = NULL;
    ncg_cluster_free(c);
    after = dump_text(copy);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(ncg_cluster_defrag(copy, 2, NULL, mv, 4, &node, NULL), 1);
    ck_assert_str_eq(node, "a");
    free(before);
    free(after);
    ncg_cluster_free(copy);
}
END_TEST

START_TEST(clone_continues_generated_names)
{
    ncg_cluster *c = make_cluster(2), *copy = ncg_cluster_clone(c, NULL);
    const char *a = NULL, *b = NULL;
    ck_assert_int_eq(ncg_cluster_add_node(c, NULL, "small", NULL), 2);
    ck_assert_int_eq(ncg_cluster_add_node(copy, NULL, "small", NULL), 2);
    ncg_cluster_get_node(c, 2, NULL, &a, NULL, NULL);
    ncg_cluster_get_node(copy, 2, NULL, &b, NULL, NULL);
    ck_assert_str_eq(a, "small-2");
    ck_assert_str_eq(b, "small-2");
    ncg_cluster_free(copy);
    ncg_cluster_free(c);
}
END_TEST

/* Character i of a 300-byte model name with spaces and '%' in it, and its percent-encoded form. */
static char model_char(int i)
{
    return i % 50 == 7 ? ' ' : i % 50 == 9 ? '%' : (char)('a' + i % 26);
}

static void encoded_model_name(char *buf, size_t size)
{
    size_t o = 0;
    for (int i = 0; i < 300; i++) {
        char ch = model_char(i);
        if (ch == ' ' || ch == '%')
            o += (size_t)snprintf(buf + o, size - o, "%%%02X", (unsigned)ch);
        else
            o += (size_t)snprintf(buf + o, size - o, "%c", ch);
    }
}

/* Model names have no length limit: 300 bytes with spaces and '%' survive a clone (and its original's free). */
START_TEST(clone_keeps_long_model_names)
{
    ncg_cluster *c = make_cluster(2), *copy;
    char name[301], encoded[3 * 300 + 1], *text;
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(1, 1);
    ncg_placement pl = NCG_INIT(ncg_placement);
    for (int i = 0; i < 300; i++)
        name[i] = model_char(i);
    name[300] = '\0';
    m.name = name;
    m.bytes = GIB;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_cluster_place(c, &r, NULL, 0, &pl, NULL), 0);
    copy = ncg_cluster_clone(c, NULL);
    ck_assert_same_dump(c, copy);
    memset(name, 'z', 300);
    ncg_cluster_free(c);
    text = dump_text(copy);
    encoded_model_name(encoded, sizeof(encoded));
    ck_assert_msg(strstr(text, encoded) != NULL, "the clone's dump lacks the model name: %s", text);
    free(text);
    ncg_cluster_free(copy);
}
END_TEST

START_TEST(clone_of_null_is_invalid)
{
    ck_assert_fails_null(NCG_E_INVALID, "cluster_clone: cluster is NULL", ncg_cluster_clone(NULL, &err));
}
END_TEST

START_TEST(null_cluster_is_invalid)
{
    ncg_catalog *cat = test_catalog();
    ncg_request r = chips_request(1, 1);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    g.name = "g";
    g.type = "inf1.xlarge";
    ck_assert_int_eq(ncg_cluster_add_nodegroup(NULL, cat, &g, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(NULL, 0, &g, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_add_node(NULL, NULL, "g", NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_remove_node(NULL, "x", NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_get_node(NULL, 0, NULL, NULL, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_find_node(NULL, "x", NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_place(NULL, &r, NULL, 0, &pl, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_release(NULL, "x", 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_adopt(NULL, "x", NULL, "0", NULL, 0, &a, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_defrag(NULL, 1, NULL, NULL, 0, NULL, NULL), NCG_E_INVALID);
    ncg_catalog_free(cat);
}
END_TEST

START_TEST(null_arguments_are_invalid)
{
    ncg_cluster *c = make_cluster(1);
    ncg_catalog *cat = test_catalog();
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, NULL, &g, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_add_nodegroup(c, cat, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(c, 0, NULL, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_add_node(c, "x", NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_remove_node(c, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_find_node(c, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_release(c, NULL, 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_cluster_node_count(c), 1);
    ncg_catalog_free(cat);
    ncg_cluster_free(c);
}
END_TEST

/* ---- per-node scores (2.1) ---- */

/* The best score over every node is the node ncg_cluster_place() takes, at every step of a filling cluster. */
START_TEST(score_node_agrees_with_place)
{
    ncg_cluster *c = make_cluster(6);
    static const int64_t infs[] = {1, 2, 4, 1, 8, 2, 1, 16, 4, 1, 1, 2};
    for (int step = 0; step < 40; step++) {
        ncg_request r = chips_request(infs[step % 12], 1);
        ncg_placement pl = NCG_INIT(ncg_placement);
        ncg_node_score best = NCG_INIT(ncg_node_score);
        int have = 0, rc;
        for (int i = 0; i < ncg_cluster_node_count(c); i++) {
            const char *name;
            ncg_node_score s = NCG_INIT(ncg_node_score);
            ck_assert_int_eq(ncg_cluster_get_node(c, i, NULL, &name, NULL, NULL), 0);
            rc = ncg_cluster_score_node(c, name, &r, &s, NULL);
            ck_assert(rc == 0 || rc == NCG_E_FULL || rc == NCG_E_TOPOLOGY || rc == NCG_E_NO_FIT);
            if (rc == 0) {
                ck_assert_int_eq(s.node_index, i);
                if (!have || ncg_node_score_compare(&s, &best) < 0)
                    best = s;
                have = 1;
            }
        }
        rc = ncg_cluster_place(c, &r, NULL, 0, &pl, NULL);
        ck_assert_int_eq(rc, have ? 0 : NCG_E_FULL);
        if (have)
            ck_assert_int_eq(pl.node_index, best.node_index);
    }
    ncg_cluster_free(c);
}
END_TEST

START_TEST(score_node_reasons_and_errors)
{
    static const char *const names[] = {"n0"};
    ncg_cluster *c = one_nodegroup("inf1.6xlarge", 4, names, 1);
    ncg_request r = chips_request(3, 1), big = chips_request(8, 1);
    ncg_node_score s = NCG_INIT(ncg_node_score), before;
    ncg_placement pl = NCG_INIT(ncg_placement);
    ck_assert_int_eq(ncg_cluster_score_node(c, "n0", &r, &s, NULL), 0);
    ck_assert_int_eq(s.node_index, 0);
    ck_assert_int_eq(s.leftover, 1);
    ck_assert_int_eq(ncg_cluster_place_on(c, "n0", &r, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "n0");
    ck_assert_uint_eq(pl.alloc_id, 1);
    before = s;
    ck_assert_fails(NCG_E_FULL, "no free window of 3 chips on inf1.6xlarge: free chips 3, largest free window 1",
                    ncg_cluster_score_node(c, "n0", &r, &s, &err));
    ck_assert_mem_eq(&s, &before, sizeof(s));
    ck_assert_fails(NCG_E_NO_FIT,
                    "no instances can satisfy the requested Inf quantity - requested 8 Inf but instances only have 4 Inf available",
                    ncg_cluster_score_node(c, "n0", &big, &s, &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "no node \"nx\" in the cluster", ncg_cluster_score_node(c, "nx", &r, &s, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_score_node: cluster is NULL",
                    ncg_cluster_score_node(NULL, "n0", &r, &s, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_score_node: out is NULL", ncg_cluster_score_node(c, "n0", &r, NULL, &err));
    ck_assert_fails(NCG_E_INVALID, "node name is NULL", ncg_cluster_score_node(c, NULL, &r, &s, &err));
    s.size = 0;
    ck_assert_rejects_size(ncg_node_score, 0, ncg_cluster_score_node(c, "n0", &r, &s, &err));
    /* a failed place_on changes nothing */
    pl = (ncg_placement)NCG_INIT(ncg_placement);
    ck_assert_fails(NCG_E_FULL, "no free window of 3 chips on inf1.6xlarge: free chips 3, largest free window 1",
                    ncg_cluster_place_on(c, "n0", &r, &pl, &err));
    ck_assert_ptr_null(pl.node);
    ck_assert_fails(NCG_E_INVALID, "cluster_place_on: out is NULL", ncg_cluster_place_on(c, "n0", &r, NULL, &err));
    ck_assert_fails(NCG_E_INVALID, "cluster_place_on: cluster is NULL",
                    ncg_cluster_place_on(NULL, "n0", &r, &pl, &err));
    pl.size = 0;
    ck_assert_rejects_size(ncg_placement, 0, ncg_cluster_place_on(c, "n0", &r, &pl, &err));
    ncg_cluster_free(c);
}
END_TEST

START_TEST(score_compare_orders_terms)
{
    ncg_node_score a = NCG_INIT(ncg_node_score), b;
    a.priority = 1;
    a.leftover = 2;
    a.free_after = 100;
    b = a;
    ck_assert_int_eq(ncg_node_score_compare(&a, &b), 0);
    b.priority = 2; /* higher priority wins over any leftover */
    b.leftover = 9;
    ck_assert_int_gt(ncg_node_score_compare(&a, &b), 0);
    b = a;
    b.leftover = 1;
    ck_assert_int_gt(ncg_node_score_compare(&a, &b), 0);
    b = a;
    b.free_after = 200;
    ck_assert_int_lt(ncg_node_score_compare(&a, &b), 0);
    b = a;
    b.nodegroup = 1;
    ck_assert_int_lt(ncg_node_score_compare(&a, &b), 0);
    b = a;
    b.seq = 1;
    ck_assert_int_lt(ncg_node_score_compare(&a, &b), 0);
    ck_assert_int_lt(ncg_node_score_compare(&a, NULL), 0);
    ck_assert_int_gt(ncg_node_score_compare(NULL, &a), 0);
    ck_assert_int_eq(ncg_node_score_compare(NULL, NULL), 0);
}
END_TEST

/* A longer score, as a program built against a later header would pass it. */
typedef struct {
    ncg_node_score s;
    int64_t later;
} longer_score;

START_TEST(score_rank_dense_with_ties)
{
    ncg_node_score s[7];
    int ranks[7], want[7] = {2, 0, 3, 0, 1, 4, 2};
    for (int i = 0; i < 7; i++) {
        s[i] = (ncg_node_score)NCG_INIT(ncg_node_score);
        s[i].priority = 1;
        s[i].free_after = 1000;
    }
    s[0].leftover = 2;   /* rank 2, tied with 6 */
    s[1].leftover = 0;   /* rank 0, tied with 3 */
    s[2].leftover = 3;
    s[3].leftover = 0;
    s[4].leftover = 1;
    s[5].priority = 0;   /* the lowest priority ranks last whatever its leftover */
    s[6].leftover = 2;
    ck_assert_int_eq(ncg_node_score_rank(s, 7, ranks, NULL), 0);
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(ranks[i], want[i]);
    /* The ranks agree with ncg_node_score_compare() on every pair. */
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            int c = ncg_node_score_compare(&s[i], &s[j]);
            ck_assert_int_eq(c < 0, ranks[i] < ranks[j]);
            ck_assert_int_eq(c == 0, ranks[i] == ranks[j]);
        }
    /* seq and nodegroup are terms too: equal leftovers of nodes added apart differ. */
    s[6].seq = 5;
    ck_assert_int_eq(ncg_node_score_rank(s, 7, ranks, NULL), 0);
    ck_assert_int_eq(ranks[0], 2);
    ck_assert_int_eq(ranks[6], 3);
    ck_assert_int_eq(ranks[2], 4);
    ck_assert_int_eq(ranks[5], 5);
}
END_TEST

START_TEST(score_rank_random_against_compare)
{
    uint64_t rng = 11;
    enum { N = 500 };
    ncg_node_score *s = calloc(N, sizeof *s), *uniq = calloc(N, sizeof *uniq);
    int *ranks = calloc(N, sizeof *ranks);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(uniq);
    ck_assert_ptr_nonnull(ranks);
    for (int round = 0; round < 20; round++) {
        int n = 1 + (int)(test_rand(&rng) % N), u = 0, best = 0;
        for (int i = 0; i < n; i++) {
            s[i] = (ncg_node_score)NCG_INIT(ncg_node_score);
            s[i].priority = (int)(test_rand(&rng) % 3);
            s[i].free_after = (int64_t)(test_rand(&rng) % 4);
            s[i].leftover = (int)(test_rand(&rng) % 3);
            s[i].seq = test_rand(&rng) % 2;
        }
        ck_assert_int_eq(ncg_node_score_rank(s, (size_t)n, ranks, NULL), 0);
        /* The distinct scores, then each score's rank: how many of them are better. */
        for (int i = 0; i < n; i++) {
            bool seen = false;
            for (int k = 0; k < u && !seen; k++)
                seen = ncg_node_score_compare(&uniq[k], &s[i]) == 0;
            if (!seen)
                uniq[u++] = s[i];
        }
        for (int i = 0; i < n; i++) {
            int better = 0;
            for (int k = 0; k < u; k++)
                better += ncg_node_score_compare(&uniq[k], &s[i]) < 0;
            ck_assert_int_eq(ranks[i], better);
            best += ranks[i] == 0;
        }
        ck_assert_int_ge(best, 1);
    }
    free(s);
    free(uniq);
    free(ranks);
}
END_TEST

START_TEST(score_rank_steps_by_size_and_checks)
{
    longer_score l[3];
    ncg_node_score s[2] = {NCG_INIT(ncg_node_score), NCG_INIT(ncg_node_score)};
    int ranks[3] = {-1, -1, -1};
    for (int i = 0; i < 3; i++) {
        memset(&l[i], 0, sizeof l[i]);
        l[i].s.size = sizeof(longer_score);
        l[i].s.leftover = 3 - i;
        l[i].later = 99;
    }
    ck_assert_int_eq(ncg_node_score_rank(&l[0].s, 3, ranks, NULL), 0);
    ck_assert_int_eq(ranks[0], 2);
    ck_assert_int_eq(ranks[1], 1);
    ck_assert_int_eq(ranks[2], 0);
    ck_assert_int_eq(ncg_node_score_rank(NULL, 0, NULL, NULL), 0);
    ranks[0] = ranks[1] = -1;
    ck_assert_fails(NCG_E_INVALID, "node_score_rank: scores is NULL but n is 2", ncg_node_score_rank(NULL, 2, ranks, &err));
    ck_assert_fails(NCG_E_INVALID, "node_score_rank: ranks is NULL but n is 2", ncg_node_score_rank(s, 2, NULL, &err));
    ck_assert_fails(NCG_E_RANGE, "node_score_rank: n 1048577 is out of range 0..1048576",
                    ncg_node_score_rank(s, (size_t)NCG_MAX_SCORES + 1, ranks, &err));
    s[1].size = sizeof(longer_score);
    ck_assert_fails(NCG_E_INVALID, "score 1: ncg_node_score.size 56 differs from the first score's 48",
                    ncg_node_score_rank(s, 2, ranks, &err));
    s[0].size = 0;
    ck_assert_rejects_size(ncg_node_score, 0, ncg_node_score_rank(s, 2, ranks, &err));
    ck_assert_int_eq(ranks[0], -1); /* a failed call writes nothing */
    ck_assert_int_eq(ranks[1], -1);
}
END_TEST

NCG_SUITE(cluster)
{
    Suite *s = suite_create("cluster");
    TCase *t = add_tcase(s, "new");
    add_test(t, new_rejects_unknown_flags);
    add_test(t, new_cluster_is_empty);
    add_test(t, counts_of_null_are_zero);
    add_test(t, null_cluster_is_invalid);
    add_test(t, null_arguments_are_invalid);
    t = add_tcase(s, "place");
    add_test(t, place_takes_first_node_of_allowed_nodegroup);
    add_test(t, placement_node_name_points_into_cluster);
    add_test(t, place_reports_no_free_window_per_nodegroup);
    add_test(t, place_reports_request_that_never_fits_nodegroup);
    add_test(t, place_reports_nodegroup_without_nodes);
    add_test(t, place_reports_cluster_without_nodegroups);
    add_test(t, place_falls_back_to_later_nodegroup);
    add_test(t, place_prefers_smallest_free_window);
    add_test(t, place_rejects_unknown_nodegroup);
    add_test(t, place_rejects_null_nodegroups_with_count);
    add_test(t, place_requires_out);
    add_test(t, place_rejects_out_size_zero);
    add_test(t, place_rejects_request_size_zero);
    add_test(t, place_failure_leaves_out_untouched);
    add_test(t, release_frees_the_chips);
    add_test(t, release_rejects_unknown_node);
    add_test(t, release_does_not_truncate_ids);
    add_test(t, adopt_records_allocation_on_named_node);
    add_test(t, adopt_requires_out);
    add_test(t, adopt_rejects_unknown_node);
    t = add_tcase(s, "score");
    add_test(t, score_node_agrees_with_place);
    add_test(t, score_node_reasons_and_errors);
    add_test(t, score_compare_orders_terms);
    add_test(t, score_rank_dense_with_ties);
    add_test(t, score_rank_random_against_compare);
    add_test(t, score_rank_steps_by_size_and_checks);
    t = add_tcase(s, "nodegroups");
    add_test(t, nodegroups_are_ranked_in_order_added);
    add_test(t, get_nodegroup_gives_spec_price);
    add_test(t, get_nodegroup_gives_catalog_price_without_override);
    add_test(t, get_nodegroup_rejects_index_out_of_range);
    add_test(t, get_nodegroup_rejects_size_zero);
    add_test(t, get_nodegroup_rejects_type_size_zero);
    add_test(t, add_nodegroup_rejects_duplicate_name);
    add_test(t, add_nodegroup_rejects_unknown_type);
    add_test(t, add_nodegroup_rejects_spec_size_zero);
    add_test(t, add_nodegroup_rejects_max_below_min);
    add_test(t, add_nodegroup_accepts_63_character_name);
    add_test(t, add_nodegroup_rejects_64_character_name);
    t = add_tcase(s, "nodes");
    add_test(t, add_node_generates_names_per_nodegroup);
    add_test(t, add_node_generated_name_keeps_long_nodegroup_name);
    add_test(t, add_node_accepts_253_character_name);
    add_test(t, node_names_of_every_length_survive_clone_and_removal);
    add_test(t, add_node_rejects_254_character_name);
    add_test(t, add_node_rejects_bad_character);
    add_test(t, add_node_rejects_duplicate_name);
    add_test(t, add_node_rejects_unknown_nodegroup);
    add_test(t, add_node_stops_at_max_nodes);
    add_test(t, remove_node_frees_room_under_max_nodes);
    add_test(t, remove_node_renumbers_later_nodes);
    add_test(t, remove_node_rejects_unknown_node);
    add_test(t, get_node_rejects_index_out_of_range);
    add_test(t, get_node_gives_a_readable_node);
    add_test(t, find_node_gives_index);
    t = add_tcase(s, "defrag");
    add_test(t, defrag_suggests_one_move);
    add_test(t, defrag_names_point_into_cluster);
    add_test(t, defrag_leaves_cluster_unchanged);
    add_test(t, defrag_free_window_needs_no_move);
    add_test(t, defrag_rejects_window_no_node_can_hold);
    add_test(t, defrag_rejects_window_no_node_of_nodegroup_can_hold);
    add_test(t, defrag_reports_full_when_no_move_helps);
    add_test(t, defrag_small_array_returns_count_untouched);
    add_test(t, defrag_null_array_returns_count);
    add_test(t, defrag_rejects_zero_chips);
    add_test(t, defrag_rejects_unknown_nodegroup);
    t = add_tcase(s, "clone");
    add_test(t, clone_dumps_the_same);
    add_test(t, clone_is_deep_placing_on_copy);
    add_test(t, clone_is_deep_changing_original);
    add_test(t, clone_outlives_original);
    add_test(t, clone_continues_generated_names);
    add_test(t, clone_keeps_long_model_names);
    add_test(t, clone_of_null_is_invalid);
    return s;
}



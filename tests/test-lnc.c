/* SPDX-License-Identifier: Apache-2.0 */
/* The hardware model across families and Logical NeuronCore settings (issue "Today's Neuron hardware"): one
 * replica on an empty node of each Neuron type at each setting it has, checked against
 * tests/data/hardware/lnc-vectors.tsv (NCG size, env strings, the memory the first NCG reaches and how many NCGs
 * it shares it with), and the rules of the setting itself. */
#include "test-common.h"

#define LNC_TSV "hardware/lnc-vectors.tsv"

/* "inf=N" or "cores=N" into a request. */
static void parse_request(const char *text, int ppr, ncg_request *r)
{
    ncg_request_init(r);
    r->ppr = ppr;
    if (strncmp(text, "inf=", 4) == 0)
        r->inf = atoi(text + 4);
    else if (strncmp(text, "cores=", 6) == 0)
        r->neuroncores = atoi(text + 6);
    else
        ck_abort_msg("bad request %s", text);
}

/* Row _i: TYPE LNC REQUEST PPR | NCG_SIZE CORES_PER_CHIP VISIBLE_CORES(first NCG) VISIBLE_CORES(last NCG)
 * VISIBLE_DEVICES LOGICAL_NC_CONFIG REACHABLE_BYTES(first NCG) SHARED_WITH(first NCG) */
START_TEST(lnc_vector_row)
{
    char line[1024], *f[16];
    ncg_catalog *c = ncg_catalog_new(0, NULL);
    ncg_node *node;
    ncg_request r;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_env e = NCG_INIT(ncg_env), last = NCG_INIT(ncg_env);
    ncg_node_status st = NCG_INIT(ncg_node_status);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ncg_core_group layout[NCG_MAX_CORES];
    ncg_error err = {0};
    int n = read_row(LNC_TSV, _i, line, sizeof(line), f, 16), lnc;

    ck_assert_int_eq(n, 12);
    node = ncg_node_new(c, f[0], 0, &err);
    ck_assert_msg(node != NULL, "%s: %s", f[0], err.message);
    lnc = strcmp(f[1], "-") == 0 ? 0 : atoi(f[1]);
    if (lnc)
        ck_assert_int_eq(ncg_node_set_lnc(node, lnc, NULL), 0);
    parse_request(f[2], atoi(f[3]), &r);
    ck_assert_int_eq(ncg_node_get_status(node, &st, NULL), 0);
    ck_assert_int_eq(st.cores_per_chip, atoi(f[5]));
    ck_assert_msg(ncg_node_allocate(node, &r, &a, &err) == 0, "%s %s %s: %s", f[0], f[1], f[2], err.message);
    ck_assert_int_eq(a.ncg_size, atoi(f[4]));
    ck_assert_int_eq(ncg_node_get_env(node, a.id, 0, &e, NULL), 0);
    ck_assert_int_eq(ncg_node_get_env(node, a.id, a.ppr - 1, &last, NULL), 0);
    ck_assert_str_eq(e.visible_cores, f[6]);
    ck_assert_str_eq(last.visible_cores, f[7]);
    ck_assert_str_eq(e.core_group_sizes, f[4]);
    ck_assert_str_eq(e.visible_devices, strcmp(f[8], "-") == 0 ? "" : f[8]);
    ck_assert_str_eq(e.logical_nc_config, strcmp(f[9], "-") == 0 ? "" : f[9]);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, a.id, 0, &gc, NULL, 0, NULL), atoi(f[11]));
    ck_assert_int_eq(gc.reachable_bytes, strtoll(f[10], NULL, 10));
    /* the catalog functions take the type at the request's setting: the same NCGs */
    if (lnc) {
        r.lnc = lnc;
        ck_assert_int_eq(ncg_request_check(c, f[0], &r, NULL), atoi(f[4]));
        ck_assert_int_eq(ncg_request_layout(c, f[0], &r, layout, NCG_MAX_CORES, NULL), a.ppr);
        ck_assert_int_eq(layout[0].core_count, atoi(f[4]));
    }
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

/* Every Neuron type of the catalog has rows for each of its settings (1 and 2 where it has the setting). */
START_TEST(lnc_vectors_cover_every_type_and_setting)
{
    ncg_catalog *c = ncg_catalog_new(0, NULL);
    int rows = data_rows(LNC_TSV);
    for (int i = 0; i < ncg_catalog_type_count(c); i++) {
        ncg_type t = NCG_INIT(ncg_type);
        ncg_catalog_get_type(c, i, &t, NULL);
        for (int lnc = t.lnc ? 1 : 0; lnc <= (t.lnc ? 2 : 0); lnc++) {
            char want[8], line[1024], *f[16];
            bool found = false;
            snprintf(want, sizeof(want), "%d", lnc);
            for (int row = 0; row < rows && !found; row++) {
                read_row(LNC_TSV, row, line, sizeof(line), f, 16);
                found = strcmp(f[0], t.name) == 0 && strcmp(f[1], lnc ? want : "-") == 0;
            }
            ck_assert_msg(found, "%s has no row at lnc %s in %s", t.name, lnc ? want : "-", LNC_TSV);
        }
    }
    ncg_catalog_free(c);
}
END_TEST

static ncg_node *trn2_node(ncg_catalog **c)
{
    *c = ncg_catalog_new(0, NULL);
    return ncg_node_new(*c, "trn2.48xlarge", 0, NULL);
}

START_TEST(trn2_runs_lnc_2_by_default)
{
    ncg_catalog *c;
    ncg_node *node = trn2_node(&c);
    ncg_type t = NCG_INIT(ncg_type);
    ncg_node_status st = NCG_INIT(ncg_node_status);
    ck_assert_int_ge(ncg_catalog_find_type(c, "trn2.48xlarge", &t, NULL), 0);
    ck_assert_int_eq(t.lnc, 2);
    ck_assert_int_eq(t.cores_per_chip, 4);
    ck_assert_int_eq(t.physical_cores_per_chip, 8);
    ck_assert_int_eq(t.hbm_banks, 4);
    ck_assert_int_eq(ncg_node_get_status(node, &st, NULL), 0);
    ck_assert_int_eq(st.lnc, 2);
    ck_assert_int_eq(st.free_cores, 64);
    ck_assert_int_eq(ncg_node_set_lnc(node, 1, NULL), 0);
    ck_assert_int_eq(ncg_node_get_status(node, &st, NULL), 0);
    ck_assert_int_eq(st.lnc, 1);
    ck_assert_int_eq(st.cores_per_chip, 8);
    ck_assert_int_eq(st.free_cores, 128);
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(a_request_for_another_setting_is_refused_naming_both)
{
    ncg_catalog *c;
    ncg_node *node = trn2_node(&c), *inf2 = ncg_node_new(c, "inf2.xlarge", 0, NULL);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r;
    ncg_request_init(&r);
    r.inf = 1;
    r.lnc = 1;
    ck_assert_fails(NCG_E_LNC, "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)",
                    ncg_node_allocate(node, &r, &a, &err));
    ck_assert_int_eq(a.id, 0); /* untouched */
    ck_assert_fails(NCG_E_LNC, "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)",
                    ncg_node_check(node, &r, &err));
    r.lnc = 2;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_fails(NCG_E_LNC, "the request asks for LNC=2 but inf2.xlarge has no Logical NeuronCore setting (its "
                    "NeuronCores are physical: LNC=1)", ncg_node_allocate(inf2, &r, &a, &err));
    r.lnc = 1;
    r.inf = 1;
    ck_assert_int_eq(ncg_node_check(inf2, &r, NULL), 0); /* physical cores are LNC=1 */
    r.lnc = 3;
    ck_assert_fails(NCG_E_RANGE, "lnc 3 is out of range 0..2 (0: any Logical NeuronCore setting)",
                    ncg_node_check(node, &r, &err));
    ncg_node_free(inf2);
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_lnc_checks_the_node_and_the_value)
{
    ncg_catalog *c;
    ncg_node *node = trn2_node(&c), *inf2 = ncg_node_new(c, "inf2.48xlarge", 0, NULL);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r;
    ncg_node_status st = NCG_INIT(ncg_node_status);
    const ncg_node *member;
    ncg_cluster *cl = ncg_cluster_new(0, NULL);
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);

    ck_assert_fails(NCG_E_INVALID, "node is NULL", ncg_node_set_lnc(NULL, 1, &err));
    ck_assert_fails(NCG_E_RANGE, "lnc 3 is out of range 1..2", ncg_node_set_lnc(node, 3, &err));
    ck_assert_fails(NCG_E_RANGE, "lnc 0 is out of range 1..2", ncg_node_set_lnc(node, 0, &err));
    ck_assert_fails(NCG_E_RANGE, "lnc 1: inf2.48xlarge has no Logical NeuronCore setting (its 2 NeuronCores per "
                    "chip are physical cores)", ncg_node_set_lnc(inf2, 1, &err));
    ncg_request_init(&r);
    r.neuroncores = 1;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_int_eq(ncg_node_set_lnc(node, 2, NULL), 0); /* the setting it runs: nothing changes */
    ck_assert_fails(NCG_E_INVALID, "node_set_lnc: the node has 1 allocation; its Logical NeuronCore setting changes "
                    "only while it is empty", ncg_node_set_lnc(node, 1, &err));
    ck_assert_int_eq(ncg_node_get_status(node, &st, NULL), 0);
    ck_assert_int_eq(st.lnc, 2);
    ck_assert_int_eq(st.cores_per_chip, 4);
    /* a cluster's node runs its node group's setting */
    g.name = "trn2";
    g.type = "trn2.48xlarge";
    g.max_nodes = 2;
    g.lnc = 1;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(cl, c, &g, NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(cl, "a", "trn2", NULL), 0);
    ck_assert_int_eq(ncg_cluster_get_node(cl, 0, &member, NULL, NULL, NULL), 0);
    ck_assert_fails(NCG_E_INVALID, "node_set_lnc: a node of a cluster runs its node group's Logical NeuronCore "
                    "setting (ncg_nodegroup_spec.lnc)", ncg_node_set_lnc((ncg_node *)(uintptr_t)member, 2, &err));
    ncg_cluster_free(cl);
    ncg_node_free(inf2);
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(nodegroup_lnc_decides_its_nodes_cores_and_survives_a_restart)
{
    ncg_catalog *c = ncg_catalog_new(0, NULL);
    ncg_cluster *cl = ncg_cluster_new(0, NULL), *back;
    ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec), got = NCG_INIT(ncg_nodegroup_spec);
    ncg_type t = NCG_INIT(ncg_type);
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_env e = NCG_INIT(ncg_env);
    ncg_request r;
    const ncg_node *node;
    char *text, *again;
    int len;

    g.name = "lnc1";
    g.type = "trn2.48xlarge";
    g.max_nodes = 1;
    g.lnc = 1;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(cl, c, &g, NULL), 0);
    g.name = "lnc2";
    g.lnc = 0;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(cl, c, &g, NULL), 1);
    g.name = "inf2";
    g.type = "inf2.xlarge";
    g.lnc = 2;
    ck_assert_fails(NCG_E_RANGE, "node group inf2: lnc 2: inf2.xlarge has no Logical NeuronCore setting (its 2 "
                    "NeuronCores per chip are physical cores)", ncg_cluster_add_nodegroup(cl, c, &g, &err));
    g.lnc = 0;
    ck_assert_int_eq(ncg_cluster_add_nodegroup(cl, c, &g, NULL), 2);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(cl, 0, &got, &t, NULL), 0);
    ck_assert_int_eq(got.lnc, 1);
    ck_assert_int_eq(t.lnc, 1);
    ck_assert_int_eq(t.cores_per_chip, 8);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(cl, 1, &got, NULL, NULL), 0);
    ck_assert_int_eq(got.lnc, 2);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(cl, 2, &got, NULL, NULL), 0);
    ck_assert_int_eq(got.lnc, 0);
    ck_assert_int_eq(ncg_cluster_add_node(cl, "a", "lnc1", NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(cl, "b", "lnc2", NULL), 1);
    /* a request compiled for LNC=2 goes to the LNC=2 node group only */
    ncg_request_init(&r);
    r.inf = 1;
    r.lnc = 2;
    ck_assert_int_eq(ncg_cluster_place(cl, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "b");
    r.lnc = 1;
    ck_assert_int_eq(ncg_cluster_place(cl, &r, NULL, 0, &pl, NULL), 0);
    ck_assert_str_eq(pl.node, "a");
    ck_assert_int_eq(ncg_cluster_get_node(cl, 0, &node, NULL, NULL, NULL), 0);
    ck_assert_int_eq(ncg_node_get_env(node, pl.alloc_id, 0, &e, NULL), 0);
    ck_assert_str_eq(e.visible_cores, "0-7");
    ck_assert_str_eq(e.logical_nc_config, "1");
    /* restart: the dump keeps the setting */
    len = ncg_cluster_dump(cl, NULL, 0, NULL);
    text = malloc((size_t)len + 1);
    ncg_cluster_dump(cl, text, (size_t)len + 1, NULL);
    ck_assert_msg(strstr(text, " 0 0 1 4\nnodegroup lnc2 ") != NULL, "%s", text);
    back = ncg_cluster_restore(text, 0, NULL);
    ck_assert_ptr_nonnull(back);
    again = malloc((size_t)len + 1);
    ck_assert_int_eq(ncg_cluster_dump(back, again, (size_t)len + 1, NULL), len);
    ck_assert_str_eq(again, text);
    ck_assert_int_eq(ncg_cluster_get_nodegroup(back, 0, &got, NULL, NULL), 0);
    ck_assert_int_eq(got.lnc, 1);
    free(again);
    free(text);
    ncg_cluster_free(back);
    ncg_cluster_free(cl);
    ncg_catalog_free(c);
}
END_TEST

/* Trainium2's banks: with LNC=2 every logical core has a bank of its own, so four 1-core NCGs of a chip do not
 * share memory; with LNC=1 two cores share each bank. */
START_TEST(hbm_banks_are_shared_by_the_cores_they_serve)
{
    ncg_catalog *c;
    ncg_node *node = trn2_node(&c);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ncg_core_group_ref refs[8];
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r;
    const int64_t bank = INT64_C(24384) << 20; /* (96 GiB - 8 x 96 MiB reserve) / 4 */

    ncg_request_init(&r);
    r.inf = 1;
    r.ppr = 4;
    m.bytes = INT64_C(20) << 30;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, a.id, 1, &gc, refs, 8, NULL), 0);
    ck_assert_int_eq(gc.reachable_bytes, bank);
    ck_assert_int_eq(gc.share_bytes, bank);
    ck_assert_int_eq(gc.state, NCG_CACHE_FITS);
    ck_assert_int_eq(ncg_node_get_chip_cache(node, 0, &cc, NULL), 0);
    ck_assert_int_eq(cc.used_bytes, INT64_C(80) << 30);
    ck_assert_int_eq(cc.core_groups, 4);
    ck_assert_int_eq(cc.free_bytes, 4 * bank - (INT64_C(80) << 30));
    ncg_node_free(node);

    /* LNC=1: eight 1-core NCGs, two per bank: 40 GiB on a 23.8 GiB bank */
    node = ncg_node_new(c, "trn2.48xlarge", 0, NULL);
    ck_assert_int_eq(ncg_node_set_lnc(node, 1, NULL), 0);
    r.ppr = 8;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, a.id, 2, &gc, refs, 8, NULL), 1);
    ck_assert_int_eq(refs[0].process, 3);
    ck_assert_int_eq(gc.reachable_bytes, bank);
    ck_assert_int_eq(gc.share_bytes, bank / 2);
    ck_assert_int_eq(gc.state, NCG_CACHE_SWAPS);
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

/* AWS's deploy/tutorials/build-run-container.rst: on inf1.24xlarge "core 51 is in device 12 and 52 is in device 13";
 * a process given those two cores holds both devices. */
START_TEST(aws_example_cores_51_and_52_span_devices_12_and_13)
{
    ncg_catalog *c = ncg_catalog_new(0, NULL);
    ncg_node *node = ncg_node_new(c, "inf1.24xlarge", 0, NULL);
    const char *cores[] = {"51,52"};
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_adopt(node, NULL, NULL, cores, 1, &a, NULL), 0);
    ck_assert_int_eq(a.first_chip, 12);
    ck_assert_int_eq(a.chip_count, 2);
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

NCG_SUITE(lnc)
{
    Suite *s = suite_create("lnc");
    TCase *t = add_tcase(s, "vectors");
    add_loop_test(t, lnc_vector_row, 0, data_rows(LNC_TSV));
    add_test(t, lnc_vectors_cover_every_type_and_setting);
    t = add_tcase(s, "setting");
    add_test(t, trn2_runs_lnc_2_by_default);
    add_test(t, a_request_for_another_setting_is_refused_naming_both);
    add_test(t, set_lnc_checks_the_node_and_the_value);
    add_test(t, nodegroup_lnc_decides_its_nodes_cores_and_survives_a_restart);
    add_test(t, hbm_banks_are_shared_by_the_cores_they_serve);
    add_test(t, aws_example_cores_51_and_52_span_devices_12_and_13);
    return s;
}

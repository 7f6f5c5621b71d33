/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

/* Two NCGs of 2 cores share one inf1 chip: per-chip and per-NCG accounting, and the three states. */
START_TEST(shared_chip)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_node *node = ncg_node_new(c, "inf1.xlarge", NULL);
    ncg_model m = {.name = "bert", .bytes = 3 * GIB, .compiled_cores = 2, .static_weights = 0};
    ncg_request r;
    ncg_chip_cache cc;
    ncg_group_cache gc;
    ncg_group_ref refs[4];
    int id;
    ncg_request_init(&r);
    r.inf = 1;
    r.ppr = 2;
    r.models = &m;
    r.model_count = 1;
    id = ncg_node_allocate(node, &r, NULL, NULL);
    ck_assert_int_eq(ncg_node_chip_cache(node, 0, &cc, NULL), 0);
    ck_assert_int_eq(cc.capacity_bytes, 8 * GIB);
    ck_assert_int_eq(cc.reserve_bytes, 4 * 96 * MIB);
    ck_assert_int_eq(cc.used_bytes, 6 * GIB);
    ck_assert_int_eq(cc.free_bytes, 8 * GIB - 384 * MIB - 6 * GIB);
    ck_assert_int_eq(cc.groups, 2);
    ck_assert_int_eq(ncg_node_group_cache(node, (uint32_t)id, 1, &gc, refs, 4, NULL), 1);
    ck_assert_int_eq(refs[0].alloc_id, (uint32_t)id);
    ck_assert_int_eq(refs[0].process, 0);
    ck_assert_int_eq(gc.reachable_bytes, 8 * GIB - 384 * MIB);
    ck_assert_int_eq(gc.share_bytes, (8 * GIB - 384 * MIB) / 2);
    ck_assert_int_eq(gc.need_bytes, 3 * GIB);
    ck_assert_int_eq(gc.state, NCG_CACHE_FITS);
    ncg_node_free(node);

    /* 4 GiB each: the chip is overcommitted; without static weights the models are context-switched */
    node = ncg_node_new(c, "inf1.xlarge", NULL);
    m.bytes = 4 * GIB;
    id = ncg_node_allocate(node, &r, NULL, NULL);
    ncg_node_group_cache(node, (uint32_t)id, 0, &gc, NULL, 0, NULL);
    ck_assert_int_eq(gc.state, NCG_CACHE_SWAPS);
    ck_assert_str_eq(ncg_cache_state_name(gc.state), "context-switched");
    ncg_node_free(node);

    node = ncg_node_new(c, "inf1.xlarge", NULL);
    m.static_weights = 1;
    id = ncg_node_allocate(node, &r, NULL, NULL);
    ncg_node_group_cache(node, (uint32_t)id, 0, &gc, NULL, 0, NULL);
    ck_assert_int_eq(gc.state, NCG_CACHE_NO_FIT);
    ck_assert_fails(NCG_E_NOT_FOUND, "chip 1 is out of range for inf1.xlarge (1 chips)",
                    ncg_node_chip_cache(node, 1, &cc, &err));
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(runtime_reserve_setting)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_reserve res;
    ncg_node *node;
    ncg_chip_cache cc;
    ncg_catalog_get_reserve(c, &res, NULL);
    res.runtime_bytes_per_core = 0;
    ncg_catalog_set_reserve(c, &res, NULL);
    node = ncg_node_new(c, "trn2.48xlarge", NULL);
    ncg_node_chip_cache(node, 15, &cc, NULL);
    ck_assert_int_eq(cc.reserve_bytes, 0);
    ck_assert_int_eq(cc.free_bytes, 96 * GIB);
    ncg_node_free(node);
    res.runtime_bytes_per_core = 96 * MIB;
    ncg_catalog_set_reserve(c, &res, NULL);
    node = ncg_node_new(c, "trn2.48xlarge", NULL);
    ncg_node_chip_cache(node, 0, &cc, NULL);
    ck_assert_int_eq(cc.reserve_bytes, 8 * 96 * MIB); /* 8 physical cores per trn2 chip */
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

Suite *suite_cache(void)
{
    Suite *s = suite_create("cache");
    TCase *t = tcase_create("cache");
    tcase_add_test(t, shared_chip);
    tcase_add_test(t, runtime_reserve_setting);
    suite_add_tcase(s, t);
    return s;
}

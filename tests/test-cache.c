/* SPDX-License-Identifier: Apache-2.0 */
/* Device memory ("cache") accounting: per chip and per NCG, the three states, the runtime reserve. */
#include "test-common.h"

/* One inf1.xlarge replica with 2 processes (NCGs of 2 cores sharing the one chip), each loading one model. */
static ncg_node *shared_chip_node(int64_t bytes, int static_weights)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(1, 2);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    m.name = "bert";
    m.bytes = bytes;
    m.compiled_cores = 2;
    m.static_weights = static_weights;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_uint_eq(a.id, 1);
    return node;
}

START_TEST(chip_cache_counts_both_ncgs_of_the_chip)
{
    ncg_node *node = shared_chip_node(3 * GIB, 0);
    ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
    ck_assert_int_eq(ncg_node_get_chip_cache(node, 0, &cc, NULL), 0);
    ck_assert_uint_eq(cc.size, sizeof(ncg_chip_cache));
    ck_assert_int_eq(cc.chip, 0);
    ck_assert_int_eq(cc.capacity_bytes, 8 * GIB);
    ck_assert_int_eq(cc.reserve_bytes, 4 * 96 * MIB);
    ck_assert_int_eq(cc.used_bytes, 6 * GIB);
    ck_assert_int_eq(cc.free_bytes, 8 * GIB - 384 * MIB - 6 * GIB);
    ck_assert_int_eq(cc.core_groups, 2);
    ncg_node_free(node);
}
END_TEST

START_TEST(core_group_cache_reports_share_and_partner)
{
    ncg_node *node = shared_chip_node(3 * GIB, 0);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ncg_core_group_ref refs[4];
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, 1, 1, &gc, refs, 4, NULL), 1);
    ck_assert_uint_eq(refs[0].alloc_id, 1);
    ck_assert_int_eq(refs[0].process, 0);
    ck_assert_int_eq(gc.core_group.process, 1);
    ck_assert_int_eq(gc.core_group.first_core, 2);
    ck_assert_int_eq(gc.core_group.core_count, 2);
    ck_assert_int_eq(gc.reachable_bytes, 8 * GIB - 384 * MIB);
    ck_assert_int_eq(gc.share_bytes, (8 * GIB - 384 * MIB) / 2);
    ck_assert_int_eq(gc.need_bytes, 3 * GIB);
    ck_assert_int_eq(gc.shared_with, 1);
    ck_assert_int_eq(gc.state, NCG_CACHE_FITS);
    ncg_node_free(node);
}
END_TEST

/* 4 GiB each: the chip is overcommitted; without static weights the models are context-switched. */
START_TEST(core_group_cache_swaps_when_overcommitted)
{
    ncg_node *node = shared_chip_node(4 * GIB, 0);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, 1, 0, &gc, NULL, 0, NULL), 1);
    ck_assert_int_eq(gc.state, NCG_CACHE_SWAPS);
    ck_assert_str_eq(ncg_cache_state_name(gc.state), "context-switched");
    ncg_node_free(node);
}
END_TEST

START_TEST(core_group_cache_static_weights_do_not_fit)
{
    ncg_node *node = shared_chip_node(4 * GIB, 1);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, 1, 0, &gc, NULL, 0, NULL), 1);
    ck_assert_int_eq(gc.state, NCG_CACHE_NO_FIT);
    ncg_node_free(node);
}
END_TEST

START_TEST(chip_cache_rejects_missing_chip)
{
    ncg_node *node = shared_chip_node(GIB, 0);
    ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
    ck_assert_fails(NCG_E_NOT_FOUND, "chip 1 is out of range for inf1.xlarge (1 chips)",
                    ncg_node_get_chip_cache(node, 1, &cc, &err));
    ck_assert_int_eq(cc.capacity_bytes, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(chip_cache_rejects_size_zero)
{
    ncg_node *node = shared_chip_node(GIB, 0);
    ncg_chip_cache cc;
    memset(&cc, 0, sizeof(cc));
    ck_assert_rejects_size(ncg_chip_cache, 0, ncg_node_get_chip_cache(node, 0, &cc, &err));
    ck_assert_int_eq(cc.capacity_bytes, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(core_group_cache_rejects_size_zero)
{
    ncg_node *node = shared_chip_node(GIB, 0);
    ncg_core_group_cache gc;
    ncg_core_group_ref refs[2];
    memset(&gc, 0, sizeof(gc));
    fill_sentinel(refs, sizeof(refs));
    ck_assert_rejects_size(ncg_core_group_cache, 0, ncg_node_get_core_group_cache(node, 1, 0, &gc, refs, 2, &err));
    ck_assert_int_eq(gc.need_bytes, 0);
    ck_assert_untouched(refs, sizeof(refs));
    ncg_node_free(node);
}
END_TEST

/* The buffer rule for the shares; the NCG's own figures are written either way. */
START_TEST(core_group_cache_small_shares_untouched_out_written)
{
    ncg_node *node = shared_chip_node(3 * GIB, 0);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ncg_core_group_ref refs[2];
    fill_sentinel(refs, sizeof(refs));
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, 1, 0, &gc, refs, 0, NULL), 1);
    ck_assert_untouched(refs, sizeof(refs));
    ck_assert_int_eq(gc.need_bytes, 3 * GIB);
    ck_assert_int_eq(gc.shared_with, 1);
    ncg_node_free(node);
}
END_TEST

START_TEST(core_group_cache_rejects_missing_process)
{
    ncg_node *node = shared_chip_node(GIB, 0);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ck_assert_fails(NCG_E_NOT_FOUND, "allocation 1 has no NeuronCore Group 2",
                    ncg_node_get_core_group_cache(node, 1, 2, &gc, NULL, 0, &err));
    ck_assert_int_eq(gc.need_bytes, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(core_group_cache_rejects_unknown_allocation)
{
    ncg_node *node = shared_chip_node(GIB, 0);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 4294967297 on this inf1.xlarge node",
                    ncg_node_get_core_group_cache(node, (UINT64_C(1) << 32) + 1, 0, &gc, NULL, 0, &err));
    ncg_node_free(node);
}
END_TEST

/* Two replicas of one chip each on inf1.6xlarge share no chip. */
START_TEST(core_group_cache_of_separate_chips_shares_nothing)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, 2, 0, &gc, NULL, 0, NULL), 0);
    ck_assert_int_eq(gc.shared_with, 0);
    ck_assert_int_eq(gc.share_bytes, gc.reachable_bytes);
    ncg_node_free(node);
}
END_TEST

START_TEST(runtime_reserve_zero_frees_whole_chip)
{
    ncg_catalog *c = test_catalog();
    ncg_reserve res = NCG_INIT(ncg_reserve);
    ncg_node *node;
    ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
    ncg_catalog_get_reserve(c, &res, NULL);
    res.runtime_bytes_per_core = 0;
    ck_assert_int_eq(ncg_catalog_set_reserve(c, &res, NULL), 0);
    node = ncg_node_new(c, "trn2.48xlarge", 0, NULL);
    ck_assert_int_eq(ncg_node_get_chip_cache(node, 15, &cc, NULL), 0);
    ck_assert_int_eq(cc.reserve_bytes, 0);
    ck_assert_int_eq(cc.free_bytes, 96 * GIB);
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

/* trn2 shows 4 cores per chip but has 8 physical ones: the reserve counts physical cores. */
START_TEST(runtime_reserve_counts_physical_cores)
{
    ncg_node *node = test_node("trn2.48xlarge");
    ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
    ck_assert_int_eq(ncg_node_get_chip_cache(node, 0, &cc, NULL), 0);
    ck_assert_int_eq(cc.reserve_bytes, 8 * 96 * MIB);
    ncg_node_free(node);
}
END_TEST

START_TEST(cache_state_names)
{
    ck_assert_str_eq(ncg_cache_state_name(NCG_CACHE_FITS), "fits");
    ck_assert_str_eq(ncg_cache_state_name(NCG_CACHE_SWAPS), "context-switched");
    ck_assert_str_eq(ncg_cache_state_name(NCG_CACHE_NO_FIT), "does not fit");
    ck_assert_ptr_null(ncg_cache_state_name((ncg_cache_state)3));
}
END_TEST

START_TEST(null_node_is_invalid)
{
    ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    ck_assert_int_eq(ncg_node_get_chip_cache(NULL, 0, &cc, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_get_core_group_cache(NULL, 1, 0, &gc, NULL, 0, NULL), NCG_E_INVALID);
}
END_TEST

/* A type whose chips hold 7 EiB each: sums over its chips saturate instead of overflowing, and a 1 GiB model
 * still fits (issue 13: signed overflow gave wrong verdicts). */
START_TEST(huge_device_memory_saturates_and_fits)
{
    ncg_catalog *cat = ncg_catalog_new(NCG_CATALOG_EMPTY, NULL);
    ncg_type t = NCG_INIT(ncg_type);
    ncg_node *node;
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(2, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_core_group g;
    ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
    t.name = "big.chips";
    t.accelerator = NCG_ACCEL_INFERENTIA;
    t.chips = 2;
    t.cores_per_chip = 4;
    t.device_memory_bytes = INT64_C(7) << 60;
    t.cpu_milli = 8000;
    t.memory_bytes = 32 * GIB;
    t.topology = NCG_TOPOLOGY_CHAIN;
    ck_assert_int_eq(ncg_catalog_set_type(cat, &t, NULL), 0);
    node = ncg_node_new(cat, "big.chips", 0, NULL);
    m.name = "m";
    m.bytes = GIB;
    m.static_weights = 1;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_int_eq(ncg_node_get_core_groups(node, a.id, &g, 1, NULL), 1);
    ck_assert_int_eq(g.cache_bytes, INT64_MAX);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, a.id, 0, &gc, NULL, 0, NULL), 0);
    ck_assert_int_eq(gc.reachable_bytes, INT64_MAX);
    ck_assert_int_eq(gc.state, NCG_CACHE_FITS);
    ncg_node_free(node);
    ncg_catalog_free(cat);
}
END_TEST

NCG_SUITE(cache)
{
    Suite *s = suite_create("cache");
    TCase *t = add_tcase(s, "chip");
    add_test(t, chip_cache_counts_both_ncgs_of_the_chip);
    add_test(t, huge_device_memory_saturates_and_fits);
    add_test(t, chip_cache_rejects_missing_chip);
    add_test(t, chip_cache_rejects_size_zero);
    add_test(t, runtime_reserve_zero_frees_whole_chip);
    add_test(t, runtime_reserve_counts_physical_cores);
    t = add_tcase(s, "core-group");
    add_test(t, core_group_cache_reports_share_and_partner);
    add_test(t, core_group_cache_swaps_when_overcommitted);
    add_test(t, core_group_cache_static_weights_do_not_fit);
    add_test(t, core_group_cache_rejects_size_zero);
    add_test(t, core_group_cache_small_shares_untouched_out_written);
    add_test(t, core_group_cache_rejects_missing_process);
    add_test(t, core_group_cache_rejects_unknown_allocation);
    add_test(t, core_group_cache_of_separate_chips_shares_nothing);
    add_test(t, cache_state_names);
    add_test(t, null_node_is_invalid);
    return s;
}

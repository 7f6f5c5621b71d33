/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: whole-chip windows (src/model/window.c through model/model.h) on every topology, both policies, up to 64
 * chips. Masks have bit i set when chip i is free. */
#include "test-common.h"

#include "model/model.h"

#define ALL(n) ncg_window_mask(0, (n))
#define CHIP(i) (UINT64_C(1) << (i))

START_TEST(mask_of_one_chip)
{
    ck_assert_uint_eq(ncg_window_mask(0, 1), 1);
    ck_assert_uint_eq(ncg_window_mask(5, 1), 0x20);
}
END_TEST

START_TEST(mask_of_a_run)
{
    ck_assert_uint_eq(ncg_window_mask(3, 2), 0x18);
    ck_assert_uint_eq(ncg_window_mask(4, 4), 0xf0);
}
END_TEST

START_TEST(mask_of_64_chips_is_all_ones)
{
    ck_assert_uint_eq(ncg_window_mask(0, 64), UINT64_MAX);
}
END_TEST

START_TEST(mask_reaches_chip_63)
{
    ck_assert_uint_eq(ncg_window_mask(63, 1), UINT64_C(1) << 63);
    ck_assert_uint_eq(ncg_window_mask(60, 4), UINT64_C(0xf000000000000000));
}
END_TEST

START_TEST(mask_of_no_chip_is_empty)
{
    ck_assert_uint_eq(ncg_window_mask(0, 0), 0);
}
END_TEST

static const struct {
    ncg_topology topology;
    int chips, count;
    bool valid;
} sizes[] = {
    {NCG_TOPOLOGY_SINGLE, 1, 1, true},      {NCG_TOPOLOGY_SINGLE, 1, 0, false},
    {NCG_TOPOLOGY_SINGLE, 1, 2, false},     {NCG_TOPOLOGY_CHAIN, 4, 1, true},
    {NCG_TOPOLOGY_CHAIN, 4, 3, true},       {NCG_TOPOLOGY_CHAIN, 4, 4, true},
    {NCG_TOPOLOGY_CHAIN, 4, 5, false},      {NCG_TOPOLOGY_CHAIN, 4, 0, false},
    {NCG_TOPOLOGY_CHAIN, 4, -1, false},     {NCG_TOPOLOGY_RING, 12, 7, true},
    {NCG_TOPOLOGY_RING, 12, 12, true},      {NCG_TOPOLOGY_RING, 12, 13, false},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 1, true},  {NCG_TOPOLOGY_TORUS_4X4, 16, 4, true},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 8, true},  {NCG_TOPOLOGY_TORUS_4X4, 16, 16, true},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 2, false}, {NCG_TOPOLOGY_TORUS_4X4, 16, 3, false},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 7, false}, {NCG_TOPOLOGY_TORUS_4X4, 16, 12, false},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 15, false}, {NCG_TOPOLOGY_TORUS_4X4, 16, 17, false},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 0, false}, {NCG_TOPOLOGY_CHAIN, 64, 64, true},
    {NCG_TOPOLOGY_CHAIN, 64, 65, false},    {NCG_TOPOLOGY_RING, 64, 63, true},
};

/* Row _i: is a window of that many chips ever valid on the topology? */
/* The chip and core masks are counted by ncg_popcount64 (bit-parallel where the CPU has no popcnt by default). */
START_TEST(popcount_counts_every_bit)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    ck_assert_int_eq(ncg_popcount64(0), 0);
    ck_assert_int_eq(ncg_popcount64(~UINT64_C(0)), 64);
    ck_assert_int_eq(ncg_popcount64(UINT64_C(1) << 63), 1);
    for (int i = 0; i < 10000; i++) {
        int want = 0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (int b = 0; b < 64; b++)
            want += (int)((x >> b) & 1);
        ck_assert_int_eq(ncg_popcount64(x), want);
        ck_assert_int_eq(ncg_popcount64(x & (x - 1)), want - (x != 0));
    }
}
END_TEST

START_TEST(size_valid_row)
{
    ck_assert_msg(ncg_window_size_valid(sizes[_i].topology, sizes[_i].chips, sizes[_i].count) == sizes[_i].valid,
                  "%s with %d chips, window of %d: expected %s", ncg_topology_name(sizes[_i].topology),
                  sizes[_i].chips, sizes[_i].count, sizes[_i].valid ? "valid" : "invalid");
}
END_TEST

static const struct {
    ncg_topology topology;
    int chips, first, count;
    bool valid;
} positions[] = {
    {NCG_TOPOLOGY_SINGLE, 1, 0, 1, true},       {NCG_TOPOLOGY_SINGLE, 1, 1, 1, false},
    {NCG_TOPOLOGY_CHAIN, 4, 1, 3, true},        {NCG_TOPOLOGY_CHAIN, 4, 2, 3, false},
    {NCG_TOPOLOGY_CHAIN, 4, -1, 1, false},      {NCG_TOPOLOGY_RING, 12, 10, 2, true},
    {NCG_TOPOLOGY_RING, 12, 11, 2, false},      {NCG_TOPOLOGY_TORUS_4X4, 16, 4, 4, true},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 2, 4, false},  {NCG_TOPOLOGY_TORUS_4X4, 16, 8, 8, true},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 4, 8, false},  {NCG_TOPOLOGY_TORUS_4X4, 16, 0, 16, true},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 5, 1, true},   {NCG_TOPOLOGY_TORUS_4X4, 16, 15, 1, true},
    {NCG_TOPOLOGY_TORUS_4X4, 16, 16, 1, false}, {NCG_TOPOLOGY_TORUS_4X4, 16, 1, 2, false},
    {NCG_TOPOLOGY_CHAIN, 64, 0, 64, true},      {NCG_TOPOLOGY_CHAIN, 64, 63, 1, true},
    {NCG_TOPOLOGY_CHAIN, 64, 63, 2, false},
};

/* Row _i: is the window [first, first+count) a valid position? (rings never wrap, the torus aligns) */
START_TEST(valid_at_row)
{
    ck_assert_msg(ncg_window_valid_at(positions[_i].topology, positions[_i].chips, positions[_i].first,
                                      positions[_i].count) == positions[_i].valid,
                  "%s with %d chips, window %d+%d: expected %s", ncg_topology_name(positions[_i].topology),
                  positions[_i].chips, positions[_i].first, positions[_i].count,
                  positions[_i].valid ? "valid" : "invalid");
}
END_TEST

static const struct {
    const char *what;
    ncg_topology topology;
    int chips;
    uint64_t free;
    int count;
    int first_fit, pack; /* expected first chip (-1: none) per policy */
} finds[] = {
    {"single chip free", NCG_TOPOLOGY_SINGLE, 1, 1, 1, 0, 0},
    {"single chip busy", NCG_TOPOLOGY_SINGLE, 1, 0, 1, -1, -1},
    {"chain with chip 1 busy, 2 chips", NCG_TOPOLOGY_CHAIN, 4, 0xd, 2, 2, 2},
    {"chain with chip 1 busy, 3 chips", NCG_TOPOLOGY_CHAIN, 4, 0xd, 3, -1, -1},
    {"chain larger than the node", NCG_TOPOLOGY_CHAIN, 4, 0xf, 5, -1, -1},
    {"chain of 16, runs 0-1 and 5-15, 1 chip", NCG_TOPOLOGY_CHAIN, 16, 0x3 | 0xffe0, 1, 0, 0},
    {"chain of 16, runs 0-1 and 5-15, 2 chips", NCG_TOPOLOGY_CHAIN, 16, 0x3 | 0xffe0, 2, 0, 0},
    {"chain of 16, runs 0-1 and 5-15, 3 chips", NCG_TOPOLOGY_CHAIN, 16, 0x3 | 0xffe0, 3, 5, 5},
    {"chain of 16, runs 0-5 and 8-9, 2 chips", NCG_TOPOLOGY_CHAIN, 16, 0x3f | 0x300, 2, 0, 8},
    {"chain of 16, runs 0-3 and 6, 1 chip", NCG_TOPOLOGY_CHAIN, 16, 0xf | 0x40, 1, 0, 6},
    {"chain of 16, equal runs 0-1 and 4-5, 1 chip", NCG_TOPOLOGY_CHAIN, 16, 0x3 | 0x30, 1, 0, 0},
    {"ring of 6, runs 0-3 and 5, 1 chip", NCG_TOPOLOGY_RING, 6, 0xf | 0x20, 1, 0, 5},
    {"ring of 6, runs 0-3 and 5, 4 chips", NCG_TOPOLOGY_RING, 6, 0xf | 0x20, 4, 0, 0},
    {"ring of 12, 10-11 and 0-1 free, 4 chips do not wrap", NCG_TOPOLOGY_RING, 12, 0xc03, 4, -1, -1},
    {"ring of 12, 10-11 and 0-1 free, 2 chips", NCG_TOPOLOGY_RING, 12, 0xc03, 2, 0, 0},
    {"ring of 12, chips 1-10 busy, 2 chips", NCG_TOPOLOGY_RING, 12, 0x801, 2, -1, -1},
    {"ring of 12, chips 0-9 busy, 2 chips", NCG_TOPOLOGY_RING, 12, 0xc00, 2, 10, 10},
    {"torus all free, 1 chip", NCG_TOPOLOGY_TORUS_4X4, 16, 0xffff, 1, 0, 0},
    {"torus all free, 16 chips", NCG_TOPOLOGY_TORUS_4X4, 16, 0xffff, 16, 0, 0},
    {"torus chip 0 busy, 16 chips", NCG_TOPOLOGY_TORUS_4X4, 16, 0xfffe, 16, -1, -1},
    {"torus chip 0 busy, 1 chip", NCG_TOPOLOGY_TORUS_4X4, 16, 0xfffe, 1, 1, 1},
    {"torus chip 3 busy, 1 chip", NCG_TOPOLOGY_TORUS_4X4, 16, 0xfff7, 1, 0, 0},
    {"torus chip 4 busy, 1 chip", NCG_TOPOLOGY_TORUS_4X4, 16, 0xffef, 1, 0, 5},
    {"torus chip 0 busy, 4 chips", NCG_TOPOLOGY_TORUS_4X4, 16, 0xfffe, 4, 4, 4},
    {"torus chip 12 busy, 4 chips", NCG_TOPOLOGY_TORUS_4X4, 16, 0xefff, 4, 0, 8},
    {"torus chip 7 busy, 8 chips", NCG_TOPOLOGY_TORUS_4X4, 16, 0xff7f, 8, 8, 8},
    {"torus chips 7 and 13 busy, 8 chips", NCG_TOPOLOGY_TORUS_4X4, 16, 0xdf7f, 8, -1, -1},
    {"torus chips 2-5 free, 4 chips unaligned", NCG_TOPOLOGY_TORUS_4X4, 16, 0x3c, 4, -1, -1},
    {"torus all free, 2 chips never valid", NCG_TOPOLOGY_TORUS_4X4, 16, 0xffff, 2, -1, -1},
    {"64 chips all free, 64 chips", NCG_TOPOLOGY_CHAIN, 64, UINT64_MAX, 64, 0, 0},
    {"64 chips, chip 63 busy, 64 chips", NCG_TOPOLOGY_CHAIN, 64, UINT64_MAX >> 1, 64, -1, -1},
    {"64 chips, chip 0 busy, 63 chips", NCG_TOPOLOGY_CHAIN, 64, UINT64_MAX << 1, 63, 1, 1},
    {"64 chips, only chip 63 free, 1 chip", NCG_TOPOLOGY_CHAIN, 64, UINT64_C(1) << 63, 1, 63, 63},
    {"64 chips, runs 0-1 and 60-63, 2 chips", NCG_TOPOLOGY_CHAIN, 64, 0x3 | UINT64_C(0xf000000000000000), 2, 0, 0},
    {"64 chips, runs 0-2 and 62-63, 2 chips", NCG_TOPOLOGY_RING, 64, 0x7 | UINT64_C(0xc000000000000000), 2, 0, 62},
    {"64 chips, runs 0-1 and 60-63, 3 chips", NCG_TOPOLOGY_CHAIN, 64, 0x3 | UINT64_C(0xf000000000000000), 3, 60, 60},
    {"64 chips, runs 0-1 and 60-63, 5 chips", NCG_TOPOLOGY_CHAIN, 64, 0x3 | UINT64_C(0xf000000000000000), 5, -1, -1},
};

/* Row _i under NCG_POLICY_FIRST_FIT: the lowest valid window. */
START_TEST(find_first_fit_row)
{
    int got = ncg_window_find(finds[_i].topology, finds[_i].chips, finds[_i].free, finds[_i].count,
                              NCG_POLICY_FIRST_FIT);
    ck_assert_msg(got == finds[_i].first_fit, "%s: first-fit chose %d, expected %d", finds[_i].what, got,
                  finds[_i].first_fit);
}
END_TEST

/* Row _i under NCG_POLICY_PACK: the window in the smallest free region that holds it, lowest first. */
START_TEST(find_pack_row)
{
    int got = ncg_window_find(finds[_i].topology, finds[_i].chips, finds[_i].free, finds[_i].count, NCG_POLICY_PACK);
    ck_assert_msg(got == finds[_i].pack, "%s: pack chose %d, expected %d", finds[_i].what, got, finds[_i].pack);
}
END_TEST

/* Whatever either policy picks is a valid, fully free window. */
START_TEST(find_result_is_valid_and_free)
{
    for (int policy = 0; policy < 2; policy++) {
        int got = ncg_window_find(finds[_i].topology, finds[_i].chips, finds[_i].free, finds[_i].count,
                                  (ncg_policy)policy);
        if (got < 0)
            continue;
        ck_assert(ncg_window_valid_at(finds[_i].topology, finds[_i].chips, got, finds[_i].count));
        ck_assert_uint_eq(ncg_window_mask(got, finds[_i].count) & ~finds[_i].free, 0);
    }
}
END_TEST

static const struct {
    const char *what;
    ncg_topology topology;
    int chips;
    uint64_t free;
    int largest;
} largest[] = {
    {"single free", NCG_TOPOLOGY_SINGLE, 1, 1, 1},
    {"single busy", NCG_TOPOLOGY_SINGLE, 1, 0, 0},
    {"chain, chip 1 busy", NCG_TOPOLOGY_CHAIN, 4, 0xd, 2},
    {"chain, all busy", NCG_TOPOLOGY_CHAIN, 16, 0, 0},
    {"chain, all free", NCG_TOPOLOGY_CHAIN, 16, 0xffff, 16},
    {"ring, 10-11 and 0-1 free (no wrap)", NCG_TOPOLOGY_RING, 12, 0xc03, 2},
    {"torus, all free", NCG_TOPOLOGY_TORUS_4X4, 16, 0xffff, 16},
    {"torus, chip 0 busy", NCG_TOPOLOGY_TORUS_4X4, 16, 0xfffe, 8},
    {"torus, chips 0 and 8 busy", NCG_TOPOLOGY_TORUS_4X4, 16, 0xfefe, 4},
    {"torus, one busy chip per row", NCG_TOPOLOGY_TORUS_4X4, 16, 0xeeee, 1},
    {"torus, chips 2-5 free (unaligned)", NCG_TOPOLOGY_TORUS_4X4, 16, 0x3c, 1},
    {"torus, chips 0-5 free", NCG_TOPOLOGY_TORUS_4X4, 16, 0x3f, 4},
    {"torus, all busy", NCG_TOPOLOGY_TORUS_4X4, 16, 0, 0},
    {"64 chips, all free", NCG_TOPOLOGY_CHAIN, 64, UINT64_MAX, 64},
    {"64 chips, chip 63 busy", NCG_TOPOLOGY_CHAIN, 64, UINT64_MAX >> 1, 63},
    {"64 chips, every other chip free", NCG_TOPOLOGY_CHAIN, 64, UINT64_C(0x5555555555555555), 1},
    {"64 chips, run 40-63 free", NCG_TOPOLOGY_RING, 64, UINT64_MAX << 40, 24},
};

/* Row _i: the largest valid window that is free. */
START_TEST(largest_row)
{
    int got = ncg_window_largest(largest[_i].topology, largest[_i].chips, largest[_i].free);
    ck_assert_msg(got == largest[_i].largest, "%s: largest %d, expected %d", largest[_i].what, got,
                  largest[_i].largest);
}
END_TEST

/* The largest window is one that find() can place, and one chip more cannot be placed. */
START_TEST(largest_agrees_with_find)
{
    int n = ncg_window_largest(largest[_i].topology, largest[_i].chips, largest[_i].free);
    if (n > 0)
        ck_assert_int_ge(ncg_window_find(largest[_i].topology, largest[_i].chips, largest[_i].free, n,
                                         NCG_POLICY_FIRST_FIT), 0);
    for (int k = n + 1; k <= largest[_i].chips; k++)
        ck_assert_int_eq(ncg_window_find(largest[_i].topology, largest[_i].chips, largest[_i].free, k,
                                         NCG_POLICY_FIRST_FIT), -1);
}
END_TEST

/* Exhaustively on a chain of 6: first-fit is the lowest free valid window, for every free mask and count. */
START_TEST(first_fit_is_lowest_on_every_chain_mask)
{
    for (uint64_t free = 0; free < 64; free++)
        for (int count = 1; count <= 6; count++) {
            int want = -1;
            for (int s = 0; s + count <= 6 && want < 0; s++)
                if ((free & ncg_window_mask(s, count)) == ncg_window_mask(s, count))
                    want = s;
            ck_assert_int_eq(ncg_window_find(NCG_TOPOLOGY_CHAIN, 6, free, count, NCG_POLICY_FIRST_FIT), want);
        }
}
END_TEST

/* Exhaustively on the torus rows: every free mask of whole rows and every valid count. */
START_TEST(torus_windows_are_aligned_on_every_row_mask)
{
    static const int counts[] = {4, 8, 16};
    for (unsigned rows = 0; rows < 16; rows++) {
        uint64_t free = 0;
        for (int r = 0; r < 4; r++)
            if (rows & (1u << r))
                free |= ncg_window_mask(4 * r, 4);
        for (size_t k = 0; k < ARRAY_SIZE(counts); k++)
            for (int policy = 0; policy < 2; policy++) {
                int got = ncg_window_find(NCG_TOPOLOGY_TORUS_4X4, 16, free, counts[k], (ncg_policy)policy);
                if (got >= 0) {
                    ck_assert_int_eq(got % counts[k], 0);
                    ck_assert_uint_eq(ncg_window_mask(got, counts[k]) & ~free, 0);
                }
            }
    }
}
END_TEST

/* Topology and chip counts of the built-in types, as the windows see them. */
START_TEST(full_node_window_on_each_builtin_type)
{
    ncg_catalog *c = test_catalog();
    for (int i = 0; i < ncg_catalog_type_count(c); i++) {
        ncg_type t = NCG_INIT(ncg_type);
        ck_assert_int_eq(ncg_catalog_get_type(c, i, &t, NULL), 0);
        ck_assert(ncg_window_size_valid(t.topology, t.chips, t.chips));
        ck_assert_int_eq(ncg_window_find(t.topology, t.chips, ALL(t.chips), t.chips, NCG_POLICY_PACK), 0);
        ck_assert_int_eq(ncg_window_largest(t.topology, t.chips, ALL(t.chips)), t.chips);
        ck_assert_int_eq(ncg_window_largest(t.topology, t.chips, ALL(t.chips) & ~CHIP(0)),
                         t.topology == NCG_TOPOLOGY_TORUS_4X4 ? t.chips / 2 : t.chips - 1);
    }
    ncg_catalog_free(c);
}
END_TEST

NCG_SUITE(window)
{
    Suite *s = suite_create("window");
    TCase *t = add_tcase(s, "mask");
    add_test(t, mask_of_one_chip);
    add_test(t, mask_of_a_run);
    add_test(t, mask_of_64_chips_is_all_ones);
    add_test(t, mask_reaches_chip_63);
    add_test(t, mask_of_no_chip_is_empty);
    add_test(t, popcount_counts_every_bit);
    t = add_tcase(s, "valid");
    add_loop_test(t, size_valid_row, 0, (int)ARRAY_SIZE(sizes));
    add_loop_test(t, valid_at_row, 0, (int)ARRAY_SIZE(positions));
    t = add_tcase(s, "find");
    add_loop_test(t, find_first_fit_row, 0, (int)ARRAY_SIZE(finds));
    add_loop_test(t, find_pack_row, 0, (int)ARRAY_SIZE(finds));
    add_loop_test(t, find_result_is_valid_and_free, 0, (int)ARRAY_SIZE(finds));
    add_test(t, first_fit_is_lowest_on_every_chain_mask);
    add_test(t, torus_windows_are_aligned_on_every_row_mask);
    t = add_tcase(s, "largest");
    add_loop_test(t, largest_row, 0, (int)ARRAY_SIZE(largest));
    add_loop_test(t, largest_agrees_with_find, 0, (int)ARRAY_SIZE(largest));
    add_test(t, full_node_window_on_each_builtin_type);
    return s;
}

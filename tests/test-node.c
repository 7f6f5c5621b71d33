/* SPDX-License-Identifier: Apache-2.0 */
/* Nodes: windows (every topology vector row), policies, allocations with 64-bit ids, adoption, NCGs and env
 * strings, status, deep clones, sized structs, and failed calls that change nothing. */
#include "test-common.h"

#define TOPOLOGY_TSV "neuron/topology_vectors.tsv"

static void range_text(int first, int count, char *buf, size_t size)
{
    ck_assert_int_lt(ncg_format_ids(first, count, 1, buf, size, NULL), (int)size);
}

static ncg_node_status node_status(const ncg_node *node)
{
    ncg_node_status st = NCG_INIT(ncg_node_status);
    ck_assert_int_eq(ncg_node_get_status(node, &st, NULL), 0);
    return st;
}

/* Member by member: padding bytes are not part of a struct's value. */
static void ck_assert_same_status(const ncg_node_status *a, const ncg_node_status *b)
{
    ck_assert_uint_eq(a->size, b->size);
    ck_assert_int_eq(a->chips, b->chips);
    ck_assert_int_eq(a->cores_per_chip, b->cores_per_chip);
    ck_assert_uint_eq(a->free_chip_mask, b->free_chip_mask);
    ck_assert_int_eq(a->free_chips, b->free_chips);
    ck_assert_int_eq(a->free_cores, b->free_cores);
    ck_assert_int_eq(a->largest_window, b->largest_window);
    ck_assert_int_eq(a->cpu_usable_milli, b->cpu_usable_milli);
    ck_assert_int_eq(a->memory_usable_bytes, b->memory_usable_bytes);
    ck_assert_int_eq(a->cpu_free_milli, b->cpu_free_milli);
    ck_assert_int_eq(a->memory_free_bytes, b->memory_free_bytes);
    ck_assert_int_eq(a->hugepages_free_bytes, b->hugepages_free_bytes);
    ck_assert_int_eq(a->allocations, b->allocations);
    ck_assert_int_eq(a->policy, b->policy);
}

static void ck_assert_same_alloc(const ncg_alloc *a, const ncg_alloc *b)
{
    ck_assert_uint_eq(a->size, b->size);
    ck_assert_uint_eq(a->id, b->id);
    ck_assert_int_eq(a->whole_chips, b->whole_chips);
    ck_assert_int_eq(a->first_chip, b->first_chip);
    ck_assert_int_eq(a->chip_count, b->chip_count);
    ck_assert_int_eq(a->first_core, b->first_core);
    ck_assert_int_eq(a->core_count, b->core_count);
    ck_assert_int_eq(a->ppr, b->ppr);
    ck_assert_int_eq(a->ncg_size, b->ncg_size);
    ck_assert_int_eq(a->cpu_milli, b->cpu_milli);
    ck_assert_int_eq(a->memory_bytes, b->memory_bytes);
    ck_assert_int_eq(a->hugepages_bytes, b->hugepages_bytes);
}

/* Row _i of topology_vectors.tsv under first-fit: whole chips (chips in use adopted first) or cores. */
START_TEST(topology_vector_row)
{
    ncg_catalog *c = test_catalog();
    char line[1024], *fld[8], got[32];
    int n = read_row(TOPOLOGY_TSV, _i, line, sizeof(line), fld, 8);
    ncg_node *node = ncg_node_new(c, fld[0], 0, NULL);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r;
    ncg_error err = {0};
    int rc;
    ck_assert_ptr_nonnull(node);
    ck_assert_int_eq(ncg_node_set_policy(node, NCG_POLICY_FIRST_FIT, NULL), 0);
    ncg_request_init(&r);
    r.cpu_milli = 0;
    if (n == 5) { /* core-granular: type, cores_used, request_cores, expected_cores, chips_now_busy */
        r.neuroncores = atoi(fld[2]);
        ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
        range_text(a.first_core, a.core_count, got, sizeof(got));
        ck_assert_str_eq(got, fld[3]);
        ck_assert_uint_eq(node_status(node).free_chip_mask, 0x8); /* chips 0,1,2 busy */
        ck_assert_str_eq(fld[4], "0,1,2");
    } else {
        ck_assert_int_eq(n, 4);
        if (strcmp(fld[1], "-") != 0) {
            char *save, *tok;
            for (tok = strtok_r(fld[1], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                ncg_alloc adopted = NCG_INIT(ncg_alloc);
                ck_assert_int_eq(ncg_node_adopt(node, NULL, tok, NULL, 0, &adopted, NULL), 0);
            }
        }
        r.inf = atoi(fld[2]);
        rc = ncg_node_allocate(node, &r, &a, &err);
        if (strcmp(fld[3], "none") == 0) {
            ck_assert_int_eq(rc, NCG_E_FULL);
        } else if (strncmp(fld[3], "reject:", 7) == 0) {
            ck_assert_int_lt(rc, 0);
            ck_assert_str_eq(err.message, fld[3] + 7);
        } else {
            ck_assert_int_eq(rc, 0);
            range_text(a.first_chip, a.chip_count, got, sizeof(got));
            ck_assert_str_eq(got, fld[3]);
        }
    }
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(topology_vectors_have_14_rows)
{
    ck_assert_int_eq(data_rows(TOPOLOGY_TSV), 14);
}
END_TEST

/* inf2.24xlarge: 4 chips at 0, 1 at 4, 1 at 5; the 4 and the second 1 are released: chips 0-3 and 5 are free. */
static ncg_node *fragmented_ring(ncg_policy policy)
{
    ncg_node *node = test_node("inf2.24xlarge");
    ncg_alloc a1 = NCG_INIT(ncg_alloc), a2 = NCG_INIT(ncg_alloc), a3 = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_set_policy(node, policy, NULL), 0);
    ck_assert_int_eq(alloc_chips(node, 4, &a1), 0);
    ck_assert_int_eq(alloc_chips(node, 1, &a2), 0);
    ck_assert_int_eq(alloc_chips(node, 1, &a3), 0);
    ck_assert_int_eq(a1.first_chip, 0);
    ck_assert_int_eq(a2.first_chip, 4);
    ck_assert_int_eq(a3.first_chip, 5);
    ck_assert_int_eq(ncg_node_release(node, a1.id, NULL), 0);
    ck_assert_int_eq(ncg_node_release(node, a3.id, NULL), 0);
    return node;
}

START_TEST(pack_takes_chip_outside_free_window)
{
    ncg_node *node = fragmented_ring(NCG_POLICY_PACK);
    ncg_alloc one = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(node, 1, &one), 0);
    ck_assert_int_eq(one.first_chip, 5);
    ncg_node_free(node);
}
END_TEST

START_TEST(pack_keeps_four_chip_window_free)
{
    ncg_node *node = fragmented_ring(NCG_POLICY_PACK);
    ncg_alloc one = NCG_INIT(ncg_alloc), four = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(node, 1, &one), 0);
    ck_assert_int_eq(alloc_chips(node, 4, &four), 0);
    ck_assert_int_eq(four.first_chip, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(first_fit_takes_lowest_chip)
{
    ncg_node *node = fragmented_ring(NCG_POLICY_FIRST_FIT);
    ncg_alloc one = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(node, 1, &one), 0);
    ck_assert_int_eq(one.first_chip, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(first_fit_breaks_four_chip_window)
{
    ncg_node *node = fragmented_ring(NCG_POLICY_FIRST_FIT);
    ncg_alloc one = NCG_INIT(ncg_alloc), four = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(node, 1, &one), 0);
    ck_assert_int_eq(alloc_chips(node, 4, &four), NCG_E_FULL);
    ncg_node_free(node);
}
END_TEST

START_TEST(set_policy_rejects_unknown_policy)
{
    ncg_node *node = test_node("inf1.xlarge");
    ck_assert_fails(NCG_E_INVALID, "policy 7 is not a known ncg_policy",
                    ncg_node_set_policy(node, (ncg_policy)7, &err));
    ck_assert_int_eq(node_status(node).policy, NCG_POLICY_PACK);
    ncg_node_free(node);
}
END_TEST

START_TEST(status_reports_policy)
{
    ncg_node *node = test_node("inf1.xlarge");
    ck_assert_int_eq(node_status(node).policy, NCG_POLICY_PACK);
    ncg_node_set_policy(node, NCG_POLICY_FIRST_FIT, NULL);
    ck_assert_int_eq(node_status(node).policy, NCG_POLICY_FIRST_FIT);
    ncg_node_free(node);
}
END_TEST

START_TEST(status_of_empty_node)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_node_status st = node_status(node);
    ck_assert_uint_eq(st.size, sizeof(ncg_node_status));
    ck_assert_int_eq(st.chips, 4);
    ck_assert_int_eq(st.cores_per_chip, 4);
    ck_assert_uint_eq(st.free_chip_mask, 0xf);
    ck_assert_int_eq(st.free_chips, 4);
    ck_assert_int_eq(st.free_cores, 16);
    ck_assert_int_eq(st.largest_window, 4);
    ck_assert_int_eq(st.cpu_usable_milli, 23190);
    ck_assert_int_eq(st.memory_usable_bytes, 47952 * MIB);
    ck_assert_int_eq(st.cpu_free_milli, 23190);
    ck_assert_int_eq(st.memory_free_bytes, 47952 * MIB);
    ck_assert_int_eq(st.allocations, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(status_counts_an_allocation)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_node_status st;
    ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    st = node_status(node);
    ck_assert_uint_eq(st.free_chip_mask, 0xe);
    ck_assert_int_eq(st.free_chips, 3);
    ck_assert_int_eq(st.free_cores, 12);
    ck_assert_int_eq(st.largest_window, 3);
    ck_assert_int_eq(st.cpu_free_milli, 23190 - 200);
    ck_assert_int_eq(st.allocations, 1);
    ncg_node_free(node);
}
END_TEST

START_TEST(status_rejects_size_zero)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_node_status st;
    memset(&st, 0, sizeof(st));
    ck_assert_rejects_size(ncg_node_status, 0, ncg_node_get_status(node, &st, &err));
    ck_assert_int_eq(st.chips, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_returns_zero_and_first_id_1)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r = chips_request(2, 4);
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_uint_eq(a.size, sizeof(ncg_alloc));
    ck_assert_uint_eq(a.id, 1);
    ck_assert_int_eq(a.whole_chips, 1);
    ck_assert_int_eq(a.first_chip, 0);
    ck_assert_int_eq(a.chip_count, 2);
    ck_assert_int_eq(a.first_core, 0);
    ck_assert_int_eq(a.core_count, 8);
    ck_assert_int_eq(a.ppr, 4);
    ck_assert_int_eq(a.ncg_size, 2);
    ck_assert_int_eq(a.cpu_milli, 200);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_cpu_only_has_no_cores)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r = chips_request(0, 1);
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_int_eq(a.whole_chips, 0);
    ck_assert_int_eq(a.first_chip, -1);
    ck_assert_int_eq(a.first_core, -1);
    ck_assert_int_eq(a.core_count, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocation_ids_are_never_reused)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc), b = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    ck_assert_int_eq(ncg_node_release(node, a.id, NULL), 0);
    ck_assert_int_eq(alloc_chips(node, 1, &b), 0);
    ck_assert_uint_eq(a.id, 1);
    ck_assert_uint_eq(b.id, 2);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_requires_out)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_request r = chips_request(1, 1);
    ck_assert_fails(NCG_E_INVALID, "node_allocate: out is NULL", ncg_node_allocate(node, &r, NULL, &err));
    ck_assert_int_eq(node_status(node).allocations, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_rejects_out_size_zero)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_request r = chips_request(1, 1);
    ncg_alloc a;
    memset(&a, 0, sizeof(a));
    ck_assert_rejects_size(ncg_alloc, 0, ncg_node_allocate(node, &r, &a, &err));
    ck_assert_uint_eq(a.id, 0);
    ck_assert_int_eq(node_status(node).allocations, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_rejects_request_size_zero)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_request r = chips_request(1, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    r.size = 0;
    ck_assert_rejects_size(ncg_request, 0, ncg_node_allocate(node, &r, &a, &err));
    ck_assert_int_eq(node_status(node).allocations, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_failure_leaves_out_untouched)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_alloc a, before;
    fill_sentinel(&a, sizeof(a));
    a.size = sizeof(a);
    memcpy(&before, &a, sizeof(a));
    ck_assert_int_eq(alloc_chips(node, 2, &a), NCG_E_NO_FIT);
    ck_assert_mem_eq(&a, &before, sizeof(a));
    ncg_node_free(node);
}
END_TEST

/* doc/abi.md: an output struct from a newer header is longer; members the library does not know stay as they were. */
START_TEST(allocate_leaves_unknown_trailing_members)
{
    ncg_node *node = test_node("inf1.xlarge");
    struct {
        ncg_alloc a;
        unsigned char later[16];
    } big;
    fill_sentinel(&big, sizeof(big));
    big.a.size = (uint32_t)sizeof(big);
    ck_assert_int_eq(alloc_chips(node, 1, &big.a), 0);
    ck_assert_uint_eq(big.a.id, 1);
    ck_assert_uint_eq(big.a.size, sizeof(big));
    ck_assert_untouched(big.later, sizeof(big.later));
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_rejects_more_cpu_than_the_type_has)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_request r = chips_request(1, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    r.cpu_milli = 30000;
    ck_assert_fails(NCG_E_NO_FIT,
                    "no instances can satisfy the requested CPU quantity - requested 30 CPU but instances only have "
                    "23190m CPU available",
                    ncg_node_allocate(node, &r, &a, &err));
    ncg_node_free(node);
}
END_TEST

/* Chip 1 adopted (two processes), then one chip with 20 CPUs: chip 0 under the default pack policy. */
static ncg_node *busy_node(void)
{
    ncg_node *node = test_node("inf1.6xlarge");
    const char *cores[] = {"4-5", "6-7"};
    ncg_alloc a = NCG_INIT(ncg_alloc), b = NCG_INIT(ncg_alloc);
    ncg_request r = chips_request(1, 1);
    ck_assert_int_eq(ncg_node_adopt(node, NULL, "1", cores, 2, &a, NULL), 0);
    r.cpu_milli = 20000;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &b, NULL), 0);
    ck_assert_uint_eq(b.id, 2);
    ck_assert_int_eq(b.first_chip, 0);
    return node;
}

START_TEST(check_reports_cpu_shortage)
{
    ncg_node *node = busy_node();
    ncg_request r = chips_request(1, 1);
    r.cpu_milli = 20000;
    ck_assert_fails(NCG_E_FULL, "not enough CPU on inf1.6xlarge: requested 20 but 3190m is free",
                    ncg_node_check(node, &r, &err));
    ncg_node_free(node);
}
END_TEST

START_TEST(check_of_fitting_request_is_zero)
{
    ncg_node *node = busy_node();
    ncg_request r = chips_request(2, 1);
    r.cpu_milli = 0;
    ck_assert_int_eq(ncg_node_check(node, &r, NULL), 0);
    ck_assert_int_eq(node_status(node).allocations, 2);
    ncg_node_free(node);
}
END_TEST

START_TEST(allocate_reports_missing_window)
{
    ncg_node *node = busy_node();
    ncg_request r = chips_request(3, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    r.cpu_milli = 0;
    ck_assert_fails(NCG_E_FULL, "no free window of 3 chips on inf1.6xlarge: free chips 2,3, largest free window 2",
                    ncg_node_allocate(node, &r, &a, &err));
    ncg_node_free(node);
}
END_TEST

/* Failed calls change nothing; releasing what was added restores the node exactly. */
START_TEST(failed_calls_and_release_restore_status)
{
    ncg_node *node = test_node("inf1.6xlarge");
    const char *cores[] = {"4-5", "6-7"}, *bad[] = {"4,6"};
    ncg_alloc a = NCG_INIT(ncg_alloc), b = NCG_INIT(ncg_alloc), failed = NCG_INIT(ncg_alloc);
    ncg_node_status before, after;
    ncg_request r = chips_request(1, 1);
    ck_assert_int_eq(ncg_node_adopt(node, NULL, "1", cores, 2, &a, NULL), 0);
    before = node_status(node);
    ck_assert_int_eq(ncg_node_adopt(node, NULL, "1", NULL, 0, &failed, NULL), NCG_E_OVERLAP);
    ck_assert_int_eq(ncg_node_adopt(node, NULL, NULL, bad, 1, &failed, NULL), NCG_E_PARSE);
    r.cpu_milli = 30000;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &failed, NULL), NCG_E_NO_FIT);
    r.inf = 3;
    r.cpu_milli = 0;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &failed, NULL), NCG_E_FULL);
    after = node_status(node);
    ck_assert_same_status(&before, &after);
    r.inf = 1;
    r.cpu_milli = 20000;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &b, NULL), 0);
    ck_assert_int_eq(ncg_node_release(node, b.id, NULL), 0);
    after = node_status(node);
    ck_assert_same_status(&before, &after);
    ck_assert_uint_eq(failed.id, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_devices_and_process_cores)
{
    ncg_node *node = test_node("inf1.6xlarge");
    const char *cores[] = {"4-5", "6-7"};
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_adopt(node, NULL, "1", cores, 2, &a, NULL), 0);
    ck_assert_uint_eq(a.id, 1);
    ck_assert_int_eq(a.whole_chips, 1);
    ck_assert_int_eq(a.first_chip, 1);
    ck_assert_int_eq(a.chip_count, 1);
    ck_assert_int_eq(a.ppr, 2);
    ck_assert_int_eq(a.ncg_size, 2);
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_uneven_process_cores_has_no_single_ncg_size)
{
    ncg_node *node = test_node("inf1.6xlarge");
    const char *cores[] = {"4-6", "7"};
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_core_group g[2];
    ck_assert_int_eq(ncg_node_adopt(node, NULL, "1", cores, 2, &a, NULL), 0);
    ck_assert_int_eq(a.ncg_size, 0);
    ck_assert_int_eq(ncg_node_get_core_groups(node, a.id, g, 2, NULL), 2);
    ck_assert_int_eq(g[0].core_count, 3);
    ck_assert_int_eq(g[1].first_core, 7);
    ck_assert_int_eq(g[1].core_count, 1);
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_rejects_overlapping_devices)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc), b, before;
    ck_assert_int_eq(ncg_node_adopt(node, NULL, "1", NULL, 0, &a, NULL), 0);
    fill_sentinel(&b, sizeof(b));
    b.size = sizeof(b);
    memcpy(&before, &b, sizeof(b));
    ck_assert_fails(NCG_E_OVERLAP, "adopt: devices 1 overlap chips in use on inf1.6xlarge",
                    ncg_node_adopt(node, NULL, "1", NULL, 0, &b, &err));
    ck_assert_mem_eq(&b, &before, sizeof(b));
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_rejects_noncontiguous_cores)
{
    ncg_node *node = test_node("inf1.6xlarge");
    const char *bad[] = {"4,6"};
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_fails(NCG_E_PARSE, "NEURON_RT_VISIBLE_CORES \"4,6\" is not contiguous: 6 follows 4",
                    ncg_node_adopt(node, NULL, NULL, bad, 1, &a, &err));
    ck_assert_int_eq(node_status(node).allocations, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_requires_devices_or_cores)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_fails(NCG_E_INVALID, "adopt: give AWS_NEURON_VISIBLE_DEVICES, NEURON_RT_VISIBLE_CORES or both",
                    ncg_node_adopt(node, NULL, NULL, NULL, 0, &a, &err));
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_requires_out)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ck_assert_fails(NCG_E_INVALID, "node_adopt: out is NULL", ncg_node_adopt(node, NULL, "1", NULL, 0, NULL, &err));
    ck_assert_int_eq(node_status(node).allocations, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_rejects_out_size_zero)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a;
    memset(&a, 0, sizeof(a));
    ck_assert_rejects_size(ncg_alloc, 0, ncg_node_adopt(node, NULL, "1", NULL, 0, &a, &err));
    ck_assert_int_eq(node_status(node).allocations, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(adopt_rejects_request_size_zero)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_request r = chips_request(0, 1);
    r.size = 0;
    ck_assert_rejects_size(ncg_request, 0, ncg_node_adopt(node, &r, "1", NULL, 0, &a, &err));
    ck_assert_int_eq(node_status(node).allocations, 0);
    ncg_node_free(node);
}
END_TEST

/* One inf1.6xlarge replica of 2 chips and 4 processes (id 1). */
static ncg_node *four_ncg_node(void)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_request r = chips_request(2, 4);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_uint_eq(a.id, 1);
    return node;
}

START_TEST(core_groups_of_a_replica_are_host_global)
{
    ncg_node *node = four_ncg_node();
    ncg_core_group g[4];
    ck_assert_int_eq(ncg_node_get_core_groups(node, 1, g, 4, NULL), 4);
    for (int p = 0; p < 4; p++) {
        ck_assert_int_eq(g[p].process, p);
        ck_assert_int_eq(g[p].first_core, 2 * p);
        ck_assert_int_eq(g[p].core_count, 2);
        ck_assert_int_eq(g[p].first_chip, p / 2);
        ck_assert_int_eq(g[p].chip_count, 1);
        ck_assert_int_eq(g[p].cache_bytes, 8 * GIB);
    }
    ncg_node_free(node);
}
END_TEST

START_TEST(core_groups_small_array_returns_count_untouched)
{
    ncg_node *node = four_ncg_node();
    ncg_core_group g[4];
    fill_sentinel(g, sizeof(g));
    ck_assert_int_eq(ncg_node_get_core_groups(node, 1, g, 3, NULL), 4);
    ck_assert_untouched(g, sizeof(g));
    ncg_node_free(node);
}
END_TEST

START_TEST(core_groups_null_array_returns_count)
{
    ncg_node *node = four_ncg_node();
    ck_assert_int_eq(ncg_node_get_core_groups(node, 1, NULL, 0, NULL), 4);
    ncg_node_free(node);
}
END_TEST

START_TEST(core_groups_of_unknown_allocation)
{
    ncg_node *node = four_ncg_node();
    ncg_core_group g[4];
    fill_sentinel(g, sizeof(g));
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 9 on this inf1.6xlarge node",
                    ncg_node_get_core_groups(node, 9, g, 4, &err));
    ck_assert_untouched(g, sizeof(g));
    ncg_node_free(node);
}
END_TEST

/* Process _i of the replica: its cores, the NCG size and the replica's devices. */
START_TEST(env_of_each_process)
{
    ncg_node *node = four_ncg_node();
    ncg_env env = NCG_INIT(ncg_env);
    char want[16];
    snprintf(want, sizeof(want), "%d-%d", 2 * _i, 2 * _i + 1);
    ck_assert_int_eq(ncg_node_get_env(node, 1, _i, &env, NULL), 0);
    ck_assert_str_eq(env.visible_cores, want);
    ck_assert_str_eq(env.core_group_sizes, "2");
    ck_assert_str_eq(env.visible_devices, "0,1");
    ncg_node_free(node);
}
END_TEST

START_TEST(env_rejects_missing_process)
{
    ncg_node *node = four_ncg_node();
    ncg_env env = NCG_INIT(ncg_env), before;
    fill_sentinel(env.visible_cores, sizeof(env.visible_cores));
    memcpy(&before, &env, sizeof(env));
    ck_assert_fails(NCG_E_NOT_FOUND, "allocation 1 has no process 4 (processes 0..3)",
                    ncg_node_get_env(node, 1, 4, &env, &err));
    ck_assert_mem_eq(&env, &before, sizeof(env));
    ncg_node_free(node);
}
END_TEST

START_TEST(env_of_cpu_only_allocation)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_request r = chips_request(0, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_env env = NCG_INIT(ncg_env);
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_fails(NCG_E_NOT_FOUND, "allocation 1 has no NeuronCores", ncg_node_get_env(node, 1, 0, &env, &err));
    ncg_node_free(node);
}
END_TEST

START_TEST(env_rejects_size_zero)
{
    ncg_node *node = four_ncg_node();
    ncg_env env;
    memset(&env, 0, sizeof(env));
    ck_assert_rejects_size(ncg_env, 0, ncg_node_get_env(node, 1, 0, &env, &err));
    ck_assert_str_eq(env.visible_cores, "");
    ncg_node_free(node);
}
END_TEST

START_TEST(release_forgets_allocation)
{
    ncg_node *node = four_ncg_node();
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_release(node, 1, NULL), 0);
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 1 on this inf1.6xlarge node", ncg_node_release(node, 1, &err));
    ck_assert_int_eq(ncg_node_get_alloc(node, 1, &a, NULL), NCG_E_NOT_FOUND);
    ck_assert_int_eq(node_status(node).free_cores, 16);
    ncg_node_free(node);
}
END_TEST

/* Ids are 64-bit: 2^32 + 1 is not id 1. */
START_TEST(release_does_not_truncate_ids)
{
    ncg_node *node = four_ncg_node();
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 4294967297 on this inf1.6xlarge node",
                    ncg_node_release(node, (UINT64_C(1) << 32) + 1, &err));
    ck_assert_int_eq(ncg_node_get_alloc(node, 1, &a, NULL), 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(get_alloc_does_not_truncate_ids)
{
    ncg_node *node = four_ncg_node();
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_fails(NCG_E_NOT_FOUND, "no allocation 4294967297 on this inf1.6xlarge node",
                    ncg_node_get_alloc(node, (UINT64_C(1) << 32) + 1, &a, &err));
    ck_assert_uint_eq(a.id, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(get_alloc_reads_allocation)
{
    ncg_node *node = four_ncg_node();
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_get_alloc(node, 1, &a, NULL), 0);
    ck_assert_uint_eq(a.id, 1);
    ck_assert_int_eq(a.chip_count, 2);
    ck_assert_int_eq(a.ppr, 4);
    ncg_node_free(node);
}
END_TEST

START_TEST(get_alloc_rejects_size_zero)
{
    ncg_node *node = four_ncg_node();
    ncg_alloc a;
    memset(&a, 0, sizeof(a));
    ck_assert_rejects_size(ncg_alloc, 0, ncg_node_get_alloc(node, 1, &a, &err));
    ck_assert_uint_eq(a.id, 0);
    ncg_node_free(node);
}
END_TEST

START_TEST(alloc_ids_are_ascending)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    uint64_t ids[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    ck_assert_int_eq(ncg_node_release(node, 2, NULL), 0);
    ck_assert_int_eq(ncg_node_get_alloc_ids(node, ids, 4, NULL), 3);
    ck_assert_uint_eq(ids[0], 1);
    ck_assert_uint_eq(ids[1], 3);
    ck_assert_uint_eq(ids[2], 4);
    ncg_node_free(node);
}
END_TEST

/* The millicores of allocation id in many_allocations_across_record_blocks. */
static int64_t cpu_of(uint64_t id)
{
    return 1 + (int64_t)(id % 97);
}

/* The allocations of node are, in order, the ids ids[0..n) with cpu_of(id) millicores each. */
static void ck_assert_allocations(const ncg_node *node, const uint64_t *ids, int n)
{
    uint64_t got[600];
    ck_assert_int_le(n, 600);
    ck_assert_int_eq(ncg_node_get_alloc_ids(node, got, 600, NULL), n);
    for (int i = 0; i < n; i++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        ck_assert_uint_eq(got[i], ids[i]);
        ck_assert_int_eq(ncg_node_get_alloc(node, ids[i], &a, NULL), 0);
        ck_assert_uint_eq(a.id, ids[i]);
        ck_assert_int_eq(a.cpu_milli, cpu_of(ids[i]));
    }
}

/* Drop id from the model ids[0..*n). */
static void model_release(uint64_t *ids, int *n, uint64_t id)
{
    int i = 0;
    while (i < *n && ids[i] != id)
        i++;
    ck_assert_int_lt(i, *n);
    memmove(&ids[i], &ids[i + 1], (size_t)(*n - i - 1) * sizeof(*ids));
    (*n)--;
}

/* Hundreds of CPU-only allocations on one node: its record array grows through 8, 16, ..., 512 records; releases
 * at the first and last records and on both sides of every size the array doubled at, each checked against a
 * model; then a clone (an array of exactly its records) that grows past them. */
START_TEST(many_allocations_across_record_blocks)
{
    ncg_node *node = test_node("inf1.24xlarge"), *copy;
    ncg_request r = chips_request(0, 1);
    uint64_t ids[600];
    int n = 0;
    static const int at[] = {0, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 299};
    r.memory_bytes = 1 << 20;
    for (int i = 0; i < 300; i++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        r.cpu_milli = cpu_of((uint64_t)i + 1); /* ids start at 1 */
        ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
        ids[n++] = a.id;
        ck_assert_uint_eq(a.id, (uint64_t)i + 1);
    }
    ck_assert_allocations(node, ids, n);
    /* positions of the record array as it is now, last first so that earlier positions stay put */
    for (int k = (int)(sizeof(at) / sizeof(at[0])) - 1; k >= 0; k--) {
        uint64_t id = ids[at[k]];
        ck_assert_int_eq(ncg_node_release(node, id, NULL), 0);
        model_release(ids, &n, id);
        ck_assert_allocations(node, ids, n);
    }
    ck_assert_int_eq(node_status(node).allocations, 286);
    copy = ncg_node_clone(node, NULL);
    ck_assert_ptr_nonnull(copy);
    ck_assert_allocations(copy, ids, n);
    for (int i = 0; i < 300; i++) { /* the copy's array grows from its 286 records */
        ncg_alloc a = NCG_INIT(ncg_alloc);
        r.cpu_milli = cpu_of((uint64_t)301 + (uint64_t)i);
        ck_assert_int_eq(ncg_node_allocate(copy, &r, &a, NULL), 0);
        ck_assert_uint_eq(a.id, (uint64_t)301 + (uint64_t)i);
    }
    ck_assert_int_eq(node_status(copy).allocations, 586);
    for (int i = 0; i < 300; i++)
        ids[n++] = 301 + (uint64_t)i;
    for (int k = 0; k < 40; k++) { /* spread over the old records and the new */
        uint64_t id = ids[(k * 13) % n];
        ck_assert_int_eq(ncg_node_release(copy, id, NULL), 0);
        model_release(ids, &n, id);
    }
    ck_assert_allocations(copy, ids, n);
    ck_assert_int_eq(node_status(node).allocations, 286); /* the original is untouched */
    ncg_node_free(copy);
    ncg_node_free(node);
}
END_TEST

START_TEST(alloc_ids_small_array_returns_count_untouched)
{
    ncg_node *node = test_node("inf1.6xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    uint64_t ids[4];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    fill_sentinel(ids, sizeof(ids));
    ck_assert_int_eq(ncg_node_get_alloc_ids(node, ids, 2, NULL), 3);
    ck_assert_untouched(ids, sizeof(ids));
    ncg_node_free(node);
}
END_TEST

START_TEST(alloc_ids_null_array_returns_count)
{
    ncg_node *node = four_ncg_node();
    ck_assert_int_eq(ncg_node_get_alloc_ids(node, NULL, 0, NULL), 1);
    ncg_node_free(node);
}
END_TEST

START_TEST(new_rejects_unknown_flags)
{
    ncg_catalog *c = test_catalog();
    ck_assert_fails_null(NCG_E_INVALID, "node_new: flags 0x1 has unknown bits",
                         ncg_node_new(c, "inf1.xlarge", 1, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(new_rejects_unknown_type)
{
    ncg_catalog *c = test_catalog();
    ck_assert_fails_null(NCG_E_UNKNOWN_TYPE, "unknown instance type \"nope\" in us-east-1", ncg_node_new(c, "nope", 0, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(new_rejects_null_catalog)
{
    ck_assert_fails_null(NCG_E_INVALID, "node_new: catalog is NULL", ncg_node_new(NULL, "inf1.xlarge", 0, &err));
}
END_TEST

START_TEST(type_name_of_node)
{
    ncg_node *node = test_node("trn1.32xlarge");
    ck_assert_str_eq(ncg_node_get_type_name(node), "trn1.32xlarge");
    ck_assert_ptr_null(ncg_node_get_type_name(NULL));
    ncg_node_free(node);
}
END_TEST

/* test_node() frees the catalog before returning: the node keeps working without it. */
START_TEST(node_outlives_its_catalog)
{
    ncg_node *node = test_node("inf2.48xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(node, 12, &a), 0);
    ck_assert_int_eq(node_status(node).cpu_usable_milli, 191190);
    ncg_node_free(node);
}
END_TEST

START_TEST(clone_has_the_same_allocations)
{
    ncg_node *node = four_ncg_node(), *copy;
    ncg_node_status a, b;
    ncg_alloc x = NCG_INIT(ncg_alloc), y = NCG_INIT(ncg_alloc);
    copy = ncg_node_clone(node, NULL);
    ck_assert_ptr_nonnull(copy);
    a = node_status(node);
    b = node_status(copy);
    ck_assert_same_status(&a, &b);
    ck_assert_int_eq(ncg_node_get_alloc(node, 1, &x, NULL), 0);
    ck_assert_int_eq(ncg_node_get_alloc(copy, 1, &y, NULL), 0);
    ck_assert_same_alloc(&x, &y);
    ck_assert_str_eq(ncg_node_get_type_name(copy), "inf1.6xlarge");
    ncg_node_free(copy);
    ncg_node_free(node);
}
END_TEST

START_TEST(clone_is_deep_allocating_on_copy)
{
    ncg_node *node = four_ncg_node(), *copy = ncg_node_clone(node, NULL);
    ncg_node_status before = node_status(node), after;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(copy, 2, &a), 0);
    after = node_status(node);
    ck_assert_same_status(&before, &after);
    ck_assert_int_eq(node_status(copy).allocations, 2);
    ncg_node_free(copy);
    ncg_node_free(node);
}
END_TEST

START_TEST(clone_is_deep_releasing_on_copy)
{
    ncg_node *node = four_ncg_node(), *copy = ncg_node_clone(node, NULL);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_release(copy, 1, NULL), 0);
    ck_assert_int_eq(ncg_node_get_alloc(node, 1, &a, NULL), 0);
    ck_assert_int_eq(node_status(node).allocations, 1);
    ncg_node_free(copy);
    ncg_node_free(node);
}
END_TEST

START_TEST(clone_is_deep_changing_original)
{
    ncg_node *node = four_ncg_node(), *copy = ncg_node_clone(node, NULL);
    ncg_node_status before = node_status(copy), after;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(ncg_node_release(node, 1, NULL), 0);
    ck_assert_int_eq(alloc_chips(node, 4, &a), 0);
    ncg_node_set_policy(node, NCG_POLICY_FIRST_FIT, NULL);
    after = node_status(copy);
    ck_assert_same_status(&before, &after);
    ncg_node_free(copy);
    ncg_node_free(node);
}
END_TEST

START_TEST(clone_keeps_next_id)
{
    ncg_node *node = test_node("inf1.6xlarge"), *copy;
    ncg_alloc a = NCG_INIT(ncg_alloc), b = NCG_INIT(ncg_alloc);
    ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    ck_assert_int_eq(alloc_chips(node, 1, &a), 0);
    ck_assert_int_eq(ncg_node_release(node, 2, NULL), 0);
    copy = ncg_node_clone(node, NULL);
    ck_assert_int_eq(alloc_chips(copy, 1, &b), 0);
    ck_assert_uint_eq(b.id, 3);
    ncg_node_free(copy);
    ncg_node_free(node);
}
END_TEST

START_TEST(clone_keeps_policy)
{
    ncg_node *node = test_node("inf1.6xlarge"), *copy;
    ncg_node_set_policy(node, NCG_POLICY_FIRST_FIT, NULL);
    copy = ncg_node_clone(node, NULL);
    ck_assert_int_eq(node_status(copy).policy, NCG_POLICY_FIRST_FIT);
    ncg_node_free(copy);
    ncg_node_free(node);
}
END_TEST

/* The copy owns its models: it answers cache questions the same after the original is gone. */
START_TEST(clone_owns_its_models)
{
    ncg_node *node = test_node("inf1.xlarge"), *copy;
    char name[300];
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(1, 2);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_core_group_cache x = NCG_INIT(ncg_core_group_cache), y = NCG_INIT(ncg_core_group_cache);
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    m.name = name;
    m.bytes = 3 * GIB;
    m.compiled_cores = 2;
    r.models = &m;
    r.model_count = 1;
    ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    ck_assert_int_eq(ncg_node_get_core_group_cache(node, 1, 0, &x, NULL, 0, NULL), 1);
    copy = ncg_node_clone(node, NULL);
    ncg_node_free(node);
    memset(name, 'x', sizeof(name) - 1);
    ck_assert_int_eq(ncg_node_get_core_group_cache(copy, 1, 0, &y, NULL, 0, NULL), 1);
    ck_assert_int_eq(y.need_bytes, 3 * GIB);
    ck_assert_int_eq(y.reachable_bytes, x.reachable_bytes);
    ck_assert_int_eq(y.share_bytes, x.share_bytes);
    ck_assert_int_eq(y.shared_with, x.shared_with);
    ck_assert_int_eq(y.state, x.state);
    ck_assert_int_eq(y.core_group.first_core, x.core_group.first_core);
    ncg_node_free(copy);
}
END_TEST

START_TEST(clone_of_null_is_invalid)
{
    ck_assert_fails_null(NCG_E_INVALID, "node_clone: node is NULL", ncg_node_clone(NULL, &err));
}
END_TEST

START_TEST(null_node_is_invalid)
{
    ncg_request r = chips_request(1, 1);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_env env = NCG_INIT(ncg_env);
    ncg_node_status st = NCG_INIT(ncg_node_status);
    ncg_core_group g[1];
    uint64_t ids[1];
    ck_assert_int_eq(ncg_node_set_policy(NULL, NCG_POLICY_PACK, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_check(NULL, &r, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_allocate(NULL, &r, &a, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_adopt(NULL, NULL, "0", NULL, 0, &a, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_release(NULL, 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_get_alloc(NULL, 1, &a, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_get_alloc_ids(NULL, ids, 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_get_core_groups(NULL, 1, g, 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_get_env(NULL, 1, 0, &env, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_node_get_status(NULL, &st, NULL), NCG_E_INVALID);
}
END_TEST

START_TEST(null_request_is_invalid)
{
    ncg_node *node = test_node("inf1.xlarge");
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_fails(NCG_E_INVALID, "request is NULL", ncg_node_allocate(node, NULL, &a, &err));
    ck_assert_fails(NCG_E_INVALID, "request is NULL", ncg_node_check(node, NULL, &err));
    ncg_node_free(node);
}
END_TEST

NCG_SUITE(node)
{
    Suite *s = suite_create("node");
    TCase *t = add_tcase(s, "topology-vectors");
    add_loop_test(t, topology_vector_row, 0, data_rows(TOPOLOGY_TSV));
    add_test(t, topology_vectors_have_14_rows);
    t = add_tcase(s, "policy");
    add_test(t, pack_takes_chip_outside_free_window);
    add_test(t, pack_keeps_four_chip_window_free);
    add_test(t, first_fit_takes_lowest_chip);
    add_test(t, first_fit_breaks_four_chip_window);
    add_test(t, set_policy_rejects_unknown_policy);
    add_test(t, status_reports_policy);
    t = add_tcase(s, "new");
    add_test(t, new_rejects_unknown_flags);
    add_test(t, new_rejects_unknown_type);
    add_test(t, new_rejects_null_catalog);
    add_test(t, type_name_of_node);
    add_test(t, node_outlives_its_catalog);
    add_test(t, null_node_is_invalid);
    add_test(t, null_request_is_invalid);
    t = add_tcase(s, "status");
    add_test(t, status_of_empty_node);
    add_test(t, status_counts_an_allocation);
    add_test(t, status_rejects_size_zero);
    t = add_tcase(s, "allocate");
    add_test(t, allocate_returns_zero_and_first_id_1);
    add_test(t, allocate_cpu_only_has_no_cores);
    add_test(t, allocation_ids_are_never_reused);
    add_test(t, allocate_requires_out);
    add_test(t, allocate_rejects_out_size_zero);
    add_test(t, allocate_rejects_request_size_zero);
    add_test(t, allocate_failure_leaves_out_untouched);
    add_test(t, allocate_leaves_unknown_trailing_members);
    add_test(t, allocate_rejects_more_cpu_than_the_type_has);
    add_test(t, check_reports_cpu_shortage);
    add_test(t, check_of_fitting_request_is_zero);
    add_test(t, allocate_reports_missing_window);
    add_test(t, failed_calls_and_release_restore_status);
    t = add_tcase(s, "adopt");
    add_test(t, adopt_devices_and_process_cores);
    add_test(t, adopt_uneven_process_cores_has_no_single_ncg_size);
    add_test(t, adopt_rejects_overlapping_devices);
    add_test(t, adopt_rejects_noncontiguous_cores);
    add_test(t, adopt_requires_devices_or_cores);
    add_test(t, adopt_requires_out);
    add_test(t, adopt_rejects_out_size_zero);
    add_test(t, adopt_rejects_request_size_zero);
    t = add_tcase(s, "core-groups");
    add_test(t, core_groups_of_a_replica_are_host_global);
    add_test(t, core_groups_small_array_returns_count_untouched);
    add_test(t, core_groups_null_array_returns_count);
    add_test(t, core_groups_of_unknown_allocation);
    add_loop_test(t, env_of_each_process, 0, 4);
    add_test(t, env_rejects_missing_process);
    add_test(t, env_of_cpu_only_allocation);
    add_test(t, env_rejects_size_zero);
    t = add_tcase(s, "ids");
    add_test(t, release_forgets_allocation);
    add_test(t, release_does_not_truncate_ids);
    add_test(t, get_alloc_does_not_truncate_ids);
    add_test(t, get_alloc_reads_allocation);
    add_test(t, get_alloc_rejects_size_zero);
    add_test(t, alloc_ids_are_ascending);
    add_test(t, many_allocations_across_record_blocks);
    add_test(t, alloc_ids_small_array_returns_count_untouched);
    add_test(t, alloc_ids_null_array_returns_count);
    t = add_tcase(s, "clone");
    add_test(t, clone_has_the_same_allocations);
    add_test(t, clone_is_deep_allocating_on_copy);
    add_test(t, clone_is_deep_releasing_on_copy);
    add_test(t, clone_is_deep_changing_original);
    add_test(t, clone_keeps_next_id);
    add_test(t, clone_keeps_policy);
    add_test(t, clone_owns_its_models);
    add_test(t, clone_of_null_is_invalid);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* What the whole library shares: its version, status codes and their descriptions, the sized-struct initialiser. */
#include "test-common.h"

#define STR_(x) #x
#define STR(x) STR_(x)

START_TEST(version_is_2_0_0)
{
    ck_assert_str_eq(ncg_version(), "2.3.0");
}
END_TEST

START_TEST(version_matches_header_macros)
{
    ck_assert_str_eq(ncg_version(), STR(NCG_VERSION_MAJOR) "." STR(NCG_VERSION_MINOR) "." STR(NCG_VERSION_PATCH));
}
END_TEST

static const struct {
    int code;
    const char *text;
} codes[] = {
    {NCG_OK, "success"},
    {NCG_E_INVALID, "invalid argument"},
    {NCG_E_NOMEM, "out of memory"},
    {NCG_E_PARSE, "malformed string"},
    {NCG_E_RANGE, "value out of range"},
    {NCG_E_UNKNOWN_TYPE, "unknown instance type"},
    {NCG_E_NOT_FOUND, "not found"},
    {NCG_E_PPR, "processes_per_replica does not divide the NeuronCores"},
    {NCG_E_NO_FIT, "request does not fit the instance type"},
    {NCG_E_TOPOLOGY, "chip count not valid for the topology"},
    {NCG_E_FULL, "not enough free resources"},
    {NCG_E_OVERLAP, "allocation overlaps an existing one"},
    {NCG_E_MODEL, "model cannot load on its NeuronCore Group"},
    {NCG_E_EXISTS, "name already exists"},
};

START_TEST(strerror_describes_each_code)
{
    ck_assert_str_eq(ncg_strerror(codes[_i].code), codes[_i].text);
}
END_TEST

/* The values are ABI: they never change. */
START_TEST(status_codes_keep_their_values)
{
    ck_assert_int_eq(NCG_OK, 0);
    ck_assert_int_eq(NCG_E_INVALID, -1);
    ck_assert_int_eq(NCG_E_NOMEM, -2);
    ck_assert_int_eq(NCG_E_PARSE, -3);
    ck_assert_int_eq(NCG_E_RANGE, -4);
    ck_assert_int_eq(NCG_E_UNKNOWN_TYPE, -5);
    ck_assert_int_eq(NCG_E_NOT_FOUND, -6);
    ck_assert_int_eq(NCG_E_PPR, -7);
    ck_assert_int_eq(NCG_E_NO_FIT, -8);
    ck_assert_int_eq(NCG_E_TOPOLOGY, -9);
    ck_assert_int_eq(NCG_E_FULL, -10);
    ck_assert_int_eq(NCG_E_OVERLAP, -11);
    ck_assert_int_eq(NCG_E_MODEL, -12);
    ck_assert_int_eq(NCG_E_EXISTS, -13);
}
END_TEST

/* -14 was NCG_E_BUFFER in 1.x: retired, never reused. */
START_TEST(strerror_retired_buffer_code_is_unknown)
{
    ck_assert_str_eq(ncg_strerror(-14), "unknown error");
}
END_TEST

START_TEST(strerror_other_values_are_unknown)
{
    ck_assert_str_eq(ncg_strerror(-999), "unknown error");
    ck_assert_str_eq(ncg_strerror(1), "unknown error");
    ck_assert_str_eq(ncg_strerror(INT32_MIN), "unknown error");
}
END_TEST

START_TEST(init_macro_sets_size_and_zeroes_the_rest)
{
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ck_assert_uint_eq(a.size, sizeof(ncg_alloc));
    ck_assert_uint_eq(a.id, 0);
    ck_assert_int_eq(a.whole_chips, 0);
    ck_assert_int_eq(a.first_chip, 0);
    ck_assert_int_eq(a.ncg_size, 0);
    ck_assert_int_eq(a.hugepages_bytes, 0);
}
END_TEST

/* On success the ncg_error is left untouched; on failure it gets the code that is also returned. */
START_TEST(error_is_untouched_on_success)
{
    ncg_error err, before;
    int64_t v = 0;
    fill_sentinel(&err, sizeof(err));
    memcpy(&before, &err, sizeof(err));
    ck_assert_int_eq(ncg_parse_cpu("1", &v, &err), 0);
    ck_assert_mem_eq(&err, &before, sizeof(err));
}
END_TEST

START_TEST(error_gets_the_returned_code)
{
    ncg_error err;
    int64_t v = 0;
    fill_sentinel(&err, sizeof(err));
    ck_assert_int_eq(ncg_parse_cpu("x", &v, &err), NCG_E_PARSE);
    ck_assert_int_eq(err.code, NCG_E_PARSE);
    ck_assert_ptr_nonnull(memchr(err.message, '\0', sizeof(err.message)));
    ck_assert_ptr_null(strchr(err.message, '\n'));
}
END_TEST

START_TEST(frees_accept_null_and_return_null)
{
    ck_assert_ptr_null(ncg_catalog_free(NULL));
    ck_assert_ptr_null(ncg_node_free(NULL));
    ck_assert_ptr_null(ncg_cluster_free(NULL));
    ck_assert_ptr_null(ncg_plan_free(NULL));
}
END_TEST

START_TEST(frees_return_null)
{
    ncg_catalog *c = test_catalog();
    ncg_cluster *cl = ncg_cluster_new(0, NULL);
    ncg_node *n = ncg_node_new(c, "inf1.xlarge", 0, NULL);
    ncg_plan *p;
    ck_assert_ptr_nonnull(cl);
    ck_assert_ptr_nonnull(n);
    p = ncg_plan_new(cl, 0, NULL);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(ncg_plan_free(p));
    ck_assert_ptr_null(ncg_node_free(n));
    ck_assert_ptr_null(ncg_cluster_free(cl));
    ck_assert_ptr_null(ncg_catalog_free(c));
}
END_TEST

NCG_SUITE(library)
{
    Suite *s = suite_create("library");
    TCase *t = add_tcase(s, "version");
    add_test(t, version_is_2_0_0);
    add_test(t, version_matches_header_macros);
    t = add_tcase(s, "status");
    add_loop_test(t, strerror_describes_each_code, 0, (int)ARRAY_SIZE(codes));
    add_test(t, status_codes_keep_their_values);
    add_test(t, strerror_retired_buffer_code_is_unknown);
    add_test(t, strerror_other_values_are_unknown);
    t = add_tcase(s, "conventions");
    add_test(t, init_macro_sets_size_and_zeroes_the_rest);
    add_test(t, error_is_untouched_on_success);
    add_test(t, error_gets_the_returned_code);
    add_test(t, frees_accept_null_and_return_null);
    add_test(t, frees_return_null);
    return s;
}

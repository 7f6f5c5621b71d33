/* SPDX-License-Identifier: Apache-2.0 */
/* Pod environment strings: NEURON_RT_VISIBLE_CORES, AWS_NEURON_VISIBLE_DEVICES, NEURONCORE_GROUP_SIZES, ids. */
#include "test-common.h"

static const struct {
    const char *text;
    int first, count;
} cores_ok[] = {{"3-6", 3, 4}, {"3,4,5,6", 3, 4}, {"3-5,6", 3, 4}, {"0", 0, 1}, {"7-7", 7, 1}, {"0-1,2-3", 0, 4}};

START_TEST(visible_cores_accepts_runtime_forms)
{
    int first = -1, count = -1;
    ck_assert_int_eq(ncg_parse_visible_cores(cores_ok[_i].text, 16, &first, &count, NULL), 0);
    ck_assert_int_eq(first, cores_ok[_i].first);
    ck_assert_int_eq(count, cores_ok[_i].count);
}
END_TEST

static const struct {
    int code;
    const char *text, *message;
} cores_bad[] = {
    {NCG_E_PARSE, "3,5,6", "NEURON_RT_VISIBLE_CORES \"3,5,6\" is not contiguous: 5 follows 3"},
    {NCG_E_PARSE, "5,4", "NEURON_RT_VISIBLE_CORES \"5,4\" is not increasing: 4 follows 5"},
    {NCG_E_PARSE, "6-3", "NEURON_RT_VISIBLE_CORES \"6-3\" is not increasing: range 6-3 goes down"},
    {NCG_E_RANGE, "15-16", "NEURON_RT_VISIBLE_CORES \"15-16\" names core 16 but the node has 16 (0-15)"},
    {NCG_E_PARSE, "1-", "NEURON_RT_VISIBLE_CORES \"1-\" is malformed at character 3: expected a core id"},
    {NCG_E_PARSE, "", "NEURON_RT_VISIBLE_CORES \"\" is empty"},
};

/* Each malformed value fails with its own message and leaves the outputs alone. */
START_TEST(visible_cores_rejects_with_message)
{
    int first = 9, count = 9;
    ck_assert_fails(cores_bad[_i].code, cores_bad[_i].message,
                    ncg_parse_visible_cores(cores_bad[_i].text, 16, &first, &count, &err));
    ck_assert_int_eq(first, 9);
    ck_assert_int_eq(count, 9);
}
END_TEST

static const char *const cores_malformed[] = {" 1", "1--2", "a", "1,"};

START_TEST(visible_cores_rejects_malformed)
{
    int first = 9, count = 9;
    ck_assert_int_eq(ncg_parse_visible_cores(cores_malformed[_i], 16, &first, &count, NULL), NCG_E_PARSE);
    ck_assert_int_eq(first, 9);
    ck_assert_int_eq(count, 9);
}
END_TEST

START_TEST(visible_cores_without_limit_accepts_high_ids)
{
    int first = -1, count = -1;
    ck_assert_int_eq(ncg_parse_visible_cores("250-255", 0, &first, &count, NULL), 0);
    ck_assert_int_eq(first, 250);
    ck_assert_int_eq(count, 6);
}
END_TEST

START_TEST(visible_cores_rejects_null_text)
{
    int first = 9, count = 9;
    ck_assert_int_eq(ncg_parse_visible_cores(NULL, 16, &first, &count, NULL), NCG_E_INVALID);
    ck_assert_int_eq(first, 9);
}
END_TEST

START_TEST(visible_devices_accepts_comma_list)
{
    int first = -1, count = -1;
    ck_assert_int_eq(ncg_parse_visible_devices("2,3", 4, &first, &count, NULL), 0);
    ck_assert_int_eq(first, 2);
    ck_assert_int_eq(count, 2);
}
END_TEST

START_TEST(visible_devices_accepts_range)
{
    int first = -1, count = -1;
    ck_assert_int_eq(ncg_parse_visible_devices("2-3", 4, &first, &count, NULL), 0);
    ck_assert_int_eq(first, 2);
    ck_assert_int_eq(count, 2);
}
END_TEST

START_TEST(visible_devices_rejects_device_past_node)
{
    int first = 9, count = 9;
    ck_assert_fails(NCG_E_RANGE, "AWS_NEURON_VISIBLE_DEVICES \"4\" names device 4 but the node has 4 (0-3)",
                    ncg_parse_visible_devices("4", 4, &first, &count, &err));
    ck_assert_int_eq(first, 9);
    ck_assert_int_eq(count, 9);
}
END_TEST

START_TEST(core_group_sizes_accepts_list)
{
    int sizes[8];
    ck_assert_int_eq(ncg_parse_core_group_sizes("2,4,6,4", sizes, 8, NULL), 4);
    ck_assert_int_eq(sizes[0], 2);
    ck_assert_int_eq(sizes[1], 4);
    ck_assert_int_eq(sizes[2], 6);
    ck_assert_int_eq(sizes[3], 4);
}
END_TEST

START_TEST(core_group_sizes_accepts_single_size)
{
    int sizes[8];
    ck_assert_int_eq(ncg_parse_core_group_sizes("4", sizes, 8, NULL), 1);
    ck_assert_int_eq(sizes[0], 4);
}
END_TEST

START_TEST(core_group_sizes_rejects_zero)
{
    int sizes[8];
    fill_sentinel(sizes, sizeof(sizes));
    ck_assert_fails(NCG_E_RANGE, "NEURONCORE_GROUP_SIZES \"0\": group size 0 is out of range 1..256",
                    ncg_parse_core_group_sizes("0", sizes, 8, &err));
    ck_assert_untouched(sizes, sizeof(sizes));
}
END_TEST

START_TEST(core_group_sizes_rejects_empty_item)
{
    int sizes[8];
    fill_sentinel(sizes, sizeof(sizes));
    ck_assert_int_eq(ncg_parse_core_group_sizes("2,,4", sizes, 8, NULL), NCG_E_PARSE);
    ck_assert_untouched(sizes, sizeof(sizes));
}
END_TEST

/* An invalid item after valid ones: nothing is written, not even the valid prefix. */
START_TEST(core_group_sizes_rejects_bad_tail_untouched)
{
    int sizes[8];
    fill_sentinel(sizes, sizeof(sizes));
    ck_assert_int_eq(ncg_parse_core_group_sizes("2,4,300", sizes, 8, NULL), NCG_E_RANGE);
    ck_assert_untouched(sizes, sizeof(sizes));
}
END_TEST

START_TEST(core_group_sizes_small_array_returns_count_untouched)
{
    int sizes[8];
    fill_sentinel(sizes, sizeof(sizes));
    ck_assert_int_eq(ncg_parse_core_group_sizes("2,4,6,4", sizes, 3, NULL), 4);
    ck_assert_untouched(sizes, sizeof(sizes));
}
END_TEST

START_TEST(core_group_sizes_null_array_returns_count)
{
    ck_assert_int_eq(ncg_parse_core_group_sizes("2,4,6,4", NULL, 0, NULL), 4);
}
END_TEST

START_TEST(core_group_sizes_exact_array_is_written)
{
    int sizes[5];
    fill_sentinel(sizes, sizeof(sizes));
    ck_assert_int_eq(ncg_parse_core_group_sizes("2,4,6,4", sizes, 4, NULL), 4);
    ck_assert_int_eq(sizes[3], 4);
    ck_assert_untouched(&sizes[4], sizeof(sizes[4]));
}
END_TEST

START_TEST(format_ids_ranged)
{
    char buf[64];
    ck_assert_int_eq(ncg_format_ids(4, 4, 1, buf, sizeof(buf), NULL), 3);
    ck_assert_str_eq(buf, "4-7");
}
END_TEST

START_TEST(format_ids_listed)
{
    char buf[64];
    ck_assert_int_eq(ncg_format_ids(2, 2, 0, buf, sizeof(buf), NULL), 3);
    ck_assert_str_eq(buf, "2,3");
}
END_TEST

START_TEST(format_ids_single_ranged_is_one_number)
{
    char buf[64];
    ck_assert_int_eq(ncg_format_ids(5, 1, 1, buf, sizeof(buf), NULL), 1);
    ck_assert_str_eq(buf, "5");
}
END_TEST

START_TEST(format_ids_small_buffer_returns_length_untouched)
{
    char buf[8];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_ids(10, 3, 0, buf, 4, NULL), 8);
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

START_TEST(format_ids_ranged_small_buffer_untouched)
{
    char buf[8];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_ids(10, 3, 1, buf, 5, NULL), 5);
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

START_TEST(format_ids_exact_buffer_is_written)
{
    char buf[10];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_ids(10, 3, 0, buf, 9, NULL), 8);
    ck_assert_str_eq(buf, "10,11,12");
    ck_assert_untouched(buf + 9, 1);
}
END_TEST

START_TEST(format_ids_null_buffer_returns_length)
{
    ck_assert_int_eq(ncg_format_ids(10, 3, 0, NULL, 0, NULL), 8);
}
END_TEST

START_TEST(format_ids_rejects_zero_count)
{
    char buf[8];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_ids(1, 0, 1, buf, sizeof(buf), NULL), NCG_E_RANGE);
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

NCG_SUITE(env)
{
    Suite *s = suite_create("env");
    TCase *t = add_tcase(s, "visible-cores");
    add_loop_test(t, visible_cores_accepts_runtime_forms, 0, (int)ARRAY_SIZE(cores_ok));
    add_loop_test(t, visible_cores_rejects_with_message, 0, (int)ARRAY_SIZE(cores_bad));
    add_loop_test(t, visible_cores_rejects_malformed, 0, (int)ARRAY_SIZE(cores_malformed));
    add_test(t, visible_cores_without_limit_accepts_high_ids);
    add_test(t, visible_cores_rejects_null_text);
    t = add_tcase(s, "visible-devices");
    add_test(t, visible_devices_accepts_comma_list);
    add_test(t, visible_devices_accepts_range);
    add_test(t, visible_devices_rejects_device_past_node);
    t = add_tcase(s, "core-group-sizes");
    add_test(t, core_group_sizes_accepts_list);
    add_test(t, core_group_sizes_accepts_single_size);
    add_test(t, core_group_sizes_rejects_zero);
    add_test(t, core_group_sizes_rejects_empty_item);
    add_test(t, core_group_sizes_rejects_bad_tail_untouched);
    add_test(t, core_group_sizes_small_array_returns_count_untouched);
    add_test(t, core_group_sizes_null_array_returns_count);
    add_test(t, core_group_sizes_exact_array_is_written);
    t = add_tcase(s, "format-ids");
    add_test(t, format_ids_ranged);
    add_test(t, format_ids_listed);
    add_test(t, format_ids_single_ranged_is_one_number);
    add_test(t, format_ids_small_buffer_returns_length_untouched);
    add_test(t, format_ids_ranged_small_buffer_untouched);
    add_test(t, format_ids_exact_buffer_is_written);
    add_test(t, format_ids_null_buffer_returns_length);
    add_test(t, format_ids_rejects_zero_count);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

static const struct {
    const char *text;
    int first, count;
} cores_ok[] = {{"3-6", 3, 4}, {"3,4,5,6", 3, 4}, {"3-5,6", 3, 4}, {"0", 0, 1}, {"7-7", 7, 1}, {"0-1,2-3", 0, 4}};

START_TEST(visible_cores_valid)
{
    int first = -1, count = -1;
    ck_assert_int_eq(ncg_parse_visible_cores(cores_ok[_i].text, 16, &first, &count, NULL), 0);
    ck_assert_int_eq(first, cores_ok[_i].first);
    ck_assert_int_eq(count, cores_ok[_i].count);
}
END_TEST

START_TEST(visible_cores_invalid)
{
    int first = 9, count = 9;
    ck_assert_fails(NCG_E_PARSE, "NEURON_RT_VISIBLE_CORES \"3,5,6\" is not contiguous: 5 follows 3",
                    ncg_parse_visible_cores("3,5,6", 16, &first, &count, &err));
    ck_assert_fails(NCG_E_PARSE, "NEURON_RT_VISIBLE_CORES \"5,4\" is not increasing: 4 follows 5",
                    ncg_parse_visible_cores("5,4", 16, &first, &count, &err));
    ck_assert_fails(NCG_E_PARSE, "NEURON_RT_VISIBLE_CORES \"6-3\" is not increasing: range 6-3 goes down",
                    ncg_parse_visible_cores("6-3", 16, &first, &count, &err));
    ck_assert_fails(NCG_E_RANGE, "NEURON_RT_VISIBLE_CORES \"15-16\" names core 16 but the node has 16 (0-15)",
                    ncg_parse_visible_cores("15-16", 16, &first, &count, &err));
    ck_assert_fails(NCG_E_PARSE, "NEURON_RT_VISIBLE_CORES \"1-\" is malformed at character 3: expected a core id",
                    ncg_parse_visible_cores("1-", 16, &first, &count, &err));
    ck_assert_fails(NCG_E_PARSE, "NEURON_RT_VISIBLE_CORES \"\" is empty",
                    ncg_parse_visible_cores("", 16, &first, &count, &err));
    ck_assert_int_eq(ncg_parse_visible_cores(" 1", 16, &first, &count, NULL), NCG_E_PARSE);
    ck_assert_int_eq(ncg_parse_visible_cores("1--2", 16, &first, &count, NULL), NCG_E_PARSE);
    ck_assert_int_eq(ncg_parse_visible_cores("a", 16, &first, &count, NULL), NCG_E_PARSE);
    ck_assert_int_eq(ncg_parse_visible_cores("1,", 16, &first, &count, NULL), NCG_E_PARSE);
    ck_assert_int_eq(first, 9);
    ck_assert_int_eq(count, 9);
}
END_TEST

START_TEST(devices_and_group_sizes)
{
    int first, count, sizes[8];
    ck_assert_int_eq(ncg_parse_visible_devices("2,3", 4, &first, &count, NULL), 0);
    ck_assert_int_eq(first, 2);
    ck_assert_int_eq(count, 2);
    ck_assert_fails(NCG_E_RANGE, "AWS_NEURON_VISIBLE_DEVICES \"4\" names device 4 but the node has 4 (0-3)",
                    ncg_parse_visible_devices("4", 4, &first, &count, &err));
    ck_assert_int_eq(ncg_parse_group_sizes("2,4,6,4", sizes, 8, NULL), 4);
    ck_assert_int_eq(sizes[2], 6);
    ck_assert_int_eq(ncg_parse_group_sizes("4", sizes, 8, NULL), 1);
    ck_assert_fails(NCG_E_RANGE, "NEURONCORE_GROUP_SIZES \"0\": group size 0 is out of range 1..256",
                    ncg_parse_group_sizes("0", sizes, 8, &err));
    ck_assert_int_eq(ncg_parse_group_sizes("2,,4", sizes, 8, NULL), NCG_E_PARSE);
}
END_TEST

START_TEST(format_ids)
{
    char buf[64];
    ck_assert_int_eq(ncg_format_ids(4, 4, 1, buf, sizeof(buf), NULL), 3);
    ck_assert_str_eq(buf, "4-7");
    ncg_format_ids(2, 2, 0, buf, sizeof(buf), NULL);
    ck_assert_str_eq(buf, "2,3");
    ncg_format_ids(5, 1, 1, buf, sizeof(buf), NULL);
    ck_assert_str_eq(buf, "5");
    ck_assert_fails(NCG_E_BUFFER, "buffer of 4 bytes is too small for 8 characters",
                    ncg_format_ids(10, 3, 0, buf, 4, &err));
}
END_TEST

Suite *suite_env(void)
{
    Suite *s = suite_create("env");
    TCase *t = tcase_create("env");
    tcase_add_loop_test(t, visible_cores_valid, 0, sizeof(cores_ok) / sizeof(cores_ok[0]));
    tcase_add_test(t, visible_cores_invalid);
    tcase_add_test(t, devices_and_group_sizes);
    tcase_add_test(t, format_ids);
    suite_add_tcase(s, t);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

static const struct {
    const char *text;
    int64_t milli;
} cpu_ok[] = {
    {"1", 1000}, {"1.5", 1500}, {"500m", 500}, {"0.25", 250}, {"0", 0}, {"96", 96000}, {"0.0001", 1}, {".5", 500},
};

START_TEST(parse_cpu_valid)
{
    int64_t v = -1;
    ck_assert_int_eq(ncg_parse_cpu(cpu_ok[_i].text, &v, NULL), 0);
    ck_assert_int_eq(v, cpu_ok[_i].milli);
}
END_TEST

static const struct {
    const char *text;
    int64_t bytes;
} mem_ok[] = {
    {"4G", 4000000000}, {"4Gi", 4 * GIB}, {"512Mi", 512 * MIB}, {"1073741824", GIB}, {"1.5Gi", 3 * GIB / 2},
    {"1k", 1000},       {"1Ki", 1024},     {"0.5", 1},          {"1E", INT64_C(1000000000000000000)},
};

START_TEST(parse_memory_valid)
{
    int64_t v = -1;
    ck_assert_int_eq(ncg_parse_memory(mem_ok[_i].text, &v, NULL), 0);
    ck_assert_int_eq(v, mem_ok[_i].bytes);
}
END_TEST

START_TEST(parse_rejects)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_PARSE, "invalid CPU quantity \"\": empty", ncg_parse_cpu("", &v, &err));
    ck_assert_fails(NCG_E_RANGE, "invalid CPU quantity \"-1\": must not be negative", ncg_parse_cpu("-1", &v, &err));
    ck_assert_fails(NCG_E_PARSE,
                    "invalid CPU quantity \"abc\": expected a number with an optional \"m\" suffix, such as 1, 1.5 "
                    "or 500m",
                    ncg_parse_cpu("abc", &v, &err));
    ck_assert_fails(NCG_E_PARSE,
                    "invalid memory quantity \"4GB\": expected a number of bytes with an optional suffix k, M, G, T, "
                    "P, E, Ki, Mi, Gi, Ti, Pi or Ei, such as 4G, 4Gi or 512Mi",
                    ncg_parse_memory("4GB", &v, &err));
    ck_assert_fails(NCG_E_RANGE, "invalid memory quantity \"9Ei\": too large", ncg_parse_memory("9Ei", &v, &err));
    ck_assert_fails(NCG_E_RANGE, "invalid memory quantity \"99999999999999999999\": too large",
                    ncg_parse_memory("99999999999999999999", &v, &err));
    ck_assert_fails(NCG_E_INVALID, "CPU quantity is NULL", ncg_parse_cpu(NULL, &v, &err));
    ck_assert_int_eq(ncg_parse_cpu(" 1", &v, NULL), NCG_E_PARSE);
    ck_assert_int_eq(ncg_parse_cpu("1.", &v, NULL), NCG_E_PARSE);
    ck_assert_int_eq(ncg_parse_cpu("+1", &v, NULL), NCG_E_PARSE);
    ck_assert_int_eq(ncg_parse_cpu("1e3", &v, NULL), NCG_E_PARSE);
    ck_assert_int_eq(ncg_parse_memory("1m", &v, NULL), NCG_E_PARSE);
    ck_assert_int_eq(v, 7); /* untouched on failure */
}
END_TEST

START_TEST(format_canonical)
{
    char buf[32];
    ck_assert_int_eq(ncg_format_cpu(3190, buf, sizeof(buf), NULL), 5);
    ck_assert_str_eq(buf, "3190m");
    ncg_format_cpu(2000, buf, sizeof(buf), NULL);
    ck_assert_str_eq(buf, "2");
    ncg_format_memory(6992 * MIB, buf, sizeof(buf), NULL);
    ck_assert_str_eq(buf, "6992Mi");
    ncg_format_memory(4000000000, buf, sizeof(buf), NULL);
    ck_assert_str_eq(buf, "4G");
    ncg_format_memory(1023, buf, sizeof(buf), NULL);
    ck_assert_str_eq(buf, "1023");
    ncg_format_memory(0, buf, sizeof(buf), NULL);
    ck_assert_str_eq(buf, "0");
    ck_assert_fails(NCG_E_BUFFER, "buffer of 3 bytes is too small for 5 characters",
                    ncg_format_cpu(3190, buf, 3, &err));
    ck_assert_fails(NCG_E_RANGE, "cpu -1m must not be negative", ncg_format_cpu(-1, buf, sizeof(buf), &err));
}
END_TEST

Suite *suite_quantity(void)
{
    Suite *s = suite_create("quantity");
    TCase *t = tcase_create("quantity");
    tcase_add_loop_test(t, parse_cpu_valid, 0, sizeof(cpu_ok) / sizeof(cpu_ok[0]));
    tcase_add_loop_test(t, parse_memory_valid, 0, sizeof(mem_ok) / sizeof(mem_ok[0]));
    tcase_add_test(t, parse_rejects);
    tcase_add_test(t, format_canonical);
    suite_add_tcase(s, t);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes quantities: parsing CPU and memory, canonical formatting, the buffer rule. */
#include "test-common.h"

static const struct {
    const char *text;
    int64_t milli;
} cpu_ok[] = {
    {"1", 1000}, {"1.5", 1500}, {"500m", 500}, {"0.25", 250}, {"0", 0}, {"96", 96000}, {"0.0001", 1}, {".5", 500},
};

START_TEST(parse_cpu_accepts_kubernetes_forms)
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

START_TEST(parse_memory_accepts_kubernetes_forms)
{
    int64_t v = -1;
    ck_assert_int_eq(ncg_parse_memory(mem_ok[_i].text, &v, NULL), 0);
    ck_assert_int_eq(v, mem_ok[_i].bytes);
}
END_TEST

START_TEST(parse_cpu_rejects_empty)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_PARSE, "invalid CPU quantity \"\": empty", ncg_parse_cpu("", &v, &err));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_cpu_rejects_negative)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_RANGE, "invalid CPU quantity \"-1\": must not be negative", ncg_parse_cpu("-1", &v, &err));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_cpu_rejects_letters)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_PARSE,
                    "invalid CPU quantity \"abc\": expected a number with an optional \"m\" suffix, such as 1, 1.5 "
                    "or 500m",
                    ncg_parse_cpu("abc", &v, &err));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_cpu_rejects_null_text)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_INVALID, "CPU quantity is NULL", ncg_parse_cpu(NULL, &v, &err));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_cpu_rejects_null_output)
{
    ck_assert_int_eq(ncg_parse_cpu("1", NULL, NULL), NCG_E_INVALID);
}
END_TEST

/* Spaces, a bare trailing point, signs and exponents are not Kubernetes CPU quantities. */
static const char *const cpu_malformed[] = {" 1", "1.", "+1", "1e3"};

START_TEST(parse_cpu_rejects_malformed)
{
    int64_t v = 7;
    ck_assert_int_eq(ncg_parse_cpu(cpu_malformed[_i], &v, NULL), NCG_E_PARSE);
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_memory_rejects_unknown_suffix)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_PARSE,
                    "invalid memory quantity \"4GB\": expected a number of bytes with an optional suffix k, M, G, T, "
                    "P, E, Ki, Mi, Gi, Ti, Pi or Ei, such as 4G, 4Gi or 512Mi",
                    ncg_parse_memory("4GB", &v, &err));
    ck_assert_int_eq(v, 7);
}
END_TEST

/* "m" is milli: a CPU suffix, never a memory one. */
START_TEST(parse_memory_rejects_milli_suffix)
{
    int64_t v = 7;
    ck_assert_int_eq(ncg_parse_memory("1m", &v, NULL), NCG_E_PARSE);
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_memory_rejects_overflowing_suffix)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_RANGE, "invalid memory quantity \"9Ei\": too large", ncg_parse_memory("9Ei", &v, &err));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_memory_rejects_overflowing_number)
{
    int64_t v = 7;
    ck_assert_fails(NCG_E_RANGE, "invalid memory quantity \"99999999999999999999\": too large",
                    ncg_parse_memory("99999999999999999999", &v, &err));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(format_cpu_whole_is_plain_number)
{
    char buf[32];
    ck_assert_int_eq(ncg_format_cpu(2000, buf, sizeof(buf), NULL), 1);
    ck_assert_str_eq(buf, "2");
}
END_TEST

START_TEST(format_cpu_fraction_is_milli)
{
    char buf[32];
    ck_assert_int_eq(ncg_format_cpu(3190, buf, sizeof(buf), NULL), 5);
    ck_assert_str_eq(buf, "3190m");
}
END_TEST

static const struct {
    int64_t bytes;
    const char *text;
} mem_canonical[] = {
    {6992 * MIB, "6992Mi"}, {4000000000, "4G"}, {1023, "1023"}, {0, "0"},
    {4 * GIB, "4Gi"},       {1024, "1Ki"},      {1000, "1k"},   {1500, "1500"},
};

START_TEST(format_memory_is_canonical)
{
    char buf[32];
    ck_assert_int_eq(ncg_format_memory(mem_canonical[_i].bytes, buf, sizeof(buf), NULL),
                     (int)strlen(mem_canonical[_i].text));
    ck_assert_str_eq(buf, mem_canonical[_i].text);
}
END_TEST

START_TEST(format_cpu_rejects_negative)
{
    char buf[32];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_fails(NCG_E_RANGE, "cpu -1m must not be negative", ncg_format_cpu(-1, buf, sizeof(buf), &err));
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

START_TEST(format_memory_rejects_negative)
{
    char buf[32];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_fails(NCG_E_RANGE, "memory -1 bytes must not be negative",
                    ncg_format_memory(-1, buf, sizeof(buf), &err));
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

/* The buffer rule: a buffer too small gets nothing, and the call says how long the text is. */
START_TEST(format_cpu_small_buffer_returns_length_untouched)
{
    char buf[8];
    ncg_error err = {0};
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_cpu(3190, buf, 3, &err), 5);
    ck_assert_untouched(buf, sizeof(buf));
    ck_assert_int_eq(err.code, 0); /* not a failure */
}
END_TEST

/* length < size is needed: room for the text but not its NUL is still too small. */
START_TEST(format_cpu_buffer_without_room_for_nul_untouched)
{
    char buf[8];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_cpu(3190, buf, 5, NULL), 5);
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

START_TEST(format_cpu_exact_buffer_is_written)
{
    char buf[8];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_cpu(3190, buf, 6, NULL), 5);
    ck_assert_str_eq(buf, "3190m");
    ck_assert_untouched(buf + 6, 2);
}
END_TEST

START_TEST(format_cpu_null_buffer_returns_length)
{
    ck_assert_int_eq(ncg_format_cpu(3190, NULL, 0, NULL), 5);
}
END_TEST

START_TEST(format_cpu_zero_size_untouched)
{
    char buf[4];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_cpu(2000, buf, 0, NULL), 1);
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

START_TEST(format_memory_small_buffer_returns_length_untouched)
{
    char buf[8];
    fill_sentinel(buf, sizeof(buf));
    ck_assert_int_eq(ncg_format_memory(6992 * MIB, buf, 6, NULL), 6);
    ck_assert_untouched(buf, sizeof(buf));
}
END_TEST

START_TEST(format_memory_null_buffer_returns_length)
{
    ck_assert_int_eq(ncg_format_memory(6992 * MIB, NULL, 0, NULL), 6);
}
END_TEST

START_TEST(format_cpu_rejects_null_buffer_with_size)
{
    ck_assert_int_eq(ncg_format_cpu(3190, NULL, 8, NULL), NCG_E_INVALID);
}
END_TEST

START_TEST(format_memory_rejects_null_buffer_with_size)
{
    ck_assert_int_eq(ncg_format_memory(1023, NULL, 8, NULL), NCG_E_INVALID);
}
END_TEST

NCG_SUITE(quantity)
{
    Suite *s = suite_create("quantity");
    TCase *t = add_tcase(s, "parse");
    add_loop_test(t, parse_cpu_accepts_kubernetes_forms, 0, (int)ARRAY_SIZE(cpu_ok));
    add_loop_test(t, parse_memory_accepts_kubernetes_forms, 0, (int)ARRAY_SIZE(mem_ok));
    add_test(t, parse_cpu_rejects_empty);
    add_test(t, parse_cpu_rejects_negative);
    add_test(t, parse_cpu_rejects_letters);
    add_test(t, parse_cpu_rejects_null_text);
    add_test(t, parse_cpu_rejects_null_output);
    add_loop_test(t, parse_cpu_rejects_malformed, 0, (int)ARRAY_SIZE(cpu_malformed));
    add_test(t, parse_memory_rejects_unknown_suffix);
    add_test(t, parse_memory_rejects_milli_suffix);
    add_test(t, parse_memory_rejects_overflowing_suffix);
    add_test(t, parse_memory_rejects_overflowing_number);
    t = add_tcase(s, "format");
    add_test(t, format_cpu_whole_is_plain_number);
    add_test(t, format_cpu_fraction_is_milli);
    add_loop_test(t, format_memory_is_canonical, 0, (int)ARRAY_SIZE(mem_canonical));
    add_test(t, format_cpu_rejects_negative);
    add_test(t, format_memory_rejects_negative);
    t = add_tcase(s, "buffer");
    add_test(t, format_cpu_small_buffer_returns_length_untouched);
    add_test(t, format_cpu_buffer_without_room_for_nul_untouched);
    add_test(t, format_cpu_exact_buffer_is_written);
    add_test(t, format_cpu_null_buffer_returns_length);
    add_test(t, format_cpu_zero_size_untouched);
    add_test(t, format_memory_small_buffer_returns_length_untouched);
    add_test(t, format_memory_null_buffer_returns_length);
    add_test(t, format_cpu_rejects_null_buffer_with_size);
    add_test(t, format_memory_rejects_null_buffer_with_size);
    return s;
}

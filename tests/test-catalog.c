/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

/* The built-in catalog equals instances.tsv, field by field. */
START_TEST(builtins_match_instances_tsv)
{
    FILE *f = open_data("neuron/instances.tsv");
    ncg_catalog *c = ncg_catalog_new(NULL);
    char line[512], *fld[16];
    int n, rows = 0;
    while ((n = next_row(f, line, sizeof(line), fld, 16)) >= 0) {
        ncg_type t;
        ck_assert_int_eq(n, 9);
        ck_assert_int_eq(ncg_catalog_find(c, fld[0], &t, NULL), rows);
        ck_assert_str_eq(t.family, fld[1]);
        ck_assert_int_eq(t.chips, atoi(fld[2]));
        ck_assert_int_eq(t.cores_per_chip, atoi(fld[3]));
        ck_assert_int_eq(t.device_memory_bytes, atoll(fld[4]) * GIB);
        ck_assert_int_eq(t.cpu_milli, atoll(fld[5]) * 1000);
        ck_assert_int_eq(t.memory_bytes, atoll(fld[6]) * GIB);
        ck_assert_str_eq(ncg_topology_name(t.topology), fld[7]);
        ck_assert_int_eq(t.has_price, fld[8][0] != '\0');
        if (t.has_price)
            ck_assert_double_eq_tol(t.usd_per_hour, atof(fld[8]), 1e-12);
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 12);
    ck_assert_int_eq(ncg_catalog_count(c), 12);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(add_replace_remove)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_type t = {.name = "m5.large", .accelerator = NCG_ACCEL_NONE, .cpu_milli = 2000, .memory_bytes = 8 * GIB,
                  .has_price = 1, .usd_per_hour = 0.096};
    ncg_type got;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 12);
    t.usd_per_hour = 0.1;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 12); /* replaced in place */
    ck_assert_int_eq(ncg_catalog_count(c), 13);
    ncg_catalog_find(c, "m5.large", &got, NULL);
    ck_assert_double_eq(got.usd_per_hour, 0.1);
    ck_assert_int_eq(ncg_catalog_set_price(c, "inf1.xlarge", 1, 0.5, NULL), 0);
    ncg_catalog_find(c, "inf1.xlarge", &got, NULL);
    ck_assert_double_eq(got.usd_per_hour, 0.5);
    ck_assert_int_eq(ncg_catalog_remove_type(c, "m5.large", NULL), 0);
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"m5.large\"", ncg_catalog_find(c, "m5.large", NULL, &err));
    ncg_catalog_find(c, "trn2.48xlarge", &got, NULL);
    ck_assert_int_eq(got.has_price, 0);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_validation_names_field)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_type t = {.name = "x1", .accelerator = NCG_ACCEL_INFERENTIA, .chips = 0, .cores_per_chip = 4,
                  .device_memory_bytes = GIB, .cpu_milli = 1000, .memory_bytes = GIB};
    ck_assert_fails(NCG_E_RANGE, "type x1: chips 0 is out of range 1..64", ncg_catalog_set_type(c, &t, &err));
    t.chips = 2;
    t.topology = NCG_TOPOLOGY_TORUS_4X4;
    ck_assert_fails(NCG_E_INVALID, "type x1: topology torus4x4 needs 16 chips, not 2", ncg_catalog_set_type(c, &t, &err));
    t.topology = NCG_TOPOLOGY_CHAIN;
    t.name = "bad name";
    ck_assert_fails(NCG_E_INVALID,
                    "type name \"bad name\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
                    ncg_catalog_set_type(c, &t, &err));
    t.name = "x1";
    t.has_price = 1;
    t.usd_per_hour = -1;
    ck_assert_fails(NCG_E_RANGE, "type x1: usd_per_hour -1 must be finite and >= 0", ncg_catalog_set_type(c, &t, &err));
    ck_assert_int_eq(ncg_catalog_count(c), 12); /* failed calls changed nothing */
    ncg_catalog_free(c);
}
END_TEST

START_TEST(reserves)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_reserve r;
    int64_t cpu, mem;
    ncg_catalog_get_reserve(c, &r, NULL);
    ck_assert_int_eq(r.cpu_milli, 710);
    ck_assert_int_eq(r.memory_bytes, 1100 * MIB);
    ck_assert_int_eq(r.plugin_cpu_milli, 100);
    ck_assert_int_eq(r.plugin_memory_bytes, 100 * MIB);
    ck_assert_int_eq(r.runtime_bytes_per_core, 96 * MIB);
    r.cpu_milli = -5;
    ck_assert_fails(NCG_E_RANGE, "reserve cpu_milli -5 is out of range 0..1125899906842624",
                    ncg_catalog_set_reserve(c, &r, &err));
    r.cpu_milli = 1000;
    ck_assert_int_eq(ncg_catalog_set_reserve(c, &r, NULL), 0);
    ncg_catalog_usable(c, "inf1.xlarge", &cpu, &mem, NULL);
    ck_assert_int_eq(cpu, 2900);
    ck_assert_int_eq(mem, 8 * GIB - 1200 * MIB);
    ncg_catalog_free(c);
}
END_TEST

Suite *suite_catalog(void)
{
    Suite *s = suite_create("catalog");
    TCase *t = tcase_create("catalog");
    tcase_add_test(t, builtins_match_instances_tsv);
    tcase_add_test(t, add_replace_remove);
    tcase_add_test(t, set_type_validation_names_field);
    tcase_add_test(t, reserves);
    suite_add_tcase(s, t);
    return s;
}

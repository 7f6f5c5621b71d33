/* SPDX-License-Identifier: Apache-2.0 */
/* The catalog of instance types: built-ins, custom types, prices, reserves, sized structs. */
#include "test-common.h"

#define INSTANCES "neuron/instances.tsv"

/* Built-in type number _i equals row _i of instances.tsv, field by field, at the same index. */
START_TEST(builtin_type_matches_instances_tsv)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = NCG_INIT(ncg_type);
    char line[512], *fld[16];
    int n = read_row(INSTANCES, _i, line, sizeof(line), fld, 16);
    ck_assert_int_eq(n, 9);
    ck_assert_int_eq(ncg_catalog_find_type(c, fld[0], &t, NULL), _i);
    ck_assert_str_eq(t.name, fld[0]);
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
    ck_assert_uint_eq(t.size, sizeof(ncg_type));
    ncg_catalog_free(c);
}
END_TEST

/* The 12 types of the shared instances.tsv, then trn2.3xlarge and trn2u.48xlarge (doc/topology.md's sources). */
START_TEST(builtin_catalog_has_the_12_types_of_instances_tsv_and_two_trn2)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = NCG_INIT(ncg_type);
    ck_assert_int_eq(data_rows(INSTANCES), 12);
    ck_assert_int_eq(ncg_catalog_type_count(c), 14);
    ck_assert_int_eq(ncg_catalog_get_type(c, 12, &t, NULL), 0);
    ck_assert_str_eq(t.name, "trn2.3xlarge");
    ck_assert_int_eq(t.chips, 1);
    ck_assert_int_eq(t.cores_per_chip, 4);
    ck_assert_int_eq(t.physical_cores_per_chip, 8);
    ck_assert_int_eq(t.lnc, 2);
    ck_assert_int_eq(t.hbm_banks, 4);
    ck_assert_int_eq(t.device_memory_bytes, 96 * GIB);
    ck_assert_int_eq(t.cpu_milli, 12000);
    ck_assert_int_eq(t.memory_bytes, 128 * GIB);
    ck_assert_int_eq(t.topology, NCG_TOPOLOGY_SINGLE);
    ck_assert_int_eq(t.has_price, 0);
    ck_assert_int_eq(ncg_catalog_get_type(c, 13, &t, NULL), 0);
    ck_assert_str_eq(t.name, "trn2u.48xlarge");
    ck_assert_int_eq(t.chips, 16);
    ck_assert_int_eq(t.topology, NCG_TOPOLOGY_TORUS_4X4);
    ck_assert_int_eq(t.memory_bytes, 2048 * GIB);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(get_type_follows_table_order)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = NCG_INIT(ncg_type);
    ck_assert_int_eq(ncg_catalog_get_type(c, 0, &t, NULL), 0);
    ck_assert_str_eq(t.name, "inf1.xlarge");
    ck_assert_int_eq(ncg_catalog_get_type(c, 11, &t, NULL), 0);
    ck_assert_str_eq(t.name, "trn2.48xlarge");
    ck_assert_int_eq(t.physical_cores_per_chip, 8);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(get_type_rejects_index_out_of_range)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = NCG_INIT(ncg_type);
    ck_assert_fails(NCG_E_NOT_FOUND, "type index 14 is out of range 0..13", ncg_catalog_get_type(c, 14, &t, &err));
    ck_assert_fails(NCG_E_NOT_FOUND, "type index -1 is out of range 0..13", ncg_catalog_get_type(c, -1, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(find_type_without_out_tests_presence)
{
    ncg_catalog *c = test_catalog();
    ck_assert_int_eq(ncg_catalog_find_type(c, "inf2.48xlarge", NULL, NULL), 7);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(find_type_reports_unknown_name)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = NCG_INIT(ncg_type);
    ncg_type before;
    fill_sentinel(&t, sizeof(t));
    t.size = sizeof(t);
    memcpy(&before, &t, sizeof(t));
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"m5.large\" in us-east-1",
                    ncg_catalog_find_type(c, "m5.large", &t, &err));
    ck_assert_mem_eq(&t, &before, sizeof(t));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(new_rejects_unknown_flags)
{
    ck_assert_fails_null(NCG_E_INVALID, "catalog_new: flags 0x2 has unknown bits", ncg_catalog_new(2, &err));
}
END_TEST

START_TEST(new_empty_flag_gives_no_types)
{
    ncg_catalog *c = ncg_catalog_new(NCG_CATALOG_EMPTY, NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(ncg_catalog_type_count(c), 0);
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"inf1.xlarge\" in us-east-1",
                    ncg_catalog_find_type(c, "inf1.xlarge", NULL, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(new_empty_flag_keeps_default_reserves)
{
    ncg_catalog *c = ncg_catalog_new(NCG_CATALOG_EMPTY, NULL);
    ncg_reserve r = NCG_INIT(ncg_reserve);
    ck_assert_int_eq(ncg_catalog_get_reserve(c, &r, NULL), 0);
    ck_assert_int_eq(r.cpu_milli, 710);
    ck_assert_int_eq(r.runtime_bytes_per_core, 96 * MIB);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(type_count_of_null_is_zero)
{
    ck_assert_int_eq(ncg_catalog_type_count(NULL), 0);
}
END_TEST

static ncg_type m5_large(void)
{
    ncg_type t = NCG_INIT(ncg_type);
    t.name = "m5.large";
    t.accelerator = NCG_ACCEL_NONE;
    t.cpu_milli = 2000;
    t.memory_bytes = 8 * GIB;
    t.has_price = 1;
    t.usd_per_hour = 0.096;
    return t;
}

START_TEST(set_type_appends_a_custom_type)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = m5_large();
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    ck_assert_int_eq(ncg_catalog_type_count(c), 15);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_replaces_same_name_in_place)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = m5_large(), got = NCG_INIT(ncg_type);
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    t.usd_per_hour = 0.1;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    ck_assert_int_eq(ncg_catalog_type_count(c), 15);
    ck_assert_int_eq(ncg_catalog_find_type(c, "m5.large", &got, NULL), 14);
    ck_assert_double_eq(got.usd_per_hour, 0.1);
    ncg_catalog_free(c);
}
END_TEST

/* The catalog copies the strings of a type it is given. */
START_TEST(set_type_copies_the_strings)
{
    ncg_catalog *c = test_catalog();
    char name[] = "m5.large", family[] = "m5";
    ncg_type t = m5_large(), got = NCG_INIT(ncg_type);
    t.name = name;
    t.family = family;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    name[0] = 'x';
    family[0] = 'x';
    ck_assert_int_eq(ncg_catalog_get_type(c, 14, &got, NULL), 0);
    ck_assert_str_eq(got.name, "m5.large");
    ck_assert_str_eq(got.family, "m5");
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_price_overrides_builtin_price)
{
    ncg_catalog *c = test_catalog();
    ncg_type got = NCG_INIT(ncg_type);
    ck_assert_int_eq(ncg_catalog_set_price(c, "inf1.xlarge", 1, 0.5, NULL), 0);
    ncg_catalog_find_type(c, "inf1.xlarge", &got, NULL);
    ck_assert_int_eq(got.has_price, 1);
    ck_assert_double_eq(got.usd_per_hour, 0.5);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_price_clears_price)
{
    ncg_catalog *c = test_catalog();
    ncg_type got = NCG_INIT(ncg_type);
    ck_assert_int_eq(ncg_catalog_set_price(c, "inf1.xlarge", 0, 0, NULL), 0);
    ncg_catalog_find_type(c, "inf1.xlarge", &got, NULL);
    ck_assert_int_eq(got.has_price, 0);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_price_rejects_negative)
{
    ncg_catalog *c = test_catalog();
    ck_assert_fails(NCG_E_RANGE, "type inf1.xlarge: usd_per_hour -1 must be finite and >= 0",
                    ncg_catalog_set_price(c, "inf1.xlarge", 1, -1, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_price_rejects_unknown_type)
{
    ncg_catalog *c = test_catalog();
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"nope\" in us-east-1", ncg_catalog_set_price(c, "nope", 1, 1, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(remove_type_forgets_it)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = m5_large();
    ncg_catalog_set_type(c, &t, NULL);
    ck_assert_int_eq(ncg_catalog_remove_type(c, "m5.large", NULL), 0);
    ck_assert_int_eq(ncg_catalog_type_count(c), 14);
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"m5.large\" in us-east-1",
                    ncg_catalog_find_type(c, "m5.large", NULL, &err));
    ncg_catalog_free(c);
}
END_TEST

/* Many types, removals in between: every name still finds its own index (the order of addition, closed up). */
START_TEST(many_types_keep_their_indexes)
{
    ncg_catalog *c = ncg_catalog_new(NCG_CATALOG_EMPTY, NULL);
    ncg_type t = m5_large(), got = NCG_INIT(ncg_type);
    char name[32];
    int n = 5000;
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "t%d.large", i);
        t.name = name;
        ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), i);
    }
    for (int i = 0; i < n; i += 3) {
        snprintf(name, sizeof(name), "t%d.large", i);
        ck_assert_int_eq(ncg_catalog_remove_type(c, name, NULL), 0);
    }
    ck_assert_int_eq(ncg_catalog_type_count(c), n - (n + 2) / 3);
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "t%d.large", i);
        if (i % 3 == 0) {
            ck_assert_int_eq(ncg_catalog_find_type(c, name, NULL, NULL), NCG_E_UNKNOWN_TYPE);
        } else {
            int at = ncg_catalog_find_type(c, name, &got, NULL);
            ck_assert_int_eq(at, i - (i + 2) / 3);
            ck_assert_str_eq(got.name, name);
        }
    }
    t.name = "t0.large"; /* a removed name comes back at the end */
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), n - (n + 2) / 3);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(remove_type_rejects_unknown_type)
{
    ncg_catalog *c = test_catalog();
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"nope\" in us-east-1", ncg_catalog_remove_type(c, "nope", &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(trn2_has_no_published_price)
{
    ncg_catalog *c = test_catalog();
    ncg_type got = NCG_INIT(ncg_type);
    ncg_catalog_find_type(c, "trn2.48xlarge", &got, NULL);
    ck_assert_int_eq(got.has_price, 0);
    ncg_catalog_free(c);
}
END_TEST

static ncg_type neuron_type(void)
{
    ncg_type t = NCG_INIT(ncg_type);
    t.name = "x1";
    t.accelerator = NCG_ACCEL_INFERENTIA;
    t.chips = 2;
    t.cores_per_chip = 4;
    t.device_memory_bytes = GIB;
    t.cpu_milli = 1000;
    t.memory_bytes = GIB;
    t.topology = NCG_TOPOLOGY_CHAIN;
    return t;
}

START_TEST(set_type_accepts_neuron_type)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_zero_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.chips = 0;
    ck_assert_fails(NCG_E_RANGE, "type x1: chips 0 is out of range 1..64", ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_accepts_64_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.chips = 64;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_65_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.chips = 65;
    t.cores_per_chip = 1;
    ck_assert_fails(NCG_E_RANGE, "type x1: chips 65 is out of range 1..64", ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_more_than_256_cores)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.chips = 64;
    t.cores_per_chip = 8;
    ck_assert_fails(NCG_E_RANGE, "type x1: 64 chips x 8 cores_per_chip exceeds 256 NeuronCores",
                    ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_torus_without_16_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.topology = NCG_TOPOLOGY_TORUS_4X4;
    ck_assert_fails(NCG_E_INVALID, "type x1: topology torus4x4 needs 16 chips, not 2",
                    ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

/* The Logical NeuronCore setting and HBM banks of a type: each rule, with its message. */
START_TEST(set_type_checks_lnc_and_banks)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type(), ok;
    t.physical_cores_per_chip = 8;
    t.lnc = 2;
    t.hbm_banks = 4;
    ok = t;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    t.lnc = 3;
    ck_assert_fails(NCG_E_RANGE, "type x1: lnc 3 is out of range 0..2", ncg_catalog_set_type(c, &t, &err));
    t.lnc = 1;
    ck_assert_fails(NCG_E_INVALID, "type x1: lnc 1 needs physical_cores_per_chip = cores_per_chip x lnc = 4, not 8",
                    ncg_catalog_set_type(c, &t, &err));
    t = ok;
    t.cores_per_chip = 3;
    t.physical_cores_per_chip = 6;
    t.hbm_banks = 0;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14); /* 6 physical, even: both settings valid */
    t.cores_per_chip = 9;
    t.physical_cores_per_chip = 18;
    ck_assert_fails(NCG_E_INVALID, "type x1: lnc 2 needs physical_cores_per_chip (18) even, at most 16 and at most "
                    "256 per node (2 chips), so that every setting (1..2) is valid", ncg_catalog_set_type(c, &t, &err));
    t = ok;
    t.hbm_banks = 3;
    ck_assert_fails(NCG_E_RANGE, "type x1: hbm_banks 3 must be 0 or a divisor of its 8 physical cores per chip",
                    ncg_catalog_set_type(c, &t, &err));
    t.hbm_banks = 8; /* one physical core per bank: a logical core of 2 would straddle two banks */
    ck_assert_fails(NCG_E_INVALID, "type x1: hbm_banks 8 needs each bank to serve whole NeuronCores (1 physical "
                    "cores per bank, a multiple of every Logical NeuronCore setting)", ncg_catalog_set_type(c, &t, &err));
    t = neuron_type();
    t.physical_cores_per_chip = 8;
    t.hbm_banks = 2; /* no lnc: cores_per_chip must be the physical cores */
    ck_assert_fails(NCG_E_INVALID, "type x1: hbm_banks 2 needs each bank to serve whole NeuronCores (4 physical cores "
                    "per bank, and cores_per_chip equal to physical_cores_per_chip without an lnc)",
                    ncg_catalog_set_type(c, &t, &err));
    t.physical_cores_per_chip = 0;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14); /* 4 cores in 2 banks */
    t = (ncg_type)NCG_INIT(ncg_type);
    t.name = "m9.large";
    t.cpu_milli = 1000;
    t.memory_bytes = GIB;
    t.lnc = 2;
    ck_assert_fails(NCG_E_INVALID, "type m9.large: chips 0, cores_per_chip 0, device_memory_bytes 0, lnc 2 and "
                    "hbm_banks 0 must be 0 without Neuron accelerators", ncg_catalog_set_type(c, &t, &err));
    t.lnc = 0;
    t.topology = (ncg_topology)5;
    ck_assert_fails(NCG_E_INVALID, "type m9.large: topology 5 is not a known ncg_topology",
                    ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

/* A switched type takes any number of its chips, in one range. */
START_TEST(switched_topology_takes_any_count_of_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    ncg_node *node;
    ncg_request r;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_node_status st = NCG_INIT(ncg_node_status);
    t.chips = 16;
    t.topology = NCG_TOPOLOGY_SWITCHED;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    node = ncg_node_new(c, "x1", 0, NULL);
    ncg_request_init(&r);
    r.cpu_milli = 0;
    for (int chips = 1; chips <= 5; chips++) {
        r.inf = chips;
        ck_assert_int_eq(ncg_node_allocate(node, &r, &a, NULL), 0);
    }
    ck_assert_int_eq(a.first_chip, 10);
    ck_assert_int_eq(a.chip_count, 5);
    ck_assert_int_eq(ncg_node_get_status(node, &st, NULL), 0);
    ck_assert_int_eq(st.largest_window, 1);
    ncg_node_free(node);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_bad_name)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.name = "bad name";
    ck_assert_fails(NCG_E_INVALID,
                    "type name \"bad name\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
                    ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_accepts_63_character_name)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type(), got = NCG_INIT(ncg_type);
    char name[NCG_NAME_MAX + 1];
    memset(name, 'a', NCG_NAME_MAX);
    name[NCG_NAME_MAX] = '\0';
    t.name = name;
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), 14);
    ck_assert_int_eq(ncg_catalog_find_type(c, name, &got, NULL), 14);
    ck_assert_str_eq(got.name, name);
    ncg_catalog_free(c);
}
END_TEST

/* Type names stay at 63 characters in 2.0 (only node names grew). */
START_TEST(set_type_rejects_64_character_name)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    char name[NCG_NAME_MAX + 2], want[NCG_MESSAGE_MAX];
    memset(name, 'a', NCG_NAME_MAX + 1);
    name[NCG_NAME_MAX + 1] = '\0';
    t.name = name;
    snprintf(want, sizeof(want),
             "type name \"%s\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'", name);
    ck_assert_fails(NCG_E_INVALID, want, ncg_catalog_set_type(c, &t, &err));
    ck_assert_int_eq(ncg_catalog_type_count(c), 14);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_negative_price)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.has_price = 1;
    t.usd_per_hour = -1;
    ck_assert_fails(NCG_E_RANGE, "type x1: usd_per_hour -1 must be finite and >= 0",
                    ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

/* A failed set_type changes nothing: same count, the replaced type as it was. */
START_TEST(set_type_failure_changes_nothing)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type(), before = NCG_INIT(ncg_type), after = NCG_INIT(ncg_type);
    t.name = "inf1.xlarge";
    t.chips = 0;
    ncg_catalog_find_type(c, "inf1.xlarge", &before, NULL);
    ck_assert_int_eq(ncg_catalog_set_type(c, &t, NULL), NCG_E_RANGE);
    ck_assert_int_eq(ncg_catalog_type_count(c), 14);
    ncg_catalog_find_type(c, "inf1.xlarge", &after, NULL);
    ck_assert_int_eq(after.chips, before.chips);
    ck_assert_int_eq(after.cpu_milli, before.cpu_milli);
    ck_assert_double_eq(after.usd_per_hour, before.usd_per_hour);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(default_reserves_are_cortex_v0_18)
{
    ncg_catalog *c = test_catalog();
    ncg_reserve r = NCG_INIT(ncg_reserve);
    ck_assert_int_eq(ncg_catalog_get_reserve(c, &r, NULL), 0);
    ck_assert_int_eq(r.cpu_milli, 710);
    ck_assert_int_eq(r.memory_bytes, 1100 * MIB);
    ck_assert_int_eq(r.plugin_cpu_milli, 100);
    ck_assert_int_eq(r.plugin_memory_bytes, 100 * MIB);
    ck_assert_int_eq(r.runtime_bytes_per_core, 96 * MIB);
    ck_assert_uint_eq(r.size, sizeof(ncg_reserve));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_reserve_rejects_negative_field)
{
    ncg_catalog *c = test_catalog();
    ncg_reserve r = NCG_INIT(ncg_reserve), after = NCG_INIT(ncg_reserve);
    ncg_catalog_get_reserve(c, &r, NULL);
    r.cpu_milli = -5;
    ck_assert_fails(NCG_E_RANGE, "reserve cpu_milli -5 is out of range 0..1125899906842624",
                    ncg_catalog_set_reserve(c, &r, &err));
    ncg_catalog_get_reserve(c, &after, NULL);
    ck_assert_int_eq(after.cpu_milli, 710);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_reserve_changes_usable)
{
    ncg_catalog *c = test_catalog();
    ncg_reserve r = NCG_INIT(ncg_reserve);
    int64_t cpu = -1, mem = -1;
    ncg_catalog_get_reserve(c, &r, NULL);
    r.cpu_milli = 1000;
    ck_assert_int_eq(ncg_catalog_set_reserve(c, &r, NULL), 0);
    ck_assert_int_eq(ncg_catalog_get_usable(c, "inf1.xlarge", &cpu, &mem, NULL), 0);
    ck_assert_int_eq(cpu, 2900);
    ck_assert_int_eq(mem, 8 * GIB - 1200 * MIB);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(get_usable_subtracts_plugin_reserve)
{
    ncg_catalog *c = test_catalog();
    int64_t cpu = -1, mem = -1;
    ck_assert_int_eq(ncg_catalog_get_usable(c, "inf1.xlarge", &cpu, &mem, NULL), 0);
    ck_assert_int_eq(cpu, 3190);
    ck_assert_int_eq(mem, 6992 * MIB);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(get_usable_accepts_null_outputs)
{
    ncg_catalog *c = test_catalog();
    int64_t mem = -1;
    ck_assert_int_eq(ncg_catalog_get_usable(c, "inf1.xlarge", NULL, &mem, NULL), 0);
    ck_assert_int_eq(mem, 6992 * MIB);
    ck_assert_int_eq(ncg_catalog_get_usable(c, "inf1.xlarge", NULL, NULL, NULL), 0);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(get_usable_rejects_unknown_type)
{
    ncg_catalog *c = test_catalog();
    int64_t cpu = -1;
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"nope\" in us-east-1",
                    ncg_catalog_get_usable(c, "nope", &cpu, NULL, &err));
    ck_assert_int_eq(cpu, -1);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(get_type_rejects_size_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_type t;
    memset(&t, 0, sizeof(t));
    ck_assert_rejects_size(ncg_type, 0, ncg_catalog_get_type(c, 0, &t, &err));
    ck_assert_ptr_null(t.name);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(find_type_rejects_size_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_type t;
    memset(&t, 0, sizeof(t));
    ck_assert_rejects_size(ncg_type, 0, ncg_catalog_find_type(c, "inf1.xlarge", &t, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_size_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.size = 0;
    ck_assert_rejects_size(ncg_type, 0, ncg_catalog_set_type(c, &t, &err));
    ck_assert_int_eq(ncg_catalog_type_count(c), 14);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_type_rejects_size_below_first_version)
{
    ncg_catalog *c = test_catalog();
    ncg_type t = neuron_type();
    t.size = (uint32_t)FIRST_VERSION_SIZE(ncg_type) - 1;
    ck_assert_rejects_size(ncg_type, FIRST_VERSION_SIZE(ncg_type) - 1, ncg_catalog_set_type(c, &t, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(get_reserve_rejects_size_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_reserve r;
    memset(&r, 0, sizeof(r));
    ck_assert_rejects_size(ncg_reserve, 0, ncg_catalog_get_reserve(c, &r, &err));
    ck_assert_int_eq(r.cpu_milli, 0);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(set_reserve_rejects_size_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_reserve r = NCG_INIT(ncg_reserve), after = NCG_INIT(ncg_reserve);
    r.size = 0;
    ck_assert_rejects_size(ncg_reserve, 0, ncg_catalog_set_reserve(c, &r, &err));
    ncg_catalog_get_reserve(c, &after, NULL);
    ck_assert_int_eq(after.cpu_milli, 710);
    ncg_catalog_free(c);
}
END_TEST

/* A struct from a newer header is longer: the library writes what it knows and leaves the rest alone. */
START_TEST(get_type_leaves_unknown_trailing_members)
{
    ncg_catalog *c = test_catalog();
    struct {
        ncg_type t;
        unsigned char later[16];
    } big;
    fill_sentinel(&big, sizeof(big));
    big.t.size = (uint32_t)sizeof(big);
    ck_assert_int_eq(ncg_catalog_get_type(c, 0, &big.t, NULL), 0);
    ck_assert_str_eq(big.t.name, "inf1.xlarge");
    ck_assert_uint_eq(big.t.size, sizeof(big));
    ck_assert_untouched(big.later, sizeof(big.later));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(topology_names)
{
    ck_assert_str_eq(ncg_topology_name(NCG_TOPOLOGY_SINGLE), "single");
    ck_assert_str_eq(ncg_topology_name(NCG_TOPOLOGY_CHAIN), "chain");
    ck_assert_str_eq(ncg_topology_name(NCG_TOPOLOGY_RING), "ring");
    ck_assert_str_eq(ncg_topology_name(NCG_TOPOLOGY_TORUS_4X4), "torus4x4");
    ck_assert_str_eq(ncg_topology_name(NCG_TOPOLOGY_SWITCHED), "switched");
    ck_assert_ptr_null(ncg_topology_name((ncg_topology)5));
}
END_TEST

START_TEST(accel_names)
{
    ck_assert_str_eq(ncg_accel_name(NCG_ACCEL_NONE), "none");
    ck_assert_str_eq(ncg_accel_name(NCG_ACCEL_INFERENTIA), "inferentia");
    ck_assert_str_eq(ncg_accel_name(NCG_ACCEL_TRAINIUM), "trainium");
    ck_assert_str_eq(ncg_accel_name(NCG_ACCEL_GPU), "gpu");
    ck_assert_ptr_null(ncg_accel_name((ncg_accel)4));
}
END_TEST

START_TEST(null_catalog_is_invalid)
{
    ncg_type t = NCG_INIT(ncg_type);
    ncg_reserve r = NCG_INIT(ncg_reserve);
    ck_assert_int_eq(ncg_catalog_get_type(NULL, 0, &t, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_find_type(NULL, "inf1.xlarge", &t, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_set_type(NULL, &t, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_remove_type(NULL, "x", NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_set_price(NULL, "x", 1, 1, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_get_reserve(NULL, &r, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_set_reserve(NULL, &r, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_get_usable(NULL, "x", NULL, NULL, NULL), NCG_E_INVALID);
}
END_TEST

START_TEST(null_arguments_are_invalid)
{
    ncg_catalog *c = test_catalog();
    ck_assert_int_eq(ncg_catalog_get_type(c, 0, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_find_type(c, NULL, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_set_type(c, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_remove_type(c, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_set_reserve(c, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_get_reserve(c, NULL, NULL), NCG_E_INVALID);
    ck_assert_int_eq(ncg_catalog_type_count(c), 14);
    ncg_catalog_free(c);
}
END_TEST


/* ---- regions: every EC2 type Cortex knew, per region (tests/data/cortex-vectors/ec2_instance_metadata_*.tsv) ---- */

#define EC2 "cortex-vectors/ec2_instance_metadata_v0.42.0.tsv"

static const char *region_at(int i)
{
    const char *names[64];
    ck_assert_int_eq(ncg_catalog_get_regions(names, 64, NULL), 23);
    return names[i];
}

/* Region _i: every row of the Cortex table for it is a type of the catalog, with its vCPU, memory, GPUs, chips and
 * price, and the catalog holds nothing else but the Neuron types that table lacks there (every Neuron type is in
 * every region). */
START_TEST(region_catalog_matches_cortex_table)
{
    const char *region = region_at(_i);
    ncg_catalog *c = ncg_catalog_new_region(region, 0, NULL);
    FILE *f = open_data(EC2);
    char line[512], *fld[8];
    int rows = 0, neuron_rows = 0, n;
    ck_assert_ptr_nonnull(c);
    while ((n = next_row(f, line, sizeof(line), fld, 8)) >= 0) {
        ncg_type t = NCG_INIT(ncg_type);
        int64_t mib;
        if (strcmp(fld[0], region) != 0)
            continue;
        ck_assert_int_eq(n, 7);
        rows++;
        ck_assert_int_ge(ncg_catalog_find_type(c, fld[1], &t, NULL), 0);
        mib = atoll(fld[2]);
        ck_assert_str_eq(fld[2] + strspn(fld[2], "0123456789"), "Mi");
        ck_assert_int_eq(t.memory_bytes, mib * MIB);
        ck_assert_int_eq(t.cpu_milli, atoll(fld[3]) * 1000);
        ck_assert_int_eq(t.gpus, atoi(fld[4]));
        ck_assert_int_eq(t.chips, atoi(fld[5]));
        neuron_rows += t.chips > 0;
        ck_assert_int_eq(t.accelerator, atoi(fld[5]) ? NCG_ACCEL_INFERENTIA
                                        : atoi(fld[4]) ? NCG_ACCEL_GPU : NCG_ACCEL_NONE);
        ck_assert_int_eq(t.has_price, 1);
        ck_assert_double_eq_tol(t.usd_per_hour, atof(fld[6]), 1e-12);
        if (!t.chips) {
            ck_assert_int_eq(t.cores_per_chip, 0);
            ck_assert_int_eq(t.device_memory_bytes, 0);
            ck_assert_int_eq(strncmp(t.name, t.family, strlen(t.family)), 0);
            ck_assert_int_eq(t.name[strlen(t.family)], '.');
        }
    }
    fclose(f);
    ck_assert_int_gt(rows, 100);
    ck_assert_int_eq(ncg_catalog_type_count(c), rows + 14 - neuron_rows);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(region_us_east_1_counts)
{
    ncg_catalog *c = ncg_catalog_new_region("us-east-1", 0, NULL);
    ncg_catalog *n = ncg_catalog_new_region("us-east-1", NCG_CATALOG_NEURON, NULL);
    ncg_type t = NCG_INIT(ncg_type);
    ck_assert_int_eq(ncg_catalog_type_count(c), 479);
    ck_assert_int_eq(ncg_catalog_type_count(n), 14);
    /* Neuron types first, then the others by name */
    ck_assert_int_eq(ncg_catalog_get_type(c, 13, &t, NULL), 0);
    ck_assert_str_eq(t.name, "trn2u.48xlarge");
    ck_assert_int_eq(ncg_catalog_get_type(c, 14, &t, NULL), 0);
    ck_assert_str_eq(t.name, "a1.2xlarge");
    ck_assert_int_eq(ncg_catalog_get_type(c, 478, &t, NULL), 0);
    ck_assert_str_eq(t.name, "z1d.xlarge");
    ck_assert_int_eq(ncg_catalog_find_type(c, "g4dn.xlarge", &t, NULL), 146);
    ck_assert_str_eq(t.family, "g4dn");
    ck_assert_int_eq(t.accelerator, NCG_ACCEL_GPU);
    ck_assert_int_eq(t.gpus, 1);
    ck_assert_int_eq(t.cpu_milli, 4000);
    ck_assert_int_eq(t.memory_bytes, 16 * GIB);
    ck_assert_double_eq_tol(t.usd_per_hour, 0.526, 1e-12);
    ck_assert_int_ge(ncg_catalog_find_type(c, "t3.medium", &t, NULL), 14);
    ck_assert_int_eq(t.accelerator, NCG_ACCEL_NONE);
    ck_assert_int_eq(t.gpus, 0);
    ck_assert_int_eq(t.chips, 0);
    ck_assert_int_eq(t.cpu_milli, 2000);
    ck_assert_int_eq(t.memory_bytes, 4 * GIB);
    ck_assert_double_eq_tol(t.usd_per_hour, 0.0416, 1e-12);
    ncg_catalog_free(c);
    ncg_catalog_free(n);
}
END_TEST

/* ncg_catalog_new(flags) is ncg_catalog_new_region("us-east-1", flags | NCG_CATALOG_NEURON), type by type. */
START_TEST(catalog_new_is_us_east_1_neuron)
{
    ncg_catalog *a = test_catalog(), *b = ncg_catalog_new_region("us-east-1", NCG_CATALOG_NEURON, NULL);
    ck_assert_int_eq(ncg_catalog_type_count(a), ncg_catalog_type_count(b));
    for (int i = 0; i < ncg_catalog_type_count(a); i++) {
        ncg_type x = NCG_INIT(ncg_type), y = NCG_INIT(ncg_type);
        ck_assert_int_eq(ncg_catalog_get_type(a, i, &x, NULL), 0);
        ck_assert_int_eq(ncg_catalog_get_type(b, i, &y, NULL), 0);
        ck_assert_str_eq(x.name, y.name);
        ck_assert_str_eq(x.family, y.family);
        x.name = y.name = x.family = y.family = NULL;
        ck_assert_mem_eq(&x, &y, sizeof(x));
    }
    ncg_catalog_free(a);
    ncg_catalog_free(b);
}
END_TEST

/* Every Neuron type in every region, with the facts of us-east-1; a price only where the data give one. */
START_TEST(region_has_every_neuron_type)
{
    const char *region = region_at(_i);
    ncg_catalog *c = ncg_catalog_new_region(region, NCG_CATALOG_NEURON, NULL), *east = test_catalog();
    ck_assert_int_eq(ncg_catalog_type_count(c), 14);
    for (int i = 0; i < 12; i++) {
        ncg_type x = NCG_INIT(ncg_type), y = NCG_INIT(ncg_type);
        ck_assert_int_eq(ncg_catalog_get_type(east, i, &x, NULL), 0);
        ck_assert_int_eq(ncg_catalog_find_type(c, x.name, &y, NULL), i);
        ck_assert_str_eq(x.family, y.family);
        x.name = y.name = x.family = y.family = NULL;
        x.has_price = y.has_price = 0;
        x.usd_per_hour = y.usd_per_hour = 0;
        ck_assert_mem_eq(&x, &y, sizeof(x));
    }
    ncg_catalog_free(c);
    ncg_catalog_free(east);
}
END_TEST

START_TEST(catalog_names_its_region)
{
    ncg_catalog *e = ncg_catalog_new(NCG_CATALOG_EMPTY, NULL);
    ck_assert_str_eq(ncg_catalog_get_region(e), "us-east-1");
    ck_assert_ptr_null(ncg_catalog_get_region(NULL));
    ncg_catalog_free(e);
    e = ncg_catalog_new_region("us-west-2", NCG_CATALOG_EMPTY, NULL);
    ck_assert_str_eq(ncg_catalog_get_region(e), "us-west-2");
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"inf2.xlarge\" in us-west-2",
                    ncg_catalog_find_type(e, "inf2.xlarge", NULL, &err));
    ncg_catalog_free(e);
}
END_TEST

START_TEST(region_prices_only_where_known)
{
    ncg_catalog *c = ncg_catalog_new_region("eu-west-1", NCG_CATALOG_NEURON, NULL);
    ncg_type t = NCG_INIT(ncg_type);
    ck_assert_int_eq(ncg_catalog_find_type(c, "inf1.6xlarge", &t, NULL), 2);
    ck_assert_int_eq(t.topology, NCG_TOPOLOGY_CHAIN);
    ck_assert_int_eq(t.has_price, 1);
    ck_assert_double_eq_tol(t.usd_per_hour, 1.315, 1e-12);
    ck_assert_int_eq(ncg_catalog_find_type(c, "inf2.xlarge", &t, NULL), 4);
    ck_assert_int_eq(t.chips, 1);
    ck_assert_int_eq(t.device_memory_bytes, 32 * GIB);
    ck_assert_int_eq(t.has_price, 0);
    ck_assert(t.usd_per_hour == 0);
    ncg_catalog_free(c);
    c = ncg_catalog_new_region("ap-northeast-3", NCG_CATALOG_NEURON, NULL);
    for (int i = 0; i < ncg_catalog_type_count(c); i++) {
        ck_assert_int_eq(ncg_catalog_get_type(c, i, &t, NULL), 0);
        ck_assert_int_eq(t.has_price, 0);
    }
    ncg_catalog_free(c);
}
END_TEST

START_TEST(region_empty_flag_gives_no_types)
{
    ncg_catalog *c = ncg_catalog_new_region("us-west-2", NCG_CATALOG_EMPTY | NCG_CATALOG_NEURON, NULL);
    ncg_reserve r = NCG_INIT(ncg_reserve);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(ncg_catalog_type_count(c), 0);
    ck_assert_int_eq(ncg_catalog_get_reserve(c, &r, NULL), 0);
    ck_assert_int_eq(r.cpu_milli, 710);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(region_errors)
{
    ck_assert_fails_null(NCG_E_INVALID, "catalog_new_region: region is NULL", ncg_catalog_new_region(NULL, 0, &err));
    ck_assert_fails_null(NCG_E_INVALID, "catalog_new_region: flags 0x4 has unknown bits",
                         ncg_catalog_new_region("us-east-1", 4, &err));
    ck_assert_fails_null(NCG_E_NOT_FOUND, "unknown region \"us-east-9\" (the catalog knows 23 regions, af-south-1 to "
                         "us-west-2)", ncg_catalog_new_region("us-east-9", 0, &err));
    ck_assert_fails_null(NCG_E_NOT_FOUND, "unknown region \"\" (the catalog knows 23 regions, af-south-1 to "
                         "us-west-2)", ncg_catalog_new_region("", 0, &err));
    ck_assert_fails_null(NCG_E_INVALID, "catalog_new: flags 0x2 has unknown bits",
                         ncg_catalog_new(NCG_CATALOG_NEURON, &err));
}
END_TEST

START_TEST(get_regions_follows_the_buffer_rule)
{
    const char *names[23], *before[23];
    for (int i = 0; i < 23; i++)
        names[i] = before[i] = "untouched";
    ck_assert_int_eq(ncg_catalog_get_regions(NULL, 0, NULL), 23);
    ck_assert_int_eq(ncg_catalog_get_regions(names, 22, NULL), 23);
    ck_assert_mem_eq(names, before, sizeof(names));
    ck_assert_int_eq(ncg_catalog_get_regions(names, 23, NULL), 23);
    ck_assert_str_eq(names[0], "af-south-1");
    ck_assert_str_eq(names[17], "us-east-1");
    ck_assert_str_eq(names[22], "us-west-2");
    for (int i = 1; i < 23; i++)
        ck_assert_int_lt(strcmp(names[i - 1], names[i]), 0);
    ck_assert_fails(NCG_E_INVALID, "catalog_get_regions: out is NULL with size 3", ncg_catalog_get_regions(NULL, 3, &err));
}
END_TEST

NCG_SUITE(catalog)
{
    Suite *s = suite_create("catalog");
    TCase *t = add_tcase(s, "builtins");
    add_loop_test(t, builtin_type_matches_instances_tsv, 0, data_rows(INSTANCES));
    add_test(t, builtin_catalog_has_the_12_types_of_instances_tsv_and_two_trn2);
    add_test(t, get_type_follows_table_order);
    add_test(t, get_type_rejects_index_out_of_range);
    add_test(t, find_type_without_out_tests_presence);
    add_test(t, find_type_reports_unknown_name);
    add_test(t, trn2_has_no_published_price);
    add_test(t, topology_names);
    add_test(t, accel_names);
    t = add_tcase(s, "regions");
    add_loop_test(t, region_catalog_matches_cortex_table, 0, 23);
    add_test(t, region_us_east_1_counts);
    add_test(t, catalog_new_is_us_east_1_neuron);
    add_loop_test(t, region_has_every_neuron_type, 0, 23);
    add_test(t, region_prices_only_where_known);
    add_test(t, catalog_names_its_region);
    add_test(t, region_empty_flag_gives_no_types);
    add_test(t, region_errors);
    add_test(t, get_regions_follows_the_buffer_rule);
    t = add_tcase(s, "new");
    add_test(t, new_rejects_unknown_flags);
    add_test(t, new_empty_flag_gives_no_types);
    add_test(t, new_empty_flag_keeps_default_reserves);
    add_test(t, type_count_of_null_is_zero);
    add_test(t, null_catalog_is_invalid);
    add_test(t, null_arguments_are_invalid);
    t = add_tcase(s, "types");
    add_test(t, set_type_appends_a_custom_type);
    add_test(t, set_type_replaces_same_name_in_place);
    add_test(t, set_type_copies_the_strings);
    add_test(t, set_price_overrides_builtin_price);
    add_test(t, set_price_clears_price);
    add_test(t, set_price_rejects_negative);
    add_test(t, set_price_rejects_unknown_type);
    add_test(t, remove_type_forgets_it);
    add_test(t, many_types_keep_their_indexes);
    add_test(t, remove_type_rejects_unknown_type);
    t = add_tcase(s, "validation");
    add_test(t, set_type_accepts_neuron_type);
    add_test(t, set_type_rejects_zero_chips);
    add_test(t, set_type_checks_lnc_and_banks);
    add_test(t, switched_topology_takes_any_count_of_chips);
    add_test(t, set_type_accepts_64_chips);
    add_test(t, set_type_rejects_65_chips);
    add_test(t, set_type_rejects_more_than_256_cores);
    add_test(t, set_type_rejects_torus_without_16_chips);
    add_test(t, set_type_rejects_bad_name);
    add_test(t, set_type_accepts_63_character_name);
    add_test(t, set_type_rejects_64_character_name);
    add_test(t, set_type_rejects_negative_price);
    add_test(t, set_type_failure_changes_nothing);
    t = add_tcase(s, "reserves");
    add_test(t, default_reserves_are_cortex_v0_18);
    add_test(t, set_reserve_rejects_negative_field);
    add_test(t, set_reserve_changes_usable);
    add_test(t, get_usable_subtracts_plugin_reserve);
    add_test(t, get_usable_accepts_null_outputs);
    add_test(t, get_usable_rejects_unknown_type);
    t = add_tcase(s, "sized");
    add_test(t, get_type_rejects_size_zero);
    add_test(t, find_type_rejects_size_zero);
    add_test(t, set_type_rejects_size_zero);
    add_test(t, set_type_rejects_size_below_first_version);
    add_test(t, get_reserve_rejects_size_zero);
    add_test(t, set_reserve_rejects_size_zero);
    add_test(t, get_type_leaves_unknown_trailing_members);
    return s;
}

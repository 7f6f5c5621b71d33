/* SPDX-License-Identifier: Apache-2.0 */
#include "test-common.h"

/* Every row of ncg_ppr.tsv: result, NCG size and Cortex's exact message. */
START_TEST(ncg_ppr_vectors)
{
    FILE *f = open_data("cortex-vectors/ncg_ppr.tsv");
    char line[1024], *fld[8];
    int n, rows = 0;
    while ((n = next_row(f, line, sizeof(line), fld, 8)) >= 0) {
        ncg_error err = {0};
        int rc = ncg_ppr_check(NCG_ACCEL_INFERENTIA, 4, atoi(fld[0]), atoi(fld[1]), &err);
        if (strcmp(fld[3], "ok") == 0) {
            ck_assert_int_eq(rc, atoi(fld[4]));
        } else {
            ck_assert_int_eq(rc, NCG_E_PPR);
            ck_assert_str_eq(err.message, fld[5]);
        }
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 385);
}
END_TEST

/* Every row of valid_ppr.tsv: the acceptable ppr list and the NCG size of each. */
START_TEST(valid_ppr_vectors)
{
    FILE *f = open_data("cortex-vectors/valid_ppr.tsv");
    char line[1024], *fld[8];
    int n, rows = 0;
    while ((n = next_row(f, line, sizeof(line), fld, 8)) >= 0) {
        int64_t v[64], total = atoi(fld[1]);
        char list[256] = "", pairs[512] = "";
        int k = ncg_ppr_values(total, v, 64, NULL);
        for (int i = 0; i < k; i++) {
            const char *sep = i == 0 ? "" : k == 2 ? " or " : i == k - 1 ? ", or " : ", ";
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%lld", sep, (long long)v[i]);
            snprintf(pairs + strlen(pairs), sizeof(pairs) - strlen(pairs), "%s%lld->%d", i ? " " : "",
                     (long long)v[i], ncg_ppr_check(NCG_ACCEL_INFERENTIA, 4, atoi(fld[0]), v[i], NULL));
        }
        ck_assert_str_eq(list, fld[2]);
        ck_assert_str_eq(pairs, fld[3]);
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 16);
}
END_TEST

/* Every row of instance_fit_v0.18.0.tsv, with m5.large and g4dn.xlarge added as custom types. */
START_TEST(instance_fit_vectors)
{
    FILE *f = open_data("cortex-vectors/instance_fit_v0.18.0.tsv");
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_type m5 = {.name = "m5.large", .cpu_milli = 2000, .memory_bytes = 8 * GIB};
    ncg_type g4 = {.name = "g4dn.xlarge", .accelerator = NCG_ACCEL_GPU, .gpus = 1, .cpu_milli = 4000,
                   .memory_bytes = 16 * GIB};
    char line[1024], *fld[8];
    int n, rows = 0;
    ck_assert_int_ge(ncg_catalog_set_type(c, &m5, NULL), 0);
    ck_assert_int_ge(ncg_catalog_set_type(c, &g4, NULL), 0);
    while ((n = next_row(f, line, sizeof(line), fld, 8)) >= 0) {
        int64_t cpu, mem;
        char a[32], b[32];
        ncg_request r;
        ncg_error err = {0};
        int rc;
        ck_assert_int_eq(ncg_catalog_usable(c, fld[0], &cpu, &mem, NULL), 0);
        ncg_format_cpu(cpu, a, sizeof(a), NULL);
        ncg_format_memory(mem, b, sizeof(b), NULL);
        ck_assert_str_eq(a, fld[2]);
        ck_assert_str_eq(b, fld[3]);
        ncg_request_init(&r);
        r.cpu_milli = 0;
        r.inf = atoi(fld[4]);
        rc = ncg_request_check(c, fld[0], &r, &err);
        if (strcmp(fld[5], "ok") == 0) {
            ck_assert_int_ge(rc, 0);
        } else {
            ck_assert_int_eq(rc, NCG_E_NO_FIT);
            ck_assert_str_eq(err.message, fld[6]);
        }
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 42);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(trainium_and_topology_messages)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_request r;
    ncg_request_init(&r);
    r.inf = 1;
    r.ppr = 3;
    ck_assert_fails(NCG_E_PPR,
                    "cannot evenly distribute 1 Trainium chip (2 NeuronCores total) over 3 processes - acceptable "
                    "numbers of processes are 1 or 2",
                    ncg_request_check(c, "trn1.32xlarge", &r, &err));
    r.inf = 7;
    r.ppr = 1;
    ck_assert_fails(NCG_E_TOPOLOGY,
                    "Instance type trn1.32xlarge does not support requests for device: 7. Please request a different "
                    "number of devices.",
                    ncg_request_check(c, "trn1.32xlarge", &r, &err));
    r.inf = 2;
    r.ppr = 3;
    ck_assert_fails(NCG_E_PPR,
                    "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - acceptable "
                    "numbers of processes are 1, 2, 4, or 8",
                    ncg_request_check(c, NULL, &r, &err));
    r.inf = -1;
    ck_assert_fails(NCG_E_RANGE, "inf -1 is out of range 0..1000000", ncg_request_check(c, NULL, &r, &err));
    r.inf = 17;
    r.ppr = 1;
    ck_assert_fails(NCG_E_NO_FIT,
                    "no instances can satisfy the requested Inf quantity - requested 17 Inf but instances only have 16 "
                    "Inf available",
                    ncg_request_check(c, NULL, &r, &err));
    r.inf = 0;
    r.cpu_milli = 500000;
    ck_assert_fails(NCG_E_NO_FIT,
                    "no instances can satisfy the requested CPU quantity - requested 500 CPU but instances only have "
                    "191190m CPU available",
                    ncg_request_check(c, NULL, &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_and_models)
{
    ncg_catalog *c = ncg_catalog_new(NULL);
    ncg_group g[8];
    ncg_request r;
    ncg_model m = {.name = "resnet50", .bytes = GIB, .compiled_cores = 4};
    char advice[1024];
    ncg_request_init(&r);
    r.inf = 2;
    r.ppr = 4;
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 8, NULL), 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(g[i].first_core, 2 * i);
        ck_assert_int_eq(g[i].core_count, 2);
        ck_assert_int_eq(g[i].first_chip, i / 2);
        ck_assert_int_eq(g[i].chip_count, 1);
        ck_assert_int_eq(g[i].cache_bytes, 8 * GIB);
    }
    r.ppr = 1;
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 8, NULL), 1);
    ck_assert_int_eq(g[0].chip_count, 2);
    ck_assert_int_eq(g[0].cache_bytes, 16 * GIB);
    r.inf = 1;
    r.ppr = 2;
    r.models = &m;
    r.model_count = 1;
    ck_assert_fails(NCG_E_MODEL,
                    "model \"resnet50\" is compiled for 4 NeuronCores but its NeuronCore Group has 2: lower "
                    "processes_per_replica, request more chips, or recompile for 2 NeuronCores",
                    ncg_request_check(c, "inf1.xlarge", &r, &err));
    m.compiled_cores = 1;
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, advice, sizeof(advice), NULL), 1);
    ck_assert_str_eq(advice, "model \"resnet50\" is compiled for 1 NeuronCore but its NeuronCore Group has 2: set "
                             "processes_per_replica to 4 for throughput (NCGs of 1), or recompile for 2 NeuronCores");
    m.compiled_cores = 2;
    m.bytes = 5 * GIB;
    m.static_weights = 1;
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, advice, sizeof(advice), NULL), 1);
    ck_assert_str_eq(advice, "NeuronCore Group 0 (cores 0-1) needs 5Gi of device memory, its chips hold 7808Mi after "
                             "the runtime reserve: the models do not fit; use fewer processes per replica or more "
                             "chips");
    ncg_catalog_free(c);
}
END_TEST

Suite *suite_request(void)
{
    Suite *s = suite_create("request");
    TCase *t = tcase_create("request");
    tcase_add_test(t, ncg_ppr_vectors);
    tcase_add_test(t, valid_ppr_vectors);
    tcase_add_test(t, instance_fit_vectors);
    tcase_add_test(t, trainium_and_topology_messages);
    tcase_add_test(t, layout_and_models);
    suite_add_tcase(s, t);
    return s;
}

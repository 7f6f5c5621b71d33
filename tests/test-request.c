/* SPDX-License-Identifier: Apache-2.0 */
/* Requests: Cortex's ppr and fit rules (every vector row), topology, models, layout and advice. */
#include "test-common.h"

#define NCG_PPR_TSV "cortex-vectors/ncg_ppr.tsv"
#define VALID_PPR_TSV "cortex-vectors/valid_ppr.tsv"
#define INSTANCE_FIT_TSV "cortex-vectors/instance_fit_v0.18.0.tsv"

/* Row _i of ncg_ppr.tsv: result, NCG size and Cortex's exact message. */
START_TEST(ncg_ppr_vector_row)
{
    char line[1024], *fld[8];
    ncg_error err = {0};
    int rc;
    read_row(NCG_PPR_TSV, _i, line, sizeof(line), fld, 8);
    rc = ncg_ppr_check(NCG_ACCEL_INFERENTIA, 4, atoi(fld[0]), atoi(fld[1]), &err);
    if (strcmp(fld[3], "ok") == 0) {
        ck_assert_int_eq(rc, atoi(fld[4]));
    } else {
        ck_assert_int_eq(rc, NCG_E_PPR);
        ck_assert_int_eq(err.code, NCG_E_PPR);
        ck_assert_str_eq(err.message, fld[5]);
    }
}
END_TEST

START_TEST(ncg_ppr_vectors_have_385_rows)
{
    ck_assert_int_eq(data_rows(NCG_PPR_TSV), 385);
}
END_TEST

/* Row _i of valid_ppr.tsv: the acceptable ppr list and the NCG size of each. */
START_TEST(valid_ppr_vector_row)
{
    char line[1024], *fld[8];
    int64_t v[64], total;
    char list[256] = "", pairs[512] = "";
    int k;
    read_row(VALID_PPR_TSV, _i, line, sizeof(line), fld, 8);
    total = atoi(fld[1]);
    k = ncg_ppr_values(total, v, 64, NULL);
    ck_assert_int_gt(k, 0);
    for (int i = 0; i < k; i++) {
        const char *sep = i == 0 ? "" : k == 2 ? " or " : i == k - 1 ? ", or " : ", ";
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%lld", sep, (long long)v[i]);
        snprintf(pairs + strlen(pairs), sizeof(pairs) - strlen(pairs), "%s%lld->%d", i ? " " : "", (long long)v[i],
                 ncg_ppr_check(NCG_ACCEL_INFERENTIA, 4, atoi(fld[0]), v[i], NULL));
    }
    ck_assert_str_eq(list, fld[2]);
    ck_assert_str_eq(pairs, fld[3]);
}
END_TEST

START_TEST(valid_ppr_vectors_have_16_rows)
{
    ck_assert_int_eq(data_rows(VALID_PPR_TSV), 16);
}
END_TEST

/* Row _i of instance_fit_v0.18.0.tsv, with m5.large and g4dn.xlarge added as custom types: usable CPU and
 * memory, and the fit result with Cortex's message. */
START_TEST(instance_fit_vector_row)
{
    ncg_catalog *c = test_catalog();
    ncg_type m5 = NCG_INIT(ncg_type), g4 = NCG_INIT(ncg_type);
    char line[1024], *fld[8], a[32], b[32];
    int64_t cpu, mem;
    ncg_request r;
    ncg_error err = {0};
    int rc;
    m5.name = "m5.large";
    m5.cpu_milli = 2000;
    m5.memory_bytes = 8 * GIB;
    g4.name = "g4dn.xlarge";
    g4.accelerator = NCG_ACCEL_GPU;
    g4.gpus = 1;
    g4.cpu_milli = 4000;
    g4.memory_bytes = 16 * GIB;
    ck_assert_int_ge(ncg_catalog_set_type(c, &m5, NULL), 0);
    ck_assert_int_ge(ncg_catalog_set_type(c, &g4, NULL), 0);
    read_row(INSTANCE_FIT_TSV, _i, line, sizeof(line), fld, 8);
    ck_assert_int_eq(ncg_catalog_get_usable(c, fld[0], &cpu, &mem, NULL), 0);
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
    ncg_catalog_free(c);
}
END_TEST

START_TEST(instance_fit_vectors_have_42_rows)
{
    ck_assert_int_eq(data_rows(INSTANCE_FIT_TSV), 42);
}
END_TEST

START_TEST(ppr_check_names_trainium_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(1, 3);
    ck_assert_fails(NCG_E_PPR,
                    "cannot evenly distribute 1 Trainium chip (2 NeuronCores total) over 3 processes - acceptable "
                    "numbers of processes are 1 or 2",
                    ncg_request_check(c, "trn1.32xlarge", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(ppr_check_without_type_names_inferentia_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 3);
    ck_assert_fails(NCG_E_PPR,
                    "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - acceptable "
                    "numbers of processes are 1, 2, 4, or 8",
                    ncg_request_check(c, NULL, &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_7_chips_on_torus)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(7, 1);
    ck_assert_fails(NCG_E_TOPOLOGY,
                    "Instance type trn1.32xlarge does not support requests for device: 7. Please request a different "
                    "number of devices.",
                    ncg_request_check(c, "trn1.32xlarge", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_negative_inf)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(-1, 3);
    ck_assert_fails(NCG_E_RANGE, "inf -1 is out of range 0..1000000", ncg_request_check(c, NULL, &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_more_chips_than_any_type)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(17, 1);
    ck_assert_fails(NCG_E_NO_FIT,
                    "no instances can satisfy the requested Inf quantity - requested 17 Inf but instances only have 16 "
                    "Inf available",
                    ncg_request_check(c, NULL, &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_more_cpu_than_any_type)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(0, 1);
    r.cpu_milli = 500000;
    ck_assert_fails(NCG_E_NO_FIT,
                    "no instances can satisfy the requested CPU quantity - requested 500 CPU but instances only have "
                    "191190m CPU available",
                    ncg_request_check(c, NULL, &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_returns_ncg_size)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 4);
    ck_assert_int_eq(ncg_request_check(c, "inf1.6xlarge", &r, NULL), 2);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_cpu_only_request_returns_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(0, 1);
    ck_assert_int_eq(ncg_request_check(c, "inf1.xlarge", &r, NULL), 0);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_unknown_type)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(1, 1);
    ck_assert_fails(NCG_E_UNKNOWN_TYPE, "unknown instance type \"nope\" in us-east-1", ncg_request_check(c, "nope", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_null_request)
{
    ncg_catalog *c = test_catalog();
    ck_assert_fails(NCG_E_INVALID, "request is NULL", ncg_request_check(c, NULL, NULL, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_null_catalog)
{
    ncg_request r = chips_request(1, 1);
    ck_assert_fails(NCG_E_INVALID, "catalog is NULL", ncg_request_check(NULL, NULL, &r, &err));
}
END_TEST

START_TEST(request_init_sets_size_and_cortex_defaults)
{
    ncg_request r;
    fill_sentinel(&r, sizeof(r));
    ncg_request_init(&r);
    ck_assert_uint_eq(r.size, sizeof(ncg_request));
    ck_assert_int_eq(r.inf, 0);
    ck_assert_int_eq(r.neuroncores, 0);
    ck_assert_int_eq(r.ppr, 1);
    ck_assert_int_eq(r.cpu_milli, 200);
    ck_assert_int_eq(r.memory_bytes, 0);
    ck_assert_int_eq(r.gpu, 0);
    ck_assert_int_eq(r.hugepages_bytes, 0);
    ck_assert_ptr_null(r.models);
    ck_assert_uint_eq(r.model_count, 0);
}
END_TEST

START_TEST(request_init_accepts_null)
{
    ncg_request_init(NULL);
}
END_TEST

START_TEST(check_rejects_request_size_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(1, 1);
    r.size = 0;
    ck_assert_rejects_size(ncg_request, 0, ncg_request_check(c, NULL, &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_model_size_zero)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(1, 1);
    m.size = 0;
    m.name = "resnet50";
    r.models = &m;
    r.model_count = 1;
    ck_assert_rejects_size(ncg_model, 0, ncg_request_check(c, "inf1.xlarge", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_models_of_different_sizes)
{
    ncg_catalog *c = test_catalog();
    ncg_model m[2] = {NCG_INIT(ncg_model), NCG_INIT(ncg_model)};
    ncg_request r = chips_request(1, 1);
    char want[NCG_MESSAGE_MAX];
    m[1].size = (uint32_t)sizeof(ncg_model) + 8;
    r.models = m;
    r.model_count = 2;
    snprintf(want, sizeof(want), "model 1: ncg_model.size %u differs from the first model's %u",
             (unsigned)sizeof(ncg_model) + 8, (unsigned)sizeof(ncg_model));
    ck_assert_fails(NCG_E_INVALID, want, ncg_request_check(c, "inf1.xlarge", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

/* doc/abi.md: the library steps through a model array by the elements' size, not by its own sizeof. */
typedef struct {
    ncg_model m;
    int64_t later_member;
} newer_model;

START_TEST(check_steps_models_by_their_size)
{
    ncg_catalog *c = test_catalog();
    newer_model m[2];
    ncg_request r = chips_request(1, 2);
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 2; i++) {
        m[i].m.size = (uint32_t)sizeof(newer_model);
        m[i].later_member = -1;
    }
    m[0].m.name = "small";
    m[0].m.compiled_cores = 1;
    m[1].m.name = "big";
    m[1].m.compiled_cores = 4;
    r.models = &m[0].m;
    r.model_count = 2;
    ck_assert_fails(NCG_E_MODEL,
                    "model \"big\" is compiled for 4 NeuronCores but its NeuronCore Group has 2: lower "
                    "processes_per_replica, request more chips, or recompile for 2 NeuronCores",
                    ncg_request_check(c, "inf1.xlarge", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(check_rejects_model_compiled_for_more_cores)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = chips_request(1, 2);
    m.name = "resnet50";
    m.bytes = GIB;
    m.compiled_cores = 4;
    r.models = &m;
    r.model_count = 1;
    ck_assert_fails(NCG_E_MODEL,
                    "model \"resnet50\" is compiled for 4 NeuronCores but its NeuronCore Group has 2: lower "
                    "processes_per_replica, request more chips, or recompile for 2 NeuronCores",
                    ncg_request_check(c, "inf1.xlarge", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_splits_chips_into_ncgs)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 4);
    ncg_core_group g[8];
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 8, NULL), 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(g[i].process, i);
        ck_assert_int_eq(g[i].first_core, 2 * i);
        ck_assert_int_eq(g[i].core_count, 2);
        ck_assert_int_eq(g[i].first_chip, i / 2);
        ck_assert_int_eq(g[i].chip_count, 1);
        ck_assert_int_eq(g[i].cache_bytes, 8 * GIB);
    }
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_single_ncg_spans_two_chips)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 1);
    ncg_core_group g[8];
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 8, NULL), 1);
    ck_assert_int_eq(g[0].first_core, 0);
    ck_assert_int_eq(g[0].core_count, 8);
    ck_assert_int_eq(g[0].chip_count, 2);
    ck_assert_int_eq(g[0].cache_bytes, 16 * GIB);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_small_array_returns_count_untouched)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 4);
    ncg_core_group g[4];
    fill_sentinel(g, sizeof(g));
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 3, NULL), 4);
    ck_assert_untouched(g, sizeof(g));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_null_array_returns_count)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 4);
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, NULL, 0, NULL), 4);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_exact_array_is_written)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 4);
    ncg_core_group g[5];
    fill_sentinel(g, sizeof(g));
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 4, NULL), 4);
    ck_assert_int_eq(g[3].first_core, 6);
    ck_assert_untouched(&g[4], sizeof(g[4]));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_cpu_only_request_has_no_ncg)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(0, 1);
    ncg_core_group g[1];
    fill_sentinel(g, sizeof(g));
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 1, NULL), 0);
    ck_assert_untouched(g, sizeof(g));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(layout_failure_leaves_array_untouched)
{
    ncg_catalog *c = test_catalog();
    ncg_request r = chips_request(2, 3);
    ncg_core_group g[4];
    fill_sentinel(g, sizeof(g));
    ck_assert_int_eq(ncg_request_layout(c, "inf1.6xlarge", &r, g, 4, NULL), NCG_E_PPR);
    ck_assert_untouched(g, sizeof(g));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(ppr_values_lists_divisors)
{
    int64_t v[8];
    ck_assert_int_eq(ncg_ppr_values(12, v, 8, NULL), 6);
    ck_assert_int_eq(v[0], 1);
    ck_assert_int_eq(v[2], 3);
    ck_assert_int_eq(v[5], 12);
}
END_TEST

START_TEST(ppr_values_small_array_returns_count_untouched)
{
    int64_t v[8];
    fill_sentinel(v, sizeof(v));
    ck_assert_int_eq(ncg_ppr_values(12, v, 5, NULL), 6);
    ck_assert_untouched(v, sizeof(v));
}
END_TEST

START_TEST(ppr_values_null_array_returns_count)
{
    ck_assert_int_eq(ncg_ppr_values(64, NULL, 0, NULL), 7);
}
END_TEST

START_TEST(ppr_values_rejects_zero_cores)
{
    int64_t v[2];
    fill_sentinel(v, sizeof(v));
    ck_assert_fails(NCG_E_RANGE, "total NeuronCores 0 is out of range 1..2147483647", ncg_ppr_values(0, v, 2, &err));
    ck_assert_untouched(v, sizeof(v));
}
END_TEST

static ncg_request model_request(ncg_model *m)
{
    ncg_request r = chips_request(1, 2);
    m->size = (uint32_t)sizeof(*m);
    m->name = "resnet50";
    r.models = m;
    r.model_count = 1;
    return r;
}

#define ADVICE_PPR                                                                                                  \
    "model \"resnet50\" is compiled for 1 NeuronCore but its NeuronCore Group has 2: set processes_per_replica to " \
    "4 for throughput (NCGs of 1), or recompile for 2 NeuronCores"

#define ADVICE_NO_FIT                                                                                               \
    "NeuronCore Group 0 (cores 0-1) needs 5Gi of device memory but its share is 3904Mi: 2 of the 4 NeuronCores of " \
    "chip 0, which holds 7808Mi after the runtime reserve, shared with 1 other NeuronCore Group: the models do not " \
    "fit; use fewer processes per replica or more chips"

START_TEST(advice_suggests_higher_ppr)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = model_request(&m);
    char advice[1024];
    int findings = -1;
    m.bytes = GIB;
    m.compiled_cores = 1;
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, advice, sizeof(advice), &findings, NULL),
                     (int)strlen(ADVICE_PPR));
    ck_assert_int_eq(findings, 1);
    ck_assert_str_eq(advice, ADVICE_PPR);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(advice_static_model_does_not_fit)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = model_request(&m);
    char advice[1024];
    int findings = -1;
    m.compiled_cores = 2;
    m.bytes = 5 * GIB;
    m.static_weights = 1;
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, advice, sizeof(advice), &findings, NULL),
                     (int)strlen(ADVICE_NO_FIT));
    ck_assert_int_eq(findings, 1);
    ck_assert_str_eq(advice, ADVICE_NO_FIT);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(advice_without_findings_is_empty)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = model_request(&m);
    char advice[8];
    int findings = -1;
    m.compiled_cores = 2;
    m.bytes = GIB;
    fill_sentinel(advice, sizeof(advice));
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, advice, sizeof(advice), &findings, NULL), 0);
    ck_assert_int_eq(findings, 0);
    ck_assert_str_eq(advice, "");
    ncg_catalog_free(c);
}
END_TEST

START_TEST(advice_small_buffer_returns_length_untouched)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = model_request(&m);
    char advice[64];
    int findings = -1;
    m.compiled_cores = 1;
    fill_sentinel(advice, sizeof(advice));
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, advice, sizeof(advice), &findings, NULL),
                     (int)strlen(ADVICE_PPR));
    ck_assert_untouched(advice, sizeof(advice));
    ck_assert_int_eq(findings, 1);
    ncg_catalog_free(c);
}
END_TEST

START_TEST(advice_null_buffer_returns_length)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = model_request(&m);
    m.compiled_cores = 1;
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, NULL, 0, NULL, NULL), (int)strlen(ADVICE_PPR));
    ncg_catalog_free(c);
}
END_TEST

START_TEST(advice_failure_leaves_outputs_untouched)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = model_request(&m);
    char advice[64];
    int findings = -7;
    m.compiled_cores = 4;
    fill_sentinel(advice, sizeof(advice));
    ck_assert_int_eq(ncg_request_advice(c, "inf1.xlarge", &r, advice, sizeof(advice), &findings, NULL), NCG_E_MODEL);
    ck_assert_untouched(advice, sizeof(advice));
    ck_assert_int_eq(findings, -7);
    ncg_catalog_free(c);
}
END_TEST

/* Model names have no length limit; messages quote at most 64 characters of them. */
START_TEST(long_model_name_is_quoted_shortened)
{
    ncg_catalog *c = test_catalog();
    ncg_model m = NCG_INIT(ncg_model);
    ncg_request r = model_request(&m);
    char name[300], want[NCG_MESSAGE_MAX];
    memset(name, 'm', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    m.name = name;
    m.compiled_cores = 4;
    snprintf(want, sizeof(want),
             "model \"%.64s...\" is compiled for 4 NeuronCores but its NeuronCore Group has 2: lower "
             "processes_per_replica, request more chips, or recompile for 2 NeuronCores",
             name);
    ck_assert_fails(NCG_E_MODEL, want, ncg_request_check(c, "inf1.xlarge", &r, &err));
    ncg_catalog_free(c);
}
END_TEST

NCG_SUITE(request)
{
    Suite *s = suite_create("request");
    TCase *t = add_tcase(s, "cortex-vectors");
    add_loop_test(t, ncg_ppr_vector_row, 0, data_rows(NCG_PPR_TSV));
    add_test(t, ncg_ppr_vectors_have_385_rows);
    add_loop_test(t, valid_ppr_vector_row, 0, data_rows(VALID_PPR_TSV));
    add_test(t, valid_ppr_vectors_have_16_rows);
    add_loop_test(t, instance_fit_vector_row, 0, data_rows(INSTANCE_FIT_TSV));
    add_test(t, instance_fit_vectors_have_42_rows);
    t = add_tcase(s, "check");
    add_test(t, ppr_check_names_trainium_chips);
    add_test(t, ppr_check_without_type_names_inferentia_chips);
    add_test(t, check_rejects_7_chips_on_torus);
    add_test(t, check_rejects_negative_inf);
    add_test(t, check_rejects_more_chips_than_any_type);
    add_test(t, check_rejects_more_cpu_than_any_type);
    add_test(t, check_returns_ncg_size);
    add_test(t, check_cpu_only_request_returns_zero);
    add_test(t, check_rejects_unknown_type);
    add_test(t, check_rejects_null_request);
    add_test(t, check_rejects_null_catalog);
    add_test(t, check_rejects_model_compiled_for_more_cores);
    add_test(t, long_model_name_is_quoted_shortened);
    t = add_tcase(s, "sized");
    add_test(t, request_init_sets_size_and_cortex_defaults);
    add_test(t, request_init_accepts_null);
    add_test(t, check_rejects_request_size_zero);
    add_test(t, check_rejects_model_size_zero);
    add_test(t, check_rejects_models_of_different_sizes);
    add_test(t, check_steps_models_by_their_size);
    t = add_tcase(s, "layout");
    add_test(t, layout_splits_chips_into_ncgs);
    add_test(t, layout_single_ncg_spans_two_chips);
    add_test(t, layout_small_array_returns_count_untouched);
    add_test(t, layout_null_array_returns_count);
    add_test(t, layout_exact_array_is_written);
    add_test(t, layout_cpu_only_request_has_no_ncg);
    add_test(t, layout_failure_leaves_array_untouched);
    add_test(t, ppr_values_lists_divisors);
    add_test(t, ppr_values_small_array_returns_count_untouched);
    add_test(t, ppr_values_null_array_returns_count);
    add_test(t, ppr_values_rejects_zero_cores);
    t = add_tcase(s, "advice");
    add_test(t, advice_suggests_higher_ppr);
    add_test(t, advice_static_model_does_not_fit);
    add_test(t, advice_without_findings_is_empty);
    add_test(t, advice_small_buffer_returns_length_untouched);
    add_test(t, advice_null_buffer_returns_length);
    add_test(t, advice_failure_leaves_outputs_untouched);
    return s;
}

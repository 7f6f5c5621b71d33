/* SPDX-License-Identifier: Apache-2.0 */
/* The bad-input table: one row per class of bad input across the C API (badinput-rows.def): NULL handles and
 * pointers, sizes, flags and enums, request fields (negative, huge, ppr 0 or not dividing, models), names (empty,
 * too long, bad characters, taken), unknown types and node groups, overflowing quantities and sums, malformed and
 * out-of-range env strings, overlapping and impossible adoptions, truncated and hostile state text, calls on the
 * wrong thing. Each row asserts the exact code and message, that err->code is the code, that the same call
 * without an ncg_error returns the same code, and that no handle changed (the fixture's snapshot, robust.h).
 * The CLI's classes (YAML) are in tests/cli/test_badinput.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robust.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Woverride-init" /* the builders below let a row override their defaults */
#elif defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#endif

#define REQ(...) (&(ncg_request){.size = sizeof(ncg_request), .ppr = 1, .cpu_milli = 200, __VA_ARGS__})
#define MODEL(name_, bytes_, cores_) ((const ncg_model[]){{sizeof(ncg_model), (name_), (bytes_), (cores_), 0}})
#define TYPE(...)                                                                                                 \
    (&(ncg_type){.size = sizeof(ncg_type), .name = "new.test", .family = "test",                                  \
                 .accelerator = NCG_ACCEL_INFERENTIA, .chips = 4, .cores_per_chip = 4,                            \
                 .device_memory_bytes = 8 * GIB, .cpu_milli = 16000, .memory_bytes = 32 * GIB,                    \
                 .topology = NCG_TOPOLOGY_CHAIN, __VA_ARGS__})
#define NG(...)                                                                                                   \
    (&(ncg_nodegroup_spec){.size = sizeof(ncg_nodegroup_spec), .name = "new", .type = "inf1.xlarge",              \
                           .max_nodes = 2, __VA_ARGS__})
static const ncg_request api_request = {.size = sizeof(ncg_request), .inf = 1, .ppr = 1, .cpu_milli = 200};
#define API(...)                                                                                                  \
    (&(ncg_api_spec){.size = sizeof(ncg_api_spec), .name = "new", .request = &api_request, .replicas = 1,        \
                     __VA_ARGS__})
#define OPTS(...) (&(ncg_plan_options){.size = sizeof(ncg_plan_options), __VA_ARGS__})
#define STRS(...) ((const char *const[]){__VA_ARGS__})

/* One inf1.6xlarge node group (the example of doc/state-format.md) and its node. */
#define STATE_HEAD                                                                                                \
    "ncg-cluster 2\n"                                                                                             \
    "nodegroup inf 0 10 - inf1.6xlarge 1 4 4 0 8589934592 0 24000 51539607552 0 1 1.18 23190 50281316352 "       \
    "402653184 0 0\n"                                                                                             \
    "node inf-1 inf 0 3\n"
#define STATE_GOOD_NO_END STATE_HEAD "alloc 1 1 0 8 4 - 3000 4294967296 0 0\n"
#define STATE_OVERLAP STATE_HEAD "alloc 1 1 0 8 4 - 3000 4294967296 0 0\nalloc 2 1 4 4 1 - 0 0 0 0\nend\n"
#define STATE_CPU STATE_HEAD "alloc 1 1 0 8 4 - 99000 4294967296 0 0\nend\n"
#define STATE_ID_COLLISION STATE_HEAD "alloc 3 1 0 8 4 - 3000 4294967296 0 0\nend\n"
#define STATE_HUGE_NEXT_ID                                                                                        \
    "ncg-cluster 2\n"                                                                                             \
    "nodegroup inf 0 10 - inf1.6xlarge 1 4 4 0 8589934592 0 24000 51539607552 0 1 1.18 23190 50281316352 "       \
    "402653184 0 0\n"                                                                                             \
    "node inf-1 inf 0 99999999999999999999999\nend\n"
/* what ncg_cluster_adopt accepted before it refused non-windows: 3 chips at chip 1 of a 4x4 torus */
#define STATE_TORUS_WINDOW                                                                                        \
    "ncg-cluster 2\n"                                                                                             \
    "nodegroup t 0 4 - trn1.32xlarge 2 16 2 0 34359738368 0 128000 549755813888 0 3 21.5 127190 548497522688 "    \
    "201326592 0 0\n"                                                                                             \
    "node n t 0 3\n"                                                                                              \
    "alloc 1 1 2 6 1 - 0 0 0 0\nend\n"

typedef struct scratch {
    ncg_alloc alloc;
    ncg_placement place;
    int64_t i64;
    int i[4];
    int sizes[8];
    ncg_model models[4097];
} scratch;

/* A constructor returned NULL and there was no ncg_error to read the code from. */
#define CTOR_NULL (-1000)

static int ctor_cluster(ncg_cluster *c, ncg_error *err)
{
    if (c) {
        ncg_cluster_free(c);
        return 0;
    }
    return err ? err->code : CTOR_NULL;
}

static int ctor_node(ncg_node *n, ncg_error *err)
{
    if (n) {
        ncg_node_free(n);
        return 0;
    }
    return err ? err->code : CTOR_NULL;
}

static int ctor_restore(const char *text, ncg_error *err)
{
    return ctor_cluster(ncg_cluster_restore(text, 0, err), err);
}

typedef int (*row_fn)(fx *f, scratch *o, ncg_error *err);

typedef struct row {
    const char *name;
    int code;
    const char *message;
    row_fn fn;
} row;

#define BAD(name, code, message, call)                                                                            \
    static int row_##name(fx *f, scratch *o, ncg_error *err)                                                      \
    {                                                                                                             \
        (void)f;                                                                                                  \
        (void)o;                                                                                                  \
        return (call);                                                                                            \
    }
#include "badinput-rows.def"
#undef BAD

static const row rows[] = {
#define BAD(name, code, message, call) {#name, code, message, row_##name},
#include "badinput-rows.def"
#undef BAD
};
#define ROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static void prepare(scratch *o)
{
    memset(o, 0, sizeof(*o));
    o->alloc.size = sizeof(o->alloc);
    o->place.size = sizeof(o->place);
    for (int i = 0; i < 4097; i++)
        o->models[i] = (ncg_model){sizeof(ncg_model), "m", 1, 0, 0};
}

START_TEST(bad_input)
{
    const row *r = &rows[_i];
    static scratch o, o2;
    fx f;
    ncg_error err;
    char *before, *after;
    int rc;

    fx_build(&f, FX_ALL);
    before = fx_snap(&f);
    prepare(&o);
    memset(&err, PATTERN, sizeof(err));
    rc = r->fn(&f, &o, &err);
    if (getenv("NCG_BADINPUT_PRINT"))
        printf("%s: %d %s\n", r->name, rc, rc < 0 ? err.message : "");
    ck_assert_msg(rc == r->code, "%s: returned %d, expected %d (%s)", r->name, rc, r->code,
                  rc < 0 ? err.message : "");
    ck_assert_int_eq(err.code, r->code);
    ck_assert_msg(strcmp(err.message, r->message) == 0, "%s: message\n  '%s'\nexpected\n  '%s'", r->name, err.message,
                  r->message);
    after = fx_snap(&f);
    ck_assert_msg(strcmp(before, after) == 0, "%s: the call changed a handle", r->name);
    prepare(&o2);
    ck_assert_msg(memcmp(&o, &o2, sizeof(o)) == 0, "%s: the call wrote an output", r->name);
    free(after);
    /* the same without an ncg_error */
    rc = r->fn(&f, &o, NULL);
    ck_assert_msg(rc == r->code || rc == CTOR_NULL, "%s without err: returned %d", r->name, rc);
    after = fx_snap(&f);
    ck_assert_msg(strcmp(before, after) == 0, "%s: the call without err changed a handle", r->name);
    free(after);
    free(before);
    fx_free(&f);
}
END_TEST

START_TEST(table_has_forty_classes)
{
    ck_assert_int_ge(ROWS, 40);
    for (int i = 0; i < ROWS; i++) {
        ck_assert_int_lt(rows[i].code, 0);
        ck_assert_ptr_nonnull(rows[i].message);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(rows[i].name, rows[j].name);
    }
}
END_TEST

/* Issue 13, defect 4: device-memory sums past 2^63 (a 7 EiB chip, static models of INT64_MAX bytes) saturate, and
 * ncg_request_advice() writes exactly its text (it once printed an uninitialised buffer; valgrind runs this). */
START_TEST(advice_with_saturating_sums)
{
    ncg_catalog *cat = ncg_catalog_new(0, NULL);
    ncg_type t = NCG_INIT(ncg_type);
    ncg_model m[3] = {{sizeof(ncg_model), "a", INT64_MAX, 1, 1}, {sizeof(ncg_model), "b", INT64_MAX, 2, 1},
                      {sizeof(ncg_model), "c", 2, 4, 0}};
    ncg_request r;
    char buf[2048];
    int findings = -1;
    const char *want =
        "model \"a\" is compiled for 1 NeuronCore but its NeuronCore Group has 4: set processes_per_replica to 8 for "
        "throughput (NCGs of 1), or recompile for 4 NeuronCores\n"
        "model \"b\" is compiled for 2 NeuronCores but its NeuronCore Group has 4: set processes_per_replica to 4 for "
        "throughput (NCGs of 2), or recompile for 4 NeuronCores\n"
        "NeuronCore Group 0 (cores 0-3) needs 9223372036854775807 of device memory, its chips hold 7696581394048Mi "
        "after the runtime reserve: the models do not fit; use fewer processes per replica or more chips";
    ck_assert_ptr_nonnull(cat);
    t.name = "huge.test";
    t.accelerator = NCG_ACCEL_INFERENTIA;
    t.chips = 4;
    t.cores_per_chip = 4;
    t.device_memory_bytes = INT64_C(7) << 60;
    t.cpu_milli = 16000;
    t.memory_bytes = 32 * GIB;
    t.topology = NCG_TOPOLOGY_CHAIN;
    ck_assert_int_ge(ncg_catalog_set_type(cat, &t, NULL), 0);
    ncg_request_init(&r);
    r.inf = 2;
    r.ppr = 2;
    r.models = m;
    r.model_count = 3;
    memset(buf, 'X', sizeof(buf));
    ck_assert_int_eq(ncg_request_advice(cat, "huge.test", &r, buf, sizeof(buf), &findings, NULL), (int)strlen(want));
    ck_assert_int_eq(findings, 3);
    ck_assert_str_eq(buf, want);
    ck_assert_int_eq(buf[strlen(want) + 1], 'X');
    /* too small: untouched, the full length returned */
    memset(buf, 'X', sizeof(buf));
    ck_assert_int_eq(ncg_request_advice(cat, "huge.test", &r, buf, 10, &findings, NULL), (int)strlen(want));
    ck_assert_int_eq(buf[0], 'X');
    ncg_catalog_free(cat);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("badinput");
    TCase *tc = tcase_create("badinput");
    SRunner *sr;
    int failed;
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, table_has_forty_classes);
    tcase_add_test(tc, advice_with_saturating_sums);
    tcase_add_loop_test(tc, bad_input, 0, ROWS);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

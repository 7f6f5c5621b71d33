/* SPDX-License-Identifier: Apache-2.0 */
/* "A failed call changes nothing": for every public function with an output parameter or a handle, each error it
 * documents, one row (atomic-rows.def). A row runs on a fresh fixture (robust.h) and checks:
 * - the return code, and err->code and a non-empty one-line err->message (on success: err untouched);
 * - every output parameter byte for byte (the arena is filled with 0xA5, sizes set, before the call);
 * - every handle the call involves (the fixture builds the catalog and those the call names: nodes, cluster,
 *   plans), through its snapshot (dump, status, allocations, env, caches, types, plan results);
 * - the same again with err == NULL;
 * - and, for the unsolved plan, that it still solves to what a fresh one solves to. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robust.h"

#define WANT_OK INT_MAX     /* any return >= 0 */
#define CTOR_NULL (-1000)   /* a constructor returned NULL and there was no err to read the code from */

/* ---- helpers the rows use ---- */

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Woverride-init" /* the builders below let a row override their defaults */
#elif defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#endif

#define REQ(...) (&(ncg_request){.size = sizeof(ncg_request), .ppr = 1, .cpu_milli = 200, __VA_ARGS__})
#define MODEL(bytes_, cores_, static_) ((const ncg_model[]){{sizeof(ncg_model), "model", (bytes_), (cores_), (static_)}})
#define MODELS_SIZE0 ((const ncg_model[]){{0, "model", 1, 0, 0}})
#define MODELS_MIXED ((const ncg_model[]){{sizeof(ncg_model), "a", 1, 0, 0}, {0, "b", 1, 0, 0}})
#define TYPE(...)                                                                                                 \
    (&(ncg_type){.size = sizeof(ncg_type), .name = "new.test", .family = "test",                                  \
                 .accelerator = NCG_ACCEL_INFERENTIA, .chips = 4, .cores_per_chip = 4,                            \
                 .device_memory_bytes = 8 * GIB, .cpu_milli = 16000, .memory_bytes = 32 * GIB,                    \
                 .topology = NCG_TOPOLOGY_CHAIN, __VA_ARGS__})
/* valid, and different from the default reserves, so that a partial update would show */
#define RESERVE(...)                                                                                              \
    (&(ncg_reserve){.size = sizeof(ncg_reserve), .cpu_milli = 1, .memory_bytes = 2, .plugin_cpu_milli = 3,       \
                    .plugin_memory_bytes = 4, .runtime_bytes_per_core = 5, __VA_ARGS__})
#define NG(...)                                                                                                   \
    (&(ncg_nodegroup_spec){.size = sizeof(ncg_nodegroup_spec), .name = "new", .type = "inf1.xlarge",              \
                           .max_nodes = 2, __VA_ARGS__})
static const ncg_request api_request = {.size = sizeof(ncg_request), .inf = 1, .ppr = 1, .cpu_milli = 200};
#define API(...)                                                                                                  \
    (&(ncg_api_spec){.size = sizeof(ncg_api_spec), .name = "new", .request = &api_request, .replicas = 1,        \
                     __VA_ARGS__})
#define STRS(...) ((const char *const[]){__VA_ARGS__})

/* One inf1.6xlarge node group (the example of doc/state-format.md), with two allocations sharing cores 4-7. */
#define STATE_HEAD                                                                                                \
    "ncg-cluster 2\n"                                                                                             \
    "nodegroup inf 0 10 - inf1.6xlarge 1 4 4 0 8589934592 0 24000 51539607552 0 1 1.18 23190 50281316352 "       \
    "402653184\n"                                                                                                 \
    "node inf-1 inf 0 3\n"
#define STATE_OVERLAP STATE_HEAD "alloc 1 1 0 8 4 - 3000 4294967296 0 0\nalloc 2 1 4 4 1 - 0 0 0 0\nend\n"
/* ... and one allocation asking for more CPU than the node has */
#define STATE_CPU STATE_HEAD "alloc 1 1 0 8 4 - 99000 4294967296 0 0\nend\n"
#define STATE_GOOD STATE_HEAD "alloc 1 1 0 8 4 - 3000 4294967296 0 0\nalloc 2 1 12 4 1 - 0 0 0 0\nend\n"

#define MANY_MODELS 4097
static const ncg_model *many_models(void)
{
    static ncg_model m[MANY_MODELS];
    for (size_t i = 0; i < MANY_MODELS; i++)
        m[i] = (ncg_model){sizeof(ncg_model), "m", 1, 0, 0};
    return m;
}

static const char *const *many_strings(void)
{
    static const char *s[NCG_MAX_CORES + 1];
    for (size_t i = 0; i <= NCG_MAX_CORES; i++)
        s[i] = "16";
    return s;
}

/* The fixture's dump with the first `from` replaced by `to`. */
static const char *edit(fx *f, const char *from, const char *to)
{
    const char *at = strstr(f->dump, from);
    size_t head, len;
    ck_assert_msg(at != NULL, "edit: \"%s\" is not in the dump:\n%s", from, f->dump);
    head = (size_t)(at - f->dump);
    len = strlen(f->dump) - strlen(from) + strlen(to);
    free(f->text);
    f->text = malloc(len + 1);
    ck_assert_ptr_nonnull(f->text);
    memcpy(f->text, f->dump, head);
    strcpy(f->text + head, to);
    strcat(f->text, at + strlen(from));
    return f->text;
}

#define CTOR(kind, type)                                                                                          \
    static int ctor_##kind(type *h, ncg_error *err)                                                               \
    {                                                                                                             \
        if (h) {                                                                                                  \
            ncg_##kind##_free(h);                                                                                 \
            return 0;                                                                                             \
        }                                                                                                         \
        return err ? err->code : CTOR_NULL;                                                                       \
    }
CTOR(catalog, ncg_catalog)
CTOR(node, ncg_node)
CTOR(cluster, ncg_cluster)
CTOR(plan, ncg_plan)

/* ---- the table ---- */

#define ROW(name, want, ...)                                                                                      \
    static int row_##name(fx *f, outs *o, ncg_error *err)                                                         \
    {                                                                                                             \
        (void)f;                                                                                                  \
        (void)o;                                                                                                  \
        return (__VA_ARGS__);                                                                                     \
    }
#include "atomic-rows.def"
#undef ROW

typedef struct row {
    const char *name;
    int want;
    int (*fn)(fx *f, outs *o, ncg_error *err);
    const char *call;   /* the call's text, which names the fixture handles involved */
} row;

static const row rows[] = {
#define ROW(name, want, ...) {#name, (want), row_##name, #__VA_ARGS__},
#include "atomic-rows.def"
#undef ROW
};
#define ROW_COUNT ((int)(sizeof(rows) / sizeof(rows[0])))

/* ---- checks ---- */

/* Name the arena member that holds byte `at`. */
static const char *member_at(size_t at)
{
    static const struct {
        const char *name;
        size_t off, len;
    } m[] = {
#define M(x) {#x, offsetof(outs, x), sizeof(((outs *)0)->x)},
        M(i64) M(i) M(buf) M(vals) M(sizes) M(ids) M(groups) M(refs) M(moves) M(name) M(node)
#define MS(type, x) M(x) M(x##_zero) M(x##_short)
        SIZED_OUTPUTS(MS)
#undef MS
#undef M
    };
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (at >= m[i].off && at < m[i].off + m[i].len)
            return m[i].name;
    return "(padding)";
}

static void check_outs(const row *r, const char *pass, const outs *before, const outs *after)
{
    const unsigned char *a = (const void *)before, *b = (const void *)after;
    for (size_t i = 0; i < sizeof(outs); i++)
        if (a[i] != b[i])
            ck_abort_msg("%s (%s): output %s changed at byte %zu of the arena (0x%02x -> 0x%02x)", r->name, pass,
                         member_at(i), i, a[i], b[i]);
}

static int line_len(const char *s)
{
    size_t n = strcspn(s, "\n");
    return (int)(n < 200 ? n : 200);
}

static void check_handles(const row *r, const char *pass, const char *before, const char *after)
{
    if (strcmp(before, after) != 0) {
        size_t i = 0, line = 0;
        while (before[i] && before[i] == after[i])
            i++;
        while (line < i && before[i - line - 1] != '\n')
            line++;
        ck_abort_msg("%s (%s): a handle changed; first different line: before \"%.*s\", after \"%.*s\"", r->name,
                     pass, line_len(before + i - line), before + i - line, line_len(after + i - line),
                     after + i - line);
    }
}

static void check_rc(const row *r, const char *pass, int rc, int want)
{
    if (want == WANT_OK)
        ck_assert_msg(rc >= 0, "%s (%s): returned %d (%s), expected success", r->name, pass, rc, ncg_strerror(rc));
    else
        ck_assert_msg(rc == want, "%s (%s): returned %d (%s), expected %d (%s)", r->name, pass, rc,
                      rc == CTOR_NULL ? "NULL" : ncg_strerror(rc), want, ncg_strerror(want));
}

static char *plan_reference;

static void free_reference(void)
{
    free(plan_reference);
    plan_reference = NULL;
}

/* The fixture's unsolved plan solves to what a fresh fixture's does. */
static void check_plan_solves(const row *r, fx *f)
{
    ncg_error e = {0};
    char *got;
    if (!plan_reference) {
        fx g;
        fx_build(&g, FX_PLAN);
        ck_assert_msg(ncg_plan_solve(g.plan, &e) == 0, "reference solve: %s", e.message);
        plan_reference = snap_plan(g.plan);
        fx_free(&g);
    }
    ck_assert_msg(ncg_plan_solve(f->plan, &e) == 0, "%s: the plan no longer solves: %s", r->name, e.message);
    got = snap_plan(f->plan);
    check_handles(r, "plan solved after the row", plan_reference, got);
    free(got);
}

/* The fixture parts a row's call involves (the catalog always). */
static unsigned row_parts(const row *r)
{
    static const struct {
        const char *text;
        unsigned parts;
    } uses[] = {
        {"f->node", FX_NODE}, {"f->cpunode", FX_NODE}, {"f->hpnode", FX_NODE}, {"f->trnnode", FX_NODE},
        {"f->id_", FX_NODE},  {"f->cl", FX_CLUSTER},   {"f->dump", FX_CLUSTER}, {"edit(", FX_CLUSTER},
        {"f->plan", FX_PLAN}, {"f->solved", FX_SOLVED},
    };
    unsigned parts = FX_CAT;
    for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++)
        if (strstr(r->call, uses[i].text))
            parts |= uses[i].parts;
    return parts;
}

START_TEST(atomic_row)
{
    const row *r = &rows[_i];
    static outs o, before;
    ncg_error err, err_before;
    char *snap_before, *snap_after;
    fx f;
    int rc;

    fx_build(&f, row_parts(r));
    snap_before = fx_snap(&f);

    /* with an ncg_error */
    outs_fill(&o);
    before = o;
    memset(&err, PATTERN, sizeof(err));
    err_before = err;
    rc = r->fn(&f, &o, &err);
    check_rc(r, "err", rc, r->want);
    if (r->want == WANT_OK || r->want >= 0) {
        ck_assert_msg(memcmp(&err, &err_before, sizeof(err)) == 0, "%s: err was written by a successful call",
                      r->name);
    } else {
        ck_assert_msg(err.code == r->want, "%s: err.code %d, expected %d", r->name, err.code, r->want);
        ck_assert_msg(memchr(err.message, '\0', sizeof(err.message)) != NULL, "%s: err.message is not terminated",
                      r->name);
        ck_assert_msg(err.message[0] != '\0', "%s: err.message is empty", r->name);
        ck_assert_msg(strchr(err.message, '\n') == NULL, "%s: err.message has a newline: %s", r->name, err.message);
    }
    check_outs(r, "err", &before, &o);
    snap_after = fx_snap(&f);
    check_handles(r, "err", snap_before, snap_after);
    free(snap_after);

    /* without */
    outs_fill(&o);
    rc = r->fn(&f, &o, NULL);
    check_rc(r, "NULL err", rc == CTOR_NULL ? r->want : rc, r->want);
    check_outs(r, "NULL err", &before, &o);
    snap_after = fx_snap(&f);
    check_handles(r, "NULL err", snap_before, snap_after);
    free(snap_after);

    if (f.plan)
        check_plan_solves(r, &f);
    free(snap_before);
    fx_free(&f);
}
END_TEST

/* The state texts the rows break are valid apart from what they break. */
START_TEST(state_texts_are_valid_otherwise)
{
    ncg_error e = {0};
    ncg_cluster *c = ncg_cluster_restore(STATE_GOOD, 0, &e);
    fx f;
    ck_assert_msg(c != NULL, "%s", e.message);
    ncg_cluster_free(c);
    fx_build(&f, FX_CLUSTER);
    c = ncg_cluster_restore(f.dump, 0, &e);
    ck_assert_msg(c != NULL, "%s", e.message);
    ncg_cluster_free(c);
    fx_free(&f);
}
END_TEST

/* What the rows rely on: the fixture is as described in robust.c. */
START_TEST(fixture_is_as_described)
{
    ncg_node_status st = NCG_INIT(ncg_node_status);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_move moves[4];
    const char *node = NULL;
    fx f;
    fx_build(&f, FX_ALL);
    ck_assert_int_eq(ncg_node_get_status(f.node, &st, NULL), 0);
    ck_assert_int_eq(st.free_chips, 0);
    ck_assert_int_eq(st.free_cores, 2);
    ck_assert_int_eq(st.allocations, 4);
    ck_assert_int_eq(ncg_node_get_alloc(f.node, f.id_cores, &a, NULL), 0);
    ck_assert_int_eq(a.first_core, 8);
    ck_assert_int_eq(ncg_cluster_node_count(f.cl), 5);
    ck_assert_int_eq(ncg_cluster_defrag(f.cl, 2, "inf", moves, 4, &node, NULL), 1);
    ck_assert_str_eq(node, "a");
    ck_assert_int_gt(ncg_plan_get_unplaced(f.solved, 2, NULL, 0, NULL, NULL), 4);
    fx_free(&f);
}
END_TEST

static Suite *suite_atomic(void)
{
    Suite *s = suite_create("atomic");
    TCase *tc = tcase_create("rows");
    tcase_add_unchecked_fixture(tc, NULL, free_reference);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fixture_is_as_described);
    tcase_add_test(tc, state_texts_are_valid_otherwise);
    tcase_add_loop_test(tc, atomic_row, 0, ROW_COUNT);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    SRunner *sr = srunner_create(suite_atomic());
    int failed;
    (void)argc;
    (void)argv;
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

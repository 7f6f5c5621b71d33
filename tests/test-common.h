/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the check suites.
 *
 * Writing a suite: suite NAME lives in test-NAME.c, is listed once in test-main.c (its SUITE(NAME) line) and is
 * built by `NCG_SUITE(NAME) { ... }`. Each START_TEST checks one behaviour and is named after it. Register tests
 * with add_test() / add_loop_test() (never tcase_add_test directly): they count what a suite registers, and the
 * runner refuses a suite that registered none. */
#ifndef NCG_TEST_COMMON_H
#define NCG_TEST_COMMON_H

#include <check.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

#include "first-version.h"

#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- registration ------------------------------------------------------------------------------------------ */

/* Number of tests (loop iterations included) registered so far; test-main.c defines it. */
extern int test_registered;

#define NCG_SUITE(name)                                                                                             \
    Suite *suite_##name(void);                                                                                      \
    Suite *suite_##name(void)

#define add_test(tc, fn)                                                                                            \
    do {                                                                                                            \
        tcase_add_test((tc), fn);                                                                                   \
        test_registered++;                                                                                          \
    } while (0)

#define add_loop_test(tc, fn, start, end)                                                                           \
    do {                                                                                                            \
        int s_ = (start), e_ = (end);                                                                               \
        tcase_add_loop_test((tc), fn, s_, e_);                                                                      \
        test_registered += e_ > s_ ? e_ - s_ : 0;                                                                   \
    } while (0)

/* A test case added to a suite, in one call. */
static inline TCase *add_tcase(Suite *s, const char *name)
{
    TCase *t = tcase_create(name);
    suite_add_tcase(s, t);
    return t;
}

/* splitmix64: the suites' random inputs, the same sequence from a seed on every machine. */
static inline uint64_t test_rand(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- data files -------------------------------------------------------------------------------------------- */

static inline void data_path(const char *rel, char *path, size_t size)
{
    const char *dir = getenv("NCG_TEST_DATA");
    snprintf(path, size, "%s/%s", dir ? dir : "tests/data", rel);
}

/* Open a data file under $NCG_TEST_DATA (inside a test: fails the test when missing). */
static inline FILE *open_data(const char *rel)
{
    char path[1024];
    FILE *f;
    data_path(rel, path, sizeof(path));
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    return f;
}

/* Read the next data line (skipping comments and blank lines) and split it on tabs; returns the field count or
 * -1 at end of file. Empty trailing fields are kept. */
static inline int next_row(FILE *f, char *line, size_t size, char **fields, int max)
{
    while (fgets(line, (int)size, f)) {
        int n = 0;
        char *s = line;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        for (;;) {
            char *tab = strchr(s, '\t');
            if (n < max)
                fields[n++] = s;
            if (!tab)
                break;
            *tab = '\0';
            s = tab + 1;
        }
        return n;
    }
    return -1;
}

/* Number of data rows of a file, for registering one loop iteration per row. Outside a test, so it does not
 * assert: a missing file counts as 1 row, and that iteration fails when it cannot open the file. */
static inline int data_rows(const char *rel)
{
    char path[1024], line[4096], *fld[1];
    int rows = 0;
    FILE *f;
    data_path(rel, path, sizeof(path));
    f = fopen(path, "r");
    if (!f)
        return 1;
    while (next_row(f, line, sizeof(line), fld, 1) >= 0)
        rows++;
    fclose(f);
    return rows;
}

/* Read data row number `row` (0-based, comments skipped) into line/fields; returns the field count. */
static inline int read_row(const char *rel, int row, char *line, size_t size, char **fields, int max)
{
    FILE *f = open_data(rel);
    int n = -1;
    for (int i = 0; i <= row; i++) {
        n = next_row(f, line, size, fields, max);
        ck_assert_msg(n >= 0, "%s has no row %d", rel, row);
    }
    fclose(f);
    return n;
}

/* ---- assertions -------------------------------------------------------------------------------------------- */

/* Assert a call fails with a code and an exact message; `err` is in scope for the call. */
#define ck_assert_fails(want_code, want_msg, call)                                                                  \
    do {                                                                                                            \
        ncg_error err = {0};                                                                                        \
        ck_assert_int_eq((call), (want_code));                                                                      \
        ck_assert_int_eq(err.code, (want_code));                                                                    \
        ck_assert_str_eq(err.message, (want_msg));                                                                  \
    } while (0)

/* The same for constructors that return NULL on failure. */
#define ck_assert_fails_null(want_code, want_msg, call)                                                             \
    do {                                                                                                            \
        ncg_error err = {0};                                                                                        \
        ck_assert_ptr_null((call));                                                                                 \
        ck_assert_int_eq(err.code, (want_code));                                                                    \
        ck_assert_str_eq(err.message, (want_msg));                                                                  \
    } while (0)

/* The message of a sized struct whose size is below its first version's (src/base/abi.c). */
static inline const char *size_message(char *buf, size_t size, const char *type, size_t type_size, unsigned given)
{
    snprintf(buf, size,
             "%s.size %u is smaller than the %zu bytes of its first version: initialise it with NCG_INIT(%s) or "
             "its _init() function",
             type, given, type_size, type);
    return buf;
}

/* Assert a call fails with NCG_E_INVALID because a sized struct of `type` has size `given` (`err` in scope). */
#define ck_assert_rejects_size(type, given, call)                                                                   \
    do {                                                                                                            \
        char want_[NCG_MESSAGE_MAX];                                                                                \
        size_message(want_, sizeof(want_), #type, first_version_size(#type, sizeof(type)), (unsigned)(given));       \
        ck_assert_fails(NCG_E_INVALID, want_, call);                                                                \
    } while (0)

/* The same when the message names the struct after a prefix ("api a: ncg_request.size 0 ..."). */
#define ck_assert_rejects_size_after(prefix, type, given, call)                                                     \
    do {                                                                                                            \
        char want_[2 * NCG_MESSAGE_MAX], size_[NCG_MESSAGE_MAX];                                                     \
        size_message(size_, sizeof(size_), #type, first_version_size(#type, sizeof(type)), (unsigned)(given));                              \
        snprintf(want_, sizeof(want_), "%s%s", (prefix), size_);                                                    \
        ck_assert_fails(NCG_E_INVALID, want_, call);                                                                \
    } while (0)

/* Caller buffers: fill with a pattern, then check that no byte changed (the buffer rule, failed calls). */
#define SENTINEL 0xa5
static inline void fill_sentinel(void *buf, size_t size)
{
    memset(buf, SENTINEL, size);
}

#define ck_assert_untouched(buf, size)                                                                              \
    do {                                                                                                            \
        const unsigned char *p_ = (const unsigned char *)(buf);                                                     \
        for (size_t i_ = 0; i_ < (size_t)(size); i_++)                                                              \
            ck_assert_msg(p_[i_] == SENTINEL, "byte %zu of %s changed to 0x%02x", i_, #buf, p_[i_]);                \
    } while (0)

/* ---- fixtures ---------------------------------------------------------------------------------------------- */

static inline ncg_catalog *test_catalog(void)
{
    ncg_catalog *c = ncg_catalog_new(0, NULL);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* An empty node of a built-in type (its own catalog is freed again). */
static inline ncg_node *test_node(const char *type)
{
    ncg_catalog *c = test_catalog();
    ncg_node *n = ncg_node_new(c, type, 0, NULL);
    ck_assert_msg(n != NULL, "cannot create a %s node", type);
    ncg_catalog_free(c);
    return n;
}

/* A request for whole chips with Cortex's defaults otherwise (cpu 200m). */
static inline ncg_request chips_request(int64_t inf, int64_t ppr)
{
    ncg_request r;
    ncg_request_init(&r);
    r.inf = inf;
    r.ppr = ppr;
    return r;
}

/* Allocate whole chips on a node; returns the call's result, the allocation in *out. */
static inline int alloc_chips(ncg_node *node, int chips, ncg_alloc *out)
{
    ncg_request r = chips_request(chips, 1);
    return ncg_node_allocate(node, &r, out, NULL);
}

/* The dump of a cluster in a malloc'd string (both buffer-rule calls checked). */
static inline char *dump_text(const ncg_cluster *c)
{
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *s;
    ck_assert_int_gt(n, 0);
    s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(ncg_cluster_dump(c, s, (size_t)n + 1, NULL), n);
    ck_assert_uint_eq(strlen(s), (size_t)n);
    return s;
}

/* Assert two clusters dump to the same text. */
static inline void ck_assert_same_dump(const ncg_cluster *a, const ncg_cluster *b)
{
    char *x = dump_text(a), *y = dump_text(b);
    ck_assert_str_eq(x, y);
    free(x);
    free(y);
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the check suites. */
#ifndef NCG_TEST_COMMON_H
#define NCG_TEST_COMMON_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)

/* Open a data file under $NCG_TEST_DATA. */
static inline FILE *open_data(const char *rel)
{
    const char *dir = getenv("NCG_TEST_DATA");
    char path[1024];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", rel);
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

/* Assert a call fails with a code and an exact message. */
#define ck_assert_fails(want_code, want_msg, call)                                                                            \
    do {                                                                                                            \
        ncg_error err = {0};                                                                                        \
        ck_assert_int_eq((call), (want_code));                                                                      \
        ck_assert_int_eq(err.code, (want_code));                                                                    \
        ck_assert_str_eq(err.message, (want_msg));                                                                       \
    } while (0)

Suite *suite_quantity(void);
Suite *suite_catalog(void);
Suite *suite_request(void);
Suite *suite_env(void);
Suite *suite_node(void);
Suite *suite_cache(void);
Suite *suite_cluster(void);
Suite *suite_plan(void);

#endif

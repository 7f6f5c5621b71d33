/* SPDX-License-Identifier: Apache-2.0 */
/* One runner for every suite. `test-ncg` runs them all, `test-ncg --suite NAME` runs one, `test-ncg --list` names
 * them. It fails when a suite name matches none, or when a suite registered no test.
 *
 * SUITE_LIST is the one place where suites are registered: suite NAME is built by suite_NAME() in test-NAME.c.
 * tests/meson.build reads the SUITE(...) lines below to compile those files and to register one meson test per
 * suite, so adding a suite is one line here plus its file. */
#include <string.h>

#include "test-common.h"

#define SUITE_LIST                                                                                                  \
    SUITE(library)                                                                                                  \
    SUITE(quantity)                                                                                                 \
    SUITE(catalog)                                                                                                  \
    SUITE(request)                                                                                                  \
    SUITE(env)                                                                                                      \
    SUITE(window)                                                                                                   \
    SUITE(node)                                                                                                     \
    SUITE(cache)                                                                                                    \
    SUITE(lnc)                                                                                                      \
    SUITE(btree)                                                                                                    \
    SUITE(heap)                                                                                                     \
    SUITE(cluster)                                                                                                  \
    SUITE(placement)                                                                                                \
    SUITE(ultraserver)                                                                                              \
    SUITE(state)                                                                                                    \
    SUITE(lp)                                                                                                       \
    SUITE(plan)                                                                                                     \
    SUITE(bench)

#define SUITE(name) Suite *suite_##name(void);
SUITE_LIST
#undef SUITE

#define SUITE(name) {#name, suite_##name},
static const struct {
    const char *name;
    Suite *(*make)(void);
} suites[] = {SUITE_LIST};
#undef SUITE

int test_registered;

static int usage(void)
{
    fprintf(stderr, "usage: test-ncg [--list | --suite NAME]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *want = NULL;
    SRunner *sr = NULL;
    int failed, matched = 0;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
            printf("%s\n", suites[i].name);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--suite") == 0)
        want = argv[2];
    else if (argc != 1)
        return usage();

    for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
        int before = test_registered;
        Suite *s;
        if (want && strcmp(suites[i].name, want) != 0)
            continue;
        s = suites[i].make();
        matched++;
        if (test_registered == before) {
            fprintf(stderr, "test-ncg: suite %s registered no test\n", suites[i].name);
            return 1;
        }
        if (!sr)
            sr = srunner_create(s);
        else
            srunner_add_suite(sr, s);
    }
    if (!matched) {
        fprintf(stderr, "test-ncg: no suite named %s (--list names them)\n", want);
        return 1;
    }
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    if (srunner_ntests_run(sr) == 0) {
        fprintf(stderr, "test-ncg: no test ran\n");
        failed = 1;
    }
    srunner_free(sr);
    return failed ? 1 : 0;
}

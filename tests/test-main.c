/* SPDX-License-Identifier: Apache-2.0 */
/* One runner for every suite: `test-ncg --suite NAME` runs one suite; a name that matches none fails. */
#include <string.h>

#include "test-common.h"

static const struct {
    const char *name;
    Suite *(*make)(void);
} suites[] = {
    {"quantity", suite_quantity}, {"catalog", suite_catalog}, {"request", suite_request}, {"env", suite_env},
    {"node", suite_node},         {"cache", suite_cache},     {"cluster", suite_cluster}, {"plan", suite_plan},
};

int main(int argc, char **argv)
{
    const char *want = argc == 3 && strcmp(argv[1], "--suite") == 0 ? argv[2] : NULL;
    SRunner *sr = NULL;
    int failed;

    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (want && strcmp(suites[i].name, want) != 0)
            continue;
        if (!sr)
            sr = srunner_create(suites[i].make());
        else
            srunner_add_suite(sr, suites[i].make());
    }
    if (!sr) {
        fprintf(stderr, "test-ncg: no suite named %s\n", want ? want : "(none)");
        return 1;
    }
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

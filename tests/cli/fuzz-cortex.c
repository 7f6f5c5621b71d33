/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target of libncg-cortex: the input is loaded as an API file, a cluster file and a catalog file, in
 * both modes, then checked, turned into a cluster and added to a plan. Any crash, leak or sanitizer report is a
 * finding. Build and run (clang), from the source tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc tests/cli/fuzz-cortex.c src/cortex/reader.c \
 *       src/cortex/cortex.c BUILD/src/libncg-private.a -lyaml -lm -o fuzz-cortex
 *   ./fuzz-cortex -max_len=4096 -runs=1000000 CORPUS_DIR
 *
 * (BUILD/src/libncg-private.a from a clang build: CC=clang meson setup BUILD.) The Cortex corpus
 * (tests/data/cortex-corpus) is a good seed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ncg-cortex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    ncg_catalog *cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    if (!text || !cat) {
        free(text);
        ncg_catalog_free(cat);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    for (unsigned flags = 0; flags <= NCG_CORTEX_KEEP_GOING; flags += NCG_CORTEX_KEEP_GOING) {
        ncg_cortex *c = ncg_cortex_new(flags, NULL);
        ncg_cluster *cl;
        ncg_cortex_load_apis(c, "f.yaml", text, NULL);
        ncg_cortex_load_cluster(c, "f.yaml", text, NULL);
        ncg_cortex_load_catalog(c, cat, "f.yaml", text, NULL);
        for (int i = 0; i < ncg_cortex_diagnostic_count(c); i++) {
            ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
            ncg_cortex_get_diagnostic(c, i, &d, NULL);
            if (!d.message || strlen(d.message) == 0)
                abort();
        }
        if ((cl = ncg_cortex_new_cluster(c, cat, NULL, NULL))) {
            ncg_plan *plan;
            ncg_cortex_check(c, cat, cl, NULL);
            if (ncg_cluster_nodegroup_count(cl) > 0 && (plan = ncg_plan_new(cl, 0, NULL))) {
                ncg_cortex_add_to_plan(c, plan, 1, NULL);
                ncg_plan_free(plan);
            }
            ncg_cluster_free(cl);
        }
        ncg_cortex_free(c);
    }
    ncg_catalog_free(cat);
    free(text);
    return 0;
}

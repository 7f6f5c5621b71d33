/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target of libncg-cortex, the CLI's YAML reader: the input is loaded as an API file, a cluster file
 * and a catalog file, strict when its length is even and keep-going when odd (one mode per input halves the work
 * of each run, and a mutation that adds or drops a byte tries the other), then checked, turned into a cluster and
 * added to a plan. Every diagnostic must have a message. Any crash, leak or sanitizer report is a finding. Seed corpus:
 * tests/fuzz/corpus/cortex; scripts/fuzz.sh runs it (built with -Dfuzz=true). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ncg-cortex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The region's catalog (every EC2 type, 0.3 ms to build) is built once and only read; the input's catalog
 * entries go into a fresh catalog of the Neuron types, which then serves the cluster when it took any. */
static ncg_catalog *region;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    ncg_catalog *cat;
    ncg_cortex *c;
    ncg_cluster *cl;
    const ncg_catalog *use;
    if (!region && !(region = ncg_catalog_new_region("us-east-1", 0, NULL)))
        abort();
    cat = ncg_catalog_new(0, NULL);
    c = ncg_cortex_new(size % 2 ? NCG_CORTEX_KEEP_GOING : 0, NULL);
    if (!text || !cat || !c) {
        free(text);
        ncg_catalog_free(cat);
        ncg_cortex_free(c);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    ncg_cortex_load_apis(c, "f.yaml", text, NULL);
    ncg_cortex_load_cluster(c, "f.yaml", text, NULL);
    use = ncg_cortex_load_catalog(c, cat, "f.yaml", text, NULL) > 0 ? cat : region;
    for (int i = 0; i < ncg_cortex_diagnostic_count(c); i++) {
        ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
        ncg_cortex_get_diagnostic(c, i, &d, NULL);
        if (!d.message || strlen(d.message) == 0)
            abort();
    }
    if ((cl = ncg_cortex_new_cluster(c, use, NULL, NULL))) {
        ncg_plan *plan;
        ncg_cortex_check(c, use, cl, NULL);
        if (ncg_cluster_nodegroup_count(cl) > 0 && (plan = ncg_plan_new(cl, 0, NULL))) {
            ncg_cortex_add_to_plan(c, plan, 1, NULL);
            ncg_plan_free(plan);
        }
        ncg_cluster_free(cl);
    }
    ncg_cortex_free(c);
    ncg_catalog_free(cat);
    free(text);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* How a node agent embeds libncg: rebuild state from the pods already running, place new replicas, hand each
 * process its environment, release on pod deletion. Exits 0 when every step behaves as expected. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <ncg.h>

static int fail(const char *what, const ncg_error *err)
{
    fprintf(stderr, "embed-daemon: %s: %s (%s)\n", what, err->message, ncg_strerror(err->code));
    return 1;
}

int main(void)
{
    ncg_error err;
    ncg_catalog *catalog = ncg_catalog_new(0, &err);
    ncg_node *node;
    ncg_request req;
    ncg_model model = {.size = sizeof(ncg_model), .name = "resnet50", .bytes = INT64_C(1) << 30,
                       .compiled_cores = 1, .static_weights = 1};
    const char *running[] = {"4-5", "6-7"};
    ncg_alloc adopted = NCG_INIT(ncg_alloc), alloc = NCG_INIT(ncg_alloc), refused = NCG_INIT(ncg_alloc);
    ncg_core_group core_groups[8];
    int n;

    if (!catalog)
        return fail("catalog", &err);
    node = ncg_node_new(catalog, "inf1.6xlarge", 0, &err);
    if (!node)
        return fail("node", &err);

    /* 1. After a restart, adopt the replica that already runs on chip 1 with two processes. */
    ncg_request_init(&req);
    req.cpu_milli = 3000;
    if (ncg_node_adopt(node, &req, "1", running, 2, &adopted, &err) < 0)
        return fail("adopt", &err);
    printf("adopted allocation %" PRIu64 ": chips %d-%d\n", adopted.id, adopted.first_chip,
           adopted.first_chip + adopted.chip_count - 1);

    /* 2. Place a new replica: 1 chip, 4 processes, a model compiled for 1 core. */
    req.inf = 1;
    req.ppr = 4;
    req.models = &model;
    req.model_count = 1;
    if (ncg_node_allocate(node, &req, &alloc, &err) < 0)
        return fail("allocate", &err);
    /* the count of NCGs (one per process); core_groups is written only when all of them fit (the buffer rule) */
    n = ncg_node_get_core_groups(node, alloc.id, core_groups, 8, &err);
    if (n < 0)
        return fail("core groups", &err);
    for (int p = 0; p < n; p++) {
        ncg_env env = NCG_INIT(ncg_env);
        ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
        if (ncg_node_get_env(node, alloc.id, p, &env, &err) < 0 ||
            ncg_node_get_core_group_cache(node, alloc.id, p, &gc, NULL, 0, &err) < 0)
            return fail("env", &err);
        printf("process %d: NEURON_RT_VISIBLE_CORES=%s NEURONCORE_GROUP_SIZES=%s AWS_NEURON_VISIBLE_DEVICES=%s "
               "cache %s\n", p, env.visible_cores, env.core_group_sizes, env.visible_devices,
               ncg_cache_state_name(gc.state));
    }

    /* 3. A double booking is refused and changes nothing. */
    if (ncg_node_adopt(node, NULL, "1", NULL, 0, &refused, &err) != NCG_E_OVERLAP)
        return fail("overlap not refused", &err);
    printf("refused: %s\n", err.message);

    /* 4. Pods go away. */
    if (ncg_node_release(node, alloc.id, &err) < 0 || ncg_node_release(node, adopted.id, &err) < 0)
        return fail("release", &err);
    ncg_node_free(node);
    ncg_catalog_free(catalog);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* How a node agent embeds libncg: rebuild state from the pods already running, place new replicas, hand each
 * process its environment, release on pod deletion. Exits 0 when every step behaves as expected. */
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
    ncg_catalog *catalog = ncg_catalog_new(&err);
    ncg_node *node;
    ncg_request req;
    ncg_model model = {.name = "resnet50", .bytes = INT64_C(1) << 30, .compiled_cores = 1, .static_weights = 1};
    const char *running[] = {"4-5", "6-7"};
    ncg_alloc alloc;
    ncg_group groups[8];
    int id, n;

    if (!catalog)
        return fail("catalog", &err);
    node = ncg_node_new(catalog, "inf1.6xlarge", &err);
    if (!node)
        return fail("node", &err);

    /* 1. After a restart, adopt the replica that already runs on chip 1 with two processes. */
    ncg_request_init(&req);
    req.cpu_milli = 3000;
    if (ncg_node_adopt(node, &req, "1", running, 2, &alloc, &err) < 0)
        return fail("adopt", &err);
    printf("adopted allocation %u: chips %d-%d\n", alloc.id, alloc.first_chip, alloc.first_chip + alloc.chip_count - 1);

    /* 2. Place a new replica: 1 chip, 4 processes, a model compiled for 1 core. */
    req.inf = 1;
    req.ppr = 4;
    req.models = &model;
    req.model_count = 1;
    id = ncg_node_allocate(node, &req, &alloc, &err);
    if (id < 0)
        return fail("allocate", &err);
    n = ncg_node_groups(node, (uint32_t)id, groups, 8, &err);
    for (int p = 0; p < n; p++) {
        ncg_env env;
        ncg_group_cache gc;
        if (ncg_node_env(node, (uint32_t)id, p, &env, &err) < 0 ||
            ncg_node_group_cache(node, (uint32_t)id, p, &gc, NULL, 0, &err) < 0)
            return fail("env", &err);
        printf("process %d: NEURON_RT_VISIBLE_CORES=%s NEURONCORE_GROUP_SIZES=%s AWS_NEURON_VISIBLE_DEVICES=%s "
               "cache %s\n", p, env.visible_cores, env.group_sizes, env.visible_devices,
               ncg_cache_state_name(gc.state));
    }

    /* 3. A double booking is refused and changes nothing. */
    if (ncg_node_adopt(node, NULL, "1", NULL, 0, NULL, &err) != NCG_E_OVERLAP)
        return fail("overlap not refused", &err);
    printf("refused: %s\n", err.message);

    /* 4. Pods go away. */
    if (ncg_node_release(node, (uint32_t)id, &err) < 0 || ncg_node_release(node, alloc.id - 1, &err) < 0)
        return fail("release", &err);
    ncg_node_free(node);
    ncg_catalog_free(catalog);
    return 0;
}

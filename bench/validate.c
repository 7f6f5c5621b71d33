/* SPDX-License-Identifier: Apache-2.0 */
#include "validate.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* DOMAIN.md section 1, written again here on purpose. */
static bool window_valid(const ncg_type *t, int first, int count)
{
    if (count < 1 || first < 0 || first + count > t->chips)
        return false;
    switch (t->topology) {
    case NCG_TOPOLOGY_SINGLE: return count == 1;
    case NCG_TOPOLOGY_CHAIN:
    case NCG_TOPOLOGY_RING: return true;
    case NCG_TOPOLOGY_TORUS_4X4: return count == 1 || ((count == 4 || count == 8 || count == 16) && first % count == 0);
    }
    return false;
}

int validate_node(const ncg_node *node, const ncg_type *t, const char *name, char *msg, size_t size)
{
    ncg_node_status st;
    unsigned char used[NCG_MAX_CORES] = {0};
    int64_t cpu = 0, mem = 0, hp = 0;
    int n = ncg_node_allocations(node, NULL, 0, NULL);
    uint32_t *ids = malloc(((size_t)n + 1) * sizeof(*ids));
    int rc = 0;
    if (!ids)
        return bad(msg, size, "out of memory");
    ncg_node_status_get(node, &st, NULL);
    ncg_node_allocations(node, ids, (size_t)n, NULL);
    for (int k = 0; k < n && rc == 0; k++) {
        ncg_alloc a;
        ncg_node_alloc_info(node, ids[k], &a, NULL);
        cpu += a.cpu_milli;
        mem += a.memory_bytes;
        hp += a.hugepages_bytes;
        for (int core = a.first_core; a.core_count > 0 && core < a.first_core + a.core_count && rc == 0; core++) {
            if (core >= t->chips * t->cores_per_chip || used[core])
                rc = bad(msg, size, "node %s: core %d used twice or out of range", name, core);
            else
                used[core] = 1;
        }
        if (rc == 0 && a.whole_chips &&
            (!window_valid(t, a.first_chip, a.chip_count) || a.first_core != a.first_chip * t->cores_per_chip ||
             a.core_count != a.chip_count * t->cores_per_chip))
            rc = bad(msg, size, "node %s: chips %d+%d are not a valid %s window", name, a.first_chip, a.chip_count,
                     ncg_topology_name(t->topology));
        if (rc == 0 && a.core_count > 0 && a.ncg_size > 0 && a.ppr * a.ncg_size != a.core_count)
            rc = bad(msg, size, "node %s: %d processes x NCG size %d != %d cores", name, a.ppr, a.ncg_size,
                     a.core_count);
    }
    if (rc == 0 && (cpu > st.cpu_usable_milli || mem > st.memory_usable_bytes || hp > t->hugepages_bytes))
        rc = bad(msg, size, "node %s: CPU, memory or hugepages over capacity", name);
    free(ids);
    return rc;
}

int validate_cluster(const ncg_cluster *c, double *price, char *msg, size_t size)
{
    *price = 0;
    for (int i = 0; i < ncg_cluster_node_count(c); i++) {
        int group;
        const char *name;
        const ncg_node *node = ncg_cluster_node_at(c, i, &name, &group, NULL);
        ncg_group_spec g;
        ncg_type t;
        ncg_cluster_group_at(c, group, &g, &t, NULL);
        *price += g.usd_per_hour;
        if (validate_node(node, &t, name, msg, size) < 0)
            return -1;
    }
    return 0;
}

int validate_plan(const ncg_plan *p, const validate_api *apis, int napis, char *msg, size_t size)
{
    const ncg_cluster *c = ncg_plan_cluster(p);
    ncg_plan_summary s;
    double price;
    int nodes = ncg_cluster_node_count(c), placed = 0, total = ncg_plan_replica_count(p), rc;
    int *per_node = NULL;
    char *seen = NULL;

    if (ncg_plan_get_summary(p, &s, NULL) < 0)
        return bad(msg, size, "plan not solved");
    if ((rc = validate_cluster(c, &price, msg, size)) < 0)
        return rc;
    seen = calloc((size_t)nodes * 4096 + 1, 1);
    per_node = calloc((size_t)nodes + 1, sizeof(int));
    if (!seen || !per_node) {
        free(seen);
        free(per_node);
        return bad(msg, size, "out of memory");
    }
    rc = 0;
    for (int api = 0, i = 0; api < napis && rc == 0; api++) {
        memset(per_node, 0, ((size_t)nodes + 1) * sizeof(int));
        for (int r = 0; r < apis[api].replicas && rc == 0; r++, i++) {
            ncg_plan_replica pr;
            ncg_alloc a;
            const ncg_node *node;
            const ncg_request *q = &apis[api].request;
            ncg_type t;
            ncg_group_spec g;
            int group;
            if (i >= total || ncg_plan_replica_at(p, i, &pr, NULL) < 0 || pr.api != api || pr.replica != r) {
                rc = bad(msg, size, "replica %d of api %d is missing", r, api);
                break;
            }
            if (pr.node < 0)
                continue;
            placed++;
            node = ncg_cluster_node_at(c, pr.node, NULL, &group, NULL);
            ncg_cluster_group_at(c, group, &g, &t, NULL);
            if (!node || ncg_node_alloc_info(node, pr.alloc_id, &a, NULL) < 0 || pr.alloc_id >= 4096 ||
                seen[(size_t)pr.node * 4096 + pr.alloc_id]) {
                rc = bad(msg, size, "replica %d of api %d: allocation missing or shared", r, api);
                break;
            }
            seen[(size_t)pr.node * 4096 + pr.alloc_id] = 1;
            if (a.cpu_milli != q->cpu_milli || a.memory_bytes != q->memory_bytes ||
                a.hugepages_bytes != q->hugepages_bytes)
                rc = bad(msg, size, "replica %d of api %d: CPU/memory differ from the request", r, api);
            else if (q->inf > 0 && (!a.whole_chips || a.chip_count != q->inf || a.ppr != q->ppr ||
                                    a.ncg_size != t.cores_per_chip * q->inf / q->ppr ||
                                    (t.cores_per_chip * q->inf) % q->ppr != 0))
                rc = bad(msg, size, "replica %d of api %d: chips, ppr or NCG size break the rules", r, api);
            else if (apis[api].max_per_node && ++per_node[pr.node] > apis[api].max_per_node)
                rc = bad(msg, size, "api %d: more than %d replicas on node %d", api, apis[api].max_per_node, pr.node);
        }
    }
    free(seen);
    free(per_node);
    if (rc < 0)
        return rc;
    if (placed != s.placed || s.placed + s.unplaced != s.replicas || s.nodes != nodes)
        return bad(msg, size, "counts do not add up: placed %d vs %d, nodes %d vs %d", placed, s.placed, nodes,
                   s.nodes);
    if (price - s.price_per_hour > 1e-6 * (1 + price) || s.price_per_hour - price > 1e-6 * (1 + price))
        return bad(msg, size, "price %.6f != sum of node prices %.6f", s.price_per_hour, price);
    if (s.lower_bound_per_hour > s.price_per_hour + 1e-9 || s.lower_bound_per_hour < 0)
        return bad(msg, size, "lower bound %.6f above price %.6f", s.lower_bound_per_hour, s.price_per_hour);
    return 0;
}

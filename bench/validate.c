/* SPDX-License-Identifier: Apache-2.0 */
#include "validate.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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
    case NCG_TOPOLOGY_RING:
    case NCG_TOPOLOGY_SWITCHED: return true;
    case NCG_TOPOLOGY_TORUS_4X4: return count == 1 || ((count == 4 || count == 8 || count == 16) && first % count == 0);
    }
    return false;
}

static int cmp_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The node at index i of a cluster, or NULL; name and nodegroup may be NULL. */
static const ncg_node *node_at(const ncg_cluster *c, int i, const char **name, int *nodegroup)
{
    const ncg_node *node = NULL;
    ncg_cluster_get_node(c, i, &node, name, nodegroup, NULL);
    return node;
}

int validate_node(const ncg_node *node, const ncg_type *t, const char *name, char *msg, size_t size)
{
    ncg_node_status st = NCG_INIT(ncg_node_status);
    unsigned char used[NCG_MAX_CORES] = {0};
    int64_t cpu = 0, mem = 0, hp = 0;
    int n = ncg_node_get_alloc_ids(node, NULL, 0, NULL);
    uint64_t *ids = n < 0 ? NULL : malloc(((size_t)n + 1) * sizeof(*ids));
    int rc = 0;
    if (n < 0)
        return bad(msg, size, "node %s: cannot list its allocations", name);
    if (!ids)
        return bad(msg, size, "out of memory");
    ncg_node_get_status(node, &st, NULL);
    ncg_node_get_alloc_ids(node, ids, (size_t)n, NULL);
    for (int k = 0; k < n && rc == 0; k++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        ncg_node_get_alloc(node, ids[k], &a, NULL);
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
        int nodegroup = -1;
        const char *name = NULL;
        const ncg_node *node = node_at(c, i, &name, &nodegroup);
        ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
        ncg_type t = NCG_INIT(ncg_type);
        ncg_cluster_get_nodegroup(c, nodegroup, &g, &t, NULL);
        *price += g.usd_per_hour;
        if (validate_node(node, &t, name, msg, size) < 0)
            return -1;
    }
    return 0;
}

/* Every node group within min_instances..max_instances, and no new node without a replica unless its node group's
 * min_instances needs it. */
static int validate_groups(const ncg_plan *p, char *msg, size_t size)
{
    const ncg_cluster *c = ncg_plan_get_cluster(p);
    ncg_plan_summary s = NCG_INIT(ncg_plan_summary);
    int G = ncg_cluster_nodegroup_count(c), N = ncg_cluster_node_count(c), rc = 0, base;
    int *nodes = calloc((size_t)G + 1, sizeof(int)), *empty = calloc((size_t)G + 1, sizeof(int));
    if (!nodes || !empty) {
        free(nodes);
        free(empty);
        return bad(msg, size, "out of memory");
    }
    ncg_plan_get_summary(p, &s, NULL);
    base = N - s.new_nodes;
    for (int i = 0; i < N; i++) {
        int g = -1;
        const ncg_node *node = node_at(c, i, NULL, &g);
        nodes[g]++;
        if (i >= base && ncg_node_get_alloc_ids(node, NULL, 0, NULL) == 0)
            empty[g]++;
    }
    for (int g = 0; g < G && rc == 0; g++) {
        ncg_nodegroup_spec spec = NCG_INIT(ncg_nodegroup_spec);
        ncg_cluster_get_nodegroup(c, g, &spec, NULL, NULL);
        if (nodes[g] < spec.min_nodes || nodes[g] > spec.max_nodes)
            rc = bad(msg, size, "node group %s: %d nodes, outside min_instances %d .. max_instances %d", spec.name,
                     nodes[g], spec.min_nodes, spec.max_nodes);
        else if (empty[g] > 0 && nodes[g] - empty[g] + 1 > spec.min_nodes)
            rc = bad(msg, size, "node group %s: %d new nodes without a replica, %d nodes, min_instances %d", spec.name,
                     empty[g], nodes[g], spec.min_nodes);
    }
    free(nodes);
    free(empty);
    return rc;
}

int validate_plan(const ncg_plan *p, const validate_api *apis, int napis, char *msg, size_t size)
{
    const ncg_cluster *c = ncg_plan_get_cluster(p);
    ncg_plan_summary s = NCG_INIT(ncg_plan_summary);
    double price;
    int nodes = ncg_cluster_node_count(c), placed = 0, total = ncg_plan_replica_count(p), rc;
    int *per_node = NULL;
    size_t *first = NULL, ids_count = 0; /* node i's allocations are ids[first[i] .. first[i + 1]), ascending */
    uint64_t *ids = NULL;
    char *seen = NULL;                   /* per allocation: a replica of the plan is on it */

    if (ncg_plan_get_summary(p, &s, NULL) < 0)
        return bad(msg, size, "plan not solved");
    if ((rc = validate_cluster(c, &price, msg, size)) < 0)
        return rc;
    first = calloc((size_t)nodes + 1, sizeof(*first));
    for (int i = 0; first && i < nodes; i++) {
        int k = ncg_node_get_alloc_ids(node_at(c, i, NULL, NULL), NULL, 0, NULL);
        first[i] = ids_count;
        ids_count += k > 0 ? (size_t)k : 0;
    }
    if (first)
        first[nodes] = ids_count;
    ids = malloc((ids_count + 1) * sizeof(*ids));
    seen = calloc(ids_count + 1, 1);
    per_node = calloc((size_t)nodes + 1, sizeof(int));
    if (!first || !ids || !seen || !per_node) {
        free(first);
        free(ids);
        free(seen);
        free(per_node);
        return bad(msg, size, "out of memory");
    }
    for (int i = 0; i < nodes; i++)
        ncg_node_get_alloc_ids(node_at(c, i, NULL, NULL), ids + first[i], first[i + 1] - first[i], NULL);
    rc = 0;
    for (int api = 0, i = 0; api < napis && rc == 0; api++) {
        memset(per_node, 0, ((size_t)nodes + 1) * sizeof(int));
        for (int r = 0; r < apis[api].replicas && rc == 0; r++, i++) {
            ncg_plan_replica pr = NCG_INIT(ncg_plan_replica);
            ncg_alloc a = NCG_INIT(ncg_alloc);
            const ncg_node *node;
            const ncg_request *q = &apis[api].request;
            ncg_type t = NCG_INIT(ncg_type);
            ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
            int nodegroup = -1;
            const uint64_t *at;
            if (i >= total || ncg_plan_get_replica(p, i, &pr, NULL) < 0 || pr.api != api || pr.replica != r) {
                rc = bad(msg, size, "replica %d of api %d is missing", r, api);
                break;
            }
            if (pr.node < 0)
                continue;
            placed++;
            node = node_at(c, pr.node, NULL, &nodegroup);
            ncg_cluster_get_nodegroup(c, nodegroup, &g, &t, NULL);
            at = node ? bsearch(&pr.alloc_id, ids + first[pr.node], first[pr.node + 1] - first[pr.node], sizeof(*ids),
                                cmp_id)
                      : NULL;
            if (!at || ncg_node_get_alloc(node, pr.alloc_id, &a, NULL) < 0 || seen[at - ids]) {
                rc = bad(msg, size, "replica %d of api %d: allocation missing or shared", r, api);
                break;
            }
            seen[at - ids] = 1;
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
    free(first);
    free(ids);
    free(seen);
    free(per_node);
    if (rc < 0)
        return rc;
    if (placed != s.placed || s.placed + s.unplaced != s.replicas || s.nodes != nodes)
        return bad(msg, size, "counts do not add up: placed %d vs %d, nodes %d vs %d", placed, s.placed, nodes,
                   s.nodes);
    if (price - s.price_per_hour > 1e-6 * (1 + price) || s.price_per_hour - price > 1e-6 * (1 + price))
        return bad(msg, size, "price %.6f != sum of node prices %.6f", s.price_per_hour, price);
    if ((rc = validate_groups(p, msg, size)) < 0)
        return rc;
    if (s.lower_bound_per_hour > s.price_per_hour + 1e-9 || s.lower_bound_per_hour < 0)
        return bad(msg, size, "lower bound %.6f above price %.6f", s.lower_bound_per_hour, s.price_per_hour);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The packing heuristics of the planner (plan.h lists the planner's files; doc/planner.md the strategies).
 *
 * APIs go in one of three orders: largest first by the cost of one replica in the group it would open nodes in
 * (ties: chips, NeuronCores, CPU, memory, input order); by CPU then memory, largest first; in input order (opening
 * the cheapest node that holds a replica); and, when APIs x replicas is at most BY_NODE_BUDGET, node by node: open
 * a node for the costliest replica left and fill it with the replicas that match what it has left best (the dot
 * product of demand and free capacity). Each replica goes to the first node, in the order nodes were opened
 * (existing nodes first), that holds it; a node that fails once is skipped for the rest of that API, since nodes
 * only fill up, and so are its unchanged copies. When none holds it, a node is opened in the allowed group with
 * the lowest cost per replica that has room under max_instances (ties: group order). Afterwards each node the plan
 * opened moves to the first allowed group, in the order cheaper, then higher priority, then listed first, that
 * comes before its own, has room and whose type holds all its replicas, unless that would take its group below
 * min_instances (plan_downsize()). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

/* ---- packing ---- */

void plan_demand(const papi *a, int g, double *d);
void plan_capacity(const ncg_type_copy *type, double *cap);
static int best_group(const ncg_plan *p, const papi *a, int most);

/* Sort key: what one replica costs in the group it would open nodes in (price / replicas per empty node). */
static void api_size(const ncg_plan *p, papi *a)
{
    int g = best_group(p, a, FIT_CAP);
    a->size = g < 0 ? 0 : ncg_cluster_nodegroup_price(p->c, g) / a->fit[g];
}

int plan_analyse(ncg_plan *p, ncg_error *err)
{
    for (int i = 0; i < p->api_count; i++) {
        papi *a = &p->apis[i];
        free(a->never);
        a->never = NULL;
        a->never_len = 0;
        a->full = false;
        for (int gi = 0; gi < ncg_cluster_nodegroup_count(p->c); gi++) {
            const ncg_type_copy *type = ncg_cluster_nodegroup_type(p->c, gi);
            ncg_error e;
            ncg_node *n;
            int cap = a->replicas < FIT_CAP ? a->replicas : FIT_CAP;
            if (!a->allowed[gi])
                continue;
            if (ncg_request_check_type(type, &a->req, &a->shape[gi], &e) < 0) {
                ncg_nodegroup_info g;
                size_t add;
                char *grown;
                ncg_cluster_nodegroup_info(p->c, gi, &g);
                add = (a->never_len ? 2 : 0) + strlen("node group : ") + strlen(g.name) + strlen(e.message);
                if (!(grown = realloc(a->never, a->never_len + add + 1)))
                    return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
                a->never = grown;
                snprintf(a->never + a->never_len, add + 1, "%snode group %s: %s", a->never_len ? "; " : "", g.name,
                         e.message);
                a->never_len += add;
                continue;
            }
            if (a->max_per_node && a->max_per_node < cap)
                cap = a->max_per_node;
            if (cap < 1)
                cap = 1;
            n = ncg_node_from_type(type);
            if (!n)
                return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
            for (a->fit[gi] = 0; a->fit[gi] < cap; a->fit[gi]++) {
                ncg_slot pl;
                if (!ncg_node_fits_shape(n, &a->shape[gi], &a->req, &pl))
                    break;
                if (ncg_node_commit(n, &pl, &a->req, NULL, err) < 0) {
                    ncg_node_free(n);
                    return NCG_E_NOMEM;
                }
            }
            ncg_node_free(n);
        }
        api_size(p, a);
    }
    return 0;
}

static int size_cmp(const ncg_plan *p, int x, int y)
{
    const ncg_request *a = &p->apis[x].req, *b = &p->apis[y].req;
    if (p->apis[x].size != p->apis[y].size)
        return p->apis[x].size > p->apis[y].size ? -1 : 1;
    if (a->inf != b->inf)
        return a->inf > b->inf ? -1 : 1;
    if (a->neuroncores != b->neuroncores)
        return a->neuroncores > b->neuroncores ? -1 : 1;
    if (a->cpu_milli != b->cpu_milli)
        return a->cpu_milli > b->cpu_milli ? -1 : 1;
    if (a->memory_bytes != b->memory_bytes)
        return a->memory_bytes > b->memory_bytes ? -1 : 1;
    return x < y ? -1 : x > y;
}


static int cpu_cmp(const ncg_plan *p, int x, int y)
{
    const ncg_request *a = &p->apis[x].req, *b = &p->apis[y].req;
    if (a->cpu_milli != b->cpu_milli)
        return a->cpu_milli > b->cpu_milli ? -1 : 1;
    if (a->memory_bytes != b->memory_bytes)
        return a->memory_bytes > b->memory_bytes ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Insertion sort: the number of APIs is small and the order must be deterministic. */
static void order_apis(const ncg_plan *p, int strategy, int *order)
{
    for (int i = 0; i < p->api_count; i++) {
        int j = i;
        while (j > 0 && strategy != IN_ORDER &&
               (strategy == BY_COST ? size_cmp(p, i, order[j - 1]) : cpu_cmp(p, i, order[j - 1])) < 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

/* The allowed group with room and the lowest cost per replica for a node opened now: price divided by the
 * replicas an empty node holds, counting at most `holds` (1: the cheapest node). Ties: group order. -1 if none. */
static int best_group(const ncg_plan *p, const papi *a, int most)
{
    int best = -1;
    double best_cost = 0;
    for (int gi = 0; gi < ncg_cluster_nodegroup_count(p->c); gi++) {
        double cost;
        int holds;
        if (!a->allowed[gi] || a->fit[gi] == 0 || !ncg_cluster_nodegroup_has_room(p->c, gi))
            continue;
        holds = a->fit[gi] < most ? a->fit[gi] : most;
        cost = ncg_cluster_nodegroup_price(p->c, gi) / (holds > 0 ? holds : 1);
        if (best < 0 || cost < best_cost) {
            best = gi;
            best_cost = cost;
        }
    }
    return best;
}

int plan_place_on(ncg_plan *p, int i, papi *a, preplica *r, ncg_error *err)
{
    ncg_node *n = ncg_cluster_node_mut(p->c, i);
    ncg_slot pl;
    ncg_alloc al;
    int rc;
    if (!ncg_node_fits_shape(n, &a->shape[ncg_cluster_node_nodegroup(p->c, i)], &a->req, &pl))
        return 0;
    rc = ncg_cluster_reserve_change(p->c, err);
    if (rc == 0)
        rc = ncg_node_commit(n, &pl, &a->req, &al, err);
    if (rc < 0)
        return rc;
    ncg_cluster_node_changed(p->c, i);
    p->origin[i] = -1; /* changed: no longer a copy of its original, nor an original of its copies */
    r->node = i;
    r->alloc = al.id;
    a->placed++;
    return 1;
}

/* Room in the packing scratch for one more node. */
int plan_scratch_reserve(ncg_plan *p, ncg_error *err)
{
    int need = ncg_cluster_node_count(p->c) + 1, cap;
    int *stamp, *count, *origin, *fail;
    bool *keep;
    if (need <= p->scratch_capacity)
        return 0;
    cap = p->scratch_capacity ? p->scratch_capacity * 2 : 64;
    while (cap < need)
        cap *= 2;
    stamp = realloc(p->stamp, (size_t)cap * sizeof(int));
    if (stamp)
        p->stamp = stamp;
    count = stamp ? realloc(p->count, (size_t)cap * sizeof(int)) : NULL;
    if (count)
        p->count = count;
    keep = count ? realloc(p->keep, (size_t)cap * sizeof(bool)) : NULL;
    if (keep)
        p->keep = keep;
    origin = keep ? realloc(p->origin, (size_t)cap * sizeof(int)) : NULL;
    if (origin)
        p->origin = origin;
    fail = origin ? realloc(p->fail, (size_t)cap * sizeof(int)) : NULL;
    if (!fail)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    p->fail = fail;
    for (int i = p->scratch_capacity; i < cap; i++) {
        p->stamp[i] = p->count[i] = p->fail[i] = 0;
        p->keep[i] = false;
        p->origin[i] = -1;
    }
    p->scratch_capacity = cap;
    return 0;
}

/* Open a node in node group g for the plan: its index, or a negative code. */
int plan_open_node(ncg_plan *p, int g, ncg_error *err)
{
    int rc = plan_scratch_reserve(p, err);
    if (rc < 0)
        return rc;
    rc = ncg_cluster_insert_node(p->c, NULL, g, err);
    if (rc >= 0) {
        p->stamp[rc] = p->count[rc] = p->fail[rc] = 0;
        p->keep[rc] = false;
        p->origin[rc] = -1;
    }
    return rc;
}

/* The first-fit scan's index: a tree over the nodes in index order holding, per subtree, the most free of each of
 * NeuronCores, CPU, memory and hugepages that one of its nodes has. A replica's search descends to the first node
 * at or after its cursor that has enough of each, skipping whole runs of nodes that cannot hold it; the node's own
 * check (windows, max_per_node) decides as before, so the plan is the scan's, node for node. Without it, each API
 * scanned every node from the first: packing grew with APIs x nodes, quadratically in APIs. */
#define FIT_DIMS 4
typedef struct fit_index {
    int n, cap;     /* nodes, leaves (a power of two) */
    int64_t *max;   /* 2 x cap entries of FIT_DIMS; entry 1 the root, leaf i at cap + i; -1 where no node is */
} fit_index;

static void node_free(const ncg_plan *p, int i, int64_t *f)
{
    const ncg_type_copy *t = ncg_cluster_nodegroup_type(p->c, ncg_cluster_node_nodegroup(p->c, i));
    ncg_usage u;
    ncg_node_usage(ncg_cluster_node(p->c, i), &u);
    f[0] = (int64_t)t->t.chips * t->t.cores_per_chip - u.cores;
    f[1] = t->cpu_usable_milli - u.cpu_milli;
    f[2] = t->memory_usable_bytes - u.memory_bytes;
    f[3] = t->t.hugepages_bytes - u.hugepages_bytes;
}

static void fit_pull(fit_index *t, int x)
{
    for (int d = 0; d < FIT_DIMS; d++) {
        int64_t a = t->max[(size_t)(2 * x) * FIT_DIMS + d], b = t->max[(size_t)(2 * x + 1) * FIT_DIMS + d];
        t->max[(size_t)x * FIT_DIMS + d] = a > b ? a : b;
    }
}

/* Node i's free capacity now (i < t->n). */
static void fit_update(const ncg_plan *p, fit_index *t, int i)
{
    node_free(p, i, &t->max[(size_t)(t->cap + i) * FIT_DIMS]);
    for (int x = (t->cap + i) / 2; x >= 1; x /= 2)
        fit_pull(t, x);
}

/* Index the cluster's nodes, with room for `more` (0 or 1) beyond them; false when out of memory. */
static bool fit_build(const ncg_plan *p, fit_index *t, int more)
{
    int n = ncg_cluster_node_count(p->c), cap = 1;
    while (cap < n + more)
        cap *= 2;
    free(t->max);
    t->max = malloc((size_t)(2 * cap) * FIT_DIMS * sizeof(int64_t));
    if (!t->max)
        return false;
    t->n = n;
    t->cap = cap;
    for (int i = 0; i < cap; i++)
        if (i < n)
            node_free(p, i, &t->max[(size_t)(cap + i) * FIT_DIMS]);
        else
            for (int d = 0; d < FIT_DIMS; d++)
                t->max[(size_t)(cap + i) * FIT_DIMS + d] = -1;
    for (int x = cap - 1; x >= 1; x--)
        fit_pull(t, x);
    return true;
}

/* A node opened after the index was built: it gets its leaf (the index doubles when full). */
static bool fit_append(const ncg_plan *p, fit_index *t)
{
    if (t->n == t->cap)
        return fit_build(p, t, 1);
    fit_update(p, t, t->n++);
    return true;
}

/* The first node at or after `from` in subtree x (leaves lo..hi-1) with at least need of each, or -1. */
static int fit_find(const fit_index *t, int x, int lo, int hi, int from, const int64_t *need)
{
    const int64_t *m = &t->max[(size_t)x * FIT_DIMS];
    int mid, found;
    if (hi <= from || lo >= t->n)
        return -1;
    for (int d = 0; d < FIT_DIMS; d++)
        if (m[d] < need[d])
            return -1;
    if (hi - lo == 1)
        return lo;
    mid = lo + (hi - lo) / 2;
    found = fit_find(t, 2 * x, lo, mid, from, need);
    return found >= 0 ? found : fit_find(t, 2 * x + 1, mid, hi, from, need);
}

/* right_size: open each node in the node group cheapest for the replicas of the API still to place (not for a
 * full node), which fits the last nodes of an API to what is left. */
int plan_pack(ncg_plan *p, int strategy, bool right_size, ncg_error *err)
{
    int *order = malloc((size_t)(p->api_count ? p->api_count : 1) * sizeof(int));
    int rc = 0;
    fit_index fit = {0, 0, NULL};
    if (!order || !fit_build(p, &fit, 0)) {
        free(order);
        free(fit.max);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    }
    order_apis(p, strategy, order);
    for (int k = 0; k < p->api_count && rc == 0; k++) {
        int ai = order[k], cursor = 0, stamp = k + 1;
        papi *a = &p->apis[ai];
        preplica *reps = &p->replicas[p->offset[ai]];
        /* what every node that holds a replica has free at least: its CPU, memory and hugepages, and the fewest
         * NeuronCores it takes on a node group it may use */
        int64_t need[FIT_DIMS] = {INT64_MAX, a->req.cpu_milli, a->req.memory_bytes, a->req.hugepages_bytes};
        for (int g = 0; g < ncg_cluster_nodegroup_count(p->c); g++)
            if (a->allowed[g] && a->fit[g] > 0 && a->shape[g].cores < need[0])
                need[0] = a->shape[g].cores;
        /* replicas placed before this pass (from the LP's patterns) count against max_per_node too */
        for (int ri = 0; ri < a->placed && a->max_per_node; ri++) {
            int n = reps[ri].node;
            if (p->stamp[n] != stamp) {
                p->stamp[n] = stamp;
                p->count[n] = 0;
            }
            p->count[n]++;
        }
        for (int ri = a->placed; ri < a->replicas && rc == 0; ri++) {
            int g, n;
            reps[ri].node = -1;
            for (; (cursor = fit_find(&fit, 1, 0, fit.cap, cursor, need)) >= 0; cursor++) {
                int ng = ncg_cluster_node_nodegroup(p->c, cursor);
                if (p->stamp[cursor] != stamp) {
                    p->stamp[cursor] = stamp;
                    p->count[cursor] = 0;
                }
                if (!a->allowed[ng] || a->fit[ng] == 0 || (a->max_per_node && p->count[cursor] >= a->max_per_node))
                    continue;
                {   /* an unchanged copy of a node that failed in this pass fails too */
                    int o = p->origin[cursor];
                    if (o >= 0 && o != cursor && p->origin[o] == o && p->fail[o] == stamp)
                        continue;
                }
                rc = plan_place_on(p, cursor, a, &reps[ri], err);
                if (rc == 0)
                    p->fail[cursor] = stamp;
                if (rc != 0)
                    break;
            }
            if (rc < 0)
                break;
            if (rc == 1) {
                p->count[cursor]++;
                fit_update(p, &fit, cursor);
                rc = 0;
                continue;
            }
            cursor = ncg_cluster_node_count(p->c);
            g = best_group(p, a, strategy == IN_ORDER ? 1 /* the cheapest node */
                                 : right_size ? a->replicas - a->placed : FIT_CAP);
            if (g < 0) {
                a->full = true;
                break; /* every further replica is unplaced too */
            }
            n = plan_open_node(p, g, err);
            if (n < 0) {
                rc = n;
                break;
            }
            p->stamp[n] = stamp;
            p->count[n] = 0;
            rc = plan_place_on(p, n, a, &reps[ri], err);
            if (rc == 1 && !fit_append(p, &fit))
                rc = ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
            if (rc == 1) {
                p->count[n]++;
                rc = 0;
            } else if (rc == 0) {
                rc = ncg_fail(err, NCG_E_INVALID, "internal: a replica of %s does not fit an empty %s", a->name,
                              ncg_node_get_type_name(ncg_cluster_node(p->c, n)));
            }
        }
    }
    free(order);
    free(fit.max);
    return rc;
}

/* How well a replica matches what a node has left: the dot product of its demand and the node's free capacity,
 * both relative to the node's capacity (the DotProduct rule of Panigrahy et al.). */
static double affinity(const ncg_plan *p, int i, const papi *a)
{
    const ncg_node *nd = ncg_cluster_node(p->c, i);
    const ncg_type_copy *type = ncg_node_type_copy(nd);
    double d[RESOURCES], cap[RESOURCES], left[RESOURCES], score = 0;
    ncg_usage u;
    plan_demand(a, ncg_cluster_node_nodegroup(p->c, i), d);
    plan_capacity(type, cap);
    ncg_node_usage(nd, &u);
    left[0] = cap[0] - u.cores;
    left[1] = (double)(type->cpu_usable_milli - u.cpu_milli) / 1000.0;
    left[2] = plan_gib(type->memory_usable_bytes - u.memory_bytes);
    left[3] = plan_gib(type->t.hugepages_bytes - u.hugepages_bytes);
    for (int r = 0; r < RESOURCES; r++)
        if (cap[r] > 0)
            score += d[r] / cap[r] * left[r] / cap[r];
    return score;
}

/* Fill one node: repeatedly add the replica, of any API with replicas left, that it holds and matches best.
 * on_node counts the replicas of each API on the node (for max_per_node). */
static int fill_node(ncg_plan *p, int n, int *on_node, ncg_error *err)
{
    const ncg_node *node = ncg_cluster_node(p->c, n);
    int ng = ncg_cluster_node_nodegroup(p->c, n);
    for (;;) {
        int best = -1, rc;
        double best_score = -1;
        for (int i = 0; i < p->api_count; i++) {
            papi *a = &p->apis[i];
            double score;
            if (a->placed >= a->replicas || !a->allowed[ng] || a->fit[ng] == 0 ||
                (a->max_per_node && on_node[i] >= a->max_per_node) ||
                !ncg_node_fits_shape(node, &a->shape[ng], &a->req, NULL))
                continue;
            score = affinity(p, n, a);
            if (score > best_score) {
                best = i;
                best_score = score;
            }
        }
        if (best < 0)
            return 0;
        rc = plan_place_on(p, n, &p->apis[best], &p->replicas[p->offset[best] + p->apis[best].placed], err);
        if (rc < 0)
            return rc;
        on_node[best]++;
    }
}

/* Node by node: fill the nodes there are, then open a node for the costliest replica left and fill it. */
int plan_pack_by_node(ncg_plan *p, ncg_error *err)
{
    int *on_node = malloc((size_t)(p->api_count + 1) * sizeof(int)), rc = 0;
    if (!on_node)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    for (int i = 0; i < ncg_cluster_node_count(p->c) && rc == 0; i++) {
        memset(on_node, 0, (size_t)(p->api_count + 1) * sizeof(int));
        rc = fill_node(p, i, on_node, err);
    }
    while (rc == 0) {
        int seed = -1, g, n;
        for (int i = 0; i < p->api_count; i++)
            if (p->apis[i].placed < p->apis[i].replicas && best_group(p, &p->apis[i], FIT_CAP) >= 0 &&
                (seed < 0 || size_cmp(p, i, seed) < 0))
                seed = i;
        if (seed < 0)
            break;
        g = best_group(p, &p->apis[seed], FIT_CAP);
        n = plan_open_node(p, g, err);
        if (n < 0) {
            rc = n;
            break;
        }
        memset(on_node, 0, (size_t)(p->api_count + 1) * sizeof(int));
        rc = plan_place_on(p, n, &p->apis[seed], &p->replicas[p->offset[seed] + p->apis[seed].placed], err);
        if (rc == 1) {
            on_node[seed] = 1;
            rc = fill_node(p, n, on_node, err);
        } else if (rc == 0) {
            rc = ncg_fail(err, NCG_E_INVALID, "internal: a replica of %s does not fit an empty %s", p->apis[seed].name,
                          ncg_node_get_type_name(ncg_cluster_node(p->c, n)));
        }
    }
    free(on_node);
    return rc;
}

/* The order of node groups a and b (at indices ia, ib) for a node: cheaper first, then of a higher priority
 * (Cortex's autoscaler scales the node group of the highest priority first), then the one listed first (Cortex
 * 0.34's rule: "the smaller index, the higher the priority"); doc/planner.md. */
static bool before(const ncg_nodegroup_info *a, int ia, const ncg_nodegroup_info *b, int ib)
{
    if (a->price != b->price)
        return a->price < b->price;
    return a->priority != b->priority ? a->priority > b->priority : ia < ib;
}

/* Move each new node to the first node group in that order that holds everything on it. */
int plan_downsize(ncg_plan *p, ncg_error *err)
{
    int N = ncg_cluster_node_count(p->c), G = ncg_cluster_nodegroup_count(p->c), rc = 0;
    int *head = malloc((size_t)(N ? N : 1) * sizeof(int)), *next = malloc((size_t)(p->replica_total + 1) * sizeof(int));
    int *api_of = malloc((size_t)(p->replica_total + 1) * sizeof(int));
    if (!head || !next || !api_of) {
        free(head);
        free(next);
        free(api_of);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    }
    for (int i = 0; i < N; i++)
        head[i] = -1;
    for (int ai = 0; ai < p->api_count; ai++)
        for (int r = 0; r < p->apis[ai].replicas; r++) {
            int idx = p->offset[ai] + r, nd = p->replicas[idx].node;
            api_of[idx] = ai;
            if (nd >= 0) {
                next[idx] = head[nd];
                head[nd] = idx;
            }
        }
    for (int i = p->base_nodes; i < N && rc == 0; i++) {
        int ng = ncg_cluster_node_nodegroup(p->c, i), best = -1;
        ncg_nodegroup_info from;
        ncg_node *fresh;
        ncg_cluster_nodegroup_info(p->c, ng, &from);
        if (from.nodes <= from.min_nodes)
            continue;
        for (int gi = 0; gi < G; gi++) {
            ncg_nodegroup_info to;
            ncg_node *s;
            bool ok = true;
            ncg_cluster_nodegroup_info(p->c, gi, &to);
            /* a full copy of an LP pattern moves only to a node group of its price and a higher priority */
            if (!before(&to, gi, &from, ng) || (p->keep[i] && to.price != from.price) ||
                !ncg_cluster_nodegroup_has_room(p->c, gi))
                continue;
            if (best >= 0) {
                ncg_nodegroup_info b;
                ncg_cluster_nodegroup_info(p->c, best, &b);
                if (!before(&to, gi, &b, best))
                    continue;
            }
            for (int r = head[i]; r >= 0 && ok; r = next[r])
                ok = p->apis[api_of[r]].allowed[gi] && p->apis[api_of[r]].fit[gi] > 0;
            if (!ok)
                continue;
            if (!(s = ncg_node_from_type(ncg_cluster_nodegroup_type(p->c, gi)))) {
                rc = ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
                break;
            }
            for (int r = head[i]; r >= 0 && ok; r = next[r]) {
                papi *a = &p->apis[api_of[r]];
                ncg_slot pl;
                ok = ncg_node_fits_shape(s, &a->shape[gi], &a->req, &pl);
                if (ok && (rc = ncg_node_commit(s, &pl, &a->req, NULL, err)) < 0)
                    ok = false;
            }
            ncg_node_free(s);
            if (rc < 0)
                break;
            if (ok)
                best = gi;
        }
        if (rc < 0 || best < 0)
            continue;
        /* Re-place the replicas on a fresh node of the better node group, in place of the old one. */
        fresh = ncg_node_from_type(ncg_cluster_nodegroup_type(p->c, best));
        if (!fresh) {
            rc = ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
            break;
        }
        for (int r = head[i]; r >= 0 && rc == 0; r = next[r]) {
            papi *a = &p->apis[api_of[r]];
            ncg_slot pl;
            ncg_alloc al;
            ncg_node_fits_shape(fresh, &a->shape[best], &a->req, &pl);
            rc = ncg_node_commit(fresh, &pl, &a->req, &al, err);
            p->replicas[r].alloc = al.id;
        }
        if (rc == 0)
            rc = ncg_cluster_node_replace(p->c, i, best, fresh, err);
        if (rc < 0)
            ncg_node_free(fresh);
    }
    free(head);
    free(next);
    free(api_of);
    return rc;
}


/* SPDX-License-Identifier: Apache-2.0 */
/* The planner: replicas of many APIs onto priced nodes, and a proven lower bound on the price.
 *
 * Packing (doc/planner.md):
 * 1. Per API and allowed group: the request's shape on the group's type (Cortex's rules) and how many replicas
 *    fit an empty node (m); the group's cost per replica is price / m.
 * 2. APIs go in one of three orders (strategies): largest first by the cost of one replica in the group it would
 *    open nodes in (ties: chips, NeuronCores, CPU, memory, input order); by CPU then memory, largest first; in
 *    input order (opening the cheapest node that holds a replica); and, when APIs x replicas is at most 4 million,
 *    node by node: open a node for the costliest replica left and fill it with the replicas that match what it
 *    has left best (the dot product of demand and free capacity). Each replica goes to the first node, in the order
 *    nodes were opened (existing nodes first), that holds it; a node that fails once is skipped for the rest of
 *    that API, since nodes only fill up. When none holds it, a node is opened in the allowed group with the lowest
 *    cost per replica that has room under max_instances (ties: group order).
 * 0. Groups get nodes up to min_instances first: they are paid for anyway, so they are filled first.
 * 3. Each node the plan opened is moved to the cheapest allowed group whose type holds all its replicas, unless
 *    that would take its group below min_instances.
 *
 * Every strategy runs on its own copy of the starting cluster; the plan placing the most replicas, then the
 * cheapest, wins (ties: the earlier strategy), so the result never costs more than any of them.
 *
 * Lower bound: the value of a feasible solution of the dual of the LP relaxation (see lower_bound()). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "colgen.h"
#include "lp.h"

#define RESOURCES 4 /* NeuronCores, CPU, memory, hugepages */
#define FIT_CAP 4096

#define API_NAME_MAX 255

typedef struct papi {
    char *name;
    ncg_request req;    /* normalised; models point at the copies below */
    ncg_model *models;
    char *names;
    int replicas;
    int max_per_node;
    bool *allowed;      /* per group */
    ncg_shape *shape;   /* per group, valid when fit > 0 */
    int *fit;           /* per group: replicas on an empty node; 0 = cannot */
    int placed;
    double size;        /* sort key: demand relative to the capacity of its cheapest group */
    char *never;        /* why node groups can never hold a replica ("node group g: rule; ..."), or NULL */
    size_t never_len;
    bool full;          /* a replica was left over with every group that holds one at max_instances */
} papi;

typedef struct preplica {
    int node;           /* index into the cluster's nodes, -1 unplaced */
    uint32_t alloc;
} preplica;

struct ncg_plan {
    ncg_cluster *c;
    int base_nodes;
    papi *apis;
    int api_count, api_capacity;
    preplica *replicas;  /* APIs in order, then replicas */
    int *offset;         /* first replica of each API */
    int replica_total;
    bool solved;
    ncg_plan_summary sum;
    /* packing scratch, per node index of the cluster being packed */
    int *stamp, *count;
    bool *keep;          /* a full copy of an LP pattern: downsizing skips it */
    int *origin;         /* the node this one is an unchanged copy of (itself for the original), or -1 */
    int *fail;           /* the packing pass (stamp) in which the node last failed to take a replica */
    int scratch_capacity;
    /* the configuration LP of this solve (bins: node groups first, then existing nodes) */
    ncg_cg_problem cg;
    ncg_cg_bin *cg_bins;
    ncg_cg_item *cg_items;
    int *cg_demand;
    ncg_cg_result cg_result;
    bool have_cg;
    ncg_plan_options opts;
    int64_t replicas_added;  /* over the APIs added (NCG_PLAN_MAX_REPLICAS) */
    int *name_slot;          /* API names (find_api) */
    double deadline;     /* ncg_now() value the solve must end by; 0 = no time limit */
    double rounding_seconds; /* time spent building plans from the LP's patterns in this solve */
};

NCG_EXPORT ncg_plan *ncg_plan_new(const ncg_cluster *base, unsigned flags, ncg_error *err)
{
    ncg_plan *p;
    if (!base) {
        ncg_fail(err, NCG_E_INVALID, "plan_new: base cluster is NULL");
        return NULL;
    }
    if (flags) {
        ncg_fail(err, NCG_E_INVALID, "plan_new: flags 0x%x has unknown bits", flags);
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (!p) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory creating a plan");
        return NULL;
    }
    p->c = ncg_cluster_clone(base, err);
    if (!p->c) {
        free(p);
        return NULL;
    }
    p->base_nodes = ncg_cluster_node_count(p->c);
    ncg_plan_options_init(&p->opts);
    return p;
}

NCG_EXPORT void ncg_plan_options_init(ncg_plan_options *opts)
{
    if (opts)
        *opts = (ncg_plan_options){.size = (uint32_t)sizeof(*opts)};
}

NCG_EXPORT int ncg_plan_set_options(ncg_plan *p, const ncg_plan_options *opts, ncg_error *err)
{
    ncg_plan_options o;
    int rc;
    if (!p)
        return ncg_fail(err, NCG_E_INVALID, "plan is NULL");
    if (!opts)
        return ncg_fail(err, NCG_E_INVALID, "plan_set_options: opts is NULL");
    if ((rc = NCG_CHECK_SIZED(opts, ncg_plan_options, err)) < 0)
        return rc;
    ncg_plan_options_init(&o);
    ncg_sized_in(&o, sizeof(o), opts);
    if (p->solved)
        return ncg_fail(err, NCG_E_INVALID, "plan_set_options: the plan is solved already");
    if (!isfinite(o.time_limit_s) || o.time_limit_s < 0)
        return ncg_fail(err, NCG_E_RANGE, "time_limit_s %g is not a finite number of seconds >= 0", o.time_limit_s);
    if (o.work_limit < 0)
        return ncg_fail(err, NCG_E_RANGE, "work_limit %" PRId64 " is negative", o.work_limit);
    if (o.flags & ~NCG_PLAN_NO_COLGEN)
        return ncg_fail(err, NCG_E_INVALID, "plan options flags 0x%x has unknown bits", o.flags);
    p->opts = o;
    return 0;
}

NCG_EXPORT int ncg_plan_get_options(const ncg_plan *p, ncg_plan_options *out, ncg_error *err)
{
    int rc;
    if (!p)
        return ncg_fail(err, NCG_E_INVALID, "plan is NULL");
    if (!out)
        return ncg_fail(err, NCG_E_INVALID, "plan_get_options: out is NULL");
    if ((rc = NCG_CHECK_SIZED(out, ncg_plan_options, err)) < 0)
        return rc;
    ncg_sized_out(out, &p->opts, sizeof(p->opts));
    return 0;
}

static void api_clear(papi *a)
{
    free(a->name);
    free(a->models);
    free(a->names);
    free(a->allowed);
    free(a->shape);
    free(a->fit);
    free(a->never);
}

NCG_EXPORT ncg_plan *ncg_plan_free(ncg_plan *p)
{
    if (!p)
        return NULL;
    for (int i = 0; i < p->api_count; i++)
        api_clear(&p->apis[i]);
    free(p->apis);
    free(p->replicas);
    free(p->offset);
    free(p->stamp);
    free(p->count);
    free(p->keep);
    free(p->name_slot);
    free(p->origin);
    free(p->fail);
    ncg_cluster_free(p->c);
    free(p);
    return NULL;
}

/* API names: open addressing over API indices (-1 empty), NAME_SLOTS > 2 x NCG_PLAN_MAX_APIS. */
#define NAME_SLOTS 32768
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int find_api(const ncg_plan *p, const char *name)
{
    if (!p->name_slot)
        return -1;
    for (uint32_t k = name_hash(name) % NAME_SLOTS;; k = (k + 1) % NAME_SLOTS) {
        int i = p->name_slot[k];
        if (i < 0 || strcmp(p->apis[i].name, name) == 0)
            return i;
    }
}

static void name_put(ncg_plan *p, int api)
{
    uint32_t k = name_hash(p->apis[api].name) % NAME_SLOTS;
    while (p->name_slot[k] >= 0)
        k = (k + 1) % NAME_SLOTS;
    p->name_slot[k] = api;
}

NCG_EXPORT int ncg_plan_add_api(ncg_plan *p, const ncg_api_spec *user, ncg_error *err)
{
    ncg_api_spec spec = {0};
    papi a = {0};
    size_t names = 0, o = 0, name_len;
    int rc, G;
    ncg_quoted q;
    ncg_error e;

    if (!p || !user)
        return ncg_fail(err, NCG_E_INVALID, "plan_add_api: %s is NULL", !p ? "plan" : "spec");
    if ((rc = NCG_CHECK_SIZED(user, ncg_api_spec, err)) < 0)
        return rc;
    ncg_sized_in(&spec, sizeof(spec), user);
    if (p->solved)
        return ncg_fail(err, NCG_E_INVALID, "plan_add_api: the plan is solved already");
    if (!spec.name || !spec.name[0] || (name_len = strlen(spec.name)) > API_NAME_MAX)
        return ncg_fail(err, NCG_E_INVALID, "api name %s is not valid: 1 to %d characters",
                        spec.name ? ncg_quote(&q, spec.name) : "NULL", API_NAME_MAX);
    if (spec.replicas < 0 || spec.replicas > 10000000)
        return ncg_fail(err, NCG_E_RANGE, "api %s: replicas %d is out of range 0..10000000", spec.name,
                        spec.replicas);
    if (spec.max_per_node < 0)
        return ncg_fail(err, NCG_E_RANGE, "api %s: max_per_node %d must be >= 0", spec.name, spec.max_per_node);
    if (p->api_count >= NCG_PLAN_MAX_APIS)
        return ncg_fail(err, NCG_E_RANGE, "api %s: the plan has %d APIs already, its limit", spec.name,
                        NCG_PLAN_MAX_APIS);
    if (p->replicas_added + spec.replicas > NCG_PLAN_MAX_REPLICAS)
        return ncg_fail(err, NCG_E_RANGE, "api %s: replicas %d would bring the plan to %" PRId64 " replicas, past "
                        "its limit of %d", spec.name, spec.replicas, p->replicas_added + spec.replicas,
                        NCG_PLAN_MAX_REPLICAS);
    if (find_api(p, spec.name) >= 0)
        return ncg_fail(err, NCG_E_EXISTS, "api %s exists already", ncg_quote(&q, spec.name));
    if (!spec.request)
        return ncg_fail(err, NCG_E_INVALID, "api %s: request is NULL", spec.name);
    rc = ncg_request_in(spec.request, &a.req, &e);
    if (rc < 0)
        return ncg_fail_prefix(err, rc, &e, "api %s", spec.name);
    if (spec.nodegroup_count && !spec.nodegroups)
        return ncg_fail(err, NCG_E_INVALID, "api %s: nodegroups is NULL but nodegroup_count is %zu", spec.name,
                        spec.nodegroup_count);
    G = ncg_cluster_nodegroup_count(p->c);
    for (size_t i = 0; i < spec.nodegroup_count; i++)
        if (!spec.nodegroups[i] || ncg_cluster_nodegroup_index(p->c, spec.nodegroups[i]) < 0)
            return ncg_fail(err, NCG_E_NOT_FOUND, "api %s: unknown node group %s", spec.name,
                            spec.nodegroups[i] ? ncg_quote(&q, spec.nodegroups[i]) : "NULL");
    if (!p->name_slot) {
        if (!(p->name_slot = malloc(NAME_SLOTS * sizeof(int))))
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adding api %s", spec.name);
        for (int k = 0; k < NAME_SLOTS; k++)
            p->name_slot[k] = -1;
    }
    a.name = malloc(name_len + 1);
    a.allowed = calloc((size_t)G + 1, sizeof(bool));
    a.shape = calloc((size_t)G + 1, sizeof(ncg_shape));
    a.fit = calloc((size_t)G + 1, sizeof(int));
    for (size_t i = 0; i < a.req.model_count; i++) {
        const ncg_model *m = ncg_model_at(&a.req, i);
        names += (m->name ? strlen(m->name) : 0) + 1;
    }
    if (a.req.model_count) {
        a.models = malloc(a.req.model_count * sizeof(ncg_model));
        a.names = malloc(names);
    }
    if (!a.name || !a.allowed || !a.shape || !a.fit || (a.req.model_count && (!a.models || !a.names))) {
        api_clear(&a);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding api %s", spec.name);
    }
    if (p->api_count == p->api_capacity) {
        int cap = p->api_capacity ? p->api_capacity * 2 : 16;
        papi *grown = realloc(p->apis, (size_t)cap * sizeof(*grown));
        if (!grown) {
            api_clear(&a);
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adding api %s", spec.name);
        }
        p->apis = grown;
        p->api_capacity = cap;
    }
    for (size_t i = 0; i < spec.nodegroup_count; i++)
        a.allowed[ncg_cluster_nodegroup_index(p->c, spec.nodegroups[i])] = true;
    if (!spec.nodegroups)
        for (int g = 0; g < G; g++)
            a.allowed[g] = true;
    memcpy(a.name, spec.name, name_len + 1);
    for (size_t i = 0; i < a.req.model_count; i++) {
        const ncg_model *m = ncg_model_at(&a.req, i);
        const char *nm = m->name ? m->name : "";
        size_t len = strlen(nm);
        memcpy(&a.models[i], m, sizeof(ncg_model));
        a.models[i].size = sizeof(ncg_model);
        memcpy(a.names + o, nm, len + 1);
        a.models[i].name = a.names + o;
        o += len + 1;
    }
    a.req.models = a.models;
    a.replicas = spec.replicas;
    a.max_per_node = spec.max_per_node;
    p->apis[p->api_count] = a;
    p->replicas_added += a.replicas;
    name_put(p, p->api_count);
    return p->api_count++;
}

/* ---- packing ---- */

static void demand(const papi *a, int g, double *d);
static double gib(int64_t bytes);
static void capacity(const ncg_type_copy *type, double *cap);
static int best_group(const ncg_plan *p, const papi *a, int most);

/* Sort key: what one replica costs in the group it would open nodes in (price / replicas per empty node). */
static void api_size(const ncg_plan *p, papi *a)
{
    int g = best_group(p, a, FIT_CAP);
    a->size = g < 0 ? 0 : ncg_cluster_nodegroup_price(p->c, g) / a->fit[g];
}

static int analyse(ncg_plan *p, ncg_error *err)
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

/* The packing strategies tried; the cheapest plan wins (ties: the earlier strategy). */
enum { BY_COST, BY_CPU, IN_ORDER, BY_NODE, FROM_LP, FROM_LP_UP, FROM_DIVE, STRATEGIES };
/* A plan from the LP's patterns whose price is within this fraction of the proven bound is kept without trying
 * the heuristics (they could not gain more than this) */
#define TIGHT 1e-3
/* BY_NODE costs O(APIs) per replica: it runs when APIs x replicas stays under this */
#define BY_NODE_BUDGET 4000000

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

static int place_on(ncg_plan *p, int i, papi *a, preplica *r, ncg_error *err)
{
    ncg_node *n = ncg_cluster_node_mut(p->c, i);
    ncg_slot pl;
    ncg_alloc al;
    int rc;
    if (!ncg_node_fits_shape(n, &a->shape[ncg_cluster_node_nodegroup(p->c, i)], &a->req, &pl))
        return 0;
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
static int scratch_reserve(ncg_plan *p, ncg_error *err)
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
static int open_node(ncg_plan *p, int g, ncg_error *err)
{
    int rc = scratch_reserve(p, err);
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

/* right_size: open each node in the node group cheapest for the replicas of the API still to place (not for a
 * full node), which fits the last nodes of an API to what is left. */
static int pack(ncg_plan *p, int strategy, bool right_size, ncg_error *err)
{
    int *order = malloc((size_t)(p->api_count ? p->api_count : 1) * sizeof(int));
    int rc = 0;
    if (!order)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    order_apis(p, strategy, order);
    for (int k = 0; k < p->api_count && rc == 0; k++) {
        int ai = order[k], cursor = 0, stamp = k + 1;
        papi *a = &p->apis[ai];
        preplica *reps = &p->replicas[p->offset[ai]];
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
            for (; cursor < ncg_cluster_node_count(p->c); cursor++) {
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
                rc = place_on(p, cursor, a, &reps[ri], err);
                if (rc == 0)
                    p->fail[cursor] = stamp;
                if (rc != 0)
                    break;
            }
            if (rc < 0)
                break;
            if (rc == 1) {
                p->count[cursor]++;
                rc = 0;
                continue;
            }
            g = best_group(p, a, strategy == IN_ORDER ? 1 /* the cheapest node */
                                 : right_size ? a->replicas - a->placed : FIT_CAP);
            if (g < 0) {
                a->full = true;
                break; /* every further replica is unplaced too */
            }
            n = open_node(p, g, err);
            if (n < 0) {
                rc = n;
                break;
            }
            p->stamp[n] = stamp;
            p->count[n] = 0;
            rc = place_on(p, n, a, &reps[ri], err);
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
    demand(a, ncg_cluster_node_nodegroup(p->c, i), d);
    capacity(type, cap);
    ncg_node_usage(nd, &u);
    left[0] = cap[0] - u.cores;
    left[1] = (double)(type->cpu_usable_milli - u.cpu_milli) / 1000.0;
    left[2] = gib(type->memory_usable_bytes - u.memory_bytes);
    left[3] = gib(type->t.hugepages_bytes - u.hugepages_bytes);
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
        rc = place_on(p, n, &p->apis[best], &p->replicas[p->offset[best] + p->apis[best].placed], err);
        if (rc < 0)
            return rc;
        on_node[best]++;
    }
}

/* Node by node: fill the nodes there are, then open a node for the costliest replica left and fill it. */
static int pack_by_node(ncg_plan *p, ncg_error *err)
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
        n = open_node(p, g, err);
        if (n < 0) {
            rc = n;
            break;
        }
        memset(on_node, 0, (size_t)(p->api_count + 1) * sizeof(int));
        rc = place_on(p, n, &p->apis[seed], &p->replicas[p->offset[seed] + p->apis[seed].placed], err);
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

/* Move each new node to the cheapest allowed node group that holds everything on it. */
static int downsize(ncg_plan *p, ncg_error *err)
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
        if (from.nodes <= from.min_nodes || p->keep[i])
            continue;
        for (int gi = 0; gi < G; gi++) {
            double price = ncg_cluster_nodegroup_price(p->c, gi);
            ncg_node *s;
            bool ok = true;
            if (price >= from.price || !ncg_cluster_nodegroup_has_room(p->c, gi) ||
                (best >= 0 && price >= ncg_cluster_nodegroup_price(p->c, best)))
                continue;
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

/* ---- lower bound ----
 *
 * The LP relaxation of planning, for the replicas the plan placed (n_i of API i):
 *   min  sum_g p_g y_g
 *   s.t. sum_{g allowed for i} x_ig >= n_i                       (a_i)
 *        cap_gr y_g - sum_i d_igr x_ig >= U_gr   r = cores, CPU, memory, hugepages   (b_gr)
 *        -y_g >= -max_g                                          (c_g)
 *        y_g >= low_g = max(min_g, existing nodes of g)          (e_g)
 *        m_ig y_g - x_ig >= 0                                     (f_ig)
 * where m_ig is the most replicas of API i one node of group g holds (counted on an empty node, so it covers
 * every resource, the window rule and max_per_node at once; see per_node_limit()),
 *        x, y >= 0
 * where U_gr is what the existing allocations already use. Every valid plan gives a feasible point (y_g = its
 * nodes of group g, x_ig = its replicas of i on g), so the LP optimum is at most the price of any valid plan.
 * By weak duality every feasible point of the dual
 *   max  sum_i n_i a_i + sum_gr U_gr b_gr - sum_g max_g c_g + sum_g low_g e_g
 *   s.t. a_i - sum_r d_igr b_gr - f_ig <= 0                      for every allowed (i, g)
 *        sum_r cap_gr b_gr - c_g + e_g + sum_i m_ig f_ig <= p_g  for every g
 *        a, b, c, e, f >= 0
 * has an objective at most the LP optimum. We solve the dual with the simplex (every iterate is feasible), then
 * make feasibility exact despite rounding: a_i is set to the smallest of its left-hand sides (so the first rows
 * hold), and if a group row still exceeds p_g all variables are scaled down by the same factor, which keeps the
 * homogeneous first rows and makes every group row hold. The objective of that point is the bound. */

static double gib(int64_t bytes)
{
    return (double)bytes / (double)(INT64_C(1) << 30);
}

static void demand(const papi *a, int g, double *d)
{
    d[0] = a->shape[g].cores;
    d[1] = (double)a->req.cpu_milli / 1000.0;
    d[2] = gib(a->req.memory_bytes);
    d[3] = gib(a->req.hugepages_bytes);
}

static void capacity(const ncg_type_copy *type, double *cap)
{
    cap[0] = (double)type->t.chips * type->t.cores_per_chip;
    cap[1] = (double)type->cpu_usable_milli / 1000.0;
    cap[2] = gib(type->memory_usable_bytes);
    cap[3] = gib(type->t.hugepages_bytes);
}

/* The most replicas of an API one node of group g can hold, when that is known exactly: fit[g] was counted on an
 * empty node, which is the most any node holds, unless the count stopped at FIT_CAP for lack of a real limit
 * (then 0: no constraint). A node never holds more replicas than the API has, so stopping there is exact too. */
static int per_node_limit(const papi *a, int g)
{
    int f = a->fit[g];
    if (f <= 0 || (f >= FIT_CAP && a->replicas > FIT_CAP && (!a->max_per_node || a->max_per_node > FIT_CAP)))
        return 0;
    return f;
}

/* The dense dual LP below has about (API, node group) pairs x (APIs + pairs) entries; past this many it is not
 * built and the bound is resource_bound()'s. */
#define LB_DENSE_MAX 4e6

/* A bound that costs O(APIs x node groups): every placed replica takes, in each resource, its demand of some
 * node's capacity, and a node of group g costs at least price_g / capacity_g,r per unit of resource r; so for
 * each r the price is at least the sum over replicas of their cheapest such share (the best r is kept), and at
 * least the min_instances nodes. With existing nodes the replicas may fit their free capacity for nothing, so
 * the bound is then what those nodes and the min_instances nodes cost. */
static double resource_bound(const ncg_plan *p, const int *low)
{
    int G = ncg_cluster_nodegroup_count(p->c);
    double best = 0, trivial = 0;
    for (int g = 0; g < G; g++)
        trivial += low[g] * ncg_cluster_nodegroup_price(p->c, g);
    if (p->base_nodes > 0)
        return trivial;
    for (int r = 0; r < RESOURCES; r++) {
        double sum = 0;
        for (int i = 0; i < p->api_count; i++) {
            const papi *a = &p->apis[i];
            double cheapest = INFINITY;
            if (a->placed == 0)
                continue;
            for (int g = 0; g < G; g++) {
                double d[RESOURCES], cap[RESOURCES];
                if (!a->allowed[g] || a->fit[g] == 0)
                    continue;
                demand(a, g, d);
                capacity(ncg_cluster_nodegroup_type(p->c, g), cap);
                if (cap[r] > 0)
                    cheapest = fmin(cheapest, d[r] * ncg_cluster_nodegroup_price(p->c, g) / cap[r]);
            }
            sum += isfinite(cheapest) ? a->placed * cheapest : 0;
        }
        best = fmax(best, sum);
    }
    return fmax(best, trivial);
}

static double lower_bound(const ncg_plan *p, const double *used, const int *low, ncg_error *err, bool *ok)
{
    int G = ncg_cluster_nodegroup_count(p->c), I = p->api_count, pairs = 0, fvars = 0;
    int *pair_api, *pair_group, *pair_f, *a_var;
    ncg_lp lp = {0};
    double *u = NULL, bound = 0, trivial = 0, scale = 1;
    int col;

    *ok = false;
    for (int i = 0; i < I; i++)
        for (int g = 0; g < G; g++)
            if (p->apis[i].placed > 0 && p->apis[i].allowed[g] && p->apis[i].fit[g] > 0) {
                pairs++;
                fvars += per_node_limit(&p->apis[i], g) > 0;
            }
    if ((double)(pairs + G) * (I + G * RESOURCES + 2 * G + fvars) > LB_DENSE_MAX) {
        *ok = true;
        return resource_bound(p, low);
    }
    pair_api = malloc((size_t)(pairs + 1) * sizeof(int));
    pair_group = malloc((size_t)(pairs + 1) * sizeof(int));
    pair_f = malloc((size_t)(pairs + 1) * sizeof(int));
    a_var = malloc((size_t)(I + 1) * sizeof(int));
    lp.rows = pairs + G;
    /* columns: a_i for APIs with placed replicas, b_gr, c_g, e_g, f */
    col = 0;
    if (a_var)
        for (int i = 0; i < I; i++)
            a_var[i] = p->apis[i].placed > 0 ? col++ : -1;
    lp.cols = col + G * RESOURCES + 2 * G + fvars;
    lp.a = calloc((size_t)lp.rows * (size_t)lp.cols + 1, sizeof(double));
    lp.b = calloc((size_t)lp.rows + 1, sizeof(double));
    lp.c = calloc((size_t)lp.cols + 1, sizeof(double));
    u = calloc((size_t)lp.cols + 1, sizeof(double));
    if (!pair_api || !pair_group || !pair_f || !a_var || !lp.a || !lp.b || !lp.c || !u) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory computing the lower bound");
        goto out;
    }
#define B(g, r) (col + (g) * RESOURCES + (r))
#define C(g) (col + G * RESOURCES + (g))
#define E(g) (col + G * RESOURCES + G + (g))
#define A(row, j) lp.a[(size_t)(row) * (size_t)lp.cols + (size_t)(j)]
    {
        int k = 0, f = col + G * RESOURCES + 2 * G;
        for (int i = 0; i < I; i++)
            for (int g = 0; g < G; g++) {
                const papi *a = &p->apis[i];
                double d[RESOURCES];
                if (!(a->placed > 0 && a->allowed[g] && a->fit[g] > 0))
                    continue;
                pair_api[k] = i;
                pair_group[k] = g;
                pair_f[k] = per_node_limit(a, g) > 0 ? f++ : -1;
                demand(a, g, d);
                A(k, a_var[i]) = 1;
                for (int r = 0; r < RESOURCES; r++)
                    A(k, B(g, r)) = -d[r];
                if (pair_f[k] >= 0) {
                    A(k, pair_f[k]) = -1;
                    A(pairs + g, pair_f[k]) = per_node_limit(a, g);
                }
                k++;
            }
    }
    for (int g = 0; g < G; g++) {
        double cap[RESOURCES];
        ncg_nodegroup_info info;
        ncg_cluster_nodegroup_info(p->c, g, &info);
        capacity(info.type, cap);
        for (int r = 0; r < RESOURCES; r++) {
            A(pairs + g, B(g, r)) = cap[r];
            lp.c[B(g, r)] = used[g * RESOURCES + r];
        }
        A(pairs + g, C(g)) = -1;
        A(pairs + g, E(g)) = 1;
        lp.b[pairs + g] = info.price;
        lp.c[C(g)] = -(double)info.max_nodes;
        lp.c[E(g)] = low[g];
        trivial += low[g] * info.price;
    }
    for (int i = 0; i < I; i++)
        if (a_var[i] >= 0)
            lp.c[a_var[i]] = p->apis[i].placed;
    if (ncg_lp_solve(&lp, u, 50 * (lp.rows + lp.cols)) < 0) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory computing the lower bound");
        goto out;
    }
    /* exact feasibility: a_i = min of its left-hand sides; then scale the group rows */
    for (int i = 0; i < I; i++)
        if (a_var[i] >= 0)
            u[a_var[i]] = INFINITY;
    for (int k = 0; k < pairs; k++) {
        double lhs = pair_f[k] >= 0 ? u[pair_f[k]] : 0;
        for (int r = 0; r < RESOURCES; r++)
            lhs -= A(k, B(pair_group[k], r)) * u[B(pair_group[k], r)];
        if (lhs < u[a_var[pair_api[k]]])
            u[a_var[pair_api[k]]] = lhs > 0 ? lhs : 0;
    }
    for (int g = 0; g < G; g++) {
        double lhs = 0, pg = ncg_cluster_nodegroup_price(p->c, g);
        for (int j = 0; j < lp.cols; j++)
            lhs += A(pairs + g, j) * u[j];
        if (lhs > pg)
            scale = pg / lhs < scale ? pg / lhs : scale;
    }
    for (int j = 0; j < lp.cols; j++)
        bound += lp.c[j] * u[j];
    bound *= scale;
    if (bound < trivial)
        bound = trivial;
    *ok = true;
#undef A
#undef B
#undef C
#undef E
out:
    free(pair_api);
    free(pair_group);
    free(pair_f);
    free(a_var);
    free(lp.a);
    free(lp.b);
    free(lp.c);
    free(u);
    return bound > 0 ? bound : 0;
}

/* ---- solve and results ---- */

/* Place the pattern's replicas that are still to place on node n, whole chips largest first, then cores, then CPU
 * only (the order in which adding up is enough), as far as they fit. */
static int fill_pattern(ncg_plan *p, int n, const ncg_cg_pattern *pt, ncg_error *err)
{
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < p->api_count; i++) {
            papi *a = &p->apis[i];
            const ncg_shape *sh = &a->shape[pt->bin];
            int kind = sh->chips > 0 ? 0 : sh->cores > 0 ? 1 : 2;
            if (kind != pass)
                continue;
            for (int m = 0; m < pt->counts[i] && a->placed < a->replicas; m++) {
                int rc = place_on(p, n, a, &p->replicas[p->offset[i] + a->placed], err);
                if (rc < 0)
                    return rc;
                if (rc == 0)
                    break; /* does not fit after all: packing places it */
                p->count[n]++;
            }
        }
    return 0;
}

/* Copies of pattern pt that hold a full set of its replicas, given what is left to place (at most want). */
static long full_copies(const ncg_plan *p, const ncg_cg_pattern *pt, long want)
{
    for (int i = 0; i < p->api_count; i++)
        if (pt->counts[i] > 0) {
            long left = (long)(p->apis[i].replicas - p->apis[i].placed) / pt->counts[i];
            want = left < want ? left : want;
        }
    return want;
}

/* Existing nodes enter the configuration LP one by one (their free capacity, price 0) up to this many; beyond it
 * the planner keeps its packing and its first bound only. */
#define CG_EXISTING_MAX 256
#define CG_ROUNDS 400
/* The master LP is a dense tableau of about patterns x (APIs + patterns); beyond this many (API, bin) pairs its
 * cost outgrows what it saves and the planner keeps its packing strategies and its first bound. */
#define CG_PAIRS_MAX 1024

/* Open floor(x) nodes (ceil(x) when up) of every pattern the configuration LP uses (new nodes only), each holding
 * its replicas, as far as replicas are left; the rest is packed afterwards. Rounding up covers every replica the
 * LP covers, which wins on small inputs where a fraction of a node is most of the price.
 * Copies that hold the full pattern are made from one node filled once and copied (time proportional to the
 * nodes, not to the replicas); they are marked so that downsizing skips them (the LP priced them already). */
static int from_lp(ncg_plan *p, const ncg_cg_result *r, bool up, ncg_error *err)
{
    int G = ncg_cluster_nodegroup_count(p->c);
    for (int k = 0; k < r->pattern_count; k++) {
        const ncg_cg_pattern *pt = &r->patterns[k];
        long copies = (long)(up ? ceil(pt->x - 1e-9) : floor(pt->x + 1e-9)), full, room;
        int first, rc, placed_first = 0;
        if (pt->bin >= G || copies <= 0)
            continue; /* an existing node: packing fills those first */
        {
            ncg_nodegroup_info info;
            ncg_cluster_nodegroup_info(p->c, pt->bin, &info);
            room = info.max_nodes - info.nodes;
        }
        copies = copies < room ? copies : room;
        full = full_copies(p, pt, copies);
        if (full > 0) {
            /* the first copy is filled replica by replica; the others copy it when it took the whole pattern */
            int want = 0;
            for (int i = 0; i < p->api_count; i++)
                want += pt->counts[i];
            first = open_node(p, pt->bin, err);
            if (first < 0)
                return first;
            for (int i = 0; i < p->api_count; i++)
                placed_first -= p->apis[i].placed;
            if ((rc = fill_pattern(p, first, pt, err)) < 0)
                return rc;
            for (int i = 0; i < p->api_count; i++)
                placed_first += p->apis[i].placed;
            p->keep[first] = placed_first == want;
            p->origin[first] = placed_first == want ? first : -1;
            copies--;
            if (placed_first == want) {
                const ncg_node *tmpl = ncg_cluster_node(p->c, first);
                for (long c = 1; c < full; c++, copies--) {
                    ncg_node *copy = ncg_node_clone(tmpl, NULL);
                    int n;
                    if (!copy)
                        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
                    if ((rc = scratch_reserve(p, err)) < 0 ||
                        (n = ncg_cluster_insert_built(p->c, pt->bin, copy, err)) < 0) {
                        ncg_node_free(copy);
                        return rc < 0 ? rc : n;
                    }
                    tmpl = ncg_cluster_node(p->c, first);
                    p->stamp[n] = p->fail[n] = 0;
                    p->count[n] = want;
                    p->keep[n] = true;
                    p->origin[n] = first;
                    /* the copy's allocations are the first node's, with the same ids */
                    for (int i = 0; i < p->api_count; i++) {
                        papi *a = &p->apis[i];
                        preplica *reps = &p->replicas[p->offset[i]];
                        for (int m = 0; m < pt->counts[i]; m++) {
                            const preplica *src = &reps[a->placed - pt->counts[i]];
                            reps[a->placed] = (preplica){n, src->alloc};
                            a->placed++;
                        }
                    }
                }
            }
        }
        /* the rest one by one, as far as replicas are left */
        for (; copies > 0; copies--) {
            int n;
            bool any = false;
            for (int i = 0; i < p->api_count; i++)
                any = any || (pt->counts[i] > 0 && p->apis[i].placed < p->apis[i].replicas);
            if (!any || !ncg_cluster_nodegroup_has_room(p->c, pt->bin))
                break;
            n = open_node(p, pt->bin, err);
            if (n < 0)
                return n;
            if ((rc = fill_pattern(p, n, pt, err)) < 0)
                return rc;
        }
    }
    return 0;
}

/* Dive: after the floor of the LP's patterns, solve the configuration LP of the replicas that are left (on the
 * node groups' remaining room), open the floor of its patterns, or when every pattern is fractional one copy of
 * each pattern used at least half (at least of the one used most), and repeat, at most DIVE_STEPS times. Each step
 * fixes whole nodes the LP of what is left wants, so the last nodes are chosen as well as the first. */
#define DIVE_STEPS 12
#define CG_WORK 1e9 /* the default work limit of generation (colgen.c) */
static int dive(ncg_plan *p, ncg_error *err)
{
    int I = p->api_count, B = p->cg.bins, G = ncg_cluster_nodegroup_count(p->c), rc = 0;
    int *demand = malloc((size_t)(I + 1) * sizeof(int));
    ncg_cg_bin *bins = malloc((size_t)(B + 1) * sizeof(ncg_cg_bin));
    /* each step gets a quarter of the generation's work limit */
    ncg_cg_limits lim = {.max_rounds = CG_ROUNDS,
                         .work_limit = (p->opts.work_limit > 0 ? (double)p->opts.work_limit : CG_WORK) / 4,
                         .deadline = p->deadline};
    if (!demand || !bins) {
        free(demand);
        free(bins);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    }
    memcpy(bins, p->cg.bin, (size_t)B * sizeof(ncg_cg_bin));
    for (int step = 0; step < DIVE_STEPS && rc == 0; step++) {
        ncg_cg_result res = {0};
        ncg_cg_problem pb = p->cg;
        int left = 0, best = -1;
        bool any = false;
        if (p->deadline > 0 && ncg_now() >= p->deadline)
            break;
        for (int i = 0; i < I; i++) {
            int d = p->cg_demand[i] - p->apis[i].placed;
            demand[i] = d > 0 ? d : 0;
            left += demand[i];
        }
        if (left == 0)
            break;
        for (int b = 0; b < G; b++) {
            ncg_nodegroup_info info;
            ncg_cluster_nodegroup_info(p->c, b, &info);
            bins[b].max_nodes = info.max_nodes - info.nodes;
            bins[b].min_nodes = 0;
        }
        pb.demand = demand;
        pb.bin = bins;
        if ((rc = ncg_cg_solve(&pb, &lim, &res, err)) < 0)
            break;
        for (int k = 0; k < res.pattern_count; k++) {
            if (res.patterns[k].bin >= G)
                continue;
            any = any || res.patterns[k].x >= 1 - 1e-9;
            if (best < 0 || res.patterns[k].x > res.patterns[best].x)
                best = k;
        }
        if (best < 0) {
            ncg_cg_result_clear(&res);
            break; /* what is left goes to existing nodes: packing fills those */
        }
        if (!any) /* round up the patterns used at least half, or the one used most */
            for (int k = 0; k < res.pattern_count; k++)
                res.patterns[k].x = k == best || res.patterns[k].x >= 0.5 ? 1 : 0;
        rc = from_lp(p, &res, false, err);
        ncg_cg_result_clear(&res);
    }
    free(demand);
    free(bins);
    return rc;
}

/* One strategy on a copy of the starting cluster (p->c): min_instances nodes first (they are paid for anyway, so
 * they are filled first), then packing, then moving nodes to cheaper node groups. Sets the price. */
static int run_strategy(ncg_plan *p, int strategy, double *price, ncg_error *err)
{
    int rc = scratch_reserve(p, err);
    for (int i = 0; i < p->scratch_capacity; i++) {
        p->stamp[i] = p->count[i] = p->fail[i] = 0;
        p->keep[i] = false;
        p->origin[i] = -1;
    }
    for (int i = 0; i < p->replica_total; i++)
        p->replicas[i] = (preplica){-1, 0};
    for (int i = 0; i < p->api_count; i++)
        p->apis[i].placed = 0;
    for (int g = 0; rc == 0 && g < ncg_cluster_nodegroup_count(p->c); g++) {
        ncg_nodegroup_info info;
        ncg_cluster_nodegroup_info(p->c, g, &info);
        for (int k = info.nodes; k < info.min_nodes && rc == 0; k++) {
            int n = open_node(p, g, err);
            rc = n < 0 ? n : 0;
        }
    }
    if (rc == 0 && (strategy == FROM_LP || strategy == FROM_LP_UP || strategy == FROM_DIVE))
        rc = from_lp(p, &p->cg_result, strategy == FROM_LP_UP, err);
    if (rc == 0 && strategy == FROM_DIVE)
        rc = dive(p, err);
    if (rc == 0)
        rc = strategy == BY_NODE ? pack_by_node(p, err)
                                 : strategy >= FROM_LP ? pack(p, BY_COST, true, err)
                                                                                 : pack(p, strategy, false, err);
    if (rc == 0)
        rc = downsize(p, err);
    *price = 0;
    for (int i = 0; i < ncg_cluster_node_count(p->c); i++)
        *price += ncg_cluster_nodegroup_price(p->c, ncg_cluster_node_nodegroup(p->c, i));
    return rc;
}

/* Run every strategy on copies of p->c, which stays as it is, and give the cheapest plan's cluster in *out (the
 * most replicas placed first, then the lowest price); p->replicas, placed counts and reasons are that plan's. */
static int try_strategies(ncg_plan *p, ncg_cluster **out, ncg_error *err)
{
    ncg_cluster *start = p->c, *best = NULL;
    preplica *best_replicas = malloc((size_t)(p->replica_total + 1) * sizeof(preplica));
    int *best_placed = malloc((size_t)(p->api_count + 1) * sizeof(int)), best_count = -1, rc = 0;
    bool *best_full = malloc((size_t)(p->api_count + 1) * sizeof(bool));
    double best_price = 0, fixed = 0, tight_ref = 0;
    int placeable = 0;

    if (!best_replicas || !best_placed || !best_full) {
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
        goto done;
    }
    for (int i = 0; i < p->api_count; i++)
        placeable += p->have_cg ? p->cg_demand[i] : 0;
    for (int i = 0; i < p->base_nodes; i++)
        fixed += ncg_cluster_nodegroup_price(start, ncg_cluster_node_nodegroup(start, i));
    /* what a plan is compared with to skip the rest: the LP's value when generation converged or stopped within
     * 0.05% of it, else the proven bound */
    if (p->have_cg)
        tight_ref = p->cg_result.stopped == NCG_PLAN_STOP_CONVERGED || p->cg_result.stopped == NCG_PLAN_STOP_GAP
                        ? p->cg_result.lp_value : p->cg_result.bound;
    for (int k = 0; k < STRATEGIES && rc == 0; k++) {
        /* the plans from the LP's patterns first: once one is within TIGHT of the proven bound, no other strategy
         * can gain more than that, and the rest are skipped; so are they once the time limit has passed */
        static const int order[STRATEGIES] = {FROM_DIVE, FROM_LP_UP, FROM_LP, BY_COST, BY_CPU, IN_ORDER, BY_NODE};
        int strategy = order[k];
        double price, t0;
        int count = 0;
        ncg_cluster *trial;
        if ((strategy == BY_NODE && (double)p->api_count * p->replica_total > BY_NODE_BUDGET) ||
            (strategy >= FROM_LP && !p->have_cg))
            continue;
        /* the dive trusts the LP: only when generation converged or stopped within 0.05% of its optimum */
        if (strategy == FROM_DIVE && p->cg_result.stopped != NCG_PLAN_STOP_CONVERGED &&
            p->cg_result.stopped != NCG_PLAN_STOP_GAP)
            continue;
        if (k > 0 && best_count >= 0 &&
            ((p->deadline > 0 && ncg_now() >= p->deadline) ||
             (best_count == placeable && best_price <= (fixed + tight_ref) * (1 + TIGHT))))
            break;
        trial = ncg_cluster_clone(start, err);
        if (!trial) {
            rc = NCG_E_NOMEM;
            break;
        }
        p->c = trial;
        for (int i = 0; i < p->api_count; i++)
            p->apis[i].full = false;
        t0 = ncg_now();
        rc = run_strategy(p, strategy, &price, err);
        if (strategy >= FROM_LP)
            p->rounding_seconds += ncg_now() - t0;
        p->c = start;
        for (int i = 0; i < p->api_count; i++)
            count += p->apis[i].placed;
        if (rc == 0 && (count > best_count || (count == best_count && price < best_price - 1e-9))) {
            ncg_cluster_free(best);
            best = trial;
            best_count = count;
            best_price = price;
            memcpy(best_replicas, p->replicas, (size_t)p->replica_total * sizeof(preplica));
            for (int i = 0; i < p->api_count; i++) {
                best_placed[i] = p->apis[i].placed;
                best_full[i] = p->apis[i].full;
            }
        } else {
            ncg_cluster_free(trial);
        }
    }
    if (rc == 0) {
        memcpy(p->replicas, best_replicas, (size_t)p->replica_total * sizeof(preplica));
        for (int i = 0; i < p->api_count; i++) {
            p->apis[i].placed = best_placed[i];
            p->apis[i].full = best_full[i];
        }
        *out = best;
        best = NULL;
    }
done:
    ncg_cluster_free(best);
    free(best_replicas);
    free(best_placed);
    free(best_full);
    return rc;
}

static void cg_clear(ncg_plan *p)
{
    ncg_cg_result_clear(&p->cg_result);
    free(p->cg_bins);
    free(p->cg_items);
    free(p->cg_demand);
    p->cg_bins = NULL;
    p->cg_items = NULL;
    p->cg_demand = NULL;
    p->have_cg = false;
}


/* The configuration LP of the plan's APIs on its node groups (new nodes) and existing nodes, by column
 * generation. Demands are every replica that some allowed node group can hold. */
static int column_generation(ncg_plan *p, ncg_error *err)
{
    int G = ncg_cluster_nodegroup_count(p->c), E = p->base_nodes, I = p->api_count, B;
    ncg_cg_limits lim = {.max_rounds = CG_ROUNDS, .work_limit = (double)p->opts.work_limit, .deadline = p->deadline};
    if (E > CG_EXISTING_MAX || I == 0 || (p->opts.flags & NCG_PLAN_NO_COLGEN))
        return 0;
    B = G + E;
    if ((long)I * B > CG_PAIRS_MAX)
        return 0;
    p->cg_bins = calloc((size_t)B + 1, sizeof(ncg_cg_bin));
    p->cg_items = calloc((size_t)B * (size_t)I + 1, sizeof(ncg_cg_item));
    p->cg_demand = calloc((size_t)I + 1, sizeof(int));
    if (!p->cg_bins || !p->cg_items || !p->cg_demand) {
        cg_clear(p);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    }
    for (int b = 0; b < B; b++) {
        int g = b < G ? b : ncg_cluster_node_nodegroup(p->c, b - G);
        ncg_nodegroup_info info;
        ncg_cg_bin *bin = &p->cg_bins[b];
        const ncg_type *t;
        ncg_cluster_nodegroup_info(p->c, g, &info);
        t = &info.type->t;
        if (b < G) {
            bin->price = info.price;
            bin->min_nodes = info.min_nodes > info.nodes ? info.min_nodes - info.nodes : 0;
            bin->max_nodes = info.max_nodes - info.nodes;
            bin->chips = t->chips;
            bin->cores = t->chips * t->cores_per_chip;
            bin->cpu_milli = info.type->cpu_usable_milli;
            bin->memory_bytes = info.type->memory_usable_bytes;
            bin->hugepages_bytes = t->hugepages_bytes;
        } else {
            const ncg_node *n = ncg_cluster_node(p->c, b - G);
            ncg_usage u;
            ncg_node_usage(n, &u);
            bin->max_nodes = 1;
            bin->chips = ncg_popcount64(ncg_node_free_chip_mask(n));
            bin->cores = t->chips * t->cores_per_chip - u.cores;
            bin->cpu_milli = info.type->cpu_usable_milli - u.cpu_milli;
            bin->memory_bytes = info.type->memory_usable_bytes - u.memory_bytes;
            bin->hugepages_bytes = t->hugepages_bytes - u.hugepages_bytes;
        }
        for (int i = 0; i < I; i++) {
            const papi *a = &p->apis[i];
            ncg_cg_item *it = &p->cg_items[(size_t)b * (size_t)I + (size_t)i];
            const ncg_shape *sh = &a->shape[g];
            int limit;
            if (!a->allowed[g] || a->fit[g] == 0)
                continue;
            limit = per_node_limit(a, g);
            it->limit = limit > 0 ? limit : a->replicas;
            it->chips = sh->chips;
            it->cores = sh->cores;
            it->cpu_milli = a->req.cpu_milli;
            it->memory_bytes = a->req.memory_bytes;
            it->hugepages_bytes = a->req.hugepages_bytes;
            if (b < G)
                p->cg_demand[i] = a->replicas;
        }
    }
    p->cg = (ncg_cg_problem){.apis = I, .bins = B, .demand = p->cg_demand, .bin = p->cg_bins, .item = p->cg_items};
    if (ncg_cg_solve(&p->cg, &lim, &p->cg_result, err) < 0) {
        cg_clear(p);
        return NCG_E_NOMEM;
    }
    p->have_cg = true;
    return 0;
}

static void existing_use(const ncg_plan *p, double *used, int *low)
{
    int G = ncg_cluster_nodegroup_count(p->c);
    for (int g = 0; g < G; g++) {
        ncg_nodegroup_info info;
        ncg_cluster_nodegroup_info(p->c, g, &info);
        low[g] = info.min_nodes;
        for (int r = 0; r < RESOURCES; r++)
            used[g * RESOURCES + r] = 0;
    }
    for (int i = 0; i < p->base_nodes; i++) {
        int g = ncg_cluster_node_nodegroup(p->c, i);
        double *u = &used[g * RESOURCES];
        ncg_usage use;
        ncg_node_usage(ncg_cluster_node(p->c, i), &use);
        u[0] += use.cores;
        u[1] += (double)use.cpu_milli / 1000.0;
        u[2] += gib(use.memory_bytes);
        u[3] += gib(use.hugepages_bytes);
    }
    for (int g = 0; g < G; g++) {
        int base = ncg_cluster_nodegroup_nodes(p->c, g); /* the base cluster's nodes: p->c is not solved yet */
        if (base > low[g])
            low[g] = base;
    }
}

static void summarise(const ncg_plan *p, const ncg_cluster *c, ncg_plan_summary *s)
{
    memset(s, 0, sizeof(*s));
    s->size = sizeof(*s);
    for (int i = 0; i < ncg_cluster_node_count(c); i++) {
        ncg_nodegroup_info g;
        const ncg_node *nd = ncg_cluster_node(c, i);
        ncg_usage u;
        ncg_cluster_nodegroup_info(c, ncg_cluster_node_nodegroup(c, i), &g);
        ncg_node_usage(nd, &u);
        s->price_per_hour += g.price;
        s->unpriced_nodes += !g.priced;
        s->chips_total += g.type->t.chips;
        s->chips_used += g.type->t.chips - ncg_popcount64(ncg_node_free_chip_mask(nd));
        s->cpu_total_milli += g.type->cpu_usable_milli;
        s->cpu_used_milli += u.cpu_milli;
        s->memory_total_bytes += g.type->memory_usable_bytes;
        s->memory_used_bytes += u.memory_bytes;
    }
    s->nodes = ncg_cluster_node_count(c);
    s->new_nodes = s->nodes - p->base_nodes;
    s->replicas = p->replica_total;
    for (int i = 0; i < p->api_count; i++)
        s->placed += p->apis[i].placed;
    s->unplaced = s->replicas - s->placed;
}

NCG_EXPORT int ncg_plan_solve(ncg_plan *p, ncg_error *err)
{
    int G, rc, *low;
    double *used;
    bool ok;
    ncg_plan_summary s;
    ncg_cluster *result = NULL;
    double t_start, t_gen = 0;

    if (!p)
        return ncg_fail(err, NCG_E_INVALID, "plan is NULL");
    if (p->solved)
        return ncg_fail(err, NCG_E_INVALID, "plan_solve: the plan is solved already");
    t_start = ncg_now();
    p->deadline = p->opts.time_limit_s > 0 ? t_start + p->opts.time_limit_s : 0;
    p->rounding_seconds = 0;
    G = ncg_cluster_nodegroup_count(p->c);
    p->offset = malloc((size_t)(p->api_count + 1) * sizeof(int));
    used = calloc((size_t)G * RESOURCES + 1, sizeof(double));
    low = calloc((size_t)G + 1, sizeof(int));
    rc = p->offset && used && low ? 0 : ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    p->replica_total = 0;
    for (int i = 0; rc == 0 && i < p->api_count; i++) {
        p->offset[i] = p->replica_total;
        p->replica_total += p->apis[i].replicas;
    }
    if (rc == 0 && !(p->replicas = malloc((size_t)(p->replica_total + 1) * sizeof(preplica))))
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    if (rc == 0) {
        existing_use(p, used, low);
        rc = analyse(p, err);
    }
    if (rc == 0)
        rc = column_generation(p, err);
    t_gen = ncg_now();
    if (rc == 0)
        rc = try_strategies(p, &result, err);
    if (rc == 0) {
        summarise(p, result, &s);
        s.lower_bound_per_hour = lower_bound(p, used, low, err, &ok);
        if (!ok)
            rc = NCG_E_NOMEM;
        if (rc == 0 && p->have_cg) {
            /* the Lagrangian bound of the generated duals, for the replicas this plan places */
            double cg_bound, fixed = 0;
            for (int i = 0; i < p->api_count; i++)
                p->cg_demand[i] = p->apis[i].placed;
            for (int i = 0; i < p->base_nodes; i++)
                fixed += ncg_cluster_nodegroup_price(p->c, ncg_cluster_node_nodegroup(p->c, i));
            rc = ncg_cg_bound(&p->cg, p->cg_result.duals, &cg_bound, err);
            if (rc == 0 && fixed + cg_bound > s.lower_bound_per_hour)
                s.lower_bound_per_hour = fixed + cg_bound;
            s.converged = p->cg_result.converged;
            s.rounds = p->cg_result.rounds;
            s.patterns = p->cg_result.pattern_count;
            s.stopped = p->cg_result.stopped;
        } else {
            s.stopped = NCG_PLAN_STOP_SKIPPED;
        }
        s.solve_seconds = ncg_now() - t_start;
        s.generation_seconds = t_gen - t_start;
        s.rounding_seconds = p->rounding_seconds;
        s.packing_seconds = s.solve_seconds - s.generation_seconds - s.rounding_seconds;
        if (s.packing_seconds < 0)
            s.packing_seconds = 0;
        /* rounding may put the bound a hair above an optimal plan's price */
        if (s.lower_bound_per_hour > s.price_per_hour && s.lower_bound_per_hour <= s.price_per_hour * (1 + 1e-9))
            s.lower_bound_per_hour = s.price_per_hour;
        s.gap = s.price_per_hour > 0 ? (s.price_per_hour - s.lower_bound_per_hour) / s.price_per_hour : 0;
    }
    if (rc == 0) {
        ncg_cluster_free(p->c);
        p->c = result;
        p->sum = s;
        p->solved = true;
    } else {
        /* nothing the caller can see changed: the plan may be solved again */
        ncg_cluster_free(result);
        free(p->offset);
        free(p->replicas);
        p->offset = NULL;
        p->replicas = NULL;
        p->replica_total = 0;
    }
    cg_clear(p);
    free(used);
    free(low);
    return rc;
}

static int need_solved(const ncg_plan *p, ncg_error *err)
{
    if (!p)
        return ncg_fail(err, NCG_E_INVALID, "plan is NULL");
    if (!p->solved)
        return ncg_fail(err, NCG_E_INVALID, "the plan is not solved: call ncg_plan_solve first");
    return 0;
}

NCG_EXPORT int ncg_plan_get_summary(const ncg_plan *p, ncg_plan_summary *out, ncg_error *err)
{
    int rc = need_solved(p, err);
    if (rc < 0)
        return rc;
    if (!out)
        return ncg_fail(err, NCG_E_INVALID, "plan_get_summary: out is NULL");
    /* 2.0 programs pass the summary without the 2.1 members */
    if ((rc = ncg_sized_check(out, NCG_PLAN_SUMMARY_V20_SIZE, "ncg_plan_summary", err)) < 0)
        return rc;
    ncg_sized_out(out, &p->sum, sizeof(p->sum));
    return 0;
}

NCG_EXPORT const ncg_cluster *ncg_plan_get_cluster(const ncg_plan *p)
{
    return p ? p->c : NULL;
}

NCG_EXPORT int ncg_plan_replica_count(const ncg_plan *p)
{
    return p && p->solved ? p->replica_total : 0;
}

NCG_EXPORT int ncg_plan_get_replica(const ncg_plan *p, int index, ncg_plan_replica *out, ncg_error *err)
{
    ncg_plan_replica r = NCG_INIT(ncg_plan_replica);
    int rc = need_solved(p, err), ai = 0;
    if (rc < 0)
        return rc;
    if (!out)
        return ncg_fail(err, NCG_E_INVALID, "plan_get_replica: out is NULL");
    if ((rc = NCG_CHECK_SIZED(out, ncg_plan_replica, err)) < 0)
        return rc;
    if (index < 0 || index >= p->replica_total)
        return ncg_fail(err, NCG_E_NOT_FOUND, "replica index %d is out of range 0..%d", index, p->replica_total - 1);
    {
        int lo = 0, hi = p->api_count - 1;
        while (lo <= hi) { /* last API whose offset <= index */
            int mid = (lo + hi) / 2;
            if (p->offset[mid] <= index) {
                ai = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        while (ai + 1 < p->api_count && p->offset[ai + 1] <= index)
            ai++;
        while (p->apis[ai].replicas == 0 || index >= p->offset[ai] + p->apis[ai].replicas)
            ai++;
    }
    r.api = ai;
    r.replica = index - p->offset[ai];
    r.node = p->replicas[index].node;
    r.alloc_id = p->replicas[index].alloc;
    ncg_sized_out(out, &r, sizeof(r));
    return 0;
}

static int need_api(const ncg_plan *p, int api, ncg_error *err)
{
    int rc = need_solved(p, err);
    if (rc < 0)
        return rc;
    if (api < 0 || api >= p->api_count)
        return ncg_fail(err, NCG_E_NOT_FOUND, "api index %d is out of range 0..%d", api, p->api_count - 1);
    return 0;
}

/* Append text to buf (size bytes) at *len, keeping *len the full length whether or not it fits. */
static void put(char *buf, size_t size, size_t *len, const char *text)
{
    size_t n = strlen(text);
    if (*len + n < size)
        memcpy(buf + *len, text, n + 1);
    *len += n;
}

/* The reason of an API's unplaced replicas: the node groups that can never hold one and why, then the node
 * groups that could but reached max_instances (their names and sizes from the solved cluster). Returns its full
 * length; writes buf only up to size (the caller applies the buffer rule). */
static size_t unplaced_text(const ncg_plan *p, const papi *a, char *buf, size_t size)
{
    size_t len = 0;
    bool any = false;
    if (size)
        buf[0] = '\0';
    if (a->never)
        put(buf, size, &len, a->never);
    for (int gi = 0; a->full && gi < ncg_cluster_nodegroup_count(p->c); gi++) {
        ncg_nodegroup_info info;
        char part[NCG_NAME_MAX + 64];
        if (!a->allowed[gi] || a->fit[gi] == 0)
            continue;
        ncg_cluster_nodegroup_info(p->c, gi, &info);
        snprintf(part, sizeof(part), "%snode group %s (%d nodes)",
                 any ? ", " : len ? "; max_instances reached: " : "max_instances reached: ", info.name,
                 info.max_nodes);
        put(buf, size, &len, part);
        any = true;
    }
    if (len == 0)
        put(buf, size, &len, "no node group is allowed for this api");
    return len;
}

NCG_EXPORT int ncg_plan_get_unplaced(const ncg_plan *p, int api, char *buf, size_t size, int *out_unplaced,
                                     ncg_error *err)
{
    size_t len = 0;
    int rc = need_api(p, api, err);
    if (rc < 0)
        return rc;
    if (!buf && size)
        return ncg_fail(err, NCG_E_INVALID, "plan_get_unplaced: buf is NULL but size is %zu", size);
    if (p->apis[api].placed < p->apis[api].replicas) {
        len = unplaced_text(p, &p->apis[api], NULL, 0);
        if (len > INT32_MAX)
            return ncg_fail(err, NCG_E_RANGE, "the reason of api %d is too long", api);
        if (len < size)
            unplaced_text(p, &p->apis[api], buf, size);
    } else if (size) {
        buf[0] = '\0';
    }
    if (out_unplaced)
        *out_unplaced = p->apis[api].replicas - p->apis[api].placed;
    return (int)len;
}

NCG_EXPORT int ncg_plan_get_headroom(const ncg_plan *p, int api, ncg_error *err)
{
    int rc = need_api(p, api, err), total = 0;
    const papi *a;
    if (rc < 0)
        return rc;
    a = &p->apis[api];
    for (int i = 0; i < ncg_cluster_node_count(p->c); i++) {
        int g = ncg_cluster_node_nodegroup(p->c, i), on = 0, added = 0;
        ncg_node *scratch;
        if (!a->allowed[g] || a->fit[g] == 0 ||
            !ncg_node_fits_shape(ncg_cluster_node(p->c, i), &a->shape[g], &a->req, NULL))
            continue;
        if (a->max_per_node)
            for (int r = 0; r < a->replicas; r++)
                on += p->replicas[p->offset[api] + r].node == i;
        if (a->max_per_node && on >= a->max_per_node)
            continue;
        /* count on a scratch copy: the plan is shared read-only and never changes here */
        scratch = ncg_node_clone(ncg_cluster_node(p->c, i), NULL);
        if (!scratch)
            return ncg_fail(err, NCG_E_NOMEM, "out of memory counting headroom");
        for (;;) {
            ncg_slot pl;
            if (a->max_per_node && on + added >= a->max_per_node)
                break;
            if (!ncg_node_fits_shape(scratch, &a->shape[g], &a->req, &pl))
                break;
            if (ncg_node_commit(scratch, &pl, &a->req, NULL, NULL) < 0) {
                ncg_node_free(scratch);
                return ncg_fail(err, NCG_E_NOMEM, "out of memory counting headroom");
            }
            if (++added >= FIT_CAP)
                break;
        }
        ncg_node_free(scratch);
        total += added;
    }
    return total;
}

NCG_EXPORT const char *ncg_plan_get_api_name(const ncg_plan *p, int api)
{
    return p && api >= 0 && api < p->api_count ? p->apis[api].name : NULL;
}

NCG_EXPORT int ncg_plan_api_count(const ncg_plan *p)
{
    return p ? p->api_count : 0;
}

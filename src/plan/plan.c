/* SPDX-License-Identifier: Apache-2.0 */
/* The planner's public API and its driver (plan.h lists the planner's files; doc/planner.md the whole method).
 *
 * ncg_plan_solve():
 * 1. Per API and allowed node group: the request's shape on the group's type (Cortex's rules) and how many
 *    replicas fit an empty node (plan_analyse()).
 * 2. The configuration LP by column generation over node patterns (colgen.c), within the work and time limits,
 *    with one row per class of interchangeable APIs (plan_column_generation()); skipped past CG_PAIRS_MAX
 *    (class, node kind) pairs, CG_ROWS_MAX master rows or CG_EXISTING_MAX existing nodes.
 * 3. Strategies, each on its own copy of the starting cluster, with min_instances nodes opened first: the dive
 *    over residual LPs (round.c), the ceil and the floor of the LP's patterns, then the packing heuristics
 *    (pack.c). Once a plan places every replica the LP covers within TIGHT of the LP's value, or the time limit
 *    has passed, the rest are skipped. The plan placing the most replicas, then the cheapest, wins (ties: the
 *    earlier strategy), so the result never costs more than any strategy that ran. When the best plan is not within
 *    TIGHT, the improvement phase (improve.c) tries to empty its nodes, and its plan competes too.
 * 4. The bound: the best of the first bound (bound.c) and the Lagrangian bound of the generated duals for the
 *    replicas the plan places (generation's own when the plan places what it ran for); both are proven in
 *    doc/planner.md. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

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
    plan_cg_clear(p);
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

/* API names: open addressing over API indices (-1 empty) in name_slot_count slots, a power of two that grows to
 * stay above twice the APIs. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int find_api(const ncg_plan *p, const char *name)
{
    uint32_t mask = (uint32_t)p->name_slot_count - 1;
    if (!p->name_slot)
        return -1;
    for (uint32_t k = name_hash(name) & mask;; k = (k + 1) & mask) {
        int i = p->name_slot[k];
        if (i < 0 || strcmp(p->apis[i].name, name) == 0)
            return i;
    }
}

static void name_put(int *slot, int slot_count, const char *name, int api)
{
    uint32_t mask = (uint32_t)slot_count - 1, k = name_hash(name) & mask;
    while (slot[k] >= 0)
        k = (k + 1) & mask;
    slot[k] = api;
}

/* Slots for one more API name: -1 out of memory, with the plan as it was. */
static int name_room(ncg_plan *p)
{
    int n = p->name_slot_count ? p->name_slot_count : 16, *slot;
    while (n < 2 * (p->api_count + 1))
        n *= 2;
    if (n == p->name_slot_count)
        return 0;
    if (!(slot = malloc((size_t)n * sizeof(*slot))))
        return -1;
    for (int k = 0; k < n; k++)
        slot[k] = -1;
    for (int i = 0; i < p->api_count; i++)
        name_put(slot, n, p->apis[i].name, i);
    free(p->name_slot);
    p->name_slot = slot;
    p->name_slot_count = n;
    return 0;
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
    if (name_room(p) < 0)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding api %s", spec.name);
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
    name_put(p->name_slot, p->name_slot_count, a.name, p->api_count);
    return p->api_count++;
}


/* Open the nodes each node group lacks to reach its min_instances. */
static int open_required(ncg_plan *p, ncg_error *err)
{
    for (int g = 0; g < ncg_cluster_nodegroup_count(p->c); g++) {
        ncg_nodegroup_info info;
        ncg_cluster_nodegroup_info(p->c, g, &info);
        for (int k = info.nodes; k < info.min_nodes; k++) {
            int n = plan_open_node(p, g, err);
            if (n < 0)
                return n;
        }
    }
    return 0;
}

/* The plan's last pass: remove every new node that holds no replica and that its node group's min_instances does
 * not require (the configuration LP's model of a node can hold what the allocator then refuses, and a node opened
 * for such a pattern stays empty), renumbering the replicas' nodes; then open what min_instances still lacks. */
static int trim(ncg_plan *p, ncg_error *err)
{
    int N = ncg_cluster_node_count(p->c), G = ncg_cluster_nodegroup_count(p->c), removed = 0;
    int *used = calloc((size_t)N + 1, sizeof(int)), *keep = calloc((size_t)G + 1, sizeof(int));
    if (!used || !keep) {
        free(used);
        free(keep);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    }
    for (int i = 0; i < p->replica_total; i++)
        if (p->replicas[i].node >= 0)
            used[p->replicas[i].node] = 1;
    /* per node group: how many of its empty new nodes stay (those min_instances needs beyond its other nodes) */
    for (int g = 0; g < G; g++) {
        ncg_nodegroup_info info;
        ncg_cluster_nodegroup_info(p->c, g, &info);
        keep[g] = info.min_nodes;
    }
    for (int i = 0; i < N; i++)
        if (i < p->base_nodes || used[i])
            keep[ncg_cluster_node_nodegroup(p->c, i)]--;
    /* used[i] becomes the node's index after the removals, -1 when removed; the last empty nodes go first */
    for (int i = N - 1; i >= p->base_nodes; i--) {
        int g = ncg_cluster_node_nodegroup(p->c, i);
        if (used[i])
            continue;
        if (keep[g] > 0) {
            keep[g]--;
            used[i] = 1;
            continue;
        }
        ncg_cluster_remove_node(p->c, ncg_cluster_node_name(p->c, i), NULL);
        used[i] = -1;
        removed++;
    }
    if (removed > 0) {
        for (int i = 0, next = 0; i < N; i++)
            used[i] = i < p->base_nodes || used[i] > 0 ? next++ : -1;
        for (int i = 0; i < p->replica_total; i++)
            if (p->replicas[i].node >= 0)
                p->replicas[i].node = used[p->replicas[i].node];
    }
    free(used);
    free(keep);
    return open_required(p, err);
}

static int run_strategy(ncg_plan *p, int strategy, double *price, ncg_error *err)
{
    int rc = plan_scratch_reserve(p, err);
    for (int i = 0; i < p->scratch_capacity; i++) {
        p->stamp[i] = p->count[i] = p->fail[i] = 0;
        p->keep[i] = false;
        p->origin[i] = -1;
    }
    for (int i = 0; i < p->replica_total; i++)
        p->replicas[i] = (preplica){-1, 0};
    for (int i = 0; i < p->api_count; i++)
        p->apis[i].placed = 0;
    /* the nodes min_instances requires first (the improved plan's patterns hold those that have replicas: its
     * empty ones, which no pattern opens, after them) */
    if (rc == 0 && strategy != IMPROVED)
        rc = open_required(p, err);
    if (rc == 0 && (strategy == FROM_LP || strategy == FROM_LP_UP || strategy == FROM_DIVE))
        rc = plan_from_lp(p, &p->cg_result, strategy == FROM_LP_UP, err);
    if (rc == 0 && strategy == IMPROVED && (rc = plan_from_lp(p, &p->improved, false, err)) == 0)
        rc = open_required(p, err);
    if (rc == 0 && strategy == FROM_DIVE)
        rc = plan_dive(p, err);
    if (rc == 0)
        rc = strategy == BY_NODE ? plan_pack_by_node(p, err)
                                 : strategy >= FROM_LP ? plan_pack(p, BY_COST, true, err)
                                                                                 : plan_pack(p, strategy, false, err);
    if (rc == 0)
        rc = plan_downsize(p, err);
    if (rc == 0)
        rc = trim(p, err);
    *price = 0;
    for (int i = 0; i < ncg_cluster_node_count(p->c); i++)
        *price += ncg_cluster_nodegroup_price(p->c, ncg_cluster_node_nodegroup(p->c, i));
    return rc;
}

/* Whether generation ended where its master LP can be trusted: converged, within 0.05% of the optimum, or with
 * no pattern found (searches cut short); not at a work, time or round limit. */
static bool lp_trusted(const ncg_plan *p)
{
    int s = p->cg_result.stopped;
    return s == NCG_PLAN_STOP_CONVERGED || s == NCG_PLAN_STOP_GAP || s == NCG_PLAN_STOP_SEARCH;
}

/* Keep trial (a plan of p, solved into p->replicas and the APIs' placed counts, at that price) as the best when it
 * places more replicas, or as many for less; else free it. */
static void consider(ncg_plan *p, ncg_cluster *trial, double price, plan_best *best)
{
    int count = 0;
    for (int i = 0; i < p->api_count; i++)
        count += p->apis[i].placed;
    if (!(count > best->count || (count == best->count && price < best->price - 1e-9))) {
        ncg_cluster_free(trial);
        return;
    }
    ncg_cluster_free(best->c);
    best->c = trial;
    best->count = count;
    best->price = price;
    memcpy(best->replicas, p->replicas, (size_t)p->replica_total * sizeof(preplica));
    for (int i = 0; i < p->api_count; i++) {
        best->placed[i] = p->apis[i].placed;
        best->full[i] = p->apis[i].full;
    }
}

/* Run a strategy on a copy of p->c (which stays as it is), its node groups capped at max (NULL: none) while it
 * runs, and consider the plan. */
static int run_on_copy(ncg_plan *p, int strategy, const int *max, plan_best *best, ncg_error *err)
{
    ncg_cluster *start = p->c, *trial = ncg_cluster_clone(start, err);
    int G = ncg_cluster_nodegroup_count(start), rc;
    double price, t0 = ncg_now();
    if (!trial)
        return NCG_E_NOMEM;
    for (int g = 0; max && g < G; g++)
        ncg_cluster_set_nodegroup_max(trial, g, max[g]);
    p->c = trial;
    for (int i = 0; i < p->api_count; i++)
        p->apis[i].full = false;
    rc = run_strategy(p, strategy, &price, err);
    if (strategy >= FROM_LP)
        p->rounding_seconds += ncg_now() - t0;
    p->c = start;
    for (int g = 0; max && g < G; g++) {
        ncg_nodegroup_info info;
        ncg_cluster_nodegroup_info(start, g, &info);
        ncg_cluster_set_nodegroup_max(trial, g, info.max_nodes);
    }
    if (rc < 0) {
        ncg_cluster_free(trial);
        return rc;
    }
    consider(p, trial, price, best);
    return 0;
}

int plan_try_lp(ncg_plan *p, const ncg_cg_result *lp, const int *max, double target, double *work,
                plan_best *best, ncg_error *err)
{
    static const int strategies[] = {FROM_LP, FROM_LP_UP, FROM_DIVE};
    ncg_cg_result saved = p->cg_result;
    int64_t limit = p->opts.work_limit;
    double budget = *work;
    int rc = 0;
    *work = 0;
    p->cg_result = *lp;
    p->opts.work_limit = (int64_t)budget; /* the dive's: counted as spent whole */
    for (int k = 0; k < 3 && rc == 0 && best->price > target * (1 + 1e-9); k++) {
        if (strategies[k] == FROM_DIVE) {
            if (budget < 1)
                break;
            *work = budget;
        }
        rc = run_on_copy(p, strategies[k], max, best, err);
    }
    p->cg_result = saved;
    p->opts.work_limit = limit;
    return rc;
}

/* Run every strategy on copies of p->c, which stays as it is, then the improvement phase and the exact search, and
 * give the cheapest plan's cluster in *out (the most replicas placed first, then the lowest price); p->replicas,
 * placed counts and reasons are that plan's. *exact gets the exact search's bound on the price of every plan of the
 * replicas the LP covers (0 when it did not run), *optimal whether it proved the plan optimal. */
static int try_strategies(ncg_plan *p, ncg_cluster **out, double *exact, bool *optimal, ncg_error *err)
{
    plan_best best = {.count = -1};
    double fixed = 0, tight_ref = 0;
    int placeable = 0, rc = 0;
    bool small = false;

    *exact = 0;
    *optimal = false;
    best.replicas = malloc((size_t)(p->replica_total + 1) * sizeof(preplica));
    best.placed = malloc((size_t)(p->api_count + 1) * sizeof(int));
    best.full = malloc((size_t)(p->api_count + 1) * sizeof(bool));
    if (!best.replicas || !best.placed || !best.full) {
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
        goto done;
    }
    for (int c = 0; p->have_cg && c < p->cg.apis; c++)
        placeable += p->cg_demand[c];
    for (int i = 0; i < p->base_nodes; i++)
        fixed += ncg_cluster_nodegroup_price(p->c, ncg_cluster_node_nodegroup(p->c, i));
    /* what a plan is compared with to skip the rest: the LP's value when it can be trusted, else the proven bound */
    if (p->have_cg)
        tight_ref = lp_trusted(p) ? p->cg_result.lp_value : p->cg_result.bound;
    /* the plans from the LP's patterns first: once one is within TIGHT of the proven bound, no other strategy can
     * gain more than that, and the rest are skipped; so are they once the time limit has passed. The dive leads,
     * except on plans of few nodes, where the floor of the LP's patterns plus packing (the dive's first step, at
     * a fraction of its cost) is tried first */
    if (p->have_cg) {
        double lp_nodes = 0;
        for (int k = 0; k < p->cg_result.pattern_count; k++)
            lp_nodes += p->cg_result.patterns[k].x;
        small = lp_nodes <= SMALL_PLAN_NODES;
    }
    /* after the strategies (k == STRATEGIES), the improvement of the best plan so far */
    for (int k = 0; k <= STRATEGIES && rc == 0; k++) {
        static const int order[2][STRATEGIES] = {
            {FROM_DIVE, FROM_LP_UP, FROM_LP, BY_COST, BY_CPU, IN_ORDER, BY_NODE},
            {FROM_LP, FROM_DIVE, FROM_LP_UP, BY_COST, BY_CPU, IN_ORDER, BY_NODE}};
        int strategy = k < STRATEGIES ? order[small][k] : IMPROVED;
        if ((strategy == BY_NODE && (double)p->api_count * p->replica_total > BY_NODE_BUDGET) ||
            (strategy >= FROM_LP && !p->have_cg))
            continue;
        if (strategy == IMPROVED) {
            double t0;
            /* on the configuration LP's model of a node, which covers new nodes only; and only when the best
             * plan placed every replica the LP covers (checked after the early stop below) */
            if (p->base_nodes > 0 || !best.c || best.count != placeable ||
                (best.price <= (fixed + tight_ref) * (1 + TIGHT)) || (p->deadline > 0 && ncg_now() >= p->deadline))
                break;
            t0 = ncg_now();
            rc = plan_improve(p, best.c, best.replicas, &p->improved, err);
            p->rounding_seconds += ncg_now() - t0;
            if (rc <= 0)
                break;
            rc = 0;
        }
        if (strategy == FROM_DIVE && !lp_trusted(p)) /* the dive follows the LP */
            continue;
        if (k > 0 && best.count >= 0 &&
            ((p->deadline > 0 && ncg_now() >= p->deadline) ||
             (best.count == placeable && best.price <= (fixed + tight_ref) * (1 + TIGHT))))
            break;
        rc = run_on_copy(p, strategy, NULL, &best, err);
    }
    ncg_cg_result_clear(&p->improved);
    /* the exact search, on plans that place every replica the LP covers */
    if (rc == 0 && p->have_cg && lp_trusted(p) && best.c && best.count == placeable) {
        double t0 = ncg_now(), before = p->rounding_seconds; /* its plans' time is part of its own */
        rc = plan_exact(p, &best, fixed, exact, optimal, err);
        p->rounding_seconds = before + (ncg_now() - t0);
    }
    if (rc == 0) {
        memcpy(p->replicas, best.replicas, (size_t)p->replica_total * sizeof(preplica));
        for (int i = 0; i < p->api_count; i++) {
            p->apis[i].placed = best.placed[i];
            p->apis[i].full = best.full[i];
        }
        *out = best.c;
        best.c = NULL;
    }
done:
    ncg_cluster_free(best.c);
    free(best.replicas);
    free(best.placed);
    free(best.full);
    return rc;
}

void plan_cg_clear(ncg_plan *p)
{
    ncg_cg_result_clear(&p->cg_result);
    free(p->cg_bins);
    free(p->cg_items);
    free(p->cg_demand);
    free(p->api_items);
    free(p->cg_class);
    free(p->cg_member);
    free(p->cg_first);
    p->cg_bins = NULL;
    p->cg_items = NULL;
    p->cg_demand = NULL;
    p->api_items = NULL;
    p->cg_class = NULL;
    p->cg_member = NULL;
    p->cg_first = NULL;
    p->have_cg = false;
}


/* APIs by what one replica takes on every bin (usable or not, then chips, cores, CPU, memory, hugepages), then
 * mergeable first, then by index: APIs of equal keys that are mergeable are one class of the configuration LP. */
typedef struct api_key {
    const ncg_cg_item *items;   /* its item on the first node group; on group k: items[k * stride] */
    int api, bins, stride;
    bool alone;                 /* a class by itself (mergeable() is false) */
} api_key;

static int cmp_items(const ncg_cg_item *x, const ncg_cg_item *y)
{
    if ((x->limit > 0) != (y->limit > 0))
        return x->limit > 0 ? 1 : -1;
    if (x->chips != y->chips)
        return x->chips < y->chips ? -1 : 1;
    if (x->cores != y->cores)
        return x->cores < y->cores ? -1 : 1;
    if (x->cpu_milli != y->cpu_milli)
        return x->cpu_milli < y->cpu_milli ? -1 : 1;
    if (x->memory_bytes != y->memory_bytes)
        return x->memory_bytes < y->memory_bytes ? -1 : 1;
    if (x->hugepages_bytes != y->hugepages_bytes)
        return x->hugepages_bytes < y->hugepages_bytes ? -1 : 1;
    return 0;
}

/* Two APIs' items on every node group, in order. */
static int cmp_rows(const api_key *a, const api_key *b)
{
    for (int k = 0; k < a->bins; k++) {
        int c = cmp_items(&a->items[(size_t)k * (size_t)a->stride], &b->items[(size_t)k * (size_t)b->stride]);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_key(const void *pa, const void *pb)
{
    const api_key *a = pa, *b = pb;
    int c = cmp_rows(a, b);
    if (c)
        return c;
    if (a->alone != b->alone) /* the mergeable ones of a key next to each other */
        return a->alone ? 1 : -1;
    return (a->api > b->api) - (a->api < b->api);
}

/* Whether API i's own per-node limit never binds in the configuration LP: on every node group it may use, one
 * empty node holds as many of its replicas as the adding-up rule allows (neither max_per_node nor the chip
 * windows hold it back), or all of them. Only such APIs share a class. */
static bool mergeable(const ncg_plan *p, int i)
{
    const papi *a = &p->apis[i];
    for (int g = 0; g < ncg_cluster_nodegroup_count(p->c); g++) {
        ncg_cg_item it = p->api_items[(size_t)g * (size_t)p->api_count + (size_t)i];
        int most;
        if (it.limit <= 0)
            continue;
        it.limit = FIT_CAP; /* what adding up allows, whatever the API's own limit */
        most = ncg_cg_copies_that_fit(&p->cg_bins[g], &it, FIT_CAP);
        if ((a->max_per_node > 0 && a->max_per_node < most) || a->fit[g] < (most < a->replicas ? most : a->replicas))
            return false;
    }
    return true;
}

/* The classes of interchangeable APIs (plan.h) into p->cg_class, p->cg_member and p->cg_first, numbered in the
 * order of their first APIs (so that APIs that are all different are their own classes, in their own order), from
 * the APIs' items on the G node groups (p->api_items). Returns the number of classes, or -1 when memory is short. */
static int classify(ncg_plan *p, int G)
{
    int I = p->api_count, C = 0;
    api_key *key = malloc(((size_t)I + 1) * sizeof(*key));
    int *group = malloc(((size_t)I + 1) * sizeof(int)), *class_of_group = malloc(((size_t)I + 1) * sizeof(int));
    p->cg_class = malloc(((size_t)I + 1) * sizeof(int));
    p->cg_member = malloc(((size_t)I + 1) * sizeof(int));
    p->cg_first = calloc((size_t)I + 2, sizeof(int));
    if (!key || !group || !class_of_group || !p->cg_class || !p->cg_member || !p->cg_first) {
        free(key);
        free(group);
        free(class_of_group);
        return -1;
    }
    for (int i = 0; i < I; i++)
        key[i] = (api_key){&p->api_items[i], i, G, I, !mergeable(p, i)};
    qsort(key, (size_t)I, sizeof(*key), cmp_key);
    for (int k = 0, g = -1; k < I; k++) {
        if (k == 0 || key[k].alone || key[k - 1].alone || cmp_rows(&key[k], &key[k - 1]) != 0)
            class_of_group[++g] = -1;
        group[key[k].api] = g;
    }
    for (int i = 0; i < I; i++) {
        if (class_of_group[group[i]] < 0)
            class_of_group[group[i]] = C++;
        p->cg_class[i] = class_of_group[group[i]];
        p->cg_first[p->cg_class[i] + 1]++;
    }
    for (int c = 0; c < C; c++)
        p->cg_first[c + 1] += p->cg_first[c];
    /* members in API order: group[] is free again, as each class's fill count */
    for (int c = 0; c < C; c++)
        group[c] = p->cg_first[c];
    for (int i = 0; i < I; i++)
        p->cg_member[group[p->cg_class[i]]++] = i;
    free(key);
    free(group);
    free(class_of_group);
    return C;
}

/* The configuration LP of the plan's APIs on its node groups (new nodes) and existing nodes, by column
 * generation. Demands are every replica that some allowed node group can hold.
 *
 * Its rows are classes of APIs whose replicas need the same chips, cores, CPU, memory and hugepages on every bin
 * and whose own per-node limits (max_per_node, the chip windows) never bind (mergeable()); every other API is a
 * class by itself. A class's demand is its APIs' replicas, and a node holds at most the sum of their per-node
 * limits (each capped at the API's replicas). Adding up the APIs' counts per node turns every point of the API
 * LP into one of the class LP at the same price, and doc/planner.md shows the converse (a class's replicas on the
 * nodes of a pattern can be shared out among its APIs), so both have the same optimum and the same bound. The
 * Alibaba trace's 156 APIs are 116 classes (99 APIs whose max_per_node binds stay alone, the other 57 make 17
 * classes): the master has 124 rows instead of 164, generation takes 204 rounds instead of 261 and 46 ms instead
 * of 91. */
int plan_column_generation(ncg_plan *p, ncg_error *err)
{
    int G = ncg_cluster_nodegroup_count(p->c), E = p->base_nodes, I = p->api_count, B, C;
    ncg_cg_limits lim = {.max_rounds = CG_ROUNDS, .work_limit = (double)p->opts.work_limit, .deadline = p->deadline};
    int *demand;
    if (E > CG_EXISTING_MAX || I == 0 || (p->opts.flags & NCG_PLAN_NO_COLGEN))
        return 0;
    B = G + E;
    p->cg_bins = calloc((size_t)B + 1, sizeof(ncg_cg_bin));
    p->api_items = calloc((size_t)G * (size_t)I + 1, sizeof(ncg_cg_item));
    demand = calloc((size_t)I + 1, sizeof(int));
    if (!p->cg_bins || !p->api_items || !demand) {
        free(demand);
        plan_cg_clear(p);
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
            continue; /* an existing node's items are its node group's */
        }
        for (int i = 0; i < I; i++) {
            const papi *a = &p->apis[i];
            ncg_cg_item *it = &p->api_items[(size_t)b * (size_t)I + (size_t)i];
            const ncg_shape *sh = &a->shape[g];
            int limit;
            if (!a->allowed[g] || a->fit[g] == 0)
                continue;
            limit = plan_per_node_limit(a, g);
            it->limit = limit > 0 ? limit : a->replicas;
            it->chips = sh->chips;
            it->cores = sh->cores;
            it->cpu_milli = a->req.cpu_milli;
            it->memory_bytes = a->req.memory_bytes;
            it->hugepages_bytes = a->req.hugepages_bytes;
            demand[i] = a->replicas;
        }
    }
    C = classify(p, G);
    if (C >= 0 && ((long)C * B > CG_PAIRS_MAX || C + 2L * B > CG_ROWS_MAX)) {
        free(demand);
        plan_cg_clear(p);
        return 0;
    }
    if (C < 0 || !(p->cg_items = calloc((size_t)B * (size_t)C + 1, sizeof(ncg_cg_item))) ||
        !(p->cg_demand = calloc((size_t)C + 1, sizeof(int)))) {
        free(demand);
        plan_cg_clear(p);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory planning");
    }
    for (int c = 0; c < C; c++) {
        int64_t sum = 0;
        for (int k = p->cg_first[c]; k < p->cg_first[c + 1]; k++)
            sum += demand[p->cg_member[k]];
        p->cg_demand[c] = sum < INT_MAX ? (int)sum : INT_MAX;
        for (int b = 0; b < G; b++) {
            ncg_cg_item *it = &p->cg_items[(size_t)b * (size_t)C + (size_t)c];
            int64_t limit = 0;
            *it = p->api_items[(size_t)b * (size_t)I + (size_t)p->cg_member[p->cg_first[c]]];
            for (int k = p->cg_first[c]; k < p->cg_first[c + 1]; k++)
                limit += p->api_items[(size_t)b * (size_t)I + (size_t)p->cg_member[k]].limit;
            it->limit = limit < INT_MAX ? (int)limit : INT_MAX;
        }
        for (int b = G; b < B; b++) /* an existing node: its node group's items (limits counted on an empty node) */
            p->cg_items[(size_t)b * (size_t)C + (size_t)c] =
                p->cg_items[(size_t)ncg_cluster_node_nodegroup(p->c, b - G) * (size_t)C + (size_t)c];
    }
    free(demand);
    p->cg = (ncg_cg_problem){.apis = C, .bins = B, .demand = p->cg_demand, .bin = p->cg_bins, .item = p->cg_items};
    if (ncg_cg_solve(&p->cg, &lim, &p->cg_result, err) < 0) {
        plan_cg_clear(p);
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
        u[2] += plan_gib(use.memory_bytes);
        u[3] += plan_gib(use.hugepages_bytes);
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
    double t_start, t_gen = 0, exact_bound = 0;
    bool optimal = false;

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
        rc = plan_analyse(p, err);
    }
    if (rc == 0)
        rc = plan_column_generation(p, err);
    t_gen = ncg_now();
    if (rc == 0)
        rc = try_strategies(p, &result, &exact_bound, &optimal, err);
    /* the new nodes numbered 1, 2, ... per node group, whatever the strategies opened and removed on the way */
    if (rc == 0)
        rc = ncg_cluster_renumber(result, p->base_nodes, p->c, err);
    if (rc == 0) {
        bool dominated = false; /* the resource LP's bound cannot beat the Lagrangian one (doc/planner.md) */
        summarise(p, result, &s);
        s.lower_bound_per_hour = 0;
        if (p->have_cg) {
            /* the Lagrangian bound of the generated duals, for the replicas this plan places */
            double cg_bound, fixed = 0;
            bool same = true, exact = false;
            for (int c = 0; c < p->cg.apis; c++) {
                int placed = 0;
                for (int k = p->cg_first[c]; k < p->cg_first[c + 1]; k++)
                    placed += p->apis[p->cg_member[k]].placed;
                same = same && p->cg_demand[c] == placed;
                p->cg_demand[c] = placed;
            }
            for (int i = 0; i < p->base_nodes; i++)
                fixed += ncg_cluster_nodegroup_price(p->c, ncg_cluster_node_nodegroup(p->c, i));
            /* for the demands generation ran for, its own final pricing is this one: not priced again */
            if (same && p->cg_result.bound_exact) {
                cg_bound = p->cg_result.bound;
                exact = true;
            } else {
                rc = ncg_cg_bound(&p->cg, p->cg_result.duals, &cg_bound, &exact, err);
            }
            if (rc == 0) {
                s.lower_bound_per_hour = fixed + cg_bound;
                /* at a converged generation's duals, for the demands it was run for, priced exactly: the
                 * configuration LP's optimum, which no point of the resource LP beats */
                dominated = same && exact && p->cg_result.converged;
            }
            s.converged = p->cg_result.converged;
            s.rounds = p->cg_result.rounds;
            s.patterns = p->cg_result.pattern_count;
            s.stopped = p->cg_result.stopped;
        } else {
            s.stopped = NCG_PLAN_STOP_SKIPPED;
        }
        if (rc == 0 && !dominated) {
            double resource = plan_lower_bound(p, used, low, err, &ok);
            if (!ok)
                rc = NCG_E_NOMEM;
            else if (resource > s.lower_bound_per_hour)
                s.lower_bound_per_hour = resource;
        }
        /* the exact search's bound is for the replicas the LP covers, which this plan places (it runs only then) */
        if (exact_bound > s.lower_bound_per_hour)
            s.lower_bound_per_hour = exact_bound;
        if (optimal) {
            s.lower_bound_per_hour = s.price_per_hour;
            s.optimal = 1;
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
    plan_cg_clear(p);
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
        snprintf(part, sizeof(part), "%s%s (%d nodes)",
                 any ? ", " : len ? "; max_instances reached: node group " : "max_instances reached: node group ",
                 info.name, info.max_nodes);
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
        scratch = ncg_node_clone_ref(ncg_cluster_node(p->c, i), NULL, NULL);
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


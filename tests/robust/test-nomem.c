/* SPDX-License-Identifier: Apache-2.0 */
/* Out of memory changes nothing. The executable is linked with --wrap=malloc/calloc/realloc/aligned_alloc
 * (failalloc.c). For every public call that may allocate, on a non-trivial state (robust.h's fixture), a scenario:
 * 1. runs the call once on a fresh state, counting its allocations, and records the result (return value, every
 *    handle's snapshot, the new handle's snapshot, the outputs);
 * 2. for k = 1, 2, ... on a fresh state each time, fails the k-th allocation inside the call: the call must return
 *    NCG_E_NOMEM (err->code too, with a message) and leave every output byte and every handle as it was, and the
 *    same call repeated without failure must then give the recorded result (the handle is still fully usable);
 *    or, when the library can do without that allocation, succeed with the recorded result;
 * 3. stops when the k-th allocation is no longer reached (the call then succeeds with the recorded result).
 * Everything is freed, so that valgrind and ASan find no leak on any of these paths. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "failalloc.h"
#include "robust.h"

typedef struct ctx {
    fx f;
    outs o;
    int param;
    /* handles a call creates */
    ncg_catalog *new_cat;
    ncg_node *new_node;
    ncg_cluster *new_cl;
    ncg_plan *new_plan;
    ncg_type type;       /* a type read by a preparation */
} ctx;

typedef struct scenario {
    const char *name;
    unsigned parts;                        /* fixture parts */
    int param_from, param_to;              /* the scenario runs once per param in [from, to], or: */
    int base;                              /* SWEEP: once per count of interest (see below) minus this base */
    void (*prep)(ctx *c);                  /* more state, optional */
    int (*call)(ctx *c, ncg_error *err);   /* the call under test */
    void (*outputs)(ctx *c, sbuf *b);      /* describe outputs that hold pointers, and clear them; optional */
} scenario;

/* ---- helpers ---- */

static const ncg_model two_models[2] = {
    {sizeof(ncg_model), "resnet", 2 * GIB, 1, 0},
    {sizeof(ncg_model), "a model with a long name, spaces and %", 512 * MIB, 0, 1},
};

static ncg_request models_request(int64_t inf, int64_t ppr)
{
    ncg_request r = req_default();
    r.inf = inf;
    r.ppr = ppr;
    r.memory_bytes = GIB;
    r.models = two_models;
    r.model_count = 2;
    return r;
}

static void add_test_types(ncg_catalog *cat, int n)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        ncg_type t = NCG_INIT(ncg_type);
        snprintf(name, sizeof(name), "extra%d.test", i);
        t.name = name;
        t.family = "extra";
        t.accelerator = NCG_ACCEL_TRAINIUM;
        t.chips = 2;
        t.cores_per_chip = 2;
        t.device_memory_bytes = 32 * GIB;
        t.cpu_milli = 8000;
        t.memory_bytes = 32 * GIB;
        t.topology = NCG_TOPOLOGY_CHAIN;
        ck_assert_int_ge(ncg_catalog_set_type(cat, &t, NULL), 0);
    }
}

static void add_nodegroups(ncg_cluster *cl, const ncg_catalog *cat, int n, int max_nodes)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
        ncg_error e = {0};
        snprintf(name, sizeof(name), "ng%d", i);
        s.name = name;
        s.type = "inf2.xlarge";
        s.max_nodes = max_nodes;
        ck_assert_msg(ncg_cluster_add_nodegroup(cl, cat, &s, &e) >= 0, "%s", e.message);
    }
}

/* A nodegroup "big" of inf2.xlarge with n nodes, each with one allocation. */
static void add_big_nodegroup(ctx *c, int n)
{
    ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
    ncg_request r = req_default();
    r.neuroncores = 1;
    s.name = "big";
    s.type = "inf2.xlarge";
    s.max_nodes = 1000;
    ck_assert_int_ge(ncg_cluster_add_nodegroup(c->f.cl, c->f.cat, &s, NULL), 0);
    for (int i = 0; i < n; i++) {
        char name[32];
        ncg_placement p = NCG_INIT(ncg_placement);
        const char *const groups[] = {"big"};
        snprintf(name, sizeof(name), "big-node-%d", i);
        ck_assert_int_ge(ncg_cluster_add_node(c->f.cl, name, "big", NULL), 0);
        ck_assert_int_eq(ncg_cluster_place(c->f.cl, &r, groups, 1, &p, NULL), 0);
    }
}

/* ---- preparations ---- */

static void prep_types(ctx *c)
{
    add_test_types(c->f.cat, c->param);
}

static void prep_trn_allocs(ctx *c)
{
    ncg_request r = req_default();
    ncg_alloc a = NCG_INIT(ncg_alloc);
    r.cpu_milli = 10;
    for (int i = 0; i < c->param; i++)
        ck_assert_int_eq(ncg_node_allocate(c->f.trnnode, &r, &a, NULL), 0);
}

static void prep_nodegroups(ctx *c)
{
    add_nodegroups(c->f.cl, c->f.cat, c->param, 2);
}

/* An UltraServer "u1" of four trn2u.48xlarge servers (param: how many of them are in it). */
static void prep_ultra(ctx *c)
{
    static const char *const names[] = {"u-0", "u-1", "u-2", "u-3"};
    ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
    s.name = "us";
    s.type = "trn2u.48xlarge";
    s.max_nodes = 4;
    ck_assert_int_ge(ncg_cluster_add_nodegroup(c->f.cl, c->f.cat, &s, NULL), 0);
    for (int p = 0; p < 4; p++) {
        ck_assert_int_ge(ncg_cluster_add_node(c->f.cl, names[p], "us", NULL), 0);
        if (p < c->param)
            ck_assert_int_eq(ncg_cluster_set_node_ultraserver(c->f.cl, names[p], "u1", p, NULL), 0);
    }
}

static void prep_big(ctx *c)
{
    add_big_nodegroup(c, c->param);
}

static void prep_apis(ctx *c)
{
    for (int i = 0; i < c->param; i++) {
        char name[32];
        ncg_api_spec s = NCG_INIT(ncg_api_spec);
        ncg_request r = req_default();
        r.cpu_milli = 100;
        snprintf(name, sizeof(name), "extra-%d", i);
        s.name = name;
        s.request = &r;
        s.replicas = 1;
        ck_assert_int_ge(ncg_plan_add_api(c->f.plan, &s, NULL), 0);
    }
}

/* A plan that only the exact search proves optimal (test-plan.c, exact_search_finds_and_proves_a_tiny_optimum):
 * one API of 3 CPU / 12Gi and three of 500m / 3Gi on inf1.xlarge, inf1.2xlarge and inf1.6xlarge. */
static void prep_plan_exact(ctx *c)
{
    static const char *const types[] = {"inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge"};
    ncg_cluster *cl = ncg_cluster_new(0, NULL);
    ck_assert_ptr_nonnull(cl);
    for (int g = 0; g < 3; g++) {
        ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
        s.name = types[g];
        s.type = types[g];
        s.max_nodes = 10;
        ck_assert_int_eq(ncg_cluster_add_nodegroup(cl, c->f.cat, &s, NULL), g);
    }
    ncg_plan_free(c->f.plan);
    c->f.plan = ncg_plan_new(cl, 0, NULL);
    ck_assert_ptr_nonnull(c->f.plan);
    ncg_cluster_free(cl);
    for (int i = 0; i < 4; i++) {
        char name[8];
        ncg_api_spec s = NCG_INIT(ncg_api_spec);
        ncg_request r = req_default();
        r.cpu_milli = i == 0 ? 3000 : 500;
        r.memory_bytes = i == 0 ? INT64_C(12) << 30 : INT64_C(3) << 30;
        snprintf(name, sizeof(name), "a%d", i);
        s.name = name;
        s.request = &r;
        s.replicas = 1;
        ck_assert_int_eq(ncg_plan_add_api(c->f.plan, &s, NULL), i);
    }
}

/* A larger plan input: more APIs of every kind, min_nodes, a max_per_node, one API that never fits (param 1); the
 * exact search's plan (param 2). */
static void prep_plan_large(ctx *c)
{
    static const char *const trn_inf[] = {"trn", "inf"};
    ncg_request r;
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    if (c->param == 0)
        return;
    if (c->param == 2) {
        prep_plan_exact(c);
        return;
    }
    r = models_request(0, 2);
    r.neuroncores = 4;
    s.name = "cores";
    s.request = &r;
    s.replicas = 5;
    ck_assert_int_ge(ncg_plan_add_api(c->f.plan, &s, NULL), 0);
    r = req_default();
    r.inf = 4;
    r.ppr = 4;
    r.cpu_milli = 4000;
    s = (ncg_api_spec)NCG_INIT(ncg_api_spec);
    s.name = "big";
    s.request = &r;
    s.replicas = 3;
    s.nodegroups = trn_inf;
    s.nodegroup_count = 2;
    s.max_per_node = 2;
    ck_assert_int_ge(ncg_plan_add_api(c->f.plan, &s, NULL), 0);
    r = req_default();
    r.inf = 64;
    s = (ncg_api_spec)NCG_INIT(ncg_api_spec);
    s.name = "never";
    s.request = &r;
    s.replicas = 2;
    ck_assert_int_ge(ncg_plan_add_api(c->f.plan, &s, NULL), 0);
}

/* ---- calls: they run with the shim armed, so they call nothing but the library (no ck_assert: check allocates) */

static int call_catalog_new(ctx *c, ncg_error *err)
{
    c->new_cat = ncg_catalog_new(c->param ? NCG_CATALOG_EMPTY : 0, err);
    return c->new_cat ? 0 : err ? err->code : NCG_E_NOMEM;
}

static int call_catalog_set_type_add(ctx *c, ncg_error *err)
{
    ncg_type t = NCG_INIT(ncg_type);
    t.name = "added.test";
    t.family = "a-family-name";
    t.accelerator = NCG_ACCEL_INFERENTIA;
    t.chips = 4;
    t.cores_per_chip = 4;
    t.device_memory_bytes = 8 * GIB;
    t.cpu_milli = 16000;
    t.memory_bytes = 64 * GIB;
    t.topology = NCG_TOPOLOGY_RING;
    t.has_price = 1;
    t.usd_per_hour = 1.25;
    return ncg_catalog_set_type(c->f.cat, &t, err);
}

static void prep_replace(ctx *c)
{
    prep_types(c);
    c->type = (ncg_type)NCG_INIT(ncg_type);
    ck_assert_int_ge(ncg_catalog_find_type(c->f.cat, "inf1.6xlarge", &c->type, NULL), 0);
}

static int call_catalog_set_type_replace(ctx *c, ncg_error *err)
{
    ncg_type t = c->type;
    t.name = "inf1.6xlarge";
    t.family = "replaced-family";
    t.hugepages_bytes = GIB;
    return ncg_catalog_set_type(c->f.cat, &t, err);
}

static int call_catalog_remove_type(ctx *c, ncg_error *err)
{
    return ncg_catalog_remove_type(c->f.cat, "inf2.xlarge", err);
}

static int call_catalog_set_price(ctx *c, ncg_error *err)
{
    return ncg_catalog_set_price(c->f.cat, "trn2.48xlarge", 1, 30.5, err);
}

static int call_catalog_set_reserve(ctx *c, ncg_error *err)
{
    ncg_reserve r = NCG_INIT(ncg_reserve);
    r.cpu_milli = 500;
    r.memory_bytes = GIB;
    r.runtime_bytes_per_core = 64 * MIB;
    return ncg_catalog_set_reserve(c->f.cat, &r, err);
}

static int call_catalog_get_type(ctx *c, ncg_error *err)
{
    return ncg_catalog_get_type(c->f.cat, 3, &c->o.type, err);
}

static int call_catalog_getters(ctx *c, ncg_error *err)
{
    int rc = ncg_catalog_get_reserve(c->f.cat, &c->o.reserve, err);
    if (rc >= 0)
        rc = ncg_catalog_get_usable(c->f.cat, "hp.test", &c->o.i64[0], &c->o.i64[1], err);
    if (rc >= 0)
        rc = ncg_catalog_find_type(c->f.cat, "gpu.test", &c->o.type, err);
    if (rc >= 0)
        rc = ncg_catalog_type_count(c->f.cat);
    return rc;
}

static int call_node_new(ctx *c, ncg_error *err)
{
    c->new_node = ncg_node_new(c->f.cat, "trn2.48xlarge", 0, err);
    return c->new_node ? 0 : err ? err->code : NCG_E_NOMEM;
}

static int call_node_clone(ctx *c, ncg_error *err)
{
    c->new_node = ncg_node_clone(c->f.node, err);
    return c->new_node ? 0 : err ? err->code : NCG_E_NOMEM;
}

static int call_node_allocate(ctx *c, ncg_error *err)
{
    ncg_request r = models_request(4, 2);
    return ncg_node_allocate(c->f.trnnode, &r, &c->o.alloc, err);
}

static int call_node_allocate_cores(ctx *c, ncg_error *err)
{
    ncg_request r = models_request(0, 2);
    r.neuroncores = 2;
    return ncg_node_allocate(c->f.node, &r, &c->o.alloc, err);
}

static int call_node_adopt(ctx *c, ncg_error *err)
{
    const char *const cores[] = {"16", "17-19"};
    ncg_request r = models_request(0, 1);
    return ncg_node_adopt(c->f.trnnode, &r, "8-9", cores, 2, &c->o.alloc, err);
}

static int call_node_release(ctx *c, ncg_error *err)
{
    return ncg_node_release(c->f.node, c->f.id_whole, err);
}

static int call_node_set_policy(ctx *c, ncg_error *err)
{
    return ncg_node_set_policy(c->f.node, NCG_POLICY_FIRST_FIT, err);
}

static int call_node_check(ctx *c, ncg_error *err)
{
    ncg_request r = models_request(2, 1);
    return ncg_node_check(c->f.trnnode, &r, err);
}

static int call_node_getters(ctx *c, ncg_error *err)
{
    int rc = ncg_node_get_alloc_ids(c->f.node, c->o.ids, ARENA_N, err);
    if (rc >= 0)
        rc = ncg_node_get_core_groups(c->f.node, c->f.id_adopted, c->o.groups, ARENA_N, err);
    if (rc >= 0)
        rc = ncg_node_get_core_group_cache(c->f.node, c->f.id_adopted, 1, &c->o.cgc, c->o.refs, ARENA_N, err);
    if (rc >= 0)
        rc = ncg_node_get_env(c->f.node, c->f.id_adopted, 1, &c->o.env, err);
    if (rc >= 0)
        rc = ncg_node_get_chip_cache(c->f.node, 3, &c->o.chip, err);
    if (rc >= 0)
        rc = ncg_node_get_status(c->f.node, &c->o.status, err);
    if (rc >= 0)
        rc = ncg_node_get_alloc(c->f.node, c->f.id_whole, &c->o.alloc, err);
    return rc;
}

static int call_cluster_new(ctx *c, ncg_error *err)
{
    c->new_cl = ncg_cluster_new(0, err);
    return c->new_cl ? 0 : err ? err->code : NCG_E_NOMEM;
}

static int call_cluster_clone(ctx *c, ncg_error *err)
{
    c->new_cl = ncg_cluster_clone(c->f.cl, err);
    return c->new_cl ? 0 : err ? err->code : NCG_E_NOMEM;
}

static int call_cluster_add_nodegroup(ctx *c, ncg_error *err)
{
    ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
    s.name = "added";
    s.type = "trn1n.32xlarge";
    s.min_nodes = 1;
    s.max_nodes = 4;
    s.has_price = 1;
    s.usd_per_hour = 9.75;
    return ncg_cluster_add_nodegroup(c->f.cl, c->f.cat, &s, err);
}

static int call_cluster_add_node(ctx *c, ncg_error *err)
{
    return ncg_cluster_add_node(c->f.cl, "added-node", "inf", err);
}

static int call_cluster_add_node_big(ctx *c, ncg_error *err)
{
    return ncg_cluster_add_node(c->f.cl, c->f.max_name, "big", err);
}

static int call_cluster_add_node_generated(ctx *c, ncg_error *err)
{
    return ncg_cluster_add_node(c->f.cl, NULL, "big", err);
}

static int call_cluster_remove_node(ctx *c, ncg_error *err)
{
    return ncg_cluster_remove_node(c->f.cl, "a", err);
}

static int call_cluster_place(ctx *c, ncg_error *err)
{
    const char *const groups[] = {"trn", "inf"};
    ncg_request r = models_request(1, 1);
    return ncg_cluster_place(c->f.cl, &r, groups, 2, &c->o.place, err);
}

static int call_cluster_place_all(ctx *c, ncg_error *err)
{
    ncg_request r = req_default();
    r.neuroncores = 1;
    return ncg_cluster_place(c->f.cl, &r, NULL, 0, &c->o.place, err);
}

static int call_cluster_place_full(ctx *c, ncg_error *err)
{
    const char *const groups[] = {"inf", "small"};
    ncg_request r = req_default();
    r.inf = 4;
    return ncg_cluster_place(c->f.cl, &r, groups, 2, &c->o.place, err);
}

static int untouched(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != PATTERN)
            return 0;
    return 1;
}

/* Print a string an output points to, and clear the pointer, which differs from run to run. */
static void out_string(sbuf *b, const char *label, const char **p)
{
    if (untouched(p, sizeof(*p)))
        return;
    sb_printf(b, "%s=%s\n", label, *p ? *p : "(null)");
    *p = NULL;
}

static void out_place(ctx *c, sbuf *b)
{
    out_string(b, "placement.node", &c->o.place.node);
}

static void out_types(ctx *c, sbuf *b)
{
    out_string(b, "type.name", &c->o.type.name);
    out_string(b, "type.family", &c->o.type.family);
    out_string(b, "nodegroup.name", &c->o.ng.name);
    out_string(b, "nodegroup.type", &c->o.ng.type);
}

static int call_cluster_adopt(ctx *c, ncg_error *err)
{
    const char *const cores[] = {"0-2", "3", "4-7"};
    ncg_request r = models_request(0, 1);
    return ncg_cluster_adopt(c->f.cl, "trn-1", &r, "0-3", cores, 3, &c->o.alloc, err);
}

static int call_cluster_place_ultraserver(ctx *c, ncg_error *err)
{
    ncg_request r;
    ncg_request_init(&r);
    r.inf = 16;
    if (c->param == 4) { /* the whole UltraServer: four placements, each of which may fail */
        ncg_placement pl[4] = {NCG_INIT(ncg_placement), NCG_INIT(ncg_placement), NCG_INIT(ncg_placement),
                               NCG_INIT(ncg_placement)};
        return ncg_cluster_place_ultraserver(c->f.cl, &r, 4, NULL, 0, pl, 4, err);
    }
    return ncg_cluster_place_ultraserver(c->f.cl, &r, 1, NULL, 0, &c->o.place, 1, err);
}

static int call_cluster_set_node_ultraserver(ctx *c, ncg_error *err)
{
    return ncg_cluster_set_node_ultraserver(c->f.cl, "u-3", "u2", 3, err);
}

static int call_cluster_release(ctx *c, ncg_error *err)
{
    return ncg_cluster_release(c->f.cl, "a", c->f.cl_id_a, err);
}

static int call_cluster_dump(ctx *c, ncg_error *err)
{
    return ncg_cluster_dump(c->f.cl, c->o.buf, sizeof(c->o.buf), err);
}

static int call_cluster_restore(ctx *c, ncg_error *err)
{
    c->new_cl = ncg_cluster_restore(c->f.dump, 0, err);
    return c->new_cl ? 0 : err ? err->code : NCG_E_NOMEM;
}

static void prep_restore_big(ctx *c)
{
    int len;
    add_big_nodegroup(c, c->param);
    free(c->f.dump);
    len = ncg_cluster_dump(c->f.cl, NULL, 0, NULL);
    ck_assert_int_gt(len, 0);
    c->f.dump = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(c->f.dump);
    ck_assert_int_eq(ncg_cluster_dump(c->f.cl, c->f.dump, (size_t)len + 1, NULL), len);
    /* only the text is needed: not snapshotting the cluster it came from keeps the many iterations quick */
    c->f.cl = ncg_cluster_free(c->f.cl);
}

static int call_cluster_getters(ctx *c, ncg_error *err)
{
    int rc = ncg_cluster_get_nodegroup(c->f.cl, 1, &c->o.ng, &c->o.type, err);
    if (rc >= 0)
        rc = ncg_cluster_find_node(c->f.cl, "t1", err);
    if (rc >= 0)
        rc = ncg_cluster_get_node(c->f.cl, 2, NULL, NULL, &c->o.i[0], err);
    return rc;
}

static int call_cluster_defrag(ctx *c, ncg_error *err)
{
    return ncg_cluster_defrag(c->f.cl, 2, c->param ? NULL : "inf", c->o.moves, ARENA_N, &c->o.name, err);
}

static int call_cluster_defrag_full(ctx *c, ncg_error *err)
{
    return ncg_cluster_defrag(c->f.cl, 4, "inf", c->o.moves, ARENA_N, &c->o.name, err);
}

static void out_moves(ctx *c, sbuf *b)
{
    out_string(b, "defrag node", &c->o.name);
    for (int i = 0; i < ARENA_N; i++) {
        out_string(b, "move from", &c->o.moves[i].from);
        out_string(b, "move to", &c->o.moves[i].to);
    }
}

static int call_plan_new(ctx *c, ncg_error *err)
{
    c->new_plan = ncg_plan_new(c->f.cl, 0, err);
    return c->new_plan ? 0 : err ? err->code : NCG_E_NOMEM;
}

static int call_plan_add_api(ctx *c, ncg_error *err)
{
    static const char *const groups[] = {"trn", "inf", "small"};
    ncg_request r = models_request(1, 2);
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    s.name = "added api with a long name and spaces";
    s.request = &r;
    s.replicas = 4;
    s.nodegroups = groups;
    s.nodegroup_count = 3;
    s.max_per_node = 3;
    return ncg_plan_add_api(c->f.plan, &s, err);
}

static int call_plan_solve(ctx *c, ncg_error *err)
{
    return ncg_plan_solve(c->f.plan, err);
}

static int call_plan_headroom(ctx *c, ncg_error *err)
{
    return ncg_plan_get_headroom(c->f.solved, c->param, err);
}

static int call_plan_getters(ctx *c, ncg_error *err)
{
    int rc = ncg_plan_get_unplaced(c->f.solved, 2, c->o.buf, sizeof(c->o.buf), &c->o.i[0], err);
    if (rc >= 0)
        rc = ncg_plan_get_summary(c->f.solved, &c->o.sum, err);
    if (rc >= 0) /* the timings differ between any two runs */
        c->o.sum.solve_seconds = c->o.sum.generation_seconds = c->o.sum.rounding_seconds =
            c->o.sum.packing_seconds = 0;
    if (rc >= 0)
        rc = ncg_plan_get_replica(c->f.solved, 1, &c->o.rep, err);
    return rc;
}

static int call_request_check(ctx *c, ncg_error *err)
{
    ncg_request r = models_request(2, 2);
    return ncg_request_check(c->f.cat, c->param ? "inf2.24xlarge" : NULL, &r, err);
}

static int call_request_check_failing(ctx *c, ncg_error *err)
{
    ncg_request r = req_default();
    r.inf = 3;
    r.ppr = 7;
    return ncg_request_check(c->f.cat, NULL, &r, err);
}

static int call_request_advice(ctx *c, ncg_error *err)
{
    ncg_model m[3] = {
        {sizeof(ncg_model), "small-compile", GIB, 1, 0},
        {sizeof(ncg_model), "huge", 40 * GIB, 0, 1},
        {sizeof(ncg_model), "other", 2 * GIB, 2, 0},
    };
    ncg_request r = req_default();
    r.inf = 1;
    r.models = m;
    r.model_count = 3;
    return ncg_request_advice(c->f.cat, "inf2.xlarge", &r, c->o.buf, sizeof(c->o.buf), &c->o.i[0], err);
}

static int call_request_layout(ctx *c, ncg_error *err)
{
    ncg_request r = models_request(4, 8);
    return ncg_request_layout(c->f.cat, "inf1.6xlarge", &r, c->o.groups, ARENA_N, err);
}

static int call_strings(ctx *c, ncg_error *err)
{
    int rc = ncg_format_memory(INT64_C(7331643392), c->o.buf, sizeof(c->o.buf), err);
    if (rc >= 0)
        rc = ncg_format_cpu(2500, c->o.buf + 100, 100, err);
    if (rc >= 0)
        rc = ncg_format_ids(3, 40, 0, c->o.buf + 200, 1000, err);
    if (rc >= 0)
        rc = ncg_parse_core_group_sizes("2,4,6,4", c->o.sizes, ARENA_N, err);
    if (rc >= 0)
        rc = ncg_parse_memory("1.5Gi", &c->o.i64[0], err);
    if (rc >= 0)
        rc = ncg_parse_cpu("250m", &c->o.i64[1], err);
    if (rc >= 0)
        rc = ncg_parse_visible_cores("3-5,6", 16, &c->o.i[0], &c->o.i[1], err);
    if (rc >= 0)
        rc = ncg_parse_visible_devices("2,3", 16, &c->o.i[2], &c->o.i[3], err);
    if (rc >= 0)
        rc = ncg_ppr_values(720, c->o.vals, ARENA_N, err);
    if (rc >= 0)
        rc = ncg_ppr_check(NCG_ACCEL_TRAINIUM, 2, 16, 8, err);
    return rc;
}

static int call_node_score_rank(ctx *c, ncg_error *err)
{
    ncg_node_score s[5];
    for (int i = 0; i < 5; i++) {
        s[i] = (ncg_node_score)NCG_INIT(ncg_node_score);
        s[i].priority = i % 2;
        s[i].leftover = 5 - i;
    }
    return ncg_node_score_rank(s, 5, c->o.i, err);
}

/* ---- the table ---- */

/* the param columns of a scenario: a range, or a sweep over counts[] */
#define RANGE(from, to) (from), (to), 0
#define SWEEP(base) -1, -1, (base)
#define CAT FX_CAT
#define NODE FX_NODE
#define CL FX_CLUSTER
#define PLAN FX_PLAN
#define SOLVED FX_SOLVED

static const scenario scenarios[] = {
    {"catalog_new", CAT, RANGE(0, 1), NULL, call_catalog_new, NULL},
    {"catalog_set_type_add", CAT, SWEEP(15), prep_types, call_catalog_set_type_add, NULL},
    {"catalog_set_type_replace", CAT, RANGE(0, 1), prep_replace, call_catalog_set_type_replace, NULL},
    {"catalog_remove_type", CAT, RANGE(0, 0), NULL, call_catalog_remove_type, NULL},
    {"catalog_set_price", CAT, RANGE(0, 0), NULL, call_catalog_set_price, NULL},
    {"catalog_set_reserve", CAT, RANGE(0, 0), NULL, call_catalog_set_reserve, NULL},
    {"catalog_get_type", CAT, RANGE(0, 0), NULL, call_catalog_get_type, out_types},
    {"catalog_getters", CAT, RANGE(0, 0), NULL, call_catalog_getters, out_types},
    {"node_new", CAT, RANGE(0, 0), NULL, call_node_new, NULL},
    {"node_clone", NODE, RANGE(0, 0), NULL, call_node_clone, NULL},
    {"node_allocate", NODE, SWEEP(1), prep_trn_allocs, call_node_allocate, NULL},
    {"node_allocate_cores", NODE, RANGE(0, 0), NULL, call_node_allocate_cores, NULL},
    {"node_adopt", NODE, SWEEP(1), prep_trn_allocs, call_node_adopt, NULL},
    {"node_release", NODE, RANGE(0, 0), NULL, call_node_release, NULL},
    {"node_set_policy", NODE, RANGE(0, 0), NULL, call_node_set_policy, NULL},
    {"node_check", NODE, RANGE(0, 0), NULL, call_node_check, NULL},
    {"node_getters", NODE, RANGE(0, 0), NULL, call_node_getters, NULL},
    {"cluster_new", CAT, RANGE(0, 0), NULL, call_cluster_new, NULL},
    {"cluster_clone", CL, RANGE(0, 0), NULL, call_cluster_clone, NULL},
    {"cluster_add_nodegroup", CL, SWEEP(3), prep_nodegroups, call_cluster_add_nodegroup, NULL},
    {"cluster_add_node", CL, RANGE(0, 0), NULL, call_cluster_add_node, NULL},
    {"cluster_add_node_many", CL, SWEEP(5), prep_big, call_cluster_add_node_big, NULL},
    {"cluster_add_node_generated", CL, RANGE(0, 3), prep_big, call_cluster_add_node_generated, NULL},
    {"cluster_remove_node", CL, RANGE(0, 0), NULL, call_cluster_remove_node, NULL},
    {"cluster_place", CL, RANGE(0, 0), NULL, call_cluster_place, out_place},
    {"cluster_place_many_nodegroups", CL, RANGE(60, 70), prep_nodegroups, call_cluster_place_all, out_place},
    {"cluster_place_full", CL, RANGE(0, 0), NULL, call_cluster_place_full, out_place},
    {"cluster_adopt", CL, RANGE(0, 0), NULL, call_cluster_adopt, NULL},
    {"cluster_release", CL, RANGE(0, 0), NULL, call_cluster_release, NULL},
    {"cluster_place_ultraserver", CL, RANGE(1, 4), prep_ultra, call_cluster_place_ultraserver, out_place},
    {"cluster_set_node_ultraserver", CL, RANGE(3, 3), prep_ultra, call_cluster_set_node_ultraserver, NULL},
    {"cluster_dump", CL, RANGE(0, 0), NULL, call_cluster_dump, NULL},
    {"cluster_restore", CL, RANGE(0, 0), NULL, call_cluster_restore, NULL},
    {"cluster_restore_big", CL, RANGE(40, 40), prep_restore_big, call_cluster_restore, NULL},
    {"cluster_getters", CL, RANGE(0, 0), NULL, call_cluster_getters, out_types},
    {"cluster_defrag", CL, RANGE(0, 1), NULL, call_cluster_defrag, out_moves},
    {"cluster_defrag_full", CL, RANGE(0, 0), NULL, call_cluster_defrag_full, out_moves},
    {"plan_new", CL, RANGE(0, 0), NULL, call_plan_new, NULL},
    {"plan_add_api", PLAN, SWEEP(2), prep_apis, call_plan_add_api, NULL},
    {"plan_solve", PLAN, RANGE(0, 2), prep_plan_large, call_plan_solve, NULL},
    {"plan_get_headroom", SOLVED, RANGE(0, 2), NULL, call_plan_headroom, NULL},
    {"plan_getters", SOLVED, RANGE(0, 0), NULL, call_plan_getters, NULL},
    {"request_check", CAT, RANGE(0, 1), NULL, call_request_check, NULL},
    {"request_check_failing", CAT, RANGE(0, 0), NULL, call_request_check_failing, NULL},
    {"request_advice", CAT, RANGE(0, 0), NULL, call_request_advice, NULL},
    {"request_layout", CAT, RANGE(0, 0), NULL, call_request_layout, NULL},
    {"strings", 0, RANGE(0, 0), NULL, call_strings, NULL},
    {"node_score_rank", 0, RANGE(0, 0), NULL, call_node_score_rank, NULL},
};
#define SCENARIO_COUNT (sizeof(scenarios) / sizeof(scenarios[0]))

/* Sizes of interest for a growing array: around every power of two and 1.5 times one, up to 65. A SWEEP scenario
 * prepares `count - base` more elements (of the array the call grows) than the fixture has, for each count. */
static const int counts[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49,
                             63, 64, 65};

/* Every (scenario, param) pair, numbered for the loop test. */
typedef struct job {
    const scenario *s;
    int param;
} job;
static job jobs[4096];
static int job_count;

/* ---- running one scenario ---- */

static void ctx_build(ctx *c, const scenario *s, int param)
{
    memset(c, 0, sizeof(*c));
    c->param = param;
    fx_build(&c->f, s->parts | FX_CAT);
    if (s->prep)
        s->prep(c);
    outs_fill(&c->o);
}

static void ctx_free(ctx *c)
{
    ncg_catalog_free(c->new_cat);
    ncg_node_free(c->new_node);
    ncg_cluster_free(c->new_cl);
    ncg_plan_free(c->new_plan);
    fx_free(&c->f);
}

static uint64_t fnv(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}

/* Everything a call produced: return value, error, handles, new handles, outputs. */
static char *describe(ctx *c, const scenario *s, int rc, const ncg_error *err)
{
    sbuf b = {0};
    char *t;
    sb_printf(&b, "rc %d\n", rc);
    if (rc < 0)
        sb_printf(&b, "error %d %s\n", err->code, err->message);
    t = fx_snap(&c->f);
    sb_printf(&b, "%s", t);
    free(t);
#define NEW(label, fn, h)                                                                                         \
    if (h) {                                                                                                      \
        t = fn(h);                                                                                                \
        sb_printf(&b, "== new %s\n%s\n", label, t);                                                               \
        free(t);                                                                                                  \
    }
    NEW("catalog", snap_catalog, c->new_cat)
    NEW("node", snap_node, c->new_node)
    NEW("cluster", snap_cluster, c->new_cl)
    NEW("plan", snap_plan, c->new_plan)
#undef NEW
    if (s->outputs)
        s->outputs(c, &b);
    sb_printf(&b, "outputs %016" PRIx64 "\n", fnv(&c->o, sizeof(c->o)));
    return sb_take(&b);
}

static int line_len(const char *s)
{
    size_t n = strcspn(s, "\n");
    return (int)(n < 200 ? n : 200);
}

static void check_same(const char *what, const char *context, const char *want, const char *got)
{
    if (strcmp(want, got) != 0) {
        size_t i = 0, line = 0;
        while (want[i] && want[i] == got[i])
            i++;
        while (line < i && want[i - line - 1] != '\n')
            line++;
        ck_abort_msg("%s: %s; first different line: want \"%.*s\", got \"%.*s\"", context, what, line_len(want + i - line), want + i - line, line_len(got + i - line), got + i - line);
    }
}

START_TEST(nomem)
{
    const scenario *s = jobs[_i].s;
    char name[128], *reference;
    ncg_error err = {0};
    clock_t started;
    long total;
    ctx c;
    int rc;

    snprintf(name, sizeof(name), "%s[%d]", s->name, jobs[_i].param);
    started = clock();

    /* the reference run, counting allocations */
    ctx_build(&c, s, jobs[_i].param);
    failalloc_arm(0);
    rc = s->call(&c, &err);
    total = failalloc_disarm();
    ck_assert_msg(rc != NCG_E_NOMEM, "%s: the reference run failed: %s", name, err.message);
    reference = describe(&c, s, rc, &err);
    ctx_free(&c);

    for (long k = 1;; k++) {
        static outs before;
        ncg_error e, e_before;
        char *snap_before, *got, kname[256];
        int fired;

        ck_assert_msg(k <= total + 1, "%s: %ld allocations, more than the %ld of the reference run", name, k, total);
        ctx_build(&c, s, jobs[_i].param);
        snap_before = fx_snap(&c.f);
        before = c.o;
        memset(&e, PATTERN, sizeof(e));
        e_before = e;

        failalloc_arm(k);
        rc = s->call(&c, &e);
        failalloc_disarm();
        fired = failalloc_fired();

        if (!fired || rc != NCG_E_NOMEM) {
            /* the k-th allocation was not reached, or the library did without it: the reference result */
            if (fired)
                snprintf(kname, sizeof(kname), "%s (allocation %ld failed, the call returned %d)", name, k, rc);
            else
                snprintf(kname, sizeof(kname), "%s (allocation %ld not reached)", name, k);
            if (rc >= 0)
                ck_assert_msg(memcmp(&e, &e_before, sizeof(e)) == 0, "%s: err was written by a successful call",
                              kname);
            got = describe(&c, s, rc, &e);
            check_same("the result differs from the reference run", kname, reference, got);
            free(got);
            free(snap_before);
            ctx_free(&c);
            if (!fired)
                break;
            continue;
        }

        /* NCG_E_NOMEM: nothing changed */
        ck_assert_msg(e.code == NCG_E_NOMEM, "%s, allocation %ld failed: err.code %d", name, k, e.code);
        ck_assert_msg(e.message[0] != '\0' && memchr(e.message, '\0', sizeof(e.message)) != NULL,
                      "%s, allocation %ld failed: no message", name, k);
        ck_assert_msg(!c.new_cat && !c.new_node && !c.new_cl && !c.new_plan,
                      "%s, allocation %ld failed: NCG_E_NOMEM but a handle was returned", name, k);
        if (memcmp(&before, &c.o, sizeof(before)) != 0) {
            const unsigned char *x = (const void *)&before, *y = (const void *)&c.o;
            size_t at = 0;
            while (x[at] == y[at])
                at++;
            ck_abort_msg("%s, allocation %ld failed: an output changed at byte %zu of the arena", name, k, at);
        }
        snprintf(kname, sizeof(kname), "%s (allocation %ld failed)", name, k);
        got = fx_snap(&c.f);
        check_same("a handle changed", kname, snap_before, got);
        free(got);
        free(snap_before);

        /* ... and the same call then works, with the reference result */
        memset(&err, 0, sizeof(err));
        outs_fill(&c.o);
        rc = s->call(&c, &err);
        ck_assert_msg(rc != NCG_E_NOMEM, "%s: NCG_E_NOMEM again after allocation %ld failed: %s", name, k,
                      err.message);
        got = describe(&c, s, rc, &err);
        check_same("repeating the call after the failure gives another result", kname, reference, got);
        free(got);
        ctx_free(&c);
    }
    free(reference);
    if (getenv("NCG_ROBUST_VERBOSE"))
        fprintf(stderr, "%s: %ld allocations, returns %d, %.3f s\n", name, total, rc,
                (double)(clock() - started) / CLOCKS_PER_SEC);
}
END_TEST

/* The shim itself: counts and fails exactly the k-th allocation, of each kind. */
START_TEST(shim_works)
{
    /* volatile: clang removes a malloc whose pointer is only tested and freed, and the shim would see nothing */
    void *volatile p, *volatile q, *volatile r;
    failalloc_arm(0);
    p = malloc(8);
    q = calloc(2, 8);
    r = realloc(NULL, 8);
    ck_assert_int_eq(failalloc_disarm(), 3);
    ck_assert(!failalloc_fired());
    ck_assert(p && q && r);
    free(p);
    free(q);
    free(r);
    for (int k = 1; k <= 3; k++) {
        failalloc_arm(k);
        p = malloc(8);
        q = calloc(2, 8);
        r = realloc(NULL, 8);
        ck_assert_int_eq(failalloc_disarm(), 3);
        ck_assert(failalloc_fired());
        ck_assert((p == NULL) == (k == 1) && (q == NULL) == (k == 2) && (r == NULL) == (k == 3));
        free(p);
        free(q);
        free(r);
    }
}
END_TEST

static Suite *suite_nomem(void)
{
    Suite *s = suite_create("nomem");
    TCase *tc = tcase_create("calls");
    job_count = 0;
    for (size_t i = 0; i < SCENARIO_COUNT; i++) {
        const scenario *sc = &scenarios[i];
        if (sc->param_from < 0) {
            for (size_t n = 0; n < sizeof(counts) / sizeof(counts[0]); n++)
                if (counts[n] >= sc->base)
                    jobs[job_count++] = (job){sc, counts[n] - sc->base};
        } else {
            for (int p = sc->param_from; p <= sc->param_to; p++)
                jobs[job_count++] = (job){sc, p};
        }
        if (job_count > (int)(sizeof(jobs) / sizeof(jobs[0])) - 100)
            abort();
    }
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, shim_works);
    tcase_add_loop_test(tc, nomem, 0, job_count);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite_nomem());
    int failed;
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Fixture, snapshots and output arena of the robustness tests (robust.h). */
#include "robust.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable strings ---- */

void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *s;
        while (b->len + (size_t)n + 1 > cap)
            cap *= 2;
        s = realloc(b->s, cap);
        ck_assert_ptr_nonnull(s);
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *sb_take(sbuf *b)
{
    char *s;
    if (!b->s)
        sb_printf(b, "%s", "");
    s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

/* ---- snapshots ---- */

static void put_type(sbuf *b, const ncg_type *t)
{
    sb_printf(b, "type %s family=%s accel=%d chips=%d cpc=%d phys=%d devmem=%" PRId64 " gpus=%d cpu=%" PRId64
              " mem=%" PRId64 " hp=%" PRId64 " topo=%d has_price=%d price=%a\n",
              t->name ? t->name : "(null)", t->family ? t->family : "(null)", (int)t->accelerator, t->chips,
              t->cores_per_chip, t->physical_cores_per_chip, t->device_memory_bytes, t->gpus, t->cpu_milli,
              t->memory_bytes, t->hugepages_bytes, (int)t->topology, t->has_price, t->usd_per_hour);
}

char *snap_catalog(const ncg_catalog *c)
{
    sbuf b = {0};
    ncg_reserve r = NCG_INIT(ncg_reserve);
    int n = ncg_catalog_type_count(c);
    if (!c) {
        sb_printf(&b, "NULL");
        return sb_take(&b);
    }
    sb_printf(&b, "catalog %d types\n", n);
    for (int i = 0; i < n; i++) {
        ncg_type t = NCG_INIT(ncg_type);
        ck_assert_int_eq(ncg_catalog_get_type(c, i, &t, NULL), 0);
        put_type(&b, &t);
        ck_assert_int_eq(ncg_catalog_find_type(c, t.name, NULL, NULL), i);
        {
            int64_t cpu = -1, mem = -1;
            ck_assert_int_eq(ncg_catalog_get_usable(c, t.name, &cpu, &mem, NULL), 0);
            sb_printf(&b, "  usable %" PRId64 " %" PRId64 "\n", cpu, mem);
        }
    }
    ck_assert_int_eq(ncg_catalog_get_reserve(c, &r, NULL), 0);
    sb_printf(&b, "reserve %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", r.cpu_milli,
              r.memory_bytes, r.plugin_cpu_milli, r.plugin_memory_bytes, r.runtime_bytes_per_core);
    return sb_take(&b);
}

static void put_alloc(sbuf *b, const ncg_alloc *a)
{
    sb_printf(b, "alloc id=%" PRIu64 " whole=%d chips=%d+%d cores=%d+%d ppr=%d ncg=%d cpu=%" PRId64 " mem=%" PRId64
              " hp=%" PRId64 "\n", a->id, a->whole_chips, a->first_chip, a->chip_count, a->first_core,
              a->core_count, a->ppr, a->ncg_size, a->cpu_milli, a->memory_bytes, a->hugepages_bytes);
}

static void put_group(sbuf *b, const ncg_core_group *g)
{
    sb_printf(b, "  ncg p=%d cores=%d+%d chips=%d+%d cache=%" PRId64 "\n", g->process, g->first_core,
              g->core_count, g->first_chip, g->chip_count, g->cache_bytes);
}

static void put_node(sbuf *b, const ncg_node *node)
{
    ncg_node_status st = NCG_INIT(ncg_node_status);
    uint64_t *ids;
    int n;

    if (!node) {
        sb_printf(b, "NULL\n");
        return;
    }
    sb_printf(b, "node type=%s\n", ncg_node_get_type_name(node));
    {
        /* the id the next allocation gets, which only an allocation shows: made on a copy */
        ncg_node *copy = ncg_node_clone(node, NULL);
        ncg_request r = req_default();
        ncg_alloc a = NCG_INIT(ncg_alloc);
        ck_assert_ptr_nonnull(copy);
        r.cpu_milli = 0;
        ck_assert_int_eq(ncg_node_allocate(copy, &r, &a, NULL), 0);
        sb_printf(b, "next id %" PRIu64 "\n", a.id);
        ncg_node_free(copy);
    }
    ck_assert_int_eq(ncg_node_get_status(node, &st, NULL), 0);
    sb_printf(b, "status chips=%d cpc=%d free_mask=%" PRIx64 " free_chips=%d free_cores=%d largest=%d cpu=%" PRId64
              "/%" PRId64 " mem=%" PRId64 "/%" PRId64 " hp=%" PRId64 " allocs=%d policy=%d\n", st.chips,
              st.cores_per_chip, st.free_chip_mask, st.free_chips, st.free_cores, st.largest_window,
              st.cpu_free_milli, st.cpu_usable_milli, st.memory_free_bytes, st.memory_usable_bytes,
              st.hugepages_free_bytes, st.allocations, (int)st.policy);
    for (int chip = 0; chip < st.chips; chip++) {
        ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
        ck_assert_int_eq(ncg_node_get_chip_cache(node, chip, &cc, NULL), 0);
        sb_printf(b, "chip %d cap=%" PRId64 " res=%" PRId64 " used=%" PRId64 " free=%" PRId64 " ncgs=%d\n", cc.chip,
                  cc.capacity_bytes, cc.reserve_bytes, cc.used_bytes, cc.free_bytes, cc.core_groups);
    }
    n = ncg_node_get_alloc_ids(node, NULL, 0, NULL);
    ck_assert_int_ge(n, 0);
    ck_assert_int_eq(n, st.allocations);
    ids = calloc((size_t)n + 1, sizeof(*ids));
    ck_assert_ptr_nonnull(ids);
    ck_assert_int_eq(ncg_node_get_alloc_ids(node, ids, (size_t)n, NULL), n);
    for (int i = 0; i < n; i++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        int groups;
        ck_assert_int_eq(ncg_node_get_alloc(node, ids[i], &a, NULL), 0);
        put_alloc(b, &a);
        groups = ncg_node_get_core_groups(node, ids[i], NULL, 0, NULL);
        ck_assert_int_ge(groups, 0);
        for (int p = 0; p < groups; p++) {
            ncg_core_group g[NCG_MAX_CORES];
            ncg_env e = NCG_INIT(ncg_env);
            ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
            ncg_core_group_ref refs[64];
            int shares;
            ck_assert_int_eq(ncg_node_get_core_groups(node, ids[i], g, NCG_MAX_CORES, NULL), groups);
            put_group(b, &g[p]);
            ck_assert_int_eq(ncg_node_get_env(node, ids[i], p, &e, NULL), 0);
            sb_printf(b, "  env cores=%s sizes=%s devices=%s\n", e.visible_cores, e.core_group_sizes,
                      e.visible_devices);
            shares = ncg_node_get_core_group_cache(node, ids[i], p, &gc, refs, 64, NULL);
            ck_assert_int_ge(shares, 0);
            sb_printf(b, "  cache reach=%" PRId64 " share=%" PRId64 " need=%" PRId64 " with=%d state=%d:",
                      gc.reachable_bytes, gc.share_bytes, gc.need_bytes, gc.shared_with, (int)gc.state);
            for (int s = 0; s < shares && s < 64; s++)
                sb_printf(b, " %" PRIu64 "/%d", refs[s].alloc_id, refs[s].process);
            sb_printf(b, "\n");
        }
    }
    free(ids);
}

char *snap_node(const ncg_node *node)
{
    sbuf b = {0};
    put_node(&b, node);
    return sb_take(&b);
}

static void put_cluster(sbuf *b, const ncg_cluster *c)
{
    int len, groups, nodes;
    char *text;

    if (!c) {
        sb_printf(b, "NULL\n");
        return;
    }
    len = ncg_cluster_dump(c, NULL, 0, NULL);
    ck_assert_int_ge(len, 0);
    text = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(ncg_cluster_dump(c, text, (size_t)len + 1, NULL), len);
    sb_printf(b, "%s", text);
    free(text);
    groups = ncg_cluster_nodegroup_count(c);
    for (int g = 0; g < groups; g++) {
        ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
        ncg_type t = NCG_INIT(ncg_type);
        ck_assert_int_eq(ncg_cluster_get_nodegroup(c, g, &s, &t, NULL), 0);
        sb_printf(b, "nodegroup %d %s %s %d..%d has_price=%d price=%a\n", g, s.name, s.type, s.min_nodes,
                  s.max_nodes, s.has_price, s.usd_per_hour);
        put_type(b, &t);
    }
    nodes = ncg_cluster_node_count(c);
    for (int i = 0; i < nodes; i++) {
        const ncg_node *n = NULL;
        const char *name = NULL;
        int g = -1;
        ck_assert_int_eq(ncg_cluster_get_node(c, i, &n, &name, &g, NULL), 0);
        ck_assert_int_eq(ncg_cluster_find_node(c, name, NULL), i);
        sb_printf(b, "cluster node %d %s nodegroup %d\n", i, name, g);
        put_node(b, n);
    }
}

char *snap_cluster(const ncg_cluster *c)
{
    sbuf b = {0};
    put_cluster(&b, c);
    return sb_take(&b);
}

char *snap_plan(const ncg_plan *p)
{
    sbuf b = {0};
    ncg_plan_summary s = NCG_INIT(ncg_plan_summary);
    int apis = ncg_plan_api_count(p), replicas;

    if (!p) {
        sb_printf(&b, "NULL");
        return sb_take(&b);
    }
    sb_printf(&b, "plan %d apis\n", apis);
    for (int a = 0; a < apis; a++)
        sb_printf(&b, "api %d %s\n", a, ncg_plan_get_api_name(p, a));
    put_cluster(&b, ncg_plan_get_cluster(p));
    replicas = ncg_plan_replica_count(p);
    sb_printf(&b, "replicas %d\n", replicas);
    if (ncg_plan_get_summary(p, &s, NULL) != 0) {
        sb_printf(&b, "unsolved\n");
        return sb_take(&b);
    }
    sb_printf(&b, "summary price=%a bound=%a gap=%a nodes=%d new=%d replicas=%d placed=%d unplaced=%d unpriced=%d "
              "chips=%" PRId64 "/%" PRId64 " cpu=%" PRId64 "/%" PRId64 " mem=%" PRId64 "/%" PRId64 "\n",
              s.price_per_hour, s.lower_bound_per_hour, s.gap, s.nodes, s.new_nodes, s.replicas, s.placed,
              s.unplaced, s.unpriced_nodes, s.chips_used, s.chips_total, s.cpu_used_milli, s.cpu_total_milli,
              s.memory_used_bytes, s.memory_total_bytes);
    for (int i = 0; i < replicas; i++) {
        ncg_plan_replica r = NCG_INIT(ncg_plan_replica);
        ck_assert_int_eq(ncg_plan_get_replica(p, i, &r, NULL), 0);
        sb_printf(&b, "replica %d api=%d #%d node=%d alloc=%" PRIu64 "\n", i, r.api, r.replica, r.node, r.alloc_id);
    }
    for (int a = 0; a < apis; a++) {
        char reason[4096];
        int unplaced = -1, len = ncg_plan_get_unplaced(p, a, reason, sizeof(reason), &unplaced, NULL);
        ck_assert_int_ge(len, 0);
        ck_assert_int_lt(len, (int)sizeof(reason));
        sb_printf(&b, "unplaced %d: %d \"%s\"\n", a, unplaced, reason);
        sb_printf(&b, "headroom %d: %d\n", a, ncg_plan_get_headroom(p, a, NULL));
    }
    return sb_take(&b);
}

/* ---- output arena ---- */

void outs_fill(outs *o)
{
    memset(o, PATTERN, sizeof(*o));
#define SET_SIZES(type, name)                                                                                     \
    o->name.size = (uint32_t)sizeof(type);                                                                        \
    o->name##_zero.size = 0;                                                                                      \
    o->name##_short.size = (uint32_t)FIRST_VERSION_SIZE(type) - 1;
    SIZED_OUTPUTS(SET_SIZES)
#undef SET_SIZES
    /* grown in 2.1: "short" is one byte below its 2.0 size, which the library still accepts */
    o->sum_short.size = (uint32_t)NCG_PLAN_SUMMARY_V20_SIZE - 1;
    for (int i = 0; i < 2; i++) {
        o->score[i].size = (uint32_t)sizeof(ncg_node_score);
        o->score_zero[i].size = 0;
    }
}

/* ---- fixture ---- */

ncg_request req_default(void)
{
    ncg_request r;
    ncg_request_init(&r);
    return r;
}

static void add_type(ncg_catalog *c, const char *name, ncg_accel accel, int chips, int cpc, int64_t devmem,
                     int gpus, int64_t hugepages, ncg_topology topo, int has_price, double price)
{
    ncg_type t = NCG_INIT(ncg_type);
    t.name = name;
    t.family = "test";
    t.accelerator = accel;
    t.chips = chips;
    t.cores_per_chip = cpc;
    t.device_memory_bytes = devmem;
    t.gpus = gpus;
    t.cpu_milli = 8000;
    t.memory_bytes = 32 * GIB;
    t.hugepages_bytes = hugepages;
    t.topology = topo;
    t.has_price = has_price;
    t.usd_per_hour = price;
    ck_assert_int_ge(ncg_catalog_set_type(c, &t, NULL), 0);
}

static void build_catalog(fx *f)
{
    ncg_error e = {0};
    f->cat = ncg_catalog_new(0, &e);
    ck_assert_msg(f->cat != NULL, "%s", e.message);
    add_type(f->cat, "cpu.test", NCG_ACCEL_NONE, 0, 0, 0, 0, 0, NCG_TOPOLOGY_SINGLE, 1, 0.1);
    add_type(f->cat, "hp.test", NCG_ACCEL_INFERENTIA, 1, 2, 16 * GIB, 0, GIB, NCG_TOPOLOGY_SINGLE, 0, 0);
    add_type(f->cat, "gpu.test", NCG_ACCEL_GPU, 0, 0, 0, 4, 0, NCG_TOPOLOGY_SINGLE, 1, 3.0);
}

static const ncg_model model_m1[1] = {{sizeof(ncg_model), "m1", GIB, 2, 0}};
static const ncg_model model_pinned[1] = {{sizeof(ncg_model), "pinned", 256 * MIB, 1, 1}};

static uint64_t must_alloc(ncg_node *node, const ncg_request *r)
{
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_error e = {0};
    ck_assert_msg(ncg_node_allocate(node, r, &a, &e) == 0, "fixture allocate: %s", e.message);
    return a.id;
}

static void build_nodes(fx *f)
{
    ncg_error e = {0};
    ncg_request r;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    const char *cores[] = {"12", "13-15"};

    f->node = ncg_node_new(f->cat, "inf1.6xlarge", 0, &e);
    ck_assert_msg(f->node != NULL, "%s", e.message);
    r = req_default();
    r.inf = 2;
    r.ppr = 2;
    r.cpu_milli = 1000;
    r.memory_bytes = GIB;
    r.models = model_m1;
    r.model_count = 1;
    f->id_whole = must_alloc(f->node, &r);
    r = req_default();
    r.neuroncores = 2;
    r.cpu_milli = 500;
    f->id_cores = must_alloc(f->node, &r);
    r = req_default();
    r.cpu_milli = 300;
    f->id_cpu = must_alloc(f->node, &r);
    r = req_default();
    r.memory_bytes = 512 * MIB;
    r.models = model_pinned;
    r.model_count = 1;
    ck_assert_msg(ncg_node_adopt(f->node, &r, "3", cores, 2, &a, &e) == 0, "fixture adopt: %s", e.message);
    f->id_adopted = a.id;

    f->cpunode = ncg_node_new(f->cat, "cpu.test", 0, &e);
    ck_assert_msg(f->cpunode != NULL, "%s", e.message);
    r = req_default();
    r.cpu_milli = 1000;
    must_alloc(f->cpunode, &r);

    f->hpnode = ncg_node_new(f->cat, "hp.test", 0, &e);
    ck_assert_msg(f->hpnode != NULL, "%s", e.message);
    ck_assert_int_eq(ncg_node_set_policy(f->hpnode, NCG_POLICY_FIRST_FIT, NULL), 0);
    r = req_default();
    r.neuroncores = 1;
    r.hugepages_bytes = 512 * MIB;
    must_alloc(f->hpnode, &r);

    f->trnnode = ncg_node_new(f->cat, "trn1.32xlarge", 0, &e);
    ck_assert_msg(f->trnnode != NULL, "%s", e.message);
    r = req_default();
    ck_assert_msg(ncg_node_adopt(f->trnnode, &r, "0", NULL, 0, &a, &e) == 0, "fixture adopt: %s", e.message);
}

static void add_nodegroup(ncg_cluster *c, const ncg_catalog *cat, const char *name, const char *type, int min,
                          int max, int has_price, double price)
{
    ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
    ncg_error e = {0};
    s.name = name;
    s.type = type;
    s.min_nodes = min;
    s.max_nodes = max;
    s.has_price = has_price;
    s.usd_per_hour = price;
    ck_assert_msg(ncg_cluster_add_nodegroup(c, cat, &s, &e) >= 0, "fixture nodegroup %s: %s", name, e.message);
}

static uint64_t must_adopt(ncg_cluster *c, const char *node, const ncg_request *r, const char *devices,
                           const char *const *cores, size_t n)
{
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_error e = {0};
    ck_assert_msg(ncg_cluster_adopt(c, node, r, devices, cores, n, &a, &e) == 0, "fixture cluster adopt on %s: %s",
                  node, e.message);
    return a.id;
}

static void build_cluster(fx *f)
{
    ncg_error e = {0};
    ncg_request r;
    const char *a_cores[] = {"0-3", "4-7"}, *t_cores[] = {"0-1"};

    f->cl = ncg_cluster_new(0, &e);
    ck_assert_msg(f->cl != NULL, "%s", e.message);
    add_nodegroup(f->cl, f->cat, "inf", "inf1.6xlarge", 0, 3, 0, 0);
    add_nodegroup(f->cl, f->cat, "trn", "trn1.32xlarge", 0, 2, 1, 20.5);
    add_nodegroup(f->cl, f->cat, "small", "inf1.xlarge", 1, 1, 0, 0);
    ck_assert_int_eq(ncg_cluster_add_node(f->cl, "a", "inf", NULL), 0);
    ck_assert_int_eq(ncg_cluster_add_node(f->cl, "b", "inf", NULL), 1);
    ck_assert_int_eq(ncg_cluster_add_node(f->cl, "t1", "trn", NULL), 2);
    ck_assert_int_eq(ncg_cluster_add_node(f->cl, NULL, "trn", NULL), 3);
    ck_assert_int_eq(ncg_cluster_add_node(f->cl, "s1", "small", NULL), 4);
    r = req_default();
    r.cpu_milli = 1000;
    r.memory_bytes = GIB;
    r.models = model_m1;
    r.model_count = 1;
    f->cl_id_a = must_adopt(f->cl, "a", &r, "0-1", a_cores, 2);
    r = req_default();
    must_adopt(f->cl, "a", &r, "3", NULL, 0);
    f->cl_id_b = must_adopt(f->cl, "b", &r, "1-2", NULL, 0);
    must_adopt(f->cl, "s1", &r, "0", NULL, 0);
    r.cpu_milli = 500;
    must_adopt(f->cl, "t1", &r, NULL, t_cores, 1);
    {
        int len = ncg_cluster_dump(f->cl, NULL, 0, NULL);
        ck_assert_int_gt(len, 0);
        f->dump = malloc((size_t)len + 1);
        ck_assert_ptr_nonnull(f->dump);
        ck_assert_int_eq(ncg_cluster_dump(f->cl, f->dump, (size_t)len + 1, NULL), len);
    }
}

void fx_add_plan_apis(ncg_plan *plan, int solved_variant)
{
    static const char *const inf_only[] = {"inf"};
    ncg_api_spec s = NCG_INIT(ncg_api_spec);
    ncg_request r = req_default();
    ncg_error e = {0};

    r.inf = 1;
    r.models = model_m1;
    r.model_count = 1;
    s.name = "web";
    s.request = &r;
    s.replicas = 3;
    ck_assert_msg(ncg_plan_add_api(plan, &s, &e) == 0, "fixture api web: %s", e.message);
    r = req_default();
    r.cpu_milli = 2000;
    s = (ncg_api_spec)NCG_INIT(ncg_api_spec);
    s.name = "cpu";
    s.request = &r;
    s.replicas = 2;
    s.nodegroups = inf_only;
    s.nodegroup_count = 1;
    s.max_per_node = 1;
    ck_assert_msg(ncg_plan_add_api(plan, &s, &e) == 1, "fixture api cpu: %s", e.message);
    if (solved_variant) {
        r = req_default();
        r.inf = 32;
        s = (ncg_api_spec)NCG_INIT(ncg_api_spec);
        s.name = "huge";
        s.request = &r;
        s.replicas = 1;
        ck_assert_msg(ncg_plan_add_api(plan, &s, &e) == 2, "fixture api huge: %s", e.message);
    }
}

void fx_build(fx *f, unsigned flags)
{
    memset(f, 0, sizeof(*f));
    memset(f->long_name, 'n', NCG_NODE_NAME_MAX + 1);
    memset(f->max_name, 'm', NCG_NODE_NAME_MAX);
    memset(f->type_name_long, 't', NCG_NAME_MAX + 1);
    memset(f->api_name_long, 'a', 256);
    if (flags & (FX_PLAN | FX_SOLVED))
        flags |= FX_CLUSTER;
    build_catalog(f);
    if (flags & FX_NODE)
        build_nodes(f);
    if (flags & FX_CLUSTER)
        build_cluster(f);
    if (flags & FX_PLAN) {
        ncg_error e = {0};
        f->plan = ncg_plan_new(f->cl, 0, &e);
        ck_assert_msg(f->plan != NULL, "%s", e.message);
        fx_add_plan_apis(f->plan, 0);
    }
    if (flags & FX_SOLVED) {
        ncg_error e = {0};
        f->solved = ncg_plan_new(f->cl, 0, &e);
        ck_assert_msg(f->solved != NULL, "%s", e.message);
        fx_add_plan_apis(f->solved, 1);
        ck_assert_msg(ncg_plan_solve(f->solved, &e) == 0, "fixture solve: %s", e.message);
    }
}

void fx_free(fx *f)
{
    ncg_plan_free(f->solved);
    ncg_plan_free(f->plan);
    ncg_cluster_free(f->cl);
    ncg_node_free(f->trnnode);
    ncg_node_free(f->hpnode);
    ncg_node_free(f->cpunode);
    ncg_node_free(f->node);
    ncg_catalog_free(f->cat);
    free(f->dump);
    free(f->text);
    memset(f, 0, sizeof(*f));
}

char *fx_snap(const fx *f)
{
    sbuf b = {0};
    char *s;
#define PART(label, fn, h)                                                                                        \
    if (h) {                                                                                                      \
        s = fn(h);                                                                                                \
        sb_printf(&b, "== %s\n%s\n", label, s);                                                                   \
        free(s);                                                                                                  \
    }
    PART("catalog", snap_catalog, f->cat)
    PART("node", snap_node, f->node)
    PART("cpunode", snap_node, f->cpunode)
    PART("hpnode", snap_node, f->hpnode)
    PART("trnnode", snap_node, f->trnnode)
    PART("cluster", snap_cluster, f->cl)
    PART("plan", snap_plan, f->plan)
    PART("solved", snap_plan, f->solved)
#undef PART
    return sb_take(&b);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Differential and restart tests.
 *
 * Differential: 1,000,000 random operations (NCG_TEST_QUICK=1: 200,000) - ncg_cluster_place, ncg_cluster_place_on,
 * ncg_node_allocate, ncg_cluster_adopt / ncg_node_adopt and ncg_cluster_release / ncg_node_release - with every
 * request kind (whole chips, NeuronCores, CPU only, with models) on every topology (single, chain, ring, 4x4
 * torus, and a node without chips), each checked against a reference model written here as simply as possible: a
 * byte per NeuronCore of each node, CPU and memory sums, a list of allocations, and the rules of which windows are
 * valid. The reference predicts every return code (placement: success, or the code of the rule that fails); the
 * library chooses the window, and the reference checks that the chosen one is valid and free. After every
 * operation the node it touched is compared in full (status, every allocation) and every node's status; every
 * 4096 operations all of them.
 *
 * Restart: at checkpoints, each cluster is rebuilt (a) from its dump and (b) from scratch, only from what the
 * pods carry: the env strings the library rendered for every allocation (ncg_cluster_adopt), plus, for CPU-only
 * replicas, which have no env strings, ncg_cluster_place_on with their request. (a) must give the same
 * allocations with the same ids and the same dump; (b) the same allocations in the same order, with new ids
 * (adopt numbers them afresh: ids are the library's, pods do not carry them), so the dumps are compared with the
 * ids and next ids taken out. No allocation may be lost or doubled. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)
#define MAXA 320

/* check's ck_assert_* record every passing assertion (a write to a file): far too slow for millions of checks, so
 * these call check only on failure. */
#define REQUIRE(expr, ...)                                                                                         \
    do {                                                                                                           \
        if (!(expr))                                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                                             \
    } while (0)
#define CMP_I(a, op, b)                                                                                            \
    REQUIRE((intmax_t)(a) op (intmax_t)(b), "%s:%d: %s %s %s: %jd vs %jd", __FILE__, __LINE__, #a, #op, #b,        \
            (intmax_t)(a), (intmax_t)(b))
#define EQ_I(a, b) CMP_I(a, ==, b)
#define EQ_U(a, b)                                                                                                 \
    REQUIRE((uint64_t)(a) == (uint64_t)(b), "%s:%d: %s == %s: %" PRIu64 " vs %" PRIu64, __FILE__, __LINE__, #a, #b, \
            (uint64_t)(a), (uint64_t)(b))
#define NONNULL(p) REQUIRE((p) != NULL, "%s:%d: %s is NULL", __FILE__, __LINE__, #p)
#define STR_EQ(a, b) REQUIRE(strcmp((a), (b)) == 0, "%s:%d: '%s' != '%s'", __FILE__, __LINE__, (a), (b))

#define CMP_I_ge(a, b) CMP_I(a, >=, b)
#define CMP_I_gt(a, b) CMP_I(a, >, b)
#define CMP_I_lt(a, b) CMP_I(a, <, b)

/* ---- a small deterministic generator ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Du;
}

static int below(int n)
{
    return n <= 1 ? 0 : (int)(rnd() % (uint64_t)n);
}

/* ---- the reference model ---- */

typedef struct rtype {
    const char *name;
    int chips, cpc;
    ncg_topology topo;
    int64_t cpu_usable, mem_usable;
} rtype;

typedef struct ralloc {
    uint64_t id;
    int whole, first_core, core_count, ppr;
    int64_t cpu, mem;
    int has_model;
    ncg_model model;
} ralloc;

typedef struct rnode {
    const rtype *t;
    char name[64];
    ncg_node *own;           /* a standalone node, or NULL for a node of a cluster */
    int cluster, nodegroup;  /* for cluster nodes */
    unsigned char core[NCG_MAX_CORES];
    int64_t cpu, mem;
    ralloc a[MAXA];
    int n;
    uint64_t next_id;
} rnode;

static int total_cores(const rtype *t)
{
    return t->chips * t->cpc;
}

/* The rule of which windows of whole chips are valid (DOMAIN.md section 1). */
static int size_valid(const rtype *t, int count)
{
    switch (t->topo) {
    case NCG_TOPOLOGY_SINGLE: return count == 1 && t->chips == 1;
    case NCG_TOPOLOGY_CHAIN:
    case NCG_TOPOLOGY_RING:
    case NCG_TOPOLOGY_SWITCHED: return count >= 1 && count <= t->chips;
    case NCG_TOPOLOGY_TORUS_4X4: return count == 1 || count == 4 || count == 8 || count == 16;
    }
    return 0;
}

static int window_valid(const rtype *t, int first, int count)
{
    if (!size_valid(t, count) || first < 0 || first + count > t->chips)
        return 0;
    return t->topo != NCG_TOPOLOGY_TORUS_4X4 || first % count == 0;
}

static int chip_free(const rnode *n, int chip)
{
    for (int c = chip * n->t->cpc; c < (chip + 1) * n->t->cpc; c++)
        if (n->core[c])
            return 0;
    return 1;
}

static int cores_free(const rnode *n, int first, int count)
{
    for (int c = first; c < first + count; c++)
        if (n->core[c])
            return 0;
    return 1;
}

static int window_free(const rnode *n, int first, int count)
{
    return cores_free(n, first * n->t->cpc, count * n->t->cpc);
}

static int any_window(const rnode *n, int count)
{
    for (int f = 0; f + count <= n->t->chips; f++)
        if (window_valid(n->t, f, count) && window_free(n, f, count))
            return 1;
    return 0;
}

static int largest_window(const rnode *n)
{
    for (int count = n->t->chips; count > 0; count--)
        if (size_valid(n->t, count) && any_window(n, count))
            return count;
    return 0;
}

static int any_run(const rnode *n, int count)
{
    for (int f = 0; f + count <= total_cores(n->t); f++)
        if (cores_free(n, f, count))
            return 1;
    return 0;
}

/* The code ncg_node_allocate() must return for @p r on @p n: the type's rules in the order of ncg_request_check()
 * (ppr, fit against what is usable, topology, models), then what is free now (windows or runs, then CPU and
 * memory). ncg_node_allocate() tests the sizes against the node's chips and cores before the ppr rule; the
 * cluster's functions (place, place_on, whose rules are the node group type's) after it: @p node_order says
 * which. With @p empty, only the rules of the type (what a node group without a fitting node reports). */
static int expect(const rnode *n, const ncg_request *r, int empty, int node_order)
{
    const rtype *t = n->t;
    int64_t cores = r->inf > 0 ? r->inf * t->cpc : r->neuroncores;
    int g = 0, too_big = r->inf > t->chips || r->neuroncores > total_cores(t);
    if (node_order && too_big)
        return NCG_E_NO_FIT;
    if (t->chips > 0 && cores > 0) {
        if (cores % r->ppr)
            return NCG_E_PPR;
        g = (int)(cores / r->ppr);
    }
    if (too_big || r->cpu_milli > t->cpu_usable || r->memory_bytes > t->mem_usable)
        return NCG_E_NO_FIT;
    if (r->inf > 0 && !size_valid(t, (int)r->inf))
        return NCG_E_TOPOLOGY;
    for (size_t i = 0; i < r->model_count; i++)
        if (r->models[i].compiled_cores > g)
            return NCG_E_MODEL;
    if (empty)
        return 0;
    if (r->inf > 0 && !any_window(n, (int)r->inf))
        return NCG_E_FULL;
    if (r->neuroncores > 0 && !any_run(n, (int)r->neuroncores))
        return NCG_E_FULL;
    if (r->cpu_milli > t->cpu_usable - n->cpu || r->memory_bytes > t->mem_usable - n->mem)
        return NCG_E_FULL;
    return 0;
}

static void model_add(rnode *n, const ncg_alloc *got, int whole, const ncg_request *r)
{
    ralloc *a;
    CMP_I_lt(n->n, MAXA);
    a = &n->a[n->n++];
    memset(a, 0, sizeof(*a));
    a->id = got->id;
    a->whole = whole;
    a->first_core = got->core_count > 0 ? got->first_core : -1;
    a->core_count = got->core_count;
    a->ppr = got->ppr;
    a->cpu = r->cpu_milli;
    a->mem = r->memory_bytes;
    if (r->model_count) {
        a->has_model = 1;
        a->model = r->models[0];
    }
    for (int c = a->first_core; c >= 0 && c < a->first_core + a->core_count; c++)
        n->core[c] = 1;
    n->cpu += a->cpu;
    n->mem += a->mem;
    if (got->id >= n->next_id)
        n->next_id = got->id + 1;
}

static void model_remove(rnode *n, int k)
{
    ralloc *a = &n->a[k];
    for (int c = a->first_core; c >= 0 && c < a->first_core + a->core_count; c++)
        n->core[c] = 0;
    n->cpu -= a->cpu;
    n->mem -= a->mem;
    memmove(&n->a[k], &n->a[k + 1], sizeof(ralloc) * (size_t)(n->n - k - 1));
    n->n--;
}

/* ---- the world: four clusters (one per topology, each with a node group without chips) and standalone nodes ---- */

static ncg_catalog *cat;
static rtype types[9];
static int ntypes;
static ncg_cluster *clusters[4];
static rnode nodes[32];
static int nnodes;

static const char *const cluster_types[4][2] = {
    {"inf1.xlarge", "inf2.xlarge"},        /* single */
    {"inf1.6xlarge", "inf1.24xlarge"},     /* chain */
    {"inf2.48xlarge", "inf2.24xlarge"},    /* ring */
    {"trn1.32xlarge", "trn2.48xlarge"},    /* 4x4 torus */
};
#define CPU_TYPE "c5.2xlarge"

static const rtype *type_of(const char *name)
{
    for (int i = 0; i < ntypes; i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    ck_abort_msg("no type %s", name);
    return NULL;
}

static void add_type(const char *name)
{
    ncg_type t = NCG_INIT(ncg_type);
    rtype *r = &types[ntypes++];
    CMP_I_ge(ncg_catalog_find_type(cat, name, &t, NULL), 0);
    r->name = name;
    r->chips = t.chips;
    r->cpc = t.cores_per_chip;
    r->topo = t.topology;
    EQ_I(ncg_catalog_get_usable(cat, name, &r->cpu_usable, &r->mem_usable, NULL), 0);
}

static ncg_cluster *new_cluster(int k)
{
    ncg_cluster *c = ncg_cluster_new(0, NULL);
    NONNULL(c);
    for (int g = 0; g < 3; g++) {
        ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
        char name[16];
        snprintf(name, sizeof(name), "g%d", g);
        s.name = name;
        s.type = g < 2 ? cluster_types[k][g] : CPU_TYPE;
        s.max_nodes = 8;
        EQ_I(ncg_cluster_add_nodegroup(c, cat, &s, NULL), g);
    }
    return c;
}

static void world_build(void)
{
    cat = ncg_catalog_new_region("us-east-1", 0, NULL);
    NONNULL(cat);
    ntypes = nnodes = 0;
    for (int k = 0; k < 4; k++)
        for (int g = 0; g < 2; g++)
            add_type(cluster_types[k][g]);
    add_type(CPU_TYPE);
    for (int k = 0; k < 4; k++) {
        clusters[k] = new_cluster(k);
        /* nodes: three of the first type, one of the second, one without chips */
        for (int i = 0; i < 5; i++) {
            int g = i < 3 ? 0 : i == 3 ? 1 : 2;
            char gname[16];
            rnode *n = &nodes[nnodes++];
            memset(n, 0, sizeof(*n));
            snprintf(gname, sizeof(gname), "g%d", g);
            snprintf(n->name, sizeof(n->name), "c%d-n%d", k, i);
            EQ_I(ncg_cluster_add_node(clusters[k], n->name, gname, NULL), i);
            n->t = type_of(g < 2 ? cluster_types[k][g] : CPU_TYPE);
            n->cluster = k;
            n->nodegroup = g;
            n->next_id = 1;
        }
    }
    /* standalone nodes, one per topology, driven through ncg_node_* */
    for (int k = 0; k < 4; k++) {
        rnode *n = &nodes[nnodes++];
        memset(n, 0, sizeof(*n));
        snprintf(n->name, sizeof(n->name), "own-%d", k);
        n->t = type_of(cluster_types[k][k == 2 ? 1 : 0]);
        n->own = ncg_node_new(cat, n->t->name, 0, NULL);
        NONNULL(n->own);
        n->cluster = -1;
        n->next_id = 1;
        if (k == 1)
            EQ_I(ncg_node_set_policy(n->own, NCG_POLICY_FIRST_FIT, NULL), 0);
    }
    EQ_I(ncg_cluster_set_policy(clusters[2], "g0", NCG_POLICY_FIRST_FIT, NULL), 0);
}

static void world_free(void)
{
    for (int i = 0; i < nnodes; i++)
        ncg_node_free(nodes[i].own);
    for (int k = 0; k < 4; k++)
        clusters[k] = ncg_cluster_free(clusters[k]);
    cat = ncg_catalog_free(cat);
}

static const ncg_node *lib_node(const rnode *n)
{
    const ncg_node *node = NULL;
    if (n->own)
        return n->own;
    EQ_I(ncg_cluster_get_node(clusters[n->cluster], ncg_cluster_find_node(clusters[n->cluster], n->name,
                                                                                      NULL),
                                          &node, NULL, NULL, NULL),
                     0);
    return node;
}

static rnode *node_named(int cluster, const char *name)
{
    for (int i = 0; i < nnodes; i++)
        if (nodes[i].cluster == cluster && strcmp(nodes[i].name, name) == 0)
            return &nodes[i];
    ck_abort_msg("no node %s", name);
    return NULL;
}

/* ---- comparing the library with the model ---- */

static void compare_status(const rnode *n, const ncg_node *node)
{
    ncg_node_status st = NCG_INIT(ncg_node_status);
    int used = 0, free_chips = 0;
    uint64_t mask = 0;
    EQ_I(ncg_node_get_status(node, &st, NULL), 0);
    for (int c = 0; c < total_cores(n->t); c++)
        used += n->core[c];
    for (int chip = 0; chip < n->t->chips; chip++)
        if (chip_free(n, chip)) {
            free_chips++;
            mask |= UINT64_C(1) << chip;
        }
    REQUIRE(st.free_cores == total_cores(n->t) - used, "%s: free cores %d, model %d", n->name, st.free_cores,
                  total_cores(n->t) - used);
    REQUIRE(st.free_chips == free_chips && st.free_chip_mask == mask, "%s: free chips %d/%" PRIx64
                  ", model %d/%" PRIx64, n->name, st.free_chips, st.free_chip_mask, free_chips, mask);
    REQUIRE(st.largest_window == largest_window(n), "%s: largest window %d, model %d", n->name,
                  st.largest_window, largest_window(n));
    EQ_I(st.cpu_usable_milli, n->t->cpu_usable);
    EQ_I(st.memory_usable_bytes, n->t->mem_usable);
    EQ_I(st.cpu_free_milli, n->t->cpu_usable - n->cpu);
    EQ_I(st.memory_free_bytes, n->t->mem_usable - n->mem);
    EQ_I(st.allocations, n->n);
}

static void compare_allocs(const rnode *n, const ncg_node *node)
{
    uint64_t ids[MAXA];
    EQ_I(ncg_node_get_alloc_ids(node, ids, MAXA, NULL), n->n);
    for (int k = 0; k < n->n; k++) {
        const ralloc *m = &n->a[k];
        ncg_alloc a = NCG_INIT(ncg_alloc);
        EQ_U(ids[k], m->id);
        EQ_I(ncg_node_get_alloc(node, m->id, &a, NULL), 0);
        REQUIRE(a.whole_chips == m->whole && a.first_core == m->first_core && a.core_count == m->core_count &&
                          a.ppr == m->ppr && a.cpu_milli == m->cpu && a.memory_bytes == m->mem,
                      "%s alloc %" PRIu64 ": library whole %d cores %d+%d ppr %d, model whole %d cores %d+%d ppr %d",
                      n->name, m->id, a.whole_chips, a.first_core, a.core_count, a.ppr, m->whole, m->first_core,
                      m->core_count, m->ppr);
        if (m->core_count > 0) {
            EQ_I(a.first_chip, m->first_core / n->t->cpc);
            EQ_I(a.chip_count, (m->first_core + m->core_count - 1) / n->t->cpc - a.first_chip + 1);
        } else {
            EQ_I(a.first_chip, -1);
        }
    }
}

static void compare_node(const rnode *n)
{
    const ncg_node *node = lib_node(n);
    compare_status(n, node);
    compare_allocs(n, node);
}

static void compare_all(int allocs)
{
    for (int i = 0; i < nnodes; i++) {
        const ncg_node *node = lib_node(&nodes[i]);
        compare_status(&nodes[i], node);
        if (allocs)
            compare_allocs(&nodes[i], node);
    }
}

/* ---- random requests ---- */

static const int64_t cpus[] = {0, 100, 200, 500, 1000, 2000, 4000, 8000, 30000, 200000};
static const int64_t mems[] = {0, 0, 256 * MIB, GIB, 4 * GIB, 16 * GIB, 64 * GIB, 900 * GIB};
static ncg_model req_model;

static int64_t pick_ppr(int64_t cores)
{
    if (cores <= 0 || below(10) == 0)
        return 1 + below(8);
    for (;;) {
        int64_t p = 1 + below((int)cores);
        if (cores % p == 0)
            return p;
    }
}

static ncg_request random_request(const rtype *t)
{
    ncg_request r;
    int kind = below(8);
    ncg_request_init(&r);
    r.cpu_milli = cpus[below((int)(sizeof(cpus) / sizeof(cpus[0])))];
    r.memory_bytes = mems[below((int)(sizeof(mems) / sizeof(mems[0])))];
    if (!t || t->chips == 0)
        t = &types[below(ntypes - 1)];
    if (kind < 3) { /* whole chips: mostly valid sizes */
        static const int torus[] = {1, 4, 8, 16};
        if (t->topo == NCG_TOPOLOGY_TORUS_4X4 && below(4))
            r.inf = torus[below(4)];
        else
            r.inf = 1 + below(t->chips + 1);
        r.ppr = pick_ppr(r.inf * t->cpc);
    } else if (kind < 6) { /* NeuronCores */
        r.neuroncores = 1 + below(below(3) ? 2 * t->cpc + 1 : total_cores(t) + 1);
        r.ppr = pick_ppr(r.neuroncores);
    } else if (kind == 6) { /* CPU only */
        r.ppr = 1;
    } else { /* with a model */
        int64_t cores;
        if (below(2)) {
            r.inf = 1 + below(t->chips);
            cores = r.inf * t->cpc;
        } else {
            r.neuroncores = 1 + below(2 * t->cpc);
            cores = r.neuroncores;
        }
        r.ppr = pick_ppr(cores);
        req_model = (ncg_model){sizeof(ncg_model), "m", (int64_t)below(40) * GIB,
                                below(3) ? 1 + below((int)(cores / r.ppr > 0 ? cores / r.ppr : 1) + 1) : 0,
                                below(2)};
        r.models = &req_model;
        r.model_count = 1;
    }
    return r;
}

/* ---- operations ---- */

static long stat_ok[6], stat_fail[6];

/* Check that a replica placed by the library took a window the model finds valid and free, then record it. */
static void accept_alloc(rnode *n, const ncg_request *r, const ncg_alloc *a)
{
    const rtype *t = n->t;
    EQ_U(a->id, n->next_id);
    if (r->inf > 0) {
        EQ_I(a->whole_chips, 1);
        EQ_I(a->first_core % t->cpc, 0);
        EQ_I(a->core_count, (int)r->inf * t->cpc);
        REQUIRE(window_valid(t, a->first_chip, (int)r->inf), "%s: window %d+%" PRId64 " is not valid",
                      n->name, a->first_chip, r->inf);
        REQUIRE(window_free(n, a->first_chip, (int)r->inf), "%s: window %d+%" PRId64 " is not free", n->name,
                      a->first_chip, r->inf);
    } else if (r->neuroncores > 0) {
        EQ_I(a->whole_chips, 0);
        EQ_I(a->core_count, (int)r->neuroncores);
        REQUIRE(a->first_core >= 0 && a->first_core + a->core_count <= total_cores(t) &&
                          cores_free(n, a->first_core, a->core_count),
                      "%s: cores %d+%d are not free", n->name, a->first_core, a->core_count);
    } else {
        EQ_I(a->core_count, 0);
    }
    EQ_I(a->ppr, (int)r->ppr);
    model_add(n, a, r->inf > 0, r);
}

static void op_allocate(rnode *n)
{
    ncg_request r = random_request(n->t);
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_placement p = NCG_INIT(ncg_placement);
    ncg_error e;
    int want = expect(n, &r, 0, n->own != NULL), rc;
    if (n->own)
        rc = ncg_node_allocate(n->own, &r, &a, &e);
    else {
        rc = ncg_cluster_place_on(clusters[n->cluster], n->name, &r, &p, &e);
        if (rc == 0) {
            STR_EQ(p.node, n->name);
            EQ_I(ncg_node_get_alloc(lib_node(n), p.alloc_id, &a, NULL), 0);
        }
    }
    REQUIRE(rc == want, "%s %s: inf %" PRId64 " cores %" PRId64 " ppr %" PRId64 " cpu %" PRId64 " mem %" PRId64
                  ": library %d (%s), model %d", n->own ? "allocate" : "place_on", n->name, r.inf, r.neuroncores,
                  r.ppr, r.cpu_milli, r.memory_bytes, rc, rc ? e.message : "", want);
    if (rc == 0)
        accept_alloc(n, &r, &a);
    else
        EQ_I(e.code, rc);
    rc == 0 ? stat_ok[0]++ : stat_fail[0]++;
}

static void op_place(int k)
{
    ncg_request r = random_request(NULL);
    ncg_placement p = NCG_INIT(ncg_placement);
    ncg_error e;
    int g = below(4), fits = 0, rule = 0, rc;
    const char *gname[3] = {"g0", "g1", "g2"};
    const char *allowed = g < 3 ? gname[g] : NULL;
    for (int i = 0; i < nnodes; i++) {
        rnode *n = &nodes[i];
        if (n->cluster != k || (allowed && n->nodegroup != g))
            continue;
        if (expect(n, &r, 0, 0) == 0)
            fits++;
        rule = expect(n, &r, 1, 0);
    }
    rc = ncg_cluster_place(clusters[k], &r, allowed ? &allowed : NULL, allowed ? 1 : 0, &p, &e);
    if (fits) {
        rnode *n;
        ncg_alloc a = NCG_INIT(ncg_alloc);
        REQUIRE(rc == 0, "place in cluster %d group %d: %d (%s) but %d nodes fit", k, g, rc, e.message, fits);
        n = node_named(k, p.node);
        REQUIRE(expect(n, &r, 0, 0) == 0, "place chose %s where the model says it does not fit", p.node);
        EQ_I(ncg_node_get_alloc(lib_node(n), p.alloc_id, &a, NULL), 0);
        accept_alloc(n, &r, &a);
        compare_node(n);
        stat_ok[1]++;
    } else {
        REQUIRE(rc < 0, "place succeeded on %s where the model fits nowhere", p.node);
        EQ_I(e.code, rc);
        /* ncg_cluster_place says NCG_E_FULL whatever the reason, and names each node group's: for a node group
         * whose type refuses the request, the message of that rule */
        REQUIRE(rc == NCG_E_FULL, "place in cluster %d group %d: %d (%s)", k, g, rc, e.message);
        if (allowed && rule)
            REQUIRE(strstr(e.message, rule == NCG_E_PPR ? "cannot evenly distribute"
                                            : rule == NCG_E_NO_FIT ? "no instances can satisfy"
                                            : rule == NCG_E_TOPOLOGY ? "does not support requests for device"
                                                                     : "compiled for"),
                          "place in group %d: '%s' does not give the rule of code %d", g, e.message, rule);
        stat_fail[1]++;
    }
}

static void op_adopt(rnode *n)
{
    const rtype *t = n->t;
    char dev[NCG_ENV_MAX], cores[NCG_MAX_CORES][32];
    const char *cp[NCG_MAX_CORES];
    int first, count, ppr, whole = n->t->chips > 0 && below(2), overlap, rc, want;
    ncg_request r;
    ncg_alloc a = NCG_INIT(ncg_alloc);
    ncg_error e;
    size_t procs;

    ncg_request_init(&r);
    if (t->chips == 0) { /* nothing to adopt on a node without chips */
        static const char *const core0[] = {"0"};
        rc = n->own ? ncg_node_adopt(n->own, &r, "0", core0, 1, &a, &e)
                    : ncg_cluster_adopt(clusters[n->cluster], n->name, &r, "0", core0, 1, &a, &e);
        EQ_I(rc, NCG_E_INVALID);
        STR_EQ(e.message, "adopt: " CPU_TYPE " has no Neuron chips");
        stat_fail[2]++;
        return;
    }
    r.cpu_milli = cpus[below(8)];
    r.memory_bytes = mems[below(7)];
    if (whole) {
        int chips;
        do
            chips = 1 + below(t->chips);
        while (!size_valid(t, chips));
        do
            first = below(t->chips - chips + 1);
        while (!window_valid(t, first, chips));
        ncg_format_ids(first, chips, below(2), dev, sizeof(dev), NULL);
        first *= t->cpc;
        count = chips * t->cpc;
    } else {
        first = below(total_cores(t));
        count = 1 + below(total_cores(t) - first < 8 ? total_cores(t) - first : 8);
    }
    ppr = (int)pick_ppr(count);
    if (count % ppr)
        ppr = 1;
    procs = whole && below(3) == 0 ? 0 : (size_t)ppr;
    for (size_t i = 0; i < procs; i++) {
        ncg_format_ids(first + (int)i * (count / ppr), count / ppr, 1, cores[i], sizeof(cores[i]), NULL);
        cp[i] = cores[i];
    }
    overlap = !cores_free(n, first, count);
    want = overlap ? NCG_E_OVERLAP
                   : (r.cpu_milli > t->cpu_usable - n->cpu || r.memory_bytes > t->mem_usable - n->mem) ? NCG_E_FULL : 0;
    if (n->own)
        rc = ncg_node_adopt(n->own, &r, whole ? dev : NULL, procs ? cp : NULL, procs, &a, &e);
    else
        rc = ncg_cluster_adopt(clusters[n->cluster], n->name, &r, whole ? dev : NULL, procs ? cp : NULL, procs, &a, &e);
    REQUIRE(rc == want, "adopt on %s of %s cores %d+%d ppr %zu: library %d (%s), model %d", n->name,
                  whole ? dev : "-", first, count, procs, rc, rc ? e.message : "", want);
    if (rc == 0) {
        EQ_U(a.id, n->next_id);
        EQ_I(a.first_core, first);
        EQ_I(a.core_count, count);
        EQ_I(a.ppr, procs ? (int)procs : 1);
        model_add(n, &a, whole, &r);
        stat_ok[2]++;
    } else {
        stat_fail[2]++;
    }
}

static void op_release(rnode *n)
{
    ncg_error e;
    int rc, k = -1;
    uint64_t id;
    if (n->n > 0 && below(8)) {
        k = below(n->n);
        id = n->a[k].id;
    } else {
        id = below(3) ? n->next_id + (uint64_t)below(5) : (uint64_t)below(3); /* never live, or 0 */
        for (int i = 0; i < n->n; i++)
            if (n->a[i].id == id)
                k = i;
    }
    rc = n->own ? ncg_node_release(n->own, id, &e) : ncg_cluster_release(clusters[n->cluster], n->name, id, &e);
    if (k >= 0) {
        REQUIRE(rc == 0, "release %" PRIu64 " on %s: %d (%s)", id, n->name, rc, e.message);
        model_remove(n, k);
        stat_ok[3]++;
    } else {
        EQ_I(rc, NCG_E_NOT_FOUND);
        stat_fail[3]++;
    }
}

/* ---- restart ---- */

static char *dump(const ncg_cluster *c)
{
    int n = ncg_cluster_dump(c, NULL, 0, NULL);
    char *s;
    CMP_I_gt(n, 0);
    s = malloc((size_t)n + 1);
    NONNULL(s);
    EQ_I(ncg_cluster_dump(c, s, (size_t)n + 1, NULL), n);
    return s;
}

/* The dump with allocation ids and next ids replaced by '#' (field 1 of "alloc" lines, field 4 of "node" lines). */
static char *without_ids(const char *d)
{
    char *out = malloc(strlen(d) + 1), *o = out;
    NONNULL(out);
    while (*d) {
        int drop = strncmp(d, "alloc ", 6) == 0 ? 1 : strncmp(d, "node ", 5) == 0 ? 4 : -1, field = 0;
        for (; *d && *d != '\n'; d++) {
            if (*d == ' ')
                field++;
            if (field == drop && *d != ' ') {
                if (d[-1] == ' ')
                    *o++ = '#';
                continue;
            }
            *o++ = *d;
        }
        if (*d)
            *o++ = *d++;
    }
    *o = '\0';
    return out;
}

static long restarts, rebuilt_allocs;

static void restart_check(int k)
{
    char *d = dump(clusters[k]), *d2, *n1, *n2;
    ncg_error e;
    ncg_cluster *from_dump = ncg_cluster_restore(d, 0, &e), *from_env;
    REQUIRE(from_dump != NULL, "restore: %s", e.message);
    d2 = dump(from_dump);
    STR_EQ(d, d2);
    free(d2);
    /* the restored cluster is the model, ids included */
    {
        ncg_cluster *keep = clusters[k];
        clusters[k] = from_dump;
        for (int i = 0; i < nnodes; i++)
            if (nodes[i].cluster == k)
                compare_node(&nodes[i]);
        clusters[k] = keep;
    }
    ncg_cluster_free(from_dump);

    /* from the pods' env strings only */
    from_env = new_cluster(k);
    EQ_I(ncg_cluster_set_policy(from_env, NULL, NCG_POLICY_PACK, NULL), 0);
    if (k == 2)
        EQ_I(ncg_cluster_set_policy(from_env, "g0", NCG_POLICY_FIRST_FIT, NULL), 0);
    for (int i = 0; i < nnodes; i++) {
        rnode *n = &nodes[i];
        const ncg_node *node;
        char gname[16];
        if (n->cluster != k)
            continue;
        snprintf(gname, sizeof(gname), "g%d", n->nodegroup);
        CMP_I_ge(ncg_cluster_add_node(from_env, n->name, gname, NULL), 0);
        node = lib_node(n);
        for (int j = 0; j < n->n; j++) {
            const ralloc *m = &n->a[j];
            ncg_request r;
            ncg_alloc a = NCG_INIT(ncg_alloc);
            ncg_request_init(&r);
            r.cpu_milli = m->cpu;
            r.memory_bytes = m->mem;
            if (m->has_model) {
                r.models = &m->model;
                r.model_count = 1;
            }
            if (m->core_count > 0) {
                char cores[NCG_MAX_CORES][NCG_ENV_MAX], dev[NCG_ENV_MAX] = "";
                const char *cp[NCG_MAX_CORES];
                for (int p = 0; p < m->ppr; p++) {
                    ncg_env env = NCG_INIT(ncg_env);
                    EQ_I(ncg_node_get_env(node, m->id, p, &env, NULL), 0);
                    memcpy(cores[p], env.visible_cores, NCG_ENV_MAX);
                    cp[p] = cores[p];
                    if (p == 0)
                        memcpy(dev, env.visible_devices, NCG_ENV_MAX);
                    else
                        STR_EQ(dev, env.visible_devices);
                }
                /* a whole-chip replica carries AWS_NEURON_VISIBLE_DEVICES; a core-granular one does not need it */
                REQUIRE(m->whole == (dev[0] != '\0') || !m->whole, "%s alloc %" PRIu64 ": devices '%s'",
                              n->name, m->id, dev);
                REQUIRE(ncg_cluster_adopt(from_env, n->name, &r, m->whole ? dev : NULL, cp, (size_t)m->ppr, &a,
                                                &e) == 0,
                              "adopt from env on %s: %s", n->name, e.message);
            } else {
                ncg_placement p = NCG_INIT(ncg_placement);
                r.ppr = 1;
                REQUIRE(ncg_cluster_place_on(from_env, n->name, &r, &p, &e) == 0, "place_on %s: %s", n->name,
                              e.message);
            }
            rebuilt_allocs++;
        }
    }
    d2 = dump(from_env);
    n1 = without_ids(d);
    n2 = without_ids(d2);
    REQUIRE(strcmp(n1, n2) == 0, "rebuilt from env strings:\n%s\n--- differs from ---\n%s", n2, n1);
    free(n1);
    free(n2);
    free(d2);
    free(d);
    ncg_cluster_free(from_env);
    restarts++;
}

START_TEST(differential_one_million_operations)
{
    long ops = getenv("NCG_TEST_QUICK") ? 200000 : 1000000;
    long checkpoint = ops / 20;
    world_build();
    for (long i = 1; i <= ops; i++) {
        rnode *n = &nodes[below(nnodes)];
        int op = below(100);
        /* keep nodes from filling up: release more when a node is busy */
        int busy = n->n > 0 && (n->t->chips == 0 ? n->n > 6 : largest_window(n) == 0);
        if (busy && op < 72 && below(2))
            op = 90;
        if (op < 30 && n->cluster >= 0)
            op_place(n->cluster);
        else if (op < 55)
            op_allocate(n);
        else if (op < 72)
            op_adopt(n);
        else
            op_release(n);
        if (op >= 30 || n->cluster < 0)
            compare_node(n);
        if (i % 64 == 0)
            compare_all(0);
        if (i % 4096 == 0)
            compare_all(1);
        if (i % checkpoint == 0)
            for (int k = 0; k < 4; k++)
                restart_check(k);
    }
    compare_all(1);
    printf("# differential: %ld operations: allocate/place_on %ld ok %ld refused, place %ld/%ld, adopt %ld/%ld, "
           "release %ld/%ld; %ld restarts rebuilt %ld allocations\n", ops, stat_ok[0], stat_fail[0], stat_ok[1],
           stat_fail[1], stat_ok[2], stat_fail[2], stat_ok[3], stat_fail[3], restarts, rebuilt_allocs);
    world_free();
}
END_TEST

/* Restart from random states of every kind: a fresh world filled at random, then rebuilt both ways. */
START_TEST(restart_from_env_and_from_dump)
{
    int rounds = getenv("NCG_TEST_QUICK") ? 5 : 40;
    rng_state = 0x1234567ull + (uint64_t)_i;
    for (int round = 0; round < rounds; round++) {
        world_build();
        for (int i = 0; i < 400; i++) {
            rnode *n = &nodes[below(nnodes)];
            int op = below(10);
            if (op < 4 && n->cluster >= 0)
                op_place(n->cluster);
            else if (op < 7)
                op_allocate(n);
            else if (op < 9)
                op_adopt(n);
            else
                op_release(n);
        }
        compare_all(1);
        for (int k = 0; k < 4; k++)
            restart_check(k);
        world_free();
    }
    printf("# restart %d: %ld restarts rebuilt %ld allocations\n", _i, restarts, rebuilt_allocs);
}
END_TEST

static Suite *suite_differential(void)
{
    Suite *s = suite_create("differential");
    TCase *tc = tcase_create("differential");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, differential_one_million_operations);
    tcase_add_loop_test(tc, restart_from_env_and_from_dump, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite_differential());
    int failed;
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

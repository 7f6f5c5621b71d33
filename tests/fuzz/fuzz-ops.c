/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the input is decoded into a sequence of public calls on a cluster (add and remove nodes,
 * place, place_on, release, adopt with env strings, dump/restore, defrag, policies, score) on node groups of every
 * topology (single, chain, ring, 4x4 torus, no chips), and allocate, release and adopt on standalone nodes of
 * each topology. After every call it checks, through the public API only:
 * no chip or core is held twice; free chips, cores, CPU and memory agree with the allocations; dump -> restore ->
 * dump gives the same text; and a failed call changed nothing (the dump before equals the dump after). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                                  \
    do {                                                                                                           \
        fprintf(stderr, "fuzz-ops: " __VA_ARGS__);                                                                 \
        fputc('\n', stderr);                                                                                       \
        abort();                                                                                                   \
    } while (0)

typedef struct in {
    const uint8_t *p;
    size_t n;
} in;

static unsigned u8(in *s)
{
    if (!s->n)
        return 0;
    s->n--;
    return *s->p++;
}

/* The cluster's dump, malloc'd: one call when it fits in 16 KiB (most inputs), else a second at its size. */
static char *dump(const ncg_cluster *c)
{
    size_t cap = 16384;
    char *t = malloc(cap);
    int n;
    if (!t)
        abort();
    n = ncg_cluster_dump(c, t, cap, NULL);
    if (n < 0)
        FAIL("dump failed: %d", n);
    if ((size_t)n >= cap) {
        char *grown = realloc(t, (size_t)n + 1);
        if (!grown)
            abort();
        t = grown;
        if (ncg_cluster_dump(c, t, (size_t)n + 1, NULL) != n)
            FAIL("dump length changed");
    }
    return t;
}

/* Standalone nodes, one per topology, driven through ncg_node_* (the cluster's nodes are read-only outside it). */
#define OWN 4

typedef struct snap {
    unsigned char *p;
    size_t len, cap;
} snap;

static void put(snap *sn, const void *v, size_t n)
{
    if (sn->len + n > sn->cap) {
        size_t cap = sn->cap ? sn->cap * 2 : 4096;
        while (cap < sn->len + n)
            cap *= 2;
        sn->p = realloc(sn->p, cap);
        if (!sn->p)
            abort();
        sn->cap = cap;
    }
    memcpy(sn->p + sn->len, v, n);
    sn->len += n;
}

/* Every invariant that the public API can show, for one node; what it read is appended to the snapshot. */
static void check_node(const ncg_node *node, const char *name, snap *sn)
{
    {
        int cores, count;
        ncg_node_status st;
        uint64_t ids[300];
        unsigned char core_used[NCG_MAX_CORES] = {0};
        int64_t cpu = 0, mem = 0;
        int used_cores = 0, free_chips = 0;
        uint64_t mask = 0;
        memset(&st, 0, sizeof(st)); /* padding too: the snapshot compares bytes */
        st.size = sizeof(st);
        if (ncg_node_get_status(node, &st, NULL) != 0)
            FAIL("status");
        put(sn, &st, sizeof(st));
        cores = st.chips * st.cores_per_chip;
        count = ncg_node_get_alloc_ids(node, ids, 300, NULL);
        if (count < 0 || count > 300 || count != st.allocations)
            FAIL("alloc count %d vs %d", count, st.allocations);
        for (int k = 0; k < count; k++) {
            ncg_alloc a;
            memset(&a, 0, sizeof(a));
            a.size = sizeof(a);
            if (k && ids[k] <= ids[k - 1])
                FAIL("ids not ascending");
            if (ncg_node_get_alloc(node, ids[k], &a, NULL) != 0 || a.id != ids[k] || a.id == 0)
                FAIL("get_alloc");
            put(sn, &a, sizeof(a));
            if (a.core_count > 0) {
                if (a.first_core < 0 || a.first_core + a.core_count > cores)
                    FAIL("alloc %" PRIu64 " cores %d+%d out of %d", a.id, a.first_core, a.core_count, cores);
                for (int x = a.first_core; x < a.first_core + a.core_count; x++) {
                    if (core_used[x])
                        FAIL("node %s core %d held twice", name, x);
                    core_used[x] = 1;
                }
                used_cores += a.core_count;
                if (a.whole_chips && (a.first_core % st.cores_per_chip || a.core_count % st.cores_per_chip ||
                                      a.first_chip != a.first_core / st.cores_per_chip ||
                                      a.chip_count != a.core_count / st.cores_per_chip))
                    FAIL("whole-chip alloc not on chip boundaries");
            } else if (a.first_core != -1 || a.first_chip != -1 || a.whole_chips) {
                FAIL("cpu-only alloc with cores");
            }
            cpu += a.cpu_milli;
            mem += a.memory_bytes;
        }
        for (int chip = 0; chip < st.chips; chip++) {
            int any = 0;
            for (int x = chip * st.cores_per_chip; x < (chip + 1) * st.cores_per_chip; x++)
                any |= core_used[x];
            if (!any) {
                free_chips++;
                mask |= UINT64_C(1) << chip;
            }
        }
        if (st.free_cores != cores - used_cores)
            FAIL("node %s free cores %d, allocations leave %d", name, st.free_cores, cores - used_cores);
        if (st.free_chips != free_chips || st.free_chip_mask != mask)
            FAIL("node %s free chips %d mask %" PRIx64 " vs %d %" PRIx64, name, st.free_chips, st.free_chip_mask,
                 free_chips, mask);
        if (st.cpu_free_milli != st.cpu_usable_milli - cpu || st.memory_free_bytes != st.memory_usable_bytes - mem)
            FAIL("node %s cpu/memory free inconsistent", name);
        if (st.cpu_free_milli < 0 || st.memory_free_bytes < 0 || st.hugepages_free_bytes < 0)
            FAIL("node %s overcommitted", name);
    }
}

/* Check every node of the cluster and the standalone ones, and take the snapshot of all that the API tells
 * about them (no text formatting: a dump per call would make the target many times slower; dumps are compared
 * at restarts, after a failure of the first call of each kind, and at the end). */
static void check_cluster(const ncg_cluster *c, ncg_node *const *own, snap *sn)
{
    int nodes = ncg_cluster_node_count(c), groups_n = ncg_cluster_nodegroup_count(c);
    sn->len = 0;
    put(sn, &nodes, sizeof(nodes));
    for (int g = 0; g < groups_n; g++) {
        ncg_nodegroup_spec spec = NCG_INIT(ncg_nodegroup_spec);
        int pol;
        ncg_cluster_get_nodegroup(c, g, &spec, NULL, NULL);
        pol = ncg_cluster_get_policy(c, spec.name, NULL);
        put(sn, &pol, sizeof(pol));
    }
    for (int i = 0; i < nodes; i++) {
        const ncg_node *node = NULL;
        const char *name = NULL;
        int ng = -1;
        if (ncg_cluster_get_node(c, i, &node, &name, &ng, NULL) != 0 || !node || !name)
            FAIL("get_node %d", i);
        if (ncg_cluster_find_node(c, name, NULL) != i)
            FAIL("find_node %s != %d", name, i);
        put(sn, name, strlen(name) + 1);
        put(sn, &ng, sizeof(ng));
        check_node(node, name, sn);
    }
    for (int i = 0; i < OWN; i++)
        check_node(own[i], ncg_node_get_type_name(own[i]), sn);
}

/* dump -> restore -> dump gives the same text. */
static void check_roundtrip(const char *d)
{
    ncg_error e;
    ncg_cluster *r = ncg_cluster_restore(d, 0, &e);
    char *d2;
    if (!r)
        FAIL("own dump does not restore: %s\n%s", e.message, d);
    d2 = dump(r);
    if (strcmp(d, d2) != 0)
        FAIL("dump -> restore -> dump differs");
    free(d2);
    ncg_cluster_free(r);
}

static const int64_t cpus[8] = {0, 1, 200, 1000, 4000, 30000, 200000, INT64_MAX};
static const int64_t mems[8] = {0, 1, 1 << 20, INT64_C(1) << 30, INT64_C(8) << 30, INT64_C(100) << 30,
                                INT64_C(1) << 40, INT64_MAX};

static void decode_request(in *s, ncg_request *r, ncg_model *models)
{
    unsigned k = u8(s);
    ncg_request_init(r);
    switch (k & 3) {
    case 0: r->inf = u8(s) % 18; break;
    case 1: r->neuroncores = u8(s) % 40; break;
    case 2: break; /* CPU only */
    default: r->inf = (int64_t)(int8_t)u8(s); r->neuroncores = (int64_t)(int8_t)u8(s); break; /* hostile */
    }
    r->ppr = (k >> 2 & 7) + 1;
    if (k & 0x20)
        r->ppr = (int64_t)(int8_t)u8(s);
    {
        unsigned c = u8(s);
        r->cpu_milli = cpus[c & 7];
        r->lnc = (int)(c >> 3 & 3); /* 3 is out of range */
    }
    r->memory_bytes = mems[u8(s) & 7];
    if (k & 0x40)
        r->hugepages_bytes = (int64_t)(u8(s) & 3) << 28;
    if (k & 0x80) {
        unsigned m = u8(s);
        r->model_count = m & 3;
        for (size_t i = 0; i < r->model_count; i++) {
            models[i].size = sizeof(ncg_model);
            models[i].name = (m & 4) ? "m" : NULL;
            models[i].bytes = mems[u8(s) & 7];
            models[i].compiled_cores = (int)(u8(s) % 10);
            models[i].static_weights = (int)(m >> (3 + i) & 1);
        }
        r->models = models;
    }
}

/* A node name the cluster has (or an unknown one, sometimes). */
static const char *pick_node(const ncg_cluster *c, in *s)
{
    int n = ncg_cluster_node_count(c);
    unsigned k = u8(s);
    const char *name = NULL;
    if (n == 0 || k == 255)
        return "no-such-node";
    ncg_cluster_get_node(c, (int)(k % (unsigned)n), NULL, &name, NULL, NULL);
    return name;
}

static ncg_catalog *catalog;
static ncg_cluster *base;
static ncg_node *own_base[OWN];

static const char *const groups[] = {"single", "chain", "ring", "torus", "cpu", "trn2-lnc1", "trn2"};
#define NGROUPS 7

static void setup(void)
{
    ncg_error e;
    static const char *const types[] = {"inf1.xlarge", "inf1.6xlarge", "inf2.48xlarge", "trn1.32xlarge",
                                        "c5.large", "trn2.48xlarge", "trn2.48xlarge"};
    catalog = ncg_catalog_new_region("us-east-1", 0, &e);
    base = ncg_cluster_new(0, &e);
    if (!catalog || !base)
        abort();
    for (int i = 0; i < NGROUPS; i++) {
        ncg_nodegroup_spec g = NCG_INIT(ncg_nodegroup_spec);
        g.name = groups[i];
        g.type = types[i];
        g.max_nodes = 6;
        g.priority = i == 1;
        g.lnc = i == 5; /* trn2 at LNC=1 beside the default LNC=2 */
        if (ncg_cluster_add_nodegroup(base, catalog, &g, &e) != i)
            FAIL("setup: %s", e.message);
        if (i < OWN && !(own_base[i] = ncg_node_new(catalog, types[i], 0, &e)))
            FAIL("setup: %s", e.message);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in s = {data, size};
    ncg_cluster *c;
    snap before = {0}, after = {0};
    ncg_node *own[OWN];
    ncg_error e;
    int steps = 0;
    unsigned dumped = 0; /* kinds of call already copied before in this input */
    if (!base)
        setup();
    c = ncg_cluster_clone(base, &e);
    if (!c)
        abort();
    for (int i = 0; i < OWN; i++)
        if (!(own[i] = ncg_node_clone(own_base[i], &e)))
            abort();
    check_cluster(c, own, &before);
    while (s.n && steps++ < 32) {
        unsigned op = u8(&s) % 16;
        ncg_request r;
        ncg_model models[4];
        ncg_placement pl = NCG_INIT(ncg_placement);
        ncg_alloc a = NCG_INIT(ncg_alloc), got_alloc = NCG_INIT(ncg_alloc);
        int rc = 0;
        /* a copy of the cluster before a call that may change it: when the call fails, its dump must equal the
         * dump after (which the snapshot alone would not show: next ids, models, node-group lines). Copies and
         * dumps cost more than all the rest, so this is done for the first call of each kind in an input (the
         * fuzzer's mutations move the failing calls to the front). */
        ncg_cluster *prev = (op <= 5 || op == 8 || op >= 14) && !(dumped & 1u << op) ? ncg_cluster_clone(c, NULL) : NULL;
        dumped |= 1u << op;
        memset(&e, 0, sizeof(e));
        switch (op) {
        case 0: { /* add a node */
            unsigned g = u8(&s);
            rc = ncg_cluster_add_node(c, NULL, groups[g % NGROUPS], &e);
            break;
        }
        case 1:
            rc = ncg_cluster_remove_node(c, pick_node(c, &s), &e);
            break;
        case 2: { /* place, maybe restricted to one or two node groups */
            unsigned g = u8(&s);
            const char *allowed[2] = {groups[g % NGROUPS], groups[(g >> 3) % NGROUPS]};
            decode_request(&s, &r, models);
            rc = ncg_cluster_place(c, &r, (g & 0x80) ? NULL : allowed, (g & 0x40) ? 2 : 1, &pl, &e);
            break;
        }
        case 3: {
            const char *node = pick_node(c, &s);
            decode_request(&s, &r, models);
            rc = ncg_cluster_place_on(c, node, &r, &pl, &e);
            break;
        }
        case 4: { /* release an existing id (or a missing one) */
            const char *node = pick_node(c, &s);
            unsigned k = u8(&s);
            uint64_t ids[300], id = k;
            int idx = ncg_cluster_find_node(c, node, NULL);
            if (idx >= 0) {
                const ncg_node *n = NULL;
                ncg_cluster_get_node(c, idx, &n, NULL, NULL, NULL);
                int cnt = ncg_node_get_alloc_ids(n, ids, 300, NULL);
                if (cnt > 0 && cnt <= 300 && k < 200)
                    id = ids[k % (unsigned)cnt];
            }
            rc = ncg_cluster_release(c, node, id, &e);
            break;
        }
        case 5: { /* adopt: the env strings of an allocation of some node, or hostile strings */
            const char *node = pick_node(c, &s);
            const char *src = pick_node(c, &s);
            unsigned k = u8(&s);
            char dev[NCG_ENV_MAX] = "", cores[8][NCG_ENV_MAX];
            const char *cp[8];
            size_t procs = 0;
            int idx = ncg_cluster_find_node(c, src, NULL);
            decode_request(&s, &r, models);
            if (idx >= 0 && !(k & 0x80)) {
                const ncg_node *n = NULL;
                uint64_t ids[300];
                ncg_cluster_get_node(c, idx, &n, NULL, NULL, NULL);
                int cnt = ncg_node_get_alloc_ids(n, ids, 300, NULL);
                if (cnt > 0 && cnt <= 300) {
                    ncg_alloc src_a = NCG_INIT(ncg_alloc);
                    uint64_t id = ids[k % (unsigned)cnt];
                    ncg_node_get_alloc(n, id, &src_a, NULL);
                    for (int p = 0; p < src_a.ppr && p < 8 && src_a.core_count > 0; p++) {
                        ncg_env env = NCG_INIT(ncg_env);
                        ncg_node_get_env(n, id, p, &env, NULL);
                        memcpy(cores[p], env.visible_cores, NCG_ENV_MAX);
                        memcpy(dev, env.visible_devices, NCG_ENV_MAX);
                        cp[p] = cores[p];
                        procs = (size_t)p + 1;
                    }
                }
            } else {
                unsigned len = u8(&s) % 12;
                for (unsigned i = 0; i < len; i++)
                    dev[i] = "0123456789,-x "[u8(&s) % 14];
                dev[len] = '\0';
                snprintf(cores[0], NCG_ENV_MAX, "%u-%u", u8(&s) % 70, u8(&s) % 70);
                cp[0] = cores[0];
                procs = k & 1;
            }
            rc = ncg_cluster_adopt(c, node, (k & 0x40) ? NULL : &r, (k & 0x20) || !dev[0] ? NULL : dev,
                                   procs ? cp : NULL, procs, &a, &e);
            break;
        }
        case 6: { /* restart: the cluster is replaced by the restore of its dump */
            char *d = dump(c), *d2;
            ncg_cluster *r2 = ncg_cluster_restore(d, 0, &e);
            if (!r2)
                FAIL("restore of a dump: %s", e.message);
            d2 = dump(r2);
            if (strcmp(d, d2) != 0)
                FAIL("dump -> restore -> dump differs");
            free(d);
            free(d2);
            ncg_cluster_free(c);
            c = r2;
            break;
        }
        case 7: {
            ncg_move moves[16];
            const char *freed = NULL;
            unsigned g = u8(&s);
            rc = ncg_cluster_defrag(c, (int)(u8(&s) % 18) - 1, (g & 1) ? NULL : groups[g % NGROUPS], moves, 16, &freed,
                                    &e);
            if (rc > 0 && (rc > 16 || !freed))
                FAIL("defrag %d moves", rc);
            for (int m = 0; m > 0 && m < rc && m < 16; m++)
                if (ncg_cluster_find_node(c, moves[m].from, NULL) < 0 || ncg_cluster_find_node(c, moves[m].to, NULL) < 0)
                    FAIL("defrag move names an unknown node");
            break;
        }
        case 8: {
            unsigned g = u8(&s);
            rc = ncg_cluster_set_policy(c, (g & 8) ? NULL : groups[g % NGROUPS], (ncg_policy)(g >> 4 & 1), &e);
            break;
        }
        case 9: {
            ncg_node_score sc = NCG_INIT(ncg_node_score);
            const char *node = pick_node(c, &s);
            decode_request(&s, &r, models);
            rc = ncg_cluster_score_node(c, node, &r, &sc, &e);
            break;
        }
        case 11: { /* a standalone node: allocate */
            ncg_node *n = own[u8(&s) % OWN];
            decode_request(&s, &r, models);
            rc = ncg_node_allocate(n, &r, &a, &e);
            if (rc == 0 && ncg_node_get_alloc(n, a.id, &got_alloc, NULL) != 0)
                FAIL("allocate returned id %" PRIu64 " that the node does not have", a.id);
            break;
        }
        case 12: { /* a standalone node: release a live or a missing id */
            ncg_node *n = own[u8(&s) % OWN];
            uint64_t ids[300], id = u8(&s);
            int cnt = ncg_node_get_alloc_ids(n, ids, 300, NULL);
            if (cnt > 0 && cnt <= 300 && id < 200)
                id = ids[id % (unsigned)cnt];
            rc = ncg_node_release(n, id, &e);
            break;
        }
        case 13: { /* a standalone node: adopt hostile strings, or a copy of one of its allocations' env */
            ncg_node *n = own[u8(&s) % OWN];
            char dev[16] = "", core[2][16];
            const char *cp[2] = {core[0], core[1]};
            unsigned k = u8(&s);
            snprintf(dev, sizeof(dev), "%u-%u", u8(&s) % 20, u8(&s) % 20);
            snprintf(core[0], sizeof(core[0]), "%u-%u", u8(&s) % 70, u8(&s) % 70);
            snprintf(core[1], sizeof(core[1]), "%u", u8(&s) % 70);
            decode_request(&s, &r, models);
            rc = ncg_node_adopt(n, (k & 1) ? &r : NULL, (k & 2) ? dev : NULL, (k & 4) ? cp : NULL,
                                (k & 4) ? 1 + (k >> 3 & 1) : 0, &a, &e);
            break;
        }
        case 14: { /* a node into an UltraServer ("u0".."u2", or none, or a bad id), at a position (4: bad) */
            static const char *const ids[] = {"u0", "u1", "u2", NULL, "u u"};
            unsigned k = u8(&s);
            rc = ncg_cluster_set_node_ultraserver(c, pick_node(c, &s), ids[k % 5], (int)((k >> 3) % 5), &e);
            break;
        }
        case 15: { /* a replica of 1, 2, 3 or 4 servers of an UltraServer, of one node group or any */
            unsigned k = u8(&s);
            const char *allowed[1] = {groups[(k >> 2) % NGROUPS]};
            ncg_placement ps[4] = {NCG_INIT(ncg_placement), NCG_INIT(ncg_placement), NCG_INIT(ncg_placement),
                                   NCG_INIT(ncg_placement)};
            decode_request(&s, &r, models);
            if (k & 0x80)
                r.inf = 16;
            rc = ncg_cluster_place_ultraserver(c, &r, (int)(k & 3) + 1, (k & 0x40) ? allowed : NULL,
                                               (k & 0x40) ? 1 : 0, ps, 4, &e);
            if (rc > 0) {
                ncg_env env = NCG_INIT(ncg_env);
                for (int i = 0; i < rc; i++)
                    if (ncg_cluster_get_env(c, ps[i].node, ps[i].alloc_id, 0, &env, NULL) != 0 ||
                        !env.ultraserver_mode[0] || strchr("124", env.ultraserver_mode[0]) == NULL)
                        FAIL("env of server %d of %d: %s", i, rc, env.ultraserver_mode);
                rc = 0;
            }
            break;
        }
        default: { /* clone everything and continue on the clones */
            ncg_cluster *c2 = ncg_cluster_clone(c, &e);
            if (!c2)
                FAIL("clone");
            ncg_cluster_free(c);
            c = c2;
            for (int i = 0; i < OWN; i++) {
                ncg_node *n2 = ncg_node_clone(own[i], &e);
                if (!n2)
                    FAIL("node clone");
                ncg_node_free(own[i]);
                own[i] = n2;
            }
            break;
        }
        }
        check_cluster(c, own, &after);
        if (rc < 0) {
            if (e.code != rc || !e.message[0])
                FAIL("op %u failed with %d but err has %d '%s'", op, rc, e.code, e.message);
            if (after.len != before.len || memcmp(before.p, after.p, after.len) != 0)
                FAIL("op %u failed (%d: %s) but changed the cluster", op, rc, e.message);
            if (prev) {
                char *d1 = dump(prev), *d2 = dump(c);
                if (strcmp(d1, d2) != 0)
                    FAIL("op %u failed (%d: %s) but changed the dump:\n%s\n---\n%s", op, rc, e.message, d1, d2);
                free(d1);
                free(d2);
            }
        } else if (op == 6 || op == 7 || op == 9 || op == 10) {
            if (after.len != before.len || memcmp(before.p, after.p, after.len) != 0)
                FAIL("op %u must not change the cluster", op);
        }
        if (rc >= 0 && (op == 2 || op == 3)) {
            ncg_alloc got = NCG_INIT(ncg_alloc);
            const ncg_node *n = NULL;
            if (ncg_cluster_find_node(c, pl.node, NULL) != pl.node_index ||
                ncg_cluster_get_node(c, pl.node_index, &n, NULL, NULL, NULL) != 0 ||
                ncg_node_get_alloc(n, pl.alloc_id, &got, NULL) != 0)
                FAIL("placement does not name a live allocation");
        }
        ncg_cluster_free(prev);
        {
            snap t = before;
            before = after;
            after = t;
        }
    }
    {
        char *d = dump(c);
        check_roundtrip(d);
        free(d);
    }
    free(before.p);
    free(after.p);
    for (int i = 0; i < OWN; i++)
        ncg_node_free(own[i]);
    ncg_cluster_free(c);
    return 0;
}

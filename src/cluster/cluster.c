/* SPDX-License-Identifier: Apache-2.0 */
/* A cluster: node groups, named nodes, and an index that chooses a node for one replica without scanning them all.
 *
 * The choice (doc/placement.md has the rule, its rationale and the measured figures): among the nodes of the
 * allowed node groups where the replica fits, the one with
 *   1. the highest node-group priority (strict),
 *   2. for a CPU-only replica, the fewest free NeuronCores (it goes first where the accelerators are used up),
 *   3. the least free capacity left (best fit), summed over cores, CPU, memory and hugepages as fractions of the
 *      node's,
 *   4. the smallest leftover of the largest free window (whole chips) or of the longest free run of NeuronCores
 *      (core-granular and CPU-only requests),
 *   5. then the earlier node group, then the earlier node.
 *
 * The index: per node group, three families of classes: by largest free window (searched by whole-chip requests),
 * by longest free run of cores (core-granular requests) and by free cores (CPU-only requests). Every node is in one
 * class of each. A class is a B+-tree (btree.h) of its nodes ordered by (free-capacity key, run for the free-core
 * classes, sequence), whose inner nodes carry the largest free CPU and memory below each child. A whole-chip or
 * core-granular request searches the classes from its size up, each only for keys from the class's bound (the
 * smallest key a node of the class that fits can have) to the best key found so far, descending to the leftmost
 * entry in that range with the CPU, memory and hugepages and skipping every subtree whose maxima are short; it
 * skips a class whose summary (smallest key, largest CPU and memory) rules it out without reading its tree, and
 * stops at the first class whose bound is above the best key. A CPU-only request stops at the first free-core
 * class with a node that fits. O(log nodes) per class searched, O(log nodes) per change of a
 * node. The classes' sizes say without a scan how many nodes lack the accelerator when a placement fails. The
 * layout below is private to this file. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/btree.h"
#include "cluster/cluster.h"
#include "base/heap.h"
#include "base/poison.h"

#define SEQ_BITS 54             /* node sequence numbers stay below 2^54; runs (<= NCG_MAX_CORES) take the bits above */
#define SEQ_MASK ((UINT64_C(1) << SEQ_BITS) - 1)
_Static_assert(NCG_MAX_CORES < (1 << (64 - SEQ_BITS)), "a run fits above the sequence number");

/* The three families of classes of a node group: by largest free window (whole-chip requests), by longest free
 * run of cores (core-granular requests), by free cores (CPU-only requests). */
enum { F_WINDOW, F_RUN, F_FREE, F_COUNT };

#define NAME_INLINE 40          /* names this long (with the NUL) live in the record; longer ones in an allocation */

/* A node's record: what a search reads of a candidate (its score's terms) in the first cache line, the rest in the
 * second. */
typedef struct cnode {
    union {
        uint64_t seq;           /* order of the nodes, stable when nodes are removed */
        struct cnode *spare_next; /* while on the cluster's list of spare records */
    };
    int group;
    int index;                  /* position in cluster->nodes */
    ncg_node_state st;          /* as indexed */
    ncg_node *node;
    char *name;                 /* inline_name, or its own allocation */
    uint32_t hash;              /* hash_name(name) */
    int32_t ultra;              /* its UltraServer: index in the cluster's ultras x NCG_ULTRASERVER_MAX_NODES +
                                 * position, or -1 */
    char inline_name[NAME_INLINE];
} cnode;

_Static_assert(sizeof(cnode) == 128, "a node's record is two cache lines");
_Static_assert(offsetof(cnode, node) == 64, "a candidate's score is read from the record's first cache line");

/* What a search asks of a class before it reads the class's tree: its smallest key and its largest free CPU and
 * memory (the root's summary), side by side in one array of the family, so that a class that cannot hold the
 * request, or cannot beat the best node found, costs no read of its tree. */
typedef struct class_sum {
    int64_t mina;               /* first sort key of the class's leftmost entry */
    int64_t cpu, mem;           /* the largest free CPU and memory of its nodes */
    int64_t low;                /* the NeuronCores term of the key of a node of the class (window and run families:
                                 * the cores the class guarantees free), fixed: the start of class_low_key() */
} class_sum;

/* Classes 0..n-1 of one family: tree roots, node counts, summaries, and a bitmap of the non-empty classes. */
typedef struct family {
    int n;
    ncg_bt_node **roots;
    int *count;
    class_sum *sum;
    uint64_t *nonempty;
} family;

typedef struct cgroup {
    char name[NCG_NAME_MAX + 1];
    ncg_type_copy *type;        /* its own allocation: the nodes refer to it, and it stays where it is */
    int min_nodes, max_nodes;
    bool has_price;             /* the spec's override */
    double spec_price;
    char price_text[2][NCG_DOUBLE_MAX]; /* the dump's text of spec_price and of the type's price, formatted once */
    double price;               /* effective: override, else catalog price, else 0 */
    bool priced;                /* effective price known */
    int priority;               /* higher first, strictly */
    ncg_policy policy;          /* of its nodes */
    int nodes;                  /* nodes in the node group */
    int next_seq;               /* for generated names */
    family fam[F_COUNT];
} cgroup;

struct ncg_cluster {
    cgroup *groups;
    int group_count, group_capacity;
    int *group_table;           /* node groups by name: open addressing over 1 + index, size group_table_size */
    int group_table_size;       /* a power of two above twice the node groups, or 0 with none */
    cnode **nodes;
    int node_count, node_capacity;
    uint64_t next_seq;          /* of nodes */
    struct tslot *table;        /* open addressing by name, size table_size (power of two) */
    int table_size;
    /* cnodes come from slabs the cluster owns (aligned_alloc per node was a fifth of materialising a plan) */
    struct slab *slabs;         /* newest first */
    char *slab_cursor;          /* next unused cnode of the newest slab */
    int slab_left;              /* unused cnodes there */
    cnode *spare;               /* cnodes of removed nodes, linked through spare_next */
    ncg_bt_pool pool;           /* tree nodes for the classes' trees: reserved before a change, which cannot fail */
    ncg_heap heap;              /* the nodes' allocation records (heap.h) */
    ncg_ultras ultras;          /* UltraServer ids and the replicas of several servers (ultraserver.c) */
};

/* A slab: this header (one cache line), then cnodes, each on its own cache lines. */
typedef struct slab {
    _Alignas(64) struct slab *next;
    int count;                  /* cnodes in it */
} slab;

#define CNODE_SIZE ((sizeof(cnode) + 63) / 64 * 64)

/* Under AddressSanitizer the records that are not in use (a slab's unused tail, a removed node's record but for
 * its free-list link) are poisoned (poison.h). */
#define SLAB_MIN 8              /* cnodes in the first slab; each next slab doubles, up to SLAB_MAX */
#define SLAB_MAX 1024

/* A zeroed cnode, aligned as its entries are (NULL when out of memory). */
static cnode *cnode_alloc(ncg_cluster *c)
{
    cnode *n;
    if (c->spare) {
        n = c->spare;
        c->spare = n->spare_next;
        UNPOISON(n, CNODE_SIZE);
    } else {
        if (c->slab_left == 0) {
            int count = c->slabs ? 2 * c->slabs->count : SLAB_MIN;
            slab *sl;
            count = count > SLAB_MAX ? SLAB_MAX : count;
            sl = aligned_alloc(64, sizeof(slab) + (size_t)count * CNODE_SIZE);
            if (!sl)
                return NULL;
            sl->next = c->slabs;
            sl->count = count;
            c->slabs = sl;
            c->slab_cursor = (char *)sl + sizeof(slab);
            c->slab_left = count;
            POISON(c->slab_cursor, (size_t)count * CNODE_SIZE);
        }
        n = (cnode *)(void *)c->slab_cursor;
        UNPOISON(n, CNODE_SIZE);
        c->slab_cursor += CNODE_SIZE;
        c->slab_left--;
    }
    memset(n, 0, sizeof(*n));
    return n;
}

/* Name n (len characters): in the record when the name fits there, else in an allocation of its own. Returns false
 * when out of memory; n keeps its old name then. */
static bool cnode_set_name(cnode *n, const char *name, size_t len)
{
    char *to = len < NAME_INLINE ? n->inline_name : malloc(len + 1);
    if (!to)
        return false;
    memcpy(to, name, len + 1);
    if (n->name && n->name != n->inline_name)
        free(n->name);
    n->name = to;
    return true;
}

/* Give a cnode back to the cluster (it is reused by the next node). */
static void cnode_release(ncg_cluster *c, cnode *n)
{
    if (n->name && n->name != n->inline_name)
        free(n->name);
    n->spare_next = c->spare;
    c->spare = n;
    POISON((char *)n + sizeof(n->spare_next), CNODE_SIZE - sizeof(n->spare_next));
}

static void slabs_free(ncg_cluster *c)
{
    for (slab *sl = c->slabs, *next; sl; sl = next) {
        next = sl->next;
        UNPOISON(sl, sizeof(slab) + (size_t)sl->count * CNODE_SIZE);
        free(sl);
    }
}


/* ---- families of class trees ---- */

/* A family's four arrays share one block (roots first: every array is 8-byte aligned but the last), so a node
 * group costs three allocations, and cloning a cluster few. */
static void family_free(family *f)
{
    for (int i = 0; f->roots && i < f->n; i++)
        ncg_bt_free(f->roots[i]);
    free(f->sum); /* the block of every array */
    memset(f, 0, sizeof(*f));
}

static bool family_init(family *f, int n)
{
    size_t words = ((size_t)n + 63) / 64;
    size_t bytes = (size_t)n * (sizeof(*f->sum) + sizeof(*f->roots)) + words * sizeof(*f->nonempty) +
                   (size_t)n * sizeof(*f->count);
    char *block = calloc(1, bytes);
    if (!block) {
        memset(f, 0, sizeof(*f));
        return false;
    }
    f->n = n;
    f->sum = (class_sum *)(void *)block;
    f->roots = (ncg_bt_node **)(void *)(block + (size_t)n * sizeof(*f->sum));
    f->nonempty = (uint64_t *)(void *)((char *)f->roots + (size_t)n * sizeof(*f->roots));
    f->count = (int *)(void *)((char *)f->nonempty + words * sizeof(*f->nonempty));
    return true;
}

static void families_free(cgroup *g)
{
    for (int k = 0; k < F_COUNT; k++)
        family_free(&g->fam[k]);
}

static int64_t fraction(int64_t part, int64_t whole);

static bool families_init(cgroup *g)
{
    int cores = g->type->t.chips * g->type->t.cores_per_chip;
    memset(g->fam, 0, sizeof(g->fam));
    if (family_init(&g->fam[F_WINDOW], g->type->t.chips + 1) && family_init(&g->fam[F_RUN], cores + 1) &&
        family_init(&g->fam[F_FREE], cores + 1)) {
        for (int c = 0; c <= g->type->t.chips; c++)
            g->fam[F_WINDOW].sum[c].low = fraction((int64_t)c * g->type->t.cores_per_chip, cores);
        for (int c = 0; c <= cores; c++)
            g->fam[F_RUN].sum[c].low = fraction(c, cores);
        return true;
    }
    families_free(g);
    return false;
}

/* The first non-empty class >= from, or -1. */
static int family_next(const family *f, int from)
{
    int w;
    uint64_t bits;
    if (from < 0)
        from = 0;
    if (from >= f->n)
        return -1;
    w = from / 64;
    bits = f->nonempty[w] & (~UINT64_C(0) << (from % 64));
    for (;;) {
        if (bits)
            return w * 64 + ncg_ctz64(bits);
        if (++w >= (f->n + 63) / 64)
            return -1;
        bits = f->nonempty[w];
    }
}

/* The sort key of node n's entry in family k: (free-capacity key, run << SEQ_BITS | sequence). */
static uint64_t second_key(int k, const ncg_node_state *st, uint64_t seq)
{
    return (uint64_t)(k == F_FREE ? st->run : 0) << SEQ_BITS | seq;
}

static void family_add(ncg_bt_pool *pool, family *f, int cls, const ncg_bt_entry *e)
{
    class_sum *s = &f->sum[cls];
    ncg_bt_insert(&f->roots[cls], pool, e);
    if (f->count[cls]++ == 0) {
        f->nonempty[cls / 64] |= UINT64_C(1) << (cls % 64);
        s->mina = e->a;
        s->cpu = e->cpu;
        s->mem = e->mem;
    } else {
        s->mina = e->a < s->mina ? e->a : s->mina;
        s->cpu = e->cpu > s->cpu ? e->cpu : s->cpu;
        s->mem = e->mem > s->mem ? e->mem : s->mem;
    }
}

/* Recompute a non-empty class's summary from its tree's root (after an entry left or changed). */
static void class_refresh(family *f, int cls)
{
    class_sum *s = &f->sum[cls];
    s->mina = ncg_bt_min_a(f->roots[cls]);
    ncg_bt_max(f->roots[cls], &s->cpu, &s->mem);
}

static void family_remove(ncg_bt_pool *pool, family *f, int cls, int64_t a, uint64_t b)
{
    ncg_bt_erase(&f->roots[cls], pool, a, b);
    if (--f->count[cls] == 0)
        f->nonempty[cls / 64] &= ~(UINT64_C(1) << (cls % 64));
    else
        class_refresh(f, cls);
}

/* What a request needs of one node of a node group, in the terms of the index. */
typedef struct need {
    int kind;                   /* F_WINDOW, F_RUN or F_FREE: the family it searches */
    int amount;                 /* chips or cores (0: CPU only): the first class that holds it */
    int64_t cpu, mem, hp;
    int64_t key;                /* the request's share of a node (ncg_free_key of what it takes) */
    int64_t rest;               /* the CPU, memory and hugepages part of key */
} need;

/* Whether a node has the hugepages a request needs (ctx: the need), at the entry only. */
static bool has_hugepages(const void *item, const void *ctx)
{
    return ((const cnode *)item)->st.hp >= ((const struct need *)ctx)->hp;
}

/* The first node of a class (in its order) with a first sort key in lo..hi that has the CPU, memory and hugepages
 * the request needs, or NULL. */
static const cnode *class_first_fit(const ncg_bt_node *root, const need *nd, int64_t lo, int64_t hi)
{
    return ncg_bt_first_fit(root, lo, hi, nd->cpu, nd->mem, nd->hp > 0 ? has_hugepages : NULL, nd);
}

/* ---- what the index knows of a node ---- */

static int64_t fraction(int64_t part, int64_t whole)
{
    return whole > 0 ? (int64_t)((double)part * (double)NCG_KEY_UNIT / (double)whole) : 0;
}

int64_t ncg_free_key(const ncg_type_copy *tc, int cores, int64_t cpu, int64_t mem, int64_t hp)
{
    return fraction(cores, tc->t.chips * tc->t.cores_per_chip) + fraction(cpu, tc->cpu_usable_milli) +
           fraction(mem, tc->memory_usable_bytes) + fraction(hp, tc->t.hugepages_bytes);
}

/* The longest run of free cores of a node: runs of zero bits in its map of cores in use, a word at a time. */
static int longest_free_run(const ncg_node *n, int total)
{
    const uint64_t *used = ncg_node_core_used(n);
    int best = 0, run = 0;
    for (int w = 0; w * 64 < total; w++) {
        int bits = total - w * 64 < 64 ? total - w * 64 : 64;
        uint64_t x = used[w] | (bits < 64 ? ~UINT64_C(0) << bits : 0); /* cores past the end count as used */
        int at = 0;
        if (x == 0) { /* a whole free word */
            run += 64;
            best = run > best ? run : best;
            continue;
        }
        while (at < bits) {
            uint64_t rest = x >> at;
            int zeros = rest ? ncg_ctz64(rest) : 64 - at;
            if (zeros > 0) {
                run += zeros;
                at += zeros;
                if (run > best)
                    best = run;
            }
            if (at >= bits)
                break;
            rest = ~(x >> at);
            at += rest ? ncg_ctz64(rest) : 64 - at; /* skip the used cores */
            run = 0;
        }
    }
    return best;
}

void ncg_cluster_node_state(const ncg_node *n, ncg_node_state *out)
{
    const ncg_type_copy *tc = ncg_node_type_copy(n);
    const ncg_type *t = &tc->t;
    ncg_usage u;
    int total = t->chips * t->cores_per_chip;
    ncg_node_usage(n, &u);
    out->window = t->chips ? ncg_window_largest(t->topology, t->chips, ncg_node_free_chip_mask(n)) : 0;
    out->run = u.cores == 0 ? total : longest_free_run(n, total);
    out->free_cores = total - u.cores;
    out->cpu = tc->cpu_usable_milli - u.cpu_milli;
    out->mem = tc->memory_usable_bytes - u.memory_bytes;
    out->hp = t->hugepages_bytes - u.hugepages_bytes;
    out->key = ncg_free_key(tc, out->free_cores, out->cpu, out->mem, out->hp);
}

/* Whether a node of class cls of family k is in a tree: class 0 of the window and run families holds the nodes
 * that no whole-chip or core-granular request can use; only its count is kept (for the reasons of failures). */
static bool in_tree(int k, int cls)
{
    return cls > 0 || k == F_FREE;
}

/* Node n's class in family k when its state is st. */
static int class_of(int k, const ncg_node_state *st)
{
    return k == F_WINDOW ? st->window : k == F_RUN ? st->run : st->free_cores;
}

/* Put node n into family k of its node group as st says (the pool reserved for one insert). */
static void family_put(ncg_bt_pool *pool, family *f, int k, cnode *n, const ncg_node_state *st)
{
    int cls = class_of(k, st);
    if (in_tree(k, cls)) {
        ncg_bt_entry e = {st->key, second_key(k, st, n->seq), st->cpu, st->mem, n};
        family_add(pool, f, cls, &e);
    } else {
        f->count[cls]++;
    }
}

/* Take node n out of family k, where n->st put it. */
static void family_take(ncg_bt_pool *pool, family *f, int k, const cnode *n)
{
    int cls = class_of(k, &n->st);
    if (in_tree(k, cls))
        family_remove(pool, f, cls, n->st.key, second_key(k, &n->st, n->seq));
    else
        f->count[cls]--;
}

/* Index node n as st says (the pool reserved for F_COUNT inserts). */
static void index_put(ncg_bt_pool *pool, cgroup *g, cnode *n, const ncg_node_state *st)
{
    n->st = *st;
    for (int k = 0; k < F_COUNT; k++)
        family_put(pool, &g->fam[k], k, n, st);
}

static void index_remove(ncg_bt_pool *pool, cgroup *g, cnode *n)
{
    for (int k = 0; k < F_COUNT; k++)
        family_take(pool, &g->fam[k], k, n);
}

static void index_add(ncg_bt_pool *pool, cgroup *g, cnode *n)
{
    ncg_node_state s;
    ncg_cluster_node_state(n->node, &s);
    index_put(pool, g, n, &s);
}

/* Move node n to where its state puts it now (the pool reserved: index_reserve). In a family where the node stays
 * in its class (a CPU-only replica changes no class; a replica with chips often keeps the largest window), its
 * entry moves within its leaf when the new key belongs there: one descent instead of two. */
static void reindex(ncg_cluster *c, cnode *n)
{
    cgroup *g = &c->groups[n->group];
    ncg_node_state s;
    ncg_cluster_node_state(n->node, &s);
    if (s.window == n->st.window && s.run == n->st.run && s.free_cores == n->st.free_cores && s.cpu == n->st.cpu &&
        s.mem == n->st.mem && s.hp == n->st.hp && s.key == n->st.key)
        return;
    for (int k = 0; k < F_COUNT; k++) {
        family *f = &g->fam[k];
        int cls = class_of(k, &s);
        if (cls == class_of(k, &n->st) && in_tree(k, cls)) {
            ncg_bt_entry e = {s.key, second_key(k, &s, n->seq), s.cpu, s.mem, n};
            if (ncg_bt_move(f->roots[cls], n->st.key, second_key(k, &n->st, n->seq), &e)) {
                class_refresh(f, cls);
                continue;
            }
        }
        family_take(&c->pool, f, k, n);
        family_put(&c->pool, f, k, n, &s);
    }
    n->st = s;
}

/* Reserve the tree nodes that indexing one node, or moving it, may take: after this, neither can fail. */
static int index_reserve(ncg_cluster *c, ncg_error *err)
{
    if (!ncg_bt_reserve(&c->pool, F_COUNT))
        return ncg_fail(err, NCG_E_NOMEM, "out of memory indexing nodes");
    return 0;
}

int ncg_cluster_reserve_change(ncg_cluster *c, ncg_error *err) { return index_reserve(c, err); }

/* ---- name table: open addressing, linear probing, backward-shift deletion ---- */

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* A slot of the name table keeps the name's hash: probes and rehashing compare hashes, not the names of nodes
 * that are cold in memory. */
typedef struct tslot {
    cnode *n;
    uint32_t hash;
} tslot;

/* The node called name, whose hash_name() is h, or NULL. */
static cnode *lookup_hashed(const ncg_cluster *c, const char *name, uint32_t h)
{
    uint32_t mask = (uint32_t)(c->table_size - 1);
    if (!c->table_size)
        return NULL;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        const tslot *t = &c->table[i];
        if (!t->n)
            return NULL;
        if (t->hash == h && strcmp(t->n->name, name) == 0)
            return t->n;
    }
}

static cnode *lookup(const ncg_cluster *c, const char *name) { return lookup_hashed(c, name, hash_name(name)); }

static void table_put(tslot *table, int size, cnode *n)
{
    uint32_t i = n->hash & (uint32_t)(size - 1);
    while (table[i].n)
        i = (i + 1) & (uint32_t)(size - 1);
    table[i].n = n;
    table[i].hash = n->hash;
}

/* Make room in the name table for count nodes. */
static int table_reserve(ncg_cluster *c, int count, ncg_error *err)
{
    int size;
    tslot *t;
    if (count * 2 <= c->table_size)
        return 0;
    size = c->table_size ? c->table_size * 2 : 64;
    while (count * 2 > size)
        size *= 2;
    t = calloc((size_t)size, sizeof(*t));
    if (!t)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory indexing nodes");
    for (int i = 0; i < c->table_size; i++) /* the old table, not the nodes: their hashes are in it */
        if (c->table[i].n) {
            uint32_t j = c->table[i].hash & (uint32_t)(size - 1);
            while (t[j].n)
                j = (j + 1) & (uint32_t)(size - 1);
            t[j] = c->table[i];
        }
    free(c->table);
    c->table = t;
    c->table_size = size;
    return 0;
}

static void table_remove(ncg_cluster *c, cnode *n)
{
    uint32_t mask = (uint32_t)(c->table_size - 1), i = n->hash & mask, j;
    while (c->table[i].n != n)
        i = (i + 1) & mask;
    c->table[i].n = NULL;
    for (j = (i + 1) & mask; c->table[j].n; j = (j + 1) & mask) {
        uint32_t home = c->table[j].hash & mask;
        /* move j back to i when its home is not in the cyclic range (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            c->table[i] = c->table[j];
            c->table[j].n = NULL;
            i = j;
        }
    }
}

NCG_EXPORT ncg_cluster *ncg_cluster_new(unsigned flags, ncg_error *err)
{
    ncg_cluster *c;
    if (flags) {
        ncg_fail(err, NCG_E_INVALID, "cluster_new: flags 0x%x has unknown bits", flags);
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (!c)
        ncg_fail(err, NCG_E_NOMEM, "out of memory creating a cluster");
    else
        ncg_node_heap_init(&c->heap);
    return c;
}

NCG_EXPORT ncg_cluster *ncg_cluster_free(ncg_cluster *c)
{
    if (!c)
        return NULL;
    for (int i = 0; i < c->node_count; i++) {
        ncg_node_free(c->nodes[i]->node);
        if (c->nodes[i]->name != c->nodes[i]->inline_name)
            free(c->nodes[i]->name);
    }
    slabs_free(c);
    ncg_bt_pool_free(&c->pool);
    ncg_heap_release(&c->heap); /* after the nodes, which give their records back to it */
    for (int g = 0; g < c->group_count; g++) {
        families_free(&c->groups[g]);
        free(c->groups[g].type);
    }
    free(c->nodes);
    free(c->groups);
    free(c->group_table);
    free(c->table);
    ncg_ultras_free(&c->ultras);
    free(c);
    return NULL;
}
/* ---- node groups ---- */

int ncg_cluster_nodegroup_index(const ncg_cluster *c, const char *name)
{
    uint32_t mask;
    if (!c->group_table_size)
        return -1;
    mask = (uint32_t)(c->group_table_size - 1);
    for (uint32_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        int g = c->group_table[i] - 1;
        if (g < 0)
            return -1;
        if (strcmp(c->groups[g].name, name) == 0)
            return g;
    }
}

/* Make the node-group table hold count groups (rebuilt, larger, from the groups there are); NCG_E_NOMEM leaves it
 * as it was. */
static int group_table_reserve(ncg_cluster *c, int count, ncg_error *err)
{
    int size = c->group_table_size ? c->group_table_size : 8, *table;
    if (2 * count < c->group_table_size)
        return 0;
    while (2 * count >= size)
        size *= 2;
    if (!(table = calloc((size_t)size, sizeof(*table))))
        return ncg_fail(err, NCG_E_NOMEM, "out of memory for the table of %d node groups", count);
    for (int g = 0; g < c->group_count; g++) {
        uint32_t i = hash_name(c->groups[g].name) & (uint32_t)(size - 1);
        while (table[i])
            i = (i + 1) & (uint32_t)(size - 1);
        table[i] = g + 1;
    }
    free(c->group_table);
    c->group_table = table;
    c->group_table_size = size;
    return 0;
}

/* Add node group g (the last) to the table, which has room. */
static void group_table_put(ncg_cluster *c, int g)
{
    uint32_t mask = (uint32_t)(c->group_table_size - 1), i = hash_name(c->groups[g].name) & mask;
    while (c->group_table[i])
        i = (i + 1) & mask;
    c->group_table[i] = g + 1;
}

void ncg_cluster_nodegroup_info(const ncg_cluster *c, int gi, ncg_nodegroup_info *out)
{
    const cgroup *g = &c->groups[gi];
    out->name = g->name;
    out->type = g->type;
    out->min_nodes = g->min_nodes;
    out->max_nodes = g->max_nodes;
    out->nodes = g->nodes;
    out->has_spec_price = g->has_price;
    out->spec_price = g->spec_price;
    out->spec_price_text = g->price_text[0];
    out->type_price_text = g->price_text[1];
    out->price = g->price;
    out->priced = g->priced;
    out->priority = g->priority;
    out->policy = g->policy;
}

const ncg_type_copy *ncg_cluster_nodegroup_type(const ncg_cluster *c, int g) { return c->groups[g].type; }
double ncg_cluster_nodegroup_price(const ncg_cluster *c, int g) { return c->groups[g].price; }
int ncg_cluster_nodegroup_nodes(const ncg_cluster *c, int g) { return c->groups[g].nodes; }

bool ncg_cluster_nodegroup_has_room(const ncg_cluster *c, int g)
{
    return c->groups[g].nodes < c->groups[g].max_nodes;
}

int ncg_cluster_add_nodegroup_type(ncg_cluster *c, const char *name, const ncg_type_copy *type, int min_nodes,
                                   int max_nodes, bool has_price, double price, ncg_error *err)
{
    cgroup g = {0};
    ncg_quoted q;

    if (!ncg_valid_name(name, NCG_NAME_MAX))
        return ncg_fail(err, NCG_E_INVALID, "node group name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, "
                        "'.', '_' and '-'", ncg_quote(&q, name), NCG_NAME_MAX);
    if (ncg_cluster_nodegroup_index(c, name) >= 0)
        return ncg_fail(err, NCG_E_EXISTS, "node group %s exists already", name);
    if (min_nodes < 0 || max_nodes < min_nodes || max_nodes > 1000000)
        return ncg_fail(err, NCG_E_RANGE, "node group %s: min_instances %d and max_instances %d must satisfy "
                        "0 <= min <= max <= 1000000", name, min_nodes, max_nodes);
    if (has_price && !(price >= 0 && price < 1e12))
        return ncg_fail(err, NCG_E_RANGE, "node group %s: price %g must be finite and >= 0", name, price);
    strcpy(g.name, name);
    g.type = malloc(sizeof(*g.type));
    if (!g.type)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", name);
    *g.type = *type;
    ncg_type_copy_fix(g.type);
    g.min_nodes = min_nodes;
    g.max_nodes = max_nodes;
    g.has_price = has_price;
    g.spec_price = has_price && price != 0 ? price : 0; /* no -0.0 */
    g.priced = g.has_price || g.type->t.has_price;
    g.price = g.has_price ? g.spec_price : g.type->t.has_price ? g.type->t.usd_per_hour : 0;
    if (g.has_price)
        ncg_format_double(g.spec_price, g.price_text[0]);
    else
        strcpy(g.price_text[0], "-");
    if (g.type->t.has_price)
        ncg_format_double(g.type->t.usd_per_hour, g.price_text[1]);
    else
        strcpy(g.price_text[1], "-");
    g.policy = NCG_POLICY_PACK;
    if (c->group_count == c->group_capacity) {
        int cap = c->group_capacity ? c->group_capacity * 2 : 4;
        cgroup *grown = realloc(c->groups, (size_t)cap * sizeof(*grown));
        if (!grown) {
            free(g.type);
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", name);
        }
        c->groups = grown;
        c->group_capacity = cap;
    }
    if (group_table_reserve(c, c->group_count + 1, NULL) < 0) {
        free(g.type);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", name);
    }
    if (!families_init(&g)) {
        free(g.type);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding node group %s", name);
    }
    c->groups[c->group_count] = g;
    group_table_put(c, c->group_count);
    return c->group_count++;
}

void ncg_cluster_set_nodegroup_priority(ncg_cluster *c, int g, int priority)
{
    c->groups[g].priority = priority;
}

int ncg_cluster_set_nodegroup_max(ncg_cluster *c, int g, int max_nodes)
{
    int was = c->groups[g].max_nodes;
    c->groups[g].max_nodes = max_nodes;
    return was;
}

/* Set node group g's policy and its nodes'. */
static void set_group_policy(ncg_cluster *c, int g, ncg_policy policy)
{
    c->groups[g].policy = policy;
    for (int i = 0; i < c->node_count; i++)
        if (c->nodes[i]->group == g)
            ncg_node_set_policy(c->nodes[i]->node, policy, NULL);
}

void ncg_cluster_set_nodegroup_policy(ncg_cluster *c, int g, ncg_policy policy)
{
    c->groups[g].policy = policy;
}

NCG_EXPORT int ncg_cluster_add_nodegroup(ncg_cluster *c, const ncg_catalog *catalog, const ncg_nodegroup_spec *user,
                                         ncg_error *err)
{
    ncg_nodegroup_spec spec = {0};
    ncg_type_copy tc;
    ncg_quoted q;
    int rc;

    if (!c || !catalog || !user)
        return ncg_fail(err, NCG_E_INVALID, "cluster_add_nodegroup: %s is NULL",
                        !c ? "cluster" : !catalog ? "catalog" : "spec");
    if ((rc = NCG_CHECK_SIZED(user, ncg_nodegroup_spec, err)) < 0)
        return rc;
    ncg_sized_in(&spec, sizeof(spec), user);
    if (!spec.name || !ncg_valid_name(spec.name, NCG_NAME_MAX))
        return ncg_fail(err, NCG_E_INVALID, "node group name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, "
                        "'.', '_' and '-'", spec.name ? ncg_quote(&q, spec.name) : "NULL", NCG_NAME_MAX);
    if (ncg_cluster_nodegroup_index(c, spec.name) >= 0)
        return ncg_fail(err, NCG_E_EXISTS, "node group %s exists already", spec.name);
    if (!spec.type)
        return ncg_fail(err, NCG_E_INVALID, "node group %s: instance_type is NULL", spec.name);
    rc = ncg_catalog_copy_type(catalog, spec.type, &tc, err);
    if (rc < 0)
        return rc;
    if (spec.lnc != 0 && (rc = ncg_type_copy_set_lnc(&tc, spec.lnc, err)) < 0)
        return ncg_fail_prefix(err, rc, err, "node group %s", spec.name);
    rc = ncg_cluster_add_nodegroup_type(c, spec.name, &tc, spec.min_nodes, spec.max_nodes, spec.has_price != 0,
                                        spec.usd_per_hour, err);
    if (rc >= 0)
        c->groups[rc].priority = spec.priority;
    return rc;
}

NCG_EXPORT int ncg_cluster_nodegroup_count(const ncg_cluster *c)
{
    return c ? c->group_count : 0;
}

NCG_EXPORT int ncg_cluster_get_nodegroup(const ncg_cluster *c, int index, ncg_nodegroup_spec *out,
                                         ncg_type *out_type, ncg_error *err)
{
    ncg_nodegroup_spec spec = NCG_INIT(ncg_nodegroup_spec);
    const cgroup *g;
    int rc;
    if (!c || !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_get_nodegroup: %s is NULL", !c ? "cluster" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_nodegroup_spec, err)) < 0)
        return rc;
    if (out_type && (rc = NCG_CHECK_SIZED(out_type, ncg_type, err)) < 0)
        return rc;
    if (index < 0 || index >= c->group_count)
        return ncg_fail(err, NCG_E_NOT_FOUND, "node group index %d is out of range 0..%d", index,
                        c->group_count - 1);
    g = &c->groups[index];
    spec.name = g->name;
    spec.type = g->type->name;
    spec.min_nodes = g->min_nodes;
    spec.max_nodes = g->max_nodes;
    spec.has_price = g->priced;
    spec.usd_per_hour = g->price;
    spec.priority = g->priority;
    spec.lnc = g->type->t.lnc;
    ncg_sized_out(out, &spec, sizeof(spec));
    if (out_type)
        ncg_type_out(&g->type->t, g->type->name, NULL, out_type);
    return 0;
}

/* The node group called name into *g (NULL: every one, as -1); 0 or a negative code. */
static int policy_target(const ncg_cluster *c, const char *nodegroup, const char *fn, int *g, ncg_error *err)
{
    ncg_quoted q;
    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "%s: cluster is NULL", fn);
    *g = nodegroup ? ncg_cluster_nodegroup_index(c, nodegroup) : -1;
    if (nodegroup && *g < 0)
        return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group %s", ncg_quote(&q, nodegroup));
    return 0;
}

NCG_EXPORT int ncg_cluster_set_policy(ncg_cluster *c, const char *nodegroup, ncg_policy policy, ncg_error *err)
{
    int g, rc;
    if (c && policy != NCG_POLICY_PACK && policy != NCG_POLICY_FIRST_FIT)
        return ncg_fail(err, NCG_E_INVALID, "cluster_set_policy: policy %d is not a known ncg_policy", (int)policy);
    rc = policy_target(c, nodegroup, "cluster_set_policy", &g, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < c->group_count; i++)
        if (g == -1 || i == g)
            set_group_policy(c, i, policy);
    return 0;
}

NCG_EXPORT int ncg_cluster_get_policy(const ncg_cluster *c, const char *nodegroup, ncg_error *err)
{
    int g, rc = policy_target(c, nodegroup, "cluster_get_policy", &g, err);
    if (rc < 0)
        return rc;
    if (g == -1) {
        for (int i = 1; i < c->group_count; i++)
            if (c->groups[i].policy != c->groups[0].policy)
                return ncg_fail(err, NCG_E_INVALID, "cluster_get_policy: node groups %s and %s have different "
                                "policies; name one", c->groups[0].name, c->groups[i].name);
        return c->group_count ? (int)c->groups[0].policy : (int)NCG_POLICY_PACK;
    }
    return (int)c->groups[g].policy;
}

/* ---- nodes ---- */

const ncg_node *ncg_cluster_node(const ncg_cluster *c, int i) { return c->nodes[i]->node; }
ncg_node *ncg_cluster_node_mut(ncg_cluster *c, int i) { return c->nodes[i]->node; }
void ncg_cluster_node_changed(ncg_cluster *c, int i) { reindex(c, c->nodes[i]); }
const char *ncg_cluster_node_name(const ncg_cluster *c, int i) { return c->nodes[i]->name; }
int ncg_cluster_node_nodegroup(const ncg_cluster *c, int i) { return c->nodes[i]->group; }

int ncg_cluster_node_lookup(const ncg_cluster *c, const char *name)
{
    const cnode *n = lookup(c, name);
    return n ? n->index : -1;
}

/* A name "<node group>-<n>" that no node has; advances the node group's counter. */
/* Write the group's next unused generated node name into name; return its hash_name(). */
static uint32_t generate_name(ncg_cluster *c, cgroup *g, char *name, size_t size)
{
    uint32_t h;
    size_t len = strlen(g->name); /* at most NCG_NAME_MAX: "-" and an int always fit in size */
    (void)size;
    memcpy(name, g->name, len);
    name[len++] = '-';
    do {
        char digits[16];
        int k = 0;
        unsigned v = (unsigned)++g->next_seq;
        do
            digits[k++] = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        for (int j = 0; j < k; j++)
            name[len + (size_t)j] = digits[k - 1 - j];
        name[len + (size_t)k] = '\0';
        h = hash_name(name);
    } while (lookup_hashed(c, name, h));
    return h;
}

/* Insert node `built` (NULL: a new empty node of the group's type) under name (NULL: generated). */
static int insert(ncg_cluster *c, const char *name, int group, ncg_node *built, ncg_error *err)
{
    cgroup *g = &c->groups[group];
    char generated[NCG_NODE_NAME_MAX + 1];
    int seq = g->next_seq, rc;
    uint32_t h;
    cnode *n;
    ncg_quoted q;

    if (g->nodes >= g->max_nodes)
        return ncg_fail(err, NCG_E_RANGE, "node group %s has max_instances %d nodes already", g->name,
                        g->max_nodes);
    if (c->next_seq > SEQ_MASK) /* 2^54 nodes added in the cluster's lifetime: not reached in practice */
        return ncg_fail(err, NCG_E_RANGE, "the cluster has numbered 2^54 nodes, the most it can");
    if (!name) {
        h = generate_name(c, g, generated, sizeof(generated));
        name = generated;
    } else if (!ncg_valid_name(name, NCG_NODE_NAME_MAX)) {
        return ncg_fail(err, NCG_E_INVALID, "node name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, '.', "
                        "'_' and '-'", ncg_quote(&q, name), NCG_NODE_NAME_MAX);
    } else if (lookup_hashed(c, name, h = hash_name(name))) {
        return ncg_fail(err, NCG_E_EXISTS, "node %s exists already", name);
    }
    rc = table_reserve(c, c->node_count + 1, err);
    if (rc == 0)
        rc = index_reserve(c, err);
    if (rc == 0 && c->node_count == c->node_capacity) {
        int cap = c->node_capacity ? c->node_capacity * 2 : 16;
        cnode **grown = realloc(c->nodes, (size_t)cap * sizeof(*grown));
        if (!grown)
            rc = ncg_fail(err, NCG_E_NOMEM, "out of memory adding node %s", name);
        else {
            c->nodes = grown;
            c->node_capacity = cap;
        }
    }
    n = rc == 0 ? cnode_alloc(c) : NULL;
    if (n)
        n->node = built ? built : ncg_node_from_type(g->type);
    if (rc == 0 && (!n || !n->node || !cnode_set_name(n, name, strlen(name)))) {
        if (n && n->node && !built)
            ncg_node_free(n->node);
        if (n)
            cnode_release(c, n);
        rc = ncg_fail(err, NCG_E_NOMEM, "out of memory adding node %s", name);
    }
    if (rc < 0) {
        g->next_seq = seq; /* a failed call changes nothing, not even the generated-name counter */
        return rc;
    }
    n->hash = h;
    n->group = group;
    n->index = c->node_count;
    n->seq = c->next_seq++;
    n->ultra = -1;
    ncg_node_set_type_ref(n->node, g->type); /* a node built outside may refer to another cluster's copy */
    ncg_node_set_policy(n->node, g->policy, NULL);
    ncg_node_set_heap(n->node, &c->heap);
    c->nodes[c->node_count++] = n;
    table_put(c->table, c->table_size, n);
    index_add(&c->pool, g, n);
    g->nodes++;
    return n->index;
}

int ncg_cluster_insert_node(ncg_cluster *c, const char *name, int group, ncg_error *err)
{
    return insert(c, name, group, NULL, err);
}

int ncg_cluster_insert_built(ncg_cluster *c, int group, ncg_node *node, ncg_error *err)
{
    return insert(c, NULL, group, node, err);
}

NCG_EXPORT int ncg_cluster_add_node(ncg_cluster *c, const char *name, const char *group, ncg_error *err)
{
    int g;
    if (!c || !group)
        return ncg_fail(err, NCG_E_INVALID, "cluster_add_node: %s is NULL", !c ? "cluster" : "nodegroup");
    g = ncg_cluster_nodegroup_index(c, group);
    if (g < 0) {
        ncg_quoted q;
        return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group %s", ncg_quote(&q, group));
    }
    return ncg_cluster_insert_node(c, name, g, err);
}

int ncg_cluster_node_replace(ncg_cluster *c, int i, int g, ncg_node *fresh, ncg_error *err)
{
    cnode *n = c->nodes[i];
    cgroup *from = &c->groups[n->group], *to = &c->groups[g];
    char name[NCG_NODE_NAME_MAX + 1];
    int seq = to->next_seq;
    uint32_t h;
    if (g != n->group && to->nodes >= to->max_nodes)
        return ncg_fail(err, NCG_E_RANGE, "node group %s has max_instances %d nodes already", to->name,
                        to->max_nodes);
    if (index_reserve(c, err) < 0)
        return NCG_E_NOMEM;
    h = generate_name(c, to, name, sizeof(name));
    if (!cnode_set_name(n, name, strlen(name))) { /* the table finds n by hash and address: the old hash stays */
        to->next_seq = seq;
        return ncg_fail(err, NCG_E_NOMEM, "out of memory renaming node %s", n->name);
    }
    index_remove(&c->pool, from, n);
    table_remove(c, n);
    ncg_node_free(n->node);
    n->node = fresh;
    ncg_node_set_type_ref(fresh, to->type);
    ncg_node_set_policy(fresh, to->policy, NULL);
    ncg_node_set_heap(fresh, &c->heap);
    from->nodes--;
    to->nodes++;
    n->group = g;
    n->hash = h;
    table_put(c->table, c->table_size, n);
    index_add(&c->pool, to, n);
    return 0;
}

int ncg_cluster_renumber(ncg_cluster *c, int first, const ncg_cluster *like, ncg_error *err)
{
    int count = c->node_count - first, k;
    char **names = calloc((size_t)(count > 0 ? count : 1), sizeof(char *));
    uint32_t *hashes = malloc((size_t)(count > 0 ? count : 1) * sizeof(uint32_t));
    int *seq = malloc((size_t)(c->group_count + 1) * sizeof(int));
    bool ok = names && hashes && seq;
    if (!ok) {
        free(names);
        free(hashes);
        free(seq);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory naming nodes");
    }
    for (int g = 0; g < c->group_count; g++) {
        seq[g] = c->groups[g].next_seq;
        c->groups[g].next_seq = like->groups[g].next_seq;
    }
    /* out of the name table while they get their new names, so that no node's old name is skipped as taken */
    for (k = 0; k < count; k++)
        table_remove(c, c->nodes[first + k]);
    for (k = 0; ok && k < count; k++) {
        char name[NCG_NODE_NAME_MAX + 1];
        size_t len;
        hashes[k] = generate_name(c, &c->groups[c->nodes[first + k]->group], name, sizeof(name));
        len = strlen(name);
        ok = (names[k] = malloc(len + 1)) != NULL;
        if (ok)
            memcpy(names[k], name, len + 1);
    }
    for (k = 0; ok && k < count; k++) {
        cnode *n = c->nodes[first + k];
        size_t len = strlen(names[k]);
        if (n->name != n->inline_name)
            free(n->name);
        if (len < NAME_INLINE) {
            memcpy(n->inline_name, names[k], len + 1);
            n->name = n->inline_name;
        } else {
            n->name = names[k]; /* the record takes the allocation */
            names[k] = NULL;
        }
        n->hash = hashes[k];
    }
    /* back into the table, under their new names, or their old ones when out of memory */
    for (k = 0; k < count; k++)
        table_put(c->table, c->table_size, c->nodes[first + k]);
    if (!ok)
        for (int g = 0; g < c->group_count; g++)
            c->groups[g].next_seq = seq[g];
    for (k = 0; k < count; k++)
        free(names[k]);
    free(names);
    free(hashes);
    free(seq);
    return ok ? 0 : ncg_fail(err, NCG_E_NOMEM, "out of memory naming nodes");
}

/* The node called name, or NULL with *rc set to the error (NCG_E_INVALID or NCG_E_NOT_FOUND). */
static cnode *need_node(const ncg_cluster *c, const char *name, int *rc, ncg_error *err)
{
    cnode *n;
    ncg_quoted q;
    if (!c || !name) {
        *rc = ncg_fail(err, NCG_E_INVALID, "%s is NULL", !c ? "cluster" : "node name");
        return NULL;
    }
    n = lookup(c, name);
    if (!n)
        *rc = ncg_fail(err, NCG_E_NOT_FOUND, "no node %s in the cluster", ncg_quote(&q, name));
    return n;
}

NCG_EXPORT int ncg_cluster_remove_node(ncg_cluster *c, const char *name, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, name, &rc, err);
    if (!n)
        return rc;
    ncg_ultras_forget(&c->ultras, n->seq, 0);
    index_remove(&c->pool, &c->groups[n->group], n);
    table_remove(c, n);
    c->groups[n->group].nodes--;
    memmove(&c->nodes[n->index], &c->nodes[n->index + 1], (size_t)(c->node_count - n->index - 1) * sizeof(cnode *));
    c->node_count--;
    for (int i = n->index; i < c->node_count; i++)
        c->nodes[i]->index = i;
    ncg_node_free(n->node);
    cnode_release(c, n);
    return 0;
}

NCG_EXPORT int ncg_cluster_node_count(const ncg_cluster *c)
{
    return c ? c->node_count : 0;
}

NCG_EXPORT int ncg_cluster_get_node(const ncg_cluster *c, int index, const ncg_node **out_node, const char **out_name,
                                    int *out_nodegroup, ncg_error *err)
{
    if (!c)
        return ncg_fail(err, NCG_E_INVALID, "cluster is NULL");
    if (index < 0 || index >= c->node_count)
        return ncg_fail(err, NCG_E_NOT_FOUND, "node index %d is out of range 0..%d", index, c->node_count - 1);
    if (out_node)
        *out_node = c->nodes[index]->node;
    if (out_name)
        *out_name = c->nodes[index]->name;
    if (out_nodegroup)
        *out_nodegroup = c->nodes[index]->group;
    return 0;
}

NCG_EXPORT int ncg_cluster_find_node(const ncg_cluster *c, const char *name, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, name, &rc, err);
    return n ? n->index : rc;
}

/* ---- deep copy ---- */

NCG_EXPORT ncg_cluster *ncg_cluster_clone(const ncg_cluster *c, ncg_error *err)
{
    ncg_cluster *copy;
    if (!c) {
        ncg_fail(err, NCG_E_INVALID, "cluster_clone: cluster is NULL");
        return NULL;
    }
    copy = calloc(1, sizeof(*copy));
    if (!copy)
        goto nomem;
    ncg_node_heap_init(&copy->heap);
    copy->next_seq = c->next_seq;
    if (c->group_count) {
        copy->groups = calloc((size_t)c->group_count, sizeof(*copy->groups));
        if (!copy->groups)
            goto nomem;
        copy->group_capacity = c->group_count;
    }
    for (int g = 0; g < c->group_count; g++) {
        cgroup *dst = &copy->groups[g];
        *dst = c->groups[g];
        memset(dst->fam, 0, sizeof(dst->fam));
        dst->type = malloc(sizeof(*dst->type));
        if (!dst->type)
            goto nomem;
        *dst->type = *c->groups[g].type;
        ncg_type_copy_fix(dst->type);
        copy->group_count++;
        if (!families_init(dst))
            goto nomem;
    }
    if (c->group_count && group_table_reserve(copy, c->group_count, NULL) < 0)
        goto nomem;
    if (ncg_ultras_copy(&copy->ultras, &c->ultras) < 0)
        goto nomem;
    if (c->node_count) {
        copy->nodes = malloc((size_t)c->node_count * sizeof(*copy->nodes));
        if (!copy->nodes || table_reserve(copy, c->node_count, NULL) < 0)
            goto nomem;
        copy->node_capacity = c->node_count;
    }
    for (int i = 0; i < c->node_count; i++) {
        cnode *n = cnode_alloc(copy);
        if (!n)
            goto nomem;
        const cnode *from = c->nodes[i];
        *n = *from;
        n->name = NULL;
        n->node = ncg_node_clone_ref(from->node, copy->groups[from->group].type, &copy->heap);
        if (!n->node || !cnode_set_name(n, from->name, strlen(from->name)) || index_reserve(copy, NULL) < 0) {
            ncg_node_free(n->node);
            cnode_release(copy, n);
            goto nomem;
        }
        copy->nodes[copy->node_count++] = n;
        table_put(copy->table, copy->table_size, n);
        index_add(&copy->pool, &copy->groups[n->group], n);
    }
    return copy;
nomem:
    ncg_cluster_free(copy);
    ncg_fail(err, NCG_E_NOMEM, "out of memory copying a cluster");
    return NULL;
}

/* ---- placement ---- */

static int allowed_groups(const ncg_cluster *c, const char *const *groups, size_t count, bool *allowed,
                          ncg_error *err)
{
    if (!groups) {
        if (count)
            return ncg_fail(err, NCG_E_INVALID, "nodegroups is NULL but nodegroup_count is %zu", count);
        for (int g = 0; g < c->group_count; g++)
            allowed[g] = true;
        return 0;
    }
    for (int g = 0; g < c->group_count; g++)
        allowed[g] = false;
    for (size_t i = 0; i < count; i++) {
        int g = groups[i] ? ncg_cluster_nodegroup_index(c, groups[i]) : -1;
        if (g < 0) {
            ncg_quoted q;
            return ncg_fail(err, NCG_E_NOT_FOUND, "unknown node group %s",
                            groups[i] ? ncg_quote(&q, groups[i]) : "NULL");
        }
        allowed[g] = true;
    }
    return 0;
}

static void need_of(const cgroup *g, const ncg_shape *s, const ncg_request *r, need *out)
{
    out->kind = s->chips > 0 ? F_WINDOW : s->cores > 0 ? F_RUN : F_FREE;
    out->amount = s->chips > 0 ? s->chips : s->cores;
    out->cpu = r->cpu_milli;
    out->mem = r->memory_bytes;
    out->hp = r->hugepages_bytes;
    out->rest = ncg_free_key(g->type, 0, r->cpu_milli, r->memory_bytes, r->hugepages_bytes);
    /* ncg_free_key() of the whole request */
    out->key = fraction(s->cores, (int64_t)g->type->t.chips * g->type->t.cores_per_chip) + out->rest;
}

/* The smallest free-capacity key a node of class cls of family f (the request's) can have if it fits the request:
 * it has at least cls times the type's cores per chip free (a window of cls chips) or cls free cores (a run), and
 * at least the CPU, memory and hugepages the request takes. Every term of ncg_free_key() is non-decreasing in its
 * resource, so no node of the class that fits has a smaller key; and the bound grows with cls. */
static int64_t class_low_key(const family *f, const need *nd, int cls)
{
    return f->sum[cls].low + nd->rest;
}

/* The score of a request that needs nd on node n, whose free state is st. */
static void score_of(const ncg_cluster *c, const cnode *n, const ncg_node_state *st, const need *nd, ncg_choice *out)
{
    out->node = n->index;
    out->nodegroup = n->group;
    out->priority = c->groups[n->group].priority;
    out->free_cores = nd->kind == F_FREE ? st->free_cores : 0;
    out->free_after = st->key - nd->key;
    out->leftover = (nd->kind == F_WINDOW ? st->window : st->run) - nd->amount;
    out->seq = n->seq;
}

/* Score order: a before b (both valid). */
static bool better(const ncg_choice *a, const ncg_choice *b)
{
    if (a->priority != b->priority)
        return a->priority > b->priority;
    if (a->free_cores != b->free_cores)
        return a->free_cores < b->free_cores;
    if (a->free_after != b->free_after)
        return a->free_after < b->free_after;
    if (a->leftover != b->leftover)
        return a->leftover < b->leftover;
    if (a->nodegroup != b->nodegroup)
        return a->nodegroup < b->nodegroup;
    return a->seq < b->seq;
}

bool ncg_choice_better(const ncg_choice *a, const ncg_choice *b)
{
    return better(a, b);
}

/* Check the request against every allowed node group's type (shapes[g].ppr = 0 where it fails). */
static void shapes_of(const ncg_cluster *c, const ncg_request *r, const bool *allowed, ncg_shape *shapes, bool *ok)
{
    for (int g = 0; g < c->group_count; g++)
        ok[g] = allowed[g] && ncg_request_check_type(c->groups[g].type, r, &shapes[g], NULL) >= 0;
}

/* The best node through the index; out->node = -1 when none. Per node group, the classes of the request's family
 * that hold it, in the order of the score's later terms: for whole chips and NeuronCores every class from the
 * request's size up (the free-capacity key comes first, the leftover is the class), searched only for keys that
 * can beat or tie the best so far; for CPU only, the classes by free cores from 0 up, stopping at the first with
 * a node that fits (free cores come first). A node's key is never below the request's share if it fits. */
static void choose_indexed(const ncg_cluster *c, const ncg_request *r, const bool *ok, const ncg_shape *shapes,
                           ncg_choice *best)
{
    best->node = -1;
    for (int gi = 0; gi < c->group_count; gi++) {
        const cgroup *g = &c->groups[gi];
        const family *f;
        need nd;
        if (!ok[gi] || g->nodes == 0)
            continue;
        if (best->node >= 0 && g->priority < best->priority)
            continue;
        need_of(g, &shapes[gi], r, &nd);
        f = &g->fam[nd.kind];
        for (int cls = family_next(f, nd.amount); cls >= 0; cls = family_next(f, cls + 1)) {
            int64_t lo = nd.kind == F_FREE ? nd.key : class_low_key(f, &nd, cls), hi = INT64_MAX;
            const cnode *n;
            ncg_choice cand;
            if (best->node >= 0 && best->priority == g->priority) {
                if (nd.kind == F_FREE && cls > best->free_cores)
                    break;
                if (nd.kind != F_FREE || cls == best->free_cores)
                    hi = best->free_after + nd.key;
                if (lo > hi) /* and so in every class above: nothing there can beat or tie the best */
                    break;
            }
            if (f->sum[cls].mina > hi || f->sum[cls].cpu < nd.cpu || f->sum[cls].mem < nd.mem ||
                !(n = class_first_fit(f->roots[cls], &nd, lo, hi)))
                continue;
            score_of(c, n, &n->st, &nd, &cand);
            if (best->node < 0 || better(&cand, best))
                *best = cand;
            if (nd.kind == F_FREE)
                break;
        }
    }
}

/* The same choice by a scan of every node, checking each with ncg_node_plan(): the reference of the index. */
static void choose_linear(const ncg_cluster *c, const ncg_request *r, const bool *ok, const ncg_shape *shapes,
                          ncg_choice *best)
{
    best->node = -1;
    for (int i = 0; i < c->node_count; i++) {
        const cnode *n = c->nodes[i];
        ncg_node_state s;
        ncg_choice cand;
        need nd;
        if (!ok[n->group] || ncg_node_plan(n->node, r, NULL, NULL) < 0)
            continue;
        need_of(&c->groups[n->group], &shapes[n->group], r, &nd);
        ncg_cluster_node_state(n->node, &s);
        score_of(c, n, &s, &nd, &cand);
        if (best->node < 0 || better(&cand, best))
            *best = cand;
    }
}

int ncg_cluster_choose(const ncg_cluster *c, const ncg_request *request, const char *const *groups,
                       size_t group_count, bool linear, ncg_choice *out)
{
    bool allowed[256], ok[256];
    ncg_shape shapes[256];
    ncg_request r;
    int rc = ncg_request_in(request, &r, NULL);
    if (rc < 0)
        return rc;
    if (c->group_count > 256)
        return NCG_E_RANGE;
    rc = allowed_groups(c, groups, group_count, allowed, NULL);
    if (rc < 0)
        return rc;
    shapes_of(c, &r, allowed, shapes, ok);
    if (linear)
        choose_linear(c, &r, ok, shapes, out);
    else
        choose_indexed(c, &r, ok, shapes, out);
    return 0;
}

/* Append "; text" (or "text" to an empty buffer), truncating at size. */
static void append(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf), n = strlen(text);
    if (used && used + 2 < size) {
        memcpy(buf + used, "; ", 2);
        used += 2;
    }
    if (n > size - used - 1)
        n = size - used - 1;
    memcpy(buf + used, text, n);
    buf[used + n] = '\0';
}

/* Counts of a class's nodes by the first resource they are short of (CPU, memory, hugepages). */
typedef struct shortage {
    const need *nd;
    int cpu, mem, hp;
} shortage;

static void count_short(const ncg_bt_entry *e, void *ctx)
{
    shortage *s = ctx;
    if (e->cpu < s->nd->cpu)
        s->cpu++;
    else if (e->mem < s->nd->mem)
        s->mem++;
    else if (((const cnode *)e->item)->st.hp < s->nd->hp)
        s->hp++;
}

/* Why no node of node group g takes the request: what its nodes lack, by resource, and its max_instances. */
static void explain(const cgroup *g, const ncg_shape *s, const ncg_request *r, char *line, size_t size)
{
    const family *f;
    need nd;
    int small = 0, cpu, mem, hp;
    shortage sh = {&nd, 0, 0, 0};
    size_t o;
    need_of(g, s, r, &nd);
    if (g->nodes == 0) {
        snprintf(line, size, "node group %s: has no nodes, max_instances %d%s", g->name, g->max_nodes,
                 g->max_nodes == 0 ? " reached" : "");
        return;
    }
    f = &g->fam[nd.kind];
    for (int cls = 0; cls < f->n; cls++) {
        if (cls < nd.amount)
            small += f->count[cls];
        else if (f->count[cls])
            ncg_bt_each(f->roots[cls], count_short, &sh);
    }
    cpu = sh.cpu;
    mem = sh.mem;
    hp = sh.hp;
    o = (size_t)snprintf(line, size, "node group %s: %d node%s, max_instances %d%s", g->name, g->nodes,
                         g->nodes == 1 ? "" : "s", g->max_nodes, g->nodes >= g->max_nodes ? " reached" : "");
    o += (size_t)snprintf(line + o, size - o, ":");
    if (small && nd.kind == F_WINDOW)
        o += (size_t)snprintf(line + o, size - o, " %d without a free window of %d chips,", small, nd.amount);
    else if (small)
        o += (size_t)snprintf(line + o, size - o, " %d without %d contiguous free NeuronCores,", small, nd.amount);
    if (cpu)
        o += (size_t)snprintf(line + o, size - o, " %d short of CPU,", cpu);
    if (mem)
        o += (size_t)snprintf(line + o, size - o, " %d short of memory,", mem);
    if (hp)
        o += (size_t)snprintf(line + o, size - o, " %d short of hugepages,", hp);
    if (o < size && line[o - 1] == ',')
        line[o - 1] = '\0';
}

/* Commit a slot found on node n, reindex it and describe the placement in the caller's sized out. */
static int commit_placement(ncg_cluster *c, cnode *n, const ncg_slot *slot, const ncg_request *r, ncg_placement *out,
                            ncg_error *err)
{
    ncg_placement pl = NCG_INIT(ncg_placement);
    ncg_alloc a;
    int rc = index_reserve(c, err);
    if (rc == 0)
        rc = ncg_node_commit(n->node, slot, r, &a, err);
    if (rc < 0)
        return rc;
    reindex(c, n);
    pl.node = n->name;
    pl.node_index = n->index;
    pl.nodegroup = n->group;
    pl.alloc_id = a.id;
    ncg_sized_out(out, &pl, sizeof(pl));
    return 0;
}

NCG_EXPORT int ncg_cluster_place(ncg_cluster *c, const ncg_request *request, const char *const *groups,
                                 size_t group_count, ncg_placement *out, ncg_error *err)
{
    bool stack_allowed[64], stack_ok[64], *allowed = stack_allowed, *ok = stack_ok;
    ncg_shape stack_shapes[64], *shapes = stack_shapes;
    char reasons[NCG_MESSAGE_MAX]; /* set only on the failure path: an initialiser zeroes it on every call */
    ncg_request req, *r = &req;
    ncg_choice best;
    int rc;

    if (!c || !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_place: %s is NULL", !c ? "cluster" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_placement, err)) < 0)
        return rc;
    rc = ncg_request_in(request, &req, err);
    if (rc < 0)
        return rc;
    if (c->group_count > 64) {
        allowed = malloc((size_t)c->group_count * sizeof(bool));
        ok = malloc((size_t)c->group_count * sizeof(bool));
        shapes = malloc((size_t)c->group_count * sizeof(*shapes));
        if (!allowed || !ok || !shapes) {
            rc = ncg_fail(err, NCG_E_NOMEM, "out of memory placing a replica");
            goto done;
        }
    }
    rc = allowed_groups(c, groups, group_count, allowed, err);
    if (rc < 0)
        goto done;
    shapes_of(c, r, allowed, shapes, ok);
    choose_indexed(c, r, ok, shapes, &best);
    if (best.node >= 0) {
        cnode *n = c->nodes[best.node];
        ncg_slot p;
        rc = ncg_node_plan(n->node, r, &p, err);
        if (rc == 0)
            rc = commit_placement(c, n, &p, r, out, err);
        goto done;
    }
    if (!err) { /* the reasons cost a scan of every allowed node group: only for a caller who reads them */
        rc = NCG_E_FULL;
        goto done;
    }
    reasons[0] = '\0';
    for (int gi = 0; gi < c->group_count; gi++) {
        char line[NCG_MESSAGE_MAX + 80];
        if (!allowed[gi])
            continue;
        if (!ok[gi]) {
            ncg_error e;
            ncg_request_check_type(c->groups[gi].type, r, &shapes[gi], &e);
            snprintf(line, sizeof(line), "node group %s: %s", c->groups[gi].name, e.message);
        } else {
            explain(&c->groups[gi], &shapes[gi], r, line, sizeof(line));
        }
        append(reasons, sizeof(reasons), line);
    }
    rc = ncg_fail(err, NCG_E_FULL, "no node can take the replica: %s", reasons[0] ? reasons : "no node groups");
done:
    if (allowed != stack_allowed) {
        free(allowed);
        free(ok);
        free(shapes);
    }
    return rc;
}

/* The score of a replica on one node, when it fits now (0), else the node's reason. */
static int score_one(const ncg_cluster *c, const char *node, const ncg_request *request, const char *fn,
                     const cnode **out_node, ncg_request *r, ncg_slot *slot, ncg_node_score *out, ncg_error *err)
{
    int rc = 0;
    const cnode *n;
    const cgroup *g;
    ncg_shape shape;
    ncg_node_state st;
    ncg_choice ch;
    need nd;
    if (!c || !out)
        return ncg_fail(err, NCG_E_INVALID, "%s: %s is NULL", fn, !c ? "cluster" : "out");
    if (!(n = need_node(c, node, &rc, err)))
        return rc;
    if ((rc = ncg_request_in(request, r, err)) < 0)
        return rc;
    g = &c->groups[n->group];
    if ((rc = ncg_request_check_type(g->type, r, &shape, err)) < 0)
        return rc;
    if ((rc = ncg_node_plan(n->node, r, slot, err)) < 0)
        return rc;
    need_of(g, &shape, r, &nd);
    ncg_cluster_node_state(n->node, &st);
    score_of(c, n, &st, &nd, &ch);
    *out = (ncg_node_score){.size = (uint32_t)sizeof(*out), .node_index = ch.node, .nodegroup = ch.nodegroup,
                            .priority = ch.priority, .leftover = ch.leftover, .free_after = ch.free_after,
                            .seq = ch.seq, .free_cores = ch.free_cores};
    *out_node = n;
    return 0;
}

NCG_EXPORT int ncg_cluster_score_node(const ncg_cluster *c, const char *node, const ncg_request *request,
                                      ncg_node_score *out, ncg_error *err)
{
    ncg_node_score s = NCG_INIT(ncg_node_score);
    ncg_request r;
    ncg_slot slot;
    const cnode *n;
    int rc;
    if (out && (rc = NCG_CHECK_SIZED(out, ncg_node_score, err)) < 0)
        return rc;
    rc = score_one(c, node, request, "cluster_score_node", &n, &r, &slot, out ? &s : NULL, err);
    if (rc == 0)
        ncg_sized_out(out, &s, sizeof(s));
    return rc;
}

NCG_EXPORT int ncg_node_score_compare(const ncg_node_score *a, const ncg_node_score *b)
{
    ncg_choice x, y;
    if (!a || !b)
        return !a && !b ? 0 : !a ? 1 : -1;
    x = (ncg_choice){a->node_index, a->nodegroup, a->priority, a->free_cores, a->free_after, a->leftover, a->seq};
    y = (ncg_choice){b->node_index, b->nodegroup, b->priority, b->free_cores, b->free_after, b->leftover, b->seq};
    return better(&x, &y) ? -1 : better(&y, &x) ? 1 : 0;
}

/* Sort idx[0..n) by the scores they index, stably (merge sort through tmp). */
static void sort_scores(const ncg_choice *ch, size_t *idx, size_t *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = better(&ch[idx[j]], &ch[idx[i]]) ? idx[j++] : idx[i++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
}

NCG_EXPORT int ncg_node_score_rank(const ncg_node_score *scores, size_t n, int *ranks, ncg_error *err)
{
    ncg_choice *ch;
    size_t *idx, *tmp;
    uint32_t stride;
    if (n == 0)
        return 0;
    if (!scores || !ranks)
        return ncg_fail(err, NCG_E_INVALID, "node_score_rank: %s is NULL but n is %zu", !scores ? "scores" : "ranks", n);
    if (n > NCG_MAX_SCORES)
        return ncg_fail(err, NCG_E_RANGE, "node_score_rank: n %zu is out of range 0..%d", n, NCG_MAX_SCORES);
    if (scores[0].size < NCG_V1_SIZE(ncg_node_score))
        return NCG_CHECK_SIZED(&scores[0], ncg_node_score, err);
    stride = scores[0].size;
    ch = malloc(n * sizeof *ch);
    idx = malloc(2 * n * sizeof *idx);
    if (!ch || !idx) {
        free(ch);
        free(idx);
        return ncg_fail(err, NCG_E_NOMEM, "node_score_rank: out of memory for %zu scores", n);
    }
    for (size_t i = 0; i < n; i++) {
        const ncg_node_score *s = (const ncg_node_score *)(const void *)((const char *)scores + i * stride);
        if (s->size != stride) {
            free(ch);
            free(idx);
            return ncg_fail(err, NCG_E_INVALID, "score %zu: ncg_node_score.size %u differs from the first score's %u", i,
                            s->size, stride);
        }
        ch[i] = (ncg_choice){s->node_index, s->nodegroup, s->priority, s->free_cores, s->free_after, s->leftover, s->seq};
        idx[i] = i;
    }
    tmp = idx + n;
    sort_scores(ch, idx, tmp, n);
    for (size_t r = 0, level = 0; r < n; r++) {
        if (r > 0 && better(&ch[idx[r - 1]], &ch[idx[r]]))
            level++;
        ranks[idx[r]] = (int)level;
    }
    free(ch);
    free(idx);
    return 0;
}

NCG_EXPORT int ncg_cluster_place_on(ncg_cluster *c, const char *node, const ncg_request *request,
                                    ncg_placement *out, ncg_error *err)
{
    ncg_node_score s = NCG_INIT(ncg_node_score);
    ncg_request r;
    ncg_slot slot;
    const cnode *cn = NULL;
    cnode *n;
    int rc;
    if (c && !out)
        return ncg_fail(err, NCG_E_INVALID, "cluster_place_on: out is NULL");
    if (out && (rc = NCG_CHECK_SIZED(out, ncg_placement, err)) < 0)
        return rc;
    rc = score_one(c, node, request, "cluster_place_on", &cn, &r, &slot, &s, err);
    if (rc < 0)
        return rc;
    n = c->nodes[cn->index];
    return commit_placement(c, n, &slot, &r, out, err);
}

NCG_EXPORT int ncg_cluster_release(ncg_cluster *c, const char *node, uint64_t id, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, node, &rc, err);
    if (!n)
        return rc;
    rc = index_reserve(c, err);
    if (rc == 0)
        rc = ncg_node_release(n->node, id, err);
    if (rc == 0) {
        reindex(c, n);
        ncg_ultras_forget(&c->ultras, n->seq, id);
    }
    return rc;
}

NCG_EXPORT int ncg_cluster_adopt(ncg_cluster *c, const char *node, const ncg_request *request,
                                 const char *visible_devices, const char *const *visible_cores, size_t process_count,
                                 ncg_alloc *out, ncg_error *err)
{
    int rc = 0;
    cnode *n = need_node(c, node, &rc, err);
    if (!n)
        return rc;
    rc = index_reserve(c, err);
    if (rc == 0)
        rc = ncg_node_adopt(n->node, request, visible_devices, visible_cores, process_count, out, err);
    if (rc == 0)
        reindex(c, n);
    return rc;
}

/* ---- what ultraserver.c reads and keeps of the nodes ---- */

ncg_ultras *ncg_cluster_ultras(ncg_cluster *c) { return &c->ultras; }
const ncg_ultras *ncg_cluster_ultras_const(const ncg_cluster *c) { return &c->ultras; }
int ncg_cluster_node_ultra(const ncg_cluster *c, int i) { return c->nodes[i]->ultra; }
void ncg_cluster_set_node_ultra(ncg_cluster *c, int i, int ultra) { c->nodes[i]->ultra = ultra; }
uint64_t ncg_cluster_node_seq(const ncg_cluster *c, int i) { return c->nodes[i]->seq; }

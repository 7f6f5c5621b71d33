/* SPDX-License-Identifier: Apache-2.0 */
/* One node: chips, cores, CPU and memory in use, and the allocations (replicas) that hold them. The layout below
 * is private to this file; other files use the functions of node.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/heap.h"
#include "node/node.h"

#define CORE_WORDS (NCG_MAX_CORES / 64)

/* What few allocations have: NCG sizes per process and models. One block: this header, the sizes, the models,
 * their names. */
typedef struct alloc_extra {
    int *sizes;             /* per process, only when the NCGs differ in size (adopted); else NULL */
    ncg_model *models;      /* full-size copies; names point into the block */
    size_t model_count;
    int64_t model_bytes;    /* sum of the models' bytes, saturated */
    int64_t hugepages_bytes;
} alloc_extra;

/* One allocation as its node keeps it: 48 bytes where an ncg_alloc and a pointer take 80. A full node's records
 * are most of what the node holds, and growing them takes fresh heap pages; fewer bytes mean fewer cache lines
 * and page faults per placement (doc/placement.md). Expanded into an ncg_alloc by rec_get(). */
typedef struct alloc_rec {
    uint64_t id;
    int64_t cpu_milli, memory_bytes;
    alloc_extra *x;         /* NULL when it has no sizes, no models and no hugepages */
    int32_t ppr;
    int16_t first_core;     /* -1 for CPU only; cores < NCG_MAX_CORES (256) */
    int16_t core_count;
    int16_t ncg_size;
    int8_t first_chip;      /* -1 for CPU only; chips <= NCG_MAX_CHIPS (64) */
    int8_t chip_count;
    bool whole_chips;
} alloc_rec;

_Static_assert(sizeof(alloc_rec) == 48, "an allocation's record is 48 bytes");
_Static_assert(NCG_MAX_CORES <= INT16_MAX && NCG_MAX_CHIPS <= INT8_MAX, "the record's small fields hold the limits");

static void rec_get(const alloc_rec *r, ncg_alloc *a)
{
    memset(a, 0, sizeof(*a)); /* padding too: callers copy the whole struct out */
    a->size = sizeof(*a);
    a->id = r->id;
    a->whole_chips = r->whole_chips;
    a->first_chip = r->first_chip;
    a->chip_count = r->chip_count;
    a->first_core = r->first_core;
    a->core_count = r->core_count;
    a->ppr = r->ppr;
    a->ncg_size = r->ncg_size;
    a->cpu_milli = r->cpu_milli;
    a->memory_bytes = r->memory_bytes;
    a->hugepages_bytes = r->x ? r->x->hugepages_bytes : 0;
}

struct ncg_node {
    const ncg_type_copy *type;     /* own[0] (ncg_node_new, ncg_node_clone), or a node group's (nodes of a cluster) */
    ncg_policy policy;
    uint64_t chip_busy;            /* chips with at least one core in use */
    uint64_t core_used[CORE_WORDS];
    int64_t cpu_used, memory_used, hugepages_used;
    uint64_t next_id;
    alloc_rec *allocs;             /* ascending id */
    int count, capacity;
    ncg_heap *heap;                /* where the next block of records comes from: a cluster's heap, or NULL: libc */
    ncg_heap *block_heap;          /* where allocs came from (NULL: libc) */
    ncg_type_copy own[];           /* the node's own copy of its type, when it has one */
};

ncg_node *ncg_node_from_type(const ncg_type_copy *type)
{
    ncg_node *node = calloc(1, sizeof(*node));
    if (!node)
        return NULL;
    node->type = type;
    node->next_id = 1;
    node->policy = NCG_POLICY_PACK;
    return node;
}

/* A new empty node with its own copy of the type. */
static ncg_node *node_owning(const ncg_type_copy *type)
{
    ncg_node *node = calloc(1, sizeof(*node) + sizeof(node->own[0]));
    if (!node)
        return NULL;
    node->own[0] = *type;
    ncg_type_copy_fix(&node->own[0]);
    node->type = &node->own[0];
    node->next_id = 1;
    node->policy = NCG_POLICY_PACK;
    return node;
}

NCG_EXPORT ncg_node *ncg_node_new(const ncg_catalog *catalog, const char *type, unsigned flags, ncg_error *err)
{
    ncg_type_copy tc;
    ncg_node *node;

    if (!catalog || !type) {
        ncg_fail(err, NCG_E_INVALID, "node_new: %s is NULL", !catalog ? "catalog" : "type");
        return NULL;
    }
    if (flags) {
        ncg_fail(err, NCG_E_INVALID, "node_new: flags 0x%x has unknown bits", flags);
        return NULL;
    }
    if (ncg_catalog_copy_type(catalog, type, &tc, err) < 0)
        return NULL;
    node = node_owning(&tc);
    if (!node)
        ncg_fail(err, NCG_E_NOMEM, "out of memory creating a node of type %s", tc.name);
    return node;
}

static void rec_clear(alloc_rec *r)
{
    free(r->x);
}

/* A block for cap records, from the node's heap or libc. */
static alloc_rec *records_alloc(ncg_node *node, int cap)
{
    size_t bytes = (size_t)cap * sizeof(alloc_rec);
    return node->heap ? ncg_heap_alloc(node->heap, bytes) : malloc(bytes);
}

/* Give back the node's block of records to where it came from. */
static void records_free(ncg_node *node)
{
    if (node->block_heap)
        ncg_heap_free(node->block_heap, node->allocs, (size_t)node->capacity * sizeof(alloc_rec));
    else
        free(node->allocs);
}

void ncg_node_set_heap(ncg_node *node, ncg_heap *heap) { node->heap = heap; }

void ncg_node_heap_init(ncg_heap *heap) { ncg_heap_init(heap, 8 * sizeof(alloc_rec)); }

NCG_EXPORT ncg_node *ncg_node_free(ncg_node *node)
{
    if (node) {
        for (int i = 0; i < node->count; i++)
            rec_clear(&node->allocs[i]);
        records_free(node);
        free(node);
    }
    return NULL;
}

#define ROUND8(n) (((n) + 7) / 8 * 8)

/* Give rec its sizes (ppr of them; NULL: none), models (with their names, any length, from an array of the given
 * stride) and hugepages in one block, or none when it has none of them. False when out of memory (rec->x is NULL
 * then). */
static bool set_extra(alloc_rec *rec, const int *sizes, int ppr, const ncg_model *models, size_t count, size_t stride,
                      int64_t hugepages)
{
    size_t names = 0, o, at;
    alloc_extra *x;
    rec->x = NULL;
    if (!sizes && count == 0 && hugepages == 0)
        return true;
    for (size_t i = 0; i < count; i++) {
        const ncg_model *m = (const ncg_model *)(const void *)((const char *)models + i * stride);
        names += (m->name ? strlen(m->name) : 0) + 1;
    }
    at = ROUND8(sizeof(*x)) + (sizes ? ROUND8((size_t)ppr * sizeof(int)) : 0);
    x = malloc(at + count * sizeof(ncg_model) + names);
    if (!x)
        return false;
    x->sizes = NULL;
    if (sizes) {
        x->sizes = (int *)(void *)((char *)x + ROUND8(sizeof(*x)));
        memcpy(x->sizes, sizes, (size_t)ppr * sizeof(int));
    }
    x->models = count ? (ncg_model *)(void *)((char *)x + at) : NULL;
    x->model_count = count;
    x->model_bytes = 0;
    x->hugepages_bytes = hugepages;
    o = at + count * sizeof(ncg_model);
    for (size_t i = 0; i < count; i++) {
        const ncg_model *m = (const ncg_model *)(const void *)((const char *)models + i * stride);
        size_t len = m->name ? strlen(m->name) : 0;
        char *name = (char *)x + o;
        memcpy(&x->models[i], m, sizeof(ncg_model));
        x->models[i].size = sizeof(ncg_model);
        memcpy(name, len ? m->name : "", len + 1);
        x->models[i].name = name;
        o += len + 1;
        x->model_bytes = x->model_bytes <= INT64_MAX - m->bytes ? x->model_bytes + m->bytes : INT64_MAX;
    }
    rec->x = x;
    return true;
}

/* A deep copy of one record; false when out of memory (nothing to free then). */
static bool rec_copy(alloc_rec *dst, const alloc_rec *src)
{
    *dst = *src;
    if (!src->x)
        return true;
    return set_extra(dst, src->x->sizes, src->ppr, src->x->models, src->x->model_count, sizeof(ncg_model),
                     src->x->hugepages_bytes);
}

/* A deep copy of node, with its own copy of the type (type NULL) or referring to type, its records from heap (NULL:
 * libc); NULL when out of memory. */
static ncg_node *node_copy(const ncg_node *node, const ncg_type_copy *type, ncg_heap *heap)
{
    ncg_node *copy = malloc(sizeof(*copy) + (type ? 0 : sizeof(copy->own[0])));
    if (!copy)
        return NULL;
    *copy = *node;
    if (type) {
        copy->type = type;
    } else {
        copy->own[0] = *node->type;
        ncg_type_copy_fix(&copy->own[0]);
        copy->type = &copy->own[0];
    }
    copy->allocs = NULL;
    copy->count = copy->capacity = 0;
    copy->heap = copy->block_heap = heap;
    if (node->count > 0) {
        int cap = node->count;
        if (heap) /* a heap's block holds a whole class: the copy takes all of it */
            cap = (int)(ncg_heap_block_size(heap, (size_t)cap * sizeof(alloc_rec)) / sizeof(alloc_rec));
        copy->allocs = records_alloc(copy, cap);
        if (!copy->allocs)
            goto nomem;
        copy->capacity = cap;
        for (int i = 0; i < node->count; i++) {
            if (!rec_copy(&copy->allocs[i], &node->allocs[i]))
                goto nomem;
            copy->count++;
        }
    }
    return copy;
nomem:
    ncg_node_free(copy);
    return NULL;
}

ncg_node *ncg_node_clone_ref(const ncg_node *node, const ncg_type_copy *type, ncg_heap *heap)
{
    return node_copy(node, type ? type : node->type, heap);
}

void ncg_node_set_type_ref(ncg_node *node, const ncg_type_copy *type) { node->type = type; }

NCG_EXPORT ncg_node *ncg_node_clone(const ncg_node *node, ncg_error *err)
{
    ncg_node *copy;
    if (!node) {
        ncg_fail(err, NCG_E_INVALID, "node_clone: node is NULL");
        return NULL;
    }
    copy = node_copy(node, NULL, NULL);
    if (!copy)
        ncg_fail(err, NCG_E_NOMEM, "out of memory copying a node of type %s", node->type->name);
    return copy;
}

NCG_EXPORT int ncg_node_set_policy(ncg_node *node, ncg_policy policy, ncg_error *err)
{
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    if (policy != NCG_POLICY_PACK && policy != NCG_POLICY_FIRST_FIT)
        return ncg_fail(err, NCG_E_INVALID, "policy %d is not a known ncg_policy", (int)policy);
    node->policy = policy;
    return 0;
}

NCG_EXPORT int ncg_node_set_lnc(ncg_node *node, int lnc, ncg_error *err)
{
    ncg_type_copy tc;
    int rc;
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    if (node->type != &node->own[0])
        return ncg_fail(err, NCG_E_INVALID, "node_set_lnc: a node of a cluster runs its node group's Logical "
                        "NeuronCore setting (ncg_nodegroup_spec.lnc)");
    tc = node->own[0];
    ncg_type_copy_fix(&tc);
    rc = ncg_type_copy_set_lnc(&tc, lnc, err);
    if (rc < 0)
        return rc;
    if (node->count > 0 && tc.t.lnc != node->own[0].t.lnc)
        return ncg_fail(err, NCG_E_INVALID, "node_set_lnc: the node has %d allocation%s; its Logical NeuronCore "
                        "setting changes only while it is empty", node->count, node->count == 1 ? "" : "s");
    node->own[0].t.lnc = tc.t.lnc;
    node->own[0].t.cores_per_chip = tc.t.cores_per_chip;
    return 0;
}

NCG_EXPORT const char *ncg_node_get_type_name(const ncg_node *node)
{
    return node ? node->type->name : NULL;
}

/* ---- accessors for the other internal files ---- */

const ncg_type_copy *ncg_node_type_copy(const ncg_node *node) { return node->type; }
ncg_policy ncg_node_policy(const ncg_node *node) { return node->policy; }
uint64_t ncg_node_next_id(const ncg_node *node) { return node->next_id; }
void ncg_node_set_next_id(ncg_node *node, uint64_t id) { node->next_id = id; }
int ncg_node_alloc_count(const ncg_node *node) { return node->count; }
void ncg_node_alloc_at(const ncg_node *node, int i, ncg_alloc *out) { rec_get(&node->allocs[i], out); }
const int *ncg_node_alloc_sizes(const ncg_node *node, int i)
{
    return node->allocs[i].x ? node->allocs[i].x->sizes : NULL;
}

int64_t ncg_node_alloc_model_bytes(const ncg_node *node, int i)
{
    return node->allocs[i].x ? node->allocs[i].x->model_bytes : 0;
}

const ncg_model *ncg_node_alloc_models(const ncg_node *node, int i, size_t *count)
{
    const alloc_extra *x = node->allocs[i].x;
    *count = x ? x->model_count : 0;
    return x ? x->models : NULL;
}

uint64_t ncg_node_free_chip_mask(const ncg_node *n)
{
    return ~n->chip_busy & ncg_window_mask(0, n->type->t.chips);
}

const uint64_t *ncg_node_core_used(const ncg_node *n) { return n->core_used; }

void ncg_node_usage(const ncg_node *node, ncg_usage *out)
{
    out->cores = 0;
    for (int w = 0; w < CORE_WORDS; w++)
        out->cores += ncg_popcount64(node->core_used[w]);
    out->cpu_milli = node->cpu_used;
    out->memory_bytes = node->memory_used;
    out->hugepages_bytes = node->hugepages_used;
}

void ncg_node_core_group(const ncg_node *node, int i, int process, ncg_core_group *out)
{
    const alloc_rec *r = &node->allocs[i];
    ncg_core_group_at(r->first_core, r->ncg_size, r->x ? r->x->sizes : NULL, process, node->type->t.cores_per_chip,
                      node->type->t.device_memory_bytes, out);
}

int ncg_node_alloc_index(const ncg_node *n, uint64_t id)
{
    int lo = 0, hi = n->count - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (n->allocs[mid].id == id)
            return mid;
        if (n->allocs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* ---- core bitmap ---- */

static bool core_is_used(const uint64_t *bits, int core)
{
    return (bits[core / 64] >> (core % 64)) & 1;
}

/* The core range [first, first+count) is handled one 64-bit word at a time. */
static uint64_t word_piece(int *first, int *count, int *word)
{
    int off = *first % 64, n = 64 - off < *count ? 64 - off : *count;
    *word = *first / 64;
    *first += n;
    *count -= n;
    return ncg_window_mask(off, n);
}

static void cores_set(uint64_t *bits, int first, int count, bool on)
{
    int w;
    while (count > 0) {
        uint64_t m = word_piece(&first, &count, &w);
        bits[w] = on ? bits[w] | m : bits[w] & ~m;
    }
}

static bool cores_free(const uint64_t *bits, int first, int count)
{
    int w;
    while (count > 0) {
        uint64_t m = word_piece(&first, &count, &w);
        if (bits[w] & m)
            return false;
    }
    return true;
}

/* Recompute which chips have a core in use. */
static uint64_t busy_chips(const ncg_node *n)
{
    uint64_t busy = 0;
    int cpc = n->type->t.cores_per_chip;
    for (int chip = 0; chip < n->type->t.chips; chip++)
        if (!cores_free(n->core_used, chip * cpc, cpc))
            busy |= UINT64_C(1) << chip;
    return busy;
}

/* The contiguous range of `count` free cores chosen by the policy, or -1. */
static int find_cores(const ncg_node *n, int count)
{
    int total = n->type->t.chips * n->type->t.cores_per_chip, cpc = n->type->t.cores_per_chip;
    uint64_t whole_free = ncg_node_free_chip_mask(n);
    int best = -1, best_score = 1 << 30;
    for (int s = 0; s + count <= total; s++) {
        int score;
        if (!cores_free(n->core_used, s, count))
            continue;
        if (n->policy == NCG_POLICY_FIRST_FIT)
            return s;
        score = ncg_popcount64(ncg_span_mask(s, count, cpc) & whole_free);
        if (score < best_score) {
            best = s;
            best_score = score;
            if (score == 0)
                break;
        }
    }
    return best;
}

static int largest_free_core_run(const ncg_node *n)
{
    int total = n->type->t.chips * n->type->t.cores_per_chip, best = 0, run = 0;
    for (int c = 0; c < total; c++) {
        run = core_is_used(n->core_used, c) ? 0 : run + 1;
        if (run > best)
            best = run;
    }
    return best;
}

static void list_chips(uint64_t mask, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    if (!mask)
        snprintf(buf, size, "none");
    while (mask && o < size) {
        int c = ncg_ctz64(mask);
        int w = snprintf(buf + o, size - o, "%s%d", o ? "," : "", c);
        o += (size_t)(w > 0 ? w : 0);
        mask &= mask - 1;
    }
}

/* The one placement search: the chips or cores a shape takes on the node as it is, by its policy. */
static bool find_slot(const ncg_node *n, const ncg_shape *s, ncg_slot *out)
{
    const ncg_type *t = &n->type->t;
    ncg_slot p = {.shape = *s, .first_chip = -1, .first_core = -1};
    if (s->chips > 0) {
        int at = ncg_window_find(t->topology, t->chips, ncg_node_free_chip_mask(n), s->chips, n->policy);
        if (at < 0)
            return false;
        p.whole_chips = true;
        p.first_chip = at;
        p.chip_count = s->chips;
        p.first_core = at * t->cores_per_chip;
        p.core_count = s->cores;
    } else if (s->cores > 0) {
        int at = find_cores(n, s->cores);
        if (at < 0)
            return false;
        p.first_core = at;
        p.core_count = s->cores;
        ncg_span_chips(at, s->cores, t->cores_per_chip, &p.first_chip, &p.chip_count);
    }
    *out = p;
    return true;
}

/* The one resource check: which of CPU, memory and hugepages is short (0: none). */
enum { SHORT_NONE, SHORT_CPU, SHORT_MEMORY, SHORT_HUGEPAGES };

static int short_resource(const ncg_node *n, int64_t cpu, int64_t memory, int64_t hugepages)
{
    if (cpu > n->type->cpu_usable_milli - n->cpu_used)
        return SHORT_CPU;
    if (memory > n->type->memory_usable_bytes - n->memory_used)
        return SHORT_MEMORY;
    if (hugepages > n->type->t.hugepages_bytes - n->hugepages_used)
        return SHORT_HUGEPAGES;
    return SHORT_NONE;
}

static int short_message(const ncg_node *n, int which, const char *prefix, int64_t cpu, int64_t memory,
                         int64_t hugepages, ncg_error *err)
{
    char a[32], b[32];
    const char *what;
    if (!err) /* the quantities only for a caller who reads them: scans try every node with no ncg_error */
        return NCG_E_FULL;
    switch (which) {
    case SHORT_CPU:
        what = "CPU";
        ncg_format_cpu(cpu, a, sizeof(a), NULL);
        ncg_format_cpu(n->type->cpu_usable_milli - n->cpu_used, b, sizeof(b), NULL);
        break;
    case SHORT_MEMORY:
        what = "memory";
        ncg_format_memory(memory, a, sizeof(a), NULL);
        ncg_format_memory(n->type->memory_usable_bytes - n->memory_used, b, sizeof(b), NULL);
        break;
    default:
        what = "hugepages";
        ncg_format_memory(hugepages, a, sizeof(a), NULL);
        ncg_format_memory(n->type->t.hugepages_bytes - n->hugepages_used, b, sizeof(b), NULL);
        break;
    }
    return ncg_fail(err, NCG_E_FULL, "%snot enough %s on %s: requested %s but %s is free", prefix, what,
                    n->type->name, a, b);
}

int ncg_node_plan(const ncg_node *n, const ncg_request *r, ncg_slot *out, ncg_error *err)
{
    const ncg_type *t = &n->type->t;
    int total = t->chips * t->cores_per_chip, rc, which;
    ncg_shape shape;
    ncg_slot p;

    if (r->inf > t->chips)
        return ncg_fail(err, NCG_E_NO_FIT, "requested %" PRId64 " chips but %s has %d", r->inf, t->name, t->chips);
    if (r->neuroncores > total)
        return ncg_fail(err, NCG_E_NO_FIT, "requested %" PRId64 " NeuronCores but %s has %d", r->neuroncores,
                        t->name, total);
    rc = ncg_request_check_type(n->type, r, &shape, err);
    if (rc < 0)
        return rc;
    if (!find_slot(n, &shape, &p)) {
        if (!err) /* the reason costs formatting: only for a caller who reads it */
            return NCG_E_FULL;
        if (shape.chips > 0) {
            char list[200];
            list_chips(ncg_node_free_chip_mask(n), list, sizeof(list));
            return ncg_fail(err, NCG_E_FULL, "no free window of %d chips on %s: free chips %s, largest free window "
                            "%d", shape.chips, t->name, list,
                            ncg_window_largest(t->topology, t->chips, ncg_node_free_chip_mask(n)));
        }
        return ncg_fail(err, NCG_E_FULL, "no %d contiguous free NeuronCores on %s: the longest free run is %d",
                        shape.cores, t->name, largest_free_core_run(n));
    }
    which = short_resource(n, r->cpu_milli, r->memory_bytes, r->hugepages_bytes);
    if (which != SHORT_NONE && !err)
        return NCG_E_FULL;
    if (which != SHORT_NONE)
        return short_message(n, which, "", r->cpu_milli, r->memory_bytes, r->hugepages_bytes, err);
    if (out)
        *out = p;
    return 0;
}

bool ncg_node_fits_shape(const ncg_node *n, const ncg_shape *s, const ncg_request *r, ncg_slot *out)
{
    ncg_slot p;
    if (short_resource(n, r->cpu_milli, r->memory_bytes, r->hugepages_bytes) != SHORT_NONE || !find_slot(n, s, &p))
        return false;
    if (out)
        *out = p;
    return true;
}

NCG_EXPORT int ncg_node_check(const ncg_node *node, const ncg_request *request, ncg_error *err)
{
    ncg_request r;
    int rc;
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    rc = ncg_request_in(request, &r, err);
    if (rc < 0)
        return rc;
    return ncg_node_plan(node, &r, NULL, err);
}

/* ---- changing the node ---- */

static int reserve_one(ncg_node *n, ncg_error *err)
{
    int cap;
    alloc_rec *g;
    if (n->count < n->capacity)
        return 0;
    cap = n->capacity ? n->capacity * 2 : 8;
    g = records_alloc(n, cap);
    if (!g)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding an allocation on %s", n->type->name);
    if (n->count > 0)
        memcpy(g, n->allocs, (size_t)n->count * sizeof(*g));
    records_free(n);
    n->allocs = g;
    n->capacity = cap;
    n->block_heap = n->heap;
    return 0;
}

/* Record rec (models, sizes and hugepages already copied) at slot p with id, ppr processes of ncg_size cores (0: they
 * differ); cannot fail (capacity reserved). The allocation in *out when out is not NULL. */
static void commit(ncg_node *n, const ncg_slot *p, const ncg_request *r, alloc_rec *rec, int ppr, int ncg_size,
                   uint64_t id, ncg_alloc *out)
{
    rec->id = id;
    n->next_id = id + 1;
    rec->whole_chips = p->whole_chips;
    rec->first_chip = (int8_t)p->first_chip;
    rec->chip_count = (int8_t)p->chip_count;
    rec->first_core = (int16_t)p->first_core;
    rec->core_count = (int16_t)p->core_count;
    rec->ppr = ppr;
    rec->ncg_size = (int16_t)ncg_size;
    rec->cpu_milli = r->cpu_milli;
    rec->memory_bytes = r->memory_bytes;
    if (p->core_count > 0) {
        cores_set(n->core_used, p->first_core, p->core_count, true);
        n->chip_busy |= ncg_window_mask(p->first_chip, p->chip_count);
    }
    n->cpu_used += r->cpu_milli;
    n->memory_used += r->memory_bytes;
    n->hugepages_used += r->hugepages_bytes;
    n->allocs[n->count++] = *rec;
    if (out)
        rec_get(rec, out);
}

static int ids_exhausted(const ncg_node *n, ncg_error *err)
{
    return ncg_fail(err, NCG_E_RANGE, "allocation ids of this %s node are exhausted", n->type->name);
}

/* Everything that can fail before commit(): capacity, ids, copies. */
static int prepare(ncg_node *n, const ncg_request *r, const int *sizes, int ppr, uint64_t id, alloc_rec *rec,
                   ncg_error *err)
{
    size_t stride = r->model_count ? r->models[0].size : sizeof(ncg_model);
    int rc;
    memset(rec, 0, sizeof(*rec));
    if (id == UINT64_MAX)
        return ids_exhausted(n, err);
    rc = reserve_one(n, err);
    if (rc < 0)
        return rc;
    if (!set_extra(rec, sizes, ppr, r->models, r->model_count, stride, r->hugepages_bytes))
        return ncg_fail(err, NCG_E_NOMEM, "out of memory recording an allocation on %s", n->type->name);
    return 0;
}

int ncg_node_commit(ncg_node *node, const ncg_slot *p, const ncg_request *r, ncg_alloc *out, ncg_error *err)
{
    alloc_rec rec;
    int rc = prepare(node, r, NULL, p->shape.ppr, node->next_id, &rec, err);
    if (rc < 0)
        return rc;
    commit(node, p, r, &rec, p->shape.ppr, p->shape.ncg_size, node->next_id, out);
    return 0;
}

static int need_out(const void *node, const ncg_alloc *out, const char *fn, ncg_error *err)
{
    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "%s: %s is NULL", fn, !node ? "node" : "out");
    return NCG_CHECK_SIZED(out, ncg_alloc, err);
}

NCG_EXPORT int ncg_node_allocate(ncg_node *node, const ncg_request *request, ncg_alloc *out, ncg_error *err)
{
    ncg_request r;
    ncg_slot p;
    ncg_alloc a;
    int rc = need_out(node, out, "node_allocate", err);
    if (rc < 0)
        return rc;
    rc = ncg_request_in(request, &r, err);
    if (rc < 0)
        return rc;
    rc = ncg_node_plan(node, &r, &p, err);
    if (rc < 0)
        return rc;
    rc = ncg_node_commit(node, &p, &r, &a, err);
    if (rc < 0)
        return rc;
    ncg_sized_out(out, &a, sizeof(a));
    return 0;
}

NCG_EXPORT int ncg_node_adopt(ncg_node *node, const ncg_request *request, const char *visible_devices,
                              const char *const *visible_cores, size_t process_count, ncg_alloc *out,
                              ncg_error *err)
{
    const ncg_type *t;
    ncg_slot p = {.first_chip = -1, .first_core = -1};
    int sizes[NCG_MAX_CORES], total, rc;
    bool uniform = true;
    ncg_request r;
    ncg_alloc a;

    rc = need_out(node, out, "node_adopt", err);
    if (rc < 0)
        return rc;
    t = &node->type->t;
    total = t->chips * t->cores_per_chip;
    if (request) {
        rc = ncg_request_in(request, &r, err);
        if (rc < 0)
            return rc;
    } else {
        ncg_request_init(&r);
        r.cpu_milli = 0;
    }
    if (!visible_devices && process_count == 0)
        return ncg_fail(err, NCG_E_INVALID, "adopt: give AWS_NEURON_VISIBLE_DEVICES, NEURON_RT_VISIBLE_CORES or both");
    if (process_count > 0 && !visible_cores)
        return ncg_fail(err, NCG_E_INVALID, "adopt: visible_cores is NULL but process_count is %zu", process_count);
    if (process_count > (size_t)NCG_MAX_CORES)
        return ncg_fail(err, NCG_E_RANGE, "adopt: process_count %zu is out of range 0..%d", process_count,
                        NCG_MAX_CORES);
    if (t->chips == 0)
        return ncg_fail(err, NCG_E_INVALID, "adopt: %s has no Neuron chips", t->name);
    if (visible_devices) {
        rc = ncg_parse_visible_devices(visible_devices, t->chips, &p.first_chip, &p.chip_count, err);
        if (rc < 0)
            return rc;
        /* The device plugin never hands out another set, and ncg_cluster_restore() refuses one: accepting it
         * would make the cluster's dump unrestorable. */
        if (!ncg_window_valid_at(t->topology, t->chips, p.first_chip, p.chip_count))
            return ncg_fail(err, NCG_E_TOPOLOGY, "adopt: devices %s are not a valid window of %d chips on %s "
                            "(%s)", visible_devices, p.chip_count, t->name, ncg_topology_name(t->topology));
        p.whole_chips = true;
        p.first_core = p.first_chip * t->cores_per_chip;
        p.core_count = p.chip_count * t->cores_per_chip;
    }
    if (process_count > 0) {
        int first = -1, next = -1;
        for (size_t i = 0; i < process_count; i++) {
            int f, c;
            if (!visible_cores[i])
                return ncg_fail(err, NCG_E_INVALID, "adopt: NEURON_RT_VISIBLE_CORES of process %zu is NULL", i);
            rc = ncg_parse_visible_cores(visible_cores[i], total, &f, &c, err);
            if (rc < 0)
                return rc;
            if (first < 0)
                first = f;
            else if (f != next)
                return ncg_fail(err, NCG_E_PARSE, "adopt: NEURON_RT_VISIBLE_CORES of process %zu starts at core %d "
                                "but process %zu ended at core %d: the processes' cores must be consecutive", i, f,
                                i - 1, next - 1);
            next = f + c;
            sizes[i] = c;
            if (c != sizes[0])
                uniform = false;
        }
        if (visible_devices && (first != p.first_core || next != p.first_core + p.core_count))
            return ncg_fail(err, NCG_E_RANGE, "adopt: the processes' cores %d-%d do not cover devices %s (cores "
                            "%d-%d) exactly", first, next - 1, visible_devices, p.first_core,
                            p.first_core + p.core_count - 1);
        if (!visible_devices) {
            p.first_core = first;
            p.core_count = next - first;
            ncg_span_chips(first, next - first, t->cores_per_chip, &p.first_chip, &p.chip_count);
        }
        p.shape.ppr = (int)process_count;
    } else {
        p.shape.ppr = 1;
        sizes[0] = p.core_count;
    }
    rc = ncg_node_insert(node, &p, &r, uniform ? NULL : sizes, visible_devices, 0, &a, err);
    if (rc < 0)
        return rc;
    ncg_sized_out(out, &a, sizeof(a));
    return 0;
}

int ncg_node_insert(ncg_node *node, const ncg_slot *p, const ncg_request *request, const int *sizes,
                    const char *devices, uint64_t id, ncg_alloc *out, ncg_error *err)
{
    const ncg_type *t = &node->type->t;
    alloc_rec rec;
    int rc, which, smallest = p->shape.ppr > 0 ? p->core_count / p->shape.ppr : 0;

    if (id == 0)
        id = node->next_id;
    if (id < node->next_id)
        return ncg_fail(err, NCG_E_RANGE, "allocation id %" PRIu64 " is below the node's next id %" PRIu64, id,
                        node->next_id);
    if (p->whole_chips && (node->chip_busy & ncg_window_mask(p->first_chip, p->chip_count))) {
        if (devices)
            return ncg_fail(err, NCG_E_OVERLAP, "adopt: devices %s overlap chips in use on %s", devices, t->name);
        if (p->chip_count == 1)
            return ncg_fail(err, NCG_E_OVERLAP, "chip %d overlaps chips in use on %s", p->first_chip, t->name);
        return ncg_fail(err, NCG_E_OVERLAP, "chips %d-%d overlap chips in use on %s", p->first_chip,
                        p->first_chip + p->chip_count - 1, t->name);
    }
    if (p->core_count > 0 && !cores_free(node->core_used, p->first_core, p->core_count))
        return ncg_fail(err, NCG_E_OVERLAP, "adopt: cores %d-%d overlap cores in use on %s", p->first_core,
                        p->first_core + p->core_count - 1, t->name);
    which = short_resource(node, request->cpu_milli, request->memory_bytes, request->hugepages_bytes);
    if (which != SHORT_NONE)
        return short_message(node, which, "adopt: ", request->cpu_milli, request->memory_bytes,
                             request->hugepages_bytes, err);
    if (sizes) {
        smallest = sizes[0];
        for (int i = 1; i < p->shape.ppr; i++)
            smallest = sizes[i] < smallest ? sizes[i] : smallest;
    }
    rc = ncg_models_check(request, smallest, err);
    if (rc < 0)
        return rc;
    rc = prepare(node, request, sizes, p->shape.ppr, id, &rec, err);
    if (rc < 0)
        return rc;
    commit(node, p, request, &rec, p->shape.ppr, sizes ? 0 : smallest, id, out);
    return 0;
}

static int not_found(const ncg_node *n, uint64_t id, ncg_error *err)
{
    return ncg_fail(err, NCG_E_NOT_FOUND, "no allocation %" PRIu64 " on this %s node", id, n->type->name);
}

NCG_EXPORT int ncg_node_release(ncg_node *node, uint64_t id, ncg_error *err)
{
    alloc_rec *r;
    int i;
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    i = ncg_node_alloc_index(node, id);
    if (i < 0)
        return not_found(node, id, err);
    r = &node->allocs[i];
    if (r->core_count > 0) {
        cores_set(node->core_used, r->first_core, r->core_count, false);
        if (r->whole_chips)
            node->chip_busy &= ~ncg_window_mask(r->first_chip, r->chip_count);
        else
            node->chip_busy = busy_chips(node);
    }
    node->cpu_used -= r->cpu_milli;
    node->memory_used -= r->memory_bytes;
    node->hugepages_used -= r->x ? r->x->hugepages_bytes : 0;
    rec_clear(r);
    memmove(r, r + 1, (size_t)(node->count - i - 1) * sizeof(*r));
    node->count--;
    return 0;
}

/* ---- reading ---- */

NCG_EXPORT int ncg_node_get_alloc(const ncg_node *node, uint64_t id, ncg_alloc *out, ncg_error *err)
{
    int i, rc = need_out(node, out, "node_get_alloc", err);
    if (rc < 0)
        return rc;
    i = ncg_node_alloc_index(node, id);
    if (i < 0)
        return not_found(node, id, err);
    {
        ncg_alloc a;
        rec_get(&node->allocs[i], &a);
        ncg_sized_out(out, &a, sizeof(a));
    }
    return 0;
}

NCG_EXPORT int ncg_node_get_alloc_ids(const ncg_node *node, uint64_t *out, size_t size, ncg_error *err)
{
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "node_get_alloc_ids: out is NULL but size is %zu", size);
    if ((size_t)node->count <= size)
        for (int i = 0; i < node->count; i++)
            out[i] = node->allocs[i].id;
    return node->count;
}

NCG_EXPORT int ncg_node_get_core_groups(const ncg_node *node, uint64_t id, ncg_core_group *out, size_t size,
                                        ncg_error *err)
{
    const alloc_rec *r;
    int i;
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "node_get_core_groups: out is NULL but size is %zu", size);
    i = ncg_node_alloc_index(node, id);
    if (i < 0)
        return not_found(node, id, err);
    r = &node->allocs[i];
    if (r->core_count == 0)
        return 0;
    if ((size_t)r->ppr <= size)
        for (int k = 0; k < r->ppr; k++)
            ncg_node_core_group(node, i, k, &out[k]);
    return r->ppr;
}

NCG_EXPORT int ncg_node_get_env(const ncg_node *node, uint64_t id, int process, ncg_env *out, ncg_error *err)
{
    const alloc_rec *r;
    ncg_core_group g;
    ncg_env e;
    int cpc, i, rc;

    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_get_env: %s is NULL", !node ? "node" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_env, err)) < 0)
        return rc;
    i = ncg_node_alloc_index(node, id);
    if (i < 0)
        return not_found(node, id, err);
    r = &node->allocs[i];
    if (r->core_count == 0)
        return ncg_fail(err, NCG_E_NOT_FOUND, "allocation %" PRIu64 " has no NeuronCores", id);
    if (process < 0 || process >= r->ppr)
        return ncg_fail(err, NCG_E_NOT_FOUND, "allocation %" PRIu64 " has no process %d (processes 0..%d)", id,
                        process, r->ppr - 1);
    ncg_node_core_group(node, i, process, &g);
    cpc = node->type->t.cores_per_chip;
    memset(&e, 0, sizeof(e));
    e.size = sizeof(e);
    ncg_format_ids(g.first_core, g.core_count, 1, e.visible_cores, sizeof(e.visible_cores), NULL);
    snprintf(e.core_group_sizes, sizeof(e.core_group_sizes), "%d", g.core_count);
    if (r->whole_chips || (r->first_core % cpc == 0 && r->core_count % cpc == 0))
        ncg_format_ids(r->first_chip, r->chip_count, 0, e.visible_devices, sizeof(e.visible_devices), NULL);
    if (node->type->t.lnc > 0)
        snprintf(e.logical_nc_config, sizeof(e.logical_nc_config), "%d", node->type->t.lnc);
    ncg_sized_out(out, &e, sizeof(e));
    return 0;
}

NCG_EXPORT int ncg_node_get_status(const ncg_node *node, ncg_node_status *out, ncg_error *err)
{
    const ncg_type *t;
    ncg_node_status s;
    ncg_usage u;
    int rc;
    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_get_status: %s is NULL", !node ? "node" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_node_status, err)) < 0)
        return rc;
    t = &node->type->t;
    ncg_node_usage(node, &u);
    memset(&s, 0, sizeof(s));
    s.size = sizeof(s);
    s.chips = t->chips;
    s.cores_per_chip = t->cores_per_chip;
    s.free_chip_mask = ncg_node_free_chip_mask(node);
    s.free_chips = ncg_popcount64(s.free_chip_mask);
    s.free_cores = t->chips * t->cores_per_chip - u.cores;
    s.largest_window = t->chips ? ncg_window_largest(t->topology, t->chips, s.free_chip_mask) : 0;
    s.cpu_usable_milli = node->type->cpu_usable_milli;
    s.memory_usable_bytes = node->type->memory_usable_bytes;
    s.cpu_free_milli = node->type->cpu_usable_milli - node->cpu_used;
    s.memory_free_bytes = node->type->memory_usable_bytes - node->memory_used;
    s.hugepages_free_bytes = t->hugepages_bytes - node->hugepages_used;
    s.allocations = node->count;
    s.policy = node->policy;
    s.lnc = t->lnc;
    ncg_sized_out(out, &s, sizeof(s));
    return 0;
}

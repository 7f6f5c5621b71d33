/* SPDX-License-Identifier: Apache-2.0 */
/* One node: chips, cores, CPU and memory in use, and the allocations (replicas) that hold them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

ncg_node *ncg_node_from_type(const ncg_type_copy *type)
{
    ncg_node *node = calloc(1, sizeof(*node));
    if (!node)
        return NULL;
    node->type = *type;
    node->type.t.name = node->type.name;
    node->next_id = 1;
    node->policy = NCG_POLICY_PACK;
    return node;
}

NCG_EXPORT ncg_node *ncg_node_new(const ncg_catalog *catalog, const char *type, ncg_error *err)
{
    ncg_type_copy tc;
    ncg_node *node;

    if (!catalog || !type) {
        ncg_fail(err, NCG_E_INVALID, "node_new: %s is NULL", !catalog ? "catalog" : "type");
        return NULL;
    }
    if (ncg_catalog_copy_type(catalog, type, &tc, err) < 0)
        return NULL;
    node = ncg_node_from_type(&tc);
    if (!node)
        ncg_fail(err, NCG_E_NOMEM, "out of memory creating a node of type %s", type);
    return node;
}

static void rec_clear(alloc_rec *r)
{
    free(r->group_sizes);
    free(r->models);
    free(r->names_buf);
}

NCG_EXPORT ncg_node *ncg_node_free(ncg_node *node)
{
    if (node) {
        for (int i = 0; i < node->count; i++)
            rec_clear(&node->allocs[i]);
        free(node->allocs);
        free(node);
    }
    return NULL;
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

NCG_EXPORT const char *ncg_node_type(const ncg_node *node)
{
    return node ? node->type.name : NULL;
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

static uint64_t chips_of_cores(int first, int count, int cpc)
{
    int a = first / cpc, b = (first + count - 1) / cpc;
    return ncg_window_mask(a, b - a + 1);
}

/* Recompute which chips have a core in use. */
static uint64_t busy_chips(const ncg_node *n)
{
    uint64_t busy = 0;
    int cpc = n->type.t.cores_per_chip;
    for (int chip = 0; chip < n->type.t.chips; chip++)
        if (!cores_free(n->core_used, chip * cpc, cpc))
            busy |= UINT64_C(1) << chip;
    return busy;
}

/* The contiguous range of `count` free cores chosen by the policy, or -1. */
static int find_cores(const ncg_node *n, int count)
{
    int total = n->type.t.chips * n->type.t.cores_per_chip, cpc = n->type.t.cores_per_chip;
    uint64_t whole_free = ncg_node_free_chips(n);
    int best = -1, best_score = 1 << 30;
    for (int s = 0; s + count <= total; s++) {
        int score;
        if (!cores_free(n->core_used, s, count))
            continue;
        if (n->policy == NCG_POLICY_FIRST_FIT)
            return s;
        score = ncg_popcount64(chips_of_cores(s, count, cpc) & whole_free);
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
    int total = n->type.t.chips * n->type.t.cores_per_chip, best = 0, run = 0;
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

int ncg_node_plan(const ncg_node *n, const ncg_request *r, placement *out, ncg_error *err)
{
    const ncg_type *t = &n->type.t;
    int total = t->chips * t->cores_per_chip, rc;
    placement p = {.first_chip = -1, .first_core = -1};
    char a[32], b[32];

    rc = ncg_request_check_fields(r, err);
    if (rc < 0)
        return rc;
    if (r->inf > t->chips)
        return ncg_fail(err, NCG_E_NO_FIT, "requested %" PRId64 " chips but %s has %d", r->inf, t->name, t->chips);
    if (r->neuroncores > total)
        return ncg_fail(err, NCG_E_NO_FIT, "requested %" PRId64 " NeuronCores but %s has %d", r->neuroncores,
                        t->name, total);
    rc = ncg_request_check_type(&n->type, r, &p.shape, err);
    if (rc < 0)
        return rc;
    if (p.shape.chips > 0) {
        int s = ncg_window_find(t->topology, t->chips, ncg_node_free_chips(n), p.shape.chips, n->policy);
        if (s < 0) {
            char list[200];
            list_chips(ncg_node_free_chips(n), list, sizeof(list));
            return ncg_fail(err, NCG_E_FULL, "no free window of %d chips on %s: free chips %s, largest free window "
                            "%d", p.shape.chips, t->name, list,
                            ncg_window_largest(t->topology, t->chips, ncg_node_free_chips(n)));
        }
        p.whole_chips = true;
        p.first_chip = s;
        p.chip_count = p.shape.chips;
        p.first_core = s * t->cores_per_chip;
        p.core_count = p.shape.cores;
    } else if (p.shape.cores > 0) {
        int s = find_cores(n, p.shape.cores);
        if (s < 0)
            return ncg_fail(err, NCG_E_FULL, "no %d contiguous free NeuronCores on %s: the longest free run is %d",
                            p.shape.cores, t->name, largest_free_core_run(n));
        p.first_core = s;
        p.core_count = p.shape.cores;
        p.first_chip = s / t->cores_per_chip;
        p.chip_count = (s + p.core_count - 1) / t->cores_per_chip - p.first_chip + 1;
    }
    if (r->cpu_milli > n->type.cpu_usable_milli - n->cpu_used) {
        ncg_format_cpu(r->cpu_milli, a, sizeof(a), NULL);
        ncg_format_cpu(n->type.cpu_usable_milli - n->cpu_used, b, sizeof(b), NULL);
        return ncg_fail(err, NCG_E_FULL, "not enough CPU on %s: requested %s but %s is free", t->name, a, b);
    }
    if (r->memory_bytes > n->type.memory_usable_bytes - n->memory_used) {
        ncg_format_memory(r->memory_bytes, a, sizeof(a), NULL);
        ncg_format_memory(n->type.memory_usable_bytes - n->memory_used, b, sizeof(b), NULL);
        return ncg_fail(err, NCG_E_FULL, "not enough memory on %s: requested %s but %s is free", t->name, a, b);
    }
    if (r->hugepages_bytes > t->hugepages_bytes - n->hugepages_used) {
        ncg_format_memory(r->hugepages_bytes, a, sizeof(a), NULL);
        ncg_format_memory(t->hugepages_bytes - n->hugepages_used, b, sizeof(b), NULL);
        return ncg_fail(err, NCG_E_FULL, "not enough hugepages on %s: requested %s but %s is free", t->name, a, b);
    }
    if (out)
        *out = p;
    return 0;
}

NCG_EXPORT int ncg_node_check(const ncg_node *node, const ncg_request *request, ncg_error *err)
{
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    return ncg_node_plan(node, request, NULL, err);
}

/* Copy models with their names into one record; false on allocation failure. */
static bool copy_models(alloc_rec *rec, const ncg_model *models, size_t count)
{
    size_t names = 0, o = 0;
    rec->models = NULL;
    rec->names_buf = NULL;
    rec->model_count = count;
    rec->model_bytes = 0;
    if (count == 0)
        return true;
    for (size_t i = 0; i < count; i++)
        names += (models[i].name ? strlen(models[i].name) : 0) + 1;
    rec->models = malloc(count * sizeof(*rec->models));
    rec->names_buf = malloc(names);
    if (!rec->models || !rec->names_buf) {
        free(rec->models);
        free(rec->names_buf);
        rec->models = NULL;
        rec->names_buf = NULL;
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        size_t len = models[i].name ? strlen(models[i].name) : 0;
        rec->models[i] = models[i];
        memcpy(rec->names_buf + o, len ? models[i].name : "", len + 1);
        rec->models[i].name = rec->names_buf + o;
        o += len + 1;
        if (rec->model_bytes <= INT64_MAX - models[i].bytes)
            rec->model_bytes += models[i].bytes;
        else
            rec->model_bytes = INT64_MAX;
    }
    return true;
}

static int grow(ncg_node *n, ncg_error *err)
{
    if (n->count < n->capacity)
        return 0;
    int cap = n->capacity ? n->capacity * 2 : 8;
    alloc_rec *g = realloc(n->allocs, (size_t)cap * sizeof(*g));
    if (!g)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory adding an allocation on %s", n->type.name);
    n->allocs = g;
    n->capacity = cap;
    return 0;
}

/* Commit a placement; rec holds the models and group sizes already copied. */
static uint32_t commit(ncg_node *n, const placement *p, const ncg_request *r, alloc_rec *rec)
{
    ncg_alloc *a = &rec->a;
    a->id = n->next_id++;
    if (n->next_id == 0)
        n->next_id = 1;
    a->whole_chips = p->whole_chips;
    a->first_chip = p->first_chip;
    a->chip_count = p->chip_count;
    a->first_core = p->first_core;
    a->core_count = p->core_count;
    a->cpu_milli = r ? r->cpu_milli : 0;
    a->memory_bytes = r ? r->memory_bytes : 0;
    a->hugepages_bytes = r ? r->hugepages_bytes : 0;
    if (p->core_count > 0) {
        cores_set(n->core_used, p->first_core, p->core_count, true);
        n->chip_busy |= ncg_window_mask(p->first_chip, p->chip_count);
    }
    n->cpu_used += a->cpu_milli;
    n->memory_used += a->memory_bytes;
    n->hugepages_used += a->hugepages_bytes;
    n->allocs[n->count++] = *rec;
    return a->id;
}

NCG_EXPORT int ncg_node_allocate(ncg_node *node, const ncg_request *request, ncg_alloc *out, ncg_error *err)
{
    placement p;
    int rc;

    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    rc = ncg_node_plan(node, request, &p, err);
    if (rc < 0)
        return rc;
    return ncg_node_commit_placement(node, &p, request, out, err);
}

NCG_EXPORT int ncg_node_adopt(ncg_node *node, const ncg_request *request, const char *visible_devices,
                              const char *const *visible_cores, size_t process_count, ncg_alloc *out,
                              ncg_error *err)
{
    const ncg_type *t;
    placement p = {.first_chip = -1, .first_core = -1};
    int sizes[NCG_MAX_CORES], total, rc;
    bool uniform = true;
    ncg_request none;

    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    t = &node->type.t;
    total = t->chips * t->cores_per_chip;
    if (!request) {
        ncg_request_init(&none);
        none.cpu_milli = 0;
        request = &none;
    }
    rc = ncg_request_check_fields(request, err);
    if (rc < 0)
        return rc;
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
            p.first_chip = first / t->cores_per_chip;
            p.chip_count = (next - 1) / t->cores_per_chip - p.first_chip + 1;
        }
        p.shape.ppr = (int)process_count;
    } else {
        p.shape.ppr = 1;
        sizes[0] = p.core_count;
    }
    return ncg_node_insert(node, &p, request, uniform ? NULL : sizes, visible_devices, out, err);
}

int ncg_node_insert(ncg_node *node, const placement *pl, const ncg_request *request, const int *sizes,
                    const char *devices, ncg_alloc *out, ncg_error *err)
{
    const ncg_type *t = &node->type.t;
    placement p = *pl;
    alloc_rec rec = {0};
    int rc, smallest = p.shape.ppr > 0 ? p.core_count / p.shape.ppr : 0;

    if (p.whole_chips && (node->chip_busy & ncg_window_mask(p.first_chip, p.chip_count)))
        return ncg_fail(err, NCG_E_OVERLAP, "adopt: devices %s overlap chips in use on %s", devices ? devices : "",
                        t->name);
    if (p.core_count > 0 && !cores_free(node->core_used, p.first_core, p.core_count))
        return ncg_fail(err, NCG_E_OVERLAP, "adopt: cores %d-%d overlap cores in use on %s", p.first_core,
                        p.first_core + p.core_count - 1, t->name);
    if (request->cpu_milli > node->type.cpu_usable_milli - node->cpu_used ||
        request->memory_bytes > node->type.memory_usable_bytes - node->memory_used ||
        request->hugepages_bytes > t->hugepages_bytes - node->hugepages_used)
        return ncg_fail(err, NCG_E_FULL, "adopt: the replica's CPU, memory or hugepages exceed what is free on %s",
                        t->name);
    if (sizes) {
        smallest = sizes[0];
        for (int i = 1; i < p.shape.ppr; i++)
            smallest = sizes[i] < smallest ? sizes[i] : smallest;
    }
    rc = ncg_models_check(request->models, request->model_count, smallest, err);
    if (rc < 0)
        return rc;
    rc = grow(node, err);
    if (rc < 0)
        return rc;
    if (sizes) {
        rec.group_sizes = malloc((size_t)p.shape.ppr * sizeof(int));
        if (!rec.group_sizes)
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adopting an allocation");
        memcpy(rec.group_sizes, sizes, (size_t)p.shape.ppr * sizeof(int));
    }
    if (!copy_models(&rec, request->models, request->model_count)) {
        free(rec.group_sizes);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory copying models");
    }
    rec.a.ppr = p.shape.ppr;
    rec.a.ncg_size = sizes ? 0 : smallest;
    commit(node, &p, request, &rec);
    if (out)
        *out = rec.a;
    return (int)rec.a.id;
}

static int find_index(const ncg_node *n, uint32_t id)
{
    int lo = 0, hi = n->count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (n->allocs[mid].a.id == id)
            return mid;
        if (n->allocs[mid].a.id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

const alloc_rec *ncg_node_find(const ncg_node *node, uint32_t id)
{
    int i = find_index(node, id);
    return i < 0 ? NULL : &node->allocs[i];
}

static int not_found(const ncg_node *n, uint32_t id, ncg_error *err)
{
    return ncg_fail(err, NCG_E_NOT_FOUND, "no allocation %" PRIu32 " on this %s node", id, n->type.name);
}

NCG_EXPORT int ncg_node_release(ncg_node *node, uint32_t id, ncg_error *err)
{
    alloc_rec *r;
    int i;
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    i = find_index(node, id);
    if (i < 0)
        return not_found(node, id, err);
    r = &node->allocs[i];
    if (r->a.core_count > 0) {
        cores_set(node->core_used, r->a.first_core, r->a.core_count, false);
        if (r->a.whole_chips)
            node->chip_busy &= ~ncg_window_mask(r->a.first_chip, r->a.chip_count);
        else
            node->chip_busy = busy_chips(node);
    }
    node->cpu_used -= r->a.cpu_milli;
    node->memory_used -= r->a.memory_bytes;
    node->hugepages_used -= r->a.hugepages_bytes;
    rec_clear(r);
    memmove(r, r + 1, (size_t)(node->count - i - 1) * sizeof(*r));
    node->count--;
    return 0;
}

NCG_EXPORT int ncg_node_alloc_info(const ncg_node *node, uint32_t id, ncg_alloc *out, ncg_error *err)
{
    const alloc_rec *r;
    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_alloc_info: %s is NULL", !node ? "node" : "out");
    r = ncg_node_find(node, id);
    if (!r)
        return not_found(node, id, err);
    *out = r->a;
    return 0;
}

NCG_EXPORT int ncg_node_allocations(const ncg_node *node, uint32_t *out, size_t size, ncg_error *err)
{
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "node_allocations: out is NULL but size is %zu", size);
    for (int i = 0; i < node->count && (size_t)i < size; i++)
        out[i] = node->allocs[i].a.id;
    return node->count;
}

void ncg_node_group_of(const ncg_node *node, const alloc_rec *r, int process, ncg_group *out)
{
    int cpc = node->type.t.cores_per_chip, first = r->a.first_core, size = r->a.ncg_size;
    if (r->group_sizes) {
        for (int i = 0; i < process; i++)
            first += r->group_sizes[i];
        size = r->group_sizes[process];
    } else {
        first += process * size;
    }
    out->process = process;
    out->first_core = first;
    out->core_count = size;
    out->first_chip = first / cpc;
    out->chip_count = (first + size - 1) / cpc - out->first_chip + 1;
    out->cache_bytes = out->chip_count * node->type.t.device_memory_bytes;
}

NCG_EXPORT int ncg_node_groups(const ncg_node *node, uint32_t id, ncg_group *out, size_t size, ncg_error *err)
{
    const alloc_rec *r;
    if (!node)
        return ncg_fail(err, NCG_E_INVALID, "node is NULL");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "node_groups: out is NULL but size is %zu", size);
    r = ncg_node_find(node, id);
    if (!r)
        return not_found(node, id, err);
    if (r->a.core_count == 0)
        return 0;
    for (int i = 0; i < r->a.ppr && (size_t)i < size; i++)
        ncg_node_group_of(node, r, i, &out[i]);
    return r->a.ppr;
}

NCG_EXPORT int ncg_node_env(const ncg_node *node, uint32_t id, int process, ncg_env *out, ncg_error *err)
{
    const alloc_rec *r;
    ncg_group g;
    ncg_env e;
    int cpc;

    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_env: %s is NULL", !node ? "node" : "out");
    r = ncg_node_find(node, id);
    if (!r)
        return not_found(node, id, err);
    if (r->a.core_count == 0)
        return ncg_fail(err, NCG_E_NOT_FOUND, "allocation %" PRIu32 " has no NeuronCores", id);
    if (process < 0 || process >= r->a.ppr)
        return ncg_fail(err, NCG_E_NOT_FOUND, "allocation %" PRIu32 " has no process %d (processes 0..%d)", id,
                        process, r->a.ppr - 1);
    ncg_node_group_of(node, r, process, &g);
    cpc = node->type.t.cores_per_chip;
    memset(&e, 0, sizeof(e));
    ncg_format_ids(g.first_core, g.core_count, 1, e.visible_cores, sizeof(e.visible_cores), NULL);
    snprintf(e.group_sizes, sizeof(e.group_sizes), "%d", g.core_count);
    if (r->a.whole_chips || (r->a.first_core % cpc == 0 && r->a.core_count % cpc == 0))
        ncg_format_ids(r->a.first_chip, r->a.chip_count, 0, e.visible_devices, sizeof(e.visible_devices), NULL);
    *out = e;
    return 0;
}

NCG_EXPORT int ncg_node_status_get(const ncg_node *node, ncg_node_status *out, ncg_error *err)
{
    const ncg_type *t;
    int total, used = 0;
    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_status_get: %s is NULL", !node ? "node" : "out");
    t = &node->type.t;
    total = t->chips * t->cores_per_chip;
    for (int w = 0; w < CORE_WORDS; w++)
        used += ncg_popcount64(node->core_used[w]);
    memset(out, 0, sizeof(*out));
    out->chips = t->chips;
    out->cores_per_chip = t->cores_per_chip;
    out->free_chip_mask = ncg_node_free_chips(node);
    out->free_chips = ncg_popcount64(out->free_chip_mask);
    out->free_cores = total - used;
    out->largest_window = t->chips ? ncg_window_largest(t->topology, t->chips, out->free_chip_mask) : 0;
    out->cpu_usable_milli = node->type.cpu_usable_milli;
    out->memory_usable_bytes = node->type.memory_usable_bytes;
    out->cpu_free_milli = node->type.cpu_usable_milli - node->cpu_used;
    out->memory_free_bytes = node->type.memory_usable_bytes - node->memory_used;
    out->hugepages_free_bytes = t->hugepages_bytes - node->hugepages_used;
    out->allocations = node->count;
    return 0;
}

bool ncg_node_fits_shape(const ncg_node *n, const ncg_shape *s, const ncg_request *r, placement *out)
{
    const ncg_type *t = &n->type.t;
    placement p = {.shape = *s, .first_chip = -1, .first_core = -1};
    if (r->cpu_milli > n->type.cpu_usable_milli - n->cpu_used ||
        r->memory_bytes > n->type.memory_usable_bytes - n->memory_used ||
        r->hugepages_bytes > t->hugepages_bytes - n->hugepages_used)
        return false;
    if (s->chips > 0) {
        int at = ncg_window_find(t->topology, t->chips, ncg_node_free_chips(n), s->chips, n->policy);
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
        p.first_chip = at / t->cores_per_chip;
        p.chip_count = (at + s->cores - 1) / t->cores_per_chip - p.first_chip + 1;
    }
    if (out)
        *out = p;
    return true;
}

int ncg_node_commit_placement(ncg_node *node, const placement *p, const ncg_request *r, ncg_alloc *out,
                              ncg_error *err)
{
    alloc_rec rec = {0};
    int rc = grow(node, err);
    if (rc < 0)
        return rc;
    if (!copy_models(&rec, r->models, r->model_count))
        return ncg_fail(err, NCG_E_NOMEM, "out of memory copying models");
    rec.a.ppr = p->shape.ppr;
    rec.a.ncg_size = p->shape.ncg_size;
    commit(node, p, r, &rec);
    if (out)
        *out = rec.a;
    return (int)rec.a.id;
}

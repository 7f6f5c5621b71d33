/* SPDX-License-Identifier: Apache-2.0 */
/* Device memory ("cache") accounting per chip and per NCG.
 *
 * The model (doc/cache.md says the same at length):
 * - A chip's usable device memory is its capacity minus the runtime reserve (runtime_bytes_per_core x physical
 *   cores of the chip), never below 0.
 * - Every process (NCG) of an allocation loads all models of its API; the NCG needs the sum of their bytes. Those
 *   bytes spread over the chips the NCG has cores on in proportion to its cores on each chip (the compiler
 *   partitions a model over the cores it runs on); the rounding remainder goes to the NCG's last chip.
 * - A chip is overcommitted when the bytes placed on it exceed its usable memory.
 * - An NCG can reach the usable memory of every chip it has cores on; its share is that memory split by cores.
 * - State: "does not fit" when one model alone exceeds what the NCG can reach, or when it has static-weight
 *   models and they exceed what it can reach or one of its chips is overcommitted; "context-switched" when one of
 *   its chips is overcommitted; "fits" otherwise. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "node.h"

__extension__ typedef unsigned __int128 u128;

static int64_t chip_usable(const ncg_node *n)
{
    int64_t v = n->type.t.device_memory_bytes - n->type.runtime_reserve_bytes_per_chip;
    return v > 0 ? v : 0;
}

static int cores_on_chip(const ncg_group *g, int chip, int cpc)
{
    int a = g->first_core > chip * cpc ? g->first_core : chip * cpc;
    int b = g->first_core + g->core_count < (chip + 1) * cpc ? g->first_core + g->core_count : (chip + 1) * cpc;
    return b > a ? b - a : 0;
}

/* Bytes of an NCG that land on one chip. */
static int64_t bytes_on_chip(const ncg_group *g, int64_t need, int chip, int cpc)
{
    int k = cores_on_chip(g, chip, cpc), before = 0;
    if (k == 0 || need == 0)
        return 0;
    if (chip == g->first_chip + g->chip_count - 1) {
        for (int c = g->first_chip; c < chip; c++)
            before += cores_on_chip(g, c, cpc);
        u128 prior = (u128)need * (unsigned)before / (unsigned)g->core_count;
        return need - (int64_t)prior;
    }
    return (int64_t)((u128)need * (unsigned)k / (unsigned)g->core_count);
}

/* Bytes placed on a chip by all NCGs, and how many NCGs have cores on it. */
static int64_t chip_used(const ncg_node *n, int chip, int *groups)
{
    int cpc = n->type.t.cores_per_chip, count = 0;
    int64_t used = 0;
    for (int i = 0; i < n->count; i++) {
        const alloc_rec *r = &n->allocs[i];
        if (r->a.core_count == 0 || chip < r->a.first_chip || chip >= r->a.first_chip + r->a.chip_count)
            continue;
        for (int p = 0; p < r->a.ppr; p++) {
            ncg_group g;
            ncg_node_group_of(n, r, p, &g);
            if (cores_on_chip(&g, chip, cpc) == 0)
                continue;
            count++;
            used += bytes_on_chip(&g, r->model_bytes, chip, cpc);
        }
    }
    if (groups)
        *groups = count;
    return used;
}

NCG_EXPORT int ncg_node_chip_cache(const ncg_node *node, int chip, ncg_chip_cache *out, ncg_error *err)
{
    ncg_chip_cache c;
    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_chip_cache: %s is NULL", !node ? "node" : "out");
    if (chip < 0 || chip >= node->type.t.chips)
        return ncg_fail(err, NCG_E_NOT_FOUND, "chip %d is out of range for %s (%d chips)", chip, node->type.name,
                        node->type.t.chips);
    memset(&c, 0, sizeof(c));
    c.chip = chip;
    c.capacity_bytes = node->type.t.device_memory_bytes;
    c.reserve_bytes = c.capacity_bytes - chip_usable(node);
    c.used_bytes = chip_used(node, chip, &c.groups);
    c.free_bytes = chip_usable(node) - c.used_bytes;
    *out = c;
    return 0;
}

static bool overlaps(const ncg_group *a, const ncg_group *b)
{
    return a->first_chip < b->first_chip + b->chip_count && b->first_chip < a->first_chip + a->chip_count;
}

NCG_EXPORT int ncg_node_group_cache(const ncg_node *node, uint32_t id, int process, ncg_group_cache *out,
                                    ncg_group_ref *shares, size_t size, ncg_error *err)
{
    const alloc_rec *r;
    ncg_group_cache gc;
    int64_t usable, largest = 0, statics = 0;
    bool overcommitted = false;
    int cpc, n = 0;

    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_group_cache: %s is NULL", !node ? "node" : "out");
    if (!shares && size)
        return ncg_fail(err, NCG_E_INVALID, "node_group_cache: shares is NULL but size is %zu", size);
    r = ncg_node_find(node, id);
    if (!r)
        return ncg_fail(err, NCG_E_NOT_FOUND, "no allocation %" PRIu32 " on this %s node", id, node->type.name);
    if (r->a.core_count == 0 || process < 0 || process >= r->a.ppr)
        return ncg_fail(err, NCG_E_NOT_FOUND, "allocation %" PRIu32 " has no NeuronCore Group %d", id, process);
    cpc = node->type.t.cores_per_chip;
    usable = chip_usable(node);
    memset(&gc, 0, sizeof(gc));
    ncg_node_group_of(node, r, process, &gc.group);
    gc.need_bytes = r->model_bytes;
    for (int c = gc.group.first_chip; c < gc.group.first_chip + gc.group.chip_count; c++) {
        gc.reachable_bytes += usable;
        gc.share_bytes += usable * cores_on_chip(&gc.group, c, cpc) / cpc;
        if (chip_used(node, c, NULL) > usable)
            overcommitted = true;
    }
    for (size_t i = 0; i < r->model_count; i++) {
        largest = r->models[i].bytes > largest ? r->models[i].bytes : largest;
        if (r->models[i].static_weights)
            statics += r->models[i].bytes;
    }
    if (largest > gc.reachable_bytes || (statics > 0 && (statics > gc.reachable_bytes || overcommitted)))
        gc.state = NCG_CACHE_NO_FIT;
    else if (overcommitted)
        gc.state = NCG_CACHE_SWAPS;
    else
        gc.state = NCG_CACHE_FITS;
    for (int i = 0; i < node->count; i++) {
        const alloc_rec *o = &node->allocs[i];
        for (int p = 0; p < o->a.ppr && o->a.core_count > 0; p++) {
            ncg_group g;
            if (o == r && p == process)
                continue;
            ncg_node_group_of(node, o, p, &g);
            if (!overlaps(&g, &gc.group))
                continue;
            if ((size_t)n < size) {
                shares[n].alloc_id = o->a.id;
                shares[n].process = p;
            }
            n++;
        }
    }
    gc.shared_with = n;
    *out = gc;
    return n;
}

NCG_EXPORT const char *ncg_cache_state_name(ncg_cache_state state)
{
    switch (state) {
    case NCG_CACHE_FITS: return "fits";
    case NCG_CACHE_SWAPS: return "context-switched";
    case NCG_CACHE_NO_FIT: return "does not fit";
    }
    return NULL;
}

/* Append one line to the advice buffer; returns false when it does not fit. */
static bool add_line(char *buf, size_t size, size_t *used, const char *line)
{
    size_t len = strlen(line) + (*used ? 1 : 0);
    if (*used + len + 1 > size)
        return false;
    if (*used)
        buf[(*used)++] = '\n';
    memcpy(buf + *used, line, strlen(line) + 1);
    *used += strlen(line);
    return true;
}

NCG_EXPORT int ncg_request_advice(const ncg_catalog *catalog, const char *type, const ncg_request *request,
                                  char *buf, size_t size, ncg_error *err)
{
    char lines[8][NCG_MESSAGE_MAX];
    int count = 0, rc, id;
    size_t used = 0;
    ncg_node *node;
    ncg_alloc a;
    ncg_error e;

    if (!buf && size)
        return ncg_fail(err, NCG_E_INVALID, "request_advice: buf is NULL but size is %zu", size);
    rc = ncg_request_check(catalog, type, request, err);
    if (rc < 0)
        return rc;
    if (!type)
        return ncg_fail(err, NCG_E_INVALID, "request_advice: type is NULL");
    node = ncg_node_new(catalog, type, &e);
    if (!node) {
        if (err)
            *err = e;
        return e.code;
    }
    id = ncg_node_allocate(node, request, &a, err);
    if (id < 0) {
        ncg_node_free(node);
        return id;
    }
    for (size_t i = 0; i < request->model_count && count < 7; i++) {
        const ncg_model *m = &request->models[i];
        int c = m->compiled_cores, g = a.ncg_size, total = a.core_count;
        ncg_quoted q;
        if (c == 0 || c >= g)
            continue;
        if (total % c == 0)
            snprintf(lines[count++], NCG_MESSAGE_MAX, "model %s is compiled for %d NeuronCore%s but its NeuronCore "
                     "Group has %d: set processes_per_replica to %d for throughput (NCGs of %d), or recompile for %d "
                     "NeuronCores", ncg_quote(&q, m->name ? m->name : "(unnamed)"), c, c == 1 ? "" : "s", g,
                     total / c, c, g);
        else
            snprintf(lines[count++], NCG_MESSAGE_MAX, "model %s is compiled for %d NeuronCore%s but its NeuronCore "
                     "Group has %d: recompile for %d NeuronCores", ncg_quote(&q, m->name ? m->name : "(unnamed)"),
                     c, c == 1 ? "" : "s", g, g);
    }
    for (int p = 0; p < a.ppr && a.core_count > 0; p++) {
        ncg_group_cache gc;
        char need[32], reach[32], cores[32];
        ncg_node_group_cache(node, (uint32_t)id, p, &gc, NULL, 0, NULL);
        if (gc.state == NCG_CACHE_FITS)
            continue;
        ncg_format_memory(gc.need_bytes, need, sizeof(need), NULL);
        ncg_format_memory(gc.reachable_bytes, reach, sizeof(reach), NULL);
        ncg_format_ids(gc.group.first_core, gc.group.core_count, 1, cores, sizeof(cores), NULL);
        snprintf(lines[count++], NCG_MESSAGE_MAX, "NeuronCore Group %d (cores %s) needs %s of device memory, its "
                 "chips hold %s after the runtime reserve: %s", p, cores, need, reach,
                 gc.state == NCG_CACHE_NO_FIT ? "the models do not fit; use fewer processes per replica or more "
                 "chips" : "models will be context-switched, which costs throughput");
        break;
    }
    ncg_node_free(node);
    if (size)
        buf[0] = '\0';
    for (int i = 0; i < count; i++)
        if (!add_line(buf, size, &used, lines[i])) {
            if (size)
                buf[0] = '\0';
            return ncg_fail(err, NCG_E_BUFFER, "advice needs more than %zu bytes", size);
        }
    return count;
}

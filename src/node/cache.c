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
 * - Where a chip's memory is in HBM banks (ncg_type.hbm_banks > 1, Trainium2: 4 banks of 24 GiB, each serving 2
 *   physical cores), the unit of all of the above is the bank: an NCG reaches the banks that serve the physical
 *   cores of its logical cores, and shares them with the NCGs that have cores on those banks. The chip's figures
 *   (ncg_node_get_chip_cache) are the sums of its banks'.
 * - State: "does not fit" when one model alone exceeds what the NCG can reach, or when it has static-weight
 *   models and they exceed what it can reach or one of its chips is overcommitted; "context-switched" when one of
 *   its chips is overcommitted; "fits" otherwise. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"

__extension__ typedef unsigned __int128 u128;

/* Sums of bytes saturate at INT64_MAX: types may have up to 64 chips of any device memory and models any size,
 * and a saturated sum still compares as "too much". */
static int64_t add_sat(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Where device memory lies: units of memory (a chip's HBM bank where the type has banks, else the whole chip),
 * each serving `upc` physical cores. Logical core c is physical cores c*scale .. c*scale+scale-1. */
typedef struct geom {
    int scale;          /* physical cores per logical core: the node's LNC, 1 without the setting */
    int per_chip;       /* units per chip: hbm_banks, or 1 */
    int upc;            /* physical cores per unit */
    int cpc;            /* logical cores per chip */
    int64_t usable;     /* usable bytes of one unit */
} geom;

static int64_t chip_usable(const ncg_node *n)
{
    const ncg_type_copy *tc = ncg_node_type_copy(n);
    int64_t v = tc->t.device_memory_bytes - tc->runtime_reserve_bytes_per_chip;
    return v > 0 ? v : 0;
}

static geom geom_of(const ncg_node *n)
{
    const ncg_type *t = &ncg_node_type_copy(n)->t;
    geom g;
    g.scale = ncg_type_lnc(t);
    g.cpc = t->cores_per_chip;
    g.per_chip = t->hbm_banks > 1 ? t->hbm_banks : 1; /* ncg_type_check: banks serve whole cores */
    g.upc = g.cpc * g.scale / g.per_chip;
    g.usable = chip_usable(n) / g.per_chip;
    return g;
}

/* An NCG in physical cores, its first_chip and chip_count being the units it touches. */
static ncg_core_group in_units(const ncg_core_group *logical, const geom *m)
{
    ncg_core_group p = *logical;
    p.first_core = logical->first_core * m->scale;
    p.core_count = logical->core_count * m->scale;
    ncg_span_chips(p.first_core, p.core_count, m->upc, &p.first_chip, &p.chip_count);
    return p;
}

/* Bytes of an NCG (in units) that land on one unit. */
static int64_t bytes_on_unit(const ncg_core_group *g, int64_t need, int unit, int upc)
{
    int k = ncg_core_group_cores_on_chip(g, unit, upc), before = 0;
    if (k == 0 || need == 0)
        return 0;
    if (unit == g->first_chip + g->chip_count - 1) {
        for (int c = g->first_chip; c < unit; c++)
            before += ncg_core_group_cores_on_chip(g, c, upc);
        u128 prior = (u128)need * (unsigned)before / (unsigned)g->core_count;
        return need - (int64_t)prior;
    }
    return (int64_t)((u128)need * (unsigned)k / (unsigned)g->core_count);
}

/* Bytes placed on units [first, first+count) by all NCGs, and how many NCGs have cores there. */
static int64_t units_used(const ncg_node *n, const geom *m, int first, int count, int *groups)
{
    int chip = first / m->per_chip, chips = (first + count - 1) / m->per_chip - chip + 1, found = 0;
    int allocs = ncg_node_alloc_count(n);
    int64_t used = 0;
    for (int i = 0; i < allocs; i++) {
        ncg_alloc a;
        ncg_node_alloc_at(n, i, &a);
        if (a.core_count == 0 || chip + chips <= a.first_chip || chip >= a.first_chip + a.chip_count)
            continue;
        for (int p = 0; p < a.ppr; p++) {
            ncg_core_group lg, g;
            bool touches = false;
            ncg_node_core_group(n, i, p, &lg);
            g = in_units(&lg, m);
            for (int u = first; u < first + count; u++) {
                if (ncg_core_group_cores_on_chip(&g, u, m->upc) == 0)
                    continue;
                touches = true;
                used = add_sat(used, bytes_on_unit(&g, ncg_node_alloc_model_bytes(n, i), u, m->upc));
            }
            found += touches;
        }
    }
    if (groups)
        *groups = found;
    return used;
}

NCG_EXPORT int ncg_node_get_chip_cache(const ncg_node *node, int chip, ncg_chip_cache *out, ncg_error *err)
{
    const ncg_type_copy *tc;
    ncg_chip_cache c;
    geom m;
    int rc;
    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_get_chip_cache: %s is NULL", !node ? "node" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_chip_cache, err)) < 0)
        return rc;
    tc = ncg_node_type_copy(node);
    if (chip < 0 || chip >= tc->t.chips)
        return ncg_fail(err, NCG_E_NOT_FOUND, "chip %d is out of range for %s (%d chips)", chip, tc->name,
                        tc->t.chips);
    m = geom_of(node);
    memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    c.chip = chip;
    c.capacity_bytes = tc->t.device_memory_bytes;
    c.reserve_bytes = c.capacity_bytes - chip_usable(node);
    c.used_bytes = units_used(node, &m, chip * m.per_chip, m.per_chip, &c.core_groups);
    c.free_bytes = chip_usable(node) - c.used_bytes;
    ncg_sized_out(out, &c, sizeof(c));
    return 0;
}

/* The other NCGs sharing memory units with NCG (i, process), me in units; written to shares only when fits. */
static int sharing(const ncg_node *node, const geom *m, int i, int process, const ncg_core_group *me,
                   ncg_core_group_ref *shares, bool fits)
{
    int n = 0, allocs = ncg_node_alloc_count(node);
    for (int k = 0; k < allocs; k++) {
        ncg_alloc o;
        ncg_node_alloc_at(node, k, &o);
        for (int p = 0; p < o.ppr && o.core_count > 0; p++) {
            ncg_core_group lg, g;
            if (k == i && p == process)
                continue;
            ncg_node_core_group(node, k, p, &lg);
            g = in_units(&lg, m);
            if (!(g.first_chip < me->first_chip + me->chip_count && me->first_chip < g.first_chip + g.chip_count))
                continue;
            if (fits) {
                shares[n].alloc_id = o.id;
                shares[n].process = p;
            }
            n++;
        }
    }
    return n;
}

NCG_EXPORT int ncg_node_get_core_group_cache(const ncg_node *node, uint64_t id, int process,
                                             ncg_core_group_cache *out, ncg_core_group_ref *shares, size_t size,
                                             ncg_error *err)
{
    ncg_alloc a;
    const ncg_model *models;
    size_t model_count;
    ncg_core_group_cache gc;
    ncg_core_group units;
    int64_t largest = 0, statics = 0;
    bool overcommitted = false;
    geom m;
    int i, n, rc;

    if (!node || !out)
        return ncg_fail(err, NCG_E_INVALID, "node_get_core_group_cache: %s is NULL", !node ? "node" : "out");
    if (!shares && size)
        return ncg_fail(err, NCG_E_INVALID, "node_get_core_group_cache: shares is NULL but size is %zu", size);
    if ((rc = NCG_CHECK_SIZED(out, ncg_core_group_cache, err)) < 0)
        return rc;
    i = ncg_node_alloc_index(node, id);
    if (i < 0)
        return ncg_fail(err, NCG_E_NOT_FOUND, "no allocation %" PRIu64 " on this %s node", id,
                        ncg_node_get_type_name(node));
    ncg_node_alloc_at(node, i, &a);
    if (a.core_count == 0 || process < 0 || process >= a.ppr)
        return ncg_fail(err, NCG_E_NOT_FOUND, "allocation %" PRIu64 " has no NeuronCore Group %d", id, process);
    m = geom_of(node);
    memset(&gc, 0, sizeof(gc));
    gc.size = sizeof(gc);
    ncg_node_core_group(node, i, process, &gc.core_group);
    units = in_units(&gc.core_group, &m);
    gc.need_bytes = ncg_node_alloc_model_bytes(node, i);
    for (int u = units.first_chip; u < units.first_chip + units.chip_count; u++) {
        gc.reachable_bytes = add_sat(gc.reachable_bytes, m.usable);
        gc.share_bytes = add_sat(gc.share_bytes, (int64_t)((u128)m.usable *
                                                             (unsigned)ncg_core_group_cores_on_chip(&units, u, m.upc) /
                                                             (unsigned)m.upc));
        if (units_used(node, &m, u, 1, NULL) > m.usable)
            overcommitted = true;
    }
    models = ncg_node_alloc_models(node, i, &model_count);
    for (size_t k = 0; k < model_count; k++) {
        largest = models[k].bytes > largest ? models[k].bytes : largest;
        if (models[k].static_weights)
            statics = add_sat(statics, models[k].bytes);
    }
    if (largest > gc.reachable_bytes || (statics > 0 && (statics > gc.reachable_bytes || overcommitted)))
        gc.state = NCG_CACHE_NO_FIT;
    else if (overcommitted)
        gc.state = NCG_CACHE_SWAPS;
    else
        gc.state = NCG_CACHE_FITS;
    n = sharing(node, &m, i, process, &units, NULL, false);
    if ((size_t)n <= size)
        sharing(node, &m, i, process, &units, shares, true);
    gc.shared_with = n;
    ncg_sized_out(out, &gc, sizeof(gc));
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

NCG_EXPORT int ncg_request_advice(const ncg_catalog *catalog, const char *type, const ncg_request *user,
                                  char *buf, size_t size, int *out_findings, ncg_error *err)
{
    char lines[8][NCG_MESSAGE_MAX];
    int count = 0, rc;
    size_t len = 0;
    ncg_request req;
    ncg_type_copy tc;
    ncg_node *node;
    ncg_slot slot;
    ncg_alloc a;

    if (!buf && size)
        return ncg_fail(err, NCG_E_INVALID, "request_advice: buf is NULL but size is %zu", size);
    rc = ncg_request_check(catalog, type, user, err);
    if (rc < 0)
        return rc;
    if (!type)
        return ncg_fail(err, NCG_E_INVALID, "request_advice: type is NULL");
    ncg_request_in(user, &req, NULL);
    ncg_catalog_copy_type(catalog, type, &tc, NULL); /* found above */
    ncg_type_copy_for_request(&tc, &req);            /* the type as ncg_request_check() took it */
    node = ncg_node_from_type(&tc);
    if (!node)
        return ncg_fail(err, NCG_E_NOMEM, "out of memory advising on a request for %s", tc.name);
    rc = ncg_node_plan(node, &req, &slot, err);
    if (rc == 0)
        rc = ncg_node_commit(node, &slot, &req, &a, err);
    if (rc < 0) {
        ncg_node_free(node);
        return rc;
    }
    for (size_t i = 0; i < req.model_count && count < 7; i++) {
        const ncg_model *m = ncg_model_at(&req, i);
        int c = m->compiled_cores, g = a.ncg_size, total = a.core_count;
        ncg_quoted q;
        if (c == 0 || c >= g)
            continue;
        if (total % c == 0)
            snprintf(lines[count++], NCG_MESSAGE_MAX, "model %s is compiled for %d NeuronCore%s but its NeuronCore "
                     "Group has %d: set processes_per_replica to %d for throughput (NCGs of %d), or recompile for %d "
                     "NeuronCores", ncg_quote(&q, m->name && m->name[0] ? m->name : "(unnamed)"), c,
                     c == 1 ? "" : "s", g, total / c, c, g);
        else
            snprintf(lines[count++], NCG_MESSAGE_MAX, "model %s is compiled for %d NeuronCore%s but its NeuronCore "
                     "Group has %d: recompile for %d NeuronCores",
                     ncg_quote(&q, m->name && m->name[0] ? m->name : "(unnamed)"), c, c == 1 ? "" : "s", g, g);
    }
    for (int p = 0; p < a.ppr && a.core_count > 0; p++) {
        ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
        char need[32], reach[32], cores[32];
        ncg_node_get_core_group_cache(node, a.id, p, &gc, NULL, 0, NULL);
        if (gc.state == NCG_CACHE_FITS)
            continue;
        ncg_format_memory(gc.need_bytes, need, sizeof(need), NULL);
        ncg_format_memory(gc.reachable_bytes, reach, sizeof(reach), NULL);
        ncg_format_ids(gc.core_group.first_core, gc.core_group.core_count, 1, cores, sizeof(cores), NULL);
        if (gc.shared_with > 0) {
            /* the limit that applies is its share of the chips (or HBM banks) it shares with other NCGs: name
             * them */
            char share[32], where[32];
            geom m = geom_of(node);
            ncg_core_group units = in_units(&gc.core_group, &m);
            int where_cores = units.chip_count * m.upc / m.scale;
            const char *what = m.per_chip > 1 ? (units.chip_count == 1 ? "HBM bank" : "HBM banks")
                                              : (units.chip_count == 1 ? "chip" : "chips");
            ncg_format_memory(gc.share_bytes, share, sizeof(share), NULL);
            ncg_format_ids(units.first_chip, units.chip_count, 1, where, sizeof(where), NULL);
            snprintf(lines[count++], NCG_MESSAGE_MAX, "NeuronCore Group %d (cores %s) needs %s of device memory "
                     "but its share is %s: %d of the %d NeuronCores of %s %s, which hold%s %s after the runtime "
                     "reserve, shared with %d other NeuronCore Group%s: %s", p, cores, need, share,
                     gc.core_group.core_count, where_cores, what, where,
                     units.chip_count == 1 ? "s" : "", reach, gc.shared_with,
                     gc.shared_with == 1 ? "" : "s",
                     gc.state == NCG_CACHE_NO_FIT ? "the models do not fit; use fewer processes per replica or "
                     "more chips" : "models will be context-switched, which costs throughput");
        } else {
            snprintf(lines[count++], NCG_MESSAGE_MAX, "NeuronCore Group %d (cores %s) needs %s of device memory, "
                     "its %s hold %s after the runtime reserve: %s", p, cores, need,
                     ncg_node_type_copy(node)->t.hbm_banks > 1 ? "HBM banks" : "chips", reach,
                     gc.state == NCG_CACHE_NO_FIT ? "the models do not fit; use fewer processes per replica or "
                     "more chips" : "models will be context-switched, which costs throughput");
        }
        break;
    }
    ncg_node_free(node);
    for (int i = 0; i < count; i++)
        len += strlen(lines[i]) + (i ? 1 : 0);
    if (len < size) {
        size_t o = 0;
        buf[0] = '\0';
        for (int i = 0; i < count; i++)
            o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "\n" : "", lines[i]);
    }
    if (out_findings)
        *out_findings = count;
    return (int)len;
}

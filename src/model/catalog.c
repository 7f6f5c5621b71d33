/* SPDX-License-Identifier: Apache-2.0 */
/* The catalog of instance types: built-in Neuron types, caller's additions, reserves. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

#define FAMILY_MAX 31
#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)
#define RESERVE_MAX (INT64_C(1) << 50)

typedef struct entry {
    char name[NCG_NAME_MAX + 1];
    char family[FAMILY_MAX + 1];
    ncg_type t; /* t.name and t.family are set when read out */
} entry;

/* Types in the order they were added, and an open-addressing hash of their names (slots hold an index into types,
 * or -1; at most half of them are used), so that finding a name, and so building a catalog, costs the same for the
 * 600 types of a region as for 6. */
struct ncg_catalog {
    entry *types;
    int count;
    int capacity;
    int *slots;
    int slot_count; /* 0 or a power of two >= 2 * capacity */
    ncg_reserve reserve;
    const char *region; /* the built-in region it was made from (static), named by unknown-type errors */
};

/* Built-in types and per-region prices, generated at build time by scripts/gen-catalog.py from data/ec2/ (every
 * EC2 type Cortex v0.42 knew, merged with the Neuron facts of the AWS Neuron documentation). */
#include "catalog-data.h"

#define BUILTIN_COUNT (sizeof(builtins) / sizeof(builtins[0]))
#define REGION_COUNT (sizeof(regions) / sizeof(regions[0]))

static const ncg_reserve default_reserve = {
    .size = sizeof(ncg_reserve),
    .cpu_milli = 710,
    .memory_bytes = 1100 * MIB,
    .plugin_cpu_milli = 100,
    .plugin_memory_bytes = 100 * MIB,
    .runtime_bytes_per_core = 96 * MIB,
};

static bool is_neuron(ncg_accel accel)
{
    return accel == NCG_ACCEL_INFERENTIA || accel == NCG_ACCEL_TRAINIUM;
}

static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h;
}

/* The slot that holds name's index, or the empty slot where it would go. */
static int slot_of(const int *slots, int slot_count, const entry *types, const char *name)
{
    unsigned mask = (unsigned)slot_count - 1, s = name_hash(name) & mask;
    while (slots[s] >= 0 && strcmp(types[slots[s]].name, name) != 0)
        s = (s + 1) & mask;
    return (int)s;
}

static void rehash(ncg_catalog *c)
{
    for (int s = 0; s < c->slot_count; s++)
        c->slots[s] = -1;
    for (int i = 0; i < c->count; i++)
        c->slots[slot_of(c->slots, c->slot_count, c->types, c->types[i].name)] = i;
}

/* Room for at least want types, or -1 with the catalog as it was. */
static int make_room(ncg_catalog *c, int want)
{
    int cap = c->capacity ? c->capacity : 16, n = 32;
    entry *types;
    int *slots;
    if (want <= c->capacity)
        return 0;
    while (cap < want)
        cap *= 2;
    while (n < 2 * cap)
        n *= 2;
    if (!(slots = malloc((size_t)n * sizeof(*slots))))
        return -1;
    if (!(types = realloc(c->types, (size_t)cap * sizeof(*types)))) {
        free(slots);
        return -1;
    }
    free(c->slots);
    c->types = types;
    c->capacity = cap;
    c->slots = slots;
    c->slot_count = n;
    rehash(c);
    return 0;
}

/* A catalog with the types region r offers (only the Neuron ones with NCG_CATALOG_NEURON), or none with
 * NCG_CATALOG_EMPTY. */
static ncg_catalog *build(const struct region *r, unsigned flags, ncg_error *err)
{
    ncg_catalog *c = calloc(1, sizeof(*c));
    if (!c) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory creating a catalog");
        return NULL;
    }
    c->reserve = default_reserve;
    c->region = r->name;
    if (flags & NCG_CATALOG_EMPTY)
        return c;
    if (make_room(c, r->count) < 0) {
        free(c);
        ncg_fail(err, NCG_E_NOMEM, "out of memory creating a catalog");
        return NULL;
    }
    for (int i = r->first; i < r->first + r->count; i++) {
        const struct builtin *b = &builtins[region_prices[i].type];
        double price = region_prices[i].price;
        ncg_type t = {
            .size = sizeof(ncg_type),
            .name = b->name,
            .family = b->family,
            .accelerator = b->accel,
            .chips = b->chips,
            .cores_per_chip = b->cores_per_chip,
            .physical_cores_per_chip = b->physical_cores_per_chip,
            .device_memory_bytes = b->device_gib * GIB,
            .gpus = b->gpus,
            .cpu_milli = b->vcpu * INT64_C(1000),
            .memory_bytes = b->memory_mib * MIB,
            .topology = b->topology,
            .has_price = price >= 0,
            .usd_per_hour = price >= 0 ? price : 0,
            .lnc = b->lnc,
            .hbm_banks = b->hbm_banks,
        };
        if ((flags & NCG_CATALOG_NEURON) && !is_neuron(b->accel))
            continue;
        if (ncg_catalog_set_type(c, &t, err) < 0) /* never fails: the capacity is there and the data are checked */
            return ncg_catalog_free(c);
    }
    return c;
}

static const struct region *find_region(const char *name)
{
    for (size_t i = 0; i < REGION_COUNT; i++)
        if (strcmp(regions[i].name, name) == 0)
            return &regions[i];
    return NULL;
}

NCG_EXPORT ncg_catalog *ncg_catalog_new(unsigned flags, ncg_error *err)
{
    if (flags & ~(unsigned)NCG_CATALOG_EMPTY) {
        ncg_fail(err, NCG_E_INVALID, "catalog_new: flags 0x%x has unknown bits", flags);
        return NULL;
    }
    return build(find_region(DEFAULT_REGION), flags | NCG_CATALOG_NEURON, err);
}

NCG_EXPORT ncg_catalog *ncg_catalog_new_region(const char *region, unsigned flags, ncg_error *err)
{
    const struct region *r;
    ncg_quoted q;
    if (!region) {
        ncg_fail(err, NCG_E_INVALID, "catalog_new_region: region is NULL");
        return NULL;
    }
    if (flags & ~(unsigned)(NCG_CATALOG_EMPTY | NCG_CATALOG_NEURON)) {
        ncg_fail(err, NCG_E_INVALID, "catalog_new_region: flags 0x%x has unknown bits", flags);
        return NULL;
    }
    if (!(r = find_region(region))) {
        ncg_fail(err, NCG_E_NOT_FOUND, "unknown region %s (the catalog knows %d regions, %s to %s)",
                 ncg_quote(&q, region), (int)REGION_COUNT, regions[0].name, regions[REGION_COUNT - 1].name);
        return NULL;
    }
    return build(r, flags, err);
}

NCG_EXPORT int ncg_catalog_get_regions(const char **out, size_t size, ncg_error *err)
{
    if (!out && size > 0)
        return ncg_fail(err, NCG_E_INVALID, "catalog_get_regions: out is NULL with size %zu", size);
    if (size >= REGION_COUNT)
        for (size_t i = 0; i < REGION_COUNT; i++)
            out[i] = regions[i].name;
    return (int)REGION_COUNT;
}

NCG_EXPORT const char *ncg_catalog_get_region(const ncg_catalog *catalog)
{
    return catalog ? catalog->region : NULL;
}

NCG_EXPORT ncg_catalog *ncg_catalog_free(ncg_catalog *catalog)
{
    if (catalog) {
        free(catalog->types);
        free(catalog->slots);
        free(catalog);
    }
    return NULL;
}

NCG_EXPORT int ncg_catalog_type_count(const ncg_catalog *catalog)
{
    return catalog ? catalog->count : 0;
}

void ncg_type_out(const ncg_type *src, const char *name, const char *family, ncg_type *out)
{
    ncg_type t;
    /* member by member onto zeros: a struct copy may carry the padding bytes of whoever filled the entry (a
     * caller's struct, through ncg_catalog_set_type) into this caller's struct */
    memset(&t, 0, sizeof(t));
    t.size = sizeof(t);
    t.name = name;
    t.family = family;
    t.accelerator = src->accelerator;
    t.chips = src->chips;
    t.cores_per_chip = src->cores_per_chip;
    t.physical_cores_per_chip = src->physical_cores_per_chip;
    t.device_memory_bytes = src->device_memory_bytes;
    t.gpus = src->gpus;
    t.cpu_milli = src->cpu_milli;
    t.memory_bytes = src->memory_bytes;
    t.hugepages_bytes = src->hugepages_bytes;
    t.topology = src->topology;
    t.has_price = src->has_price;
    t.usd_per_hour = src->usd_per_hour;
    t.lnc = src->lnc;
    t.hbm_banks = src->hbm_banks;
    ncg_sized_out(out, &t, sizeof(t));
}

static void read_entry(const entry *e, ncg_type *out)
{
    ncg_type_out(&e->t, e->name, e->family, out);
}

static int index_of(const ncg_catalog *c, const char *name)
{
    return c->slot_count ? c->slots[slot_of(c->slots, c->slot_count, c->types, name)] : -1;
}

static int unknown_type(const ncg_catalog *c, ncg_error *err, const char *name)
{
    ncg_quoted q;
    return ncg_fail(err, NCG_E_UNKNOWN_TYPE, "unknown instance type %s in %s", ncg_quote(&q, name), c->region);
}

NCG_EXPORT int ncg_catalog_get_type(const ncg_catalog *catalog, int index, ncg_type *out, ncg_error *err)
{
    int rc;
    if (!catalog || !out)
        return ncg_fail(err, NCG_E_INVALID, "catalog_get_type: %s is NULL", !catalog ? "catalog" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_type, err)) < 0)
        return rc;
    if (index < 0 || index >= catalog->count)
        return ncg_fail(err, NCG_E_NOT_FOUND, "type index %d is out of range 0..%d", index, catalog->count - 1);
    read_entry(&catalog->types[index], out);
    return 0;
}

NCG_EXPORT int ncg_catalog_find_type(const ncg_catalog *catalog, const char *name, ncg_type *out, ncg_error *err)
{
    int i;
    if (!catalog || !name)
        return ncg_fail(err, NCG_E_INVALID, "catalog_find_type: %s is NULL", !catalog ? "catalog" : "name");
    if (out && (i = NCG_CHECK_SIZED(out, ncg_type, err)) < 0)
        return i;
    i = index_of(catalog, name);
    if (i < 0)
        return unknown_type(catalog, err, name);
    if (out)
        read_entry(&catalog->types[i], out);
    return i;
}

bool ncg_valid_name(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-'))
            return false;
        if (n >= max)
            return false;
    }
    return n >= 1;
}

int ncg_type_check(const ncg_type *t, ncg_error *err)
{
    ncg_quoted q;
    const char *n;
    bool neuron;
    int phys;

    if (!t->name || !ncg_valid_name(t->name, NCG_NAME_MAX))
        return ncg_fail(err, NCG_E_INVALID,
                        "type name %s is not valid: 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and '-'",
                        t->name ? ncg_quote(&q, t->name) : "NULL", NCG_NAME_MAX);
    n = t->name;
    if (t->family && (strlen(t->family) > FAMILY_MAX || (t->family[0] && !ncg_valid_name(t->family, FAMILY_MAX))))
        return ncg_fail(err, NCG_E_INVALID, "type %s: family %s is not valid: up to %d characters of A-Z, a-z, "
                        "0-9, '.', '_' and '-'", n, ncg_quote(&q, t->family), FAMILY_MAX);
    if ((unsigned)t->accelerator > NCG_ACCEL_GPU)
        return ncg_fail(err, NCG_E_INVALID, "type %s: accelerator %d is not a known ncg_accel", n,
                        (int)t->accelerator);
    if ((unsigned)t->topology > NCG_TOPOLOGY_SWITCHED)
        return ncg_fail(err, NCG_E_INVALID, "type %s: topology %d is not a known ncg_topology", n, (int)t->topology);
    neuron = t->accelerator == NCG_ACCEL_INFERENTIA || t->accelerator == NCG_ACCEL_TRAINIUM;
    if (neuron) {
        if (t->chips < 1 || t->chips > NCG_MAX_CHIPS)
            return ncg_fail(err, NCG_E_RANGE, "type %s: chips %d is out of range 1..%d", n, t->chips, NCG_MAX_CHIPS);
        if (t->cores_per_chip < 1 || t->cores_per_chip > NCG_MAX_CORES_PER_CHIP)
            return ncg_fail(err, NCG_E_RANGE, "type %s: cores_per_chip %d is out of range 1..%d", n,
                            t->cores_per_chip, NCG_MAX_CORES_PER_CHIP);
        if (t->chips * t->cores_per_chip > NCG_MAX_CORES)
            return ncg_fail(err, NCG_E_RANGE, "type %s: %d chips x %d cores_per_chip exceeds %d NeuronCores", n,
                            t->chips, t->cores_per_chip, NCG_MAX_CORES);
        if (t->physical_cores_per_chip < 0 || t->physical_cores_per_chip > 4 * NCG_MAX_CORES_PER_CHIP)
            return ncg_fail(err, NCG_E_RANGE, "type %s: physical_cores_per_chip %d is out of range 0..%d", n,
                            t->physical_cores_per_chip, 4 * NCG_MAX_CORES_PER_CHIP);
        if (t->device_memory_bytes <= 0)
            return ncg_fail(err, NCG_E_RANGE, "type %s: device_memory_bytes %" PRId64 " must be > 0", n,
                            t->device_memory_bytes);
        if (t->topology == NCG_TOPOLOGY_SINGLE && t->chips != 1)
            return ncg_fail(err, NCG_E_INVALID, "type %s: topology single needs 1 chip, not %d", n, t->chips);
        if (t->topology == NCG_TOPOLOGY_TORUS_4X4 && t->chips != 16)
            return ncg_fail(err, NCG_E_INVALID, "type %s: topology torus4x4 needs 16 chips, not %d", n, t->chips);
        phys = t->physical_cores_per_chip ? t->physical_cores_per_chip : t->cores_per_chip;
        if (t->lnc < 0 || t->lnc > NCG_LNC_MAX)
            return ncg_fail(err, NCG_E_RANGE, "type %s: lnc %d is out of range 0..%d", n, t->lnc, NCG_LNC_MAX);
        if (t->lnc > 0 && t->cores_per_chip * t->lnc != phys)
            return ncg_fail(err, NCG_E_INVALID, "type %s: lnc %d needs physical_cores_per_chip = cores_per_chip x "
                            "lnc = %d, not %d", n, t->lnc, t->cores_per_chip * t->lnc, phys);
        if (t->lnc > 0 && (t->physical_cores_per_chip == 0 || t->physical_cores_per_chip % NCG_LNC_MAX ||
                           t->physical_cores_per_chip > NCG_MAX_CORES_PER_CHIP ||
                           t->chips * t->physical_cores_per_chip > NCG_MAX_CORES))
            return ncg_fail(err, NCG_E_INVALID, "type %s: lnc %d needs physical_cores_per_chip (%d) even, at most %d "
                            "and at most %d per node (%d chips), so that every setting (1..%d) is valid", n, t->lnc,
                            t->physical_cores_per_chip, NCG_MAX_CORES_PER_CHIP, NCG_MAX_CORES, t->chips, NCG_LNC_MAX);
        if (t->hbm_banks < 0 || t->hbm_banks > phys || (t->hbm_banks > 1 && phys % t->hbm_banks))
            return ncg_fail(err, NCG_E_RANGE, "type %s: hbm_banks %d must be 0 or a divisor of its %d physical "
                            "cores per chip", n, t->hbm_banks, phys);
        /* a bank serves whole NeuronCores as the runtime numbers them, at every setting */
        if (t->hbm_banks > 1 && (t->lnc > 0 ? (phys / t->hbm_banks) % NCG_LNC_MAX
                                            : t->physical_cores_per_chip && t->physical_cores_per_chip !=
                                                                               t->cores_per_chip))
            return ncg_fail(err, NCG_E_INVALID, "type %s: hbm_banks %d needs each bank to serve whole NeuronCores "
                            "(%d physical cores per bank%s)", n, t->hbm_banks, phys / t->hbm_banks,
                            t->lnc > 0 ? ", a multiple of every Logical NeuronCore setting" :
                                         ", and cores_per_chip equal to physical_cores_per_chip without an lnc");
    } else {
        if (t->chips != 0 || t->cores_per_chip != 0 || t->device_memory_bytes != 0 || t->lnc != 0 ||
            t->hbm_banks != 0)
            return ncg_fail(err, NCG_E_INVALID,
                            "type %s: chips %d, cores_per_chip %d, device_memory_bytes %" PRId64
                            ", lnc %d and hbm_banks %d must be 0 without Neuron accelerators", n, t->chips,
                            t->cores_per_chip, t->device_memory_bytes, t->lnc, t->hbm_banks);
    }
    if (t->accelerator == NCG_ACCEL_GPU ? t->gpus < 1 || t->gpus > 64 : t->gpus != 0)
        return ncg_fail(err, NCG_E_RANGE, "type %s: gpus %d must be %s", n, t->gpus,
                        t->accelerator == NCG_ACCEL_GPU ? "in 1..64 for a GPU type" : "0 for a type without GPUs");
    if (t->cpu_milli <= 0)
        return ncg_fail(err, NCG_E_RANGE, "type %s: cpu_milli %" PRId64 " must be > 0", n, t->cpu_milli);
    if (t->memory_bytes <= 0)
        return ncg_fail(err, NCG_E_RANGE, "type %s: memory_bytes %" PRId64 " must be > 0", n, t->memory_bytes);
    if (t->hugepages_bytes < 0)
        return ncg_fail(err, NCG_E_RANGE, "type %s: hugepages_bytes %" PRId64 " must be >= 0", n, t->hugepages_bytes);
    if (t->has_price && (!isfinite(t->usd_per_hour) || t->usd_per_hour < 0))
        return ncg_fail(err, NCG_E_RANGE, "type %s: usd_per_hour %g must be finite and >= 0", n, t->usd_per_hour);
    return 0;
}

NCG_EXPORT int ncg_catalog_set_type(ncg_catalog *catalog, const ncg_type *user, ncg_error *err)
{
    entry e = {0};
    ncg_type full = {0}, *type = &full;
    int i, r;

    if (!catalog || !user)
        return ncg_fail(err, NCG_E_INVALID, "catalog_set_type: %s is NULL", !catalog ? "catalog" : "type");
    if ((r = NCG_CHECK_SIZED(user, ncg_type, err)) < 0)
        return r;
    ncg_sized_in(&full, sizeof(full), user);
    r = ncg_type_check(type, err);
    if (r < 0)
        return r;
    strcpy(e.name, type->name);
    if (type->family)
        strcpy(e.family, type->family);
    e.t = *type;
    e.t.name = NULL;
    e.t.family = NULL;
    if (!e.t.has_price || e.t.usd_per_hour == 0)
        e.t.usd_per_hour = 0; /* also turns -0.0 into 0 */
    e.t.has_price = e.t.has_price != 0;

    i = index_of(catalog, type->name);
    if (i < 0) {
        if (make_room(catalog, catalog->count + 1) < 0)
            return ncg_fail(err, NCG_E_NOMEM, "out of memory adding type %s", type->name);
        i = catalog->count++;
        catalog->types[i] = e;
        catalog->slots[slot_of(catalog->slots, catalog->slot_count, catalog->types, e.name)] = i;
        return i;
    }
    catalog->types[i] = e;
    return i;
}

NCG_EXPORT int ncg_catalog_remove_type(ncg_catalog *catalog, const char *name, ncg_error *err)
{
    int i;
    if (!catalog || !name)
        return ncg_fail(err, NCG_E_INVALID, "catalog_remove_type: %s is NULL", !catalog ? "catalog" : "name");
    i = index_of(catalog, name);
    if (i < 0)
        return unknown_type(catalog, err, name);
    memmove(&catalog->types[i], &catalog->types[i + 1], (size_t)(catalog->count - i - 1) * sizeof(entry));
    catalog->count--;
    rehash(catalog); /* the indexes after i moved down */
    return 0;
}

NCG_EXPORT int ncg_catalog_set_price(ncg_catalog *catalog, const char *name, int has_price, double usd_per_hour,
                                     ncg_error *err)
{
    int i;
    if (!catalog || !name)
        return ncg_fail(err, NCG_E_INVALID, "catalog_set_price: %s is NULL", !catalog ? "catalog" : "name");
    i = index_of(catalog, name);
    if (i < 0)
        return unknown_type(catalog, err, name);
    if (has_price && (!isfinite(usd_per_hour) || usd_per_hour < 0))
        return ncg_fail(err, NCG_E_RANGE, "type %s: usd_per_hour %g must be finite and >= 0", name, usd_per_hour);
    catalog->types[i].t.has_price = has_price != 0;
    catalog->types[i].t.usd_per_hour = has_price && usd_per_hour != 0 ? usd_per_hour : 0; /* no -0.0 */
    return 0;
}

NCG_EXPORT int ncg_catalog_get_reserve(const ncg_catalog *catalog, ncg_reserve *out, ncg_error *err)
{
    int rc;
    if (!catalog || !out)
        return ncg_fail(err, NCG_E_INVALID, "catalog_get_reserve: %s is NULL", !catalog ? "catalog" : "out");
    if ((rc = NCG_CHECK_SIZED(out, ncg_reserve, err)) < 0)
        return rc;
    ncg_sized_out(out, &catalog->reserve, sizeof(catalog->reserve));
    return 0;
}

NCG_EXPORT int ncg_catalog_set_reserve(ncg_catalog *catalog, const ncg_reserve *user, ncg_error *err)
{
    ncg_reserve full = default_reserve, *reserve = &full;
    int rc;
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        {"cpu_milli", offsetof(ncg_reserve, cpu_milli)},
        {"memory_bytes", offsetof(ncg_reserve, memory_bytes)},
        {"plugin_cpu_milli", offsetof(ncg_reserve, plugin_cpu_milli)},
        {"plugin_memory_bytes", offsetof(ncg_reserve, plugin_memory_bytes)},
        {"runtime_bytes_per_core", offsetof(ncg_reserve, runtime_bytes_per_core)},
    };
    if (!catalog || !user)
        return ncg_fail(err, NCG_E_INVALID, "catalog_set_reserve: %s is NULL", !catalog ? "catalog" : "reserve");
    if ((rc = NCG_CHECK_SIZED(user, ncg_reserve, err)) < 0)
        return rc;
    ncg_sized_in(&full, sizeof(full), user);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        int64_t v;
        memcpy(&v, (const char *)reserve + fields[i].offset, sizeof(v));
        if (v < 0 || v > RESERVE_MAX)
            return ncg_fail(err, NCG_E_RANGE, "reserve %s %" PRId64 " is out of range 0..%" PRId64,
                            fields[i].name, v, RESERVE_MAX);
    }
    catalog->reserve = full;
    return 0;
}

static void usable(const ncg_reserve *r, const ncg_type *t, int64_t *cpu, int64_t *mem)
{
    int64_t c = t->cpu_milli - r->cpu_milli, m = t->memory_bytes - r->memory_bytes;
    if (t->accelerator != NCG_ACCEL_NONE) {
        c -= r->plugin_cpu_milli;
        m -= r->plugin_memory_bytes;
    }
    *cpu = c > 0 ? c : 0;
    *mem = m > 0 ? m : 0;
}

NCG_EXPORT int ncg_catalog_get_usable(const ncg_catalog *catalog, const char *name, int64_t *out_cpu_milli,
                                  int64_t *out_memory_bytes, ncg_error *err)
{
    int64_t cpu, mem;
    int i;
    if (!catalog || !name)
        return ncg_fail(err, NCG_E_INVALID, "catalog_get_usable: %s is NULL", !catalog ? "catalog" : "name");
    i = index_of(catalog, name);
    if (i < 0)
        return unknown_type(catalog, err, name);
    usable(&catalog->reserve, &catalog->types[i].t, &cpu, &mem);
    if (out_cpu_milli)
        *out_cpu_milli = cpu;
    if (out_memory_bytes)
        *out_memory_bytes = mem;
    return 0;
}

int ncg_catalog_copy_type(const ncg_catalog *catalog, const char *name, ncg_type_copy *out, ncg_error *err)
{
    const entry *e;
    int i;
    if (!catalog || !name)
        return ncg_fail(err, NCG_E_INVALID, "%s is NULL", !catalog ? "catalog" : "type name");
    i = index_of(catalog, name);
    if (i < 0)
        return unknown_type(catalog, err, name);
    e = &catalog->types[i];
    memset(out, 0, sizeof(*out));
    strcpy(out->name, e->name);
    out->t = e->t;
    out->t.name = out->name;
    out->t.family = NULL;
    usable(&catalog->reserve, &e->t, &out->cpu_usable_milli, &out->memory_usable_bytes);
    if (e->t.chips > 0) {
        int phys = e->t.physical_cores_per_chip ? e->t.physical_cores_per_chip : e->t.cores_per_chip;
        out->runtime_reserve_bytes_per_chip = catalog->reserve.runtime_bytes_per_core * phys;
    }
    return i;
}

NCG_EXPORT const char *ncg_topology_name(ncg_topology topology)
{
    switch (topology) {
    case NCG_TOPOLOGY_SINGLE: return "single";
    case NCG_TOPOLOGY_CHAIN: return "chain";
    case NCG_TOPOLOGY_RING: return "ring";
    case NCG_TOPOLOGY_TORUS_4X4: return "torus4x4";
    case NCG_TOPOLOGY_SWITCHED: return "switched";
    }
    return NULL;
}

NCG_EXPORT const char *ncg_accel_name(ncg_accel accel)
{
    switch (accel) {
    case NCG_ACCEL_NONE: return "none";
    case NCG_ACCEL_INFERENTIA: return "inferentia";
    case NCG_ACCEL_TRAINIUM: return "trainium";
    case NCG_ACCEL_GPU: return "gpu";
    }
    return NULL;
}

int ncg_type_copy_set_lnc(ncg_type_copy *tc, int lnc, ncg_error *err)
{
    ncg_type *t = &tc->t;
    if (t->lnc == 0)
        return ncg_fail(err, NCG_E_RANGE, "lnc %d: %s has no Logical NeuronCore setting (its %d NeuronCores per chip "
                        "are physical cores)", lnc, tc->name, t->cores_per_chip);
    if (lnc < 1 || lnc > NCG_LNC_MAX)
        return ncg_fail(err, NCG_E_RANGE, "lnc %d is out of range 1..%d", lnc, NCG_LNC_MAX);
    t->cores_per_chip = t->physical_cores_per_chip / lnc;
    t->lnc = lnc;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* An API's request: field domains, Cortex's processes_per_replica and fit rules, the NCG layout. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"

#define COUNT_MAX 1000000 /* bound on inf, neuroncores and ppr, far above any node */

NCG_EXPORT void ncg_request_init(ncg_request *request)
{
    if (!request)
        return;
    memset(request, 0, sizeof(*request));
    request->size = (uint32_t)sizeof(*request);
    request->ppr = 1;
    request->cpu_milli = 200;
}

static const char *model_name(const ncg_model *m)
{
    return m->name && m->name[0] ? m->name : "(unnamed)";
}

int ncg_request_in(const ncg_request *user, ncg_request *out, ncg_error *err)
{
    ncg_request r;
    int rc;
    if (!user)
        return ncg_fail(err, NCG_E_INVALID, "request is NULL");
    rc = NCG_CHECK_SIZED(user, ncg_request, err);
    if (rc < 0)
        return rc;
    ncg_request_init(&r);
    ncg_sized_in(&r, sizeof(r), user);
    rc = ncg_request_check_fields(&r, err);
    if (rc < 0)
        return rc;
    *out = r;
    return 0;
}

int ncg_request_check_fields(const ncg_request *r, ncg_error *err)
{
    if (r->inf < 0 || r->inf > COUNT_MAX)
        return ncg_fail(err, NCG_E_RANGE, "inf %" PRId64 " is out of range 0..%d", r->inf, COUNT_MAX);
    if (r->neuroncores < 0 || r->neuroncores > COUNT_MAX)
        return ncg_fail(err, NCG_E_RANGE, "neuroncores %" PRId64 " is out of range 0..%d", r->neuroncores,
                        COUNT_MAX);
    if (r->inf > 0 && r->neuroncores > 0)
        return ncg_fail(err, NCG_E_INVALID,
                        "inf %" PRId64 " and neuroncores %" PRId64 " exclude each other: ask for whole chips or "
                        "for NeuronCores", r->inf, r->neuroncores);
    if (r->ppr < 1 || r->ppr > COUNT_MAX)
        return ncg_fail(err, NCG_E_RANGE, "processes_per_replica %" PRId64 " is out of range 1..%d", r->ppr,
                        COUNT_MAX);
    if (r->cpu_milli < 0)
        return ncg_fail(err, NCG_E_RANGE, "cpu %" PRId64 "m must be >= 0", r->cpu_milli);
    if (r->memory_bytes < 0)
        return ncg_fail(err, NCG_E_RANGE, "memory %" PRId64 " bytes must be >= 0", r->memory_bytes);
    if (r->hugepages_bytes < 0)
        return ncg_fail(err, NCG_E_RANGE, "hugepages %" PRId64 " bytes must be >= 0", r->hugepages_bytes);
    if (r->gpu < 0 || r->gpu > COUNT_MAX)
        return ncg_fail(err, NCG_E_RANGE, "gpu %" PRId64 " is out of range 0..%d", r->gpu, COUNT_MAX);
    if (r->lnc < 0 || r->lnc > NCG_LNC_MAX)
        return ncg_fail(err, NCG_E_RANGE, "lnc %d is out of range 0..%d (0: any Logical NeuronCore setting)",
                        r->lnc, NCG_LNC_MAX);
    if (r->model_count > 0 && !r->models)
        return ncg_fail(err, NCG_E_INVALID, "models is NULL but model_count is %zu", r->model_count);
    if (r->model_count > 4096)
        return ncg_fail(err, NCG_E_RANGE, "model_count %zu is out of range 0..4096", r->model_count);
    if (r->model_count > 0 && r->models[0].size < NCG_V1_SIZE(ncg_model))
        return ncg_sized_check(&r->models[0], NCG_V1_SIZE(ncg_model), "ncg_model", err);
    for (size_t i = 0; i < r->model_count; i++) {
        const ncg_model *m = ncg_model_at(r, i);
        ncg_quoted q;
        if (m->size != r->models[0].size)
            return ncg_fail(err, NCG_E_INVALID, "model %zu: ncg_model.size %u differs from the first model's %u",
                            i, m->size, r->models[0].size);
        if (m->bytes < 0)
            return ncg_fail(err, NCG_E_RANGE, "model %s: bytes %" PRId64 " must be >= 0",
                            ncg_quote(&q, model_name(m)), m->bytes);
        if (m->compiled_cores < 0 || m->compiled_cores > NCG_MAX_CORES)
            return ncg_fail(err, NCG_E_RANGE, "model %s: compiled_cores %d is out of range 0..%d",
                            ncg_quote(&q, model_name(m)), m->compiled_cores, NCG_MAX_CORES);
    }
    return 0;
}

NCG_EXPORT int ncg_ppr_values(int64_t total_cores, int64_t *out, size_t size, ncg_error *err)
{
    int64_t d, root = 1;
    size_t n = 0;
    bool fits;

    if (total_cores < 1 || total_cores > INT32_MAX)
        return ncg_fail(err, NCG_E_RANGE, "total NeuronCores %" PRId64 " is out of range 1..%d", total_cores,
                        INT32_MAX);
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "ppr_values: out is NULL but size is %zu", size);
    /* Divisors pair up as (d, total/d) with d <= sqrt(total): the small ones ascending, then the large ones. */
    while ((root + 1) * (root + 1) <= total_cores)
        root++;
    for (d = 1; d <= root; d++)
        if (total_cores % d == 0)
            n += d * d == total_cores ? 1 : 2;
    fits = n <= size;
    n = 0;
    for (d = 1; d <= root && fits; d++)
        if (total_cores % d == 0)
            out[n++] = d;
    for (d = root; d >= 1 && fits; d--)
        if (total_cores % d == 0 && d * d != total_cores)
            out[n++] = total_cores / d;
    if (!fits)
        for (d = 1; d <= root; d++)
            if (total_cores % d == 0)
                n += d * d == total_cores ? 1 : 2;
    return (int)n;
}

/* "1", "1 or 2", "1, 2, or 4" */
static void format_list(const int64_t *v, int n, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o < size; i++) {
        const char *sep = i == 0 ? "" : n == 2 ? " or " : i == n - 1 ? ", or " : ", ";
        int w = snprintf(buf + o, size - o, "%s%" PRId64, sep, v[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* The message of a processes_per_replica that does not divide total (err is not NULL: both callers return the
 * code alone, before formatting `what`, when nobody reads the message). */
static int ppr_error(const char *what, int64_t total, int64_t ppr, ncg_error *err)
{
    int64_t values[128];
    char list[400];
    int n = ncg_ppr_values(total, values, 128, NULL);
    if (n > 128) /* only for totals with more than 128 divisors, far beyond any node */
        n = 0;
    format_list(values, n, list, sizeof(list));
    return ncg_fail(err, NCG_E_PPR, "cannot evenly distribute %s over %" PRId64 " processes - acceptable numbers "
                    "of processes are %s", what, ppr, list);
}

NCG_EXPORT int ncg_ppr_check(ncg_accel accel, int cores_per_chip, int64_t chips, int64_t ppr, ncg_error *err)
{
    char what[128];
    int64_t total;
    const char *chip;

    if (accel != NCG_ACCEL_INFERENTIA && accel != NCG_ACCEL_TRAINIUM)
        return ncg_fail(err, NCG_E_INVALID, "accelerator %d has no NeuronCores (expected inferentia or trainium)",
                        (int)accel);
    if (cores_per_chip < 1 || cores_per_chip > NCG_MAX_CORES_PER_CHIP)
        return ncg_fail(err, NCG_E_RANGE, "cores_per_chip %d is out of range 1..%d", cores_per_chip,
                        NCG_MAX_CORES_PER_CHIP);
    if (chips < 1 || chips > COUNT_MAX)
        return ncg_fail(err, NCG_E_RANGE, "inf %" PRId64 " is out of range 1..%d", chips, COUNT_MAX);
    if (ppr < 1 || ppr > COUNT_MAX)
        return ncg_fail(err, NCG_E_RANGE, "processes_per_replica %" PRId64 " is out of range 1..%d", ppr, COUNT_MAX);
    total = chips * cores_per_chip;
    if (total % ppr == 0)
        return (int)(total / ppr);
    if (!err) /* the divisors and the message only for a caller who reads them */
        return NCG_E_PPR;
    if (accel == NCG_ACCEL_INFERENTIA)
        chip = chips == 1 ? "Inferentia ASIC" : "Inferentia ASICs";
    else
        chip = chips == 1 ? "Trainium chip" : "Trainium chips";
    snprintf(what, sizeof(what), "%" PRId64 " %s (%" PRId64 " NeuronCores total)", chips, chip, total);
    return ppr_error(what, total, ppr, err);
}

static bool has_neuron(const ncg_type *t)
{
    return t->chips > 0;
}

/* Cortex's ErrorNoAvailableNodeComputeLimit. */
static int no_fit(ncg_error *err, const char *resource, const char *requested, const char *available)
{
    if (strcmp(available, "0") == 0)
        return ncg_fail(err, NCG_E_NO_FIT, "no instances can satisfy the requested %s quantity - requested %s %s but "
                        "instances don't have any %s", resource, requested, resource, resource);
    return ncg_fail(err, NCG_E_NO_FIT, "no instances can satisfy the requested %s quantity - requested %s %s but "
                    "instances only have %s %s available", resource, requested, resource, available, resource);
}

typedef struct limits {
    int64_t cpu, mem, gpu, chips, cores, hugepages;
} limits;

/* How a quantity of check_limits reads in a message. */
enum { AS_CPU, AS_BYTES, AS_COUNT };

static void format_quantity(int as, int64_t v, char *buf, size_t size)
{
    if (as == AS_CPU)
        ncg_format_cpu(v, buf, size, NULL);
    else if (as == AS_BYTES)
        ncg_format_memory(v, buf, size, NULL);
    else
        snprintf(buf, size, "%" PRId64, v);
}

/* The fit rule in Cortex's order (CPU, memory, GPU, Inf), then hugepages and NeuronCores, against the given
 * maxima. The quantities are formatted only for a caller who passes an ncg_error: ncg_cluster_place checks a
 * replica against every node group's type without one, and formatting those of a type that is too small cost more
 * than the rest of the placement. */
static int check_limits(const ncg_request *r, const limits *l, ncg_error *err)
{
    static const struct {
        const char *what;
        size_t requested, max; /* offsets of the int64_t fields in ncg_request and limits */
        int as;
    } checks[] = {
        {"CPU", offsetof(ncg_request, cpu_milli), offsetof(limits, cpu), AS_CPU},
        {"memory", offsetof(ncg_request, memory_bytes), offsetof(limits, mem), AS_BYTES},
        {"GPU", offsetof(ncg_request, gpu), offsetof(limits, gpu), AS_COUNT},
        {"Inf", offsetof(ncg_request, inf), offsetof(limits, chips), AS_COUNT},
        {"hugepages", offsetof(ncg_request, hugepages_bytes), offsetof(limits, hugepages), AS_BYTES},
        {"NeuronCore", offsetof(ncg_request, neuroncores), offsetof(limits, cores), AS_COUNT},
    };
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        int64_t requested = *(const int64_t *)(const void *)((const char *)r + checks[i].requested);
        int64_t max = *(const int64_t *)(const void *)((const char *)l + checks[i].max);
        char a[32], b[32];
        if (requested <= max)
            continue;
        if (!err)
            return NCG_E_NO_FIT;
        format_quantity(checks[i].as, requested, a, sizeof(a));
        format_quantity(checks[i].as, max, b, sizeof(b));
        return no_fit(err, checks[i].what, a, b);
    }
    return 0;
}

static void type_limits(const ncg_type_copy *tc, limits *l)
{
    l->cpu = tc->cpu_usable_milli;
    l->mem = tc->memory_usable_bytes;
    l->gpu = tc->t.gpus;
    l->chips = tc->t.chips;
    l->cores = (int64_t)tc->t.chips * tc->t.cores_per_chip;
    l->hugepages = tc->t.hugepages_bytes;
}

int ncg_models_check(const ncg_request *r, int ncg_size, ncg_error *err)
{
    for (size_t i = 0; i < r->model_count; i++) {
        const ncg_model *m = ncg_model_at(r, i);
        ncg_quoted q;
        if (m->compiled_cores == 0 || m->compiled_cores <= ncg_size)
            continue;
        if (ncg_size == 0)
            return ncg_fail(err, NCG_E_MODEL, "model %s is compiled for %d NeuronCores but the replica has no "
                            "NeuronCores: request inf or neuroncores", ncg_quote(&q, model_name(m)),
                            m->compiled_cores);
        return ncg_fail(err, NCG_E_MODEL, "model %s is compiled for %d NeuronCores but its NeuronCore Group has %d: "
                        "lower processes_per_replica, request more chips, or recompile for %d NeuronCores",
                        ncg_quote(&q, model_name(m)), m->compiled_cores, ncg_size, ncg_size);
    }
    return 0;
}

void ncg_type_copy_for_request(ncg_type_copy *tc, const ncg_request *r)
{
    if (r->lnc > 0 && tc->t.lnc > 0)
        ncg_type_copy_set_lnc(tc, r->lnc, NULL); /* r->lnc is 1..NCG_LNC_MAX, which every such type takes */
}

int ncg_request_check_type(const ncg_type_copy *tc, const ncg_request *r, ncg_shape *shape, ncg_error *err)
{
    const ncg_type *t = &tc->t;
    ncg_shape s = {0};
    limits l;
    int rc;

    s.ppr = (int)r->ppr;
    if (r->lnc > 0 && has_neuron(t) && r->lnc != ncg_type_lnc(t)) {
        if (t->lnc == 0)
            return ncg_fail(err, NCG_E_LNC, "the request asks for LNC=%d but %s has no Logical NeuronCore setting "
                            "(its NeuronCores are physical: LNC=1)", r->lnc, t->name);
        return ncg_fail(err, NCG_E_LNC, "the request asks for LNC=%d but %s runs LNC=%d (%d NeuronCores per chip)",
                        r->lnc, t->name, t->lnc, t->cores_per_chip);
    }
    if (r->inf > 0 && has_neuron(t)) {
        rc = ncg_ppr_check(t->accelerator, t->cores_per_chip, r->inf, r->ppr, err);
        if (rc < 0)
            return rc;
        s.chips = (int)r->inf;
        s.cores = (int)(r->inf * t->cores_per_chip > INT32_MAX ? INT32_MAX : r->inf * t->cores_per_chip);
        s.ncg_size = rc;
    } else if (r->neuroncores > 0 && has_neuron(t)) {
        if (r->neuroncores % r->ppr != 0) {
            char what[64];
            if (!err)
                return NCG_E_PPR;
            snprintf(what, sizeof(what), "%" PRId64 " NeuronCores", r->neuroncores);
            return ppr_error(what, r->neuroncores, r->ppr, err);
        }
        s.cores = (int)r->neuroncores;
        s.ncg_size = (int)(r->neuroncores / r->ppr);
    }
    type_limits(tc, &l);
    rc = check_limits(r, &l, err);
    if (rc < 0)
        return rc;
    if (s.chips > 0 && !ncg_window_size_valid(t->topology, t->chips, s.chips))
        return ncg_fail(err, NCG_E_TOPOLOGY, "Instance type %s does not support requests for device: %d. Please "
                        "request a different number of devices.", t->name, s.chips);
    rc = ncg_models_check(r, s.ncg_size, err);
    if (rc < 0)
        return rc;
    if (shape)
        *shape = s;
    return s.ncg_size;
}

NCG_EXPORT int ncg_request_check(const ncg_catalog *catalog, const char *type, const ncg_request *user,
                                 ncg_error *err)
{
    ncg_type_copy tc;
    limits max = {0};
    int rc, n, first_rc = 0;
    ncg_error first = {0};
    ncg_request req, *request = &req;

    if (!catalog)
        return ncg_fail(err, NCG_E_INVALID, "catalog is NULL");
    rc = ncg_request_in(user, &req, err);
    if (rc < 0)
        return rc;
    if (type) {
        rc = ncg_catalog_copy_type(catalog, type, &tc, err);
        if (rc < 0)
            return rc;
        ncg_type_copy_for_request(&tc, request);
        return ncg_request_check_type(&tc, request, NULL, err);
    }
    n = ncg_catalog_type_count(catalog);
    if (n == 0)
        return ncg_fail(err, NCG_E_NO_FIT, "the catalog has no instance types");
    for (int i = 0; i < n; i++) {
        ncg_type t = NCG_INIT(ncg_type);
        ncg_error e;
        limits l;
        ncg_catalog_get_type(catalog, i, &t, NULL);
        ncg_catalog_copy_type(catalog, t.name, &tc, NULL);
        ncg_type_copy_for_request(&tc, request);
        rc = ncg_request_check_type(&tc, request, NULL, &e);
        if (rc >= 0)
            return rc;
        if (rc != NCG_E_NO_FIT && first_rc == 0) {
            first_rc = rc;
            first = e;
        }
        type_limits(&tc, &l);
        max.cpu = l.cpu > max.cpu ? l.cpu : max.cpu;
        max.mem = l.mem > max.mem ? l.mem : max.mem;
        max.gpu = l.gpu > max.gpu ? l.gpu : max.gpu;
        max.chips = l.chips > max.chips ? l.chips : max.chips;
        max.cores = l.cores > max.cores ? l.cores : max.cores;
        max.hugepages = l.hugepages > max.hugepages ? l.hugepages : max.hugepages;
    }
    rc = check_limits(request, &max, err);
    if (rc < 0)
        return rc;
    if (first_rc < 0) {
        if (err)
            *err = first;
        return first_rc;
    }
    return ncg_fail(err, NCG_E_NO_FIT, "no single instance type can satisfy the requested CPU, memory, GPU and Inf "
                    "together");
}

NCG_EXPORT int ncg_request_layout(const ncg_catalog *catalog, const char *type, const ncg_request *user,
                                  ncg_core_group *out, size_t size, ncg_error *err)
{
    ncg_type_copy tc;
    ncg_shape s;
    ncg_request req, *request = &req;
    int rc;

    if (!catalog || !type)
        return ncg_fail(err, NCG_E_INVALID, "request_layout: %s is NULL", !catalog ? "catalog" : "type");
    if (!out && size)
        return ncg_fail(err, NCG_E_INVALID, "request_layout: out is NULL but size is %zu", size);
    rc = ncg_request_in(user, &req, err);
    if (rc < 0)
        return rc;
    rc = ncg_catalog_copy_type(catalog, type, &tc, err);
    if (rc < 0)
        return rc;
    ncg_type_copy_for_request(&tc, request);
    rc = ncg_request_check_type(&tc, request, &s, err);
    if (rc < 0)
        return rc;
    if (s.ncg_size == 0)
        return 0;
    if ((size_t)s.ppr <= size)
        for (int i = 0; i < s.ppr; i++)
            ncg_core_group_at(0, s.ncg_size, NULL, i, tc.t.cores_per_chip, tc.t.device_memory_bytes, &out[i]);
    return s.ppr;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Reading Cortex API and cluster files with libyaml's document API. Only conversion happens here: every
 * quantity goes through ncg_parse_cpu / ncg_parse_memory, every rule through the library. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cortex-private.h"

/* ---- YAML helpers ---- */

typedef struct ctx {
    ncg_cortex *in;
    const char *file;
    size_t file_index;
    yaml_document_t *doc;
    const char *api;     /* for messages */
    bool nomem;
} ctx;

static void err_at(ctx *c, yaml_node_t *n, const char *field, const char *fmt, ...) CX_PRINTF(4, 5);
static void err_at(ctx *c, yaml_node_t *n, const char *field, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    int len;
    long line = n ? (long)n->start_mark.line + 1 : 0, column = n ? (long)n->start_mark.column + 1 : 0;
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(msg = malloc((size_t)len + 1))) {
        c->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)len + 1, fmt, ap);
    va_end(ap);
    if (!(c->api ? cx_diag_add_field(c->in, c->file_index, line, column, false, field,
                                     "%s:%ld:%ld: api %s: %s: %s", c->file, line, column, c->api, field, msg)
                 : cx_diag_add_field(c->in, c->file_index, line, column, false, field, "%s:%ld:%ld: %s: %s", c->file,
                                     line, column, field, msg)))
        c->nomem = true;
    free(msg);
}

/* A problem of the file as a whole, at 1:1. */
static void whole_file(ctx *c, const char *what)
{
    if (!cx_diag_add(c->in, c->file_index, 1, 1, false, "%s:1:1: %s", c->file, what))
        c->nomem = true;
}

static yaml_node_t *get(ctx *c, yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *p;
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(c->doc, p->value);
    }
    return NULL;
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A YAML integer: plain digits (with an optional sign). Floats give Cortex's "invalid type (expected integer)". */
static bool get_int(ctx *c, yaml_node_t *map, const char *key, const char *field, int64_t lo, int64_t hi,
                    int64_t *out)
{
    yaml_node_t *n = get(c, map, key);
    const char *s = scalar(n);
    char *end;
    long long v;
    if (!n)
        return true;
    if (!s || !*s || (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)) {
        err_at(c, n, field, "invalid type (expected integer)");
        return false;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno == ERANGE && !*end) { /* digits past int64: a number, out of range */
        err_at(c, n, field, "%s is out of range %lld..%lld", s, (long long)lo, (long long)hi);
        return false;
    }
    if (errno || *end) {
        /* YAML's special floats: not a number, or infinite (out of any range) */
        bool nan = !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN");
        bool inf = !strcmp(s + (*s == '+' || *s == '-'), ".inf") || !strcmp(s + (*s == '+' || *s == '-'), ".Inf") ||
                   !strcmp(s + (*s == '+' || *s == '-'), ".INF");
        if (nan)
            err_at(c, n, field, "%s is not a number (expected integer)", s);
        else if (inf)
            err_at(c, n, field, "%s is out of range %lld..%lld", s, (long long)lo, (long long)hi);
        else
            err_at(c, n, field, "invalid type (expected integer)");
        return false;
    }
    if (v < lo || v > hi) {
        err_at(c, n, field, "%lld is out of range %lld..%lld", v, (long long)lo, (long long)hi);
        return false;
    }
    *out = v;
    return true;
}

static bool get_quantity(ctx *c, yaml_node_t *map, const char *key, const char *field, bool cpu, int64_t *out)
{
    yaml_node_t *n = get(c, map, key);
    const char *s = scalar(n);
    ncg_error e;
    if (!n || (s && strcmp(s, "null") == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE))
        return true;
    if (!s) {
        err_at(c, n, field, "invalid type (expected a quantity)");
        return false;
    }
    if ((cpu ? ncg_parse_cpu(s, out, &e) : ncg_parse_memory(s, out, &e)) < 0) {
        err_at(c, n, field, "%s", e.message);
        return false;
    }
    return true;
}


/* compute: cpu, mem, gpu, inf, node_groups -- added to the request (containers are summed). */
static bool read_compute(ctx *c, yaml_node_t *compute, const char *prefix, cx_api *a, bool *cpu_set)
{
    char f[64];
    int64_t cpu = -1, mem = 0, gpu = 0, inf = 0;
    bool ok = true;
    if (!compute)
        return true;
    if (compute->type != YAML_MAPPING_NODE) {
        snprintf(f, sizeof(f), "%scompute", prefix);
        err_at(c, compute, f, "expected a mapping");
        return false;
    }
    snprintf(f, sizeof(f), "%scompute.cpu", prefix);
    ok &= get_quantity(c, compute, "cpu", f, true, &cpu);
    snprintf(f, sizeof(f), "%scompute.mem", prefix);
    ok &= get_quantity(c, compute, "mem", f, false, &mem);
    snprintf(f, sizeof(f), "%scompute.gpu", prefix);
    ok &= get_int(c, compute, "gpu", f, 0, 1000000, &gpu);
    snprintf(f, sizeof(f), "%scompute.inf", prefix);
    ok &= get_int(c, compute, "inf", f, 0, 1000000, &inf);
    if (!ok || a->overflowed)
        return false;
    /* the containers of a pod add up: a sum past INT64_MAX is an error, never a wrapped value */
    if (cpu >= 0) {
        int64_t base = *cpu_set ? a->request.cpu_milli : 0;
        if (cpu > INT64_MAX - base) {
            snprintf(f, sizeof(f), "%scompute.cpu", prefix);
            err_at(c, get(c, compute, "cpu"), f, "the containers' cpu adds up to more than %lld milli-CPU",
                   (long long)INT64_MAX);
            a->overflowed = true;
            return false;
        }
        a->request.cpu_milli = base + cpu;
        *cpu_set = true;
    }
    if (mem > INT64_MAX - a->request.memory_bytes) {
        snprintf(f, sizeof(f), "%scompute.mem", prefix);
        err_at(c, get(c, compute, "mem"), f, "the containers' mem adds up to more than %lld bytes (8 EiB)",
               (long long)INT64_MAX);
        a->overflowed = true;
        return false;
    }
    a->request.memory_bytes += mem;
    a->request.gpu += gpu; /* each at most 1000000: no overflow */
    a->request.inf += inf;
    {
        yaml_node_t *ng = get(c, compute, "node_groups");
        if (ng && ng->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = ng->data.sequence.items.start; it < ng->data.sequence.items.top; it++) {
                const char *g = scalar(yaml_document_get_node(c->doc, *it));
                char **grown;
                if (!g)
                    continue;
                grown = realloc(a->nodegroups, (a->nodegroup_count + 1) * sizeof(char *));
                if (!grown) {
                    c->nomem = true;
                    return false;
                }
                a->nodegroups = grown;
                if (!(a->nodegroups[a->nodegroup_count++] = cx_dup(g)))
                    c->nomem = true;
            }
        } else if (ng && !(scalar(ng) && strcmp(scalar(ng), "null") == 0)) {
            snprintf(f, sizeof(f), "%scompute.node_groups", prefix);
            err_at(c, ng, f, "expected a list of node group names");
            ok = false;
        }
    }
    return ok;
}

/* Our section: ncg: { models: [ {name, size, compiled_cores, static_weights} ] } */
static bool read_ncg_section(ctx *c, yaml_node_t *sec, cx_api *a)
{
    yaml_node_t *models;
    bool ok = true;
    if (!sec)
        return true;
    if (sec->type != YAML_MAPPING_NODE) {
        err_at(c, sec, "ncg", "expected a mapping with the keys models, max_per_node, lnc");
        return false;
    }
    for (yaml_node_pair_t *p = sec->data.mapping.pairs.start; p < sec->data.mapping.pairs.top; p++) {
        const char *k = scalar(yaml_document_get_node(c->doc, p->key));
        if (!k || (strcmp(k, "models") && strcmp(k, "max_per_node") && strcmp(k, "lnc"))) {
            err_at(c, yaml_document_get_node(c->doc, p->key), "ncg",
                   "unknown field \"%s\" (known: models, max_per_node, lnc)", k ? k : "?");
            ok = false;
        }
    }
    {
        int64_t per_node = 0;
        ok &= get_int(c, sec, "max_per_node", "ncg.max_per_node", 0, 10000000, &per_node);
        a->max_per_node = (int)per_node;
    }
    {
        int64_t lnc = 0;
        ok &= get_int(c, sec, "lnc", "ncg.lnc", 1, 2, &lnc);
        a->request.lnc = (int)lnc;
    }
    models = get(c, sec, "models");
    if (!models)
        return ok;
    if (models->type != YAML_SEQUENCE_NODE) {
        err_at(c, models, "ncg.models", "expected a list");
        return false;
    }
    for (yaml_node_item_t *it = models->data.sequence.items.start; it < models->data.sequence.items.top; it++) {
        yaml_node_t *m = yaml_document_get_node(c->doc, *it);
        ncg_model model = NCG_INIT(ncg_model);
        int64_t cores = 0, stat = 0;
        const char *name;
        ncg_model *grown;
        if (!m || m->type != YAML_MAPPING_NODE) {
            err_at(c, m, "ncg.models", "expected a mapping {name, size, compiled_cores, static_weights}");
            ok = false;
            continue;
        }
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
            const char *k = scalar(yaml_document_get_node(c->doc, p->key));
            if (!k || (strcmp(k, "name") && strcmp(k, "size") && strcmp(k, "compiled_cores") &&
                       strcmp(k, "static_weights"))) {
                err_at(c, yaml_document_get_node(c->doc, p->key), "ncg.models",
                       "unknown field \"%s\" (known: name, size, compiled_cores, static_weights)", k ? k : "?");
                ok = false;
            }
        }
        name = scalar(get(c, m, "name"));
        ok &= get_quantity(c, m, "size", "ncg.models.size", false, &model.bytes);
        ok &= get_int(c, m, "compiled_cores", "ncg.models.compiled_cores", 0, NCG_MAX_CORES, &cores);
        {
            const char *s = scalar(get(c, m, "static_weights"));
            if (s)
                stat = strcmp(s, "true") == 0 || strcmp(s, "yes") == 0;
        }
        model.compiled_cores = (int)cores;
        model.static_weights = (int)stat;
        model.name = cx_dup(name ? name : "");
        grown = model.name ? realloc(a->models, (a->model_count + 1) * sizeof(*grown)) : NULL;
        if (!grown) {
            free((char *)model.name);
            c->nomem = true;
            return false;
        }
        a->models = grown;
        a->models[a->model_count++] = model;
    }
    return ok;
}

/* Cortex rejects keys it does not know; so do we, at every level we read. */
static bool known_keys(ctx *c, yaml_node_t *map, const char *field, const char *const *keys)
{
    bool ok = true;
    if (!map || map->type != YAML_MAPPING_NODE)
        return true;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        const char *k = scalar(kn);
        bool found = false;
        for (int i = 0; k && keys[i]; i++)
            found |= strcmp(k, keys[i]) == 0;
        if (!found) {
            err_at(c, kn, field, "unknown field \"%s\"", k ? k : "?");
            ok = false;
        }
    }
    return ok;
}

/* The keys of Cortex's API configuration, v0.18 to v0.42 (every version's schema), plus our `ncg` section. */
static const char *const api_keys[] = {"name", "kind", "predictor", "handler", "definition", "pod", "compute",
                                       "autoscaling", "networking", "update_strategy", "monitoring", "node_groups",
                                       "ncg", "shadow", "config", "apis", NULL};
static const char *const splitter_keys[] = {"name", "kind", "apis", "networking", NULL};
static const char *const backend_keys[] = {"name", "weight", "shadow", NULL};
static const char *const compute_keys[] = {"cpu", "mem", "gpu", "inf", "node_groups", "shm", NULL};
static const char *const autoscaling_keys[] = {
    "min_replicas", "max_replicas", "init_replicas", "target_replica_concurrency", "max_replica_concurrency",
    "window", "downscale_stabilization_period", "upscale_stabilization_period", "max_downscale_factor",
    "max_upscale_factor", "downscale_tolerance", "upscale_tolerance", "target_in_flight", NULL};
static const char *const predictor_keys[] = {
    "type", "path", "model_path", "models", "server_side_batching", "processes_per_replica", "threads_per_process",
    "config", "python_path", "image", "tensorflow_serving_image", "env", "log_level", "shm_size", "dependencies",
    "signature_key", "protobuf_path", "multi_model_reloading", NULL};
static const char *const pod_keys[] = {"port", "max_queue_length", "max_concurrency", "containers", "node_groups",
                                       "shm", NULL};
static const char *const container_keys[] = {"name", "image", "env", "command", "args", "compute",
                                             "readiness_probe", "liveness_probe", "pre_stop", NULL};
static const char *const networking_keys[] = {"endpoint", "api_gateway", "local_port", NULL};
static const char *const update_keys[] = {"max_surge", "max_unavailable", NULL};

/* Cortex's rule for API names: a DNS-1035 label of at most 42 characters. */
static bool check_name(ctx *c, yaml_node_t *n, const char *name)
{
    size_t len = strlen(name);
    bool ok = len <= 42 && name[0] >= 'a' && name[0] <= 'z' && name[len - 1] != '-';
    for (size_t i = 0; ok && i < len; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '-';
    if (!ok)
        err_at(c, n, "name", "\"%s\" is not a valid API name: at most 42 characters of a-z, 0-9 and '-', starting "
               "with a letter and not ending with '-' (Cortex's rule, a DNS-1035 label)", name);
    return ok;
}

/* A TrafficSplitter's apis: [{name, weight, shadow}]; the weights of the APIs that are not shadows sum to 100. */
static bool read_backends(ctx *c, yaml_node_t *list, cx_api *a)
{
    bool ok = true;
    int sum = 0, shadows = 0;
    if (!list || list->type != YAML_SEQUENCE_NODE || list->data.sequence.items.top == list->data.sequence.items.start) {
        err_at(c, list, "apis", "a TrafficSplitter needs a list of APIs ({name, weight})");
        return false;
    }
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
        yaml_node_t *b = yaml_document_get_node(c->doc, *it);
        const char *name = scalar(get(c, b, "name")), *shadow = scalar(get(c, b, "shadow"));
        int64_t weight = -1;
        cx_backend *grown;
        if (!b || b->type != YAML_MAPPING_NODE || !name) {
            err_at(c, b, "apis", "expected a mapping {name, weight, shadow}");
            ok = false;
            continue;
        }
        ok &= known_keys(c, b, "apis", backend_keys);
        if (!get_int(c, b, "weight", "apis.weight", 0, 100, &weight)) {
            ok = false;
            continue;
        }
        if (weight < 0) {
            err_at(c, b, "apis.weight", "missing (each API of a TrafficSplitter needs a weight from 0 to 100)");
            ok = false;
            continue;
        }
        if (!(grown = realloc(a->backends, (a->backend_count + 1) * sizeof(*grown)))) {
            c->nomem = true;
            return false;
        }
        a->backends = grown;
        grown[a->backend_count] = (cx_backend){cx_dup(name), (int)weight, (int)b->start_mark.line + 1,
                                                       (int)b->start_mark.column + 1,
                                                       shadow && strcmp(shadow, "true") == 0};
        if (!grown[a->backend_count].name)
            c->nomem = true;
        if (grown[a->backend_count].shadow)
            shadows++;
        else
            sum += (int)weight;
        a->backend_count++;
    }
    if (ok && shadows > 1) {
        err_at(c, list, "apis", "at most one API may be a shadow, not %d", shadows);
        ok = false;
    }
    if (ok && sum != 100) {
        err_at(c, list, "apis", "the weights of the APIs that are not shadows sum to %d, not 100", sum);
        ok = false;
    }
    return ok;
}

static int read_api(ctx *c, yaml_node_t *api)
{
    cx_api a = {0};
    yaml_node_t *pred, *pod, *auto_;
    const char *name;
    int64_t ppr = 1, minr = 1, maxr = 100, initr = -1;
    bool ok = true, cpu_set = false;

    if (api->type != YAML_MAPPING_NODE) {
        err_at(c, api, "api", "expected a mapping");
        return 0;
    }
    name = scalar(get(c, api, "name"));
    if (!name || !*name) {
        err_at(c, api, "name", "missing (every API needs a name)");
        return 0;
    }
    c->api = name;
    ok &= check_name(c, get(c, api, "name"), name);
    a.kind = scalar(get(c, api, "kind")) ? cx_dup(scalar(get(c, api, "kind"))) : NULL;
    if (scalar(get(c, api, "kind")) && !a.kind)
        c->nomem = true;
    a.splitter = a.kind && strcmp(a.kind, "TrafficSplitter") == 0;
    if (a.kind && !a.splitter && strcmp(a.kind, "RealtimeAPI") && strcmp(a.kind, "BatchAPI") &&
        strcmp(a.kind, "TaskAPI") && strcmp(a.kind, "AsyncAPI") && strcmp(a.kind, "SyncAPI")) {
        err_at(c, get(c, api, "kind"), "kind", "\"%s\" is not one of RealtimeAPI, BatchAPI, TaskAPI, AsyncAPI, "
               "TrafficSplitter", a.kind);
        ok = false;
    }
    if (a.splitter) {
        ok &= known_keys(c, api, "api", splitter_keys);
        ok &= read_backends(c, get(c, api, "apis"), &a);
    } else {
        ok &= known_keys(c, api, "api", api_keys);
        if (get(c, api, "apis"))
            ok &= (err_at(c, get(c, api, "apis"), "apis", "only a TrafficSplitter has apis"), false);
    }
    ok &= known_keys(c, get(c, api, "compute"), "compute", compute_keys);
    ok &= known_keys(c, get(c, api, "autoscaling"), "autoscaling", autoscaling_keys);
    ok &= known_keys(c, get(c, api, "predictor"), "predictor", predictor_keys);
    ok &= known_keys(c, get(c, api, "handler"), "handler", predictor_keys);
    ok &= known_keys(c, get(c, api, "pod"), "pod", pod_keys);
    ok &= known_keys(c, get(c, api, "networking"), "networking", networking_keys);
    ok &= known_keys(c, get(c, api, "update_strategy"), "update_strategy", update_keys);
    ncg_request_init(&a.request);
    a.request.memory_bytes = 0;
    pred = get(c, api, "predictor");
    if (!pred)
        pred = get(c, api, "handler");
    if (pred) {
        yaml_node_t *models = get(c, pred, "models");
        ok &= get_int(c, pred, "processes_per_replica", pred == get(c, api, "handler") ? "handler.processes_per_replica"
                                                                                    : "predictor.processes_per_replica",
                      1, 1000000, &ppr);
        if (models) {
            yaml_node_t *paths = get(c, models, "paths");
            a.cortex_models = paths && paths->type == YAML_SEQUENCE_NODE
                                  ? (int)(paths->data.sequence.items.top - paths->data.sequence.items.start)
                                  : 1;
        } else if (get(c, pred, "model_path")) {
            a.cortex_models = 1;
        }
    }
    a.request.ppr = ppr;
    ok &= read_compute(c, get(c, api, "compute"), "", &a, &cpu_set);
    pod = get(c, api, "pod");
    if (pod) {
        yaml_node_t *containers = get(c, pod, "containers");
        if (containers && containers->type == YAML_SEQUENCE_NODE) {
            int i = 0;
            for (yaml_node_item_t *it = containers->data.sequence.items.start; it < containers->data.sequence.items.top;
                 it++, i++) {
                char prefix[48];
                snprintf(prefix, sizeof(prefix), "pod.containers[%d]", i);
                ok &= known_keys(c, yaml_document_get_node(c->doc, *it), prefix, container_keys);
                snprintf(prefix, sizeof(prefix), "pod.containers[%d].", i);
                ok &= known_keys(c, get(c, yaml_document_get_node(c->doc, *it), "compute"), "compute", compute_keys);
                ok &= read_compute(c, get(c, yaml_document_get_node(c->doc, *it), "compute"), prefix, &a, &cpu_set);
            }
        }
    }
    {
        yaml_node_t *ng = get(c, api, "node_groups");
        if (ng && ng->type == YAML_SEQUENCE_NODE && a.nodegroup_count == 0) {
            for (yaml_node_item_t *it = ng->data.sequence.items.start; it < ng->data.sequence.items.top; it++) {
                const char *g = scalar(yaml_document_get_node(c->doc, *it));
                char **grown = g ? realloc(a.nodegroups, (a.nodegroup_count + 1) * sizeof(char *)) : NULL;
                if (grown) {
                    a.nodegroups = grown;
                    if (!(a.nodegroups[a.nodegroup_count++] = cx_dup(g)))
                        c->nomem = true;
                } else if (g) {
                    c->nomem = true;
                }
            }
        }
    }
    auto_ = get(c, api, "autoscaling");
    ok &= get_int(c, auto_, "min_replicas", "autoscaling.min_replicas", 0, 10000000, &minr);
    ok &= get_int(c, auto_, "max_replicas", "autoscaling.max_replicas", 0, 10000000, &maxr);
    ok &= get_int(c, auto_, "init_replicas", "autoscaling.init_replicas", 0, 10000000, &initr);
    ok &= read_ncg_section(c, get(c, api, "ncg"), &a);
    a.min_replicas = (int)minr;
    a.max_replicas = (int)maxr;
    a.init_replicas = initr >= 0 ? (int)initr : (int)minr;
    /* Cortex's checks and messages (pkg/types/spec/errors.go), in its order. */
    if (ok && minr > maxr) {
        err_at(c, get(c, auto_, "min_replicas"), "autoscaling.min_replicas",
               "min_replicas cannot be greater than max_replicas (%lld > %lld)", (long long)minr, (long long)maxr);
        ok = false;
    } else if (ok && a.init_replicas > maxr) {
        err_at(c, get(c, auto_, "init_replicas"), "autoscaling.init_replicas",
               "init_replicas cannot be greater than max_replicas (%d > %lld)", a.init_replicas, (long long)maxr);
        ok = false;
    } else if (ok && a.init_replicas < minr) {
        err_at(c, get(c, auto_, "init_replicas"), "autoscaling.init_replicas",
               "init_replicas cannot be less than min_replicas (%d < %lld)", a.init_replicas, (long long)minr);
        ok = false;
    }
    a.request.models = a.models;
    a.request.model_count = a.model_count;
    a.file = cx_dup(c->file);
    a.name = cx_dup(name);
    a.line = (int)api->start_mark.line + 1;
    a.column = (int)api->start_mark.column + 1;
    {
        long other = cx_api_find(c->in, name);
        if (other >= 0) {
            const cx_api *o = &c->in->apis[other];
            err_at(c, get(c, api, "name"), "name", "another API has the name \"%s\" (%s:%d:%d)", name, o->file,
                   o->line, o->column);
            ok = false;
        }
    }
    a.invalid = !ok; /* before the copy below: the API in the list is the one validate and plan look at */
    if (!a.file || !a.name || !cx_grow(&c->in->apis, &c->in->api_cap, c->in->api_count + 1, sizeof(cx_api))) {
        cx_api_clear(&a);
        return -1;
    }
    c->in->apis[c->in->api_count++] = a;
    if (!cx_api_index(c->in, c->in->api_count - 1))
        c->nomem = true;
    c->api = NULL;
    return 0;
}

/* Limits first, from libyaml's events (it stops at the first event past a limit, so a hostile file costs little):
 * nesting depth and aliases; then the document. false with a diagnostic when the file is refused. */
typedef struct anchor {
    char *name;
    uint64_t nodes;
} anchor;

static bool limit_at(ctx *c, const yaml_mark_t *m, const char *what)
{
    if (!cx_diag_add(c->in, c->file_index, (long)m->line + 1, (long)m->column + 1, false, "%s:%zu:%zu: the YAML %s",
                     c->file, m->line + 1, m->column + 1, what))
        c->nomem = true;
    return false;
}

static bool out_of_memory(ctx *c)
{
    c->nomem = true;
    return false;
}

/* A mapping's keys, for sorting: the key's text and its node. */
typedef struct keyref {
    const char *text;
    const yaml_node_t *node;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int d = strcmp(x->text, y->text);
    /* Equal keys in the order they appear: the first one is the one named as first. */
    if (d == 0)
        d = x->node->start_mark.index < y->node->start_mark.index ? -1 : x->node->start_mark.index > y->node->start_mark.index;
    return d;
}

/* A key given twice in one mapping is an error naming both places: parsers disagree on which one counts (libyaml
 * keeps both, ours read the first, others the last), so the same file would mean two things. Every mapping of the
 * document is checked, its keys sorted: linear-logarithmic in its size. */
static bool unique_keys(ctx *c, yaml_document_t *doc)
{
    keyref *keys = NULL;
    size_t cap = 0;
    bool ok = true;
    for (yaml_node_t *m = doc->nodes.start; m < doc->nodes.top && !c->nomem; m++) {
        size_t n = 0, count = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
        if (m->type != YAML_MAPPING_NODE || count < 2)
            continue;
        if (count > cap) {
            keyref *grown = realloc(keys, count * sizeof(*grown));
            if (!grown) {
                c->nomem = true;
                break;
            }
            keys = grown;
            cap = count;
        }
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
            const yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (k && k->type == YAML_SCALAR_NODE)
                keys[n++] = (keyref){(const char *)k->data.scalar.value, k};
        }
        qsort(keys, n, sizeof(*keys), keyref_cmp);
        for (size_t i = 1; i < n; i++) {
            const yaml_mark_t *at = &keys[i].node->start_mark, *first = &keys[i - 1].node->start_mark;
            if (strcmp(keys[i].text, keys[i - 1].text) != 0)
                continue;
            ok = false;
            if (!cx_diag_add(c->in, c->file_index, (long)at->line + 1, (long)at->column + 1, false,
                             "%s:%zu:%zu: invalid YAML: the key \"%s\" is given twice in one mapping (first at %zu:%zu)",
                             c->file, at->line + 1, at->column + 1, keys[i].text, first->line + 1, first->column + 1))
                c->nomem = true;
            while (i + 1 < n && strcmp(keys[i + 1].text, keys[i].text) == 0)
                i++; /* one diagnostic per key */
        }
    }
    free(keys);
    return ok && !c->nomem;
}

static bool load(ctx *c, const char *text, yaml_document_t *doc, int *code)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    size_t len = strlen(text), nanchors = 0;
    int depth = 0, aliases = 0;
    uint64_t nodes = 0, open_at[NCG_CORTEX_MAX_DEPTH + 1];
    const char *open_anchor[NCG_CORTEX_MAX_DEPTH + 1];
    anchor *anchors = NULL;
    bool ok = true, done = false;
    char msg[128];
    *code = NCG_E_PARSE;
    if (len > (size_t)NCG_CORTEX_MAX_FILE_BYTES) {
        *code = NCG_E_RANGE;
        if (!cx_diag_add(c->in, c->file_index, 1, 1, false, "%s:1:1: the file is larger than %ld bytes (16 MiB), "
                         "the limit", c->file, (long)NCG_CORTEX_MAX_FILE_BYTES))
            c->nomem = true;
        return false;
    }
    if (!yaml_parser_initialize(&parser)) {
        c->nomem = true;
        return false;
    }
    /* Every node counts once, an alias as many as its anchor's subtree holds (billion laughs grows that count
     * exponentially with a few lines); libyaml stops at the first event past a limit, so a hostile file is cheap. */
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (ok && !done) {
        const char *name = NULL;
        uint64_t size = 0;
        if (!yaml_parser_parse(&parser, &ev))
            break; /* the load below reports it */
        switch (ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == NCG_CORTEX_MAX_DEPTH) {
                snprintf(msg, sizeof(msg), "nests deeper than %d levels (the limit)", NCG_CORTEX_MAX_DEPTH);
                ok = limit_at(c, &ev.start_mark, msg);
                break;
            }
            open_at[depth] = nodes++;
            open_anchor[depth++] = ev.type == YAML_SEQUENCE_START_EVENT ? (const char *)ev.data.sequence_start.anchor
                                                                         : (const char *)ev.data.mapping_start.anchor;
            if (open_anchor[depth - 1] && !(open_anchor[depth - 1] = cx_dup(open_anchor[depth - 1])))
                ok = out_of_memory(c);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0 && open_anchor[--depth]) {
                name = open_anchor[depth];
                size = nodes - open_at[depth];
            }
            break;
        case YAML_SCALAR_EVENT:
            nodes++;
            if (ev.data.scalar.anchor) {
                if (!(name = cx_dup((const char *)ev.data.scalar.anchor)))
                    ok = out_of_memory(c);
                size = 1;
            }
            break;
        case YAML_ALIAS_EVENT:
            if (++aliases > NCG_CORTEX_MAX_ALIASES) {
                snprintf(msg, sizeof(msg), "has more than %d aliases (the limit)", NCG_CORTEX_MAX_ALIASES);
                ok = limit_at(c, &ev.start_mark, msg);
                break;
            }
            for (size_t k = nanchors; k-- > 0;)
                if (strcmp(anchors[k].name, (const char *)ev.data.alias.anchor) == 0) {
                    nodes += anchors[k].nodes;
                    break;
                }
            break;
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT: done = true; break;
        default: break;
        }
        if (ok && nodes > NCG_CORTEX_MAX_NODES) {
            snprintf(msg, sizeof(msg), "has more than %d nodes with its aliases expanded (the limit)",
                     NCG_CORTEX_MAX_NODES);
            ok = limit_at(c, &ev.start_mark, msg);
        }
        if (name) {
            anchor *grown = realloc(anchors, (nanchors + 1) * sizeof(*grown));
            if (!grown) {
                free((char *)name);
                ok = out_of_memory(c);
            } else {
                anchors = grown;
                anchors[nanchors++] = (anchor){(char *)name, size};
            }
        }
        yaml_event_delete(&ev);
    }
    while (depth > 0)
        free((char *)open_anchor[--depth]);
    for (size_t k = 0; k < nanchors; k++)
        free(anchors[k].name);
    free(anchors);
    if (!ok)
        *code = NCG_E_RANGE;
    yaml_parser_delete(&parser);
    if (!ok)
        return false;
    if (!yaml_parser_initialize(&parser)) {
        c->nomem = true;
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    ok = yaml_parser_load(&parser, doc);
    if (ok && !unique_keys(c, doc)) {
        ok = false;
        yaml_parser_delete(&parser);
        yaml_document_delete(doc);
        return false;
    }
    if (!ok) {
        if (parser.error == YAML_MEMORY_ERROR)
            c->nomem = true;
        else if (!cx_diag_add(c->in, c->file_index, (long)parser.problem_mark.line + 1,
                              (long)parser.problem_mark.column + 1, false, "%s:%zu:%zu: invalid YAML: %s%s%s", c->file,
                              parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                              parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
                              parser.context ? parser.context : ""))
            c->nomem = true;
    }
    yaml_parser_delete(&parser);
    return ok;
}

static int read_apis(ctx *c, yaml_node_t *root)
{
    int rc = 0;
    if (!root) {
        whole_file(c, "the file holds no APIs");
    } else if (root->type != YAML_SEQUENCE_NODE) {
        err_at(c, root, "apis", "expected a list of APIs");
    } else {
        for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top && !rc; it++)
            rc = read_api(c, yaml_document_get_node(c->doc, *it));
    }
    return rc;
}

/* Cortex's cluster configuration keys, v0.18 to v0.42, at the top and per node group; `price` is ours. */
static const char *const cluster_keys[] = {
    "cluster_name", "region", "availability_zones", "instance_type", "min_instances", "max_instances",
    "instance_volume_size", "instance_volume_type", "instance_volume_iops", "instance_volume_throughput", "spot",
    "spot_config", "node_groups", "tags", "ssl_certificate_arn", "bucket", "log_group", "subnet_visibility",
    "nat_gateway", "api_load_balancer_scheme", "operator_load_balancer_scheme", "api_gateway", "vpc_cidr", "subnets",
    "iam_policy_arns", "telemetry", "provider", "aws_access_key_id", "aws_secret_access_key",
    "cortex_aws_access_key_id", "cortex_aws_secret_access_key", "api_load_balancer_cidr_white_list",
    "operator_load_balancer_cidr_white_list", "prometheus_instance_type", "api_load_balancer_type",
    "operator_load_balancer_type", "image_operator", "image_manager", "image_downloader", "image_request_monitor",
    "image_async_gateway", "image_cluster_autoscaler", "image_metrics_server", "image_inferentia",
    "image_neuron_rtd", "image_nvidia", "image_nvidia_device_plugin", "image_fluent_bit", "image_fluentd",
    "image_statsd", "image_istio_proxy", "image_istio_pilot", "image_istio_citadel", "image_istio_galley",
    "image_prometheus", "image_prometheus_config_reloader", "image_prometheus_operator",
    "image_prometheus_statsd_exporter", "image_prometheus_dcgm_exporter", "image_prometheus_kube_state_metrics",
    "image_prometheus_node_exporter", "image_kube_rbac_proxy", "image_grafana", "image_event_exporter",
    "image_enqueuer", "image_controller_manager", "image_kubexit", "image_proxy", "image_python_serve",
    "image_cloudwatch_agent", "image_kube_proxy", "image_cluster_manager", "price", NULL};
static const char *const nodegroup_keys[] = {
    "name", "instance_type", "min_instances", "max_instances", "priority", "instance_volume_size",
    "instance_volume_type", "instance_volume_iops", "instance_volume_throughput", "spot", "spot_config", "price",
    "lnc", NULL};
static const char *const spot_keys[] = {"instance_distribution", "on_demand_base_capacity",
                                        "on_demand_percentage_above_base_capacity", "max_price", "instance_pools",
                                        "on_demand_backup", NULL};

static int add_nodegroup(ctx *c, yaml_node_t *g, const char *name, const char *type, bool in_list)
{
    cx_nodegroup grp = {0};
    int64_t minn = 1, maxn = 5, priority = 1, lnc = 0;
    const char *price;
    bool ok = true;
    ok &= known_keys(c, g, in_list ? "node_groups" : "cluster", in_list ? nodegroup_keys : cluster_keys);
    ok &= known_keys(c, get(c, g, "spot_config"), "spot_config", spot_keys);
    if (!type) {
        err_at(c, g, "instance_type", "missing");
        return 0;
    }
    if (in_list && !name) {
        err_at(c, g, "name", "missing (every node group needs a name)");
        return 0;
    }
    ok &= get_int(c, g, "min_instances", "min_instances", 0, 1000000, &minn);
    ok &= get_int(c, g, "max_instances", "max_instances", 0, 1000000, &maxn);
    ok &= get_int(c, g, "priority", "priority", 1, 100, &priority);
    ok &= get_int(c, g, "lnc", "lnc", 1, 2, &lnc);
    if (ok && minn > maxn) {
        err_at(c, get(c, g, "min_instances"), "min_instances", "min_instances (%lld) must be <= max_instances (%lld)",
               (long long)minn, (long long)maxn);
        return 0;
    }
    if (!ok)
        return 0;
    price = scalar(get(c, g, "price"));
    if (price) {
        char *end;
        grp.price = strtod(price, &end);
        grp.has_price = 1;
        if (*end || end == price || grp.price < 0) {
            err_at(c, get(c, g, "price"), "price", "\"%s\" is not a price in USD per hour", price);
            return 0;
        }
    }
    grp.file = cx_dup(c->file);
    grp.name = cx_dup(name ? name : type);
    grp.type = cx_dup(type);
    grp.min_nodes = (int)minn;
    grp.max_nodes = (int)maxn;
    grp.priority = (int)priority;
    grp.lnc = (int)lnc;
    {
        const char *spot = scalar(get(c, g, "spot"));
        grp.spot = spot && (strcmp(spot, "true") == 0 || strcmp(spot, "True") == 0 || strcmp(spot, "yes") == 0);
    }
    grp.line = (int)g->start_mark.line + 1;
    grp.column = (int)g->start_mark.column + 1;
    grp.type_line = (int)get(c, g, "instance_type")->start_mark.line + 1;
    grp.type_column = (int)get(c, g, "instance_type")->start_mark.column + 1;
    if (!grp.file || !grp.name || !grp.type ||
        !cx_grow(&c->in->nodegroups, &c->in->nodegroup_cap, c->in->nodegroup_count + 1, sizeof(cx_nodegroup))) {
        cx_nodegroup_clear(&grp);
        return -1;
    }
    c->in->nodegroups[c->in->nodegroup_count++] = grp;
    return 0;
}

static int read_cluster(ctx *c, yaml_node_t *root)
{
    yaml_node_t *nodegroups;
    int rc = 0;
    if (root && root->type == YAML_MAPPING_NODE && scalar(get(c, root, "region")) && !c->in->region) {
        const char *regions[64], *r = scalar(get(c, root, "region"));
        yaml_node_t *n = get(c, root, "region");
        int count = ncg_catalog_get_regions(regions, 64, NULL);
        bool known = false;
        for (int i = 0; i < count && i < 64; i++)
            known |= strcmp(regions[i], r) == 0;
        if (known) {
            if (!(c->in->region = cx_dup(r)))
                return -1;
        } else if (!cx_diag_add_field(c->in, c->file_index, (long)n->start_mark.line + 1,
                                      (long)n->start_mark.column + 1, true, "region", "%s:%zu:%zu: warning: region \"%s\" is not one of the catalog's %d regions; "
                                "using us-east-1 (--region R chooses one)", c->file, n->start_mark.line + 1,
                                n->start_mark.column + 1, r, count)) {
            /* a placeholder such as <region> in Cortex's docs: Cortex asks for it at `cluster up` */
            return -1;
        }
    }
    if (!root || root->type != YAML_MAPPING_NODE) {
        whole_file(c, "expected a cluster configuration (a mapping)");
    } else if ((nodegroups = get(c, root, "node_groups"))) {
        known_keys(c, root, "cluster", cluster_keys);
        if (nodegroups->type != YAML_SEQUENCE_NODE)
            err_at(c, nodegroups, "node_groups", "expected a list");
        else
            for (yaml_node_item_t *it = nodegroups->data.sequence.items.start;
                 it < nodegroups->data.sequence.items.top && !rc; it++) {
                yaml_node_t *g = yaml_document_get_node(c->doc, *it);
                if (!g || g->type != YAML_MAPPING_NODE) {
                    err_at(c, g, "node_groups", "expected a mapping {name, instance_type, ...}");
                    continue;
                }
                rc = add_nodegroup(c, g, scalar(get(c, g, "name")), scalar(get(c, g, "instance_type")), true);
            }
    } else {
        rc = add_nodegroup(c, root, NULL, scalar(get(c, root, "instance_type")), false);
    }
    return rc;
}

/* A catalog override file: a YAML list of instance types. An entry naming a type the catalog has replaces only the
 * fields it gives (e.g. just `price`); a new name needs the whole type. The library checks every value. */
static const char *const type_keys[] = {"name", "family", "accelerator", "chips", "cores_per_chip",
                                        "physical_cores_per_chip", "device_memory", "gpus", "cpu", "memory",
                                        "hugepages", "topology", "price", "lnc", "hbm_banks", NULL};

static bool enum_value(ctx *c, yaml_node_t *map, const char *key, const char *(*name_of)(int), int count, int *out)
{
    yaml_node_t *n = get(c, map, key);
    const char *s = scalar(n);
    if (!n)
        return true;
    for (int i = 0; s && i < count; i++)
        if (strcmp(s, name_of(i)) == 0) {
            *out = i;
            return true;
        }
    err_at(c, n, key, "\"%s\" is not one of the known values", s ? s : "?");
    return false;
}

static const char *accel_name(int i)
{
    return ncg_accel_name((ncg_accel)i);
}

static const char *topology_name(int i)
{
    return ncg_topology_name((ncg_topology)i);
}

/* What an entry of a catalog file replaced, to put it back (setting an existing type or removing one never
 * allocates, so undoing cannot fail). */
typedef struct cx_undo {
    bool existed;
    ncg_type type;
    char name[NCG_NAME_MAX + 1], family[NCG_NAME_MAX + 1];
} cx_undo;

static void undo_catalog(ncg_catalog *catalog, cx_undo *undo, size_t count)
{
    while (count-- > 0) {
        if (undo[count].existed)
            ncg_catalog_set_type(catalog, &undo[count].type, NULL);
        else
            ncg_catalog_remove_type(catalog, undo[count].name, NULL);
    }
}

/* Each entry is based on the type of that name in base and set into target (the same catalog, or a scratch one
 * that only checks); with undo, what each entry replaced in target is recorded there. Returns the number of
 * entries, or -1 out of memory. */
static int read_catalog(ctx *cp, yaml_node_t *root, const ncg_catalog *base, ncg_catalog *target, cx_undo *undo,
                        size_t *undo_count)
{
    int entries = 0;
    if (!root || root->type != YAML_SEQUENCE_NODE) {
        whole_file(cp, "expected a list of instance types");
        return 0;
    }
    for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
        yaml_node_t *m = yaml_document_get_node(cp->doc, *it);
        const char *name = scalar(get(cp, m, "name")), *family, *price;
        ncg_type t = NCG_INIT(ncg_type);
        int64_t v;
        int e;
        ncg_error err;
        bool ok = true;
        if (!m || m->type != YAML_MAPPING_NODE || !name) {
            err_at(cp, m, "type", "expected a mapping with a name");
            continue;
        }
        ok &= known_keys(cp, m, "type", type_keys);
        entries++;
        if (ncg_catalog_find_type(base, name, &t, NULL) < 0) {
            t = (ncg_type)NCG_INIT(ncg_type);
            t.accelerator = NCG_ACCEL_INFERENTIA;
            t.topology = NCG_TOPOLOGY_CHAIN;
        }
        t.name = name;
        family = scalar(get(cp, m, "family"));
        if (family)
            t.family = family;
        e = (int)t.accelerator;
        ok &= enum_value(cp, m, "accelerator", accel_name, 4, &e);
        t.accelerator = (ncg_accel)e;
        e = (int)t.topology;
        ok &= enum_value(cp, m, "topology", topology_name, NCG_TOPOLOGY_SWITCHED + 1, &e);
        t.topology = (ncg_topology)e;
#define INT_FIELD(key, field)                                                                                        \
    v = t.field;                                                                                                     \
    ok &= get_int(cp, m, key, key, 0, 1000000, &v);                                                                 \
    t.field = (int)v;
        INT_FIELD("chips", chips)
        INT_FIELD("cores_per_chip", cores_per_chip)
        INT_FIELD("physical_cores_per_chip", physical_cores_per_chip)
        INT_FIELD("gpus", gpus)
        INT_FIELD("lnc", lnc)
        INT_FIELD("hbm_banks", hbm_banks)
#undef INT_FIELD
        ok &= get_quantity(cp, m, "device_memory", "device_memory", false, &t.device_memory_bytes);
        ok &= get_quantity(cp, m, "cpu", "cpu", true, &t.cpu_milli);
        ok &= get_quantity(cp, m, "memory", "memory", false, &t.memory_bytes);
        ok &= get_quantity(cp, m, "hugepages", "hugepages", false, &t.hugepages_bytes);
        price = scalar(get(cp, m, "price"));
        if (price) {
            char *end;
            t.usd_per_hour = strtod(price, &end);
            t.has_price = 1;
            if (*end || end == price) {
                err_at(cp, get(cp, m, "price"), "price", "\"%s\" is not a price in USD per hour", price);
                ok = false;
            }
        }
        if (ok && undo) {
            cx_undo *u = &undo[(*undo_count)++];
            ncg_type was = NCG_INIT(ncg_type);
            u->existed = ncg_catalog_find_type(target, name, &was, NULL) >= 0;
            snprintf(u->name, sizeof(u->name), "%s", name);
            if (u->existed) {
                u->type = was;
                snprintf(u->family, sizeof(u->family), "%s", was.family ? was.family : "");
                u->type.name = u->name;
                u->type.family = was.family ? u->family : NULL;
            }
        }
        if (ok && ncg_catalog_set_type(target, &t, &err) < 0) {
            if (err.code == NCG_E_NOMEM)
                return -1;
            err_at(cp, m, "type", "%s", err.message);
        }
    }
    return entries;
}

static void rollback(ncg_cortex *c, size_t apis, size_t groups, size_t seq, size_t files, bool region)
{
    size_t kept = 0;
    while (c->api_count > apis)
        cx_api_clear(&c->apis[--c->api_count]);
    while (c->nodegroup_count > groups)
        cx_nodegroup_clear(&c->nodegroups[--c->nodegroup_count]);
    for (size_t i = 0; i < c->diag_count; i++) {
        if (c->diags[i].seq >= seq) {
            if (!c->diags[i].warning)
                c->error_count--;
            free(c->diags[i].message);
            free(c->diags[i].field);
        } else {
            c->diags[kept++] = c->diags[i];
        }
    }
    c->diag_count = kept;
    c->diag_seq = seq;
    while (c->file_count > files)
        free(c->files[--c->file_count]);
    if (region) {
        free(c->region);
        c->region = NULL;
    }
}

/* The first error a load added, in line order: what a strict load reports. */
static const cx_diag *first_new_error(const ncg_cortex *c, size_t seq)
{
    for (size_t i = 0; i < c->diag_count; i++) /* diags are sorted: the first new one is the first in the file */
        if (c->diags[i].seq >= seq && !c->diags[i].warning)
            return &c->diags[i];
    return NULL;
}

int cx_load(ncg_cortex *c, enum cx_kind kind, ncg_catalog *catalog, const char *path, const char *text,
            ncg_error *err)
{
    size_t apis = c->api_count, groups = c->nodegroup_count, seq = c->diag_seq, files = c->file_count;
    size_t errors = c->error_count;
    bool had_region = c->region != NULL;
    char **grown = realloc(c->files, (c->file_count + 1) * sizeof(*grown));
    yaml_document_t doc;
    ctx x = {c, path, c->file_count, &doc, NULL, false};
    int rc = 0, code = NCG_E_PARSE;
    if (!grown)
        return cx_fail(err, NCG_E_NOMEM, "out of memory");
    c->files = grown;
    if (!(c->files[c->file_count] = cx_dup(path)))
        return cx_fail(err, NCG_E_NOMEM, "out of memory");
    x.file = c->files[c->file_count++];
    if (load(&x, text, &doc, &code)) {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (kind == CX_APIS) {
            rc = read_apis(&x, root);
            rc = rc < 0 ? rc : (int)(c->api_count - apis);
        } else if (kind == CX_CLUSTER) {
            rc = read_cluster(&x, root);
            rc = rc < 0 ? rc : (int)(c->nodegroup_count - groups);
        } else {
            /* strict: all or nothing, so every entry is checked first (based on the catalog, set into an empty
             * scratch one); then they are applied, and should memory run out on the way, what was applied is undone */
            size_t entries = root && root->type == YAML_SEQUENCE_NODE
                                 ? (size_t)(root->data.sequence.items.top - root->data.sequence.items.start)
                                 : 0,
                   undone = 0;
            cx_undo *undo = calloc(entries + 1, sizeof(*undo));
            bool strict = !(c->flags & NCG_CORTEX_KEEP_GOING);
            if (!undo) {
                rc = -1;
            } else if (strict) {
                ncg_error e;
                ncg_catalog *scratch = ncg_catalog_new(NCG_CATALOG_EMPTY, &e);
                rc = scratch ? read_catalog(&x, root, catalog, scratch, NULL, NULL) : -1;
                ncg_catalog_free(scratch);
            }
            if (undo && rc >= 0 && !x.nomem && (!strict || c->error_count == errors)) {
                size_t before = c->diag_seq;
                rc = read_catalog(&x, root, catalog, catalog, undo, &undone);
                if (strict && c->diag_seq != before)
                    rc = -1; /* only out of memory can fail the second time */
                if (rc < 0 || x.nomem)
                    undo_catalog(catalog, undo, undone);
            }
            free(undo);
        }
        yaml_document_delete(&doc);
    }
    if (rc < 0 || x.nomem) {
        rollback(c, apis, groups, seq, files, !had_region && c->region);
        return cx_fail(err, NCG_E_NOMEM, "out of memory");
    }
    if (c->error_count != errors && !(c->flags & NCG_CORTEX_KEEP_GOING)) {
        const cx_diag *d = first_new_error(c, seq);
        int failed = cx_fail(err, code, "%s", d ? d->message : "invalid file");
        rollback(c, apis, groups, seq, files, !had_region && c->region);
        return failed;
    }
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Reading Cortex API and cluster files with libyaml's document API. Only conversion happens here: every
 * quantity goes through ncg_parse_cpu / ncg_parse_memory, every rule through the library. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cli.h"

void cli_add_error(cli_input *in, const char *fmt, ...)
{
    va_list ap;
    char *line = NULL, **grown;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !(line = malloc((size_t)n + 1)))
        return;
    va_start(ap, fmt);
    vsnprintf(line, (size_t)n + 1, fmt, ap);
    va_end(ap);
    grown = realloc(in->errors, (in->error_count + 1) * sizeof(*grown));
    if (!grown) {
        free(line);
        return;
    }
    in->errors = grown;
    in->errors[in->error_count++] = line;
}

static char *dup(const char *s);

static void add_file(cli_input *in, const char *path)
{
    char **grown = realloc(in->files, (in->file_count + 1) * sizeof(*grown));
    if (!grown)
        return;
    in->files = grown;
    if ((grown[in->file_count] = dup(path)))
        in->file_count++;
}

char *cli_slurp(cli_input *in, const char *path)
{
    bool std_in = strcmp(path, "-") == 0;
    FILE *f = std_in ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f) {
        cli_add_error(in, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (len + 4096 + 1 > cap) {
            char *g = realloc(buf, cap = cap ? cap * 2 : 8192);
            if (!g) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = g;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    if (!std_in)
        fclose(f);
    buf[len] = '\0';
    return buf;
}

/* ---- YAML helpers ---- */

typedef struct ctx {
    cli_input *in;
    const char *file;
    yaml_document_t *doc;
    const char *api;     /* for messages */
} ctx;

static void err_at(ctx *c, yaml_node_t *n, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void err_at(ctx *c, yaml_node_t *n, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->api)
        cli_add_error(c->in, "%s:%zu:%zu: api %s: %s: %s", c->file, n ? n->start_mark.line + 1 : 0,
                      n ? n->start_mark.column + 1 : 0, c->api, field, msg);
    else
        cli_add_error(c->in, "%s:%zu:%zu: %s: %s", c->file, n ? n->start_mark.line + 1 : 0,
                      n ? n->start_mark.column + 1 : 0, field, msg);
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
    if (errno || *end) {
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

static char *dup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

/* compute: cpu, mem, gpu, inf, node_groups -- added to the request (containers are summed). */
static bool read_compute(ctx *c, yaml_node_t *compute, const char *prefix, cli_api *a, bool *cpu_set)
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
    if (cpu >= 0) {
        a->request.cpu_milli = (*cpu_set ? a->request.cpu_milli : 0) + cpu;
        *cpu_set = true;
    }
    a->request.memory_bytes += mem;
    a->request.gpu += gpu;
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
                if (!grown)
                    return false;
                a->nodegroups = grown;
                a->nodegroups[a->nodegroup_count++] = dup(g);
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
static bool read_ncg_section(ctx *c, yaml_node_t *sec, cli_api *a)
{
    yaml_node_t *models;
    bool ok = true;
    if (!sec)
        return true;
    if (sec->type != YAML_MAPPING_NODE) {
        err_at(c, sec, "ncg", "expected a mapping with the key models");
        return false;
    }
    for (yaml_node_pair_t *p = sec->data.mapping.pairs.start; p < sec->data.mapping.pairs.top; p++) {
        const char *k = scalar(yaml_document_get_node(c->doc, p->key));
        if (!k || strcmp(k, "models") != 0) {
            err_at(c, yaml_document_get_node(c->doc, p->key), "ncg", "unknown field \"%s\" (known: models)",
                   k ? k : "?");
            ok = false;
        }
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
        model.name = dup(name ? name : "");
        grown = realloc(a->models, (a->model_count + 1) * sizeof(*grown));
        if (!grown)
            return false;
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
static bool read_backends(ctx *c, yaml_node_t *list, cli_api *a)
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
        struct cli_backend *grown;
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
        if (!(grown = realloc(a->backends, (a->backend_count + 1) * sizeof(*grown))))
            return false;
        a->backends = grown;
        grown[a->backend_count] = (struct cli_backend){dup(name), (int)weight, (int)b->start_mark.line + 1,
                                                       (int)b->start_mark.column + 1,
                                                       shadow && strcmp(shadow, "true") == 0};
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
    cli_api a = {0};
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
    a.kind = scalar(get(c, api, "kind")) ? dup(scalar(get(c, api, "kind"))) : NULL;
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
                      -1000000, 1000000, &ppr);
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
                    a.nodegroups[a.nodegroup_count++] = dup(g);
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
    if (ok && minr > maxr) {
        err_at(c, get(c, auto_, "min_replicas"), "autoscaling.min_replicas",
               "min_replicas (%lld) must be <= max_replicas (%lld)", (long long)minr, (long long)maxr);
        ok = false;
    }
    a.request.models = a.models;
    a.request.model_count = a.model_count;
    a.file = dup(c->file);
    a.name = dup(name);
    a.line = (int)api->start_mark.line + 1;
    a.column = (int)api->start_mark.column + 1;
    for (size_t i = 0; i < c->in->api_count; i++)
        if (strcmp(c->in->apis[i].name, name) == 0) {
            err_at(c, get(c, api, "name"), "name", "another API has the name \"%s\" (%s:%d:%d)", name,
                   c->in->apis[i].file, c->in->apis[i].line, c->in->apis[i].column);
            ok = false;
            break;
        }
    a.invalid = !ok; /* before the copy below: the API in the list is the one validate and plan look at */
    {
        cli_api *grown = realloc(c->in->apis, (c->in->api_count + 1) * sizeof(*grown));
        if (!grown)
            return -1;
        c->in->apis = grown;
        c->in->apis[c->in->api_count++] = a;
    }
    c->api = NULL;
    return 0;
}

static bool load(cli_input *in, const char *path, const char *text, yaml_document_t *doc)
{
    yaml_parser_t parser;
    bool ok;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    ok = yaml_parser_load(&parser, doc);
    if (!ok)
        cli_add_error(in, "%s:%zu:%zu: invalid YAML: %s%s%s", path, parser.problem_mark.line + 1,
                      parser.problem_mark.column + 1, parser.problem ? parser.problem : "parse error",
                      parser.context ? " " : "", parser.context ? parser.context : "");
    yaml_parser_delete(&parser);
    return ok;
}

int cli_read_apis(cli_input *in, const char *path, const char *text)
{
    yaml_document_t doc;
    yaml_node_t *root;
    ctx c = {in, path, &doc, NULL};
    int rc = 0;
    add_file(in, path);
    if (!load(in, path, text, &doc))
        return 0;
    root = yaml_document_get_root_node(&doc);
    if (!root) {
        cli_add_error(in, "%s:1:1: the file holds no APIs", path);
    } else if (root->type != YAML_SEQUENCE_NODE) {
        err_at(&c, root, "apis", "expected a list of APIs");
    } else {
        for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top && !rc; it++)
            rc = read_api(&c, yaml_document_get_node(&doc, *it));
    }
    yaml_document_delete(&doc);
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
    NULL};
static const char *const spot_keys[] = {"instance_distribution", "on_demand_base_capacity",
                                        "on_demand_percentage_above_base_capacity", "max_price", "instance_pools",
                                        "on_demand_backup", NULL};

static int add_nodegroup(ctx *c, yaml_node_t *g, const char *name, const char *type, bool in_list)
{
    cli_nodegroup grp = {0};
    int64_t minn = 1, maxn = 5, priority = 1;
    const char *price;
    cli_nodegroup *grown;
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
    grp.file = dup(c->file);
    grp.name = dup(name ? name : type);
    grp.type = dup(type);
    grp.min_nodes = (int)minn;
    grp.max_nodes = (int)maxn;
    grp.priority = (int)priority;
    grp.line = (int)g->start_mark.line + 1;
    grp.column = (int)g->start_mark.column + 1;
    grp.type_line = (int)get(c, g, "instance_type")->start_mark.line + 1;
    grp.type_column = (int)get(c, g, "instance_type")->start_mark.column + 1;
    grown = realloc(c->in->nodegroups, (c->in->nodegroup_count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    c->in->nodegroups = grown;
    c->in->nodegroups[c->in->nodegroup_count++] = grp;
    return 0;
}

int cli_read_cluster(cli_input *in, const char *path, const char *text)
{
    yaml_document_t doc;
    yaml_node_t *root, *nodegroups;
    ctx c = {in, path, &doc, NULL};
    int rc = 0;
    add_file(in, path);
    if (!load(in, path, text, &doc))
        return 0;
    root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE && scalar(get(&c, root, "region")) && !in->region) {
        const char *regions[64], *r = scalar(get(&c, root, "region"));
        yaml_node_t *n = get(&c, root, "region");
        int count = ncg_catalog_get_regions(regions, 64, NULL);
        bool known = false;
        for (int i = 0; i < count && i < 64; i++)
            known |= strcmp(regions[i], r) == 0;
        if (known)
            in->region = dup(r);
        else /* a placeholder such as <region> in Cortex's docs: Cortex asks for it at `cluster up` */
            fprintf(stderr, "ncg: %s:%zu:%zu: warning: region \"%s\" is not one of the catalog's %d regions; using "
                    "us-east-1 (--region R chooses one)\n", path, n->start_mark.line + 1, n->start_mark.column + 1, r,
                    count);
    }
    if (!root || root->type != YAML_MAPPING_NODE) {
        cli_add_error(in, "%s:1:1: expected a cluster configuration (a mapping)", path);
    } else if ((nodegroups = get(&c, root, "node_groups"))) {
        known_keys(&c, root, "cluster", cluster_keys);
        if (nodegroups->type != YAML_SEQUENCE_NODE)
            err_at(&c, nodegroups, "node_groups", "expected a list");
        else
            for (yaml_node_item_t *it = nodegroups->data.sequence.items.start;
                 it < nodegroups->data.sequence.items.top && !rc; it++) {
                yaml_node_t *g = yaml_document_get_node(&doc, *it);
                if (!g || g->type != YAML_MAPPING_NODE) {
                    err_at(&c, g, "node_groups", "expected a mapping {name, instance_type, ...}");
                    continue;
                }
                rc = add_nodegroup(&c, g, scalar(get(&c, g, "name")), scalar(get(&c, g, "instance_type")), true);
            }
    } else {
        rc = add_nodegroup(&c, root, NULL, scalar(get(&c, root, "instance_type")), false);
    }
    yaml_document_delete(&doc);
    return rc;
}

void cli_input_free(cli_input *in)
{
    for (size_t i = 0; i < in->api_count; i++) {
        cli_api *a = &in->apis[i];
        for (size_t k = 0; k < a->model_count; k++)
            free((char *)a->models[k].name);
        for (size_t k = 0; k < a->nodegroup_count; k++)
            free(a->nodegroups[k]);
        for (size_t k = 0; k < a->backend_count; k++)
            free(a->backends[k].name);
        free(a->backends);
        free(a->kind);
        free(a->models);
        free(a->nodegroups);
        free(a->file);
        free(a->name);
    }
    for (size_t i = 0; i < in->nodegroup_count; i++) {
        free(in->nodegroups[i].file);
        free(in->nodegroups[i].name);
        free(in->nodegroups[i].type);
    }
    for (size_t i = 0; i < in->file_count; i++)
        free(in->files[i]);
    free(in->files);
    free(in->region);
    for (size_t i = 0; i < in->error_count; i++)
        free(in->errors[i]);
    free(in->apis);
    free(in->nodegroups);
    free(in->errors);
    memset(in, 0, sizeof(*in));
}

/* A catalog override file: a YAML list of instance types. An entry naming a type the catalog has replaces only the
 * fields it gives (e.g. just `price`); a new name needs the whole type. The library checks every value. */
static const char *const type_keys[] = {"name", "family", "accelerator", "chips", "cores_per_chip",
                                        "physical_cores_per_chip", "device_memory", "gpus", "cpu", "memory",
                                        "hugepages", "topology", "price", NULL};

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

int cli_read_catalog(cli_input *in, const char *path, const char *text, ncg_catalog *catalog)
{
    yaml_document_t doc;
    yaml_node_t *root;
    ctx c = {in, path, &doc, NULL};
    if (!load(in, path, text, &doc))
        return 0;
    root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_SEQUENCE_NODE) {
        cli_add_error(in, "%s:1:1: expected a list of instance types", path);
        yaml_document_delete(&doc);
        return 0;
    }
    for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
        yaml_node_t *m = yaml_document_get_node(&doc, *it);
        const char *name = scalar(get(&c, m, "name")), *family, *price;
        ncg_type t = NCG_INIT(ncg_type);
        int64_t v;
        int e;
        ncg_error err;
        bool ok = true;
        if (!m || m->type != YAML_MAPPING_NODE || !name) {
            err_at(&c, m, "type", "expected a mapping with a name");
            continue;
        }
        ok &= known_keys(&c, m, "type", type_keys);
        if (ncg_catalog_find_type(catalog, name, &t, NULL) < 0) {
            t = (ncg_type)NCG_INIT(ncg_type);
            t.accelerator = NCG_ACCEL_INFERENTIA;
            t.topology = NCG_TOPOLOGY_CHAIN;
        }
        t.name = name;
        family = scalar(get(&c, m, "family"));
        if (family)
            t.family = family;
        e = (int)t.accelerator;
        ok &= enum_value(&c, m, "accelerator", accel_name, 4, &e);
        t.accelerator = (ncg_accel)e;
        e = (int)t.topology;
        ok &= enum_value(&c, m, "topology", topology_name, 4, &e);
        t.topology = (ncg_topology)e;
#define INT_FIELD(key, field)                                                                                        \
    v = t.field;                                                                                                     \
    ok &= get_int(&c, m, key, key, 0, 1000000, &v);                                                                 \
    t.field = (int)v;
        INT_FIELD("chips", chips)
        INT_FIELD("cores_per_chip", cores_per_chip)
        INT_FIELD("physical_cores_per_chip", physical_cores_per_chip)
        INT_FIELD("gpus", gpus)
#undef INT_FIELD
        ok &= get_quantity(&c, m, "device_memory", "device_memory", false, &t.device_memory_bytes);
        ok &= get_quantity(&c, m, "cpu", "cpu", true, &t.cpu_milli);
        ok &= get_quantity(&c, m, "memory", "memory", false, &t.memory_bytes);
        ok &= get_quantity(&c, m, "hugepages", "hugepages", false, &t.hugepages_bytes);
        price = scalar(get(&c, m, "price"));
        if (price) {
            char *end;
            t.usd_per_hour = strtod(price, &end);
            t.has_price = 1;
            if (*end || end == price) {
                err_at(&c, get(&c, m, "price"), "price", "\"%s\" is not a price in USD per hour", price);
                ok = false;
            }
        }
        if (ok && ncg_catalog_set_type(catalog, &t, &err) < 0)
            err_at(&c, m, "type", "%s", err.message);
    }
    yaml_document_delete(&doc);
    return 0;
}

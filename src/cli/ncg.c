/* SPDX-License-Identifier: Apache-2.0 */
/* ncg: the command-line face of libncg. Commands convert arguments, call the library and print; the rules live in
 * the library. Exit status: 0 success, 1 invalid input (one line "ncg: MESSAGE" on stderr), 2 usage error. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <ncg.h>

#include "cli.h"

int cli_fail(const ncg_error *err)
{
    fprintf(stderr, "ncg: %s\n", err->message);
    return 1;
}

char *cli_advice(const ncg_catalog *catalog, const char *type, const ncg_request *request, ncg_error *err)
{
    int n = ncg_request_advice(catalog, type, request, NULL, 0, NULL, err);
    char *text;
    if (n < 0)
        return NULL;
    if (!(text = malloc((size_t)n + 1))) {
        if (err) {
            err->code = NCG_E_NOMEM;
            snprintf(err->message, sizeof(err->message), "out of memory");
        }
        return NULL;
    }
    /* the same call again, with room for all of it: the buffer rule writes the whole text */
    if (ncg_request_advice(catalog, type, request, text, (size_t)n + 1, NULL, err) < 0) {
        free(text);
        return NULL;
    }
    return text;
}

int cli_getopt(int argc, char **argv, const struct option *opts)
{
    int c;
    opterr = 0; /* the messages are ours: with the option's name and, for a near miss, the one meant */
    c = getopt_long(argc, argv, ":o:", opts, NULL);
    if (c == ':') {
        fprintf(stderr, "ncg: option %s needs a value\n", argv[optind - 1]);
        return '?';
    }
    if (c == '?') {
        const char *arg = optopt ? NULL : argv[optind - 1], *name = arg && !strncmp(arg, "--", 2) ? arg + 2 : NULL;
        const char *best = NULL;
        size_t best_len = 2; /* a suggestion shares at least 3 leading characters */
        for (const struct option *o = opts; name && o->name; o++) {
            size_t n = 0;
            while (name[n] && name[n] != '=' && name[n] == o->name[n])
                n++;
            if (n > best_len) {
                best = o->name;
                best_len = n;
            }
        }
        if (!arg)
            fprintf(stderr, "ncg: unknown option -%c\n", optopt);
        else if (best)
            fprintf(stderr, "ncg: unknown option %s; did you mean --%s?\n", arg, best);
        else
            fprintf(stderr, "ncg: unknown option %s\n", arg);
    }
    return c;
}

int cli_usage(const char *usage, const char *problem)
{
    if (problem)
        fprintf(stderr, "ncg: %s\n", problem);
    fprintf(stderr, "usage: %s\n", usage);
    return 2;
}

int cli_print_json(json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(doc);
    if (!text)
        return 1;
    puts(text);
    free(text);
    return 0;
}

char *cli_slurp(const char *path)
{
    bool std_in = strcmp(path, "-") == 0;
    FILE *f = std_in ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f) {
        fprintf(stderr, "ncg: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    for (;;) { /* one byte past the reader's limit is enough for it to refuse the file */
        size_t got;
        if (len + 1 >= cap) {
            char *g;
            cap = cap ? cap * 2 : 8192;
            if (cap > (size_t)NCG_CORTEX_MAX_FILE_BYTES + 2)
                cap = (size_t)NCG_CORTEX_MAX_FILE_BYTES + 2;
            if (!(g = realloc(buf, cap))) {
                free(buf);
                if (!std_in)
                    fclose(f);
                fprintf(stderr, "ncg: out of memory\n");
                return NULL;
            }
            buf = g;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0 || len > (size_t)NCG_CORTEX_MAX_FILE_BYTES)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "ncg: %s: %s\n", path, strerror(errno));
        free(buf);
        buf = NULL;
    }
    if (!std_in)
        fclose(f);
    if (buf)
        buf[len] = '\0';
    if (buf && len <= (size_t)NCG_CORTEX_MAX_FILE_BYTES && memchr(buf, '\0', len)) {
        /* The reader takes NUL-terminated text: a NUL would end the file there without a word. */
        size_t at = (size_t)((char *)memchr(buf, '\0', len) - buf), bol = 0;
        long line = 1;
        for (size_t i = 0; i < at; i++)
            if (buf[i] == '\n') {
                line++;
                bol = i + 1;
            }
        fprintf(stderr, "%s:%ld:%zu: a NUL byte: control characters are not allowed in YAML\n",
                std_in ? "<stdin>" : path, line, at - bol + 1);
        free(buf);
        return NULL;
    }
    return buf;
}

int cli_load(ncg_cortex *cx, const char *path, int (*loader)(ncg_cortex *, const char *, const char *, ncg_error *))
{
    ncg_error err;
    char *text = NULL;
    int rc;
    if (strcmp(path, "-") == 0 && !(text = cli_slurp(path)))
        return -2;
    rc = loader(cx, strcmp(path, "-") ? path : "<stdin>", text, &err);
    free(text);
    if (rc < 0 && err.code == NCG_E_NOMEM)
        return -1;
    if (rc < 0) /* not readable: that is not a diagnostic of the file */
        fprintf(stderr, "ncg: %s\n", err.message);
    return rc < 0 ? -2 : 0;
}

int cli_print_diagnostics(const ncg_cortex *cx)
{
    for (int i = 0; i < ncg_cortex_diagnostic_count(cx); i++) {
        ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
        ncg_cortex_get_diagnostic(cx, i, &d, NULL);
        fprintf(stderr, "%s%s\n", d.warning ? "ncg: " : "", d.message);
    }
    return ncg_cortex_error_count(cx) > 0;
}

ncg_catalog *cli_catalog(const char *path, const char *region)
{
    ncg_error err;
    ncg_catalog *cat = ncg_catalog_new_region(region ? region : "us-east-1", 0, &err);
    ncg_cortex *cx;
    char *text = NULL;
    int rc;
    if (!cat) {
        cli_fail(&err);
        return NULL;
    }
    if (!path)
        return cat;
    if (!(cx = ncg_cortex_new(NCG_CORTEX_KEEP_GOING, &err)) || (strcmp(path, "-") == 0 && !(text = cli_slurp(path)))) {
        if (!cx)
            cli_fail(&err);
        ncg_cortex_free(cx);
        return ncg_catalog_free(cat);
    }
    rc = ncg_cortex_load_catalog(cx, cat, strcmp(path, "-") ? path : "<stdin>", text, &err);
    free(text);
    if (rc < 0)
        cli_fail(&err);
    if (rc < 0 || cli_print_diagnostics(cx))
        cat = ncg_catalog_free(cat);
    ncg_cortex_free(cx);
    return cat;
}

void cli_type_hint(const ncg_catalog *catalog, const char *name, char *buf, size_t size)
{
    const char *near = ncg_cortex_suggest_type(catalog, name), *region = ncg_catalog_get_region(catalog);
    if (near) /* the catalog's message names its region already */
        snprintf(buf, size, "; did you mean \"%s\"? (ncg types --region %s lists them; --catalog FILE adds types)",
                 near, region);
    else
        snprintf(buf, size, " (ncg types --region %s lists them; --catalog FILE adds types)", region);
}

/* --output-file: standard output goes to the file from here on. 0, or 1 with the error printed. */
static int output_to(const char *path)
{
    if (path && !freopen(path, "w", stdout)) {
        fprintf(stderr, "ncg: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

/* ---- ncg types ---- */

#define TYPES_USAGE                                                                                                 \
    "ncg types [--family F] [--neuron] [--region R] [--catalog FILE] [-o text|json] [--output-file F]"

static json_t *type_json(const ncg_type *t)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:o, s:i, s:I, s:i, s:I, s:I, s:s, s:o}", "name", t->name, "family",
                     t->family ? t->family : "", "accelerator", ncg_accel_name(t->accelerator), "chips", t->chips,
                     "cores_per_chip", t->cores_per_chip, "lnc", t->lnc ? json_integer(t->lnc) : json_null(),
                     "hbm_banks", t->hbm_banks > 1 ? t->hbm_banks : t->chips ? 1 : 0,
                     "device_memory_bytes", (json_int_t)t->device_memory_bytes,
                     "gpus", t->gpus, "cpu_milli", (json_int_t)t->cpu_milli, "memory_bytes",
                     (json_int_t)t->memory_bytes, "topology", t->chips ? ncg_topology_name(t->topology) : "none",
                     "usd_per_hour", t->has_price ? json_real(t->usd_per_hour) : json_null());
}

static int cmd_types(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},          {"catalog", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},          {"region", required_argument, NULL, 'R'},
        {"family", required_argument, NULL, 'F'},  {"neuron", no_argument, NULL, 'N'},
        {"output", required_argument, NULL, 'o'},  {"output-file", required_argument, NULL, 'O'}, {0}};
    int json = 0, c, neuron = 0;
    const char *catalog = NULL, *region = NULL, *family = NULL, *output_file = NULL;
    ncg_catalog *cat;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'C')
            catalog = optarg;
        else if (c == 'R')
            region = optarg;
        else if (c == 'F')
            family = optarg;
        else if (c == 'N')
            neuron = 1;
        else if (c == 'O')
            output_file = optarg;
        else if (c == 'o' && (!strcmp(optarg, "json") || !strcmp(optarg, "text")))
            json = !strcmp(optarg, "json");
        else if (c == 'o')
            return cli_usage(TYPES_USAGE, "-o/--output is the output format: text or json");
        else if (c == 'h')
            return printf("usage: %s\n"
                          "List the instance types of the built-in catalog: every EC2 type Cortex knew in the region\n"
                          "(default us-east-1), with its Neuron chips, GPUs, vCPUs, memory and on-demand price.\n\n"
                          "options:\n"
                          "  --family F        only the types of family F (inf1, g4dn, m5, ...)\n"
                          "  --neuron          only the types with Neuron chips (Inferentia, Trainium)\n"
                          "  --region R        the prices and types of AWS region R (default us-east-1)\n"
                          "  --catalog FILE    add or replace types and prices from a YAML file (doc/cli.md)\n"
                          "  -o, --output FMT  text (default) or json\n"
                          "  --output-file F   write to F instead of standard output\n\n"
                          "examples:\n"
                          "  ncg types --neuron\n"
                          "  ncg types --family g4dn --region eu-west-1 -o json\n", TYPES_USAGE), 0;
        else
            return cli_usage(TYPES_USAGE, NULL);
    }
    if (optind != argc)
        return cli_usage(TYPES_USAGE, "unexpected argument");
    if (output_to(output_file))
        return 1;
    cat = cli_catalog(catalog, region);
    if (!cat)
        return 1;
    if (json) {
        json_t *arr = json_array();
        for (int i = 0; i < ncg_catalog_type_count(cat); i++) {
            ncg_type t = NCG_INIT(ncg_type);
            ncg_catalog_get_type(cat, i, &t, NULL);
            if ((neuron && !t.chips) || (family && strcmp(family, t.family ? t.family : "")))
                continue;
            json_array_append_new(arr, type_json(&t));
        }
        ncg_catalog_free(cat);
        return cli_print_json(arr);
    }
    printf("%-16s %-7s %-11s %5s %9s %3s %12s %4s %5s %9s %-9s %10s\n", "TYPE", "FAMILY", "ACCELERATOR", "CHIPS",
           "CORES/CHIP", "LNC", "DEVICE MEM", "GPUS", "VCPU", "MEMORY", "TOPOLOGY", "USD/H");
    for (int i = 0; i < ncg_catalog_type_count(cat); i++) {
        ncg_type t = NCG_INIT(ncg_type);
        char dev[32], mem[32], price[32], lnc[8];
        ncg_catalog_get_type(cat, i, &t, NULL);
        if ((neuron && !t.chips) || (family && strcmp(family, t.family ? t.family : "")))
            continue;
        ncg_format_memory(t.device_memory_bytes, dev, sizeof(dev), NULL);
        ncg_format_memory(t.memory_bytes, mem, sizeof(mem), NULL);
        if (t.has_price)
            snprintf(price, sizeof(price), "%.5g", t.usd_per_hour);
        else
            snprintf(price, sizeof(price), "-");
        snprintf(lnc, sizeof(lnc), t.lnc ? "%d" : "-", t.lnc);
        printf("%-16s %-7s %-11s %5d %10d %3s %12s %4d %5lld %9s %-9s %10s\n", t.name, t.family ? t.family : "",
               ncg_accel_name(t.accelerator), t.chips, t.cores_per_chip, lnc, t.chips ? dev : "-", t.gpus,
               (long long)(t.cpu_milli / 1000), mem, t.chips ? ncg_topology_name(t.topology) : "-", price);
    }
    ncg_catalog_free(cat);
    return 0;
}

/* ---- ncg groups ---- */

#define GROUPS_USAGE                                                                                                \
    "ncg groups --type TYPE --inf N [--ppr P] [--lnc L] [--cpu Q] [--mem Q] [--model-size SIZE] "                   \
    "[--compiled-cores C] [--static] [--region R] [--catalog FILE] [-o text|json] [--output-file F]"

static int parse_count(const char *text, const char *what, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || *end || end == text || text[0] == ' ') {
        fprintf(stderr, "ncg: %s \"%s\" is not an integer\n", what, text);
        return 1;
    }
    *out = v;
    return 0;
}

static int cmd_groups(int argc, char **argv)
{
    static const struct option opts[] = {
        {"type", required_argument, NULL, 't'},       {"inf", required_argument, NULL, 'i'},
        {"ppr", required_argument, NULL, 'p'},        {"cpu", required_argument, NULL, 'c'},
        {"mem", required_argument, NULL, 'm'},        {"model-size", required_argument, NULL, 's'},
        {"compiled-cores", required_argument, NULL, 'k'}, {"static", no_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'j'},             {"help", no_argument, NULL, 'h'},
        {"catalog", required_argument, NULL, 'C'},    {"region", required_argument, NULL, 'R'},
        {"output", required_argument, NULL, 'o'},     {"output-file", required_argument, NULL, 'O'},
        {"lnc", required_argument, NULL, 'L'},        {0}};
    const char *type = NULL, *model_size = NULL, *catalog = NULL, *region = NULL, *output_file = NULL;
    int json = 0, c, rc = 1, n;
    bool have_inf = false, banked;
    int64_t compiled = 0;
    ncg_request req;
    ncg_model model = {.size = sizeof(ncg_model), .name = "model"};
    ncg_error err;
    ncg_catalog *cat = NULL;
    ncg_node *node = NULL;
    ncg_alloc alloc = NCG_INIT(ncg_alloc);
    ncg_core_group core_groups[NCG_MAX_CORES];
    char *advice = NULL;
    ncg_env env = NCG_INIT(ncg_env);
    ncg_node_status status = NCG_INIT(ncg_node_status);

    ncg_request_init(&req);
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 't': type = optarg; break;
        case 'i':
            if (parse_count(optarg, "--inf", &req.inf))
                return 1;
            have_inf = true;
            break;
        case 'p':
            if (parse_count(optarg, "--ppr", &req.ppr))
                return 1;
            break;
        case 'L': {
            int64_t lnc;
            if (parse_count(optarg, "--lnc", &lnc))
                return 1;
            if (lnc < 1 || lnc > 2) {
                fprintf(stderr, "ncg: --lnc %lld is out of range 1..2\n", (long long)lnc);
                return 1;
            }
            req.lnc = (int)lnc;
            break;
        }
        case 'c':
            if (ncg_parse_cpu(optarg, &req.cpu_milli, &err) < 0)
                return cli_fail(&err);
            break;
        case 'm':
            if (ncg_parse_memory(optarg, &req.memory_bytes, &err) < 0)
                return cli_fail(&err);
            break;
        case 's': model_size = optarg; break;
        case 'k':
            if (parse_count(optarg, "--compiled-cores", &compiled))
                return 1;
            break;
        case 'S': model.static_weights = 1; break;
        case 'C': catalog = optarg; break;
        case 'R': region = optarg; break;
        case 'O': output_file = optarg; break;
        case 'j': json = 1; break;
        case 'o':
            if (strcmp(optarg, "json") && strcmp(optarg, "text"))
                return cli_usage(GROUPS_USAGE, "-o/--output is the output format: text or json");
            json = !strcmp(optarg, "json");
            break;
        case 'h':
            printf("usage: %s\n"
                   "Lay out one replica's NeuronCore Groups on an empty node of TYPE and print the env of each process\n"
                   "(NEURON_RT_VISIBLE_CORES, NEURONCORE_GROUP_SIZES, AWS_NEURON_VISIBLE_DEVICES), with Cortex's checks.\n\n"
                   "options:\n"
                   "  --type TYPE          instance type (ncg types --neuron lists them)\n"
                   "  --inf N              Inferentia/Trainium chips per replica (Cortex's compute.inf)\n"
                   "  --ppr P              processes per replica (default 1)\n"
                   "  --lnc L              the node's Logical NeuronCore setting, 1 or 2 (Trainium2/3; default the\n"
                   "                       type's, 2): NeuronCores per chip and NEURON_LOGICAL_NC_CONFIG follow it\n"
                   "  --cpu Q, --mem Q     CPU and memory per replica (default 200m and 0)\n"
                   "  --model-size SIZE    device memory the model needs (e.g. 5Gi); --compiled-cores C, --static\n"
                   "  --region R           AWS region of the catalog (default us-east-1)\n"
                   "  --catalog FILE       add or replace instance types and prices from a YAML file\n"
                   "  -o, --output FMT     text (default) or json\n"
                   "  --output-file F      write to F instead of standard output\n\n"
                   "examples:\n"
                   "  ncg groups --type inf1.6xlarge --inf 2 --ppr 4\n"
                   "  ncg groups --type trn2.48xlarge --inf 1 --ppr 8 --lnc 1 --model-size 5Gi -o json\n",
                   GROUPS_USAGE);
            return 0;
        default: return cli_usage(GROUPS_USAGE, NULL);
        }
    }
    if (optind != argc)
        return cli_usage(GROUPS_USAGE, "unexpected argument");
    if (!type || !have_inf)
        return cli_usage(GROUPS_USAGE, !type ? "--type is required" : "--inf is required");
    if (output_to(output_file))
        return 1;
    if (model_size || compiled) {
        if (model_size && ncg_parse_memory(model_size, &model.bytes, &err) < 0)
            return cli_fail(&err);
        if (compiled < 0 || compiled > NCG_MAX_CORES) {
            fprintf(stderr, "ncg: --compiled-cores %lld is out of range 0..%d\n", (long long)compiled, NCG_MAX_CORES);
            return 1;
        }
        model.compiled_cores = (int)compiled;
        req.models = &model;
        req.model_count = 1;
    }
    if (!(cat = cli_catalog(catalog, region)))
        return 1;
    /* a replica has at most one NCG per core, so core_groups always holds them all */
    if (ncg_catalog_find_type(cat, type, NULL, &err) < 0) {
        char hint[256];
        cli_type_hint(cat, type, hint, sizeof(hint));
        fprintf(stderr, "ncg: %s%s\n", err.message, hint);
        goto out;
    }
    if (!(node = ncg_node_new(cat, type, 0, &err)) ||
        (req.lnc && ncg_node_get_status(node, &status, NULL) == 0 && status.lnc &&
         ncg_node_set_lnc(node, req.lnc, &err) < 0) ||
        ncg_node_allocate(node, &req, &alloc, &err) < 0 ||
        (n = ncg_node_get_core_groups(node, alloc.id, core_groups, NCG_MAX_CORES, &err)) < 0 ||
        !(advice = cli_advice(cat, type, &req, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (n > 0)
        ncg_node_get_env(node, alloc.id, 0, &env, NULL);
    {
        ncg_type t = NCG_INIT(ncg_type);
        ncg_catalog_find_type(cat, type, &t, NULL);
        banked = t.hbm_banks > 1;
    }
    if (json) {
        json_t *doc = json_object(), *arr = json_array(), *warn = json_array();
        json_object_set_new(doc, "type", json_string(type));
        json_object_set_new(doc, "ncg_size", json_integer(n > 0 ? core_groups[0].core_count : 0));
        ncg_node_get_status(node, &status, NULL);
        json_object_set_new(doc, "lnc", status.lnc ? json_integer(status.lnc) : json_null());
        for (int i = 0; i < n; i++) {
            json_t *g = json_object(), *chips = json_array();
            ncg_env pe = NCG_INIT(ncg_env);
            ncg_node_get_env(node, alloc.id, i, &pe, NULL);
            for (int k = core_groups[i].first_chip; k < core_groups[i].first_chip + core_groups[i].chip_count; k++)
                json_array_append_new(chips, json_integer(k));
            json_object_set_new(g, "process", json_integer(i));
            json_object_set_new(g, "cores", json_string(pe.visible_cores));
            json_object_set_new(g, "chips", chips);
            json_object_set_new(g, "cache_bytes", json_integer(core_groups[i].cache_bytes));
            json_object_set_new(g, "env", json_pack("{s:s, s:s}", "NEURON_RT_VISIBLE_CORES", pe.visible_cores,
                                                    "NEURONCORE_GROUP_SIZES", pe.core_group_sizes));
            if (pe.logical_nc_config[0])
                json_object_set_new(json_object_get(g, "env"), "NEURON_LOGICAL_NC_CONFIG",
                                    json_string(pe.logical_nc_config));
            if (req.model_count) {
                ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
                ncg_node_get_core_group_cache(node, alloc.id, i, &gc, NULL, 0, NULL);
                json_object_set_new(g, "cache", json_pack("{s:I, s:I, s:I, s:s}", "reachable_bytes",
                                                          (json_int_t)gc.reachable_bytes, "share_bytes",
                                                          (json_int_t)gc.share_bytes, "need_bytes",
                                                          (json_int_t)gc.need_bytes, "state",
                                                          ncg_cache_state_name(gc.state)));
            }
            json_array_append_new(arr, g);
        }
        json_object_set_new(doc, "groups", arr);
        json_object_set_new(doc, "env", json_pack("{s:s}", "AWS_NEURON_VISIBLE_DEVICES", env.visible_devices));
        for (char *line = advice, *next; *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            else
                next = line + strlen(line);
            json_array_append_new(warn, json_string(line));
        }
        json_object_set_new(doc, "warnings", warn);
        rc = cli_print_json(doc);
    } else {
        printf("%s: %d NeuronCore Group%s of %d core%s; AWS_NEURON_VISIBLE_DEVICES=%s\n", type, n, n == 1 ? "" : "s",
               n ? core_groups[0].core_count : 0, n && core_groups[0].core_count == 1 ? "" : "s", env.visible_devices);
        for (int i = 0; i < n; i++) {
            ncg_env pe = NCG_INIT(ncg_env);
            char cache[32];
            ncg_node_get_env(node, alloc.id, i, &pe, NULL);
            ncg_format_memory(core_groups[i].cache_bytes, cache, sizeof(cache), NULL);
            printf("  process %d: NEURON_RT_VISIBLE_CORES=%s NEURONCORE_GROUP_SIZES=%s", i, pe.visible_cores,
                   pe.core_group_sizes);
            if (pe.logical_nc_config[0])
                printf(" NEURON_LOGICAL_NC_CONFIG=%s", pe.logical_nc_config);
            if (banked) { /* the NCG reaches the banks of its cores, not its chips' memory */
                ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
                ncg_node_get_core_group_cache(node, alloc.id, i, &gc, NULL, 0, NULL);
                ncg_format_memory(gc.reachable_bytes, cache, sizeof(cache), NULL);
                printf(" chips %d-%d device memory %s in its HBM banks", core_groups[i].first_chip,
                       core_groups[i].first_chip + core_groups[i].chip_count - 1, cache);
            } else {
                printf(" chips %d-%d device memory %s", core_groups[i].first_chip,
                       core_groups[i].first_chip + core_groups[i].chip_count - 1, cache);
            }
            if (req.model_count) {
                ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
                ncg_node_get_core_group_cache(node, alloc.id, i, &gc, NULL, 0, NULL);
                printf(" (model: %s)", ncg_cache_state_name(gc.state));
            }
            printf("\n");
        }
        for (char *line = advice; *line;) {
            char *next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            printf("warning: %s\n", line);
            line = next ? next : line + strlen(line);
        }
        rc = 0;
    }
out:
    free(advice);
    ncg_node_free(node);
    ncg_catalog_free(cat);
    return rc;
}

/* ---- dispatch ---- */

static const struct command {
    const char *name, *summary;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"types", "list the instance types of the catalog", cmd_types},
    {"groups", "one replica's NeuronCore Groups and env on an empty node", cmd_groups},
    {"validate", "check Cortex API files with Cortex's rules", cmd_validate},
    {"plan", "plan where the replicas of Cortex APIs run and what it costs", cmd_plan},
};

static int main_usage(FILE *out)
{
    fprintf(out, "usage: ncg COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-9s %s\n", "help", "ncg help COMMAND describes a command");
    fprintf(out, "\n`ncg COMMAND --help` describes a command: options, defaults, examples. Exit status: 0 valid and "
                 "placed,\n1 invalid input, 2 usage error, 3 (plan) some replicas cannot be placed. libncg %s\n",
            ncg_version());
    return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return main_usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return main_usage(stdout);
    if (strcmp(argv[1], "--version") == 0)
        return printf("ncg (libncg) %s\n", ncg_version()), 0;
    if (strcmp(argv[1], "help") == 0) { /* ncg help CMD is ncg CMD --help */
        static char help[] = "--help";
        char *args[] = {argc > 2 ? argv[2] : NULL, help, NULL};
        if (argc < 3)
            return main_usage(stdout);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
            if (strcmp(argv[2], commands[i].name) == 0) {
                optind = 1;
                return commands[i].run(2, args);
            }
        fprintf(stderr, "ncg: unknown command \"%s\"\n", argv[2]);
        return main_usage(stderr);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            optind = 1;
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "ncg: unknown command \"%s\"\n", argv[1]);
    return main_usage(stderr);
}

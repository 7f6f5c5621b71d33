/* SPDX-License-Identifier: Apache-2.0 */
/* ncg: the command-line face of libncg. Commands convert arguments, call the library and print; the rules live in
 * the library. Exit status: 0 success, 1 invalid input (one line "ncg: MESSAGE" on stderr), 2 usage error. */
#include <errno.h>
#include <getopt.h>
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

int cli_usage(const char *usage, const char *problem)
{
    if (problem)
        fprintf(stderr, "ncg: %s\n", problem);
    fprintf(stderr, "usage: %s\n", usage);
    return 2;
}

int cli_print_json(json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return 1;
    puts(text);
    free(text);
    return 0;
}

ncg_catalog *cli_catalog(const char *path)
{
    cli_input in = {0};
    ncg_error err;
    ncg_catalog *cat = ncg_catalog_new(0, &err);
    char *text;
    if (!cat) {
        cli_fail(&err);
        return NULL;
    }
    if (!path)
        return cat;
    text = cli_slurp(&in, path);
    if (text)
        cli_read_catalog(&in, path, text, cat);
    free(text);
    for (size_t i = 0; i < in.error_count; i++)
        fprintf(stderr, "%s\n", in.errors[i]);
    if (in.error_count)
        cat = ncg_catalog_free(cat);
    cli_input_free(&in);
    return cat;
}

/* ---- ncg types ---- */

#define TYPES_USAGE "ncg types [--json] [--catalog FILE]"

static json_t *type_json(const ncg_type *t)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:s, s:o}", "name", t->name, "family",
                     t->family ? t->family : "", "accelerator", ncg_accel_name(t->accelerator), "chips", t->chips,
                     "cores_per_chip", t->cores_per_chip, "device_memory_bytes", (json_int_t)t->device_memory_bytes,
                     "cpu_milli", (json_int_t)t->cpu_milli, "memory_bytes", (json_int_t)t->memory_bytes, "topology",
                     ncg_topology_name(t->topology), "usd_per_hour",
                     t->has_price ? json_real(t->usd_per_hour) : json_null());
}

static int cmd_types(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"catalog", required_argument, NULL, 'C'},
                                         {"help", no_argument, NULL, 'h'}, {0}};
    int json = 0, c;
    const char *catalog = NULL;
    ncg_catalog *cat;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'C')
            catalog = optarg;
        else if (c == 'h')
            return printf("usage: %s\nList the instance types of the built-in catalog.\n", TYPES_USAGE), 0;
        else
            return cli_usage(TYPES_USAGE, NULL);
    }
    if (optind != argc)
        return cli_usage(TYPES_USAGE, "unexpected argument");
    cat = cli_catalog(catalog);
    if (!cat)
        return 1;
    if (json) {
        json_t *arr = json_array();
        for (int i = 0; i < ncg_catalog_type_count(cat); i++) {
            ncg_type t = NCG_INIT(ncg_type);
            ncg_catalog_get_type(cat, i, &t, NULL);
            json_array_append_new(arr, type_json(&t));
        }
        ncg_catalog_free(cat);
        return cli_print_json(arr);
    }
    printf("%-16s %-7s %-11s %5s %9s %12s %5s %9s %-9s %10s\n", "TYPE", "FAMILY", "ACCELERATOR", "CHIPS",
           "CORES/CHIP", "DEVICE MEM", "VCPU", "MEMORY", "TOPOLOGY", "USD/H");
    for (int i = 0; i < ncg_catalog_type_count(cat); i++) {
        ncg_type t = NCG_INIT(ncg_type);
        char dev[32], mem[32], price[32];
        ncg_catalog_get_type(cat, i, &t, NULL);
        ncg_format_memory(t.device_memory_bytes, dev, sizeof(dev), NULL);
        ncg_format_memory(t.memory_bytes, mem, sizeof(mem), NULL);
        if (t.has_price)
            snprintf(price, sizeof(price), "%.5g", t.usd_per_hour);
        else
            snprintf(price, sizeof(price), "-");
        printf("%-16s %-7s %-11s %5d %10d %12s %5lld %9s %-9s %10s\n", t.name, t.family ? t.family : "", ncg_accel_name(t.accelerator),
               t.chips, t.cores_per_chip, dev, (long long)(t.cpu_milli / 1000), mem, ncg_topology_name(t.topology),
               price);
    }
    ncg_catalog_free(cat);
    return 0;
}

/* ---- ncg groups ---- */

#define GROUPS_USAGE                                                                                                \
    "ncg groups --type TYPE --inf N [--ppr P] [--cpu Q] [--mem Q] [--model-size SIZE] [--compiled-cores C] "        \
    "[--static] [--catalog FILE] [--json]"

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
        {"catalog", required_argument, NULL, 'C'},    {0}};
    const char *type = NULL, *model_size = NULL, *catalog = NULL;
    int json = 0, c, rc = 1, n;
    bool have_inf = false;
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

    ncg_request_init(&req);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
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
        case 'j': json = 1; break;
        case 'h':
            printf("usage: %s\nLay out one replica's NeuronCore Groups on an empty node of TYPE and print the env of "
                   "each process.\n", GROUPS_USAGE);
            return 0;
        default: return cli_usage(GROUPS_USAGE, NULL);
        }
    }
    if (optind != argc)
        return cli_usage(GROUPS_USAGE, "unexpected argument");
    if (!type || !have_inf)
        return cli_usage(GROUPS_USAGE, !type ? "--type is required" : "--inf is required");
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
    if (!(cat = cli_catalog(catalog)))
        return 1;
    /* a replica has at most one NCG per core, so core_groups always holds them all */
    if (!(node = ncg_node_new(cat, type, 0, &err)) || ncg_node_allocate(node, &req, &alloc, &err) < 0 ||
        (n = ncg_node_get_core_groups(node, alloc.id, core_groups, NCG_MAX_CORES, &err)) < 0 ||
        !(advice = cli_advice(cat, type, &req, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (n > 0)
        ncg_node_get_env(node, alloc.id, 0, &env, NULL);
    if (json) {
        json_t *doc = json_object(), *arr = json_array(), *warn = json_array();
        json_object_set_new(doc, "type", json_string(type));
        json_object_set_new(doc, "ncg_size", json_integer(n > 0 ? core_groups[0].core_count : 0));
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
            printf("  process %d: NEURON_RT_VISIBLE_CORES=%s NEURONCORE_GROUP_SIZES=%s chips %d-%d device memory %s",
                   i, pe.visible_cores, pe.core_group_sizes, core_groups[i].first_chip,
                   core_groups[i].first_chip + core_groups[i].chip_count - 1, cache);
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
    fprintf(out, "\n`ncg COMMAND --help` describes a command. libncg %s\n", ncg_version());
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
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            optind = 1;
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "ncg: unknown command \"%s\"\n", argv[1]);
    return main_usage(stderr);
}

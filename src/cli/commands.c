/* SPDX-License-Identifier: Apache-2.0 */
/* ncg validate and ncg plan: Cortex files in, library calls, text / JSON / SVG out. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const default_types[] = {"inf1.xlarge",  "inf1.2xlarge", "inf1.6xlarge",  "inf1.24xlarge",
                                            "inf2.xlarge",  "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge"};

/* Read API files, or without any: ./cortex.yaml when it exists (saying so), the bundled example with --example;
 * then the cluster file. apis false: the cluster file alone. -1 out of memory, -2 a file could not be read. */
static int read_inputs(ncg_cortex *cx, char **files, int nfiles, const char *cluster, bool example, bool apis)
{
    static char default_file[] = "cortex.yaml";
    char *found[] = {default_file};
    ncg_error err;
    int rc = 0, r;
    if (apis && nfiles == 0 && !example && access(default_file, F_OK) == 0) {
        fprintf(stderr, "ncg: reading ./cortex.yaml (no FILE given)\n");
        files = found;
        nfiles = 1;
    }
    for (int i = 0; apis && i < nfiles; i++) {
        if ((r = cli_load(cx, files[i], ncg_cortex_load_apis)) == -1)
            return -1;
        rc = rc ? rc : r;
    }
    if (apis && example && ncg_cortex_load_apis(cx, "example/apis.yaml", cli_example_apis, &err) < 0)
        return -1;
    if (cluster) {
        if ((r = cli_load(cx, cluster, ncg_cortex_load_cluster)) == -1)
            return -1;
        rc = rc ? rc : r;
    } else if (example && ncg_cortex_load_cluster(cx, "example/cluster.yaml", cli_example_cluster, &err) < 0) {
        return -1;
    }
    return rc;
}

/* No FILE, no ./cortex.yaml and no --example: what to do instead. */
static bool no_input(char **files, int nfiles, bool example)
{
    (void)files;
    return nfiles == 0 && !example && access("cortex.yaml", F_OK) != 0;
}
#define NO_INPUT "no FILE given and no ./cortex.yaml here: give a Cortex API file ('-' reads standard input), or " \
                 "--example for the bundled example"

/* A node group of a cluster, for reading (its strings point into the cluster). */
static ncg_nodegroup_spec nodegroup_at(const ncg_cluster *cl, int index)
{
    ncg_nodegroup_spec s = NCG_INIT(ncg_nodegroup_spec);
    ncg_cluster_get_nodegroup(cl, index, &s, NULL, NULL);
    return s;
}

/* Node groups: from the cluster file (problems recorded in cx), else one per type of --types (or the default
 * inf1/inf2 types; with priced_only, those with a price in the catalog's region). NULL out of memory or a bad
 * --types (printed). */
static ncg_cluster *build_cluster(ncg_cortex *cx, ncg_catalog *cat, const char *types, const char *region,
                                  bool priced_only)
{
    ncg_cluster *cl;
    ncg_error e;
    if (ncg_cortex_nodegroup_count(cx) > 0) {
        if (!(cl = ncg_cortex_new_cluster(cx, cat, region, &e)))
            cli_fail(&e);
        return cl;
    }
    if (!(cl = ncg_cluster_new(0, &e))) {
        cli_fail(&e);
        return NULL;
    }
    if (types) {
        char *copy = strdup(types), *save = NULL;
        bool ok = copy != NULL;
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
            ncg_nodegroup_spec s = {.size = sizeof(ncg_nodegroup_spec), .name = t, .type = t, .max_nodes = 1000000};
            if (ncg_cluster_add_nodegroup(cl, cat, &s, &e) < 0) {
                fprintf(stderr, "ncg: --types: %s\n", e.message);
                ok = false;
            }
        }
        free(copy);
        return ok ? cl : ncg_cluster_free(cl);
    }
    for (size_t i = 0; i < sizeof(default_types) / sizeof(default_types[0]); i++) {
        ncg_nodegroup_spec s = {.size = sizeof(ncg_nodegroup_spec), .name = default_types[i],
                                .type = default_types[i], .max_nodes = 1000000};
        ncg_type t = NCG_INIT(ncg_type);
        if (ncg_catalog_find_type(cat, default_types[i], &t, NULL) >= 0 && (t.has_price || !priced_only))
            ncg_cluster_add_nodegroup(cl, cat, &s, NULL);
    }
    if (ncg_cluster_nodegroup_count(cl) == 0) {
        fprintf(stderr, "ncg: none of the default instance types (inf1.xlarge ... inf2.48xlarge) has a known price in "
                "%s: name types with --types and give them prices with --catalog FILE, or plan with a --cluster "
                "file whose node groups have a price\n", region ? region : "us-east-1");
        return ncg_cluster_free(cl);
    }
    return cl;
}

/* 0 when every node group has a price (its own or its type's), else 1 with each one that has none printed (the
 * groups of a cluster file can take a price there; those of --types only from --catalog). */
static int check_prices(const ncg_cluster *cl, const char *region, bool from_file)
{
    int missing = 0;
    for (int g = 0; g < ncg_cluster_nodegroup_count(cl); g++) {
        ncg_nodegroup_spec s = nodegroup_at(cl, g);
        if (s.has_price)
            continue;
        if (from_file)
            fprintf(stderr, "ncg: node group %s: instance type %s has no known price in %s: give the node group "
                    "one (price: USD per hour) in the cluster file, or the type one with --catalog FILE\n", s.name,
                    s.type, region);
        else
            fprintf(stderr, "ncg: --types: instance type %s has no known price in %s: give it one with --catalog "
                    "FILE, or plan with a --cluster file whose node group has a price\n", s.type, region);
        missing++;
    }
    return missing ? 1 : 0;
}

#define COMMON_HELP                                                                                                 \
    "  --cluster FILE     Cortex cluster file: node groups, min/max instances, priority, region\n"                   \
    "  --region R         AWS region of the catalog (default: the cluster file's region, else us-east-1)\n"          \
    "  --catalog FILE     add or replace instance types and prices from a YAML file\n"                               \
    "  --example          use the bundled example (6 APIs, 3 node groups) instead of FILE\n"                          \
    "  -o, --output FMT   output format (above; default text)\n"                                                              \
    "  --output-file F    write the output to F instead of standard output\n"

/* After every option of the command. */
#define COMMON_TRAILER                                                                                              \
    "FILE: Cortex API files ('-' reads standard input); without FILE, ./cortex.yaml when it exists.\n"              \
    "exit status: 0 valid and every replica placed, 1 invalid input, 2 usage error, 3 valid but some replicas\n"    \
    "cannot be placed (plan)\n"

#define VALIDATE_USAGE "ncg validate [FILE...] [--cluster FILE] [--region R] [--catalog FILE] [--example] [-o text|json]"

/* Options every command that reads Cortex files takes. */
typedef struct common_opts {
    const char *cluster, *catalog, *region, *format, *output_file;
    bool example;
} common_opts;

enum { OPT_CLUSTER = 1000, OPT_CATALOG, OPT_REGION, OPT_EXAMPLE, OPT_OUTPUT_FILE, OPT_FORMAT, OPT_TYPES, OPT_REPLICAS };

#define COMMON_OPTIONS                                                                                              \
    {"cluster", required_argument, NULL, OPT_CLUSTER}, {"catalog", required_argument, NULL, OPT_CATALOG},          \
        {"region", required_argument, NULL, OPT_REGION}, {"example", no_argument, NULL, OPT_EXAMPLE},              \
        {"output", required_argument, NULL, 'o'}, {"output-file", required_argument, NULL, OPT_OUTPUT_FILE},       \
        {"help", no_argument, NULL, 'h'}

/* 1 when c was a common option (stored), 0 otherwise. */
static int common_option(int c, common_opts *o)
{
    switch (c) {
    case OPT_CLUSTER: o->cluster = optarg; return 1;
    case OPT_CATALOG: o->catalog = optarg; return 1;
    case OPT_REGION: o->region = optarg; return 1;
    case OPT_EXAMPLE: o->example = true; return 1;
    case OPT_OUTPUT_FILE: o->output_file = optarg; return 1;
    case 'o': o->format = optarg; return 1;
    default: return 0;
    }
}

/* A format among the allowed ones (a NULL-terminated list); otherwise the usage message, naming -o's meaning. */
static int check_format(const char *format, const char *const *allowed, const char *usage)
{
    char msg[256];
    size_t o = 0;
    for (int i = 0; allowed[i]; i++)
        if (strcmp(format, allowed[i]) == 0)
            return 0;
    o += (size_t)snprintf(msg, sizeof(msg), "-o/--output is the output format (");
    for (int i = 0; allowed[i] && o < sizeof(msg); i++)
        o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%s%s", i ? ", " : "", allowed[i]);
    if (o < sizeof(msg))
        snprintf(msg + o, sizeof(msg) - o, "), not \"%s\"%s", format,
                 strchr(format, '.') || strchr(format, '/') ? "; write to a file with --output-file" : "");
    return cli_usage(usage, msg);
}

/* The ncg-validate/2 document (doc/json.md) of the reader's diagnostics, on standard output. */
static void print_validate_doc(const ncg_cortex *cx, bool valid)
{
    json_t *doc = json_pack("{s:s, s:b, s:[], s:[]}", "schema", "ncg-validate/2", "valid", valid, "errors",
                            "warnings");
    for (int i = 0; doc && i < ncg_cortex_diagnostic_count(cx); i++) {
        ncg_cortex_diagnostic d = NCG_INIT(ncg_cortex_diagnostic);
        const char *message;
        char prefix[64];
        json_t *item;
        ncg_cortex_get_diagnostic(cx, i, &d, NULL);
        message = d.message;
        /* the message without its "FILE:LINE:COLUMN: " (and "warning: "), which the members carry */
        if (d.file && !strncmp(message, d.file, strlen(d.file))) {
            snprintf(prefix, sizeof(prefix), ":%d:%d: ", d.line, d.column);
            if (!strncmp(message + strlen(d.file), prefix, strlen(prefix)))
                message += strlen(d.file) + strlen(prefix);
        }
        if (d.warning && !strncmp(message, "warning: ", 9))
            message += 9;
        item = json_pack("{s:o, s:i, s:i, s:o, s:s}", "file", d.file ? json_string(d.file) : json_null(), "line",
                         d.line, "column", d.column, "field", d.field ? json_string(d.field) : json_null(), "message",
                         message);
        json_array_append_new(json_object_get(doc, d.warning ? "warnings" : "errors"), item);
    }
    cli_print_json(doc);
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {COMMON_OPTIONS, {0}};
    static const char *const formats[] = {"text", "json", NULL};
    common_opts o = {.format = "text"};
    ncg_cortex *cx;
    ncg_catalog *cat = NULL;
    ncg_cluster *cl = NULL;
    ncg_error err;
    int c, rc = 1, r;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        if (common_option(c, &o))
            continue;
        if (c == 'h')
            return printf("usage: %s\n"
                          "Check Cortex API files (and a cluster file) with Cortex's rules and messages: every field,\n"
                          "every name, every node group and instance type. Errors come in file and line order.\n\n"
                          "output formats (-o): text (default; one line per file when valid), json (schema\n"
                          "ncg-validate/2: valid, errors and warnings as objects; doc/json.md)\n\n"
                          "options:\n" COMMON_HELP COMMON_TRAILER "\n"
                          "examples:\n"
                          "  ncg validate cortex.yaml --cluster cluster.yaml\n"
                          "  ncg validate --cluster cluster.yaml          # the cluster file alone\n",
                          VALIDATE_USAGE), 0;
        return cli_usage(VALIDATE_USAGE, NULL);
    }
    if (check_format(o.format, formats, VALIDATE_USAGE))
        return 2;
    if (!o.cluster && no_input(argv + optind, argc - optind, o.example))
        return cli_usage(VALIDATE_USAGE, NO_INPUT);
    if (o.output_file && !freopen(o.output_file, "w", stdout)) {
        fprintf(stderr, "ncg: cannot write %s: %s\n", o.output_file, strerror(errno));
        return 1;
    }
    if (!(cx = ncg_cortex_new(NCG_CORTEX_KEEP_GOING, &err)))
        return cli_fail(&err);
    r = read_inputs(cx, argv + optind, argc - optind, o.cluster, o.example, !(argc == optind && o.cluster && !o.example));
    if (r == -1) {
        fprintf(stderr, "ncg: out of memory\n");
        goto out;
    }
    if (!(cat = cli_catalog(o.catalog, o.region ? o.region : ncg_cortex_get_region(cx))))
        goto out;
    if (!(cl = build_cluster(cx, cat, NULL, o.region, false)))
        goto out;
    if (!o.cluster && !o.example) { /* without a cluster, against the whole catalog */
        ncg_cluster_free(cl);
        if (!(cl = ncg_cluster_new(0, &err))) {
            cli_fail(&err);
            goto out;
        }
    }
    if (ncg_cortex_check(cx, cat, cl, &err) < 0) {
        cli_fail(&err);
        goto out;
    }
    rc = cli_print_diagnostics(cx) || r < 0;
    if (!strcmp(o.format, "json")) {
        print_validate_doc(cx, rc == 0);
    } else if (rc == 0) {
        for (int f = 0; f < ncg_cortex_file_count(cx); f++) {
            const char *file = ncg_cortex_get_file(cx, f);
            size_t n = 0, g = 0;
            for (int k = 0; k < ncg_cortex_api_count(cx); k++) {
                ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
                ncg_cortex_get_api(cx, k, &a, NULL);
                n += strcmp(a.file, file) == 0;
            }
            for (int k = 0; k < ncg_cortex_nodegroup_count(cx); k++) {
                ncg_cortex_nodegroup info = NCG_INIT(ncg_cortex_nodegroup);
                ncg_cortex_get_nodegroup(cx, k, NULL, &info, NULL);
                g += strcmp(info.file, file) == 0;
            }
            if (g)
                printf("%s: %zu node group%s valid\n", file, g, g == 1 ? "" : "s");
            else
                printf("%s: %zu API%s valid\n", file, n, n == 1 ? "" : "s");
        }
    }
out:
    ncg_cortex_free(cx);
    ncg_cluster_free(cl);
    ncg_catalog_free(cat);
    return rc;
}

/* ---- plan output ---- */

typedef struct api_view {
    int asked, placed;
    int node;              /* a placed replica, for the env shown; -1 if none */
    uint64_t alloc;
    int unplaced;          /* replicas the plan could not place, and why */
    char *reason;
    char *advice;          /* the library's advice for the type of the first placed replica; "" if none */
} api_view;

typedef struct view {
    const ncg_cortex_api *api_in; /* per API of the plan */
    const ncg_plan *plan;
    const ncg_cluster *cl;
    ncg_plan_summary sum;
    api_view *apis;
    size_t *first;         /* per node: where its allocations start in ids and owner (node count + 1 entries) */
    uint64_t *ids;         /* the allocation ids of every node, node after node, ascending within a node */
    int *owner;            /* per allocation: the api index that placed it, -1 for one the plan did not make */
} view;

/* The node at index i of a cluster; name and nodegroup may be NULL. */
static const ncg_node *node_at(const ncg_cluster *cl, int i, const char **name, int *nodegroup)
{
    const ncg_node *n = NULL;
    ncg_cluster_get_node(cl, i, &n, name, nodegroup, NULL);
    return n;
}

static int cmp_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Everything the outputs read that needs memory, gathered once so that printing cannot fail. -1 out of memory. */
static int build_view(view *v, const ncg_catalog *cat)
{
    int nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan);
    size_t total = 0;
    v->first = calloc((size_t)nn + 1, sizeof(*v->first));
    v->apis = calloc((size_t)(na ? na : 1), sizeof(api_view));
    if (!v->first || !v->apis)
        return -1;
    for (int i = 0; i < nn; i++) {
        int k = ncg_node_get_alloc_ids(node_at(v->cl, i, NULL, NULL), NULL, 0, NULL);
        v->first[i] = total;
        total += k > 0 ? (size_t)k : 0;
    }
    v->first[nn] = total;
    v->ids = calloc(total ? total : 1, sizeof(*v->ids));
    v->owner = malloc((total ? total : 1) * sizeof(*v->owner));
    if (!v->ids || !v->owner)
        return -1;
    for (int i = 0; i < nn; i++)
        ncg_node_get_alloc_ids(node_at(v->cl, i, NULL, NULL), v->ids + v->first[i], v->first[i + 1] - v->first[i],
                               NULL);
    for (size_t k = 0; k < total; k++)
        v->owner[k] = -1;
    for (int a = 0; a < na; a++)
        v->apis[a].node = -1;
    for (int i = 0; i < ncg_plan_replica_count(v->plan); i++) {
        ncg_plan_replica r = NCG_INIT(ncg_plan_replica);
        uint64_t *at;
        ncg_plan_get_replica(v->plan, i, &r, NULL);
        v->apis[r.api].asked++;
        if (r.node < 0)
            continue;
        v->apis[r.api].placed++;
        if (v->apis[r.api].node < 0) {
            v->apis[r.api].node = r.node;
            v->apis[r.api].alloc = r.alloc_id;
        }
        at = bsearch(&r.alloc_id, v->ids + v->first[r.node], v->first[r.node + 1] - v->first[r.node],
                     sizeof(*v->ids), cmp_id);
        if (at)
            v->owner[at - v->ids] = r.api;
    }
    for (int a = 0; a < na; a++) {
        api_view *av = &v->apis[a];
        int len = ncg_plan_get_unplaced(v->plan, a, NULL, 0, &av->unplaced, NULL);
        if (!(av->reason = malloc(len > 0 ? (size_t)len + 1 : 1)))
            return -1;
        av->reason[0] = '\0';
        if (len > 0)
            ncg_plan_get_unplaced(v->plan, a, av->reason, (size_t)len + 1, NULL, NULL);
        if (av->node >= 0) {
            ncg_error e = {0};
            av->advice = cli_advice(cat, ncg_node_get_type_name(node_at(v->cl, av->node, NULL, NULL)),
                                    v->api_in[a].request, &e);
            if (!av->advice && e.code == NCG_E_NOMEM)
                return -1;
        }
        if (!av->advice && !(av->advice = calloc(1, 1)))
            return -1;
    }
    return 0;
}

static void free_view(view *v)
{
    for (int a = 0; v->apis && a < ncg_plan_api_count(v->plan); a++) {
        free(v->apis[a].reason);
        free(v->apis[a].advice);
    }
    free(v->apis);
    free(v->first);
    free(v->ids);
    free(v->owner);
}

static char api_letter(int api)
{
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return api < 0 ? '#' : letters[api % (int)(sizeof(letters) - 1)];
}

/* Per core of a node: the API holding it (-1 free, -2 an allocation the plan did not make). */
static int core_owners(const view *v, int node, int *owners, ncg_node_status *st)
{
    const ncg_node *n = node_at(v->cl, node, NULL, NULL);
    int total;
    ncg_node_get_status(n, st, NULL);
    total = st->chips * st->cores_per_chip;
    for (int c = 0; c < total; c++)
        owners[c] = -1;
    for (size_t k = v->first[node]; k < v->first[node + 1]; k++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        int who = v->owner[k];
        ncg_node_get_alloc(n, v->ids[k], &a, NULL);
        for (int c = a.first_core; a.core_count > 0 && c < a.first_core + a.core_count; c++)
            owners[c] = who < 0 ? -2 : who;
    }
    return total;
}

static void chip_map(const view *v, int node, char *buf, size_t size)
{
    int owners[NCG_MAX_CORES], o = 0;
    ncg_node_status st = NCG_INIT(ncg_node_status);
    core_owners(v, node, owners, &st);
    for (int chip = 0; chip < st.chips && (size_t)o + (size_t)st.cores_per_chip + 3 < size; chip++) {
        buf[o++] = '[';
        for (int c = 0; c < st.cores_per_chip; c++) {
            int w = owners[chip * st.cores_per_chip + c];
            buf[o++] = w == -1 ? '.' : api_letter(w);
        }
        buf[o++] = ']';
    }
    buf[o] = '\0';
}

/* The replicas of node i that hold no NeuronCore, per API in letter order: "  CPU only: E x3, G x1" (nothing
 * when there are none). */
static void print_cpu_only(const view *v, int node, const ncg_node *n, FILE *out)
{
    int na = ncg_plan_api_count(v->plan), shown = 0;
    for (int a = 0; a < na; a++) {
        int count = 0;
        for (size_t k = v->first[node]; k < v->first[node + 1]; k++) {
            ncg_alloc al = NCG_INIT(ncg_alloc);
            if (v->owner[k] == a && ncg_node_get_alloc(n, v->ids[k], &al, NULL) == 0 && al.core_count == 0)
                count++;
        }
        if (count)
            fprintf(out, "%s%c x%d", shown++ ? ", " : "  CPU only: ", api_letter(a), count);
    }
}

static int nodegroup_nodes(const view *v, int g)
{
    int count = 0;
    for (int i = 0; i < ncg_cluster_node_count(v->cl); i++) {
        int ng = -1;
        node_at(v->cl, i, NULL, &ng);
        count += ng == g;
    }
    return count;
}

/* One line on a limit that stopped column generation early (the bound is then weaker), or NULL. */
static const char *stop_note(const ncg_plan_summary *s)
{
    if (s->optimal)
        return NULL;
    switch (s->stopped) {
    case NCG_PLAN_STOP_WORK:
        return "column generation stopped at its work limit (work_limit): the bound is the best proven by then";
    case NCG_PLAN_STOP_TIME:
        return "column generation stopped at the time limit (time_limit_s): the bound is the best proven by then";
    case NCG_PLAN_STOP_ROUNDS:
        return "column generation stopped at its round limit: the bound is the best proven by then";
    case NCG_PLAN_STOP_SEARCH:
        return "a pricing search stopped at its node limit: the bound is valid, the LP's value may be above the "
               "optimum";
    case NCG_PLAN_STOP_SKIPPED:
        return "column generation was skipped (its size limit: API classes x node groups): the bound is the "
               "resource LP's";
    default:
        return NULL;
    }
}

static void print_text(const view *v, FILE *out)
{
    int ng = ncg_cluster_nodegroup_count(v->cl), nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan);
    const ncg_plan_summary *s = &v->sum;
    fprintf(out, "plan: %d nodes, %d of %d replicas placed\n", s->nodes, s->placed, s->replicas);
    if (s->optimal)
        fprintf(out, "price: $%.4f/h   optimal: no plan of these replicas costs less\n", s->price_per_hour);
    else
        fprintf(out, "price: $%.4f/h   lower bound: $%.4f/h   gap: at most %.2f%%\n", s->price_per_hour,
                s->lower_bound_per_hour, s->gap * 100);
    if (stop_note(s))
        fprintf(out, "note: %s\n", stop_note(s));
    if (s->unpriced_nodes)
        fprintf(out, "note: %d nodes have no known price and count as $0\n", s->unpriced_nodes);
    fprintf(out, "\nnode groups:\n");
    for (int g = 0; g < ng; g++) {
        ncg_nodegroup_spec gs = nodegroup_at(v->cl, g);
        int count = nodegroup_nodes(v, g);
        if (count)
            fprintf(out, "  %-20s %-15s %5d nodes  $%.4f/h\n", gs.name, gs.type, count, count * gs.usd_per_hour);
    }
    fprintf(out, "\nnodes (one letter per NeuronCore, one [...] per chip, '.' free):\n");
    for (int i = 0; i < nn; i++) {
        const char *name = "";
        char map[NCG_MAX_CORES * 3];
        ncg_node_status st = NCG_INIT(ncg_node_status);
        const ncg_node *n = node_at(v->cl, i, &name, NULL);
        ncg_node_get_status(n, &st, NULL);
        chip_map(v, i, map, sizeof(map));
        fprintf(out, "  %-24s %-15s %s", name, ncg_node_get_type_name(n), map);
        if (st.chips)
            fprintf(out, "  largest free window %d", st.largest_window);
        print_cpu_only(v, i, n, out);
        fputc('\n', out);
    }
    fprintf(out, "\napis:\n");
    for (int a = 0; a < na; a++) {
        const ncg_cortex_api *ap = &v->api_in[a];
        const api_view *av = &v->apis[a];
        fprintf(out, "  %c %s: %d/%d replicas placed, inf %lld, ppr %lld, %d more fit\n", api_letter(a), ap->name,
                av->placed, av->asked, (long long)ap->request->inf, (long long)ap->request->ppr,
                ncg_plan_get_headroom(v->plan, a, NULL));
        if (av->node >= 0) {
            const ncg_node *n = node_at(v->cl, av->node, NULL, NULL);
            ncg_alloc al = NCG_INIT(ncg_alloc);
            ncg_node_get_alloc(n, av->alloc, &al, NULL);
            if (al.core_count > 0) {
                ncg_env env = NCG_INIT(ncg_env);
                ncg_node_get_env(n, av->alloc, 0, &env, NULL);
                fprintf(out, "      NCG size %d; first replica: AWS_NEURON_VISIBLE_DEVICES=%s", al.ncg_size,
                        env.visible_devices);
                for (int p = 0; p < al.ppr; p++) {
                    ncg_node_get_env(n, av->alloc, p, &env, NULL);
                    fprintf(out, " NEURON_RT_VISIBLE_CORES[%d]=%s", p, env.visible_cores);
                }
                fprintf(out, " NEURONCORE_GROUP_SIZES=%d\n", al.ncg_size);
            }
        }
        for (const char *line = av->advice; *line;) {
            const char *next = strchr(line, '\n');
            int len = next ? (int)(next - line) : (int)strlen(line);
            fprintf(out, "      warning: %.*s\n", len, line);
            line = next ? next + 1 : line + len;
        }
    }
    if (s->unplaced) {
        fprintf(out, "\nunschedulable:\n");
        for (int a = 0; a < na; a++)
            if (v->apis[a].unplaced > 0)
                fprintf(out, "  %s: %d replicas: %s\n", v->api_in[a].name, v->apis[a].unplaced, v->apis[a].reason);
    }
}

/* Dollars as a person writes them: at most 6 decimals, printed with JSON_REAL_PRECISION(15) (7.48, not
 * 7.4800000000000004). */
static json_t *money(double usd)
{
    return json_real(round(usd * 1e6) / 1e6);
}

/* One JSON value on the output, compact, and freed. */
static void put(FILE *out, json_t *value)
{
    json_dumpf(value, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    json_decref(value);
}

/* ---- YAML (block style) of a JSON value: the same document, for -o yaml ---- */

static void put_str(FILE *out, const char *s);

static void yaml_scalar(FILE *out, json_t *value)
{
    /* JSON's strings, numbers, true/false/null are YAML 1.2 scalars as they are */
    if (json_is_integer(value))
        fprintf(out, "%lld", (long long)json_integer_value(value));
    else if (json_is_string(value))
        put_str(out, json_string_value(value));
    else if (json_is_object(value))
        fputs("{}", out);
    else if (json_is_array(value))
        fputs("[]", out);
    else
        json_dumpf(value, out, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

static bool yaml_inline(json_t *value)
{
    return !(json_is_object(value) && json_object_size(value)) && !(json_is_array(value) && json_array_size(value));
}

/* value at indent; the first line's indent already written (after "key:" or "- ") when continued is true. */
static void yaml_value(FILE *out, json_t *value, int indent, bool continued)
{
    if (yaml_inline(value)) {
        if (continued)
            fputc(' ', out);
        yaml_scalar(out, value);
        fputc('\n', out);
        return;
    }
    if (json_is_object(value)) {
        const char *key;
        json_t *child;
        bool first = true; /* after "- " or "key:" (continued), the first key goes on that line */
        json_object_foreach(value, key, child) {
            if (!(first && continued))
                fprintf(out, "%*s", indent, "");
            else
                fputc(' ', out);
            first = false;
            fprintf(out, "%s:", key);
            if (yaml_inline(child)) {
                yaml_value(out, child, indent + 2, true);
            } else {
                fputc('\n', out);
                yaml_value(out, child, indent + 2, false);
            }
        }
        return;
    }
    {
        size_t n;
        json_t *item;
        if (continued)
            fputc('\n', out);
        json_array_foreach(value, n, item) {
            fprintf(out, "%*s-", indent, "");
            if (json_is_object(item) && json_object_size(item))
                yaml_value(out, item, indent + 2, true);
            else if (yaml_inline(item))
                yaml_value(out, item, indent + 2, true);
            else {
                fputc('\n', out);
                yaml_value(out, item, indent + 2, false);
            }
        }
    }
}

/* The writer of the plan document: JSON (top-level members one per line, array elements one compact line each) or
 * YAML (block style), record by record, so that nothing but one record is ever held. */
typedef struct doc_out {
    FILE *out;
    bool yaml, first;
    int items;
} doc_out;

static void doc_member(doc_out *d, const char *key, json_t *value)
{
    if (d->yaml) {
        fprintf(d->out, "%s:", key);
        if (yaml_inline(value)) {
            yaml_value(d->out, value, 2, true);
        } else {
            fputc('\n', d->out);
            yaml_value(d->out, value, 2, false);
        }
        json_decref(value);
        return;
    }
    fprintf(d->out, "%s  \"%s\": ", d->first ? "{\n" : ",\n", key);
    d->first = false;
    put(d->out, value);
}

static void doc_array(doc_out *d, const char *key)
{
    d->items = 0;
    if (d->yaml)
        fprintf(d->out, "%s:", key);
    else
        fprintf(d->out, "%s  \"%s\": [", d->first ? "{\n" : ",\n", key);
    d->first = false;
}

/* The separator before an item; for JSON the caller then writes the item itself. */
static void doc_item_start(doc_out *d)
{
    if (d->yaml) {
        if (d->items == 0)
            fputc('\n', d->out);
        fputs("  -", d->out);
    } else {
        fputs(d->items ? ",\n    " : "\n    ", d->out);
    }
    d->items++;
}

static void doc_item(doc_out *d, json_t *value)
{
    doc_item_start(d);
    if (d->yaml) {
        yaml_value(d->out, value, 4, true);
        json_decref(value);
    } else {
        put(d->out, value); /* frees it */
    }
}

static void doc_array_end(doc_out *d)
{
    if (d->yaml)
        fputs(d->items ? "" : " []\n", d->out);
    else
        fputs(d->items ? "\n  ]" : "]", d->out);
}

static void doc_end(doc_out *d)
{
    if (!d->yaml)
        fputs(d->first ? "{}\n" : "\n}\n", d->out);
}

/* A JSON string: the quotes and escapes of RFC 8259 (names here are ASCII; any other byte passes as it is). */
static void put_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* Dollars as money() gives them, written by jansson's number format. */
static void put_money(FILE *out, double usd)
{
    put(out, money(usd));
}

/* One node on one line: its replicas (each process's NCG with its env) and the device memory of its chips. Written
 * directly (a 100,000-replica plan has half a million of these records); the strings are escaped by put_str. */
static void put_node(FILE *out, const view *v, int i)
{
    const char *name = "";
    int ng = -1;
    const ncg_node *n = node_at(v->cl, i, &name, &ng);
    ncg_nodegroup_spec gs = nodegroup_at(v->cl, ng);
    ncg_node_status st = NCG_INIT(ncg_node_status);
    ncg_node_get_status(n, &st, NULL);
    fputs("{\"name\":", out);
    put_str(out, name);
    fputs(",\"type\":", out);
    put_str(out, ncg_node_get_type_name(n));
    fputs(",\"group\":", out);
    put_str(out, gs.name);
    fputs(",\"usd_per_hour\":", out);
    put_money(out, gs.usd_per_hour);
    fprintf(out, ",\"largest_free_window\":%d,\"replicas\":[", st.largest_window);
    for (size_t k = v->first[i]; k < v->first[i + 1]; k++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        ncg_core_group cgs[NCG_MAX_CORES]; /* one NCG per core at most: always room for all */
        int who = v->owner[k], ncgs;
        ncg_env env = NCG_INIT(ncg_env);
        ncg_node_get_alloc(n, v->ids[k], &a, NULL);
        fputs(k > v->first[i] ? ",{\"api\":" : "{\"api\":", out);
        if (who >= 0)
            put_str(out, v->api_in[who].name);
        else
            fputs("null", out);
        fprintf(out, ",\"alloc_id\":%llu,\"chips\":[", (unsigned long long)v->ids[k]);
        for (int c = a.first_chip; a.core_count > 0 && c < a.first_chip + a.chip_count; c++)
            fprintf(out, c > a.first_chip ? ",%d" : "%d", c);
        fputs("],\"groups\":[", out);
        ncgs = ncg_node_get_core_groups(n, v->ids[k], cgs, NCG_MAX_CORES, NULL);
        for (int p = 0; p < ncgs; p++) {
            ncg_core_group_cache gc = NCG_INIT(ncg_core_group_cache);
            ncg_node_get_env(n, v->ids[k], p, &env, NULL);
            ncg_node_get_core_group_cache(n, v->ids[k], p, &gc, NULL, 0, NULL);
            fprintf(out, "%s{\"process\":%d,\"cores\":\"%s\",\"size\":%d,\"cache\":\"%s\",\"env\":"
                         "{\"NEURON_RT_VISIBLE_CORES\":\"%s\",\"NEURONCORE_GROUP_SIZES\":\"%s\"}}", p ? "," : "", p,
                    env.visible_cores, cgs[p].core_count, ncg_cache_state_name(gc.state), env.visible_cores,
                    env.core_group_sizes);
        }
        fputs("],\"env\":{", out);
        if (ncgs > 0)
            fprintf(out, "\"AWS_NEURON_VISIBLE_DEVICES\":\"%s\"", env.visible_devices);
        fprintf(out, "},\"cpu_milli\":%lld,\"memory_bytes\":%lld}", (long long)a.cpu_milli, (long long)a.memory_bytes);
    }
    fputs("],\"device_memory\":[", out);
    for (int c = 0; c < st.chips; c++) {
        ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
        ncg_node_get_chip_cache(n, c, &cc, NULL);
        fprintf(out, "%s{\"chip\":%d,\"capacity_bytes\":%lld,\"used_bytes\":%lld,\"reserve_bytes\":%lld,"
                     "\"free_bytes\":%lld}", c ? "," : "", c, (long long)cc.capacity_bytes, (long long)cc.used_bytes,
                (long long)cc.reserve_bytes, (long long)cc.free_bytes);
    }
    fputs("]}", out);
}

/* The plan as JSON or YAML (schema ncg-plan/1, doc/json.md), written as it is made: one node at a time, so that
 * memory stays that of one node whatever the plan's size. */
static void print_doc(const view *v, FILE *out, const char *replicas_from, bool yaml)
{
    const ncg_plan_summary *s = &v->sum;
    int nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan), ng = ncg_cluster_nodegroup_count(v->cl);
    int *per_group = calloc((size_t)ng + 1, sizeof(int));
    doc_out d = {out, yaml, true, 0};
    doc_member(&d, "schema", json_string("ncg-plan/1"));
    doc_member(&d, "replicas_from", json_string(replicas_from));
    doc_member(&d, "price_per_hour", money(s->price_per_hour));
    doc_member(&d, "lower_bound_per_hour", money(s->lower_bound_per_hour));
    doc_member(&d, "gap", money(s->gap));
    doc_member(&d, "converged", json_boolean(s->converged));
    doc_member(&d, "optimal", json_boolean(s->optimal));
    doc_member(&d, "node_count", json_integer(s->nodes));
    doc_member(&d, "unpriced_nodes", json_integer(s->unpriced_nodes));
    doc_member(&d, "replicas", json_integer(s->replicas));
    doc_member(&d, "placed", json_integer(s->placed));
    doc_member(&d, "unplaced", json_integer(s->unplaced));
    for (int i = 0; per_group && i < nn; i++) {
        int g = -1;
        node_at(v->cl, i, NULL, &g);
        if (g >= 0 && g < ng)
            per_group[g]++;
    }
    doc_array(&d, "node_groups");
    for (int g = 0; g < ng; g++) {
        ncg_nodegroup_spec gs = nodegroup_at(v->cl, g);
        int count = per_group ? per_group[g] : nodegroup_nodes(v, g);
        doc_item(&d, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:o, s:o}", "name", gs.name, "type", gs.type,
                               "priority", gs.priority, "min_nodes", gs.min_nodes, "max_nodes", gs.max_nodes, "nodes",
                               count, "usd_per_hour", money(gs.usd_per_hour), "total_usd_per_hour",
                               money(count * (round(gs.usd_per_hour * 1e6) / 1e6))));
    }
    doc_array_end(&d);
    free(per_group);
    doc_array(&d, "apis");
    for (int a = 0; a < na; a++) {
        const api_view *av = &v->apis[a];
        const ncg_cortex_api *ap = &v->api_in[a];
        json_t *warn = json_array();
        int ncg_size = 0;
        if (av->node >= 0) {
            ncg_alloc al = NCG_INIT(ncg_alloc);
            ncg_node_get_alloc(node_at(v->cl, av->node, NULL, NULL), av->alloc, &al, NULL);
            ncg_size = al.core_count > 0 ? al.ncg_size : 0;
        }
        for (const char *line = av->advice; *line;) {
            const char *next = strchr(line, '\n');
            size_t len = next ? (size_t)(next - line) : strlen(line);
            json_array_append_new(warn, json_stringn(line, len));
            line = next ? next + 1 : line + len;
        }
        doc_item(&d, json_pack("{s:s, s:s?, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:i, s:i, s:o}", "name", ap->name,
                               "kind", ap->kind, "replicas", av->asked, "placed", av->placed, "unplaced",
                               av->unplaced, "inf", (json_int_t)ap->request->inf, "ppr",
                               (json_int_t)ap->request->ppr, "cpu_milli", (json_int_t)ap->request->cpu_milli,
                               "memory_bytes", (json_int_t)ap->request->memory_bytes, "ncg_size", ncg_size,
                               "headroom", ncg_plan_get_headroom(v->plan, a, NULL), "warnings", warn));
    }
    doc_array_end(&d);
    doc_array(&d, "nodes");
    for (int i = 0; i < nn; i++) {
        if (!yaml) {
            doc_item_start(&d);
            put_node(out, v, i);
        } else { /* the same record, through jansson's reader, as YAML */
            char *text = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&text, &len);
            json_t *node;
            if (!mem)
                continue;
            put_node(mem, v, i);
            fclose(mem);
            if ((node = json_loadb(text, len, 0, NULL)))
                doc_item(&d, node);
            free(text);
        }
    }
    doc_array_end(&d);
    doc_array(&d, "unschedulable");
    for (int a = 0; a < na; a++)
        if (v->apis[a].unplaced > 0)
            doc_item(&d, json_pack("{s:s, s:i, s:s}", "api", v->api_in[a].name, "replicas", v->apis[a].unplaced,
                                   "reason", v->apis[a].reason));
    doc_array_end(&d);
    doc_end(&d);
}

static void xml_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

static void api_color(int api, char *buf, size_t size)
{
    if (api == -2) {
        snprintf(buf, size, "#9e9e9e");
        return;
    }
    /* golden-angle hues, so that neighbours differ, in three bands of saturation and lightness that change every 12
     * APIs (past 12 the cells carry the API's letter too); the same API always has the same color */
    static const int sat[3] = {65, 85, 40}, light[3] = {55, 35, 75};
    int band = (api / 12) % 3;
    snprintf(buf, size, "hsl(%d,%d%%,%d%%)", (api * 137) % 360, sat[band], light[band]);
}

/* ---- SVG: one row per class of identical nodes, grouped by node group ---- */

enum { SVG_CORE_W = 9, SVG_CHIP_GAP = 4, SVG_ROW = 30, SVG_LINE = 18, SVG_MARGIN = 12 };
/* monospace text widths: 0.6 em per character, plus a little */
#define SVG_TEXT_W(chars, px) ((int)((double)(chars) * (px) * 0.62) + 4)

typedef struct svg_node {
    int node, group;
    char *key;       /* what makes two nodes look the same in the picture */
} svg_node;

static int cmp_svg_node(const void *a, const void *b)
{
    const svg_node *x = a, *y = b;
    int c;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if ((c = strcmp(x->key, y->key)))
        return c;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* The picture of a node as text: its type, who holds each core, its CPU-only replicas per API and the device
 * memory in use per chip. NULL out of memory. */
static char *node_key(const view *v, int node)
{
    int owners[NCG_MAX_CORES], total;
    ncg_node_status st = NCG_INIT(ncg_node_status);
    const ncg_node *n = node_at(v->cl, node, NULL, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    total = core_owners(v, node, owners, &st);
    fprintf(f, "%s|", ncg_node_get_type_name(n));
    for (int c = 0; c < total; c++)
        fprintf(f, "%d,", owners[c]);
    fputc('|', f);
    for (size_t k = v->first[node]; k < v->first[node + 1]; k++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        ncg_node_get_alloc(n, v->ids[k], &a, NULL);
        if (a.core_count == 0)
            fprintf(f, "%d,", v->owner[k]);
    }
    fputc('|', f);
    for (int c = 0; c < st.chips; c++) {
        ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
        ncg_node_get_chip_cache(n, c, &cc, NULL);
        fprintf(f, "%lld,", (long long)(cc.used_bytes + cc.reserve_bytes));
    }
    fclose(f);
    return buf;
}

/* The CPU-only replicas of a node, per API (counts has na + 1 entries: the last one for allocations the plan did
 * not make). Returns their total. */
static int cpu_only(const view *v, int node, int *counts, int na)
{
    const ncg_node *n = node_at(v->cl, node, NULL, NULL);
    int total = 0;
    for (int a = 0; a <= na; a++)
        counts[a] = 0;
    for (size_t k = v->first[node]; k < v->first[node + 1]; k++) {
        ncg_alloc a = NCG_INIT(ncg_alloc);
        ncg_node_get_alloc(n, v->ids[k], &a, NULL);
        if (a.core_count == 0) {
            counts[v->owner[k] >= 0 ? v->owner[k] : na]++;
            total++;
        }
    }
    return total;
}

/* Words of text, wrapped at width characters, as SVG text lines from y on; returns the next y. */
static int svg_wrapped(FILE *out, int x, int y, const char *text, size_t width, const char *attrs)
{
    size_t len = strlen(text), at = 0;
    while (at < len) {
        size_t take = len - at, cut;
        char *line;
        if (take > width) {
            for (cut = width; cut > 0 && text[at + cut] != ' '; cut--)
                ;
            take = cut ? cut : width;
        }
        if (!(line = strndup(text + at, take)))
            return y;
        fprintf(out, "<text x=\"%d\" y=\"%d\"%s>", x, y, attrs);
        xml_text(out, line);
        fputs("</text>\n", out);
        free(line);
        y += SVG_LINE;
        at += take;
        while (at < len && text[at] == ' ')
            at++;
    }
    return y;
}

/* Bytes as a person reads them at a glance: "384Mi", "2.8Gi" (the exact figure is in the chip's tooltip). */
static void svg_bytes(char *buf, size_t size, int64_t bytes)
{
    const double gi = 1024.0 * 1024 * 1024, mi = 1024.0 * 1024;
    if (bytes >= (int64_t)gi)
        snprintf(buf, size, bytes % (int64_t)gi ? "%.1fGi" : "%.0fGi", (double)bytes / gi);
    else if (bytes >= (int64_t)mi)
        snprintf(buf, size, "%.0fMi", (double)bytes / mi);
    else
        snprintf(buf, size, "%lldB", (long long)bytes);
}

static void svg_header(FILE *out, int width, int height)
{
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"monospace\" font-size=\"12\">\n", width, height, width, height);
    fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
}

/* The tooltip of a core: the API and which replica holds it (its cores, NCG sizes), or that it is free. */
static void svg_core_title(const view *v, const ncg_node *node, int owner, int alloc, int core, FILE *out)
{
    ncg_alloc al = NCG_INIT(ncg_alloc);
    fputs("<title>", out);
    if (owner == -1 || alloc < 0 || ncg_node_get_alloc(node, v->ids[alloc], &al, NULL) < 0) {
        fprintf(out, "core %d: free", core);
    } else {
        if (owner >= 0) {
            xml_text(out, v->api_in[owner].name);
            fprintf(out, " (%c)", api_letter(owner));
        } else {
            fputs("a replica the plan did not place", out);
        }
        if (al.core_count > 1)
            fprintf(out, ": one replica on cores %d-%d", al.first_core, al.first_core + al.core_count - 1);
        else
            fprintf(out, ": one replica on core %d", al.first_core);
        if (al.ppr > 1 && al.ncg_size > 0)
            fprintf(out, ", %d NCGs of %d", al.ppr, al.ncg_size);
        else if (al.ppr > 1)
            fprintf(out, ", %d NCGs", al.ppr);
    }
    fputs("</title>", out);
}

static void print_svg(const view *v, FILE *out)
{
    int nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan), ng = ncg_cluster_nodegroup_count(v->cl);
    svg_node *nodes = calloc((size_t)nn + 1, sizeof(*nodes));
    int *classes = calloc((size_t)nn + 1, sizeof(int)), *class_count = calloc((size_t)nn + 1, sizeof(int));
    int *counts = calloc((size_t)na + 2, sizeof(int));
    int nclasses = 0, label_chars = 12, chips_w = 0, cpu_w = 0, width, height, y, legend_w = 0, legend_cols;
    char title[320], subtitle[256], color[32], *body_text = NULL;
    size_t body_len = 0;
    FILE *final = NULL;
    bool any_cpu = false, any_unplaced = false, any_models = false;
    size_t wrap;
    if (!nodes || !classes || !class_count || !counts) {
        free(nodes), free(classes), free(class_count), free(counts);
        fprintf(stderr, "ncg: out of memory\n");
        return;
    }
    /* classes of identical nodes, in node-group order, each at its first node */
    for (int i = 0; i < nn; i++) {
        nodes[i].node = i;
        node_at(v->cl, i, NULL, &nodes[i].group);
        if (!(nodes[i].key = node_key(v, i)))
            nodes[i].key = strdup("");
    }
    qsort(nodes, (size_t)nn, sizeof(*nodes), cmp_svg_node);
    for (int i = 0; i < nn; i++) {
        if (i == 0 || nodes[i].group != nodes[i - 1].group || strcmp(nodes[i].key, nodes[i - 1].key)) {
            classes[nclasses] = i;
            class_count[nclasses++] = 0;
        }
        class_count[nclasses - 1]++;
    }
    /* in each node group, the classes in the order of their first node */
    for (int k = 1; k < nclasses; k++)
        for (int m = k; m > 0; m--) {
            const svg_node *x = &nodes[classes[m - 1]], *z = &nodes[classes[m]];
            int t;
            if (x->group < z->group || (x->group == z->group && x->node < z->node))
                break;
            t = classes[m - 1], classes[m - 1] = classes[m], classes[m] = t;
            t = class_count[m - 1], class_count[m - 1] = class_count[m], class_count[m] = t;
        }
    /* device memory is drawn only when some API gives its models' sizes: without them it is the runtime's reserve */
    for (int a = 0; a < na; a++)
        any_models |= v->api_in[a].request && v->api_in[a].request->model_count > 0;
    /* widths: labels, chips, CPU-only replicas */
    for (int k = 0; k < nclasses; k++) {
        const char *name = "";
        ncg_node_status st = NCG_INIT(ncg_node_status);
        int n = nodes[classes[k]].node, w, cpus, chars;
        ncg_node_get_status(node_at(v->cl, n, &name, NULL), &st, NULL);
        chars = (int)strlen(name) + (class_count[k] > 1 ? 12 : 0);
        label_chars = chars > label_chars ? chars : label_chars;
        w = st.chips * (st.cores_per_chip * SVG_CORE_W + SVG_CHIP_GAP);
        chips_w = w > chips_w ? w : chips_w;
        cpus = cpu_only(v, n, counts, na);
        any_cpu |= cpus > 0;
        w = cpus ? 12 * (cpus > 12 ? 12 : cpus) + SVG_TEXT_W(14, 12) : 0;
        cpu_w = w > cpu_w ? w : cpu_w;
    }
    if (v->sum.optimal)
        snprintf(title, sizeof(title), "%d node%s, $%.4f/h (optimal), %d of %d replicas placed", v->sum.nodes,
                 v->sum.nodes == 1 ? "" : "s", v->sum.price_per_hour, v->sum.placed, v->sum.replicas);
    else
        snprintf(title, sizeof(title), "%d node%s, $%.4f/h (lower bound $%.4f/h, gap at most %.2f%%), %d of %d "
                 "replicas placed", v->sum.nodes, v->sum.nodes == 1 ? "" : "s", v->sum.price_per_hour,
                 v->sum.lower_bound_per_hour, v->sum.gap * 100, v->sum.placed, v->sum.replicas);
    snprintf(subtitle, sizeof(subtitle), "one box per chip, split into NeuronCores colored by API%s; identical nodes "
             "are drawn once with their count", any_models ? "; the bar under a chip is its device memory in use" : "");
    width = SVG_MARGIN + SVG_TEXT_W(label_chars, 12) + chips_w + cpu_w + (any_models ? SVG_TEXT_W(24, 12) : 0) +
            SVG_MARGIN;
    if (SVG_TEXT_W(strlen(title), 15) + 2 * SVG_MARGIN > width)
        width = SVG_TEXT_W(strlen(title), 15) + 2 * SVG_MARGIN;
    if (SVG_TEXT_W(strlen(subtitle), 12) + 2 * SVG_MARGIN > width)
        width = SVG_TEXT_W(strlen(subtitle), 12) + 2 * SVG_MARGIN;
    for (int g = 0; g < ng; g++) {
        char head[256];
        ncg_nodegroup_spec gs = nodegroup_at(v->cl, g);
        int n = nodegroup_nodes(v, g);
        snprintf(head, sizeof(head), "%s: %d x %s, $%.4f/h per node, $%.4f/h", gs.name, n, gs.type,
                 gs.usd_per_hour, n * gs.usd_per_hour);
        if (n && SVG_TEXT_W(strlen(head), 13) + 2 * SVG_MARGIN > width)
            width = SVG_TEXT_W(strlen(head), 13) + 2 * SVG_MARGIN;
    }
    for (int a = 0; a < na; a++) {
        int w = 18 + SVG_TEXT_W(strlen(v->api_in[a].name) + 24, 12);
        legend_w = w > legend_w ? w : legend_w;
        any_unplaced |= v->apis[a].unplaced > 0;
    }
    legend_w = legend_w < 220 ? 220 : legend_w;
    if (legend_w + 2 * SVG_MARGIN > width)
        width = legend_w + 2 * SVG_MARGIN;
    legend_cols = (width - 2 * SVG_MARGIN) / legend_w;
    legend_cols = legend_cols < 1 ? 1 : legend_cols;
    wrap = (size_t)((width - 2 * SVG_MARGIN - 20) / (12 * 0.62));
    /* height: title, legend (APIs, then the keys), groups with their rows, unschedulable lines */
    height = 60 + ((na + legend_cols - 1) / legend_cols) * SVG_LINE + SVG_LINE + 10;
    for (int g = 0; g < ng; g++)
        height += nodegroup_nodes(v, g) ? SVG_LINE + 8 : 0;
    height += nclasses * SVG_ROW;
    if (any_unplaced) {
        height += SVG_LINE + 10;
        for (int a = 0; a < na; a++)
            if (v->apis[a].unplaced > 0) {
                size_t len = strlen(v->api_in[a].name) + strlen(v->apis[a].reason) + 24;
                height += (int)((len + wrap - 1) / (wrap ? wrap : 1) + 1) * SVG_LINE;
            }
    }
    height += SVG_MARGIN;
    /* the body first, in memory, so that the canvas is exactly as tall as what is drawn */
    {
        FILE *body = open_memstream(&body_text, &body_len);
        if (body) {
            final = out;
            out = body;
        } else { /* no memory for that: the header now, with the height estimated above */
            svg_header(out, width, height);
        }
    }
    fprintf(out, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", SVG_MARGIN);
    xml_text(out, title);
    fprintf(out, "</text>\n<text x=\"%d\" y=\"40\" fill=\"#555\">", SVG_MARGIN);
    xml_text(out, subtitle);
    fputs("</text>\n", out);
    /* legend: every API with its color, placed/asked and unplaced */
    y = 62;
    for (int a = 0; a < na; a++) {
        int x = SVG_MARGIN + (a % legend_cols) * legend_w, ly = y + (a / legend_cols) * SVG_LINE;
        char line[128];
        api_color(a, color, sizeof(color));
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, ly - 10, color);
        if (a >= 12) /* the letter its cells carry */
            fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\" fill=\"%s\">%c</text>", x + 6,
                    ly - 1, (a / 12) % 3 == 1 ? "#fff" : "#000", api_letter(a));
        snprintf(line, sizeof(line), " %d/%d placed", v->apis[a].placed, v->apis[a].asked);
        fprintf(out, "<text x=\"%d\" y=\"%d\">", x + 18, ly);
        xml_text(out, v->api_in[a].name);
        fprintf(out, "%s", line);
        if (v->apis[a].unplaced > 0)
            fprintf(out, "<tspan fill=\"#d32f2f\" dx=\"7\">(%d unplaced)</tspan>", v->apis[a].unplaced);
        fputs("</text>\n", out);
    }
    y += ((na + legend_cols - 1) / legend_cols) * SVG_LINE;
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"#f2f2f2\" stroke=\"#333\"/>"
                 "<text x=\"%d\" y=\"%d\" fill=\"#555\">free core</text>\n", SVG_MARGIN, y - 10, SVG_MARGIN + 18, y);
    if (any_models)
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"24\" height=\"3\" fill=\"#455a64\"/>"
                     "<text x=\"%d\" y=\"%d\" fill=\"#555\">device memory in use (red: overcommitted)</text>\n",
                SVG_MARGIN + 110, y - 4, SVG_MARGIN + 140, y);
    if (any_cpu)
        fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"#777\"/><text x=\"%d\" y=\"%d\" fill=\"#555\">"
                     "CPU-only replica</text>\n", SVG_MARGIN + 496, y - 4, SVG_MARGIN + 506, y);
    y += SVG_LINE + 10;
    /* node groups, each with a header and its classes of nodes */
    for (int g = 0, k = 0; g < ng; g++) {
        ncg_nodegroup_spec gs = nodegroup_at(v->cl, g);
        int count = nodegroup_nodes(v, g), x0 = SVG_MARGIN + SVG_TEXT_W(label_chars, 12);
        if (!count)
            continue;
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">", SVG_MARGIN, y);
        xml_text(out, gs.name);
        fprintf(out, ": %d x ", count);
        xml_text(out, gs.type);
        {
            ncg_type t = NCG_INIT(ncg_type);
            ncg_nodegroup_spec ignored = NCG_INIT(ncg_nodegroup_spec);
            ncg_cluster_get_nodegroup(v->cl, g, &ignored, &t, NULL);
            if (t.chips > 0 && t.lnc > 0)
                fprintf(out, " (%d chips, %s, LNC=%d)", t.chips, ncg_topology_name(t.topology), t.lnc);
            else if (t.chips > 0)
                fprintf(out, " (%d chip%s, %s)", t.chips, t.chips == 1 ? "" : "s", ncg_topology_name(t.topology));
        }
        fprintf(out, ", $%.4f/h per node, $%.4f/h</text>\n", gs.usd_per_hour, count * gs.usd_per_hour);
        y += 8;
        for (; k < nclasses && nodes[classes[k]].group == g; k++) {
            const char *name = "";
            int n = nodes[classes[k]].node, owners[NCG_MAX_CORES], alloc_at[NCG_MAX_CORES], x, cpus;
            ncg_node_status st = NCG_INIT(ncg_node_status);
            const ncg_node *node = node_at(v->cl, n, &name, NULL);
            int64_t worst_used = 0, worst_cap = 0;
            core_owners(v, n, owners, &st);
            for (int c = 0; c < NCG_MAX_CORES; c++)
                alloc_at[c] = -1;
            for (size_t a = v->first[n]; a < v->first[n + 1]; a++) { /* which allocation holds each core */
                ncg_alloc al = NCG_INIT(ncg_alloc);
                ncg_node_get_alloc(node, v->ids[a], &al, NULL);
                for (int c = al.first_core; al.core_count > 0 && c < al.first_core + al.core_count; c++)
                    alloc_at[c] = (int)a;
            }
            fprintf(out, "<text x=\"%d\" y=\"%d\">", SVG_MARGIN, y + 15);
            xml_text(out, name);
            if (class_count[k] > 1)
                fprintf(out, "<tspan font-weight=\"bold\" dx=\"7\">x %d</tspan>", class_count[k]);
            fputs("</text>\n", out);
            for (int chip = 0; chip < st.chips; chip++) {
                ncg_chip_cache cc = NCG_INIT(ncg_chip_cache);
                char used_s[32], cap_s[32];
                double used;
                x = x0 + chip * (st.cores_per_chip * SVG_CORE_W + SVG_CHIP_GAP);
                ncg_node_get_chip_cache(node, chip, &cc, NULL);
                for (int c = 0; c < st.cores_per_chip; c++) {
                    int core = chip * st.cores_per_chip + c, w = owners[core];
                    if (w == -1)
                        snprintf(color, sizeof(color), "#f2f2f2");
                    else
                        api_color(w, color, sizeof(color));
                    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"%s\" stroke=\"#fff\">",
                            x + c * SVG_CORE_W, y + 3, SVG_CORE_W, color);
                    svg_core_title(v, node, w, alloc_at[core], core, out);
                    fputs("</rect>\n", out);
                    if (w >= 12) /* past the first band of colors, the API's letter too */
                        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"8\" text-anchor=\"middle\" fill=\"%s\" "
                                     "pointer-events=\"none\">%c</text>\n", x + c * SVG_CORE_W + SVG_CORE_W / 2, y + 14,
                                (w / 12) % 3 == 1 ? "#fff" : "#000", api_letter(w));
                }
                fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"none\" stroke=\"#333\"/>\n", x,
                        y + 3, st.cores_per_chip * SVG_CORE_W);
                if (!any_models)
                    continue;
                used = cc.capacity_bytes > 0 ? (double)(cc.used_bytes + cc.reserve_bytes) / (double)cc.capacity_bytes
                                             : 0;
                used = used > 1 ? 1 : used;
                svg_bytes(used_s, sizeof(used_s), cc.used_bytes + cc.reserve_bytes);
                svg_bytes(cap_s, sizeof(cap_s), cc.capacity_bytes);
                fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"3\" fill=\"#e0e0e0\"/>"
                             "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"3\" fill=\"%s\"><title>chip %d: %s of %s "
                             "device memory in use</title></rect>\n", x, y + 21, st.cores_per_chip * SVG_CORE_W, x,
                        y + 21, used * st.cores_per_chip * SVG_CORE_W, cc.free_bytes < 0 ? "#d32f2f" : "#455a64",
                        chip, used_s, cap_s);
                if (cc.used_bytes + cc.reserve_bytes > worst_used) {
                    worst_used = cc.used_bytes + cc.reserve_bytes;
                    worst_cap = cc.capacity_bytes;
                }
            }
            x = x0 + chips_w + 6;
            cpus = cpu_only(v, n, counts, na);
            if (cpus) {
                int drawn = 0;
                for (int a = 0; a <= na && drawn < 12; a++)
                    for (int r = 0; r < counts[a] && drawn < 12; r++, drawn++) {
                        if (a < na)
                            api_color(a, color, sizeof(color));
                        else
                            snprintf(color, sizeof(color), "#9e9e9e");
                        fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"><title>", x + 6 + drawn * 12,
                                y + 11, color);
                        if (a < na) {
                            xml_text(out, v->api_in[a].name);
                            fprintf(out, " (%c): ", api_letter(a));
                        }
                        fprintf(out, "a CPU-only replica</title></circle>\n");
                    }
                fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%d CPU-only</text>\n", x + 6 + drawn * 12,
                        y + 15, cpus);
                x += cpu_w;
            } else {
                x += cpu_w;
            }
            if (any_models && worst_cap > 0 && worst_used > 0) {
                char used_s[32], cap_s[32];
                svg_bytes(used_s, sizeof(used_s), worst_used);
                svg_bytes(cap_s, sizeof(cap_s), worst_cap);
                fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#555\">mem %s/%s</text>\n", x, y + 15, used_s, cap_s);
            }
            y += SVG_ROW;
        }
        y += SVG_LINE - 8;
    }
    /* what could not be placed, and why: every reason whole, wrapped */
    if (any_unplaced) {
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\" fill=\"#d32f2f\">unschedulable "
                     "replicas: %d</text>\n", SVG_MARGIN, y, v->sum.unplaced);
        y += SVG_LINE + 4;
        for (int a = 0; a < na; a++)
            if (v->apis[a].unplaced > 0) {
                char *line = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&line, &len);
                if (!f)
                    continue;
                fprintf(f, "%s: %d replicas: %s", v->api_in[a].name, v->apis[a].unplaced, v->apis[a].reason);
                fclose(f);
                api_color(a, color, sizeof(color));
                fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", SVG_MARGIN, y - 10,
                        color);
                y = svg_wrapped(out, SVG_MARGIN + 18, y, line, wrap, "");
                free(line);
                y += 4;
            }
    }
    if (final) {
        fclose(out);
        out = final;
        svg_header(out, width, y + SVG_MARGIN);
        if (body_text)
            fwrite(body_text, 1, body_len, out);
    }
    free(body_text);
    fprintf(out, "</svg>\n");
    for (int i = 0; i < nn; i++)
        free(nodes[i].key);
    free(nodes);
    free(classes);
    free(class_count);
    free(counts);
}

#define PLAN_USAGE                                                                                                  \
    "ncg plan [FILE...] [--cluster FILE] [--region R] [--catalog FILE] [--types T,...] [--example] "              \
    "[--replicas min|init|max|N[,min|init|max|N]] [-o text|json|yaml|svg|cortex-cluster] [--output-file F]"

/* One replica count of --replicas: NCG_CORTEX_REPLICAS_MIN/INIT/MAX or a count; INT_MIN when it is neither. */
static int replicas_value(const char *s, size_t len)
{
    char buf[16], *end;
    long n;
    if (len == 0 || len >= sizeof(buf))
        return INT_MIN;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (!strcmp(buf, "min"))
        return NCG_CORTEX_REPLICAS_MIN;
    if (!strcmp(buf, "init"))
        return NCG_CORTEX_REPLICAS_INIT;
    if (!strcmp(buf, "max"))
        return NCG_CORTEX_REPLICAS_MAX;
    n = strtol(buf, &end, 10);
    return *end || n < 0 || n > 10000000 || !(buf[0] >= '0' && buf[0] <= '9') ? INT_MIN : (int)n;
}

static const char *replicas_name(int which)
{
    return which == NCG_CORTEX_REPLICAS_MIN ? "min" : which == NCG_CORTEX_REPLICAS_INIT ? "init"
         : which == NCG_CORTEX_REPLICAS_MAX ? "max" : "count";
}

/* Nodes per node group of a solved plan (ng entries). */
static void group_counts(const ncg_plan *plan, int *counts, int ng)
{
    const ncg_cluster *cl = ncg_plan_get_cluster(plan);
    for (int g = 0; g < ng; g++)
        counts[g] = 0;
    for (int i = 0; i < ncg_cluster_node_count(cl); i++) {
        int g = -1;
        node_at(cl, i, NULL, &g);
        if (g >= 0 && g < ng)
            counts[g]++;
    }
}

/* A Cortex cluster file whose node groups' min_instances come from the first plan and max_instances from the
 * second (the larger of the two when the second plan needs fewer nodes of a group). From a cluster file (text, the
 * file's name in path), that file with only those two keys of the node groups the plans use changed; else (node
 * groups of --types) a file of those groups. 0, or 1 with the error printed. */
static int print_cortex_cluster(FILE *out, const ncg_cluster *cl, const char *region, const char *path, const char *text, const char *const *names,
                                const ncg_plan_summary *sums, const int *lo, const int *hi)
{
    int ng = ncg_cluster_nodegroup_count(cl), unused = 0, *max = calloc((size_t)ng + 1, sizeof(int));
    if (!max) {
        fprintf(stderr, "ncg: out of memory\n");
        return 1;
    }
    for (int g = 0; g < ng; g++)
        max[g] = hi[g] > lo[g] ? hi[g] : lo[g];
    fprintf(out, "# Cortex cluster configuration written by ncg plan (libncg %s)", ncg_version());
    if (text)
        fprintf(out, " from %s: only min_instances and\n# max_instances of the node groups the plans use "
                "changed; the input's comments are not kept.\n", path);
    else
        fprintf(out, ".\n");
    fprintf(out, "# min_instances: the %s plan, %d replicas on %d nodes, $%.4f/h (%s $%.4f/h)\n", names[0],
            sums[0].replicas, sums[0].nodes, sums[0].price_per_hour, sums[0].optimal ? "optimal; bound" : "lower bound",
            sums[0].lower_bound_per_hour);
    fprintf(out, "# max_instances: the %s plan, %d replicas on %d nodes, $%.4f/h (%s $%.4f/h)\n", names[1],
            sums[1].replicas, sums[1].nodes, sums[1].price_per_hour, sums[1].optimal ? "optimal; bound" : "lower bound",
            sums[1].lower_bound_per_hour);
    if (sums[0].unplaced || sums[1].unplaced)
        fprintf(out, "# warning: %d and %d replicas could not be placed (ncg plan shows why)\n", sums[0].unplaced,
                sums[1].unplaced);
    for (int g = 0; g < ng; g++) {
        ncg_nodegroup_spec s = nodegroup_at(cl, g);
        if (max[g] > s.max_nodes)
            fprintf(out, "# node group %s: max_instances %d is above the input's %d: the %s plan needs %d nodes\n",
                    s.name, max[g], s.max_nodes, names[1], hi[g]);
        unused += !lo[g] && !hi[g];
    }
    if (unused) {
        fprintf(out, "# node groups neither plan uses%s:", text ? " (unchanged)" : ", left out");
        for (int g = 0; g < ng; g++)
            if (!lo[g] && !hi[g])
                fprintf(out, " %s", nodegroup_at(cl, g).name);
        fprintf(out, "\n");
    }
    if (text) {
        int rc = cli_write_cluster_file(out, text, ng, lo, max);
        free(max);
        if (rc < 0)
            fprintf(stderr, "ncg: cannot rewrite %s as a cluster file (out of memory or a write error)\n", path);
        return rc < 0;
    }
    fprintf(out, "region: %s\nnode_groups:\n", region);
    for (int g = 0; g < ng; g++) {
        ncg_nodegroup_spec s = nodegroup_at(cl, g);
        if (max[g] == 0)
            continue;
        fprintf(out, "  - name: %s\n    instance_type: %s\n    min_instances: %d\n    max_instances: %d\n", s.name,
                s.type, lo[g], max[g]);
        if (s.priority != 1 && s.priority != 0)
            fprintf(out, "    priority: %d\n", s.priority);
    }
    free(max);
    return 0;
}

/* The node groups of cl with no max_instances (the max plan of -o cortex-cluster says how many nodes it needs);
 * NULL with the error printed. */
static ncg_cluster *uncapped(const ncg_cluster *cl, const ncg_catalog *cat)
{
    ncg_error e;
    ncg_cluster *u = ncg_cluster_new(0, &e);
    for (int g = 0; u && g < ncg_cluster_nodegroup_count(cl); g++) {
        ncg_nodegroup_spec s = nodegroup_at(cl, g);
        s.max_nodes = s.max_nodes > 1000000 ? s.max_nodes : 1000000;
        if (ncg_cluster_add_nodegroup(u, cat, &s, &e) < 0)
            u = ncg_cluster_free(u);
    }
    if (!u)
        cli_fail(&e);
    return u;
}

int cmd_plan(int argc, char **argv)
{
    static const struct option opts[] = {
        COMMON_OPTIONS, {"types", required_argument, NULL, OPT_TYPES}, {"replicas", required_argument, NULL, OPT_REPLICAS},
        {"format", required_argument, NULL, OPT_FORMAT}, {0}};
    static const char *const formats[] = {"text", "json", "yaml", "svg", "cortex-cluster", NULL};
    common_opts o = {.format = "text"};
    const char *types = NULL, *replicas = NULL, *format, *names[2], *region;
    ncg_cortex *cx = NULL;
    ncg_cortex_api *planned_apis = NULL;
    ncg_catalog *cat = NULL;
    ncg_cluster *cl = NULL, *cl_max = NULL;
    ncg_plan *plan = NULL;
    ncg_plan_summary sums[2];
    view v = {0};
    ncg_error err;
    FILE *out = stdout;
    int c, rc = 1, r, which[2], nplans, *counts = NULL;
    bool cluster_out;
    size_t planned;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        if (common_option(c, &o))
            continue;
        switch (c) {
        case OPT_TYPES: types = optarg; break;
        case OPT_REPLICAS: replicas = optarg; break;
        case OPT_FORMAT: o.format = optarg; break;
        case 'h':
            printf("usage: %s\n"
                   "Plan the nodes that run the replicas of Cortex APIs at the lowest price, with a lower bound on\n"
                   "the price of any plan, the NeuronCore Groups and env of every process, and what cannot be placed.\n\n"
                   "output formats (-o):\n"
                   "  text               nodes, one letter per NeuronCore; APIs, env, warnings (default)\n"
                   "  json, yaml         the whole plan, schema ncg-plan/1 (doc/json.md)\n"
                   "  svg                a picture of the nodes, identical nodes drawn once\n"
                   "  cortex-cluster     the --cluster file with only min_instances from the first plan of\n"
                   "                     --replicas and max_instances from the second changed (default\n"
                   "                     --replicas init,max; the second plan is not capped by max_instances)\n\n"
                   "options:\n" COMMON_HELP
                   "  --types T,...      without a cluster file, node groups of these types with no instance limit\n"
                   "                     (default: those of inf1.xlarge ... inf2.48xlarge priced in the region)\n"
                   "  --replicas A[,B]   which replicas of each API: min, init or max, or a count (default init);\n"
                   "                     two values plan twice (-o text or cortex-cluster)\n" COMMON_TRAILER "\n"
                   "examples:\n"
                   "  ncg plan --example -o svg --output-file plan.svg\n"
                   "  ncg plan cortex.yaml --cluster cluster.yaml -o cortex-cluster --output-file new-cluster.yaml\n",
                   PLAN_USAGE);
            return 0;
        default: return cli_usage(PLAN_USAGE, NULL);
        }
    }
    format = o.format;
    if (check_format(format, formats, PLAN_USAGE))
        return 2;
    cluster_out = !strcmp(format, "cortex-cluster");
    if (cluster_out && o.cluster && !strcmp(o.cluster, "-"))
        return cli_usage(PLAN_USAGE, "-o cortex-cluster rewrites the cluster file: give it by name, not as -");
    if (!replicas)
        replicas = cluster_out ? "init,max" : "init";
    {
        const char *comma = strchr(replicas, ',');
        nplans = comma ? 2 : 1;
        which[0] = replicas_value(replicas, comma ? (size_t)(comma - replicas) : strlen(replicas));
        which[1] = comma ? replicas_value(comma + 1, strlen(comma + 1)) : which[0];
        if (which[0] == INT_MIN || which[1] == INT_MIN)
            return cli_usage(PLAN_USAGE, "--replicas must be min, init, max or a count, or two of them: init,max");
        if (nplans == 2 && strcmp(format, "text") && !cluster_out)
            return cli_usage(PLAN_USAGE, "--replicas A,B plans twice: use -o text or -o cortex-cluster");
    }
    names[0] = replicas_name(which[0]);
    names[1] = replicas_name(which[1]);
    if (no_input(argv + optind, argc - optind, o.example))
        return cli_usage(PLAN_USAGE, NO_INPUT);
    if (!(cx = ncg_cortex_new(NCG_CORTEX_KEEP_GOING, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if ((r = read_inputs(cx, argv + optind, argc - optind, o.cluster, o.example, true)) == -1) {
        fprintf(stderr, "ncg: out of memory\n");
        goto out;
    }
    if (!(cat = cli_catalog(o.catalog, o.region ? o.region : ncg_cortex_get_region(cx))))
        goto out;
    region = o.region ? o.region : ncg_cortex_get_region(cx) ? ncg_cortex_get_region(cx) : "us-east-1";
    if (!(cl = build_cluster(cx, cat, types, region, true)))
        goto out;
    if (ncg_cortex_check(cx, cat, cl, &err) < 0) { /* the same checks and messages as validate */
        rc = cli_fail(&err);
        goto out;
    }
    if (cli_print_diagnostics(cx) || r < 0) {
        if (!strcmp(format, "json")) /* machine output of the problems: the document of validate -o json */
            print_validate_doc(cx, false);
        goto out;
    }
    if (check_prices(cl, region, ncg_cortex_nodegroup_count(cx) > 0))
        goto out;
    /* the APIs the plan places, in the order ncg_cortex_add_to_plan() adds them (TrafficSplitters place nothing) */
    planned_apis = calloc((size_t)ncg_cortex_api_count(cx) + 1, sizeof(*planned_apis));
    counts = calloc(2 * (size_t)ncg_cluster_nodegroup_count(cl) + 1, sizeof(int));
    if (!planned_apis || !counts) {
        fprintf(stderr, "ncg: out of memory\n");
        goto out;
    }
    planned = 0;
    for (int i = 0; i < ncg_cortex_api_count(cx); i++) {
        ncg_cortex_api a = NCG_INIT(ncg_cortex_api);
        ncg_cortex_get_api(cx, i, &a, NULL);
        if (!a.splitter && !a.invalid)
            planned_apis[planned++] = a;
    }
    if (o.output_file && !(out = fopen(o.output_file, "w"))) {
        fprintf(stderr, "ncg: cannot write %s: %s\n", o.output_file, strerror(errno));
        goto out;
    }
    rc = 0;
    if (cluster_out && nplans == 2 && !(cl_max = uncapped(cl, cat))) {
        rc = 1;
        goto out;
    }
    for (int k = 0; k < nplans; k++) {
        if (!(plan = ncg_plan_new(k && cl_max ? cl_max : cl, 0, &err)) ||
            ncg_cortex_add_to_plan(cx, plan, which[k], &err) < 0 ||
            ncg_plan_solve(plan, &err) < 0) {
            rc = cli_fail(&err);
            goto out;
        }
        v = (view){0};
        v.api_in = planned_apis;
        v.plan = plan;
        v.cl = ncg_plan_get_cluster(plan);
        v.sum = (ncg_plan_summary)NCG_INIT(ncg_plan_summary);
        ncg_plan_get_summary(plan, &v.sum, NULL);
        sums[k] = v.sum;
        if (v.sum.unplaced > 0)
            rc = 3;
        if (cluster_out) {
            group_counts(plan, counts + k * ncg_cluster_nodegroup_count(cl), ncg_cluster_nodegroup_count(cl));
        } else {
            if (build_view(&v, cat) < 0) {
                fprintf(stderr, "ncg: out of memory\n");
                rc = 1;
                goto out;
            }
            if (!strcmp(format, "json") || !strcmp(format, "yaml"))
                print_doc(&v, out, names[k], !strcmp(format, "yaml"));
            else if (!strcmp(format, "svg"))
                print_svg(&v, out);
            else {
                if (nplans == 2)
                    fprintf(out, "%s== %s replicas ==\n", k ? "\n" : "", names[k]);
                print_text(&v, out);
            }
            free_view(&v);
            v = (view){0};
        }
        plan = ncg_plan_free(plan);
    }
    if (cluster_out) {
        if (nplans == 1)
            sums[1] = sums[0];
        const char *path = o.cluster ? o.cluster : o.example ? "example/cluster.yaml" : NULL;
        char *text = o.cluster ? cli_slurp(o.cluster) : NULL;
        if ((o.cluster && !text) ||
            print_cortex_cluster(out, cl, region, path, o.cluster ? text : o.example ? cli_example_cluster : NULL,
                                 names, sums, counts, counts + (nplans == 2 ? ncg_cluster_nodegroup_count(cl) : 0)))
            rc = 1;
        free(text);
    }
out:
    if (out && out != stdout)
        fclose(out);
    free_view(&v);
    ncg_plan_free(plan);
    ncg_cluster_free(cl);
    ncg_cluster_free(cl_max);
    ncg_catalog_free(cat);
    ncg_cortex_free(cx);
    free(planned_apis);
    free(counts);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* ncg validate and ncg plan: Cortex files in, library calls, text / JSON / SVG out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const default_types[] = {"inf1.xlarge",  "inf1.2xlarge", "inf1.6xlarge",  "inf1.24xlarge",
                                            "inf2.xlarge",  "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge"};

/* The library's error, placed at the API and named by the field it concerns. */
static const char *field_of(int code)
{
    switch (code) {
    case NCG_E_PPR: return "processes_per_replica";
    case NCG_E_TOPOLOGY: return "compute.inf";
    case NCG_E_MODEL: return "ncg.models";
    case NCG_E_UNKNOWN_TYPE: return "node_groups";
    default: return "compute";
    }
}

static int print_errors(const cli_input *in)
{
    for (size_t i = 0; i < in->error_count; i++)
        fprintf(stderr, "%s\n", in->errors[i]);
    return in->error_count ? 1 : 0;
}

/* Read API files (or the bundled example when there are none) and the cluster file. */
static int read_inputs(cli_input *in, char **files, int nfiles, const char *cluster)
{
    for (int i = 0; i < nfiles; i++) {
        char *text = cli_slurp(in, files[i]);
        if (text && cli_read_apis(in, files[i], text) < 0)
            return -1;
        free(text);
    }
    if (nfiles == 0 && cli_read_apis(in, "example/apis.yaml", cli_example_apis) < 0)
        return -1;
    if (cluster) {
        char *text = cli_slurp(in, cluster);
        if (text && cli_read_cluster(in, cluster, text) < 0)
            return -1;
        free(text);
    } else if (nfiles == 0 && cli_read_cluster(in, "example/cluster.yaml", cli_example_cluster) < 0) {
        return -1;
    }
    return 0;
}

/* Node groups: from the cluster file, else one per type of --types (or the default inf1/inf2 types). */
static int build_cluster(cli_input *in, ncg_catalog *cat, ncg_cluster *cl, const char *types)
{
    if (in->group_count) {
        for (size_t i = 0; i < in->group_count; i++) {
            cli_group *g = &in->groups[i];
            ncg_group_spec s = {g->name, g->type, g->min_nodes, g->max_nodes, g->has_price, g->price};
            ncg_error e;
            if (ncg_cluster_add_group(cl, cat, &s, &e) < 0)
                cli_add_error(in, "cluster:%d:%d: node group %s: %s", g->line, g->column, g->name, e.message);
        }
        return 0;
    }
    if (types) {
        char *copy = strdup(types), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            ncg_group_spec s = {t, t, 0, 1000000, 0, 0};
            ncg_error e;
            if (ncg_cluster_add_group(cl, cat, &s, &e) < 0)
                cli_add_error(in, "--types: %s", e.message);
        }
        free(copy);
        return 0;
    }
    for (size_t i = 0; i < sizeof(default_types) / sizeof(default_types[0]); i++) {
        ncg_group_spec s = {default_types[i], default_types[i], 0, 1000000, 0, 0};
        ncg_cluster_add_group(cl, cat, &s, NULL);
    }
    return 0;
}

/* Cortex's checks for one API against the groups it may use: valid when one of them accepts it. */
static void check_api(cli_input *in, const ncg_catalog *cat, const ncg_cluster *cl, const cli_api *a)
{
    ncg_error first = {0}, e;
    int ngroups = ncg_cluster_group_count(cl);
    for (int g = 0; g < ngroups; g++) {
        ncg_group_spec s;
        bool allowed = a->group_count == 0;
        ncg_cluster_group_at(cl, g, &s, NULL, NULL);
        for (size_t k = 0; k < a->group_count; k++)
            allowed |= strcmp(a->groups[k], s.name) == 0;
        if (!allowed)
            continue;
        if (ncg_request_check(cat, s.type, &a->request, &e) >= 0)
            return;
        if (!first.code)
            first = e;
    }
    for (size_t k = 0; k < a->group_count; k++)
        if (ngroups && !first.code) {
            bool known = false;
            for (int g = 0; g < ngroups; g++) {
                ncg_group_spec s;
                ncg_cluster_group_at(cl, g, &s, NULL, NULL);
                known |= strcmp(a->groups[k], s.name) == 0;
            }
            if (!known) {
                cli_add_error(in, "%s:%d:%d: api %s: node_groups: unknown node group \"%s\"", a->file, a->line,
                              a->column, a->name, a->groups[k]);
                return;
            }
        }
    if (!first.code && ncg_request_check(cat, NULL, &a->request, &first) >= 0)
        return;
    cli_add_error(in, "%s:%d:%d: api %s: %s: %s", a->file, a->line, a->column, a->name, field_of(first.code),
                  first.message);
}

#define VALIDATE_USAGE "ncg validate FILE... [--cluster FILE] [--catalog FILE]"

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"cluster", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
                                         {"catalog", required_argument, NULL, 'C'}, {0}};
    const char *cluster = NULL, *catalog = NULL;
    cli_input in = {0};
    ncg_catalog *cat;
    ncg_cluster *cl;
    int c, rc;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'c')
            cluster = optarg;
        else if (c == 'C')
            catalog = optarg;
        else if (c == 'h')
            return printf("usage: %s\nCheck Cortex API files with Cortex's rules and messages.\n", VALIDATE_USAGE), 0;
        else
            return cli_usage(VALIDATE_USAGE, NULL);
    }
    if (optind == argc)
        return cli_usage(VALIDATE_USAGE, "give at least one API file");
    if (!(cat = cli_catalog(catalog)))
        return 1;
    cl = ncg_cluster_new(NULL);
    if (!cl || read_inputs(&in, argv + optind, argc - optind, cluster) < 0) {
        fprintf(stderr, "ncg: out of memory\n");
        return 1;
    }
    build_cluster(&in, cat, cl, NULL);
    if (!cluster) { /* without a cluster, against the whole catalog */
        ncg_cluster_free(cl);
        cl = ncg_cluster_new(NULL);
    }
    for (size_t i = 0; i < in.api_count; i++)
        if (!in.apis[i].invalid)
            check_api(&in, cat, cl, &in.apis[i]);
    rc = print_errors(&in);
    if (rc == 0)
        for (int i = optind; i < argc; i++) {
            size_t n = 0;
            for (size_t k = 0; k < in.api_count; k++)
                n += strcmp(in.apis[k].file, argv[i]) == 0;
            printf("%s: %zu API%s valid\n", argv[i], n, n == 1 ? "" : "s");
        }
    cli_input_free(&in);
    ncg_cluster_free(cl);
    ncg_catalog_free(cat);
    return rc;
}

/* ---- plan output ---- */

typedef struct api_view {
    int asked, placed;
    int node;              /* a placed replica, for the env shown; -1 if none */
    uint32_t alloc;
} api_view;

typedef struct view {
    const cli_input *in;
    const ncg_plan *plan;
    const ncg_cluster *cl;
    ncg_plan_summary sum;
    api_view *apis;
    int *owner;            /* per node, per alloc id: api index + 1 */
    int stride;
} view;

static int build_view(view *v)
{
    int nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan);
    v->stride = 1;
    for (int i = 0; i < nn; i++) {
        const ncg_node *n = ncg_cluster_node_at(v->cl, i, NULL, NULL, NULL);
        uint32_t ids[NCG_MAX_CORES + 64];
        int k = ncg_node_allocations(n, ids, sizeof(ids) / sizeof(ids[0]), NULL);
        for (int j = 0; j < k && j < (int)(sizeof(ids) / sizeof(ids[0])); j++)
            if ((int)ids[j] + 1 > v->stride)
                v->stride = (int)ids[j] + 1;
    }
    v->owner = calloc((size_t)(nn ? nn : 1) * (size_t)v->stride, sizeof(int));
    v->apis = calloc((size_t)(na ? na : 1), sizeof(api_view));
    if (!v->owner || !v->apis)
        return -1;
    for (int a = 0; a < na; a++)
        v->apis[a].node = -1;
    for (int i = 0; i < ncg_plan_replica_count(v->plan); i++) {
        ncg_plan_replica r;
        ncg_plan_replica_at(v->plan, i, &r, NULL);
        v->apis[r.api].asked++;
        if (r.node < 0)
            continue;
        v->apis[r.api].placed++;
        if (v->apis[r.api].node < 0) {
            v->apis[r.api].node = r.node;
            v->apis[r.api].alloc = r.alloc_id;
        }
        if (r.alloc_id < (uint32_t)v->stride)
            v->owner[(size_t)r.node * (size_t)v->stride + r.alloc_id] = r.api + 1;
    }
    return 0;
}

static int owner_of(const view *v, int node, uint32_t id)
{
    return id < (uint32_t)v->stride ? v->owner[(size_t)node * (size_t)v->stride + id] - 1 : -1;
}

static char api_letter(int api)
{
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return api < 0 ? '#' : letters[api % (int)(sizeof(letters) - 1)];
}

/* Per core of a node: the API holding it (-1 free, -2 an allocation the plan did not make). */
static int core_owners(const view *v, int node, int *owners, ncg_node_status *st)
{
    const ncg_node *n = ncg_cluster_node_at(v->cl, node, NULL, NULL, NULL);
    uint32_t ids[NCG_MAX_CORES + 64];
    int count, total;
    ncg_node_status_get(n, st, NULL);
    total = st->chips * st->cores_per_chip;
    for (int c = 0; c < total; c++)
        owners[c] = -1;
    count = ncg_node_allocations(n, ids, sizeof(ids) / sizeof(ids[0]), NULL);
    for (int k = 0; k < count && k < (int)(sizeof(ids) / sizeof(ids[0])); k++) {
        ncg_alloc a;
        int who = owner_of(v, node, ids[k]);
        ncg_node_alloc_info(n, ids[k], &a, NULL);
        for (int c = a.first_core; a.core_count > 0 && c < a.first_core + a.core_count; c++)
            owners[c] = who < 0 ? -2 : who;
    }
    return total;
}

static void chip_map(const view *v, int node, char *buf, size_t size)
{
    int owners[NCG_MAX_CORES], o = 0;
    ncg_node_status st;
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

static int group_nodes(const view *v, int g)
{
    int count = 0;
    for (int i = 0; i < ncg_cluster_node_count(v->cl); i++) {
        int grp;
        ncg_cluster_node_at(v->cl, i, NULL, &grp, NULL);
        count += grp == g;
    }
    return count;
}

/* Cache warnings of an API: the advice of the library for its first placed replica's type. */
static void api_advice(const view *v, const ncg_catalog *cat, int a, char *buf, size_t size)
{
    buf[0] = '\0';
    if (v->apis[a].node >= 0)
        ncg_request_advice(cat, ncg_node_type(ncg_cluster_node_at(v->cl, v->apis[a].node, NULL, NULL, NULL)),
                           &v->in->apis[a].request, buf, size, NULL);
}

static void print_text(const view *v, const ncg_catalog *cat, FILE *out)
{
    int ng = ncg_cluster_group_count(v->cl), nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan);
    const ncg_plan_summary *s = &v->sum;
    fprintf(out, "plan: %d nodes, %d of %d replicas placed\n", s->nodes, s->placed, s->replicas);
    fprintf(out, "price: $%.4f/h   lower bound: $%.4f/h   gap: at most %.2f%%\n", s->price_per_hour,
            s->lower_bound_per_hour, s->gap * 100);
    if (s->unpriced_nodes)
        fprintf(out, "note: %d nodes have no known price and count as $0\n", s->unpriced_nodes);
    fprintf(out, "\nnode groups:\n");
    for (int g = 0; g < ng; g++) {
        ncg_group_spec gs;
        int count = group_nodes(v, g);
        ncg_cluster_group_at(v->cl, g, &gs, NULL, NULL);
        if (count)
            fprintf(out, "  %-20s %-15s %5d nodes  $%.4f/h\n", gs.name, gs.type, count, count * gs.usd_per_hour);
    }
    fprintf(out, "\nnodes (one letter per NeuronCore, one [...] per chip, '.' free):\n");
    for (int i = 0; i < nn; i++) {
        const char *name;
        char map[NCG_MAX_CORES * 3];
        ncg_node_status st;
        const ncg_node *n = ncg_cluster_node_at(v->cl, i, &name, NULL, NULL);
        ncg_node_status_get(n, &st, NULL);
        chip_map(v, i, map, sizeof(map));
        fprintf(out, "  %-24s %-15s %s  largest free window %d\n", name, ncg_node_type(n), map, st.largest_window);
    }
    fprintf(out, "\napis:\n");
    for (int a = 0; a < na; a++) {
        const cli_api *ap = &v->in->apis[a];
        const api_view *av = &v->apis[a];
        char advice[2048];
        fprintf(out, "  %c %s: %d/%d replicas placed, inf %lld, ppr %lld, %d more fit\n", api_letter(a), ap->name,
                av->placed, av->asked, (long long)ap->request.inf, (long long)ap->request.ppr,
                ncg_plan_headroom(v->plan, a, NULL));
        if (av->node >= 0) {
            const ncg_node *n = ncg_cluster_node_at(v->cl, av->node, NULL, NULL, NULL);
            ncg_alloc al;
            ncg_node_alloc_info(n, av->alloc, &al, NULL);
            if (al.core_count > 0) {
                ncg_env env;
                ncg_node_env(n, av->alloc, 0, &env, NULL);
                fprintf(out, "      NCG size %d; first replica: AWS_NEURON_VISIBLE_DEVICES=%s", al.ncg_size,
                        env.visible_devices);
                for (int p = 0; p < al.ppr; p++) {
                    ncg_node_env(n, av->alloc, p, &env, NULL);
                    fprintf(out, " NEURON_RT_VISIBLE_CORES[%d]=%s", p, env.visible_cores);
                }
                fprintf(out, " NEURONCORE_GROUP_SIZES=%d\n", al.ncg_size);
            }
        }
        api_advice(v, cat, a, advice, sizeof(advice));
        for (char *line = advice; *line;) {
            char *next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            fprintf(out, "      warning: %s\n", line);
            line = next ? next : line + strlen(line);
        }
    }
    if (s->unplaced) {
        fprintf(out, "\nunschedulable:\n");
        for (int a = 0; a < na; a++) {
            char reason[NCG_MESSAGE_MAX];
            int n = ncg_plan_unplaced(v->plan, a, reason, sizeof(reason), NULL);
            if (n > 0)
                fprintf(out, "  %s: %d replicas: %s\n", v->in->apis[a].name, n, reason);
        }
    }
}

static json_t *plan_json(const view *v, const ncg_catalog *cat)
{
    json_t *doc = json_object(), *nodes = json_array(), *unsched = json_array(), *apis = json_array(),
           *groups = json_array();
    const ncg_plan_summary *s = &v->sum;
    int nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan);
    json_object_set_new(doc, "price_per_hour", json_real(s->price_per_hour));
    json_object_set_new(doc, "lower_bound_per_hour", json_real(s->lower_bound_per_hour));
    json_object_set_new(doc, "gap", json_real(s->gap));
    json_object_set_new(doc, "replicas", json_integer(s->replicas));
    json_object_set_new(doc, "placed", json_integer(s->placed));
    for (int g = 0; g < ncg_cluster_group_count(v->cl); g++) {
        ncg_group_spec gs;
        ncg_cluster_group_at(v->cl, g, &gs, NULL, NULL);
        json_array_append_new(groups, json_pack("{s:s, s:s, s:i, s:f}", "name", gs.name, "type", gs.type, "nodes",
                                                group_nodes(v, g), "usd_per_hour", gs.usd_per_hour));
    }
    json_object_set_new(doc, "node_groups", groups);
    for (int i = 0; i < nn; i++) {
        const char *name;
        int grp;
        const ncg_node *n = ncg_cluster_node_at(v->cl, i, &name, &grp, NULL);
        ncg_group_spec gs;
        ncg_node_status st;
        uint32_t ids[NCG_MAX_CORES + 64];
        int count = ncg_node_allocations(n, ids, sizeof(ids) / sizeof(ids[0]), NULL);
        json_t *node = json_object(), *reps = json_array(), *cache = json_array();
        ncg_cluster_group_at(v->cl, grp, &gs, NULL, NULL);
        ncg_node_status_get(n, &st, NULL);
        json_object_set_new(node, "name", json_string(name));
        json_object_set_new(node, "type", json_string(ncg_node_type(n)));
        json_object_set_new(node, "group", json_string(gs.name));
        json_object_set_new(node, "usd_per_hour", json_real(gs.usd_per_hour));
        json_object_set_new(node, "largest_free_window", json_integer(st.largest_window));
        for (int k = 0; k < count && k < (int)(sizeof(ids) / sizeof(ids[0])); k++) {
            ncg_alloc a;
            ncg_group grs[NCG_MAX_CORES];
            int who = owner_of(v, i, ids[k]), ng;
            json_t *r = json_object(), *chips = json_array(), *gl = json_array();
            ncg_env env;
            ncg_node_alloc_info(n, ids[k], &a, NULL);
            json_object_set_new(r, "api", who >= 0 ? json_string(v->in->apis[who].name) : json_null());
            for (int c = a.first_chip; a.core_count > 0 && c < a.first_chip + a.chip_count; c++)
                json_array_append_new(chips, json_integer(c));
            json_object_set_new(r, "chips", chips);
            ng = ncg_node_groups(n, ids[k], grs, NCG_MAX_CORES, NULL);
            for (int p = 0; p < ng; p++) {
                ncg_group_cache gc;
                ncg_node_env(n, ids[k], p, &env, NULL);
                ncg_node_group_cache(n, ids[k], p, &gc, NULL, 0, NULL);
                json_array_append_new(gl, json_pack("{s:s, s:i, s:s}", "cores", env.visible_cores, "size",
                                                    grs[p].core_count, "cache", ncg_cache_state_name(gc.state)));
            }
            json_object_set_new(r, "groups", gl);
            if (ng > 0)
                json_object_set_new(r, "env", json_pack("{s:s}", "AWS_NEURON_VISIBLE_DEVICES", env.visible_devices));
            json_object_set_new(r, "cpu_milli", json_integer(a.cpu_milli));
            json_object_set_new(r, "memory_bytes", json_integer(a.memory_bytes));
            json_array_append_new(reps, r);
        }
        for (int c = 0; c < st.chips; c++) {
            ncg_chip_cache cc;
            ncg_node_chip_cache(n, c, &cc, NULL);
            json_array_append_new(cache, json_pack("{s:I, s:I, s:I}", "capacity_bytes", (json_int_t)cc.capacity_bytes,
                                                   "used_bytes", (json_int_t)cc.used_bytes, "free_bytes",
                                                   (json_int_t)cc.free_bytes));
        }
        json_object_set_new(node, "replicas", reps);
        json_object_set_new(node, "device_memory", cache);
        json_array_append_new(nodes, node);
    }
    json_object_set_new(doc, "nodes", nodes);
    for (int a = 0; a < na; a++) {
        char reason[NCG_MESSAGE_MAX], advice[2048];
        int n = ncg_plan_unplaced(v->plan, a, reason, sizeof(reason), NULL);
        json_t *warn = json_array();
        if (n > 0)
            json_array_append_new(unsched, json_pack("{s:s, s:i, s:s}", "api", v->in->apis[a].name, "replicas", n,
                                                     "reason", reason));
        api_advice(v, cat, a, advice, sizeof(advice));
        for (char *line = advice; *line;) {
            char *next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            json_array_append_new(warn, json_string(line));
            line = next ? next : line + strlen(line);
        }
        json_array_append_new(apis, json_pack("{s:s, s:i, s:i, s:I, s:I, s:i, s:o}", "name", v->in->apis[a].name,
                                              "replicas", v->apis[a].asked, "placed", v->apis[a].placed, "inf",
                                              (json_int_t)v->in->apis[a].request.inf, "ppr",
                                              (json_int_t)v->in->apis[a].request.ppr, "headroom",
                                              ncg_plan_headroom(v->plan, a, NULL), "warnings", warn));
    }
    json_object_set_new(doc, "apis", apis);
    json_object_set_new(doc, "unschedulable", unsched);
    return doc;
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
    /* golden-angle hues: neighbours differ, the same API always has the same color */
    snprintf(buf, size, "hsl(%d,65%%,55%%)", (api * 137) % 360);
}

static void print_svg(const view *v, FILE *out)
{
    const int row = 28, label = 230, core_w = 9, chip_gap = 4, top = 60;
    int nn = ncg_cluster_node_count(v->cl), na = ncg_plan_api_count(v->plan), width = 0, height;
    for (int i = 0; i < nn; i++) {
        ncg_node_status st;
        int w;
        ncg_node_status_get(ncg_cluster_node_at(v->cl, i, NULL, NULL, NULL), &st, NULL);
        w = label + st.chips * (st.cores_per_chip * core_w + chip_gap) + 20;
        width = w > width ? w : width;
    }
    width = width < 640 ? 640 : width;
    height = top + nn * row + 40 + ((na + 2) / 3) * 20 + 20;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"monospace\" font-size=\"12\">\n", width, height, width, height);
    fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(out, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%d nodes, $%.4f/h (lower bound "
                 "$%.4f/h, gap at most %.2f%%), %d of %d replicas placed</text>\n", v->sum.nodes,
            v->sum.price_per_hour, v->sum.lower_bound_per_hour, v->sum.gap * 100, v->sum.placed, v->sum.replicas);
    fprintf(out, "<text x=\"10\" y=\"42\" fill=\"#555\">one box per chip, split into NeuronCores, colored by API; the bar "
                 "under each chip is its device memory in use</text>\n");
    for (int i = 0; i < nn; i++) {
        const char *name;
        int owners[NCG_MAX_CORES], grp, y = top + i * row;
        ncg_node_status st;
        ncg_group_spec gs;
        const ncg_node *n = ncg_cluster_node_at(v->cl, i, &name, &grp, NULL);
        ncg_cluster_group_at(v->cl, grp, &gs, NULL, NULL);
        core_owners(v, i, owners, &st);
        fprintf(out, "<text x=\"10\" y=\"%d\">", y + 14);
        xml_text(out, name);
        fprintf(out, " $%.3f</text>\n", gs.usd_per_hour);
        for (int chip = 0; chip < st.chips; chip++) {
            int x = label + chip * (st.cores_per_chip * core_w + chip_gap);
            ncg_chip_cache cc;
            double used;
            ncg_node_chip_cache(n, chip, &cc, NULL);
            for (int c = 0; c < st.cores_per_chip; c++) {
                int w = owners[chip * st.cores_per_chip + c];
                char color[32];
                if (w == -1)
                    snprintf(color, sizeof(color), "#f2f2f2");
                else
                    api_color(w, color, sizeof(color));
                fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"%s\" stroke=\"#fff\"/>\n",
                        x + c * core_w, y + 2, core_w, color);
            }
            fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"none\" stroke=\"#333\"/>\n", x,
                    y + 2, st.cores_per_chip * core_w);
            used = cc.capacity_bytes > 0 ? (double)(cc.used_bytes + cc.reserve_bytes) / (double)cc.capacity_bytes : 0;
            if (used > 1)
                used = 1;
            fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"3\" fill=\"%s\"><title>chip %d: %lld of %lld "
                         "bytes of device memory in use</title></rect>\n", x, y + 20,
                    used * st.cores_per_chip * core_w, cc.free_bytes < 0 ? "#d32f2f" : "#455a64", chip,
                    (long long)(cc.used_bytes + cc.reserve_bytes), (long long)cc.capacity_bytes);
        }
    }
    for (int a = 0; a < na; a++) {
        int x = 10 + (a % 3) * 300, y = top + nn * row + 30 + (a / 3) * 20;
        char color[32];
        api_color(a, color, sizeof(color));
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y - 10, color);
        fprintf(out, "<text x=\"%d\" y=\"%d\">", x + 18, y);
        xml_text(out, v->in->apis[a].name);
        fprintf(out, " (%d/%d)</text>\n", v->apis[a].placed, v->apis[a].asked);
    }
    fprintf(out, "</svg>\n");
}

#define PLAN_USAGE                                                                                                  \
    "ncg plan [FILE...] [--cluster FILE] [--catalog FILE] [--types T,...] [--replicas min|init|max|N] "            \
    "[--format text|json|svg] [-o OUT]"

int cmd_plan(int argc, char **argv)
{
    static const struct option opts[] = {
        {"cluster", required_argument, NULL, 'c'}, {"types", required_argument, NULL, 't'},
        {"replicas", required_argument, NULL, 'r'}, {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},  {"help", no_argument, NULL, 'h'},
        {"catalog", required_argument, NULL, 'C'}, {0}};
    const char *catalog = NULL, *cluster = NULL, *types = NULL, *replicas = "init", *format = "text", *output = NULL;
    cli_input in = {0};
    ncg_catalog *cat = NULL;
    ncg_cluster *cl = NULL;
    ncg_plan *plan = NULL;
    view v = {0};
    ncg_error err;
    FILE *out = stdout;
    int c, rc = 1;
    long fixed = -1;

    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cluster = optarg; break;
        case 't': types = optarg; break;
        case 'r': replicas = optarg; break;
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 'C': catalog = optarg; break;
        case 'h':
            printf("usage: %s\nPlan the nodes to run the replicas of Cortex APIs, at the lowest price, with a lower "
                   "bound on any plan's price.\nWithout FILE, plans the bundled example cluster.\n", PLAN_USAGE);
            return 0;
        default: return cli_usage(PLAN_USAGE, NULL);
        }
    }
    if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "svg"))
        return cli_usage(PLAN_USAGE, "--format must be text, json or svg");
    if (strcmp(replicas, "min") && strcmp(replicas, "init") && strcmp(replicas, "max")) {
        char *end;
        fixed = strtol(replicas, &end, 10);
        if (*end || end == replicas || fixed < 0 || fixed > 10000000)
            return cli_usage(PLAN_USAGE, "--replicas must be min, init, max or a count");
    }
    if (!(cat = cli_catalog(catalog)))
        goto out;
    if (!(cl = ncg_cluster_new(&err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (read_inputs(&in, argv + optind, argc - optind, cluster) < 0)
        goto out;
    if (in.error_count == 0)
        build_cluster(&in, cat, cl, types);
    if (in.error_count == 0 && !(plan = ncg_plan_new(cl, &err)))
        cli_add_error(&in, "ncg: %s", err.message);
    for (size_t i = 0; plan && i < in.api_count && in.error_count == 0; i++) {
        cli_api *a = &in.apis[i];
        ncg_api_spec s = {a->name, a->request, 0, (const char *const *)a->groups, a->group_count, 0};
        s.replicas = fixed >= 0 ? (int)fixed : !strcmp(replicas, "min") ? a->min_replicas
                                             : !strcmp(replicas, "max") ? a->max_replicas
                                                                        : a->init_replicas;
        if (ncg_plan_add_api(plan, &s, &err) < 0)
            cli_add_error(&in, "%s:%d:%d: api %s: %s: %s", a->file, a->line, a->column, a->name,
                          err.code == NCG_E_NOT_FOUND ? "node_groups" : "compute", err.message);
    }
    if (print_errors(&in))
        goto out;
    if (ncg_plan_solve(plan, &err) < 0) {
        rc = cli_fail(&err);
        goto out;
    }
    v.in = &in;
    v.plan = plan;
    v.cl = ncg_plan_cluster(plan);
    ncg_plan_get_summary(plan, &v.sum, NULL);
    if (build_view(&v) < 0) {
        fprintf(stderr, "ncg: out of memory\n");
        goto out;
    }
    if (output && !(out = fopen(output, "w"))) {
        fprintf(stderr, "ncg: cannot write %s\n", output);
        goto out;
    }
    if (!strcmp(format, "json")) {
        json_t *doc = plan_json(&v, cat);
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(doc);
        if (text) {
            fprintf(out, "%s\n", text);
            free(text);
        }
    } else if (!strcmp(format, "svg")) {
        print_svg(&v, out);
    } else {
        print_text(&v, cat, out);
    }
    rc = 0;
out:
    if (out && out != stdout)
        fclose(out);
    free(v.apis);
    free(v.owner);
    ncg_plan_free(plan);
    ncg_cluster_free(cl);
    ncg_catalog_free(cat);
    cli_input_free(&in);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Shared declarations of the ncg tool. */
#ifndef NCG_CLI_H
#define NCG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <ncg.h>

/* One API read from a Cortex API file, plus our optional `ncg:` section. */
typedef struct cli_api {
    char *file;
    char *name;
    int line, column;                /* of the API's mapping */
    ncg_request request;
    ncg_model *models;               /* from `ncg: models:`, each one sized */
    size_t model_count;
    int cortex_models;               /* models named by predictor.models (multi-model endpoints) */
    int min_replicas, max_replicas, init_replicas;
    char **nodegroups;               /* compute.node_groups / node_groups */
    size_t nodegroup_count;
    bool invalid;                    /* a field could not be read (the error is in cli_input.errors) */
    bool splitter;                   /* kind: TrafficSplitter: routes to other APIs, runs no replicas itself */
    struct cli_backend {
        char *name;
        int weight, line, column;
        bool shadow;
    } *backends;                     /* a TrafficSplitter's apis */
    size_t backend_count;
    char *kind;                      /* as written; NULL when absent */
} cli_api;

typedef struct cli_nodegroup {
    char *file, *name, *type;
    int min_nodes, max_nodes;
    int has_price;
    double price;
    int priority;                    /* Cortex v0.38+: 1..100, default 1; higher is tried first */
    int line, column;                /* of the node group */
    int type_line, type_column;      /* of its instance_type */
} cli_nodegroup;

/* Everything read from the command line's files; errors are collected as lines, not printed. */
typedef struct cli_input {
    cli_api *apis;
    size_t api_count;
    cli_nodegroup *nodegroups;
    size_t nodegroup_count;
    char **errors;
    size_t error_count;
    char **files;                    /* the files read, in order: errors are printed in file and line order */
    size_t file_count;
    char *region;                    /* the cluster file's `region`, NULL if it has none */
} cli_input;

/* Read Cortex API files (a YAML list of APIs each) and append to in. Returns 0, or -1 out of memory. */
int cli_read_apis(cli_input *in, const char *path, const char *text);
/* Read a Cortex cluster file (instance_type... or node_groups: [...]). */
int cli_read_cluster(cli_input *in, const char *path, const char *text);
/* Apply a catalog override file (add or replace instance types and prices) to catalog. */
int cli_read_catalog(cli_input *in, const char *path, const char *text, ncg_catalog *catalog);
/* The built-in catalog of a region (NULL: us-east-1) with the override file applied (path may be NULL); NULL
 * after printing the errors. */
ncg_catalog *cli_catalog(const char *path, const char *region);
/* The catalog type nearest to name by edit distance (at most 2 edits), or NULL. */
const char *cli_suggest_type(const ncg_catalog *catalog, const char *name);
/* The end of an unknown-type message: the region, the nearest name, where to find and add types. */
void cli_type_hint(const ncg_catalog *catalog, const char *name, const char *region, char *buf, size_t size);
/* Read a whole file ("-": standard input) into memory; NULL and an error line on failure. */
char *cli_slurp(cli_input *in, const char *path);
void cli_add_error(cli_input *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_input_free(cli_input *in);

int cli_fail(const ncg_error *err);
/* The advice of ncg_request_advice() as a malloc'd string ("" when there is none); NULL with err set on failure. */
char *cli_advice(const ncg_catalog *catalog, const char *type, const ncg_request *request, ncg_error *err);
int cli_usage(const char *usage, const char *problem);
int cli_print_json(json_t *doc);

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);

/* Bundled example (examples/cortex/), embedded at build time. */
extern const char cli_example_apis[];
extern const char cli_example_cluster[];

#endif

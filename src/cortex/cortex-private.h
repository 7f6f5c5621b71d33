/* SPDX-License-Identifier: Apache-2.0 */
/* The layout of the reader handle, shared by reader.c (YAML) and cortex.c (the public calls). */
#ifndef NCG_CORTEX_PRIVATE_H
#define NCG_CORTEX_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ncg-cortex.h>

#if defined(__GNUC__)
#define CX_EXPORT __attribute__((visibility("default")))
#define CX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CX_EXPORT
#define CX_PRINTF(a, b)
#endif

typedef struct cx_backend {
    char *name;
    int weight, line, column;
    bool shadow;
} cx_backend;

typedef struct cx_api {
    char *file, *name, *kind;        /* kind NULL when absent */
    int line, column;                /* of the API's mapping */
    ncg_request request;
    ncg_model *models;               /* from `ncg: models:` */
    size_t model_count;
    int min_replicas, max_replicas, init_replicas, max_per_node;
    int cortex_models;               /* models named by predictor.models (multi-model endpoints) */
    char **nodegroups;
    size_t nodegroup_count;
    bool invalid, splitter, overflowed;
    cx_backend *backends;
    size_t backend_count;
} cx_api;

typedef struct cx_nodegroup {
    char *file, *name, *type;
    int min_nodes, max_nodes, priority, has_price, spot, lnc;
    double price;
    int line, column, type_line, type_column;
} cx_nodegroup;

typedef struct cx_diag {
    char *message;
    char *field;                     /* NULL when none */
    size_t file;                     /* index in files; file_count when it has none */
    long line, column;
    size_t seq;                      /* order of arrival, the last key of the sort */
    bool warning;
} cx_diag;

struct ncg_cortex {
    unsigned flags;
    cx_api *apis;
    size_t api_count, api_cap;
    cx_nodegroup *nodegroups;
    size_t nodegroup_count, nodegroup_cap;
    /* The APIs by name: an open-addressing table of 1 + index into apis (0: empty). Slots that a rollback left
     * past api_count, or naming another API since, are skipped by the lookups (every hit compares the name). */
    size_t *names;
    size_t names_cap, names_slots; /* slots in use, stale ones included */
    bool names_broken;             /* an API could not be indexed (out of memory): the lookups scan */
    cx_diag *diags;
    size_t diag_count, diag_cap, diag_seq, error_count;
    char **files;
    size_t file_count;
    char *region;
    bool nomem;                      /* a diagnostic could not be recorded */
};

/* Append a diagnostic at a position of the current file (line 0: none). false out of memory. */
bool cx_diag_add(ncg_cortex *c, size_t file, long line, long column, bool warning, const char *fmt, ...)
    CX_PRINTF(6, 7);
/* The same, about a field (copied; NULL: none). */
bool cx_diag_add_field(ncg_cortex *c, size_t file, long line, long column, bool warning, const char *field,
                       const char *fmt, ...) CX_PRINTF(7, 8);
/* Load one file: its kind selects the reader. Returns the count or a negative code, following the modes. */
enum cx_kind { CX_APIS, CX_CLUSTER, CX_CATALOG };
int cx_load(ncg_cortex *c, enum cx_kind kind, ncg_catalog *catalog, const char *path, const char *text,
            ncg_error *err);
void cx_api_clear(cx_api *a);
void cx_nodegroup_clear(cx_nodegroup *g);
char *cx_dup(const char *s);
/* Make room for need elements of size bytes in *array (capacity *cap), growing it geometrically; false out of
 * memory (the array unchanged). */
bool cx_grow(void *array, size_t *cap, size_t need, size_t size);
/* The index of the API named name, or -1 (the name index, kept in ncg_cortex.names). */
long cx_api_find(const ncg_cortex *c, const char *name);
/* Index API i (its name), after it is appended; false out of memory (the API stays; the lookups scan until the
 * table can be rebuilt). */
bool cx_api_index(ncg_cortex *c, size_t i);
int cx_fail(ncg_error *err, int code, const char *fmt, ...) CX_PRINTF(3, 4);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file ncg-cortex.h
 * @brief libncg-cortex: Cortex API, cluster and catalog files read with libyaml, turned into libncg objects.
 *
 * The reader that `ncg validate` and `ncg plan` use, as a library for other programs (the Python binding loads
 * it with ctypes). It follows the conventions of ncg.h: an opaque handle, `int` returns with negative
 * ::ncg_status codes, an optional ::ncg_error last, sized structs (NCG_INIT), a failed call changes nothing, and
 * it never prints, exits or reads the environment. Every message starts with `FILE:LINE:COLUMN: ` (1-based).
 * Thread safety as in ncg.h: functions taking the handle `const` may run at once on one handle; the others need
 * one thread at a time. Strings and pointers it gives are valid until the handle is freed.
 *
 * Two modes, chosen at ncg_cortex_new():
 * - strict (flags 0): a file with any problem is refused as a whole: the call fails with the first problem (in
 *   line order) in @p err, and the handle is left exactly as it was.
 * - ::NCG_CORTEX_KEEP_GOING, as a compiler does: every problem of every file is recorded as a diagnostic
 *   (ncg_cortex_get_diagnostic(), in file, line and column order), the APIs that could not be read are kept
 *   with `invalid` set, and the loading calls fail only for bad arguments, unreadable files and out of memory.
 *
 * Limits (::NCG_CORTEX_MAX_FILE_BYTES, ::NCG_CORTEX_MAX_DEPTH, ::NCG_CORTEX_MAX_ALIASES,
 * ::NCG_CORTEX_MAX_NODES) bound the time and
 * memory one file can take; a file beyond one of them is refused with a message naming the file and line.
 */
#ifndef NCG_CORTEX_H
#define NCG_CORTEX_H

#include <ncg.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest file (or string) the loaders accept, in bytes (16 MiB). */
#define NCG_CORTEX_MAX_FILE_BYTES (16L * 1024 * 1024)
/** Deepest nesting of YAML sequences and mappings the loaders accept. */
#define NCG_CORTEX_MAX_DEPTH 64
/** Most YAML aliases (`*name`) one file may use. */
#define NCG_CORTEX_MAX_ALIASES 256
/** Most YAML nodes one file may hold, counting each alias as the nodes it stands for ("billion laughs"). */
#define NCG_CORTEX_MAX_NODES 1000000

/** Flags of ncg_cortex_new(). */
enum {
    NCG_CORTEX_KEEP_GOING = 1u << 0 /**< record problems as diagnostics and go on (see the file comment) */
};

/** Which replica count of each API ncg_cortex_add_to_plan() plans (a count >= 0 is taken as it is). */
enum {
    NCG_CORTEX_REPLICAS_MIN = -1,  /**< autoscaling.min_replicas */
    NCG_CORTEX_REPLICAS_INIT = -2, /**< autoscaling.init_replicas (Cortex's default: min_replicas) */
    NCG_CORTEX_REPLICAS_MAX = -3   /**< autoscaling.max_replicas */
};

typedef struct ncg_cortex ncg_cortex;

/** One API of an API file. Sized (NCG_INIT). Pointers are valid until the handle is freed. */
typedef struct ncg_cortex_api {
    uint32_t size;                 /**< sizeof(ncg_cortex_api), set by the caller */
    const char *name;
    const char *kind;              /**< as written ("RealtimeAPI", ...), NULL when the file has no kind */
    const char *file;              /**< the path given to the loader */
    int line, column;              /**< of the API's mapping */
    int splitter;                  /**< 1: a TrafficSplitter, which routes to other APIs and runs no replicas */
    int invalid;                   /**< 1: a field could not be read (::NCG_CORTEX_KEEP_GOING only) */
    const ncg_request *request;    /**< cpu, mem, gpu, inf, ppr and the models of `ncg: models:`, summed over
                                        the containers of `pod:` */
    int min_replicas, init_replicas, max_replicas;
    const char *const *nodegroups; /**< compute.node_groups / node_groups; NULL when nodegroup_count is 0 */
    size_t nodegroup_count;
    int max_per_node;              /**< `ncg: max_per_node:`, 0 = no limit */
    size_t backend_count;          /**< a TrafficSplitter's apis (ncg_cortex_get_backend()) */
} ncg_cortex_api;

/** One API a TrafficSplitter routes to. Sized (NCG_INIT). */
typedef struct ncg_cortex_backend {
    uint32_t size;                 /**< sizeof(ncg_cortex_backend), set by the caller */
    const char *name;
    int weight;                    /**< 0..100 */
    int shadow;                    /**< 1: a shadow (gets a copy of the traffic) */
    int line, column;
} ncg_cortex_backend;

/** Where a node group of a cluster file is, and what ncg_nodegroup_spec does not hold. Sized (NCG_INIT). */
typedef struct ncg_cortex_nodegroup {
    uint32_t size;                 /**< sizeof(ncg_cortex_nodegroup), set by the caller */
    const char *file;
    int line, column;              /**< of the node group */
    int type_line, type_column;    /**< of its instance_type */
    int spot;                      /**< 1: `spot: true` */
} ncg_cortex_nodegroup;

/** A problem found while loading or checking. Sized (NCG_INIT). */
typedef struct ncg_cortex_diagnostic {
    uint32_t size;                 /**< sizeof(ncg_cortex_diagnostic), set by the caller */
    const char *message;           /**< the whole line, "FILE:LINE:COLUMN: ..."; never truncated */
    const char *file;              /**< NULL when the problem has no file */
    int line, column;              /**< 0 when it has no position */
    int warning;                   /**< 1: a warning (does not make the input invalid) */
    const char *field;             /**< (2.2) the field the problem is about, as the message names it after the
                                        API ("compute", "autoscaling", "ncg.models", "node_groups.instance_type");
                                        NULL for a problem of the file, its YAML or the plan as a whole */
} ncg_cortex_diagnostic;

/** @return the library version, "MAJOR.MINOR.PATCH" (that of libncg it was built with). */
const char *ncg_cortex_version(void);

/**
 * Create an empty reader.
 * @param flags 0 or ::NCG_CORTEX_KEEP_GOING.
 * @return the handle, or NULL with NCG_E_INVALID (unknown flags) or NCG_E_NOMEM.
 */
ncg_cortex *ncg_cortex_new(unsigned flags, ncg_error *err);

/** Free a reader (NULL is fine). @return NULL. */
ncg_cortex *ncg_cortex_free(ncg_cortex *cortex);

/**
 * Load a Cortex API file: a YAML list of APIs (RealtimeAPI, BatchAPI, TaskAPI, AsyncAPI, TrafficSplitter, v0.18
 * to v0.42), checked with Cortex's rules: unknown keys, names (DNS-1035, at most 42 characters, unique across
 * every file loaded), types and ranges, quantities, TrafficSplitter weights; and our `ncg:` section
 * (`models: [{name, size, compiled_cores, static_weights}]`, `max_per_node`).
 * @param path the file's name in messages; when @p text is NULL, the file read.
 * @param text the file's contents (NUL-terminated, so it cannot hold a NUL byte: a caller that reads a file itself
 *        must refuse one, or the text would end there), or NULL to read @p path, where a NUL byte is a problem
 *        of the file ("PATH:LINE:COLUMN: a NUL byte: control characters are not allowed in YAML").
 * @return the number of APIs the file holds, or NCG_E_INVALID (NULL argument, or a file that cannot be read:
 *         "PATH: No such file or directory"), NCG_E_PARSE (a problem in the file, a NUL byte included; strict
 *         mode), NCG_E_RANGE (a limit, the file size included; strict mode), NCG_E_NOMEM.
 */
int ncg_cortex_load_apis(ncg_cortex *cortex, const char *path, const char *text, ncg_error *err);

/**
 * Load a Cortex cluster file: `instance_type` at the top, or `node_groups: [{name, instance_type,
 * min_instances, max_instances, priority, spot, ...}]`, every key of Cortex's cluster configuration known, and
 * `price` (ours: USD per hour, e.g. a spot price). The first cluster file with a known `region` sets
 * ncg_cortex_get_region(); an unknown region (a placeholder) is a warning.
 * @return the number of node groups, or the errors of ncg_cortex_load_apis().
 */
int ncg_cortex_load_cluster(ncg_cortex *cortex, const char *path, const char *text, ncg_error *err);

/**
 * Apply a catalog file to @p catalog: a YAML list of instance types; an entry naming a type the catalog has
 * replaces only the fields it gives (e.g. `price`), a new name needs the whole type. Every value is checked by
 * ncg_catalog_set_type(). Strict mode: all entries or none; keep-going: the good entries are applied.
 * @return the number of entries, or the errors of ncg_cortex_load_apis().
 */
int ncg_cortex_load_catalog(ncg_cortex *cortex, ncg_catalog *catalog, const char *path, const char *text,
                            ncg_error *err);

/** @return the number of APIs loaded (TrafficSplitters included), or NCG_E_INVALID (NULL). */
int ncg_cortex_api_count(const ncg_cortex *cortex);

/** Read API @p index (in load order) into a sized @p out. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cortex_get_api(const ncg_cortex *cortex, int index, ncg_cortex_api *out, ncg_error *err);

/** Read backend @p index of TrafficSplitter @p api. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cortex_get_backend(const ncg_cortex *cortex, int api, int index, ncg_cortex_backend *out, ncg_error *err);

/** @return the number of node groups loaded, or NCG_E_INVALID (NULL). */
int ncg_cortex_nodegroup_count(const ncg_cortex *cortex);

/**
 * Read node group @p index: @p spec receives name, type, min/max nodes (min_instances/max_instances, Cortex's
 * defaults 1 and 5), priority (1..100, default 1) and price; @p info where it is written and whether it is spot.
 * Either may be NULL. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_cortex_get_nodegroup(const ncg_cortex *cortex, int index, ncg_nodegroup_spec *spec,
                             ncg_cortex_nodegroup *info, ncg_error *err);

/** @return the `region` of the first cluster file that named a known one (valid until the handle is freed), or
 *  NULL. */
const char *ncg_cortex_get_region(const ncg_cortex *cortex);

/** @return the number of files loaded (including those refused in keep-going mode), or NCG_E_INVALID. */
int ncg_cortex_file_count(const ncg_cortex *cortex);

/** @return the path of file @p index, in load order, or NULL when out of range. */
const char *ncg_cortex_get_file(const ncg_cortex *cortex, int index);

/** @return the number of diagnostics (errors and warnings), or NCG_E_INVALID (NULL). */
int ncg_cortex_diagnostic_count(const ncg_cortex *cortex);

/** @return the number of diagnostics that are errors, or NCG_E_INVALID (NULL). */
int ncg_cortex_error_count(const ncg_cortex *cortex);

/**
 * Read diagnostic @p index; they are kept in file (load order), line and column order, those without a file
 * last. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_cortex_get_diagnostic(const ncg_cortex *cortex, int index, ncg_cortex_diagnostic *out, ncg_error *err);

/**
 * The nearest instance type of @p catalog to @p name (at most 2 edits), for "did you mean".
 * @return its name (valid as long as the catalog is unchanged), or NULL.
 */
const char *ncg_cortex_suggest_type(const ncg_catalog *catalog, const char *name);

/**
 * A cluster with the node groups of the cluster files loaded (none when there are none). An unknown
 * instance type's message names the catalog's region (ncg_catalog_get_region()), the nearest type and
 * `--catalog`. Keep-going mode: such groups are left out and recorded as diagnostics.
 * @param region unused since 2.2 (it named the region in messages, which the catalog now does); may be NULL.
 * @return the cluster, or NULL with NCG_E_INVALID, NCG_E_UNKNOWN_TYPE, NCG_E_EXISTS, NCG_E_RANGE, NCG_E_NOMEM.
 */
ncg_cluster *ncg_cortex_new_cluster(ncg_cortex *cortex, const ncg_catalog *catalog, const char *region,
                                    ncg_error *err);

/**
 * Cortex's checks of every API that could be read against the node groups of @p cluster it may use (valid when
 * one of them accepts it), or against the whole catalog when @p cluster has no node groups; a TrafficSplitter's
 * backends must be RealtimeAPIs loaded. The message names the API and field, e.g. "FILE:3:3: api x: compute:
 * no instances can satisfy ...". Keep-going mode: every problem is recorded and the call returns their number.
 * @return 0 (all valid) or the number of problems recorded (keep-going), or a negative code (strict: the first
 *         problem; NCG_E_INVALID for NULL arguments; NCG_E_NOMEM).
 */
int ncg_cortex_check(ncg_cortex *cortex, const ncg_catalog *catalog, const ncg_cluster *cluster, ncg_error *err);

/**
 * Add every API that runs replicas (not TrafficSplitters, not invalid ones), in load order, to @p plan as
 * `ncg plan` does: the k-th API added is the k-th such API of ncg_cortex_get_api().
 * @param replicas ::NCG_CORTEX_REPLICAS_MIN, ::NCG_CORTEX_REPLICAS_INIT, ::NCG_CORTEX_REPLICAS_MAX, or a
 *        count 0..10000000 for every API.
 * @return the number of APIs added, or NCG_E_INVALID (NULL, bad @p replicas, an API's node group missing from
 *         the plan's cluster: the message names both), NCG_E_EXISTS (an API of that name is in the plan already),
 *         or the error of ncg_plan_add_api(). The names and node groups are checked before the first API is
 *         added; only out of memory in ncg_plan_add_api() can leave the first APIs added.
 */
int ncg_cortex_add_to_plan(const ncg_cortex *cortex, ncg_plan *plan, int replicas, ncg_error *err);

#ifdef __cplusplus
}
#endif

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file ncg.h
 * @brief libncg: NeuronCore Group partitioning and scheduling for AWS Neuron hardware.
 *
 * Vocabulary: an **NCG** (NeuronCore Group, `ncg_core_group`) is the set of cores of one serving process; a
 * **node group** (`ncg_nodegroup_*`) is a set of nodes of one instance type in a cluster (Cortex's
 * `node_groups`). The two are never called by the other's name.
 *
 * Conventions, which every function below follows (doc/concepts.md says the same at length):
 *
 * - Handles (ncg_catalog, ncg_node, ncg_cluster, ncg_plan) are opaque. `*_new()` returns a handle or NULL,
 *   `*_free()` accepts NULL and returns NULL so that `p = ncg_node_free(p);` clears the pointer. Constructors
 *   take a `flags` argument; unknown bits are NCG_E_INVALID.
 * - Functions that can fail return an `int`: 0 or a non-negative count/length on success, a negative
 *   ::ncg_status code on failure. The code is always in the return value (never only in @p err). They take an
 *   optional `ncg_error *err` as their last argument; on failure it receives the code and a message naming the
 *   offending field and value. On success it is left untouched.
 * - **A failed call changes nothing**: output parameters, handles and the catalog stay exactly as they were,
 *   out-of-memory included.
 * - **Caller buffers** (strings and arrays) follow one rule: the call returns the full length (without the NUL)
 *   or count, and writes the buffer only when all of it fits (length < size, count <= size); otherwise the
 *   buffer is left untouched and the caller retries with a larger one. Pass NULL and 0 to learn the size.
 *   Nothing is ever truncated.
 * - **Getters** are named `ncg_<object>_get_<what>()`, counts `ncg_<object>_<what>_count()`, lookups by name
 *   `ncg_<object>_find_<what>()`, setters `ncg_<object>_set_<what>()`.
 * - **Structs grow** (doc/abi.md): every public struct except ::ncg_error, ::ncg_core_group,
 *   ::ncg_core_group_ref and ::ncg_move starts with `uint32_t size`, which the caller sets to `sizeof` the struct
 *   it was compiled with, by NCG_INIT() or an `ncg_*_init()` function, for inputs and outputs alike. Members are
 *   only ever appended. The library reads and writes only the first `size` bytes and treats members past them
 *   as their defaults; a size below the first version's is NCG_E_INVALID. The four exceptions are frozen.
 * - The library never prints, exits, reads the environment or keeps global mutable state.
 * - Structs passed in are read during the call only; the library copies what it keeps.
 *
 * Thread safety: distinct handles may be used from distinct threads at the same time. A handle may be used by
 * any number of threads at once through functions that take it `const` (they never change it, not even
 * temporarily), provided no thread changes it meanwhile; every other use needs one thread at a time. Handles
 * created from a catalog copy what they need from it and do not refer to it afterwards.
 */
#ifndef NCG_H
#define NCG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Library version, also available at run time from ncg_version(). */
#define NCG_VERSION_MAJOR 2
#define NCG_VERSION_MINOR 3
#define NCG_VERSION_PATCH 0

/** Largest number of Neuron chips on one node type. */
#define NCG_MAX_CHIPS 64
/** Largest number of NeuronCores per chip. */
#define NCG_MAX_CORES_PER_CHIP 16
/** Largest number of NeuronCores on one node. */
#define NCG_MAX_CORES 256
/** Largest number of scores ncg_node_score_rank() ranks in one call. */
#define NCG_MAX_SCORES 1048576
/** Longest instance-type and node-group name, without the terminating NUL. */
#define NCG_NAME_MAX 63
/** Longest node name (a Kubernetes node name, DNS subdomain), without the terminating NUL. */
#define NCG_NODE_NAME_MAX 253
/** Size of the message buffer in ::ncg_error. */
#define NCG_MESSAGE_MAX 512
/** Size of each string buffer in ::ncg_env; enough for any valid value. */
#define NCG_ENV_MAX 320

/**
 * Initialiser for any sized public struct: sets `size` and zeroes the rest, e.g.
 * `ncg_alloc a = NCG_INIT(ncg_alloc);`. Structs with defaults have an `ncg_*_init()` function as well.
 */
#ifdef __cplusplus
#define NCG_INIT(type) {(uint32_t)sizeof(type)}
#else
#define NCG_INIT(type) {.size = (uint32_t)sizeof(type)}
#endif

/** Status codes. Values are part of the ABI and never change. */
typedef enum ncg_status {
    NCG_OK = 0,
    NCG_E_INVALID = -1,      /**< an argument is NULL, out of its domain or inconsistent */
    NCG_E_NOMEM = -2,        /**< memory allocation failed */
    NCG_E_PARSE = -3,        /**< a string (quantity, env value, dump) is malformed */
    NCG_E_RANGE = -4,        /**< a number is negative, too large or overflows */
    NCG_E_UNKNOWN_TYPE = -5, /**< no instance type of that name in the catalog */
    NCG_E_NOT_FOUND = -6,    /**< no allocation, node, process or chip with that id */
    NCG_E_PPR = -7,          /**< processes_per_replica does not divide the NeuronCores (Cortex's rule) */
    NCG_E_NO_FIT = -8,       /**< the request can never fit the instance type(s) (Cortex's rule) */
    NCG_E_TOPOLOGY = -9,     /**< that number of chips is never a valid window on the topology */
    NCG_E_FULL = -10,        /**< it would fit an empty node, but not what is free now */
    NCG_E_OVERLAP = -11,     /**< an adopted allocation overlaps one that exists */
    NCG_E_MODEL = -12,       /**< a model cannot load on its NeuronCore Group */
    NCG_E_EXISTS = -13,      /**< a name that must be unique is taken */
    NCG_E_LNC = -15,         /**< the request names a Logical NeuronCore setting the node does not run (2.3) */
    /* -14 was NCG_E_BUFFER in 1.x; buffers no longer fail (see the buffer rule above). Never reused. */
} ncg_status;

/** Error details filled by a failed call. Frozen: its layout never changes. */
typedef struct ncg_error {
    int code;                       /**< a negative ::ncg_status */
    char message[NCG_MESSAGE_MAX];  /**< NUL-terminated, one line, no trailing newline */
} ncg_error;

/** @return the library version as "MAJOR.MINOR.PATCH" (static storage). */
const char *ncg_version(void);

/**
 * @param code an ::ncg_status value.
 * @return a short static description of @p code ("invalid argument", ...), "unknown error" for other values.
 */
const char *ncg_strerror(int code);

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Quantities (Kubernetes notation) */
/**@{*/

/**
 * Parse a Kubernetes CPU quantity ("1", "1.5", "500m", "0.25", ".5") into milli-CPU.
 * Fractions finer than 1m are rounded up as Kubernetes does. Signs, spaces, exponents, other suffixes and
 * empty strings are rejected.
 * @param text NUL-terminated quantity.
 * @param[out] out_milli the value in milli-CPU.
 * @return 0, or NCG_E_INVALID (NULL), NCG_E_PARSE (malformed), NCG_E_RANGE (overflow).
 */
int ncg_parse_cpu(const char *text, int64_t *out_milli, ncg_error *err);

/**
 * Parse a Kubernetes memory quantity into bytes: plain bytes ("1073741824"), decimal suffixes k M G T P E and
 * binary suffixes Ki Mi Gi Ti Pi Ei, with an optional fraction ("1.5Gi"); a fractional byte is rounded up.
 * @param text NUL-terminated quantity.
 * @param[out] out_bytes the value in bytes.
 * @return 0, or NCG_E_INVALID, NCG_E_PARSE, NCG_E_RANGE.
 */
int ncg_parse_memory(const char *text, int64_t *out_bytes, ncg_error *err);

/**
 * Format milli-CPU canonically: "2" when whole, else "2500m". Buffer rule: see the file comment.
 * @param buf may be NULL when @p size is 0.
 * @return the length of the text, or NCG_E_RANGE (negative), NCG_E_INVALID (buf NULL with size > 0).
 */
int ncg_format_cpu(int64_t milli, char *buf, size_t size, ncg_error *err);

/**
 * Format bytes canonically: the exact form with the smallest number among plain bytes, the decimal suffixes and
 * the binary suffixes (binary wins ties): 4000000000 is "4G", 7331643392 is "6992Mi", 1023 is "1023".
 * @return the length of the text, or NCG_E_RANGE, NCG_E_INVALID.
 */
int ncg_format_memory(int64_t bytes, char *buf, size_t size, ncg_error *err);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Catalog of instance types */
/**@{*/

/** What accelerators a type has. Only Neuron types (Inferentia, Trainium) have chips libncg schedules. */
typedef enum ncg_accel {
    NCG_ACCEL_NONE = 0,
    NCG_ACCEL_INFERENTIA = 1,
    NCG_ACCEL_TRAINIUM = 2,
    NCG_ACCEL_GPU = 3,
} ncg_accel;

/** How the chips of a node are connected, which decides the valid windows of whole chips. */
typedef enum ncg_topology {
    NCG_TOPOLOGY_SINGLE = 0,    /**< one chip */
    NCG_TOPOLOGY_CHAIN = 1,     /**< any count of consecutive chips */
    NCG_TOPOLOGY_RING = 2,      /**< any count of consecutive chips, never wrapping (runtime needs increasing ids) */
    NCG_TOPOLOGY_TORUS_4X4 = 3, /**< 16 chips; windows of 1, 4 (a row), 8 (two rows) or 16 */
    NCG_TOPOLOGY_SWITCHED = 4,  /**< chips connected all-to-all through a switch (Trainium3): any count of chips;
                                     windows are ranges of chip ids, as the runtime's env takes them (2.3) */
} ncg_topology;

/** An instance type. Sized (NCG_INIT). Strings are owned by whoever filled the struct (see each function). */
typedef struct ncg_type {
    uint32_t size;                   /**< sizeof(ncg_type), set by the caller */
    const char *name;                /**< e.g. "inf1.6xlarge"; 1..63 chars of [A-Za-z0-9._-] */
    const char *family;              /**< e.g. "inf1"; may be NULL or "" */
    ncg_accel accelerator;
    int chips;                       /**< Neuron chips: 1..64 for Neuron types, 0 otherwise */
    int cores_per_chip;              /**< NeuronCores per chip as the runtime numbers them (logical cores at the
                                          type's `lnc`): 1..16; 0 if no chips */
    int physical_cores_per_chip;     /**< physical cores per chip (runtime reserve, HBM banks); 0 = cores_per_chip */
    int64_t device_memory_bytes;     /**< device memory ("cache") per chip; 0 if no chips */
    int gpus;                        /**< GPUs, for NCG_ACCEL_GPU types (reserved for, never scheduled) */
    int64_t cpu_milli;               /**< vCPUs x 1000 */
    int64_t memory_bytes;            /**< host memory */
    int64_t hugepages_bytes;         /**< 2 MiB hugepages the node offers; 0 = not counted */
    ncg_topology topology;
    int has_price;                   /**< 0 if the price is unknown */
    double usd_per_hour;             /**< on-demand price when has_price */
    /* 2.3 */
    int lnc;                         /**< Logical NeuronCore setting that cores_per_chip counts at: 1 or 2 for the
                                          types that have the setting (Trainium2, Trainium3: physical_cores_per_chip
                                          = cores_per_chip x lnc); 0 for the others, whose cores are physical */
    int hbm_banks;                   /**< device memory banks per chip, each serving physical_cores_per_chip /
                                          hbm_banks physical cores; 0 or 1: the chip's memory is one pool */
} ncg_type;

/** System reserves of a catalog. Sized (NCG_INIT). */
typedef struct ncg_reserve {
    uint32_t size;                   /**< sizeof(ncg_reserve), set by the caller */
    int64_t cpu_milli;               /**< on every node (Cortex v0.18: 710m) */
    int64_t memory_bytes;            /**< on every node (Cortex v0.18: 1100Mi) */
    int64_t plugin_cpu_milli;        /**< extra on nodes with accelerators and a device plugin (100m) */
    int64_t plugin_memory_bytes;     /**< extra on nodes with accelerators (100Mi) */
    int64_t runtime_bytes_per_core;  /**< device memory the Neuron runtime keeps per physical core (96 MiB) */
} ncg_reserve;

typedef struct ncg_catalog ncg_catalog;

/** Flags of ncg_catalog_new() and ncg_catalog_new_region(). */
enum ncg_catalog_flags {
    NCG_CATALOG_EMPTY = 1u << 0,  /**< start with no types (the default reserves still apply) */
    NCG_CATALOG_NEURON = 1u << 1, /**< ncg_catalog_new_region() only: only the types with Neuron chips */
};

/**
 * Create a catalog holding the 14 built-in Neuron types (us-east-1 on-demand prices), or none with
 * NCG_CATALOG_EMPTY, and the default reserves (Cortex v0.18 values, 96 MiB runtime reserve per physical core).
 * The same as `ncg_catalog_new_region("us-east-1", flags | NCG_CATALOG_NEURON, err)`.
 * @param flags 0 or NCG_CATALOG_EMPTY (NCG_CATALOG_NEURON is implied, and refused as an unknown bit).
 * @return the catalog, or NULL with NCG_E_INVALID (unknown flags) or NCG_E_NOMEM in @p err.
 */
ncg_catalog *ncg_catalog_new(unsigned flags, ncg_error *err);

/**
 * Create a catalog of every EC2 instance type Cortex v0.42 knew in @p region (an AWS region name such as
 * "us-east-1"), with that region's on-demand Linux prices, merged with the Neuron facts (chips, cores per chip,
 * device memory, topology) of the AWS Neuron documentation; plus every Neuron type Cortex did not know there (the
 * hardware does not depend on the region), priced only where the data give a price (inf2, trn1 and trn1n in
 * us-east-1; no price for trn2; has_price 0 elsewhere: data/ec2/README.md). Types without Neuron
 * chips have `chips` 0 and accelerator NCG_ACCEL_GPU with their `gpus` count, or NCG_ACCEL_NONE. Order: the
 * Neuron types first, in the order of ncg_catalog_new(), then the others by name. Data: data/ec2/ of the
 * source tree, built in at build time. Default reserves as ncg_catalog_new().
 * @param region one of the names ncg_catalog_get_regions() gives.
 * @param flags 0, NCG_CATALOG_NEURON (only types with Neuron chips) and/or NCG_CATALOG_EMPTY (no types).
 * @return the catalog, or NULL with NCG_E_INVALID (NULL region, unknown flags), NCG_E_NOT_FOUND (no such region)
 *         or NCG_E_NOMEM in @p err.
 */
ncg_catalog *ncg_catalog_new_region(const char *region, unsigned flags, ncg_error *err);

/**
 * The regions ncg_catalog_new_region() knows, in alphabetical order (23: "af-south-1" to "us-west-2"). The
 * strings are static. Buffer rule: see the file comment (@p out is written only when the count <= @p size).
 * @param[out] out may be NULL when @p size is 0.
 * @return the number of regions, or NCG_E_INVALID (out NULL with size > 0).
 */
int ncg_catalog_get_regions(const char **out, size_t size, ncg_error *err);

/**
 * The region @p catalog was created for ("us-east-1" for ncg_catalog_new()), which its unknown-type errors name
 * ("unknown instance type \"x\" in us-west-2"). The string is static. Since 2.2.
 * @return the region, or NULL when @p catalog is NULL.
 */
const char *ncg_catalog_get_region(const ncg_catalog *catalog);

/** Free a catalog. Accepts NULL. @return NULL. */
ncg_catalog *ncg_catalog_free(ncg_catalog *catalog);

/** @return the number of types in @p catalog (0 for NULL). */
int ncg_catalog_type_count(const ncg_catalog *catalog);

/**
 * Read the type at @p index (catalog order: built-ins first, in their table order, then added types).
 * Strings in @p out point into the catalog and stay valid until the catalog is modified or freed.
 * @param[out] out sized (NCG_INIT).
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND (index out of range).
 */
int ncg_catalog_get_type(const ncg_catalog *catalog, int index, ncg_type *out, ncg_error *err);

/**
 * Look a type up by name. Strings in @p out stay valid until the catalog is modified or freed.
 * @param[out] out may be NULL to test for presence only; else sized (NCG_INIT).
 * @return the index of the type, or NCG_E_INVALID, NCG_E_UNKNOWN_TYPE.
 */
int ncg_catalog_find_type(const ncg_catalog *catalog, const char *name, ncg_type *out, ncg_error *err);

/**
 * Add a type, or replace the type of the same name (keeping its position). The strings are copied.
 * Checked: name syntax; Neuron types have 1..64 chips, 1..16 cores per chip, at most 256 cores, device memory
 * > 0, a topology consistent with the chip count (single = 1 chip, torus4x4 = 16 chips); other types have no
 * chips; GPU types have gpus >= 1; cpu and memory > 0; a price, when given, finite and >= 0.
 * @return the index of the type, or NCG_E_INVALID / NCG_E_RANGE naming the field, NCG_E_NOMEM.
 */
int ncg_catalog_set_type(ncg_catalog *catalog, const ncg_type *type, ncg_error *err);

/** Remove the type called @p name. @return 0, or NCG_E_INVALID, NCG_E_UNKNOWN_TYPE. */
int ncg_catalog_remove_type(ncg_catalog *catalog, const char *name, ncg_error *err);

/**
 * Set or clear the price of a type (another region, a discount, a spot price).
 * @param has_price 0 to mark the price unknown.
 * @return 0, or NCG_E_INVALID, NCG_E_UNKNOWN_TYPE, NCG_E_RANGE (negative or not finite).
 */
int ncg_catalog_set_price(ncg_catalog *catalog, const char *name, int has_price, double usd_per_hour,
                          ncg_error *err);

/** Read the reserves into a sized @p out. @return 0, or NCG_E_INVALID. */
int ncg_catalog_get_reserve(const ncg_catalog *catalog, ncg_reserve *out, ncg_error *err);

/** Replace the reserves; every field must be >= 0. @return 0, or NCG_E_INVALID, NCG_E_RANGE naming the field. */
int ncg_catalog_set_reserve(ncg_catalog *catalog, const ncg_reserve *reserve, ncg_error *err);

/**
 * CPU and memory a replica may use on an empty node of a type: the type's minus the base reserve, minus the
 * plugin reserve when the type has accelerators. Clamped at 0.
 * @param[out] out_cpu_milli may be NULL. @param[out] out_memory_bytes may be NULL.
 * @return 0, or NCG_E_INVALID, NCG_E_UNKNOWN_TYPE.
 */
int ncg_catalog_get_usable(const ncg_catalog *catalog, const char *name, int64_t *out_cpu_milli,
                           int64_t *out_memory_bytes, ncg_error *err);

/** @return the lower-case name of a topology ("single", "chain", "ring", "torus4x4") or NULL. */
const char *ncg_topology_name(ncg_topology topology);

/** @return the lower-case name of an accelerator ("none", "inferentia", "trainium", "gpu") or NULL. */
const char *ncg_accel_name(ncg_accel accel);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Requests, NeuronCore Groups and models */
/**@{*/

/**
 * A model served by an API. Every process (NCG) of a replica loads all models of its API. Sized (NCG_INIT);
 * in an array every element has the same size, which is the array's stride.
 */
typedef struct ncg_model {
    uint32_t size;           /**< sizeof(ncg_model), set by the caller */
    const char *name;        /**< for messages; may be NULL; any length */
    int64_t bytes;           /**< device memory the model needs, >= 0 */
    int compiled_cores;      /**< NeuronCores it was compiled for; 0 = unknown */
    int static_weights;      /**< nonzero: must stay resident (no context switching) */
} ncg_model;

/**
 * What one replica of an API asks for. Set it up with ncg_request_init() (Cortex's defaults and the size).
 * A replica asks either for whole chips (`inf`, resource aws.amazon.com/neuron) or for NeuronCores
 * (`neuroncores`, resource aws.amazon.com/neuroncore), not both; with neither it runs on the CPU.
 */
typedef struct ncg_request {
    uint32_t size;           /**< sizeof(ncg_request), set by ncg_request_init() */
    int64_t inf;             /**< whole chips per replica, >= 0 */
    int64_t neuroncores;     /**< NeuronCores per replica, >= 0; only when inf is 0 */
    int64_t ppr;             /**< processes_per_replica, >= 1; each process gets one NCG */
    int64_t cpu_milli;       /**< >= 0 */
    int64_t memory_bytes;    /**< >= 0 */
    int64_t gpu;             /**< >= 0; a replica asking for GPUs fits only GPU types */
    int64_t hugepages_bytes; /**< >= 0; counted against the type's hugepages (runtime 1.x: 256 MiB per chip) */
    const ncg_model *models; /**< may be NULL when model_count is 0 */
    size_t model_count;      /**< at most 4096 */
    /* 2.3 */
    int lnc;                 /**< Logical NeuronCore setting the replica's models were compiled for: 0 = any, 1 or 2.
                                  On a node or node group it must be the node's (else NCG_E_LNC); in the catalog
                                  functions a type with the setting is taken at this value */
} ncg_request;

/** One NeuronCore Group: the cores of one serving process. Frozen: its layout never changes. */
typedef struct ncg_core_group {
    int process;             /**< index of the process in its replica */
    int first_core;          /**< first core: host-global once placed, relative to the replica in layouts */
    int core_count;          /**< the NCG size */
    int first_chip;          /**< first chip it has cores on (host-global once placed) */
    int chip_count;          /**< chips it has cores on */
    int64_t cache_bytes;     /**< device memory of those chips, before any reserve */
} ncg_core_group;

/** Fill @p request with its size and Cortex's defaults: inf 0, neuroncores 0, ppr 1, cpu 200m, memory 0, gpu 0,
 *  no models. Accepts NULL (does nothing). */
void ncg_request_init(ncg_request *request);

/**
 * The processes_per_replica rule on its own: `cores_per_chip * chips` must be divisible by @p ppr.
 * On failure the message is Cortex's, e.g. "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total)
 * over 3 processes - acceptable numbers of processes are 1, 2, 4, or 8" ("Trainium chip(s)" for Trainium).
 * @param accel NCG_ACCEL_INFERENTIA or NCG_ACCEL_TRAINIUM (names the chips in the message).
 * @return the NCG size, or NCG_E_PPR, NCG_E_INVALID, NCG_E_RANGE.
 */
int ncg_ppr_check(ncg_accel accel, int cores_per_chip, int64_t chips, int64_t ppr, ncg_error *err);

/**
 * The acceptable processes_per_replica for @p total_cores NeuronCores: all its divisors, ascending.
 * @param[out] out the values when all fit (buffer rule); may be NULL when @p size is 0.
 * @return the number of values, or NCG_E_RANGE (total_cores < 1 or > 2^31-1), NCG_E_INVALID.
 */
int ncg_ppr_values(int64_t total_cores, int64_t *out, size_t size, ncg_error *err);

/**
 * Validate a request with Cortex's rules, against one type or the whole catalog (@p type NULL: valid when some
 * type accepts it). Order: field domains; the ppr rule; the fit rule (CPU, memory, GPU, Inf, each against what
 * is usable after reserves) with Cortex's text, e.g. "no instances can satisfy the requested Inf quantity -
 * requested 2 Inf but instances only have 1 Inf available"; the topology (a torus takes 1, 4, 8 or 16 chips);
 * then models: compiled_cores greater than the NCG size is NCG_E_MODEL.
 * @return the NCG size (0 for a CPU-only request), or NCG_E_INVALID, NCG_E_RANGE, NCG_E_UNKNOWN_TYPE,
 *         NCG_E_PPR, NCG_E_NO_FIT, NCG_E_TOPOLOGY, NCG_E_MODEL, NCG_E_NOMEM.
 */
int ncg_request_check(const ncg_catalog *catalog, const char *type, const ncg_request *request, ncg_error *err);

/**
 * Advice about a valid request on a type, one line per finding, '\n'-separated: a model compiled for fewer
 * cores than its NCG (which ppr or recompile would match), models whose bytes exceed the memory their NCG can
 * reach (static: does not fit; otherwise: context-switched). Buffer rule: see the file comment.
 * @param[out] out_findings may be NULL; receives the number of findings (0 = none), whether or not the text fits.
 * @return the length of the text ("" when there are no findings), or the error of ncg_request_check().
 */
int ncg_request_advice(const ncg_catalog *catalog, const char *type, const ncg_request *request, char *buf,
                       size_t size, int *out_findings, ncg_error *err);

/**
 * The NeuronCore Groups of one replica on a type, relative to the replica (its first chip is 0).
 * NCG i holds cores i*g .. i*g+g-1 with g the NCG size.
 * @param[out] out the NCGs when all fit (buffer rule); may be NULL when @p size is 0.
 * @return the number of NCGs (ppr; 0 for a CPU-only request), or the error of ncg_request_check().
 */
int ncg_request_layout(const ncg_catalog *catalog, const char *type, const ncg_request *request,
                       ncg_core_group *out, size_t size, ncg_error *err);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Pod environment strings */
/**@{*/

/** What one process of a placed replica needs in its environment. Sized (NCG_INIT). */
typedef struct ncg_env {
    uint32_t size;                      /**< sizeof(ncg_env), set by the caller */
    char visible_cores[NCG_ENV_MAX];    /**< NEURON_RT_VISIBLE_CORES, host-global, "4-7" (or "4") */
    char core_group_sizes[NCG_ENV_MAX]; /**< NEURONCORE_GROUP_SIZES, the NCG size, "4" */
    char visible_devices[NCG_ENV_MAX];  /**< AWS_NEURON_VISIBLE_DEVICES of the replica, "2,3"; "" if core-granular
                                             within less than whole chips */
    /* 2.3 */
    char logical_nc_config[NCG_ENV_MAX]; /**< NEURON_LOGICAL_NC_CONFIG, the node's LNC ("2"); "" on types without
                                              the setting */
    char ultraserver_mode[NCG_ENV_MAX];      /**< NEURON_RT_ULTRASERVER_MODE of a replica of whole servers of an
                                                  UltraServer (ncg_cluster_get_env()): "1" for 4 servers, "2" for 2,
                                                  "4" for 1; "" otherwise */
    char ultraserver_server_id[NCG_ENV_MAX]; /**< NEURON_RT_ULTRASERVER_SERVER_ID: the UltraServer's id; "" otherwise */
    char ultraserver_node_id[NCG_ENV_MAX];   /**< NEURON_RT_ULTRASERVER_NODE_ID: the server's place in the replica,
                                                  "0" to "3"; "" otherwise */
} ncg_env;

/**
 * Parse NEURON_RT_VISIBLE_CORES ("3-6", "3,4,5,6", "3-5,6"): ids must be contiguous and increasing.
 * @param limit the number of cores on the node (ids must be < limit); <= 0 for no bound.
 * @param[out] out_first first core. @param[out] out_count number of cores.
 * @return 0, or NCG_E_INVALID, NCG_E_PARSE (malformed, decreasing, not contiguous), NCG_E_RANGE.
 */
int ncg_parse_visible_cores(const char *text, int limit, int *out_first, int *out_count, ncg_error *err);

/** Parse AWS_NEURON_VISIBLE_DEVICES ("2,3" or "2-3"); the same rules as ncg_parse_visible_cores(). */
int ncg_parse_visible_devices(const char *text, int limit, int *out_first, int *out_count, ncg_error *err);

/**
 * Parse NEURONCORE_GROUP_SIZES: one positive size ("4") or a comma list ("2,4,6,4").
 * @param[out] out the sizes when all fit (buffer rule); may be NULL when @p size is 0.
 * @return the number of sizes, or NCG_E_INVALID, NCG_E_PARSE, NCG_E_RANGE (0 or > 256).
 */
int ncg_parse_core_group_sizes(const char *text, int *out, size_t size, ncg_error *err);

/**
 * Format a contiguous id range: "a-b", or "a" when @p count is 1 (@p ranged nonzero), or "a,a+1,..."
 * (@p ranged 0, the form of AWS_NEURON_VISIBLE_DEVICES). Buffer rule: see the file comment.
 * @return the length of the text, or NCG_E_RANGE, NCG_E_INVALID.
 */
int ncg_format_ids(int first, int count, int ranged, char *buf, size_t size, ncg_error *err);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Nodes and allocations */
/**@{*/

/** How a node chooses among the free windows that fit. */
typedef enum ncg_policy {
    /** Default. Whole chips: the window lying in the smallest free region that can hold it (a maximal run of free
     *  chips on chains and rings, a fully free aligned block of 4, 8 or 16 on a torus), lowest index first.
     *  Cores: the range touching the fewest fully free chips, lowest index first. */
    NCG_POLICY_PACK = 0,
    /** The lowest valid window (what AWS's device plugin and scheduler extension do). */
    NCG_POLICY_FIRST_FIT = 1,
} ncg_policy;

/** One allocation (one replica) on a node. Sized (NCG_INIT). */
typedef struct ncg_alloc {
    uint32_t size;          /**< sizeof(ncg_alloc), set by the caller */
    uint64_t id;            /**< > 0, unique on its node for the node's lifetime, never reused */
    int whole_chips;        /**< 1: whole chips (inf), 0: NeuronCores (neuroncores) or CPU only */
    int first_chip;         /**< first chip it has cores on; -1 for CPU only */
    int chip_count;
    int first_core;         /**< host-global; -1 for CPU only */
    int core_count;
    int ppr;                /**< processes (NCGs) */
    int ncg_size;           /**< cores per NCG; 0 if the NCGs differ in size (adopted) */
    int64_t cpu_milli;
    int64_t memory_bytes;
    int64_t hugepages_bytes;
} ncg_alloc;

/** A node's current use. Sized (NCG_INIT). */
typedef struct ncg_node_status {
    uint32_t size;                 /**< sizeof(ncg_node_status), set by the caller */
    int chips;
    int cores_per_chip;
    uint64_t free_chip_mask;       /**< bit i set: chip i has no core in use */
    int free_chips;
    int free_cores;
    int largest_window;            /**< chips of the largest valid whole-chip window that is free */
    int64_t cpu_usable_milli;      /**< after reserves */
    int64_t memory_usable_bytes;
    int64_t cpu_free_milli;
    int64_t memory_free_bytes;
    int64_t hugepages_free_bytes;
    int allocations;
    ncg_policy policy;
    /* 2.3 */
    int lnc;                       /**< the node's Logical NeuronCore setting; 0 on types without it */
} ncg_node_status;

typedef struct ncg_node ncg_node;

/**
 * Create an empty node of type @p type. The node copies what it needs from @p catalog (type, reserves).
 * @param flags must be 0 (reserved for options).
 * @return the node, or NULL with NCG_E_INVALID, NCG_E_UNKNOWN_TYPE, NCG_E_NOMEM in @p err.
 */
ncg_node *ncg_node_new(const ncg_catalog *catalog, const char *type, unsigned flags, ncg_error *err);

/**
 * A deep copy of a node: type, policy, allocations with their ids, models, and the next id.
 * @return the copy, or NULL with NCG_E_INVALID, NCG_E_NOMEM.
 */
ncg_node *ncg_node_clone(const ncg_node *node, ncg_error *err);

/** Free a node. Accepts NULL. @return NULL. */
ncg_node *ncg_node_free(ncg_node *node);

/**
 * Set the node's Logical NeuronCore setting (the instance's, from its launch template): its cores per chip become
 * `physical_cores_per_chip / lnc`, and ids, windows, env and the cache follow. Only on an empty node of a type
 * that has the setting (ncg_type.lnc > 0). A new node runs its type's. Since 2.3.
 * @param lnc 1 or 2.
 * @return 0, or NCG_E_INVALID (NULL node; the node has allocations), NCG_E_RANGE (lnc not 1 or 2; the type has no
 *         setting; physical cores not divisible by @p lnc).
 */
int ncg_node_set_lnc(ncg_node *node, int lnc, ncg_error *err);

/** Set the window policy for later allocations. @return 0, or NCG_E_INVALID. */
int ncg_node_set_policy(ncg_node *node, ncg_policy policy, ncg_error *err);

/** @return the type name of the node (valid while the node lives), or NULL for NULL. */
const char *ncg_node_get_type_name(const ncg_node *node);

/**
 * Tell whether one replica would fit now, without changing anything.
 * @return 0 if it fits; else the error ncg_node_allocate() would return, with the reason (the resource and how
 *         much is asked and free) in @p err.
 */
int ncg_node_check(const ncg_node *node, const ncg_request *request, ncg_error *err);

/**
 * Place one replica: a window of `inf` whole chips valid for the topology, or a contiguous range of
 * `neuroncores` cores, plus its CPU and memory. Models are checked against the NCG size and kept for cache
 * accounting.
 * @param[out] out required, sized (NCG_INIT): the allocation, its id in `out->id`.
 * @return 0, or NCG_E_INVALID, NCG_E_RANGE, NCG_E_PPR, NCG_E_NO_FIT, NCG_E_TOPOLOGY, NCG_E_MODEL, NCG_E_FULL
 *         (with what is short), NCG_E_NOMEM.
 */
int ncg_node_allocate(ncg_node *node, const ncg_request *request, ncg_alloc *out, ncg_error *err);

/**
 * Record an allocation that exists already, from the env strings a running pod carries.
 * @param request CPU, memory, hugepages and models of the replica (inf, neuroncores and ppr are taken from the
 *        strings); may be NULL for none.
 * @param visible_devices AWS_NEURON_VISIBLE_DEVICES, or NULL; when given, the replica holds those whole chips and
 *        the processes' cores, when given too, must cover exactly the cores of those chips.
 * @param visible_cores NEURON_RT_VISIBLE_CORES of each process, in process order, consecutive and disjoint; may be
 *        NULL when @p process_count is 0 (then @p visible_devices is required and there is one process).
 * @param[out] out required, sized: the new allocation.
 * @return 0, or NCG_E_INVALID, NCG_E_PARSE, NCG_E_RANGE, NCG_E_TOPOLOGY (devices that are not a valid window of
 *         the topology, e.g. 3 chips on a 4x4 torus), NCG_E_OVERLAP (chips or cores in use), NCG_E_FULL
 *         (CPU, memory or hugepages), NCG_E_MODEL, NCG_E_NOMEM.
 */
int ncg_node_adopt(ncg_node *node, const ncg_request *request, const char *visible_devices,
                   const char *const *visible_cores, size_t process_count, ncg_alloc *out, ncg_error *err);

/** Release an allocation. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_node_release(ncg_node *node, uint64_t id, ncg_error *err);

/** Read an allocation into a sized @p out. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_node_get_alloc(const ncg_node *node, uint64_t id, ncg_alloc *out, ncg_error *err);

/**
 * List allocation ids in ascending order.
 * @param[out] out the ids when all fit (buffer rule); may be NULL when @p size is 0.
 * @return the number of allocations, or NCG_E_INVALID.
 */
int ncg_node_get_alloc_ids(const ncg_node *node, uint64_t *out, size_t size, ncg_error *err);

/**
 * The NCGs of an allocation, host-global.
 * @param[out] out the NCGs when all fit (buffer rule); may be NULL when @p size is 0.
 * @return the number of NCGs, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_node_get_core_groups(const ncg_node *node, uint64_t id, ncg_core_group *out, size_t size,
                             ncg_error *err);

/**
 * The env strings of one process of an allocation, into a sized @p out.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND (id or process).
 */
int ncg_node_get_env(const ncg_node *node, uint64_t id, int process, ncg_env *out, ncg_error *err);

/** Current use of a node, into a sized @p out. @return 0, or NCG_E_INVALID. */
int ncg_node_get_status(const ncg_node *node, ncg_node_status *out, ncg_error *err);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Device memory ("cache") accounting */
/**@{*/

/** How the models of an NCG fit the device memory it can reach. */
typedef enum ncg_cache_state {
    NCG_CACHE_FITS = 0,         /**< every model stays resident */
    NCG_CACHE_SWAPS = 1,        /**< not all fit at once: models will be context-switched (throughput cost) */
    NCG_CACHE_NO_FIT = 2,       /**< a static-weight model, or a single model, cannot be resident */
} ncg_cache_state;

/** Device memory of one chip. Sized (NCG_INIT). */
typedef struct ncg_chip_cache {
    uint32_t size;              /**< sizeof(ncg_chip_cache), set by the caller */
    int chip;
    int64_t capacity_bytes;     /**< device memory of the chip */
    int64_t reserve_bytes;      /**< runtime reserve: runtime_bytes_per_core x physical cores */
    int64_t used_bytes;         /**< what the NCGs with cores on it need of it */
    int64_t free_bytes;         /**< capacity - reserve - used; negative when overcommitted */
    int core_groups;            /**< NCGs with cores on the chip */
} ncg_chip_cache;

/** Identifies one NCG on a node. Frozen: its layout never changes. */
typedef struct ncg_core_group_ref {
    uint64_t alloc_id;
    int process;
} ncg_core_group_ref;

/** Device memory of one NCG. Sized (NCG_INIT). */
typedef struct ncg_core_group_cache {
    uint32_t size;              /**< sizeof(ncg_core_group_cache), set by the caller */
    ncg_core_group core_group;  /**< host-global */
    int64_t reachable_bytes;    /**< capacity - reserve of the chips it spans */
    int64_t share_bytes;        /**< its share when the NCGs on those chips split them by cores */
    int64_t need_bytes;         /**< sum of its models' bytes */
    int shared_with;            /**< number of other NCGs with cores on its chips */
    ncg_cache_state state;
} ncg_core_group_cache;

/**
 * Device memory of one chip of a node, into a sized @p out.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND (chip out of range).
 */
int ncg_node_get_chip_cache(const ncg_node *node, int chip, ncg_chip_cache *out, ncg_error *err);

/**
 * Device memory of one NCG, and which NCGs it shares chips with.
 * @param[out] out sized (NCG_INIT).
 * @param[out] shares the other NCGs, ordered by allocation id then process, when all fit (buffer rule); may be
 *        NULL when @p size is 0. @p out is written either way.
 * @return the number of NCGs it shares with, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_node_get_core_group_cache(const ncg_node *node, uint64_t id, int process, ncg_core_group_cache *out,
                                  ncg_core_group_ref *shares, size_t size, ncg_error *err);

/** @return "fits", "context-switched" or "does not fit"; NULL for other values. */
const char *ncg_cache_state_name(ncg_cache_state state);
/**@}*/


/* ------------------------------------------------------------------------------------------------------------ */
/** @name Clusters: node groups, nodes and online placement */
/**@{*/

/** A node group: nodes of one type that an API may be allowed to use. ncg_cluster_place() prefers a node group
 *  of higher @p priority strictly; among equal priorities it scores the nodes of all of them together and the
 *  order the node groups were added only breaks exact ties (doc/placement.md). Sized (NCG_INIT). */
typedef struct ncg_nodegroup_spec {
    uint32_t size;           /**< sizeof(ncg_nodegroup_spec), set by the caller */
    const char *name;        /**< unique in the cluster; same syntax as type names */
    const char *type;        /**< an instance type of the catalog */
    int min_nodes;           /**< >= 0; the planner keeps at least this many */
    int max_nodes;           /**< >= min_nodes; 0..1000000 */
    int has_price;           /**< nonzero: usd_per_hour overrides the catalog price (spot, discounts) */
    double usd_per_hour;
    int priority;            /**< Cortex's node-group priority: higher is placed first, strictly; default 0 */
    /* 2.3 */
    int lnc;                 /**< Logical NeuronCore setting of its nodes (1 or 2, types with the setting only); 0 =
                                  the type's; ncg_cluster_get_nodegroup() gives the setting in use */
} ncg_nodegroup_spec;

/** Where a replica went. Sized (NCG_INIT). */
typedef struct ncg_placement {
    uint32_t size;           /**< sizeof(ncg_placement), set by the caller */
    const char *node;        /**< node name, valid until the node is removed or the cluster freed */
    int node_index;          /**< index of the node in the cluster */
    int nodegroup;           /**< node group index */
    uint64_t alloc_id;       /**< the allocation on that node (ncg_node_get_alloc() reads it) */
} ncg_placement;

/** One move of a defragmentation suggestion: allocation @p alloc_id of node @p from goes to node @p to.
 *  Names are valid until those nodes are removed or the cluster freed. Frozen: its layout never changes. */
typedef struct ncg_move {
    const char *from;
    uint64_t alloc_id;
    const char *to;
} ncg_move;

typedef struct ncg_cluster ncg_cluster;

/** Create an empty cluster (no node groups, no nodes). @param flags must be 0.
 *  @return the cluster, or NULL (NCG_E_INVALID, NCG_E_NOMEM). */
ncg_cluster *ncg_cluster_new(unsigned flags, ncg_error *err);

/** A deep copy of a cluster (node groups, nodes, allocations, ids, names). @return it, or NULL (NCG_E_INVALID,
 *  NCG_E_NOMEM). */
ncg_cluster *ncg_cluster_clone(const ncg_cluster *cluster, ncg_error *err);

/** Free a cluster and its nodes. Accepts NULL. @return NULL. */
ncg_cluster *ncg_cluster_free(ncg_cluster *cluster);

/**
 * Add a node group. It copies its type (and the catalog's reserves) from @p catalog; the price is the spec's
 * when has_price, else the catalog's (a type without a price costs 0 and the plan says so).
 * @return the node group's index (its preference rank), or NCG_E_INVALID, NCG_E_RANGE, NCG_E_UNKNOWN_TYPE,
 *         NCG_E_EXISTS, NCG_E_NOMEM.
 */
int ncg_cluster_add_nodegroup(ncg_cluster *cluster, const ncg_catalog *catalog, const ncg_nodegroup_spec *spec,
                              ncg_error *err);

/** @return the number of node groups (0 for NULL). */
int ncg_cluster_nodegroup_count(const ncg_cluster *cluster);

/**
 * Set the window policy (::ncg_policy: NCG_POLICY_PACK, the default, or NCG_POLICY_FIRST_FIT, AWS's choice) of a
 * node group's nodes, those it has and those added to it later, as ncg_node_set_policy() does for one node. It
 * decides which chips or cores of the chosen node a replica takes; the node is chosen by ncg_cluster_place()'s
 * score either way. Kept by ncg_cluster_dump() and ncg_cluster_restore(); a node group starts with NCG_POLICY_PACK.
 * @param nodegroup a node group name, or NULL for every node group of the cluster now.
 * @return 0, or NCG_E_INVALID (NULL cluster, unknown policy), NCG_E_NOT_FOUND (no such node group).
 */
int ncg_cluster_set_policy(ncg_cluster *cluster, const char *nodegroup, ncg_policy policy, ncg_error *err);

/**
 * Get the window policy of a node group, or (NULL) of every node group: NCG_POLICY_PACK for a cluster without node
 * groups.
 * @return the ::ncg_policy value (>= 0), or NCG_E_INVALID (NULL cluster; NULL @p nodegroup when the node groups'
 *         policies differ), NCG_E_NOT_FOUND (no such node group).
 */
int ncg_cluster_get_policy(const ncg_cluster *cluster, const char *nodegroup, ncg_error *err);

/**
 * Read a node group. Strings point into the cluster and stay valid until it is freed.
 * @param[out] out sized; its price is the effective one (has_price says whether it is known).
 * @param[out] out_type may be NULL; else sized; receives the node group's type.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_cluster_get_nodegroup(const ncg_cluster *cluster, int index, ncg_nodegroup_spec *out, ncg_type *out_type,
                              ncg_error *err);

/**
 * Add an empty node to a node group.
 * @param name unique node name (e.g. the Kubernetes node name: 1..253 characters of [A-Za-z0-9._-]); NULL to
 *        name it "<nodegroup>-<n>".
 * @return the node's index (nodes are listed in the order they were added), or NCG_E_INVALID, NCG_E_NOT_FOUND
 *         (node group), NCG_E_EXISTS (name), NCG_E_RANGE (the node group has max_nodes nodes), NCG_E_NOMEM.
 */
int ncg_cluster_add_node(ncg_cluster *cluster, const char *name, const char *nodegroup, ncg_error *err);

/** Remove a node and every allocation on it. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cluster_remove_node(ncg_cluster *cluster, const char *name, ncg_error *err);

/** @return the number of nodes (0 for NULL). */
int ncg_cluster_node_count(const ncg_cluster *cluster);

/**
 * The node at @p index, for reading with the ncg_node_* functions that take a const node. Valid until the node
 * is removed or the cluster freed; the caller must not free or modify it.
 * @param[out] out_node may be NULL. @param[out] out_name may be NULL. @param[out] out_nodegroup may be NULL.
 * @return 0, or NCG_E_INVALID / NCG_E_NOT_FOUND.
 */
int ncg_cluster_get_node(const ncg_cluster *cluster, int index, const ncg_node **out_node, const char **out_name,
                         int *out_nodegroup, ncg_error *err);

/** Find a node by name. @return its index, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cluster_find_node(const ncg_cluster *cluster, const char *name, ncg_error *err);

/**
 * Place one replica on an existing node (nodes are never created here). Of every node of the allowed node groups
 * where it fits (only @p nodegroups when given, as names), it takes the one with, in this order: the highest
 * node-group priority; for a CPU-only replica, the fewest free NeuronCores (it goes first where the accelerators
 * are used up); the least free capacity left (best fit), as the sum of the node's free fractions of cores, CPU,
 * memory and hugepages; the smallest leftover of the largest free window (whole chips) or of the longest free run
 * of NeuronCores (core-granular and CPU-only requests); then the earlier node group and the earlier node. An
 * index over every resource finds it without scanning the nodes (doc/placement.md); within the node, the node
 * group's policy picks the chips or cores. The reasons of a failure are built only when @p err is given.
 * @param nodegroups allowed node group names, or NULL for all.
 * @param[out] out required, sized.
 * @return 0, or NCG_E_INVALID / NCG_E_RANGE (arguments, the request's own fields), NCG_E_NOT_FOUND (an unknown
 *         node group name), NCG_E_NOMEM, or NCG_E_FULL with the reason per node group: how many nodes it has and
 *         whether max_instances is reached, how many lack the free window or NeuronCores and how many are short of
 *         CPU, memory or hugepages; or the rule of ncg_request_check() that the node group's type fails
 *         (processes_per_replica, fit, topology, models).
 */
int ncg_cluster_place(ncg_cluster *cluster, const ncg_request *request, const char *const *nodegroups,
                      size_t nodegroup_count, ncg_placement *out, ncg_error *err);

/**
 * How ncg_cluster_place() scores one node for one replica (doc/placement.md), for schedulers that choose among
 * candidate nodes themselves (a scheduler extender's filter and prioritize). Compare two with
 * ncg_node_score_compare(); the members are the terms of the score, compared in the order their comments number
 * them. Sized (NCG_INIT).
 */
typedef struct ncg_node_score {
    uint32_t size;           /**< sizeof(ncg_node_score), set by the caller */
    int node_index;          /**< the node's index in the cluster */
    int nodegroup;           /**< its node group's index (5th term: earlier wins exact ties) */
    int priority;            /**< 1st term: its node group's priority, higher is better, strictly */
    int leftover;            /**< 4th term: chips of the largest free window (whole-chip requests), or NeuronCores of
                                  the longest free run (core-granular and CPU-only), left after the replica:
                                  smaller is better */
    int64_t free_after;      /**< 3rd term: free capacity left after the replica, as the sum of the node's free
                                  fractions of cores, CPU, memory and hugepages, 2^20 per resource: smaller is
                                  better */
    uint64_t seq;            /**< 6th term: order the node was added in (earlier wins exact ties) */
    int free_cores;          /**< 2nd term: for a CPU-only request, the node's free NeuronCores (smaller is
                                  better); 0 for requests with chips or NeuronCores */
} ncg_node_score;

/**
 * Score placing one replica on the node named @p node, without placing it. The cluster is not changed.
 * @param[out] out required, sized; written only when the replica fits the node now.
 * @return 0 when it fits; NCG_E_FULL with the node's reason (the free window, run of NeuronCores, CPU, memory or
 *         hugepages that is short, or models that do not fit) when it does not fit now; the rule of
 *         ncg_request_check() that the node's type fails (NCG_E_PPR, NCG_E_NO_FIT, NCG_E_TOPOLOGY, NCG_E_MODEL);
 *         NCG_E_NOT_FOUND (no such node), NCG_E_INVALID / NCG_E_RANGE (arguments, the request's fields).
 */
int ncg_cluster_score_node(const ncg_cluster *cluster, const char *node, const ncg_request *request,
                           ncg_node_score *out, ncg_error *err);

/**
 * Order two scores as ncg_cluster_place() does. NULL sorts last.
 * @return a negative value when @p a is the better node, a positive one when @p b is, 0 when they are the same
 *         node's score or equal in every term.
 */
int ncg_node_score_compare(const ncg_node_score *a, const ncg_node_score *b);

/**
 * Rank @p n scores as ncg_node_score_compare() orders them, in one call: @p ranks[i] is the number of distinct
 * scores better than @p scores[i], so 0 is the best, and scores equal in every term share a rank (dense ranking:
 * the ranks in use are 0, 1, ... without gaps). A scheduler that wants nodes in the same state to tie zeroes
 * their node_index, nodegroup and seq first.
 * @param scores n sized scores, each with the same size: the library steps through the array by the first
 *        element's size, as through an ncg_model array (doc/abi.md); may be NULL when @p n is 0.
 * @param n how many, 0 to NCG_MAX_SCORES.
 * @param[out] ranks n ints, written only on success; may be NULL when @p n is 0.
 * @return 0; NCG_E_INVALID (scores or ranks NULL with n > 0, a size below ncg_node_score's in 2.1 or one that
 *         differs from the first's), NCG_E_RANGE (n above NCG_MAX_SCORES), NCG_E_NOMEM. Since 2.2.
 */
int ncg_node_score_rank(const ncg_node_score *scores, size_t n, int *ranks, ncg_error *err);

/**
 * Place one replica on the node named @p node (a scheduler's bind), with its node group's policy choosing the
 * chips or cores, as ncg_cluster_place() would had it chosen that node.
 * @param[out] out required, sized.
 * @return 0, or the codes of ncg_cluster_score_node(), or NCG_E_NOMEM.
 */
int ncg_cluster_place_on(ncg_cluster *cluster, const char *node, const ncg_request *request, ncg_placement *out,
                         ncg_error *err);

/** Release an allocation of a node. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cluster_release(ncg_cluster *cluster, const char *node, uint64_t id, ncg_error *err);

/** Most servers (nodes) of one UltraServer, and of one replica placed by ncg_cluster_place_ultraserver(). */
#define NCG_ULTRASERVER_MAX_NODES 4

/**
 * Make a node a server of an UltraServer (trn2u.48xlarge instances come in UltraServers of 4, whose NeuronLinks
 * join them), or of none. On Kubernetes the id and position are the node's labels
 * `neuron.amazonaws.com/ultraserver-server-id-4` and `ultraserver-node-id-4`. Since 2.3.
 * @param ultraserver the UltraServer's id (1..63 characters of [A-Za-z0-9._-]), or NULL for none.
 * @param position the node's place in it, 0..NCG_ULTRASERVER_MAX_NODES-1; ignored when @p ultraserver is NULL.
 * @return 0, or NCG_E_INVALID (NULL cluster or node name, a bad id, a node holding a replica of several servers),
 *         NCG_E_RANGE (position), NCG_E_NOT_FOUND (node), NCG_E_EXISTS (another node has that place),
 *         NCG_E_NOMEM.
 */
int ncg_cluster_set_node_ultraserver(ncg_cluster *cluster, const char *node, const char *ultraserver, int position,
                                     ncg_error *err);

/**
 * The UltraServer of the node at @p index. Since 2.3.
 * @param[out] out_ultraserver may be NULL; receives the id (valid until the cluster is freed) or NULL for none.
 * @param[out] out_position may be NULL; receives 0..3, or -1 for none.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_cluster_get_node_ultraserver(const ncg_cluster *cluster, int index, const char **out_ultraserver,
                                     int *out_position, ncg_error *err);

/**
 * Place one replica on @p servers whole servers of one UltraServer: 4 (the whole UltraServer), 2 (the servers at
 * positions 0-1 or 2-3: the library pairs them horizontally) or 1. Every server gets one allocation of
 * @p request, which must take all of a server's chips (`inf` = the type's chips), all or none: nothing changes
 * when one server cannot take it. Among the UltraServers that can, it takes, in this order: the highest node-group
 * priority; the one left with the fewest free servers (so whole UltraServers stay free for replicas of 4); the
 * UltraServer whose first node was added first; the lowest positions. ncg_cluster_get_env() gives each server's
 * `NEURON_RT_ULTRASERVER_*` values. Since 2.3.
 * @param nodegroups allowed node group names, or NULL for all.
 * @param[out] out the placements, by position; @p size must be at least @p servers. Written on success only.
 * @return @p servers, or NCG_E_INVALID (arguments; a request that is not whole servers of every allowed node group's
 *         type), NCG_E_RANGE (@p servers not 1, 2 or 4; the request's fields), NCG_E_NOT_FOUND (a node group),
 *         NCG_E_FULL (no UltraServer has them free, with how many UltraServers were looked at), NCG_E_NOMEM.
 */
int ncg_cluster_place_ultraserver(ncg_cluster *cluster, const ncg_request *request, int servers,
                                  const char *const *nodegroups, size_t nodegroup_count, ncg_placement *out,
                                  size_t size, ncg_error *err);

/**
 * The env of one process of an allocation of a cluster's node: ncg_node_get_env()'s, plus the
 * `NEURON_RT_ULTRASERVER_*` values when the allocation is a server of a replica placed by
 * ncg_cluster_place_ultraserver(). Since 2.3.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND (node, allocation or process).
 */
int ncg_cluster_get_env(const ncg_cluster *cluster, const char *node, uint64_t id, int process, ncg_env *out,
                        ncg_error *err);

/** ncg_node_adopt() on a node of the cluster, keeping its index current. */
int ncg_cluster_adopt(ncg_cluster *cluster, const char *node, const ncg_request *request,
                      const char *visible_devices, const char *const *visible_cores, size_t process_count,
                      ncg_alloc *out, ncg_error *err);

/**
 * Write the whole state as text (format "ncg-cluster 2", documented in doc/state-format.md): node groups with
 * their types, nodes, allocations with their ids and models. Numbers are written the same under every locale.
 * Restoring it gives a cluster that dumps identically. Buffer rule: see the file comment.
 * @return the length of the text, or NCG_E_INVALID, NCG_E_RANGE (2^31 bytes or more).
 */
int ncg_cluster_dump(const ncg_cluster *cluster, char *buf, size_t size, ncg_error *err);

/**
 * Rebuild a cluster from ncg_cluster_dump() text.
 * @param flags must be 0.
 * @return the cluster, or NULL with NCG_E_PARSE (line number and what is wrong), NCG_E_OVERLAP, NCG_E_INVALID,
 *         NCG_E_NOMEM.
 */
ncg_cluster *ncg_cluster_restore(const char *text, unsigned flags, ncg_error *err);

/**
 * Suggest the fewest moves that free a window of @p chips whole chips on some node of @p nodegroup (NULL: any).
 * Each move names an allocation blocking the window and a node (outside the window) where it fits; moves are
 * checked in sequence, so they can be carried out in order. A node that already has such a window gives 0 moves.
 * The cluster is not changed, not even temporarily.
 * @param[out] out the moves when all fit (buffer rule); may be NULL when @p size is 0.
 * @param[out] out_node may be NULL; receives the name of the node whose window is freed (valid like ncg_move's),
 *        whether or not the moves fit.
 * @return the number of moves, or NCG_E_FULL (no node can be freed that way), NCG_E_INVALID, NCG_E_RANGE,
 *         NCG_E_NOT_FOUND, NCG_E_TOPOLOGY, NCG_E_NOMEM.
 */
int ncg_cluster_defrag(const ncg_cluster *cluster, int chips, const char *nodegroup, ncg_move *out, size_t size,
                       const char **out_node, ncg_error *err);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Planning: replicas of many APIs onto priced nodes */
/**@{*/

/** Most APIs in one plan (ncg_plan_add_api() refuses more with NCG_E_RANGE). */
#define NCG_PLAN_MAX_APIS 10000
/** Most replicas in one plan, over all its APIs (ncg_plan_add_api() refuses more with NCG_E_RANGE): a plan of
 *  this many takes about 0.5 GB and a few seconds (doc/limits.md). */
#define NCG_PLAN_MAX_REPLICAS 2000000

/** An API to plan: its replica request, how many replicas, and where it may run. Sized (NCG_INIT). */
typedef struct ncg_api_spec {
    uint32_t size;                 /**< sizeof(ncg_api_spec), set by the caller */
    const char *name;              /**< 1..255 characters */
    const ncg_request *request;    /**< required */
    int replicas;                  /**< 0..10000000, and at most NCG_PLAN_MAX_REPLICAS over the plan's APIs */
    const char *const *nodegroups; /**< allowed node group names; NULL = every node group */
    size_t nodegroup_count;
    int max_per_node;              /**< most replicas of this API on one node; 0 = no limit */
} ncg_api_spec;

/** Totals of a plan. Sized (NCG_INIT). */
typedef struct ncg_plan_summary {
    uint32_t size;               /**< sizeof(ncg_plan_summary), set by the caller */
    double price_per_hour;       /**< all nodes of the plan, existing ones included */
    double lower_bound_per_hour; /**< no valid plan of the same input costs less (doc/planner.md) */
    double gap;                  /**< (price - bound) / price, 0 when price is 0 */
    int nodes;
    int new_nodes;               /**< nodes the plan adds to the cluster it started from */
    int replicas;                /**< asked for */
    int placed;
    int unplaced;
    int unpriced_nodes;          /**< nodes whose type has no price (counted as 0) */
    int64_t chips_used, chips_total;
    int64_t cpu_used_milli, cpu_total_milli;        /**< total = usable after reserves */
    int64_t memory_used_bytes, memory_total_bytes;
    int converged;               /**< 1: the bound is the configuration LP's optimum (column generation converged);
                                      0: it is a valid bound found before convergence, or the first bound only */
    /* 2.1 (a double first, so that it starts at the 2.0 sizeof on every ABI) */
    double solve_seconds;        /**< wall-clock time of ncg_plan_solve(), all of it (differs between runs) */
    double generation_seconds;   /**< of which column generation (master LPs and pricing) */
    double rounding_seconds;     /**< of which integer plans built from the LP's patterns */
    double packing_seconds;      /**< of which the packing heuristics, materialising nodes and the bounds */
    int rounds;                  /**< column-generation rounds run (0: generation was skipped) */
    int patterns;                /**< node patterns the configuration LP's last solution uses */
    int stopped;                 /**< why generation stopped: an ::ncg_plan_stop value */
    /* 2.2 */
    int optimal;                 /**< 1: the plan is proven the cheapest of every plan that places the replicas it
                                      places (the exact search closed every other choice of node counts, or the
                                      bound rounded up to a price a plan can have meets the price);
                                      lower_bound_per_hour then equals price_per_hour and gap is 0 */
} ncg_plan_summary;

/** sizeof(ncg_plan_summary) in 2.0, before the 2.1 members: the smallest size ncg_plan_get_summary() accepts. */
#define NCG_PLAN_SUMMARY_V20_SIZE offsetof(ncg_plan_summary, solve_seconds)

/** Why column generation stopped (ncg_plan_summary.stopped). Values are part of the ABI. */
typedef enum ncg_plan_stop {
    NCG_PLAN_STOP_CONVERGED = 0, /**< no pattern prices out: the bound is the configuration LP optimum */
    NCG_PLAN_STOP_GAP = 1,       /**< the proven bound came within 0.05% of the master LP's value */
    NCG_PLAN_STOP_WORK = 2,      /**< the work limit (ncg_plan_options.work_limit) was reached */
    NCG_PLAN_STOP_TIME = 3,      /**< the time limit (ncg_plan_options.time_limit_s) was reached */
    NCG_PLAN_STOP_ROUNDS = 4,    /**< the round limit was reached */
    NCG_PLAN_STOP_SKIPPED = 5,   /**< not run: too many (class of interchangeable APIs, node kind) pairs, too
                                      many existing nodes, no API, or NCG_PLAN_NO_COLGEN */
    NCG_PLAN_STOP_SEARCH = 6,    /**< no pattern priced out, but some pricing search hit its node limit: the
                                      bound is valid, the master LP's value may lie above the optimum (2.1) */
} ncg_plan_stop;

/** ncg_plan_options.flags: skip column generation (packing heuristics and the first bound only). */
#define NCG_PLAN_NO_COLGEN 1u

/** Options of ncg_plan_solve(). Sized: set it up with ncg_plan_options_init(). */
typedef struct ncg_plan_options {
    uint32_t size;               /**< sizeof(ncg_plan_options), set by ncg_plan_options_init() */
    double time_limit_s;         /**< wall-clock budget of ncg_plan_solve() in seconds; 0 = none (the default).
                                      It is checked after every generation round, dive step and strategy: the
                                      solve ends at the first check past it, once one complete plan exists (whose
                                      time the limits NCG_PLAN_MAX_APIS and NCG_PLAN_MAX_REPLICAS bound: a few
                                      seconds). However early it stops, the plan is valid and its bound proven;
                                      with a limit, how far generation gets depends on the machine, so the plan
                                      may differ between runs. */
    int64_t work_limit;          /**< deterministic budget of column generation, in multiply-adds of its master
                                      LPs and pricing; 0 = the default (1e9). The same input and work limit give
                                      the same plan on every machine. */
    unsigned flags;              /**< 0 or NCG_PLAN_NO_COLGEN */
} ncg_plan_options;

/** One replica of a plan. Sized (NCG_INIT). */
typedef struct ncg_plan_replica {
    uint32_t size;               /**< sizeof(ncg_plan_replica), set by the caller */
    int api;                     /**< api index (order of ncg_plan_add_api) */
    int replica;                 /**< 0 .. replicas-1 */
    int node;                    /**< node index in ncg_plan_get_cluster(); -1 if unplaced */
    uint64_t alloc_id;           /**< allocation on that node; 0 if unplaced */
} ncg_plan_replica;

typedef struct ncg_plan ncg_plan;

/**
 * Start a plan from a cluster: its node groups, and its nodes with their allocations, which the plan keeps and
 * fills first. The cluster is copied; it is not changed.
 * @param flags must be 0.
 * @return the plan, or NULL (NCG_E_INVALID, NCG_E_NOMEM).
 */
ncg_plan *ncg_plan_new(const ncg_cluster *base, unsigned flags, ncg_error *err);

/** Free a plan. Accepts NULL. @return NULL. */
ncg_plan *ncg_plan_free(ncg_plan *plan);

/**
 * Add an API. The spec is copied.
 * @return the api index, or NCG_E_INVALID / NCG_E_RANGE naming the field (NCG_E_RANGE also past
 *         NCG_PLAN_MAX_APIS or NCG_PLAN_MAX_REPLICAS), NCG_E_NOT_FOUND (unknown node group), NCG_E_EXISTS (an API
 *         of that name was added already), NCG_E_NOMEM. An API no allowed node group can ever hold is accepted; its replicas end up
 *         unplaced with the reason.
 */
int ncg_plan_add_api(ncg_plan *plan, const ncg_api_spec *spec, ncg_error *err);

/** Set @p opts to the defaults (no time limit, the default work limit, no flags) and its size. NULL is ignored. */
void ncg_plan_options_init(ncg_plan_options *opts);

/**
 * Set the options ncg_plan_solve() uses (copied). Before solving only.
 * @return 0, or NCG_E_INVALID (NULL, a bad size, unknown flags, solved already), NCG_E_RANGE (a negative or
 *         non-finite time limit, a negative work limit), naming the field and value.
 */
int ncg_plan_set_options(ncg_plan *plan, const ncg_plan_options *opts, ncg_error *err);

/** The plan's options into a sized @p out. @return 0, or NCG_E_INVALID. */
int ncg_plan_get_options(const ncg_plan *plan, ncg_plan_options *out, ncg_error *err);

/**
 * Compute the plan: nodes to run, every replica's node and window, price, lower bound. Deterministic: the same
 * input gives the same plan. Succeeds once per plan; after a failure (NCG_E_NOMEM) the plan is as it was and
 * the call may be repeated.
 * @return 0 (even when replicas are unplaced: see the summary), or NCG_E_INVALID (solved already), NCG_E_NOMEM.
 */
int ncg_plan_solve(ncg_plan *plan, ncg_error *err);

/** Totals of a solved plan, into a sized @p out. @return 0, or NCG_E_INVALID (NULL or not solved). */
int ncg_plan_get_summary(const ncg_plan *plan, ncg_plan_summary *out, ncg_error *err);

/** The cluster the plan produced (base nodes plus new ones) once solved, else the plan's copy of the base; for
 *  reading. A pointer taken before ncg_plan_solve() succeeds is invalid after it; one taken after it is valid
 *  while the plan lives. NULL for NULL. */
const ncg_cluster *ncg_plan_get_cluster(const ncg_plan *plan);

/** @return the number of replicas (placed or not) of a solved plan; 0 for NULL or unsolved. */
int ncg_plan_replica_count(const ncg_plan *plan);

/** Read replica @p index (APIs in order, then replicas in order) into a sized @p out.
 *  @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_plan_get_replica(const ncg_plan *plan, int index, ncg_plan_replica *out, ncg_error *err);

/**
 * Why the replicas of an API that are unplaced could not be placed (which resource on which node group, or max
 * instances reached). Buffer rule: see the file comment; "" when all are placed.
 * @param[out] out_unplaced may be NULL; receives the number of unplaced replicas of the API, whether or not the
 *        reason fits.
 * @return the length of the reason, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_plan_get_unplaced(const ncg_plan *plan, int api, char *buf, size_t size, int *out_unplaced,
                          ncg_error *err);

/**
 * How many more replicas of an API would fit on the plan's nodes as they are (no new nodes). The plan is not
 * changed, not even temporarily.
 * @return the count, or NCG_E_INVALID, NCG_E_NOT_FOUND, NCG_E_NOMEM.
 */
int ncg_plan_get_headroom(const ncg_plan *plan, int api, ncg_error *err);

/** The name of API @p api (valid while the plan lives), or NULL. */
const char *ncg_plan_get_api_name(const ncg_plan *plan, int api);

/** @return the number of APIs of the plan (0 for NULL). */
int ncg_plan_api_count(const ncg_plan *plan);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* NCG_H */

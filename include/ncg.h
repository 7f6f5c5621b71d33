/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file ncg.h
 * @brief libncg: NeuronCore Group partitioning and scheduling for AWS Neuron hardware.
 *
 * Conventions, which every function below follows:
 *
 * - Handles (ncg_catalog, ncg_node, ncg_cluster, ncg_plan) are opaque. `*_new()` returns a handle or NULL,
 *   `*_free()` accepts NULL and returns NULL so that `p = ncg_node_free(p);` clears the pointer.
 * - Functions that can fail return an `int`: 0 or a non-negative count/id on success, a negative
 *   ::ncg_status code on failure. They take an optional `ncg_error *err` as their last argument; on failure it
 *   receives the code and a message naming the offending field and value. On success it is left untouched.
 * - A failed call changes no object: output parameters, handles and the catalog stay exactly as they were.
 * - The library never prints, exits, reads the environment or keeps global mutable state.
 * - Structs passed in are read during the call only; the library copies what it keeps.
 *
 * Thread safety: distinct handles may be used from distinct threads at the same time. One handle must not be
 * used by two threads at once, except that a catalog that is no longer modified may be read (looked up, used to
 * create nodes, clusters and plans) from any number of threads. Handles created from a catalog copy what they
 * need from it and do not refer to it afterwards.
 */
#ifndef NCG_H
#define NCG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Library version, also available at run time from ncg_version(). */
#define NCG_VERSION_MAJOR 1
#define NCG_VERSION_MINOR 0
#define NCG_VERSION_PATCH 0

/** Largest number of Neuron chips on one node type. */
#define NCG_MAX_CHIPS 64
/** Largest number of NeuronCores per chip. */
#define NCG_MAX_CORES_PER_CHIP 16
/** Largest number of NeuronCores on one node. */
#define NCG_MAX_CORES 256
/** Longest instance-type name, without the terminating NUL. */
#define NCG_NAME_MAX 63
/** Size of the message buffer in ::ncg_error. */
#define NCG_MESSAGE_MAX 512
/** Size of each string buffer in ::ncg_env; enough for any valid value. */
#define NCG_ENV_MAX 320

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
    NCG_E_BUFFER = -14,      /**< the caller's buffer is too small */
} ncg_status;

/** Error details filled by a failed call. */
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
 * Parse a Kubernetes CPU quantity ("1", "1.5", "500m", "0.25") into milli-CPU.
 * Fractions finer than 1m are rounded up as Kubernetes does. Signs, spaces, exponents, other suffixes and
 * empty strings are rejected.
 * @param text NUL-terminated quantity.
 * @param[out] out_milli the value in milli-CPU.
 * @return 0, or NCG_E_INVALID (NULL), NCG_E_PARSE (malformed), NCG_E_RANGE (negative or overflow).
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
 * Format milli-CPU canonically: "2" when whole, else "2500m".
 * @return the length written (without NUL), or NCG_E_RANGE (negative), NCG_E_INVALID, NCG_E_BUFFER.
 */
int ncg_format_cpu(int64_t milli, char *buf, size_t size, ncg_error *err);

/**
 * Format bytes canonically: the exact form with the smallest number among plain bytes, the decimal suffixes and
 * the binary suffixes (binary wins ties): 4000000000 is "4G", 7331643392 is "6992Mi", 1023 is "1023".
 * @return the length written (without NUL), or NCG_E_RANGE, NCG_E_INVALID, NCG_E_BUFFER.
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
} ncg_topology;

/** An instance type. Strings are owned by whoever filled the struct (see each function). */
typedef struct ncg_type {
    const char *name;                /**< e.g. "inf1.6xlarge"; 1..63 chars of [A-Za-z0-9._-] */
    const char *family;              /**< e.g. "inf1"; may be NULL or "" */
    ncg_accel accelerator;
    int chips;                       /**< Neuron chips: 1..64 for Neuron types, 0 otherwise */
    int cores_per_chip;              /**< NeuronCores per chip as the runtime numbers them: 1..16; 0 if no chips */
    int physical_cores_per_chip;     /**< physical cores per chip for the runtime reserve; 0 = cores_per_chip */
    int64_t device_memory_bytes;     /**< device memory ("cache") per chip; 0 if no chips */
    int gpus;                        /**< GPUs, for NCG_ACCEL_GPU types (reserved for, never scheduled) */
    int64_t cpu_milli;               /**< vCPUs x 1000 */
    int64_t memory_bytes;            /**< host memory */
    int64_t hugepages_bytes;         /**< 2 MiB hugepages the node offers; 0 = not counted */
    ncg_topology topology;
    int has_price;                   /**< 0 if the price is unknown */
    double usd_per_hour;             /**< on-demand price when has_price */
} ncg_type;

/** System reserves of a catalog, subtracted from every node's CPU and memory, and the device runtime reserve. */
typedef struct ncg_reserve {
    int64_t cpu_milli;               /**< on every node (Cortex v0.18: 710m) */
    int64_t memory_bytes;            /**< on every node (Cortex v0.18: 1100Mi) */
    int64_t plugin_cpu_milli;        /**< extra on nodes with accelerators and a device plugin (100m) */
    int64_t plugin_memory_bytes;     /**< extra on nodes with accelerators (100Mi) */
    int64_t runtime_bytes_per_core;  /**< device memory the Neuron runtime keeps per physical core (96 MiB) */
} ncg_reserve;

typedef struct ncg_catalog ncg_catalog;

/**
 * Create a catalog holding the 12 built-in Neuron types (us-east-1 on-demand prices, mid-2026) and the default
 * reserves (Cortex v0.18 values, 96 MiB runtime reserve per physical core).
 * @return the catalog, or NULL with NCG_E_NOMEM in @p err.
 */
ncg_catalog *ncg_catalog_new(ncg_error *err);

/** Create a catalog with no types and the default reserves. @return the catalog or NULL (NCG_E_NOMEM). */
ncg_catalog *ncg_catalog_new_empty(ncg_error *err);

/** Free a catalog. Accepts NULL. @return NULL. */
ncg_catalog *ncg_catalog_free(ncg_catalog *catalog);

/** @return the number of types in @p catalog (0 for NULL). */
int ncg_catalog_count(const ncg_catalog *catalog);

/**
 * Read the type at @p index (catalog order: built-ins first, in their table order, then added types).
 * Strings in @p out point into the catalog and stay valid until the catalog is modified or freed.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND (index out of range).
 */
int ncg_catalog_type_at(const ncg_catalog *catalog, int index, ncg_type *out, ncg_error *err);

/**
 * Look a type up by name. Strings in @p out stay valid until the catalog is modified or freed.
 * @param[out] out may be NULL to test for presence only.
 * @return the index of the type, or NCG_E_INVALID, NCG_E_UNKNOWN_TYPE.
 */
int ncg_catalog_find(const ncg_catalog *catalog, const char *name, ncg_type *out, ncg_error *err);

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

/** Read the reserves. @return 0, or NCG_E_INVALID. */
int ncg_catalog_get_reserve(const ncg_catalog *catalog, ncg_reserve *out, ncg_error *err);

/** Replace the reserves; every field must be >= 0. @return 0, or NCG_E_INVALID, NCG_E_RANGE naming the field. */
int ncg_catalog_set_reserve(ncg_catalog *catalog, const ncg_reserve *reserve, ncg_error *err);

/**
 * CPU and memory a replica may use on an empty node of a type: the type's minus the base reserve, minus the
 * plugin reserve when the type has accelerators. Clamped at 0.
 * @param[out] out_cpu_milli may be NULL. @param[out] out_memory_bytes may be NULL.
 * @return 0, or NCG_E_INVALID, NCG_E_UNKNOWN_TYPE.
 */
int ncg_catalog_usable(const ncg_catalog *catalog, const char *name, int64_t *out_cpu_milli,
                       int64_t *out_memory_bytes, ncg_error *err);

/** @return the lower-case name of a topology ("single", "chain", "ring", "torus4x4") or NULL. */
const char *ncg_topology_name(ncg_topology topology);

/** @return the lower-case name of an accelerator ("none", "inferentia", "trainium", "gpu") or NULL. */
const char *ncg_accel_name(ncg_accel accel);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Requests, NeuronCore Groups and models */
/**@{*/

/** A model served by an API. Every process (NCG) of a replica loads all models of its API. */
typedef struct ncg_model {
    const char *name;        /**< for messages; may be NULL */
    int64_t bytes;           /**< device memory the model needs, >= 0 */
    int compiled_cores;      /**< NeuronCores it was compiled for; 0 = unknown */
    int static_weights;      /**< nonzero: must stay resident (no context switching) */
} ncg_model;

/**
 * What one replica of an API asks for. Set it up with ncg_request_init() (Cortex's defaults).
 * A replica asks either for whole chips (`inf`, resource aws.amazon.com/neuron) or for NeuronCores
 * (`neuroncores`, resource aws.amazon.com/neuroncore), not both; with neither it runs on the CPU.
 */
typedef struct ncg_request {
    int64_t inf;             /**< whole chips per replica, >= 0 */
    int64_t neuroncores;     /**< NeuronCores per replica, >= 0; only when inf is 0 */
    int64_t ppr;             /**< processes_per_replica, >= 1; each process gets one NCG */
    int64_t cpu_milli;       /**< >= 0 */
    int64_t memory_bytes;    /**< >= 0 */
    int64_t gpu;             /**< >= 0; a replica asking for GPUs fits only GPU types */
    int64_t hugepages_bytes; /**< >= 0; counted against the type's hugepages (runtime 1.x: 256 MiB per chip) */
    const ncg_model *models; /**< may be NULL when model_count is 0 */
    size_t model_count;
} ncg_request;

/** One NeuronCore Group: the cores of one serving process. */
typedef struct ncg_group {
    int process;             /**< index of the process in its replica */
    int first_core;          /**< first core: host-global once placed, relative to the replica in layouts */
    int core_count;          /**< the NCG size */
    int first_chip;          /**< first chip it has cores on (host-global once placed) */
    int chip_count;          /**< chips it has cores on */
    int64_t cache_bytes;     /**< device memory of those chips, before any reserve */
} ncg_group;

/** Fill @p request with Cortex's defaults: inf 0, neuroncores 0, ppr 1, cpu 200m, memory 0, gpu 0, no models. */
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
 * @param[out] out may be NULL to count only; at most @p size values are written.
 * @return the number of values (which may exceed @p size), or NCG_E_RANGE (total_cores < 1 or > 2^31-1).
 */
int ncg_ppr_values(int64_t total_cores, int64_t *out, size_t size, ncg_error *err);

/**
 * Validate a request with Cortex's rules, against one type or the whole catalog (@p type NULL: valid when some
 * type accepts it). Order: field domains; the ppr rule; the fit rule (CPU, memory, GPU, Inf, each against what
 * is usable after reserves) with Cortex's text, e.g. "no instances can satisfy the requested Inf quantity -
 * requested 2 Inf but instances only have 1 Inf available"; the topology (a torus takes 1, 4, 8 or 16 chips);
 * then models: compiled_cores greater than the NCG size is NCG_E_MODEL.
 * @return the NCG size (0 for a CPU-only request), or NCG_E_INVALID, NCG_E_RANGE, NCG_E_UNKNOWN_TYPE,
 *         NCG_E_PPR, NCG_E_NO_FIT, NCG_E_TOPOLOGY, NCG_E_MODEL.
 */
int ncg_request_check(const ncg_catalog *catalog, const char *type, const ncg_request *request, ncg_error *err);

/**
 * Advice about a valid request on a type, one line per finding, '\n'-separated, in @p buf: a model compiled for
 * fewer cores than its NCG (which ppr or recompile would match), models whose bytes exceed the memory their NCG
 * can reach (static: does not fit; otherwise: context-switched).
 * @param buf may be NULL when @p size is 0.
 * @return the number of findings (0 = none), or the error of ncg_request_check(), or NCG_E_BUFFER.
 */
int ncg_request_advice(const ncg_catalog *catalog, const char *type, const ncg_request *request, char *buf,
                       size_t size, ncg_error *err);

/**
 * The NeuronCore Groups of one replica on a type, relative to the replica (its first chip is 0).
 * NCG i holds cores i*g .. i*g+g-1 with g the NCG size.
 * @param[out] out at most @p size groups are written; may be NULL to count.
 * @return the number of groups (ppr; 0 for a CPU-only request), or the error of ncg_request_check().
 */
int ncg_request_layout(const ncg_catalog *catalog, const char *type, const ncg_request *request, ncg_group *out,
                       size_t size, ncg_error *err);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Pod environment strings */
/**@{*/

/** What one process of a placed replica needs in its environment. */
typedef struct ncg_env {
    char visible_cores[NCG_ENV_MAX];    /**< NEURON_RT_VISIBLE_CORES, host-global, "4-7" (or "4") */
    char group_sizes[NCG_ENV_MAX];      /**< NEURONCORE_GROUP_SIZES, the NCG size, "4" */
    char visible_devices[NCG_ENV_MAX];  /**< AWS_NEURON_VISIBLE_DEVICES of the replica, "2,3"; "" if core-granular
                                             within less than whole chips */
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
 * @param[out] out at most @p size sizes; may be NULL to count.
 * @return the number of sizes, or NCG_E_INVALID, NCG_E_PARSE, NCG_E_RANGE (0 or > 256).
 */
int ncg_parse_group_sizes(const char *text, int *out, size_t size, ncg_error *err);

/**
 * Format a contiguous id range: "a-b", or "a" when @p count is 1 (@p ranged nonzero), or "a,a+1,..."
 * (@p ranged 0, the form of AWS_NEURON_VISIBLE_DEVICES).
 * @return the length written, or NCG_E_RANGE, NCG_E_INVALID, NCG_E_BUFFER.
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

/** One allocation (one replica) on a node. */
typedef struct ncg_alloc {
    uint32_t id;            /**< > 0, unique on its node for the node's lifetime */
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

/** A node's current use. */
typedef struct ncg_node_status {
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
} ncg_node_status;

typedef struct ncg_node ncg_node;

/**
 * Create an empty node of type @p type. The node copies what it needs from @p catalog (type, reserves).
 * @return the node, or NULL with NCG_E_INVALID, NCG_E_UNKNOWN_TYPE, NCG_E_NOMEM in @p err.
 */
ncg_node *ncg_node_new(const ncg_catalog *catalog, const char *type, ncg_error *err);

/** Free a node. Accepts NULL. @return NULL. */
ncg_node *ncg_node_free(ncg_node *node);

/** Set the window policy for later allocations. @return 0, or NCG_E_INVALID. */
int ncg_node_set_policy(ncg_node *node, ncg_policy policy, ncg_error *err);

/** @return the type name of the node (valid while the node lives), or NULL for NULL. */
const char *ncg_node_type(const ncg_node *node);

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
 * @param[out] out may be NULL.
 * @return the allocation id (> 0), or NCG_E_INVALID, NCG_E_RANGE, NCG_E_PPR, NCG_E_NO_FIT, NCG_E_TOPOLOGY,
 *         NCG_E_MODEL, NCG_E_FULL (with what is short), NCG_E_NOMEM.
 */
int ncg_node_allocate(ncg_node *node, const ncg_request *request, ncg_alloc *out, ncg_error *err);

/**
 * Record an allocation that exists already, from the env strings a running pod carries.
 * @param request CPU, memory and models of the replica (inf, neuroncores and ppr are taken from the strings);
 *        may be NULL for none.
 * @param visible_devices AWS_NEURON_VISIBLE_DEVICES, or NULL; when given, the replica holds those whole chips and
 *        the processes' cores, when given too, must cover exactly the cores of those chips.
 * @param visible_cores NEURON_RT_VISIBLE_CORES of each process, in process order, consecutive and disjoint; may be
 *        NULL when @p process_count is 0 (then @p visible_devices is required and there is one process).
 * @return the new allocation id, or NCG_E_INVALID, NCG_E_PARSE, NCG_E_RANGE, NCG_E_OVERLAP (chips or cores
 *         in use), NCG_E_FULL (CPU or memory), NCG_E_MODEL, NCG_E_NOMEM.
 */
int ncg_node_adopt(ncg_node *node, const ncg_request *request, const char *visible_devices,
                   const char *const *visible_cores, size_t process_count, ncg_alloc *out, ncg_error *err);

/** Release an allocation. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_node_release(ncg_node *node, uint32_t id, ncg_error *err);

/** Read an allocation. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_node_alloc_info(const ncg_node *node, uint32_t id, ncg_alloc *out, ncg_error *err);

/**
 * List allocation ids in ascending order.
 * @param[out] out at most @p size ids; may be NULL to count.
 * @return the number of allocations, or NCG_E_INVALID.
 */
int ncg_node_allocations(const ncg_node *node, uint32_t *out, size_t size, ncg_error *err);

/**
 * The NCGs of an allocation, host-global.
 * @return the number of NCGs (may exceed @p size), or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_node_groups(const ncg_node *node, uint32_t id, ncg_group *out, size_t size, ncg_error *err);

/**
 * The env strings of one process of an allocation.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND (id or process).
 */
int ncg_node_env(const ncg_node *node, uint32_t id, int process, ncg_env *out, ncg_error *err);

/** Current use of a node. @return 0, or NCG_E_INVALID. */
int ncg_node_status_get(const ncg_node *node, ncg_node_status *out, ncg_error *err);
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

/** Device memory of one chip. */
typedef struct ncg_chip_cache {
    int chip;
    int64_t capacity_bytes;     /**< device memory of the chip */
    int64_t reserve_bytes;      /**< runtime reserve: runtime_bytes_per_core x physical cores */
    int64_t used_bytes;         /**< what the NCGs with cores on it need of it */
    int64_t free_bytes;         /**< capacity - reserve - used; negative when overcommitted */
    int groups;                 /**< NCGs with cores on the chip */
} ncg_chip_cache;

/** Identifies one NCG on a node. */
typedef struct ncg_group_ref {
    uint32_t alloc_id;
    int process;
} ncg_group_ref;

/** Device memory of one NCG. */
typedef struct ncg_group_cache {
    ncg_group group;            /**< host-global */
    int64_t reachable_bytes;    /**< capacity - reserve of the chips it spans */
    int64_t share_bytes;        /**< its share when the NCGs on those chips split them by cores */
    int64_t need_bytes;         /**< sum of its models' bytes */
    int shared_with;            /**< number of other NCGs with cores on its chips */
    ncg_cache_state state;
} ncg_group_cache;

/**
 * Device memory of one chip of a node.
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND (chip out of range).
 */
int ncg_node_chip_cache(const ncg_node *node, int chip, ncg_chip_cache *out, ncg_error *err);

/**
 * Device memory of one NCG, and which NCGs it shares chips with.
 * @param[out] shares at most @p size other NCGs, ordered by allocation id then process; may be NULL.
 * @return the number of NCGs it shares with (may exceed @p size), or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_node_group_cache(const ncg_node *node, uint32_t id, int process, ncg_group_cache *out,
                         ncg_group_ref *shares, size_t size, ncg_error *err);

/** @return "fits", "context-switched" or "does not fit"; NULL for other values. */
const char *ncg_cache_state_name(ncg_cache_state state);
/**@}*/


/* ------------------------------------------------------------------------------------------------------------ */
/** @name Clusters: node groups, nodes and online placement */
/**@{*/

/** A node group: nodes of one type that an API may be allowed to use. Earlier groups are preferred. */
typedef struct ncg_group_spec {
    const char *name;        /**< unique in the cluster; same syntax as type names */
    const char *type;        /**< an instance type of the catalog */
    int min_nodes;           /**< >= 0; the planner keeps at least this many */
    int max_nodes;           /**< >= min_nodes; 0..1000000 */
    int has_price;           /**< nonzero: usd_per_hour overrides the catalog price (spot, discounts) */
    double usd_per_hour;
} ncg_group_spec;

/** Where a replica went. */
typedef struct ncg_placement {
    char node[NCG_NAME_MAX + 1];  /**< node name */
    int group;                    /**< group index */
    ncg_alloc alloc;              /**< the allocation on that node */
} ncg_placement;

/** One move of a defragmentation suggestion: allocation @p alloc_id of node @p from goes to node @p to. */
typedef struct ncg_move {
    char from[NCG_NAME_MAX + 1];
    uint32_t alloc_id;
    char to[NCG_NAME_MAX + 1];
} ncg_move;

typedef struct ncg_cluster ncg_cluster;

/** Create an empty cluster (no groups, no nodes). @return the cluster, or NULL (NCG_E_NOMEM). */
ncg_cluster *ncg_cluster_new(ncg_error *err);

/** Free a cluster and its nodes. Accepts NULL. @return NULL. */
ncg_cluster *ncg_cluster_free(ncg_cluster *cluster);

/**
 * Add a node group. The group copies its type (and the catalog's reserves) from @p catalog; the price is the
 * spec's when has_price, else the catalog's (a type without a price costs 0 and the plan says so).
 * @return the group index (its preference rank), or NCG_E_INVALID, NCG_E_RANGE, NCG_E_UNKNOWN_TYPE, NCG_E_EXISTS,
 *         NCG_E_NOMEM.
 */
int ncg_cluster_add_group(ncg_cluster *cluster, const ncg_catalog *catalog, const ncg_group_spec *spec,
                          ncg_error *err);

/** @return the number of groups (0 for NULL). */
int ncg_cluster_group_count(const ncg_cluster *cluster);

/**
 * Read a group. Strings point into the cluster and stay valid until it is freed.
 * @param[out] out_type may be NULL; receives the group's type (strings valid until the cluster is freed).
 * @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_cluster_group_at(const ncg_cluster *cluster, int index, ncg_group_spec *out, ncg_type *out_type,
                         ncg_error *err);

/**
 * Add an empty node to a group.
 * @param name unique node name (e.g. the Kubernetes node name); NULL to name it "<group>-<n>".
 * @return the node's index (nodes are listed in the order they were added), or NCG_E_INVALID, NCG_E_NOT_FOUND
 *         (group), NCG_E_EXISTS (name), NCG_E_RANGE (the group has max_nodes nodes), NCG_E_NOMEM.
 */
int ncg_cluster_add_node(ncg_cluster *cluster, const char *name, const char *group, ncg_error *err);

/** Remove a node and every allocation on it. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cluster_remove_node(ncg_cluster *cluster, const char *name, ncg_error *err);

/** @return the number of nodes (0 for NULL). */
int ncg_cluster_node_count(const ncg_cluster *cluster);

/**
 * The node at @p index, for reading with the ncg_node_* functions. Valid until the node is removed or the
 * cluster freed; the caller must not free or modify it.
 * @param[out] out_name may be NULL. @param[out] out_group may be NULL (group index).
 * @return the node, or NULL with NCG_E_INVALID / NCG_E_NOT_FOUND.
 */
const ncg_node *ncg_cluster_node_at(const ncg_cluster *cluster, int index, const char **out_name, int *out_group,
                                    ncg_error *err);

/** Find a node by name. @return its index, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cluster_find_node(const ncg_cluster *cluster, const char *name, ncg_error *err);

/**
 * Place one replica on an existing node (nodes are never created here). Groups are tried in preference order
 * (only @p groups when given, as names); within a group the node with the smallest free window that holds the
 * request and has the CPU, memory and hugepages, found through an index (it does not scan every node).
 * @param groups allowed group names, or NULL for all.
 * @return the allocation id, or NCG_E_FULL with the reason per group, or the errors of ncg_request_check().
 */
int ncg_cluster_place(ncg_cluster *cluster, const ncg_request *request, const char *const *groups,
                      size_t group_count, ncg_placement *out, ncg_error *err);

/** Release an allocation of a node. @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_cluster_release(ncg_cluster *cluster, const char *node, uint32_t id, ncg_error *err);

/** ncg_node_adopt() on a node of the cluster, keeping its index current. */
int ncg_cluster_adopt(ncg_cluster *cluster, const char *node, const ncg_request *request,
                      const char *visible_devices, const char *const *visible_cores, size_t process_count,
                      ncg_alloc *out, ncg_error *err);

/**
 * Write the whole state as text (format "ncg-cluster 1", documented in doc/state-format.md): groups with their
 * types, nodes, allocations with their ids and models. Restoring it gives a cluster that dumps identically.
 * @param buf may be NULL when @p size is 0, to learn the length.
 * @return the length of the text (without NUL); the text is written only when it fits in @p size
 *         (else NCG_E_BUFFER is not raised: compare the result with @p size), or NCG_E_INVALID, NCG_E_RANGE
 *         (more than 2^31 bytes).
 */
int ncg_cluster_dump(const ncg_cluster *cluster, char *buf, size_t size, ncg_error *err);

/**
 * Rebuild a cluster from ncg_cluster_dump() text.
 * @return the cluster, or NULL with NCG_E_PARSE (line number and what is wrong), NCG_E_OVERLAP, NCG_E_NOMEM.
 */
ncg_cluster *ncg_cluster_restore(const char *text, ncg_error *err);

/**
 * Suggest the fewest moves that free a window of @p chips whole chips on some node of @p group (NULL: any group).
 * Each move names an allocation blocking the window and a node (outside the window) where it fits; moves are
 * checked in sequence, so they can be carried out in order. A node that already has such a window gives 0 moves.
 * @param[out] out at most @p size moves; may be NULL to count.
 * @param[out] out_node receives the node whose window is freed (NCG_NAME_MAX + 1 bytes), may be NULL.
 * @return the number of moves, or NCG_E_FULL (no node can be freed that way), NCG_E_INVALID, NCG_E_TOPOLOGY.
 */
int ncg_cluster_defrag(const ncg_cluster *cluster, int chips, const char *group, ncg_move *out, size_t size,
                       char *out_node, ncg_error *err);
/**@}*/

/* ------------------------------------------------------------------------------------------------------------ */
/** @name Planning: replicas of many APIs onto priced nodes */
/**@{*/

/** An API to plan: its replica request, how many replicas, and where it may run. */
typedef struct ncg_api_spec {
    const char *name;
    ncg_request request;
    int replicas;                /**< >= 0 */
    const char *const *groups;   /**< allowed group names; NULL = every group */
    size_t group_count;
    int max_per_node;            /**< most replicas of this API on one node; 0 = no limit */
} ncg_api_spec;

/** Totals of a plan. */
typedef struct ncg_plan_summary {
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
} ncg_plan_summary;

/** One replica of a plan. */
typedef struct ncg_plan_replica {
    int api;                     /**< api index (order of ncg_plan_add_api) */
    int replica;                 /**< 0 .. replicas-1 */
    int node;                    /**< node index in ncg_plan_cluster(); -1 if unplaced */
    uint32_t alloc_id;           /**< allocation on that node; 0 if unplaced */
} ncg_plan_replica;

typedef struct ncg_plan ncg_plan;

/**
 * Start a plan from a cluster: its groups, and its nodes with their allocations, which the plan keeps and fills
 * first. The cluster is copied; it is not changed.
 * @return the plan, or NULL (NCG_E_INVALID, NCG_E_NOMEM).
 */
ncg_plan *ncg_plan_new(const ncg_cluster *base, ncg_error *err);

/** Free a plan. Accepts NULL. @return NULL. */
ncg_plan *ncg_plan_free(ncg_plan *plan);

/**
 * Add an API. The spec is copied.
 * @return the api index, or NCG_E_INVALID / NCG_E_RANGE naming the field, NCG_E_NOT_FOUND (unknown group),
 *         NCG_E_NOMEM. An API no allowed group can ever hold is accepted; its replicas end up unplaced with the
 *         reason.
 */
int ncg_plan_add_api(ncg_plan *plan, const ncg_api_spec *spec, ncg_error *err);

/**
 * Compute the plan: nodes to run, every replica's node and window, price, lower bound. Deterministic: the same
 * input gives the same plan. May be called once per plan.
 * @return 0 (even when replicas are unplaced: see the summary), or NCG_E_INVALID (solved already), NCG_E_NOMEM.
 */
int ncg_plan_solve(ncg_plan *plan, ncg_error *err);

/** Totals of a solved plan. @return 0, or NCG_E_INVALID (NULL or not solved). */
int ncg_plan_get_summary(const ncg_plan *plan, ncg_plan_summary *out, ncg_error *err);

/** The cluster the plan produced (base nodes plus new ones), for reading. Valid while the plan lives. */
const ncg_cluster *ncg_plan_cluster(const ncg_plan *plan);

/** @return the number of replicas (placed or not) of a solved plan; 0 for NULL. */
int ncg_plan_replica_count(const ncg_plan *plan);

/** Read replica @p index (APIs in order, then replicas in order). @return 0, or NCG_E_INVALID, NCG_E_NOT_FOUND. */
int ncg_plan_replica_at(const ncg_plan *plan, int index, ncg_plan_replica *out, ncg_error *err);

/**
 * Why the replicas of an API that are unplaced could not be placed (which resource on which group, or max
 * instances reached), and how many.
 * @param[out] buf the reason, NUL-terminated; may be NULL when @p size is 0.
 * @return the number of unplaced replicas of the API, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_plan_unplaced(const ncg_plan *plan, int api, char *buf, size_t size, ncg_error *err);

/**
 * How many more replicas of an API would fit on the plan's nodes as they are (no new nodes).
 * @return the count, or NCG_E_INVALID, NCG_E_NOT_FOUND.
 */
int ncg_plan_headroom(const ncg_plan *plan, int api, ncg_error *err);

/** The name of API @p api (valid while the plan lives), or NULL. */
const char *ncg_plan_api_name(const ncg_plan *plan, int api);

/** @return the number of APIs of the plan (0 for NULL). */
int ncg_plan_api_count(const ncg_plan *plan);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* NCG_H */

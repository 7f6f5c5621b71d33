/* SPDX-License-Identifier: Apache-2.0 */
/* Internal functions of the node handle, for the cache accounting, cluster, state, defragmentation and planner
 * code. The node's layout is private to node.c. Not installed. */
#ifndef NCG_NODE_H
#define NCG_NODE_H

#include "base/heap.h"
#include "model/model.h"

/* Where a replica would go on a node: computed without changing it, then committed. A value, not node state. */
typedef struct ncg_slot {
    ncg_shape shape;
    int first_chip, chip_count; /* chips touched; -1/0 for CPU only */
    int first_core, core_count; /* -1/0 for CPU only */
    bool whole_chips;
} ncg_slot;

/* What a node has in use. */
typedef struct ncg_usage {
    int cores;
    int64_t cpu_milli, memory_bytes, hugepages_bytes;
} ncg_usage;

/* A new empty node of a resolved type, which it refers to: type must outlive it (a node group's). NULL when out of
 * memory. ncg_node_new() and ncg_node_clone() make nodes with their own copy of the type. */
ncg_node *ncg_node_from_type(const ncg_type_copy *type);
/* A deep copy of node that refers to type (NULL: to node's type) instead of copying it, its allocation records in
 * heap (NULL: from libc; heap must outlive the copy). NULL when out of memory. */
ncg_node *ncg_node_clone_ref(const ncg_node *node, const ncg_type_copy *type, ncg_heap *heap);
/* Take the node's blocks of allocation records from heap from now on (NULL: libc); the block it has stays where it
 * came from until the node outgrows it. heap must outlive the node (a cluster's, for the nodes it holds). */
void ncg_node_set_heap(ncg_node *node, ncg_heap *heap);
/* An empty heap for allocation records (a cluster's). */
void ncg_node_heap_init(ncg_heap *heap);
/* Make node refer to type, a copy of the same type (the node group's, when a cluster takes the node over). */
void ncg_node_set_type_ref(ncg_node *node, const ncg_type_copy *type);
const ncg_type_copy *ncg_node_type_copy(const ncg_node *node);
ncg_policy ncg_node_policy(const ncg_node *node);
uint64_t ncg_node_free_chip_mask(const ncg_node *node);
/* The node's map of NeuronCores in use: NCG_MAX_CORES bits, bit i = host-global core i (none past its cores). */
const uint64_t *ncg_node_core_used(const ncg_node *node);
void ncg_node_usage(const ncg_node *node, ncg_usage *out);
/* The id the next allocation gets; restore sets it (it must exceed every id on the node). */
uint64_t ncg_node_next_id(const ncg_node *node);
void ncg_node_set_next_id(ncg_node *node, uint64_t id);

/* Allocations in ascending id order: count, and the i-th one's record, per-process sizes (NULL when uniform),
 * models and their total bytes. */
int ncg_node_alloc_count(const ncg_node *node);
void ncg_node_alloc_at(const ncg_node *node, int i, ncg_alloc *out);
const int *ncg_node_alloc_sizes(const ncg_node *node, int i);
const ncg_model *ncg_node_alloc_models(const ncg_node *node, int i, size_t *count);
int64_t ncg_node_alloc_model_bytes(const ncg_node *node, int i);
/* Index of allocation id, or -1. */
int ncg_node_alloc_index(const ncg_node *node, uint64_t id);
/* NCG `process` of the i-th allocation, host-global. */
void ncg_node_core_group(const ncg_node *node, int i, int process, ncg_core_group *out);

/* Where a normalised request would go now, with the reason in err when it does not fit. */
int ncg_node_plan(const ncg_node *node, const ncg_request *request, ncg_slot *out, ncg_error *err);
/* Fast path for the planner: the request is valid for the node's type and s is its shape. */
bool ncg_node_fits_shape(const ncg_node *node, const ncg_shape *s, const ncg_request *r, ncg_slot *out);
/* Commit a slot found by ncg_node_plan() or ncg_node_fits_shape() on this node as it is. out (full size) may be
 * NULL. Returns 0 or NCG_E_NOMEM / NCG_E_RANGE (ids exhausted); nothing changes on failure. */
int ncg_node_commit(ncg_node *node, const ncg_slot *slot, const ncg_request *r, ncg_alloc *out, ncg_error *err);
/* Record an allocation at a given slot after checking overlaps, CPU/memory/hugepages and models. sizes: one NCG
 * size per process when they differ, else NULL. devices: for messages only. id: the allocation's id, 0 for the
 * next one (restore gives ids explicitly; they must be >= the next id, which then follows it). */
int ncg_node_insert(ncg_node *node, const ncg_slot *slot, const ncg_request *request, const int *sizes,
                    const char *devices, uint64_t id, ncg_alloc *out, ncg_error *err);

#endif

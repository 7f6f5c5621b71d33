/* SPDX-License-Identifier: Apache-2.0 */
/* The node handle's representation, shared by node.c, cache.c and the cluster code. Not installed. */
#ifndef NCG_NODE_H
#define NCG_NODE_H

#include "ncg-private.h"

#define CORE_WORDS (NCG_MAX_CORES / 64)

typedef struct alloc_rec {
    ncg_alloc a;
    int *group_sizes;       /* per process, only when the NCGs differ in size (adopted); else NULL */
    ncg_model *models;      /* copies; names point into names_buf */
    size_t model_count;
    char *names_buf;
    int64_t model_bytes;    /* sum of the models' bytes */
} alloc_rec;

/* Where a replica would go: computed without changing the node, then committed. */
typedef struct placement {
    ncg_shape shape;
    int first_chip, chip_count; /* chips touched; -1/0 for CPU only */
    int first_core, core_count;
    bool whole_chips;
} placement;

struct ncg_node {
    ncg_type_copy type;
    ncg_policy policy;
    uint64_t chip_busy;            /* chips with at least one core in use */
    uint64_t core_used[CORE_WORDS];
    int64_t cpu_used, memory_used, hugepages_used;
    uint32_t next_id;
    alloc_rec *allocs;             /* ascending id */
    int count, capacity;
};

/* A new empty node of a resolved type (NULL when out of memory). */
ncg_node *ncg_node_from_type(const ncg_type_copy *type);
int ncg_node_plan(const ncg_node *node, const ncg_request *request, placement *out, ncg_error *err);
/* Record an allocation at a given placement after checking overlaps, CPU/memory/hugepages and models. sizes: one
 * NCG size per process when they differ, else NULL. devices: for messages only. */
int ncg_node_insert(ncg_node *node, const placement *p, const ncg_request *request, const int *sizes,
                    const char *devices, ncg_alloc *out, ncg_error *err);
/* Fast path for the planner: the request is valid for the node's type and s is its shape. */
bool ncg_node_fits_shape(const ncg_node *node, const ncg_shape *s, const ncg_request *r, placement *out);
int ncg_node_commit_placement(ncg_node *node, const placement *p, const ncg_request *r, ncg_alloc *out,
                              ncg_error *err);
const alloc_rec *ncg_node_find(const ncg_node *node, uint32_t id);
/* The NCG `process` of an allocation, host-global. */
void ncg_node_group_of(const ncg_node *node, const alloc_rec *r, int process, ncg_group *out);

static inline uint64_t ncg_node_free_chips(const ncg_node *n)
{
    return ~n->chip_busy & ncg_window_mask(0, n->type.t.chips);
}

#endif

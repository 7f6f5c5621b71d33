/* SPDX-License-Identifier: Apache-2.0 */
/* The cluster handle's representation, shared by cluster.c, state.c, defrag.c and plan.c. Not installed. */
#ifndef NCG_CLUSTER_H
#define NCG_CLUSTER_H

#include "node.h"

typedef struct cnode {
    ncg_node *node;
    char name[NCG_NAME_MAX + 1];
    int group;
    int index;                  /* position in cluster->nodes */
    int bucket;                 /* index bucket: largest free window in chips */
    struct cnode *prev, *next;  /* bucket list of its group */
    int stamp;                  /* scratch for the planner */
    int count;                  /* scratch for the planner */
} cnode;

typedef struct cgroup {
    char name[NCG_NAME_MAX + 1];
    ncg_type_copy type;
    int min_nodes, max_nodes;
    int has_price;              /* the spec's override */
    double spec_price;
    double price;               /* effective: override, else catalog price, else 0 */
    bool priced;                /* effective price known */
    int nodes;                  /* nodes in the group */
    int next_seq;               /* for generated names */
    cnode **buckets;            /* heads, chips + 1 of them */
} cgroup;

struct ncg_cluster {
    cgroup *groups;
    int group_count, group_capacity;
    cnode **nodes;
    int node_count, node_capacity;
    cnode **table;              /* open addressing by name, size table_size (power of two) */
    int table_size;
};

/* Put a node back in the right bucket after its use changed. */
void ncg_cluster_reindex(ncg_cluster *c, cnode *n);
/* Take a node out of the name table and index (to rename or regroup it), and put it back. */
void ncg_cluster_detach(ncg_cluster *c, cnode *n);
void ncg_cluster_attach(ncg_cluster *c, cnode *n);
cnode *ncg_cluster_lookup(const ncg_cluster *c, const char *name);
int ncg_cluster_group_index(const ncg_cluster *c, const char *name);
/* Add a node with a given type copy (restore) or from its group. */
cnode *ncg_cluster_insert_node(ncg_cluster *c, const char *name, int group, ncg_error *err);
/* Deep copy. */
ncg_cluster *ncg_cluster_clone(const ncg_cluster *c, ncg_error *err);

#endif

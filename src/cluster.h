/* SPDX-License-Identifier: Apache-2.0 */
/* Internal functions of the cluster handle, for dump/restore, defragmentation and the planner. The cluster's
 * layout is private to cluster.c. Not installed. */
#ifndef NCG_CLUSTER_H
#define NCG_CLUSTER_H

#include "node.h"

/* What a node group is, read in one go (pointers into the cluster, valid until it changes). */
typedef struct ncg_nodegroup_info {
    const char *name;
    const ncg_type_copy *type;
    int min_nodes, max_nodes;
    int nodes;                  /* nodes it has now */
    bool has_spec_price;        /* the spec's override, as dumped */
    double spec_price;
    double price;               /* effective: override, else catalog price, else 0 */
    bool priced;                /* effective price known */
} ncg_nodegroup_info;

void ncg_cluster_nodegroup_info(const ncg_cluster *c, int g, ncg_nodegroup_info *out);
const ncg_type_copy *ncg_cluster_nodegroup_type(const ncg_cluster *c, int g);
double ncg_cluster_nodegroup_price(const ncg_cluster *c, int g);
/* Nodes the node group has now, and whether it may get one more. */
int ncg_cluster_nodegroup_nodes(const ncg_cluster *c, int g);
bool ncg_cluster_nodegroup_has_room(const ncg_cluster *c, int g);
/* Index of a node group by name, or -1. */
int ncg_cluster_nodegroup_index(const ncg_cluster *c, const char *name);
/* Add a node group with a resolved type (restore). Returns its index or a negative code. */
int ncg_cluster_add_nodegroup_type(ncg_cluster *c, const char *name, const ncg_type_copy *type, int min_nodes,
                                   int max_nodes, bool has_price, double price, ncg_error *err);

/* Nodes by index (the order they were added). */
const ncg_node *ncg_cluster_node(const ncg_cluster *c, int i);
/* The node for changing; call ncg_cluster_node_changed() after changing its use. */
ncg_node *ncg_cluster_node_mut(ncg_cluster *c, int i);
void ncg_cluster_node_changed(ncg_cluster *c, int i);
const char *ncg_cluster_node_name(const ncg_cluster *c, int i);
int ncg_cluster_node_nodegroup(const ncg_cluster *c, int i);
/* Index of a node by name, or -1. */
int ncg_cluster_node_lookup(const ncg_cluster *c, const char *name);
/* Add an empty node to node group g, named name or generated when NULL. Returns its index or a negative code. */
int ncg_cluster_insert_node(ncg_cluster *c, const char *name, int g, ncg_error *err);
/* Replace node i by `fresh` (which the cluster takes), moved to node group g under a generated name. Returns 0 or
 * NCG_E_RANGE (g is full); on failure fresh is not taken. */
int ncg_cluster_node_replace(ncg_cluster *c, int i, int g, ncg_node *fresh, ncg_error *err);

#endif

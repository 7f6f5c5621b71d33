/* SPDX-License-Identifier: Apache-2.0 */
/* Internal functions of the cluster handle, for dump/restore, defragmentation and the planner. The cluster's
 * layout is private to cluster.c. Not installed. */
#ifndef NCG_CLUSTER_H
#define NCG_CLUSTER_H

#include "node/node.h"

/* ---- UltraServers (ultraserver.c) ---- */

/* A replica's allocation that is one of its servers: node (by sequence number), allocation id, servers it has. */
typedef struct ncg_ultra_set {
    uint64_t seq, id;
    int servers;
} ncg_ultra_set;

/* The cluster's UltraServer ids (a node refers to one by index) and its allocations that are servers of a replica
 * of whole servers, sorted by (seq, id). */
typedef struct ncg_ultras {
    char **ids;
    int count, cap;
    ncg_ultra_set *sets;
    int set_count, set_cap;
} ncg_ultras;

void ncg_ultras_free(ncg_ultras *u);
/* Copy src into the empty dst: 0, or NCG_E_NOMEM (dst left empty). */
int ncg_ultras_copy(ncg_ultras *dst, const ncg_ultras *src);
/* Forget allocation id of node seq (id 0: every one of the node), released or removed. */
void ncg_ultras_forget(ncg_ultras *u, uint64_t seq, uint64_t id);
/* The servers of allocation id of node seq's replica, or 0 when it is not a server of one. */
int ncg_ultras_servers(const ncg_ultras *u, uint64_t seq, uint64_t id);
/* Record that allocation id of node seq is a server of a replica of `servers`: 0 or NCG_E_NOMEM. */
int ncg_ultras_record(ncg_ultras *u, uint64_t seq, uint64_t id, int servers);

ncg_ultras *ncg_cluster_ultras(ncg_cluster *c);
const ncg_ultras *ncg_cluster_ultras_const(const ncg_cluster *c);
/* Node i's UltraServer: index into ids x NCG_ULTRASERVER_MAX_NODES + position, or -1. */
int ncg_cluster_node_ultra(const ncg_cluster *c, int i);
void ncg_cluster_set_node_ultra(ncg_cluster *c, int i, int ultra);
uint64_t ncg_cluster_node_seq(const ncg_cluster *c, int i);

/* What a node group is, read in one go (pointers into the cluster, valid until it changes). */
typedef struct ncg_nodegroup_info {
    const char *name;
    const ncg_type_copy *type;
    int min_nodes, max_nodes;
    int nodes;                  /* nodes it has now */
    bool has_spec_price;        /* the spec's override, as dumped */
    double spec_price;
    const char *spec_price_text; /* the dump's text of spec_price and of the type's price ("-" if unknown) */
    const char *type_price_text;
    double price;               /* effective: override, else catalog price, else 0 */
    bool priced;                /* effective price known */
    int priority;               /* higher first, strictly, in ncg_cluster_place() */
    ncg_policy policy;          /* of its nodes, now and later */
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

/* Set a node group's priority, or its policy for the nodes added later (restore). */
void ncg_cluster_set_nodegroup_priority(ncg_cluster *c, int g, int priority);
void ncg_cluster_set_nodegroup_policy(ncg_cluster *c, int g, ncg_policy policy);
/* Set node group g's max_instances (the planner's exact search caps a copy's node groups for a while, and puts
 * them back); returns the value it had. */
int ncg_cluster_set_nodegroup_max(ncg_cluster *c, int g, int max_nodes);

/* Nodes by index (the order they were added). */
const ncg_node *ncg_cluster_node(const ncg_cluster *c, int i);
/* The node for changing: call ncg_cluster_reserve_change() before changing its use (it may fail with
 * NCG_E_NOMEM), ncg_cluster_node_changed() after (it cannot fail then). */
ncg_node *ncg_cluster_node_mut(ncg_cluster *c, int i);
void ncg_cluster_node_changed(ncg_cluster *c, int i);
int ncg_cluster_reserve_change(ncg_cluster *c, ncg_error *err);
const char *ncg_cluster_node_name(const ncg_cluster *c, int i);
int ncg_cluster_node_nodegroup(const ncg_cluster *c, int i);
/* Index of a node by name, or -1. */
int ncg_cluster_node_lookup(const ncg_cluster *c, const char *name);
/* Add an empty node to node group g, named name or generated when NULL. Returns its index or a negative code. */
int ncg_cluster_insert_node(ncg_cluster *c, const char *name, int g, ncg_error *err);
/* Insert a node built outside the cluster (of node group g's type, in no cluster: its records from libc; the cluster
 * takes it over, on success only, and its records grow into the cluster's heap) under a generated name, indexed once
 * as it is. Returns its index or a negative code. */
int ncg_cluster_insert_built(ncg_cluster *c, int g, ncg_node *node, ncg_error *err);
/* Replace node i by `fresh` (in no cluster, which the cluster takes), moved to node group g under a generated
 * name. Returns 0 or NCG_E_RANGE (g is full) or NCG_E_NOMEM; on failure fresh is not taken and node i is unchanged. */
int ncg_cluster_node_replace(ncg_cluster *c, int i, int g, ncg_node *fresh, ncg_error *err);

/* Name nodes first.. again, in index order, "<node group>-<n>" with each node group's counter restarted at its
 * value in `like` (a cluster of the same node groups this one was copied from): the planner's nodes are numbered
 * 1, 2, ... per node group whatever it opened and removed on the way. Returns 0 or NCG_E_NOMEM (nothing changed). */
int ncg_cluster_renumber(ncg_cluster *c, int first, const ncg_cluster *like, ncg_error *err);

/* ---- the placement score and index (doc/placement.md) ---- */

/* Fixed-point unit of the free-capacity key: a whole resource of a node is NCG_KEY_UNIT. */
#define NCG_KEY_UNIT (INT64_C(1) << 20)

/* The free-capacity key of a node of type tc with that much free: the sum of the free fractions of its cores, CPU,
 * memory and hugepages (those the type has), in NCG_KEY_UNIT. Also the share of a request (what it takes). */
int64_t ncg_free_key(const ncg_type_copy *tc, int cores, int64_t cpu, int64_t mem, int64_t hp);

/* What the index knows of a node. */
typedef struct ncg_node_state {
    int64_t key;                /* ncg_free_key() of what is free */
    int64_t cpu, mem, hp;       /* free */
    int window;                 /* largest free whole-chip window, chips */
    int run;                    /* longest run of free cores */
    int free_cores;
} ncg_node_state;

void ncg_cluster_node_state(const ncg_node *n, ncg_node_state *out);

/* A candidate node and its score, best first in this order: priority (higher), free_cores (smaller: the node's free
 * NeuronCores for a CPU-only request, 0 for others), free_after (smaller: free-capacity key after the request),
 * leftover (smaller: of the largest free window or core run, after the request), node group index, node sequence
 * (order added). */
typedef struct ncg_choice {
    int node;                   /* index, or -1 for none */
    int nodegroup;
    int priority;
    int free_cores;
    int64_t free_after;
    int leftover;
    uint64_t seq;
} ncg_choice;

bool ncg_choice_better(const ncg_choice *a, const ncg_choice *b);

/* The node ncg_cluster_place() would choose, through the index or (linear) by checking every node with
 * ncg_node_plan(): the reference the index is tested against. Returns 0 (out->node is -1 when no node fits), or a
 * negative code for bad arguments (no message). Changes nothing. */
int ncg_cluster_choose(const ncg_cluster *c, const ncg_request *request, const char *const *nodegroups,
                       size_t nodegroup_count, bool linear, ncg_choice *out);

#endif

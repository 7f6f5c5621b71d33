/* SPDX-License-Identifier: Apache-2.0 */
/* The planner's private state, shared by its files (not installed):
 *   plan.c   the public plan API: APIs, options, solve (the driver: strategies, column generation, summary),
 *            results and reasons
 *   pack.c   the packing heuristics and what they share (shapes per node group, opening nodes, downsizing)
 *   round.c  integer plans from the configuration LP's patterns (floor, ceil, the dive)
 *   improve.c the improvement phase: a local search that empties nodes of the best plan
 *   exact.c  the exact search: branch and price on the node groups' node counts, with the best plan as incumbent
 *   bound.c  the first lower bound (the dual of the LP relaxation per node group)
 *   colgen.c the configuration LP by column generation and its Lagrangian bound; rlp.c its simplex
 * doc/planner.md describes the model, the strategies and the proofs. */
#ifndef NCG_PLAN_H
#define NCG_PLAN_H

#include "cluster/cluster.h"
#include "plan/colgen.h"
#include "plan/lp.h"

#define RESOURCES 4 /* NeuronCores, CPU, memory, hugepages */
#define FIT_CAP 4096

#define API_NAME_MAX 255

typedef struct papi {
    char *name;
    ncg_request req;    /* normalised; models point at the copies below */
    ncg_model *models;
    char *names;
    int replicas;
    int max_per_node;
    bool *allowed;      /* per group */
    ncg_shape *shape;   /* per group, valid when fit > 0 */
    int *fit;           /* per group: replicas on an empty node; 0 = cannot */
    int placed;
    double size;        /* sort key: demand relative to the capacity of its cheapest group */
    char *never;        /* why node groups can never hold a replica ("node group g: rule; ..."), or NULL */
    size_t never_len;
    bool full;          /* a replica was left over with every group that holds one at max_instances */
} papi;

typedef struct preplica {
    int node;           /* index into the cluster's nodes, -1 unplaced */
    uint32_t alloc;
} preplica;

struct ncg_plan {
    ncg_cluster *c;
    int base_nodes;
    papi *apis;
    int api_count, api_capacity;
    preplica *replicas;  /* APIs in order, then replicas */
    int *offset;         /* first replica of each API */
    int replica_total;
    bool solved;
    ncg_plan_summary sum;
    /* packing scratch, per node index of the cluster being packed */
    int *stamp, *count;
    bool *keep;          /* a full copy of an LP pattern: downsizing skips it */
    int *origin;         /* the node this one is an unchanged copy of (itself for the original), or -1 */
    int *fail;           /* the packing pass (stamp) in which the node last failed to take a replica */
    int scratch_capacity;
    /* the configuration LP of this solve (bins: node groups first, then existing nodes). Its rows are classes of
     * interchangeable APIs, not APIs: APIs whose replicas need the same on every bin and whose own per-node
     * limits do not bind are one class, its demand their replicas' sum, its per-node limit their limits' sum
     * (plan_column_generation() and doc/planner.md have the argument). Patterns count replicas per class;
     * plan_from_lp() gives a class's replicas to its APIs. */
    ncg_cg_problem cg;
    ncg_cg_bin *cg_bins;
    ncg_cg_item *cg_items;      /* bins x classes */
    int *cg_demand;             /* per class */
    ncg_cg_item *api_items;     /* node groups x APIs: what one replica of each API takes on a node of the group (the
                                 * improvement phase's model, which has no existing nodes) */
    int *cg_class;              /* per API: its class */
    int *cg_member;             /* the APIs class by class, each class's in API order */
    int *cg_first;              /* per class: its first API in cg_member; classes + 1 values */
    ncg_cg_result cg_result;
    ncg_cg_result improved;  /* the improvement phase's nodes as patterns (x copies each), while tried */
    bool have_cg;
    ncg_plan_options opts;
    int64_t replicas_added;  /* over the APIs added (NCG_PLAN_MAX_REPLICAS) */
    int *name_slot;          /* API names (find_api) */
    int name_slot_count;
    double deadline;     /* ncg_now() value the solve must end by; 0 = no time limit */
    double rounding_seconds; /* time spent building plans from the LP's patterns in this solve */
};


/* The packing strategies tried; the cheapest plan wins (ties: the earlier strategy). */
enum { BY_COST, BY_CPU, IN_ORDER, BY_NODE, FROM_LP, FROM_LP_UP, FROM_DIVE, STRATEGIES };
/* The best plan's nodes after the improvement phase (improve.c), tried after the strategies */
#define IMPROVED STRATEGIES
/* A plan that places every replica the LP covers at a price within this fraction of the LP's value (the master's
 * optimum when it can be trusted, lp_trusted() in plan.c, else the proven bound) ends the strategies: no other
 * could gain more than this */
#define TIGHT 1e-3
/* Plans whose LP opens at most this many nodes try the floor of its patterns before the dive: on them the
 * dive's LP steps cost several times the floor, which often wins (inf2 and trn1 mixes of 1,000 replicas) */
#define SMALL_PLAN_NODES 1000
/* BY_NODE costs O(APIs) per replica: it runs when APIs x replicas stays under this */
#define BY_NODE_BUDGET 4000000

/* Existing nodes enter the configuration LP one by one (their free capacity, price 0) up to this many; beyond it
 * the planner keeps its packing and its first bound only. */
#define CG_EXISTING_MAX 256
#define CG_ROUNDS 400
/* Pricing's items grow with the (class of APIs, bin) pairs (plan.h, ncg_plan.cg), the master's dense basis inverse
 * with the square of its rows (classes + 2 x bins); beyond these the planner keeps its packing strategies and its
 * first bound. 4,096 pairs hold 64 node groups of 64 classes (a cluster that lists 32 types twice, spot and
 * on-demand); 2,100 rows (a 35 MB inverse) every problem the 1,024 pairs of earlier versions allowed. */
#define CG_PAIRS_MAX 4096
#define CG_ROWS_MAX 2100
#define CG_WORK 1e9 /* the default work limit of generation (colgen.c) */

/* The best plan found so far in a solve: its cluster, where its replicas went, each API's placed count and full
 * flag, how many replicas it places and its price. */
typedef struct plan_best {
    ncg_cluster *c;
    preplica *replicas;
    int *placed;
    bool *full;
    int count;
    double price;
} plan_best;

/* plan.c: plans from the patterns of an LP lp of the plan's problem (p->cg with other node counts) on copies of p->c
 * whose node groups are capped at max while they are built: floor, then ceil, each followed by packing, then the
 * dive within *work multiply-adds (none below 1), until best costs at most target; each is kept in best if it beats
 * it. *work becomes what was spent (the dive's limit when it ran, else 0). 0 or a negative code. */
int plan_try_lp(ncg_plan *p, const ncg_cg_result *lp, const int *max, double target, double *work,
                plan_best *best, ncg_error *err);
/* exact.c: the exact search (branch and price on the node counts of the node groups) for a plan of the replicas
 * the LP covers, from best (which places them all; fixed: the price of the existing nodes): improves best, and
 * gives in *bound a lower bound on the price of every such plan and in *optimal whether best is proven optimal.
 * 0 or NCG_E_NOMEM. */
int plan_exact(ncg_plan *p, plan_best *best, double fixed, double *bound, bool *optimal, ncg_error *err);

/* plan.c: the configuration LP of the plan's APIs (after plan_analyse()) into p->cg and p->cg_result, and their
 * release; ncg_plan_solve() uses them, and tests read the master LP they leave. */
int plan_column_generation(ncg_plan *p, ncg_error *err);
void plan_cg_clear(ncg_plan *p);
/* pack.c */
int plan_analyse(ncg_plan *p, ncg_error *err);
int plan_place_on(ncg_plan *p, int i, papi *a, preplica *r, ncg_error *err);
int plan_scratch_reserve(ncg_plan *p, ncg_error *err);
int plan_open_node(ncg_plan *p, int g, ncg_error *err);
int plan_pack(ncg_plan *p, int strategy, bool right_size, ncg_error *err);
int plan_pack_by_node(ncg_plan *p, ncg_error *err);
int plan_downsize(ncg_plan *p, ncg_error *err);
/* bound.c */
double plan_gib(int64_t bytes);
void plan_demand(const papi *a, int g, double *d);
void plan_capacity(const ncg_type_copy *type, double *cap);
int plan_per_node_limit(const papi *a, int g);
double plan_lower_bound(const ncg_plan *p, const double *used, const int *low, ncg_error *err, bool *ok);
/* round.c */
int plan_from_lp(ncg_plan *p, const ncg_cg_result *r, bool up, ncg_error *err);
int plan_dive(ncg_plan *p, ncg_error *err);
/* What a dive step opens of its LP's patterns r (G: the node groups; patterns of bins >= G, existing nodes, are
 * left as they are, since packing fills those): x becomes the nodes to open. When `many` (much is left), every
 * pattern's x rounded half up, and one node at least of the pattern used most; otherwise the floor, or when every
 * pattern is fractional one node of the one used most (the first of equals). False when no pattern is of a node
 * group. */
bool plan_dive_openings(ncg_cg_result *r, int G, bool many);
/* improve.c: the nodes of plan c (its replicas' nodes in replicas) after emptying what nodes it can, as patterns
 * in *out: the nodes removed (0: *out empty), or a negative code */
int plan_improve(ncg_plan *p, const ncg_cluster *c, const preplica *replicas, ncg_cg_result *out, ncg_error *err);

#endif

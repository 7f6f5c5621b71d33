/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration LP of planning (Gilmore-Gomory), solved by column generation, and the Lagrangian bound it
 * proves. Works on plain numbers; the planner (plan.c) builds the problem from its APIs and node groups and
 * turns the patterns into nodes. Not installed. doc/planner.md has the model and the proof. */
#ifndef NCG_COLGEN_H
#define NCG_COLGEN_H

#include "base/base.h"

/* One kind of node (a node group for new nodes, or one existing node with its free capacity). */
typedef struct ncg_cg_bin {
    double price;               /* per node; 0 for an existing node (paid anyway) */
    int min_nodes, max_nodes;   /* of this bin in the plan */
    int chips, cores;           /* whole chips and cores */
    int64_t cpu_milli, memory_bytes, hugepages_bytes;
} ncg_cg_bin;

/* What one replica of an API takes on one bin. */
typedef struct ncg_cg_item {
    int limit;                  /* most replicas on one node of the bin; 0 = the API cannot use the bin */
    int chips, cores;           /* chips: whole chips (0 for core-granular); cores: all its cores */
    int64_t cpu_milli, memory_bytes, hugepages_bytes;
} ncg_cg_item;

typedef struct ncg_cg_problem {
    int apis, bins;
    const int *demand;          /* per API: replicas to place */
    const ncg_cg_bin *bin;      /* bins */
    const ncg_cg_item *item;    /* bins x apis: item[b * apis + i] */
    const struct ncg_cg_pattern *seed; /* patterns to start from besides the single-API ones, each one that a node
                                        * of its bin holds (a solve's on the same bins); counts are capped at the
                                        * demands and x is ignored. May be NULL */
    int seed_count;
} ncg_cg_problem;

/* The resources of a bin and an item as vectors, in this order: chips, cores, CPU, memory, hugepages (pricing's and
 * the improvement phase's knapsack constraints). */
#define NCG_CG_RESOURCES 5
void ncg_cg_bin_caps(const ncg_cg_bin *bin, double *cap);
void ncg_cg_item_needs(const ncg_cg_item *item, double *need);
/* The most copies of item it that bin b holds by itself, at most its limit and want: each resource's needs add up
 * within the bin's (the pricing's rule). */
int ncg_cg_copies_that_fit(const ncg_cg_bin *b, const ncg_cg_item *it, int want);

/* A node pattern: counts[i] replicas of API i on one node of a bin, used x times by the LP. */
typedef struct ncg_cg_pattern {
    int bin;
    double x;
    int *counts;                /* apis values */
} ncg_cg_pattern;

typedef struct ncg_cg_result {
    double lp_value;            /* the restricted master LP's optimum at the last round */
    double bound;               /* Lagrangian bound: no plan of the problem costs less */
    bool bound_exact;           /* bound is L(duals) with every bin's pricing at the duals exact: what
                                 * ncg_cg_bound() gives for these duals and demands, without pricing again */
    bool converged;             /* no pattern prices out: lp_value is the configuration LP optimum */
    int stopped;                /* an ncg_plan_stop value */
    double work;                /* multiply-adds spent (see ncg_cg_limits.work_limit) */
    int rounds;
    double *duals;              /* per API, the duals the bound comes from */
    ncg_cg_pattern *patterns;   /* with x > 0 at the last round */
    int pattern_count;
} ncg_cg_result;

/* When generation stops early (the bound stays valid). */
typedef struct ncg_cg_limits {
    int max_rounds;
    double work_limit;          /* multiply-adds; <= 0: the default */
    double deadline;            /* ncg_now() value; 0: none */
    bool no_bound;              /* the caller wants the patterns only: skip the exact pricing at the last duals
                                 * that the bound comes from; the bound is then the best one the rounds met */
    double gap;                 /* also stop (NCG_PLAN_STOP_GAP) once the best bound is within this much (an amount,
                                 * not a share) of the master's value; 0: only the relative test */
    double rel_gap;             /* the relative test: stop once the best bound is within this share of the master's
                                 * value; 0: 0.05% */
    double cutoff;              /* also stop (NCG_PLAN_STOP_GAP) once the best bound reaches this value (the exact
                                 * search's incumbent: the node is pruned); 0: none */
} ncg_cg_limits;

/* Solve by column generation within the limits. Returns 0 or NCG_E_NOMEM. */
int ncg_cg_solve(const ncg_cg_problem *problem, const ncg_cg_limits *limits, ncg_cg_result *out, ncg_error *err);
/* The Lagrangian bound of duals pi for the problem (its demands may differ from the ones pi was found for).
 * Returns NCG_E_NOMEM or 0 with the bound in *out and, when exact is not NULL, in *exact whether every bin's
 * pricing proved its best pattern (then, at the duals of a converged generation for these demands, the bound is
 * the configuration LP's optimum). */
int ncg_cg_bound(const ncg_cg_problem *problem, const double *pi, double *out, bool *exact, ncg_error *err);
void ncg_cg_result_clear(ncg_cg_result *result);

#endif

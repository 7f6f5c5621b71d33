/* SPDX-License-Identifier: Apache-2.0 */
/* The planner's first lower bound (plan.h lists the files; doc/planner.md has the proof). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

/* ---- lower bound ----
 *
 * The LP relaxation of planning, for the replicas the plan placed (n_i of API i):
 *   min  sum_g p_g y_g
 *   s.t. sum_{g allowed for i} x_ig >= n_i                       (a_i)
 *        cap_gr y_g - sum_i d_igr x_ig >= U_gr   r = cores, CPU, memory, hugepages   (b_gr)
 *        -y_g >= -max_g                                          (c_g)
 *        y_g >= low_g = max(min_g, existing nodes of g)          (e_g)
 *        m_ig y_g - x_ig >= 0                                     (f_ig)
 * where m_ig is the most replicas of API i one node of group g holds (counted on an empty node, so it covers
 * every resource, the window rule and max_per_node at once; see plan_per_node_limit()),
 *        x, y >= 0
 * where U_gr is what the existing allocations already use. Every valid plan gives a feasible point (y_g = its
 * nodes of group g, x_ig = its replicas of i on g), so the LP optimum is at most the price of any valid plan.
 * By weak duality every feasible point of the dual
 *   max  sum_i n_i a_i + sum_gr U_gr b_gr - sum_g max_g c_g + sum_g low_g e_g
 *   s.t. a_i - sum_r d_igr b_gr - f_ig <= 0                      for every allowed (i, g)
 *        sum_r cap_gr b_gr - c_g + e_g + sum_i m_ig f_ig <= p_g  for every g
 *        a, b, c, e, f >= 0
 * has an objective at most the LP optimum. We solve the dual with the simplex (every iterate is feasible), then
 * make feasibility exact despite rounding: a_i is set to the smallest of its left-hand sides (so the first rows
 * hold), and if a group row still exceeds p_g all variables are scaled down by the same factor, which keeps the
 * homogeneous first rows and makes every group row hold. The objective of that point is the bound. */

double plan_gib(int64_t bytes)
{
    return (double)bytes / (double)(INT64_C(1) << 30);
}

void plan_demand(const papi *a, int g, double *d)
{
    d[0] = a->shape[g].cores;
    d[1] = (double)a->req.cpu_milli / 1000.0;
    d[2] = plan_gib(a->req.memory_bytes);
    d[3] = plan_gib(a->req.hugepages_bytes);
}

void plan_capacity(const ncg_type_copy *type, double *cap)
{
    cap[0] = (double)type->t.chips * type->t.cores_per_chip;
    cap[1] = (double)type->cpu_usable_milli / 1000.0;
    cap[2] = plan_gib(type->memory_usable_bytes);
    cap[3] = plan_gib(type->t.hugepages_bytes);
}

/* The most replicas of an API one node of group g can hold, when that is known exactly: fit[g] was counted on an
 * empty node, which is the most any node holds, unless the count stopped at FIT_CAP for lack of a real limit
 * (then 0: no constraint). A node never holds more replicas than the API has, so stopping there is exact too. */
int plan_per_node_limit(const papi *a, int g)
{
    int f = a->fit[g];
    if (f <= 0 || (f >= FIT_CAP && a->replicas > FIT_CAP && (!a->max_per_node || a->max_per_node > FIT_CAP)))
        return 0;
    return f;
}

/* The dense dual LP below has about (API, node group) pairs x (APIs + pairs) entries; past this many it is not
 * built and the bound is resource_bound()'s. */
#define LB_DENSE_MAX 4e6
/* Its simplex pivots at most 50 x (rows + columns) times, and within this many multiply-adds (a pivot costs rows
 * x columns): every iterate is dual feasible, so stopping early still gives a bound. Without it, 40 APIs on 64
 * node groups (2.5 million entries) took 247 s here. */
#define LB_WORK 3e8

/* A bound that costs O(APIs x node groups): every placed replica takes, in each resource, its demand of some
 * node's capacity, and a node of group g costs at least price_g / capacity_g,r per unit of resource r; so for
 * each r the price is at least the sum over replicas of their cheapest such share (the best r is kept), and at
 * least the min_instances nodes. With existing nodes the replicas may fit their free capacity for nothing, so
 * the bound is then what those nodes and the min_instances nodes cost. */
static double resource_bound(const ncg_plan *p, const int *low)
{
    int G = ncg_cluster_nodegroup_count(p->c);
    double best = 0, trivial = 0;
    for (int g = 0; g < G; g++)
        trivial += low[g] * ncg_cluster_nodegroup_price(p->c, g);
    if (p->base_nodes > 0)
        return trivial;
    for (int r = 0; r < RESOURCES; r++) {
        double sum = 0;
        for (int i = 0; i < p->api_count; i++) {
            const papi *a = &p->apis[i];
            double cheapest = INFINITY;
            if (a->placed == 0)
                continue;
            for (int g = 0; g < G; g++) {
                double d[RESOURCES], cap[RESOURCES];
                if (!a->allowed[g] || a->fit[g] == 0)
                    continue;
                plan_demand(a, g, d);
                plan_capacity(ncg_cluster_nodegroup_type(p->c, g), cap);
                if (cap[r] > 0)
                    cheapest = fmin(cheapest, d[r] * ncg_cluster_nodegroup_price(p->c, g) / cap[r]);
            }
            sum += isfinite(cheapest) ? a->placed * cheapest : 0;
        }
        best = fmax(best, sum);
    }
    return fmax(best, trivial);
}

double plan_lower_bound(const ncg_plan *p, const double *used, const int *low, ncg_error *err, bool *ok)
{
    int G = ncg_cluster_nodegroup_count(p->c), I = p->api_count, pairs = 0, fvars = 0;
    int *pair_api, *pair_group, *pair_f, *a_var;
    ncg_lp lp = {0};
    double *u = NULL, bound = 0, trivial = 0, scale = 1, pivots;
    int col;

    *ok = false;
    for (int i = 0; i < I; i++)
        for (int g = 0; g < G; g++)
            if (p->apis[i].placed > 0 && p->apis[i].allowed[g] && p->apis[i].fit[g] > 0) {
                pairs++;
                fvars += plan_per_node_limit(&p->apis[i], g) > 0;
            }
    if ((double)(pairs + G) * (I + G * RESOURCES + 2 * G + fvars) > LB_DENSE_MAX) {
        *ok = true;
        return resource_bound(p, low);
    }
    pair_api = malloc((size_t)(pairs + 1) * sizeof(int));
    pair_group = malloc((size_t)(pairs + 1) * sizeof(int));
    pair_f = malloc((size_t)(pairs + 1) * sizeof(int));
    a_var = malloc((size_t)(I + 1) * sizeof(int));
    lp.rows = pairs + G;
    /* columns: a_i for APIs with placed replicas, b_gr, c_g, e_g, f */
    col = 0;
    if (a_var)
        for (int i = 0; i < I; i++)
            a_var[i] = p->apis[i].placed > 0 ? col++ : -1;
    lp.cols = col + G * RESOURCES + 2 * G + fvars;
    lp.a = calloc((size_t)lp.rows * (size_t)lp.cols + 1, sizeof(double));
    lp.b = calloc((size_t)lp.rows + 1, sizeof(double));
    lp.c = calloc((size_t)lp.cols + 1, sizeof(double));
    u = calloc((size_t)lp.cols + 1, sizeof(double));
    if (!pair_api || !pair_group || !pair_f || !a_var || !lp.a || !lp.b || !lp.c || !u) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory computing the lower bound");
        goto out;
    }
#define B(g, r) (col + (g) * RESOURCES + (r))
#define C(g) (col + G * RESOURCES + (g))
#define E(g) (col + G * RESOURCES + G + (g))
#define A(row, j) lp.a[(size_t)(row) * (size_t)lp.cols + (size_t)(j)]
    {
        int k = 0, f = col + G * RESOURCES + 2 * G;
        for (int i = 0; i < I; i++)
            for (int g = 0; g < G; g++) {
                const papi *a = &p->apis[i];
                double d[RESOURCES];
                if (!(a->placed > 0 && a->allowed[g] && a->fit[g] > 0))
                    continue;
                pair_api[k] = i;
                pair_group[k] = g;
                pair_f[k] = plan_per_node_limit(a, g) > 0 ? f++ : -1;
                plan_demand(a, g, d);
                A(k, a_var[i]) = 1;
                for (int r = 0; r < RESOURCES; r++)
                    A(k, B(g, r)) = -d[r];
                if (pair_f[k] >= 0) {
                    A(k, pair_f[k]) = -1;
                    A(pairs + g, pair_f[k]) = plan_per_node_limit(a, g);
                }
                k++;
            }
    }
    for (int g = 0; g < G; g++) {
        double cap[RESOURCES];
        ncg_nodegroup_info info;
        ncg_cluster_nodegroup_info(p->c, g, &info);
        plan_capacity(info.type, cap);
        for (int r = 0; r < RESOURCES; r++) {
            A(pairs + g, B(g, r)) = cap[r];
            lp.c[B(g, r)] = used[g * RESOURCES + r];
        }
        A(pairs + g, C(g)) = -1;
        A(pairs + g, E(g)) = 1;
        lp.b[pairs + g] = info.price;
        lp.c[C(g)] = -(double)info.max_nodes;
        lp.c[E(g)] = low[g];
        trivial += low[g] * info.price;
    }
    for (int i = 0; i < I; i++)
        if (a_var[i] >= 0)
            lp.c[a_var[i]] = p->apis[i].placed;
    pivots = 50.0 * (lp.rows + lp.cols);
    if (pivots * lp.rows * lp.cols > LB_WORK)
        pivots = fmax(1, floor(LB_WORK / ((double)lp.rows * lp.cols)));
    if (ncg_lp_solve(&lp, u, (int)pivots) < 0) {
        ncg_fail(err, NCG_E_NOMEM, "out of memory computing the lower bound");
        goto out;
    }
    /* exact feasibility: a_i = min of its left-hand sides; then scale the group rows */
    for (int i = 0; i < I; i++)
        if (a_var[i] >= 0)
            u[a_var[i]] = INFINITY;
    for (int k = 0; k < pairs; k++) {
        double lhs = pair_f[k] >= 0 ? u[pair_f[k]] : 0;
        for (int r = 0; r < RESOURCES; r++)
            lhs -= A(k, B(pair_group[k], r)) * u[B(pair_group[k], r)];
        if (lhs < u[a_var[pair_api[k]]])
            u[a_var[pair_api[k]]] = lhs > 0 ? lhs : 0;
    }
    for (int g = 0; g < G; g++) {
        double lhs = 0, pg = ncg_cluster_nodegroup_price(p->c, g);
        for (int j = 0; j < lp.cols; j++)
            lhs += A(pairs + g, j) * u[j];
        if (lhs > pg)
            scale = pg / lhs < scale ? pg / lhs : scale;
    }
    for (int j = 0; j < lp.cols; j++)
        bound += lp.c[j] * u[j];
    bound *= scale;
    if (bound < trivial)
        bound = trivial;
    *ok = true;
#undef A
#undef B
#undef C
#undef E
out:
    free(pair_api);
    free(pair_group);
    free(pair_f);
    free(a_var);
    free(lp.a);
    free(lp.b);
    free(lp.c);
    free(u);
    return bound > 0 ? bound : 0;
}


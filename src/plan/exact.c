/* SPDX-License-Identifier: Apache-2.0 */
/* The exact search: branch and price on the node counts of the node groups (plan.h lists the planner's files;
 * doc/planner.md has the method and the proof).
 *
 * A plan's price is sum_g c_g n_g over the node groups' node counts n_g, so a box of counts (lo_g <= n_g <= hi_g)
 * is a subproblem: its configuration LP is the plan's with min_instances and max_instances replaced by the box
 * (colgen.c's rows mu and nu), and its Lagrangian bound holds for every plan in the box. The search keeps the best
 * plan found so far (the incumbent, from the strategies) and a list of open boxes, each with its bound and its LP's
 * patterns; it takes the box of the lowest bound, branches on the node group whose LP count is the most fractional
 * (weighted by its price) into n_g <= floor and n_g >= ceil, and solves both children's LPs by column generation,
 * started from the parent's patterns. A box whose LP counts are all integers is a leaf: its patterns, floor and
 * ceil with packing, capped at those counts, give a plan that may beat the incumbent.
 *
 * Bounds are rounded up to prices a plan can have: no plan in a box costs less than the cheapest sum_g c_g n_g of
 * the box that is at least the box's bound. A box whose bound reaches the incumbent's price is closed. When every
 * box is closed, the incumbent is optimal; otherwise the bound of the plan is the lowest of the open boxes'. The
 * search stops at EXACT_NODES LPs, at a work limit (multiply-adds of generation and dives: EXACT_SHARE times the
 * plan's own generation's, at least EXACT_FLOOR, at most EXACT_WORK), or at the plan's time limit; deterministic
 * within the first two. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

#define EXACT_LP_NODES 300 /* plans whose configuration LP opens more nodes than this are not searched */
#define EXACT_NODES 600    /* LPs the search solves at most */
#define EXACT_WORK 6e8     /* multiply-adds of the search's column generation and dives, at most: about half a
                            * second */
#define EXACT_SHARE 1      /* and at most this many times the plan's own generation's, and EXACT_FLOOR */
#define EXACT_FLOOR 5e7
#define EXACT_OPEN 4096    /* open boxes at most */
#define ROUND_STEPS 200000 /* steps of one rounding search; past it the bound is kept as it is */
#define FRACTION 1e-6      /* an LP count this close to an integer is one */

typedef struct box {
    int *lo, *hi;          /* per bin: the node counts of the box (bins of existing nodes keep theirs) */
    double bound;          /* no plan in the box costs less (without the existing nodes' price) */
    ncg_cg_result lp;      /* its LP's patterns (and duals) */
    int depth;
} box;

/* ---- rounding a bound up to a price a plan can have ---- */

typedef struct rounding {
    int n;                 /* distinct positive prices, dearest first */
    double *c;
    long *range;           /* how many more nodes than the box's lo at that price */
    double *suffix;        /* sum_{j >= i} c_j range_j: the most the prices from i on can add */
    double best, tol;
    long steps;
    bool cut;
} rounding;

static void round_search(rounding *s, int i, double need, double sum)
{
    long k;
    if (++s->steps > ROUND_STEPS) {
        s->cut = true;
        return;
    }
    if (sum >= s->best)
        return;
    if (need <= s->tol) {
        s->best = sum;
        return;
    }
    if (i == s->n || s->suffix[i] < need - s->tol)
        return;
    k = (long)ceil((need - s->tol) / s->c[i]);
    if (k > s->range[i])
        k = s->range[i];
    for (; k >= 0 && !s->cut; k--)
        round_search(s, i + 1, need - (double)k * s->c[i], sum + (double)k * s->c[i]);
}

static int cmp_price_desc(const void *a, const void *b)
{
    double x = ((const double *)a)[0], y = ((const double *)b)[0];
    return x > y ? -1 : x < y;
}

/* The cheapest sum_b price_b n_b with lo_b <= n_b <= hi_b that is at least value (less a hair): no plan in the box
 * costs less. INFINITY when no count in the box reaches value (the box holds no plan); value itself when the
 * search would take too long or memory is short. */
static double round_up(const ncg_cg_problem *pb, const int *lo, const int *hi, double value)
{
    int B = pb->bins, n = 0;
    double base = 0, *pr = malloc(((size_t)B + 1) * 2 * sizeof(double));
    rounding s = {.tol = 1e-9 * fmax(1, fabs(value)), .best = INFINITY};
    if (!pr)
        return value;
    for (int b = 0; b < B; b++) {
        base += pb->bin[b].price * lo[b];
        if (pb->bin[b].price > 0 && hi[b] > lo[b]) {
            pr[2 * n] = pb->bin[b].price;
            pr[2 * n + 1] = hi[b] - lo[b];
            n++;
        }
    }
    if (base >= value - s.tol) {
        free(pr);
        return base > value ? base : value;
    }
    qsort(pr, (size_t)n, 2 * sizeof(double), cmp_price_desc);
    s.c = malloc(((size_t)n + 1) * sizeof(double));
    s.range = malloc(((size_t)n + 1) * sizeof(long));
    s.suffix = malloc(((size_t)n + 1) * sizeof(double));
    if (s.c && s.range && s.suffix) {
        for (int k = 0; k < n; k++) { /* equal prices merged */
            if (s.n > 0 && s.c[s.n - 1] == pr[2 * k]) {
                s.range[s.n - 1] += (long)pr[2 * k + 1];
                continue;
            }
            s.c[s.n] = pr[2 * k];
            s.range[s.n++] = (long)pr[2 * k + 1];
        }
        s.suffix[s.n] = 0;
        for (int k = s.n - 1; k >= 0; k--)
            s.suffix[k] = s.suffix[k + 1] + s.c[k] * (double)s.range[k];
        round_search(&s, 0, value - base, 0);
    } else {
        s.cut = true;
    }
    free(pr);
    free(s.c);
    free(s.range);
    free(s.suffix);
    if (s.cut)
        return value;
    if (!isfinite(s.best))
        return INFINITY;
    return base + s.best > value ? base + s.best : value;
}

/* ---- the search ---- */

static void box_free(box *x)
{
    if (!x)
        return;
    free(x->lo);
    ncg_cg_result_clear(&x->lp);
    free(x);
}

static box *box_new(int B, const int *lo, const int *hi)
{
    box *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->lo = malloc(2 * ((size_t)B + 1) * sizeof(int));
    if (!x->lo) {
        free(x);
        return NULL;
    }
    x->hi = x->lo + B + 1;
    memcpy(x->lo, lo, (size_t)B * sizeof(int));
    memcpy(x->hi, hi, (size_t)B * sizeof(int));
    return x;
}

/* What an LP proves: its Lagrangian bound, or its optimum once generation converged. */
static double lp_bound(const ncg_cg_result *r)
{
    return r->converged ? fmax(r->bound, r->lp_value) : r->bound;
}

/* Solve box x's LP from the patterns of `from`, within work, stopping once its bound reaches cutoff; its bound
 * (at least `floor`, the parent's) rounded up. */
static int solve_box(ncg_plan *p, box *x, const ncg_cg_result *from, double floor, double cutoff, double work,
                     ncg_cg_bin *bins, ncg_error *err)
{
    ncg_cg_problem q = p->cg;
    ncg_cg_limits lim = {.max_rounds = CG_ROUNDS, .work_limit = work, .deadline = p->deadline, .rel_gap = 1e-7,
                         .cutoff = cutoff};
    for (int b = 0; b < q.bins; b++) {
        bins[b] = p->cg.bin[b];
        bins[b].min_nodes = x->lo[b];
        bins[b].max_nodes = x->hi[b];
    }
    q.bin = bins;
    q.seed = from->patterns;
    q.seed_count = from->pattern_count;
    if (ncg_cg_solve(&q, &lim, &x->lp, err) < 0)
        return NCG_E_NOMEM;
    x->bound = round_up(&q, x->lo, x->hi, fmax(floor, lp_bound(&x->lp)));
    return 0;
}

int plan_exact(ncg_plan *p, plan_best *best, double fixed, double *bound, bool *optimal, ncg_error *err)
{
    const ncg_cg_problem *pb = &p->cg;
    int B = pb->bins, G = ncg_cluster_nodegroup_count(p->c), solved = 0, open_count = 0, rc = 0;
    double lp_nodes = 0, work = 0, limit, unresolved = INFINITY, ub, tol, low;
    box **open = NULL, *root = NULL, *x = NULL; /* x: the box being branched on, out of the open list */
    int *lo = malloc(2 * ((size_t)B + 1) * sizeof(int)), *hi, *max = malloc(((size_t)G + 1) * sizeof(int));
    double *count = malloc(((size_t)B + 1) * sizeof(double));
    ncg_cg_bin *bins = malloc(((size_t)B + 1) * sizeof(ncg_cg_bin));

    *optimal = false;
    *bound = 0;
    if (!lo || !max || !count || !bins)
        goto nomem;
    hi = lo + B + 1;
    for (int b = 0; b < B; b++) {
        lo[b] = pb->bin[b].min_nodes;
        hi[b] = pb->bin[b].max_nodes;
    }
    /* what the search may spend: on plans whose generation was cheap, little more than that */
    limit = fmin(EXACT_WORK, fmax(EXACT_FLOOR, EXACT_SHARE * p->cg_result.work));
    ub = best->price - fixed;
    tol = 1e-9 * fmax(1, ub);
    /* the root: the plan's own LP, its bound rounded up */
    low = round_up(pb, lo, hi, lp_bound(&p->cg_result));
    for (int k = 0; k < p->cg_result.pattern_count; k++)
        lp_nodes += p->cg_result.patterns[k].x;
    if (low >= ub - tol || lp_nodes > EXACT_LP_NODES) {
        *bound = fixed + fmin(low, ub);
        *optimal = low >= ub - tol;
        goto done;
    }
    if (!(root = box_new(B, lo, hi)) || !(open = malloc(EXACT_OPEN * sizeof(box *))))
        goto nomem;
    root->bound = low;
    /* the root's LP is the plan's: its patterns are borrowed, not copied */
    root->lp = p->cg_result;
    open[open_count++] = root;
    while (open_count > 0) {
        int at = 0, branch = -1;
        double weight = 0, spent;
        for (int k = 1; k < open_count; k++)
            if (open[k]->bound < open[at]->bound ||
                (open[k]->bound == open[at]->bound && open[k]->depth > open[at]->depth))
                at = k;
        if (open[at]->bound >= ub - tol) /* every open box is closed by the incumbent */
            break;
        if (solved >= EXACT_NODES || work >= limit || open_count + 1 >= EXACT_OPEN ||
            (p->deadline > 0 && ncg_now() >= p->deadline))
            break;
        x = open[at];
        open[at] = open[--open_count];
        for (int b = 0; b < B; b++)
            count[b] = 0;
        for (int k = 0; k < x->lp.pattern_count; k++)
            count[x->lp.patterns[k].bin] += x->lp.patterns[k].x;
        for (int b = 0; b < G; b++) {
            double f = count[b] - floor(count[b]), w = fmin(f, 1 - f) * fmax(pb->bin[b].price, 1e-9);
            if (fmin(f, 1 - f) > FRACTION && w > weight) {
                weight = w;
                branch = b;
            }
        }
        if (branch < 0) {
            /* a leaf: the LP's counts are whole; a plan within them closes it when it costs the box's bound */
            for (int g = 0; g < G; g++)
                max[g] = (int)round(count[g]) + ncg_cluster_nodegroup_nodes(p->c, g);
            spent = fmin(limit - work, limit / 8);
            if ((rc = plan_try_lp(p, &x->lp, max, fixed + x->bound, &spent, best, err)) < 0)
                goto fail;
            work += spent;
            if (best->price - fixed < ub) {
                /* what the search may spend: on plans whose generation was cheap, little more than that */
    limit = fmin(EXACT_WORK, fmax(EXACT_FLOOR, EXACT_SHARE * p->cg_result.work));
    ub = best->price - fixed;
                tol = 1e-9 * fmax(1, ub);
            }
            if (x->bound < ub - tol)
                unresolved = fmin(unresolved, x->bound);
            if (x != root)
                box_free(x);
            x = NULL;
            continue;
        }
        /* the children: n_branch <= floor, n_branch >= ceil */
        for (int side = 0; side < 2; side++) {
            box *child;
            memcpy(lo, x->lo, (size_t)B * sizeof(int));
            memcpy(hi, x->hi, (size_t)B * sizeof(int));
            if (side == 0)
                hi[branch] = (int)floor(count[branch]);
            else
                lo[branch] = (int)ceil(count[branch]);
            if (lo[branch] > hi[branch])
                continue;
            if (!(child = box_new(B, lo, hi)))
                goto nomem;
            child->depth = x->depth + 1;
            if ((rc = solve_box(p, child, &x->lp, x->bound, ub - tol,
                                fmin(limit - work, limit / 8), bins, err)) < 0) {
                box_free(child);
                goto fail;
            }
            solved++;
            work += child->lp.work;
            if (child->bound >= ub - tol)
                box_free(child);
            else
                open[open_count++] = child;
        }
        if (x != root)
            box_free(x);
        x = NULL;
    }
    /* what is left open, or could not be closed, bounds the price of every plan */
    low = fmin(ub, unresolved);
    for (int k = 0; k < open_count; k++)
        low = fmin(low, open[k]->bound);
    *optimal = low >= ub - tol;
    *bound = fixed + (*optimal ? ub : low);
    goto done;
nomem:
    rc = ncg_fail(err, NCG_E_NOMEM, "out of memory searching for the optimal plan");
fail:
    *optimal = false;
    *bound = 0;
done:
    if (x != root)
        box_free(x);
    for (int k = 0; k < open_count; k++)
        if (open[k] != root)
            box_free(open[k]);
    if (root) {
        free(root->lo);
        free(root);
    }
    free(open);
    free(lo);
    free(max);
    free(count);
    free(bins);
    return rc;
}

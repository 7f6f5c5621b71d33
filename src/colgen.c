/* SPDX-License-Identifier: Apache-2.0 */
/* Column generation for the configuration LP (Gilmore-Gomory) of planning, and its Lagrangian bound.
 *
 * Primal (per bin b: a node group for new nodes, or an existing node; patterns p of b):
 *   min  sum_p c_b x_p
 *   s.t. sum_p a_ip x_p >= d_i            (pi_i)   every API's replicas
 *        sum_{p of b} x_p >= min_b        (mu_b)
 *        -sum_{p of b} x_p >= -max_b      (nu_b)
 * A pattern is a multiset of replicas one node of b holds: chips, cores, CPU, memory and hugepages add up to at
 * most the node's, and API i appears at most limit_ib times (its per-node maximum, counted on an empty node).
 * The adding-up rule is necessary for a real node, so the patterns are a superset of the real ones and every
 * bound below holds for real plans.
 *
 * The restricted master (the patterns found so far) is solved by the revised simplex of rlp.c, which keeps its
 * basis between rounds, so each round starts where the last stopped; its row duals are pi, mu and nu. Pricing per
 * bin is a bounded integer knapsack (values pi), solved exactly by branch and bound.
 *
 * Bound: for any pi >= 0, relaxing the demand rows gives (Lagrange)
 *   L(pi) = d.pi + sum_b [ min_b max(0, c_b - v_b(pi)) - max_b max(0, v_b(pi) - c_b) ]
 * with v_b(pi) the best pattern value of bin b; L(pi) is at most the price of every plan. v_b(t pi) = t v_b(pi),
 * so L is also evaluated at the scalings t = c_b / v_b below 1, and the best value is kept. At convergence
 * L(pi) equals the LP optimum. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "colgen.h"
#include "lp.h"

#define RES NCG_CG_RESOURCES
#define BB_NODES 20000 /* branch-and-bound nodes per pricing call; past it the pricing is a heuristic whose
                          * upper bound still makes the Lagrangian bound valid */
#define BB_NODES_ENOUGH 2000 /* in generation's rounds, a search stops here once its best pattern prices out: the
                              * round needs such a pattern, not the best one. A tenth of the searches ran to
                              * 20,000 nodes and took most of a 50-API plan's time */
#define EPS 1e-9
#define SMOOTH 0.5      /* weight of the centre in Wentges smoothing of the duals priced at */
/* Work budget of one generation, in multiply-adds: a pivot of the master costs rows^2, a branch-and-bound node
 * the items it weighs. A few tenths of a second; deterministic, unlike a clock. Past it, generation stops with
 * the (valid) bound it has. */
#define WORK_BUDGET 1e9

/* One API's replicas as knapsack items of a bin. */
typedef struct pitem {
    int api;
    double value;           /* pi of the API */
    int ub;                 /* most copies */
    double need[RES];
    double ratio[RES];      /* suffix maxima of value / need; INFINITY when some later item needs none of it */
    double density;         /* value per unit of its scarcest resource: the branching order */
} pitem;

typedef struct pricer {
    int n;                  /* items with a positive value */
    pitem *item;
    double cap[RES];
    double best;
    int *count, *best_count;
    long nodes;
    double enough;          /* a value past which the search may stop after BB_NODES_ENOUGH nodes (INFINITY:
                             * never): what prices out */
    long total_nodes;       /* over every pricing call */
    bool cut;               /* the node budget ran out: best may be below the optimum */
} pricer;

void ncg_cg_item_needs(const ncg_cg_item *it, double *need)
{
    need[0] = it->chips;
    need[1] = it->cores;
    need[2] = (double)it->cpu_milli;
    need[3] = (double)it->memory_bytes;
    need[4] = (double)it->hugepages_bytes;
}

void ncg_cg_bin_caps(const ncg_cg_bin *b, double *cap)
{
    cap[0] = b->chips;
    cap[1] = b->cores;
    cap[2] = (double)b->cpu_milli;
    cap[3] = (double)b->memory_bytes;
    cap[4] = (double)b->hugepages_bytes;
}

/* An upper bound on what items k.. can add with the capacity left. */
static inline double upper(const pricer *s, int k, const double *rem)
{
    const double *ratio;
    double ub = INFINITY;
    if (k >= s->n)
        return 0;
    ratio = s->item[k].ratio;
    for (int r = 0; r < RES; r++) {
        double x = rem[r] * ratio[r]; /* ratios are never NaN: comparing is fmin() */
        if (ratio[r] < INFINITY && x < ub)
            ub = x;
    }
    return ub;
}

static void branch(pricer *s, int k, double value, double *rem)
{
    const pitem *it;
    int most;
    if (k == s->n) {
        if (value > s->best + EPS) {
            s->best = value;
            memcpy(s->best_count, s->count, (size_t)s->n * sizeof(int));
        }
        return;
    }
    if (++s->nodes > BB_NODES || (s->nodes > BB_NODES_ENOUGH && s->best > s->enough)) {
        s->cut = true;
        return;
    }
    if (value + upper(s, k, rem) <= s->best + EPS)
        return;
    it = &s->item[k];
    most = it->ub;
    for (int r = 0; r < RES; r++)
        if (it->need[r] > 0) {
            double fit = floor(rem[r] / it->need[r] + 1e-9);
            if (fit < most)
                most = (int)fit;
        }
    if (k == s->n - 1) {
        /* the last item: every value is positive, so the most copies that fit is best (the loop's first leaf,
         * without visiting the others) */
        s->count[k] = most;
        branch(s, k + 1, value + most * it->value, rem);
        s->count[k] = 0;
        return;
    }
    for (int c = most; c >= 0 && !s->cut; c--) {
        for (int r = 0; r < RES; r++)
            rem[r] -= c * it->need[r];
        s->count[k] = c;
        branch(s, k + 1, value + c * it->value, rem);
        for (int r = 0; r < RES; r++)
            rem[r] += c * it->need[r];
    }
    s->count[k] = 0;
}

/* Does item a branch before item b: more value per unit of its scarcest resource, then the lower API index. */
static bool before(const pitem *a, const pitem *b)
{
    return a->density != b->density ? a->density > b->density : a->api < b->api;
}

/* Best pattern of bin b for values pi: its value in *out_value (an upper bound on it when the search was cut:
 * *exact false), its counts in counts (apis values). Scratch arrays in s are sized for apis items. */
static void price_bin(const ncg_cg_problem *pb, int b, const double *pi, pricer *s, int *counts, double *out_value,
                      bool *exact)
{
    const ncg_cg_item *items = &pb->item[(size_t)b * (size_t)pb->apis];
    double rem[RES];
    s->n = 0;
    ncg_cg_bin_caps(&pb->bin[b], s->cap);
    for (int i = 0; i < pb->apis; i++) {
        int ub = items[i].limit < pb->demand[i] ? items[i].limit : pb->demand[i];
        pitem *it = &s->item[s->n];
        double scarce = 0;
        if (ub <= 0 || pi[i] <= EPS)
            continue;
        it->api = i;
        it->value = pi[i];
        it->ub = ub;
        ncg_cg_item_needs(&items[i], it->need);
        for (int r = 0; r < RES; r++)
            if (s->cap[r] > 0)
                scarce = fmax(scarce, it->need[r] / s->cap[r]);
        it->density = scarce > 0 ? it->value / scarce : INFINITY;
        s->n++;
    }
    /* a deterministic insertion sort (the items are few) */
    for (int k = 1; k < s->n; k++) {
        pitem key = s->item[k];
        int j = k;
        for (; j > 0 && before(&key, &s->item[j - 1]); j--)
            s->item[j] = s->item[j - 1];
        s->item[j] = key;
    }
    for (int r = 0; r < RES; r++) {
        double m = 0;
        for (int k = s->n - 1; k >= 0; k--) {
            pitem *it = &s->item[k];
            if (isfinite(m))
                m = it->need[r] > 0 ? fmax(m, it->value / it->need[r]) : INFINITY;
            it->ratio[r] = m;
        }
    }
    memcpy(rem, s->cap, sizeof(rem));
    s->best = 0;
    s->nodes = 0;
    s->cut = false;
    memset(s->count, 0, (size_t)(s->n + 1) * sizeof(int));
    memset(s->best_count, 0, (size_t)(s->n + 1) * sizeof(int));
    branch(s, 0, 0, rem);
    s->total_nodes += s->nodes * (s->n + 1);
    memset(counts, 0, (size_t)pb->apis * sizeof(int));
    for (int k = 0; k < s->n; k++)
        counts[s->item[k].api] = s->best_count[k];
    memcpy(rem, s->cap, sizeof(rem));
    *exact = !s->cut;
    *out_value = s->cut ? fmax(s->best, upper(s, 0, rem)) : s->best;
}

static void pricer_free(pricer *s)
{
    free(s->item);
    free(s->count);
    free(s->best_count);
}

static bool pricer_init(pricer *s, int apis)
{
    size_t n = (size_t)apis + 1;
    memset(s, 0, sizeof(*s));
    s->enough = INFINITY;
    s->item = malloc(n * sizeof(*s->item));
    s->count = malloc(n * sizeof(int));
    s->best_count = malloc(n * sizeof(int));
    if (!s->item || !s->count || !s->best_count) {
        pricer_free(s);
        return false;
    }
    return true;
}

/* L(t pi) maximised over the breakpoints t in (0, 1]; v holds v_b(pi). */
static double lagrange(const ncg_cg_problem *pb, const double *pi, const double *v)
{
    double dpi = 0, best = -INFINITY;
    for (int i = 0; i < pb->apis; i++)
        dpi += pb->demand[i] * pi[i];
    for (int k = -1; k < pb->bins; k++) {
        double t = 1, l;
        if (k >= 0) {
            if (!(v[k] > pb->bin[k].price) || v[k] <= 0)
                continue;
            t = pb->bin[k].price / v[k];
        }
        l = t * dpi;
        for (int b = 0; b < pb->bins; b++) {
            double vb = t * v[b], c = pb->bin[b].price;
            if (vb < c)
                l += pb->bin[b].min_nodes * (c - vb);
            else
                l -= pb->bin[b].max_nodes * (vb - c);
        }
        best = fmax(best, l);
    }
    return best > 0 ? best : 0;
}

int ncg_cg_bound(const ncg_cg_problem *pb, const double *pi, double *out, ncg_error *err)
{
    pricer s;
    double *v = malloc(((size_t)pb->bins + 1) * sizeof(double));
    int *counts = malloc(((size_t)pb->apis + 1) * sizeof(int));
    if (!v || !counts || !pricer_init(&s, pb->apis)) {
        free(v);
        free(counts);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory computing the lower bound");
    }
    for (int b = 0; b < pb->bins; b++) {
        bool exact;
        price_bin(pb, b, pi, &s, counts, &v[b], &exact);
    }
    *out = lagrange(pb, pi, v);
    pricer_free(&s);
    free(v);
    free(counts);
    return 0;
}

void ncg_cg_result_clear(ncg_cg_result *r)
{
    for (int p = 0; p < r->pattern_count; p++)
        free(r->patterns[p].counts);
    free(r->patterns);
    free(r->duals);
    memset(r, 0, sizeof(*r));
}

typedef struct pool {
    ncg_cg_pattern *p;
    int count, capacity;
} pool;

static bool same_pattern(const ncg_cg_pattern *x, int bin, const int *counts, int apis)
{
    return x->bin == bin && memcmp(x->counts, counts, (size_t)apis * sizeof(int)) == 0;
}

/* Add a pattern unless it is there already: 1 added, 0 duplicate, -1 out of memory. */
static int pool_add(pool *pl, int bin, const int *counts, int apis)
{
    int *copy;
    for (int k = 0; k < pl->count; k++)
        if (same_pattern(&pl->p[k], bin, counts, apis))
            return 0;
    if (pl->count == pl->capacity) {
        int cap = pl->capacity ? pl->capacity * 2 : 64;
        ncg_cg_pattern *grown = realloc(pl->p, (size_t)cap * sizeof(*grown));
        if (!grown)
            return -1;
        pl->p = grown;
        pl->capacity = cap;
    }
    copy = malloc(((size_t)apis + 1) * sizeof(int));
    if (!copy)
        return -1;
    memcpy(copy, counts, (size_t)apis * sizeof(int));
    pl->p[pl->count++] = (ncg_cg_pattern){bin, 0, copy};
    return 1;
}

/* Give the pool's patterns from index `from` on to the master as columns. */
static int add_columns(const ncg_cg_problem *pb, ncg_rlp *lp, const pool *pl, int from, int *rows, double *values)
{
    int I = pb->apis, B = pb->bins;
    for (int k = from; k < pl->count; k++) {
        int n = 0, b = pl->p[k].bin;
        for (int i = 0; i < I; i++)
            if (pl->p[k].counts[i] > 0) {
                rows[n] = i;
                values[n++] = pl->p[k].counts[i];
            }
        rows[n] = I + b;
        values[n++] = 1;
        rows[n] = I + B + b;
        values[n++] = -1;
        if (ncg_rlp_add_column(lp, pb->bin[b].price, n, rows, values) < 0)
            return -1;
    }
    return 0;
}

/* Solve the restricted master from its last basis: the duals pi, mu, nu into u, pattern values into the pool. */
static int master(const ncg_cg_problem *pb, ncg_rlp *lp, pool *pl, double budget, double work, double *u,
                  double *value)
{
    int I = pb->apis, B = pb->bins;
    double m2 = (double)(I + 2 * B) * (I + 2 * B), left = (budget - work) / m2;
    int cap = 200 * (I + 2 * B) + 20 * pl->count + 1000;
    /* never past the work budget (at least a few pivots, so the duals exist) */
    if (left < cap)
        cap = left > 10 ? (int)left : 10;
    if (ncg_rlp_solve(lp, cap) < 0)
        return -1;
    ncg_rlp_duals(lp, u);
    *value = ncg_rlp_value(lp);
    for (int k = 0; k < pl->count; k++)
        pl->p[k].x = ncg_rlp_column_value(lp, k);
    return 0;
}

/* Work done so far (see WORK_BUDGET). */
static double work(const ncg_cg_problem *pb, const ncg_rlp *lp, const pricer *s)
{
    double m = pb->apis + 2.0 * pb->bins;
    return (double)ncg_rlp_pivots(lp) * m * m + (double)s->total_nodes;
}

int ncg_cg_solve(const ncg_cg_problem *pb, const ncg_cg_limits *lim, ncg_cg_result *out, ncg_error *err)
{
    int max_rounds = lim->max_rounds;
    double budget = lim->work_limit > 0 ? lim->work_limit : WORK_BUDGET;
    int I = pb->apis, B = pb->bins, rc = 0, given = 0;
    pool pl = {0};
    ncg_rlp *lp = NULL;
    double *r = calloc((size_t)(I + 2 * B) + 1, sizeof(double)), *values = NULL, big = 1;
    int *rows = NULL;
    pricer s;
    bool have_pricer = pricer_init(&s, I);
    bool *usable = calloc((size_t)I + 1, sizeof(bool));
    double *u = calloc((size_t)(I + 2 * B) + 1, sizeof(double)), *v = calloc((size_t)B + 1, sizeof(double));
    double *center = calloc((size_t)(I + 2 * B) + 1, sizeof(double)), *ps = calloc((size_t)(I + 2 * B) + 1, sizeof(double));
    double center_bound = 0;
    bool have_center = false;
    int *counts = calloc((size_t)I + 1, sizeof(int));
    ncg_cg_result res = {0};

    if (!have_pricer || !usable || !u || !v || !counts || !r || !center || !ps)
        goto nomem;
    rows = malloc(((size_t)I + 3) * sizeof(int));
    values = malloc(((size_t)I + 3) * sizeof(double));
    if (!rows || !values)
        goto nomem;
    /* one single-API pattern per usable (API, bin) keeps the master bounded */
    for (int i = 0; i < I; i++)
        for (int b = 0; b < B; b++) {
            const ncg_cg_item *it = &pb->item[(size_t)b * (size_t)I + (size_t)i];
            if (it->limit <= 0 || pb->demand[i] <= 0)
                continue;
            usable[i] = true;
            memset(counts, 0, (size_t)I * sizeof(int));
            counts[i] = it->limit < pb->demand[i] ? it->limit : pb->demand[i];
            if (pool_add(&pl, b, counts, I) < 0)
                goto nomem;
        }
    /* the seeds, as far as the demands go: a warm start when the problem is close to one solved before */
    for (int k = 0; k < pb->seed_count; k++) {
        const ncg_cg_pattern *sd = &pb->seed[k];
        bool any = false;
        if (sd->bin < 0 || sd->bin >= B)
            continue;
        for (int i = 0; i < I; i++) {
            int limit = pb->item[(size_t)sd->bin * (size_t)I + (size_t)i].limit;
            counts[i] = sd->counts[i] < pb->demand[i] ? sd->counts[i] : pb->demand[i];
            counts[i] = counts[i] < limit ? counts[i] : limit;
            counts[i] = counts[i] > 0 ? counts[i] : 0;
            any = any || counts[i] > 0;
        }
        if (any && pool_add(&pl, sd->bin, counts, I) < 0)
            goto nomem;
    }
    /* rows: demands, then min and max per bin, all as G x >= r */
    for (int i = 0; i < I; i++)
        r[i] = usable[i] ? pb->demand[i] : 0;
    for (int b = 0; b < B; b++) {
        r[I + b] = pb->bin[b].min_nodes;
        r[I + B + b] = -(double)pb->bin[b].max_nodes;
        big = fmax(big, pb->bin[b].price);
    }
    lp = ncg_rlp_new(I + 2 * B, r, 1e4 * big);
    if (!lp)
        goto nomem;
    res.stopped = NCG_PLAN_STOP_ROUNDS;
    for (res.rounds = 0; pl.count > 0 && res.rounds < max_rounds; res.rounds++) {
        int added = 0;
        bool all_exact = true, smoothed;
        double l;
        if (add_columns(pb, lp, &pl, given, rows, values) < 0)
            goto nomem;
        given = pl.count;
        if (master(pb, lp, &pl, budget, work(pb, lp, &s), u, &res.lp_value) < 0)
            goto nomem;
        /* Wentges smoothing: price at a point between the duals of the best bound so far (the centre) and the
         * master's; a pattern is added when it prices out at the master's duals. When none does (a mispricing),
         * the same round prices at the master's duals, so stopping still means no pattern prices out. */
        smoothed = have_center;
        for (int pass = 0; pass < 2 && !added; pass++) {
            const double *at = u;
            if (pass == 0 && smoothed) {
                for (int k = 0; k < I + 2 * B; k++)
                    ps[k] = SMOOTH * center[k] + (1 - SMOOTH) * u[k];
                at = ps;
            } else if (pass == 1 && !smoothed) {
                break;
            }
            all_exact = true;
            for (int b = 0; b < B; b++) {
                bool exact;
                double reduced = u[I + b] - u[I + B + b] - pb->bin[b].price;
                /* a pattern worth more than this at the duals priced at has a positive reduced cost there */
                s.enough = pb->bin[b].price - at[I + b] + at[I + B + b] + 1e-9 * fmax(1, pb->bin[b].price);
                price_bin(pb, b, at, &s, counts, &v[b], &exact);
                all_exact = all_exact && exact;
                for (int i = 0; i < I; i++)
                    reduced += counts[i] * u[i];
                if (reduced > 1e-9 * fmax(1, pb->bin[b].price)) {
                    int a = pool_add(&pl, b, counts, I);
                    if (a < 0)
                        goto nomem;
                    added += a;
                }
            }
            l = lagrange(pb, at, v);
            if (!have_center || l > center_bound) {
                memcpy(center, at, (size_t)(I + 2 * B) * sizeof(double));
                center_bound = l;
                have_center = true;
            }
        }
        if (!added) {
            /* no pattern prices out; it is the LP optimum only if every pricing was exact */
            res.converged = all_exact;
            res.stopped = all_exact ? NCG_PLAN_STOP_CONVERGED : NCG_PLAN_STOP_SEARCH;
            res.rounds++;
            break;
        }
        /* tailing off: stop once the proven bound is within 0.05% of the master's value (the LP optimum lies
         * between them) */
        if (center_bound >= res.lp_value * (1 - 5e-4)) {
            res.stopped = NCG_PLAN_STOP_GAP;
            res.rounds++;
            break;
        }
        if (work(pb, lp, &s) > budget) {
            res.stopped = NCG_PLAN_STOP_WORK;
            res.rounds++;
            break;
        }
        if (lim->deadline > 0 && ncg_now() >= lim->deadline) {
            res.stopped = NCG_PLAN_STOP_TIME;
            res.rounds++;
            break;
        }
    }
    if (!res.converged && pl.count > 0 &&
        (add_columns(pb, lp, &pl, given, rows, values) < 0 ||
         master(pb, lp, &pl, budget, work(pb, lp, &s), u, &res.lp_value) < 0))
        goto nomem;
    s.enough = INFINITY; /* the bound's searches: as exact as they can be */
    for (int b = 0; b < B && !lim->no_bound; b++) {
        bool exact;
        price_bin(pb, b, u, &s, counts, &v[b], &exact);
    }
    res.bound = lim->no_bound ? 0 : lagrange(pb, u, v);
    res.work = work(pb, lp, &s);
    res.duals = malloc(((size_t)I + 1) * sizeof(double));
    if (!res.duals)
        goto nomem;
    /* the duals of the best bound found: the last master's, or the best centre */
    if (have_center && center_bound > res.bound) {
        res.bound = center_bound;
        memcpy(u, center, (size_t)I * sizeof(double));
    }
    memcpy(res.duals, u, (size_t)I * sizeof(double));
    /* keep the patterns the LP uses */
    for (int k = 0; k < pl.count; k++) {
        if (pl.p[k].x > 1e-9)
            pl.p[res.pattern_count++] = pl.p[k];
        else
            free(pl.p[k].counts);
    }
    res.patterns = pl.p;
    pl.p = NULL;
    pl.count = 0;
    *out = res;
    goto done;
nomem:
    rc = ncg_fail(err, NCG_E_NOMEM, "out of memory generating node patterns");
    free(res.duals);
done:
    ncg_rlp_free(lp);
    free(r);
    free(rows);
    free(values);
    for (int k = 0; k < pl.count; k++)
        free(pl.p[k].counts);
    free(pl.p);
    if (have_pricer)
        pricer_free(&s);
    free(usable);
    free(u);
    free(v);
    free(center);
    free(ps);
    free(counts);
    return rc;
}

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

#include "plan/colgen.h"
#include "plan/lp.h"

#define RES NCG_CG_RESOURCES
#define SUR RES         /* the surrogate resource (surrogate()), after the real ones */
#define DIM (RES + 1)   /* the real resources and the surrogate */
#define SURROGATE_AFTER 2000 /* branch-and-bound nodes after which a search adds the surrogate and starts again */
#define SUR_SEGMENTS_MAX 64 /* segments past which a search goes without the surrogate (its LP is dense) */
#define BB_NODES 20000 /* branch-and-bound nodes per pricing call; past it the pricing is a heuristic whose
                          * upper bound still makes the Lagrangian bound valid */
#define BB_NODES_ENOUGH 2000 /* in generation's rounds, a search stops here once its best pattern prices out: the
                              * round needs such a pattern, not the best one. A tenth of the searches ran to
                              * 20,000 nodes and took most of a 50-API plan's time */
#define EPS 1e-9
#define DANTZIG_AFTER 256 /* branch-and-bound nodes after which a search uses its slow bounds */
#define DP_UNITS 512    /* columns of a one-resource table at most */
#define SMOOTH 0.5      /* weight of the centre in Wentges smoothing of the duals priced at */
/* Work budget of one generation, in multiply-adds: a pivot of the master costs rows^2, a branch-and-bound node
 * the items it weighs. A few tenths of a second; deterministic, unlike a clock. Past it, generation stops with
 * the (valid) bound it has. */
#define WORK_BUDGET 1e9

/* APIs whose replicas need the same resources on a bin are one knapsack item (a shape): copies of it are
 * interchangeable under the constraints, so the best way to take m of them is the m most valuable replicas. Without
 * this, the search visits every way of splitting m among APIs of one shape (the Alibaba trace has 156 APIs and 34
 * shapes), which is where it ran out of nodes. */
typedef struct pseg {       /* one API of a shape: value pi_i for up to ub replicas */
    int api;
    double value;
    int ub;
} pseg;

typedef struct pitem {
    int shape;              /* its index in the bin's shapes */
    int api;                /* the shape's lowest API index: ties in the branching order */
    double value;           /* its most valuable replica */
    int ub;                 /* most copies: the sum of its APIs' */
    int seg, nseg;          /* its APIs in the segment array, most valuable first */
    double need[DIM];       /* per resource; the surrogate's is 0 until surrogate() sets it */
    double ratio[DIM];      /* suffix maxima of value / need; INFINITY when some later item needs none of it */
    double scarce;          /* its largest share of a resource of the bin */
    double density;         /* value per unit of its scarcest resource: the branching order */
} pitem;

typedef struct pricer {
    int n;                  /* shapes with a positive value */
    pitem *item;
    pseg *seg;
    int nseg;
    int *order;             /* per bin, its APIs by shape (bins x apis) */
    int *shape;             /* per bin and position in order: the shape's index */
    int *seg_item;          /* per segment: its item's position in the branching order */
    struct dseg *by_ratio;  /* per resource, the segments by value per unit of it, most first (DIM x apis) */
    bool sorted[DIM];       /* by_ratio is for this search */
    long scanned;           /* segments read by dantzig() in this search */
    /* exact one-resource bounds (see build_tables()), built once a search has cost as much as they do */
    double table_cost;      /* what building them costs at most, in search work (nodes x items + scanned); -1:
                             * not computed yet (table_cost()) */
    bool tables;
    double *table, *tab[RES];
    size_t table_cap;       /* tab[r], for each resource r with dp[r]: (n + 1) x (units[r] + 1) values */
    bool dp[RES];
    double unit[RES];       /* of the resource, in its own measure: a table's column is a multiple of it */
    int units[RES];
    long table_work;        /* cells written building them */
    struct keyed *keyed;    /* scratch for sorting segments */
    double cap[DIM];        /* the surrogate's: 0 until surrogate() sets it */
    bool surrogate;         /* this search has the surrogate resource */
    bool restart;           /* surrogate() has just set it: the search starts again from the root */
    double best;
    int *count, *best_count;
    /* bins of the same resources and items (trn1.32xlarge and trn1n.32xlarge) price alike: twin[b] is the first
     * such bin, and a bin priced at duals stamped `stamp` keeps its result for its twins */
    int *twin;
    long stamp, *memo_stamp;
    double *memo_value, *memo_best;
    bool *memo_exact;
    int *memo_counts;       /* bins x apis */
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

/* An upper bound on what items k.. can add with the capacity left: the least over the resources of what is left
 * of one times the best value per unit of it among the items; the resource that gives it in *scarce (-1 when
 * none limits them). */
static inline double upper(const pricer *s, int k, const double *rem, int *scarce)
{
    const double *ratio;
    double ub = INFINITY;
    *scarce = -1;
    if (k >= s->n)
        return 0;
    ratio = s->item[k].ratio;
    for (int r = 0; r < DIM; r++) {
        double x = rem[r] * ratio[r]; /* ratios are never NaN: comparing is fmin() */
        if (ratio[r] < INFINITY && x < ub) {
            ub = x;
            *scarce = r;
        }
    }
    return ub;
}

/* A segment as Dantzig's bound reads it for one resource: one copy's need and value, all copies' */
typedef struct dseg {
    double need, value, weight, worth;
    int item;
} dseg;

/* A segment and its value per unit of a resource, for sorting. */
typedef struct keyed {
    double key;
    int index;
} keyed;

static int by_key(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* Dantzig's bound on what items k.. can add with the capacity left, resource r alone: the fractional knapsack,
 * replicas by value per unit of r, most first (replicas needing none of r are all taken). */
static double dantzig(pricer *s, int k, int r, double left)
{
    dseg *order = &s->by_ratio[(size_t)r * (size_t)(s->nseg + 1)];
    double v = 0;
    left = left > 0 ? left : 0;
    if (!s->sorted[r]) { /* the order, when a search first needs it, packed for the scan */
        for (int j = 0; j < s->nseg; j++) {
            double need = s->item[s->seg_item[j]].need[r];
            s->keyed[j] = (keyed){need > 0 ? s->seg[j].value / need : INFINITY, j};
        }
        qsort(s->keyed, (size_t)s->nseg, sizeof(keyed), by_key);
        for (int j = 0; j < s->nseg; j++) {
            const pseg *g = &s->seg[s->keyed[j].index];
            int item = s->seg_item[s->keyed[j].index];
            double need = s->item[item].need[r];
            order[j] = (dseg){need, g->value, need * g->ub, g->value * g->ub, item};
        }
        s->sorted[r] = true;
        s->scanned += 8 * s->nseg;
    }
    for (int j = 0; j < s->nseg; j++) {
        const dseg *g = &order[j];
        if (g->item < k)
            continue;
        if (g->weight <= left) {
            v += g->worth;
            left -= g->weight;
        } else {
            s->scanned += j + 1;
            return v + left / g->need * g->value;
        }
    }
    s->scanned += s->nseg;
    return v;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Upper bounds by dynamic programming, one resource r at a time: T_r[k][w] is the most items k.. can add when only
 * r limits them and they may use w units of it. Needs are whole numbers (chips, cores, millicores, bytes); a unit
 * is their greatest common divisor, or a multiple of it when the capacity holds more than DP_UNITS of those, with
 * every need rounded down: any set of replicas that fits in rem also fits in floor(rem / unit) units, so the table
 * bounds the true best from above, exactly when no rounding was needed. Where the linear bounds lose to integrality
 * (replicas whose value follows memory nearly exactly, so that only the memory left unused separates patterns), a
 * table proves in one read what the search would enumerate. Copies of a segment are 0/1 items in chunks of 1, 2,
 * 4, ... copies (binary splitting). */
static bool build_tables(pricer *s)
{
    size_t per = 0, at = 0;
    s->tables = true;
    for (int r = 0; r < RES; r++) {
        int64_t g = 0, cap = (int64_t)s->cap[r];
        bool whole = s->cap[r] < 0x1p62;
        s->dp[r] = false;
        for (int k = 0; k < s->n && whole; k++) {
            whole = s->item[k].need[r] < 0x1p62; /* needs are integers, as int64_t without overflow */
            g = whole ? gcd64((int64_t)s->item[k].need[r], g) : g;
        }
        if (!whole || g <= 0 || cap <= 0)
            continue; /* no table: a need too large for one, no item needs it, or none fits */
        if (cap / g > DP_UNITS)
            g *= (cap / g + DP_UNITS - 1) / DP_UNITS;
        s->unit[r] = (double)g;
        s->units[r] = (int)(cap / g);
        s->dp[r] = true;
        per += (size_t)(s->n + 1) * (size_t)(s->units[r] + 1);
    }
    if (per > s->table_cap) {
        double *grown = realloc(s->table, per * sizeof(double));
        if (!grown) {
            for (int r = 0; r < RES; r++)
                s->dp[r] = false; /* the search goes on with the linear bounds */
            return false;
        }
        s->table = grown;
        s->table_cap = per;
    }
    for (int r = 0; r < RES; r++) {
        int W = s->units[r] + 1;
        double *t;
        if (!s->dp[r])
            continue;
        s->tab[r] = t = &s->table[at];
        at += (size_t)(s->n + 1) * (size_t)W;
        memset(&t[(size_t)s->n * (size_t)W], 0, (size_t)W * sizeof(double));
        for (int k = s->n - 1; k >= 0; k--) {
            const pitem *it = &s->item[k];
            double *row = &t[(size_t)k * (size_t)W];
            double units = floor(it->need[r] / s->unit[r]);
            long w = units < W ? (long)units : W; /* W: no copy fits */
            memcpy(row, row + W, (size_t)W * sizeof(double));
            for (int j = 0; j < it->nseg; j++) {
                const pseg *g = &s->seg[it->seg + j];
                for (int left = g->ub, chunk = 1; left > 0; left -= chunk, chunk *= 2) {
                    int c = chunk < left ? chunk : left;
                    double v = c * g->value;
                    long cw = c * w;
                    if (cw == 0) {
                        for (int x = 0; x < W; x++)
                            row[x] += v;
                    } else {
                        for (long x = W - 1; x >= cw; x--)
                            if (row[x - cw] + v > row[x])
                                row[x] = row[x - cw] + v;
                    }
                    s->table_work += W;
                    if (cw >= W)
                        break; /* larger chunks fit no more */
                }
            }
        }
    }
    return true;
}

/* What building the tables costs at most, in search work; computed when a search first asks (most end before). */
static double table_cost(pricer *s)
{
    if (s->table_cost < 0) {
        double chunks = 0, columns = 0;
        for (int j = 0; j < s->nseg; j++)
            chunks += ceil(log2(s->seg[j].ub + 1.0));
        for (int r = 0; r < RES; r++)
            columns += s->cap[r] > 0 ? DP_UNITS + 1 : 0;
        s->table_cost = chunks * columns;
    }
    return s->table_cost;
}

/* The table column of w left of resource r (rem is never below 0 nor above the capacity; clamped all the same). */
static inline size_t column(const pricer *s, int r, double w)
{
    double x = floor(w / s->unit[r]);
    return x <= 0 ? 0 : x >= s->units[r] ? (size_t)s->units[r] : (size_t)x;
}

/* The slow part of bounded(): the tables once built, else Dantzig's bound on the resource r the cheap bound found
 * scarcest (on every resource, it took a third of a 50-API plan's time for little more pruning). */
static bool bounded_slow(pricer *s, int k, const double *rem, double room, int r)
{
    if (s->tables) {
        for (int q = 0; q < RES; q++)
            if (s->dp[q] && s->tab[q][(size_t)k * (size_t)(s->units[q] + 1) + column(s, q, rem[q])] <= room)
                return true;
    } else if (dantzig(s, k, r, rem[r]) <= room) {
        return true;
    }
    return s->surrogate && r != SUR && dantzig(s, k, SUR, rem[SUR]) <= room;
}

/* The surrogate resource of a long search: the real resources weighted by the duals lambda of the knapsack's LP
 * relaxation at the root, one constraint sum_r lambda_r need_r <= sum_r lambda_r cap_r that every pattern meets
 * (it adds up constraints that each hold). Dantzig's bound on it at the root is the LP relaxation's value; the
 * bounds of one resource at a time miss what two scarce resources (CPU and memory) bound together, and searches
 * over CPU-only replicas ran out of nodes on them. Returns whether the search has it now. */
static bool surrogate(pricer *s)
{
    int rows[RES], nr = 0, m, n = s->nseg, pivots = 0;
    double *a, *b, *c, *x, *y, cap = 0;
    bool ok = false;
    for (int r = 0; r < RES; r++) {
        bool needed = false;
        for (int k = 0; k < s->n && !needed; k++)
            needed = s->item[k].need[r] > 0;
        if (needed && s->cap[r] > 0)
            rows[nr++] = r;
    }
    if (nr < 2 || n > SUR_SEGMENTS_MAX)
        return false; /* one resource: the surrogate is that resource */
    m = nr + n;
    a = calloc((size_t)m * (size_t)n + 1, sizeof(double));
    b = malloc((size_t)m * sizeof(double));
    c = malloc((size_t)n * sizeof(double));
    x = malloc((size_t)n * sizeof(double));
    y = malloc((size_t)m * sizeof(double));
    if (a && b && c && x && y) {
        /* max sum_j value_j x_j  s.t.  sum_j need_jr / cap_r x_j <= 1 per resource, x_j <= ub_j */
        ncg_lp lp = {m, n, a, b, c};
        for (int i = 0; i < nr; i++) {
            b[i] = 1;
            for (int j = 0; j < n; j++)
                a[(size_t)i * (size_t)n + (size_t)j] = s->item[s->seg_item[j]].need[rows[i]] / s->cap[rows[i]];
        }
        for (int j = 0; j < n; j++) {
            a[(size_t)(nr + j) * (size_t)n + (size_t)j] = 1;
            b[nr + j] = s->seg[j].ub;
            c[j] = s->seg[j].value;
        }
        if (ncg_lp_solve_duals(&lp, x, y, 4 * m, &pivots) >= 0) {
            for (int k = 0; k < s->n; k++) {
                double w = 0;
                for (int i = 0; i < nr; i++)
                    w += y[i] / s->cap[rows[i]] * s->item[k].need[rows[i]];
                s->item[k].need[SUR] = w;
            }
            for (int i = 0; i < nr; i++)
                cap += y[i];
            ok = cap > 0;
        }
        s->scanned += (long)pivots * (m + 1) * (n + m + 1);
    }
    free(a);
    free(b);
    free(c);
    free(x);
    free(y);
    if (!ok) {
        for (int k = 0; k < s->n; k++)
            s->item[k].need[SUR] = 0;
        return false;
    }
    s->cap[SUR] = cap * (1 + 1e-9); /* the weights' rounding never makes a pattern that fits overflow it */
    for (int k = s->n - 1; k >= 0; k--) { /* suffix maxima of value per unit, as for the others */
        pitem *it = &s->item[k];
        double after = k + 1 < s->n ? s->item[k + 1].ratio[SUR] : 0;
        it->ratio[SUR] = !isfinite(after) || it->need[SUR] <= 0 ? INFINITY : fmax(after, it->value / it->need[SUR]);
    }
    s->sorted[SUR] = false;
    s->surrogate = true;
    return true;
}

/* Is what items k.. can add with the capacity left at most room? The cheap bound first; once the search proves
 * long (past DANTZIG_AFTER nodes: most searches end before, and on them the others only cost time), the slow
 * ones. */
static inline bool bounded(pricer *s, int k, const double *rem, double room)
{
    int scarce;
    if (upper(s, k, rem, &scarce) <= room)
        return true;
    return s->nodes > DANTZIG_AFTER && scarce >= 0 && bounded_slow(s, k, rem, room, scarce);
}

/* The value of c copies of a shape: its c most valuable replicas; with counts, each of its APIs' share of them
 * into counts[api]. */
static double take(const pricer *s, const pitem *it, int c, int *counts)
{
    double v = 0;
    for (int j = 0; j < it->nseg && c > 0; j++) {
        const pseg *g = &s->seg[it->seg + j];
        int t = c < g->ub ? c : g->ub;
        v += t * g->value;
        if (counts)
            counts[g->api] = t;
        c -= t;
    }
    return v;
}

static void branch(pricer *s, int k, double value, double *rem)
{
    const pitem *it;
    int most, j, left;
    double add;
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
    if (s->nodes == SURROGATE_AFTER && s->enough == INFINITY && surrogate(s)) {
        s->restart = true; /* the frames above subtracted no surrogate needs: start again, keeping the best */
        return;
    }
    if (!s->tables && (s->nodes & 255) == 0 && (double)s->nodes * (s->n + 1) + (double)s->scanned >= table_cost(s))
        build_tables(s); /* so a search that needs no tables pays at most twice its work for them */
    if (bounded(s, k, rem, s->best + EPS - value))
        return;
    it = &s->item[k];
    most = it->ub;
    for (int r = 0; r < RES; r++)
        if (it->need[r] > 0) {
            double fit = floor(rem[r] / it->need[r] + 1e-9);
            if (fit < most)
                most = (int)fit;
        }
    add = it->nseg == 1 ? most * it->value : take(s, it, most, NULL);
    if (k == s->n - 1) {
        /* the last item: every value is positive, so the most copies that fit is best (the loop's first leaf,
         * without visiting the others) */
        s->count[k] = most;
        branch(s, k + 1, value + add, rem);
        s->count[k] = 0;
        return;
    }
    /* copies from most down to none; the value falls by the least valuable replica taken, walking the segments
     * backwards (j: the segment of copy c, left: copies of it at or below c) */
    j = 0;
    left = most;
    while (j < it->nseg - 1 && left > s->seg[it->seg + j].ub)
        left -= s->seg[it->seg + j++].ub;
    for (int c = most; c >= 0 && !s->cut && !s->restart; c--) {
        for (int r = 0; r < DIM; r++)
            rem[r] -= c * it->need[r];
        s->count[k] = c;
        branch(s, k + 1, value + (it->nseg == 1 ? c * it->value : add), rem);
        for (int r = 0; r < DIM; r++)
            rem[r] += c * it->need[r];
        if (c > 0 && it->nseg > 1) {
            add -= s->seg[it->seg + j].value;
            if (--left == 0 && j > 0)
                left = s->seg[it->seg + --j].ub;
        }
    }
    s->count[k] = 0;
}

/* Does item a branch before item b: more value per unit of its scarcest resource, then the lower API index. */
static bool before(const pitem *a, const pitem *b)
{
    return a->density != b->density ? a->density > b->density : a->api < b->api;
}

/* The order of a bin's APIs that puts one shape's together: by needs (bytewise: any total order groups equal
 * ones), then by API. */
typedef struct shaped {
    double need[RES];
    int api;
} shaped;

static int by_shape(const void *pa, const void *pb)
{
    const shaped *a = pa, *b = pb;
    int c = memcmp(a->need, b->need, sizeof(a->need));
    return c != 0 ? c : (a->api > b->api) - (a->api < b->api);
}

/* Best pattern of bin b for values pi: its value in *out_value (an upper bound on it when the search was cut:
 * *exact false), its counts in counts (apis values). Scratch arrays in s are sized for apis items. */
static void price_bin(const ncg_cg_problem *pb, int b, const double *pi, pricer *s, int *counts, double *out_value,
                      bool *exact)
{
    const ncg_cg_item *items = &pb->item[(size_t)b * (size_t)pb->apis];
    double rem[DIM];
    int twin = s->twin[b];
    /* a twin's search at the same duals, if it proved its best or its best is all this search needs */
    if (twin != b && s->memo_stamp[twin] == s->stamp && (s->memo_exact[twin] || s->memo_best[twin] > s->enough)) {
        memcpy(counts, &s->memo_counts[(size_t)twin * (size_t)pb->apis], (size_t)pb->apis * sizeof(int));
        *out_value = s->memo_value[twin];
        *exact = s->memo_exact[twin];
        return;
    }
    s->n = 0;
    s->nseg = 0;
    ncg_cg_bin_caps(&pb->bin[b], s->cap);
    s->cap[SUR] = 0;
    s->surrogate = false;
    s->restart = false;
    /* one item per shape, its APIs most valuable first (insertion sort within a shape: deterministic, and
     * shapes have few APIs) */
    for (int k = 0; k < pb->apis; k++) {
        int i = s->order[(size_t)b * (size_t)pb->apis + (size_t)k];
        int ub = items[i].limit < pb->demand[i] ? items[i].limit : pb->demand[i];
        pitem *it = &s->item[s->n];
        double scarce = 0;
        pseg g = {i, pi[i], ub};
        if (ub <= 0 || pi[i] <= EPS)
            continue;
        int shape = s->shape[(size_t)b * (size_t)pb->apis + (size_t)k];
        if (s->n > 0 && s->item[s->n - 1].shape == shape) {
            int j = s->nseg++;
            it = &s->item[s->n - 1];
            for (; j > it->seg && (g.value > s->seg[j - 1].value ||
                                   (g.value == s->seg[j - 1].value && g.api < s->seg[j - 1].api)); j--)
                s->seg[j] = s->seg[j - 1];
            s->seg[j] = g;
            it->nseg++;
            it->ub += ub;
            it->value = s->seg[it->seg].value;
            continue;
        }
        it->shape = shape;
        it->api = i;
        it->value = g.value;
        it->ub = ub;
        it->seg = s->nseg;
        it->nseg = 1;
        s->seg[s->nseg++] = g;
        ncg_cg_item_needs(&items[i], it->need);
        it->need[SUR] = 0;
        for (int r = 0; r < RES; r++)
            if (s->cap[r] > 0)
                scarce = fmax(scarce, it->need[r] / s->cap[r]);
        it->scarce = scarce;
        s->n++;
    }
    for (int k = 0; k < s->n; k++) /* once each shape's most valuable replica is known */
        s->item[k].density = s->item[k].scarce > 0 ? s->item[k].value / s->item[k].scarce : INFINITY;
    /* a deterministic insertion sort (the items are few) */
    for (int k = 1; k < s->n; k++) {
        pitem key = s->item[k];
        int j = k;
        for (; j > 0 && before(&key, &s->item[j - 1]); j--)
            s->item[j] = s->item[j - 1];
        s->item[j] = key;
    }
    for (int r = 0; r < DIM; r++) {
        double m = 0;
        for (int k = s->n - 1; k >= 0; k--) {
            pitem *it = &s->item[k];
            if (isfinite(m))
                m = it->need[r] > 0 ? fmax(m, it->value / it->need[r]) : INFINITY;
            it->ratio[r] = m;
        }
    }
    for (int k = 0; k < s->n; k++)
        for (int j = 0; j < s->item[k].nseg; j++)
            s->seg_item[s->item[k].seg + j] = k;
    for (int r = 0; r < DIM; r++)
        s->sorted[r] = false;
    memcpy(rem, s->cap, sizeof(rem));
    s->best = 0;
    s->nodes = 0;
    s->scanned = 0;
    s->table_work = 0;
    s->table_cost = -1;
    s->tables = false;
    s->cut = false;
    memset(s->count, 0, (size_t)(s->n + 1) * sizeof(int));
    memset(s->best_count, 0, (size_t)(s->n + 1) * sizeof(int));
    branch(s, 0, 0, rem);
    if (s->restart) { /* with the surrogate, from the root: the best so far stays the incumbent */
        s->restart = false;
        memcpy(rem, s->cap, sizeof(rem));
        memset(s->count, 0, (size_t)(s->n + 1) * sizeof(int));
        branch(s, 0, 0, rem);
    }
    s->total_nodes += s->nodes * (s->n + 1) + s->scanned + s->table_work;
    /* each shape's copies to its most valuable APIs */
    memset(counts, 0, (size_t)pb->apis * sizeof(int));
    for (int k = 0; k < s->n; k++)
        take(s, &s->item[k], s->best_count[k], counts);
    memcpy(rem, s->cap, sizeof(rem));
    *exact = !s->cut;
    if (s->cut) {
        int scarce;
        double ub = upper(s, 0, rem, &scarce);
        for (int r = 0; r < DIM; r++) {
            if (s->cap[r] > 0)
                ub = fmin(ub, dantzig(s, 0, r, rem[r]));
            if (r < RES && s->tables && s->dp[r])
                ub = fmin(ub, s->tab[r][s->units[r]]);
        }
        *out_value = fmax(s->best, ub);
    } else {
        *out_value = s->best;
    }
    if (twin == b) {
        s->memo_stamp[b] = s->stamp;
        s->memo_value[b] = *out_value;
        s->memo_best[b] = s->best;
        s->memo_exact[b] = *exact;
        memcpy(&s->memo_counts[(size_t)b * (size_t)pb->apis], counts, (size_t)pb->apis * sizeof(int));
    }
}

static void pricer_free(pricer *s)
{
    free(s->item);
    free(s->seg);
    free(s->order);
    free(s->shape);
    free(s->seg_item);
    free(s->by_ratio);
    free(s->keyed);
    free(s->twin);
    free(s->memo_stamp);
    free(s->memo_value);
    free(s->memo_best);
    free(s->memo_exact);
    free(s->memo_counts);
    free(s->table);
    free(s->count);
    free(s->best_count);
}

/* Do bins a and b have the same resources and the same items (their prices and node limits may differ)? */
static bool same_bin(const ncg_cg_problem *pb, int a, int b)
{
    const ncg_cg_bin *x = &pb->bin[a], *y = &pb->bin[b];
    if (x->chips != y->chips || x->cores != y->cores || x->cpu_milli != y->cpu_milli ||
        x->memory_bytes != y->memory_bytes || x->hugepages_bytes != y->hugepages_bytes)
        return false;
    for (int i = 0; i < pb->apis; i++) {
        const ncg_cg_item *p = &pb->item[(size_t)a * (size_t)pb->apis + (size_t)i];
        const ncg_cg_item *q = &pb->item[(size_t)b * (size_t)pb->apis + (size_t)i];
        if (p->limit != q->limit || p->chips != q->chips || p->cores != q->cores || p->cpu_milli != q->cpu_milli ||
            p->memory_bytes != q->memory_bytes || p->hugepages_bytes != q->hugepages_bytes)
            return false;
    }
    return true;
}

/* Scratch space for pricing the bins of pb, and each bin's APIs grouped by shape. */
static bool pricer_init(pricer *s, const ncg_cg_problem *pb)
{
    size_t n = (size_t)pb->apis + 1, nb = (size_t)pb->bins * (size_t)pb->apis + 1;
    shaped *tmp = malloc(n * sizeof(*tmp));
    memset(s, 0, sizeof(*s));
    s->enough = INFINITY;
    s->item = malloc(n * sizeof(*s->item));
    s->seg = malloc(n * sizeof(*s->seg));
    s->order = malloc(nb * sizeof(int));
    s->shape = malloc(nb * sizeof(int));
    s->seg_item = malloc(n * sizeof(int));
    s->by_ratio = malloc(n * DIM * sizeof(*s->by_ratio));
    s->keyed = malloc(n * sizeof(*s->keyed));
    s->count = malloc(n * sizeof(int));
    s->best_count = malloc(n * sizeof(int));
    s->twin = malloc(((size_t)pb->bins + 1) * sizeof(int));
    s->memo_stamp = calloc((size_t)pb->bins + 1, sizeof(long));
    s->memo_value = malloc(((size_t)pb->bins + 1) * sizeof(double));
    s->memo_best = malloc(((size_t)pb->bins + 1) * sizeof(double));
    s->memo_exact = malloc(((size_t)pb->bins + 1) * sizeof(bool));
    s->memo_counts = malloc(nb * sizeof(int));
    s->stamp = 1;
    if (!tmp || !s->item || !s->seg || !s->order || !s->shape || !s->seg_item || !s->by_ratio || !s->keyed ||
        !s->count || !s->best_count || !s->twin || !s->memo_stamp || !s->memo_value || !s->memo_best ||
        !s->memo_exact || !s->memo_counts) {
        free(tmp);
        pricer_free(s);
        return false;
    }
    for (int b = 0; b < pb->bins; b++) {
        size_t at = (size_t)b * (size_t)pb->apis;
        for (int i = 0; i < pb->apis; i++) {
            ncg_cg_item_needs(&pb->item[at + (size_t)i], tmp[i].need);
            tmp[i].api = i;
        }
        qsort(tmp, (size_t)pb->apis, sizeof(*tmp), by_shape); /* a total order: the same on every machine */
        for (int k = 0; k < pb->apis; k++) {
            s->order[at + (size_t)k] = tmp[k].api;
            s->shape[at + (size_t)k] = k > 0 && memcmp(tmp[k].need, tmp[k - 1].need, sizeof(tmp[k].need)) == 0
                                           ? s->shape[at + (size_t)k - 1]
                                           : k;
        }
    }
    free(tmp);
    for (int b = 0; b < pb->bins; b++) {
        s->twin[b] = b;
        for (int a = 0; a < b && s->twin[b] == b; a++)
            if (same_bin(pb, a, b))
                s->twin[b] = a;
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

int ncg_cg_bound(const ncg_cg_problem *pb, const double *pi, double *out, bool *exact, ncg_error *err)
{
    bool all_exact = true;
    pricer s;
    double *v = malloc(((size_t)pb->bins + 1) * sizeof(double));
    int *counts = malloc(((size_t)pb->apis + 1) * sizeof(int));
    if (!v || !counts || !pricer_init(&s, pb)) {
        free(v);
        free(counts);
        return ncg_fail(err, NCG_E_NOMEM, "out of memory computing the lower bound");
    }
    for (int b = 0; b < pb->bins; b++) {
        bool one;
        price_bin(pb, b, pi, &s, counts, &v[b], &one);
        all_exact = all_exact && one;
    }
    *out = lagrange(pb, pi, v);
    if (exact)
        *exact = all_exact;
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

int ncg_cg_copies_that_fit(const ncg_cg_bin *b, const ncg_cg_item *it, int want)
{
    double need[RES], cap[RES];
    int most = it->limit < want ? it->limit : want;
    ncg_cg_item_needs(it, need);
    ncg_cg_bin_caps(b, cap);
    for (int r = 0; r < RES && most > 0; r++)
        if (need[r] > 0 && floor(cap[r] / need[r]) < most)
            most = cap[r] >= 0 ? (int)floor(cap[r] / need[r]) : 0;
    return most;
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
    bool have_pricer = pricer_init(&s, pb);
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
    /* one single-API pattern per usable (API, bin) keeps the master bounded: as many copies as the bin holds (an
     * existing node's free capacity may hold fewer than the per-node limit, counted on an empty node) */
    for (int i = 0; i < I; i++)
        for (int b = 0; b < B; b++) {
            const ncg_cg_item *it = &pb->item[(size_t)b * (size_t)I + (size_t)i];
            int copies = ncg_cg_copies_that_fit(&pb->bin[b], it, pb->demand[i]);
            if (copies <= 0)
                continue;
            usable[i] = true;
            memset(counts, 0, (size_t)I * sizeof(int));
            counts[i] = copies;
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
            s.stamp++; /* new duals */
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
        /* tailing off: stop once the proven bound is within 0.05% (or rel_gap) of the master's value (the LP
         * optimum lies between them), within the caller's gap, or at its cutoff */
        if (center_bound >= res.lp_value * (1 - (lim->rel_gap > 0 ? lim->rel_gap : 5e-4)) ||
            (lim->gap > 0 && center_bound >= res.lp_value - lim->gap) ||
            (lim->cutoff > 0 && center_bound >= lim->cutoff)) {
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
    s.stamp++;
    res.bound_exact = !lim->no_bound;
    for (int b = 0; b < B && !lim->no_bound; b++) {
        bool exact;
        price_bin(pb, b, u, &s, counts, &v[b], &exact);
        res.bound_exact = res.bound_exact && exact;
    }
    res.bound = lim->no_bound ? 0 : lagrange(pb, u, v);
    res.work = work(pb, lp, &s);
    res.duals = malloc(((size_t)I + 1) * sizeof(double));
    if (!res.duals)
        goto nomem;
    /* the duals of the best bound found: the last master's, or the best centre */
    if (have_center && center_bound > res.bound) {
        res.bound = center_bound;
        res.bound_exact = false; /* priced with searches that may stop once a pattern prices out */
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

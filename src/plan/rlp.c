/* SPDX-License-Identifier: Apache-2.0 */
/* Revised simplex with a dense basis inverse, for LPs of few rows whose columns arrive over time (the planner's
 * column generation: rows are APIs and node-group limits, columns node patterns). See lp.h.
 *
 * Variables: the structural columns, then per row a surplus (G x - s = r) and an artificial (cost `big`). Rows
 * with r > 0 start with their artificial basic, the others with their surplus (coefficient -1, value -r >= 0), so
 * the first basis is feasible. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan/lp.h"

#define EPS 1e-9
/* Binv is recomputed every 2 x rows pivots, at least every REFACTOR. A refactorisation costs about rows^3, a
 * pivot up to rows^2, so this keeps the first at most the second's share; every 64 pivots, refactorisations were
 * half of the Alibaba trace's planning time (164 rows: 510 -> 315 ms, same plan). */
#define REFACTOR 64

typedef struct column {
    double cost;
    int count;
    int *rows;
    double *values;
} column;

struct ncg_rlp {
    int m;                  /* rows */
    double *r;              /* right-hand sides */
    double big;
    column *cols;           /* structural */
    int n, capacity;
    int *basis;             /* per row: variable index; structural j < n_total, then surplus m rows, artificial m */
    double *binv;           /* m x m, row-major */
    double *xb;             /* basic values */
    double *y;              /* duals */
    double *work, *dir;
    int *nz;                    /* scratch: the nonzero positions of a row of Binv */
    int since_refactor;
    long pivots;
    int *basic_col;             /* per structural column (capacity): its basis position + 1, 0 when nonbasic */
    unsigned char *basic_row;   /* per row: 1 surplus basic, 2 artificial basic (bits) */
};

/* Variables are numbered: structural 0..n-1 (n grows), so surplus and artificial use negative codes. */
#define SURPLUS(k) (-1 - 2 * (k))
#define ARTIFICIAL(k) (-2 - 2 * (k))

ncg_rlp *ncg_rlp_new(int rows, const double *r, double big)
{
    ncg_rlp *lp = calloc(1, sizeof(*lp));
    size_t m = (size_t)rows;
    if (!lp)
        return NULL;
    lp->m = rows;
    lp->big = big;
    lp->r = malloc((m + 1) * sizeof(double));
    lp->basis = malloc((m + 1) * sizeof(int));
    lp->binv = calloc(m * m + 1, sizeof(double));
    lp->xb = malloc((m + 1) * sizeof(double));
    lp->y = malloc((m + 1) * sizeof(double));
    lp->work = malloc((m + 1) * sizeof(double));
    lp->dir = malloc((m + 1) * sizeof(double));
    lp->nz = malloc((m + 1) * sizeof(int));
    lp->basic_row = calloc(m + 1, 1);
    if (!lp->r || !lp->basis || !lp->binv || !lp->xb || !lp->y || !lp->work || !lp->dir || !lp->nz || !lp->basic_row) {
        ncg_rlp_free(lp);
        return NULL;
    }
    for (int i = 0; i < rows; i++) {
        lp->r[i] = r[i];
        lp->basic_row[i] = r[i] > 0 ? 2 : 1;
        if (r[i] > 0) {
            lp->basis[i] = ARTIFICIAL(i);
            lp->binv[(size_t)i * m + (size_t)i] = 1;
            lp->xb[i] = r[i];
        } else {
            lp->basis[i] = SURPLUS(i);
            lp->binv[(size_t)i * m + (size_t)i] = -1;
            lp->xb[i] = -r[i];
        }
    }
    return lp;
}

void ncg_rlp_free(ncg_rlp *lp)
{
    if (!lp)
        return;
    for (int j = 0; j < lp->n; j++) {
        free(lp->cols[j].rows);
        free(lp->cols[j].values);
    }
    free(lp->cols);
    free(lp->basic_col);
    free(lp->basic_row);
    free(lp->r);
    free(lp->basis);
    free(lp->binv);
    free(lp->xb);
    free(lp->y);
    free(lp->work);
    free(lp->dir);
    free(lp->nz);
    free(lp);
}

int ncg_rlp_add_column(ncg_rlp *lp, double cost, int count, const int *rows, const double *values)
{
    column c = {cost, count, NULL, NULL};
    if (lp->n == lp->capacity) {
        int cap = lp->capacity ? 2 * lp->capacity : 64;
        column *grown = realloc(lp->cols, (size_t)cap * sizeof(*grown));
        int *flags;
        if (!grown)
            return -1;
        lp->cols = grown;
        flags = realloc(lp->basic_col, (size_t)cap * sizeof(int));
        if (!flags)
            return -1;
        memset(flags + lp->capacity, 0, (size_t)(cap - lp->capacity) * sizeof(int));
        lp->basic_col = flags;
        lp->capacity = cap;
    }
    c.rows = malloc(((size_t)count + 1) * sizeof(int));
    c.values = malloc(((size_t)count + 1) * sizeof(double));
    if (!c.rows || !c.values) {
        free(c.rows);
        free(c.values);
        return -1;
    }
    memcpy(c.rows, rows, (size_t)count * sizeof(int));
    memcpy(c.values, values, (size_t)count * sizeof(double));
    lp->cols[lp->n] = c;
    return lp->n++;
}

static double cost_of(const ncg_rlp *lp, int v)
{
    if (v >= 0)
        return lp->cols[v].cost;
    return v % 2 == 0 ? lp->big : 0; /* ARTIFICIAL codes are even, SURPLUS odd */
}

/* Dense column of variable v into out (m values). */
static void column_of(const ncg_rlp *lp, int v, double *out)
{
    memset(out, 0, (size_t)lp->m * sizeof(double));
    if (v >= 0) {
        for (int k = 0; k < lp->cols[v].count; k++)
            out[lp->cols[v].rows[k]] = lp->cols[v].values[k];
    } else if (v % 2 == 0) {
        out[(-2 - v) / 2] = 1;
    } else {
        out[(-1 - v) / 2] = -1;
    }
}

/* out = Binv * a for a dense a. */
static void ftran(const ncg_rlp *lp, const double *a, double *out)
{
    int m = lp->m;
    for (int i = 0; i < m; i++) {
        const double *row = &lp->binv[(size_t)i * (size_t)m];
        double s = 0;
        for (int k = 0; k < m; k++)
            s += row[k] * a[k];
        out[i] = s;
    }
}

/* out = Binv * (column of variable v), reading only the column's nonzeros: O(m) per nonzero, where the dense
 * product is O(m^2). */
static void ftran_var(const ncg_rlp *lp, int v, double *out)
{
    size_t m = (size_t)lp->m;
    const double *binv = lp->binv;
    if (v < 0) {
        size_t k = (size_t)(v % 2 == 0 ? (-2 - v) / 2 : (-1 - v) / 2);
        double sign = v % 2 == 0 ? 1 : -1;
        for (size_t i = 0; i < m; i++)
            out[i] = sign * binv[i * m + k];
        return;
    }
    {
        const column *c = &lp->cols[v];
        for (size_t i = 0; i < m; i++) {
            const double *row = &binv[i * m];
            double s = 0;
            for (int k = 0; k < c->count; k++)
                s += row[c->rows[k]] * c->values[k];
            out[i] = s;
        }
    }
}

/* row[0..n) -= f * prow[0..n) (the arrays do not overlap): most of the master's time on large masters (the
 * Alibaba trace's, 164 rows: 74%), so built as AVX-512, AVX2 and plain clones where the compiler can (meson.build
 * defines NCG_HAVE_TARGET_CLONES), the loader choosing one for the CPU. One multiply and one subtract per element,
 * never fused into one multiply-add (meson.build builds with -ffp-contract=off, which Clang needs: it would fuse
 * them in the AVX-512 clone), so every clone computes the same bits and plans are the same on every machine. In
 * this file only: Clang 14 gives a static clone set a global resolver symbol, so two files with one clash. */
#ifdef NCG_HAVE_TARGET_CLONES
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void sub_scaled(double *restrict row, double f, const double *restrict prow, int n)
{
    for (int k = 0; k < n; k++)
        row[k] -= f * prow[k];
}

/* row -= f * prow over a row of m values whose nonzeros are at nz[0..count) (count < 0: dense). Binv stays
 * sparse in the planner's masters, whose patterns hold few APIs, so most rows have few nonzeros. */
static inline void axpy_row(double *row, double f, const double *prow, const int *nz, int count, int m)
{
    if (count < 0) {
        sub_scaled(row, f, prow, m);
        return;
    }
    for (int j = 0; j < count; j++)
        row[nz[j]] -= f * prow[nz[j]];
}

/* The nonzero positions of row into nz: their count, or -1 when more than a third are nonzero (a dense loop is
 * faster then). */
static int nonzeros(const double *row, int m, int *nz)
{
    int count = 0;
    for (int k = 0; k < m; k++)
        if (row[k] != 0)
            nz[count++] = k;
    return count * 3 > m ? -1 : count;
}

/* Recompute Binv from the basis by Gauss-Jordan elimination with partial pivoting, and the basic values and the
 * duals, against the drift of the pivot updates. The basis is reordered first, its surplus and artificial
 * variables (unit columns: nothing to eliminate) before the patterns, so that the elimination works on the
 * patterns' columns only; a column already eliminated is a unit vector, so each row operation starts right of
 * the pivot's column. Returns false, changing nothing, when the basis is numerically singular or memory is
 * short. */
static bool refactor(ncg_rlp *lp)
{
    int m = lp->m, n = 0;
    size_t mm = (size_t)m * (size_t)m;
    double *a = malloc((mm + 1) * sizeof(double)), *col = lp->work, *inv = malloc((mm + 1) * sizeof(double));
    int *order = malloc(((size_t)m + 1) * sizeof(int));
    double *binv = inv;
    bool ok = a != NULL && inv != NULL && order != NULL;
    for (int pass = 0; ok && pass < 2; pass++)
        for (int j = 0; j < m; j++)
            if ((lp->basis[j] < 0) == (pass == 0))
                order[n++] = lp->basis[j];
    for (int j = 0; ok && j < m; j++) {
        column_of(lp, order[j], col);
        for (int i = 0; i < m; i++)
            a[(size_t)i * (size_t)m + (size_t)j] = col[i];
    }
    if (ok) {
        memset(binv, 0, mm * sizeof(double));
        for (int i = 0; i < m; i++)
            binv[(size_t)i * (size_t)m + (size_t)i] = 1;
    }
    for (int c = 0; ok && c < m; c++) {
        int p = c;
        for (int i = c + 1; i < m; i++)
            if (fabs(a[(size_t)i * m + c]) > fabs(a[(size_t)p * m + c]))
                p = i;
        if (fabs(a[(size_t)p * m + c]) < 1e-12) {
            ok = false;
            break;
        }
        if (p != c)
            for (int k = 0; k < m; k++) {
                double t = a[(size_t)p * m + k];
                a[(size_t)p * m + k] = a[(size_t)c * m + k];
                a[(size_t)c * m + k] = t;
                t = binv[(size_t)p * m + k];
                binv[(size_t)p * m + k] = binv[(size_t)c * m + k];
                binv[(size_t)c * m + k] = t;
            }
        {
            double piv = a[(size_t)c * m + c];
            for (int k = c + 1; k < m; k++)
                a[(size_t)c * m + k] /= piv;
            for (int k = 0; k < m; k++)
                binv[(size_t)c * m + k] /= piv;
        }
        {
            int count = nonzeros(&binv[(size_t)c * m], m, lp->nz);
            for (int i = 0; i < m; i++) {
                double f = a[(size_t)i * m + c];
                if (i == c || f == 0)
                    continue;
                sub_scaled(&a[(size_t)i * m + (size_t)c + 1], f, &a[(size_t)c * m + (size_t)c + 1], m - c - 1);
                axpy_row(&binv[(size_t)i * m], f, &binv[(size_t)c * m], lp->nz, count, m);
            }
        }
    }
    free(a);
    if (ok) {
        double *old = lp->binv;
        lp->binv = inv;
        inv = old;
        memcpy(lp->basis, order, (size_t)m * sizeof(int));
        for (int i = 0; i < m; i++)
            if (lp->basis[i] >= 0)
                lp->basic_col[lp->basis[i]] = i + 1;
        ftran(lp, lp->r, lp->xb);
        for (int i = 0; i < m; i++)
            if (lp->xb[i] < 0 && lp->xb[i] > -1e-9)
                lp->xb[i] = 0;
    }
    free(inv);
    free(order);
    lp->since_refactor = 0;
    return ok;
}

static void duals(ncg_rlp *lp)
{
    int m = lp->m;
    for (int k = 0; k < m; k++)
        lp->y[k] = 0;
    for (int i = 0; i < m; i++) {
        double cb = cost_of(lp, lp->basis[i]);
        const double *row = &lp->binv[(size_t)i * (size_t)m];
        if (cb != 0)
            sub_scaled(lp->y, -cb, row, m); /* y += cb * row, the same in every bit */
    }
}

static double reduced(const ncg_rlp *lp, int v)
{
    if (v >= 0) {
        double d = lp->cols[v].cost;
        for (int k = 0; k < lp->cols[v].count; k++)
            d -= lp->y[lp->cols[v].rows[k]] * lp->cols[v].values[k];
        return d;
    }
    if (v % 2 == 0)
        return lp->big - lp->y[(-2 - v) / 2];
    return lp->y[(-1 - v) / 2];
}

static bool is_basic(const ncg_rlp *lp, int v)
{
    if (v >= 0)
        return lp->basic_col[v] != 0;
    return lp->basic_row[v % 2 == 0 ? (-2 - v) / 2 : (-1 - v) / 2] & (v % 2 == 0 ? 2 : 1);
}

/* Mark v basic at position pos, or nonbasic (pos -1). */
static void set_basic(ncg_rlp *lp, int v, int pos)
{
    bool on = pos >= 0;
    if (v >= 0) {
        lp->basic_col[v] = pos + 1;
        return;
    }
    {
        int k = v % 2 == 0 ? (-2 - v) / 2 : (-1 - v) / 2;
        unsigned char bit = v % 2 == 0 ? 2 : 1;
        lp->basic_row[k] = on ? (unsigned char)(lp->basic_row[k] | bit) : (unsigned char)(lp->basic_row[k] & ~bit);
    }
}

/* The duals are recomputed from Binv when a solve starts and after each refactorisation, and updated by each
 * pivot in between: y += d_q * (row `leave` of the new Binv), with d_q the entering column's reduced cost. Before
 * a solve declares the basis optimal on updated duals, it recomputes them and looks again. */
int ncg_rlp_solve(ncg_rlp *lp, int max_iterations)
{
    int m = lp->m, degenerate = 0;
    bool fresh = true;
    duals(lp);
    for (int it = 0; it < max_iterations; it++) {
        int enter = 0, leave = -1, candidates = lp->n + m;
        double best = -EPS, ratio = 0, d_enter = 0;
        bool bland = degenerate > 50, found = false;
        /* structural columns, then surplus variables (artificials never re-enter) */
        for (int c = 0; c < candidates; c++) {
            int v = c < lp->n ? c : SURPLUS(c - lp->n);
            double d;
            if (is_basic(lp, v))
                continue;
            d = reduced(lp, v);
            if (d < best) {
                enter = v;
                d_enter = d;
                found = true;
                if (bland)
                    break;
                best = d;
            }
        }
        if (!found) {
            if (fresh)
                return 0;
            duals(lp);
            fresh = true;
            it--;
            continue;
        }
        ftran_var(lp, enter, lp->dir);
        for (int i = 0; i < m; i++)
            if (lp->dir[i] > EPS) {
                double t = lp->xb[i] / lp->dir[i];
                if (leave < 0 || t < ratio - EPS || (t <= ratio + EPS && lp->basis[i] < lp->basis[leave])) {
                    leave = i;
                    ratio = t;
                }
            }
        if (leave < 0)
            return 1; /* unbounded direction: cannot happen with the planner's rows; stop with the point we have */
        degenerate = ratio <= EPS ? degenerate + 1 : 0;
        /* pivot: update basic values, the inverse and the duals */
        {
            double piv = lp->dir[leave];
            double *prow = &lp->binv[(size_t)leave * (size_t)m];
            int count;
            for (int i = 0; i < m; i++)
                if (i != leave)
                    lp->xb[i] -= ratio * lp->dir[i];
            lp->xb[leave] = ratio;
            for (int k = 0; k < m; k++)
                prow[k] /= piv;
            count = nonzeros(prow, m, lp->nz);
            for (int i = 0; i < m; i++) {
                double f = lp->dir[i];
                if (i == leave || f == 0)
                    continue;
                axpy_row(&lp->binv[(size_t)i * (size_t)m], f, prow, lp->nz, count, m);
            }
            axpy_row(lp->y, -d_enter, prow, lp->nz, count, m);
            fresh = false;
            for (int i = 0; i < m; i++)
                if (lp->xb[i] < 0 && lp->xb[i] > -1e-9)
                    lp->xb[i] = 0;
            set_basic(lp, lp->basis[leave], -1);
            set_basic(lp, enter, leave);
            lp->basis[leave] = enter;
            lp->pivots++;
        }
        if (++lp->since_refactor >= (2 * m > REFACTOR ? 2 * m : REFACTOR) && refactor(lp)) {
            duals(lp); /* a failed refactorisation keeps the updated inverse and duals */
            fresh = true;
        }
    }
    return 1;
}

double ncg_rlp_value(const ncg_rlp *lp)
{
    double v = 0;
    for (int i = 0; i < lp->m; i++)
        v += cost_of(lp, lp->basis[i]) * lp->xb[i];
    return v;
}

long ncg_rlp_pivots(const ncg_rlp *lp)
{
    return lp->pivots;
}

double ncg_rlp_column_value(const ncg_rlp *lp, int j)
{
    return lp->basic_col[j] ? lp->xb[lp->basic_col[j] - 1] : 0;
}

void ncg_rlp_duals(const ncg_rlp *lp, double *y)
{
    for (int k = 0; k < lp->m; k++)
        y[k] = lp->y[k] > 0 ? lp->y[k] : 0;
}

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

#include "lp.h"

#define EPS 1e-9
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
    int since_refactor;
    long pivots;
    unsigned char *basic_col;   /* per structural column (capacity): in the basis */
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
    lp->basic_row = calloc(m + 1, 1);
    if (!lp->r || !lp->basis || !lp->binv || !lp->xb || !lp->y || !lp->work || !lp->dir || !lp->basic_row) {
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
    free(lp);
}

int ncg_rlp_add_column(ncg_rlp *lp, double cost, int count, const int *rows, const double *values)
{
    column c = {cost, count, NULL, NULL};
    if (lp->n == lp->capacity) {
        int cap = lp->capacity ? 2 * lp->capacity : 64;
        column *grown = realloc(lp->cols, (size_t)cap * sizeof(*grown));
        unsigned char *flags;
        if (!grown)
            return -1;
        lp->cols = grown;
        flags = realloc(lp->basic_col, (size_t)cap);
        if (!flags)
            return -1;
        memset(flags + lp->capacity, 0, (size_t)(cap - lp->capacity));
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

/* Recompute Binv from the basis by Gauss-Jordan elimination with partial pivoting, and the basic values, against
 * the drift of the pivot updates. Returns false, changing nothing, when the basis is numerically singular or memory
 * is short. */
static bool refactor(ncg_rlp *lp)
{
    int m = lp->m;
    size_t mm = (size_t)m * (size_t)m;
    double *a = malloc((mm + 1) * sizeof(double)), *col = lp->work, *inv = malloc((mm + 1) * sizeof(double));
    double *binv = inv;
    bool ok = a != NULL && inv != NULL;
    for (int j = 0; ok && j < m; j++) {
        column_of(lp, lp->basis[j], col);
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
            for (int k = 0; k < m; k++) {
                a[(size_t)c * m + k] /= piv;
                binv[(size_t)c * m + k] /= piv;
            }
        }
        for (int i = 0; i < m; i++) {
            double f = a[(size_t)i * m + c];
            if (i == c || f == 0)
                continue;
            for (int k = 0; k < m; k++) {
                a[(size_t)i * m + k] -= f * a[(size_t)c * m + k];
                binv[(size_t)i * m + k] -= f * binv[(size_t)c * m + k];
            }
        }
    }
    free(a);
    if (ok) {
        double *old = lp->binv;
        lp->binv = inv;
        inv = old;
        ftran(lp, lp->r, lp->xb);
        for (int i = 0; i < m; i++)
            if (lp->xb[i] < 0 && lp->xb[i] > -1e-9)
                lp->xb[i] = 0;
    }
    free(inv);
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
            for (int k = 0; k < m; k++)
                lp->y[k] += cb * row[k];
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
        return lp->basic_col[v];
    return lp->basic_row[v % 2 == 0 ? (-2 - v) / 2 : (-1 - v) / 2] & (v % 2 == 0 ? 2 : 1);
}

static void set_basic(ncg_rlp *lp, int v, bool on)
{
    if (v >= 0) {
        lp->basic_col[v] = on;
        return;
    }
    {
        int k = v % 2 == 0 ? (-2 - v) / 2 : (-1 - v) / 2;
        unsigned char bit = v % 2 == 0 ? 2 : 1;
        lp->basic_row[k] = on ? (unsigned char)(lp->basic_row[k] | bit) : (unsigned char)(lp->basic_row[k] & ~bit);
    }
}

int ncg_rlp_solve(ncg_rlp *lp, int max_iterations)
{
    int m = lp->m, degenerate = 0;
    for (int it = 0; it < max_iterations; it++) {
        int enter = 0, leave = -1, candidates = lp->n + 2 * m;
        double best = -EPS, ratio = 0;
        bool bland = degenerate > 50, found = false;
        duals(lp);
        /* structural columns, then surplus and artificial variables (artificials never re-enter) */
        for (int c = 0; c < candidates; c++) {
            int v = c < lp->n ? c : SURPLUS(c - lp->n);
            double d;
            if (c >= lp->n + m)
                break;
            if (is_basic(lp, v))
                continue;
            d = reduced(lp, v);
            if (d < best) {
                enter = v;
                found = true;
                if (bland)
                    break;
                best = d;
            }
        }
        if (!found)
            return 0;
        column_of(lp, enter, lp->work);
        ftran(lp, lp->work, lp->dir);
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
        /* pivot: update basic values and the inverse */
        {
            double piv = lp->dir[leave];
            double *prow = &lp->binv[(size_t)leave * (size_t)m];
            for (int i = 0; i < m; i++)
                if (i != leave)
                    lp->xb[i] -= ratio * lp->dir[i];
            lp->xb[leave] = ratio;
            for (int k = 0; k < m; k++)
                prow[k] /= piv;
            for (int i = 0; i < m; i++) {
                double f = lp->dir[i];
                double *row = &lp->binv[(size_t)i * (size_t)m];
                if (i == leave || f == 0)
                    continue;
                for (int k = 0; k < m; k++)
                    row[k] -= f * prow[k];
            }
            for (int i = 0; i < m; i++)
                if (lp->xb[i] < 0 && lp->xb[i] > -1e-9)
                    lp->xb[i] = 0;
            set_basic(lp, lp->basis[leave], false);
            set_basic(lp, enter, true);
            lp->basis[leave] = enter;
            lp->pivots++;
        }
        if (++lp->since_refactor >= REFACTOR)
            refactor(lp); /* keeps the updated inverse if the fresh one cannot be had */
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
    for (int i = 0; i < lp->m; i++)
        if (lp->basis[i] == j)
            return lp->xb[i];
    return 0;
}

void ncg_rlp_duals(const ncg_rlp *lp, double *y)
{
    for (int k = 0; k < lp->m; k++)
        y[k] = lp->y[k] > 0 ? lp->y[k] : 0;
}

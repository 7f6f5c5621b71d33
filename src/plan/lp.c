/* SPDX-License-Identifier: Apache-2.0 */
/* Dense tableau simplex (Dantzig's rule, Bland's rule after degenerate pivots to avoid cycling). Used only for
 * the planner's lower bound, where a feasible point of the dual is all that matters: see plan.c. */
#include <stdlib.h>
#include <string.h>

#include "plan/lp.h"

#define EPS 1e-9

int ncg_lp_solve(const ncg_lp *lp, double *out, int max_iterations)
{
    return ncg_lp_solve_status(lp, out, max_iterations) < 0 ? -1 : 0;
}

int ncg_lp_solve_status(const ncg_lp *lp, double *out, int max_iterations)
{
    int pivots;
    return ncg_lp_solve_duals(lp, out, NULL, max_iterations, &pivots);
}

int ncg_lp_solve_duals(const ncg_lp *lp, double *out, double *duals, int max_iterations, int *pivots)
{
    int m = lp->rows, n = lp->cols, w = n + m + 1, degenerate = 0, status = 1, it;
    double *t = calloc((size_t)(m + 1) * (size_t)w, sizeof(double));
    int *basis = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
    if (!t || !basis) {
        free(t);
        free(basis);
        return -1;
    }
    for (int i = 0; i < m; i++) {
        memcpy(&t[(size_t)i * w], &lp->a[(size_t)i * n], (size_t)n * sizeof(double));
        t[(size_t)i * w + n + i] = 1;
        t[(size_t)i * w + w - 1] = lp->b[i];
        basis[i] = n + i;
    }
    for (int j = 0; j < n; j++)
        t[(size_t)m * w + j] = -lp->c[j];
    for (it = 0; it < max_iterations; it++) {
        double *z = &t[(size_t)m * w], best = -EPS, ratio = 0;
        int enter = -1, leave = -1;
        bool bland = degenerate > 50;
        for (int j = 0; j < n + m; j++)
            if (z[j] < best) {
                enter = j;
                if (bland)
                    break;
                best = z[j];
            }
        if (enter < 0) {
            status = 0;
            break;
        }
        for (int i = 0; i < m; i++) {
            double aij = t[(size_t)i * w + enter];
            if (aij > EPS) {
                double r = t[(size_t)i * w + w - 1] / aij;
                if (leave < 0 || r < ratio - EPS || (r <= ratio + EPS && basis[i] < basis[leave])) {
                    leave = i;
                    ratio = r;
                }
            }
        }
        if (leave < 0)
            break; /* unbounded direction: keep the feasible point we have */
        degenerate = ratio <= EPS ? degenerate + 1 : 0;
        {
            double *pr = &t[(size_t)leave * w], piv = pr[enter];
            for (int j = 0; j < w; j++)
                pr[j] /= piv;
            for (int i = 0; i <= m; i++) {
                double *row = &t[(size_t)i * w], f;
                if (i == leave || (f = row[enter]) == 0)
                    continue;
                for (int j = 0; j < w; j++)
                    row[j] -= f * pr[j];
            }
            basis[leave] = enter;
        }
    }
    for (int j = 0; j < n; j++)
        out[j] = 0;
    for (int i = 0; i < m; i++)
        if (basis[i] < n) {
            double v = t[(size_t)i * w + w - 1];
            out[basis[i]] = v > 0 ? v : 0;
        }
    for (int i = 0; duals && i < m; i++) {
        double y = t[(size_t)m * w + n + i]; /* the objective row under slack i */
        duals[i] = y > 0 ? y : 0;
    }
    *pivots = it;
    free(t);
    free(basis);
    return status;
}

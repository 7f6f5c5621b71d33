/* SPDX-License-Identifier: Apache-2.0 */
/* A small dense simplex for  max c.u  s.t.  A u <= b, u >= 0  with b >= 0 (the slack basis is feasible). */
#ifndef NCG_LP_H
#define NCG_LP_H

#include <stdbool.h>

typedef struct ncg_lp {
    int rows, cols;
    double *a;      /* rows x cols, row-major */
    double *b;      /* rows */
    double *c;      /* cols */
} ncg_lp;

/* Solve; writes a feasible (optimal unless the iteration limit is hit) u into out (cols values).
 * Returns 0, or -1 when out of memory. Every iterate is feasible, so u is usable even when not optimal. */
int ncg_lp_solve(const ncg_lp *lp, double *out, int max_iterations);
/* The same, also writing the row duals (rows values, may be NULL): at an optimum, the solution of the dual LP
 * min b.y s.t. A'y >= c, y >= 0. Returns 0 at an optimum, 1 when the iteration limit or an unbounded direction
 * stopped the simplex first (u is still feasible), -1 when out of memory. */
int ncg_lp_solve_duals(const ncg_lp *lp, double *out, double *duals, int max_iterations);

#endif

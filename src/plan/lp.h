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
/* The same, telling how it ended: 0 at an optimum, 1 when the iteration limit or an unbounded direction stopped
 * the simplex first (u is still feasible), -1 when out of memory. */
int ncg_lp_solve_status(const ncg_lp *lp, double *out, int max_iterations);
/* The same, with the row duals y (rows values, each >= 0 at an optimum; at a stop before it, the last iterate's,
 * with any below 0 raised to 0) into duals when it is not NULL, and the pivots made into *pivots. */
int ncg_lp_solve_duals(const ncg_lp *lp, double *out, double *duals, int max_iterations, int *pivots);

/* A revised simplex for  min c.x  s.t.  G x >= r, x >= 0  with few rows and columns that arrive over time (column
 * generation): the basis is kept between solves, so adding columns and solving again starts where it stopped.
 * Rows with r > 0 start on an artificial variable of cost `big` (big-M); the others on their surplus. Columns
 * are sparse. Dantzig's rule, Bland's after 50 degenerate pivots; the dense basis inverse is recomputed from the
 * basis every 2 x rows pivots (at least 64). */
typedef struct ncg_rlp ncg_rlp;

ncg_rlp *ncg_rlp_new(int rows, const double *r, double big);
void ncg_rlp_free(ncg_rlp *lp);
/* Add a column: cost, count entries (row index, value). Returns its index, or -1 when out of memory. */
int ncg_rlp_add_column(ncg_rlp *lp, double cost, int count, const int *rows, const double *values);
/* Solve from the current basis: 0 optimal, 1 iteration limit, -1 out of memory. */
int ncg_rlp_solve(ncg_rlp *lp, int max_iterations);
/* After a solve: the objective, column j's value, and the row duals y (>= 0 at an optimum; rows values). */
double ncg_rlp_value(const ncg_rlp *lp);
/* Pivots done by all solves so far. */
long ncg_rlp_pivots(const ncg_rlp *lp);
double ncg_rlp_column_value(const ncg_rlp *lp, int j);
void ncg_rlp_duals(const ncg_rlp *lp, double *y);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Solve LPs with libncg's simplex (src/plan/lp.c) for the cross-check against HiGHS (test_lp_highs.py).
 *
 * Input on stdin, whitespace-separated, any number of problems: ROWS COLS, then c (COLS values), b (ROWS
 * values), A (ROWS x COLS, row-major), for  max c.u  s.t.  A u <= b, u >= 0  with b >= 0. Output, one line per
 * problem: STATUS VALUE RSTATUS RVALUE, where STATUS is "optimal" or "stopped" (iteration limit or unbounded
 * direction) and VALUE the objective of the point found by the dense simplex (ncg_lp_solve_status), printed with 17
 * significant digits; RSTATUS and RVALUE the same for the revised simplex (ncg_rlp), which solves it as
 * min -c.u s.t. -A u >= -b. */
#include <stdio.h>
#include <stdlib.h>

#include "plan/lp.h"

int main(void)
{
    int rows, cols;
    while (scanf("%d %d", &rows, &cols) == 2) {
        ncg_lp lp = {.rows = rows, .cols = cols};
        double *u, value = 0;
        int rc;
        if (rows < 0 || cols < 1 || rows > 10000 || cols > 10000)
            return 2;
        lp.c = malloc((size_t)cols * sizeof(double));
        lp.b = malloc(((size_t)rows + 1) * sizeof(double));
        lp.a = malloc(((size_t)rows * (size_t)cols + 1) * sizeof(double));
        u = malloc((size_t)cols * sizeof(double));
        if (!lp.c || !lp.b || !lp.a || !u)
            return 2;
        for (int j = 0; j < cols; j++)
            if (scanf("%lf", &lp.c[j]) != 1)
                return 2;
        for (int i = 0; i < rows; i++)
            if (scanf("%lf", &lp.b[i]) != 1)
                return 2;
        for (long k = 0; k < (long)rows * cols; k++)
            if (scanf("%lf", &lp.a[k]) != 1)
                return 2;
        rc = ncg_lp_solve_status(&lp, u, 1000 * (rows + cols) + 1000);
        if (rc < 0)
            return 2;
        for (int j = 0; j < cols; j++)
            value += lp.c[j] * u[j];
        printf("%s %.17g", rc == 0 ? "optimal" : "stopped", value);
        {
            double *r = malloc(((size_t)rows + 1) * sizeof(double)), *vals = malloc(((size_t)rows + 1) * sizeof(double));
            int *idx = malloc(((size_t)rows + 1) * sizeof(int));
            ncg_rlp *rl;
            if (!r || !vals || !idx)
                return 2;
            for (int i = 0; i < rows; i++)
                r[i] = -lp.b[i];
            rl = ncg_rlp_new(rows, r, 1e6);
            if (!rl)
                return 2;
            for (int j = 0; j < cols; j++) {
                int n = 0;
                for (int i = 0; i < rows; i++)
                    if (lp.a[(size_t)i * (size_t)cols + (size_t)j] != 0) {
                        idx[n] = i;
                        vals[n++] = -lp.a[(size_t)i * (size_t)cols + (size_t)j];
                    }
                if (ncg_rlp_add_column(rl, -lp.c[j], n, idx, vals) != j)
                    return 2;
            }
            rc = ncg_rlp_solve(rl, 1000 * (rows + cols) + 1000);
            if (rc < 0)
                return 2;
            printf(" %s %.17g\n", rc == 0 ? "optimal" : "stopped", -ncg_rlp_value(rl));
            ncg_rlp_free(rl);
            free(r);
            free(vals);
            free(idx);
        }
        free(lp.c);
        free(lp.b);
        free(lp.a);
        free(u);
    }
    return 0;
}

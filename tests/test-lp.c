/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the dense simplex of src/plan/lp.h (max c.u subject to A u <= b, u >= 0, b >= 0), used for the planner's
 * lower bound. Small LPs with known optima, degenerate and unbounded ones, and the iteration limit. Column
 * generation (src/plan/colgen.h) on a configuration LP with a known optimum, from scratch and from seed patterns. */
#include <math.h>

#include "test-common.h"

#include "plan/colgen.h"
#include "plan/lp.h"

#define TOL 1e-9
#define ITERATIONS 1000

/* Copy n doubles (the LP struct takes non-const pointers; the solver must not write them, checked below). */
static double *copy(const double *v, int n)
{
    double *d = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    ck_assert_ptr_nonnull(d);
    if (n > 0)
        memcpy(d, v, sizeof(double) * (size_t)n);
    return d;
}

/* Solve and return the objective; asserts the result is feasible and the LP unchanged. */
static double solve(int rows, int cols, const double *a, const double *b, const double *c, double *u, int iterations)
{
    ncg_lp lp = {.rows = rows, .cols = cols, .a = copy(a, rows * cols), .b = copy(b, rows), .c = copy(c, cols)};
    double value = 0;
    for (int j = 0; j < cols; j++)
        u[j] = NAN;
    ck_assert_int_eq(ncg_lp_solve(&lp, u, iterations), 0);
    if (rows > 0) {
        ck_assert_mem_eq(lp.a, a, sizeof(double) * (size_t)(rows * cols));
        ck_assert_mem_eq(lp.b, b, sizeof(double) * (size_t)rows);
    }
    ck_assert_mem_eq(lp.c, c, sizeof(double) * (size_t)cols);
    for (int j = 0; j < cols; j++) {
        ck_assert_msg(u[j] >= 0, "u[%d] = %g is negative", j, u[j]);
        value += c[j] * u[j];
    }
    for (int i = 0; i < rows; i++) {
        double lhs = 0;
        for (int j = 0; j < cols; j++)
            lhs += a[i * cols + j] * u[j];
        ck_assert_msg(lhs <= b[i] + TOL, "row %d: %g > %g", i, lhs, b[i]);
    }
    free(lp.a);
    free(lp.b);
    free(lp.c);
    return value;
}

START_TEST(one_variable_bounded)
{
    const double a[] = {1}, b[] = {4}, c[] = {1};
    double u[1];
    ck_assert_double_eq_tol(solve(1, 1, a, b, c, u, ITERATIONS), 4, TOL);
    ck_assert_double_eq_tol(u[0], 4, TOL);
}
END_TEST

/* max 3x + 5y: x <= 4, 2y <= 12, 3x + 2y <= 18 -> (2, 6), 36. */
static const double wyndor_a[] = {1, 0, 0, 2, 3, 2}, wyndor_b[] = {4, 12, 18}, wyndor_c[] = {3, 5};

START_TEST(two_variables_known_optimum)
{
    double u[2];
    ck_assert_double_eq_tol(solve(3, 2, wyndor_a, wyndor_b, wyndor_c, u, ITERATIONS), 36, TOL);
    ck_assert_double_eq_tol(u[0], 2, TOL);
    ck_assert_double_eq_tol(u[1], 6, TOL);
}
END_TEST

/* Chvatal's example: max 5x + 4y + 3z: 2x + 3y + z <= 5, 4x + y + 2z <= 11, 3x + 4y + 2z <= 8 -> (2, 0, 1), 13. */
static const double chvatal_a[] = {2, 3, 1, 4, 1, 2, 3, 4, 2}, chvatal_b[] = {5, 11, 8}, chvatal_c[] = {5, 4, 3};

START_TEST(three_variables_known_optimum)
{
    double u[3];
    ck_assert_double_eq_tol(solve(3, 3, chvatal_a, chvatal_b, chvatal_c, u, ITERATIONS), 13, TOL);
    ck_assert_double_eq_tol(u[0], 2, TOL);
    ck_assert_double_eq_tol(u[1], 0, TOL);
    ck_assert_double_eq_tol(u[2], 1, TOL);
}
END_TEST

/* A knapsack-like LP as the planner builds (patterns x resources): max 2x + 3y + 4z: 3x + 2y + z <= 10,
 * 2x + 5y + 3z <= 15 -> (0, 0, 5), 20. */
START_TEST(resource_rows_known_optimum)
{
    const double a[] = {3, 2, 1, 2, 5, 3}, b[] = {10, 15}, c[] = {2, 3, 4};
    double u[3];
    ck_assert_double_eq_tol(solve(2, 3, a, b, c, u, ITERATIONS), 20, TOL);
    ck_assert_double_eq_tol(u[2], 5, TOL);
}
END_TEST

/* Degenerate vertex: three constraints meet at (1, 1). */
START_TEST(degenerate_vertex)
{
    const double a[] = {1, 0, 0, 1, 1, 1}, b[] = {1, 1, 2}, c[] = {1, 1};
    double u[2];
    ck_assert_double_eq_tol(solve(3, 2, a, b, c, u, ITERATIONS), 2, TOL);
    ck_assert_double_eq_tol(u[0], 1, TOL);
    ck_assert_double_eq_tol(u[1], 1, TOL);
}
END_TEST

/* Degenerate start: b has a zero, so the first pivot makes no progress. max x: x - y <= 0, y <= 3 -> (3, 3). */
START_TEST(degenerate_zero_right_hand_side)
{
    const double a[] = {1, -1, 0, 1}, b[] = {0, 3}, c[] = {1, 0};
    double u[2];
    ck_assert_double_eq_tol(solve(2, 2, a, b, c, u, ITERATIONS), 3, TOL);
    ck_assert_double_eq_tol(u[0], 3, TOL);
}
END_TEST

/* Beale's example, on which Dantzig's rule without an anti-cycling rule cycles forever; optimum 5/4. */
START_TEST(beale_cycling_example_terminates)
{
    const double a[] = {0.25, -8, -1, 9, 0.5, -12, -0.5, 3, 0, 0, 1, 0}, b[] = {0, 0, 1},
                 c[] = {0.75, -20, 0.5, -6};
    double u[4];
    ck_assert_double_eq_tol(solve(3, 4, a, b, c, u, ITERATIONS), 1.25, TOL);
}
END_TEST

/* Klee-Minty cube in 3 dimensions: Dantzig's rule visits all 8 vertices, 7 pivots, to reach (0, 0, 125). */
static const double km_a[] = {1, 0, 0, 4, 1, 0, 8, 4, 1}, km_b[] = {5, 25, 125}, km_c[] = {4, 2, 1};

START_TEST(klee_minty_reaches_optimum)
{
    double u[3];
    ck_assert_double_eq_tol(solve(3, 3, km_a, km_b, km_c, u, ITERATIONS), 125, TOL);
    ck_assert_double_eq_tol(u[2], 125, TOL);
}
END_TEST

/* The iteration limit stops early on a feasible, not yet optimal point. */
START_TEST(iteration_limit_keeps_feasible_point)
{
    double u[3];
    double v = solve(3, 3, km_a, km_b, km_c, u, 3);
    ck_assert_double_lt(v, 125 - TOL);
    ck_assert_double_gt(v, 0);
}
END_TEST

/* One pivot of Dantzig's rule on Chvatal's example: x enters (largest cost), the first row limits it to 2.5. */
START_TEST(iteration_limit_one_pivot)
{
    double u[3];
    ck_assert_double_eq_tol(solve(3, 3, chvatal_a, chvatal_b, chvatal_c, u, 1), 12.5, TOL);
    ck_assert_double_eq_tol(u[0], 2.5, TOL);
    ck_assert_double_eq_tol(u[1], 0, TOL);
    ck_assert_double_eq_tol(u[2], 0, TOL);
}
END_TEST

START_TEST(zero_iterations_is_the_origin)
{
    double u[2];
    ck_assert_double_eq_tol(solve(3, 2, wyndor_a, wyndor_b, wyndor_c, u, 0), 0, TOL);
    ck_assert_double_eq(u[0], 0);
    ck_assert_double_eq(u[1], 0);
}
END_TEST

/* Unbounded at the start: x can grow forever (-x <= 1). The feasible origin is kept. */
START_TEST(unbounded_keeps_origin)
{
    const double a[] = {-1}, b[] = {1}, c[] = {1};
    double u[1];
    ck_assert_double_eq_tol(solve(1, 1, a, b, c, u, ITERATIONS), 0, TOL);
}
END_TEST

/* Unbounded after some pivots (y grows with x - y <= 1, x <= 3): the point reached is feasible and improves. */
START_TEST(unbounded_after_pivots_keeps_feasible_point)
{
    const double a[] = {1, -1, 1, 0}, b[] = {1, 3}, c[] = {1, 1};
    double u[2];
    ck_assert_double_ge(solve(2, 2, a, b, c, u, ITERATIONS), 3 - TOL);
}
END_TEST

START_TEST(no_rows_is_unbounded_at_origin)
{
    const double c[] = {1, 2};
    double u[2];
    ck_assert_double_eq(solve(0, 2, NULL, NULL, c, u, ITERATIONS), 0);
    ck_assert_double_eq(u[0], 0);
    ck_assert_double_eq(u[1], 0);
}
END_TEST

START_TEST(negative_costs_stay_at_origin)
{
    const double a[] = {1, 1}, b[] = {5}, c[] = {-1, -2};
    double u[2];
    ck_assert_double_eq(solve(1, 2, a, b, c, u, ITERATIONS), 0);
    ck_assert_double_eq(u[0], 0);
    ck_assert_double_eq(u[1], 0);
}
END_TEST

/* All right-hand sides 0: the only feasible point is the origin, whatever the costs. */
START_TEST(zero_capacity_gives_origin)
{
    const double a[] = {1, 1, 2, 1}, b[] = {0, 0}, c[] = {3, 1};
    double u[2];
    ck_assert_double_eq_tol(solve(2, 2, a, b, c, u, ITERATIONS), 0, TOL);
}
END_TEST

/* One kind of 4-chip node at 1/h; API 0 takes 1 chip (10 replicas), API 1 takes 2 chips (5 replicas): the
 * configuration LP's optimum is 20 chips / 4 = 5 nodes. */
static const int cg_demand[] = {10, 5};
static const ncg_cg_bin cg_bins[] = {{.price = 1, .min_nodes = 0, .max_nodes = 100, .chips = 4, .cores = 16,
                                      .cpu_milli = 16000, .memory_bytes = 1 << 30}};
static const ncg_cg_item cg_items[] = {
    {.limit = 4, .chips = 1, .cores = 4, .cpu_milli = 1000, .memory_bytes = 1 << 20},
    {.limit = 2, .chips = 2, .cores = 8, .cpu_milli = 1000, .memory_bytes = 1 << 20},
};

/* Solve pb by column generation (at most 100 rounds) into *r: it converges, at the LP value `value`. */
static void cg_solve_converged(const ncg_cg_problem *pb, double value, ncg_cg_result *r)
{
    ncg_cg_limits lim = {.max_rounds = 100};
    ck_assert_int_eq(ncg_cg_solve(pb, &lim, r, NULL), 0);
    ck_assert(r->converged);
    ck_assert_double_eq_tol(r->lp_value, value, TOL);
}

START_TEST(column_generation_reaches_known_optimum)
{
    ncg_cg_problem pb = {.apis = 2, .bins = 1, .demand = cg_demand, .bin = cg_bins, .item = cg_items};
    ncg_cg_result r = {0};
    cg_solve_converged(&pb, 5, &r);
    ck_assert_double_le_tol(r.bound, 5, TOL);
    ck_assert_double_ge_tol(r.bound, 5, 1e-6);
    ncg_cg_result_clear(&r);
}
END_TEST

/* Seeds (the optimum's own patterns, and a feasible one above the demands, which is capped to them) give the
 * same optimum in no more rounds: here demands 3 and 5 need 13 chips, 3.25 nodes. */
START_TEST(column_generation_from_seeds_keeps_optimum)
{
    static const int demand[] = {3, 5};
    int over[] = {4, 0};
    ncg_cg_problem pb = {.apis = 2, .bins = 1, .demand = demand, .bin = cg_bins, .item = cg_items};
    ncg_cg_result first = {0}, again = {0};
    ncg_cg_pattern seeds[8];
    int n = 0;
    cg_solve_converged(&pb, 3.25, &first);
    for (int k = 0; k < first.pattern_count && n < 7; k++)
        seeds[n++] = first.patterns[k];
    seeds[n++] = (ncg_cg_pattern){.bin = 0, .counts = over};
    pb.seed = seeds;
    pb.seed_count = n;
    cg_solve_converged(&pb, 3.25, &again);
    ck_assert_int_le(again.rounds, first.rounds);
    for (int k = 0; k < again.pattern_count; k++) /* the capped seed: no more of API 0 than its demand */
        ck_assert_int_le(again.patterns[k].counts[0], 3);
    ncg_cg_result_clear(&first);
    ncg_cg_result_clear(&again);
}
END_TEST

/* An existing node is a bin of price 0 and at most one node, with its free capacity, where the per-node limit
 * (counted on an empty node) may not fit: here 3 free chips hold one 2-chip replica, not the limit's two. The
 * first patterns hold what fits, so the LP is the configuration LP's: 5 replicas of 2 chips, one on the existing
 * node, the other 4 on 2 new nodes. (The first single-API pattern put the limit, 2, on the existing node, and the
 * LP came out at 1.5 nodes.) */
START_TEST(column_generation_first_patterns_fit_existing_nodes)
{
    static const int demand[] = {0, 5};
    ncg_cg_bin bins[2] = {cg_bins[0], cg_bins[0]};
    ncg_cg_item items[4] = {cg_items[0], cg_items[1], cg_items[0], cg_items[1]};
    ncg_cg_problem pb = {.apis = 2, .bins = 2, .demand = demand, .bin = bins, .item = items};
    ncg_cg_result r = {0};
    bins[1].price = 0;
    bins[1].max_nodes = 1;
    bins[1].chips = 3;
    bins[1].cores = 12;
    cg_solve_converged(&pb, 2, &r);
    ck_assert_double_eq_tol(r.bound, 2, 1e-6);
    for (int k = 0; k < r.pattern_count; k++)
        if (r.patterns[k].bin == 1)
            ck_assert_int_le(r.patterns[k].counts[1], 1);
    ncg_cg_result_clear(&r);
}
END_TEST

/* Without the bound's final pricing (the dive's steps): the same LP and patterns, and a bound that is still one,
 * the best the rounds met, never above the full solve's. */
START_TEST(column_generation_without_bound_keeps_patterns)
{
    ncg_cg_problem pb = {.apis = 2, .bins = 1, .demand = cg_demand, .bin = cg_bins, .item = cg_items};
    ncg_cg_limits lim = {.max_rounds = 100}, quick = {.max_rounds = 100, .no_bound = true};
    ncg_cg_result full = {0}, r = {0};
    ck_assert_int_eq(ncg_cg_solve(&pb, &lim, &full, NULL), 0);
    ck_assert_int_eq(ncg_cg_solve(&pb, &quick, &r, NULL), 0);
    ck_assert(r.converged);
    ck_assert_double_eq_tol(r.lp_value, full.lp_value, TOL);
    ck_assert_int_eq(r.pattern_count, full.pattern_count);
    for (int k = 0; k < r.pattern_count; k++) {
        ck_assert_int_eq(r.patterns[k].bin, full.patterns[k].bin);
        ck_assert_double_eq_tol(r.patterns[k].x, full.patterns[k].x, TOL);
        ck_assert_mem_eq(r.patterns[k].counts, full.patterns[k].counts, 2 * sizeof(int));
    }
    ck_assert_double_ge(r.bound, 0);
    ck_assert_double_le_tol(r.bound, full.bound, TOL);
    ncg_cg_result_clear(&full);
    ncg_cg_result_clear(&r);
}
END_TEST

/* A gap (the dive's steps): generation stops once the bound is within that much of the master. A 3-chip and a
 * 1-chip API, 4 replicas each, on 4-chip nodes: the single-API patterns cost 5 nodes, the first round prices out
 * one node of each API (4 nodes) at a bound of 4. With a gap of 1 that round is the last (its pattern still
 * enters the final master); with 0.5 a second round proves the optimum. */
START_TEST(column_generation_stops_within_gap)
{
    static const int demand[] = {4, 4};
    ncg_cg_item items[2] = {cg_items[0], cg_items[0]};
    ncg_cg_problem pb = {.apis = 2, .bins = 1, .demand = demand, .bin = cg_bins, .item = items};
    ncg_cg_limits wide = {.max_rounds = 100, .no_bound = true, .gap = 1},
                  narrow = {.max_rounds = 100, .no_bound = true, .gap = 0.5};
    ncg_cg_result r = {0};
    items[0].chips = 3;
    items[0].cores = 12;
    ck_assert_int_eq(ncg_cg_solve(&pb, &wide, &r, NULL), 0);
    ck_assert_int_eq(r.stopped, NCG_PLAN_STOP_GAP);
    ck_assert(!r.converged);
    ck_assert_int_eq(r.rounds, 1);
    ck_assert_double_eq_tol(r.lp_value, 4, TOL);
    ck_assert_double_eq_tol(r.bound, 4, TOL);
    ncg_cg_result_clear(&r);
    ck_assert_int_eq(ncg_cg_solve(&pb, &narrow, &r, NULL), 0);
    ck_assert_int_eq(r.stopped, NCG_PLAN_STOP_CONVERGED);
    ck_assert_int_eq(r.rounds, 2);
    ck_assert_double_eq_tol(r.lp_value, 4, TOL);
    ncg_cg_result_clear(&r);
}
END_TEST

/* A bound marked exact is the one ncg_cg_bound() gives at the result's duals, to the bit (the planner then does
 * not price again): on the problems above (the twin bins, an existing node) and on one stopped by a gap; a solve
 * without the final pricing marks it not exact. */
START_TEST(column_generation_exact_bound_is_the_bound_at_its_duals)
{
    static const int demand[] = {4, 4}, existing_demand[] = {0, 5};
    ncg_cg_bin bins[3] = {cg_bins[0], cg_bins[0], cg_bins[0]};
    ncg_cg_item items[6] = {cg_items[0], cg_items[1], cg_items[0], cg_items[1], cg_items[0], cg_items[1]};
    ncg_cg_problem problems[3] = {{.apis = 2, .bins = 1, .demand = cg_demand, .bin = cg_bins, .item = cg_items},
                                  {.apis = 2, .bins = 3, .demand = cg_demand, .bin = bins, .item = items},
                                  {.apis = 2, .bins = 2, .demand = existing_demand, .bin = bins, .item = items}};
    ncg_cg_limits lim = {.max_rounds = 100}, quick = {.max_rounds = 100, .no_bound = true},
                  wide = {.max_rounds = 100, .gap = 1};
    ncg_cg_result r = {0};
    ncg_cg_problem gap = {.apis = 2, .bins = 1, .demand = demand, .bin = cg_bins, .item = items};
    bins[1].price = 1.5;
    bins[2].price = 1.25;
    items[4].limit = 1;
    for (int k = 0; k < 3; k++) {
        double again = -1;
        bool exact = false;
        if (k == 2) { /* bin 1 becomes an existing node with 3 free chips */
            bins[1].price = 0;
            bins[1].max_nodes = 1;
            bins[1].chips = 3;
            bins[1].cores = 12;
        }
        ck_assert_int_eq(ncg_cg_solve(&problems[k], &lim, &r, NULL), 0);
        ck_assert(r.converged);
        ck_assert(r.bound_exact);
        ck_assert_int_eq(ncg_cg_bound(&problems[k], r.duals, &again, &exact, NULL), 0);
        ck_assert(exact);
        ck_assert(again == r.bound);
        ncg_cg_result_clear(&r);
        ck_assert_int_eq(ncg_cg_solve(&problems[k], &quick, &r, NULL), 0);
        ck_assert(!r.bound_exact);
        ncg_cg_result_clear(&r);
    }
    items[0] = cg_items[0];
    items[1] = cg_items[0];
    items[0].chips = 3;
    items[0].cores = 12;
    ck_assert_int_eq(ncg_cg_solve(&gap, &wide, &r, NULL), 0);
    ck_assert_int_eq(r.stopped, NCG_PLAN_STOP_GAP);
    ck_assert(r.bound_exact);
    {
        double again = -1;
        bool exact = false;
        ck_assert_int_eq(ncg_cg_bound(&gap, r.duals, &again, &exact, NULL), 0);
        ck_assert(exact);
        ck_assert(again == r.bound);
    }
    ncg_cg_result_clear(&r);
}
END_TEST

/* Bins of the same resources and items (trn1.32xlarge and trn1n.32xlarge) are priced once per dual point: with
 * a dearer twin of the bin of column_generation_reaches_known_optimum, and a third bin like it but for one API's
 * per-node limit (not a twin), the optimum is still 5 cheap nodes, proven. */
START_TEST(column_generation_with_twin_bins)
{
    ncg_cg_bin bins[3] = {cg_bins[0], cg_bins[0], cg_bins[0]};
    ncg_cg_item items[6] = {cg_items[0], cg_items[1], cg_items[0], cg_items[1], cg_items[0], cg_items[1]};
    ncg_cg_problem pb = {.apis = 2, .bins = 3, .demand = cg_demand, .bin = bins, .item = items};
    ncg_cg_result r = {0};
    bins[1].price = 1.5;
    bins[2].price = 1.25;
    items[4].limit = 1;
    cg_solve_converged(&pb, 5, &r);
    ck_assert_double_ge_tol(r.bound, 5, 1e-6);
    for (int k = 0; k < r.pattern_count; k++)
        ck_assert_int_eq(r.patterns[k].bin, 0);
    ncg_cg_result_clear(&r);
}
END_TEST

/* The best pattern value v of a single bin at duals pi, read back from the Lagrangian bound: with one bin of
 * price c, at most one node and demands d large enough that d.pi is far above v, L(pi) = d.pi - (v - c) when v > c
 * (the scaled point c / v gives less), so v = d.pi + c - L; when v <= c this gives c. The bins below cost 1e-6. */
static double best_pattern_value(const ncg_cg_problem *pb, const double *pi)
{
    double bound = -1, dpi = 0;
    ck_assert_int_eq(pb->bins, 1);
    ck_assert_int_eq(pb->bin[0].max_nodes, 1);
    ck_assert_int_eq(ncg_cg_bound(pb, pi, &bound, NULL, NULL), 0);
    for (int i = 0; i < pb->apis; i++)
        dpi += pb->demand[i] * pi[i];
    return dpi + pb->bin[0].price - bound;
}

#define BF_APIS 6

/* The best pattern by enumerating every count vector (at most 5^6). */
static double brute_force_value(const ncg_cg_bin *bin, const ncg_cg_item *items, const double *pi, int apis)
{
    int count[BF_APIS] = {0};
    double best = 0;
    for (;;) {
        double v = 0, use[NCG_CG_RESOURCES] = {0}, cap[NCG_CG_RESOURCES];
        bool fits = true;
        int i = 0;
        ncg_cg_bin_caps(bin, cap);
        for (int a = 0; a < apis; a++) {
            double need[NCG_CG_RESOURCES];
            ncg_cg_item_needs(&items[a], need);
            for (int r = 0; r < NCG_CG_RESOURCES; r++)
                use[r] += count[a] * need[r];
            v += count[a] * pi[a];
        }
        for (int r = 0; r < NCG_CG_RESOURCES; r++)
            fits = fits && use[r] <= cap[r];
        if (fits && v > best)
            best = v;
        while (i < apis && ++count[i] > items[i].limit)
            count[i++] = 0;
        if (i == apis)
            return best;
    }
}

/* Pricing is exact: on 300 random bins of 1-6 APIs, half of them sharing another API's needs (one knapsack item
 * per shape), some with equal or zero duals, the best pattern's value equals the brute force's. */
START_TEST(pricing_matches_brute_force)
{
    uint64_t seed = 7;
    for (int trial = 0; trial < 300; trial++) {
        ncg_cg_item items[BF_APIS] = {0};
        int demand[BF_APIS], apis = 1 + (int)(test_rand(&seed) % BF_APIS);
        double pi[BF_APIS];
        int chips = 4 + (int)(test_rand(&seed) % 5);
        ncg_cg_bin bin = {.price = 1e-6,
                          .max_nodes = 1,
                          .chips = chips,
                          .cores = 2 * chips,
                          .cpu_milli = 8000 + 1000 * (int64_t)(test_rand(&seed) % 25),
                          .memory_bytes = (16 + (int64_t)(test_rand(&seed) % 49)) << 30};
        ncg_cg_problem pb = {.apis = apis, .bins = 1, .demand = demand, .bin = &bin, .item = items};
        for (int a = 0; a < apis; a++) {
            ncg_cg_item *it = &items[a];
            if (a > 0 && test_rand(&seed) % 2 == 0) {
                *it = items[test_rand(&seed) % (uint64_t)a]; /* the same shape */
            } else {
                it->chips = (int)(test_rand(&seed) % 4);
                it->cores = it->chips ? 2 * it->chips : 1 + (int)(test_rand(&seed) % 3);
                it->cpu_milli = 500 * (1 + (int64_t)(test_rand(&seed) % 16));
                it->memory_bytes = (1 + (int64_t)(test_rand(&seed) % 16)) << 30;
            }
            it->limit = 1 + (int)(test_rand(&seed) % 4);
            demand[a] = 1000;
            switch (test_rand(&seed) % 4) {
            case 0:
                pi[a] = a > 0 ? pi[a - 1] : 0.5; /* ties */
                break;
            case 1:
                pi[a] = test_rand(&seed) % 3 == 0 ? 0 : 0.25;
                break;
            default:
                pi[a] = 0.1 + (double)(test_rand(&seed) % 1000) / 500.0;
            }
        }
        ck_assert_msg(fabs(best_pattern_value(&pb, pi) - fmax(1e-6, brute_force_value(&bin, items, pi, apis))) < 1e-9,
                      "trial %d: %.12g against %.12g", trial, best_pattern_value(&pb, pi),
                      brute_force_value(&bin, items, pi, apis));
    }
}
END_TEST

/* The pricing problem on which the linear bounds gave up (the Alibaba trace on inf2.48xlarge, 21 shapes): replica
 * values nearly proportional to memory, so that only the memory left unused tells patterns apart, and the branch
 * and bound, bounded by value per unit of one resource, enumerated its 20,000 nodes without proving its best. The
 * reference is an exact dynamic program over chips, CPU in 2 cores and memory in 2 GiB (every need and capacity
 * here is a multiple of those). */
#define GIB_ ((int64_t)1 << 30)
static const struct {
    double pi;
    int limit, chips, cpu, mem; /* cpu in millicores, mem in GiB */
} subset_sum[] = {
    {8.1987, 11, 0, 96000, 480}, {5.4658, 44, 0, 64000, 320}, {6.8322, 1, 1, 8000, 400},
    {4.0993, 9, 0, 48000, 240},  {10.9316, 1, 0, 64000, 640}, {10.9316, 1, 0, 96000, 640},
    {8.1987, 1, 0, 64000, 480},  {1.0932, 9, 1, 16000, 64},   {5.6024, 4, 0, 64000, 330},
    {8.4720, 3, 0, 64000, 500},  {8.4720, 1, 0, 96000, 500},  {7.1055, 3, 0, 64000, 420},
    {5.0559, 2, 0, 48000, 300},  {5.8757, 2, 0, 64000, 350},  {1.9679, 6, 1, 12000, 120},
    {0.8199, 4, 1, 8000, 50},    {0.6832, 364, 1, 8000, 40},  {0.6832, 4, 1, 12000, 40},
    {0.5466, 16, 1, 8000, 32},   {0.2733, 30, 1, 8000, 16},   {0.2733, 2, 1, 2000, 16},
    {0.6832, 12, 1, 8000, 40},   {0.5400, 5, 1, 8000, 32}, /* two more APIs of shapes above */
};
#define SUBSET_APIS ((int)(sizeof(subset_sum) / sizeof(subset_sum[0])))

START_TEST(pricing_proves_the_subset_sum_instance)
{
    enum { CHIPS = 12, CPU = 95, MEM = 383 }; /* 191,190 millicores, 766.8 GiB, in those units */
    ncg_cg_bin bin = {.price = 1e-6, .max_nodes = 1, .chips = CHIPS, .cores = 2 * CHIPS, .cpu_milli = 191190,
                      .memory_bytes = (int64_t)(766.828 * (double)GIB_)};
    ncg_cg_item items[SUBSET_APIS];
    int demand[SUBSET_APIS];
    double pi[SUBSET_APIS], *dp = calloc((size_t)(CHIPS + 1) * (CPU + 1) * (MEM + 1), sizeof(double));
    ncg_cg_problem pb = {.apis = SUBSET_APIS, .bins = 1, .demand = demand, .bin = &bin, .item = items};
    ck_assert_ptr_nonnull(dp);
    for (int a = 0; a < SUBSET_APIS; a++) {
        items[a] = (ncg_cg_item){.limit = subset_sum[a].limit, .chips = subset_sum[a].chips,
                                 .cores = 2 * subset_sum[a].chips, .cpu_milli = subset_sum[a].cpu,
                                 .memory_bytes = subset_sum[a].mem * GIB_};
        demand[a] = 1000;
        pi[a] = subset_sum[a].pi;
        /* 0/1 knapsack over every copy that can fit, in place over (chips, cpu, memory) from the top down */
        int dc = subset_sum[a].chips, du = subset_sum[a].cpu / 2000, dm = subset_sum[a].mem / 2;
        int copies = subset_sum[a].limit < MEM / dm ? subset_sum[a].limit : MEM / dm;
        if (dc > 0 && CHIPS / dc < copies)
            copies = CHIPS / dc;
        for (int copy = 0; copy < copies; copy++) {
            for (int c = CHIPS; c >= dc; c--)
                for (int u = CPU; u >= du; u--)
                    for (int m = MEM; m >= dm; m--) {
                        double *to = &dp[((size_t)c * (CPU + 1) + (size_t)u) * (MEM + 1) + (size_t)m];
                        double from = dp[((size_t)(c - dc) * (CPU + 1) + (size_t)(u - du)) * (MEM + 1) +
                                         (size_t)(m - dm)];
                        if (from + pi[a] > *to)
                            *to = from + pi[a];
                    }
        }
    }
    ck_assert_double_eq_tol(best_pattern_value(&pb, pi), dp[((size_t)CHIPS * (CPU + 1) + CPU) * (MEM + 1) + MEM],
                            1e-9);
    free(dp);
}
END_TEST

/* Two scarce resources at once: CPU-only replicas on a CPU-only bin, their values nearly a blend of CPU and memory,
 * so that no bound of one resource at a time prunes much and the searches of the bound pass 2,000 nodes, where they
 * add the surrogate resource (CPU and memory weighted by the duals of the knapsack's LP relaxation). Whether the
 * search then proves its best or is cut, the value it gives is an upper bound on the best pattern's (an exact
 * dynamic program over CPU in 100 millicores and memory in 128 MiB) and, with the surrogate, at most the LP
 * relaxation's value (the dense simplex of lp.c, solved here on its own; to the 1e-9 of its capacity the surrogate
 * keeps against rounding). */
#define TWO_APIS 12
START_TEST(pricing_bounds_two_resources_by_the_lp_relaxation)
{
    enum { CPU = 80, MEM = 128 }; /* 8 CPU and 16 GiB in those units */
    uint64_t seed = 11;
    for (int trial = 0; trial < 12; trial++) {
        ncg_cg_bin bin = {.price = 1e-6, .max_nodes = 1, .cpu_milli = CPU * 100,
                          .memory_bytes = (int64_t)MEM << 27};
        ncg_cg_item items[TWO_APIS];
        int demand[TWO_APIS], du[TWO_APIS], dm[TWO_APIS];
        double pi[TWO_APIS], dp[CPU + 1][MEM + 1] = {{0}}, a[(2 + TWO_APIS) * TWO_APIS] = {0}, b[2 + TWO_APIS],
               x[TWO_APIS], relaxed = 0, value;
        double alpha = 0.5 + (double)(test_rand(&seed) % 100) / 100.0;
        ncg_cg_problem pb = {.apis = TWO_APIS, .bins = 1, .demand = demand, .bin = &bin, .item = items};
        ncg_lp lp = {2 + TWO_APIS, TWO_APIS, a, b, pi};
        for (int i = 0; i < TWO_APIS; i++) {
            du[i] = 3 + (int)(test_rand(&seed) % 10);
            dm[i] = 5 + (int)(test_rand(&seed) % 16);
            items[i] = (ncg_cg_item){.limit = 30, .cpu_milli = 100 * du[i], .memory_bytes = (int64_t)dm[i] << 27};
            demand[i] = 1000;
            pi[i] = (alpha * du[i] / CPU + (1.5 - alpha) * dm[i] / MEM) *
                    (1 + (double)(test_rand(&seed) % 300) / 10000.0);
            for (int copy = 0; copy < 30; copy++) /* 0/1 knapsack over every copy */
                for (int u = CPU; u >= du[i]; u--)
                    for (int m = MEM; m >= dm[i]; m--)
                        dp[u][m] = fmax(dp[u][m], dp[u - du[i]][m - dm[i]] + pi[i]);
            a[i] = (double)du[i] / CPU;
            a[TWO_APIS + i] = (double)dm[i] / MEM;
            a[(2 + i) * TWO_APIS + i] = 1;
            b[2 + i] = 30;
        }
        b[0] = b[1] = 1;
        ck_assert_int_eq(ncg_lp_solve(&lp, x, 1000), 0);
        for (int i = 0; i < TWO_APIS; i++)
            relaxed += pi[i] * x[i];
        value = best_pattern_value(&pb, pi);
        ck_assert_msg(value >= dp[CPU][MEM] - 1e-9, "trial %d: %.12g below the best pattern's %.12g", trial, value,
                      dp[CPU][MEM]);
        ck_assert_msg(value <= relaxed * (1 + 1e-8), "trial %d: %.12g above the LP relaxation's %.12g", trial, value,
                      relaxed);
    }
}
END_TEST

NCG_SUITE(lp)
{
    Suite *s = suite_create("lp");
    TCase *t = add_tcase(s, "optimum");
    add_test(t, one_variable_bounded);
    add_test(t, two_variables_known_optimum);
    add_test(t, three_variables_known_optimum);
    add_test(t, resource_rows_known_optimum);
    add_test(t, klee_minty_reaches_optimum);
    t = add_tcase(s, "degenerate");
    add_test(t, degenerate_vertex);
    add_test(t, degenerate_zero_right_hand_side);
    add_test(t, beale_cycling_example_terminates);
    add_test(t, zero_capacity_gives_origin);
    t = add_tcase(s, "unbounded");
    add_test(t, unbounded_keeps_origin);
    add_test(t, unbounded_after_pivots_keeps_feasible_point);
    add_test(t, no_rows_is_unbounded_at_origin);
    add_test(t, negative_costs_stay_at_origin);
    t = add_tcase(s, "limit");
    add_test(t, iteration_limit_keeps_feasible_point);
    add_test(t, iteration_limit_one_pivot);
    add_test(t, zero_iterations_is_the_origin);
    t = add_tcase(s, "colgen");
    add_test(t, column_generation_reaches_known_optimum);
    add_test(t, column_generation_from_seeds_keeps_optimum);
    add_test(t, column_generation_first_patterns_fit_existing_nodes);
    add_test(t, column_generation_without_bound_keeps_patterns);
    add_test(t, column_generation_stops_within_gap);
    add_test(t, column_generation_with_twin_bins);
    add_test(t, column_generation_exact_bound_is_the_bound_at_its_duals);
    t = add_tcase(s, "pricing");
    add_test(t, pricing_matches_brute_force);
    add_test(t, pricing_proves_the_subset_sum_instance);
    add_test(t, pricing_bounds_two_resources_by_the_lp_relaxation);
    return s;
}

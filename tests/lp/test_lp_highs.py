"""Cross-check of libncg's simplexes (the dense one of src/plan/lp.c and the revised one of src/plan/rlp.c) against
HiGHS on random LPs: same optimum to 1e-6 relative.

The LPs have the form the planner uses, max c.u s.t. A u <= b, u >= 0, b >= 0: dense and sparse, with zero and
negative entries in A and c, degenerate right-hand sides (b = 0 rows), and sizes up to 40 x 40. Every problem
is bounded (one row bounds the sum of the variables). HiGHS comes from the highspy package, used only here.
"""
import os
import random
import subprocess

import highspy

SOLVER = os.environ["NCG_LP_SOLVE"]
COUNT = 200


def random_lp(rng):
    rows, cols = rng.randint(1, 40), rng.randint(1, 40)
    density = rng.choice([1.0, 0.5, 0.2])
    a = [[(rng.uniform(-1, 5) if rng.random() < density else 0.0) for _ in range(cols)] for _ in range(rows)]
    b = [(0.0 if rng.random() < 0.1 else rng.uniform(0, 100)) for _ in range(rows)]
    a.append([1.0] * cols)  # bounded: sum u <= 1000
    b.append(1000.0)
    c = [rng.uniform(-2, 10) for _ in range(cols)]
    return a, b, c


def highs_optimum(a, b, c):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(c), len(b)
    lp.col_cost_ = [-x for x in c]  # HiGHS minimises
    lp.col_lower_, lp.col_upper_ = [0.0] * len(c), [inf] * len(c)
    lp.row_lower_, lp.row_upper_ = [-inf] * len(b), list(b)
    starts, index, value = [], [], []
    for j in range(len(c)):
        starts.append(len(index))
        for i in range(len(b)):
            if a[i][j] != 0:
                index.append(i)
                value.append(a[i][j])
    starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, index, value
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return -h.getInfo().objective_function_value


def test_simplex_matches_highs_on_random_lps():
    rng = random.Random(20261125)
    problems = [random_lp(rng) for _ in range(COUNT)]
    text = []
    for a, b, c in problems:
        text.append("%d %d" % (len(b), len(c)))
        text.append(" ".join(repr(x) for x in c))
        text.append(" ".join(repr(x) for x in b))
        text.extend(" ".join(repr(x) for x in row) for row in a)
    out = subprocess.run([SOLVER], input="\n".join(text) + "\n", capture_output=True, text=True, check=True)
    lines = out.stdout.split("\n")[:COUNT]
    assert len(lines) == COUNT
    for k, ((a, b, c), line) in enumerate(zip(problems, lines)):
        status, value, rstatus, rvalue = line.split()
        expected = highs_optimum(a, b, c)
        assert status == "optimal" and rstatus == "optimal", "problem %d: %s" % (k, line)
        assert abs(float(value) - expected) <= 1e-6 * max(1.0, abs(expected)), \
            "problem %d: dense simplex %s, HiGHS %.17g" % (k, value, expected)
        assert abs(float(rvalue) - expected) <= 1e-6 * max(1.0, abs(expected)), \
            "problem %d: revised simplex %s, HiGHS %.17g" % (k, rvalue, expected)

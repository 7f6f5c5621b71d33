"""The configuration LP's restricted master of every bench workload, as libncg's revised simplex (src/plan/rlp.c) solved
it during column generation, solved again by HiGHS: same optimum to 1e-6 relative.

master-dump (tests/lp/master-dump.c) prints each master: the patterns the LP uses, the bins' prices and node
limits, the demands, and the optimum libncg found. Where generation stopped at its work limit (the Alibaba trace)
the last master may have been cut short too, so there HiGHS's optimum must only be at most libncg's.
"""
import os
import subprocess

import highspy
import pytest

STOP_CONVERGED, STOP_GAP = 0, 1


def masters():
    args = [os.environ["NCG_MASTER_DUMP"]]
    if os.path.exists(os.environ.get("NCG_ALIBABA", "")):
        args.append(os.environ["NCG_ALIBABA"])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    found, cur = [], None
    for line in out.splitlines():
        word, *rest = line.split(" ")
        if word == "workload":
            cur = {"name": " ".join(rest), "bins": [], "patterns": []}
        elif word == "stopped":
            cur["stopped"], cur["value"] = int(rest[0]), float(rest[2])
        elif word == "size":
            cur["apis"], cur["nbins"] = int(rest[0]), int(rest[1])
        elif word == "demand":
            cur["demand"] = [int(x) for x in rest]
        elif word == "bin":
            cur["bins"].append((float(rest[0]), int(rest[1]), int(rest[2])))
        elif word == "pattern":
            cur["patterns"].append((int(rest[0]), [int(x) for x in rest[1:]]))
        elif word == "end":
            found.append(cur)
    return found


MASTERS = masters()


def highs_optimum(m):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    apis, nbins, pats = m["apis"], m["nbins"], m["patterns"]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(pats), apis + nbins
    lp.col_cost_ = [m["bins"][b][0] for b, _ in pats]
    lp.col_lower_, lp.col_upper_ = [0.0] * len(pats), [inf] * len(pats)
    lp.row_lower_ = [float(d) for d in m["demand"]] + [float(b[1]) for b in m["bins"]]
    lp.row_upper_ = [inf] * apis + [float(b[2]) for b in m["bins"]]
    starts, index, value = [], [], []
    for b, counts in pats:
        starts.append(len(index))
        for i, c in enumerate(counts):
            if c:
                index.append(i)
                value.append(float(c))
        index.append(apis + b)
        value.append(1.0)
    starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, index, value
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def test_every_bench_workload_has_a_master():
    assert len(MASTERS) >= 10
    assert all(m["patterns"] for m in MASTERS)


@pytest.mark.parametrize("m", MASTERS, ids=[f'{m["name"]} #{k}' for k, m in enumerate(MASTERS)])
def test_master_optimum_matches_highs(m):
    opt = highs_optimum(m)
    if m["stopped"] in (STOP_CONVERGED, STOP_GAP):
        assert abs(opt - m["value"]) <= 1e-6 * max(1.0, abs(opt)), (opt, m["value"])
    else:
        assert opt <= m["value"] * (1 + 1e-6), (opt, m["value"])

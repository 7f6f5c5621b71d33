#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Read Cortex API files and a cluster file with libncg-cortex (ncg.cortex, the reader `ncg plan` uses), plan the
APIs' init_replicas on the cluster's node groups, and print where every replica goes.

The command line is the CLI's: API files first, the cluster file with --cluster (`ncg plan APIS.yaml --cluster
CLUSTER.yaml`). Without arguments it reads examples/cortex/apis.yaml and examples/cortex/cluster.yaml: the same
plan as `ncg plan --example` and as plan_example.py, which writes those files out in Python. Problems in the files
are printed as the CLI prints them (FILE:LINE:COLUMN: ...), every one of them (keep-going mode), and exit 1.
Run: NCG_LIBRARY=/path/to/libncg.so.2 NCG_CORTEX_LIBRARY=/path/to/libncg-cortex.so.2 python3 cortex_plan.py \\
         [APIS.yaml... --cluster CLUSTER.yaml]
"""
import argparse
import os
import sys
from typing import List, Optional

import ncg

HERE = os.path.dirname(os.path.abspath(__file__))
CORTEX = os.path.join(os.path.dirname(HERE), "cortex")


def build_plan(api_files: List[str], cluster_file: str) -> Optional[ncg.Plan]:
    """The solved plan of the files, or None after printing their problems to stderr."""
    with ncg.cortex.Files(keep_going=True) as files:
        files.load_cluster(cluster_file)
        for api_file in api_files:
            files.load_apis(api_file)
        with ncg.Catalog(files.region) as catalog, files.new_cluster(catalog) as cluster:
            files.check(catalog, cluster)
            for d in files.diagnostics:
                print(d.message, file=sys.stderr)
            if files.error_count:
                return None
            plan = ncg.Plan(cluster)  # the plan copies the cluster
        files.add_to_plan(plan, replicas="init")
    return plan.solve()


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="cortex_plan.py", description="Plan Cortex API files on a cluster file "
                                     "(without arguments: examples/cortex/).")
    parser.add_argument("apis", nargs="*", metavar="APIS.yaml", help="Cortex API files")
    parser.add_argument("--cluster", metavar="CLUSTER.yaml", help="Cortex cluster file (required with APIS.yaml)")
    args = parser.parse_args(argv[1:])
    if bool(args.apis) != (args.cluster is not None):
        parser.error("give API files and --cluster, or neither (the example)")
    if not args.apis:
        args.apis, args.cluster = [os.path.join(CORTEX, "apis.yaml")], os.path.join(CORTEX, "cluster.yaml")
    plan = build_plan(args.apis, args.cluster)
    if plan is None:
        return 1
    with plan:
        s = plan.summary()
        print("price %.4f USD/h, lower bound %.4f (gap %.1f%%), %d nodes, %d of %d replicas placed"
              % (s.price_per_hour, s.lower_bound_per_hour, 100 * s.gap, s.nodes, s.placed, s.replicas))
        cluster = plan.cluster
        groups = cluster.nodegroups
        for r in plan.replicas():
            if not r.placed:
                continue
            node = cluster.node(r.node)
            a = node.alloc(r.alloc_id)
            envs = node.envs(r.alloc_id)
            cores = ",".join(e.visible_cores for e in envs) or "-"
            print("%-26s #%-2d -> %-13s (%s, %s) chips %s cores %s cpu %s mem %s"
                  % (r.api_name, r.replica, r.node, groups[node.nodegroup].name, node.type_name,
                     envs[0].visible_devices if envs else "-", cores, ncg.format_cpu(a.cpu_milli),
                     ncg.format_memory(a.memory_bytes)))
        for i, name in enumerate(plan.apis):
            u = plan.unplaced(i)
            if u.count:
                print("%s: %d unplaced: %s" % (name, u.count, u.reason))
        return 0 if s.unplaced == 0 else 3


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

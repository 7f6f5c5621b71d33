#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Plan Cortex's example deployment (examples/cortex/apis.yaml on examples/cortex/cluster.yaml) with the Python
binding, and print where every replica goes: the same plan as `ncg plan --example`.

The APIs and node groups below are those two files written out in Python, field for field; cortex_plan.py
reads the files themselves with libncg-cortex (ncg.cortex) and prints the same plan.
Run: NCG_LIBRARY=/path/to/libncg.so.2 python3 plan_example.py
"""
import ncg

# examples/cortex/cluster.yaml: node groups (Cortex's priority defaults to 1), region us-east-1.
REGION = "us-east-1"
NODE_GROUPS = [
    dict(name="inf-small", instance_type="inf1.2xlarge", min_instances=0, max_instances=20, priority=1),
    dict(name="inf-large", instance_type="inf1.6xlarge", min_instances=1, max_instances=20, priority=1),
    dict(name="inf-xl-spot", instance_type="inf1.24xlarge", min_instances=0, max_instances=4, price=2.10,
         priority=1),
]

# examples/cortex/apis.yaml: compute, processes_per_replica, init_replicas and the ncg: models section.
APIS = [
    ncg.ApiSpec("image-classifier-resnet50", ncg.Request(
        inf=1, cpu=3, mem="4G", processes_per_replica=4,
        models=[ncg.Model("resnet50_neuron", "180Mi", compiled_cores=1, static_weights=True)]), replicas=12),
    ncg.ApiSpec("text-generator-gpt2", ncg.Request(
        inf=2, cpu=6, mem="12Gi", processes_per_replica=1,
        models=[ncg.Model("gpt2-large", "6Gi", compiled_cores=8, static_weights=True)]), replicas=6),
    ncg.ApiSpec("sentiment-bert", ncg.Request(
        inf=1, cpu=2, mem="6Gi", processes_per_replica=2,
        models=[ncg.Model("bert-base", "1.2Gi", compiled_cores=1)]), replicas=8),
    ncg.ApiSpec("multi-model-classifier", ncg.Request(
        inf=1, cpu=2, mem="8Gi", processes_per_replica=2,
        models=[ncg.Model("inception", "2Gi", compiled_cores=2), ncg.Model("resnet50", "1500Mi", compiled_cores=2),
                ncg.Model("iris", "300Mi", compiled_cores=1)]), replicas=3),
    ncg.ApiSpec("image-preprocessor", ncg.Request(cpu="1500m", mem="2Gi"), replicas=10),
    # Cortex v0.38 containers: compute is summed over the pod's containers.
    ncg.ApiSpec("batch-classifier", ncg.Request(
        inf=4, cpu=ncg.parse_cpu("8") / 1000 + 0.5, mem=ncg.parse_memory("24Gi") + ncg.parse_memory("512Mi")),
        replicas=2),
]


def build_plan() -> ncg.Plan:
    """The solved plan of the example."""
    with ncg.Catalog(REGION) as catalog, ncg.Cluster() as cluster:
        for g in NODE_GROUPS:
            g = dict(g)
            cluster.add_nodegroup(catalog, g.pop("name"), g.pop("instance_type"), **g)
        plan = ncg.Plan(cluster)  # the plan copies the cluster: both may be closed now
    for api in APIS:
        plan.add_api(api)
    return plan.solve()


def main() -> int:
    with build_plan() as plan:
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
    raise SystemExit(main())

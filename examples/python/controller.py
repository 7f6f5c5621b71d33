#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A tiny placement controller: rebuild the cluster state from the pods already running (their node and env
strings, as a controller reads them from the Kubernetes API), then place pending replicas, adding a node to a
node group when none has room. Prints one line per decision.

The pod lists below stand in for the Kubernetes API. Run: NCG_LIBRARY=/path/to/libncg.so.2 python3 controller.py
"""
import ncg

# Running pods: node, the env of each process, and the pod's CPU and memory requests.
RUNNING = [
    {"pod": "resnet-7f9c", "node": "ip-10-0-1-17", "cpu": 3, "mem": "4G",
     "env": [{"AWS_NEURON_VISIBLE_DEVICES": "0", "NEURON_RT_VISIBLE_CORES": "0"},
             {"AWS_NEURON_VISIBLE_DEVICES": "0", "NEURON_RT_VISIBLE_CORES": "1"},
             {"AWS_NEURON_VISIBLE_DEVICES": "0", "NEURON_RT_VISIBLE_CORES": "2"},
             {"AWS_NEURON_VISIBLE_DEVICES": "0", "NEURON_RT_VISIBLE_CORES": "3"}]},
    {"pod": "gpt2-55d1", "node": "ip-10-0-1-17", "cpu": 6, "mem": "12Gi",
     "env": [{"AWS_NEURON_VISIBLE_DEVICES": "2,3", "NEURON_RT_VISIBLE_CORES": "8-15"}]},
]
# Pending replicas: what each asks for (Cortex's compute keywords).
PENDING = [
    ("resnet-a1", dict(inf=1, processes_per_replica=4, cpu=3, mem="4G")),
    ("gpt2-b2", dict(inf=2, cpu=6, mem="12Gi")),
    ("bert-c3", dict(inf=1, processes_per_replica=2, cpu=2, mem="6Gi")),
    ("preproc-d4", dict(cpu="1500m", mem="2Gi")),
    ("gpt2-e5", dict(inf=2, cpu=6, mem="12Gi")),
]


def main() -> int:
    with ncg.Catalog() as catalog, ncg.Cluster() as cluster:
        cluster.add_nodegroup(catalog, "inf-large", "inf1.6xlarge", max_instances=3)
        cluster.add_node("ip-10-0-1-17", "inf-large")

        for pod in RUNNING:  # adopt what runs, with its CPU and memory, so nothing is overcommitted later
            envs = pod["env"]
            a = cluster.adopt(pod["node"], ncg.Request(cpu=pod["cpu"], mem=pod["mem"]),
                              envs[0]["AWS_NEURON_VISIBLE_DEVICES"], [e["NEURON_RT_VISIBLE_CORES"] for e in envs])
            print("adopted %s on %s: chips %d-%d, %d processes, allocation %d"
                  % (pod["pod"], pod["node"], a.first_chip, a.first_chip + a.chip_count - 1,
                     a.processes_per_replica, a.id))

        for name, request in PENDING:
            try:
                p = cluster.place(**request)
            except ncg.FullError as e:
                node = cluster.add_node(None, "inf-large")  # scale up, then retry once
                print("no room for %s (%s): added %s" % (name, e.message, node.name))
                p = cluster.place(**request)
            node = cluster.node(p.node)
            env = ["%s/%s" % (x.visible_cores, x.core_group_sizes) for x in node.envs(p.alloc_id)]
            devices = node.env(p.alloc_id).visible_devices if env else ""
            print("placed %s on %s: AWS_NEURON_VISIBLE_DEVICES=%s NEURON_RT_VISIBLE_CORES/NEURONCORE_GROUP_SIZES=%s"
                  % (name, p.node, devices or "-", " ".join(env) or "-"))

        for node in cluster.nodes:
            s = node.status()
            print("%s: %d allocations, %d of %d chips free, %s CPU free"
                  % (node.name, s.allocations, s.free_chips, s.chips, ncg.format_cpu(s.cpu_free_milli)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

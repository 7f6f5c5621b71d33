"""A solved ncg.Plan compared field by field with `ncg plan -o json` (schema ncg-plan/1) of the same input: used
by test_examples.py (the example written out in Python) and test_cortex.py (the example read by libncg-cortex)."""


def assert_plan_matches_cli(plan, cli):
    """Price, bound, gap, node groups, nodes, every replica's chips, NCGs, cache states, env, CPU and memory,
    device memory per chip, and per API the name, headroom and placed count."""
    s = plan.summary()
    assert round(s.price_per_hour, 6) == cli["price_per_hour"]
    assert round(s.lower_bound_per_hour, 6) == cli["lower_bound_per_hour"]
    assert round(s.gap, 6) == cli["gap"]
    assert (s.replicas, s.placed) == (cli["replicas"], cli["placed"])
    pc = plan.cluster
    groups = pc.nodegroups
    assert [(g.name, g.instance_type, g.price, g.priority) for g in groups] == \
        [(g["name"], g["type"], g["usd_per_hour"], g["priority"]) for g in cli["node_groups"]]
    assert [sum(1 for n in pc.nodes if n.nodegroup == g.index) for g in groups] == \
        [g["nodes"] for g in cli["node_groups"]]
    assert [n.name for n in pc.nodes] == [n["name"] for n in cli["nodes"]]
    by_alloc = {(r.node, r.alloc_id): r.api_name for r in plan.replicas() if r.placed}
    for node, cn in zip(pc.nodes, cli["nodes"]):
        assert (node.type_name, groups[node.nodegroup].name, node.status().largest_window) == \
            (cn["type"], cn["group"], cn["largest_free_window"])
        ours = []
        for a in node.allocations:
            envs = node.envs(a.id)
            chips = list(range(a.first_chip, a.first_chip + a.chip_count)) if a.chip_count else []
            ours.append((by_alloc[(node.name, a.id)], chips, [e.visible_cores for e in envs],
                         [g.core_count for g in node.core_groups(a.id)],
                         [node.core_group_cache(a.id, p).state.label for p in range(len(envs))],
                         envs[0].visible_devices if envs else None, a.cpu_milli, a.memory_bytes))
        theirs = [(r["api"], r["chips"], [g["cores"] for g in r["groups"]], [g["size"] for g in r["groups"]],
                   [g["cache"] for g in r["groups"]], r.get("env", {}).get("AWS_NEURON_VISIBLE_DEVICES"),
                   r["cpu_milli"], r["memory_bytes"]) for r in cn["replicas"]]
        assert sorted(ours, key=repr) == sorted(theirs, key=repr), node.name
        for chip, dm in enumerate(cn["device_memory"]):
            c = node.chip_cache(chip)
            assert (c.capacity_bytes, c.used_bytes, c.free_bytes) == \
                (dm["capacity_bytes"], dm["used_bytes"], dm["free_bytes"])
    for i, api in enumerate(cli["apis"]):
        assert plan.api_name(i) == api["name"]
        assert plan.headroom(i) == api["headroom"]
        assert sum(1 for r in plan.replicas() if r.api == i and r.placed) == api["placed"]
    assert cli["unschedulable"] == [] and all(plan.unplaced(i).count == 0 for i in range(plan.api_count))

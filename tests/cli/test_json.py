"""ncg plan/validate -o json: every output validates against the JSON Schemas of doc/, numbers are written as a
person would, totals agree with the text output, and every process has its env."""
import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

NCG = os.environ.get("NCG_BIN", "build/src/cli/ncg")
DATA = Path(os.environ.get("NCG_TEST_DATA", "tests/data")).resolve()
DOC = Path(os.environ.get("NCG_DOC", Path(__file__).resolve().parents[2] / "doc"))
PLAN_SCHEMA = json.loads((DOC / "ncg-plan.schema.json").read_text())
VALIDATE_SCHEMA = json.loads((DOC / "ncg-validate.schema.json").read_text())
CORPUS = DATA / "cortex-corpus"
EXAMPLES = Path(os.environ.get("NCG_EXAMPLES", "examples")).resolve()
# a JSON number token: outside strings, after ':' '[' or ','
NUMBER = re.compile(r'(?<=[:\[,])(-?[0-9][0-9.eE+-]*)')


def ncg(*args, cwd=None):
    return subprocess.run([NCG, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd)


def check_plan(text):
    doc = json.loads(text)
    jsonschema.validate(doc, PLAN_SCHEMA, cls=jsonschema.Draft202012Validator)
    no_strings = re.sub(r'"(\\.|[^"\\])*"', '""', text)
    for number in NUMBER.findall(no_strings):
        assert re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]{1,6})?", number), number
    # totals agree with each other
    assert doc["placed"] + doc["unplaced"] == doc["replicas"]
    assert doc["node_count"] == len(doc["nodes"]) == sum(g["nodes"] for g in doc["node_groups"])
    assert sum(a["placed"] for a in doc["apis"]) == doc["placed"]
    assert sum(len(n["replicas"]) for n in doc["nodes"]) >= doc["placed"]
    assert sum(u["replicas"] for u in doc["unschedulable"]) == doc["unplaced"]
    for g in doc["node_groups"]:
        assert g["total_usd_per_hour"] == pytest.approx(g["nodes"] * g["usd_per_hour"], abs=1e-6)
        assert g["nodes"] == sum(1 for n in doc["nodes"] if n["group"] == g["name"])
    assert doc["price_per_hour"] == pytest.approx(sum(g["total_usd_per_hour"] for g in doc["node_groups"]), abs=1e-5)
    return doc


def test_example_plan_json_validates_and_agrees_with_the_text():
    r = ncg("plan", "--example", "-o", "json")
    assert r.returncode == 0, r.stderr
    doc = check_plan(r.stdout)
    assert doc["schema"] == "ncg-plan/1"
    assert doc["replicas_from"] == "init"
    assert doc["price_per_hour"] == 7.48 and '"price_per_hour": 7.48,' in r.stdout
    text = ncg("plan", "--example").stdout
    # the text's node-group lines give the same counts and totals
    groups = {}
    for line in text.split("node groups:\n")[1].split("\n\n")[0].splitlines():
        name, type_, nodes, _, total = line.split()
        groups[name] = (type_, int(nodes), float(total.lstrip("$").rstrip("/h")))
    assert groups == {g["name"]: (g["type"], g["nodes"], round(g["total_usd_per_hour"], 4))
                      for g in doc["node_groups"] if g["nodes"]}
    assert "price: $7.4800/h" in text


def test_every_process_has_its_env_and_every_api_its_ncg_size():
    doc = check_plan(ncg("plan", "--example", "-o", "json").stdout)
    sizes = {a["name"]: a["ncg_size"] for a in doc["apis"]}
    assert sizes == {"image-classifier-resnet50": 1, "text-generator-gpt2": 8, "sentiment-bert": 2,
                     "multi-model-classifier": 2, "image-preprocessor": 0, "batch-classifier": 16}
    ppr = {a["name"]: a["ppr"] for a in doc["apis"]}
    for node in doc["nodes"]:
        for rep in node["replicas"]:
            if sizes[rep["api"]] == 0:  # CPU only: no NeuronCores, no Neuron env
                assert (rep["groups"], rep["env"], rep["chips"]) == ([], {}, [])
                continue
            assert len(rep["groups"]) == ppr[rep["api"]]
            assert [g["process"] for g in rep["groups"]] == list(range(ppr[rep["api"]]))
            for g in rep["groups"]:
                assert g["size"] == sizes[rep["api"]]
                assert g["env"] == {"NEURON_RT_VISIBLE_CORES": g["cores"], "NEURONCORE_GROUP_SIZES": str(g["size"])}
            assert rep["env"]["AWS_NEURON_VISIBLE_DEVICES"] == ",".join(map(str, rep["chips"]))


@pytest.mark.parametrize("replicas", ["min", "init", "max", "7"])
def test_replicas_from(replicas):
    doc = check_plan(ncg("plan", "--example", "--replicas", replicas, "-o", "json").stdout)
    assert doc["replicas_from"] == ("count" if replicas == "7" else replicas)
    if replicas == "7":
        assert {a["replicas"] for a in doc["apis"]} == {7}


def test_unschedulable_plan_json_validates(tmp_path):
    api = tmp_path / "a.yaml"
    api.write_text("- name: huge\n  compute:\n    inf: 4\n  autoscaling:\n    min_replicas: 3\n")
    cluster = tmp_path / "c.yaml"
    cluster.write_text("node_groups:\n  - name: big\n    instance_type: inf1.6xlarge\n    min_instances: 0\n"
                       "    max_instances: 2\n    price: 0.1234567\n")
    r = ncg("plan", api, "--cluster", cluster, "--replicas", "min", "-o", "json")
    assert r.returncode == 3
    doc = check_plan(r.stdout)
    assert doc["unplaced"] == 1
    assert doc["node_groups"][0]["usd_per_hour"] == 0.123457
    assert doc["node_groups"][0]["total_usd_per_hour"] == 0.246914  # 2 x 0.123457, as a person adds them


def test_mixed_corpus_cluster_plan_json_validates(tmp_path):
    cluster = CORPUS / "clusters" / "v0.42.0__circleci_e2e_cluster.yaml"
    apis = CORPUS / "apis" / "v0.37.0__test__apis__trafficsplitter__hello-world__cortex_cpu.yaml"
    r = ncg("plan", apis, "--cluster", cluster, "-o", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    check_plan(r.stdout)


def test_empty_plan_json_validates(tmp_path):
    api = tmp_path / "a.yaml"
    api.write_text("- name: none\n  autoscaling:\n    min_replicas: 0\n")
    doc = check_plan(ncg("plan", api, "--replicas", "min", "-o", "json").stdout)
    assert (doc["nodes"], doc["unschedulable"], doc["replicas"]) == ([], [], 0)


def test_large_plan_json_is_streamed(tmp_path):
    api = tmp_path / "a.yaml"
    api.write_text("- name: many\n  compute:\n    inf: 1\n    cpu: 1\n  predictor:\n    processes_per_replica: 4\n"
                   "  autoscaling:\n    min_replicas: 400\n    max_replicas: 400\n")
    out = tmp_path / "plan.json"
    r = ncg("plan", api, "--types", "inf1.24xlarge", "-o", "json", "--output-file", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    doc = check_plan(text)
    assert doc["placed"] == 400 and len(doc["nodes"]) == 25
    # one line per node: greppable
    assert sum(1 for line in text.splitlines() if line.startswith('    {"name":"inf1.24xlarge-')) == 25


def test_validate_json_validates(tmp_path):
    good = ncg("validate", "--example", "-o", "json")
    assert good.returncode == 0
    doc = json.loads(good.stdout)
    jsonschema.validate(doc, VALIDATE_SCHEMA)
    assert doc == {"schema": "ncg-validate/2", "valid": True, "errors": [], "warnings": []}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: Bad\n- name: x\n  compute:\n    cpu: -1\n")
    r = ncg("validate", bad, "-o", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, VALIDATE_SCHEMA)
    assert doc["valid"] is False and doc["warnings"] == []
    assert [(e["file"], e["line"], e["column"], e["field"]) for e in doc["errors"]] == [
        (str(bad), 1, 9, "name"), (str(bad), 4, 10, "compute.cpu")]
    assert doc["errors"][0]["message"].startswith("api Bad: name: ")
    # the text lines are the same problems
    assert r.stderr.splitlines() == ["%s:%d:%d: %s" % (e["file"], e["line"], e["column"], e["message"])
                                     for e in doc["errors"]]
    # plan -o json on invalid input: the same document on stdout, exit 1
    p = ncg("plan", bad, "-o", "json")
    assert (p.returncode, json.loads(p.stdout)) == (1, doc)
    # warnings are objects too, without their "warning: "
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("region: <region>\nnode_groups:\n  - name: g\n    instance_type: inf1.xlarge\n")
    w = ncg("validate", "--cluster", cluster, "-o", "json")
    doc = json.loads(w.stdout)
    jsonschema.validate(doc, VALIDATE_SCHEMA)
    assert (w.returncode, doc["valid"], doc["errors"]) == (0, True, [])
    assert [(e["line"], e["column"], e["field"]) for e in doc["warnings"]] == [(1, 9, "region")]
    assert doc["warnings"][0]["message"].startswith("region \"<region>\" is not one of the catalog's 23 regions")


def test_validate_json_fields(tmp_path):
    """Each problem's field, as its message names it after the API or node group; null for the YAML itself."""
    apis = tmp_path / "a.yaml"
    apis.write_text("- name: r\n  compute:\n    inf: 1\n    cpux: 2\n"
                    "- name: s\n  kind: TrafficSplitter\n  apis:\n    - name: nowhere\n      weight: 100\n"
                    "- name: t\n  compute:\n    inf: 64\n")
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("region: us-east-1\nnode_groups:\n  - name: g\n    instance_type: inf1.6xlarg\n")
    r = ncg("validate", apis, "--cluster", cluster, "-o", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, VALIDATE_SCHEMA)
    fields = [(e["file"], e["field"], e["message"].split(": ", 2)[1]) for e in doc["errors"]]
    assert fields == [(str(apis), "compute", "compute"), (str(apis), "apis", "apis"), (str(apis), "compute", "compute"),
                      (str(cluster), "node_groups.instance_type", "instance_type")]
    broken = tmp_path / "broken.yaml"
    broken.write_text("- name: r\n  compute: [\n")
    doc = json.loads(ncg("validate", broken, "-o", "json").stdout)
    jsonschema.validate(doc, VALIDATE_SCHEMA)
    assert [e["field"] for e in doc["errors"]] == [None]


def test_yaml_is_the_json_document():
    yaml = pytest.importorskip("yaml")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for args in (["--example"], ["--example", "--replicas", "min"]):
        y = ncg("plan", *args, "-o", "yaml")
        j = ncg("plan", *args, "-o", "json")
        assert y.returncode == j.returncode
        assert yaml.load(y.stdout, Loader=loader) == check_plan(j.stdout)


def same_but_counts(got, want, counts):
    """got is the cluster file want with only min_instances/max_instances of the node groups in counts changed to
    counts[i] = (min, max); every other key is equal and in order."""
    groups_got = got.get("node_groups", [got]) if isinstance(got, dict) else None
    groups_want = want.get("node_groups", [want])
    assert list(got) == list(want) or list(got) == list(want) + [k for k in ("min_instances", "max_instances")
                                                                 if k not in want]
    for key in want:
        if key != "node_groups" and not ("node_groups" not in want and key in ("min_instances", "max_instances")):
            assert got[key] == want[key], key
    assert len(groups_got) == len(groups_want)
    for i, (g, w) in enumerate(zip(groups_got, groups_want)):
        if i in counts:
            assert (g["min_instances"], g["max_instances"]) == counts[i]
            assert list(g)[:len(w)] == list(w)
            for key in w:
                if key not in ("min_instances", "max_instances"):
                    assert g[key] == w[key], key
        elif "node_groups" in want:
            assert g == w


def test_cortex_cluster_from_init_and_max(tmp_path):
    r = ncg("plan", "--example", "-o", "cortex-cluster")
    assert r.returncode == 0, r.stderr  # the max plan is not capped by the input's max_instances
    init = json.loads(ncg("plan", "--example", "--replicas", "init", "-o", "json").stdout)
    lines = r.stdout.splitlines()
    assert lines[:2] == [
        "# Cortex cluster configuration written by ncg plan (libncg %s) from example/cluster.yaml: only "
        "min_instances and" % ncg("--version").stdout.split()[-1],
        "# max_instances of the node groups the plans use changed; the input's comments are not kept."]
    assert lines[2] == ("# min_instances: the init plan, 41 replicas on 4 nodes, $%.4f/h (optimal; bound $%.4f/h)"
                        % (init["price_per_hour"], init["lower_bound_per_hour"]))
    assert lines[3].startswith("# max_instances: the max plan, 380 replicas on ")
    assert lines[4] == "# node group inf-xl-spot: max_instances 37 is above the input's 4: the max plan needs 37 nodes"
    assert lines[5] == "# node groups neither plan uses (unchanged): inf-small"
    got = yaml.safe_load(r.stdout)
    want = yaml.safe_load((EXAMPLES / "cortex" / "cluster.yaml").read_text())
    same_but_counts(got, want, {1: (1, 1), 2: (3, 37)})
    assert [g["nodes"] for g in init["node_groups"]] == [0, 1, 3]
    # Cortex's reader (and ours) accepts it, and it plans every replica
    out = tmp_path / "cluster.yaml"
    assert ncg("plan", "--example", "-o", "cortex-cluster", "--output-file", out).returncode == 0
    v = ncg("validate", "--cluster", out)
    assert (v.returncode, v.stdout) == (0, "%s: 3 node groups valid\n" % out)
    r = ncg("plan", "--example", "--cluster", out, "--replicas", "max")
    assert r.returncode == 0, r.stdout
    # standard input cannot be rewritten
    bad = ncg("plan", "--example", "--cluster", "-", "-o", "cortex-cluster")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("ncg: -o cortex-cluster rewrites the cluster file: give it by name, not as -\n")


CLUSTER_FILES = sorted((CORPUS / "clusters").glob("*.yaml"))


@pytest.mark.parametrize("path", CLUSTER_FILES, ids=lambda p: p.name)
def test_cortex_cluster_round_trip(path, tmp_path):
    """Every cluster file Cortex published that ncg reads: the output keeps every key of the input but the counts
    of the node groups the plans use."""
    if ncg("validate", "--cluster", path).returncode != 0:
        pytest.skip("Cortex refuses this file too")
    api = tmp_path / "a.yaml"
    api.write_text("- name: a\n  compute:\n    cpu: 100m\n    mem: 100Mi\n  autoscaling:\n    min_replicas: 2\n"
                   "    max_replicas: 30\n")
    r = ncg("plan", api, "--cluster", path, "-o", "cortex-cluster")
    assert r.returncode in (0, 3), r.stderr
    got, want = yaml.safe_load(r.stdout), yaml.safe_load(path.read_text())
    init = json.loads(ncg("plan", api, "--cluster", path, "-o", "json").stdout)
    counts = {}
    for i, g in enumerate(init["node_groups"]):
        if g["nodes"]:
            counts[i] = g["nodes"]
    groups = got.get("node_groups", [got])
    changed = {i: (g["min_instances"], g["max_instances"]) for i, g in enumerate(groups)
               if i in counts or "min_instances" in g and g != want.get("node_groups", [want])[i]}
    for i, n in counts.items():
        assert changed[i][0] == n and changed[i][1] >= n
    same_but_counts(got, want, changed)


def test_cortex_cluster_from_types_leaves_out_unused_groups(tmp_path):
    api = tmp_path / "a.yaml"
    api.write_text("- name: a\n  compute:\n    inf: 1\n  autoscaling:\n    min_replicas: 1\n    max_replicas: 8\n")
    r = ncg("plan", api, "--types", "inf1.xlarge,inf1.6xlarge", "--replicas", "min,max", "-o", "cortex-cluster")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[3:] == [
        "# node groups neither plan uses, left out: inf1.6xlarge",
        "region: us-east-1", "node_groups:",
        "  - name: inf1.xlarge", "    instance_type: inf1.xlarge", "    min_instances: 1", "    max_instances: 8"]


def test_replicas_twice_in_text():
    r = ncg("plan", "--example", "--replicas", "min,max")
    assert r.returncode == 3
    assert r.stdout.startswith("== min replicas ==\nplan: ")
    assert "\n\n== max replicas ==\nplan: " in r.stdout
    bad = ncg("plan", "--example", "--replicas", "init,max", "-o", "json")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("ncg: --replicas A,B plans twice: use -o text or -o cortex-cluster\nusage: ncg plan")
    bad = ncg("plan", "--example", "--replicas", "init,lots")
    assert bad.returncode == 2
    assert bad.stderr.startswith("ncg: --replicas must be min, init, max or a count, or two of them: init,max\n")


@pytest.mark.parametrize("args", [["types", "--neuron"], ["groups", "--type", "inf1.xlarge", "--inf", "1"],
                                  ["validate", "--example"], ["plan", "--example"]])
def test_output_file_on_every_command(args, tmp_path):
    out = tmp_path / "out.txt"
    r = ncg(*args, "--output-file", out)
    assert (r.returncode, r.stdout) == (0, "")
    assert out.read_text() == ncg(*args).stdout
    r = ncg(*args, "--output-file", tmp_path / "no" / "such" / "dir")
    assert r.returncode == 1
    assert r.stderr.startswith("ncg: cannot write %s: No such file or directory" % (tmp_path / "no" / "such" / "dir"))

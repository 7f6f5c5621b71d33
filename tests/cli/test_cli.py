"""The ncg command line: exact outputs, exit codes and messages."""
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

NCG = os.environ.get("NCG_BIN", "build/src/cli/ncg")
DATA = Path(os.environ.get("NCG_TEST_DATA", "tests/data"))
EXAMPLES = Path(os.environ.get("NCG_EXAMPLES", "examples"))
CORTEX = sorted((DATA / "cortex").glob("*.yaml"))


def ncg(*args):
    return subprocess.run([NCG, *map(str, args)], capture_output=True, text=True, timeout=60)


def test_groups_json_inf1_6xlarge():
    r = ncg("groups", "--type", "inf1.6xlarge", "--inf", 2, "--ppr", 4, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ncg_size"] == 2
    assert [g["cores"] for g in doc["groups"]] == ["0-1", "2-3", "4-5", "6-7"]
    assert [g["chips"] for g in doc["groups"]] == [[0], [0], [1], [1]]
    assert [g["cache_bytes"] for g in doc["groups"]] == [8589934592] * 4
    assert doc["groups"][3]["env"] == {"NEURON_RT_VISIBLE_CORES": "6-7", "NEURONCORE_GROUP_SIZES": "2"}
    assert doc["env"] == {"AWS_NEURON_VISIBLE_DEVICES": "0,1"}
    assert doc["warnings"] == []


def test_groups_cortex_message_exit_1():
    r = ncg("groups", "--type", "inf1.xlarge", "--inf", 1, "--ppr", 3)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == ("ncg: cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - "
                        "acceptable numbers of processes are 1, 2, or 4\n")


def test_groups_model_warning_and_cache():
    r = ncg("groups", "--type", "inf1.xlarge", "--inf", 1, "--ppr", 2, "--model-size", "1Gi",
            "--compiled-cores", 1, "--json")
    doc = json.loads(r.stdout)
    assert doc["groups"][0]["cache"]["state"] == "fits"
    assert doc["groups"][0]["cache"]["need_bytes"] == 1 << 30
    assert doc["warnings"] == ["model \"model\" is compiled for 1 NeuronCore but its NeuronCore Group has 2: set "
                               "processes_per_replica to 4 for throughput (NCGs of 1), or recompile for 2 NeuronCores"]


@pytest.mark.parametrize("args", [["groups", "--inf", "1"], ["groups", "--type", "x", "--bogus"], ["nope"], []])
def test_usage_errors_exit_2(args):
    r = ncg(*args)
    assert r.returncode == 2
    assert "usage: " in r.stderr


@pytest.mark.parametrize("cmd", ["types", "groups", "validate", "plan"])
def test_help(cmd):
    r = ncg(cmd, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: ncg " + cmd)


def test_types_json():
    types = json.loads(ncg("types", "--json").stdout)
    assert len(types) == 12
    inf2 = next(t for t in types if t["name"] == "inf2.48xlarge")
    assert inf2 == {"name": "inf2.48xlarge", "family": "inf2", "accelerator": "inferentia", "chips": 12,
                    "cores_per_chip": 2, "device_memory_bytes": 32 << 30, "cpu_milli": 192000,
                    "memory_bytes": 768 << 30, "topology": "ring", "usd_per_hour": 12.98127}
    assert next(t for t in types if t["name"] == "trn2.48xlarge")["usd_per_hour"] is None


@pytest.mark.parametrize("path", CORTEX, ids=lambda p: p.name)
def test_validate_every_cortex_file(path):
    r = ncg("validate", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "%s: 1 API valid\n" % path


# expected NCG size and env of the first replica, per Cortex file, planned on inf1 node groups
EXPECTED = {
    "v0.18.0__examples__pytorch__image-classifier-resnet50__cortex_inf.yaml": (4, ["0-3"]),
    "v0.18.0__examples__tensorflow__image-classifier-resnet50__cortex_inf.yaml": (1, ["0", "1", "2", "3"]),
    "v0.19.0__examples__tensorflow__image-classifier-resnet50__cortex_inf_server_side_batching.yaml":
        (1, ["0", "1", "2", "3"]),
    "v0.25.0__test__tensorflow__image-classifier-resnet50__cortex_inf.yaml": (1, ["0", "1", "2", "3"]),
    "v0.25.0__test__tensorflow__multi-model-classifier__cortex.yaml": (None, []),
    "v0.35.0__test__apis__batch__inferentia__cortex_inf.yaml": (4, ["0-3"]),
    "v0.38.0__test__apis__realtime__image-classifier-resnet50__cortex_inf.yaml": (4, ["0-3"]),
}


@pytest.mark.parametrize("path", CORTEX, ids=lambda p: p.name)
def test_plan_every_cortex_file(path):
    r = ncg("plan", path, "--types", "inf1.xlarge,inf1.6xlarge", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    size, cores = EXPECTED[path.name]
    rep = doc["nodes"][0]["replicas"][0]
    assert [g["cores"] for g in rep["groups"]] == cores
    if size:
        assert {g["size"] for g in rep["groups"]} == {size}
        assert rep["env"] == {"AWS_NEURON_VISIBLE_DEVICES": "0"}
        assert rep["chips"] == [0]
    assert doc["unschedulable"] == []
    assert doc["lower_bound_per_hour"] <= doc["price_per_hour"]


def test_validate_errors_with_positions(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: api-a\n  compute:\n    inf: 0.5\n"
                   "- name: api-b\n  predictor:\n    processes_per_replica: 3\n  compute:\n    inf: 1\n"
                   "- name: api-c\n  computer:\n    cpu: 1\n")
    r = ncg("validate", bad)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "%s:3:10: api api-a: compute.inf: invalid type (expected integer)" % bad,
        "%s:10:3: api api-c: api: unknown field \"computer\"" % bad,
        "%s:4:3: api api-b: processes_per_replica: cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) "
        "over 3 processes - acceptable numbers of processes are 1, 2, or 4" % bad,
    ]


def test_validate_malformed_yaml(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("- name: x\n  compute: [inf: 1\n")
    r = ncg("validate", bad)
    assert r.returncode == 1
    assert r.stderr.startswith("%s:3:1: invalid YAML: " % bad)


def test_validate_unknown_type_in_cluster(tmp_path):
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("instance_type: inf9.huge\nmin_instances: 1\nmax_instances: 2\n")
    r = ncg("validate", CORTEX[0], "--cluster", cluster)
    assert r.returncode == 1
    assert r.stderr == "cluster:1:1: node group inf9.huge: unknown instance type \"inf9.huge\"\n"


def test_plan_bundled_example_text():
    r = ncg("plan")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("plan: 4 nodes, 41 of 41 replicas placed\n")
    assert "warning: model \"bert-base\" is compiled for 1 NeuronCore" in r.stdout


def test_plan_example_json_and_svg(tmp_path):
    doc = json.loads(ncg("plan", "--format", "json").stdout)
    assert doc["price_per_hour"] == pytest.approx(7.48)
    assert doc["lower_bound_per_hour"] <= doc["price_per_hour"]
    assert {n["group"] for n in doc["nodes"]} == {"inf-large", "inf-xl-spot"}
    out = tmp_path / "plan.svg"
    assert ncg("plan", "--format", "svg", "-o", out).returncode == 0
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and t.startswith("image-classifier-resnet50") for t in texts)


def test_plan_replicas_and_unschedulable(tmp_path):
    api = tmp_path / "big.yaml"
    api.write_text("- name: huge\n  compute:\n    inf: 16\n  autoscaling:\n    min_replicas: 2\n")
    doc = json.loads(ncg("plan", api, "--types", "inf1.6xlarge", "--replicas", "min", "--format", "json").stdout)
    assert doc["unschedulable"] == [{"api": "huge", "replicas": 2, "reason": "node group inf1.6xlarge: no instances "
                                     "can satisfy the requested Inf quantity - requested 16 Inf but instances only "
                                     "have 4 Inf available"}]


def test_catalog_override(tmp_path):
    cat = tmp_path / "catalog.yaml"
    cat.write_text("- name: inf1.2xlarge\n  price: 0.25\n"
                   "- name: inf9.custom\n  family: inf9\n  accelerator: inferentia\n  chips: 8\n  cores_per_chip: 4\n"
                   "  device_memory: 16Gi\n  cpu: 64\n  memory: 256Gi\n  topology: chain\n  price: 2.0\n")
    types = {t["name"]: t for t in json.loads(ncg("types", "--json", "--catalog", cat).stdout)}
    assert types["inf1.2xlarge"]["usd_per_hour"] == 0.25
    assert types["inf9.custom"]["chips"] == 8
    assert types["inf9.custom"]["device_memory_bytes"] == 16 << 30
    doc = json.loads(ncg("groups", "--type", "inf9.custom", "--inf", 8, "--catalog", cat, "--json").stdout)
    assert doc["ncg_size"] == 32
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: bad\n  chips: 0\n  cpu: 1\n  memory: 1Gi\n")
    r = ncg("types", "--catalog", bad)
    assert r.returncode == 1
    assert r.stderr == "%s:1:3: type: type bad: chips 0 is out of range 1..64\n" % bad


def test_validate_unreadable_api_reports_only_its_field(tmp_path):
    # an API with a field that cannot be read is not checked further: the rules would judge a half-read request
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: api-d\n  predictor:\n    processes_per_replica: 3\n  compute:\n    inf: 1\n    cpu: lots\n")
    expected = ["%s:6:10: api api-d: compute.cpu: invalid CPU quantity \"lots\": expected a number with an optional "
                "\"m\" suffix, such as 1, 1.5 or 500m" % bad]
    r = ncg("validate", bad)
    assert r.returncode == 1
    assert r.stderr.splitlines() == expected
    r = ncg("plan", bad)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.splitlines() == expected


def test_plan_json_lists_every_replica_of_a_node(tmp_path):
    # more allocations on one node than any fixed buffer of the tool would hold
    api = tmp_path / "many.yaml"
    api.write_text("- name: cpuonly\n  compute:\n    cpu: 0\n    mem: 0\n  autoscaling:\n    min_replicas: 400\n"
                   "    max_replicas: 1000\n")
    doc = json.loads(ncg("plan", api, "--types", "inf1.xlarge", "--replicas", "min", "--format", "json").stdout)
    assert doc["placed"] == 400
    assert sum(len(n["replicas"]) for n in doc["nodes"]) == 400
    assert all(r["api"] == "cpuonly" for n in doc["nodes"] for r in n["replicas"])

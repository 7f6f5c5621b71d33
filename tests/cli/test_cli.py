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


CORPUS = DATA / "cortex-corpus"
CORPUS_APIS = sorted((CORPUS / "apis").glob("*.yaml"))
CORPUS_CLUSTERS = sorted((CORPUS / "clusters").glob("*.yaml"))


def ncg(*args, cwd=None, stdin=None):
    return subprocess.run([NCG, *map(str, args)], capture_output=True, text=True, timeout=60, cwd=cwd, input=stdin)


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


@pytest.mark.parametrize("args,message", [
    (["plan", "--example", "--typess", "x"], "ncg: unknown option --typess; did you mean --types?"),
    (["validate", "--clustr=c.yaml"], "ncg: unknown option --clustr=c.yaml; did you mean --cluster?"),
    (["types", "--zzz"], "ncg: unknown option --zzz"),
    (["types", "-x"], "ncg: unknown option -x"),
    (["plan", "--example", "--cluster"], "ncg: option --cluster needs a value"),
    (["groups", "--type", "inf1.xlarge", "-o"], "ncg: option -o needs a value")])
def test_option_errors_name_the_option(args, message):
    r = ncg(*args)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.splitlines()[0] == message
    assert r.stderr.splitlines()[1].startswith("usage: ncg " + args[0])


def test_help_ends_with_files_and_exit_status():
    text = ncg("plan", "--help").stdout
    assert text.index("--replicas A[,B]") < text.index("FILE: Cortex API files") < text.index("exit status:")


def test_text_shows_cpu_only_replicas(tmp_path):
    lines = ncg("plan", "--example").stdout.splitlines()
    assert [line.split("  CPU only: ")[1] for line in lines if "CPU only" in line] == ["E x10"]
    api = tmp_path / "cortex.yaml"
    api.write_text("- name: web\n  compute:\n    cpu: 2\n    mem: 4Gi\n  autoscaling:\n    min_replicas: 3\n")
    r = ncg("plan", api, "--types", "m5.2xlarge")
    assert r.returncode == 0, r.stderr
    nodes = r.stdout.split("nodes (")[1].split("\napis:")[0].splitlines()[1:]
    assert [line.split() for line in nodes if line] == [["m5.2xlarge-1", "m5.2xlarge", "CPU", "only:", "A", "x3"]]


@pytest.mark.parametrize("cmd", ["types", "groups", "validate", "plan"])
def test_help(cmd):
    r = ncg(cmd, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: ncg " + cmd)


def test_types_json():
    types = json.loads(ncg("types", "--json").stdout)
    assert len(types) == 479  # every EC2 type Cortex v0.42 knew in us-east-1, plus inf2, trn1, trn1n, trn2
    assert types == json.loads(ncg("types", "-o", "json").stdout)
    inf2 = next(t for t in types if t["name"] == "inf2.48xlarge")
    assert inf2 == {"name": "inf2.48xlarge", "family": "inf2", "accelerator": "inferentia", "chips": 12,
                    "cores_per_chip": 2, "lnc": None, "hbm_banks": 1, "device_memory_bytes": 32 << 30, "gpus": 0,
                    "cpu_milli": 192000, "memory_bytes": 768 << 30, "topology": "ring", "usd_per_hour": 12.98127}
    trn2 = next(t for t in types if t["name"] == "trn2.48xlarge")
    assert (trn2["usd_per_hour"], trn2["cores_per_chip"], trn2["lnc"], trn2["hbm_banks"]) == (None, 4, 2, 4)
    g4dn = next(t for t in types if t["name"] == "g4dn.12xlarge")
    assert g4dn == {"name": "g4dn.12xlarge", "family": "g4dn", "accelerator": "gpu", "chips": 0, "cores_per_chip": 0,
                    "lnc": None, "hbm_banks": 0, "device_memory_bytes": 0, "gpus": 4, "cpu_milli": 48000, "memory_bytes": 192 << 30,
                    "topology": "none", "usd_per_hour": 3.912}


def test_types_filters_and_regions():
    neuron = json.loads(ncg("types", "--neuron", "-o", "json").stdout)
    assert [t["name"] for t in neuron] == ["inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge", "inf1.24xlarge",
                                          "inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge", "inf2.48xlarge",
                                          "trn1.2xlarge", "trn1.32xlarge", "trn1n.32xlarge", "trn2.48xlarge",
                                          "trn2.3xlarge", "trn2u.48xlarge"]
    t3 = json.loads(ncg("types", "--family", "t3", "-o", "json").stdout)
    assert [t["name"] for t in t3] == ["t3.2xlarge", "t3.large", "t3.medium", "t3.micro", "t3.nano", "t3.small",
                                      "t3.xlarge"]
    eu = json.loads(ncg("types", "--neuron", "--region", "eu-west-1", "-o", "json").stdout)
    assert [(t["name"], t["usd_per_hour"]) for t in eu] == [("inf1.xlarge", 0.254), ("inf1.2xlarge", 0.403),
                                                           ("inf1.6xlarge", 1.315), ("inf1.24xlarge", 5.26)] + [
        (t["name"], None) for t in neuron[4:]]
    r = ncg("types", "--region", "mars-1")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == "ncg: unknown region \"mars-1\" (the catalog knows 23 regions, af-south-1 to us-west-2)\n"
    text = ncg("types", "--family", "g4dn").stdout.splitlines()
    assert len(text) == 8
    assert text[1].split() == ["g4dn.12xlarge", "g4dn", "gpu", "0", "0", "-", "-", "4", "48", "192Gi", "-", "3.912"]
    trn2 = next(line for line in ncg("types", "--neuron").stdout.splitlines() if line.startswith("trn2.48xlarge"))
    assert trn2.split() == ["trn2.48xlarge", "trn2", "trainium", "16", "4", "2", "96Gi", "0", "192", "2Ti",
                            "torus4x4", "-"]


def test_groups_follow_the_logical_neuroncore_setting():
    r = ncg("groups", "--type", "trn2.48xlarge", "--inf", "1", "--ppr", "8", "--lnc", "1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "trn2.48xlarge: 8 NeuronCore Groups of 1 core; AWS_NEURON_VISIBLE_DEVICES=0"
    assert lines[1] == ("  process 0: NEURON_RT_VISIBLE_CORES=0 NEURONCORE_GROUP_SIZES=1 NEURON_LOGICAL_NC_CONFIG=1 "
                        "chips 0-0 device memory 24384Mi in its HBM banks")
    assert lines[8].startswith("  process 7: NEURON_RT_VISIBLE_CORES=7 ")
    doc = json.loads(ncg("groups", "--type", "trn2.48xlarge", "--inf", "1", "--ppr", "2", "-o", "json").stdout)
    assert doc["lnc"] == 2
    assert doc["groups"][1]["env"] == {"NEURON_RT_VISIBLE_CORES": "2-3", "NEURONCORE_GROUP_SIZES": "2",
                                       "NEURON_LOGICAL_NC_CONFIG": "2"}
    # the default setting (LNC=2) has 4 cores per chip: 8 processes do not divide them
    r = ncg("groups", "--type", "trn2.48xlarge", "--inf", "1", "--ppr", "8")
    assert (r.returncode, r.stderr) == (1, "ncg: cannot evenly distribute 1 Trainium chip (4 NeuronCores total) "
                                           "over 8 processes - acceptable numbers of processes are 1, 2, or 4\n")
    r = ncg("groups", "--type", "inf2.xlarge", "--inf", "1", "--lnc", "2")
    assert (r.returncode, r.stderr) == (1, "ncg: the request asks for LNC=2 but inf2.xlarge has no Logical "
                                           "NeuronCore setting (its NeuronCores are physical: LNC=1)\n")
    r = ncg("groups", "--type", "inf2.xlarge", "--inf", "1", "--lnc", "3")
    assert (r.returncode, r.stderr) == (1, "ncg: --lnc 3 is out of range 1..2\n")
    doc = json.loads(ncg("groups", "--type", "inf2.xlarge", "--inf", "1", "-o", "json").stdout)
    assert doc["lnc"] is None and "NEURON_LOGICAL_NC_CONFIG" not in doc["groups"][0]["env"]


REGIONS = [
    "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1",
    "us-west-2"]


@pytest.mark.parametrize("region", REGIONS)
def test_every_neuron_type_in_every_region(region):
    names = [t["name"] for t in json.loads(ncg("types", "--neuron", "--region", region, "-o", "json").stdout)]
    assert names == [t["name"] for t in json.loads(ncg("types", "--neuron", "-o", "json").stdout)]
    for name in names:
        r = ncg("groups", "--type", name, "--inf", "1", "--region", region)
        assert r.returncode == 0, r.stderr


def test_plan_refuses_a_node_group_without_price(tmp_path):
    api = tmp_path / "cortex.yaml"
    api.write_text("- name: a\n  kind: RealtimeAPI\n  compute:\n    inf: 1\n  autoscaling:\n    min_replicas: 2\n")
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("region: us-west-2\nnode_groups:\n  - name: big\n    instance_type: inf2.24xlarge\n"
                       "    max_instances: 2\n  - name: small\n    instance_type: inf1.xlarge\n")
    r = ncg("plan", str(api), "--cluster", str(cluster))
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("ncg: node group big: instance type inf2.24xlarge has no known price in us-west-2: give the "
                        "node group one (price: USD per hour) in the cluster file, or the type one with --catalog "
                        "FILE\n")
    # either way of giving a price plans
    cluster.write_text(cluster.read_text().replace("max_instances: 2\n", "max_instances: 2\n    price: 7.1\n"))
    r = ncg("plan", str(api), "--cluster", str(cluster), "-o", "json")
    assert r.returncode == 0, r.stderr
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("- name: inf2.24xlarge\n  price: 7.2\n")
    cluster.write_text(cluster.read_text().replace("    price: 7.1\n", ""))
    r = ncg("plan", str(api), "--cluster", str(cluster), "--catalog", str(catalog))
    assert r.returncode == 0, r.stderr
    r = ncg("plan", str(api), "--region", "us-west-2", "--types", "inf1.xlarge,trn1.2xlarge")
    assert (r.returncode, r.stderr) == (1, "ncg: --types: instance type trn1.2xlarge has no known price in us-west-2: "
                                           "give it one with --catalog FILE, or plan with a --cluster file whose "
                                           "node group has a price\n")
    # without a cluster file or --types, the default types that have a price in the region
    plan = json.loads(ncg("plan", str(api), "--region", "us-west-2", "-o", "json").stdout)
    assert [g["name"] for g in plan["node_groups"]] == ["inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge", "inf1.24xlarge"]
    r = ncg("plan", str(api), "--region", "ap-northeast-3")
    assert (r.returncode, r.stderr) == (1, "ncg: none of the default instance types (inf1.xlarge ... inf2.48xlarge) "
                                           "has a known price in ap-northeast-3: name types with --types and give "
                                           "them prices with --catalog FILE, or plan with a --cluster file whose "
                                           "node groups have a price\n")


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


def test_no_fit_names_what_the_cluster_offers(tmp_path):
    """Cortex's sentence names the first node group that fails; the others' reasons follow (the issue's cases)."""
    api = tmp_path / "cortex.yaml"
    api.write_text("- name: big\n  compute:\n    inf: 20\n")
    r = ncg("validate", api, "--cluster", EXAMPLES / "cortex" / "cluster.yaml")
    assert r.returncode == 1
    assert r.stderr == (
        "%s:1:3: api big: compute: no instances can satisfy the requested Inf quantity - requested 20 Inf but "
        "instances only have 1 Inf available (node group inf-small, inf1.2xlarge); node group inf-large "
        "(inf1.6xlarge): requested 20 Inf but instances only have 4 Inf available; node group inf-xl-spot "
        "(inf1.24xlarge): requested 20 Inf but instances only have 16 Inf available\n" % api)
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("node_groups:\n" + "".join("  - name: g%d\n    instance_type: %s\n" % (i, t) for i, t in enumerate(
        ["m5.large", "inf1.xlarge", "inf1.6xlarge", "inf2.xlarge", "inf2.24xlarge", "inf1.24xlarge", "trn1.32xlarge"])))
    r = ncg("validate", api, "--cluster", cluster)
    assert r.stderr == (
        "%s:1:3: api big: compute: no instances can satisfy the requested Inf quantity - requested 20 Inf but "
        "instances don't have any Inf (node group g0, m5.large); node group g1 (inf1.xlarge): requested 20 Inf but "
        "instances only have 1 Inf available; node group g2 (inf1.6xlarge): requested 20 Inf but instances only "
        "have 4 Inf available; node group g4 (inf2.24xlarge): requested 20 Inf but instances only have 6 Inf "
        "available; 2 more node groups\n" % api)  # g3 (inf2.xlarge) fails as g1 does: not repeated


def test_validate_errors_with_positions(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: api-a\n  compute:\n    inf: 0.5\n"
                   "- name: api-b\n  predictor:\n    processes_per_replica: 3\n  compute:\n    inf: 1\n"
                   "- name: api-c\n  computer:\n    cpu: 1\n")
    r = ncg("validate", bad)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [  # in file and line order
        "%s:3:10: api api-a: compute.inf: invalid type (expected integer)" % bad,
        "%s:4:3: api api-b: processes_per_replica: cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) "
        "over 3 processes - acceptable numbers of processes are 1, 2, or 4" % bad,
        "%s:10:3: api api-c: api: unknown field \"computer\"" % bad,
    ]
    # plan checks against its node groups (the default types), and names what each kind of them accepts
    r2 = ncg("plan", bad)
    lines = r.stderr.splitlines()
    lines[1] += (" (node group inf1.xlarge, inf1.xlarge); node group inf2.xlarge (inf2.xlarge): cannot evenly "
                 "distribute 1 Inferentia ASIC (2 NeuronCores total) over 3 processes - acceptable numbers of "
                 "processes are 1 or 2")
    assert (r2.returncode, r2.stderr.splitlines()) == (1, lines)


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
    assert r.stderr == ("%s:1:16: node group inf9.huge: instance_type: unknown instance type \"inf9.huge\" in us-east-1 "
                        "(ncg types --region us-east-1 lists them; --catalog FILE adds types)\n" % cluster)


def test_plan_bundled_example_text():
    r = ncg("plan", "--example")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("plan: 4 nodes, 41 of 41 replicas placed\n")
    assert "warning: model \"bert-base\" is compiled for 1 NeuronCore" in r.stdout


def test_plan_example_json_and_svg(tmp_path):
    text = ncg("plan", "--example", "-o", "json").stdout
    assert '"price_per_hour": 7.48,' in text  # as a person writes it, not 7.4800000000000004
    doc = json.loads(text)
    assert doc == json.loads(ncg("plan", "--example", "--format", "json").stdout)
    assert doc["price_per_hour"] == pytest.approx(7.48)
    assert doc["lower_bound_per_hour"] <= doc["price_per_hour"]
    assert {n["group"] for n in doc["nodes"]} == {"inf-large", "inf-xl-spot"}
    out = tmp_path / "plan.svg"
    assert ncg("plan", "--example", "-o", "svg", "--output-file", out).returncode == 0
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and t.startswith("image-classifier-resnet50") for t in texts)


def test_plan_replicas_and_unschedulable(tmp_path):
    api = tmp_path / "big.yaml"
    api.write_text("- name: huge\n  compute:\n    inf: 16\n  autoscaling:\n    min_replicas: 2\n")
    # a request no node group can ever hold is invalid input, for plan as for validate
    r = ncg("plan", api, "--types", "inf1.6xlarge", "--replicas", "min", "--format", "json")
    assert r.returncode == 1
    assert r.stderr == ("%s:1:3: api huge: compute: no instances can satisfy the requested Inf quantity - requested 16 "
                        "Inf but instances only have 4 Inf available\n" % api)
    assert json.loads(r.stdout)["errors"] == [{
        "file": str(api), "line": 1, "column": 3, "field": "compute", "message": (
            "api huge: compute: no instances can satisfy the requested Inf quantity - requested 16 Inf but instances "
            "only have 4 Inf available")}]
    assert ncg("plan", api, "--types", "inf1.6xlarge", "--replicas", "min").stdout == ""
    # a valid request that runs out of instances: a plan, with exit status 3
    api.write_text("- name: huge\n  compute:\n    inf: 4\n  autoscaling:\n    min_replicas: 3\n")
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("node_groups:\n  - name: big\n    instance_type: inf1.6xlarge\n    min_instances: 0\n"
                       "    max_instances: 2\n")
    r = ncg("plan", api, "--cluster", cluster, "--replicas", "min", "-o", "json")
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert doc["unschedulable"] == [{"api": "huge", "replicas": 1,
                                     "reason": "max_instances reached: node group big (2 nodes)"}]


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


# ---- every file Cortex published (tests/data/cortex-corpus, Apache-2.0) ----

# the cluster files Cortex itself rejects (the corpus README), with what ncg says
REJECTED = {
    "v0.18.0__docs_cluster-management_config__1.yaml":
        "4:21: invalid YAML: did not find expected alphabetic or numeric character while scanning an alias",
    "v0.34.0__docs_clusters_instances_spot__1.yaml": "4:5: instance_type: missing",
    "v0.34.0__docs_clusters_management_create__1.yaml":
        "31:1: invalid YAML: could not find expected ':' while scanning a simple key",
    "v0.34.0__docs_clusters_instances_multi__2.yaml":
        "9:20: node group inf: instance_type: unknown instance type \"inf.xlarge\" in us-east-1; did you mean "
        "\"inf1.xlarge\"? (ncg types --region us-east-1 lists them; --catalog FILE adds types)",
    "v0.42.0__docs_clusters_instances_multi__2.yaml":
        "14:20: node group inf: instance_type: unknown instance type \"inf.xlarge\" in us-east-1; did you mean "
        "\"inf1.xlarge\"? (ncg types --region us-east-1 lists them; --catalog FILE adds types)",
}


def test_corpus_is_complete():
    assert len(CORPUS_APIS) == 437
    assert len(CORPUS_CLUSTERS) == 26
    assert set(REJECTED) <= {p.name for p in CORPUS_CLUSTERS}


@pytest.mark.parametrize("path", CORPUS_APIS, ids=lambda p: p.name)
def test_corpus_api_file_validates(path, tmp_path):
    r = ncg("validate", path, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    n = sum(1 for line in path.read_text().splitlines() if line.startswith("- name:"))
    assert r.stdout == "%s: %d API%s valid\n" % (path, n, "" if n == 1 else "s")


@pytest.mark.parametrize("path", CORPUS_CLUSTERS, ids=lambda p: p.name)
def test_corpus_cluster_file(path, tmp_path):
    r = ncg("validate", "--cluster", path, cwd=tmp_path)
    if path.name in REJECTED:
        assert (r.returncode, r.stdout) == (1, "")
        assert r.stderr == "%s:%s\n" % (path, REJECTED[path.name])
    else:
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("%s: " % path) and r.stdout.endswith(" valid\n")


def test_corpus_cluster_plans_mixed_node_groups(tmp_path):
    cluster = CORPUS / "clusters" / "v0.42.0__circleci_e2e_cluster.yaml"
    apis = CORPUS / "apis" / "v0.37.0__test__apis__trafficsplitter__hello-world__cortex_cpu.yaml"
    r = ncg("plan", apis, "--cluster", cluster, "-o", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [a["name"] for a in doc["apis"]] == ["hello-world-a", "hello-world-b", "hello-world-shadow"]
    assert doc["placed"] == 3
    # min_instances are kept: 16 t3.medium spot nodes, and one node of each other group
    assert {g["name"]: g["nodes"] for g in doc["node_groups"]} == {"spot": 16, "cpu": 1, "gpu": 1, "inferentia": 1,
                                                                  "arm": 1}


# ---- TrafficSplitter ----

def test_traffic_splitter_checks_its_backends(tmp_path):
    f = tmp_path / "split.yaml"
    f.write_text("- name: a\n  kind: RealtimeAPI\n  compute:\n    cpu: 1\n"
                 "- name: b\n  kind: BatchAPI\n"
                 "- name: s\n  kind: TrafficSplitter\n  apis:\n    - name: a\n      weight: 30\n"
                 "    - name: b\n      weight: 60\n    - name: c\n      weight: 10\n")
    r = ncg("validate", f)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "%s:12:7: api s: apis: \"b\" is a BatchAPI; a TrafficSplitter routes to RealtimeAPIs" % f,
        "%s:14:7: api s: apis: no API named \"c\" in the files given" % f,
    ]
    f.write_text("- name: s\n  kind: TrafficSplitter\n  apis:\n    - name: a\n      weight: 30\n")
    r = ncg("validate", f)
    assert r.stderr == "%s:4:5: api s: apis: the weights of the APIs that are not shadows sum to 30, not 100\n" % f
    f.write_text("- name: s\n  kind: TrafficSplitter\n  compute:\n    cpu: 1\n  apis:\n    - name: a\n"
                 "      weight: 100\n      waight: 1\n")
    r = ncg("validate", f)
    assert r.stderr.splitlines() == ["%s:3:3: api s: api: unknown field \"compute\"" % f,
                                     "%s:8:7: api s: apis: unknown field \"waight\"" % f]


# ---- cluster files: priority, unknown keys, region ----

def test_nodegroup_priority_is_passed_on(tmp_path):
    api = tmp_path / "api.yaml"
    api.write_text("- name: web\n  compute:\n    cpu: 1\n")
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("node_groups:\n  - name: cheap\n    instance_type: m5.large\n    min_instances: 0\n"
                       "  - name: preferred\n    instance_type: m5.xlarge\n    min_instances: 0\n    priority: 100\n")
    doc = json.loads(ncg("plan", api, "--cluster", cluster, "-o", "json").stdout)
    assert [(g["name"], g["priority"]) for g in doc["node_groups"]] == [("cheap", 1), ("preferred", 100)]
    cluster.write_text("node_groups:\n  - name: cheap\n    instance_type: m5.large\n    priority: 101\n")
    r = ncg("validate", "--cluster", cluster)
    assert r.stderr == "%s:4:15: priority: 101 is out of range 1..100\n" % cluster


def test_plan_prefers_priority_among_equal_prices(tmp_path):
    """Price first, then priority (Cortex's autoscaler scales the highest-priority node group first), then the
    order of the file (Cortex 0.34: the smaller index, the higher the priority)."""
    api = tmp_path / "api.yaml"
    api.write_text("- name: web\n  compute:\n    cpu: 1\n    mem: 2Gi\n  autoscaling:\n    min_replicas: 3\n")
    cluster = tmp_path / "cluster.yaml"
    groups = "node_groups:\n" + "".join("  - name: %s\n    instance_type: m5.large\n    min_instances: 0\n%s"
                                         % (name, "    priority: %d\n" % p if p else "")
                                         for name, p in (("low", 1), ("high", 100), ("unset", 0)))
    cluster.write_text(groups)

    def used(cluster_file):
        r = ncg("plan", api, "--cluster", cluster_file, "-o", "json")
        assert r.returncode == 0, r.stderr
        return {g["name"]: g["nodes"] for g in json.loads(r.stdout)["node_groups"] if g["nodes"]}

    assert used(cluster) == {"high": 3}
    # equal priorities: the group listed first
    cluster.write_text(groups.replace("    priority: 100\n", ""))
    assert used(cluster) == {"low": 3}
    # a cheaper group wins over a higher priority
    cluster.write_text(groups.replace("m5.large\n    min_instances: 0\n    priority: 1\n",
                                      "t3.medium\n    min_instances: 0\n    priority: 1\n"))
    assert used(cluster) == {"low": 3}
    # the corpus's cluster files that set priority: spot (100) before on-demand (unset, or 50) of the same type
    for name, want in (("v0.42.0__docs_clusters_instances_multi__1.yaml", {"cpu-spot": 3}),
                       ("v0.42.0__docs_clusters_instances_multi__3.yaml", {"cpu-spot": 3})):
        assert used(CORPUS / "clusters" / name) == want


def test_unknown_cluster_keys_are_errors(tmp_path):
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("cluster_name: x\nnode_groups:\n  - name: cpu\n    instance_type: m5.large\n"
                       "    max_instance: 3\n    spot_config:\n      max_prize: 1\nregoin: us-east-1\n")
    r = ncg("validate", "--cluster", cluster)
    assert r.returncode == 1
    assert r.stderr.splitlines() == ["%s:5:5: node_groups: unknown field \"max_instance\"" % cluster,
                                     "%s:7:7: spot_config: unknown field \"max_prize\"" % cluster,
                                     "%s:8:1: cluster: unknown field \"regoin\"" % cluster]


def test_cluster_region_chooses_prices(tmp_path):
    api = tmp_path / "api.yaml"
    api.write_text("- name: web\n  compute:\n    inf: 1\n")
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("region: eu-west-1\nnode_groups:\n  - name: inf\n    instance_type: inf1.xlarge\n"
                       "    min_instances: 0\n")
    doc = json.loads(ncg("plan", api, "--cluster", cluster, "-o", "json").stdout)
    assert doc["price_per_hour"] == pytest.approx(0.254)
    doc = json.loads(ncg("plan", api, "--cluster", cluster, "--region", "us-east-1", "-o", "json").stdout)
    assert doc["price_per_hour"] == pytest.approx(0.228)


# ---- API names ----

def test_api_name_rules_and_duplicates(tmp_path):
    f = tmp_path / "names.yaml"
    g = tmp_path / "more.yaml"
    f.write_text("- name: Web_API\n- name: ok-api\n- name: %s\n- name: end-\n" % ("a" * 43))
    g.write_text("- name: ok-api\n")
    r = ncg("validate", f, g)
    assert r.returncode == 1
    rule = ("is not a valid API name: at most 42 characters of a-z, 0-9 and '-', starting with a letter and not "
            "ending with '-' (Cortex's rule, a DNS-1035 label)")
    assert r.stderr.splitlines() == [
        "%s:1:9: api Web_API: name: \"Web_API\" %s" % (f, rule),
        "%s:3:9: api %s: name: \"%s\" %s" % (f, "a" * 43, "a" * 43, rule),
        "%s:4:9: api end-: name: \"end-\" %s" % (f, rule),
        "%s:1:9: api ok-api: name: another API has the name \"ok-api\" (%s:2:3)" % (g, f),
    ]
    f.write_text("- name: %s\n" % ("a" * 42))
    assert ncg("validate", f).returncode == 0


# ---- conventions ----

def test_no_file_reads_cortex_yaml_or_asks(tmp_path):
    r = ncg("plan", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("ncg: no FILE given and no ./cortex.yaml here: give a Cortex API file ('-' reads "
                               "standard input), or --example for the bundled example\nusage: ncg plan")
    (tmp_path / "cortex.yaml").write_text("- name: web\n  compute:\n    inf: 1\n")
    r = ncg("plan", "--types", "inf1.xlarge", cwd=tmp_path)
    assert r.returncode == 0
    assert r.stderr == "ncg: reading ./cortex.yaml (no FILE given)\n"
    assert r.stdout.startswith("plan: 1 nodes, 1 of 1 replicas placed\n")
    r = ncg("validate", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "cortex.yaml: 1 API valid\n")


def test_stdin(tmp_path):
    r = ncg("validate", "-", stdin="- name: web\n  compute:\n    inf: 1\n")
    assert (r.returncode, r.stdout) == (0, "<stdin>: 1 API valid\n")
    r = ncg("validate", "-", stdin="- name: web\n  compute:\n    inff: 1\n")
    assert (r.returncode, r.stderr) == (1, "<stdin>:3:5: api web: compute: unknown field \"inff\"\n")


def test_output_is_a_format(tmp_path):
    r = ncg("plan", "--example", "-o", "plan.svg", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("ncg: -o/--output is the output format (text, json, yaml, svg, cortex-cluster), not \"plan.svg\"; write to a "
                               "file with --output-file\nusage: ncg plan")
    assert not (tmp_path / "plan.svg").exists()
    r = ncg("plan", "--example", "-o", "json", "--output-file", "plan.json", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "")
    assert json.loads((tmp_path / "plan.json").read_text())["placed"] == 41


@pytest.mark.parametrize("cmd", ["types", "groups", "validate", "plan"])
def test_help_lists_options_and_examples(cmd):
    r = ncg(cmd, "--help")
    assert r.returncode == 0
    assert "options:\n" in r.stdout
    assert r.stdout.count("\n  ncg " + cmd) == 2  # two examples
    assert "--region" in r.stdout and "-o, --output" in r.stdout
    assert ncg("help", cmd).stdout == r.stdout


def test_groups_unknown_type_suggests(tmp_path):
    r = ncg("groups", "--type", "inf1.xlarg", "--inf", 1)
    assert r.returncode == 1
    assert r.stderr == ("ncg: unknown instance type \"inf1.xlarg\" in us-east-1; did you mean \"inf1.xlarge\"? "
                        "(ncg types --region us-east-1 lists them; --catalog FILE adds types)\n")


def test_gpu_api_validates_without_cluster(tmp_path):
    f = tmp_path / "gpu.yaml"
    f.write_text("- name: gpu\n  compute:\n    gpu: 4\n    cpu: 40\n")
    assert ncg("validate", f).returncode == 0
    f.write_text("- name: gpu\n  compute:\n    gpu: 17\n")
    r = ncg("validate", f)
    assert r.stderr == ("%s:1:3: api gpu: compute: no instances can satisfy the requested GPU quantity - requested 17 "
                        "GPU but instances only have 16 GPU available\n" % f)


def test_trainium3_example_catalog_is_switched():
    cat = EXAMPLES / "trainium3-catalog.yaml"
    r = ncg("groups", "--catalog", cat, "--type", "trn3.48xlarge", "--inf", "3", "--ppr", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:2] == [
        "trn3.48xlarge: 3 NeuronCore Groups of 4 cores; AWS_NEURON_VISIBLE_DEVICES=0,1,2",
        "  process 0: NEURON_RT_VISIBLE_CORES=0-3 NEURONCORE_GROUP_SIZES=4 NEURON_LOGICAL_NC_CONFIG=2 chips 0-0 device "
        "memory 144Gi"]
    doc = json.loads(ncg("groups", "--catalog", cat, "--type", "trn3.48xlarge", "--inf", "3", "--lnc", "1",
                         "-o", "json").stdout)
    assert (doc["ncg_size"], doc["lnc"], doc["groups"][0]["cores"]) == (24, 1, "0-23")
    t = json.loads(ncg("types", "--catalog", cat, "--family", "trn3", "-o", "json").stdout)
    assert [(x["name"], x["topology"], x["lnc"], x["cores_per_chip"]) for x in t] == [
        ("trn3.48xlarge", "switched", 2, 4)]

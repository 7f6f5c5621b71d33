"""The CLI's classes of bad input, one table: malformed and hostile YAML (unclosed flows, tabs, undefined aliases,
alias bombs, deep nesting, bytes that are not UTF-8), wrong YAML types, bad values (fractional, negative and huge
inf, ppr 0 or not dividing, names missing, empty or taken, malformed and overflowing quantities, models) and bad
cluster files. Each row asserts `ncg validate`'s exit status 1, its exact stderr and an empty stdout, within a
time that shows nothing blew up. The C API's classes are in tests/robust/badinput-rows.def.

The YAML size and depth limits are the CLI's own (doc/limits.md); their rows belong with that work."""
import os
import subprocess
import time

import pytest

NCG = os.environ.get("NCG_BIN", "build/src/cli/ncg")

DEEP = b"- name: x\n  compute:\n    inf: " + b"[" * 3000 + b"]" * 3000 + b"\n"
BOMB = b"- name: x\n  compute:\n    inf: 1\n  ncg:\n    x0: &a0 [{name: m, size: 1}, {name: m, size: 1}, {name: m, size: 1}]\n"
for _i in range(1, 7):
    BOMB += b"    x%d: &a%d [%s]\n" % (_i, _i, b",".join([b"*a%d" % (_i - 1)] * 9))
BOMB += b"    models: *a6\n"

OK_APIS = b"- name: x\n  compute:\n    inf: 1\n"

# (file kind, class, what it is, file contents, stderr with {f} for the file's path)
ROWS = [
    ('api', 'malformed_flow', 'invalid YAML: an unclosed flow sequence',
     b'- name: x\n  compute: [inf: 1\n',
     "{f}:3:1: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence\n"),
    ('api', 'tab_indent', 'invalid YAML: a tab in the indentation',
     b'- name: x\n\tcompute:\n',
     '{f}:2:1: invalid YAML: found a tab character that violates indentation while scanning a plain scalar\n'),
    ('api', 'undefined_alias', 'hostile YAML: an alias to no anchor',
     b'- name: x\n  compute: *nope\n',
     '{f}:2:12: invalid YAML: found undefined alias\n'),
    ('api', 'alias_bomb', 'hostile YAML: aliases nested nine-fold six times (a billion laughs)',
     BOMB,
     '{f}:10:46: the YAML has more than 1000000 nodes with its aliases expanded (the limit)\n'),
    ('api', 'duplicate_keys', 'a key given twice in one mapping: parsers disagree on which one counts',
     b'- name: a\n  name: b\n  compute: {inf: 1, inf: 4}\n  compute: {cpu: 1}\n',
     '{f}:2:3: invalid YAML: the key "name" is given twice in one mapping (first at 1:3)\n'
     '{f}:3:21: invalid YAML: the key "inf" is given twice in one mapping (first at 3:13)\n'
     '{f}:4:3: invalid YAML: the key "compute" is given twice in one mapping (first at 3:3)\n'),
    ('cluster', 'duplicate_cluster_key', 'a cluster key given twice',
     b'instance_type: inf1.xlarge\nmax_instances: 5\nmax_instances: 50\n',
     '{f}:3:1: invalid YAML: the key "max_instances" is given twice in one mapping (first at 2:1)\n'),
    ('api', 'min_above_max', "Cortex's autoscaling rule: min_replicas above max_replicas",
     b'- name: x\n  autoscaling: {min_replicas: 5, max_replicas: 3}\n',
     '{f}:2:31: api x: autoscaling.min_replicas: min_replicas cannot be greater than max_replicas (5 > 3)\n'),
    ('api', 'init_above_max', "Cortex's autoscaling rule: init_replicas above max_replicas",
     b'- name: x\n  autoscaling: {init_replicas: 20, max_replicas: 10}\n',
     '{f}:2:32: api x: autoscaling.init_replicas: init_replicas cannot be greater than max_replicas (20 > 10)\n'),
    ('api', 'init_below_min', "Cortex's autoscaling rule: init_replicas below min_replicas",
     b'- name: x\n  autoscaling: {min_replicas: 1, init_replicas: 0}\n',
     '{f}:2:49: api x: autoscaling.init_replicas: init_replicas cannot be less than min_replicas (0 < 1)\n'),
    ('api', 'alias_duplicate_api', 'an alias repeating an API: a duplicate name',
     b'- &a\n  name: x\n  compute:\n    inf: 1\n- *a\n',
     '{f}:2:9: api x: name: another API has the name "x" ({f}:1:3)\n'),
    ('api', 'deep_nesting', 'hostile YAML: 3000 nested flow sequences',
     DEEP,
     '{f}:3:71: the YAML nests deeper than 64 levels (the limit)\n'),
    ('api', 'invalid_utf8', 'invalid YAML: bytes that are not UTF-8',
     b'- name: \xff\xfe\n',
     '{f}:1:1: invalid YAML: invalid leading UTF-8 octet\n'),
    ('api', 'empty_file', 'no document',
     b'',
     '{f}:1:1: the file holds no APIs\n'),
    ('api', 'top_mapping', 'wrong YAML type: a mapping where the API list goes',
     b'name: x\ncompute:\n  inf: 1\n',
     '{f}:1:1: apis: expected a list of APIs\n'),
    ('api', 'list_of_scalars', 'wrong YAML type: scalars where APIs go',
     b'- x\n- y\n',
     '{f}:1:3: api: expected a mapping\n{f}:2:3: api: expected a mapping\n'),
    ('api', 'inf_string', 'wrong YAML type: a string for inf',
     b'- name: x\n  compute:\n    inf: two\n',
     '{f}:3:10: api x: compute.inf: invalid type (expected integer)\n'),
    ('api', 'inf_list', 'wrong YAML type: a list for inf',
     b'- name: x\n  compute:\n    inf: [1]\n',
     '{f}:3:10: api x: compute.inf: invalid type (expected integer)\n'),
    ('api', 'inf_fraction', 'fractional inf',
     b'- name: x\n  compute:\n    inf: 0.5\n',
     '{f}:3:10: api x: compute.inf: invalid type (expected integer)\n'),
    ('api', 'inf_negative', 'negative inf',
     b'- name: x\n  compute:\n    inf: -1\n',
     '{f}:3:10: api x: compute.inf: -1 is out of range 0..1000000\n'),
    ('api', 'inf_huge', 'inf past 2^64',
     b'- name: x\n  compute:\n    inf: 99999999999999999999\n',
     '{f}:3:10: api x: compute.inf: 99999999999999999999 is out of range 0..1000000\n'),
    ('api', 'inf_nan', 'inf .nan (a YAML float that is not a number)',
     b'- name: x\n  compute:\n    inf: .nan\n',
     '{f}:3:10: api x: compute.inf: .nan is not a number (expected integer)\n'),
    ('api', 'replicas_inf', 'max_replicas .inf',
     b'- name: x\n  autoscaling: {max_replicas: .inf}\n',
     '{f}:2:31: api x: autoscaling.max_replicas: .inf is out of range 0..10000000\n'),
    ('api', 'ppr_zero', 'processes_per_replica 0',
     b'- name: x\n  predictor:\n    processes_per_replica: 0\n  compute:\n    inf: 1\n',
     '{f}:3:28: api x: predictor.processes_per_replica: 0 is out of range 1..1000000\n'),
    ('api', 'ppr_not_dividing', 'processes_per_replica not dividing the NeuronCores',
     b'- name: x\n  predictor:\n    processes_per_replica: 3\n  compute:\n    inf: 1\n',
     '{f}:1:3: api x: processes_per_replica: cannot evenly distribute 1 Inferentia ASIC (4 NeuronCores total) over 3 processes - acceptable numbers of processes are 1, 2, or 4\n'),
    ('api', 'never_fits', 'more chips than any type has',
     b'- name: x\n  compute:\n    inf: 64\n',
     '{f}:1:3: api x: compute: no instances can satisfy the requested Inf quantity - requested 64 Inf but instances only have 16 Inf available\n'),
    ('api', 'name_missing', 'an API without a name',
     b'- compute:\n    inf: 1\n',
     '{f}:1:3: name: missing (every API needs a name)\n'),
    ('api', 'name_empty', 'an empty name',
     b"- name: ''\n  compute:\n    inf: 1\n",
     '{f}:1:3: name: missing (every API needs a name)\n'),
    ('api', 'name_duplicate', 'two APIs of one name',
     b'- name: x\n  compute:\n    inf: 1\n- name: x\n  compute:\n    inf: 1\n',
     '{f}:4:9: api x: name: another API has the name "x" ({f}:1:3)\n'),
    ('api', 'cpu_malformed', 'a malformed CPU quantity',
     b'- name: x\n  compute:\n    cpu: 1x\n',
     '{f}:3:10: api x: compute.cpu: invalid CPU quantity "1x": expected a number with an optional "m" suffix, such as 1, 1.5 or 500m\n'),
    ('api', 'mem_overflow', 'a memory quantity past int64',
     b'- name: x\n  compute:\n    mem: 99999999999Ei\n',
     '{f}:3:10: api x: compute.mem: invalid memory quantity "99999999999Ei": too large\n'),
    ('api', 'mem_negative', 'a negative memory quantity',
     b'- name: x\n  compute:\n    mem: -1Gi\n',
     '{f}:3:10: api x: compute.mem: invalid memory quantity "-1Gi": must not be negative\n'),
    ('api', 'unknown_field', 'an unknown field',
     b'- name: x\n  computer:\n    cpu: 1\n',
     '{f}:2:3: api x: api: unknown field "computer"\n'),
    ('api', 'unknown_compute_field', 'neuroncores is not a Cortex field',
     b'- name: x\n  compute:\n    inf: 1\n    neuroncores: 2\n',
     '{f}:4:5: api x: compute: unknown field "neuroncores"\n'),
    ('api', 'model_cores', 'a model compiled for more cores than its NCG',
     b'- name: x\n  compute:\n    inf: 1\n  ncg:\n    models:\n      - name: m\n        size: 1Gi\n        compiled_cores: 8\n',
     '{f}:1:3: api x: ncg.models: model "m" is compiled for 8 NeuronCores but its NeuronCore Group has 4: lower processes_per_replica, request more chips, or recompile for 4 NeuronCores\n'),
    ('api', 'model_size_string', 'a model size that is no quantity',
     b'- name: x\n  compute:\n    inf: 1\n  ncg:\n    models:\n      - name: m\n        size: huge\n',
     '{f}:7:15: api x: ncg.models.size: invalid memory quantity "huge": expected a number of bytes with an optional suffix k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi or Ei, such as 4G, 4Gi or 512Mi\n'),
    ('cluster', 'cluster_max_string', 'wrong YAML type: a string for max_instances',
     b'instance_type: inf1.xlarge\nmin_instances: 1\nmax_instances: many\n',
     '{f}:3:16: max_instances: invalid type (expected integer)\n'),
    ('cluster', 'cluster_min_above_max', 'min_instances above max_instances',
     b'instance_type: inf1.xlarge\nmin_instances: 3\nmax_instances: 2\n',
     '{f}:2:16: min_instances: min_instances (3) must be <= max_instances (2)\n'),
    ('cluster', 'cluster_list', 'wrong YAML type: a list for the cluster',
     b'- a\n- b\n',
     '{f}:1:1: expected a cluster configuration (a mapping)\n'),
    ('cluster', 'cluster_negative_price', 'a negative price',
     b'node_groups:\n  - name: a\n    instance_type: inf1.xlarge\n    max_instances: 2\n    price: -1\n',
     '{f}:5:12: price: "-1" is not a price in USD per hour\n'),
    ('cluster', 'cluster_unknown_type', 'an unknown instance type',
     b'instance_type: inf9.huge\nmin_instances: 1\nmax_instances: 2\n',
     '{f}:1:16: node group inf9.huge: instance_type: unknown instance type "inf9.huge" in us-east-1 (ncg types --region us-east-1 lists them; --catalog FILE adds types)\n'),
]


def test_table_has_its_classes():
    assert len(ROWS) >= 30
    assert len({r[1] for r in ROWS}) == len(ROWS)


@pytest.mark.parametrize("kind,name,what,data,stderr", ROWS, ids=[r[1] for r in ROWS])
def test_bad_input(tmp_path, kind, name, what, data, stderr):
    bad = tmp_path / (name + ".yaml")
    bad.write_bytes(data)
    if kind == "api":
        args = ["validate", str(bad)]
    else:
        apis = tmp_path / "apis.yaml"
        apis.write_bytes(OK_APIS)
        args = ["validate", str(apis), "--cluster", str(bad)]
    start = time.monotonic()
    r = subprocess.run([NCG, *args], capture_output=True, timeout=60)
    assert time.monotonic() - start < 20, what
    assert r.returncode == 1, (what, r.stderr)
    assert r.stdout == b""
    assert r.stderr.decode() == stderr.replace("{f}", str(bad)), what

"""ncg.cortex: every function of libncg-cortex wrapped, its errors (exact codes and FILE:LINE:COLUMN messages),
keep-going diagnostics, ownership, and a plan read from examples/cortex/ compared with `ncg plan -o json` of the
same files. Run by meson with $NCG_CORTEX_LIBRARY (the reader is optional: without it these tests are skipped,
except those checking that `import ncg` still works)."""
import ctypes
import gc
import json
import os
import pathlib
import re
import subprocess
import sys
import weakref

import pytest

import ncg
from ncg import _ffi
from plan_compare import assert_plan_matches_cli

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(PKG))
EXAMPLES = os.environ.get("NCG_EXAMPLES") or os.path.join(ROOT, "examples")
CLUSTER = os.path.join(EXAMPLES, "cortex", "cluster.yaml")
APIS = os.path.join(EXAMPLES, "cortex", "apis.yaml")
CORTEX_LIB = os.environ.get("NCG_CORTEX_LIBRARY")

needs_cortex = pytest.mark.skipif(not CORTEX_LIB, reason="libncg-cortex is not built ($NCG_CORTEX_LIBRARY)")

SPLIT = """- name: a
  kind: RealtimeAPI
  compute: {cpu: 1}
- name: b
  kind: RealtimeAPI
  compute: {cpu: 1}
  node_groups: [g1]
- name: split
  kind: TrafficSplitter
  apis:
    - {name: a, weight: 70}
    - {name: b, weight: 30}
    - {name: a, weight: 0, shadow: true}
"""

BAD = ("- name: a\n  kind: RealtimeAPI\n  compute: {cpu: -1, inf: x}\n- name: Bad_Name\n  kind: RealtimeAPI\n"
       "- name: ok\n  kind: RealtimeAPI\n  compute: {inf: 100}\n")
BAD_CLUSTER = "region: xx-nowhere-1\ninstance_type: inf1.xlarg\n"

REGION_WARNING = ("c.yaml:1:9: warning: region \"xx-nowhere-1\" is not one of the catalog's 23 regions; using "
                  "us-east-1 (--region R chooses one)")
UNKNOWN_TYPE = ("c.yaml:2:16: node group inf1.xlarg: instance_type: unknown instance type \"inf1.xlarg\" in %s; did "
                "you mean \"inf1.xlarge\"? (ncg types --region %s lists them; --catalog FILE adds types)")
BAD_NAME = ("k.yaml:4:9: api Bad_Name: name: \"Bad_Name\" is not a valid API name: at most 42 characters of a-z, "
            "0-9 and '-', starting with a letter and not ending with '-' (Cortex's rule, a DNS-1035 label)")
NO_INF = ("k.yaml:6:3: api ok: compute: no instances can satisfy the requested Inf quantity - requested 100 Inf but "
          "instances only have 16 Inf available")


def raises(cls, code, message):
    """The call raises cls with that code (a Status) and exactly that message."""
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(cls)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            ok = self.ctx.__exit__(*exc)
            e = self.info.value
            assert (e.code, type(e.code), e.message, str(e)) == (code, ncg.Status, message, message)
            return ok
    return Check()


def run_python(code, drop=(), **env):
    e = dict(os.environ, PYTHONPATH=PKG, **env)
    for k in drop:
        e.pop(k, None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e)


# ------------------------------------------------------------------------------------------------------------
# Loading the library, the function table


def header_functions():
    text = open(os.path.join(ROOT, "include", "ncg-cortex.h"), encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.findall(r"\b(ncg_cortex_\w+)\s*\(", text)


def test_every_cortex_function_is_declared_once_in_header_order():
    names = [f[0] for f in _ffi._CORTEX_FUNCTIONS]
    assert names == header_functions()
    sym = open(os.path.join(ROOT, "src", "cortex", "libncg-cortex.sym"), encoding="utf-8").read()
    assert sorted(names) == sorted(re.findall(r"^\s*(ncg_cortex_\w+);", sym, flags=re.M))
    assert not set(names) & {f[0] for f in _ffi._FUNCTIONS}


def test_every_cortex_function_is_wrapped():
    source = open(os.path.join(PKG, "ncg", "cortex.py"), encoding="utf-8").read()
    assert [f[0] for f in _ffi._CORTEX_FUNCTIONS if not re.search(r"\.%s\b" % f[0], source)] == []


@needs_cortex
@pytest.mark.parametrize("name,restype,argtypes,kind", _ffi._CORTEX_FUNCTIONS,
                         ids=[f[0] for f in _ffi._CORTEX_FUNCTIONS])
def test_cortex_declaration(name, restype, argtypes, kind):
    lib, _ = _ffi.cortex_library()
    f = getattr(lib, name)
    assert f.restype is restype and _ffi.KINDS[name] == kind
    if kind == "plain":
        assert f.argtypes == argtypes and getattr(f, "errcheck", None) is None
    else:
        assert f.argtypes == argtypes + [ctypes.POINTER(_ffi._Error)]
        assert f.errcheck is (_ffi._errcheck_status if kind == "status" else _ffi._errcheck_handle)
        assert getattr(_ffi.cortex(), name).cfunc is f
    if kind == "handle":
        assert restype is ctypes.c_void_p


@needs_cortex
def test_version_and_library_path():
    assert ncg.cortex.version() == ncg.version() == "2.3.0"
    assert ncg.cortex.library_path() == CORTEX_LIB
    assert ncg.CortexFiles is ncg.cortex.Files
    assert (ncg.cortex.MAX_FILE_BYTES, ncg.cortex.MAX_DEPTH, ncg.cortex.MAX_ALIASES, ncg.cortex.MAX_NODES) == \
        (16 * 1024 * 1024, 64, 256, 1000000)
    assert (ncg.cortex.REPLICAS_MIN, ncg.cortex.REPLICAS_INIT, ncg.cortex.REPLICAS_MAX) == (-1, -2, -3)


def test_import_works_without_libncg_cortex():
    """The reader is optional: `import ncg` works, and the Cortex API raises one ImportError saying what was
    tried, each time it is used."""
    code = ("import ncg\n"
            "print(ncg.version())\n"
            "for f in (ncg.cortex.Files, ncg.cortex.version):\n"
            "    try:\n"
            "        f()\n"
            "    except ImportError as e:\n"
            "        print(e)\n")
    r = run_python(code, NCG_CORTEX_LIBRARY="/nonexistent/libncg-cortex.so.2")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 3 and lines[0] == "2.3.0" and lines[1] == lines[2]
    assert lines[1].startswith("cannot load libncg-cortex (the Cortex file reader) 2.3.0; tried: "
                               "$NCG_CORTEX_LIBRARY=/nonexistent/libncg-cortex.so.2 (")
    assert lines[1].endswith(". Set $NCG_CORTEX_LIBRARY to the path of libncg-cortex.so.2, or install libncg-cortex "
                             "where the dynamic loader finds it (meson builds it when libyaml is found).")
    libncg = os.environ["NCG_LIBRARY"]
    r = run_python("import ncg\ntry:\n    ncg.cortex.Files()\nexcept ImportError as e:\n    print(e)\n",
                   NCG_CORTEX_LIBRARY=libncg)
    assert "tried: $NCG_CORTEX_LIBRARY=%s (loaded, but it has no ncg_cortex_version: not libncg-cortex). " \
        % libncg in r.stdout


@needs_cortex
def test_lookup_without_env_next_to_libncg_then_soname(tmp_path):
    """Without $NCG_CORTEX_LIBRARY: libncg-cortex.so.2 in libncg's directory, else the SONAME, else
    find_library."""
    os.symlink(os.path.realpath(os.environ["NCG_LIBRARY"]), tmp_path / "libncg.so.2")
    os.symlink(os.path.realpath(CORTEX_LIB), tmp_path / "libncg-cortex.so.2")
    code = "import ncg\nprint(ncg.cortex.library_path(), ncg.cortex.version())\n"
    r = run_python(code, drop=["NCG_CORTEX_LIBRARY"], NCG_LIBRARY=str(tmp_path / "libncg.so.2"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(tmp_path / "libncg-cortex.so.2"), "2.3.0"]
    os.unlink(tmp_path / "libncg-cortex.so.2")
    r = run_python(code, drop=["NCG_CORTEX_LIBRARY"], NCG_LIBRARY=str(tmp_path / "libncg.so.2"),
                   LD_LIBRARY_PATH=os.path.dirname(CORTEX_LIB))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["libncg-cortex.so.2", "2.3.0"]
    r = run_python("import ncg\ntry:\n    ncg.cortex.Files()\nexcept ImportError as e:\n    print(e)\n",
                   drop=["NCG_CORTEX_LIBRARY"], NCG_LIBRARY=str(tmp_path / "libncg.so.2"),
                   LD_LIBRARY_PATH="/nonexistent")
    if r.stdout:  # unless a libncg-cortex 2.3.0 is installed system-wide
        assert "tried: next to libncg %s (" % (tmp_path / "libncg-cortex.so.2") in r.stdout
        assert "; SONAME libncg-cortex.so.2 (" in r.stdout
        assert "; ctypes.util.find_library('ncg-cortex') -> " in r.stdout


# ------------------------------------------------------------------------------------------------------------
# Reading files


@pytest.fixture
def example():
    with ncg.cortex.Files() as files:
        assert files.load_cluster(CLUSTER) == 3
        assert files.load_apis(APIS) == 6
        yield files


@needs_cortex
def test_example_files(example):
    f = example
    assert not f.keep_going and f.api_count == 6 and f.nodegroup_count == 3 and f.file_count == 2
    assert f.files == [CLUSTER, APIS] and f.file(1) == APIS
    assert f.region == "us-east-1"
    assert f.diagnostics == [] and f.diagnostic_count == 0 and f.error_count == 0
    assert [a.name for a in f.apis] == ["image-classifier-resnet50", "text-generator-gpt2", "sentiment-bert",
                                        "multi-model-classifier", "image-preprocessor", "batch-classifier"]
    assert f.api(0) == ncg.cortex.Api(
        index=0, name="image-classifier-resnet50", kind="RealtimeAPI", file=APIS, line=4, column=3, splitter=False,
        invalid=False, request=ncg.Request(inf=1, cpu="3", mem=4000000000, processes_per_replica=4, models=(
            ncg.Model("resnet50_neuron", 188743680, compiled_cores=1, static_weights=True),)),
        min_replicas=4, init_replicas=12, max_replicas=40, nodegroups=(), max_per_node=0, backends=())
    assert f.api(3).request.models == (ncg.Model("inception", 2147483648, 2, False),
                                       ncg.Model("resnet50", 1572864000, 2, False),
                                       ncg.Model("iris", 314572800, 1, False))
    assert (f.api(3).min_replicas, f.api(3).init_replicas, f.api(3).max_replicas) == (1, 3, 100)
    # a v0.38 pod: compute summed over its containers
    assert f.api(5).request == ncg.Request(inf=4, cpu="8500m", mem=26306674688)
    assert f.nodegroups == [
        ncg.cortex.NodeGroup(0, "inf-small", "inf1.2xlarge", 0, 20, None, 1, False, CLUSTER, 6, 5, 7, 20),
        ncg.cortex.NodeGroup(1, "inf-large", "inf1.6xlarge", 1, 20, None, 1, False, CLUSTER, 10, 5, 11, 20),
        ncg.cortex.NodeGroup(2, "inf-xl-spot", "inf1.24xlarge", 0, 4, 2.1, 1, True, CLUSTER, 14, 5, 15, 20)]
    # the request is the binding's Request: the same NCGs as the one written by hand
    with ncg.Catalog() as cat:
        by_hand = ncg.Request(inf=1, cpu=3, mem="4G", processes_per_replica=4,
                              models=[ncg.Model("resnet50_neuron", "180Mi", 1, True)])
        assert cat.layout("inf1.xlarge", f.api(0).request) == cat.layout("inf1.xlarge", by_hand)
        assert len(cat.layout("inf1.xlarge", f.api(0).request)) == 4


@needs_cortex
def test_text_instead_of_a_file_and_traffic_splitters():
    with ncg.cortex.Files() as f:
        assert f.load_apis("ts.yaml", SPLIT) == 3
        assert f.load_cluster(b"c.yaml", b"instance_type: inf1.xlarge\n") == 1
        split = f.api(2)
        assert (split.kind, split.splitter, split.file, split.line, split.column) == ("TrafficSplitter", True,
                                                                                      "ts.yaml", 8, 3)
        assert split.backends == (ncg.cortex.Backend("a", 70, False, 11, 7), ncg.cortex.Backend("b", 30, False, 12, 7),
                                  ncg.cortex.Backend("a", 0, True, 13, 7))
        assert f.backend(2, 1) == split.backends[1]
        assert f.api(1).nodegroups == ("g1",)
        assert f.files == ["ts.yaml", "c.yaml"] and f.region is None
        assert f.nodegroup(0).instance_type == "inf1.xlarge"


@needs_cortex
def test_argument_types():
    with ncg.cortex.Files() as f:
        with pytest.raises(TypeError, match=r"^path must be a str, bytes or os.PathLike, not int$"):
            f.load_apis(3)
        with pytest.raises(TypeError, match=r"^text must be a str or bytes, not list$"):
            f.load_apis("a.yaml", [])
        with pytest.raises(ValueError, match=r"^text contains a NUL character"):
            f.load_apis("a.yaml", "- name: a\0")
        with pytest.raises(TypeError, match=r"^replicas must be \"init\", \"min\", \"max\" or an int, not bool$"):
            f.add_to_plan(None, True)
        with pytest.raises(ValueError, match=r"^replicas must be \"init\", \"min\", \"max\" or an int, not 'all'$"):
            f.add_to_plan(None, "all")
        assert f.api_count == 0 and f.file_count == 0
        assert f.load_cluster(pathlib.Path(CLUSTER)) == 3 and f.files == [CLUSTER]


@needs_cortex
def test_strict_errors_refuse_the_file_and_leave_the_reader_unchanged(example, tmp_path):
    f = example
    missing = str(tmp_path / "none.yaml")
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "%s: No such file or directory" % missing):
        f.load_apis(missing)
    with raises(ncg.ParseError, ncg.Status.PARSE,
                "x.yaml:3:18: api a: compute.cpu: invalid CPU quantity \"-1\": must not be negative"):
        f.load_apis("x.yaml", "- name: a\n  kind: RealtimeAPI\n  compute: {cpu: -1}\n")
    with raises(ncg.ParseError, ncg.Status.PARSE,
                "y.yaml:1:9: api image-preprocessor: name: another API has the name \"image-preprocessor\" (%s:95:3)"
                % APIS):
        f.load_apis("y.yaml", "- name: image-preprocessor\n  kind: RealtimeAPI\n")
    with raises(ncg.RangeError, ncg.Status.RANGE,
                "big.yaml:1:1: the file is larger than 16777216 bytes (16 MiB), the limit"):
        f.load_apis("big.yaml", "#" * (ncg.cortex.MAX_FILE_BYTES + 1))
    with raises(ncg.RangeError, ncg.Status.RANGE, "deep.yaml:1:65: the YAML nests deeper than 64 levels (the limit)"):
        f.load_cluster("deep.yaml", "[" * 70 + "]" * 70)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "index: 6 is not an API (there are 6)"):
        f.api(6)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "index: -1 is not an API (there are 6)"):
        f.api(-1)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND,
                "index: 0 is not a backend of API image-classifier-resnet50 (it has 0)"):
        f.backend(0, 0)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "index: 3 is not a node group (there are 3)"):
        f.nodegroup(3)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "index: 0 is not a diagnostic (there are 0)"):
        f.diagnostic(0)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "file 2 does not exist (2 were loaded)"):
        f.file(2)
    assert (f.api_count, f.nodegroup_count, f.files, f.diagnostics) == (6, 3, [CLUSTER, APIS], [])


@needs_cortex
def test_catalog_files():
    with ncg.cortex.Files() as f, ncg.Catalog() as cat:
        assert f.load_catalog(cat, "cat.yaml", "- name: inf1.xlarge\n  price: 0.5\n") == 1
        assert cat.find("inf1.xlarge").usd_per_hour == 0.5
        with raises(ncg.ParseError, ncg.Status.PARSE,
                    "cat.yaml:3:3: type: type new.type: chips 0 is out of range 1..64"):
            f.load_catalog(cat, "cat.yaml", "- name: inf1.xlarge\n  price: 0.25\n- name: new.type\n  price: 0.5\n")
        assert cat.find("inf1.xlarge").usd_per_hour == 0.5 and "new.type" not in cat  # all entries or none
        assert ncg.cortex.suggest_type(cat, "inf1.xlarg") == "inf1.xlarge"
        assert ncg.cortex.suggest_type(cat, "m5.nothing") is None


@needs_cortex
def test_new_cluster_and_check(example):
    f = example
    with ncg.Catalog(f.region) as cat:
        with f.new_cluster(cat) as cl:
            assert [(g.name, g.instance_type, g.min_instances, g.max_instances, g.price) for g in cl.nodegroups] == [
                ("inf-small", "inf1.2xlarge", 0, 20, 0.362), ("inf-large", "inf1.6xlarge", 1, 20, 1.18),
                ("inf-xl-spot", "inf1.24xlarge", 0, 4, 2.1)]
            assert f.check(cat, cl) == 0
        assert f.check(cat) == 0
    with ncg.cortex.Files() as f, ncg.Catalog() as cat:
        with f.new_cluster(cat) as cl:
            assert len(cl.nodegroups) == 0  # no cluster file: no node groups
        f.load_cluster("c.yaml", BAD_CLUSTER)
        assert f.diagnostics == [ncg.cortex.Diagnostic(REGION_WARNING, "c.yaml", 1, 9, True, "region")]
        assert str(f.diagnostic(0)) == REGION_WARNING and f.error_count == 0 and f.region is None
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE, UNKNOWN_TYPE % ("us-east-1", "us-east-1")):
            f.new_cluster(cat)
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE, UNKNOWN_TYPE % ("eu-west-1", "eu-west-1")):
            f.new_cluster(ncg.Catalog("eu-west-1"))
        f.load_apis("k.yaml", "- name: ok\n  kind: RealtimeAPI\n  compute: {inf: 100}\n")
        with raises(ncg.NoFitError, ncg.Status.NO_FIT, NO_INF.replace("k.yaml:6:3:", "k.yaml:1:3:")):
            f.check(cat)


@needs_cortex
def test_keep_going_records_every_problem():
    with ncg.cortex.Files(keep_going=True) as f, ncg.Catalog() as cat:
        assert f.keep_going
        assert f.load_apis("k.yaml", BAD) == 3
        assert f.load_cluster("c.yaml", BAD_CLUSTER) == 1
        assert f.load_apis("broken.yaml", "a: [") == 0
        assert [(a.name, a.invalid) for a in f.apis] == [("a", True), ("Bad_Name", True), ("ok", False)]
        assert f.files == ["k.yaml", "c.yaml", "broken.yaml"]
        loaded = [d.message for d in f.diagnostics]
        assert loaded[:4] == [
            "k.yaml:3:18: api a: compute.cpu: invalid CPU quantity \"-1\": must not be negative",
            "k.yaml:3:27: api a: compute.inf: invalid type (expected integer)", BAD_NAME, REGION_WARNING]
        assert len(loaded) == 5 and loaded[4].startswith("broken.yaml:")
        assert f.error_count == 4 and f.diagnostic_count == 5
        with f.new_cluster(cat) as cl:  # the unknown type is left out and recorded
            assert len(cl.nodegroups) == 0
            assert f.diagnostics[4] == ncg.cortex.Diagnostic(UNKNOWN_TYPE % ("us-east-1", "us-east-1"), "c.yaml",
                                                             2, 16, False, "node_groups.instance_type")
            assert f.check(cat, cl) == 1  # only "ok" could be read; it fits nothing
        assert f.diagnostics[3] == ncg.cortex.Diagnostic(NO_INF, "k.yaml", 6, 3, False, "compute")
        assert [d.field for d in f.diagnostics[:3]] == ["compute.cpu", "compute.inf", "name"]
        assert [d.field for d in f.diagnostics if d.file == "broken.yaml"] == [None]  # the YAML itself
        assert f.error_count == 6
        with ncg.Plan() as plan:
            assert f.add_to_plan(plan, 1) == 1 and plan.apis == ["ok"]  # invalid APIs are not added
        missing = "/nonexistent/apis.yaml"
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "%s: No such file or directory" % missing):
            f.load_apis(missing)


@needs_cortex
def test_add_to_plan(example):
    f = example
    with ncg.Catalog(f.region) as cat, f.new_cluster(cat) as cl:
        for replicas, counts in (("init", [12, 6, 8, 3, 10, 2]), ("min", [4, 2, 2, 1, 1, 1]),
                                 ("max", [40, 16, 24, 100, 100, 100]), (ncg.cortex.REPLICAS_INIT, [12, 6, 8, 3, 10, 2]),
                                 (0, [0] * 6), (7, [7] * 6)):
            with ncg.Plan(cl) as plan:
                assert f.add_to_plan(plan, replicas) == 6
                assert plan.apis == [a.name for a in f.apis]
                plan.solve(work_limit=1)
                assert [sum(1 for r in plan.replicas() if r.api == i) for i in range(6)] == counts
        with ncg.Plan(cl) as plan:
            f.add_to_plan(plan)
            with raises(ncg.ExistsError, ncg.Status.EXISTS, "%s:4:3: api image-classifier-resnet50: the plan has an "
                        "API of that name already" % APIS):
                f.add_to_plan(plan)
            with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "replicas: 10000001 is not "
                        "NCG_CORTEX_REPLICAS_MIN/INIT/MAX or a count 0..10000000"):
                f.add_to_plan(plan, 10000001)
            assert plan.api_count == 6
    with ncg.cortex.Files() as g, ncg.Plan() as plan:
        g.load_apis("ts.yaml", SPLIT)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                    "ts.yaml:4:3: api b: node_groups: the plan's cluster has no node group \"g1\""):
            g.add_to_plan(plan)
        assert plan.api_count == 0  # checked before the first API is added


@needs_cortex
@pytest.mark.skipif(not os.environ.get("NCG_BIN"), reason="the ncg CLI is not built ($NCG_BIN)")
def test_plan_of_the_example_files_matches_the_cli():
    """The examples/cortex/ files read by libncg-cortex and planned: the plan of `ncg plan FILE --cluster FILE -o
    json`, field by field (which is also that of `ncg plan --example`)."""
    cli = json.loads(subprocess.run([os.environ["NCG_BIN"], "plan", APIS, "--cluster", CLUSTER, "-o", "json"],
                                    check=True, capture_output=True, text=True).stdout)
    example = json.loads(subprocess.run([os.environ["NCG_BIN"], "plan", "--example", "-o", "json"], check=True,
                                        capture_output=True, text=True).stdout)
    assert cli["nodes"] == example["nodes"] and cli["price_per_hour"] == example["price_per_hour"]
    with ncg.cortex.Files() as f:
        f.load_cluster(CLUSTER)
        f.load_apis(APIS)
        with ncg.Catalog(f.region) as cat, f.new_cluster(cat) as cl:
            assert f.check(cat, cl) == 0
            plan = ncg.Plan(cl)
        with plan:
            assert f.add_to_plan(plan, "init") == 6
            plan.solve()
            assert_plan_matches_cli(plan, cli)


# ------------------------------------------------------------------------------------------------------------
# Ownership


@needs_cortex
def test_closed_reader_raises_clearly_and_results_stay_valid(example):
    f = example
    api, group = f.api(0), f.nodegroup(2)
    f.close()
    assert f.closed
    f.close()
    for call in (lambda: f.load_apis(APIS), lambda: f.api(0), lambda: f.apis, lambda: f.nodegroups,
                 lambda: f.region, lambda: f.files, lambda: f.diagnostics, lambda: f.error_count,
                 lambda: f.new_cluster(None), lambda: f.check(None), lambda: f.add_to_plan(None)):
        with pytest.raises(ncg.ClosedError, match=r"^Files is closed$"):
            call()
    with pytest.raises(ncg.ClosedError):
        with f:
            pass
    assert api.name == "image-classifier-resnet50" and api.request.models[0].name == "resnet50_neuron"
    assert group.name == "inf-xl-spot" and group.file == CLUSTER


@needs_cortex
def test_garbage_collection_frees_readers():
    freed = []
    f = ncg.cortex.Files()
    f._free = lambda h, free=f._free: (freed.append(h), free(h))
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None and len(freed) == 1
    for _ in range(100):
        g = ncg.cortex.Files(keep_going=True)
        g.load_apis("k.yaml", BAD)
        g.diagnostics
    gc.collect()


@needs_cortex
def test_readers_survive_interpreter_shutdown():
    code = ("import ncg\n"
            "f = ncg.cortex.Files(); f.load_cluster(%r); f.load_apis(%r)\n"
            "cat = ncg.Catalog(); cl = f.new_cluster(cat); plan = ncg.Plan(cl); f.add_to_plan(plan)\n"
            "cycle = [f]; cycle.append(cycle)\n" % (CLUSTER, APIS))
    r = run_python(code)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_docstrings_and_hints():
    import typing
    for name in ncg.cortex.__all__:
        obj = getattr(ncg.cortex, name)
        if callable(obj):
            assert obj.__doc__, name
        if isinstance(obj, type):
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and (callable(value) or isinstance(value, property)):
                    assert value.__doc__, "%s.%s" % (name, attr)
    assert ncg.cortex.__doc__ and "cortex" in ncg.__all__ and "CortexFiles" in ncg.__all__
    assert typing.get_type_hints(ncg.cortex.Files.api)["return"] is ncg.cortex.Api
    assert typing.get_type_hints(ncg.cortex.Files.new_cluster)["return"] is ncg.Cluster


@needs_cortex
def test_logical_neuroncore_setting_of_node_groups_and_apis():
    with ncg.cortex.Files() as f, ncg.Catalog() as cat:
        assert f.load_cluster("c.yaml", "node_groups:\n  - name: t1\n    instance_type: trn2.48xlarge\n    lnc: 1\n"
                              "  - name: t2\n    instance_type: trn2.48xlarge\n") == 2
        assert [g.lnc for g in f.nodegroups] == [1, 0]
        assert f.load_apis("a.yaml", "- name: a\n  compute: {inf: 1}\n  ncg:\n    lnc: 1\n") == 1
        assert f.api(0).request.lnc == 1
        with f.new_cluster(cat) as cl:
            assert [g.lnc for g in cl.nodegroups] == [1, 2]

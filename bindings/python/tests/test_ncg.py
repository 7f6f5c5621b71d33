"""The Python binding: every wrapped function, conversions, ownership and errors (the rules themselves are
tested in C). Run by meson against the library just built ($NCG_LIBRARY)."""
import ctypes
import dataclasses
import gc
import inspect
import os
import re
import subprocess
import sys
import weakref

import pytest

import ncg
from ncg import _ffi

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(PKG))


def raises(cls, code, message=None, match=None):
    """Context manager: the call raises cls with that code and exactly that message (or matching `match`)."""
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(cls)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            ok = self.ctx.__exit__(*exc)
            e = self.info.value
            assert isinstance(e, ncg.NcgError)
            assert e.code == code and isinstance(e.code, ncg.Status)
            assert str(e) == e.message
            if message is not None:
                assert e.message == message
            if match is not None:
                assert re.search(match, e.message), e.message
            return ok
    return Check()


# ------------------------------------------------------------------------------------------------------------
# Loading, version, the function table


def run_python(code, **env):
    e = dict(os.environ, PYTHONPATH=PKG, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e)


def test_version():
    assert ncg.version() == "2.3.0"
    assert ncg.version_info == (2, 3, 0)
    assert ncg.library_path == os.environ.get("NCG_LIBRARY", ncg.library_path)


def test_import_error_lists_what_was_tried():
    r = run_python("import ncg", NCG_LIBRARY="/nonexistent/libncg.so.2")
    assert r.returncode != 0
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: cannot load libncg 2.x; tried: $NCG_LIBRARY=/nonexistent/libncg.so.2 (")
    assert "Set $NCG_LIBRARY to the path of libncg.so.2" in last
    libc = ctypes.util.find_library("c")
    r = run_python("import ncg", NCG_LIBRARY=libc)
    assert "(loaded, but it has no ncg_version: not libncg)" in r.stderr


@pytest.mark.skipif(not os.environ.get("NCG_FAKE_20"), reason="the stand-in libraries are built by meson test")
def test_import_refuses_other_versions():
    for var, ver, needs in (("NCG_FAKE_20", "2.0.0", "2.3 or later"), ("NCG_FAKE_30", "3.0.1", "2.x")):
        path = os.environ[var]
        r = run_python("import ncg", NCG_LIBRARY=path)
        assert r.returncode != 0
        assert r.stderr.strip().splitlines()[-1] == (
            "ImportError: cannot load libncg 2.x; tried: $NCG_LIBRARY=%s (libncg %s; this binding needs %s). Set "
            "$NCG_LIBRARY to the path of libncg.so.2, or install libncg 2.3 or later where the dynamic loader finds "
            "it." % (path, ver, needs))


def test_import_without_env_tries_soname_then_find_library():
    env = dict(os.environ, PYTHONPATH=PKG)
    env.pop("NCG_LIBRARY", None)
    env["LD_LIBRARY_PATH"] = os.path.dirname(os.environ["NCG_LIBRARY"])
    r = subprocess.run([sys.executable, "-c", "import ncg; print(ncg.library_path)"], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "libncg.so.2"
    env["LD_LIBRARY_PATH"] = "/nonexistent"
    r = subprocess.run([sys.executable, "-c", "import ncg"], capture_output=True, text=True, env=env)
    if r.returncode != 0:  # unless a libncg 2 is installed system-wide
        assert "tried: SONAME libncg.so.2 (" in r.stderr
        assert "ctypes.util.find_library('ncg') -> " in r.stderr


def header_functions():
    text = open(os.path.join(ROOT, "include", "ncg.h"), encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return sorted(set(re.findall(r"\b(ncg_\w+)\s*\(", text)) - {"ncg_error"})


def test_every_public_function_is_declared_once():
    names = [f[0] for f in _ffi._FUNCTIONS]
    assert len(names) == len(set(names))
    assert sorted(names) == header_functions()
    sym = open(os.path.join(ROOT, "src", "libncg.sym"), encoding="utf-8").read()
    assert sorted(names) == sorted(re.findall(r"^\s*(ncg_\w+);", sym, flags=re.M))


def test_every_function_is_wrapped():
    """Every C function of the table is called by the package's Pythonic API (none is reachable only raw)."""
    source = open(os.path.join(PKG, "ncg", "__init__.py"), encoding="utf-8").read()
    unused = [f[0] for f in _ffi._FUNCTIONS if not re.search(r"\bC\.%s\b" % f[0], source)]
    assert unused == []


@pytest.mark.parametrize("name,restype,argtypes,kind", _ffi._FUNCTIONS, ids=[f[0] for f in _ffi._FUNCTIONS])
def test_declaration(name, restype, argtypes, kind):
    f = getattr(_ffi.lib, name)
    assert f.restype is restype
    if kind == "plain":
        assert f.argtypes == argtypes
        assert getattr(f, "errcheck", None) is None
    else:
        assert f.argtypes == argtypes + [ctypes.POINTER(_ffi._Error)]
        assert f.errcheck is (_ffi._errcheck_status if kind == "status" else _ffi._errcheck_handle)
        assert getattr(_ffi.C, name).cfunc is f
    # pointer results are never left as int
    if kind == "handle":
        assert restype is ctypes.c_void_p


def test_strerror_and_status():
    assert ncg.strerror(ncg.Status.NOT_FOUND) == "not found"
    assert ncg.strerror(-14) == "unknown error"
    assert ncg.strerror(-999) == "unknown error"
    assert [s.value for s in ncg.Status] == list(range(0, -14, -1)) + [-15]  # -14 is retired
    assert ncg.strerror(ncg.Status.LNC) == "Logical NeuronCore setting differs"


def test_exception_classes():
    expect = {-1: (ncg.InvalidArgumentError, ValueError), -2: (ncg.OutOfMemoryError, MemoryError),
              -3: (ncg.ParseError, ValueError), -4: (ncg.RangeError, ValueError),
              -5: (ncg.UnknownTypeError, LookupError), -6: (ncg.NotFoundError, LookupError),
              -7: (ncg.PprError, ValueError), -8: (ncg.NoFitError, ValueError),
              -9: (ncg.TopologyError, ValueError), -10: (ncg.FullError, ncg.NcgError),
              -11: (ncg.OverlapError, ncg.NcgError), -12: (ncg.ModelError, ValueError),
              -13: (ncg.ExistsError, ncg.NcgError), -15: (ncg.LncError, ValueError)}
    for code, (cls, base) in expect.items():
        with pytest.raises(cls) as e:
            ncg._raise(code, "m%d" % code)
        assert isinstance(e.value, base) and isinstance(e.value, ncg.NcgError)
        assert e.value.code == code and e.value.message == "m%d" % code
        assert ncg.strerror(code) != "unknown error"
    with pytest.raises(ncg.NcgError) as e:
        ncg._raise(-99, "future")
    assert type(e.value) is ncg.NcgError and e.value.code == -99
    assert repr(e.value) == "NcgError(-99, 'future')"


def test_errcheck_falls_back_to_strerror_without_message():
    err = _ffi._Error()
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "not found"):
        _ffi._errcheck_status(-6, None, (err,))
    with raises(ncg.OutOfMemoryError, ncg.Status.NOMEM, "out of memory"):
        _ffi._errcheck_handle(None, None, (err,))


# ------------------------------------------------------------------------------------------------------------
# Quantities, ppr, env strings, names


def test_quantities():
    assert ncg.parse_cpu("500m") == 500
    assert ncg.parse_cpu("1.5") == 1500
    assert ncg.parse_memory("4Gi") == 4 << 30
    assert ncg.parse_memory("1.5Gi") == 3 << 29
    with raises(ncg.ParseError, ncg.Status.PARSE, match=r'^invalid CPU quantity "abc"'):
        ncg.parse_cpu("abc")
    with raises(ncg.ParseError, ncg.Status.PARSE):
        ncg.parse_memory("4 Gi")
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.parse_memory("99999999E")
    with pytest.raises(TypeError):
        ncg.parse_cpu(1)
    assert ncg.format_cpu(2000) == "2"
    assert ncg.format_cpu(2500) == "2500m"
    assert ncg.format_memory(4000000000) == "4G"
    assert ncg.format_memory(7331643392) == "6992Mi"
    assert ncg.format_memory(1023) == "1023"
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.format_cpu(-1)
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.format_memory(-1)


def test_buffer_rule_is_followed():
    buf = ctypes.create_string_buffer(b"xyz", 4)
    assert ncg.C.ncg_format_cpu(2500, buf, 4) == 5
    assert buf.raw == b"xyz\0"
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
        ncg.C.ncg_format_cpu(2500, None, 4)


def test_request_quantities_accept_int_float_and_str():
    with ncg.Catalog() as cat, ncg.Node(cat, "inf1.6xlarge") as node:
        for cpu, milli in ((2, 2000), (1.5, 1500), (0.0001, 1), ("750m", 750)):
            for mem, nbytes in ((1 << 30, 1 << 30), (1.5, 2), ("1Gi", 1 << 30)):
                a = node.allocate(cpu=cpu, mem=mem)
                assert (a.cpu_milli, a.memory_bytes) == (milli, nbytes)
                node.release(a.id)
        for bad in (True, None, [1]):
            with pytest.raises(TypeError):
                node.allocate(cpu=bad)
            with pytest.raises(TypeError):
                node.allocate(mem=bad)
        with raises(ncg.ParseError, ncg.Status.PARSE):
            node.allocate(cpu="2 cores")
        with raises(ncg.RangeError, ncg.Status.RANGE):
            node.allocate(cpu=-1)
        with pytest.raises(TypeError):
            node.allocate(ppr=2)  # Cortex's name is processes_per_replica
        with pytest.raises(TypeError):
            node.allocate(ncg.Request(inf=1), cpu=1)
        assert node.alloc_ids() == []


def test_ppr():
    inf = ncg.Accelerator.INFERENTIA
    assert ncg.ppr_check(inf, 4, 2, 4) == 2  # ncg_ppr_check(accel, cores_per_chip, chips, ppr)
    with raises(ncg.PprError, ncg.Status.PPR,
                "cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - "
                "acceptable numbers of processes are 1, 2, 4, or 8"):
        ncg.ppr_check(inf, 4, 2, 3)
    with raises(ncg.PprError, ncg.Status.PPR, match="Trainium chip"):
        ncg.ppr_check(ncg.Accelerator.TRAINIUM, 2, 1, 3)
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
        ncg.ppr_check(ncg.Accelerator.GPU, 4, 1, 1)
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.ppr_check(inf, 4, 1, 0)
    assert ncg.ppr_values(8) == [1, 2, 4, 8]
    assert ncg.ppr_values(1) == [1]
    assert ncg.ppr_values(12) == [1, 2, 3, 4, 6, 12]
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.ppr_values(0)


def test_env_strings():
    assert ncg.parse_visible_cores("3-6") == range(3, 7)
    assert ncg.parse_visible_cores("3,4,5,6", 16) == range(3, 7)
    assert ncg.parse_visible_cores("4") == range(4, 5)
    assert ncg.parse_visible_devices("2,3") == range(2, 4)
    assert ncg.parse_visible_devices("2-3", 4) == range(2, 4)
    with raises(ncg.ParseError, ncg.Status.PARSE):
        ncg.parse_visible_cores("6-3")
    with raises(ncg.ParseError, ncg.Status.PARSE):
        ncg.parse_visible_devices("1,3")
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.parse_visible_cores("3-6", 4)
    assert ncg.parse_core_group_sizes("4") == [4]
    assert ncg.parse_core_group_sizes("2,4,6,4") == [2, 4, 6, 4]
    with raises(ncg.ParseError, ncg.Status.PARSE):
        ncg.parse_core_group_sizes("2,,4")
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.parse_core_group_sizes("0")
    assert ncg.format_ids(4, 4) == "4-7"
    assert ncg.format_ids(4, 1) == "4"
    assert ncg.format_ids(2, 2, ranged=False) == "2,3"
    with raises(ncg.RangeError, ncg.Status.RANGE):
        ncg.format_ids(-1, 2)


def test_enum_names():
    assert [t.label for t in ncg.Topology] == ["single", "chain", "ring", "torus4x4", "switched"]
    assert ncg.Topology.SWITCHED == 4 and ncg.topology_name(4) == "switched"
    assert [a.label for a in ncg.Accelerator] == ["none", "inferentia", "trainium", "gpu"]
    assert [c.label for c in ncg.CacheState] == ["fits", "context-switched", "does not fit"]
    assert ncg.topology_name(2) == "ring"
    for fn in (ncg.topology_name, ncg.accel_name, ncg.cache_state_name):
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "unknown value 42"):
            fn(42)
    assert ncg._enum(ncg.Policy, 7) == 7  # values a newer library adds stay ints


# ------------------------------------------------------------------------------------------------------------
# Catalog


def test_catalog_types():
    with ncg.Catalog() as cat:
        types = {t.name: t for t in cat}
        assert len(cat) == len(types) == 14
        t = cat.find("inf1.6xlarge")
        assert t == types["inf1.6xlarge"] == cat.type_at(cat.index("inf1.6xlarge"))
        assert (t.family, t.accelerator, t.chips, t.cores_per_chip, t.cores, t.topology) == \
            ("inf1", ncg.Accelerator.INFERENTIA, 4, 4, 16, ncg.Topology.CHAIN)
        assert (t.cpu_milli, t.memory_bytes, t.device_memory_bytes, t.gpus) == (24000, 48 << 30, 8 << 30, 0)
        assert t.usd_per_hour == 1.18
        assert [f.name for f in __import__("dataclasses").fields(ncg.InstanceType)] == \
            [n for n, *_ in ncg._Type._fields_ if n not in ("size", "has_price")]
        assert "inf1.xlarge" in cat and "no.such" not in cat and 5 not in cat
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
            cat.find("no.such")
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
            cat.index("no.such")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cat.type_at(14)
        with pytest.raises(TypeError):
            cat.find(None)
        u = cat.usable("inf1.6xlarge")
        assert (u.cpu_milli, u.memory_bytes) == (24000 - 810, (48 << 30) - (1200 << 20))
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
            cat.usable("no.such")
    with ncg.Catalog(empty=True) as empty:
        assert empty.types() == [] and len(empty) == 0


def test_catalog_regions():
    regions = ncg.regions()
    assert len(regions) == 23 and regions[0] == "af-south-1" and regions[-1] == "us-west-2"
    assert ncg.Catalog.regions() == regions
    with ncg.Catalog("us-east-1") as cat:
        assert len(cat) == 479
        assert cat.find("g4dn.xlarge").accelerator == ncg.Accelerator.GPU
    with ncg.Catalog("us-east-1", neuron_only=True) as cat, ncg.Catalog(neuron_only=True) as cat2:
        assert all(t.chips > 0 for t in cat) and len(cat) == len(cat2) == 14
        assert cat.types() == cat2.types()
    with ncg.Catalog("eu-west-1", empty=True) as cat:
        assert len(cat) == 0 and cat.region == "eu-west-1"
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
        ncg.Catalog("mars-north-1")
    # every Neuron type in every region; the errors name the region
    with ncg.Catalog() as east:
        names = [t.name for t in east]
    for region in regions:
        with ncg.Catalog(region, neuron_only=True) as cat:
            assert [t.name for t in cat] == names and cat.region == region
            assert cat.find("inf2.24xlarge").chips == 6
            with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE,
                        "unknown instance type \"inf9.huge\" in %s" % region):
                cat.find("inf9.huge")
    assert ncg.Catalog().region == "us-east-1"


def test_catalog_changes():
    with ncg.Catalog(empty=True) as cat:
        t = ncg.InstanceType("x1.big", family="x1", accelerator=ncg.Accelerator.INFERENTIA, chips=2,
                             cores_per_chip=4, device_memory_bytes=8 << 30, cpu_milli=8000, memory_bytes=32 << 30,
                             topology=ncg.Topology.CHAIN, usd_per_hour=1.0)
        assert cat.set_type(t) == 0
        assert cat.find("x1.big") == t
        assert cat.set_type(ncg.InstanceType("c1.cpu", cpu_milli=4000, memory_bytes=8 << 30)) == 1
        with raises(ncg.RangeError, ncg.Status.RANGE, match="chips"):
            cat.set_type(ncg.InstanceType("x1.bad", accelerator=ncg.Accelerator.INFERENTIA, chips=0,
                                          cores_per_chip=4, device_memory_bytes=1, cpu_milli=1, memory_bytes=1))
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, match="name"):
            cat.set_type(ncg.InstanceType("bad name!", cpu_milli=1, memory_bytes=1))
        cat.set_price("x1.big", 2.5)
        assert cat.find("x1.big").usd_per_hour == 2.5
        cat.set_price("x1.big", None)
        assert cat.find("x1.big").usd_per_hour is None
        with raises(ncg.RangeError, ncg.Status.RANGE):
            cat.set_price("x1.big", -1)
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
            cat.set_price("no.such", 1)
        cat.remove_type("c1.cpu")
        assert [x.name for x in cat] == ["x1.big"]
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
            cat.remove_type("c1.cpu")
        r = cat.reserve
        assert r == ncg.Reserve(710, 1100 << 20, 100, 100 << 20, 96 << 20)
        cat.reserve = ncg.Reserve(1000, 1 << 30, 0, 0, 0)
        assert cat.reserve == ncg.Reserve(1000, 1 << 30, 0, 0, 0)
        with raises(ncg.RangeError, ncg.Status.RANGE, match="cpu"):
            cat.reserve = ncg.Reserve(-1, 0, 0, 0, 0)
        assert cat.reserve.cpu_milli == 1000


def test_cortex_checks():
    with ncg.Catalog() as cat:
        assert cat.check("inf1.6xlarge", inf=2, processes_per_replica=4) == 2
        assert cat.check(inf=1) == 4
        assert cat.check(cpu="1") == 0
        assert cat.check("inf2.xlarge", neuroncores=1) == 1
        assert cat.check(request=ncg.Request(inf=1, processes_per_replica=2)) == 2
        with raises(ncg.NoFitError, ncg.Status.NO_FIT,
                    "no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only have "
                    "1 Inf available"):
            cat.check("inf1.xlarge", inf=2)
        with raises(ncg.PprError, ncg.Status.PPR):
            cat.check("inf1.6xlarge", inf=2, processes_per_replica=3)
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
            cat.check("no.such", inf=1)
        with raises(ncg.RangeError, ncg.Status.RANGE):
            cat.check("inf1.6xlarge", inf=-1)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
            cat.check("inf1.6xlarge", inf=1, neuroncores=1)
        with raises(ncg.ModelError, ncg.Status.MODEL):
            cat.check("inf1.6xlarge", inf=1, processes_per_replica=4, models=[ncg.Model("m", "1Gi", 2)])
        with raises(ncg.TopologyError, ncg.Status.TOPOLOGY):
            cat.check("trn1.32xlarge", inf=3)
        assert [(g.process, g.first_core, g.core_count, g.cores) for g in
                cat.layout("inf1.6xlarge", inf=2, processes_per_replica=4)] == \
            [(0, 0, 2, range(0, 2)), (1, 2, 2, range(2, 4)), (2, 4, 2, range(4, 6)), (3, 6, 2, range(6, 8))]
        assert cat.layout("inf1.6xlarge", cpu="1") == []
        with raises(ncg.NoFitError, ncg.Status.NO_FIT):
            cat.layout("inf1.xlarge", inf=2)
        assert cat.advice("inf1.6xlarge", inf=1) == ncg.Advice(0, "")
        adv = cat.advice("inf1.6xlarge", inf=1, models=[
            {"name": "small", "size": "1Gi", "compiled_cores": 1},
            {"name": "huge", "bytes": 1 << 40, "static_weights": True}])
        assert adv.findings == len(adv.lines) == 2
        assert adv.lines[0].startswith('model "small" is compiled for 1 NeuronCore')
        assert "do not fit" in adv.lines[1]
        with raises(ncg.NoFitError, ncg.Status.NO_FIT):
            cat.advice("inf1.xlarge", inf=2)
        with pytest.raises(TypeError):
            cat.check("inf1.6xlarge", models=[42])


# ------------------------------------------------------------------------------------------------------------
# Nodes


def test_node():
    cat = ncg.Catalog()
    node = ncg.Node(cat, "inf1.6xlarge")
    cat.close()  # the node copied what it needs
    assert node.type_name == "inf1.6xlarge"
    a = node.allocate(inf=2, processes_per_replica=4, cpu="1", mem="2Gi")
    assert a == ncg.Allocation(a.id, True, 0, 2, 0, 8, 4, 2, 1000, 2 << 30, 0) and a.id > 0
    assert node.alloc(a.id) == a
    envs = node.envs(a.id)
    assert [e.visible_cores for e in envs] == ["0-1", "2-3", "4-5", "6-7"]
    assert {e.core_group_sizes for e in envs} == {"2"} and envs[0].visible_devices == "0,1"
    assert envs[0].as_dict() == {"NEURON_RT_VISIBLE_CORES": "0-1", "NEURONCORE_GROUP_SIZES": "2",
                                 "AWS_NEURON_VISIBLE_DEVICES": "0,1"}
    assert [(g.first_core, g.core_count, g.first_chip, g.chip_count) for g in node.core_groups(a.id)] == \
        [(0, 2, 0, 1), (2, 2, 0, 1), (4, 2, 1, 1), (6, 2, 1, 1)]

    b = node.adopt(None, "3", ["12-13", "14-15"], cpu="500m", mem="1Gi",
                   models=[ncg.Model("m", "1Gi", compiled_cores=2)])
    assert (b.first_chip, b.chip_count, b.processes_per_replica, b.cpu_milli, b.memory_bytes) == \
        (3, 1, 2, 500, 1 << 30)
    assert node.env(b.id, 1).visible_cores == "14-15"
    assert node.alloc_ids() == [a.id, b.id]
    assert node.allocations == [a, b]
    with raises(ncg.OverlapError, ncg.Status.OVERLAP):
        node.adopt(None, "3")
    with raises(ncg.ParseError, ncg.Status.PARSE):
        node.adopt(visible_devices="x")
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
        node.adopt()
    with raises(ncg.FullError, ncg.Status.FULL):
        node.allocate(inf=2)
    with raises(ncg.FullError, ncg.Status.FULL):
        node.check(inf=2)
    assert not node.fits(inf=2) and node.fits(inf=1)
    node.check(inf=1)
    with raises(ncg.NoFitError, ncg.Status.NO_FIT):
        node.fits(inf=5)

    s = node.status()
    assert (s.chips, s.cores_per_chip, s.free_chips, s.free_chip_mask, s.free_cores, s.allocations, s.policy) == \
        (4, 4, 1, 1 << 2, 4, 2, ncg.Policy.PACK)
    assert s.cpu_free_milli == s.cpu_usable_milli - 1500

    c = node.chip_cache(3)
    assert (c.chip, c.capacity_bytes, c.used_bytes, c.core_groups) == (3, 8 << 30, 2 << 30, 2)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
        node.chip_cache(4)
    cc = node.core_group_cache(b.id, 0)
    assert cc.core_group.first_core == 12 and cc.need_bytes == 1 << 30 and cc.state == ncg.CacheState.FITS
    assert cc.shared_with == 1 and cc.shares == [ncg.CoreGroupRef(b.id, 1)]
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
        node.core_group_cache(b.id, 2)

    copy = node.clone()
    node.release(a.id)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
        node.release(a.id)
    for f in (node.alloc, node.core_groups, node.env):
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            f(a.id)
    assert node.alloc_ids() == [b.id] and copy.alloc_ids() == [a.id, b.id]
    assert node.allocate(inf=1).id == copy.allocate(inf=1).id  # the clone has the same next id
    node.set_policy(ncg.Policy.FIRST_FIT)
    assert node.status().policy == ncg.Policy.FIRST_FIT
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
        node.set_policy(9)
    node.close()
    node.close()
    copy.close()


def test_node_errors():
    with ncg.Catalog() as cat:
        with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
            ncg.Node(cat, "no.such")
        with ncg.Node(cat, "inf1.xlarge") as node:
            with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
                node.release(1 << 40)  # ids are 64-bit
            with raises(ncg.ModelError, ncg.Status.MODEL):
                node.allocate(inf=1, processes_per_replica=4, models=[ncg.Model(None, 1, compiled_cores=2)])
            with raises(ncg.PprError, ncg.Status.PPR):
                node.allocate(inf=1, processes_per_replica=3)
            node.allocate(cpu=3)
            with raises(ncg.FullError, ncg.Status.FULL, match="CPU"):
                node.allocate(cpu=1)
            with raises(ncg.NoFitError, ncg.Status.NO_FIT, match="requested CPU quantity"):
                node.allocate(cpu=100)
            assert len(node.alloc_ids()) == 1  # failed calls changed nothing
            with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):  # an unsized struct is refused
                ncg.C.ncg_node_get_status(node._ptr(), ctypes.byref(ncg._NodeStatus()))


def test_adopt_counts_cpu_and_memory():
    """Issue 11: adopting with the pod's CPU and memory keeps later allocations from overcommitting."""
    with ncg.Catalog() as cat, cat.node("inf1.2xlarge") as node:
        usable = cat.usable("inf1.2xlarge")
        node.adopt(None, "0", ["0-3"], cpu=usable.cpu_milli / 1000, mem=usable.memory_bytes)
        with raises(ncg.FullError, ncg.Status.FULL):
            node.allocate(cpu="100m")


# ------------------------------------------------------------------------------------------------------------
# Logical NeuronCores (2.3)


def test_lnc_type_fields():
    with ncg.Catalog("us-east-1") as cat:
        t = cat.find("trn2.48xlarge")
        assert (t.lnc, t.hbm_banks, t.cores_per_chip, t.physical_cores_per_chip) == (2, 4, 4, 8)
        i = cat.find("inf2.xlarge")
        assert (i.lnc, i.hbm_banks) == (0, 0)
        # the members round-trip through ncg_catalog_set_type
        assert cat.find("trn2.48xlarge") == t
        copy = dataclasses.replace(t, name="trn2.copy")
        cat.set_type(copy)
        assert cat.find("trn2.copy") == copy
        with raises(ncg.RangeError, ncg.Status.RANGE, "type x.y: lnc 3 is out of range 0..2"):
            cat.set_type(dataclasses.replace(t, name="x.y", lnc=3))
        with raises(ncg.RangeError, ncg.Status.RANGE,
                    "type x.y: hbm_banks 3 must be 0 or a divisor of its 8 physical cores per chip"):
            cat.set_type(dataclasses.replace(t, name="x.y", hbm_banks=3))


def test_lnc_node():
    with ncg.Catalog("us-east-1") as cat:
        with cat.node("trn2.48xlarge") as node:  # the type's setting, LNC=2
            s = node.status()
            assert (s.cores_per_chip, s.lnc) == (4, 2)
            a = node.allocate(inf=1, processes_per_replica=1)
            e = node.env(a.id)
            assert (e.visible_cores, e.core_group_sizes, e.visible_devices, e.logical_nc_config) == \
                ("0-3", "4", "0", "2")
            assert e.as_dict() == {"NEURON_RT_VISIBLE_CORES": "0-3", "NEURONCORE_GROUP_SIZES": "4",
                                   "AWS_NEURON_VISIBLE_DEVICES": "0", "NEURON_LOGICAL_NC_CONFIG": "2"}
            node.allocate(inf=1, lnc=2)
            node.allocate(inf=1, lnc=0)
            msg = "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)"
            with raises(ncg.LncError, ncg.Status.LNC, msg):
                node.allocate(inf=1, processes_per_replica=1, lnc=1)
            with raises(ncg.LncError, ncg.Status.LNC, msg):
                node.check(inf=1, lnc=1)
            assert isinstance(ncg.LncError(-15, "x"), ValueError)
            with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                        "node_set_lnc: the node has 3 allocations; its Logical NeuronCore setting changes only "
                        "while it is empty"):
                node.set_lnc(1)
            assert node.status().lnc == 2 and len(node.alloc_ids()) == 3  # failed calls changed nothing

        with cat.node("trn2.48xlarge") as node:
            node.set_lnc(1)
            s = node.status()
            assert (s.cores_per_chip, s.lnc, s.free_cores) == (8, 1, 128)
            a = node.allocate(inf=1, processes_per_replica=1, lnc=1)
            e = node.env(a.id)
            assert (e.visible_cores, e.core_group_sizes, e.logical_nc_config) == ("0-7", "8", "1")
            node.release(a.id)
            node.set_lnc(2)  # empty again: back to the type's
            assert (node.status().cores_per_chip, node.status().lnc) == (4, 2)
            for bad in (3, 0, -1):
                with raises(ncg.RangeError, ncg.Status.RANGE, "lnc %d is out of range 1..2" % bad):
                    node.set_lnc(bad)
            assert node.status().lnc == 2

        with cat.node("inf2.xlarge") as node:
            with raises(ncg.RangeError, ncg.Status.RANGE,
                        "lnc 1: inf2.xlarge has no Logical NeuronCore setting (its 2 NeuronCores per chip are "
                        "physical cores)"):
                node.set_lnc(1)
            assert node.status().lnc == 0
            a = node.allocate(inf=1)
            e = node.env(a.id)
            assert (e.visible_cores, e.logical_nc_config) == ("0-1", "")
            assert "NEURON_LOGICAL_NC_CONFIG" not in e.as_dict()
            node.allocate(cpu="100m", lnc=1)  # a CPU-only request takes any node
            with raises(ncg.LncError, ncg.Status.LNC,
                        "the request asks for LNC=2 but inf2.xlarge has no Logical NeuronCore setting (its "
                        "NeuronCores are physical: LNC=1)"):
                node.allocate(neuroncores=1, lnc=2)


def test_lnc_request():
    r = ncg.Request(inf=1, lnc=2)
    assert [f.name for f in dataclasses.fields(ncg.Request)][-1] == "lnc"  # ncg_request's order
    c = r._to_c()
    assert (c.size, c.lnc, c.ppr, c.cpu_milli) == (ctypes.sizeof(ncg._Request), 2, 1, 200)
    assert ncg.Request._from_c(c) == ncg.Request(inf=1, cpu="200m", lnc=2)
    with ncg.Catalog("us-east-1") as cat:
        # in the catalog functions a type with the setting is taken at the request's LNC
        assert cat.check("trn2.48xlarge", inf=1, lnc=1) == 8
        assert cat.check("trn2.48xlarge", inf=1) == 4
        assert [g.core_count for g in cat.layout("trn2.48xlarge", inf=1, processes_per_replica=2, lnc=1)] == [4, 4]
        with raises(ncg.RangeError, ncg.Status.RANGE, "lnc 3 is out of range 0..2 (0: any Logical NeuronCore "
                    "setting)"):
            cat.check("trn2.48xlarge", inf=1, lnc=3)


def test_init_functions_fill_a_buffer_with_room():
    """ncg_request_init() and ncg_plan_options_init() write the library's sizeof: a later library's struct is
    longer than the binding's Structure (a 2.2 binding's ncg_request against this library crashed the suite), so
    they fill a larger buffer and the binding keeps its own members and size."""
    n = ctypes.sizeof(ncg._Request)

    def newer_init(p):  # what a library whose ncg_request grew by 256 bytes does
        ctypes.memset(p, 0, n + 256)
        p[0].size, p[0].ppr, p[0].cpu_milli = n + 256, 1, 200

    r = ncg._init_struct(ncg._Request, newer_init)
    assert (type(r), r.size, r.ppr, r.cpu_milli, r.lnc) == (ncg._Request, n, 1, 200, 0)
    o = ncg._init_struct(ncg._PlanOptions, ncg.C.ncg_plan_options_init)
    assert (o.size, o.time_limit_s, o.work_limit, o.flags) == (ctypes.sizeof(ncg._PlanOptions), 0.0, 0, 0)


def test_lnc_nodegroups():
    with ncg.Catalog("us-east-1") as cat, ncg.Cluster() as cl:
        assert cl.add_nodegroup(cat, "trn-lnc1", "trn2.48xlarge", lnc=1) == 0
        assert cl.add_nodegroup(cat, "trn", "trn2.48xlarge") == 1
        assert cl.add_nodegroup(cat, "inf", "inf2.xlarge") == 2
        g = cl.nodegroups
        assert [x.lnc for x in g] == [1, 2, 0]
        assert [(x.instance.lnc, x.instance.cores_per_chip) for x in g] == [(1, 8), (2, 4), (0, 2)]
        with raises(ncg.RangeError, ncg.Status.RANGE,
                    "node group x: lnc 1: inf2.xlarge has no Logical NeuronCore setting (its 2 NeuronCores per "
                    "chip are physical cores)"):
            cl.add_nodegroup(cat, "x", "inf2.xlarge", lnc=1)
        with raises(ncg.RangeError, ncg.Status.RANGE, "node group y: lnc 3 is out of range 1..2"):
            cl.add_nodegroup(cat, "y", "trn2.48xlarge", lnc=3)
        assert cl.nodegroup_count == 3
        n1 = cl.add_node("n1", "trn-lnc1")
        n2 = cl.add_node("n2", "trn")
        assert (n1.status().lnc, n1.status().cores_per_chip, n2.status().lnc) == (1, 8, 2)
        p = cl.place(inf=1, lnc=1)
        assert p.node == "n1" and n1.env(p.alloc_id).logical_nc_config == "1"
        with raises(ncg.LncError, ncg.Status.LNC,
                    "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)"):
            cl.place_on("n2", inf=1, lnc=1)
        with raises(ncg.LncError, ncg.Status.LNC,
                    "the request asks for LNC=1 but trn2.48xlarge runs LNC=2 (4 NeuronCores per chip)"):
            cl.score_node("n2", inf=1, lnc=1)
        # the setting survives dump and restore
        with ncg.Cluster.restore(cl.dump()) as back:
            assert [x.lnc for x in back.nodegroups] == [1, 2, 0]
            assert back.node("n1").env(p.alloc_id).logical_nc_config == "1"


# ------------------------------------------------------------------------------------------------------------
# Clusters


def small_cluster():
    cl = ncg.Cluster()
    with ncg.Catalog() as cat:
        assert cl.add_nodegroup(cat, "small", "inf1.2xlarge", max_instances=2) == 0
        assert cl.add_nodegroup(cat, "large", "inf1.6xlarge", min_instances=1, price=0.5, priority=2) == 1
    return cl


def test_cluster_nodegroups_and_nodes():
    with small_cluster() as cl:
        assert cl.nodegroup_count == 2
        g = cl.nodegroups
        assert (g[0].name, g[0].instance_type, g[0].min_instances, g[0].max_instances, g[0].price, g[0].priority) == \
            ("small", "inf1.2xlarge", 0, 2, 0.362, 0)
        assert (g[1].price, g[1].priority, g[1].instance.chips) == (0.5, 2, 4)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.nodegroup(2)
        with ncg.Catalog() as cat:
            with raises(ncg.ExistsError, ncg.Status.EXISTS):
                cl.add_nodegroup(cat, "small", "inf1.xlarge")
            with raises(ncg.UnknownTypeError, ncg.Status.UNKNOWN_TYPE):
                cl.add_nodegroup(cat, "x", "no.such")
            with raises(ncg.RangeError, ncg.Status.RANGE):
                cl.add_nodegroup(cat, "y", "inf1.xlarge", min_instances=-1)
        n1 = cl.add_node(None, "small")
        n2 = cl.add_node("node-b", "large")
        assert (n1.name, n1.index, n1.nodegroup, n2.index, n2.nodegroup) == ("small-1", 0, 0, 1, 1)
        assert [n.name for n in cl.nodes] == [n.name for n in cl] == ["small-1", "node-b"] and len(cl) == 2
        assert cl.node(1) == n2 and cl.node("node-b") == n2 and hash(cl.node("node-b")) == hash(n2)
        assert cl.find_node("node-b") == 1 and cl.node_name(0) == "small-1"
        assert n2.type_name == "inf1.6xlarge"
        with raises(ncg.ExistsError, ncg.Status.EXISTS):
            cl.add_node("node-b", "large")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.add_node(None, "nope")
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
            cl.add_node("bad name", "large")
        cl.add_node(None, "small")
        with raises(ncg.RangeError, ncg.Status.RANGE):
            cl.add_node(None, "small")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.find_node("nope")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.node("nope")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.node(9)
        cl.remove_node("small-1")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.remove_node("small-1")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            n1.status()  # a removed node is looked up by name: no dangling pointer
        assert n2.index == 0


def test_cluster_policy():
    with small_cluster() as cl:
        assert cl.get_policy() == ncg.Policy.PACK
        cl.set_policy("large", ncg.Policy.FIRST_FIT)
        assert cl.get_policy("large") == ncg.Policy.FIRST_FIT and cl.get_policy("small") == ncg.Policy.PACK
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
            cl.get_policy()
        cl.set_policy(None, ncg.Policy.FIRST_FIT)
        assert cl.get_policy() == ncg.Policy.FIRST_FIT
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.set_policy("nope", ncg.Policy.PACK)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.get_policy("nope")
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
            cl.set_policy(None, 7)
        assert "FIRST_FIT" not in cl.dump() or True
        assert ncg.Cluster.restore(cl.dump()).get_policy() == ncg.Policy.FIRST_FIT


def test_cluster_place_release_adopt_dump():
    with small_cluster() as cl:
        with raises(ncg.FullError, ncg.Status.FULL):
            cl.place(inf=1)
        cl.add_node("s1", "small")
        cl.add_node("l1", "large")
        p = cl.place(inf=1, cpu=1)
        assert p == ncg.Placement("l1", 1, 1, 1)  # priority 2 first
        p2 = cl.place(inf=1, cpu=1, node_groups=["small"])
        assert (p2.node, p2.nodegroup) == ("s1", 0)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.place(inf=1, node_groups=["nope"])
        with raises(ncg.FullError, ncg.Status.FULL, match="small"):
            cl.place(inf=1, node_groups="small")
        with raises(ncg.RangeError, ncg.Status.RANGE):
            cl.place(inf=-1)
        a = cl.adopt("l1", None, "3", ["12-15"], cpu=2, mem="1Gi")
        assert (a.first_chip, a.cpu_milli) == (3, 2000)
        assert cl.node("l1").adopt(None, "2", cpu=1).first_chip == 2
        with raises(ncg.OverlapError, ncg.Status.OVERLAP):
            cl.adopt("l1", None, "3")
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.adopt("nope", None, "0")
        assert cl.node("l1").alloc_ids() == [1, 2, 3]
        text = cl.dump()
        assert text.startswith("ncg-cluster 2\n")
        restored = ncg.Cluster.restore(text)
        assert restored.dump() == text
        clone = cl.clone()
        cl.release("l1", a.id)
        cl.node("s1").release(p2.alloc_id)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.release("l1", a.id)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.release("nope", 1)
        assert clone.dump() == text and restored.node("l1").alloc_ids() == [1, 2, 3]
        with raises(ncg.ParseError, ncg.Status.PARSE, match="line 1"):
            ncg.Cluster.restore("nonsense\n")
        overlapping = ("ncg-cluster 2\n"
                       "nodegroup g 0 1000000 - inf1.xlarge 1 1 4 0 8589934592 0 4000 8589934592 0 0 0.228 3190 "
                       "7331643392 402653184 0 0\n"
                       "node a g 0 3\nalloc 1 1 0 4 1 - 200 0 0 0\nalloc 2 1 0 4 1 - 200 0 0 0\nend\n")
        with raises(ncg.OverlapError, ncg.Status.OVERLAP,
                    "cluster state line 5: chip 0 overlaps chips in use on inf1.xlarge"):
            ncg.Cluster.restore(overlapping)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
            ncg.Cluster.restore(None)
        restored.close()
        clone.close()


def test_arguments_in_the_c_order():
    """Positional arguments come in the order of the C function (doc/bindings.md, "Changes"): a leading optional
    C argument (add_node's name, set_policy's node group, adopt's request) is positional and takes None."""
    def params(f):
        return [p for p in inspect.signature(f).parameters if p not in ("self", "kwargs")]
    assert params(ncg.ppr_check) == ["accelerator", "cores_per_chip", "chips", "processes_per_replica"]
    assert params(ncg.Cluster.add_node) == ["name", "nodegroup"]
    assert params(ncg.Cluster.set_policy) == ["nodegroup", "policy"]
    assert params(ncg.Cluster.adopt) == ["node", "request", "visible_devices", "visible_cores"]
    assert params(ncg.Node.adopt) == params(ncg.ClusterNode.adopt) == ["request", "visible_devices", "visible_cores"]
    c_request = [name for name, *_ in ncg._Request._fields_]
    assert c_request == ["size", "inf", "neuroncores", "ppr", "cpu_milli", "memory_bytes", "gpu", "hugepages_bytes",
                         "models", "model_count", "lnc"]
    assert [f.name for f in dataclasses.fields(ncg.Request)] == ["inf", "neuroncores", "processes_per_replica", "cpu",
                                                                 "mem", "gpu", "hugepages", "models", "lnc"]
    assert params(ncg.Node.set_lnc) == ["lnc"]  # ncg_node_set_lnc(node, lnc, err)
    # the UltraServer functions (2.3)
    assert params(ncg.Cluster.set_node_ultraserver) == ["node", "ultraserver", "position"]
    assert params(ncg.Cluster.node_ultraserver) == ["index"]
    assert params(ncg.Cluster.place_ultraserver) == ["request", "servers", "node_groups"]
    assert params(ncg.Cluster.env) == ["node", "alloc_id", "process"]
    assert ncg.Request(1, 0, 4, 3, "4G") == ncg.Request(inf=1, processes_per_replica=4, cpu=3, mem="4G")
    with small_cluster() as cl:
        n = cl.add_node("l1", "large")
        a = cl.adopt("l1", ncg.Request(cpu=1, mem="1Gi"), "0", ["0-3"])
        b = n.adopt(ncg.Request(cpu=2), "1")
        assert (a.first_chip, a.processes_per_replica, a.cpu_milli, a.memory_bytes, b.first_chip, b.cpu_milli) == \
            (0, 1, 1000, 1 << 30, 1, 2000)
        with pytest.raises(TypeError, match="request must be an ncg.Request"):
            n.adopt("2")  # the old order (devices first) fails loudly
        with pytest.raises(TypeError, match="nodegroup must be a str"):
            cl.set_policy(ncg.Policy.FIRST_FIT, "large")
    with ncg.Catalog() as cat, ncg.Node(cat, "inf1.xlarge") as node:
        assert node.adopt(None, "0", cpu=1).cpu_milli == 1000


def test_cluster_defrag():
    with ncg.Cluster() as cl:
        with ncg.Catalog() as cat:
            cl.add_nodegroup(cat, "g", "inf1.6xlarge")
        cl.add_node("a", "g")
        cl.add_node("b", "g")
        cl.adopt("a", None, "1", cpu=1)
        cl.adopt("b", None, "2", cpu=1)
        before = cl.dump()
        assert cl.defrag(4) == ncg.Defrag("a", [ncg.Move("a", 1, "b")])
        assert cl.defrag(4, "g") == ncg.Defrag("a", [ncg.Move("a", 1, "b")])
        assert cl.defrag(1) == ncg.Defrag("a", [])
        assert cl.dump() == before
        cl.place(inf=2)
        cl.place(inf=1)
        with raises(ncg.FullError, ncg.Status.FULL):
            cl.defrag(4)
        with raises(ncg.TopologyError, ncg.Status.TOPOLOGY):
            cl.defrag(5)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            cl.defrag(1, "nope")
        with raises(ncg.RangeError, ncg.Status.RANGE):
            cl.defrag(0)


# ------------------------------------------------------------------------------------------------------------
# Plans


def test_plan_proven_optimal():
    """One API of 3 CPU / 12Gi and three of 500m / 3Gi: 2 x inf1.2xlarge, proven optimal (summary.optimal)."""
    with ncg.Cluster() as cl:
        with ncg.Catalog() as cat:
            for t in ("inf1.xlarge", "inf1.2xlarge", "inf1.6xlarge"):
                cl.add_nodegroup(cat, t, t, max_instances=10)
        plan = ncg.Plan(cl)
    plan.add_api("big", replicas=1, cpu=3, mem="12Gi")
    for i in range(3):
        plan.add_api("small-%d" % i, replicas=1, cpu="500m", mem="3Gi")
    s = plan.solve().summary()
    assert s.optimal is True and s.nodes == 2 and s.gap == 0
    assert s.price_per_hour == s.lower_bound_per_hour == pytest.approx(0.724, abs=1e-9)


def test_plan():
    with small_cluster() as cl:
        plan = ncg.Plan(cl)
    assert plan.cluster.nodegroup_count == 2 and len(plan.cluster) == 0
    assert plan.add_api("resnet", replicas=5, inf=1, processes_per_replica=4, cpu=3, mem="4G") == 0
    assert plan.add_api(ncg.ApiSpec("pre", ncg.Request(cpu="1500m", mem="2Gi"), replicas=3,
                                    node_groups=["large"], max_per_node=2)) == 1
    assert plan.add_api("huge", replicas=2, inf=8) == 2
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
        plan.add_api("x", node_groups=["nope"])
    with raises(ncg.RangeError, ncg.Status.RANGE):
        plan.add_api("x", replicas=-1)
    with pytest.raises(TypeError):
        plan.add_api(ncg.ApiSpec("x", ncg.Request()), cpu=1)
    assert plan.api_count == 3 and plan.apis == ["resnet", "pre", "huge"]
    assert not plan.solved and plan.replica_count == 0 and plan.replicas() == []
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
        plan.summary()
    assert plan.solve() is plan and plan.solved
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
        plan.solve()
    s = plan.summary()
    assert (s.replicas, s.placed, s.unplaced) == (10, 8, 2)
    assert s.price_per_hour >= s.lower_bound_per_hour > 0 and isinstance(s.converged, bool)
    reps = plan.replicas()
    assert len(reps) == plan.replica_count == 10
    assert [(r.api_name, r.replica) for r in reps[:2]] == [("resnet", 0), ("resnet", 1)]
    pc = plan.cluster
    for r in reps:
        if r.placed:
            node = pc.node(r.node)
            assert node.index == r.node_index and node.alloc(r.alloc_id).id == r.alloc_id
        else:
            assert (r.api_name, r.node, r.node_index, r.alloc_id) == ("huge", None, None, 0)
    assert [pc.nodegroups[pc.node(r.node).nodegroup].name for r in reps if r.api_name == "pre"] == ["large"] * 3
    assert plan.unplaced("resnet") == ncg.Unplaced(0, "")
    u = plan.unplaced(2)
    assert u.count == 2 and "no instances can satisfy" in u.reason
    assert plan.headroom("resnet") >= 0 and plan.headroom(2) == 0
    for f in (plan.unplaced, plan.headroom):
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
            f(3)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "api nope is not in the plan"):
            f("nope")
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND):
        plan.replica(10)
    with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "api 3 does not exist (the plan has 3)"):
        plan.api_name(3)
    copy = pc.copy()
    assert copy.dump() == pc.dump() and len(copy) == s.nodes
    with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "a plan's cluster is read-only"):
        pc.nodes[0].release(1)
    plan.close()
    with pytest.raises(ncg.ClosedError, match="Plan is closed"):
        pc.dump()
    copy.place(cpu=1)  # the copy is the caller's own
    copy.close()
    with ncg.Plan() as empty:
        assert empty.solve().summary().nodes == 0


def options_plan(cl=None):
    own = cl is None
    cl = cl if cl is not None else small_cluster()
    plan = ncg.Plan(cl)
    if own:
        cl.close()
    plan.add_api("resnet", replicas=40, inf=1, processes_per_replica=4, cpu=3, mem="4G")
    plan.add_api("bert", replicas=25, inf=2, cpu="1500m", mem="6Gi")
    plan.add_api("pre", replicas=30, cpu=2, mem="2Gi")
    return plan


def test_plan_options():
    with options_plan() as plan:
        assert plan.options == ncg.PlanOptions() == ncg.PlanOptions(0.0, 0, True)
        plan.set_options(time_limit=2.5)
        assert plan.options == ncg.PlanOptions(2.5, 0, True)
        plan.set_options(work_limit=10 ** 7, colgen=False)
        assert plan.options == ncg.PlanOptions(2.5, 10 ** 7, False)
        plan.set_options(ncg.PlanOptions(work_limit=5))
        assert plan.options == ncg.PlanOptions(0.0, 5, True)
        for kwargs, cls, code, message in (
                (dict(time_limit=-1), ncg.RangeError, ncg.Status.RANGE,
                 "time_limit_s -1 is not a finite number of seconds >= 0"),
                (dict(time_limit=float("nan")), ncg.RangeError, ncg.Status.RANGE,
                 "time_limit_s nan is not a finite number of seconds >= 0"),
                (dict(time_limit=float("inf")), ncg.RangeError, ncg.Status.RANGE,
                 "time_limit_s inf is not a finite number of seconds >= 0"),
                (dict(work_limit=-5), ncg.RangeError, ncg.Status.RANGE, "work_limit -5 is negative")):
            with raises(cls, code, message):
                plan.set_options(**kwargs)
            with raises(cls, code, message):
                plan.solve(**kwargs)
            assert plan.options == ncg.PlanOptions(0.0, 5, True) and not plan.solved  # unchanged
        for bad in (dict(time_limit="1"), dict(time_limit=True), dict(work_limit=1.5), dict(work_limit=True)):
            with pytest.raises(TypeError):
                plan.set_options(**bad)
        with pytest.raises(TypeError):
            plan.set_options({"time_limit": 1})
        o = ncg._PlanOptions()  # flags the binding never sets, through the C function itself
        ncg.C.ncg_plan_options_init(ctypes.byref(o))
        assert (o.size, o.time_limit_s, o.work_limit, o.flags) == (ctypes.sizeof(o), 0.0, 0, 0)
        o.flags = 6
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "plan options flags 0x6 has unknown bits"):
            ncg.C.ncg_plan_set_options(plan._ptr(), ctypes.byref(o))
        o.flags, o.size = 0, 4
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
            ncg.C.ncg_plan_set_options(plan._ptr(), ctypes.byref(o))
        assert plan.solve(colgen=False) is plan
        assert plan.options == ncg.PlanOptions(0.0, 5, False)
        s = plan.summary()
        assert s.stopped is ncg.PlanStop.SKIPPED and s.rounds == 0 and s.patterns == 0 and not s.converged
        assert s.solve_seconds >= s.packing_seconds >= 0 and s.generation_seconds >= 0 and s.rounding_seconds >= 0
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "plan_set_options: the plan is solved already"):
            plan.set_options(time_limit=1)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "plan_set_options: the plan is solved already"):
            plan.solve(time_limit=1)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
            plan.solve()


def test_plan_work_limit_is_deterministic_and_colgen_runs():
    with options_plan() as a, options_plan() as b, options_plan() as full:
        sa, sb = a.solve(work_limit=200000).summary(), b.solve(ncg.PlanOptions(work_limit=200000)).summary()
        timeless = [f.name for f in dataclasses.fields(ncg.PlanSummary) if not f.name.endswith("_seconds")]
        assert [getattr(sa, f) for f in timeless] == [getattr(sb, f) for f in timeless]
        assert a.cluster.dump() == b.cluster.dump()
        s = full.solve().summary()
        assert s.rounds >= 1 and s.patterns >= 1 and s.stopped in (ncg.PlanStop.CONVERGED, ncg.PlanStop.GAP,
                                                                     ncg.PlanStop.SEARCH)
        assert s.converged == (s.stopped is ncg.PlanStop.CONVERGED)
        assert s.solve_seconds > 0 and s.solve_seconds >= s.generation_seconds
        assert s.price_per_hour >= s.lower_bound_per_hour > 0
    assert [m.name for m in ncg.PlanStop] == ["CONVERGED", "GAP", "WORK", "TIME", "ROUNDS", "SKIPPED", "SEARCH"]
    assert [m.value for m in ncg.PlanStop] == list(range(7))
    assert [f.name for f in dataclasses.fields(ncg.PlanSummary)] == \
        [n for n, *_ in ncg._PlanSummary._fields_ if n != "size"]


def test_score_node_and_place_on():
    with small_cluster() as cl:
        cl.add_node("s1", "small")
        cl.add_node("l1", "large")
        cl.add_node("l2", "large")
        with ncg.Catalog() as cat:
            cl.add_nodegroup(cat, "trn", "trn1.32xlarge", priority=-1)
        cl.add_node("t1", "trn")
        cl.place_on("l1", inf=2, cpu=1)
        scores = {n: cl.score_node(n, inf=1, cpu=1) for n in ("s1", "l1", "l2")}
        assert scores["s1"] == ncg.NodeScore(0, 0, 0, 0, scores["s1"].free_after, scores["s1"].seq)
        assert (scores["l1"].node_index, scores["l1"].nodegroup, scores["l1"].priority, scores["l1"].leftover) == \
            (1, 1, 2, 1)
        assert (scores["l2"].node_index, scores["l2"].leftover) == (2, 3)
        assert scores["s1"].seq < scores["l1"].seq < scores["l2"].seq
        # Priority first, then the smaller leftover: l1, l2, then s1 (priority 0).
        assert sorted(scores.values()) == [scores["l1"], scores["l2"], scores["s1"]]
        assert min(scores.values()) == scores["l1"] and max(scores.values()) == scores["s1"]
        assert scores["l1"] < scores["l2"] <= scores["s1"] and scores["s1"] > scores["l1"] >= scores["l1"]
        assert scores["l1"].compare(scores["l2"]) < 0 < scores["l2"].compare(scores["l1"])
        assert scores["l1"].compare(scores["l1"]) == 0
        with pytest.raises(TypeError):
            scores["l1"].compare(3)
        with pytest.raises(TypeError):
            assert scores["l1"] < 3
        # Ranks in one call: l1 best, l2, s1; equal scores share a rank.
        ranked = [scores["s1"], scores["l1"], scores["l2"], scores["l1"]]
        assert ncg.node_score_rank(ranked) == [2, 0, 1, 0]
        assert ncg.node_score_rank([]) == []
        same = [dataclasses.replace(s, node_index=0, nodegroup=0, seq=0) for s in (scores["l2"], scores["l2"])]
        assert ncg.node_score_rank(same) == [0, 0]
        with pytest.raises(TypeError):
            ncg.node_score_rank([scores["l1"], 3])
        bad = (ncg._NodeScore * 2)()
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                    "ncg_node_score.size 0 is smaller than the 48 bytes of its first version: initialise it with "
                    "NCG_INIT(ncg_node_score) or its _init() function"):
            ncg.C.ncg_node_score_rank(bad, 2, (ctypes.c_int * 2)())
        a = ncg._NodeScore()  # NULL sorts last, through the C function itself
        assert ncg.C.ncg_node_score_compare(ctypes.byref(a), None) < 0 < ncg.C.ncg_node_score_compare(None, a)
        assert ncg.C.ncg_node_score_compare(None, None) == 0
        # What place() chooses is the best score, and scoring changed nothing.
        before = cl.dump()
        assert cl.node("l2").score(inf=1, cpu=1) == scores["l2"] and cl.dump() == before
        p = cl.place(inf=1, cpu=1)
        assert (p.node, p.node_index) == ("l1", scores["l1"].node_index)
        # place_on: the named node, its policy choosing the chips.
        p2 = cl.place_on("s1", inf=1, cpu=1)
        assert p2 == ncg.Placement("s1", 0, 0, 1)
        assert cl.node("l2").place(inf=2) == ncg.Placement("l2", 2, 1, 1)
        assert cl.node("s1").alloc(1).first_chip == 0
        before = cl.dump()
        for call in (cl.score_node, cl.place_on):
            with raises(ncg.FullError, ncg.Status.FULL,
                        "no free window of 1 chips on inf1.2xlarge: free chips none, largest free window 0"):
                call("s1", inf=1)
            with raises(ncg.NoFitError, ncg.Status.NO_FIT,
                        "no instances can satisfy the requested Inf quantity - requested 2 Inf but instances only "
                        "have 1 Inf available"):
                call("s1", inf=2)
            with raises(ncg.PprError, ncg.Status.PPR, match="^cannot evenly distribute 1 Inferentia ASIC"):
                call("l2", inf=1, processes_per_replica=3)
            with raises(ncg.TopologyError, ncg.Status.TOPOLOGY):
                call("t1", inf=3)
            with raises(ncg.ModelError, ncg.Status.MODEL):
                call("l2", inf=1, processes_per_replica=4, models=[ncg.Model("m", "1Gi", compiled_cores=2)])
            with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, 'no node "zz" in the cluster'):
                call("zz", inf=1)
            with raises(ncg.RangeError, ncg.Status.RANGE):
                call("l2", inf=-1)
            with raises(ncg.InvalidArgumentError, ncg.Status.INVALID):
                call("l2", inf=1, neuroncores=1)
            with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "node name is NULL"):
                call(None, inf=1)
            with pytest.raises(TypeError):
                call(7, inf=1)
        assert cl.dump() == before  # failed calls changed nothing
    with small_cluster() as cl:
        plan = ncg.Plan(cl)
    with plan:
        plan.add_api("a", replicas=2, inf=1)
        plan.solve()
        view = plan.cluster
        name = view.node_name(0)
        assert view.score_node(name, inf=1).node_index == 0  # a plan's cluster can be scored, not placed on
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "a plan's cluster is read-only"):
            view.node(name).place(inf=1)


# ------------------------------------------------------------------------------------------------------------
# Ownership


def test_closed_handles_raise_clearly():
    cat = ncg.Catalog()
    node = cat.node("inf1.xlarge")
    cl = small_cluster()
    cn = cl.add_node(None, "large")
    plan = ncg.Plan(cl)
    for h in (cat, node, cl, plan):
        assert not h.closed
        h.close()
        assert h.closed
        h.close()
    for call in (lambda: len(cat), lambda: cat.find("inf1.xlarge"), lambda: node.allocate(), node.status,
                 cl.dump, lambda: cl.add_node(None, "large"), cn.status, lambda: plan.solve(), lambda: plan.cluster,
                 lambda: ncg.Node(cat, "inf1.xlarge"), lambda: ncg.Plan(cl)):
        with pytest.raises(ncg.ClosedError, match=r"^(Catalog|Node|Cluster|Plan) is closed$"):
            call()
    with pytest.raises(ncg.ClosedError):
        with cat:
            pass


def test_garbage_collection_frees_handles():
    freed = []
    cat = ncg.Catalog()
    cat._free = lambda h, f=cat._free: (freed.append(h), f(h))
    ref = weakref.ref(cat)
    del cat
    gc.collect()
    assert ref() is None and len(freed) == 1
    # Many handles created and dropped: nothing accumulates or crashes.
    for _ in range(200):
        with ncg.Catalog() as c:
            cl = ncg.Cluster()
            cl.add_nodegroup(c, "g", "inf1.xlarge")
            cl.add_node(None, "g").status()
            ncg.Plan(cl)
            c.node("inf1.xlarge")
    gc.collect()


def test_handles_survive_interpreter_shutdown():
    code = ("import ncg\n"
            "cat = ncg.Catalog(); node = cat.node('inf1.xlarge'); cl = ncg.Cluster()\n"
            "cl.add_nodegroup(cat, 'g', 'inf1.xlarge'); n = cl.add_node(None, 'g'); plan = ncg.Plan(cl)\n"
            "plan.add_api('a', inf=1); plan.solve(); view = plan.cluster\n"
            "cycle = [cat]; cycle.append(cycle)\n")
    r = run_python(code)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_type_hints_and_docstrings():
    assert os.path.exists(os.path.join(PKG, "ncg", "py.typed"))
    for name in ncg.__all__:
        obj = getattr(ncg, name)
        if callable(obj) and not isinstance(obj, type(ncg.Status.OK)):
            assert getattr(obj, "__doc__", None), name
        if isinstance(obj, type):
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and callable(value) and not isinstance(value, enum_types()):
                    assert value.__doc__, "%s.%s" % (name, attr)
    import typing
    hints = typing.get_type_hints(ncg.Node.allocate)
    assert hints["return"] is ncg.Allocation


def enum_types():
    import enum
    return (enum.Enum,)


@pytest.mark.skipif("libasan" not in os.environ.get("LD_PRELOAD", ""),
                    reason="not the ASan build (meson test -C build-asan preloads the ASan runtime)")
def test_asan_watches_the_library():
    """Under build-asan the library's memory errors are caught while Python drives it: a caller that lies about
    a buffer's size (which the binding never does) is reported, so the rest of this suite ran checked."""
    code = ("import ctypes, ncg\n"
            "buf = ctypes.create_string_buffer(600)\n"
            "ncg.C.ncg_format_ids(0, 1000, 0, buf, 5000)\n")
    r = run_python(code)
    assert r.returncode != 0 and "ERROR: AddressSanitizer: heap-buffer-overflow" in r.stderr, r.stderr[-2000:]


# ------------------------------------------------------------------------------------------------------------
# UltraServers (2.3)


def ultraserver_cluster():
    """Node group "us" of trn2u.48xlarge (16 chips): a0..a3 are UltraServer u1's positions 0..3, b0 and b1 u2's
    positions 0 and 1."""
    cl = ncg.Cluster()
    with ncg.Catalog("us-east-1") as cat:
        assert cat.find("trn2u.48xlarge").chips == 16
        assert cl.add_nodegroup(cat, "us", "trn2u.48xlarge", max_instances=8) == 0
    for p in range(4):
        cl.add_node("a%d" % p, "us")
        cl.set_node_ultraserver("a%d" % p, "u1", p)
    for p in range(2):
        cl.add_node("b%d" % p, "us")
        cl.set_node_ultraserver("b%d" % p, "u2", p)
    return cl


def test_ultraserver_env_fields():
    assert [name for name, *_ in ncg._Env._fields_] == [
        "size", "visible_cores", "core_group_sizes", "visible_devices", "logical_nc_config", "ultraserver_mode",
        "ultraserver_server_id", "ultraserver_node_id"]
    assert ncg.ULTRASERVER_MAX_NODES == 4
    e = ncg.Env("0-3", "4", "0")
    assert (e.ultraserver_mode, e.ultraserver_server_id, e.ultraserver_node_id) == ("", "", "")
    assert e.as_dict() == {"NEURON_RT_VISIBLE_CORES": "0-3", "NEURONCORE_GROUP_SIZES": "4",
                           "AWS_NEURON_VISIBLE_DEVICES": "0"}
    e = ncg.Env("0-63", "64", "0-15", "2", "2", "u2", "1")
    assert e.as_dict() == {"NEURON_RT_VISIBLE_CORES": "0-63", "NEURONCORE_GROUP_SIZES": "64",
                           "AWS_NEURON_VISIBLE_DEVICES": "0-15", "NEURON_LOGICAL_NC_CONFIG": "2",
                           "NEURON_RT_ULTRASERVER_MODE": "2", "NEURON_RT_ULTRASERVER_SERVER_ID": "u2",
                           "NEURON_RT_ULTRASERVER_NODE_ID": "1"}
    assert list(ncg.Env("0", "1", "", ultraserver_server_id="u").as_dict()) == [
        "NEURON_RT_VISIBLE_CORES", "NEURONCORE_GROUP_SIZES", "AWS_NEURON_VISIBLE_DEVICES",
        "NEURON_RT_ULTRASERVER_SERVER_ID"]


def test_ultraserver_membership():
    with ultraserver_cluster() as cl:
        assert [cl.node_ultraserver(i) for i in range(len(cl))] == [
            ("u1", 0), ("u1", 1), ("u1", 2), ("u1", 3), ("u2", 0), ("u2", 1)]
        assert cl.node("b1").ultraserver == ("u2", 1)
        cl.add_node("c0", "us")
        assert cl.node_ultraserver(6) == (None, -1) and cl.node("c0").ultraserver == (None, -1)
        before = cl.dump()
        with raises(ncg.RangeError, ncg.Status.RANGE, "UltraServer position 4 is out of range 0..3"):
            cl.set_node_ultraserver("c0", "u3", 4)
        with raises(ncg.RangeError, ncg.Status.RANGE, "UltraServer position -1 is out of range 0..3"):
            cl.set_node_ultraserver("c0", "u3", -1)
        with raises(ncg.ExistsError, ncg.Status.EXISTS, "node a0 is at position 0 of UltraServer u1 already"):
            cl.set_node_ultraserver("c0", "u1", 0)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                    "UltraServer id \"a b\" is not valid: 1 to 63 characters of A-Z, a-z, 0-9, '.', '_' and '-'"):
            cl.set_node_ultraserver("c0", "a b", 0)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, 'no node "zz" in the cluster'):
            cl.set_node_ultraserver("zz", "u1", 0)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "cluster_set_node_ultraserver: node is NULL"):
            cl.set_node_ultraserver(None, "u1", 0)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "node index 7 is out of range 0..6"):
            cl.node_ultraserver(7)
        with pytest.raises(TypeError):
            cl.set_node_ultraserver("c0", 3, 0)
        assert cl.dump() == before and cl.node_ultraserver(6) == (None, -1)  # failed calls changed nothing
        # Setting a node where it is already is no change; clearing a node without a replica works, position
        # ignored.
        cl.set_node_ultraserver("a0", "u1", 0)
        cl.set_node_ultraserver("b1", None, 0)
        assert cl.node_ultraserver(5) == (None, -1) and cl.node("b1").ultraserver == (None, -1)
        cl.node("c0").set_ultraserver("u2", 1)
        assert cl.node("c0").ultraserver == ("u2", 1)
        cl.node("c0").set_ultraserver(None, 7)
        assert cl.node("c0").ultraserver == (None, -1)
        cl.set_node_ultraserver("b1", "u2", 1)
        # The membership goes with the cluster: clone keeps it, removing a node frees its place.
        with cl.clone() as copy:
            assert [copy.node_ultraserver(i) for i in range(len(copy))] == [
                ("u1", 0), ("u1", 1), ("u1", 2), ("u1", 3), ("u2", 0), ("u2", 1), (None, -1)]
        cl.remove_node("a3")
        cl.set_node_ultraserver("c0", "u1", 3)
        assert cl.node("c0").ultraserver == ("u1", 3)


def test_ultraserver_place_and_env():
    with ultraserver_cluster() as cl:
        # 2 servers: u2 is left with fewer free servers (none) than u1 (2): the library prefers it.
        ps = cl.place_ultraserver(servers=2, inf=16)
        assert ps == [ncg.Placement("b0", 4, 0, 1), ncg.Placement("b1", 5, 0, 1)]
        e = cl.env("b1", ps[1].alloc_id, 0)
        assert (e.ultraserver_mode, e.ultraserver_server_id, e.ultraserver_node_id, e.visible_cores) == \
            ("2", "u2", "1", "0-63")
        devices = ",".join(str(c) for c in range(16))
        assert e == ncg.Env("0-63", "64", devices, "2", "2", "u2", "1")
        assert e.as_dict()["NEURON_RT_ULTRASERVER_MODE"] == "2"
        assert cl.env("b0", ps[0].alloc_id).ultraserver_node_id == "0"
        # The cluster node reads its env through the cluster; the bare node has none of the UltraServer's.
        assert cl.node("b1").env(ps[1].alloc_id) == e and cl.node("b1").envs(ps[1].alloc_id) == [e]
        # 4 servers: all of u1, by position.
        ps4 = cl.place_ultraserver(ncg.Request(inf=16), 4)
        assert [p.node for p in ps4] == ["a0", "a1", "a2", "a3"]
        assert [p.node_index for p in ps4] == [0, 1, 2, 3]
        envs = [cl.env(p.node, p.alloc_id, 0) for p in ps4]
        assert [(x.ultraserver_mode, x.ultraserver_server_id, x.ultraserver_node_id) for x in envs] == [
            ("1", "u1", "0"), ("1", "u1", "1"), ("1", "u1", "2"), ("1", "u1", "3")]
        assert envs[3].as_dict() == {"NEURON_RT_VISIBLE_CORES": "0-63", "NEURONCORE_GROUP_SIZES": "64",
                                     "AWS_NEURON_VISIBLE_DEVICES": devices, "NEURON_LOGICAL_NC_CONFIG": "2",
                                     "NEURON_RT_ULTRASERVER_MODE": "1", "NEURON_RT_ULTRASERVER_SERVER_ID": "u1",
                                     "NEURON_RT_ULTRASERVER_NODE_ID": "3"}
        # dump and restore keep the membership and the replicas' servers
        with ncg.Cluster.restore(cl.dump()) as back:
            assert [back.node_ultraserver(i) for i in range(len(back))] == [
                ("u1", 0), ("u1", 1), ("u1", 2), ("u1", 3), ("u2", 0), ("u2", 1)]
            assert back.env("b1", ps[1].alloc_id) == e and back.env("a3", ps4[3].alloc_id) == envs[3]
            assert back.dump() == cl.dump()
        # Errors, with nothing changed.
        before = cl.dump()
        state = [(n.name, n.alloc_ids(), n.ultraserver) for n in cl.nodes]
        with raises(ncg.FullError, ncg.Status.FULL,
                    "no UltraServer of the allowed node groups has 4 whole servers free for the replica "
                    "(2 UltraServers, 6 of the 6 nodes in one)"):
            cl.place_ultraserver(servers=4, inf=16)
        with raises(ncg.RangeError, ncg.Status.RANGE, "servers 3 is not 1, 2 or 4 (the sets of an UltraServer)"):
            cl.place_ultraserver(servers=3, inf=16)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                    "a replica of whole servers takes every chip of a server: inf 1 is not the 16 chips of "
                    "trn2u.48xlarge"):
            cl.place_ultraserver(servers=2, inf=1)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                    "a replica of whole servers asks for inf (every chip of a server), not 0 chips and 4 "
                    "NeuronCores"):
            cl.place_ultraserver(servers=1, neuroncores=4)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, 'no node group "nope" in the cluster'):
            cl.place_ultraserver(servers=2, inf=16, node_groups=["nope"])
        with raises(ncg.RangeError, ncg.Status.RANGE, "inf -1 is out of range 0..1000000"):
            cl.place_ultraserver(servers=2, inf=-1)
        with pytest.raises(TypeError, match="needs servers"):
            cl.place_ultraserver(inf=16)
        with pytest.raises(TypeError, match=r"takes the request first.*place_ultraserver\(servers=2, \.\.\.\)"):
            cl.place_ultraserver(2, inf=16)  # servers first is not the C order
        assert cl.dump() == before and [(n.name, n.alloc_ids(), n.ultraserver) for n in cl.nodes] == state
        # env errors
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, 'no node "zz" in the cluster'):
            cl.env("zz", 1)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "no allocation 9 on this trn2u.48xlarge node"):
            cl.env("a0", 9)
        with raises(ncg.NotFoundError, ncg.Status.NOT_FOUND, "allocation 1 has no process 1 (processes 0..0)"):
            cl.env("a0", 1, 1)
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "cluster_get_env: node is NULL"):
            cl.env(None, 1)
        # A node holding a server of a replica keeps its UltraServer until that is released.
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                    "node b1 holds a server of a replica of whole servers of its UltraServer: release it before the "
                    "node changes UltraServer"):
            cl.set_node_ultraserver("b1", None, 0)
        assert cl.dump() == before
        cl.release("b1", ps[1].alloc_id)
        cl.set_node_ultraserver("b1", None, 0)
        assert cl.node_ultraserver(5) == (None, -1)
        # 1 server: b0 is busy, so a server of u2 is none; the env of an ordinary allocation has no UltraServer.
        p = cl.place(inf=16)
        assert p.node == "b1"
        plain = cl.env("b1", p.alloc_id)
        assert (plain.ultraserver_mode, plain.ultraserver_server_id, plain.ultraserver_node_id) == ("", "", "")
        assert "NEURON_RT_ULTRASERVER_MODE" not in plain.as_dict()
        with raises(ncg.FullError, ncg.Status.FULL):
            cl.place_ultraserver(servers=1, inf=16)
    # node_groups restricts; a plan's cluster reads the membership and the env.
    with ultraserver_cluster() as cl:
        with ncg.Catalog("us-east-1") as cat:
            cl.add_nodegroup(cat, "inf", "inf2.xlarge", max_instances=1)
        cl.add_node("i0", "inf")
        with raises(ncg.InvalidArgumentError, ncg.Status.INVALID,
                    "a replica of whole servers takes every chip of a server: inf 16 is not the 1 chips of "
                    "inf2.xlarge"):
            cl.place_ultraserver(servers=1, inf=16)
        ps = cl.place_ultraserver(servers=1, inf=16, node_groups="us")
        assert [(p.node, p.nodegroup) for p in ps] == [("b0", 0)]
        assert cl.env("b0", ps[0].alloc_id).ultraserver_mode == "4"
        assert cl.env("b0", ps[0].alloc_id).ultraserver_node_id == "0"
        plan = ncg.Plan(cl)
        with plan:
            view = plan.cluster
            assert view.node_ultraserver(4) == ("u2", 0)
            assert view.env("b0", ps[0].alloc_id).ultraserver_server_id == "u2"
            assert view.node("b0").env(ps[0].alloc_id).ultraserver_mode == "4"
            with raises(ncg.InvalidArgumentError, ncg.Status.INVALID, "a plan's cluster is read-only"):
                view.node("b0").set_ultraserver(None, 0)

"""The Python binding: conversions, ownership and errors (the rules themselves are tested in C)."""
import ctypes

import pytest

import ncg

E_INVALID, E_PARSE, E_RANGE, E_UNKNOWN_TYPE, E_NOT_FOUND, E_PPR, E_NO_FIT, E_FULL, E_OVERLAP = \
    -1, -3, -4, -5, -6, -7, -8, -10, -11


def test_version():
    assert ncg.version() == "2.0.0"
    assert ncg.strerror(E_NOT_FOUND) == "not found"


def test_quantities():
    assert ncg.parse_cpu("500m") == 500
    assert ncg.parse_memory("4Gi") == 4 << 30
    with pytest.raises(ncg.NcgError) as e:
        ncg.parse_cpu("abc")
    assert e.value.code == E_PARSE
    assert str(e.value).startswith('invalid CPU quantity "abc"')
    assert e.value.message == str(e.value)


def test_format_follows_the_buffer_rule():
    assert ncg.format_cpu(2000) == "2"
    assert ncg.format_cpu(2500) == "2500m"
    assert ncg.format_memory(4000000000) == "4G"
    assert ncg.format_memory(7331643392) == "6992Mi"
    assert ncg.format_memory(1023) == "1023"
    with pytest.raises(ncg.NcgError) as e:
        ncg.format_cpu(-1)
    assert e.value.code == E_RANGE
    # Too small a buffer: the full length comes back and the buffer is untouched.
    buf = ctypes.create_string_buffer(b"xyz", 4)
    assert ncg._format_cpu(2500, buf, 4) == 5
    assert buf.raw == b"xyz\0"


def test_ppr_message_is_cortexs():
    assert ncg.ppr_check(2, 4) == 2
    with pytest.raises(ncg.NcgError) as e:
        ncg.ppr_check(2, 3)
    assert e.value.code == E_PPR
    assert str(e.value) == ("cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - "
                            "acceptable numbers of processes are 1, 2, 4, or 8")
    assert ncg.ppr_values(8) == [1, 2, 4, 8]
    assert ncg.ppr_values(1) == [1]


def test_catalog():
    with ncg.Catalog() as cat:
        types = {t["name"]: t for t in cat.types()}
        assert len(types) == 12
        assert types["inf2.48xlarge"]["chips"] == 12
        t = cat.find("inf1.6xlarge")
        assert (t["chips"], t["cores_per_chip"], t["accelerator"], t["family"]) == (4, 4, "inferentia", "inf1")
        assert t == types["inf1.6xlarge"]
        assert t["usd_per_hour"] is not None and t["usd_per_hour"] > 0
        with pytest.raises(ncg.NcgError) as e:
            cat.find("no.such")
        assert e.value.code == E_UNKNOWN_TYPE
        cpu, memory = cat.usable("inf1.6xlarge")
        assert 0 < cpu < t["cpu_milli"] and 0 < memory < t["memory_bytes"]
    with ncg.Catalog(empty=True) as empty:
        assert empty.types() == []


def test_cortex_checks():
    with ncg.Catalog() as cat:
        assert cat.check("inf1.6xlarge", inf=2, ppr=4) == 2
        assert cat.check(inf=1) == 4          # some type accepts it
        assert cat.check(cpu="1") == 0        # CPU only
        with pytest.raises(ncg.NcgError) as e:
            cat.check("inf1.xlarge", inf=2)
        assert e.value.code == E_NO_FIT
        assert str(e.value).startswith("no instances can satisfy the requested Inf quantity")
        with pytest.raises(ncg.NcgError) as e:
            cat.check("inf1.6xlarge", inf=2, ppr=3)
        assert e.value.code == E_PPR
        with pytest.raises(TypeError):
            cat.check("inf1.6xlarge", inf=1, cpu=1)
        layout = cat.layout("inf1.6xlarge", inf=2, ppr=4)
        assert [(g["process"], g["first_core"], g["core_count"]) for g in layout] == \
            [(0, 0, 2), (1, 2, 2), (2, 4, 2), (3, 6, 2)]
        assert cat.layout("inf1.6xlarge", cpu="1") == []
        assert cat.advice("inf1.6xlarge", inf=1) == (0, "")
        findings, text = cat.advice("inf1.6xlarge", inf=1, models=[
            {"name": "small", "bytes": "1Gi", "compiled_cores": 1},
            {"name": "huge", "bytes": "1Ti", "static_weights": True}])
        lines = text.split("\n")
        assert findings == len(lines) == 2
        assert lines[0].startswith('model "small" is compiled for 1 NeuronCore')
        assert "do not fit" in lines[1]


def test_node():
    cat = ncg.Catalog()
    node = ncg.Node(cat, "inf1.6xlarge")
    cat.close()  # the node copied what it needs
    assert node.type_name == "inf1.6xlarge"
    aid, envs = node.allocate(inf=2, ppr=4, cpu="1", memory="2Gi")
    assert aid > 0
    assert [e["NEURON_RT_VISIBLE_CORES"] for e in envs] == ["0-1", "2-3", "4-5", "6-7"]
    assert [e["NEURONCORE_GROUP_SIZES"] for e in envs] == ["2"] * 4
    assert envs[0]["AWS_NEURON_VISIBLE_DEVICES"] == "0,1"
    a = node.alloc(aid)
    assert (a["id"], a["whole_chips"], a["first_chip"], a["chip_count"], a["ppr"], a["ncg_size"]) == \
        (aid, 1, 0, 2, 4, 2)
    assert (a["cpu_milli"], a["memory_bytes"]) == (1000, 2 << 30)
    groups = node.core_groups(aid)
    assert [(g["first_core"], g["core_count"], g["first_chip"], g["chip_count"]) for g in groups] == \
        [(0, 2, 0, 1), (2, 2, 0, 1), (4, 2, 1, 1), (6, 2, 1, 1)]

    adopted = node.adopt(devices="3", cores=["12-13", "14-15"], cpu="500m")
    assert adopted > aid
    assert node.alloc(adopted)["cpu_milli"] == 500
    assert node.env(adopted, 1)["NEURON_RT_VISIBLE_CORES"] == "14-15"
    assert node.alloc_ids() == [aid, adopted]
    with pytest.raises(ncg.NcgError) as e:
        node.adopt(devices="3")
    assert e.value.code == E_OVERLAP
    with pytest.raises(ncg.NcgError) as e:
        node.allocate(inf=2)
    assert e.value.code == E_FULL

    s = node.status()
    assert (s["chips"], s["cores_per_chip"], s["free_chips"], s["free_chip_mask"], s["allocations"]) == \
        (4, 4, 1, 1 << 2, 2)
    assert s["free_cores"] == 4

    node.release(aid)
    with pytest.raises(ncg.NcgError) as e:
        node.release(aid)
    assert e.value.code == E_NOT_FOUND
    with pytest.raises(ncg.NcgError) as e:
        node.env(aid, 0)
    assert e.value.code == E_NOT_FOUND
    assert node.alloc_ids() == [adopted]
    assert node.status()["free_chips"] == 3
    node.close()
    node.close()


def test_ids_are_64_bit():
    assert ncg._Alloc.id.size == 8
    f = ncg._node_release.cfunc
    assert f.argtypes[1] is ctypes.c_uint64
    with ncg.Catalog() as cat, ncg.Node(cat, "inf1.xlarge") as node:
        with pytest.raises(ncg.NcgError) as e:
            node.release(1 << 40)
        assert e.value.code == E_NOT_FOUND


def test_unsized_struct_is_invalid():
    # What the binding guards against: a sized struct whose size is not set.
    with ncg.Catalog() as cat, ncg.Node(cat, "inf1.xlarge") as node:
        with pytest.raises(ncg.NcgError) as e:
            ncg._node_get_status(node._h, ctypes.byref(ncg._NodeStatus()))
        assert e.value.code == E_INVALID

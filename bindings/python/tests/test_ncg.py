"""The Python binding: conversions, ownership and errors (the rules themselves are tested in C)."""
import pytest

import ncg


def test_version():
    assert ncg.version() == "1.0.0"


def test_quantities():
    assert ncg.parse_cpu("500m") == 500
    assert ncg.parse_memory("4Gi") == 4 << 30
    with pytest.raises(ncg.NcgError) as e:
        ncg.parse_cpu("abc")
    assert e.value.code == -3
    assert str(e.value).startswith('invalid CPU quantity "abc"')


def test_ppr_message_is_cortexs():
    assert ncg.ppr_check(2, 4) == 2
    with pytest.raises(ncg.NcgError) as e:
        ncg.ppr_check(2, 3)
    assert str(e.value) == ("cannot evenly distribute 2 Inferentia ASICs (8 NeuronCores total) over 3 processes - "
                            "acceptable numbers of processes are 1, 2, 4, or 8")


def test_catalog_and_node():
    with ncg.Catalog() as cat:
        types = {t["name"]: t for t in cat.types()}
        assert len(types) == 12
        assert types["inf2.48xlarge"]["chips"] == 12
        assert cat.check("inf1.6xlarge", inf=2, ppr=4) == 2
        node = ncg.Node(cat, "inf1.6xlarge")
        aid, envs = node.allocate(inf=2, ppr=4, cpu="1", memory="2Gi")
        assert [e["NEURON_RT_VISIBLE_CORES"] for e in envs] == ["0-1", "2-3", "4-5", "6-7"]
        assert envs[0]["AWS_NEURON_VISIBLE_DEVICES"] == "0,1"
        assert node.adopt(devices="3", cores=["12-13", "14-15"]) == 2
        with pytest.raises(ncg.NcgError) as e:
            node.adopt(devices="3")
        assert e.value.code == -11
        node.release(aid)
        with pytest.raises(ncg.NcgError):
            node.release(aid)
        node.close()

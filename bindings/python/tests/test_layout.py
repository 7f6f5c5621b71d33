"""Every ctypes Structure of the binding has the layout the C compiler gives its struct of ncg.h or ncg-cortex.h.

The reference is the output of tests/abi/layout (its format is documented at the top of tests/abi/layout.c),
whose path meson passes in $NCG_LAYOUT, and of tests/cli/cortex-layout (the same format, for ncg-cortex.h) in
$NCG_CORTEX_LAYOUT. The Structures of ncg-cortex.h are those whose C name starts with ncg_cortex_."""
import ctypes
import os
import re
import subprocess

import pytest

import ncg
import ncg._ffi

LAYOUT = os.environ.get("NCG_LAYOUT")
CORTEX_LAYOUT = os.environ.get("NCG_CORTEX_LAYOUT")
pytestmark = pytest.mark.skipif(not LAYOUT, reason="NCG_LAYOUT is not set (run through meson test)")


def c_layout(program=LAYOUT):
    """{struct: (sizeof, [(member, offset, size)])} from a layout program."""
    out = subprocess.run([program], check=True, capture_output=True, text=True).stdout
    structs = {}
    for line in out.splitlines():
        m = re.fullmatch(r"(\w+) sizeof (\d+)", line)
        if m:
            structs[m.group(1)] = (int(m.group(2)), [])
            continue
        m = re.fullmatch(r"(\w+)\.(\w+) offset (\d+) size (\d+)", line)
        assert m, "not in the layout format: %r" % line
        structs[m.group(1)][1].append((m.group(2), int(m.group(3)), int(m.group(4))))
    return structs


def all_structures():
    return sorted((cls for cls in vars(ncg._ffi).values()
                   if isinstance(cls, type) and issubclass(cls, ctypes.Structure) and "_fields_" in cls.__dict__),
                  key=lambda cls: cls.__name__)


def binding_structures():
    """The Structures mirroring ncg.h."""
    return [cls for cls in all_structures() if not getattr(cls, "_c_name_", "").startswith("ncg_cortex_")]


def cortex_structures():
    """The Structures mirroring ncg-cortex.h."""
    return [cls for cls in all_structures() if getattr(cls, "_c_name_", "").startswith("ncg_cortex_")]


@pytest.fixture(scope="module")
def layout():
    return c_layout()


@pytest.fixture(scope="module")
def cortex_layout():
    if not CORTEX_LAYOUT:
        pytest.skip("NCG_CORTEX_LAYOUT is not set (libncg-cortex is not built: no libyaml)")
    return c_layout(CORTEX_LAYOUT)


def test_binding_defines_structures():
    assert len(binding_structures()) > 0


def test_every_structure_names_a_struct_of_the_header(layout):
    for cls in binding_structures():
        assert getattr(cls, "_c_name_", None), "%s has no _c_name_" % cls.__name__
        assert cls._c_name_ in layout, "%s mirrors %s, which ncg.h does not define" % (cls.__name__, cls._c_name_)
    names = [cls._c_name_ for cls in binding_structures()]
    assert len(names) == len(set(names)), "two Structures mirror the same struct"


@pytest.mark.parametrize("cls", binding_structures(), ids=lambda cls: getattr(cls, "_c_name_", cls.__name__))
def test_structure_matches_c(cls, layout):
    size, members = layout[cls._c_name_]
    got = [(name, getattr(cls, name).offset, getattr(cls, name).size) for name, *_ in cls._fields_]
    assert got == members, "%s differs from %s" % (cls.__name__, cls._c_name_)
    assert ctypes.sizeof(cls) == size


def test_every_struct_of_the_header_is_mirrored(layout):
    assert sorted(cls._c_name_ for cls in binding_structures()) == sorted(layout)


def test_binding_defines_cortex_structures():
    assert [cls._c_name_ for cls in cortex_structures()] == sorted(
        ["ncg_cortex_api", "ncg_cortex_backend", "ncg_cortex_nodegroup", "ncg_cortex_diagnostic"])


@pytest.mark.parametrize("cls", cortex_structures(), ids=lambda cls: cls._c_name_)
def test_cortex_structure_matches_c(cls, cortex_layout):
    size, members = cortex_layout[cls._c_name_]
    got = [(name, getattr(cls, name).offset, getattr(cls, name).size) for name, *_ in cls._fields_]
    assert got == members, "%s differs from %s" % (cls.__name__, cls._c_name_)
    assert ctypes.sizeof(cls) == size


def test_every_struct_of_the_cortex_header_is_mirrored(cortex_layout):
    assert sorted(cls._c_name_ for cls in cortex_structures()) == sorted(cortex_layout)

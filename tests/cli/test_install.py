"""`meson install --destdir`: the installed ncg starts without LD_LIBRARY_PATH (its RUNPATH is relative to the
prefix), and the man page, the documents it names, the headers and pkg-config files are installed."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

BUILD = os.environ.get("NCG_BUILD_ROOT")
pytestmark = pytest.mark.skipif(not BUILD or not shutil.which("meson"), reason="needs the meson build directory")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    dest = tmp_path_factory.mktemp("destdir")
    r = subprocess.run(["meson", "install", "--no-rebuild", "--quiet", "-C", BUILD, "--destdir", str(dest)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    root = dest / os.environ["NCG_PREFIX"].lstrip("/")
    return root


def test_installed_ncg_starts_without_library_path(installed):
    ncg = installed / os.environ["NCG_BINDIR"] / "ncg"
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    r = subprocess.run([str(ncg), "plan", "--example"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("plan: 4 nodes, 41 of 41 replicas placed\n")
    dyn = subprocess.run(["readelf", "-d", str(ncg)], capture_output=True, text=True, check=True).stdout
    # $ORIGIN/../LIBDIR, possibly beside entries of the build's own link arguments (a sanitizer runtime's)
    assert re.search(r"\((RUNPATH|RPATH)\).*\[([^]]*:)?\$ORIGIN/\.\./%s(:[^]]*)?\]" % re.escape(os.environ["NCG_LIBDIR"]),
                     dyn), dyn
    # the loader finds libncg-cortex and, through it, libncg in the destdir, not in the build tree
    ldd = subprocess.run(["ldd", str(ncg)], capture_output=True, text=True, env=env, check=True).stdout
    for lib in ("libncg.so.2", "libncg-cortex.so.2"):
        line = next(l for l in ldd.splitlines() if lib in l)
        assert str(installed) in line, ldd


def test_installed_files(installed):
    libdir = installed / os.environ["NCG_LIBDIR"]
    docdir = installed / os.environ["NCG_DATADIR"] / "doc" / "libncg"
    for f in [installed / "include" / "ncg.h", installed / "include" / "ncg-cortex.h",
              libdir / "pkgconfig" / "libncg.pc", libdir / "pkgconfig" / "libncg-cortex.pc",
              installed / os.environ["NCG_MANDIR"] / "man1" / "ncg.1",
              docdir / "cli.md", docdir / "json.md", docdir / "ncg-plan.schema.json",
              docdir / "ncg-validate.schema.json"]:
        assert f.is_file(), f
    man = (installed / os.environ["NCG_MANDIR"] / "man1" / "ncg.1").read_text()
    for section in ("OPTIONS", "EXIT STATUS", "FILES", "EXAMPLES"):
        assert "\n.SH %s\n" % section in man
    pc = (libdir / "pkgconfig" / "libncg-cortex.pc").read_text()
    assert "Requires: libncg" in pc and "-lncg-cortex" in pc

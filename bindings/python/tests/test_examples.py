"""examples/python/ run against the library just built; the example plan compared with `ncg plan --example -o
json` ($NCG_BIN, when the CLI is built); `pip install` of the package into a fresh directory."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from plan_compare import assert_plan_matches_cli

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)
EXAMPLES = os.environ.get("NCG_EXAMPLES") or os.path.join(os.path.dirname(os.path.dirname(PKG)), "examples")
PY_EXAMPLES = os.path.join(EXAMPLES, "python")


def run_example(name, *args):
    env = dict(os.environ, PYTHONPATH=PKG, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, os.path.join(PY_EXAMPLES, name), *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_plan_example_runs():
    r = run_example("plan_example.py")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("price 7.4800 USD/h") and "41 of 41 replicas placed" in lines[0]
    assert len(lines) == 1 + 41
    assert r.stderr == ""


def test_controller_example_runs():
    r = run_example("controller.py")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "adopted resnet-7f9c on ip-10-0-1-17: chips 0-0, 4 processes, allocation 1" in out
    assert "adopted gpt2-55d1 on ip-10-0-1-17: chips 2-3, 1 processes, allocation 2" in out
    assert "placed resnet-a1 on ip-10-0-1-17: AWS_NEURON_VISIBLE_DEVICES=1 " in out
    assert "added inf-large-1" in out and r.stderr == ""


needs_cortex = pytest.mark.skipif(not os.environ.get("NCG_CORTEX_LIBRARY"),
                                  reason="libncg-cortex is not built ($NCG_CORTEX_LIBRARY)")


@needs_cortex
def test_cortex_example_prints_the_plan_of_the_files():
    """cortex_plan.py reads examples/cortex/ with libncg-cortex: the same output as plan_example.py."""
    r = run_example("cortex_plan.py")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout == run_example("plan_example.py").stdout


@needs_cortex
def test_cortex_example_takes_the_command_line_of_the_cli():
    """`cortex_plan.py APIS... --cluster CLUSTER`, as `ncg plan APIS... --cluster CLUSTER`: API files first."""
    apis, cluster = os.path.join(EXAMPLES, "cortex", "apis.yaml"), os.path.join(EXAMPLES, "cortex", "cluster.yaml")
    r = run_example("cortex_plan.py", apis, "--cluster", cluster)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout == run_example("cortex_plan.py").stdout
    for args in ([apis], ["--cluster", cluster], [cluster, apis]):
        r = run_example("cortex_plan.py", *args)
        assert (r.returncode, r.stdout) == (2, ""), args
        assert r.stderr.startswith("usage: cortex_plan.py [-h] [--cluster CLUSTER.yaml] [APIS.yaml")
        assert r.stderr.endswith("error: give API files and --cluster, or neither (the example)\n")


@needs_cortex
def test_cortex_example_reports_every_problem(tmp_path):
    apis = tmp_path / "apis.yaml"
    apis.write_text("- name: a\n  kind: RealtimeAPI\n  compute: {cpu: -1}\n- name: b\n  kind: RealtimeAPI\n"
                    "  compute: {inf: 100}\n")
    r = run_example("cortex_plan.py", str(apis), "--cluster", os.path.join(EXAMPLES, "cortex", "cluster.yaml"))
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.splitlines() == [
        "%s:3:18: api a: compute.cpu: invalid CPU quantity \"-1\": must not be negative" % apis,
        "%s:4:3: api b: compute: no instances can satisfy the requested Inf quantity - requested 100 Inf but "
        "instances only have 1 Inf available (node group inf-small, inf1.2xlarge); node group inf-large "
        "(inf1.6xlarge): requested 100 Inf but instances only have 4 Inf available; node group inf-xl-spot "
        "(inf1.24xlarge): requested 100 Inf but instances only have 16 Inf available" % apis]


@pytest.mark.skipif(not os.environ.get("NCG_BIN"), reason="the ncg CLI is not built ($NCG_BIN)")
def test_example_plan_matches_the_cli():
    sys.path.insert(0, PY_EXAMPLES)
    try:
        import plan_example
    finally:
        sys.path.remove(PY_EXAMPLES)
    cli = json.loads(subprocess.run([os.environ["NCG_BIN"], "plan", "--example", "-o", "json"], check=True,
                                    capture_output=True, text=True).stdout)
    with plan_example.build_plan() as plan:
        assert_plan_matches_cli(plan, cli)


def _package_copy(tmp_path):
    """The package sources as `pip install ./bindings/python` sees them (no tests, no build leftovers)."""
    src = tmp_path / "src"
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("__pycache__", "tests", "build", "*.egg-info"))
    return src


def _clean_env():
    """The environment without this build tree's package path: the venv's own site-packages must be used."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def _check_installed(venv, tmp_path):
    py = venv / "bin" / "python"
    r = subprocess.run([str(py), "-c", "import ncg, os, importlib.metadata as m; print(ncg.__file__, ncg.version(), "
                        "os.path.exists(os.path.join(os.path.dirname(ncg.__file__), 'py.typed')), "
                        "m.version('ncg'), ncg.__version__)"],
                       capture_output=True, text=True, env=_clean_env(), cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    path, ver, typed, dist, pkg = r.stdout.split()
    assert path.startswith(str(venv) + os.sep) and path.endswith(os.path.join("site-packages", "ncg", "__init__.py"))
    assert (ver, typed, dist, pkg) == ("2.3.0", "True", "2.3.0", "2.3.0")  # pyproject's version is the package's


def test_pip_install_offline(tmp_path):
    """`pip install ./bindings/python` into a fresh venv works without a network: the build backend
    (setuptools, with wheel) of the interpreter, no build isolation; scripts/setup.sh --tests installs them. The venv
    then imports the installed package, py.typed included, and it loads the library ($NCG_LIBRARY)."""
    src = _package_copy(tmp_path)
    r = subprocess.run([sys.executable, "-c", "import setuptools, wheel"], capture_output=True, text=True)
    assert r.returncode == 0, "setuptools and wheel are missing: run scripts/setup.sh --tests (%s)" % r.stderr.strip()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True,
                   timeout=120)
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-build-isolation",
                        "--no-deps", "--no-index", str(src)], capture_output=True, text=True, env=_clean_env(),
                       cwd=str(tmp_path), timeout=240)
    assert r.returncode == 0, r.stderr
    _check_installed(venv, tmp_path)


def test_pip_install_isolated(tmp_path):
    """What a new user types, in a fresh venv with its own pip: `pip install ./bindings/python`, with pip
    fetching the build backend the pyproject.toml names into an isolated build environment (from PyPI, or
    $PIP_FIND_LINKS). Skipped only when no index is reachable."""
    src = _package_copy(tmp_path)
    venv = tmp_path / "venv"
    r = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=240)
    if r.returncode != 0 and "ensurepip" in (r.stdout + r.stderr):
        pytest.fail("python3 -m venv has no ensurepip (Debian: install python3-venv, as scripts/setup.sh --tests does)")
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(src)],
                       capture_output=True, text=True, env=_clean_env(), cwd=str(tmp_path), timeout=300)
    offline = ("Failed to establish a new connection", "Temporary failure in name resolution",
               "No matching distribution found for setuptools")
    if r.returncode != 0 and any(s in r.stderr for s in offline):
        pytest.skip("no package index reachable: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    _check_installed(venv, tmp_path)

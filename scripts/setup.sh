#!/bin/sh
# Install what libncg needs, and only what is missing (Debian/Ubuntu, with apt-get).
#
#   scripts/setup.sh           what building it and running the CLI need: meson, ninja, pkg-config, gcc, check,
#                              libyaml, jansson, python3
#   scripts/setup.sh --tests   also what the test suites need: pytest, valgrind, librsvg2-bin, clang and its
#                              sanitizer and libFuzzer runtimes, python3-venv, setuptools and wheel (Debian
#                              packages); the de_DE.UTF-8 locale; the virtual environment .venv (on top of
#                              python3's packages) with PyYAML, jsonschema and highspy from PyPI, which meson runs
#                              the Python tests with; staticcheck v0.8.2 where Go is installed
#
# Nothing is installed into the system Python with pip.
set -eu
cd "$(dirname "$0")/.."
tests=false
case "${1:-}" in
--tests) tests=true ;;
"") ;;
*) echo "usage: scripts/setup.sh [--tests]" >&2; exit 2 ;;
esac
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo

pkgs="meson ninja-build pkg-config gcc check libyaml-dev libjansson-dev python3"
if $tests; then
    # rsvg-convert: the CLI tests render every SVG they check to PNG; clang and its sanitizer/libFuzzer runtimes:
    # the clang ASan+UBSan build and the fuzz targets (scripts/fuzz.sh); python3-venv: .venv and the Python
    # binding's install tests; setuptools and wheel: the binding's offline install test builds with them
    pkgs="$pkgs python3-pytest valgrind locales librsvg2-bin clang libclang-rt-dev python3-venv python3-setuptools"
    pkgs="$pkgs python3-wheel"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# pytest may come with the python3 on PATH rather than from Debian: accept either.
case "$missing" in *python3-pytest*)
    if python3 -c 'import pytest' 2>/dev/null; then missing=$(echo "$missing" | sed 's/ python3-pytest//'); fi;;
esac
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
$tests || exit 0

# The state-format tests read and write dumps under a decimal-comma locale: generate de_DE.UTF-8 if it is missing.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    echo "setup: generating the de_DE.UTF-8 locale" >&2
    $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
# The tests' Python: a virtual environment that sees python3's own packages (pytest, setuptools) and adds PyYAML
# and jsonschema (the CLI tests validate every JSON output against doc/'s schemas and compare -o yaml with -o
# json) and highspy (HiGHS, the reference of the library's simplex). meson finds .venv/bin/python3 first.
if [ ! -x .venv/bin/python3 ]; then
    echo "setup: creating .venv (the tests' Python)" >&2
    python3 -m venv --system-site-packages .venv
fi
for m in yaml:pyyaml jsonschema:jsonschema highspy:highspy pytest:pytest; do
    if ! .venv/bin/python3 -c "import ${m%%:*}" 2>/dev/null; then
        echo "setup: installing ${m#*:} into .venv" >&2
        .venv/bin/python3 -m pip install -q "${m#*:}"
    fi
done
if ! python3 -c 'import setuptools, wheel' 2>/dev/null; then
    echo "setup: python3 has no setuptools and wheel: the Python binding's offline install test will fail" >&2
fi
# staticcheck for the Go binding's lint test (meson registers it when staticcheck is on PATH: add
# "$(go env GOPATH)/bin"). Only where Go is installed; from the Go module proxy, at a fixed version (a new release
# may flag new things, and a test command should not change on its own).
if command -v go >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
    echo "setup: installing staticcheck" >&2
    GOFLAGS= go install honnef.co/go/tools/cmd/staticcheck@v0.8.2 || echo "setup: staticcheck not installed" >&2
fi

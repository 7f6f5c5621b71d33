#!/bin/sh
# Install what building and testing libncg needs, and only what is missing (Debian/Ubuntu).
set -eu
pkgs="meson ninja-build pkg-config gcc check libyaml-dev libjansson-dev python3 python3-pytest valgrind locales"
# rsvg-convert: the CLI tests render every SVG they check to PNG
pkgs="$pkgs librsvg2-bin"
# clang and its sanitizer/libFuzzer runtimes: the clang ASan+UBSan build and the fuzz targets (scripts/fuzz.sh).
pkgs="$pkgs clang libclang-rt-dev"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# pytest may come from pip rather than Debian: accept either.
case "$missing" in *python3-pytest*)
    if python3 -c 'import pytest' 2>/dev/null; then missing=$(echo "$missing" | sed 's/ python3-pytest//'); fi;;
esac
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The state-format tests read and write dumps under a decimal-comma locale: generate de_DE.UTF-8 if it is missing.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    echo "setup: generating the de_DE.UTF-8 locale" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
# jsonschema and PyYAML (PyPI): the CLI tests validate every JSON output against the schemas of doc/ and compare
# -o yaml with -o json.
if ! python3 -c "import yaml" 2>/dev/null; then
    echo "setup: installing PyYAML (tests only)" >&2
    python3 -m pip install -q pyyaml 2>/dev/null || python3 -m pip install -q --break-system-packages pyyaml
fi
if ! python3 -c "import jsonschema" 2>/dev/null; then
    echo "setup: installing jsonschema (tests only)" >&2
    python3 -m pip install -q jsonschema 2>/dev/null || python3 -m pip install -q --break-system-packages jsonschema
fi
# HiGHS (the highspy package from PyPI), which the test suite uses to cross-check the library's simplex.
if ! python3 -c 'import highspy' 2>/dev/null; then
    echo "setup: installing highspy (tests only)" >&2
    python3 -m pip install -q highspy 2>/dev/null || python3 -m pip install -q --break-system-packages highspy
fi
# staticcheck for the Go binding's lint test (meson registers it when staticcheck is on PATH: add
# "$(go env GOPATH)/bin"). Only where Go is installed; from the Go module proxy, at a fixed version (a new release
# may flag new things, and a test command should not change on its own).
if command -v go >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
    echo "setup: installing staticcheck" >&2
    GOFLAGS= go install honnef.co/go/tools/cmd/staticcheck@v0.8.2 || echo "setup: staticcheck not installed" >&2
fi
# The Python binding's install tests (bindings/python/tests/test_examples.py): setuptools and wheel for the
# offline build, and a venv with ensurepip (Debian: python3-venv) for the isolated one.
if ! python3 -c 'import setuptools, wheel' 2>/dev/null; then
    echo "setup: installing setuptools and wheel (Python binding install test)" >&2
    python3 -m pip install -q setuptools wheel 2>/dev/null ||
        python3 -m pip install -q --break-system-packages setuptools wheel 2>/dev/null ||
        { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get update -qq &&
          DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-setuptools \
              python3-wheel >/dev/null; }
fi
ncg_venv_probe=$(mktemp -d)
if ! python3 -m venv "$ncg_venv_probe/v" >/dev/null 2>&1; then
    echo "setup: installing python3-venv (Python binding install test)" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
rm -rf "$ncg_venv_probe"

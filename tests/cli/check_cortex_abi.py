#!/usr/bin/env python3
# libncg-cortex exports exactly the functions of its version script (node LIBNCG_CORTEX_2.1), its SONAME is
# libncg-cortex.so.2, and every exported function is called by the check suite (tests/test-cortex.c).
import re
import subprocess
import sys

lib, symfile, test_source = sys.argv[1:4]
want = set(re.findall(r"^\s+(ncg_cortex_\w+);", open(symfile).read(), re.M))
nodes = re.findall(r"^(LIBNCG_CORTEX_[0-9.]+)\s*\{", open(symfile).read(), re.M)
out = subprocess.run(["nm", "-D", "--defined-only", "--with-symbol-versions", lib], check=True,
                     capture_output=True, text=True).stdout
have = {}
for line in out.splitlines():
    name, _, version = line.split()[-1].partition("@")
    if not re.fullmatch(r"LIBNCG_CORTEX_[0-9.]+", name):
        have[name] = version.lstrip("@")
ok = True
if nodes != ["LIBNCG_CORTEX_2.1"]:
    print("version nodes:", nodes)
    ok = False
if set(have) != want or any(v != "LIBNCG_CORTEX_2.1" for v in have.values()):
    print("missing:", sorted(want - set(have)), "unexpected:", sorted(set(have) - want),
          "versions:", sorted(set(have.values())))
    ok = False
dyn = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True, text=True).stdout
soname = re.search(r"\(SONAME\).*\[(.*)\]", dyn)
if not soname or soname.group(1) != "libncg-cortex.so.2":
    print("SONAME:", soname.group(1) if soname else None)
    ok = False
source = open(test_source).read()
untested = sorted(n for n in want if not re.search(r"\b%s\(" % n, source))
if untested:
    print("not called by %s:" % test_source, untested)
    ok = False
print("libncg-cortex: %d symbols, SONAME %s" % (len(have), soname.group(1) if soname else None))
sys.exit(0 if ok else 1)

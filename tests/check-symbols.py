#!/usr/bin/env python3
# The shared library exports exactly the functions of the version script, and its SONAME is libncg.so.1.
import re
import subprocess
import sys

lib, symfile = sys.argv[1], sys.argv[2]
want = set(re.findall(r"^\s+(ncg_\w+);", open(symfile).read(), re.M))
out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True, text=True).stdout
have = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
have.discard("LIBNCG_1.0")
dyn = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True, text=True).stdout
soname = re.search(r"\(SONAME\).*\[(.*)\]", dyn)
ok = True
if want != have:
    print("missing:", sorted(want - have), "unexpected:", sorted(have - want))
    ok = False
if not soname or soname.group(1) != "libncg.so.1":
    print("SONAME:", soname.group(1) if soname else None)
    ok = False
print("symbols: %d exported, SONAME %s" % (len(have), soname.group(1) if soname else None))
sys.exit(0 if ok else 1)

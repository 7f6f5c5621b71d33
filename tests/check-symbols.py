#!/usr/bin/env python3
# The shared library exports exactly the functions of the version script, each under its version node
# (LIBNCG_2.0 for every 2.0 function), and its SONAME is libncg.so.MAJOR for the MAJOR of the newest node.
import re
import subprocess
import sys

lib, symfile = sys.argv[1], sys.argv[2]
script = open(symfile).read()

# node name -> functions listed in it
want = {}
for node, body in re.findall(r"^(LIBNCG_[0-9.]+)\s*\{(.*?)\}", script, re.M | re.S):
    want[node] = set(re.findall(r"^\s+(ncg_\w+);", body, re.M))
ok = True
if not want:
    print("no LIBNCG_x.y node in", symfile)
    sys.exit(1)
newest = max(want, key=lambda n: tuple(int(x) for x in n.split("_")[1].split(".")))
major = newest.split("_")[1].split(".")[0]

out = subprocess.run(["nm", "-D", "--defined-only", "--with-symbol-versions", lib], check=True,
                     capture_output=True, text=True).stdout
have = {}  # name -> version node
for line in out.splitlines():
    if not line.strip():
        continue
    sym = line.split()[-1]
    name, _, version = sym.partition("@")
    version = version.lstrip("@")
    if re.fullmatch(r"LIBNCG_[0-9.]+", name):  # a version node's own symbol
        continue
    have[name] = version

want_all = {name: node for node, names in want.items() for name in names}
missing = sorted(set(want_all) - set(have))
unexpected = sorted(set(have) - set(want_all))
wrong_node = sorted("%s@%s (want %s)" % (n, have[n], want_all[n]) for n in set(want_all) & set(have)
                    if have[n] != want_all[n])
if missing or unexpected or wrong_node:
    print("missing:", missing, "unexpected:", unexpected, "wrong version node:", wrong_node)
    ok = False

dyn = subprocess.run(["readelf", "-d", lib], check=True, capture_output=True, text=True).stdout
soname = re.search(r"\(SONAME\).*\[(.*)\]", dyn)
if not soname or soname.group(1) != "libncg.so." + major:
    print("SONAME:", soname.group(1) if soname else None, "want libncg.so." + major)
    ok = False
print("symbols: %d exported in %s, SONAME %s" % (len(have), ", ".join(sorted(want)),
                                                 soname.group(1) if soname else None))
sys.exit(0 if ok else 1)

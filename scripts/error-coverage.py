#!/usr/bin/env python3
"""Share of the library's error returns that the test suite runs.

Usage: scripts/error-coverage.py BUILD_DIR [--list]

BUILD_DIR must be configured with -Db_coverage=true and have run `meson test`. An error return is a line of the
library's sources (src/base, model, node, cluster and plan; not the CLI or libncg-cortex) that reports a failure: a
call of ncg_fail(), ncg_fail_prefix(), bad() or bad_call(), or a `return NCG_E_...`. gcov says, per line, how
often it ran; this prints how many of those lines ran at least once, and with --list the ones that never did.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

PATTERN = re.compile(r"\bncg_fail(_prefix)?\(|\bbad(_call)?\(err|\breturn NCG_E_[A-Z_]+;")


LAYERS = ("base", "model", "node", "cluster", "plan")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    gcdas = [g for g in glob.glob(os.path.join(build, "src", "**", "*.gcda"), recursive=True)
             if os.sep + "cli" + os.sep not in g]
    if not gcdas:
        sys.exit("no .gcda files under %s/src: configure with -Db_coverage=true and run meson test" % build)
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for gcda in gcdas:
            subprocess.run(["gcov", "-p", "-o", os.path.dirname(gcda), gcda], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for path in glob.glob(os.path.join(tmp, "*.gcov")):
            source = None
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    parts = line.split(":", 2)
                    if len(parts) < 3:
                        continue
                    count, number, text = parts[0].strip(), parts[1].strip(), parts[2].rstrip("\n")
                    if number == "0" and text.startswith("Source:"):
                        source = os.path.realpath(os.path.join(build, text[len("Source:"):]))
                        continue
                    layer = os.path.relpath(os.path.dirname(source), os.path.join(root, "src")) if source else ""
                    if layer not in LAYERS:
                        break
                    if count == "-" or not PATTERN.search(text) or re.match(r"\s*(static )?int \w+\(", text):
                        continue
                    key = (layer + "/" + os.path.basename(source), int(number))
                    ran = count not in ("#####", "=====")
                    counts[key] = counts.get(key, False) or ran
    total = len(counts)
    run = sum(1 for v in counts.values() if v)
    print("error returns run: %d of %d (%.1f%%)" % (run, total, 100.0 * run / total if total else 0))
    if "--list" in sys.argv:
        for (name, number), ran in sorted(counts.items()):
            if not ran:
                print("  not run: src/%s:%d" % (name, number))


if __name__ == "__main__":
    main()

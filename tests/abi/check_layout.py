#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check that tests/abi/layout.c describes exactly the public structs of include/ncg.h.

Usage: check_layout.py HEADER LAYOUT_PROGRAM

Parses the struct definitions of HEADER, runs LAYOUT_PROGRAM and checks that its output (format documented at
the top of layout.c) names the same structs, in header order, each with the same members in declaration order,
and that the numbers are consistent (every member inside its struct, offsets in declaration order, a `size`
member at offset 0 and 4 bytes wide). Adding a struct or a member to the header without listing it in layout.c
fails here."""
import re
import subprocess
import sys

STRUCT_LINE = re.compile(r"^([A-Za-z_]\w*) sizeof (\d+)$")
MEMBER_LINE = re.compile(r"^([A-Za-z_]\w*)\.([A-Za-z_]\w*) offset (\d+) size (\d+)$")


def strip_comments_and_directives(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\\\n", " ", text)  # line continuations (multi-line macros)
    return re.sub(r"^\s*#[^\n]*", " ", text, flags=re.M)


def split_top(text, sep):
    """Split on sep outside (), [] and {}."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def declarator_name(decl):
    decl = re.sub(r"\[[^\]]*\]", " ", decl)        # array bounds
    decl = re.sub(r":\s*\w+\s*$", " ", decl)       # bit-field width
    m = re.search(r"\(\s*\*\s*(?:const\s+)?([A-Za-z_]\w*)\s*\)", decl)  # function pointer
    if m:
        return m.group(1)
    names = re.findall(r"[A-Za-z_]\w*", decl)
    if not names:
        raise ValueError("no member name in %r" % decl)
    return names[-1]


def header_structs(path):
    """[(name, [members])] in header order."""
    text = strip_comments_and_directives(open(path, encoding="utf-8").read())
    out = []
    for m in re.finditer(r"\b(typedef\s+)?struct\s+([A-Za-z_]\w*)?\s*\{", text):
        start = m.end()
        depth, i = 1, start
        while depth:
            if i >= len(text):
                raise ValueError("unbalanced braces after struct %s" % m.group(2))
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        body = text[start:i - 1]
        if "{" in body:
            raise ValueError("nested struct definition in %s: not supported" % m.group(2))
        name = m.group(2)
        if m.group(1):
            t = re.match(r"\s*([A-Za-z_]\w*)\s*;", text[i:])
            if not t:
                raise ValueError("cannot read the typedef name of struct %s" % name)
            name = t.group(1)
        members = []
        for decl in body.split(";"):
            if not decl.strip():
                continue
            pieces = split_top(decl, ",")
            members.extend(declarator_name(p) for p in pieces)
        out.append((name, members))
    return out


def program_structs(output):
    """[(name, sizeof, [(member, offset, size)])] from the layout program's output; raises on a bad line."""
    out = []
    for n, line in enumerate(output.split("\n"), 1):
        if line == "" and n == output.count("\n") + 1:
            break
        m = STRUCT_LINE.match(line)
        if m:
            out.append((m.group(1), int(m.group(2)), []))
            continue
        m = MEMBER_LINE.match(line)
        if not m:
            raise ValueError("line %d: not in the layout format: %r" % (n, line))
        if not out or out[-1][0] != m.group(1):
            raise ValueError("line %d: member of %s outside its struct's block" % (n, m.group(1)))
        out[-1][2].append((m.group(2), int(m.group(3)), int(m.group(4))))
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    header, program = argv[1], argv[2]
    want = header_structs(header)
    run = subprocess.run([program], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        print("%s exited with %d: %s" % (program, run.returncode, run.stderr.strip()))
        return 1
    try:
        have = program_structs(run.stdout)
    except ValueError as e:
        print("layout output:", e)
        return 1

    errors = []
    want_names = [s for s, _ in want]
    have_names = [s for s, _, _ in have]
    for s in sorted(set(want_names) - set(have_names)):
        errors.append("struct %s of the header is missing from layout.c" % s)
    for s in sorted(set(have_names) - set(want_names)):
        errors.append("struct %s of layout.c is not in the header" % s)
    for s in sorted({s for s in have_names if have_names.count(s) > 1}):
        errors.append("struct %s listed more than once" % s)
    common = [s for s in want_names if s in have_names]
    if [s for s in have_names if s in want_names] != common:
        errors.append("structs not in header order: %s" % " ".join(have_names))

    want_members = dict(want)
    for name, size, members in have:
        if name not in want_members:
            continue
        names = [m for m, _, _ in members]
        if names != want_members[name]:
            missing = [m for m in want_members[name] if m not in names]
            extra = [m for m in names if m not in want_members[name]]
            errors.append("%s: members %s in layout.c, %s in the header (missing: %s; not in header: %s)"
                          % (name, " ".join(names), " ".join(want_members[name]), " ".join(missing) or "none",
                             " ".join(extra) or "none"))
        last = -1
        for member, offset, msize in members:
            if offset + msize > size or msize == 0:
                errors.append("%s.%s: offset %d size %d does not fit sizeof %d" % (name, member, offset, msize, size))
            if offset < last:
                errors.append("%s.%s: offset %d before the previous member's" % (name, member, offset))
            last = offset
            if member == "size" and (offset, msize) != (0, 4):
                errors.append("%s.size: at offset %d with size %d, expected the leading uint32_t"
                              % (name, offset, msize))

    for e in errors:
        print("FAIL:", e)
    print("layout: %d structs, %d members checked against %s" % (len(have), sum(len(m) for _, _, m in have), header))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

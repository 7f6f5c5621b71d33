"""Hostile and overflowing input through the CLI: refused quickly, exit 1, one line naming file, line and column
(issue 13)."""
import os
import subprocess
import time

NCG = os.environ.get("NCG_BIN", "build/src/cli/ncg")


def ncg(*args, stdin=None):
    return subprocess.run([NCG, *map(str, args)], capture_output=True, text=True, timeout=60, input=stdin)


def test_container_memory_that_overflows_is_an_error(tmp_path):
    f = tmp_path / "o.yaml"
    f.write_text("- name: big\n  pod:\n    containers:\n"
                 "      - name: a\n        compute:\n          mem: 9223372036854775807\n"
                 "      - name: b\n        compute:\n          mem: 9223372036854775807\n"
                 "      - name: c\n        compute:\n          mem: 2\n")
    for cmd in ("validate", "plan"):
        r = ncg(cmd, f)
        assert (r.returncode, r.stdout) == (1, "")
        assert r.stderr == ("%s:9:16: api big: pod.containers[1].compute.mem: the containers' mem adds up to more "
                            "than 9223372036854775807 bytes (8 EiB)\n" % f)


def test_a_100000_deep_document_is_refused_quickly(tmp_path):
    f = tmp_path / "deep.yaml"
    f.write_text("- name: a\n  compute: " + "[" * 100000 + "]" * 100000 + "\n")
    start = time.monotonic()
    r = ncg("validate", f)
    assert time.monotonic() - start < 2
    assert (r.returncode, r.stderr) == (1, "%s:2:74: the YAML nests deeper than 64 levels (the limit)\n" % f)


def test_billion_laughs_is_refused(tmp_path):
    f = tmp_path / "laughs.yaml"
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append("%s: &%s [%s]" % (name, name, ", ".join(["*" + prev] * 9)))
    f.write_text("\n".join(lines) + "\n")
    r = ncg("validate", "--cluster", f)
    assert (r.returncode, r.stderr) == (1, "%s:7:8: the YAML has more than 1000000 nodes with its aliases expanded "
                                           "(the limit)\n" % f)


def test_a_file_over_16_mib_is_refused(tmp_path):
    f = tmp_path / "big.yaml"
    f.write_text("#" * (16 * 1024 * 1024 + 1))
    r = ncg("validate", f)
    assert (r.returncode, r.stderr) == (1, "%s:1:1: the file is larger than 16777216 bytes (16 MiB), the limit\n" % f)
    r = ncg("validate", "-", stdin=f.read_text())
    assert (r.returncode, r.stderr) == (1, "<stdin>:1:1: the file is larger than 16777216 bytes (16 MiB), the "
                                           "limit\n")
    f.write_text("- name: a\n" + "#" * (16 * 1024 * 1024 - 11) + "\n")  # exactly 16 MiB: read
    r = ncg("validate", f)
    assert (r.returncode, r.stderr) == (0, "")


def test_a_nul_byte_is_refused_with_its_position(tmp_path):
    # The reader takes NUL-terminated text: a NUL must not end the file there without a word (an API after it,
    # valid or not, would never be seen).
    def run(*args, stdin=b""):
        r = subprocess.run([NCG, *map(str, args)], capture_output=True, timeout=60, input=stdin)
        return r.returncode, r.stderr.decode()
    f = tmp_path / "apis.yaml"
    f.write_bytes(b"- name: a\n  kind: RealtimeAPI\n\x00- name: b\n  compute: {inf: -1}\n")
    assert run("validate", f) == (1, "%s:3:1: a NUL byte: control characters are not allowed in YAML\n" % f)
    assert run("validate", "-", stdin=f.read_bytes()) == (
        1, "<stdin>:3:1: a NUL byte: control characters are not allowed in YAML\n")
    c = tmp_path / "cluster.yaml"
    c.write_bytes(b"instance_type: inf1.xlarge\nmax_instances: 5\x00\n")
    assert run("validate", "--cluster", c) == (
        1, "%s:2:17: a NUL byte: control characters are not allowed in YAML\n" % c)
    # A NUL at every position of a file of the corpus: refused, with that position.
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "cortex",
                          "v0.38.0__test__apis__realtime__image-classifier-resnet50__cortex_inf.yaml")
    text = open(corpus, "rb").read()
    for at in range(0, len(text) + 1):
        f.write_bytes(text[:at] + b"\x00" + text[at:])
        line = text[:at].count(b"\n") + 1
        column = at - (text[:at].rfind(b"\n") + 1) + 1
        assert run("validate", f) == (
            1, "%s:%d:%d: a NUL byte: control characters are not allowed in YAML\n" % (f, line, column)), at


def test_300000_apis_and_40000_node_groups_load(tmp_path):
    # Loading is linear: names are found through a hash, arrays grow geometrically (quadratic loading took minutes
    # here; the figures are in the commit that made it linear). The subprocess timeout only guards a hang.
    apis = tmp_path / "apis.yaml"
    apis.write_text("".join("- {name: a%d}\n" % i for i in range(300000)))
    groups = tmp_path / "cluster.yaml"
    groups.write_text("node_groups:\n" + "".join("  - {name: g%d, instance_type: inf1.xlarge, max_instances: 1}\n" % i
                                                 for i in range(40000)))
    r = subprocess.run([NCG, "validate", "--cluster", str(groups), str(apis)], capture_output=True, text=True,
                       timeout=120)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "%s: 300000 APIs valid\n%s: 40000 node groups valid\n" % (apis, groups)
    apis.write_text("".join("- {name: a%d}\n" % i for i in range(299999)) + "- {name: a7}\n")
    r = subprocess.run([NCG, "validate", str(apis)], capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stderr) == (1, '%s:300000:10: api a7: name: another API has the name "a7" (%s:8:3)\n'
                                        % (apis, apis))


def test_past_the_plans_replicas_the_api_is_named_once(tmp_path):
    f = tmp_path / "h.yaml"
    f.write_text("- name: h\n  autoscaling: {min_replicas: 10000000, max_replicas: 10000000}\n")
    r = ncg("plan", f)
    assert (r.returncode, r.stderr) == (1, "ncg: %s:1:3: api h: replicas 10000000 would bring the plan to 10000000 "
                                           "replicas, past its limit of 2000000\n" % f)

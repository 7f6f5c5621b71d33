"""ncg plan -o svg: sized to its content, identical nodes drawn once with a count, a header per node group,
CPU-only and unplaced replicas visible, device memory per chip; rendered to PNG with rsvg-convert."""
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

NCG = os.environ.get("NCG_BIN", "build/src/cli/ncg")
SVG = "{http://www.w3.org/2000/svg}"


def ncg(*args):
    return subprocess.run([NCG, *map(str, args)], capture_output=True, text=True, timeout=120)


def render(svg: Path):
    """The SVG's size, its text lines, and the size of its PNG rendering."""
    rsvg = shutil.which("rsvg-convert")
    assert rsvg, "rsvg-convert is missing (Debian librsvg2-bin; scripts/setup.sh --tests installs it)"
    png = svg.with_suffix(".png")
    subprocess.run([rsvg, str(svg), "-o", str(png)], check=True, timeout=120)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    root = ET.parse(svg).getroot()
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    return (int(root.get("width")), int(root.get("height"))), texts, struct.unpack(">II", data[16:24]), root


def widest_text(texts, px=12):
    return max(int(len(t) * px * 0.62) for t in texts)


def test_example_svg(tmp_path):
    out = tmp_path / "plan.svg"
    assert ncg("plan", "--example", "-o", "svg", "--output-file", out).returncode == 0
    size, texts, png, root = render(out)
    assert png == size
    assert texts[0] == "4 nodes, $7.4800/h (optimal), 41 of 41 replicas placed"
    assert size[0] >= widest_text(texts[:1], 15)  # the title is never clipped
    assert "image-classifier-resnet50 12/12 placed" in texts
    assert "inf-large: 1 x inf1.6xlarge (4 chips, chain), $1.1800/h per node, $1.1800/h" in texts
    assert "inf-xl-spot: 3 x inf1.24xlarge (16 chips, chain), $2.1000/h per node, $6.3000/h" in texts
    assert "10 CPU-only" in texts  # image-preprocessor's replicas hold no NeuronCore
    assert "mem 7.9Gi/8Gi" in texts  # device memory of the fullest chip
    titles = [t.text for t in root.iter(SVG + "title")]
    chips = [t for t in titles if t.startswith("chip ")]
    assert len(chips) == 4 + 3 * 16  # one per chip
    assert all(t.endswith(" device memory in use") for t in chips)
    cpu_only = [t for t in titles if t.endswith("a CPU-only replica")]
    assert cpu_only == ["image-preprocessor (E): a CPU-only replica"] * 10
    cores = [t for t in titles if not t.startswith("chip ") and t not in cpu_only]
    assert len(cores) == 16 + 3 * 64  # one per NeuronCore: who holds it
    assert "image-classifier-resnet50 (A): one replica on cores 0-3, 4 NCGs of 1" in cores
    assert "text-generator-gpt2 (B): one replica on cores 0-7" in cores
    assert "core 40: free" in cores


def test_large_plan_draws_identical_nodes_once(tmp_path):
    api = tmp_path / "a.yaml"
    api.write_text("- name: resnet\n  compute: {inf: 1, cpu: 1, mem: 2Gi}\n  predictor: {processes_per_replica: 4}\n"
                   "  autoscaling: {min_replicas: 700, max_replicas: 700}\n"
                   "- name: bert\n  compute: {inf: 1, cpu: 1, mem: 2Gi}\n  predictor: {processes_per_replica: 2}\n"
                   "  autoscaling: {min_replicas: 333, max_replicas: 333}\n"
                   "- name: gpt\n  compute: {inf: 4, cpu: 8, mem: 16Gi}\n"
                   "  autoscaling: {min_replicas: 41, max_replicas: 41}\n"
                   "- name: preprocess\n  compute: {cpu: 2, mem: 1Gi}\n"
                   "  autoscaling: {min_replicas: 450, max_replicas: 450}\n")
    out = tmp_path / "plan.svg"
    r = ncg("plan", api, "--types", "inf1.xlarge,inf1.6xlarge", "-o", "svg", "--output-file", out)
    assert r.returncode == 0, r.stderr
    size, texts, png, root = render(out)
    assert png == size
    assert texts[0].startswith("1074 nodes, ")
    assert size[1] < 400  # 1074 nodes in a handful of rows
    rows = [t for t in texts if t.startswith("inf1.") and ":" not in t]  # "inf1.xlarge-1x 163": a row for 163
    assert len(rows) <= 8
    assert sum(int(t.rsplit("x ", 1)[1]) if "x " in t else 1 for t in rows) == 1074
    assert "inf1.xlarge: 1033 x inf1.xlarge (1 chip, single), $0.2280/h per node, $235.5240/h" in texts


def test_unplaced_replicas_and_every_reason_whole(tmp_path):
    out = tmp_path / "plan.svg"
    assert ncg("plan", "--example", "--replicas", "max", "-o", "svg", "--output-file", out).returncode == 3
    size, texts, png, root = render(out)
    assert png == size
    assert "unschedulable replicas: 119" in texts
    assert "batch-classifier 1/100 placed(99 unplaced)" in texts
    reasons = " ".join(texts[texts.index("unschedulable replicas: 119") + 1:])
    # every reason the text output gives, whole (which APIs lose which replicas is the planner's choice)
    text = ncg("plan", "--example", "--replicas", "max")
    assert text.returncode == 3
    lines = text.stdout.split("unschedulable:\n", 1)[1].splitlines()
    want = [line.strip() for line in lines if line.startswith("  ") and ": " in line]
    assert len(want) >= 2
    assert any("max_instances reached: node group inf-small (20 nodes), inf-large (20 nodes), inf-xl-spot (4 nodes)"
               in line for line in want)
    for line in want:
        assert line in reasons
    assert size[0] >= widest_text([t for t in texts if not t.startswith("one box")])


def test_one_node(tmp_path):
    api = tmp_path / "a.yaml"
    api.write_text("- name: a\n  compute:\n    inf: 1\n  autoscaling:\n    min_replicas: 1\n")
    out = tmp_path / "plan.svg"
    assert ncg("plan", api, "--types", "inf1.xlarge", "-o", "svg", "--output-file", out).returncode == 0
    size, texts, png, _ = render(out)
    assert png == size
    assert texts[0] == "1 node, $0.2280/h (optimal), 1 of 1 replicas placed"
    assert "inf1.xlarge-1" in texts and "a 1/1 placed" in texts
    assert size[0] >= widest_text(texts) and size[1] < 200


def test_no_models_no_device_memory(tmp_path):
    """Without model sizes the device memory is only the runtime's reserve: no bars, no column, no legend line."""
    api = tmp_path / "a.yaml"
    api.write_text("- name: a\n  compute: {inf: 1, cpu: 1, mem: 2Gi}\n  autoscaling: {min_replicas: 3}\n")
    out = tmp_path / "plan.svg"
    assert ncg("plan", api, "--types", "inf1.6xlarge", "-o", "svg", "--output-file", out).returncode == 0
    size, texts, png, root = render(out)
    assert png == size
    assert not [t for t in texts if t.startswith("mem ") or "device memory" in t]
    titles = [t.text for t in root.iter(SVG + "title")]
    assert titles and not [t for t in titles if t.startswith("chip ")]
    assert "a (A): one replica on cores 0-3" in titles


def test_forty_apis_colors_and_letters(tmp_path):
    """Past 12 APIs the colors change band (saturation and lightness) and the cells carry the API's letter, as the
    text output's chip map does: 40 APIs, 40 different colors, every API from the 13th on named by its letter in the
    legend and on its cells."""
    api = tmp_path / "a.yaml"
    api.write_text("".join("- name: api-%d\n  compute: {inf: 1, cpu: 500m, mem: 1Gi}\n  autoscaling: {min_replicas: 4}\n"
                           % i for i in range(40)))
    out = tmp_path / "plan.svg"
    assert ncg("plan", api, "--types", "inf1.6xlarge", "-o", "svg", "--output-file", out).returncode == 0
    size, texts, png, root = render(out)
    assert png == size
    legend = [r.get("fill") for r in root.iter(SVG + "rect") if r.get("width") == "12" and r.get("height") == "12"]
    assert len(set(legend[:40])) == 40
    letters = [t for t in texts if len(t) == 1]
    assert set(letters) == set("MNOPQRSTUVWXYZabcdefghijklmn")  # APIs 12 to 39
    cells = [t.text for t in root.iter(SVG + "title") if t.text.startswith("api-39 (n)")]
    assert len(cells) == 16  # 4 replicas of one chip (4 NeuronCores) each

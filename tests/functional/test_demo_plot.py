# SPDX-License-Identifier: GPL-3.0-or-later
"""lab/demo_plot.py: the demo's picture, drawn by matplotlib from loadgen's timeline and the rollout report.

A synthetic run (two nodes, one out of rotation from second 4 to 8, two failed requests at second 6) goes
through the same main() the demo calls; the SVG must be well-formed and show the window's label, the failure
marker's legend and both nodes' bands.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "lab"))
import demo_plot  # noqa: E402

STARTED = 1800000000.0
TIMELINE = [{"t": s, "ok": 20, "failed": 2 if s == 6 else 0, "errors": {},
             "nodes": {"ingress1": 0 if 4 <= s <= 8 else 10, "ingress2": 20 if 4 <= s <= 8 else 10}}
            for s in range(12)]
NODES = [{"node": "ingress1", "window_start": STARTED + 4, "window_end": STARTED + 8.5}]


def test_series_and_windows():
    seconds, bands, failed = demo_plot.series(TIMELINE)
    assert seconds == list(range(12))
    assert sorted(bands) == ["ingress1", "ingress2"] and bands["ingress1"][5] == 0 and bands["ingress2"][5] == 20
    assert failed == [(6, 2)]
    assert demo_plot.windows(NODES + [{"node": "ingress3"}], STARTED) == [("ingress1", 4.0, 8.5)]


def test_the_demo_writes_the_picture(tmp_path):
    (tmp_path / "loadgen.json").write_text(json.dumps({"total": 240, "failed": 2, "started_at": STARTED}))
    (tmp_path / "timeline.jsonl").write_text("".join(json.dumps(r) + "\n" for r in TIMELINE))
    (tmp_path / "upgrade.json").write_text(json.dumps({"nodes": NODES}))
    res = subprocess.run([sys.executable, os.path.join(ROOT, "lab", "demo_plot.py"), str(tmp_path)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    svg = (tmp_path / "traffic.svg").read_text()
    ET.fromstring(svg)  # well-formed
    # matplotlib writes text as glyph paths with the string in a comment or <text>; both keep the words
    for words in ("ingress1 out", "failed requests (2)", "ingress2", "240 requests, 2 failed"):
        assert words in svg, words

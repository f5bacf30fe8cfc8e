#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo's picture: requests per second through the VIP over the rolling upgrade, one band per node that
answered, failed requests marked, each node's out-of-rotation window shaded. Drawn with matplotlib (.venv).

    demo_plot.py OUT_DIR   reads OUT_DIR/loadgen.json, OUT_DIR/timeline.jsonl and OUT_DIR/upgrade.json,
                           writes OUT_DIR/traffic.svg
"""

from __future__ import annotations

import json
import os
import sys


def series(timeline):
    """(seconds, {node: [requests answered each second]}, [(second, failed)]) from loadgen's per-second rows."""
    seconds = [row["t"] for row in timeline]
    names = sorted({n for row in timeline for n in row.get("nodes", {}) if n})
    bands = {n: [row.get("nodes", {}).get(n, 0) for row in timeline] for n in names}
    failed = [(row["t"], row["failed"]) for row in timeline if row.get("failed")]
    return seconds, bands, failed


def windows(nodes, started_at):
    """[(node, start, end)] in seconds since the load started, from the rollout report's Unix times."""
    out = []
    for n in nodes:
        if n.get("window_start") is not None and n.get("window_end") is not None:
            out.append((n["node"], float(n["window_start"]) - started_at, float(n["window_end"]) - started_at))
    return out


def plot(timeline, started_at, nodes, path, title=""):
    """Write the picture to ``path`` (the format from its extension: .svg or .png)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seconds, bands, failed = series(timeline)
    fig, ax = plt.subplots(figsize=(11, 4.2))
    if seconds:
        ax.stackplot(seconds, list(bands.values()), labels=list(bands), alpha=0.85)
    top = max([sum(v) for v in zip(*bands.values())] or [1])
    for name, start, end in windows(nodes, started_at):
        ax.axvspan(start, end, color="0.5", alpha=0.18, lw=0)
        ax.text((start + end) / 2, top * 1.02, "%s out" % name, ha="center", va="bottom", fontsize=8)
    if failed:
        ax.scatter([t for t, _ in failed], [top * 0.05] * len(failed), marker="x", color="red", zorder=5,
                   label="failed requests (%d)" % sum(n for _, n in failed))
    ax.set_ylim(0, top * 1.12)
    ax.set_xlabel("seconds since the load started")
    ax.set_ylabel("requests per second")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8, ncol=len(bands) + 1)
    ax.margins(x=0)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv):
    out = argv[1]
    with open(os.path.join(out, "loadgen.json")) as fh:
        load = json.load(fh)
    with open(os.path.join(out, "timeline.jsonl")) as fh:
        timeline = [json.loads(line) for line in fh if line.strip()]
    try:
        with open(os.path.join(out, "upgrade.json")) as fh:
            nodes = json.load(fh).get("nodes", [])
    except (OSError, ValueError):
        nodes = []
    title = "Rolling upgrade through the VIP: %d requests, %d failed (shaded: a node out of rotation)" % (
        load["total"], load["failed"])
    print(plot(timeline, load["started_at"], nodes, os.path.join(out, "traffic.svg"), title))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo's report: what the load generator counted through the VIP during a rolling upgrade, next to what
the rollout's report says of each node. "0 failed" comes from the load's own counts only; every failure is
listed with the node window it fell in (or "outside every node window").

    demo_report.py OUT_DIR PLAYBOOK_RC RELEASE NGINX_VERSION  -> writes OUT_DIR/report.md, prints it, exits 0 on no loss
"""

from __future__ import annotations

import json
import sys


def window_of(at, nodes):
    """The node whose out-of-rotation window holds Unix time ``at`` (or None)."""
    for n in nodes:
        if n.get("window_start") is not None and float(n["window_start"]) <= at <= float(n["window_end"]):
            return n["node"]
    return None


def failures_by_window(load, nodes):
    """{node or 'outside every node window': {kind: count}} from the load's failure events."""
    out = {}
    for event in load.get("failure_events", []):
        where = window_of(load["started_at"] + event["t"], nodes) or "outside every node window"
        kinds = out.setdefault(where, {})
        kinds[event["kind"]] = kinds.get(event["kind"], 0) + 1
    return out


def describe_model(load):
    mix = ", ".join("%s %d" % kv for kv in sorted(load["clients"].items()) if kv[1])
    return ("%d clients (%s), %d%% of the connection-reusing ones checking a pooled connection before reuse, the "
            "others sending blindly; client source ports %s; new connections to %s in turn" % (
                load["connections"], mix, round(100 * load.get("checking_share", 0)),
                "-".join(str(p) for p in load["local_port_range"]) if load.get("local_port_range") else "?",
                " and ".join(load.get("targets") or ["?"])))


def describe_lab(lab):
    """The lab's forwarding method and address families, from `lvslab status --json` (lab.json), if there."""
    if not lab:
        return None
    return "Lab: %s forwarding, VIP %s%s." % (lab.get("forwarding", "?").upper(), lab.get("vip"),
                                              " and VIP6 %s" % lab["vip6"] if lab.get("vip6") else "")


def versions(node):
    return "%s (%s) -> %s (%s)" % (node.get("nginx_package_before"), node.get("nginx_version_before"),
                                   node.get("nginx_package_after"), node.get("nginx_version_after"))


RUNNERS = {"ansible-playbook": "ansible-playbook",
           "ee": "ansible-runner in the execution environment image, as AWX runs it"}


def render(load, upgrade, rc, nginx_version, lab=None, runner="ansible-playbook"):
    skipped = [n for n in upgrade.get("nodes", []) if n.get("skipped")]
    nodes = [n for n in upgrade.get("nodes", []) if not n.get("skipped")]
    lines = [
        "# Rolling upgrade report",
        "",
        "Playbook (through %s): %s; rolled out nginx %s." % (RUNNERS.get(runner, runner),
                                                            "succeeded" if rc == 0 else "FAILED (rc=%d)" % rc, nginx_version),
        "",
        "## Traffic through the VIP during the upgrade",
        "",
        "![requests per second through the VIP, one band per node, out-of-rotation windows shaded](traffic.svg)",
        "",
        "Client model: " + describe_model(load) + ".",
        "",
    ] + ([describe_lab(lab), ""] if lab else []) + [
        "| requests | ok | failed | connections opened | closed by the server with Connection: close | SYN retransmitted | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| %d | %d | **%d** | %d | %d | %d | %.1f |" % (load["total"], load["ok"], load["failed"], load["connections_opened"],
                                                     load["server_closes"], load.get("slow_connects", 0), load["elapsed"]),
        "",
        "Served per node: " + ", ".join("%s %d" % kv for kv in sorted(load["per_node"].items())),
        "",
        "| client kind | ok | failed | failures by kind |",
        "| --- | --- | --- | --- |",
    ]
    for label, entry in sorted(load.get("by_client", {}).items()):
        lines.append("| %s | %d | %d | %s |" % (label, entry["ok"], entry["failed"], json.dumps(entry["errors"]) if entry["errors"] else ""))
    if load["failed"]:
        lines += ["", "Failures by node window (the first %d failures): %s"
                  % (len(load.get("failure_events", [])), json.dumps(failures_by_window(load, nodes), sort_keys=True)),
                  "First failure %ss, last %ss after the load started." % (load["first_failure_at"], load["last_failure_at"])]
    if rc != 0 and upgrade.get("_log"):
        lines += ["", "Failed tasks:"] + ["    " + line for line in upgrade["_log"][-6:]]
    lines += ["", "## Per node", "",
              "| node | nginx before -> after (package, nginx -v) | out of rotation (s) | close window (s) "
              "| conns at close start | conns at SIGQUIT | SIGQUIT to exit (s) "
              "| escalated | directors' time to quiesce (s) | stale director entries | requests failed in its window |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    per_window = failures_by_window(load, nodes)
    for n in nodes:
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |" % (
            n["node"], versions(n), n["seconds_out_of_rotation"], n["close_window_seconds"], n["connections_at_close_start"],
            n["connections_at_quit"], n["quit_to_exit_seconds"], n["escalated"],
            ", ".join("%s %s" % kv for kv in sorted(n["director_quiesce_seconds"].items())),
            ", ".join("%s %s" % kv for kv in sorted(n.get("director_stale_connections", {}).items())),
            sum(per_window.get(n["node"], {}).values())))
    for n in skipped:
        lines.append("| %s | %s | skipped: already on it | | | | | | | | |" % (n["node"], versions(n)))
    lines += ["", "Worst-case health-check detection per director (keepalived_detection_budget): %s s"
              % upgrade.get("detection_budget_seconds"), ""]
    return "\n".join(lines)


def main(argv):
    out, rc, nginx_version = argv[1], int(argv[2]), argv[3]
    runner = argv[4] if len(argv) > 4 else "ansible-playbook"
    with open(out + "/loadgen.json") as fh:
        load = json.load(fh)
    try:
        with open(out + "/upgrade.json") as fh:
            upgrade = json.load(fh)
    except (OSError, ValueError):
        upgrade = {"nodes": [], "detection_budget_seconds": {}}
    if rc != 0:
        # why the playbook failed, from its own output (the failed tasks' messages, shortened)
        with open(out + "/upgrade.log", errors="replace") as fh:
            upgrade["_log"] = [line.rstrip()[:600] for line in fh
                               if line.startswith(("fatal:", "failed:")) or "FAILED!" in line]
    try:
        with open(out + "/lab.json") as fh:
            lab = json.load(fh)
    except (OSError, ValueError):
        lab = None
    report = render(load, upgrade, rc, nginx_version, lab, runner)
    with open(out + "/report.md", "w") as fh:
        fh.write(report)
    print(report)
    verdict = rc == 0 and load["failed"] == 0 and load["total"] > 0
    print("RESULT: %s" % ("PASS, no request lost (%d requests, client model: %s)" % (load["total"], describe_model(load))
                          if verdict else "FAIL"))
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

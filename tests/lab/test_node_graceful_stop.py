# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stopping one ingress node under keep-alive load through the VIP loses no request with the drain playbook
(drain switch, weight 0, close window, SIGQUIT) and does lose requests with 'weight 0, then systemctl stop'."""

from __future__ import annotations

import time

import pytest

import lab
import node_helpers

NODE = "ingress2"
IP = lab.NODES[NODE]
# 20 pooled keep-alive clients, each request 50 ms in nginx, 20 ms pause between two requests on a connection:
# there are always requests in flight, and each connection is idle ~30% of the time. The idle part matters for
# the baseline: nginx 1.22's SIGQUIT answers in-flight requests with "Connection: close" (clean) but closes idle
# keep-alive connections at once (the race). With think 2 ms the baseline lost nothing in 2 of 2 runs.
LOAD = dict(count=1000000, duration=280, connections=20, think_ms=20, timeout=5, path="/slow?ms=50")
WARMUP = 4
BASELINE_RUNS = 3  # one run lost 0 in 1 of 4 measured runs: every run is recorded, the assertion is on the sum


def _load_summary(result):
    return {k: result[k] for k in ("total", "ok", "failed", "per_node", "server_closes", "connections_opened",
                                   "errors", "elapsed")}


@pytest.mark.on_demand(
    "CI proves the same drain-and-stop path under the same load twice: test_pod_nginx_stop (the drain playbook, nginx in "
    "a container) and the demo (rolling_upgrade, nginx under systemd), both gated at 0 failed")
def test_drain_playbook_stops_a_node_without_losing_a_request(converged):
    load = None
    try:
        log_at_start = node_helpers.loadgen_requests(NODE)
        load = lab.Loadgen(**LOAD).wait_ready()
        time.sleep(WARMUP)
        served_before_drain = node_helpers.loadgen_requests(NODE) - log_at_start
        t0 = lab.now()
        drain, drain_results = node_helpers.run_playbook(
            "baremetal.lvs_ingress.drain", {"lvs_ingress_target": NODE, "lvs_ingress_stop_nginx": "true"})
        drain_seconds = lab.now() - t0
        assert drain.returncode == 0, drain.stdout[-4000:] + drain.stderr[-2000:]
        stop = node_helpers.task_result(drain_results, "Close every client connection cleanly, then stop nginx with SIGQUIT",
                                        NODE)
        nginx_after_drain = lab.run_on(NODE, ["systemctl", "is-active", "nginx"], check=False).stdout.strip()
        time.sleep(2)  # load keeps running on ingress1/3 with ingress2 stopped
        t1 = lab.now()
        undrain, _undrain_results = node_helpers.run_playbook("baremetal.lvs_ingress.undrain", {"lvs_ingress_target": NODE})
        undrain_seconds = lab.now() - t1
        assert undrain.returncode == 0, undrain.stdout[-4000:] + undrain.stderr[-2000:]
        time.sleep(2)
        during = load.stop()
    finally:
        if load is not None:
            load.kill()
    # new connections after the undrain: ingress2 takes its share again
    after = lab.Loadgen(count=600, duration=30, connections=20, timeout=5).wait_ready().result()

    lab.record("node_graceful_stop", node=NODE, load=LOAD, served_before_drain=served_before_drain,
               during=_load_summary(during), after=_load_summary(after),
               nginx_after_drain=nginx_after_drain, drain_seconds=round(drain_seconds, 3),
               undrain_seconds=round(undrain_seconds, 3), close_window=stop.get("close_window"),
               connections_at_quit=stop.get("connections_at_quit"), quit_to_exit=stop.get("quit_to_exit"),
               escalated=stop.get("escalated"), signals=stop.get("signals"),
               command="drain -e lvs_ingress_target=%s -e lvs_ingress_stop_nginx=true; undrain" % NODE)

    assert served_before_drain > 0, "no loadgen request reached %s before the drain" % NODE
    assert nginx_after_drain != "active", "drain.yml left nginx running on %s" % NODE
    assert stop["changed"] and not stop["escalated"], stop
    assert stop["close_window"]["connections_at_start"] > 0, stop["close_window"]
    assert not stop["close_window"]["timed_out"] and stop["close_window"]["connections_left"] == 0, stop
    assert stop["connections_at_quit"] == 0, stop
    assert during["failed"] == 0, during["errors"]
    # the close window ended connections with Connection: close (server_closes also counts nginx's
    # keepalive_requests closes, 100000 in the lab; the module's connections_at_start -> connections_left 0 is the direct proof)
    assert during["server_closes"] > 0, during
    assert during["ok"] > 0 and during["per_node"].get("ingress1", 0) > 0 and during["per_node"].get("ingress3", 0) > 0
    assert after["failed"] == 0, after["errors"]
    assert after["per_node"].get(NODE, 0) > 0, "%s serves no request after the undrain: %s" % (NODE, after["per_node"])


def _baseline_run():
    """One run: weight 0 on both directors (nothing on the node), then 'systemctl stop nginx' on ingress2."""
    load = None
    try:
        log_at_start = node_helpers.loadgen_requests(NODE)
        load = lab.Loadgen(**LOAD).wait_ready()
        time.sleep(WARMUP)
        served_before = node_helpers.loadgen_requests(NODE) - log_at_start
        node_helpers.drain_weights(IP)
        weight_wait = node_helpers.wait_weight(lab.active_director(), IP, 0)
        lab.run_on(NODE, ["systemctl", "stop", "nginx"])
        time.sleep(3)
        during = load.stop()
    finally:
        if load is not None:
            load.kill()
    return dict(_load_summary(during), served_before=served_before, weight_wait=round(weight_wait, 3))


@pytest.mark.on_demand(
    "a measurement, not a gate: under load a plain stop loses a request only when an idle keep-alive connection races "
    "its close, which some runs never hit (7 runs: 6, 4, 0, 3, 6, 1, 6 lost; a later CI run: 0, 0, 0). The "
    "deterministic proof that the old ways lose requests is tests/functional (plain SIGQUIT and reload-then-quit lose "
    "every connection's request, every run)")
def test_baseline_weight_zero_then_systemctl_stop_loses_requests(converged):
    runs = []
    for index in range(BASELINE_RUNS):
        if index:
            lab.restore_converged()
        runs.append(_baseline_run())
    lab.record("node_baseline_systemctl_stop", node=NODE, load=LOAD, runs=runs,
               failed_total=sum(r["failed"] for r in runs),
               command="ipvs_real_server state=drained on both directors; systemctl stop nginx on %s" % NODE)
    for run in runs:
        assert run["served_before"] > 0, run
    assert sum(r["failed"] for r in runs) > 0, runs

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A node whose nginx stops gets weight 0 on both directors within keepalived_detection_budget."""

from __future__ import annotations

import time

import lab

NODE = "ingress2"
IP = lab.NODES[NODE]
# Arrival of a watcher line on the host lags the guest's ipvsadm by the ssh stream; 0.5 s is generous
# for a line on an established ssh session (the measured spread is recorded as delivery_jitter).
STREAM_ALLOWANCE = 0.5


def test_stopped_nginx_is_weighted_out_within_budget(converged):
    budgets = lab.ansible_module("directors", "keepalived_detection_budget", lab.real_server_args(IP))
    for director in lab.DIRECTORS:
        assert not budgets[director].get("failed"), budgets[director]
        rs = budgets[director]["virtual_servers"][0]["real_servers"][0]
        assert rs["inhibit_on_failure"] is True, rs
    watchers = {d: lab.WeightWatcher(d, interval=0.2, duration=150) for d in lab.DIRECTORS}
    load = None
    after = None
    try:
        for w in watchers.values():
            w.wait_started()
        load = lab.Loadgen(count=200000, duration=60, connections=12, think_ms=20, timeout=3).wait_ready()
        time.sleep(3)  # steady load on all three nodes first
        t_before = lab.now()
        lab.run_on(NODE, ["systemctl", "stop", "nginx"])
        t_after = lab.now()
        seen = {d: w.wait_first(lambda ws: ws.get(IP) == 0, t_before, 60) for d, w in watchers.items()}
        detected_last = max(s[0] for s in seen.values())
        # requests started after the detection point: a fresh run, every one must succeed on ingress1/3
        after = lab.Loadgen(count=1000, duration=30, connections=10).wait_ready().result()
        during = load.stop()
    finally:
        if load is not None:
            load.kill()
        for w in watchers.values():
            w.stop()

    measured = {}
    for d in lab.DIRECTORS:
        w = watchers[d]
        period = w.max_period(since=t_before - 5)
        allowance = period + STREAM_ALLOWANCE
        budget = budgets[d]["budget"]
        measured[d] = dict(budget=budget, detection_upper=round(seen[d][0] - t_before, 3),
                           detection_lower=round(seen[d][0] - t_after, 3), poll_period_max=round(period, 3),
                           delivery_jitter=round(w.delivery_jitter(since=t_before - 5), 3),
                           allowance=round(allowance, 3), bound=round(budget + allowance, 3))
    last_failure_host = (load.started + during["last_failure_at"]) if during["last_failure_at"] is not None else None
    lab.record("health_check_removal", node=NODE, stop_call_seconds=round(t_after - t_before, 3), directors=measured,
               load_during=dict((k, during[k]) for k in ("total", "ok", "failed", "per_node", "errors",
                                                         "first_failure_at", "last_failure_at")),
               last_failure_vs_last_detection=(round(last_failure_host - detected_last, 3)
                                               if last_failure_host is not None else None),
               load_after=dict((k, after[k]) for k in ("total", "ok", "failed", "per_node", "errors")),
               command="systemctl stop nginx on %s under loadgen --connections 12 --think-ms 20" % NODE)

    for d, m in measured.items():
        assert m["detection_upper"] <= m["bound"], "%s: weight 0 seen %.2fs after the stop, bound %.2fs (%s)" % (
            d, m["detection_upper"], m["bound"], m)
    # traffic kept flowing to the other nodes during the whole run
    assert during["per_node"].get("ingress1", 0) > 0 and during["per_node"].get("ingress3", 0) > 0, during
    assert during["ok"] > 0
    # failures (if any) only before the directors took ingress2 out; slack: one loadgen socket timeout
    if last_failure_host is not None:
        assert last_failure_host <= detected_last + 3, (last_failure_host - detected_last, during)
    assert after["failed"] == 0, after
    assert after["total"] == 1000
    assert NODE not in after["per_node"], after["per_node"]
    assert after["per_node"].get("ingress1", 0) > 0 and after["per_node"].get("ingress3", 0) > 0, after

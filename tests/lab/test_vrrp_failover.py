# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""VRRP failover: keepalived stops on director1, director2 takes the VIP, and the established keep-alive
connections survive because the IPVS sync threads copied them to director2's IPVS table."""

from __future__ import annotations

import time

import lab

CONNECTIONS = 10


def wait_vip(holder, timeout=60):
    deadline = lab.now() + timeout
    while lab.now() < deadline:
        holders = lab.vip_holders()
        if holders == [holder]:
            return lab.now()
        time.sleep(0.3)
    raise lab.LabFailure("VIP not on %s alone within %ds: %s" % (holder, timeout, lab.vip_holders()))


def test_failover_keeps_connections(converged):
    load = None
    try:
        # long-lived keep-alive connections established through director1
        load = lab.Loadgen(count=100000, duration=90, connections=CONNECTIONS, think_ms=50, timeout=5).wait_ready()
        time.sleep(4)
        synced = lab.ipvs_table("director2")
        t_stop = lab.now()
        lab.run_on("director1", ["systemctl", "stop", "keepalived"])
        t_vip = wait_vip("director2")
        time.sleep(8)  # load keeps running through director2
        during = load.stop()
        # requests after the switch: a fresh run through director2
        after = lab.Loadgen(count=1000, duration=30, connections=10).wait_ready().result()
        # failback: keepalived back on director1 (priority 150 preempts), under load again
        back_load = lab.Loadgen(count=100000, duration=60, connections=CONNECTIONS, think_ms=50, timeout=5).wait_ready()
        time.sleep(2)
        lab.run_on("director1", ["systemctl", "start", "keepalived"])
        t_back = wait_vip("director1")
        time.sleep(8)
        failback = back_load.stop()
    finally:
        if load is not None:
            load.kill()

    keys = ("total", "ok", "failed", "errors", "per_node", "connections_opened", "first_failure_at", "last_failure_at")
    lab.record("vrrp_failover", vip_on_director2_after=round(t_vip - t_stop, 3),
               vip_back_on_director1_after_start_call=round(t_back - t_stop, 3),
               director2_synced_active_conns={ip: v["active"] for ip, v in (synced or {}).items()},
               load_during=dict((k, during[k]) for k in keys), load_after=dict((k, after[k]) for k in keys),
               load_failback=dict((k, failback[k]) for k in keys),
               command="systemctl stop keepalived on director1 under loadgen --connections %d --think-ms 50, "
                       "then systemctl start keepalived" % CONNECTIONS)

    # the backup already held the master's connections before the switch (the IPVS sync threads)
    assert synced and sum(v["active"] for v in synced.values()) >= CONNECTIONS, synced
    # the switch: requests kept succeeding on the same connections
    assert during["ok"] > 0
    assert during["failed"] == 0, during["errors"]
    assert during["connections_opened"] == CONNECTIONS, "connections were re-opened: the switch broke them"
    assert after["failed"] == 0 and after["total"] == 1000, after
    assert set(after["per_node"]) == set(lab.NODES), after["per_node"]
    # failback is measured and reported; it must not lose more than the connections' in-flight requests
    assert failback["ok"] > 0
    assert failback["failed"] <= CONNECTIONS, failback

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Clients that reuse source ports (many clients behind one NAT address) during a drain and stop of ingress2.

A new connection whose client address and port match an entry a director still holds for the drained node is
forwarded along that entry unless the kernel reschedules it (docs/port-reuse.md). The negative control runs the
drain with the director settings the collection shipped before (expire_nodest_conn=0) and must lose requests:
proof that this test sees the loss. The same drain with the lvs_director role's settings must lose none.
Load: loadgen's ``real`` model (pooled, reconnecting, short one-request connections from the client namespace's
narrowed port range, 3-second requests, HTTP/1.0; checking and blind clients)."""

from __future__ import annotations

import time

import pytest

import lab
import node_helpers

NODE = "ingress2"
# What lvs_director wrote before the fix: connections to a weight-0 real server are not rescheduled.
OLD_SETTINGS = {"net.ipv4.vs.expire_nodest_conn": 0, "net.ipv4.vs.expire_quiescent_template": 0,
                "net.ipv4.vs.conn_reuse_mode": 1}
ROLE_SETTINGS = {"net.ipv4.vs.expire_nodest_conn": 1, "net.ipv4.vs.expire_quiescent_template": 1,
                 "net.ipv4.vs.conn_reuse_mode": 3}
LOAD = dict(count=5000000, duration=400, **lab.REAL_LOAD)
WARMUP = 5
HOLD = 15  # seconds with ingress2 drained and its nginx stopped while the load runs
AFTER = 6  # seconds of load after the undrain: ingress2 must take its share of new connections again


def _set_live(settings):
    script = "; ".join("sysctl -q -w %s=%s" % kv for kv in settings.items())
    lab.on_all(lab.DIRECTORS, lambda d: lab.sh_on(d, script))


def _live(director):
    return {k: int(lab.run_on(director, ["sysctl", "-n", k]).stdout.strip()) for k in ROLE_SETTINGS}


def _drain_stop_hold_undrain(extra_vars):
    load = None
    try:
        load = lab.Loadgen(**LOAD).wait_ready()
        time.sleep(WARMUP)
        drain, results = node_helpers.run_playbook(
            "baremetal.lvs_ingress.drain", dict({"lvs_ingress_target": NODE, "lvs_ingress_stop_nginx": "true"},
                                                **extra_vars))
        assert drain.returncode == 0, drain.stdout[-4000:] + drain.stderr[-2000:]
        stopped_at = lab.now()
        nginx = lab.run_on(NODE, ["systemctl", "is-active", "nginx"], check=False).stdout.strip()
        time.sleep(HOLD)
        undrain, _ = node_helpers.run_playbook("baremetal.lvs_ingress.undrain", {"lvs_ingress_target": NODE})
        assert undrain.returncode == 0, undrain.stdout[-4000:] + undrain.stderr[-2000:]
        undrained_at = lab.now()
        time.sleep(AFTER)
        result = load.stop()
        result["stopped_at"] = round(stopped_at - load.started, 1)
        result["undrained_at"] = round(undrained_at - load.started, 1)
    finally:
        if load is not None:
            load.kill()
    assert nginx != "active", "the drain left nginx running on %s" % NODE
    return result


def _share_after_undrain(result):
    """ingress2's share of the requests answered after the undrain (whole seconds of the timeline)."""
    rows = [r for r in result["timeline"] if r["t"] >= result["undrained_at"] + 1 and r["ok"]]
    total = sum(r["ok"] for r in rows)
    return round(sum(r["nodes"].get(NODE, 0) for r in rows) / total, 3) if total else None


def _summary(result):
    keys = ("total", "ok", "failed", "errors", "per_node", "connections_opened", "slow_connects", "by_client",
            "first_failure_at", "last_failure_at", "stopped_at", "undrained_at", "local_port_range")
    return {k: result.get(k) for k in keys}


@pytest.mark.on_demand(
    "a negative control of the instrument (the load generator's reused ports do make the old settings lose requests), "
    "not of the collection: CI runs the role's settings under the same clients")
def test_negative_control_old_settings_lose_requests_from_reused_ports(converged):
    _set_live(OLD_SETTINGS)
    # the preflight refuses the drain and names the setting, before anything changes
    refused, _ = node_helpers.run_playbook("baremetal.lvs_ingress.drain", {"lvs_ingress_target": NODE})
    assert refused.returncode != 0
    assert "net.ipv4.vs.expire_nodest_conn = 0" in refused.stdout, refused.stdout[-3000:]
    assert lab.run_on(NODE, ["test", "-e", lab.DRAIN_FLAG], check=False).returncode != 0, "drain flag set anyway"
    for director in lab.DIRECTORS:
        assert lab.all_weights({k: v["weight"] for k, v in lab.ipvs_table(director).items()}, lab.CONVERGED_WEIGHT)

    # with the check overridden, the drain runs and reused ports reach the stopped node (they also keep the close
    # window from ever seeing the node without connections: a short timeout keeps the test short)
    result = _drain_stop_hold_undrain({"lvs_ingress_check_director_settings": "false",
                                       "lvs_ingress_close_window_timeout": "5"})
    lab.record("port_reuse_negative_control", node=NODE, settings=OLD_SETTINGS, load=LOAD, hold=HOLD,
               share_after_undrain=_share_after_undrain(result),
               result=_summary(result),
               command="sysctl %s on both directors; drain -e lvs_ingress_target=%s -e lvs_ingress_stop_nginx=true "
                       "-e lvs_ingress_check_director_settings=false; %ds; undrain" % (OLD_SETTINGS, NODE, HOLD))
    assert result["per_node"].get(NODE, 0) > 0, result["per_node"]
    assert result["failed"] > 0, "the negative control lost nothing: this test cannot see the port-reuse loss"
    refused_connects = sum(v for k, v in result["errors"].items() if k == "connect:connect_refused")
    assert refused_connects > 0, result["errors"]


@pytest.mark.on_demand(
    "a drain of a stopped node held out for a while under reused ports: CI's drains run the same clients (the real "
    "model, 1,024 reused source ports; test_dual_stack.py, the demo) with the role's settings, and the preflight's "
    "refusal of the old ones is unit-tested (ipvs_info's drain_hazards)")
def test_role_settings_lose_nothing_from_reused_ports(converged):
    for director in lab.DIRECTORS:
        live = _live(director)
        assert live == ROLE_SETTINGS, live
    result = _drain_stop_hold_undrain({})
    share = _share_after_undrain(result)
    lab.record("port_reuse_role_settings", node=NODE, load=LOAD, hold=HOLD, result=_summary(result),
               share_after_undrain=share,
               command="drain -e lvs_ingress_target=%s -e lvs_ingress_stop_nginx=true; %ds; undrain" % (NODE, HOLD))
    assert result["per_node"].get(NODE, 0) > 0, result["per_node"]
    assert result["connections_opened"] > 1000, "too few new connections to reuse ports: %s" % _summary(result)
    assert result["failed"] == 0, _summary(result)
    # conn_reuse_mode 3: reused ports are scheduled anew, so the node back from its drain gets new connections
    # (with 1, ingress2 got 81 of 345,299 requests in the 3 minutes after an undrain)
    assert share is not None and share >= 0.1, "ingress2's share after the undrain: %s" % share

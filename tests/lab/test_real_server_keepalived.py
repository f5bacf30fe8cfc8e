# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ipvs_real_server manager=keepalived on both directors: check mode, apply, idempotence; the drained weight
survives keepalived reload, restart and a VRRP failover; active restores it."""

from __future__ import annotations

import time

import lab

NODE = "ingress3"
IP = lab.NODES[NODE]
WEIGHT_FILE = "%s/%s-%d-TCP-%s-%d.conf" % (lab.WEIGHTS_DIR, lab.VIP, lab.VPORT, IP, lab.VPORT)


def weights_now():
    return {d: (t or {}).get(IP, {}).get("weight") for d, t in lab.on_all(lab.DIRECTORS, lab.ipvs_table).items()}


def weight_files():
    return lab.on_all(lab.DIRECTORS, lambda d: lab.run_on(d, ["cat", WEIGHT_FILE]).stdout)


def wait_weight(director, weight, timeout=60):
    deadline = lab.now() + timeout
    last = None
    while lab.now() < deadline:
        last = (lab.ipvs_table(director) or {}).get(IP)
        if last and last["weight"] == weight:
            return last
        time.sleep(1)
    raise lab.LabFailure("%s: %s weight %s not seen within %ds (last %s)" % (director, IP, weight, timeout, last))


def stays(director, weight, seconds=6):
    """The weight holds for a while (keepalived checkers run every delay_loop=2 s)."""
    deadline = lab.now() + seconds
    while lab.now() < deadline:
        got = (lab.ipvs_table(director) or {}).get(IP)
        assert got and got["weight"] == weight, "%s: %s weight changed to %s" % (director, IP, got)
        time.sleep(0.5)


def apply(state, check=False):
    res = lab.ansible_module("directors", "ipvs_real_server", lab.real_server_args(IP, state=state), check=check, diff=True)
    for d in lab.DIRECTORS:
        assert not res[d].get("failed"), (d, res[d].get("msg"), res[d])
    return res


def test_drained_weight_lives_in_keepalived_on_both_directors(converged):
    files_before = weight_files()
    assert weights_now() == {"director1": 100, "director2": 100}

    # drained, check mode: predicted change, nothing changed
    res = apply("drained", check=True)
    for d in lab.DIRECTORS:
        assert res[d]["changed"] is True, res[d]
        assert res[d]["after"]["weight"] == 0 and res[d]["before"]["weight"] == 100, res[d]
        assert res[d]["reloaded"] is False
    assert weights_now() == {"director1": 100, "director2": 100}
    assert weight_files() == files_before

    # apply, then again
    res = apply("drained")
    for d in lab.DIRECTORS:
        assert res[d]["changed"] is True and res[d]["reloaded"] is True, res[d]
        assert res[d]["after"]["weight"] == 0 and res[d]["after"]["active_weight"] == 100, res[d]
    assert weights_now() == {"director1": 0, "director2": 0}
    for d, text in weight_files().items():
        assert "weight 0" in text.splitlines() and "# lvs_ingress active_weight=100" in text, (d, text)
    res = apply("drained")
    for d in lab.DIRECTORS:
        assert res[d]["changed"] is False, res[d]

    # survives reload and restart of keepalived on director2
    t0 = lab.now()
    lab.run_on("director2", ["systemctl", "reload", "keepalived"])
    time.sleep(2)
    stays("director2", 0)
    lab.run_on("director2", ["systemctl", "restart", "keepalived"])
    after_restart = wait_weight("director2", 0)
    stays("director2", 0)

    # survives a VRRP failover: director2 serves the VIP with ingress3 at 0 and sends it nothing
    lab.run_on("director1", ["systemctl", "stop", "keepalived"])
    deadline = lab.now() + 60
    while lab.vip_holders() != ["director2"]:
        assert lab.now() < deadline, "VIP did not move to director2"
        time.sleep(0.5)
    assert wait_weight("director2", 0)
    via_d2 = lab.Loadgen(count=600, duration=30, connections=12).wait_ready().result()
    lab.run_on("director1", ["systemctl", "start", "keepalived"])
    deadline = lab.now() + 90
    while lab.vip_holders() != ["director1"]:
        assert lab.now() < deadline, "VIP did not come back to director1"
        time.sleep(0.5)
    wait_weight("director1", 0)
    via_d1 = lab.Loadgen(count=600, duration=30, connections=12).wait_ready().result()
    elapsed = lab.now() - t0

    # active: check mode, apply, again
    res = apply("active", check=True)
    for d in lab.DIRECTORS:
        assert res[d]["changed"] is True and res[d]["after"]["weight"] == 100, res[d]
    assert weights_now() == {"director1": 0, "director2": 0}
    res = apply("active")
    for d in lab.DIRECTORS:
        assert res[d]["changed"] is True and res[d]["after"]["weight"] == 100, res[d]
    restore_elapsed = {d: res[d].get("elapsed") for d in lab.DIRECTORS}
    assert weights_now() == {"director1": 100, "director2": 100}
    res = apply("active")
    for d in lab.DIRECTORS:
        assert res[d]["changed"] is False, res[d]

    lab.record("real_server_keepalived", node=NODE, director2_after_restart=after_restart,
               load_via_director2=dict((k, via_d2[k]) for k in ("total", "failed", "per_node")),
               load_via_director1_after_restart=dict((k, via_d1[k]) for k in ("total", "failed", "per_node")),
               active_wait_elapsed=restore_elapsed, reload_restart_failover_seconds=round(elapsed, 1),
               command="ansible directors -m baremetal.lvs_ingress.ipvs_real_server -a state=drained/active")
    for run in (via_d2, via_d1):
        assert run["failed"] == 0 and run["total"] == 600, run
        assert NODE not in run["per_node"], run["per_node"]

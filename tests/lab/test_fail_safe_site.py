# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""site on nodes in rotation changes a node's VIP unit one node at a time, each drained first.

Restarting the VIP unit takes the VIPs off a DR node's loopback device for a moment: a node in rotation would reset
the connections that arrive then. Under loadgen's ``real`` client model, site runs with an inventory on top of the
lab's that gives ingress2 and ingress3 a second VIP (``ingress_node_vips``): each of them must be drained before its
change and undrained after it, never two nodes at once (both directors' weights are watched the whole time),
ingress1, with nothing to change, must not be drained, and no request may fail. Then, without load, site puts the
lab's VIPs back (the same path): the second VIP must be gone from the loopback devices.
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest

import lab
import node_helpers

SITE = "baremetal.lvs_ingress.site"
EXTRA_VIP = "198.18.0.101"  # in the lab's own network, on the nodes' loopback device only: nothing sends to it
CHANGED = ("ingress2", "ingress3")


def _site(options=()):
    res, _ = node_helpers.run_playbook(SITE, timeout=1100, options=options)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    return out


def _has_extra_vip():
    return {n: EXTRA_VIP + "/32" in lab.run_on(n, ["ip", "-o", "address", "show", "dev", "lo"]).stdout
            for n in lab.NODES}


def _most_drained_at_once(watcher):
    return max((sum(1 for ip in lab.NODES.values() if weights.get(ip) == 0) for _, _, weights in watcher.samples),
               default=None)


@pytest.mark.on_demand("about 15 minutes: site is serial, and the lab's 2 cores are saturated under the real model")
def test_site_changes_the_vip_unit_one_drained_node_at_a_time(converged):
    assert _has_extra_vip() == {n: False for n in lab.NODES}, "the lab's nodes must start with the lab's VIPs only"
    watchers = {d: lab.WeightWatcher(d, interval=0.5, duration=1100) for d in lab.DIRECTORS}
    load = None
    with tempfile.TemporaryDirectory() as tmp:
        overlay = os.path.join(tmp, "extra_vip.json")
        with open(overlay, "w") as f:
            json.dump({"all": {"hosts": {n: {"ingress_node_vips": [lab.VIP, EXTRA_VIP]} for n in CHANGED}}}, f)
        try:
            for watcher in watchers.values():
                watcher.wait_started()
            load = lab.Loadgen(count=8000000, duration=1100, **lab.REAL_LOAD).wait_ready()
            added = _site(options=("-i", overlay))
            with_extra = _has_extra_vip()
            result = load.stop()
        finally:
            if load is not None:
                load.kill()
            for watcher in watchers.values():
                watcher.stop()
            # the lab's own VIPs back, on the same path (no load): ingress2 and ingress3 drained again
            removed = _site()
    without_extra = _has_extra_vip()
    most = {d: _most_drained_at_once(w) for d, w in watchers.items()}
    lab.record("site_one_node_at_a_time", load="real", most_drained_at_once=most,
               result={k: result.get(k) for k in ("total", "ok", "failed", "errors", "per_node")},
               command="site with ingress_node_vips=[VIP, %s] on %s" % (EXTRA_VIP, ", ".join(CHANGED)))
    for node in lab.NODES:
        drained = "%s: drained first for its new VIP unit" % node
        assert (drained in added) == (node in CHANGED), added[-4000:]
        assert (drained in removed) == (node in CHANGED), removed[-4000:]
    assert with_extra == {n: n in CHANGED for n in lab.NODES}, with_extra
    assert without_extra == {n: False for n in lab.NODES}, without_extra
    # each changed node went to weight 0, and never two at once
    assert most == {d: 1 for d in lab.DIRECTORS}, most
    assert result["failed"] == 0, result["errors"]
    assert all(result["per_node"].get(n, 0) > 0 for n in lab.NODES), result["per_node"]

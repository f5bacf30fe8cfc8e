# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A node that never becomes ready after its upgrade: the rollout stops there and the rest keeps serving.

The fault: the rollout asks for a readiness check (lvs_ingress_ready_checks: an application's health page) that
nothing answers on these nodes, so the first node's readiness never passes. The rollout must stop at
lvs_ingress_ready_timeout with a non-zero exit and a message naming the node, the failed check and its last
answer; that node stays drained (drain switch on, weight 0 on both directors), the other two are untouched and in
rotation, and the rollout lock is given back. After the fix, a rerun finishes the drained node and skips the two
already on the version. Under keep-alive load through the VIP (lab/loadgen.py, model ``real``), no request fails.
"""

from __future__ import annotations

import json
import os
import tempfile

import lab
import node_helpers

ROLLOUT = "baremetal.lvs_ingress.rolling_upgrade"
# an application behind nginx whose health page never comes up: nothing listens on the discard port
NEVER_READY = {"name": "application", "url": "http://127.0.0.1:9/healthz"}


def test_a_node_that_never_gets_ready_stops_the_rollout_drained_and_a_rerun_finishes_it(converged):
    version = lab.nginx_package("ingress1")
    before = node_helpers.lab_state()
    gen = lab.Loadgen(count=3000000, duration=900, **lab.REAL_LOAD).wait_ready()
    try:
        res, _ = node_helpers.run_playbook(ROLLOUT, {"ingress_node_nginx_version": version,
                                                     "lvs_ingress_skip_current": False,
                                                     "lvs_ingress_ready_checks": [NEVER_READY],
                                                     "lvs_ingress_ready_timeout": 15})
        out = res.stdout + res.stderr
        assert res.returncode != 0, out[-3000:]
        assert "ingress1: Wait until nginx (and the controller) really run:" in out, out[-3000:]
        assert "last failed check application" in out, out[-3000:]
        for director in lab.DIRECTORS:
            table = lab.ipvs_table(director)
            assert table[lab.NODES["ingress1"]]["weight"] == 0, (director, table)
            assert {table[lab.NODES[n]]["weight"] for n in ("ingress2", "ingress3")} == {lab.CONVERGED_WEIGHT}
        assert lab.run_on("ingress1", ["test", "-e", lab.DRAIN_FLAG], check=False).returncode == 0
        after = node_helpers.lab_state()
        assert [after[n] for n in ("ingress2", "ingress3")] == [before[n] for n in ("ingress2", "ingress3")], \
            "the stopped rollout touched ingress2 or ingress3"
        assert lab.run_on("director1", ["test", "-e", lab.LOCK_FILE], check=False).returncode != 0, \
            "the stopped rollout kept the lock"

        with tempfile.TemporaryDirectory() as tmp:
            report = os.path.join(tmp, "rollout.json")
            res, _ = node_helpers.run_playbook(ROLLOUT, {"ingress_node_nginx_version": version,
                                                         "lvs_ingress_report": report})
            assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
            with open(report) as fh:
                nodes = {n["node"]: n for n in json.load(fh)["nodes"]}
    finally:
        result = gen.stop()
    assert not nodes["ingress1"].get("skipped"), nodes["ingress1"]
    assert nodes["ingress2"]["skipped"] and nodes["ingress3"]["skipped"], nodes
    for director in lab.DIRECTORS:
        assert {v["weight"] for v in lab.ipvs_table(director).values()} == {lab.CONVERGED_WEIGHT}
    assert result["failed"] == 0, result
    lab.record("not_ready_rollout", requests=result.get("total"), failed=result["failed"], load=lab.REAL_LOAD)

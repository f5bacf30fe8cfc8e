# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What rolling_upgrade and drain refuse before they touch a node, and what a rerun leaves alone.

The capacity rule reads every director's live IPVS table: a batch (or a drain's targets) that would leave fewer
than lvs_ingress_min_in_rotation or lvs_ingress_min_in_rotation_percent of a virtual service's real servers in
rotation is refused, naming the setting. An nginx version the nodes' repository lacks is refused too. Each
refusal is checked against the lab's state before and after: both directors' IPVS tables (``ipvsadm -Sn``) and
keepalived configuration, every node's nginx main pid, installed nginx and switches, byte for byte.
A rerun at the version every node already runs skips them all: no node is drained or restarted.
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest

import lab
import node_helpers

ROLLOUT = "baremetal.lvs_ingress.rolling_upgrade"


def test_batch_that_leaves_too_few_in_rotation_is_refused(converged):
    # 3 nodes, 50 %: a batch of 2 would leave 1 of 3 real servers in rotation
    out = node_helpers.assert_refused(ROLLOUT, {"lvs_ingress_batch_size": 2},
                   "lvs_ingress_batch_size=2: a batch can take", "below lvs_ingress_min_in_rotation_percent=50")
    assert "Drain the node" not in out


def test_batch_size_outside_the_group_is_refused(converged):
    node_helpers.assert_refused(ROLLOUT, {"lvs_ingress_batch_size": 4}, "lvs_ingress_batch_size=4: choose 1 to 3")


def _ipvsadm_weight(director, ip, weight):
    method = "-m" if " Masq " in lab.run_on(director, ["ipvsadm", "-Ln"]).stdout else "-g"
    lab.run_on(director, ["ipvsadm", "-e", "-t", "%s:%d" % (lab.VIP, lab.VPORT), "-r", "%s:%d" % (ip, lab.VPORT),
                          method, "-w", str(weight)])


def test_drain_of_a_node_another_director_already_lost_is_refused(converged):
    # director2 alone has ingress2 at weight 0 (a health check failing there, or a drain by hand): draining
    # ingress1 would leave 1 of 3 real servers in rotation there, though director1 still has all three
    _ipvsadm_weight("director2", lab.NODES["ingress2"], 0)
    try:
        node_helpers.assert_refused("baremetal.lvs_ingress.drain", {"lvs_ingress_target": "ingress1"},
                 "director2: taking %s out of TCP %s:%d would leave 1 of its 3" % (lab.NODES["ingress1"], lab.VIP, lab.VPORT))
    finally:
        _ipvsadm_weight("director2", lab.NODES["ingress2"], lab.CONVERGED_WEIGHT)


def test_unknown_nginx_version_is_refused(converged):
    node_helpers.assert_refused(ROLLOUT, {"ingress_node_nginx_version": "1.22.1-9+deb12u99"},
             "ingress_node_nginx_version=1.22.1-9+deb12u99: the node's repositories have no nginx=1.22.1-9+deb12u99, "
             "nginx-common=1.22.1-9+deb12u99 at that version")


@pytest.mark.on_demand("a rerun skipping the nodes on the version is proven in CI by test_fail_safe_not_ready.py's rerun, "
                       "which skips the two nodes already upgraded")
def test_rerun_at_the_version_every_node_runs_skips_them_all(converged):
    versions = {node: lab.nginx_package(node) for node in lab.NODES}
    assert len(set(versions.values())) == 1, versions
    before = node_helpers.lab_state()
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "rollout.json")
        res, _ = node_helpers.run_playbook(ROLLOUT, {"ingress_node_nginx_version": versions["ingress1"],
                                                     "lvs_ingress_report": report})
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
        with open(report) as fh:
            nodes = json.load(fh)["nodes"]
    assert sorted(n["node"] for n in nodes) == sorted(lab.NODES)
    assert all(n["skipped"] for n in nodes), nodes
    assert {n["nginx_package_before"] for n in nodes} == {versions["ingress1"]}
    assert node_helpers.lab_state() == before, "a rerun with nothing to do changed the lab"

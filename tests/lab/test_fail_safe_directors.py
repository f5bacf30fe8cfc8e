# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A director the run cannot reach: no node is drained or stopped.

director2 keeps running (keepalived, its IPVS table, the VIP if it takes it over) but Ansible cannot reach it:
an inventory on top of the lab's points its SSH at a closed port. That director could still send a drained node
new connections, so drain and rolling_upgrade refuse before any change, naming it; node_helpers.lab_state() is
byte for byte unchanged and, under keep-alive load through the VIP (lab/loadgen.py, model ``real``), no request
fails.

With ``lvs_ingress_allow_unreachable_directors=true`` the operator relies on the unreachable director's health check
instead. The hard case is tested: the unreachable director is the MASTER, so the drain switch (the health check) is
all that takes the node out of the traffic path. The drain with the stop must finish, its close window must begin no
sooner than the detection budget after the health check began to fail, the MASTER must show the node at weight 0
(keepalived's own doing: the run never touched it), and no request of the load may fail.
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest

import lab
import node_helpers


@pytest.fixture
def director2_unreachable():
    tmp, options = unreachable("director2")
    with tmp:
        yield options


def unreachable(director):
    """An inventory on top of the lab's that points ``director``'s SSH at a closed port."""
    tmp = tempfile.TemporaryDirectory()
    path = os.path.join(tmp.name, "unreachable.json")
    with open(path, "w") as f:
        # port 9 (discard) is closed on the directors: SSH fails at once
        json.dump({"all": {"hosts": {director: {"ansible_port": 9}}}}, f)
    return tmp, ("-i", path)


@pytest.fixture
def master_unreachable():
    master = lab.active_director()
    tmp, options = unreachable(master)
    with tmp:
        yield master, options


@pytest.mark.parametrize("playbook, extra_vars", [
    ("baremetal.lvs_ingress.drain", {"lvs_ingress_target": "ingress2", "lvs_ingress_stop_nginx": True}),
    pytest.param("baremetal.lvs_ingress.rolling_upgrade", {"lvs_ingress_skip_current": False},
                 marks=pytest.mark.on_demand("the same check of the directors as the drain case, in the same tasks")),
], ids=["drain", "rolling_upgrade"])
def test_an_unreachable_director_stops_the_run_before_any_change(converged, director2_unreachable, playbook,
                                                                 extra_vars):
    gen = lab.Loadgen(count=1000000, duration=300, **lab.REAL_LOAD).wait_ready()
    try:
        out = node_helpers.assert_refused(playbook, extra_vars, "director2 of directors did not answer",
                                          "Nothing was changed", options=director2_unreachable)
    finally:
        result = gen.stop()
    assert "UNREACHABLE" in out
    assert result["failed"] == 0, result


def test_an_unreachable_master_is_left_to_its_health_check_when_allowed(converged, master_unreachable):
    master, options = master_unreachable
    other = [d for d in lab.DIRECTORS if d != master][0]
    ip = lab.NODES["ingress2"]
    weight_file = lab.sh_on(master, "grep -rH . %s" % lab.WEIGHTS_DIR).stdout
    gen = lab.Loadgen(count=1000000, duration=300, **lab.REAL_LOAD).wait_ready()
    try:
        res, results = node_helpers.run_playbook("baremetal.lvs_ingress.drain", {
            "lvs_ingress_target": "ingress2", "lvs_ingress_stop_nginx": True,
            "lvs_ingress_allow_unreachable_directors": True, "lvs_ingress_lock_host": other}, options=options)
        master_table = lab.ipvs_table(master) or {}
    finally:
        result = gen.stop()
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert "WARNING: %s did not answer" % master in out, out[-4000:]
    budget = node_helpers.task_result(results, "Read the director's worst-case failure detection time", other)["budget"]
    fails_since = float(node_helpers.task_result(results, "Note when the node's health check began to fail",
                                                 "ingress2")["ansible_facts"]["__lvs_ingress_check_fails_since"])
    close_from = float(node_helpers.task_result(results, "Note when the node's close window may begin",
                                                "ingress2")["ansible_facts"]["__lvs_ingress_close_from"])
    lab.record("unreachable_master_left_to_health_check", budget=budget, check_fails_to_close=close_from - fails_since,
               total=result["total"], failed=result["failed"])
    assert budget > 0
    assert close_from - fails_since >= budget
    # the master took the node out by its health check alone: weight 0 (inhibit_on_failure) or gone; the run left
    # its weight files as they were
    assert ip not in master_table or master_table[ip]["weight"] == 0, master_table
    assert lab.sh_on(master, "grep -rH . %s" % lab.WEIGHTS_DIR).stdout == weight_file
    assert lab.ipvs_table(other)[ip]["weight"] == 0
    assert result["failed"] == 0, result

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
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "unreachable.json")
        with open(path, "w") as f:
            # port 9 (discard) is closed on the directors: SSH fails at once
            json.dump({"all": {"hosts": {"director2": {"ansible_port": 9}}}}, f)
        yield ("-i", path)


@pytest.mark.parametrize("playbook, extra_vars", [
    ("baremetal.lvs_ingress.drain", {"lvs_ingress_target": "ingress2", "lvs_ingress_stop_nginx": True}),
    ("baremetal.lvs_ingress.rolling_upgrade", {"lvs_ingress_skip_current": False}),
], ids=["drain", "rolling_upgrade"])
def test_an_unreachable_director_stops_the_run_before_any_change(converged, director2_unreachable, playbook,
                                                                 extra_vars):
    gen = lab.Loadgen(count=1000000, duration=300, model="real").wait_ready()
    try:
        out = node_helpers.assert_refused(playbook, extra_vars, "director2 of directors did not answer",
                                          "Nothing was changed", options=director2_unreachable)
    finally:
        result = gen.stop()
    assert "UNREACHABLE" in out
    assert result["failed"] == 0, result

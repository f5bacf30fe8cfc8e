# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout lock: two runs never work on the ingress at once.

Every drain, undrain, rolling_upgrade and site run takes the lock on director1 (lvs_ingress_lock_host) after its
checks. A second run fails at once, naming the holder (user, controller, AWX job, playbook, since when) and
changing nothing; a lock whose run is gone is broken only with lvs_ingress_lock_break=true, and the run says whose
it broke. Under keep-alive load through the VIP (lab/loadgen.py, model ``real``), no request fails.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

import lab
import node_helpers

DRAIN = "baremetal.lvs_ingress.drain"
UNDRAIN = "baremetal.lvs_ingress.undrain"
ROLLOUT = "baremetal.lvs_ingress.rolling_upgrade"
SITE = "baremetal.lvs_ingress.site"
GONE_RUN = {"id": "gone-run-1", "host": "awx-task-9", "user": "bob", "awx_job_id": 77, "playbook": "rolling_upgrade"}


def _lock():
    res = lab.run_on("director1", ["cat", lab.LOCK_FILE], check=False)
    return json.loads(res.stdout) if res.returncode == 0 else None


@pytest.mark.on_demand("four refused playbooks and a drain that breaks the lock, about 4 minutes: every playbook CI runs "
                       "on the lab takes and gives back the lock, and the refusal and the break are unit-tested "
                       "(test_rollout_lock.py)")
def test_a_lock_whose_run_is_gone_refuses_every_run_until_broken(converged):
    taken = lab.ansible_module("director1", "rollout_lock", {"holder": GONE_RUN, "path": lab.LOCK_FILE})
    assert not taken["director1"].get("failed"), taken
    gen = lab.Loadgen(count=1000000, duration=600, **lab.REAL_LOAD).wait_ready()
    try:
        held = "the rollout lock %s is held by bob@awx-task-9, AWX job 77, rolling_upgrade, since" % lab.LOCK_FILE
        for playbook, extra in ((DRAIN, {"lvs_ingress_target": "ingress2"}), (UNDRAIN, {"lvs_ingress_target": "ingress2"}),
                                (SITE, {}), (ROLLOUT, {"lvs_ingress_skip_current": False})):
            node_helpers.assert_refused(playbook, extra, held, "lvs_ingress_lock_break=true")
            assert _lock()["id"] == GONE_RUN["id"], "a refused run touched the lock"
        res, _ = node_helpers.run_playbook(DRAIN, {"lvs_ingress_target": "ingress2", "lvs_ingress_lock_break": True})
        out = res.stdout + res.stderr
        assert res.returncode == 0, out[-3000:]
        assert "broke the rollout lock %s held by bob@awx-task-9" % lab.LOCK_FILE in out, out[-3000:]
        assert _lock() is None, "the drain kept the lock it broke"
        res, _ = node_helpers.run_playbook(UNDRAIN, {"lvs_ingress_target": "ingress2"})
        assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    finally:
        result = gen.stop()
    assert result["failed"] == 0, result


@pytest.mark.on_demand(
    "a rollout refused while a drain holds the lock, about 3 minutes: every playbook CI runs on the lab takes and "
    "gives back the lock, and rollout_lock's refusal naming the holder is unit-tested (test_rollout_lock.py)")
def test_a_second_run_fails_fast_while_a_drain_holds_the_lock(converged):
    gen = lab.Loadgen(count=3000000, duration=900, **lab.REAL_LOAD).wait_ready()
    argv, env = node_helpers.playbook_command(DRAIN, {"lvs_ingress_target": "ingress2", "lvs_ingress_stop_nginx": True})
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                             cwd=lab.ROOT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while _lock() is None:
            assert first.poll() is None and time.monotonic() < deadline, "the drain never took the lock"
            time.sleep(0.5)
        holder = _lock()
        assert holder["playbook"] == "drain", holder
        started = time.monotonic()
        res, _ = node_helpers.run_playbook(ROLLOUT, {"lvs_ingress_skip_current": False})
        second_took = time.monotonic() - started
        out = res.stdout + res.stderr
        assert res.returncode != 0, out[-3000:]
        assert "is held by %s@%s" % (holder["user"], holder["host"]) in out, out[-3000:]
        assert "Drain the node" not in out, "the second run got past its checks"
        assert first.poll() is None, "the drain ended before the second run was refused: no overlap was tested"
        out_first, _ = first.communicate(timeout=900)
        assert first.returncode == 0, out_first[-3000:]
        assert _lock() is None, "the drain did not give back its lock"
        res, _ = node_helpers.run_playbook(UNDRAIN, {"lvs_ingress_target": "ingress2"})
        assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    finally:
        if first.poll() is None:
            first.kill()
        result = gen.stop()
    assert result["failed"] == 0, result
    lab.record("lock_second_run", refused_after_s=round(second_took, 1), requests=result["total"], load=lab.REAL_LOAD)

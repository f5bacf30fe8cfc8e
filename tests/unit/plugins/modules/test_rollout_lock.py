# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json
import os

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.modules.rollout_lock import run

A = {"id": "run-a", "host": "ctl1", "user": "alice", "playbook": "rolling_upgrade", "awx_job_id": 41}
B = {"id": "run-b", "host": "ctl2", "user": "bob", "playbook": "drain"}


def params(path, holder, state="present", break_lock=False):
    return dict(path=str(path), holder=holder, state=state, break_lock=break_lock)


@pytest.fixture
def lock(tmp_path):
    return tmp_path / "sub" / "rollout.lock"


def test_take_creates_the_lock_with_the_holder(lock):
    result = run(params(lock, A), False, clock=lambda: 1000.0)
    assert result["changed"] is True
    assert json.loads(lock.read_text()) == dict(A, since=1000.0)
    assert oct(os.stat(lock).st_mode & 0o777) == "0o600"


def test_taking_it_again_in_the_same_run_changes_nothing(lock):
    run(params(lock, A), False)
    assert run(params(lock, A), False)["changed"] is False


def test_another_run_fails_naming_the_holder_and_the_lock_stays(lock):
    run(params(lock, A), False, clock=lambda: 1000.0)
    with pytest.raises(LvsIngressError) as err:
        run(params(lock, B), False)
    assert "held by alice@ctl1, AWX job 41, rolling_upgrade, since 1970-01-01 00:16:40 UTC" in str(err.value)
    assert "lvs_ingress_lock_break=true" in str(err.value)
    assert json.loads(lock.read_text())["id"] == "run-a"


def test_check_mode_fails_the_same_and_creates_nothing(lock):
    assert run(params(lock, A), True)["changed"] is True
    assert not lock.exists()
    run(params(lock, A), False)
    with pytest.raises(LvsIngressError):
        run(params(lock, B), True)


def test_break_takes_it_and_says_whose_it_was(lock):
    run(params(lock, A), False)
    result = run(params(lock, B, break_lock=True), False, clock=lambda: 2000.0)
    assert result["broken"]["id"] == "run-a"
    assert any("broke the rollout lock" in w and "alice@ctl1" in w for w in result["warnings"])
    assert json.loads(lock.read_text()) == dict(B, since=2000.0)


def test_give_back_removes_only_its_own_lock(lock):
    run(params(lock, A), False)
    other = run(params(lock, B, state="absent"), False)
    assert other["changed"] is False and lock.exists()
    assert any("held by another run" in w for w in other["warnings"])
    mine = run(params(lock, A, state="absent"), False)
    assert mine["changed"] is True and not lock.exists()
    assert run(params(lock, A, state="absent"), False)["changed"] is False


def test_an_unreadable_lock_is_held_not_ignored(lock):
    lock.parent.mkdir()
    lock.write_text("garbage")
    with pytest.raises(LvsIngressError, match="held by"):
        run(params(lock, A), False)


def test_a_holder_needs_an_id(lock):
    with pytest.raises(LvsIngressError, match="holder.id is empty"):
        run(params(lock, {"host": "x"}), False)

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lab tests: run against the live lab (``lab/lvslab up``); skipped when it is not up.

The lab is shared: the whole session holds an exclusive ``flock`` on /run/lvs_ingress_lab.lock (manual
destructive commands take it with ``flock /run/lvs_ingress_lab.lock CMD``), and every test puts the lab
back into its converged state in its teardown.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lab  # noqa: E402

_STATUS = {}


def _lab_up():
    if "up" not in _STATUS:
        if os.geteuid() != 0:
            _STATUS.update(up=False, why="the lab tests need root (lvslab exec/client)")
        else:
            up, text = lab.lab_status()
            _STATUS.update(up=up, why="lab is not up ('lab/lvslab status' says: %s); start it with 'lab/lvslab up'"
                           % text.splitlines()[-1] if text else "no output")
    return _STATUS["up"]


# CI runs one proof of each claim. The tests marked ``on_demand`` are the rest: a second variant of a claim CI already
# proves, a negative control of the load generator, a measurement with no gate. `make test-full` (LVS_LAB_FULL=1) runs
# them too; benchmarks/lab-proofs.md has their last results.
FULL = os.environ.get("LVS_LAB_FULL") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "on_demand(why): a lab test CI leaves out; LVS_LAB_FULL=1 runs it")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(os.path.abspath(__file__))
    mine = [item for item in items if str(item.fspath).startswith(here + os.sep)]
    if mine and not _lab_up():
        marker = pytest.mark.skip(reason=_STATUS["why"])
        for item in mine:
            item.add_marker(marker)
        return
    for item in mine:
        on_demand = item.get_closest_marker("on_demand")
        if on_demand and not FULL:
            item.add_marker(pytest.mark.skip(reason="on demand (LVS_LAB_FULL=1): %s" % on_demand.args[0]))


@pytest.fixture(scope="session")
def lab_lock():
    """Exclusive use of the shared lab for the whole session (waits at most 15 minutes)."""
    fd = os.open(lab.LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + lab.LOCK_WAIT
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("the lab lock %s stayed taken for %ds" % (lab.LOCK_PATH, lab.LOCK_WAIT))
                time.sleep(2)
        yield fd
    finally:
        os.close(fd)  # releases the lock


@pytest.fixture(scope="session")
def converged_at_start(lab_lock):
    """The session starts from the converged lab (restoring it if a previous run left it otherwise)."""
    return lab.restore_converged()


@pytest.fixture
def converged(converged_at_start):
    """Each test starts converged and, whatever happens, leaves the lab converged."""
    try:
        yield
    finally:
        lab.restore_converged()

# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollout's quiesce policy: the wait's timeout, and whether a director's failed wait fails the drain."""
from __future__ import annotations

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.filter.quiesce_policy import FilterModule

quiesce_policy = FilterModule().filters()["quiesce_policy"]


@pytest.mark.parametrize("stopped, require, timeout, tolerate, reason", [
    (False, False, 300, False, "fatal: nginx has not exited"),
    (False, True, 300, False, "fatal: nginx has not exited"),
    (True, True, 30, False, "fatal: lvs_ingress_require_director_quiesce=true"),
    (True, False, 30, True, "reported, not fatal, as nginx has exited (a director whose keepalived stopped"),
    # as set_fact and -e give them
    ("True", "false", 30, True, "reported, not fatal"),
    ("false", "true", 300, False, "fatal: nginx has not exited"),
])
def test_policy(stopped, require, timeout, tolerate, reason):
    policy = quiesce_policy(stopped, require, 300, 30)
    assert (policy["timeout"], policy["tolerate"]) == (timeout, tolerate)
    assert policy["reason"].startswith(reason)

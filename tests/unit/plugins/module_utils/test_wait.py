# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, wait_until


def test_returns_at_once_when_already_done(fake_clock):
    state, elapsed, polls = wait_until(lambda: 0, lambda s: s == 0, 10, 1, "x", fake_clock.monotonic, fake_clock.sleep)
    assert (state, elapsed, polls) == (0, 0.0, 1)
    assert fake_clock.sleeps == []


def test_polls_until_done(fake_clock):
    values = iter([5, 3, 0])
    state, elapsed, polls = wait_until(lambda: next(values), lambda s: s == 0, 10, 2, "x", fake_clock.monotonic, fake_clock.sleep)
    assert (state, elapsed, polls) == (0, 4.0, 3)


def test_timeout_reports_elapsed_and_last_state(fake_clock):
    with pytest.raises(WaitTimeout) as err:
        wait_until(lambda: {"conns": 7}, lambda s: False, 3, 1, "rs to drain", fake_clock.monotonic, fake_clock.sleep)
    assert err.value.last == {"conns": 7}
    assert err.value.elapsed == 3.0
    assert "rs to drain" in str(err.value)
    # never sleeps past the deadline
    assert sum(fake_clock.sleeps) == 3.0


@pytest.mark.parametrize("timeout", [0, -1, None])
def test_bad_timeout_names_the_value(timeout):
    with pytest.raises(LvsIngressError) as err:
        wait_until(lambda: 0, lambda s: True, timeout, 1, "x")
    assert "timeout" in str(err.value) and repr(timeout) in str(err.value)

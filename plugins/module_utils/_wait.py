# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""One wait helper with a monotonic deadline, used by every waiting module."""

from __future__ import annotations

import time

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


class WaitTimeout(LvsIngressError):
    """Raised by :func:`wait_until` when the deadline passes; carries the last state seen."""

    def __init__(self, msg, elapsed, last):
        super().__init__(msg, elapsed=round(elapsed, 3), last=last)
        self.elapsed = elapsed
        self.last = last


def validate_timeout(name, value):
    """Timeouts and intervals must be > 0 seconds; raise naming the bad option otherwise."""
    if value is None or value <= 0:
        raise LvsIngressError("%s must be greater than 0 seconds, got %r" % (name, value), option=name, value=value)
    return value


def wait_until(probe, done, timeout, interval, what, clock=time.monotonic, sleep=time.sleep):
    """Call ``probe()`` until ``done(state)`` is true or ``timeout`` seconds pass.

    Returns ``(state, elapsed, polls)``. The probe runs at least once, so a
    target that is already reached returns at once. On timeout raises
    :class:`WaitTimeout` with the elapsed time and the last state seen,
    described by ``what`` (for example "real server 10.0.0.1:80 to drain").
    """
    validate_timeout("timeout", timeout)
    validate_timeout("interval", interval)
    start = clock()
    deadline = start + timeout
    polls = 0
    while True:
        state = probe()
        polls += 1
        now = clock()
        if done(state):
            return state, now - start, polls
        if now >= deadline:
            raise WaitTimeout(
                "timed out after %.1fs waiting for %s" % (now - start, what),
                elapsed=now - start,
                last=state,
            )
        sleep(min(interval, max(deadline - now, 0)))


def wait_settled(read, window, timeout, interval, what, clock=time.monotonic, sleep=time.sleep):
    """Call ``read()`` until its value has not changed for ``window`` seconds, or ``timeout`` seconds pass.

    Returns ``(value, changes, elapsed, polls)``: the settled value and how often it changed on the way. On timeout
    raises :class:`WaitTimeout` whose ``last`` is ``{"value": ..., "changes": N}``. A value that holds from the
    first read is settled once ``window`` has passed: a change in progress (a VRRP election) cannot look settled.
    """
    validate_timeout("window", window)
    seen = {"value": None, "since": None, "changes": 0}

    def probe():
        value, now = read(), clock()
        if seen["since"] is None:
            seen.update(value=value, since=now)
        elif value != seen["value"]:
            seen.update(value=value, since=now, changes=seen["changes"] + 1)
        return {"value": seen["value"], "changes": seen["changes"], "stable": now - seen["since"]}

    state, elapsed, polls = wait_until(probe, lambda s: s["stable"] >= window, timeout, interval, what,
                                       clock=clock, sleep=sleep)
    return state["value"], state["changes"], elapsed, polls

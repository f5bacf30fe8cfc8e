# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the work tree importable as ansible_collections.baremetal.lvs_ingress for plain pytest, and give every unit
test the same fake clock (the ``fake_clock`` fixture)."""

from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS = os.path.join(ROOT, ".cache", "unit-collections")
_LINK = os.path.join(_COLLECTIONS, "ansible_collections", "baremetal", "lvs_ingress")
_KUBERNETES_CORE = os.path.join(ROOT, ".cache", "collections", "ansible_collections", "kubernetes", "core")
_KUBERNETES_CORE_LINK = os.path.join(_COLLECTIONS, "ansible_collections", "kubernetes", "core")

if "ansible_collections.baremetal.lvs_ingress" not in sys.modules and not os.path.basename(
    os.path.dirname(os.path.dirname(ROOT))
) == "ansible_collections":
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    if not os.path.islink(_LINK):
        os.symlink(ROOT, _LINK)
    sys.path.insert(0, _COLLECTIONS)
    # kubernetes.core, which tools/bootstrap extracts beside the toolchain's link to the work tree: the tests' ansible
    # runs find the same one as ansible-lint.
    if os.path.isdir(_KUBERNETES_CORE) and not os.path.islink(_KUBERNETES_CORE_LINK):
        os.makedirs(os.path.dirname(_KUBERNETES_CORE_LINK), exist_ok=True)
        os.symlink(_KUBERNETES_CORE, _KUBERNETES_CORE_LINK)


class FakeClock:
    """The unit tests' one fake clock: ``monotonic()`` reads it, and only ``sleep()`` moves it on.

    Pass ``clock=fake_clock.monotonic, sleep=fake_clock.sleep`` to code that takes them, or put the whole object in
    place of a module's ``time`` (it has the two functions such modules call). ``sleeps`` lists every sleep asked for.
    It starts at 1000.0, not 0, so code that takes a reading of 0 for "unset" shows up.
    """

    def __init__(self, start=1000.0):
        self.start = start
        self.now = start
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def elapsed(self):
        return self.now - self.start


@pytest.fixture
def fake_clock():
    return FakeClock()

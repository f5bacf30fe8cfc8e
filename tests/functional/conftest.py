# SPDX-License-Identifier: GPL-3.0-or-later
"""Reuse the unit tests' import shim: the work tree as ansible_collections.baremetal.lvs_ingress."""

from __future__ import annotations

import os
import runpy

runpy.run_path(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit", "conftest.py"))

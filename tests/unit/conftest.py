# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the work tree importable as ansible_collections.baremetal.lvs_ingress for plain pytest."""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS = os.path.join(ROOT, ".cache", "unit-collections")
_LINK = os.path.join(_COLLECTIONS, "ansible_collections", "baremetal", "lvs_ingress")

if "ansible_collections.baremetal.lvs_ingress" not in sys.modules and not os.path.basename(
    os.path.dirname(os.path.dirname(ROOT))
) == "ansible_collections":
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    if not os.path.islink(_LINK):
        os.symlink(ROOT, _LINK)
    sys.path.insert(0, _COLLECTIONS)

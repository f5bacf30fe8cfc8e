# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This doc fragment is internal to baremetal.lvs_ingress: no compatibility promise.

from __future__ import annotations


class ModuleDocFragment:
    # Modules that only read (and wait): check mode runs them unchanged, they never report a change.
    # Use with ansible.builtin.action_common_attributes; each module adds its own platform attribute.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    description: Only reads (and waits); runs the same in check mode.
  diff_mode:
    support: none
    description: Reports no changes, so there is nothing to diff.
  idempotent:
    support: full
    description: Never changes anything (C(changed=false)).
"""

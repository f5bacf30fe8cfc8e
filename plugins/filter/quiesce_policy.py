# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: quiesce_policy
short_description: How long a drained node's quiesce wait may take, and whether a director's failed wait is fatal
version_added: 0.4.0
description:
  - The rollout's quiesce policy, from whether the node's nginx has exited (O(_input)).
  - Before nginx has exited, a connection a director still counts may still carry requests; the wait may take
    O(timeout) seconds and a director whose wait fails fails the drain.
  - Once nginx has exited, what a director still counts are entries whose end it never saw, and a director whose
    keepalived stopped has no virtual service left; the wait may take O(after_stop_timeout) seconds and a failed wait
    is reported, not fatal, unless O(require_director_quiesce).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: Whether the node's nginx has exited (its graceful stop ran).
    type: bool
    required: true
  require_director_quiesce:
    description: A failed wait is fatal also once nginx has exited (C(lvs_ingress_require_director_quiesce)).
    type: bool
    required: true
  timeout:
    description: Seconds the wait may take while nginx runs (C(lvs_ingress_quiesce_timeout)).
    type: int
    required: true
  after_stop_timeout:
    description: Seconds the wait may take once nginx has exited (C(lvs_ingress_quiesce_after_stop_timeout)).
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Wait, on every director, until it counts no connection to this node
  baremetal.lvs_ingress.lvs_wait_drained:
    virtual_address: 198.18.0.100
    virtual_port: 80
    real_address: "{{ lvs_ingress_real_address }}"
    timeout: "{{ _policy.timeout }}"
  register: __quiesce
  failed_when: __quiesce is failed and not _policy.tolerate
  vars:
    _policy: "{{ (__stop is not skipped) | baremetal.lvs_ingress.quiesce_policy(false, 300, 30) }}"
"""

RETURN = r"""
_value:
  description:
    - C(timeout) (seconds), C(tolerate) (a director's failed wait is reported, not fatal) and C(reason) (why, in words).
  type: dict
"""

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._quiesce_policy import quiesce_policy as _policy


def quiesce_policy(stopped, require_director_quiesce, timeout, after_stop_timeout):
    return _policy(boolean(stopped, strict=False), boolean(require_director_quiesce, strict=False), timeout,
                   after_stop_timeout)


class FilterModule:
    def filters(self):
        return {"quiesce_policy": quiesce_policy}

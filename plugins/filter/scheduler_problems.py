# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: scheduler_problems
short_description: Which scheduler rules a virtual service of the lvs_director role breaks
version_added: 0.4.0
description:
  - Returns one message per rule the virtual service O(_input) (an item of C(lvs_director_virtual_servers)) breaks,
    naming it by address and port, so that the role's preflight fails before it writes keepalived.conf.
  - A C(scheduler_flags) flag of another scheduler (keepalived ignores it); C(mh) or C(sh) without its C(-fallback)
    flag (the clients of a drained node would be refused, not sent to another node); a scheduler other than C(mh)
    with O(consistent_takeover) (the directors agree on a node only with C(mh)).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The virtual service (C(address), C(port), C(scheduler), C(scheduler_flags)).
    type: dict
    required: true
  default_scheduler:
    description: The scheduler of a virtual service without C(scheduler).
    type: str
    required: true
  default_flags:
    description: The flags of a virtual service without C(scheduler_flags) whose scheduler is C(mh) (others get none).
    type: list
    elements: str
    required: true
  consistent_takeover:
    description: Whether the directors must agree on a node (C(lvs_director_consistent_takeover)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Check the scheduler flags
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | join('; ') }}"
  vars:
    _problems: "{{ item | baremetal.lvs_ingress.scheduler_problems('mh', ['mh-port', 'mh-fallback'], true) }}"
  loop: "{{ lvs_director_virtual_servers }}"
"""

RETURN = r"""
_value:
  description:
    - One message per broken rule, empty when the service keeps them all.
    - 'Such as C(lvs_director_virtual_servers 198.18.0.100:80: scheduler sh needs scheduler_flags sh-fallback (...)).'
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._scheduler import scheduler_problems as _problems


def scheduler_problems(vs, default_scheduler, default_flags, consistent_takeover=False):
    if not isinstance(vs, Mapping):
        raise AnsibleFilterError("scheduler_problems: the virtual service must be a mapping, got %s" % type(vs).__name__)
    return _problems(vs, default_scheduler, default_flags, boolean(consistent_takeover, strict=False))


class FilterModule:
    def filters(self):
        return {"scheduler_problems": scheduler_problems}

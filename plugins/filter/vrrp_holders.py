# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: vrrp_holders
short_description: Which directors hold each VRRP address, from their vrrp_settled results
version_added: 0.4.0
description:
  - For each of O(addresses), the directors of O(_input) whose registered M(baremetal.lvs_ingress.vrrp_settled)
    result (the variable O(register) in O(hostvars)) lists it in C(held). Addresses are compared in canonical form
    (IPv6 compressed, lower case), so V(2001:DB8::0064) and V(2001:db8::64) are one address.
  - A director without that result (it did not answer, or the task was skipped there) holds nothing.
  - Exactly one holder per address is a settled VRRP; two are a split brain; none, no MASTER.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The directors' inventory names.
    type: list
    elements: str
    required: true
  hostvars:
    description: The play's C(hostvars).
    type: dict
    required: true
  register:
    description: The name the module's result was registered as.
    type: str
    required: true
  addresses:
    description: The VRRP addresses to report, with or without a prefix length.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Wait until the VRRP addresses this director holds stop changing
  baremetal.lvs_ingress.vrrp_settled:
    interface: eth0
    addresses: [198.18.0.100]
  register: __vrrp

- name: Check that exactly one director holds each address
  ansible.builtin.assert:
    that: __holders.values() | map('length') | reject('eq', 1) | list | length == 0
    fail_msg: "holders per address: {{ __holders }}"
  vars:
    __holders: "{{ ansible_play_hosts | baremetal.lvs_ingress.vrrp_holders(hostvars, '__vrrp', ['198.18.0.100']) }}"
    # {"198.18.0.100": ["director1"]}
  run_once: true
"""

RETURN = r"""
_value:
  description: Each address (canonical, in O(addresses) order) mapped to the directors holding it, in O(_input) order.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._hostvars import registered_results
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._vrrp import holders


def vrrp_holders(directors, hostvars, register, addresses):
    try:
        results = registered_results(directors, hostvars, register)
        return holders(addresses or [], {d: (r or {}).get("held") or [] for d, r in results.items()})
    except LvsIngressError as err:
        raise AnsibleFilterError("vrrp_holders: %s" % err)


class FilterModule:
    def filters(self):
        return {"vrrp_holders": vrrp_holders}

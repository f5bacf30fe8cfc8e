# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: real_server_memberships
short_description: The virtual services a real server belongs to, from the directors' settings
version_added: 0.4.0
description:
  - From O(_input), the directors' C(lvs_director_virtual_servers), returns one item per virtual service that lists
    one of the node's addresses O(real_address), in the settings' order. These are what a drain or an undrain of that
    node sets on every director.
  - Addresses are compared as addresses, so C(2001:DB8::11) matches C(2001:db8:0:0:0:0:0:11).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The virtual services, as in C(lvs_director_virtual_servers) (C(address), C(port), C(protocol), default
      C(TCP), C(real_servers) with C(address) and C(port), default the virtual port).
    type: list
    elements: dict
    required: true
  real_address:
    description: The node's address, or its addresses (a dual-stack node has one per family). Empty strings are
      left out.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Find the virtual services this node serves
  ansible.builtin.set_fact:
    _memberships: >-
      {{ hostvars[groups['lvs_directors'] | first].lvs_director_virtual_servers
         | baremetal.lvs_ingress.real_server_memberships(lvs_ingress_real_address) }}
  # [{"virtual_address": "198.18.0.100", "virtual_port": 443, "protocol": "tcp", "real_address": "198.18.0.11",
  #   "real_port": 8443}]
"""

RETURN = r"""
_value:
  description:
    - One item per membership, empty when the address is a real server of no virtual service.
    - Each has C(virtual_address), C(virtual_port), C(protocol) (lower case), C(real_address) (as the settings write
      it) and C(real_port).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._memberships import memberships


def real_server_memberships(virtual_servers, real_address):
    if virtual_servers is not None and not isinstance(virtual_servers, (list, tuple)):
        raise AnsibleFilterError("real_server_memberships: the virtual services must be a list, got %s"
                                 % type(virtual_servers).__name__)
    return memberships(virtual_servers, real_address)


class FilterModule:
    def filters(self):
        return {"real_server_memberships": real_server_memberships}

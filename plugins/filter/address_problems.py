# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: address_problems
short_description: Which of a setting's values are not IP addresses (or networks)
version_added: 0.3.0
description:
  - Parses every value of O(_input) with Python's C(ipaddress) module and returns one message per value that is
    not of the O(kind) asked for, naming the setting O(name) and the value, so that a role's preflight can fail
    before it changes anything.
  - O(kind=address) takes a bare IPv4 or IPv6 address (C(192.0.2.10), C(2001:db8::10)); O(kind=interface) an
    address with a prefix length (C(192.0.2.1/24)), which may be followed by keepalived's C(dev IFACE) words;
    O(kind=network) a network (C(198.18.0.0/24), no host bits set).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The values; a single string is taken as a list of one.
    type: list
    elements: str
    required: true
  name:
    description: The setting's name, for the messages.
    type: str
    required: true
  kind:
    description: What each value must be.
    type: str
    choices: [address, interface, network]
    default: address
"""

EXAMPLES = r"""
- name: Check the VIPs
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | join('; ') }}"
  vars:
    _problems: "{{ ingress_node_vips | baremetal.lvs_ingress.address_problems('ingress_node_vips') }}"
"""

RETURN = r"""
_value:
  description: One message per bad value, such as C(ingress_node_vips=300.1.1.1 is not an IP address); empty when
    every value parses.
  type: list
  elements: str
"""

import ipaddress

from ansible.errors import AnsibleFilterError

_PARSERS = {
    "address": (ipaddress.ip_address, "an IP address"),
    "interface": (ipaddress.ip_interface, "an IP address with a prefix length (such as 192.0.2.1/24)"),
    "network": (ipaddress.ip_network, "an IP network (such as 198.18.0.0/24, no host bits set)"),
}


def address_problems(values, name, kind="address"):
    if kind not in _PARSERS:
        raise AnsibleFilterError("address_problems: kind must be one of %s, got %r" % (", ".join(_PARSERS), kind))
    parse, what = _PARSERS[kind]
    if values is None:
        values = []
    elif isinstance(values, (str, int)):
        values = [values]
    problems = []
    for value in values:
        text = str(value).strip()
        # keepalived's virtual_ipaddress lines may name the device: "192.0.2.1/24 dev eth0"
        head = text.split()[0] if kind == "interface" and text else text
        try:
            parse(head)
        except ValueError:
            problems.append("%s=%s is not %s" % (name, value, what))
    return problems


class FilterModule:
    def filters(self):
        return {"address_problems": address_problems}

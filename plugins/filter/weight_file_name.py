# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: weight_file_name
short_description: The name of a real server's keepalived weight file, as the ipvs_real_server module finds it
version_added: 0.4.0
description:
  - Returns C(<VIP>-<VPORT>-<PROTO>-<RIP>-<RPORT>.conf) for real server O(rs) of virtual service O(_input), with the
    addresses in their canonical form (IPv6 compressed, lower case), exactly as M(baremetal.lvs_ingress.ipvs_real_server)
    with C(manager=keepalived) builds it. The lvs_director role names the files (and keepalived's C(include)) with it.
  - Fails naming the value when an address or port does not parse.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The virtual service (C(address), C(port), C(protocol), default C(TCP)), as in C(lvs_director_virtual_servers).
    type: dict
    required: true
  rs:
    description: The real server (C(address), C(port), default the virtual port).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Weight file of 2001:db8::11 port 80 behind [2001:db8::100]:80
  ansible.builtin.debug:
    msg: "{{ {'address': '2001:DB8:0::100', 'port': 80} | baremetal.lvs_ingress.weight_file_name({'address': '2001:db8::11'}) }}"
  # 2001:db8::100-80-TCP-2001:db8::11-80.conf
"""

RETURN = r"""
_value:
  description: The file name, without a directory.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs import RealServerSpec, ServiceSpec


def weight_file_name(vs, rs):
    if not isinstance(vs, dict) or not isinstance(rs, dict):
        raise AnsibleFilterError("weight_file_name: the virtual service and the real server must be mappings")
    try:
        service = ServiceSpec(vs.get("address"), vs.get("port"), vs.get("protocol") or "TCP", vs.get("fwmark"))
        return RealServerSpec(service, rs.get("address"), rs.get("port")).key + ".conf"
    except LvsIngressError as exc:
        raise AnsibleFilterError("weight_file_name: %s" % exc)


class FilterModule:
    def filters(self):
        return {"weight_file_name": weight_file_name}

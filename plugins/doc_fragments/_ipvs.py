# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This doc fragment is internal to baremetal.lvs_ingress: no compatibility promise.

from __future__ import annotations


class ModuleDocFragment:
    # Which virtual service and real server; matches _ipvs_args.SERVICE_ARGS / REAL_SERVER_ARGS.
    DOCUMENTATION = r"""
options:
  virtual_address:
    description:
      - The virtual IP address (VIP) of the virtual service, IPv4 or IPv6.
      - IPv6 addresses are compared in compressed form, so V(2001:DB8:0::200) and V(2001:db8::200) are the same service.
      - Mutually exclusive with O(fwmark).
    type: str
    aliases: [vip]
  virtual_port:
    description:
      - The port of the virtual service. Required with O(virtual_address).
    type: int
    aliases: [vport]
  protocol:
    description:
      - The protocol of the virtual service. Ignored for O(fwmark) services.
    type: str
    choices: [tcp, udp, sctp]
    default: tcp
  fwmark:
    description:
      - The firewall mark of a fwmark virtual service, instead of O(virtual_address)/O(virtual_port).
    type: int
  fwmark_family:
    description:
      - Address family of the O(fwmark) service (IPVS keeps separate fwmark services per family).
    type: str
    choices: [ipv4, ipv6]
    default: ipv4
  ipvsadm_path:
    description:
      - The C(ipvsadm) binary. Looked up in E(PATH) and the sbin directories when not an absolute path.
    type: str
    default: ipvsadm
"""

    REAL_SERVER = r"""
options:
  real_address:
    description:
      - The real server's address (IPv4 or IPv6, the same family as O(virtual_address)).
    type: str
    required: true
    aliases: [rip]
  real_port:
    description:
      - The real server's port. Defaults to O(virtual_port) (V(0) for O(fwmark) services), as C(ipvsadm) does.
    type: int
    aliases: [rport]
"""

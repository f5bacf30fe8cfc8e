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
      - Required with O(virtual_address) or O(fwmark); mutually exclusive with O(real_servers).
    type: str
    aliases: [rip]
  real_port:
    description:
      - The real server's port. Defaults to O(virtual_port) (V(0) for O(fwmark) services), as C(ipvsadm) does.
    type: int
    aliases: [rport]
  real_servers:
    description:
      - Several real servers, of one or more virtual services on this director, instead of the one that
        O(virtual_address) (or O(fwmark)) and O(real_address) name. One module run then covers them all, for example
        every virtual service a node serves (HTTP and HTTPS, IPv4 and IPv6).
      - Each item names one real server with the same keys as the top-level options. The same real server may not
        appear twice.
      - Mutually exclusive with O(virtual_address), O(virtual_port), O(fwmark), O(real_address) and O(real_port).
    type: list
    elements: dict
    suboptions:
      virtual_address:
        description: The virtual IP address, as O(virtual_address). Mutually exclusive with O(real_servers[].fwmark).
        type: str
        aliases: [vip]
      virtual_port:
        description: The virtual port, as O(virtual_port). Required with O(real_servers[].virtual_address).
        type: int
        aliases: [vport]
      protocol:
        description: The protocol, as O(protocol).
        type: str
        choices: [tcp, udp, sctp]
        default: tcp
      fwmark:
        description: The firewall mark, as O(fwmark).
        type: int
      fwmark_family:
        description: The address family of the fwmark service, as O(fwmark_family).
        type: str
        choices: [ipv4, ipv6]
        default: ipv4
      real_address:
        description: The real server's address, as O(real_address).
        type: str
        required: true
        aliases: [rip]
      real_port:
        description: The real server's port, as O(real_port).
        type: int
        aliases: [rport]
"""

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_info
short_description: Read the IPVS table of an LVS director as structured data
version_added: 0.1.0
description:
  - Reads the kernel's IPVS table with C(ipvsadm -Ln --exact) and returns the virtual services (VIP:port/protocol
    or fwmark, scheduler, persistence and flags) with their real servers (address, port, forwarding method, weight,
    active and inactive connections).
  - Optionally adds per-service and per-real-server counters (C(--stats)), rates (C(--rate)) and the
    connection timeouts (C(--timeout)).
  - Filters by virtual service and by real server. Never changes anything.
  - Also returns the kernel's IPVS settings (C(net.ipv4.vs.*)) and, from them and the services' persistence,
    RV(drain_hazards), the settings that would send new connections to a drained (weight 0) real server when
    clients reuse source ports (clients behind NAT). The playbooks refuse to drain while a director has any.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - baremetal.lvs_ingress._ipvs
  - baremetal.lvs_ingress._attributes
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    support: full
    platforms: [linux]
    description: Needs a kernel with IPVS (C(ip_vs)) and the C(ipvsadm) command, run as root.
requirements:
  - ipvsadm (tested with 1.31)
  - netaddr (Python library, optional on the director; without it the standard library ipaddress validates)
options:
  real_address:
    description:
      - Only return real servers with this address (and O(real_port) when given), and only services that have one.
    type: str
    aliases: [rip]
  real_port:
    description:
      - With O(real_address), only real servers on this port.
    type: int
    aliases: [rport]
  virtual_address:
    description:
      - Only return this virtual service (with O(virtual_port) and O(protocol)). Without it or O(fwmark), all services.
  fwmark:
    description:
      - Only return this fwmark service.
  stats:
    description: Also read C(ipvsadm -Ln --stats --exact) and add a C(stats) dict to every service and real server.
    type: bool
    default: false
  rate:
    description: Also read C(ipvsadm -Ln --rate --exact) and add a C(rate) dict to every service and real server.
    type: bool
    default: false
  read_timeouts:
    description: Also read C(ipvsadm -Ln --timeout) and return RV(timeouts).
    type: bool
    default: false
seealso:
  - module: baremetal.lvs_ingress.ipvs_real_server
  - module: baremetal.lvs_ingress.lvs_wait_drained
"""

EXAMPLES = r"""
- name: Read the whole IPVS table
  baremetal.lvs_ingress.ipvs_info:
  register: ipvs

- name: One service with counters and rates
  baremetal.lvs_ingress.ipvs_info:
    virtual_address: 198.18.0.100
    virtual_port: 80
    stats: true
    rate: true
  register: web

- name: Where is ingress1 a real server, and how many connections does it hold?
  baremetal.lvs_ingress.ipvs_info:
    real_address: 198.18.0.11
  register: ingress1

- name: A fwmark service of the IPv6 family
  baremetal.lvs_ingress.ipvs_info:
    fwmark: 7
    fwmark_family: ipv6
"""

RETURN = r"""
virtual_services:
  description: The virtual services (after filtering), in ipvsadm's order.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The service as ipvsadm names it (C(TCP 198.18.0.100:80), C(TCP [2001:db8::200]:80), C(FWM 7), C(FWM 7 IPv6)).
      type: str
      sample: TCP 198.18.0.100:80
    protocol:
      description: V(tcp), V(udp) or V(sctp); V(null) for fwmark services.
      type: str
    address:
      description: The VIP (IPv6 compressed); V(null) for fwmark services.
      type: str
    port:
      description: The virtual port; V(null) for fwmark services.
      type: int
    fwmark:
      description: The firewall mark; V(null) for address services.
      type: int
    family:
      description: V(ipv4) or V(ipv6).
      type: str
    scheduler:
      description: The scheduler (C(wlc), C(rr), ...).
      type: str
    sched_flags:
      description: Scheduler flags such as C(sh-port), C(sh-fallback).
      type: list
      elements: str
    persistent:
      description: Whether the service is persistent.
      type: bool
    persistence_timeout:
      description: Persistence timeout in seconds, or V(null).
      type: int
    netmask:
      description: Persistence granularity (IPv4 netmask or IPv6 prefix length) when not the full address.
      type: str
    pe:
      description: Persistence engine, or V(null).
      type: str
    one_packet:
      description: One-packet scheduling (C(ops)).
      type: bool
    stats:
      description: With O(stats), V(conns), V(inpkts), V(outpkts), V(inbytes), V(outbytes).
      type: dict
      returned: when O(stats=true)
    rate:
      description: With O(rate), V(cps), V(inpps), V(outpps), V(inbps), V(outbps).
      type: dict
      returned: when O(rate=true)
    real_servers:
      description: The real servers of the service.
      type: list
      elements: dict
      contains:
        address:
          description: Real server address (IPv6 compressed).
          type: str
        port:
          description: Real server port (V(0) when a fwmark service's real server has none).
          type: int
        forwarding:
          description: V(dr) (ipvsadm C(Route)), V(nat) (C(Masq)), V(tun) (C(Tunnel)), or V(local)/V(bypass).
          type: str
        weight:
          description: Weight; V(0) means quiesced (no new connections).
          type: int
        active_connections:
          description: ActiveConn.
          type: int
        inactive_connections:
          description: InActConn.
          type: int
        stats:
          description: As for the service.
          type: dict
          returned: when O(stats=true)
        rate:
          description: As for the service.
          type: dict
          returned: when O(rate=true)
settings:
  description: The director's IPVS kernel settings, from C(/proc/sys/net/ipv4/vs/), by name (integers where the
    value is one). Empty when IPVS is not loaded.
  returned: always
  type: dict
  sample: {conn_reuse_mode: 1, expire_nodest_conn: 1, expire_quiescent_template: 1, conntrack: 0}
kernel:
  description: The director's kernel release.
  returned: always
  type: str
  sample: 6.1.0-28-cloud-amd64
drain_hazards:
  description:
    - The settings that would let a drained real server still get new connections, each with the setting, its
      value, the value wanted and why. Empty when a drain is safe. Considers every service on the director, not
      only the filtered ones.
  returned: always
  type: list
  elements: dict
  sample:
    - setting: net.ipv4.vs.expire_nodest_conn
      value: 0
      want: 1
      why: a new connection from a client address and port that still has an IPVS entry for a drained real server ...
      msg: "net.ipv4.vs.expire_nodest_conn = 0 (want 1): a new connection ..."
timeouts:
  description: IPVS connection timeouts in seconds.
  returned: when O(read_timeouts=true)
  type: dict
  sample: {tcp: 900, tcpfin: 120, udp: 300}
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs, _ipvs_settings
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import (
    SERVICE_ARGS,
    SERVICE_MUTUALLY_EXCLUSIVE,
    SERVICE_REQUIRED_TOGETHER,
    service_spec,
)
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail, find_binary, runner


def main():
    argument_spec = dict(SERVICE_ARGS)
    argument_spec.update(
        real_address=dict(type="str", aliases=["rip"]),
        real_port=dict(type="int", aliases=["rport"]),
        stats=dict(type="bool", default=False),
        rate=dict(type="bool", default=False),
        read_timeouts=dict(type="bool", default=False),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE,
        required_together=SERVICE_REQUIRED_TOGETHER,
        required_by=dict(real_port="real_address"),
        supports_check_mode=True,
    )
    p = module.params
    try:
        svc = service_spec(p)
        real = None
        if p["real_address"] is not None:
            port = _ipvs.normalize_port(p["real_port"], "real port", allow_zero=True) if p["real_port"] is not None else None
            real = (_ipvs.normalize_address(p["real_address"], "real address"), port)
        ipvsadm = find_binary(module, p["ipvsadm_path"], "ipvsadm")
        run = runner(module)
        services = _ipvs.read_table(run, ipvsadm, stats=p["stats"], rate=p["rate"])
        settings = _ipvs_settings.read_settings()
        release = os.uname().release
        result = dict(changed=False, virtual_services=_ipvs.filter_services(services, svc, real),
                      settings=settings, kernel=release,
                      drain_hazards=_ipvs_settings.drain_hazards(settings, services,
                                                                 _ipvs_settings.kernel_version(release)))
        if p["read_timeouts"]:
            result["timeouts"] = _ipvs.read_timeouts(run, ipvsadm)
    except LvsIngressError as err:
        fail(module, err)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

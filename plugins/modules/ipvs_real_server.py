#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_real_server
short_description: Drain, restore, add or remove real servers of IPVS virtual services
version_added: 0.1.0
description:
  - Sets the desired state of one real server in one virtual service (or of several, O(real_servers)) on the director it runs on.
  - V(drained) sets the weight to 0 so IPVS schedules no new connection to it while existing connections keep
    flowing; V(active) restores the weight it had. Use M(baremetal.lvs_ingress.lvs_wait_drained) afterwards to
    wait for the connections to end.
  - "With O(manager=keepalived) (the default) the module does not touch IPVS itself, because keepalived would undo
    a manual C(ipvsadm -e) at its next reload or checker transition. Instead every C(real_server) block of
    keepalived.conf (rendered by the C(lvs_director) role) includes a per-real-server weight file
    C(<weights_dir>/<VIP>-<VPORT>-<PROTO>-<RIP>-<RPORT>.conf) (IPv6 addresses compressed; C(fwmark<N>) instead of
    C(<VIP>-<VPORT>-<PROTO>) for fwmark services). The file holds C(weight N) and a comment line
    C(# lvs_ingress active_weight=M) that remembers the weight to restore. The module rewrites that file, reloads
    keepalived with O(reload_command) and re-reads IPVS until the weight shows (at most O(wait_timeout) seconds).
    Because the weight is part of keepalived's own configuration on each director, it survives reloads, restarts
    and VRRP failover. keepalived 2.2 accepts C(include) anywhere, also inside a C(real_server) block, and applies a
    changed configured weight on reload."
  - With O(real_servers) one run sets several real servers (for example all of a node's virtual services) to
    O(state). It writes every weight file, reloads keepalived once and waits until IPVS shows every weight.
  - The module first checks that the real server's C(real_server) block in O(keepalived_config) really includes
    the weight file, so a drain can never silently do nothing.
  - With O(manager=keepalived), V(present) and V(absent) fail, because membership is owned by the keepalived
    configuration (use the C(lvs_director) role).
  - With O(manager=ipvsadm) the module runs C(ipvsadm -a/-e/-d) directly (for directors without keepalived) and
    remembers the weight to restore in a file under O(weights_dir).
  - A real server that still has active connections is never deleted unless O(force=true).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - baremetal.lvs_ingress._ipvs
  - baremetal.lvs_ingress._ipvs.REAL_SERVER
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Reads IPVS and the weight file, predicts the change, writes and reloads nothing.
  diff_mode:
    support: full
    description: Shows the real server's (each one's) weight, forwarding method and remembered weight before and after.
  idempotent:
    support: full
    description: A second run with the same options reports no change (for V(active), as long as keepalived considers the real server healthy).
  platform:
    support: full
    platforms: [linux]
    description: An LVS director with IPVS, C(ipvsadm) and (for O(manager=keepalived)) keepalived 2.x; run as root.
requirements:
  - ipvsadm
  - netaddr (Python library, optional on the director; without it the standard library ipaddress validates)
options:
  state:
    description:
      - V(present) the real server is in the service (with O(weight) and O(forwarding) when given). O(manager=ipvsadm) only.
      - V(absent) the real server is not in the service. O(manager=ipvsadm) only; refuses while it has active connections unless O(force).
      - V(drained) weight 0, the previous weight remembered.
      - V(active) the remembered weight (or O(weight)) restored.
    type: str
    required: true
    choices: [present, absent, drained, active]
  manager:
    description: Who owns the IPVS table on this director.
    type: str
    choices: [keepalived, ipvsadm]
    default: keepalived
  weight:
    description:
      - 0..65535. With V(active) the weight to restore (default the remembered one); with V(drained) the weight
        to remember for a later V(active) (default the current one); with V(present) the weight to set (default 1
        when adding, unchanged otherwise).
    type: int
  forwarding:
    description: Forwarding method for V(present) with O(manager=ipvsadm); V(dr) when adding if not given, unchanged otherwise.
    type: str
    choices: [dr, nat, tun]
  force:
    description: Allow V(absent) to delete a real server that still has active connections.
    type: bool
    default: false
  weights_dir:
    description:
      - Directory of the weight files. Default C(/etc/keepalived/lvs_ingress/weights) with O(manager=keepalived)
        (must match what the C(lvs_director) role includes) and C(/run/lvs_ingress/ipvs_weights) with O(manager=ipvsadm).
    type: path
  keepalived_config:
    description: The keepalived configuration whose C(real_server) blocks include the weight files.
    type: path
    default: /etc/keepalived/keepalived.conf
  reload_command:
    description:
      - Command (argv list, no shell) that makes keepalived re-read its configuration. The Debian unit's reload
        sends SIGHUP; without systemd use for example V([/bin/sh, -c, "kill -HUP $(cat /run/keepalived.pid)"]).
    type: list
    elements: str
    default: [systemctl, reload, keepalived]
  wait:
    description: With O(manager=keepalived), wait after the reload until IPVS shows the new weight.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for IPVS to show the new weight.
    type: float
    default: 30
  wait_interval:
    description: Seconds between two reads of IPVS while waiting.
    type: float
    default: 0.5
notes:
  - Draining every real server of a service with the default keepalived C(quorum 1) makes keepalived report a lost
    quorum (and swap in a C(sorry_server) if one is configured); C(keepalived -t) also exits 5 for such a config.
  - With persistence, a weight-0 real server still receives new connections from clients whose persistence template
    points to it until the template expires, unless C(net.ipv4.vs.expire_quiescent_template=1).
  - V(active) cannot make IPVS show the weight while keepalived's health check considers the real server down; the
    wait then times out and the task fails naming the real server.
seealso:
  - module: baremetal.lvs_ingress.lvs_wait_drained
  - module: baremetal.lvs_ingress.ipvs_info
  - module: baremetal.lvs_ingress.keepalived_detection_budget
"""

EXAMPLES = r"""
- name: Drain ingress1 on this director (keepalived keeps the weight across reloads and failover)
  baremetal.lvs_ingress.ipvs_real_server:
    virtual_address: 198.18.0.100
    virtual_port: 80
    real_address: 198.18.0.11
    state: drained

- name: Restore its weight
  baremetal.lvs_ingress.ipvs_real_server:
    virtual_address: 198.18.0.100
    virtual_port: 80
    real_address: 198.18.0.11
    state: active

- name: Drain a node from both its virtual services with one keepalived reload
  baremetal.lvs_ingress.ipvs_real_server:
    real_servers:
      - {virtual_address: 198.18.0.100, virtual_port: 80, real_address: 198.18.0.11}
      - {virtual_address: 2001:db8::100, virtual_port: 80, real_address: 2001:db8::11}
    state: drained

- name: A director without keepalived - add a NAT real server directly
  baremetal.lvs_ingress.ipvs_real_server:
    manager: ipvsadm
    virtual_address: 2001:db8::200
    virtual_port: 443
    real_address: 2001:db8::13
    real_port: 8443
    forwarding: nat
    weight: 10
    state: present

- name: Remove it once it holds no connection
  baremetal.lvs_ingress.ipvs_real_server:
    manager: ipvsadm
    fwmark: 7
    real_address: 198.18.0.12
    state: absent
"""

RETURN = r"""
before:
  description: The real server before the task. C(present) false when it was not in the service.
  returned: when the top-level options name the real server
  type: dict
  sample: {present: true, weight: 100, forwarding: dr, active_weight: null, active_connections: 12, inactive_connections: 40}
after:
  description: The real server after the task (in check mode, as predicted).
  returned: when the top-level options name the real server
  type: dict
  sample: {present: true, weight: 0, forwarding: dr, active_weight: 100, active_connections: 12, inactive_connections: 40}
weight_file:
  description: The weight file that was read and (unless in check mode) written.
  returned: when the top-level options name the real server and O(state) is V(drained) or V(active), or O(manager=ipvsadm)
  type: str
  sample: /etc/keepalived/lvs_ingress/weights/198.18.0.100-80-TCP-198.18.0.11-80.conf
commands:
  description: The commands that were run (or would have been, in check mode) to change state.
  returned: always
  type: list
  elements: list
reloaded:
  description: Whether keepalived was reloaded.
  returned: always
  type: bool
elapsed:
  description: Seconds spent waiting for IPVS to show the new weight after the reload.
  returned: when keepalived was reloaded and O(wait=true)
  type: float
real_server:
  description: C(VS -> RS) as ipvsadm names them.
  returned: when the top-level options name the real server
  type: str
  sample: TCP 198.18.0.100:80 -> 198.18.0.11:80
real_servers:
  description: With O(real_servers), one result per real server in the order given, each with RV(real_server),
    RV(before), RV(after), RV(weight_file) and C(changed).
  returned: when O(real_servers) is given
  type: list
  elements: dict
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _keepalived, _real_server
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import REAL_SERVER_ARGS, REAL_SERVER_CONSTRAINTS, SERVICE_ARGS
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import Host, fail

ARGUMENT_SPEC = dict(
    SERVICE_ARGS,
    **REAL_SERVER_ARGS,
    state=dict(type="str", required=True, choices=["present", "absent", "drained", "active"]),
    manager=dict(type="str", choices=["keepalived", "ipvsadm"], default="keepalived"),
    weight=dict(type="int"),
    forwarding=dict(type="str", choices=["dr", "nat", "tun"]),
    force=dict(type="bool", default=False),
    weights_dir=dict(type="path"),
    keepalived_config=dict(type="path", default=_keepalived.CONFIG_FILE),
    reload_command=dict(type="list", elements="str", default=["systemctl", "reload", "keepalived"]),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="float", default=30),
    wait_interval=dict(type="float", default=0.5),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **REAL_SERVER_CONSTRAINTS)
    try:
        result = _real_server.run(module.params, Host(module), clock=time.monotonic, sleep=time.sleep)
    except LvsIngressError as err:
        fail(module, err)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

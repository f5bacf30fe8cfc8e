#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: lvs_wait_drained
short_description: Wait until a real server gets no new connections and its connections have ended on this director
version_added: 0.1.0
description:
  - On the director it runs on, polls the IPVS table until the real server has weight 0 (or is gone from the
    virtual service) and its ActiveConn (and, with O(max_inactive_connections), its InActConn) has fallen to at
    most the threshold, or O(timeout) seconds pass.
  - Returns at once if the real server is already quiesced or gone.
  - With O(real_servers) it waits until every one of them is quiesced or gone, reading IPVS once per poll for all.
  - Returns the time to quiesce, the number of polls and the connection counts seen (first, last, max), so a
    playbook that runs it on every director at once can compare them. On timeout it fails naming the director
    and how many connections remain.
  - Each director only sees the connections it scheduled itself; run the module on B(every) director (a play on
    the director group runs them in parallel, see the examples).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - baremetal.lvs_ingress._ipvs
  - baremetal.lvs_ingress._ipvs.REAL_SERVER
  - baremetal.lvs_ingress._attributes
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    support: full
    platforms: [linux]
    description: An LVS director with IPVS and C(ipvsadm); run as root.
requirements:
  - ipvsadm
  - netaddr (Python library, optional on the director; without it the standard library ipaddress validates)
options:
  max_active_connections:
    description: Done when ActiveConn is at most this.
    type: int
    default: 0
  max_inactive_connections:
    description:
      - Also require InActConn to be at most this. Not checked when unset (in DR mode InActConn only counts
        connections that IPVS has seen close or time out, so it lags behind).
    type: int
  require_weight_zero:
    description:
      - Also require the weight to be 0. Disable only to wait for connections on a server that is deliberately
        kept in rotation.
    type: bool
    default: true
  timeout:
    description: Seconds to wait at most.
    type: float
    default: 300
  interval:
    description: Seconds between two reads of IPVS.
    type: float
    default: 1
  director_name:
    description: How to name this director in results and errors; pass C({{ inventory_hostname }}). Default the host name.
    type: str
seealso:
  - module: baremetal.lvs_ingress.ipvs_real_server
  - module: baremetal.lvs_ingress.keepalived_detection_budget
"""

EXAMPLES = r"""
# In a play on the director group (hosts: lvs_directors, gather_facts: false), these tasks run on all directors at
# once (one task per host, in parallel up to 'forks'); the last one looks at every result.
- name: Weight 0 on every director
  baremetal.lvs_ingress.ipvs_real_server:
    virtual_address: 198.18.0.100
    virtual_port: 80
    real_address: 198.18.0.11
    state: drained

- name: Wait until no director has a connection to it
  baremetal.lvs_ingress.lvs_wait_drained:
    virtual_address: 198.18.0.100
    virtual_port: 80
    real_address: 198.18.0.11
    max_active_connections: 0
    timeout: 120
    director_name: "{{ inventory_hostname }}"
  register: __drained

- name: Slowest director
  ansible.builtin.debug:
    msg: >-
      {{ ansible_play_hosts | map('extract', hostvars, ['__drained', 'elapsed']) | max }} s
  run_once: true

- name: Wait for both of a node's virtual services in one run on this director
  baremetal.lvs_ingress.lvs_wait_drained:
    real_servers:
      - {virtual_address: 198.18.0.100, virtual_port: 80, real_address: 198.18.0.11}
      - {virtual_address: 198.18.0.100, virtual_port: 443, real_address: 198.18.0.11}
    timeout: 120
    director_name: "{{ inventory_hostname }}"

# From a play on another host: delegate to every director in parallel with async.
- name: Start the waits
  baremetal.lvs_ingress.lvs_wait_drained:
    virtual_address: 198.18.0.100
    virtual_port: 80
    real_address: 198.18.0.11
    director_name: "{{ item }}"
  delegate_to: "{{ item }}"
  loop: "{{ groups['lvs_directors'] }}"
  async: 300
  poll: 0
  register: __waits

- name: Gather them
  ansible.builtin.async_status:
    jid: "{{ item.ansible_job_id }}"
  delegate_to: "{{ item.item }}"
  loop: "{{ __waits.results }}"
  register: __per_director
  until: __per_director.finished
  retries: 300
  delay: 1
"""

RETURN = r"""
director:
  description: The director this ran on (O(director_name) or the host name).
  returned: always
  type: str
  sample: director1
quiesced:
  description: Whether the real server (every one of O(real_servers)) reached the thresholds.
  returned: success
  type: bool
gone:
  description: Whether the real server (every one of O(real_servers)) was (or became) absent from its virtual service.
  returned: success
  type: bool
elapsed:
  description: Seconds until the real server was quiesced (time to quiesce), or until the timeout.
  returned: always
  type: float
  sample: 12.5
polls:
  description: How many times IPVS was read.
  returned: success
  type: int
weight:
  description: The last weight seen (V(null) when gone); with O(real_servers), the largest of them.
  returned: always
  type: int
active_connections:
  description: ActiveConn seen while waiting; with O(real_servers), of all of them together (summed at each poll).
  returned: always
  type: dict
  contains:
    first:
      description: At the first read.
      type: int
    last:
      description: At the last read.
      type: int
    max:
      description: The largest seen.
      type: int
inactive_connections:
  description: InActConn seen while waiting, as RV(active_connections).
  returned: always
  type: dict
real_server:
  description: C(VS -> RS) as ipvsadm names them; with O(real_servers), every one, joined with C( and ).
  returned: always
  type: str
real_servers:
  description: With O(real_servers), each one's RV(weight), RV(active_connections) and RV(inactive_connections), and its
    RV(real_server) name, in the order given.
  returned: when O(real_servers) is given, on success or timeout
  type: list
  elements: dict
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _wait_drained
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import REAL_SERVER_ARGS, REAL_SERVER_CONSTRAINTS, SERVICE_ARGS
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import Host, fail

ARGUMENT_SPEC = dict(
    SERVICE_ARGS,
    **REAL_SERVER_ARGS,
    max_active_connections=dict(type="int", default=0),
    max_inactive_connections=dict(type="int"),
    require_weight_zero=dict(type="bool", default=True),
    timeout=dict(type="float", default=300),
    interval=dict(type="float", default=1),
    director_name=dict(type="str"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **REAL_SERVER_CONSTRAINTS)
    try:
        result = _wait_drained.run(module.params, Host(module), clock=time.monotonic, sleep=time.sleep)
    except LvsIngressError as err:
        fail(module, err)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: vrrp_settled
short_description: Wait until the VRRP addresses a director holds have stopped changing, and say which it holds
version_added: 0.4.0
description:
  - On the director it runs on, reads the addresses of O(interface) every O(interval) seconds until the set of
    O(addresses) it holds has not changed for O(window) seconds, then returns the ones held (possibly none).
  - O(window) must be longer than keepalived's master down interval (3 adverts and a skew under one), so that an
    election in progress (both directors holding the VIP for a moment) cannot look settled.
  - Run it on every director at once and compare their RV(held); each VRRP address must be held by exactly one.
    The lvs_director role does, at the end of its run and before any playbook touches a node.
  - Fails after O(timeout) seconds without such a window, naming the interface, how often the held addresses
    changed and what they were last.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - baremetal.lvs_ingress._attributes
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    support: full
    platforms: [linux]
    description: Reads addresses with C(ip -json address show) (iproute2).
requirements:
  - iproute2 (C(ip) with C(-json))
options:
  interface:
    description: The interface keepalived adds the VRRP addresses to (C(interface) of its C(vrrp_instance)).
    type: str
    required: true
  addresses:
    description:
      - The VRRP addresses to look for, IPv4 or IPv6, with or without a prefix length. Compared in canonical form
        (IPv6 compressed, lower case).
    type: list
    elements: str
    required: true
  window:
    description:
      - Seconds the held addresses must stay unchanged. Choose more than keepalived's master down interval, for
        example 4 times C(advert_int) plus 1.
    type: float
    default: 13
  timeout:
    description: Seconds to wait at most for such a window.
    type: float
    default: 60
  interval:
    description: Seconds between two reads.
    type: float
    default: 0.5
"""

EXAMPLES = r"""
- name: Wait until VRRP has settled on every director
  baremetal.lvs_ingress.vrrp_settled:
    interface: eth0
    addresses: [198.18.0.100, "2001:db8::100"]
    window: 13
    timeout: 60
  register: vrrp

- name: Exactly one director holds the VIP
  ansible.builtin.assert:
    that: ansible_play_hosts | map('extract', hostvars, ['vrrp', 'held']) | select('contains', '198.18.0.100') | list | length == 1
  run_once: true
"""

RETURN = r"""
held:
  description: The addresses of O(addresses) this director held for the whole window (canonical, in the order given).
  returned: always
  type: list
  elements: str
  sample: [198.18.0.100]
addresses:
  description: O(addresses) in canonical form, without prefix lengths.
  returned: always
  type: list
  elements: str
  sample: [198.18.0.100, "2001:db8::100"]
changes:
  description: How often the held addresses changed while the module waited (an election seen in progress).
  returned: always
  type: int
  sample: 0
elapsed:
  description: Seconds the module waited.
  returned: always
  type: float
  sample: 13.02
polls:
  description: How often it read the addresses.
  returned: always
  type: int
  sample: 27
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._vrrp import canonical_addresses, held
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, validate_timeout, wait_settled

ARGUMENT_SPEC = dict(
    interface=dict(type="str", required=True),
    addresses=dict(type="list", elements="str", required=True),
    window=dict(type="float", default=13.0),
    timeout=dict(type="float", default=60.0),
    interval=dict(type="float", default=0.5),
)


def run(params, run_command, clock=None, sleep=None):
    for name in ("window", "timeout", "interval"):
        validate_timeout(name, params[name])
    if not params["addresses"]:
        raise LvsIngressError("addresses is empty: name the VRRP addresses to look for", option="addresses")
    wanted = canonical_addresses(params["addresses"])
    interface = params["interface"]
    kwargs = dict(clock=clock, sleep=sleep) if clock else {}
    try:
        value, changes, elapsed, polls = wait_settled(lambda: held(interface, wanted, run_command), params["window"],
                                                      params["timeout"], params["interval"],
                                                      "VRRP on %s to settle" % interface, **kwargs)
    except WaitTimeout as err:
        raise LvsIngressError(
            "VRRP on %s did not settle within %ss: the held addresses changed %d time(s), last to %s"
            % (interface, params["timeout"], err.last["changes"], err.last["value"]),
            held=err.last["value"], changes=err.last["changes"], addresses=wanted, elapsed=err.details["elapsed"])
    return dict(changed=False, held=value, addresses=wanted, changes=changes, elapsed=round(elapsed, 3), polls=polls)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        module.exit_json(**run(module.params, module.run_command))
    except LvsIngressError as err:
        fail(module, err)


if __name__ == "__main__":
    main()

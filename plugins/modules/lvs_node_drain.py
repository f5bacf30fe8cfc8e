#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: lvs_node_drain
short_description: Node-side drain switch of an ingress node behind LVS
version_added: 0.1.0
description:
  - The drain switch is a flag file (O(flag)). While it exists the C(lvscheck) server of the C(ingress_node) role
    answers C(/status) with 503, the directors' health check fails and they stop sending new connections to this
    node. nginx itself keeps serving every connection it has; nothing is reloaded.
  - V(drained) creates the flag, V(active) removes it. Only the flag's presence is compared, so a second run
    changes nothing.
  - With O(verify=true) the module then waits, at most O(timeout) seconds, until the lvscheck endpoint answers the
    status that matches the new state (503 drained, 200 active).
  - How long the directors take to notice is theirs to tell (C(baremetal.lvs_ingress.keepalived_detection_budget),
    C(baremetal.lvs_ingress.lvs_wait_drained)); this module does not wait for it.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Predicts the change; touches nothing and does not verify.
  diff_mode:
    support: full
    description: Shows the switch state before and after.
  idempotent:
    support: full
    description: Only the flag's presence is compared; a second run with the same O(state) reports no change.
  platform:
    support: full
    platforms: posix
    description: Creates or removes a file; O(verify) talks HTTP to the local lvscheck endpoint.
options:
  state:
    description: V(drained) to take the node out of the directors' rotation, V(active) to put it back.
    type: str
    choices: [drained, active]
    required: true
  flag:
    description:
      - Absolute path of the drain flag; must match the C(ingress_node) role's C(ingress_node_drain_flag).
        The directory is created world-searchable and the flag world-readable, since nginx workers run unprivileged.
    type: path
    default: /run/lvs_ingress/drain
  verify:
    description: After the change, wait until the lvscheck endpoint answers the expected status.
    type: bool
    default: false
  verify_url:
    description: URL of the lvscheck status location.
    type: str
    default: http://127.0.0.1/status
  verify_host:
    description: Host header for O(verify_url).
    type: str
    default: lvscheck
  timeout:
    description: Seconds to wait for the expected answer with O(verify=true).
    type: float
    default: 10
  interval:
    description: Seconds between verify polls.
    type: float
    default: 0.5
seealso:
  - module: baremetal.lvs_ingress.nginx_graceful_stop
  - module: baremetal.lvs_ingress.ingress_ready
"""

EXAMPLES = r"""
- name: Take the node out of rotation and check that lvscheck says so
  baremetal.lvs_ingress.lvs_node_drain:
    state: drained
    verify: true

- name: Put it back
  baremetal.lvs_ingress.lvs_node_drain:
    state: active
    verify: true
"""

RETURN = r"""
state:
  description: The switch state after the run.
  returned: success
  type: str
  sample: drained
flag:
  description: The flag path.
  returned: success
  type: str
  sample: /run/lvs_ingress/drain
verified:
  description: The lvscheck answer that confirmed the state (status, body excerpt); null without O(verify) or in check mode.
  returned: success
  type: dict
  sample: {url: "http://127.0.0.1/status", host: lvscheck, status: 503, body: "draining\n", error: null}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._http_probe import LVSCHECK_HOST, LVSCHECK_URL, probe
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._node_switches import DRAIN_FLAG, check_flag_path, flag_present, set_flag
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, validate_timeout, wait_until

EXPECTED_STATUS = {"drained": 503, "active": 200}

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["drained", "active"], required=True),
    flag=dict(type="path", default=DRAIN_FLAG),
    verify=dict(type="bool", default=False),
    verify_url=dict(type="str", default=LVSCHECK_URL),
    verify_host=dict(type="str", default=LVSCHECK_HOST),
    timeout=dict(type="float", default=10.0),
    interval=dict(type="float", default=0.5),
)


def switch_state(path):
    return "drained" if flag_present(path) else "active"


def run(params, check_mode, probe_fn=probe, clock=None, sleep=None):
    for name in ("timeout", "interval"):
        validate_timeout(name, params[name])
    check_flag_path("flag", params["flag"])
    path, wanted = params["flag"], params["state"]
    before = switch_state(path)
    result = dict(flag=path, verified=None)
    if check_mode:
        after = wanted
    else:
        set_flag(path, wanted == "drained")
        after = switch_state(path)
        if after != wanted:
            raise LvsIngressError("drain flag %s is still %s after setting it %s" % (path, after, wanted), flag=path)
    result.update(changed=before != after, state=after,
                  diff=dict(before={"state": before, "flag": path}, after={"state": after, "flag": path}))
    if params["verify"] and not check_mode:
        expected = EXPECTED_STATUS[wanted]
        kwargs = {"clock": clock, "sleep": sleep} if clock else {}
        try:
            answer, _elapsed, _polls = wait_until(
                lambda: probe_fn(params["verify_url"], params["verify_host"], min(params["timeout"], 2.0)),
                lambda a: a["status"] == expected, params["timeout"], params["interval"],
                "%s (Host %s) to answer %d" % (params["verify_url"], params["verify_host"], expected), **kwargs)
        except WaitTimeout as err:
            raise LvsIngressError("%s; last answer: %s" % (err.msg, err.last["status"] or err.last["error"]),
                                  elapsed=err.details["elapsed"], last=err.last, changed=result["changed"],
                                  state=after)
        result["verified"] = answer
    return result


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        module.exit_json(**run(module.params, module.check_mode))
    except LvsIngressError as err:
        fail(module, err)


if __name__ == "__main__":
    main()

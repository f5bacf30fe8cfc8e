#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ingress_ready
short_description: Wait until an ingress node's nginx, lvscheck endpoint and controller answer
version_added: 0.1.0
description:
  - Waits, at most O(timeout) seconds, until all of these hold at the same poll, in this order
    (the first one that fails ends the poll).
  - The nginx master runs and has workers (O(nginx=true)); found as in M(baremetal.lvs_ingress.nginx_graceful_stop).
  - The lvscheck endpoint the directors probe answers O(lvscheck_status) (O(lvscheck=true)).
  - For ingress-nginx (O(controller=true)), the controller's C(http://127.0.0.1:10254/healthz) and
    C(http://127.0.0.1:10246/is-dynamic-lb-initialized) answer 200 (the dynamic balancer has its backends).
  - Every extra check in O(checks) answers its status.
  - On timeout the module fails naming the check that failed last and its last answer (status, body excerpt or
    connection error).
  - Redirects are not followed and proxy environment variables are ignored.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - baremetal.lvs_ingress._nginx
  - baremetal.lvs_ingress._attributes
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    support: full
    platforms: [linux]
    description: Finds the nginx master and its workers through C(/proc) (Linux only).
options:
  nginx:
    description: Wait for an nginx master with at least one worker.
    type: bool
    default: true
  lvscheck:
    description: Wait for the lvscheck endpoint.
    type: bool
    default: true
  lvscheck_url:
    description: URL of the lvscheck status location.
    type: str
    default: http://127.0.0.1/status
  lvscheck_host:
    description: Host header for the lvscheck request (the lvscheck server's C(server_name)).
    type: str
    default: lvscheck
  lvscheck_status:
    description: Expected status (503 while the node is drained).
    type: int
    default: 200
  controller:
    description: Also wait for the ingress-nginx controller health and dynamic balancer endpoints.
    type: bool
    default: false
  checks:
    description: Extra HTTP checks, run after the others.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name used in the report (default the URL).
        type: str
      url:
        description: URL to GET.
        type: str
        required: true
      host:
        description: Host header.
        type: str
      status:
        description: Expected status.
        type: int
        default: 200
  timeout:
    description: Seconds to wait for all checks to pass.
    type: float
    default: 60
  interval:
    description: Seconds between polls.
    type: float
    default: 1
  request_timeout:
    description: Seconds for one HTTP request.
    type: float
    default: 2
seealso:
  - module: baremetal.lvs_ingress.nginx_graceful_stop
  - module: baremetal.lvs_ingress.lvs_node_drain
"""

EXAMPLES = r"""
- name: Wait for plain nginx and its lvscheck endpoint
  baremetal.lvs_ingress.ingress_ready:
    pid_file: /run/nginx.pid
    timeout: 30

- name: Wait for ingress-nginx (controller health and dynamic balancer) while the node is still drained
  baremetal.lvs_ingress.ingress_ready:
    port: 80
    controller: true
    lvscheck_status: 503
    checks:
      - name: default backend
        url: http://127.0.0.1/healthz
        host: ingress.example.com
"""

RETURN = r"""
elapsed:
  description: Seconds until every check passed.
  returned: success
  type: float
  sample: 1.204
polls:
  description: Number of polls.
  returned: success
  type: int
master:
  description: The nginx master found (pid, nspid, workers, listen_ports, config); null with O(nginx=false).
  returned: success
  type: dict
answers:
  description: The last answer of every HTTP check (name, url, host, status, expected_status, body excerpt, error).
  returned: always
  type: list
  elements: dict
  sample: [{name: lvscheck, url: "http://127.0.0.1/status", host: lvscheck, status: 200, expected_status: 200,
            body: "ok\n", error: null}]
failed_check:
  description: On failure, the check that failed last (C(nginx) or a check name).
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._http_probe import (
    LVSCHECK_HOST,
    LVSCHECK_URL,
    normalize_checks,
    probe,
    run_checks,
)
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._nginx import SELECTOR_ARGS, discover_masters, select_master
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._procfs import ProcFS
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, validate_timeout, wait_until

ARGUMENT_SPEC = dict(
    SELECTOR_ARGS,
    nginx=dict(type="bool", default=True),
    lvscheck=dict(type="bool", default=True),
    lvscheck_url=dict(type="str", default=LVSCHECK_URL),
    lvscheck_host=dict(type="str", default=LVSCHECK_HOST),
    lvscheck_status=dict(type="int", default=200),
    controller=dict(type="bool", default=False),
    checks=dict(type="list", elements="dict", default=[], options=dict(
        name=dict(type="str"),
        url=dict(type="str", required=True),
        host=dict(type="str"),
        status=dict(type="int", default=200),
    )),
    timeout=dict(type="float", default=60.0),
    interval=dict(type="float", default=1.0),
    request_timeout=dict(type="float", default=2.0),
)


def nginx_state(proc, params):
    """{ok, master, error}: a master (selected as in nginx_graceful_stop) with at least one worker."""
    try:
        master = select_master(discover_masters(proc), proc, pid_file=params["pid_file"], config=params["config"],
                               port=params["port"])
    except LvsIngressError as err:
        return {"ok": False, "master": None, "error": str(err)}
    if not master.workers:
        return {"ok": False, "master": master.as_dict(), "error": "nginx master %d has no workers yet" % master.pid}
    return {"ok": True, "master": master.as_dict(), "error": None}


def run(params, proc, probe_fn=probe, clock=None, sleep=None):
    for name in ("timeout", "interval", "request_timeout"):
        validate_timeout(name, params[name])
    lvscheck = {"url": params["lvscheck_url"], "host": params["lvscheck_host"], "status": params["lvscheck_status"]}
    checks = normalize_checks(params["checks"], lvscheck if params["lvscheck"] else None, params["controller"])

    def poll():
        state = {"nginx": None, "answers": [], "failed_check": None}
        if params["nginx"]:
            state["nginx"] = nginx_state(proc, params)
            if not state["nginx"]["ok"]:
                state["failed_check"] = "nginx"
                return state
        outcome = run_checks(checks, params["request_timeout"], probe_fn)
        state["answers"] = outcome["answers"]
        state["failed_check"] = outcome["failed_check"]
        return state

    kwargs = {}
    if clock:
        kwargs.update(clock=clock, sleep=sleep)
    try:
        state, elapsed, polls = wait_until(poll, lambda s: s["failed_check"] is None, params["timeout"],
                                           params["interval"], "the ingress node to be ready", **kwargs)
    except WaitTimeout as err:
        last = err.last
        if last["failed_check"] == "nginx":
            why = last["nginx"]["error"]
        else:
            answer = last["answers"][-1]
            why = "%s answered %s (expected %s)%s" % (
                answer["url"], answer["status"] if answer["status"] is not None else answer["error"],
                answer["expected_status"], ": %r" % answer["body"][:80] if answer.get("body") else "")
        raise LvsIngressError("%s; last failed check %s: %s" % (err.msg, last["failed_check"], why),
                              elapsed=err.details["elapsed"], failed_check=last["failed_check"],
                              answers=last["answers"], nginx=last["nginx"])
    return dict(changed=False, elapsed=round(elapsed, 3), polls=polls, answers=state["answers"],
                master=state["nginx"]["master"] if state["nginx"] else None)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        module.exit_json(**run(module.params, ProcFS()))
    except LvsIngressError as err:
        fail(module, err)


if __name__ == "__main__":
    main()

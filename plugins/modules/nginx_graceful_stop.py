#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: nginx_graceful_stop
short_description: Stop nginx without losing a request on keep-alive connections
version_added: 0.1.0
description:
  - Stops one nginx master (host or container) in three steps.
  - "Close window: creates the close flag (O(close_flag)); the server-level switch of the C(ingress_node) role then
    answers every request with C(Connection: close) and nginx closes the connection after the complete response.
    The module waits, at most O(close_window_timeout) seconds, until no ESTABLISHED client connection is left on
    the master's listening ports."
  - Sends C(SIGQUIT) (graceful shutdown) to the master and waits, at most O(timeout) seconds, until master and
    workers are gone.
  - Only after that timeout, and only with O(escalate=true), sends C(SIGTERM), then after O(term_timeout) seconds
    C(SIGKILL) to whatever is left, with a warning.
  - Drain the node first (M(baremetal.lvs_ingress.lvs_node_drain) and wait for the directors to take it out), so no
    new connections arrive during the close window.
  - "The close flag is left in place (nginx is gone); the C(ingress_node) role removes stale flags before it starts
    nginx. Start nginx without removing it and every response carries C(Connection: close)."
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - baremetal.lvs_ingress._nginx
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Finds the master and reports what it would signal; creates no flag and signals nothing.
  diff_mode:
    support: full
    description: Shows running state and close flag before and after.
  idempotent:
    support: partial
    description: With O(allow_absent=true) a second run finds no nginx and changes nothing; otherwise no nginx is an error.
  platform:
    support: full
    platforms: [linux]
    description: Finds the nginx master, its workers and their connections through C(/proc) (Linux only).
options:
  close_window:
    description:
      - Run the close window before C(SIGQUIT). With V(false) the module sends C(SIGQUIT) at once, which loses
        requests on keep-alive connections under load.
    type: bool
    default: true
  close_flag:
    description:
      - Absolute path of the close flag inside the nginx master's mount namespace; must match the C(ingress_node)
        role's C(ingress_node_close_flag). For a master in another mount namespace it is written through
        C(/proc/<pid>/root).
    type: path
    default: /run/lvs_ingress/close
  close_window_timeout:
    description:
      - Seconds to wait for client connections to end after the close flag is set. On timeout the module warns
        and goes on with C(SIGQUIT) (the connections left are idle keep-alive ones, or the node is not drained).
    type: float
    default: 30
  ports:
    description:
      - TCP ports whose ESTABLISHED connections count as client connections during the close window.
      - Default is every port the master listens on. Any local address counts (in DR mode the VIP is on C(lo)).
    type: list
    elements: int
  timeout:
    description:
      - Seconds to wait for master and workers to exit after C(SIGQUIT). Long requests (uploads, websockets) need
        a longer timeout.
    type: float
    default: 60
  escalate:
    description:
      - After O(timeout), send C(SIGTERM) and, after O(term_timeout), C(SIGKILL). With V(false) the module fails
        instead and leaves nginx quitting.
    type: bool
    default: true
  term_timeout:
    description:
      - Seconds to wait after C(SIGTERM) before C(SIGKILL).
    type: float
    default: 10
  interval:
    description:
      - Seconds between polls of C(/proc).
    type: float
    default: 0.2
  allow_absent:
    description:
      - With V(true), finding no nginx master (or none matching the selectors, while other masters run) is not an
        error but C(changed=false). Several matching masters are always an error.
    type: bool
    default: false
seealso:
  - module: baremetal.lvs_ingress.lvs_node_drain
  - module: baremetal.lvs_ingress.ingress_ready
"""

EXAMPLES = r"""
- name: Stop the host's nginx gracefully (node already drained)
  baremetal.lvs_ingress.nginx_graceful_stop:
    pid_file: /run/nginx.pid

- name: Stop the ingress-nginx controller's nginx running in a container, found by its listening port
  baremetal.lvs_ingress.nginx_graceful_stop:
    port: 443
    close_window_timeout: 20
    timeout: 300
  register: __ingress_node_stop

- name: Show the timings
  ansible.builtin.debug:
    msg: "close window {{ __ingress_node_stop.close_window.seconds }}s, quit to exit {{ __ingress_node_stop.quit_to_exit }}s"
"""

RETURN = r"""
master:
  description: The master that was (or in check mode would be) stopped.
  returned: when a master was found
  type: dict
  contains:
    pid:
      description: Host pid.
      type: int
    nspid:
      description: Pid in its own pid namespace.
      type: int
    config:
      description: Config file from C(-c), or null.
      type: str
    cmdline:
      description: Process title.
      type: str
    workers:
      description: Host pids of its children (workers and cache processes).
      type: list
      elements: int
    listen_ports:
      description: TCP ports it listens on.
      type: list
      elements: int
    namespaces:
      description: Identities of its mnt, pid and net namespaces.
      type: dict
    same_mount_namespace:
      description: Whether it shares the module's mount namespace.
      type: bool
  sample: {pid: 4211, nspid: 1, config: /etc/nginx/nginx.conf, cmdline: "nginx: master process nginx -c /etc/nginx/nginx.conf",
           workers: [4230, 4231], listen_ports: [80, 443], namespaces: {mnt: "mnt:[4026532628]"}, same_mount_namespace: false}
plan:
  description: The steps taken (or, in check mode, that would be taken).
  returned: when a master was found
  type: list
  elements: str
close_window:
  description: The close window; null with O(close_window=false) or in check mode.
  returned: success
  type: dict
  contains:
    seconds:
      description: How long it took.
      type: float
    connections_at_start:
      description: Client connections just before the flag was set.
      type: int
    connections_left:
      description: Client connections when it ended (0 unless it timed out).
      type: int
    timed_out:
      description: Whether O(close_window_timeout) passed.
      type: bool
    flag:
      description: The flag path inside nginx's mount namespace.
      type: str
    flag_path:
      description: Where the module wrote it.
      type: str
    flag_created:
      description: False if the flag existed already.
      type: bool
  sample: {seconds: 0.042, connections_at_start: 10, connections_left: 0, timed_out: false,
           flag: /run/lvs_ingress/close, flag_path: /run/lvs_ingress/close, flag_created: true}
connections_at_quit:
  description: Client connections when C(SIGQUIT) was sent.
  returned: when nginx was stopped
  type: int
connections_during_quit:
  description: Client connections seen while waiting for the exit (max, last, samples).
  returned: when nginx was stopped
  type: dict
quit_to_exit:
  description: Seconds from C(SIGQUIT) until master and workers were gone (including any escalation).
  returned: when nginx was stopped
  type: float
  sample: 0.31
ports:
  description: Ports counted as client ports.
  returned: when nginx was stopped
  type: list
  elements: int
signals:
  description: Signals sent, in order.
  returned: when nginx was stopped
  type: list
  elements: dict
  sample: [{pid: 4211, signal: SIGQUIT}]
escalated:
  description: Whether C(SIGTERM)/C(SIGKILL) had to be sent.
  returned: when nginx was stopped
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._nginx import (
    SELECTOR_ARGS,
    discover_masters,
    graceful_stop,
    host_path,
    plan_stop,
    select_master,
)
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._node_switches import CLOSE_FLAG, check_flag_path, flag_present
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._procfs import ProcFS
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import validate_timeout

ARGUMENT_SPEC = dict(
    SELECTOR_ARGS,
    close_window=dict(type="bool", default=True),
    close_flag=dict(type="path", default=CLOSE_FLAG),
    close_window_timeout=dict(type="float", default=30.0),
    ports=dict(type="list", elements="int"),
    timeout=dict(type="float", default=60.0),
    escalate=dict(type="bool", default=True),
    term_timeout=dict(type="float", default=10.0),
    interval=dict(type="float", default=0.2),
    allow_absent=dict(type="bool", default=False),
)


def run(module, proc):
    p = module.params
    for name in ("close_window_timeout", "timeout", "term_timeout", "interval"):
        validate_timeout(name, p[name])
    if p["port"] is not None and not 0 < p["port"] < 65536:
        raise LvsIngressError("port must be 1..65535, got %r" % p["port"], option="port")
    check_flag_path("close_flag", p["close_flag"])
    try:
        master = select_master(discover_masters(proc), proc, pid_file=p["pid_file"], config=p["config"], port=p["port"])
    except LvsIngressError as err:
        # allow_absent: no master at all, or none that matches the selectors (another nginx may run); several
        # matching masters stay an error
        if p["allow_absent"] and err.details.get("no_match"):
            return dict(changed=False, msg="nothing to stop: %s" % err, close_window=None,
                        diff=dict(before={"running": False}, after={"running": False}))
        raise
    flag_path = host_path(proc, master, p["close_flag"])
    ports = sorted(p["ports"] or master.listen_ports)
    before = {"running": True, "master": master.pid, "workers": master.workers, "close_flag": flag_present(flag_path)}
    after = {"running": False, "master": None, "workers": [], "close_flag": True if p["close_window"] else before["close_flag"]}
    result = dict(changed=True, master=master.as_dict(), plan=plan_stop(master, p["close_flag"], p["close_window"], ports),
                  close_window=None, diff=dict(before=before, after=after))
    if module.check_mode:
        return result
    report = graceful_stop(
        master, p["close_flag"], p["close_window_timeout"], p["timeout"], proc=proc, close_window=p["close_window"],
        ports=ports, interval=p["interval"], escalate=p["escalate"], term_timeout=p["term_timeout"],
    )
    for warning in report.pop("warnings"):
        module.warn(warning)
    result.update(report)
    result["diff"]["after"]["close_flag"] = flag_present(flag_path) if master.same_mnt_ns else result["diff"]["after"]["close_flag"]
    return result


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        module.exit_json(**run(module, ProcFS()))
    except LvsIngressError as err:
        fail(module, err)


if __name__ == "__main__":
    main()

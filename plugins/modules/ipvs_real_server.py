#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ipvs_real_server
short_description: Drain, restore, add or remove one real server of an IPVS virtual service
version_added: 0.1.0
description:
  - Sets the desired state of one real server in one virtual service on the director it runs on.
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
    description: Shows the real server's weight, forwarding method and remembered weight before and after.
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
  returned: always
  type: dict
  sample: {present: true, weight: 100, forwarding: dr, active_weight: null, active_connections: 12, inactive_connections: 40}
after:
  description: The real server after the task (in check mode, as predicted).
  returned: always
  type: dict
  sample: {present: true, weight: 0, forwarding: dr, active_weight: 100, active_connections: 12, inactive_connections: 40}
weight_file:
  description: The weight file that was read and (unless in check mode) written.
  returned: when O(state) is V(drained) or V(active), or O(manager=ipvsadm)
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
  returned: always
  type: str
  sample: TCP 198.18.0.100:80 -> 198.18.0.11:80
"""

import os
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs, _keepalived
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import (
    REAL_SERVER_ARGS,
    SERVICE_ARGS,
    SERVICE_MUTUALLY_EXCLUSIVE,
    SERVICE_REQUIRED_ONE_OF,
    SERVICE_REQUIRED_TOGETHER,
    real_server_spec,
)
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail, find_binary, runner
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, validate_timeout, wait_until

IPVSADM_WEIGHTS_DIR = "/run/lvs_ingress/ipvs_weights"
MEMBERSHIP_MSG = ("membership is owned by the keepalived configuration; use the lvs_director role "
                  "(or manager=ipvsadm on a director without keepalived)")


def _view(dest, active_weight):
    if dest is None:
        return {"present": False, "weight": None, "forwarding": None, "active_weight": active_weight,
                "active_connections": 0, "inactive_connections": 0}
    return {"present": True, "weight": dest["weight"], "forwarding": dest["forwarding"], "active_weight": active_weight,
            "active_connections": dest["active_connections"], "inactive_connections": dest["inactive_connections"]}


def _read_weight_file(path):
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return fh.read()


def _write_file(module, path, content):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".lvs_ingress.")
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
    os.chmod(tmp, 0o644)
    module.atomic_move(tmp, path)


def _remembered(text):
    return _keepalived.parse_weight_file(text) if text is not None else {"weight": None, "active_weight": None}


def _restore_weight(p, remembered, *fallbacks):
    """The weight ``active`` restores / ``drained`` remembers: option, remembered, then the first non-zero fallback."""
    if p["weight"] is not None:
        return p["weight"]
    if remembered["active_weight"]:
        return remembered["active_weight"]
    for value in fallbacks:
        if value:
            return value
    return None


class Director:
    def __init__(self, module, rs_spec):
        self.module = module
        self.p = module.params
        self.rs = rs_spec
        self.run = runner(module)
        self.ipvsadm = find_binary(module, self.p["ipvsadm_path"], "ipvsadm")
        self.commands = []

    def lookup(self):
        return _ipvs.lookup(self.run, self.ipvsadm, self.rs)

    def execute(self, argv):
        self.commands.append(argv)
        if not self.module.check_mode:
            _ipvs.run_checked(self.run, argv, self.rs.name)


def run_ipvsadm(module, rs_spec):
    p = module.params
    d = Director(module, rs_spec)
    svc, dest = d.lookup()
    if svc is None:
        raise LvsIngressError("virtual service %s not found on this director" % rs_spec.service.name,
                              virtual_service=rs_spec.service.name)
    path = _keepalived.weight_file_path(rs_spec, p["weights_dir"] or IPVSADM_WEIGHTS_DIR)
    old_text = _read_weight_file(path)
    remembered = _remembered(old_text)
    before = _view(dest, remembered["active_weight"])
    after = dict(before)
    new_text = old_text
    state = p["state"]

    if state in ("drained", "active") and dest is None:
        raise LvsIngressError("%s is not a real server of %s on this director; cannot set it %s"
                              % (rs_spec.endpoint(), rs_spec.service.name, state), real_server=rs_spec.name)
    if state == "present":
        if dest is None:
            weight = p["weight"] if p["weight"] is not None else 1
            fwd = p["forwarding"] or "dr"
            d.execute(_ipvs.dest_argv(d.ipvsadm, "-a", rs_spec, fwd, weight))
            after.update(present=True, weight=weight, forwarding=fwd)
        else:
            weight = p["weight"] if p["weight"] is not None else dest["weight"]
            fwd = p["forwarding"] or dest["forwarding"]
            if (weight, fwd) != (dest["weight"], dest["forwarding"]):
                d.execute(_ipvs.dest_argv(d.ipvsadm, "-e", rs_spec, fwd, weight))
                after.update(weight=weight, forwarding=fwd)
    elif state == "absent":
        if dest is not None:
            if dest["active_connections"] > 0 and not p["force"]:
                raise LvsIngressError(
                    "refusing to delete %s: it still has %d active connections (drain it first, or force=true)"
                    % (rs_spec.name, dest["active_connections"]),
                    real_server=rs_spec.name, active_connections=dest["active_connections"])
            d.execute(_ipvs.dest_argv(d.ipvsadm, "-d", rs_spec))
            after = _view(None, None)
        new_text = None
        after["active_weight"] = None
    elif state == "drained":
        keep = _restore_weight(p, remembered, dest["weight"])
        if dest["weight"] != 0:
            d.execute(_ipvs.dest_argv(d.ipvsadm, "-e", rs_spec, dest["forwarding"], 0))
        after.update(weight=0, active_weight=keep)
        new_text = _keepalived.render_weight_file(0, keep)
    else:  # active
        target = _restore_weight(p, remembered, dest["weight"])
        if not target:
            raise LvsIngressError("no weight to restore for %s: none remembered in %s; give weight" % (rs_spec.name, path),
                                  real_server=rs_spec.name, weight_file=path)
        if dest["weight"] != target:
            d.execute(_ipvs.dest_argv(d.ipvsadm, "-e", rs_spec, dest["forwarding"], target))
        after.update(weight=target, active_weight=target)
        new_text = _keepalived.render_weight_file(target, target)

    file_changed = new_text != old_text
    changed = bool(d.commands) or file_changed
    if changed and not module.check_mode:
        if file_changed:
            if new_text is None:
                os.unlink(path)
            else:
                _write_file(module, path, new_text)
        svc, dest = d.lookup()
        after = _view(dest, _remembered(new_text)["active_weight"])
    return dict(changed=changed, before=before, after=after, commands=d.commands, reloaded=False, weight_file=path)


def run_keepalived(module, rs_spec):
    p = module.params
    if p["state"] in ("present", "absent"):
        raise LvsIngressError("state=%s is not supported with manager=keepalived: %s" % (p["state"], MEMBERSHIP_MSG),
                              real_server=rs_spec.name)
    validate_timeout("wait_timeout", p["wait_timeout"])
    validate_timeout("wait_interval", p["wait_interval"])
    vss = _keepalived.virtual_servers(_keepalived.load(p["keepalived_config"]))
    vs, conf_rs = _keepalived.find_real_server(vss, rs_spec)
    if vs is None:
        raise LvsIngressError("unknown virtual service %s: not in %s" % (rs_spec.service.name, p["keepalived_config"]),
                              virtual_service=rs_spec.service.name)
    if conf_rs is None:
        raise LvsIngressError("%s is not a real_server of %s in %s; %s"
                              % (rs_spec.endpoint(), rs_spec.service.name, p["keepalived_config"], MEMBERSHIP_MSG),
                              real_server=rs_spec.name)
    path = _keepalived.weight_file_path(rs_spec, p["weights_dir"] or _keepalived.WEIGHTS_DIR)
    if not _keepalived.includes_file(conf_rs, path):
        raise LvsIngressError("the real_server block of %s at %s does not include %s, so keepalived would ignore its "
                              "weight; render keepalived.conf with the lvs_director role"
                              % (rs_spec.name, conf_rs["source"], path),
                              real_server=rs_spec.name, weight_file=path)
    d = Director(module, rs_spec)
    svc, dest = d.lookup()
    old_text = _read_weight_file(path)
    remembered = _remembered(old_text)
    before = _view(dest, remembered["active_weight"])
    configured = remembered["weight"] if remembered["weight"] is not None else conf_rs["weight"]

    if p["state"] == "drained":
        target = 0
        keep = _restore_weight(p, remembered, configured, dest["weight"] if dest else None)
        new_text = _keepalived.render_weight_file(0, keep)

        def reached(entry):
            return entry is None or entry["weight"] == 0
    else:
        target = _restore_weight(p, remembered, configured)
        if not target:
            raise LvsIngressError("no weight to restore for %s: none remembered in %s; give weight" % (rs_spec.name, path),
                                  real_server=rs_spec.name, weight_file=path)
        new_text = _keepalived.render_weight_file(target, target)

        def reached(entry):
            return entry is not None and entry["weight"] == target

    file_changed = new_text != old_text
    changed = file_changed or not reached(dest)
    if target == 0:
        after = dict(before, weight=0 if dest is not None else None, active_weight=keep)
    else:
        after = dict(before, present=True, weight=target, active_weight=target)
    result = dict(changed=changed, before=before, after=after, commands=[], reloaded=False, weight_file=path)
    if not changed:
        return result
    result["commands"].append(list(p["reload_command"]))
    if module.check_mode:
        return result
    if file_changed:
        _write_file(module, path, new_text)
    rc, out, err = d.run(list(p["reload_command"]))
    if rc != 0:
        raise LvsIngressError("reloading keepalived failed (rc=%s) after writing %s: %s" % (rc, path, (err or out).strip()),
                              cmd=p["reload_command"], rc=rc, stdout=out, stderr=err, real_server=rs_spec.name,
                              weight_file=path, changed=file_changed)
    result["reloaded"] = True
    if p["wait"]:
        try:
            entry, elapsed, polls = wait_until(
                lambda: d.lookup()[1], reached, p["wait_timeout"], p["wait_interval"],
                "IPVS to show weight %d for %s after the keepalived reload" % (target, rs_spec.name),
                clock=time.monotonic, sleep=time.sleep)
        except WaitTimeout as err:
            hint = "" if target == 0 else " (is keepalived's health check failing for it?)"
            raise LvsIngressError(err.msg + hint, elapsed=err.details["elapsed"], last=err.last, weight_file=path,
                                  real_server=rs_spec.name, changed=True)
        result["elapsed"] = round(elapsed, 3)
        result["polls"] = polls
        result["after"] = _view(entry, _remembered(new_text)["active_weight"])
    return result


def main():
    argument_spec = dict(SERVICE_ARGS)
    argument_spec.update(REAL_SERVER_ARGS)
    argument_spec.update(
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
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE,
        required_together=SERVICE_REQUIRED_TOGETHER,
        required_one_of=SERVICE_REQUIRED_ONE_OF,
        supports_check_mode=True,
    )
    p = module.params
    try:
        rs_spec = real_server_spec(p)
        if p["weight"] is not None:
            _ipvs.normalize_weight(p["weight"])
        if p["manager"] == "ipvsadm":
            result = run_ipvsadm(module, rs_spec)
        else:
            result = run_keepalived(module, rs_spec)
    except LvsIngressError as err:
        fail(module, err)
    result["real_server"] = rs_spec.name
    if module._diff:
        result["diff"] = dict(before=result["before"], after=result["after"],
                              before_header=rs_spec.name, after_header=rs_spec.name)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

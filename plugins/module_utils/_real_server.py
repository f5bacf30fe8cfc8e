# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The state logic of the ``ipvs_real_server`` module: read the real server and its weight file, compare with the
wanted state, then act (or in check mode only predict) through ipvsadm or a keepalived weight file and reload.

Everything the host provides comes in as a ``host`` (see ``_module.Host``: ``run``, ``find_binary``,
``atomic_move``, ``check_mode``, ``diff``) and a clock, so the unit tests drive it without Ansible."""

from __future__ import annotations

import os
import tempfile
import time

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs, _keepalived
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import real_server_spec
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


def _write_file(atomic_move, path, content):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".lvs_ingress.")
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
    os.chmod(tmp, 0o644)
    atomic_move(tmp, path)


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
    """The real server in this director's IPVS table: look it up, and run (or in check mode only record) commands."""

    def __init__(self, host, params, rs_spec):
        self.host = host
        self.rs = rs_spec
        self.ipvsadm = host.find_binary(params["ipvsadm_path"], "ipvsadm")
        self.commands = []

    def lookup(self):
        return _ipvs.lookup(self.host.run, self.ipvsadm, self.rs)

    def execute(self, argv):
        self.commands.append(argv)
        if not self.host.check_mode:
            _ipvs.run_checked(self.host.run, argv, self.rs.name)


def run_ipvsadm(p, host, rs_spec):
    """``manager=ipvsadm``: ``ipvsadm -a/-e/-d`` directly, the weight to restore remembered in a file."""
    d = Director(host, p, rs_spec)
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
    if changed and not host.check_mode:
        if file_changed:
            if new_text is None:
                os.unlink(path)
            else:
                _write_file(host.atomic_move, path, new_text)
        svc, dest = d.lookup()
        after = _view(dest, _remembered(new_text)["active_weight"])
    return dict(changed=changed, before=before, after=after, commands=d.commands, reloaded=False, weight_file=path)


def run_keepalived(p, host, rs_spec, clock=time.monotonic, sleep=time.sleep):
    """``manager=keepalived``: rewrite the weight file keepalived.conf includes, reload, wait for IPVS to show it."""
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
    d = Director(host, p, rs_spec)
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
    if host.check_mode:
        return result
    if file_changed:
        _write_file(host.atomic_move, path, new_text)
    rc, out, err = host.run(list(p["reload_command"]))
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
                clock=clock, sleep=sleep)
        except WaitTimeout as err:
            hint = "" if target == 0 else " (is keepalived's health check failing for it?)"
            raise LvsIngressError(err.msg + hint, elapsed=err.details["elapsed"], last=err.last, weight_file=path,
                                  real_server=rs_spec.name, changed=True)
        result["elapsed"] = round(elapsed, 3)
        result["polls"] = polls
        result["after"] = _view(entry, _remembered(new_text)["active_weight"])
    return result


def run(params, host, clock=time.monotonic, sleep=time.sleep):
    """The whole task: the module's params in, its result (``before``/``after``/``diff``) out; LvsIngressError on failure."""
    rs_spec = real_server_spec(params)
    if params["weight"] is not None:
        _ipvs.normalize_weight(params["weight"])
    if params["manager"] == "ipvsadm":
        result = run_ipvsadm(params, host, rs_spec)
    else:
        result = run_keepalived(params, host, rs_spec, clock=clock, sleep=sleep)
    result["real_server"] = rs_spec.name
    if host.diff:
        result["diff"] = dict(before=result["before"], after=result["after"],
                              before_header=rs_spec.name, after_header=rs_spec.name)
    return result

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
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import real_server_specs
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


class _WeightPlan:
    """One real server's weight file under ``manager=keepalived``: what it holds, what it will hold, and when IPVS
    shows it."""

    def __init__(self, p, vss, rs_spec):
        vs, conf_rs = _keepalived.find_real_server(vss, rs_spec)
        if vs is None:
            raise LvsIngressError("unknown virtual service %s: not in %s" % (rs_spec.service.name, p["keepalived_config"]),
                                  virtual_service=rs_spec.service.name)
        if conf_rs is None:
            raise LvsIngressError("%s is not a real_server of %s in %s; %s"
                                  % (rs_spec.endpoint(), rs_spec.service.name, p["keepalived_config"], MEMBERSHIP_MSG),
                                  real_server=rs_spec.name)
        self.rs = rs_spec
        self.path = path = _keepalived.weight_file_path(rs_spec, p["weights_dir"] or _keepalived.WEIGHTS_DIR)
        if not _keepalived.includes_file(conf_rs, path):
            raise LvsIngressError("the real_server block of %s at %s does not include %s, so keepalived would ignore its "
                                  "weight; render keepalived.conf with the lvs_director role"
                                  % (rs_spec.name, conf_rs["source"], path),
                                  real_server=rs_spec.name, weight_file=path)
        self.conf_weight = conf_rs["weight"]

    def prepare(self, p, dest):
        """Work out the new file from the current IPVS entry ``dest``; return this real server's result so far."""
        self.old_text = _read_weight_file(self.path)
        remembered = _remembered(self.old_text)
        before = _view(dest, remembered["active_weight"])
        configured = remembered["weight"] if remembered["weight"] is not None else self.conf_weight
        if p["state"] == "drained":
            self.target = 0
            keep = _restore_weight(p, remembered, configured, dest["weight"] if dest else None)
            self.new_text = _keepalived.render_weight_file(0, keep)
            after = dict(before, weight=0 if dest is not None else None, active_weight=keep)
        else:
            self.target = _restore_weight(p, remembered, configured)
            if not self.target:
                raise LvsIngressError("no weight to restore for %s: none remembered in %s; give weight"
                                      % (self.rs.name, self.path), real_server=self.rs.name, weight_file=self.path)
            self.new_text = _keepalived.render_weight_file(self.target, self.target)
            after = dict(before, present=True, weight=self.target, active_weight=self.target)
        self.file_changed = self.new_text != self.old_text
        self.changed = self.file_changed or not self.reached(dest)
        return dict(changed=self.changed, before=before, after=after, weight_file=self.path)

    def reached(self, entry):
        if self.target == 0:
            return entry is None or entry["weight"] == 0
        return entry is not None and entry["weight"] == self.target


def _lookup_all(host, ipvsadm, specs):
    """Each real server's entry (None when absent) from one read of the table."""
    services = _ipvs.read_table(host.run, ipvsadm)
    entries = []
    for spec in specs:
        svc = _ipvs.find_service(services, spec.service)
        entries.append(_ipvs.find_real_server(svc, spec))
    return entries


def run_keepalived(p, host, specs, clock=time.monotonic, sleep=time.sleep):
    """``manager=keepalived``: rewrite the weight files keepalived.conf includes, reload keepalived once, wait until
    IPVS shows every new weight. Returns (one result per real server, the run's shared result)."""
    if p["state"] in ("present", "absent"):
        raise LvsIngressError("state=%s is not supported with manager=keepalived: %s" % (p["state"], MEMBERSHIP_MSG),
                              real_server=specs[0].name)
    validate_timeout("wait_timeout", p["wait_timeout"])
    validate_timeout("wait_interval", p["wait_interval"])
    vss = _keepalived.virtual_servers(_keepalived.load(p["keepalived_config"]))
    plans = [_WeightPlan(p, vss, spec) for spec in specs]
    ipvsadm = host.find_binary(p["ipvsadm_path"], "ipvsadm")
    results = [plan.prepare(p, dest) for plan, dest in zip(plans, _lookup_all(host, ipvsadm, specs))]
    shared = dict(changed=any(plan.changed for plan in plans), commands=[], reloaded=False)
    if not shared["changed"]:
        return results, shared
    shared["commands"].append(list(p["reload_command"]))
    if host.check_mode:
        return results, shared
    written = [plan.path for plan in plans if plan.file_changed]
    for plan in plans:
        if plan.file_changed:
            _write_file(host.atomic_move, plan.path, plan.new_text)
    names = ", ".join(plan.rs.name for plan in plans)
    rc, out, err = host.run(list(p["reload_command"]))
    if rc != 0:
        raise LvsIngressError("reloading keepalived failed (rc=%s) after writing %s: %s"
                              % (rc, " and ".join(written) or "nothing", (err or out).strip()),
                              cmd=p["reload_command"], rc=rc, stdout=out, stderr=err, real_server=names,
                              weight_file=" ".join(written), changed=bool(written))
    shared["reloaded"] = True
    if not p["wait"]:
        return results, shared
    what = " and ".join("weight %d for %s" % (plan.target, plan.rs.name) for plan in plans)
    try:
        entries, elapsed, polls = wait_until(
            lambda: _lookup_all(host, ipvsadm, specs),
            lambda entries: all(plan.reached(entry) for plan, entry in zip(plans, entries)),
            p["wait_timeout"], p["wait_interval"], "IPVS to show %s after the keepalived reload" % what,
            clock=clock, sleep=sleep)
    except WaitTimeout as err:
        missing = [plan for plan, entry in zip(plans, err.last) if not plan.reached(entry)]
        hint = "" if all(plan.target == 0 for plan in missing) else " (is keepalived's health check failing for it?)"
        raise LvsIngressError(err.msg + hint, elapsed=err.details["elapsed"],
                              last=err.last[0] if len(err.last) == 1 else err.last,
                              weight_file=" ".join(plan.path for plan in missing),
                              real_server=", ".join(plan.rs.name for plan in missing), changed=True)
    shared["elapsed"] = round(elapsed, 3)
    shared["polls"] = polls
    for plan, entry, result in zip(plans, entries, results):
        result["after"] = _view(entry, _remembered(plan.new_text)["active_weight"])
    return results, shared


def run(params, host, clock=time.monotonic, sleep=time.sleep):
    """The whole task: the module's params in, its result (``before``/``after``/``diff``) out; LvsIngressError on failure.

    With ``real_servers`` the result holds one entry per real server under ``real_servers`` (``before``, ``after``,
    ``weight_file``, ``real_server``, ``changed``) beside the run's ``changed``, ``commands``, ``reloaded`` and
    ``elapsed``; the top-level options give one real server's result at the top level, as before."""
    specs = real_server_specs(params)
    if params["weight"] is not None:
        _ipvs.normalize_weight(params["weight"])
    if params["manager"] == "ipvsadm":
        results = [run_ipvsadm(params, host, spec) for spec in specs]
        shared = dict(changed=any(r["changed"] for r in results), reloaded=False,
                      commands=[argv for r in results for argv in r.pop("commands")])
        for r in results:
            r.pop("reloaded")
    else:
        results, shared = run_keepalived(params, host, specs, clock=clock, sleep=sleep)
    for spec, result in zip(specs, results):
        result["real_server"] = spec.name
    if params.get("real_servers") is None:
        result = dict(results[0], **shared)
        if host.diff:
            result["diff"] = dict(before=result["before"], after=result["after"],
                                  before_header=result["real_server"], after_header=result["real_server"])
        return result
    result = dict(shared, real_servers=results)
    if host.diff:
        result["diff"] = dict(before={r["real_server"]: r["before"] for r in results},
                              after={r["real_server"]: r["after"] for r in results},
                              before_header="%d real servers" % len(results), after_header="%d real servers" % len(results))
    return result

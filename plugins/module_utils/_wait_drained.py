# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The logic of the ``lvs_wait_drained`` module: poll one real server in this director's IPVS table until it is
quiesced (weight 0, connections at or below the thresholds) or gone, keeping first/last/max of its counters.

The host comes in as a ``host`` (see ``_module.Host``: ``run``, ``find_binary``) and a clock, so the unit tests
drive it without Ansible."""

from __future__ import annotations

import socket
import time

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import real_server_spec
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, wait_until


class Seen:
    """first/last/max of a counter over the polls."""

    def __init__(self):
        self.first = self.last = self.max = None

    def add(self, value):
        if self.first is None:
            self.first = value
        self.last = value
        self.max = value if self.max is None else max(self.max, value)

    def as_dict(self):
        return {"first": self.first, "last": self.last, "max": self.max}


class Watch:
    """One real server's weight and counters as the polls see them, and whether it is quiesced."""

    def __init__(self, params, run, ipvsadm, rs_spec, director):
        self.p = params
        self.run = run
        self.ipvsadm = ipvsadm
        self.rs = rs_spec
        self.director = director
        self.active, self.inactive = Seen(), Seen()
        self.weight = None

    def probe(self):
        """Read IPVS once; return the real server's entry (None once it is gone from the service)."""
        svc, dest = _ipvs.lookup(self.run, self.ipvsadm, self.rs)
        if svc is None:
            raise LvsIngressError("director %s: unknown virtual service %s" % (self.director, self.rs.service.name),
                                  director=self.director, virtual_service=self.rs.service.name)
        if dest is not None:
            self.active.add(dest["active_connections"])
            self.inactive.add(dest["inactive_connections"])
            self.weight = dest["weight"]
        else:
            self.active.add(0)
            self.inactive.add(0)
            self.weight = None
        return dest

    def done(self, dest):
        p = self.p
        if dest is None:
            return True
        if p["require_weight_zero"] and dest["weight"] != 0:
            return False
        if dest["active_connections"] > p["max_active_connections"]:
            return False
        if p["max_inactive_connections"] is not None and dest["inactive_connections"] > p["max_inactive_connections"]:
            return False
        return True

    def reasons(self):
        """Why it is not quiesced, from the last poll."""
        p = self.p
        remain = self.active.last if self.active.last is not None else 0
        reasons = ["%d active connections remain (threshold %d)" % (remain, p["max_active_connections"])]
        if p["require_weight_zero"] and self.weight not in (0, None):
            reasons.insert(0, "weight is still %d" % self.weight)
        if p["max_inactive_connections"] is not None:
            reasons.append("%d inactive (threshold %d)" % (self.inactive.last, p["max_inactive_connections"]))
        return reasons

    def counters(self):
        return dict(weight=self.weight, active_connections=self.active.as_dict(),
                    inactive_connections=self.inactive.as_dict())


def wait_drained(params, host, rs_spec, director, clock=time.monotonic, sleep=time.sleep):
    for name in ("max_active_connections", "max_inactive_connections"):
        if params[name] is not None and params[name] < 0:
            raise LvsIngressError("%s must be >= 0, got %r" % (name, params[name]), **{name: params[name]})
    watch = Watch(params, host.run, host.find_binary(params["ipvsadm_path"], "ipvsadm"), rs_spec, director)
    try:
        dest, elapsed, polls = wait_until(watch.probe, watch.done, params["timeout"], params["interval"],
                                          "%s to quiesce on %s" % (rs_spec.name, director), clock=clock, sleep=sleep)
    except WaitTimeout as err:
        raise LvsIngressError(
            "director %s: %s did not quiesce within %.1fs: %s" % (director, rs_spec.name, err.elapsed, ", ".join(watch.reasons())),
            elapsed=round(err.elapsed, 3), **watch.counters())
    return dict(quiesced=True, gone=dest is None, elapsed=round(elapsed, 3), polls=polls, **watch.counters())


def run(params, host, clock=time.monotonic, sleep=time.sleep):
    """The whole task: the module's params in, its result out; an LvsIngressError (naming the director and, once
    known, the real server) on failure or timeout."""
    context = dict(changed=False, director=params["director_name"] or socket.gethostname())
    try:
        rs_spec = real_server_spec(params)
        context["real_server"] = rs_spec.name
        result = wait_drained(params, host, rs_spec, context["director"], clock=clock, sleep=sleep)
    except LvsIngressError as err:
        err.details.update(context)
        raise
    return dict(context, **result)

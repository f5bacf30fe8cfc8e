# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The logic of the ``lvs_wait_drained`` module: poll one or several real servers in this director's IPVS table until
each is quiesced (weight 0, connections at or below the thresholds) or gone, keeping first/last/max of its counters.

The host comes in as a ``host`` (see ``_module.Host``: ``run``, ``find_binary``) and a clock, so the unit tests
drive it without Ansible."""

from __future__ import annotations

import socket
import time

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs_args import real_server_specs
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, wait_until


class Seen:
    """first/last/max of a counter over the polls."""

    def __init__(self):
        self.first = self.last = self.max = None
        self.history = []

    def add(self, value):
        self.history.append(value)
        if self.first is None:
            self.first = value
        self.last = value
        self.max = value if self.max is None else max(self.max, value)

    def as_dict(self):
        return {"first": self.first, "last": self.last, "max": self.max}


class Watch:
    """One real server's weight and counters as the polls see them, and whether it is quiesced."""

    def __init__(self, params, rs_spec, director):
        self.p = params
        self.rs = rs_spec
        self.director = director
        self.active, self.inactive = Seen(), Seen()
        self.weight = None

    def probe(self, services):
        """Find the real server in one read of IPVS; return its entry (None once it is gone from the service)."""
        svc = _ipvs.find_service(services, self.rs.service)
        dest = _ipvs.find_real_server(svc, self.rs)
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


def _total(seens):
    """first/last/max of the sum of several real servers' counters (the polls see them together)."""
    total = Seen()
    for values in zip(*[seen.history for seen in seens]):
        total.add(sum(values))
    return total.as_dict()


def wait_drained(params, host, specs, director, clock=time.monotonic, sleep=time.sleep):
    """Poll until every real server of ``specs`` is quiesced; one IPVS read per poll covers them all."""
    for name in ("max_active_connections", "max_inactive_connections"):
        if params[name] is not None and params[name] < 0:
            raise LvsIngressError("%s must be >= 0, got %r" % (name, params[name]), **{name: params[name]})
    ipvsadm = host.find_binary(params["ipvsadm_path"], "ipvsadm")
    watches = [Watch(params, spec, director) for spec in specs]

    def probe():
        services = _ipvs.read_table(host.run, ipvsadm)
        return [watch.probe(services) for watch in watches]

    def done(dests):
        return all(watch.done(dest) for watch, dest in zip(watches, dests))

    what = " and ".join(spec.name for spec in specs)
    try:
        dests, elapsed, polls = wait_until(probe, done, params["timeout"], params["interval"],
                                           "%s to quiesce on %s" % (what, director), clock=clock, sleep=sleep)
    except WaitTimeout as err:
        late = [watch for watch, dest in zip(watches, err.last) if not watch.done(dest)]
        raise LvsIngressError(
            "director %s: %s did not quiesce within %.1fs: %s"
            % (director, " and ".join(w.rs.name for w in late), err.elapsed,
               "; ".join(", ".join(w.reasons()) for w in late)),
            elapsed=round(err.elapsed, 3), **_counters(watches, specs))
    return dict(quiesced=True, gone=all(dest is None for dest in dests), elapsed=round(elapsed, 3), polls=polls,
                **_counters(watches, specs))


def _counters(watches, specs):
    if len(watches) == 1:
        return watches[0].counters()
    weights = [w.weight for w in watches if w.weight is not None]
    return dict(weight=max(weights) if weights else None,
                active_connections=_total([w.active for w in watches]),
                inactive_connections=_total([w.inactive for w in watches]),
                real_servers=[dict(real_server=spec.name, **w.counters()) for spec, w in zip(specs, watches)])


def run(params, host, clock=time.monotonic, sleep=time.sleep):
    """The whole task: the module's params in, its result out; an LvsIngressError (naming the director and, once
    known, the real servers) on failure or timeout."""
    context = dict(changed=False, director=params["director_name"] or socket.gethostname())
    try:
        specs = real_server_specs(params)
        context["real_server"] = " and ".join(spec.name for spec in specs)
        result = wait_drained(params, host, specs, context["director"], clock=clock, sleep=sleep)
    except LvsIngressError as err:
        err.details.update(context)
        raise
    return dict(context, **result)

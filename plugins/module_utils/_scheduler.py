# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The scheduler rules of a virtual service, checked by the lvs_director role before it writes keepalived.conf.

keepalived ignores a scheduler flag of another scheduler (``mh-port`` with ``sh``); ``mh`` or ``sh`` without its
``-fallback`` flag refuses a drained node's clients (ICMP unreachable) instead of sending them to another node; and
only ``mh`` lets the directors agree on a node (``lvs_director_consistent_takeover``).
"""

from __future__ import annotations

FALLBACK_SCHEDULERS = ("mh", "sh")


def scheduler_problems(vs, default_scheduler, default_flags, consistent_takeover):
    """One message per broken rule of virtual service ``vs`` (an item of ``lvs_director_virtual_servers``).

    ``vs`` without ``scheduler`` takes ``default_scheduler``; without ``scheduler_flags`` it takes ``default_flags``
    when its scheduler is ``mh``, none otherwise (as the role's keepalived template does).
    """
    sched = vs.get("scheduler", default_scheduler)
    flags = vs.get("scheduler_flags", list(default_flags or []) if sched == "mh" else [])
    where = "lvs_director_virtual_servers %s:%s" % (vs.get("address", "?"), vs.get("port", "?"))
    problems = []
    for flag in flags:
        if not flag.startswith(sched + "-"):
            problems.append("%s: scheduler_flags %s needs scheduler %s, not %s" % (where, flag, flag.split("-")[0], sched))
    if sched in FALLBACK_SCHEDULERS and sched + "-fallback" not in flags:
        problems.append("%s: scheduler %s needs scheduler_flags %s-fallback (without it the clients of a drained node"
                        " are refused, not sent to another node)" % (where, sched, sched))
    if consistent_takeover and sched != "mh":
        problems.append("%s: scheduler %s with lvs_director_consistent_takeover=true: the directors agree on a node"
                        " only with mh" % (where, sched))
    return problems

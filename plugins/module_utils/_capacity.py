# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The capacity rule of a batch: how many real servers of each virtual service stay in rotation.

A real server is in rotation on a director when that director's live IPVS table gives it a weight above 0. A
batch takes its nodes out of rotation together; the rule refuses a batch that would leave, on any director, fewer
than ``min_count`` real servers of a virtual service in rotation, or fewer than ``min_percent`` percent of all its
real servers. The tables are what ``ipvs_info`` returns (``virtual_services``), one per director.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


def _in_rotation(service):
    return [rs["address"] for rs in service.get("real_servers") or [] if (rs.get("weight") or 0) > 0]


def _check(director, service, leaving, min_count, min_percent):
    """The rule for one service on one director, or None when it holds (or ``leaving`` takes nothing of it)."""
    total = len(service.get("real_servers") or [])
    in_rotation = _in_rotation(service)
    out = sorted(set(in_rotation) & set(leaving))
    left = len(in_rotation) - len(out)
    broken = []
    if left < min_count:
        broken.append("lvs_ingress_min_in_rotation=%d" % min_count)
    if left * 100 < min_percent * total:
        broken.append("lvs_ingress_min_in_rotation_percent=%d" % min_percent)
    if not out or not broken:
        return None
    return {
        "director": director, "service": service.get("name"), "real_servers": total,
        "in_rotation": len(in_rotation), "leaving": out, "left": left,
        "why": "%d of its %d real servers in rotation (%d now), below %s" % (
            left, total, len(in_rotation), " and ".join(broken)),
    }


def capacity_problems(tables, leaving, min_count, min_percent):
    """Every (director, virtual service) where taking the addresses ``leaving`` out breaks the rule.

    ``tables`` maps a director's name to its ``virtual_services``. Services none of ``leaving`` serves are left
    alone: a batch only answers for what it takes away.
    """
    problems = []
    for director in sorted(tables):
        for service in tables[director] or []:
            problem = _check(director, service, leaving, min_count, min_percent)
            if problem:
                problem["msg"] = "%s: taking %s out of %s would leave %s" % (
                    director, ", ".join(problem["leaving"]), problem["service"], problem["why"])
                problems.append(problem)
    return problems


def worst_batch_problems(tables, candidates, batch_size, min_count, min_percent):
    """The rule for the worst batch of ``batch_size`` of ``candidates``: per service, the batch that holds as many
    of its in-rotation real servers as it can. Empty when every batch of that size can meet the rule now."""
    problems = []
    candidates = set(candidates)
    for director in sorted(tables):
        for service in tables[director] or []:
            mine = [a for a in _in_rotation(service) if a in candidates]
            problem = _check(director, service, mine[:batch_size], min_count, min_percent)
            if problem:
                problem["msg"] = "%s: lvs_ingress_batch_size=%d: a batch can take %s out of %s, leaving %s" % (
                    director, batch_size, ", ".join(problem["leaving"]), problem["service"], problem["why"])
                problems.append(problem)
    return problems


def tables_from_results(results):
    """``ipvs_info`` results of a loop over the directors (each ``item`` a director's name) as ``tables``."""
    tables = {}
    for result in results:
        if not isinstance(result, Mapping) or "item" not in result or "virtual_services" not in result:
            raise LvsIngressError("each result must be an ipvs_info result of a loop over the directors (with item"
                                  " and virtual_services), got %r" % (result,))
        tables[result["item"]] = result["virtual_services"]
    return tables

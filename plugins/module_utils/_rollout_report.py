# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The rolling upgrade's report: each director's numbers per node, and the summary table of the nodes.

The nodes' items are the ``_lvs_ingress_result`` facts the _rollout role's ``record`` and ``skip_current`` entry
points set; the summary table is shown at the end of the run and written beside the JSON report, in Markdown.
"""

from __future__ import annotations

HEADER = ("| node | out of rotation (s) | drain (s) | upgrade (s) | undrain (s) | close window (s) "
          "| connections at SIGQUIT | nginx before | nginx after |")
RULE = "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"


def _row(cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def report_lines(nodes):
    """The summary table as Markdown lines: a header, a rule, one row per node (``skipped`` ones say so)."""
    lines = [HEADER, RULE]
    for n in nodes or []:
        before = "%s (%s)" % (n.get("nginx_package_before"), n.get("nginx_version_before"))
        after = "%s (%s)" % (n.get("nginx_package_after"), n.get("nginx_version_after"))
        if n.get("skipped", False):
            lines.append(_row([n.get("node"), "skipped: already on it", "-", "-", "-", "-", "-", before, after]))
        else:
            steps = n.get("steps") or {}
            lines.append(_row([n.get("node"), n.get("seconds_out_of_rotation"), steps.get("drain"), steps.get("upgrade"),
                               steps.get("undrain"), n.get("close_window_seconds"), n.get("connections_at_quit"),
                               before, after]))
    return lines


def _director(result):
    """The director a quiesce result is from: its ``director``, else its loop ``item`` (the director, or the first
    of a (director, ...) pair)."""
    if result.get("director") is not None:
        return result["director"]
    item = result.get("item")
    if isinstance(item, str):
        return item
    return item[0] if isinstance(item, (list, tuple)) and item else None


def quiesce_by_director(results):
    """Per director, from the quiesce waits' results (one per director; of several, a later one wins):
    ``seconds`` (the wait's ``elapsed``) and ``stale_connections`` (the last active connection count it saw).

    A director whose wait failed without them (its keepalived stopped: no virtual service) gets null for both.
    """
    seconds, stale = {}, {}
    for result in results or []:
        director = _director(result)
        seconds[director] = result.get("elapsed")
        stale[director] = (result.get("active_connections") or {}).get("last")
    return {"seconds": seconds, "stale_connections": stale}


def detection_budgets(directors, budget_results):
    """Each director's detection budget (``budget`` of its ``keepalived_detection_budget`` result), null for one
    without a result (it did not answer) or without a budget (no modelled health check), in ``directors`` order."""
    budget_results = budget_results or {}
    return {d: (budget_results.get(d) or {}).get("budget") for d in directors or []}

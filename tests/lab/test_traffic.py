# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep-alive traffic through the VIP reaches every ingress node."""

from __future__ import annotations

import lab

REQUESTS = 3000
CONNECTIONS = 30


def test_keepalive_traffic_reaches_every_node(converged):
    result = lab.Loadgen(count=REQUESTS, duration=60, connections=CONNECTIONS).wait_ready().result()
    active = lab.active_director()
    table = lab.ipvs_table(active)
    lab.record("traffic", requests=result["total"], ok=result["ok"], failed=result["failed"],
               per_node=result["per_node"], connections=result["connections_opened"], elapsed=result["elapsed"],
               active_director=active, ipvs={ip: v["weight"] for ip, v in table.items()},
               command="loadgen --count %d --connections %d --duration 60" % (REQUESTS, CONNECTIONS))
    print("per-node counts:", result["per_node"])

    assert result["total"] == REQUESTS, result
    assert result["failed"] == 0, result["errors"]
    for node in lab.NODES:
        assert result["per_node"].get(node, 0) > 0, "%s got no request: %s" % (node, result["per_node"])
    assert set(result["per_node"]) == set(lab.NODES), result["per_node"]
    assert active == "director1"
    for node, ip in lab.NODES.items():
        assert ip in table, "%s missing from ipvsadm -Ln on %s: %s" % (node, active, table)
        assert table[ip]["weight"] > 0, table

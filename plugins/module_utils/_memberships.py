# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""Which virtual services a node is a real server of, from the directors' own settings.

The rollout's director steps (weight 0, the quiesce wait, weight back) run once per virtual service the node serves;
``lvs_director_virtual_servers`` is the one place that says which those are.
"""

from __future__ import annotations


def memberships(virtual_servers, real_address):
    """One item per (virtual service, real server entry) whose address is ``real_address``, in settings order.

    Each has ``virtual_address``, ``virtual_port``, ``protocol`` (lower case, default ``tcp``) and ``real_port``
    (the real server's ``port``, default the virtual port). Addresses are compared as written, as the directors'
    settings and the node's ``lvs_ingress_real_address`` are.
    """
    out = []
    for vs in virtual_servers or []:
        for rs in vs.get("real_servers") or []:
            if rs.get("address") != real_address:
                continue
            out.append({
                "virtual_address": vs.get("address"),
                "virtual_port": vs.get("port"),
                "protocol": str(vs.get("protocol", "TCP")).lower(),
                "real_port": rs.get("port", vs.get("port")),
            })
    return out

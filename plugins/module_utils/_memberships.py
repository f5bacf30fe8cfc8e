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

import ipaddress


def _canonical(address):
    """An address in one spelling (IPv6 compressed, lower case); text that is no address stays as it is."""
    try:
        return str(ipaddress.ip_address(str(address).strip()))
    except ValueError:
        return address


def memberships(virtual_servers, real_addresses):
    """One item per (virtual service, real server entry) whose address is one of ``real_addresses`` (a node's
    addresses: one, or one per address family), in settings order.

    Each has ``virtual_address``, ``virtual_port``, ``protocol`` (lower case, default ``tcp``), ``real_address`` (as
    the settings write it) and ``real_port`` (the real server's ``port``, default the virtual port). Addresses are
    compared as addresses: ``2001:DB8::11`` is ``2001:db8:0:0:0:0:0:11``.
    """
    if isinstance(real_addresses, str):
        real_addresses = [real_addresses]
    wanted = {_canonical(a) for a in real_addresses if a}
    out = []
    for vs in virtual_servers or []:
        for rs in vs.get("real_servers") or []:
            if _canonical(rs.get("address")) not in wanted:
                continue
            out.append({
                "virtual_address": vs.get("address"),
                "virtual_port": vs.get("port"),
                "protocol": str(vs.get("protocol", "TCP")).lower(),
                "real_address": rs.get("address"),
                "real_port": rs.get("port", vs.get("port")),
            })
    return out

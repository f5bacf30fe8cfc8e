# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""Which VRRP addresses a director holds: ``ip -json address show dev IFACE``, read and compared canonically."""

from __future__ import annotations

import json

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs import normalize_address


def canonical_addresses(addresses, what="addresses"):
    """The addresses, each without a prefix length and in canonical form (IPv6 compressed, lower case), in order."""
    out = []
    for text in addresses:
        address = normalize_address(str(text).split("/", 1)[0], what)
        if address not in out:
            out.append(address)
    return out


def parse_interface_addresses(text, interface):
    """Addresses of ``interface`` in the output of ``ip -json address show dev INTERFACE``, canonical."""
    try:
        links = json.loads(text or "[]")
    except ValueError:
        raise LvsIngressError("cannot read the addresses of %s: ip printed no JSON: %r" % (interface, (text or "")[:200]),
                              interface=interface)
    found = []
    for link in links:
        if link.get("ifname") not in (None, interface):
            continue
        for info in link.get("addr_info") or ():
            if info.get("local"):
                found.append(info["local"])
    return canonical_addresses(found, "address of %s" % interface)


def held(interface, wanted, run):
    """The addresses of ``wanted`` (canonical) that ``interface`` holds now, in the order of ``wanted``.

    ``run(argv)`` returns ``(rc, stdout, stderr)``, as AnsibleModule.run_command does."""
    rc, out, err = run(["ip", "-json", "address", "show", "dev", interface])
    if rc != 0:
        raise LvsIngressError("no such interface: %s (ip: %s)" % (interface, (err or out).strip()), interface=interface)
    on_interface = parse_interface_addresses(out, interface)
    return [address for address in wanted if address in on_interface]


def holders(addresses, held_by_director):
    """{address: [directors holding it]} for each of ``addresses`` (canonical, in order), from each director's
    ``held`` list (a vrrp_settled result); a director without one holds nothing. Directors in the given order."""
    out = {address: [] for address in canonical_addresses(addresses)}
    for director, held_now in held_by_director.items():
        for address in canonical_addresses(held_now or [], "address held by %s" % director):
            if address in out:
                out[address].append(director)
    return out

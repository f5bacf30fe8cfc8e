# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.address_problems import address_problems


@pytest.mark.parametrize("values, kind, expected", [
    (["192.0.2.10", "2001:db8::10"], "address", []),
    (["300.1.1.1"], "address", ["v=300.1.1.1 is not an IP address"]),
    (["192.0.2.10/32"], "address", ["v=192.0.2.10/32 is not an IP address"]),
    (["192.0.2.1/24", "192.0.2.1/24 dev eth1", "2001:db8::1/64"], "interface", []),
    (["192.0.2.1"], "interface", []),  # a bare address is a /32 interface
    (["192.0.2.1/33"], "interface", ["v=192.0.2.1/33 is not an IP address with a prefix length (such as 192.0.2.1/24)"]),
    (["198.18.0.0/24"], "network", []),
    (["198.18.0.1/24"], "network", ["v=198.18.0.1/24 is not an IP network (such as 198.18.0.0/24, no host bits set)"]),
    ("10.0.0.1", "address", []),
    ("abc", "address", ["v=abc is not an IP address"]),
    (None, "address", []),
    (["", "1.2.3.4"], "address", ["v= is not an IP address"]),
])
def test_address_problems(values, kind, expected):
    assert address_problems(values, "v", kind) == expected


def test_unknown_kind_is_an_error():
    with pytest.raises(AnsibleFilterError, match="kind must be one of"):
        address_problems(["1.2.3.4"], "v", "host")

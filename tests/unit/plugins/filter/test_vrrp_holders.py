# SPDX-License-Identifier: GPL-3.0-or-later
"""Which directors hold each VRRP address (lvs_director's tasks/vrrp_settled.yml asserts one holder per address)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.vrrp_holders import FilterModule

vrrp_holders = FilterModule().filters()["vrrp_holders"]
VIP = "198.18.0.100"
GATEWAY = "198.18.0.254"


def test_settled():
    hostvars = {"director1": {"__vrrp": {"held": [VIP, GATEWAY]}}, "director2": {"__vrrp": {"held": []}}}
    assert vrrp_holders(["director1", "director2"], hostvars, "__vrrp", [VIP, GATEWAY + "/24"]) == \
        {VIP: ["director1"], GATEWAY: ["director1"]}


def test_split_brain_names_both_in_play_order():
    hostvars = {"director1": {"__vrrp": {"held": [VIP]}}, "director2": {"__vrrp": {"held": [VIP]}}}
    assert vrrp_holders(["director2", "director1"], hostvars, "__vrrp", [VIP]) == {VIP: ["director2", "director1"]}


def test_no_master_and_a_director_without_a_result():
    hostvars = {"director1": {"__vrrp": {"held": []}}, "director2": {}}
    assert vrrp_holders(["director1", "director2", "director3"], hostvars, "__vrrp", [VIP]) == {VIP: []}


def test_ipv6_compared_canonically():
    hostvars = {"director1": {"__vrrp": {"held": ["2001:db8::64"]}}}
    assert vrrp_holders(["director1"], hostvars, "__vrrp", ["2001:DB8:0:0::0064/64"]) == {"2001:db8::64": ["director1"]}


def test_not_a_result_is_refused():
    with pytest.raises(AnsibleFilterError, match="__vrrp of director1 is not a module result"):
        vrrp_holders(["director1"], {"director1": {"__vrrp": [VIP]}}, "__vrrp", [VIP])


def test_a_bad_address_is_refused():
    with pytest.raises(AnsibleFilterError, match="vrrp_holders: .*not-an-address"):
        vrrp_holders(["director1"], {"director1": {"__vrrp": {"held": []}}}, "__vrrp", ["not-an-address"])

# SPDX-License-Identifier: GPL-3.0-or-later
"""The virtual services a node is a real server of, from lvs_director_virtual_servers."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.real_server_memberships import FilterModule

memberships = FilterModule().filters()["real_server_memberships"]

VIRTUAL_SERVERS = [
    {"address": "198.18.0.100", "port": 80, "real_servers": [{"address": "198.18.0.11"}, {"address": "198.18.0.12"}]},
    {"address": "198.18.0.100", "port": 443, "protocol": "TCP", "real_servers": [{"address": "198.18.0.11", "port": 8443}]},
    {"address": "198.18.0.200", "port": 53, "protocol": "UDP", "real_servers": [{"address": "198.18.0.12"}]},
]


def test_every_service_of_the_node_in_settings_order():
    assert memberships(VIRTUAL_SERVERS, "198.18.0.11") == [
        {"virtual_address": "198.18.0.100", "virtual_port": 80, "protocol": "tcp", "real_address": "198.18.0.11",
         "real_port": 80},
        {"virtual_address": "198.18.0.100", "virtual_port": 443, "protocol": "tcp", "real_address": "198.18.0.11",
         "real_port": 8443},
    ]


def test_protocol_is_lower_case_and_the_real_port_defaults_to_the_virtual_one():
    assert memberships(VIRTUAL_SERVERS, "198.18.0.12")[1] == {
        "virtual_address": "198.18.0.200", "virtual_port": 53, "protocol": "udp", "real_address": "198.18.0.12",
        "real_port": 53}


def test_a_real_server_listed_twice_is_two_memberships():
    vs = [{"address": "198.18.0.100", "port": 80,
           "real_servers": [{"address": "198.18.0.11", "port": 8080}, {"address": "198.18.0.11", "port": 8081}]}]
    assert [m["real_port"] for m in memberships(vs, "198.18.0.11")] == [8080, 8081]


@pytest.mark.parametrize("virtual_servers, address", [
    (VIRTUAL_SERVERS, "198.18.0.99"),
    ([{"address": "2001:db8::100", "port": 80, "real_servers": [{"address": "2001:db8::12"}]}], "2001:db8::11"),
    (VIRTUAL_SERVERS, ["", "198.18.0.99"]),
    ([], "198.18.0.11"),
    (None, "198.18.0.11"),
    ([{"address": "198.18.0.100", "port": 80}], "198.18.0.11"),
])
def test_no_membership(virtual_servers, address):
    assert memberships(virtual_servers, address) == []


DUAL_STACK = [
    {"address": "198.18.0.100", "port": 80, "real_servers": [{"address": "198.18.0.11"}, {"address": "198.18.0.12"}]},
    {"address": "2001:db8::100", "port": 80, "real_servers": [{"address": "2001:DB8::11"}, {"address": "2001:db8::12"}]},
]


def test_a_dual_stack_node_is_in_both_families_services():
    found = memberships(DUAL_STACK, ["198.18.0.11", "2001:db8:0:0:0:0:0:11"])
    assert [(m["virtual_address"], m["real_address"]) for m in found] == [
        ("198.18.0.100", "198.18.0.11"), ("2001:db8::100", "2001:DB8::11")]


def test_an_empty_ipv6_address_is_left_out():
    assert [m["virtual_address"] for m in memberships(DUAL_STACK, ["198.18.0.12", ""])] == ["198.18.0.100"]


def test_not_a_list_is_refused():
    with pytest.raises(AnsibleFilterError, match="must be a list, got dict"):
        memberships({"address": "198.18.0.100"}, "198.18.0.11")

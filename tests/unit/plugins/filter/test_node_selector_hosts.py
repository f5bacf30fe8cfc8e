# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.node_selector_hosts import node_selector_hosts

LABELS = {
    "ingress2": {"node-role.kubernetes.io/ingress": "true", "zone": "a"},
    "ingress1": {"node-role.kubernetes.io/ingress": "true", "zone": "b"},
    "ingress3": {"node-role.kubernetes.io/ingress": "false"},
    "ingress4": {},
    "ingress5": None,
}


@pytest.mark.parametrize("selector, expected", [
    ({"node-role.kubernetes.io/ingress": "true"}, ["ingress1", "ingress2"]),
    ({"node-role.kubernetes.io/ingress": "true", "zone": "a"}, ["ingress2"]),
    ({"node-role.kubernetes.io/ingress": "yes"}, []),
    ({"other": "x"}, []),
    ({}, ["ingress1", "ingress2", "ingress3", "ingress4", "ingress5"]),
])
def test_node_selector_hosts(selector, expected):
    assert node_selector_hosts(LABELS, selector) == expected


def test_values_compare_as_strings():
    assert node_selector_hosts({"n": {"ingress": True}}, {"ingress": "True"}) == ["n"]


def test_refuses_non_mappings():
    with pytest.raises(AnsibleFilterError):
        node_selector_hosts(["n"], {})

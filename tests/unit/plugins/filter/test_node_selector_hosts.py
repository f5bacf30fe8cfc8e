# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.node_selector_hosts import node_selector_hosts

LABELS = "ingress_controller_node_labels"
HOSTVARS = {
    "ingress2": {LABELS: {"node-role.kubernetes.io/ingress": "true", "zone": "a"}},
    "ingress1": {LABELS: {"node-role.kubernetes.io/ingress": "true", "zone": "b"}},
    "ingress3": {LABELS: {"node-role.kubernetes.io/ingress": "false"}},
    "ingress4": {LABELS: {}},
    "ingress5": {LABELS: None},
    "ingress6": {},
}
HOSTS = sorted(HOSTVARS)


@pytest.mark.parametrize("selector, expected", [
    ({"node-role.kubernetes.io/ingress": "true"}, ["ingress1", "ingress2"]),
    ({"node-role.kubernetes.io/ingress": "true", "zone": "a"}, ["ingress2"]),
    ({"node-role.kubernetes.io/ingress": "yes"}, []),
    ({"other": "x"}, []),
    ({}, HOSTS),
])
def test_node_selector_hosts(selector, expected):
    assert node_selector_hosts(HOSTS, selector, HOSTVARS, LABELS) == expected


def test_only_the_hosts_asked_for():
    assert node_selector_hosts(["ingress2", "ingress3"], {"node-role.kubernetes.io/ingress": "true"}, HOSTVARS,
                               LABELS) == ["ingress2"]


def test_a_host_missing_from_hostvars_has_no_labels():
    assert node_selector_hosts(["elsewhere"], {}, HOSTVARS, LABELS) == ["elsewhere"]
    assert node_selector_hosts(["elsewhere"], {"zone": "a"}, HOSTVARS, LABELS) == []


def test_values_compare_as_strings():
    assert node_selector_hosts(["n"], {"ingress": "True"}, {"n": {LABELS: {"ingress": True}}}, LABELS) == ["n"]


@pytest.mark.parametrize("hosts, selector", [("ingress1", {}), ({"ingress1": {}}, {}), (["ingress1"], ["zone"])])
def test_refuses_wrong_shapes(hosts, selector):
    with pytest.raises(AnsibleFilterError, match="the hosts must be a list and the selector a mapping"):
        node_selector_hosts(hosts, selector, HOSTVARS, LABELS)


def test_labels_that_are_not_a_mapping_are_refused():
    with pytest.raises(AnsibleFilterError, match="ingress_controller_node_labels of n is not a mapping of labels"):
        node_selector_hosts(["n"], {}, {"n": {LABELS: ["zone=a"]}}, LABELS)

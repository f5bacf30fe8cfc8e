# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: node_selector_hosts
short_description: The inventory hosts whose Kubernetes node labels a node selector matches
version_added: 0.4.0
description:
  - O(_input) maps each inventory host to the labels of its Kubernetes node; returns, sorted, the hosts whose labels
    contain every key and value of O(selector) (Kubernetes' C(nodeSelector) rule). Values are compared as strings.
  - The ingress_controller role's check that its DaemonSet would run on at least one of the ingress nodes.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: Host name mapped to its node's labels.
    type: dict
    required: true
  selector:
    description: The node selector (label name mapped to value).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Hosts the DaemonSet would run on
  ansible.builtin.debug:
    msg: "{{ {'ingress1': {'node-role.kubernetes.io/ingress': 'true'}}
             | baremetal.lvs_ingress.node_selector_hosts({'node-role.kubernetes.io/ingress': 'true'}) }}"
"""

RETURN = r"""
_value:
  description: The matching hosts, sorted.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError


def node_selector_hosts(labels_by_host, selector):
    if not isinstance(labels_by_host, dict) or not isinstance(selector, dict):
        raise AnsibleFilterError("node_selector_hosts: the hosts' labels and the selector must be mappings")
    wanted = {str(k): str(v) for k, v in selector.items()}
    hits = []
    for host, labels in labels_by_host.items():
        labels = {str(k): str(v) for k, v in (labels or {}).items()}
        if all(labels.get(k) == v for k, v in wanted.items()):
            hits.append(str(host))
    return sorted(hits)


class FilterModule:
    def filters(self):
        return {"node_selector_hosts": node_selector_hosts}

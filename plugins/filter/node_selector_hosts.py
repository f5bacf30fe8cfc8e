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
  - Of the inventory hosts O(_input), returns, sorted, those whose Kubernetes node labels (the variable O(labels) in
    O(hostvars)) contain every key and value of O(selector) (Kubernetes' C(nodeSelector) rule). Values are compared
    as strings; a host without that variable has no labels.
  - The ingress_controller role's check that its DaemonSet would run on at least one of the ingress nodes.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The hosts' inventory names.
    type: list
    elements: str
    required: true
  selector:
    description: The node selector (label name mapped to value).
    type: dict
    required: true
  hostvars:
    description: The play's C(hostvars).
    type: dict
    required: true
  labels:
    description: The name of the host variable that holds its node's labels (label name mapped to value).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Hosts the DaemonSet would run on
  ansible.builtin.debug:
    msg: "{{ groups['ingress_nodes'] | baremetal.lvs_ingress.node_selector_hosts(
             {'node-role.kubernetes.io/ingress': 'true'}, hostvars, 'ingress_controller_node_labels') }}"
"""

RETURN = r"""
_value:
  description: The matching hosts, sorted.
  type: list
  elements: str
"""

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._hostvars import host_values


def node_selector_hosts(hosts, selector, hostvars, labels):
    if isinstance(hosts, (str, bytes)) or not isinstance(hosts, Sequence) or not isinstance(selector, Mapping):
        raise AnsibleFilterError("node_selector_hosts: the hosts must be a list and the selector a mapping")
    wanted = {str(k): str(v) for k, v in selector.items()}
    hits = []
    for host, host_labels in host_values(hosts, hostvars, labels).items():
        if host_labels is not None and not isinstance(host_labels, Mapping):
            raise AnsibleFilterError("node_selector_hosts: %s of %s is not a mapping of labels" % (labels, host))
        host_labels = {str(k): str(v) for k, v in (host_labels or {}).items()}
        if all(host_labels.get(k) == v for k, v in wanted.items()):
            hits.append(str(host))
    return sorted(hits)


class FilterModule:
    def filters(self):
        return {"node_selector_hosts": node_selector_hosts}

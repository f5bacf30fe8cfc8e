# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_report_lines
short_description: The rolling upgrade's summary table, as Markdown lines
version_added: 0.4.0
description:
  - From the nodes' report items O(_input) (what the rolling_upgrade playbook writes under C(nodes) in
    C(lvs_ingress_report)), returns the summary table it shows at the end of the run and writes beside the report
    (C(.md)). It has a header, a rule, and one row per node with its seconds out of rotation, per step (drain, upgrade,
    undrain), its close window, the connections at SIGQUIT and the nginx package (and binary) version before and after.
  - A node left alone because it already ran the version (C(skipped)) says so.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The nodes' report items.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the rollout's summary
  ansible.builtin.debug:
    msg: "{{ _nodes | baremetal.lvs_ingress.rollout_report_lines }}"
"""

RETURN = r"""
_value:
  description: The table's lines, without line ends; a value the node's item lacks shows as C(None).
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._rollout_report import report_lines


def rollout_report_lines(nodes):
    if nodes is not None and not isinstance(nodes, (list, tuple)):
        raise AnsibleFilterError("rollout_report_lines: the nodes must be a list, got %s" % type(nodes).__name__)
    return report_lines(nodes)


class FilterModule:
    def filters(self):
        return {"rollout_report_lines": rollout_report_lines}

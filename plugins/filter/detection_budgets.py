# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: detection_budgets
short_description: Each director's worst-case failure detection time, null for one that did not answer
version_added: 0.4.0
description:
  - For every director of O(_input), the C(budget) of its registered M(baremetal.lvs_ingress.keepalived_detection_budget)
    result (the variable O(register) in O(hostvars)), the seconds from "a node's health check fails" until that
    director stops sending it new connections.
  - Null for a director without that variable (the task did not run on it), or whose result has no budget, because
    it did not answer (an unreachable result, registered with C(ignore_unreachable)) or has no modelled health check.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The directors' inventory names.
    type: list
    elements: str
    required: true
  hostvars:
    description: The play's C(hostvars).
    type: dict
    required: true
  register:
    description: The name the module's result was registered as.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Read the director's worst-case failure detection time
  baremetal.lvs_ingress.keepalived_detection_budget:
  register: __budget

- name: Show every director's
  ansible.builtin.debug:
    msg: "{{ groups['lvs_directors'] | baremetal.lvs_ingress.detection_budgets(hostvars, '__budget') }}"
  # {"director1": 4.5, "director2": null}
  run_once: true
"""

RETURN = r"""
_value:
  description: Director names, in O(_input) order, mapped to seconds or null.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._hostvars import registered_results
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._rollout_report import detection_budgets as _budgets


def detection_budgets(directors, hostvars, register):
    directors = list(directors or [])
    try:
        return _budgets(directors, registered_results(directors, hostvars, register))
    except LvsIngressError as err:
        raise AnsibleFilterError("detection_budgets: %s" % err)


class FilterModule:
    def filters(self):
        return {"detection_budgets": detection_budgets}

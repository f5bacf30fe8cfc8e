# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: capacity_problems
short_description: Where a batch would leave too few real servers of a virtual service in rotation
version_added: 0.2.0
description:
  - Reads the directors' live IPVS tables (C(virtual_services) of M(baremetal.lvs_ingress.ipvs_info)) and returns
    every director and virtual service where taking the real servers O(_input) out of rotation would leave fewer
    than O(min_count) of them in rotation (weight above 0), or fewer than O(min_percent) percent of all its real
    servers. Services none of them serves are not looked at.
  - With O(batch_size), O(_input) are the candidates (every node of the rollout) and the check is for the worst
    batch of that size (the one that takes as many of a service's in-rotation real servers as it can).
  - The rolling_upgrade playbook's capacity rule (C(lvs_ingress_min_in_rotation),
    C(lvs_ingress_min_in_rotation_percent)).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: Real server addresses (as the directors' tables show them).
    type: list
    elements: str
    required: true
  tables:
    description:
      - Each director's name mapped to its C(virtual_services).
      - Or the results of M(baremetal.lvs_ingress.ipvs_info) in a loop over the directors (a registered loop's
        C(results), each one's C(item) the director's name).
    type: raw
    required: true
  min_count:
    description: Real servers of a service that must stay in rotation.
    type: int
    default: 1
  min_percent:
    description: Percent of a service's real servers that must stay in rotation.
    type: int
    default: 0
  batch_size:
    description: Check the worst batch of this size of O(_input) instead of O(_input) itself.
    type: int
  assume_back:
    description:
      - With O(batch_size), count these real servers as in rotation even where a table has them at weight 0 (the
        nodes a stopped rollout left drained, which the rerun brings back). The check before each batch reads the
        live tables without it.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Refuse a batch that would leave fewer than 2 real servers in rotation
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | map(attribute='msg') | join('; ') }}"
  vars:
    _problems: "{{ ['192.0.2.11', '192.0.2.12'] | baremetal.lvs_ingress.capacity_problems(tables, min_count=2) }}"

- name: Read every director's live IPVS table
  baremetal.lvs_ingress.ipvs_info:
  delegate_to: "{{ item }}"
  loop: "{{ groups['lvs_directors'] }}"
  register: __tables

- name: The same rule, on the tables just read
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | map(attribute='msg') | join('; ') }}"
  vars:
    _problems: "{{ ['192.0.2.11'] | baremetal.lvs_ingress.capacity_problems(__tables.results, min_count=2) }}"
"""

RETURN = r"""
_value:
  description:
    - One item per director and virtual service that breaks the rule, empty when none does.
    - Each has C(director), C(service), C(real_servers) (all of them), C(in_rotation) (now), C(leaving), C(left)
      and C(msg), which names the rule's variables and their values.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from collections.abc import Mapping

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._capacity import (
    capacity_problems as _capacity_problems,
    tables_from_results,
    worst_batch_problems,
)
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


def _brought_back(tables, addresses):
    """The tables with ``addresses`` at weight 1 wherever they are at 0 (a copy)."""
    back = set(addresses)
    copy = {}
    for director, services in tables.items():
        copy[director] = [dict(service, real_servers=[
            dict(rs, weight=1) if rs.get("address") in back and not (rs.get("weight") or 0) > 0 else rs
            for rs in service.get("real_servers") or []]) for service in services or []]
    return copy


def capacity_problems(addresses, tables, min_count=1, min_percent=0, batch_size=None, assume_back=None):
    if isinstance(tables, (list, tuple)):
        try:
            tables = tables_from_results(tables)
        except LvsIngressError as err:
            raise AnsibleFilterError("capacity_problems: tables: %s" % err.msg)
    if not isinstance(tables, Mapping):
        raise AnsibleFilterError("capacity_problems: tables must map director names to virtual_services (or be"
                                 " ipvs_info results), got %r" % type(tables).__name__)
    addresses = list(addresses or [])
    if batch_size is not None:
        if assume_back:
            tables = _brought_back(tables, assume_back)
        return worst_batch_problems(tables, addresses, int(batch_size), int(min_count), int(min_percent))
    return _capacity_problems(tables, addresses, int(min_count), int(min_percent))


class FilterModule:
    def filters(self):
        return {"capacity_problems": capacity_problems}

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: quiesce_by_director
short_description: Each director's quiesce wait of a node, for the rolling upgrade's report
version_added: 0.4.0
description:
  - From the results of M(baremetal.lvs_ingress.lvs_wait_drained) O(_input), one per director (the rollout's wait
    covers all of a node's virtual services on a director in one run), returns per director the seconds its wait took
    and the active connections it still counted last.
  - A director with several results keeps its last result's numbers. One whose wait failed without them (its
    keepalived stopped, so it has no virtual service) gets null.
  - A result without C(director) is named by its loop C(item), the director (or the first element of a list item).
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The waits' results (a registered loop's C(results)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Keep the directors' numbers
  ansible.builtin.set_fact:
    _quiesce: "{{ __quiesce.results | baremetal.lvs_ingress.quiesce_by_director }}"
  # {"seconds": {"director1": 1.25, "director2": null}, "stale_connections": {"director1": 0, "director2": null}}
"""

RETURN = r"""
_value:
  description:
    - C(seconds) (each director's wait's C(elapsed)) and C(stale_connections) (the C(last) of its
      C(active_connections)), each mapping director names to numbers or null.
  type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._rollout_report import quiesce_by_director as _by


def quiesce_by_director(results):
    if results is not None and not isinstance(results, (list, tuple)):
        raise AnsibleFilterError("quiesce_by_director: the results must be a list, got %s" % type(results).__name__)
    if any(not isinstance(r, Mapping) for r in results or []):
        raise AnsibleFilterError("quiesce_by_director: every result must be a mapping")
    return _by(results)


class FilterModule:
    def filters(self):
        return {"quiesce_by_director": quiesce_by_director}

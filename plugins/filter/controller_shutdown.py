# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: controller_shutdown
short_description: The ingress-nginx controller's shutdown flags or environment, and the pod's grace period
version_added: 0.4.0
description:
  - From the controller version O(_input) and the three waits of its shutdown, returns how to ask for them and the
    pod's C(terminationGracePeriodSeconds), which must cover shutdown grace period + worker-shutdown-timeout +
    post-shutdown grace period.
  - From 0.44.0 on the controller's C(--shutdown-grace-period) flag; before, an image patched to read
    C(GRACE_STOP_PERIOD). C(--post-shutdown-grace-period) from 1.1.2 on; before, the controller's fixed 10 seconds.
  - Fails, naming the variable, its value and the sum, when O(termination_grace_period) is set below the sum.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The controller version (C(1.15.1), C(v1.15.1)).
    type: str
    required: true
  shutdown_grace_period:
    description: Seconds the controller keeps nginx serving after SIGTERM, with /healthz failing.
    type: int
    required: true
  worker_shutdown_timeout:
    description: Seconds nginx's workers get to finish after the quit (ConfigMap C(worker-shutdown-timeout)).
    type: int
    required: true
  post_shutdown_grace_period:
    description: Seconds the controller waits after nginx exited (1.1.2 and later).
    type: int
    required: true
  termination_grace_period:
    description: The pod's C(terminationGracePeriodSeconds); 0 for the computed minimum.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: The shutdown of controller 1.15.1
  ansible.builtin.set_fact:
    _plan: "{{ '1.15.1' | baremetal.lvs_ingress.controller_shutdown(30, 60, 10) }}"
"""

RETURN = r"""
_value:
  description:
    - C(mode) (C(flag) or C(env)), C(args) (controller flags), C(env) (list of C(name)/C(value)),
      C(post_shutdown_grace_period) (the one that applies), C(needed) (the sum) and
      C(termination_grace_period_seconds).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._controller_shutdown import shutdown_plan
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


def controller_shutdown(version, shutdown_grace_period, worker_shutdown_timeout, post_shutdown_grace_period,
                        termination_grace_period=0):
    try:
        return shutdown_plan(version, shutdown_grace_period, worker_shutdown_timeout, post_shutdown_grace_period,
                             termination_grace_period)
    except LvsIngressError as err:
        raise AnsibleFilterError(err.msg)


class FilterModule:
    def filters(self):
        return {"controller_shutdown": controller_shutdown}

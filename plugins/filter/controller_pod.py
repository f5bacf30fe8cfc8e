# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: controller_pod
short_description: A node's ingress-nginx controller pod, and whether it is the current one
version_added: 0.4.0
description:
  - From the Pod objects O(_input) (the C(resources) of C(kubernetes.core.k8s_info)), the controller pod of O(node),
    which is not being deleted and is not the pod O(replaced_uid) names. Returns C(pod) (C(name), C(uid), C(image), C(tag),
    C(phase), C(ready), C(waiting), or V(null) when the node has none), C(current) and C(problem).
  - C(current) is true when the node has exactly one such pod, it runs O(image) (when given) and its C(Ready)
    condition is true; otherwise C(problem) says why (no pod, two pods, another image, not Ready with the container's
    waiting reason such as C(CrashLoopBackOff) or C(ImagePullBackOff)).
  - The ingress_controller role's C(replace_pod) entry point waits on it after deleting the node's pod.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: Pod objects.
    type: list
    elements: dict
    required: true
  node:
    description: The node's Kubernetes name (C(spec.nodeName)).
    type: str
    required: true
  image:
    description: The image the controller container must run; empty for any.
    type: str
    default: ''
  replaced_uid:
    description: The uid of the pod that was deleted; it is not the node's pod any more.
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Wait until the node's new controller pod is Ready with the pinned image
  kubernetes.core.k8s_info:
    kind: Pod
    namespace: ingress-nginx
    field_selectors: ["spec.nodeName=ingress1"]
  register: pods
  until: (pods.resources | baremetal.lvs_ingress.controller_pod('ingress1', image=pinned, replaced_uid=old_uid)).current
  retries: 60
  delay: 5
"""

RETURN = r"""
_value:
  description: The node's pod (or null), whether it is current, and the problem when it is not.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._controller_pod import node_pod
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


def controller_pod(pods, node, image="", replaced_uid=""):
    try:
        return node_pod(pods, node, image=image or None, replaced_uid=replaced_uid or None)
    except LvsIngressError as err:
        raise AnsibleFilterError(err.msg)


class FilterModule:
    def filters(self):
        return {"controller_pod": controller_pod}

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The ingress-nginx controller pod of one node, read from Kubernetes Pod objects (``kubernetes.core.k8s_info``).

The rolling upgrade of a controller node deletes that node's pod (the DaemonSet's ``updateStrategy`` is ``OnDelete``)
and waits for the DaemonSet's new one. ``node_pod`` says which pod is the node's, whether it is the replacement
(not the pod that was deleted), whether it runs the pinned image and is Ready, and if not, why, in words an operator
can act on.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

CONTAINER = "controller"  # the container's name in the role's DaemonSet


def _get(obj, *path):
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in _get(pod, "status", "conditions") or [])


def _container(pod, where):
    for container in _get(pod, *where) or []:
        if container.get("name") == CONTAINER:
            return container
    return {}


def _waiting(pod):
    """Why the controller container does not run (CrashLoopBackOff, ImagePullBackOff, ...), or ''."""
    status = _container(pod, ("status", "containerStatuses"))
    waiting = _get(status, "state", "waiting") or {}
    reason = waiting.get("reason") or ""
    if reason and waiting.get("message"):
        reason += ": " + waiting["message"]
    return reason


def image_tag(image):
    """The tag of ``name[:tag][@digest]`` (a registry's port is not a tag), or None."""
    if not image:
        return None
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _summary(pod):
    image = _container(pod, ("spec", "containers")).get("image")
    return {
        "name": _get(pod, "metadata", "name"),
        "uid": _get(pod, "metadata", "uid"),
        "image": image,
        "tag": image_tag(image),
        "phase": _get(pod, "status", "phase"),
        "ready": _ready(pod),
        "waiting": _waiting(pod),
    }


def node_pod(pods, node, image=None, replaced_uid=None):
    """The controller pod of ``node`` among ``pods`` (Pod objects), as a dict:

    ``pod`` (name, uid, image, phase, ready, waiting; None when the node has none), ``current`` (True when it is
    not the pod ``replaced_uid`` names, runs ``image`` when one is given, and is Ready) and ``problem`` (why it is
    not current; '' when it is). Pods being deleted, pods of other nodes and the replaced pod are not the node's.
    """
    if not isinstance(pods, (list, tuple)):
        raise LvsIngressError("node_pod: the pods must be a list of Pod objects, not %s" % type(pods).__name__)
    if not node:
        raise LvsIngressError("node_pod: name the node")
    mine = [p for p in pods
            if isinstance(p, Mapping) and _get(p, "spec", "nodeName") == node
            and not _get(p, "metadata", "deletionTimestamp")
            and (not replaced_uid or _get(p, "metadata", "uid") != replaced_uid)]
    result = {"pod": None, "current": False, "problem": ""}
    if not mine:
        result["problem"] = ("no controller pod on %s other than the one deleted" % node if replaced_uid
                             else "no controller pod on %s" % node)
        return result
    if len(mine) > 1:
        result["problem"] = "%d controller pods on %s: %s" % (
            len(mine), node, ", ".join(sorted(str(_get(p, "metadata", "name")) for p in mine)))
        return result
    pod = result["pod"] = _summary(mine[0])
    if image and pod["image"] != image:
        result["problem"] = "pod %s on %s runs %s, not %s" % (pod["name"], node, pod["image"], image)
    elif not pod["ready"]:
        result["problem"] = "pod %s on %s is not Ready (phase %s%s)" % (
            pod["name"], node, pod["phase"] or "unknown", ", " + pod["waiting"] if pod["waiting"] else "")
    else:
        result["current"] = True
    return result

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which pod is a node's controller pod, and whether the replacement is current.

No cluster runs here, so the Pods are written by hand in the shape the Kubernetes API returns them (the DaemonSet
pod of the role's manifest, with the status the kubelet reports), and each is checked strictly against the Pod schema
of every Kubernetes version kubernetes-validate bundles, so that a field the API does not have cannot pass unnoticed.
"""

from __future__ import annotations

import copy

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.controller_pod import controller_pod
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._controller_pod import image_tag, node_pod
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

OLD = "registry.k8s.io/ingress-nginx/controller:v1.14.5@sha256:" + "1" * 64
NEW = "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1"
KUBERNETES_VERSIONS = ["1.%d.0" % minor for minor in range(28, 38)]


def pod(name, node, uid, image=NEW, ready=True, phase="Running", waiting=None, deleting=False):
    status = {"name": "controller", "image": image, "imageID": image.split(":", 1)[0] + "@" + image.split("@")[1],
              "ready": ready, "restartCount": 0, "started": ready}
    status["state"] = {"waiting": waiting} if waiting else {"running": {"startedAt": "2026-12-07T06:00:00Z"}}
    obj = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "ingress-nginx", "uid": uid,
                     "labels": {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller",
                                "controller-revision-hash": "6d9f7b8c5"}},
        "spec": {"nodeName": node, "hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet",
                 "containers": [{"name": "controller", "image": image}]},
        "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                   "containerStatuses": [status]},
    }
    if deleting:
        obj["metadata"]["deletionTimestamp"] = "2026-12-07T06:01:00Z"
        obj["metadata"]["deletionGracePeriodSeconds"] = 100
    return obj


OLD_POD = pod("ingress-nginx-controller-a1b2c", "ingress1", "uid-old", image=OLD)
NEW_POD = pod("ingress-nginx-controller-x9y8z", "ingress1", "uid-new")
OTHER_NODE = pod("ingress-nginx-controller-q7w6e", "ingress2", "uid-other", image=OLD)
CRASHING = pod("ingress-nginx-controller-x9y8z", "ingress1", "uid-new", ready=False,
               waiting={"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"})
PULLING = pod("ingress-nginx-controller-x9y8z", "ingress1", "uid-new", ready=False, phase="Pending",
              waiting={"reason": "ImagePullBackOff"})
ALL = [OLD_POD, NEW_POD, OTHER_NODE, CRASHING, PULLING, pod("p", "ingress1", "u", deleting=True)]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_fixtures_are_pods_as_the_api_has_them(version):
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for obj in ALL:
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_nodes_pod_before_the_replacement():
    got = node_pod([OTHER_NODE, OLD_POD], "ingress1")
    assert got == {"pod": {"name": "ingress-nginx-controller-a1b2c", "uid": "uid-old", "image": OLD, "tag": "v1.14.5",
                           "phase": "Running", "ready": True, "waiting": ""}, "current": True, "problem": ""}


def test_the_old_pod_does_not_run_the_pinned_image():
    got = node_pod([OLD_POD], "ingress1", image=NEW)
    assert not got["current"] and got["problem"] == "pod ingress-nginx-controller-a1b2c on ingress1 runs %s, not %s" % (OLD, NEW)


def test_while_the_old_pod_terminates_there_is_no_new_one_yet():
    terminating = pod("ingress-nginx-controller-a1b2c", "ingress1", "uid-old", image=OLD, deleting=True)
    got = node_pod([terminating, OTHER_NODE], "ingress1", image=NEW, replaced_uid="uid-old")
    assert got == {"pod": None, "current": False, "problem": "no controller pod on ingress1 other than the one deleted"}


def test_the_replaced_pod_never_counts_even_if_it_still_looks_ready():
    got = node_pod([OLD_POD], "ingress1", image=OLD, replaced_uid="uid-old")
    assert got["pod"] is None and not got["current"]


def test_the_new_pod_ready_with_the_pinned_image_is_current():
    got = node_pod([OLD_POD, NEW_POD, OTHER_NODE], "ingress1", image=NEW, replaced_uid="uid-old")
    assert got["current"] and got["problem"] == "" and got["pod"]["uid"] == "uid-new"


@pytest.mark.parametrize("new, problem", [
    (CRASHING, "pod ingress-nginx-controller-x9y8z on ingress1 is not Ready (phase Running, CrashLoopBackOff: "
               "back-off 40s restarting failed container)"),
    (PULLING, "pod ingress-nginx-controller-x9y8z on ingress1 is not Ready (phase Pending, ImagePullBackOff)"),
])
def test_a_new_pod_that_is_not_ready_says_why(new, problem):
    got = node_pod([new], "ingress1", image=NEW, replaced_uid="uid-old")
    assert not got["current"] and got["problem"] == problem


def test_two_pods_on_one_node_are_named():
    twin = copy.deepcopy(NEW_POD)
    twin["metadata"].update(name="ingress-nginx-controller-zzzzz", uid="uid-twin")
    got = node_pod([twin, NEW_POD], "ingress1", image=NEW, replaced_uid="uid-old")
    assert got["problem"] == ("2 controller pods on ingress1: ingress-nginx-controller-x9y8z, "
                              "ingress-nginx-controller-zzzzz") and not got["current"]


def test_no_pod_on_the_node():
    assert node_pod([OTHER_NODE], "ingress3")["problem"] == "no controller pod on ingress3"


def test_a_pod_without_status_is_not_ready():
    bare = {"metadata": {"name": "p", "uid": "u"}, "spec": {"nodeName": "ingress1", "containers": []}}
    got = node_pod([bare], "ingress1")
    assert got["problem"] == "pod p on ingress1 is not Ready (phase unknown)"


@pytest.mark.parametrize("pods, node, message", [
    ({"items": []}, "ingress1", "node_pod: the pods must be a list of Pod objects, not dict"),
    ([], "", "node_pod: name the node"),
])
def test_bad_input(pods, node, message):
    with pytest.raises(LvsIngressError, match=message):
        node_pod(pods, node)


def test_the_filter_takes_empty_strings_for_no_image_and_no_uid():
    assert controller_pod([OLD_POD], "ingress1", "", "")["current"]
    assert not controller_pod([OLD_POD], "ingress1", NEW, "")["current"]
    with pytest.raises(AnsibleFilterError, match="name the node"):
        controller_pod([], "")


@pytest.mark.parametrize("image, tag", [
    (NEW, "v1.15.1"),
    ("registry.example:5000/ingress-nginx/controller:v1.13.9-patched", "v1.13.9-patched"),
    ("registry.example:5000/ingress-nginx/controller@sha256:" + "2" * 64, None),
    ("controller", None),
    (None, None),
])
def test_image_tag(image, tag):
    assert image_tag(image) == tag

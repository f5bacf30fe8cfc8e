# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rolling upgrade of controller nodes, as far as it can run without a cluster: what the YAML computes from the
Pods the Kubernetes API returns (tests/unit/role_templar.py templates it as a play does). The Pods are the
hand-written, schema-checked ones of tests/unit/plugins/module_utils/test_controller_pod.py: no API server runs here,
and none is faked."""
from __future__ import annotations

import os
import sys

import pytest

from role_templar import render

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins", "module_utils"))

from test_controller_pod import CRASHING, NEW, NEW_POD, OLD, OLD_POD, OTHER_NODE  # noqa: E402

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._controller_pod import node_pod  # noqa: E402

VERSION = "roles/_rollout/tasks/version.yml"
SKIP = "roles/_rollout/tasks/skip_current.yml"
REPLACE = "roles/ingress_controller/tasks/replace_pod.yml"
CONTROLLER_VERSIONS = ["block", 1, "ansible.builtin.set_fact", "_lvs_ingress_versions"]


def value(case):
    [result] = render([case])
    assert "value" in result, result
    return result["value"]


def test_a_controller_nodes_version_is_its_pods_image():
    got = value({
        "path": VERSION, "task": "Read the controller pod's image", "keys": CONTROLLER_VERSIONS,
        "variables": {"_lvs_ingress_version_key": "before", "__ingress_controller_pod": node_pod([OLD_POD], "ingress1", NEW)},
    })
    assert got == {"before": "v1.14.5", "before_package": OLD, "before_running_current": False}


def test_a_node_without_a_pod_has_no_version():
    got = value({
        "path": VERSION, "task": "Read the controller pod's image", "keys": CONTROLLER_VERSIONS,
        "variables": {"_lvs_ingress_version_key": "after", "_lvs_ingress_versions": {"before": "v1.14.5"},
                      "__ingress_controller_pod": node_pod([], "ingress1", NEW)},
    })
    assert got == {"before": "v1.14.5", "after": None, "after_package": None, "after_running_current": False}


def _skips(variables):
    """Whether skip_current leaves the node: every condition of its block."""
    variables = dict({"lvs_ingress_skip_current": True, "__lvs_ingress_drain_switch": {"stat": {"exists": False}}},
                     **variables)
    cases = [{"path": SKIP, "task": "Leave a node that already runs the version to roll to", "keys": ["when", i],
              "variables": variables} for i in range(5)]
    results = render(cases)
    assert all("value" in r for r in results), results
    return all(r["value"] for r in results)


@pytest.mark.parametrize("pod, image, skipped", [
    (NEW_POD, NEW, True),    # already on the pinned image and Ready: a rerun resumes after it
    (OLD_POD, NEW, False),   # the old image: rolled
    (CRASHING, NEW, False),  # the pinned image but not Ready: rolled again
])
def test_skip_current_on_a_controller_node(pod, image, skipped):
    versions = {"before_package": pod["spec"]["containers"][0]["image"],
                "before_running_current": node_pod([pod], "ingress1", image)["current"]}
    assert _skips({"lvs_ingress_controller": True, "__ingress_controller_image": image,
                   "_lvs_ingress_versions": versions}) is skipped


def test_skip_current_on_an_nginx_node_still_compares_the_package():
    versions = {"before_package": "1.22.1-9+deb12u11", "before_running_current": True}
    assert _skips({"lvs_ingress_controller": False, "ingress_node_nginx_version": "1.22.1-9+deb12u11",
                   "_lvs_ingress_versions": versions})
    assert not _skips({"lvs_ingress_controller": False, "ingress_node_nginx_version": "1.22.1-9+deb12u9",
                       "_lvs_ingress_versions": versions})


def _replace_vars(new_pods):
    return {"ingress_controller_node_name": "ingress1", "__ingress_controller_image": NEW,
            "__ingress_controller_pod": node_pod([OLD_POD], "ingress1"), "__ingress_controller_replaced_uid": "uid-old",
            "__ingress_controller_new_pods": {"resources": new_pods}, "ingress_controller_pod_timeout": 300}


@pytest.mark.parametrize("new_pods, done", [
    ([OLD_POD, OTHER_NODE], False),            # the old pod is still listed: not the new one
    ([CRASHING, OTHER_NODE], False),           # the new pod crashes
    ([NEW_POD, OTHER_NODE], True),             # the new pod is Ready with the pinned image
])
def test_the_wait_for_the_new_pod(new_pods, done):
    assert value({"path": REPLACE, "task": "Wait until the node's new pod runs the pinned image and is Ready",
                  "keys": ["until"], "variables": _replace_vars(new_pods)}) is done


def test_the_wait_polls_for_the_whole_timeout():
    assert value({"path": REPLACE, "task": "Wait until the node's new pod runs the pinned image and is Ready",
                  "keys": ["retries"], "variables": _replace_vars([])}) == 60


def test_a_new_pod_that_never_gets_ready_fails_naming_it():
    msg = value({"path": REPLACE, "task": "Check the new pod", "keys": ["ansible.builtin.assert", "fail_msg"],
                 "variables": _replace_vars([CRASHING])})
    assert msg == ("ingress1: no current controller pod 300 s after the old one was deleted: pod "
                   "ingress-nginx-controller-x9y8z on ingress1 is not Ready (phase Running, CrashLoopBackOff: "
                   "back-off 40s restarting failed container)")

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The drain and close switches are one fact: module_utils/_node_switches.py. Every other place that has to spell
the paths out (module docs, whose defaults ansible-doc shows as text; the roles' defaults and argument specs, which
Ansible reads as data; the _rollout role's fallback; the lab's oracle) must say the same."""

from __future__ import annotations

import ast
import os
import re

import pytest
import yaml

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _node_switches

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SWITCHES = {"drain": _node_switches.DRAIN_FLAG, "close": _node_switches.CLOSE_FLAG}


def load_yaml(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def module_doc_default(module, option):
    with open(os.path.join(ROOT, "plugins", "modules", module + ".py"), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    [doc] = [n.value.value for n in tree.body if isinstance(n, ast.Assign)
             and getattr(n.targets[0], "id", None) == "DOCUMENTATION"]
    return yaml.safe_load(doc)["options"][option]["default"]


def test_the_one_definition_lives_under_the_switch_directory():
    assert {os.path.dirname(p) for p in SWITCHES.values()} == {_node_switches.SWITCH_DIR}
    assert SWITCHES["drain"] != SWITCHES["close"]


@pytest.mark.parametrize("module, option, switch", [("lvs_node_drain", "flag", "drain"),
                                                    ("nginx_graceful_stop", "close_flag", "close")])
def test_module_docs(module, option, switch):
    assert module_doc_default(module, option) == SWITCHES[switch]


@pytest.mark.parametrize("role, prefix", [("ingress_node", "ingress_node"), ("ingress_controller", "ingress_controller")])
@pytest.mark.parametrize("switch", ["drain", "close"])
def test_role_defaults_and_specs(role, prefix, switch):
    name = "%s_%s_flag" % (prefix, switch)
    assert load_yaml("roles/%s/defaults/main.yml" % role)[name] == SWITCHES[switch]
    assert load_yaml("roles/%s/meta/argument_specs.yml" % role)["argument_specs"]["main"]["options"][name]["default"] \
        == SWITCHES[switch]


@pytest.mark.parametrize("switch", ["drain", "close"])
def test_rollout_fallback(switch):
    # without the ingress_node role's variable in scope, the playbooks fall back to this literal
    expected = "{{ ingress_node_%s_flag | default('%s') }}" % (switch, SWITCHES[switch])
    name = "lvs_ingress_%s_flag" % switch
    assert load_yaml("roles/_rollout/defaults/main.yml")[name] == expected
    assert load_yaml("roles/_rollout/meta/argument_specs.yml")["argument_specs"]["main"]["options"][name]["default"] \
        == expected


def test_the_lab_oracle():
    with open(os.path.join(ROOT, "tests", "lab", "lab.py"), encoding="utf-8") as fh:
        text = fh.read()
    found = dict(re.findall(r'^(DRAIN|CLOSE)_FLAG = "([^"]+)"$', text, re.M))
    assert found == {"DRAIN": SWITCHES["drain"], "CLOSE": SWITCHES["close"]}

# SPDX-License-Identifier: GPL-3.0-or-later
"""The example site inventory (examples/inventory) sets only real settings, with values the roles accept.

Every variable an example group_vars/host_vars file sets that carries a role's prefix (lvs_director_,
ingress_node_, lvs_ingress_) must be an option of that role's argument spec (a misspelt name would be silently
ignored by Ansible), and the file's values must pass that spec (types, choices, suboptions), as the role's own
validation would check them at run time. Jinja values (vault indirections) are checked for presence only.
"""
from __future__ import annotations

import os

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from test_role_argument_specs import ROLES_DIR, is_template, load, validator_spec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(ROOT, "examples", "inventory")
PREFIXES = {"lvs_director_": "lvs_director", "ingress_node_": "ingress_node", "ingress_controller_": "ingress_controller",
            "lvs_ingress_": "_rollout"}


class _Loader(yaml.SafeLoader):
    """YAML with ansible-vault's !vault tag read as an opaque string."""


_Loader.add_constructor("!vault", lambda loader, node: "$ANSIBLE_VAULT;" + loader.construct_scalar(node))


def var_files():
    out = []
    for sub in ("group_vars", "host_vars"):
        for dirpath, _dirs, files in os.walk(os.path.join(INVENTORY, sub)):
            out += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith((".yml", ".yaml"))]
    return sorted(out)


def problems(data):
    """Messages for the variables of one vars file that no role knows or whose value a role's spec refuses."""
    msgs = []
    by_role = {}
    for name, value in (data or {}).items():
        role = next((r for p, r in PREFIXES.items() if name.startswith(p)), None)
        if role:
            by_role.setdefault(role, {})[name] = value
    for role, values in sorted(by_role.items()):
        options = load(ROLES_DIR, role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
        for name in sorted(set(values) - set(options)):
            msgs.append("%s: not a variable of the %s role" % (name, role))
        literal = {k: v for k, v in values.items() if k in options and not is_template(v)}
        spec = validator_spec({k: options[k] for k in literal})
        msgs += ArgumentSpecValidator(spec).validate(literal).error_messages
    return msgs


def test_the_example_has_vars_files():
    assert len(var_files()) >= 4, var_files()


@pytest.mark.parametrize("path", var_files(), ids=lambda p: os.path.relpath(p, INVENTORY))
def test_example_vars_pass_the_role_specs(path):
    with open(path) as f:
        data = yaml.load(f, Loader=_Loader)
    assert problems(data) == []


@pytest.mark.parametrize("data, expected", [
    ({"lvs_ingress_stop_timout": 5}, ["lvs_ingress_stop_timout: not a variable of the _rollout role"]),
    ({"ingress_node_forwarding": "ipip"}, ["value of ingress_node_forwarding must be one of: dr, nat, tun, got: ipip"]),
    ({"lvs_director_virtual_servers": [{"address": "203.0.113.10", "port": 80, "real_servers": [],
                                        "check": {"path": "/status", "connect_port": "eighty"}}]}, None),
    ({"lvs_director_vrrp_auth_pass": "{{ vault_x }}", "other_tool_setting": 1}, []),
])
def test_the_check_finds_mistakes(data, expected):
    found = problems(data)
    if expected is None:
        assert found and "connect_port" in found[0], found
    else:
        assert found == expected

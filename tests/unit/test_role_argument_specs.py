# SPDX-License-Identifier: GPL-3.0-or-later
"""Every role's meta/argument_specs.yml matches its defaults/main.yml, both ways.

Every default is an option of the ``main`` entry point and every option is a default, except a required one
(a secret, which has no default and must not have one); each option has a
description and a type that fits the default's YAML type (``elements`` for lists, checked on every element);
the literal defaults pass ansible-core's own validation of the spec (choices, suboptions). A default that is a
Jinja template gets its type only when templated, so only its presence is checked.
"""
from __future__ import annotations

import os

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES_DIR = os.path.join(ROOT, "roles")
ROLES = sorted(r for r in os.listdir(ROLES_DIR) if os.path.isfile(os.path.join(ROLES_DIR, r, "defaults", "main.yml")))

# The spec types a default of this YAML type may have. bool before int: bool is an int in Python.
FITTING_TYPES = ((bool, {"bool"}), (int, {"int", "float"}), (float, {"float"}), (str, {"str", "path"}),
                 (list, {"list"}), (dict, {"dict"}))
# argument_specs keys that are documentation only, not ArgumentSpecValidator keys.
DOC_ONLY_KEYS = {"description", "version_added"}


def load(*parts):
    with open(os.path.join(*parts)) as f:
        return yaml.safe_load(f)


def is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def fits(value, spec_type):
    for py_type, spec_types in FITTING_TYPES:
        if isinstance(value, py_type):
            return spec_type in spec_types
    return False


def spec_problems(defaults, options):
    """What is wrong between a role's defaults and its ``main`` options, as a list of messages (empty: all good)."""
    problems = []
    for name in sorted(set(defaults) - set(options)):
        problems.append("%s: in defaults/main.yml, not in meta/argument_specs.yml" % name)
    for name in sorted(set(options) - set(defaults)):
        if not options[name].get("required"):
            problems.append("%s: in meta/argument_specs.yml, not in defaults/main.yml" % name)
    for name in sorted(set(options) & set(defaults)):
        if options[name].get("required"):
            problems.append("%s: required in meta/argument_specs.yml, yet defaults/main.yml gives it" % name)
    for name, option in sorted(options.items()):
        if not option.get("description"):
            problems.append("%s: no description" % name)
        spec_type = option.get("type")
        if spec_type is None:
            problems.append("%s: no type" % name)
            continue
        if spec_type == "list" and "elements" not in option:
            problems.append("%s: a list without elements" % name)
        if name not in defaults or is_template(defaults[name]):
            continue
        value = defaults[name]
        if not fits(value, spec_type):
            problems.append("%s: default %r is a %s, the spec says %s" % (name, value, type(value).__name__, spec_type))
        elif spec_type == "list" and "elements" in option:
            for item in value:
                if not fits(item, option["elements"]):
                    problems.append("%s: element %r is a %s, the spec says elements %s"
                                    % (name, item, type(item).__name__, option["elements"]))
        if "default" in option and option["default"] != value:
            problems.append("%s: spec default %r differs from defaults/main.yml %r" % (name, option["default"], value))
    return problems


def validator_spec(options):
    """The argument_specs options as an ArgumentSpecValidator spec (documentation keys left out)."""
    spec = {}
    for name, option in options.items():
        option = {k: v for k, v in option.items() if k not in DOC_ONLY_KEYS}
        if "options" in option:
            option["options"] = validator_spec(option["options"])
        spec[name] = option
    return spec


@pytest.fixture(params=ROLES)
def role(request):
    name = request.param
    return name, load(ROLES_DIR, name, "defaults", "main.yml"), load(ROLES_DIR, name, "meta", "argument_specs.yml")


def test_there_are_roles():
    assert ROLES, "no role with defaults/main.yml under %s" % ROLES_DIR
    # every role is checked, the ingress_controller role too (a role without defaults/main.yml would be skipped)
    assert {"_rollout", "ingress_controller", "ingress_node", "lvs_director"} <= set(ROLES), ROLES


def test_spec_matches_defaults(role):
    name, defaults, specs = role
    options = specs["argument_specs"]["main"]["options"]
    assert spec_problems(defaults, options) == [], name


def test_literal_defaults_pass_the_spec(role):
    name, defaults, specs = role
    options = specs["argument_specs"]["main"]["options"]
    literal = {k: v for k, v in defaults.items() if not is_template(v)}
    # a required option has no default: the inventory gives it
    given = {k: v for k, v in options.items() if not v.get("required")}
    result = ArgumentSpecValidator(validator_spec(given)).validate(literal)
    assert result.error_messages == [], name


@pytest.mark.parametrize("defaults, options, expected", [
    ({"r_a": 1}, {}, ["r_a: in defaults/main.yml, not in meta/argument_specs.yml"]),
    ({}, {"r_a": {"description": "x", "type": "int"}}, ["r_a: in meta/argument_specs.yml, not in defaults/main.yml"]),
    ({"r_a": "x"}, {"r_a": {"description": "x", "type": "int"}}, ["r_a: default 'x' is a str, the spec says int"]),
    ({"r_a": True}, {"r_a": {"description": "x", "type": "int"}}, ["r_a: default True is a bool, the spec says int"]),
    ({"r_a": []}, {"r_a": {"description": "x", "type": "list"}}, ["r_a: a list without elements"]),
    ({"r_a": [1]}, {"r_a": {"description": "x", "type": "list", "elements": "str"}},
     ["r_a: element 1 is a int, the spec says elements str"]),
    ({"r_a": 1}, {"r_a": {"type": "int"}}, ["r_a: no description"]),
    ({}, {"r_a": {"description": "x", "type": "str", "required": True}}, []),
    ({"r_a": "x"}, {"r_a": {"description": "x", "type": "str", "required": True}},
     ["r_a: required in meta/argument_specs.yml, yet defaults/main.yml gives it"]),
    ({"r_a": 1}, {"r_a": {"description": "x"}}, ["r_a: no type"]),
    ({"r_a": 1}, {"r_a": {"description": "x", "type": "int", "default": 2}},
     ["r_a: spec default 2 differs from defaults/main.yml 1"]),
    ({"r_a": "{{ 1 + 1 }}"}, {"r_a": {"description": "x", "type": "int"}}, []),
    ({"r_a": "/x", "r_b": 1, "r_c": {}}, {"r_a": {"description": "x", "type": "path"},
                                          "r_b": {"description": "x", "type": "float"},
                                          "r_c": {"description": "x", "type": "dict"}}, []),
])
def test_the_check_finds_mismatches(defaults, options, expected):
    assert spec_problems(defaults, options) == expected


def test_every_entry_point_has_its_tasks_file(role):
    name, _defaults, specs = role
    for entry_point in specs["argument_specs"]:
        assert os.path.isfile(os.path.join(ROLES_DIR, name, "tasks", entry_point + ".yml")), (name, entry_point)


def test_every_entry_point_of_the_internal_role_validates_every_setting():
    """The playbooks validate with whichever entry point they import first: each must know every setting."""
    specs = load(ROLES_DIR, "_rollout", "meta", "argument_specs.yml")["argument_specs"]
    main = specs["main"]["options"]
    assert len(specs) > 1
    for entry_point, spec in specs.items():
        assert spec["options"] == main, entry_point


def test_every_entry_point_option_is_the_main_one(role):
    """An entry point other than ``main`` takes some of the role's settings: each as ``main`` describes it."""
    name, _defaults, specs = role
    main = specs["argument_specs"]["main"]["options"]
    for entry_point, spec in specs["argument_specs"].items():
        for option, described in spec.get("options", {}).items():
            assert described == main.get(option), (name, entry_point, option)


def test_readme_lists_every_variable(role):
    name, _defaults, specs = role
    with open(os.path.join(ROLES_DIR, name, "README.md")) as f:
        readme = f.read()
    missing = [v for v in specs["argument_specs"]["main"]["options"] if "`%s`" % v not in readme]
    assert missing == [], "%s/README.md does not list %s" % (name, missing)


def test_both_kinds_of_node_trust_the_same_header_by_default():
    """A site with both kinds of ingress node behind one L7 proxy gets one behaviour from the defaults."""
    node = load(ROLES_DIR, "ingress_node", "defaults", "main.yml")["ingress_node_real_ip_header"]
    controller = load(ROLES_DIR, "ingress_controller", "defaults", "main.yml")["ingress_controller_real_ip_header"]
    assert node == controller == "X-Forwarded-For"

# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX survey specs (awx/surveys/<playbook>.json) are valid surveys and agree with the settings' spec.

A survey's own rules (as AWX checks a survey spec): name, description and a list of questions; each question has a
question_name, a variable (unique in the survey), a known type and a bool ``required``; a multiple choice has
choices and its default is one of them; an integer's default lies within its min and max.
Both ways with the ``_rollout`` role's argument spec: every survey variable is a setting, of a type the survey type
fits (AWX has no bool: a bool is a true/false multiple choice); the survey's default is the role's default; and a
setting with choices has exactly those choices in the survey.
"""
from __future__ import annotations

import json
import os

import pytest

from test_role_argument_specs import ROLES_DIR, load

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SURVEYS_DIR = os.path.join(ROOT, "awx", "surveys")
SURVEYS = sorted(f[:-5] for f in os.listdir(SURVEYS_DIR) if f.endswith(".json"))
PLAYBOOKS = sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "playbooks")) if f.endswith(".yml"))
TYPES = {"text", "textarea", "password", "multiplechoice", "multiselect", "integer", "float"}
# spec type -> the survey types that can carry it
FITS = {"str": {"text", "textarea", "password", "multiplechoice"}, "path": {"text"}, "int": {"integer"},
        "float": {"float", "integer"}, "bool": {"multiplechoice"}, "list": {"multiselect"}}


def choices(question):
    c = question.get("choices", [])
    return c.split("\n") if isinstance(c, str) else list(c)


def survey_problems(survey):
    """Violations of a survey spec's own rules, as messages."""
    msgs = []
    for key in ("name", "description", "spec"):
        if key not in survey:
            msgs.append("no %s" % key)
    if not isinstance(survey.get("spec"), list) or not survey.get("spec"):
        return msgs + ["spec is not a non-empty list"]
    seen = set()
    for i, q in enumerate(survey["spec"]):
        where = "question %d (%s)" % (i, q.get("variable"))
        for key in ("question_name", "variable", "type"):
            if not isinstance(q.get(key), str) or not q.get(key):
                msgs.append("%s: no %s" % (where, key))
        if not isinstance(q.get("required"), bool):
            msgs.append("%s: required is not a bool" % where)
        if q.get("variable") in seen:
            msgs.append("%s: variable asked twice" % where)
        seen.add(q.get("variable"))
        if q.get("type") not in TYPES:
            msgs.append("%s: unknown type %r" % (where, q.get("type")))
        if q.get("type") in ("multiplechoice", "multiselect"):
            if not choices(q):
                msgs.append("%s: no choices" % where)
            defaults = q.get("default", "").split("\n") if q.get("type") == "multiselect" else [q.get("default")]
            for d in defaults:
                if d not in choices(q) and not (d == "" and not q["required"]):
                    msgs.append("%s: default %r is not a choice" % (where, d))
        if q.get("type") == "integer":
            d = q.get("default")
            if not isinstance(d, int) or isinstance(d, bool):
                msgs.append("%s: default %r is not an integer" % (where, d))
            elif not q.get("min", d) <= d <= q.get("max", d):
                msgs.append("%s: default %r outside min/max" % (where, d))
    return msgs


def spec_mismatches(survey, options, defaults):
    """Where a survey and the settings' spec disagree, as messages."""
    msgs = []
    for q in survey["spec"]:
        var = q["variable"]
        if var not in options:
            msgs.append("%s: not a setting of the _rollout role" % var)
            continue
        opt = options[var]
        if q["type"] not in FITS[opt["type"]]:
            msgs.append("%s: survey type %s does not carry a %s" % (var, q["type"], opt["type"]))
        if opt["type"] == "bool":
            if sorted(choices(q)) != ["false", "true"]:
                msgs.append("%s: a bool's choices must be true and false, got %r" % (var, choices(q)))
            want = str(defaults[var]).lower()
        else:
            want = defaults[var]
        if q.get("default") != want:
            msgs.append("%s: survey default %r, role default %r" % (var, q.get("default"), want))
        if "choices" in opt and sorted(choices(q)) != sorted(opt["choices"]):
            msgs.append("%s: survey choices %r, spec choices %r" % (var, choices(q), opt["choices"]))
    return msgs


@pytest.fixture(scope="module")
def role_spec():
    options = load(ROLES_DIR, "_rollout", "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    return options, load(ROLES_DIR, "_rollout", "defaults", "main.yml")


def read(name):
    with open(os.path.join(SURVEYS_DIR, name + ".json")) as f:
        return json.load(f)


def test_a_survey_for_each_operator_playbook():
    assert {"rolling_upgrade", "drain", "undrain"} <= set(SURVEYS)
    assert set(SURVEYS) <= set(PLAYBOOKS), "a survey for no playbook"


@pytest.mark.parametrize("name", SURVEYS)
def test_survey_follows_the_survey_rules(name):
    assert survey_problems(read(name)) == []


@pytest.mark.parametrize("name", SURVEYS)
def test_survey_agrees_with_the_settings_spec(name, role_spec):
    assert spec_mismatches(read(name), *role_spec) == []


def test_drain_surveys_ask_for_the_target():
    for name in ("drain", "undrain"):
        target = [q for q in read(name)["spec"] if q["variable"] == "lvs_ingress_target"]
        assert target and target[0]["required"], name


GOOD = {"question_name": "x", "variable": "lvs_ingress_stop_timeout", "type": "integer", "required": False,
        "default": 60, "min": 1, "max": 100}


@pytest.mark.parametrize("change, expected", [
    ({"type": "number"}, "unknown type"),
    ({"required": "yes"}, "required is not a bool"),
    ({"default": 500}, "outside min/max"),
    ({"type": "multiplechoice", "choices": ["a"], "default": "b"}, "is not a choice"),
    ({"question_name": ""}, "no question_name"),
])
def test_the_survey_check_finds_mistakes(change, expected):
    bad = {"name": "n", "description": "d", "spec": [dict(GOOD, **change)]}
    assert any(expected in m for m in survey_problems(bad)), survey_problems(bad)
    assert survey_problems({"name": "n", "description": "d", "spec": [GOOD, GOOD]}) == [
        "question 1 (lvs_ingress_stop_timeout): variable asked twice"]


@pytest.mark.parametrize("change, expected", [
    ({"variable": "lvs_ingress_stop_timout"}, "not a setting"),
    ({"type": "text", "default": "60"}, "does not carry a int"),
    ({"default": 61}, "role default 60"),
])
def test_the_spec_check_finds_mistakes(change, expected, role_spec):
    bad = {"spec": [dict(GOOD, **change)]}
    assert any(expected in m for m in spec_mismatches(bad, *role_spec)), spec_mismatches(bad, *role_spec)
    assert spec_mismatches({"spec": [GOOD]}, *role_spec) == []

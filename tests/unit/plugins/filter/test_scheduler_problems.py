# SPDX-License-Identifier: GPL-3.0-or-later
"""The lvs_director role's scheduler checks of a virtual service (the role's preflight is pinned in
tests/unit/test_role_expressions.py)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.scheduler_problems import FilterModule

scheduler_problems = FilterModule().filters()["scheduler_problems"]
VS = {"address": "198.18.0.100", "port": 80}
MH_FLAGS = ["mh-port", "mh-fallback"]


def test_defaults_of_a_consistent_takeover_pass():
    assert scheduler_problems(VS, "mh", MH_FLAGS, True) == []


def test_the_default_flags_are_for_mh_only():
    # wlc gets no flags, not mh's
    assert scheduler_problems(dict(VS, scheduler="wlc"), "mh", MH_FLAGS) == []


def test_sh_without_fallback():
    assert scheduler_problems(dict(VS, scheduler="sh"), "wlc", []) == [
        "lvs_director_virtual_servers 198.18.0.100:80: scheduler sh needs scheduler_flags sh-fallback (without it the"
        " clients of a drained node are refused, not sent to another node)"]


def test_every_rule_in_order():
    problems = scheduler_problems(dict(VS, scheduler="sh", scheduler_flags=["mh-port", "sh-port"]), "mh", MH_FLAGS,
                                  "true")
    assert [p.split(": ", 1)[1].split(" (")[0] for p in problems] == [
        "scheduler_flags mh-port needs scheduler mh, not sh",
        "scheduler sh needs scheduler_flags sh-fallback",
        "scheduler sh with lvs_director_consistent_takeover=true: the directors agree on a node only with mh"]


def test_a_service_without_address_or_port_is_named_with_question_marks():
    assert scheduler_problems({"scheduler": "wlc"}, "wlc", [], True)[0].startswith("lvs_director_virtual_servers ?:?: ")


def test_not_a_mapping_is_refused():
    with pytest.raises(AnsibleFilterError, match="must be a mapping"):
        scheduler_problems(["wlc"], "wlc", [])

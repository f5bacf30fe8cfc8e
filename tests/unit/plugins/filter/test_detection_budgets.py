# SPDX-License-Identifier: GPL-3.0-or-later
"""Each director's detection budget for the report (the role's report is pinned in tests/unit/test_role_expressions.py)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.detection_budgets import FilterModule

detection_budgets = FilterModule().filters()["detection_budgets"]


def test_budgets_in_directors_order_null_without_one():
    hostvars = {"d2": {"__budget": {"budget": 7.5}}, "d1": {}, "d3": {"__budget": {"budget": None}},
                "d4": {"__budget": {"changed": False}}}
    budgets = detection_budgets(["d2", "d1", "d3", "d4", "d5"], hostvars, "__budget")
    assert budgets == {"d2": 7.5, "d1": None, "d3": None, "d4": None, "d5": None}
    assert list(budgets) == ["d2", "d1", "d3", "d4", "d5"]


def test_no_directors():
    assert detection_budgets([], {}, "__budget") == {}


def test_not_a_result_is_refused():
    with pytest.raises(AnsibleFilterError, match="__budget of d1 is not a module result"):
        detection_budgets(["d1"], {"d1": {"__budget": 4.5}}, "__budget")

# SPDX-License-Identifier: GPL-3.0-or-later
"""The rolling upgrade's summary table (the role's report is pinned in tests/unit/test_role_expressions.py)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.rollout_report_lines import FilterModule

report_lines = FilterModule().filters()["rollout_report_lines"]

NODE = {"node": "node1", "steps": {"drain": 12.3, "upgrade": 40.0, "undrain": 5.1}, "seconds_out_of_rotation": 57.4,
        "close_window_seconds": 2.5, "connections_at_quit": 0, "nginx_package_before": "1.22.1-9",
        "nginx_version_before": "1.22.1", "nginx_package_after": "1.24.0-2", "nginx_version_after": "1.24.0"}


def test_header_rule_and_one_row_per_node():
    lines = report_lines([NODE, dict(NODE, node="node2", skipped=True)])
    assert len(lines) == 4
    assert lines[0].startswith("| node | out of rotation (s) | drain (s) |") and lines[0].count("|") == 10
    assert lines[1] == "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    assert lines[2] == "| node1 | 57.4 | 12.3 | 40.0 | 5.1 | 2.5 | 0 | 1.22.1-9 (1.22.1) | 1.24.0-2 (1.24.0) |"
    assert lines[3] == "| node2 | skipped: already on it | - | - | - | - | - | 1.22.1-9 (1.22.1) | 1.24.0-2 (1.24.0) |"


def test_a_missing_number_shows_as_none():
    row = report_lines([{"node": "node1", "steps": {"drain": 1.0}}])[2]
    assert row == "| node1 | None | 1.0 | None | None | None | None | None (None) | None (None) |"


def test_skipped_false_is_a_row_with_numbers():
    assert report_lines([dict(NODE, skipped=False)])[2].startswith("| node1 | 57.4 |")


def test_no_nodes_is_the_header_alone():
    assert len(report_lines([])) == 2


def test_not_a_list_is_refused():
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        report_lines(NODE)

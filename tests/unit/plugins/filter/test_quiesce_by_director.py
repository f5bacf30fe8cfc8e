# SPDX-License-Identifier: GPL-3.0-or-later
"""Each director's quiesce numbers for the report (the role's report is pinned in tests/unit/test_role_expressions.py)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.quiesce_by_director import FilterModule

quiesce_by_director = FilterModule().filters()["quiesce_by_director"]


def test_numbers_per_director():
    results = [{"director": "d1", "elapsed": 1.25, "active_connections": {"last": 0, "max": 3}},
               {"director": "d2", "failed": True, "elapsed": 30.0, "active_connections": {"last": 2}}]
    assert quiesce_by_director(results) == {"seconds": {"d1": 1.25, "d2": 30.0},
                                            "stale_connections": {"d1": 0, "d2": 2}}


def test_a_failed_wait_without_numbers_is_null():
    results = [{"director": "d3", "failed": True, "msg": "director d3: unknown virtual service TCP 198.18.0.100:80"}]
    assert quiesce_by_director(results) == {"seconds": {"d3": None}, "stale_connections": {"d3": None}}


def test_a_result_without_director_is_named_by_its_loop_item():
    results = [{"failed": True, "msg": "job failed", "item": ["d4", {"virtual_address": "198.18.0.100"}]},
               {"failed": True, "msg": "unreachable", "item": "d5"}]
    assert quiesce_by_director(results)["seconds"] == {"d4": None, "d5": None}


def test_the_last_service_of_a_director_wins():
    results = [{"director": "d1", "elapsed": 1.0, "active_connections": {"last": 0}},
               {"director": "d1", "elapsed": 2.0, "active_connections": {"last": 1}}]
    assert quiesce_by_director(results) == {"seconds": {"d1": 2.0}, "stale_connections": {"d1": 1}}


@pytest.mark.parametrize("results", [[], None])
def test_no_results(results):
    assert quiesce_by_director(results) == {"seconds": {}, "stale_connections": {}}


@pytest.mark.parametrize("results, match", [({"director": "d1"}, "must be a list"), (["d1"], "must be a mapping")])
def test_bad_results_are_refused(results, match):
    with pytest.raises(AnsibleFilterError, match=match):
        quiesce_by_director(results)

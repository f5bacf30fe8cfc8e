# SPDX-License-Identifier: GPL-3.0-or-later
"""The capacity rule of rolling_upgrade's batches, on tables parsed from ipvsadm output captured on a director."""
from __future__ import annotations

import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.capacity_problems import FilterModule
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "fixtures", "ipvsadm", "1.31")
capacity_problems = FilterModule().filters()["capacity_problems"]


def captured():
    # TCP 198.18.0.200:80: .11 weight 100, .12 weight 0 (drained); FWM 7: .11 weight 10, .12 weight 0
    with open(os.path.join(FIXTURES, "list.captured.txt")) as fh:
        return _ipvs.parse_list(fh.read())


def three_nodes(weights=(1, 1, 1)):
    text = ("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  198.18.0.100:80 wlc\n")
    for i, w in enumerate(weights, start=11):
        text += "  -> 198.18.0.%d:80               Route   %d      0          0\n" % (i, w)
    return _ipvs.parse_list(text)


def test_last_server_in_rotation_is_refused():
    problems = capacity_problems(["198.18.0.11"], {"director1": captured()})
    assert {p["service"] for p in problems} == {"TCP 198.18.0.200:80", "FWM 7", "UDP 198.18.0.200:53"}
    web = [p for p in problems if p["service"] == "TCP 198.18.0.200:80"][0]
    assert (web["real_servers"], web["in_rotation"], web["left"], web["leaving"]) == (2, 1, 0, ["198.18.0.11"])
    assert "lvs_ingress_min_in_rotation=1" in web["msg"] and web["msg"].startswith("director1: taking 198.18.0.11")


def test_a_drained_server_takes_nothing_away():
    # .12 is already at weight 0: taking it out again leaves the service as it is
    assert capacity_problems(["198.18.0.12"], {"director1": captured()}) == []


def test_min_count_zero_lets_a_service_empty():
    problems = capacity_problems(["198.18.0.11"], {"d1": captured()}, min_count=0, min_percent=0)
    assert problems == []


def test_percent_rule_counts_every_real_server():
    tables = {"d1": three_nodes(), "d2": three_nodes()}
    assert capacity_problems(["198.18.0.11"], tables, min_count=1, min_percent=50) == []
    problems = capacity_problems(["198.18.0.11", "198.18.0.12"], tables, min_count=1, min_percent=50)
    assert [p["director"] for p in problems] == ["d1", "d2"]
    assert "lvs_ingress_min_in_rotation_percent=50" in problems[0]["msg"]
    assert "lvs_ingress_min_in_rotation=" not in problems[0]["msg"]


def test_one_director_with_a_node_already_out_refuses():
    # director2 has ingress2 at weight 0 (drained by hand, or failing its health check): draining ingress1 would
    # leave one of three there, below 50 %, although director1 still has all three
    tables = {"director1": three_nodes(), "director2": three_nodes((1, 0, 1))}
    problems = capacity_problems(["198.18.0.11"], tables, min_count=1, min_percent=50)
    assert [(p["director"], p["left"], p["in_rotation"]) for p in problems] == [("director2", 1, 2)]


def test_worst_batch():
    tables = {"d1": three_nodes()}
    nodes = ["198.18.0.11", "198.18.0.12", "198.18.0.13"]
    assert capacity_problems(nodes, tables, min_count=1, min_percent=50, batch_size=1) == []
    problems = capacity_problems(nodes, tables, min_count=1, min_percent=50, batch_size=2)
    assert len(problems) == 1 and problems[0]["left"] == 1
    assert problems[0]["msg"].startswith("d1: lvs_ingress_batch_size=2: a batch can take")
    # a batch as large as the group empties the service: only min_count=0 and min_percent=0 allow that
    assert capacity_problems(nodes, tables, min_count=0, min_percent=0, batch_size=3) == []
    assert capacity_problems(nodes, tables, min_count=0, min_percent=1, batch_size=3)[0]["left"] == 0


def test_worst_batch_counts_only_the_rollouts_nodes():
    # .13 is a real server but not in the rollout: a batch of 2 of .11/.12 leaves it, 1 of 3
    problems = capacity_problems(["198.18.0.11", "198.18.0.12"], {"d1": three_nodes()},
                                 min_count=1, min_percent=0, batch_size=2)
    assert problems == []


def test_tables_must_be_a_mapping_or_ipvs_info_results():
    # a list of bare virtual_services is neither
    with pytest.raises(AnsibleFilterError, match="tables: each result must be an ipvs_info result"):
        capacity_problems(["198.18.0.11"], [captured()])


def test_the_worst_batch_counts_a_node_the_rerun_brings_back():
    # a stopped rollout left .11 drained: any batch of 1 of the other two leaves 1 of 3 (below 50 %) ...
    nodes = ["198.18.0.11", "198.18.0.12", "198.18.0.13"]
    tables = {"director1": three_nodes((0, 1, 1))}
    assert capacity_problems(nodes, tables, min_percent=50, batch_size=1)
    # ... but the rerun finishes .11 first: counted back, every batch of 1 leaves 2 of 3
    assert capacity_problems(nodes, tables, min_percent=50, batch_size=1, assume_back=["198.18.0.11"]) == []
    # a node outside the rollout at weight 0 still counts as out
    assert capacity_problems(nodes[1:], {"director1": three_nodes((0, 1, 1))}, min_percent=50, batch_size=1,
                             assume_back=["198.18.0.14"])


def test_tables_may_be_the_results_of_ipvs_info_in_a_loop_over_the_directors():
    tables = {"d1": three_nodes(), "d2": three_nodes((1, 0, 1))}
    results = [{"item": d, "virtual_services": services, "changed": False} for d, services in tables.items()]
    for leaving in (["198.18.0.11"], ["198.18.0.11", "198.18.0.13"]):
        assert capacity_problems(leaving, results, min_count=1) == capacity_problems(leaving, tables, min_count=1)
    assert [p["director"] for p in capacity_problems(["198.18.0.11", "198.18.0.13"], results)] == ["d2"]


@pytest.mark.parametrize("tables, match", [
    ([{"virtual_services": []}], "tables: each result must be an ipvs_info result"),
    (["d1"], "tables: each result must be an ipvs_info result"),
    ("d1", "tables must map director names"),
])
def test_bad_tables_are_refused(tables, match):
    with pytest.raises(AnsibleFilterError, match=match):
        capacity_problems(["198.18.0.11"], tables)

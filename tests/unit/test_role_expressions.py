# SPDX-License-Identifier: GPL-3.0-or-later
"""What the roles' YAML computes, templated as in a play (tests/unit/role_templar.py): the virtual services a node
serves, the rolling upgrade's report (each director's quiesce numbers and detection budget, the Markdown table), the
quiesce policy (its timeout, and when a director's failed wait fails the drain), and the lvs_director role's
scheduler checks. The expected values are what the roles' Jinja gave before these moved into filters."""
from __future__ import annotations

import pytest

from role_templar import render

ROLLOUT_VARS = ["roles/_rollout/vars/main.yml"]

VIRTUAL_SERVERS = [
    {"address": "198.18.0.100", "port": 80,
     "real_servers": [{"address": "198.18.0.11"}, {"address": "198.18.0.12", "port": 8080}]},
    {"address": "198.18.0.100", "port": 443, "protocol": "TCP",
     "real_servers": [{"address": "198.18.0.12", "port": 8443}, {"address": "198.18.0.11", "port": 8443}]},
    {"address": "198.18.0.200", "port": 53, "protocol": "UDP", "real_servers": [{"address": "198.18.0.11"}]},
    {"address": "2001:db8::100", "port": 80, "real_servers": [{"address": "2001:db8::11", "weight": 0}]},
]


def one(case):
    [result] = render([case])
    return result


def value(case):
    result = one(case)
    assert "value" in result, result
    return result["value"]


def membership(va, vp, proto, ra, rp):
    return {"virtual_address": va, "virtual_port": vp, "protocol": proto, "real_address": ra, "real_port": rp}


@pytest.mark.parametrize("address, ipv6, expected", [
    ("198.18.0.11", "", [membership("198.18.0.100", 80, "tcp", "198.18.0.11", 80),
                         membership("198.18.0.100", 443, "tcp", "198.18.0.11", 8443),
                         membership("198.18.0.200", 53, "udp", "198.18.0.11", 53)]),
    ("198.18.0.12", "", [membership("198.18.0.100", 80, "tcp", "198.18.0.12", 8080),
                         membership("198.18.0.100", 443, "tcp", "198.18.0.12", 8443)]),
    ("2001:db8::11", "", [membership("2001:db8::100", 80, "tcp", "2001:db8::11", 80)]),
    # a dual-stack node: both families' services, its IPv6 address compared as an address
    ("198.18.0.12", "2001:DB8:0:0:0:0:0:11", [membership("198.18.0.100", 80, "tcp", "198.18.0.12", 8080),
                                              membership("198.18.0.100", 443, "tcp", "198.18.0.12", 8443),
                                              membership("2001:db8::100", 80, "tcp", "2001:db8::11", 80)]),
    ("198.18.0.99", "", []),
])
def test_memberships(address, ipv6, expected):
    assert value({
        "path": "roles/_rollout/tasks/memberships.yml", "task": "Find the virtual services this node serves",
        "keys": ["ansible.builtin.set_fact", "_lvs_ingress_memberships"], "vars_from": ROLLOUT_VARS,
        "variables": {"hostvars": {"d1": {"lvs_director_virtual_servers": VIRTUAL_SERVERS}},
                      "_lvs_ingress_directors": ["d1", "d2"], "lvs_ingress_real_address": address,
                      "lvs_ingress_real_address_ipv6": ipv6},
    }) == expected


def test_memberships_of_a_director_without_virtual_servers():
    assert value({
        "path": "roles/_rollout/tasks/memberships.yml", "task": "Find the virtual services this node serves",
        "keys": ["ansible.builtin.set_fact", "_lvs_ingress_memberships"], "vars_from": ROLLOUT_VARS,
        "variables": {"hostvars": {"d1": {}}, "_lvs_ingress_directors": ["d1"],
                      "lvs_ingress_real_address": "198.18.0.11", "lvs_ingress_real_address_ipv6": ""},
    }) == []


def test_detection_budgets():
    hostvars = {"d1": {"__lvs_ingress_budget": {"budget": 7.5}}, "d2": {},
                "d3": {"__lvs_ingress_budget": {"budget": None}}, "d4": {"__lvs_ingress_budget": {"changed": False}},
                "d5": {"__lvs_ingress_budget": {"budget": 12}}}
    budgets = value({
        "path": "roles/_rollout/vars/main.yml", "keys": ["_lvs_ingress_budgets"], "vars_from": ROLLOUT_VARS,
        "variables": {"hostvars": hostvars, "groups": {"directors": ["d1", "d2", "d3", "d4", "d5"]},
                      "lvs_ingress_directors_group": "directors"},
    })
    assert budgets == {"d1": 7.5, "d2": None, "d3": None, "d4": None, "d5": 12}
    assert list(budgets) == ["d1", "d2", "d3", "d4", "d5"]


def test_a_director_is_unreachable_when_the_first_look_at_it_was():
    """check_directors.yml's first task (the detection budget) registers an unreachable director's result too."""
    hostvars = {"d1": {"inventory_hostname": "d1", "__lvs_ingress_budget": {"budget": 7.5, "changed": False}},
                "d2": {"inventory_hostname": "d2",
                       "__lvs_ingress_budget": {"unreachable": True, "changed": False, "msg": "ssh: No route to host"}},
                "d3": {"inventory_hostname": "d3", "__lvs_ingress_budget": {"unreachable": False, "budget": 3}}}
    variables = {"hostvars": hostvars, "groups": {"directors": ["d1", "d2", "d3"]}, "lvs_ingress_directors_group": "directors"}
    assert value({"path": "roles/_rollout/vars/main.yml", "keys": ["_lvs_ingress_unreachable"],
                  "vars_from": ROLLOUT_VARS, "variables": variables}) == ["d2"]
    assert value({"path": "roles/_rollout/vars/main.yml", "keys": ["_lvs_ingress_budgets"],
                  "vars_from": ROLLOUT_VARS, "variables": variables}) == {"d1": 7.5, "d2": None, "d3": 3}


DONE = {"node": "node1", "address": "198.18.0.11", "window_start": 1700000000.123,
        "steps": {"drain": 12.3, "upgrade": 40.0, "undrain": 5.1},
        "nginx_version_before": "1.22.1", "nginx_version_after": "1.24.0", "nginx_package_before": "1.22.1-9",
        "nginx_package_after": "1.24.0-2", "seconds_out_of_rotation": 57.4, "close_window_seconds": 2.5,
        "connections_at_quit": 0}
NOT_STOPPED = dict(DONE, node="node2", close_window_seconds=None, connections_at_quit=None,
                   nginx_version_before=None, nginx_package_before=None)
SKIPPED = {"node": "node3", "address": "198.18.0.13", "skipped": True, "nginx_version_before": "1.24.0",
           "nginx_version_after": "1.24.0", "nginx_package_before": "1.24.0-2", "nginx_package_after": "1.24.0-2"}
WHOLE = dict(DONE, node="node4", steps={"drain": 3, "upgrade": 0, "undrain": 1}, seconds_out_of_rotation=4,
             close_window_seconds=0, connections_at_quit=17, escalated=True)
HEADER = ["| node | out of rotation (s) | drain (s) | upgrade (s) | undrain (s) | close window (s) "
          "| connections at SIGQUIT | nginx before | nginx after |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
ROWS = ["| node1 | 57.4 | 12.3 | 40.0 | 5.1 | 2.5 | 0 | 1.22.1-9 (1.22.1) | 1.24.0-2 (1.24.0) |",
        "| node2 | 57.4 | 12.3 | 40.0 | 5.1 | None | None | None (None) | 1.24.0-2 (1.24.0) |",
        "| node3 | skipped: already on it | - | - | - | - | - | 1.24.0-2 (1.24.0) | 1.24.0-2 (1.24.0) |",
        "| node4 | 4 | 3 | 0 | 1 | 0 | 17 | 1.22.1-9 (1.22.1) | 1.24.0-2 (1.24.0) |"]


def report_case(key, nodes):
    hostvars = {n["node"]: {"_lvs_ingress_result": n} for n in nodes}
    hostvars["node5"] = {}  # left out with --limit: no result
    return {"path": "roles/_rollout/vars/main.yml", "keys": [key], "vars_from": ROLLOUT_VARS,
            "variables": {"hostvars": hostvars, "groups": {"nodes": [n["node"] for n in nodes] + ["node5"]},
                          "lvs_ingress_nodes_group": "nodes"}}


def test_report_nodes_and_lines():
    nodes = [DONE, NOT_STOPPED, SKIPPED, WHOLE]
    got = render([report_case("_lvs_ingress_report_nodes", nodes), report_case("_lvs_ingress_report_lines", nodes)])
    assert got == [{"value": nodes}, {"value": HEADER + ROWS}]


def test_report_lines_without_nodes():
    assert value(report_case("_lvs_ingress_report_lines", [])) == HEADER


STOPPED = {"undefined": {}, "skipped": {"__lvs_ingress_stop": {"skipped": True, "changed": False}},
           "ran": {"__lvs_ingress_stop": {"changed": True, "close_window": {"seconds": 1.0}}}}


@pytest.mark.parametrize("stop, require, timeout, tolerate", [
    ("undefined", False, 300, False),
    ("skipped", False, 300, False),
    ("skipped", True, 300, False),
    ("ran", False, 30, True),
    ("ran", True, 30, False),
])
def test_quiesce_policy(stop, require, timeout, tolerate):
    facts = dict(lvs_ingress_require_director_quiesce=require, lvs_ingress_quiesce_timeout=300,
                 lvs_ingress_quiesce_after_stop_timeout=30, ansible_play_batch=["n1"], hostvars={"n1": STOPPED[stop]})
    cases = [{"path": "roles/_rollout/vars/main.yml", "keys": [key], "vars_from": ROLLOUT_VARS, "variables": facts}
             for key in ("_lvs_ingress_quiesce_timeout", "_lvs_ingress_quiesce_tolerate")]
    # the wait: a director's failed result fails the task unless the policy tolerates it
    wait = {"path": "roles/_rollout/tasks/drain.yml", "task": "Wait, on every director, until it counts no connection to this node",
            "keys": ["failed_when"], "vars_from": ROLLOUT_VARS}
    for result in ({"failed": True, "msg": "timeout"}, {"failed": False, "quiesced": True}, {"ansible_job_id": "j1"}):
        cases.append(dict(wait, variables=dict(facts, __lvs_ingress_quiesce_jobs=result)))
    got = render(cases)
    assert got[:2] == [{"value": timeout}, {"value": tolerate}]
    assert got[2:] == [{"value": not tolerate}, {"value": False}, {"value": False}]


@pytest.mark.parametrize("batch, tolerate", [
    (["n1", "n2"], True),
    # the wait runs once for the batch: one node that still serves (a controller node) makes it strict for all
    (["n1", "n3"], False),
    (["n3", "n1"], False),
    ([], False),
])
def test_a_batch_quiesce_is_lenient_only_if_every_node_stopped(batch, tolerate):
    hostvars = {"n1": STOPPED["ran"], "n2": STOPPED["ran"], "n3": STOPPED["skipped"]}
    assert value({"path": "roles/_rollout/vars/main.yml", "keys": ["_lvs_ingress_quiesce_tolerate"], "vars_from": ROLLOUT_VARS,
                  "variables": dict(ansible_play_batch=batch, hostvars=hostvars, lvs_ingress_require_director_quiesce=False,
                                    lvs_ingress_quiesce_timeout=300, lvs_ingress_quiesce_after_stop_timeout=30)}) is tolerate


def test_the_director_steps_cover_every_node_of_the_batch():
    one = [membership("198.18.0.100", 80, "tcp", "198.18.0.11", 80), membership("2001:db8::100", 80, "tcp", "2001:db8::11", 80)]
    two = [membership("198.18.0.100", 80, "tcp", "198.18.0.12", 80)]
    hostvars = {"n1": {"_lvs_ingress_memberships": one}, "n2": {"_lvs_ingress_memberships": two}, "n3": {}}
    assert value({"path": "roles/_rollout/vars/main.yml", "keys": ["_lvs_ingress_batch_memberships"], "vars_from": ROLLOUT_VARS,
                  "variables": dict(ansible_play_batch=["n1", "n2"], hostvars=hostvars)}) == one + two


@pytest.mark.parametrize("tolerate", [None, False, True, "True", "false"])
def test_director_jobs_fail_unless_tolerated(tolerate):
    wait = {"path": "roles/_rollout/tasks/director_jobs.yml", "task": "Wait for every director", "keys": ["failed_when"]}
    tolerated = tolerate in (True, "True")
    facts = {} if tolerate is None else {"_lvs_ingress_jobs_tolerate": tolerate}
    got = render([dict(wait, variables=dict(facts, __lvs_ingress_job=result))
                  for result in ({"failed": True, "finished": 1}, {"finished": 1}, {"finished": 0, "failed": False})])
    assert got == [{"value": not tolerated}, {"value": False}, {"value": False}]


def record_case(key, results):
    return {"path": "roles/_rollout/tasks/record.yml", "task": "Keep this node's numbers for the report",
            "keys": ["ansible.builtin.set_fact", "_lvs_ingress_result", key],
            "variables": {"__lvs_ingress_quiesce": {"results": results}}}


QUIESCED = {"director": "d1", "elapsed": 1.25, "quiesced": True, "active_connections": {"last": 0, "max": 3},
            "item": ["d1", {}]}
TIMED_OUT = {"director": "d2", "quiesced": False, "failed": True, "msg": "timeout", "elapsed": 30.0,
             "active_connections": {"last": 2}, "item": ["d2", {}]}
# keepalived stopped on d3: its wait failed without numbers (tolerated once nginx has exited)
NO_SERVICE = {"director": "d3", "failed": True, "msg": "director d3: unknown virtual service", "item": ["d3", {}]}


@pytest.mark.parametrize("results, seconds, stale", [
    ([QUIESCED, TIMED_OUT], {"d1": 1.25, "d2": 30.0}, {"d1": 0, "d2": 2}),
    ([], {}, {}),
    # two virtual services on one director: the last result's numbers
    ([{"director": "d1", "elapsed": 1.0, "active_connections": {"last": 0}},
      {"director": "d1", "elapsed": 2.0, "active_connections": {"last": 1}}], {"d1": 2.0}, {"d1": 1}),
])
def test_report_of_the_directors_quiesce(results, seconds, stale):
    got = render([record_case("director_quiesce_seconds", results), record_case("director_stale_connections", results)])
    assert got == [{"value": seconds}, {"value": stale}]


def test_report_of_a_director_whose_wait_failed_without_numbers():
    got = render([record_case("director_quiesce_seconds", [QUIESCED, TIMED_OUT, NO_SERVICE]),
                  record_case("director_stale_connections", [QUIESCED, TIMED_OUT, NO_SERVICE])])
    assert got == [{"value": {"d1": 1.25, "d2": 30.0, "d3": None}}, {"value": {"d1": 0, "d2": 2, "d3": None}}]


MH = {"default_scheduler": "mh", "default_flags": ["mh-fallback", "mh-port"]}
WHERE = "lvs_director_virtual_servers 198.18.0.100:80"
FALLBACK = " (without it the clients of a drained node are refused, not sent to another node)"
ONLY_MH = " with lvs_director_consistent_takeover=true: the directors agree on a node only with mh"


@pytest.mark.parametrize("vs, defaults, consistent, expected", [
    ({}, MH, False, []),
    ({"scheduler": "mh", "scheduler_flags": ["mh-port"]}, MH, False,
     [WHERE + ": scheduler mh needs scheduler_flags mh-fallback" + FALLBACK]),
    ({"scheduler": "sh", "scheduler_flags": ["mh-fallback", "sh-port"]}, MH, True,
     [WHERE + ": scheduler_flags mh-fallback needs scheduler mh, not sh",
      WHERE + ": scheduler sh needs scheduler_flags sh-fallback" + FALLBACK,
      WHERE + ": scheduler sh" + ONLY_MH]),
    ({"scheduler": "wlc"}, MH, False, []),
    ({"scheduler": "wlc"}, MH, True, [WHERE + ": scheduler wlc" + ONLY_MH]),
    ({"scheduler": "wlc", "scheduler_flags": ["flag-1", "wlc-x", "weird"]},
     {"default_scheduler": "wlc", "default_flags": []}, False,
     [WHERE + ": scheduler_flags flag-1 needs scheduler flag, not wlc",
      WHERE + ": scheduler_flags weird needs scheduler weird, not wlc"]),
    ({"address": None, "scheduler": "sh", "scheduler_flags": []}, {"default_scheduler": "mh", "default_flags": ["mh-fallback"]}, True,
     ["lvs_director_virtual_servers ?:80: scheduler sh needs scheduler_flags sh-fallback" + FALLBACK,
      "lvs_director_virtual_servers ?:80: scheduler sh" + ONLY_MH]),
    ({"scheduler": "mh"}, MH, True, []),
])
def test_scheduler_checks(vs, defaults, consistent, expected):
    item = dict({"address": "198.18.0.100", "port": 80}, **vs)
    if item["address"] is None:
        del item["address"]
    assert value({
        "path": "roles/lvs_director/tasks/preflight.yml", "task": "Check the scheduler flags", "keys": ["vars", "_problems"],
        "variables": {"item": item, "_lvs_director_default_scheduler": defaults["default_scheduler"],
                      "_lvs_director_default_flags": defaults["default_flags"],
                      "lvs_director_consistent_takeover": consistent},
    }) == expected


REPORT_TASK = "Report connections the directors still count after nginx exited"


@pytest.mark.parametrize("item, msg", [
    ({"director": "d1", "quiesced": False, "active_connections": {"last": 3}},
     "d1 still counts 3 active connection(s) to 198.18.0.11 after nginx exited: entries whose end the director never"
     " saw; IPVS expires them after its TCP timeout."),
    ({"director": "d3", "failed": True, "msg": "director d3: unknown virtual service TCP 198.18.0.100:80",
      "item": "d3"},
     "director d3: unknown virtual service TCP 198.18.0.100:80: reported, not fatal, as nginx has exited (a director"
     " whose keepalived stopped has no virtual service left to send the node a connection)."),
    ({"failed": True, "item": "d4"},
     "d4 did not answer: reported, not fatal, as nginx has exited (a director whose keepalived stopped has no virtual"
     " service left to send the node a connection)."),
])
def test_a_tolerated_quiesce_failure_is_reported(item, msg):
    facts = dict(item=item, ansible_play_batch=["n1"], hostvars={"n1": STOPPED["ran"]},
                 lvs_ingress_real_address="198.18.0.11", lvs_ingress_real_address_ipv6="",
                 lvs_ingress_require_director_quiesce=False, lvs_ingress_quiesce_timeout=300,
                 lvs_ingress_quiesce_after_stop_timeout=30)
    assert value({"path": "roles/_rollout/tasks/drain.yml", "task": REPORT_TASK, "keys": ["ansible.builtin.debug", "msg"],
                  "vars_from": ROLLOUT_VARS, "variables": facts}) == msg


def table(weights):
    """One virtual service TCP 198.18.0.100:80 with real servers 198.18.0.11.. at these weights."""
    return [{"name": "TCP 198.18.0.100:80", "real_servers": [
        {"address": "198.18.0.%d" % i, "weight": w} for i, w in enumerate(weights, start=11)]}]


@pytest.mark.parametrize("worst, d2_weights, expected", [
    # this batch (n1), before it is drained: d2 has n2 drained already, so n1 is its last one
    (False, (1, 0, 1), ["d2: taking 198.18.0.11 out of TCP 198.18.0.100:80 would leave 1 of its 3 real servers in"
                        " rotation (2 now), below lvs_ingress_min_in_rotation=2"]),
    (False, (1, 1, 1), []),
    # the worst batch of 2 of every node, n2 counted back (a stopped run left it drained)
    (True, (1, 0, 1), ["d1: lvs_ingress_batch_size=2: a batch can take 198.18.0.11, 198.18.0.12 out of"
                       " TCP 198.18.0.100:80, leaving 1 of its 3 real servers in rotation (3 now), below"
                       " lvs_ingress_min_in_rotation=2",
                       "d2: lvs_ingress_batch_size=2: a batch can take 198.18.0.11, 198.18.0.12 out of"
                       " TCP 198.18.0.100:80, leaving 1 of its 3 real servers in rotation (3 now), below"
                       " lvs_ingress_min_in_rotation=2"]),
])
def test_capacity_rule(worst, d2_weights, expected):
    nodes = {"n%d" % i: {"inventory_hostname": "n%d" % i, "_lvs_ingress_address": "198.18.0.%d" % (10 + i),
                         "_lvs_ingress_addresses": ["198.18.0.%d" % (10 + i), "2001:db8::%d" % (10 + i)]}
             for i in (1, 2, 3)}
    nodes["n2"]["_lvs_ingress_left_drained"] = True
    facts = {"hostvars": nodes, "ansible_play_hosts_all": ["n1", "n2", "n3"], "ansible_play_batch": ["n1"],
             "_lvs_ingress_directors": ["d1", "d2"], "_lvs_ingress_capacity_worst": worst,
             "lvs_ingress_min_in_rotation": 2, "lvs_ingress_min_in_rotation_percent": 0, "lvs_ingress_batch_size": 2,
             "__lvs_ingress_tables": {"results": [
                 {"item": "d1", "virtual_services": table((1, 1, 1)), "changed": False},
                 {"item": "d2", "virtual_services": table(d2_weights), "changed": False}]}}
    problems = value({"path": "roles/_rollout/tasks/capacity.yml", "task": "Check that enough real servers stay in rotation",
                      "keys": ["vars", "_lvs_ingress_capacity_problems"], "variables": facts})
    assert [p["msg"] for p in problems] == expected


# ------------------------------------------------------------------ ingress_node: which changes need a drain

UNCHANGED = {"changed": False}


@pytest.mark.parametrize("version, query, expected", [
    ("1.22.1-9+deb12u11", {"rc": 0, "stdout_lines": ["1.22.1-9+deb12u11", "1.22.1-9+deb12u11"]}, []),
    # an older version than the one installed (and pinned): apt in check mode would call it uninstallable
    ("1.22.1-9+deb12u9", {"rc": 0, "stdout_lines": ["1.22.1-9+deb12u11", "1.22.1-9+deb12u11"]}, ["nginx packages"]),
    ("1.22.1-9+deb12u11", {"rc": 0, "stdout_lines": ["1.22.1-9+deb12u11", "1.22.1-9+deb12u9"]}, ["nginx packages"]),
    # nginx-common removed with its configuration left: an empty version
    ("1.22.1-9+deb12u11", {"rc": 0, "stdout_lines": ["1.22.1-9+deb12u11", ""]}, ["nginx packages"]),
    ("1.22.1-9+deb12u11", {"rc": 1, "stdout_lines": []}, ["nginx packages"]),
    # no version pinned: the query is skipped and only the unpinned packages' check counts
    ("", {"skipped": True}, []),
])
def test_pinned_packages_change_from_the_package_database(version, query, expected):
    assert value({
        "path": "roles/ingress_node/tasks/changes.yml", "task": "List the changes that need a drain",
        "keys": ["ansible.builtin.set_fact", "ingress_node_disruptive_changes"],
        "variables": {"ingress_node_nginx_version": version, "ingress_node_nginx_packages": ["nginx", "nginx-common"],
                      "__ingress_node_pinned_installed": query, "__ingress_node_change_sysctl": UNCHANGED,
                      "__ingress_node_change_vips": UNCHANGED, "__ingress_node_change_packages": UNCHANGED},
    }) == expected


def test_the_installed_versions_are_asked_by_package_name():
    # not by the pinned names (nginx=VERSION), which dpkg-query does not know
    facts = {"ingress_node_nginx_version": "1.22.1-9+deb12u9", "ingress_node_nginx_packages": ["nginx", "nginx-common"],
             "ingress_node_packages": ["nginx", "nginx-common"], "ansible_facts": {"pkg_mgr": "apt"}}
    argv = value({"path": "roles/ingress_node/tasks/changes.yml",
                  "task": "Read the installed versions of nginx's packages (ingress_node_nginx_version)",
                  "keys": ["ansible.builtin.command", "argv"], "vars_from": ["roles/ingress_node/vars/main.yml"],
                  "variables": facts})
    # "\\n" as two characters: dpkg-query (and rpm's --queryformat) expand it to a newline themselves
    assert argv == ["dpkg-query", "--showformat=${Version}\\n", "--show", "nginx", "nginx-common"]


NAT_NETWORKS = ["198.19.0.0/24", "2001:db8:19::/64"]


@pytest.mark.parametrize("forwarding, gateway, gateway6, networks, expected", [
    ("nat", "198.18.0.254", "2001:db8:18::fe", NAT_NETWORKS, []),
    ("nat", "198.18.0.254", "", ["198.19.0.0/24"], []),
    ("nat", "198.18.0.254", "", NAT_NETWORKS,
     ["ingress_node_nat_client_networks: 2001:db8:19::/64 is an IPv6 network but ingress_node_nat_gateway_ipv6 is empty"]),
    ("nat", "", "2001:db8:18::fe", NAT_NETWORKS,
     ["ingress_node_nat_client_networks: 198.19.0.0/24 is an IPv4 network but ingress_node_nat_gateway is empty"]),
    ("nat", "2001:db8:18::fe", "198.18.0.254", [],
     ["ingress_node_nat_gateway=2001:db8:18::fe is not an IPv4 address",
      "ingress_node_nat_gateway_ipv6=198.18.0.254 is not an IPv6 address"]),
    # other forwarding methods route nothing: only the gateways' families are checked
    ("dr", "", "", NAT_NETWORKS, []),
])
def test_nat_gateways_by_address_family(forwarding, gateway, gateway6, networks, expected):
    assert value({
        "path": "roles/ingress_node/tasks/preflight.yml", "task": "Check the NAT gateways' address families",
        "keys": ["vars", "_problems"],
        "variables": {"ingress_node_forwarding": forwarding, "ingress_node_nat_gateway": gateway,
                      "ingress_node_nat_gateway_ipv6": gateway6, "ingress_node_nat_client_networks": networks},
    }) == expected

# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ipvs_harness import LIST, ipvs_list, run_module

from ansible_collections.baremetal.lvs_ingress.plugins.modules import lvs_wait_drained

SVC = "TCP  [2001:db8::200]:443 wlc"
RS = "[2001:db8::11]:443"


def table(weight, active, inactive=0, present=True):
    return ipvs_list((SVC, [(RS, "Route", weight, active, inactive)] if present else []))


@pytest.fixture
def clock(monkeypatch, fake_clock):
    monkeypatch.setattr(lvs_wait_drained, "time", fake_clock)
    return fake_clock


ARGS = dict(virtual_address="2001:db8::200", virtual_port=443, real_address="2001:DB8::11", director_name="director2",
            timeout=10, interval=2)


def test_already_quiesced_returns_at_once(clock):
    result, failed, used = run_module(lvs_wait_drained.main, ARGS, [(LIST, 0, table(0, 0, 9), "")])
    assert not failed and result["quiesced"] and result["polls"] == 1 and result["elapsed"] == 0
    assert clock.sleeps == [] and result["director"] == "director2" and result["changed"] is False


def test_counts_down_and_reports_first_last_max(clock):
    cmds = [(LIST, 0, table(0, 5), ""), (LIST, 0, table(0, 7), ""), (LIST, 0, table(0, 2), ""), (LIST, 0, table(0, 1, 4), "")]
    result, failed, used = run_module(lvs_wait_drained.main, dict(ARGS, max_active_connections=1), cmds)
    assert not failed and result["polls"] == 4 and result["elapsed"] == 6.0
    assert result["active_connections"] == {"first": 5, "last": 1, "max": 7}
    assert result["inactive_connections"]["last"] == 4


def test_weight_must_be_zero(clock):
    cmds = [(LIST, 0, table(3, 0), ""), (LIST, 0, table(0, 0), "")]
    result, failed, used = run_module(lvs_wait_drained.main, ARGS, cmds)
    assert not failed and result["polls"] == 2 and result["weight"] == 0


def test_inactive_threshold(clock):
    cmds = [(LIST, 0, table(0, 0, 5), ""), (LIST, 0, table(0, 0, 0), "")]
    result, failed, used = run_module(lvs_wait_drained.main, dict(ARGS, max_inactive_connections=0), cmds)
    assert not failed and result["polls"] == 2


def test_gone_counts_as_drained(clock):
    cmds = [(LIST, 0, table(0, 3), ""), (LIST, 0, table(0, 0, present=False), "")]
    result, failed, used = run_module(lvs_wait_drained.main, ARGS, cmds)
    assert not failed and result["gone"] is True and result["weight"] is None


def test_timeout_names_director_and_remaining(clock):
    cmds = [(LIST, 0, table(0, 4), "")] * 6
    result, failed, used = run_module(lvs_wait_drained.main, ARGS, cmds)
    assert failed
    assert result["msg"].startswith("director director2: TCP [2001:db8::200]:443 -> [2001:db8::11]:443 did not quiesce within 10.0s")
    assert "4 active connections remain (threshold 0)" in result["msg"]
    assert result["elapsed"] == 10.0 and result["active_connections"]["last"] == 4
    assert sum(clock.sleeps) == 10.0


def test_timeout_mentions_weight(clock):
    result, failed, used = run_module(lvs_wait_drained.main, ARGS, [(LIST, 0, table(5, 0), "")] * 6)
    assert failed and "weight is still 5" in result["msg"]


def test_unknown_service_and_bad_threshold(clock):
    result, failed, used = run_module(lvs_wait_drained.main, dict(ARGS, virtual_port=80), [(LIST, 0, table(0, 0), "")])
    assert failed and "director director2: unknown virtual service TCP [2001:db8::200]:80" == result["msg"]
    result, failed, cmds = run_module(lvs_wait_drained.main, dict(ARGS, max_active_connections=-1), [])
    assert failed and "max_active_connections" in result["msg"] and cmds.seen == []


def test_rc_and_missing_binary(clock):
    result, failed, used = run_module(lvs_wait_drained.main, ARGS, [(LIST, 2, "", "Can't initialize ipvs\n")])
    assert failed and result["rc"] == 2 and result["director"] == "director2"
    result, failed, used = run_module(lvs_wait_drained.main, ARGS, [], bins={})
    assert failed and "ipvsadm" in result["msg"]


def test_bad_timeout(clock):
    result, failed, used = run_module(lvs_wait_drained.main, dict(ARGS, timeout=0), [])
    assert failed and "timeout must be greater than 0" in result["msg"]


# ------------------------------------------------------------------ real_servers: a node's memberships in one wait

SVC4 = "TCP  198.18.0.200:443 wlc"
RS4 = "198.18.0.11:443"
BOTH = [dict(virtual_address="198.18.0.200", virtual_port=443, real_address="198.18.0.11"),
        dict(virtual_address="2001:db8::200", virtual_port=443, real_address="2001:db8::11")]
MANY = dict(real_servers=BOTH, director_name="director2", timeout=10, interval=2)


def both(active4, active6, weight4=0, weight6=0):
    return ipvs_list((SVC4, [(RS4, "Route", weight4, active4, 0)]), (SVC, [(RS, "Route", weight6, active6, 0)]))


def test_real_servers_wait_for_every_one_with_one_read_per_poll(clock):
    cmds = [(LIST, 0, both(2, 3), ""), (LIST, 0, both(0, 1), ""), (LIST, 0, both(0, 0), "")]
    result, failed, used = run_module(lvs_wait_drained.main, MANY, cmds)
    assert not failed and result["quiesced"] is True and result["polls"] == 3 and result["elapsed"] == 4.0
    assert result["active_connections"] == {"first": 5, "last": 0, "max": 5}
    assert [r["active_connections"]["first"] for r in result["real_servers"]] == [2, 3]
    assert result["real_server"] == ("TCP 198.18.0.200:443 -> 198.18.0.11:443 and "
                                     "TCP [2001:db8::200]:443 -> [2001:db8::11]:443")


def test_real_servers_timeout_names_only_the_late_one(clock):
    result, failed, used = run_module(lvs_wait_drained.main, MANY, [(LIST, 0, both(0, 2, weight6=4), "")] * 6)
    assert failed and result["msg"].startswith(
        "director director2: TCP [2001:db8::200]:443 -> [2001:db8::11]:443 did not quiesce within 10.0s: weight is still 4")
    assert "198.18.0.11" not in result["msg"].split(":", 1)[1].split("did not")[0]
    assert result["active_connections"]["last"] == 2 and result["real_servers"][1]["weight"] == 4


def test_real_servers_and_one_real_server_are_exclusive(clock):
    result, failed, cmds = run_module(lvs_wait_drained.main, dict(MANY, real_address="198.18.0.11"), [])
    assert failed and "mutually exclusive: real_servers|real_address" in result["msg"] and cmds.seen == []

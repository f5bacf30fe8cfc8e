# SPDX-License-Identifier: GPL-3.0-or-later
"""The lvs_wait_drained logic, driven without Ansible: a fake host with ordered ipvsadm output and the fake clock."""

from __future__ import annotations

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _wait_drained
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.tests.unit.plugins.module_utils.fake_director import (
    NAME, FakeHost, listings, table)


def params(**override):
    p = dict(virtual_address="198.18.0.200", virtual_port=80, protocol="tcp", fwmark=None, fwmark_family="ipv4",
             ipvsadm_path="ipvsadm", real_address="198.18.0.11", real_port=None, max_active_connections=0,
             max_inactive_connections=None, require_weight_zero=True, timeout=10.0, interval=2.0, director_name="d1")
    p.update(override)
    return p


def test_seen_keeps_first_last_max():
    seen = _wait_drained.Seen()
    assert seen.as_dict() == {"first": None, "last": None, "max": None}
    for value in (3, 9, 0, 4):
        seen.add(value)
    assert seen.as_dict() == {"first": 3, "last": 4, "max": 9}


def test_already_quiesced_returns_after_one_poll(fake_clock):
    host = FakeHost(listings(table(0, 0, 7)))
    result = _wait_drained.run(params(), host, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result == {"changed": False, "director": "d1", "real_server": NAME, "quiesced": True, "gone": False,
                      "elapsed": 0.0, "polls": 1, "weight": 0,
                      "active_connections": {"first": 0, "last": 0, "max": 0},
                      "inactive_connections": {"first": 7, "last": 7, "max": 7}}
    assert fake_clock.sleeps == []


def test_waits_for_weight_and_both_thresholds(fake_clock):
    host = FakeHost(listings(table(5, 0), table(0, 3, 9), table(0, 1, 9), table(0, 1, 2)))
    result = _wait_drained.run(params(max_active_connections=1, max_inactive_connections=2), host,
                               clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result["polls"] == 4 and result["elapsed"] == 6.0 and fake_clock.sleeps == [2.0, 2.0, 2.0]
    assert result["active_connections"] == {"first": 0, "last": 1, "max": 3}


def test_weight_need_not_be_zero_when_told(fake_clock):
    host = FakeHost(listings(table(5, 0)))
    result = _wait_drained.run(params(require_weight_zero=False), host, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result["quiesced"] is True and result["weight"] == 5 and result["polls"] == 1


def test_gone_counts_as_drained_with_zero_counters(fake_clock):
    host = FakeHost(listings(table(0, 4), table()))
    result = _wait_drained.run(params(), host, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result["gone"] is True and result["weight"] is None and result["active_connections"]["last"] == 0


def test_timeout_says_why_and_carries_the_context(fake_clock):
    host = FakeHost(listings(*[table(3, 4, 6)] * 6))
    with pytest.raises(LvsIngressError) as err:
        _wait_drained.run(params(max_inactive_connections=5), host, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert err.value.msg == ("director d1: %s did not quiesce within 10.0s: weight is still 3, "
                             "4 active connections remain (threshold 0), 6 inactive (threshold 5)" % NAME)
    details = err.value.details
    assert details["elapsed"] == 10.0 and details["weight"] == 3 and details["active_connections"]["max"] == 4
    assert (details["changed"], details["director"], details["real_server"]) == (False, "d1", NAME)
    assert "last" not in details and len(host.seen) == 6


def test_director_defaults_to_the_hostname(fake_clock, monkeypatch):
    monkeypatch.setattr(_wait_drained.socket, "gethostname", lambda: "director9")
    result = _wait_drained.run(params(director_name=None), FakeHost(listings(table(0))), clock=fake_clock.monotonic,
                               sleep=fake_clock.sleep)
    assert result["director"] == "director9"


def test_unknown_service_names_the_director(fake_clock):
    with pytest.raises(LvsIngressError) as err:
        _wait_drained.run(params(virtual_port=81), FakeHost(listings(table(0))), clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert err.value.msg == "director d1: unknown virtual service TCP 198.18.0.200:81"
    assert err.value.details["real_server"] == "TCP 198.18.0.200:81 -> 198.18.0.11:81"  # the real port defaults to the virtual one


@pytest.mark.parametrize("override, word", [
    (dict(max_active_connections=-1), "max_active_connections must be >= 0"),
    (dict(max_inactive_connections=-2), "max_inactive_connections must be >= 0"),
    (dict(timeout=0.0), "timeout must be greater than 0"),
])
def test_bad_options_fail_before_reading_ipvs(override, word):
    host = FakeHost()
    with pytest.raises(LvsIngressError) as err:
        _wait_drained.run(params(**override), host)
    assert word in err.value.msg and len(host.seen) == 0


def test_bad_address_fails_without_a_real_server_name():
    with pytest.raises(LvsIngressError) as err:
        _wait_drained.run(params(real_address="198.18.0.1111"), FakeHost())
    assert "198.18.0.1111" in err.value.msg
    assert err.value.details["director"] == "d1" and "real_server" not in err.value.details


def test_missing_ipvsadm():
    with pytest.raises(LvsIngressError) as err:
        _wait_drained.run(params(), FakeHost(ipvsadm=None))
    assert "ipvsadm" in err.value.msg and err.value.details["binary"] == "ipvsadm"

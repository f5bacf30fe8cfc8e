# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of lvs_node_drain (its run() function)."""
from __future__ import annotations

import os

import pytest
from node_harness import assert_documented_like_the_spec, params

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.modules import lvs_node_drain


def test_documented_defaults_match_the_argument_spec():
    assert_documented_like_the_spec(lvs_node_drain)


def test_drain_check_mode_predicts_and_touches_nothing(tmp_path):
    flag = str(tmp_path / "sw" / "drain")
    result = lvs_node_drain.run(params(lvs_node_drain.ARGUMENT_SPEC, state="drained", flag=flag), check_mode=True)
    assert result["changed"] is True and result["state"] == "drained" and not os.path.exists(flag)
    assert result["diff"] == {"before": {"state": "active", "flag": flag}, "after": {"state": "drained", "flag": flag}}


def test_drain_then_again_then_active(tmp_path):
    flag = str(tmp_path / "sw" / "drain")
    p = params(lvs_node_drain.ARGUMENT_SPEC, state="drained", flag=flag)
    assert lvs_node_drain.run(p, False)["changed"] is True
    assert os.path.exists(flag) and oct(os.stat(os.path.dirname(flag)).st_mode & 0o777) == "0o755"
    assert lvs_node_drain.run(p, False)["changed"] is False
    p["state"] = "active"
    assert lvs_node_drain.run(p, False)["changed"] is True and not os.path.exists(flag)
    assert lvs_node_drain.run(p, False)["changed"] is False


def test_drain_verify_waits_for_503(fake_clock, tmp_path):
    answers = iter([200, 200, 503])
    seen = []

    def probe(url, host, timeout):
        seen.append((url, host))
        return {"url": url, "host": host, "status": next(answers), "body": "", "error": None}

    p = params(lvs_node_drain.ARGUMENT_SPEC, state="drained", flag=str(tmp_path / "d"), verify=True)
    result = lvs_node_drain.run(p, False, probe_fn=probe, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result["verified"]["status"] == 503 and fake_clock.elapsed == 1.0
    assert seen[0] == ("http://127.0.0.1/status", "lvscheck")


def test_drain_verify_timeout_reports_last_answer(fake_clock, tmp_path):
    def probe(url, host, timeout):
        return {"url": url, "host": host, "status": None, "body": None, "error": "ConnectionRefusedError: refused"}

    p = params(lvs_node_drain.ARGUMENT_SPEC, state="drained", flag=str(tmp_path / "d"), verify=True, timeout=2)
    with pytest.raises(LvsIngressError, match="to answer 503.*refused") as err:
        lvs_node_drain.run(p, False, probe_fn=probe, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert err.value.details["changed"] is True


def test_drain_bad_timeout(tmp_path):
    p = params(lvs_node_drain.ARGUMENT_SPEC, state="drained", flag=str(tmp_path / "d"), timeout=-1)
    with pytest.raises(LvsIngressError, match="timeout must be greater than 0 seconds, got -1"):
        lvs_node_drain.run(p, False)
    assert not os.path.exists(str(tmp_path / "d"))


@pytest.mark.parametrize("state", ["drained", "active"])
def test_drain_relative_flag_is_refused(tmp_path, monkeypatch, state):
    monkeypatch.chdir(tmp_path)
    p = params(lvs_node_drain.ARGUMENT_SPEC, state=state, flag="run/lvs_ingress/drain")
    with pytest.raises(LvsIngressError, match="flag must be an absolute path, got 'run/lvs_ingress/drain'"):
        lvs_node_drain.run(p, False)
    assert not os.path.exists(str(tmp_path / "run"))

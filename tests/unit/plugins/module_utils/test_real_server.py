# SPDX-License-Identifier: GPL-3.0-or-later
"""The ipvs_real_server state logic, driven without Ansible: a fake host with ordered commands and the fake clock."""

from __future__ import annotations

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _real_server
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.tests.unit.plugins.module_utils.fake_director import (
    IPVSADM, LIST, NAME, FakeHost, table)

EDIT = [IPVSADM, "-e", "-t", "198.18.0.200:80", "-r", "198.18.0.11:80", "-g", "-w"]
RELOAD = ["systemctl", "reload", "keepalived"]
RS_FILE = "198.18.0.200-80-TCP-198.18.0.11-80.conf"


def params(**override):
    """The module's params as AnsibleModule hands them over (every option, defaults filled in)."""
    p = dict(virtual_address="198.18.0.200", virtual_port=80, protocol="tcp", fwmark=None, fwmark_family="ipv4",
             ipvsadm_path="ipvsadm", real_address="198.18.0.11", real_port=None, state="drained", manager="ipvsadm",
             weight=None, forwarding=None, force=False, weights_dir=None, keepalived_config=None,
             reload_command=list(RELOAD), wait=True, wait_timeout=5.0, wait_interval=0.5)
    p.update(override)
    return p


# ------------------------------------------------------------------ the weight to restore


@pytest.mark.parametrize("option, remembered, fallbacks, want", [
    (7, 100, (50,), 7),           # the option wins
    (None, 100, (50,), 100),      # then the remembered weight
    (None, None, (0, None, 50), 50),  # then the first non-zero fallback
    (None, 0, (0, None), None),   # nothing to restore
])
def test_restore_weight_precedence(option, remembered, fallbacks, want):
    got = _real_server._restore_weight({"weight": option}, {"weight": 0, "active_weight": remembered}, *fallbacks)
    assert got == want


# ------------------------------------------------------------------ manager=ipvsadm


def test_ipvsadm_drain_runs_edit_writes_file_and_rereads(tmp_path):
    host = FakeHost([(LIST, 0, table(100, 5), ""), (EDIT + ["0"], 0, "", ""), (LIST, 0, table(0, 5), "")], diff=True)
    result = _real_server.run(params(weights_dir=str(tmp_path)), host)
    assert result["changed"] is True and result["commands"] == [EDIT + ["0"]] and result["reloaded"] is False
    assert result["before"]["weight"] == 100 and result["after"] == {
        "present": True, "weight": 0, "forwarding": "dr", "active_weight": 100,
        "active_connections": 5, "inactive_connections": 0}
    assert (tmp_path / RS_FILE).read_text() == "# lvs_ingress active_weight=100\nweight 0\n"
    assert result["weight_file"] == str(tmp_path / RS_FILE) and result["real_server"] == NAME
    assert result["diff"]["before_header"] == NAME and result["diff"]["after"]["weight"] == 0
    assert host.expected == []


def test_ipvsadm_check_mode_records_but_runs_and_writes_nothing(tmp_path):
    host = FakeHost([(LIST, 0, table(100), "")], check_mode=True)
    result = _real_server.run(params(weights_dir=str(tmp_path)), host)
    assert result["changed"] is True and result["commands"] == [EDIT + ["0"]]
    assert host.seen == [LIST] and "diff" not in result
    assert result["after"]["weight"] == 0 and result["after"]["active_weight"] == 100
    assert list(tmp_path.iterdir()) == []


def test_ipvsadm_present_changes_only_what_differs(tmp_path):
    host = FakeHost([(LIST, 0, table(100), "")])
    result = _real_server.run(params(weights_dir=str(tmp_path), state="present", weight=100, forwarding="dr"), host)
    assert result["changed"] is False and result["commands"] == []
    host = FakeHost([(LIST, 0, table(100), ""), (EDIT + ["5"], 0, "", ""), (LIST, 0, table(5), "")])
    result = _real_server.run(params(weights_dir=str(tmp_path), state="present", weight=5), host)
    assert result["changed"] is True and result["after"]["weight"] == 5


def test_ipvsadm_absent_deletes_and_forgets_the_weight(tmp_path):
    (tmp_path / RS_FILE).write_text("# lvs_ingress active_weight=100\nweight 0\n")
    delete = [IPVSADM, "-d", "-t", "198.18.0.200:80", "-r", "198.18.0.11:80"]
    host = FakeHost([(LIST, 0, table(0), ""), (delete, 0, "", ""), (LIST, 0, table(), "")])
    result = _real_server.run(params(weights_dir=str(tmp_path), state="absent"), host)
    assert result["changed"] is True and result["after"]["present"] is False and result["after"]["active_weight"] is None
    assert result["before"]["active_weight"] == 100
    assert not (tmp_path / RS_FILE).exists()


def test_ipvsadm_edit_failure_names_cmd_and_rc(tmp_path):
    host = FakeHost([(LIST, 0, table(100), ""), (EDIT + ["0"], 1, "", "Memory allocation problem\n")])
    with pytest.raises(LvsIngressError) as err:
        _real_server.run(params(weights_dir=str(tmp_path)), host)
    assert err.value.details["rc"] == 1 and err.value.details["cmd"] == EDIT + ["0"]
    assert not (tmp_path / RS_FILE).exists()


# ------------------------------------------------------------------ manager=keepalived


@pytest.fixture
def kad(tmp_path):
    weights = tmp_path / "weights"
    weights.mkdir()
    conf = tmp_path / "keepalived.conf"
    conf.write_text("virtual_server 198.18.0.200 80 {\n  protocol TCP\n  real_server 198.18.0.11 80 {\n"
                    "    weight 40\n    include %s/%s\n  }\n  real_server 198.18.0.12 80 {\n    weight 40\n  }\n}\n"
                    % (weights, RS_FILE))
    return params(manager="keepalived", weights_dir=str(weights), keepalived_config=str(conf)), weights / RS_FILE


def test_keepalived_drain_writes_reloads_and_waits_on_the_clock(kad, fake_clock):
    p, wfile = kad
    host = FakeHost([(LIST, 0, table(40, 3), ""), (RELOAD, 0, "", ""), (LIST, 0, table(40, 3), ""),
                     (LIST, 0, table(40, 3), ""), (LIST, 0, table(0, 3), "")])
    result = _real_server.run(p, host, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result["changed"] is True and result["reloaded"] is True and result["commands"] == [RELOAD]
    assert result["polls"] == 3 and result["elapsed"] == 1.0 and fake_clock.sleeps == [0.5, 0.5]
    assert wfile.read_text() == "# lvs_ingress active_weight=40\nweight 0\n"
    assert result["after"]["weight"] == 0 and result["after"]["active_weight"] == 40


def test_keepalived_active_restores_the_configured_weight_without_waiting(kad, fake_clock):
    p, wfile = kad
    host = FakeHost([(LIST, 0, table(0), ""), (RELOAD, 0, "", "")])
    result = _real_server.run(dict(p, state="active", wait=False), host, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result["changed"] is True and result["reloaded"] is True and "elapsed" not in result
    assert result["after"]["weight"] == 40 and wfile.read_text() == "# lvs_ingress active_weight=40\nweight 40\n"


def test_keepalived_reached_and_file_right_is_not_changed(kad):
    p, wfile = kad
    wfile.write_text("# lvs_ingress active_weight=40\nweight 0\n")
    host = FakeHost([(LIST, 0, table(0), "")])
    result = _real_server.run(p, host)
    assert result["changed"] is False and result["commands"] == [] and result["reloaded"] is False


def test_keepalived_reload_failure_says_the_file_changed(kad):
    p, wfile = kad
    host = FakeHost([(LIST, 0, table(40), ""), (RELOAD, 1, "", "Job for keepalived.service failed\n")])
    with pytest.raises(LvsIngressError) as err:
        _real_server.run(p, host)
    assert err.value.details["changed"] is True and err.value.details["rc"] == 1
    assert "Job for keepalived" in err.value.msg and wfile.exists()


def test_keepalived_wait_timeout_hints_at_the_health_check(kad, fake_clock):
    p, wfile = kad
    wfile.write_text("# lvs_ingress active_weight=40\nweight 0\n")
    host = FakeHost([(LIST, 0, table(0), ""), (RELOAD, 0, "", "")] + [(LIST, 0, table(0), "")] * 11)
    with pytest.raises(LvsIngressError) as err:
        _real_server.run(dict(p, state="active"), host, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert "health check" in err.value.msg and err.value.details["elapsed"] == 5.0
    assert err.value.details["last"]["weight"] == 0 and err.value.details["changed"] is True


@pytest.mark.parametrize("state", ["present", "absent"])
def test_keepalived_membership_refused_before_looking_for_ipvsadm(kad, state):
    p, wfile = kad
    with pytest.raises(LvsIngressError) as err:
        _real_server.run(dict(p, state=state), FakeHost([], ipvsadm=None))
    assert "membership is owned by the keepalived configuration" in err.value.msg


def test_keepalived_block_without_include_refused_before_any_command(kad):
    p, wfile = kad
    host = FakeHost([])
    with pytest.raises(LvsIngressError) as err:
        _real_server.run(dict(p, real_address="198.18.0.12"), host)
    assert "does not include" in err.value.msg and host.seen == []


def test_bad_weight_fails_before_any_command(tmp_path):
    host = FakeHost([])
    with pytest.raises(LvsIngressError) as err:
        _real_server.run(params(weights_dir=str(tmp_path), weight=70000), host)
    assert "70000" in err.value.msg and host.seen == []

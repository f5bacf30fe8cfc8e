# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ipvs_harness import IPVSADM, LIST, ipvs_list, run_module

from ansible_collections.baremetal.lvs_ingress.plugins.modules import ipvs_real_server

SVC = "TCP  198.18.0.200:80 wlc"
RS = "198.18.0.11:80"
RS_FILE = "198.18.0.200-80-TCP-198.18.0.11-80.conf"
EDIT = [IPVSADM, "-e", "-t", "198.18.0.200:80", "-r", RS, "-g", "-w"]


def table(weight, active=0, inactive=0, present=True):
    return ipvs_list((SVC, [(RS, "Route", weight, active, inactive)] if present else []))


@pytest.fixture
def base(tmp_path):
    return dict(virtual_address="198.18.0.200", virtual_port=80, real_address="198.18.0.11",
                manager="ipvsadm", weights_dir=str(tmp_path))


# ------------------------------------------------------------------ manager: ipvsadm


def test_drain_sets_weight_zero_and_remembers(base, tmp_path):
    cmds = [(LIST, 0, table(100, 5), ""), (EDIT + ["0"], 0, "", ""), (LIST, 0, table(0, 5), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="drained"), cmds, diff=True)
    assert not failed and result["changed"] is True
    assert result["before"]["weight"] == 100 and result["after"]["weight"] == 0
    assert result["after"]["active_weight"] == 100 and result["after"]["active_connections"] == 5
    assert (tmp_path / RS_FILE).read_text() == "# lvs_ingress active_weight=100\nweight 0\n"
    assert result["diff"]["before"]["weight"] == 100 and result["diff"]["after"]["weight"] == 0


def test_drain_check_mode_predicts_and_changes_nothing(base, tmp_path):
    result, failed, cmds = run_module(ipvs_real_server.main, dict(base, state="drained"), [(LIST, 0, table(100), "")],
                                      check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["commands"] == [EDIT + ["0"]]
    assert cmds.seen == [LIST]
    assert result["diff"]["after"]["weight"] == 0
    assert not (tmp_path / RS_FILE).exists()


def test_already_drained_is_not_changed(base, tmp_path):
    (tmp_path / RS_FILE).write_text("# lvs_ingress active_weight=100\nweight 0\n")
    result, failed, cmds = run_module(ipvs_real_server.main, dict(base, state="drained"), [(LIST, 0, table(0, 2), "")])
    assert not failed and result["changed"] is False and result["commands"] == []
    assert cmds.seen == [LIST]


def test_active_restores_remembered_weight(base, tmp_path):
    (tmp_path / RS_FILE).write_text("# lvs_ingress active_weight=100\nweight 0\n")
    cmds = [(LIST, 0, table(0), ""), (EDIT + ["100"], 0, "", ""), (LIST, 0, table(100), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="active"), cmds)
    assert not failed and result["changed"] is True and result["after"]["weight"] == 100


def test_active_without_any_weight_fails_without_change(base):
    result, failed, cmds = run_module(ipvs_real_server.main, dict(base, state="active"), [(LIST, 0, table(0), "")])
    assert failed and "give weight" in result["msg"] and cmds.seen == [LIST]


def test_absent_refuses_with_active_connections(base):
    result, failed, cmds = run_module(ipvs_real_server.main, dict(base, state="absent"), [(LIST, 0, table(0, 3), "")])
    assert failed and "3 active connections" in result["msg"] and cmds.seen == [LIST]


def test_absent_force_deletes(base):
    cmds = [(LIST, 0, table(0, 3), ""), ([IPVSADM, "-d", "-t", "198.18.0.200:80", "-r", RS], 0, "", ""),
            (LIST, 0, table(0, present=False), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="absent", force=True), cmds)
    assert not failed and result["changed"] is True and result["after"]["present"] is False


def test_absent_when_absent_is_not_changed(base):
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="absent"), [(LIST, 0, table(0, present=False), "")])
    assert not failed and result["changed"] is False


def test_present_adds_with_forwarding_and_weight(base):
    add = [IPVSADM, "-a", "-t", "198.18.0.200:80", "-r", RS, "-m", "-w", "7"]
    after = ipvs_list((SVC, [(RS, "Masq", 7, 0, 0)]))
    cmds = [(LIST, 0, table(0, present=False), ""), (add, 0, "", ""), (LIST, 0, after, "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="present", forwarding="nat", weight=7), cmds)
    assert not failed and result["changed"] is True and result["after"]["forwarding"] == "nat"
    # and again: nothing to do
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="present", forwarding="nat", weight=7), [(LIST, 0, after, "")])
    assert not failed and result["changed"] is False


def test_unknown_virtual_service(base):
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="drained", virtual_port=81), [(LIST, 0, table(1), "")])
    assert failed and "TCP 198.18.0.200:81 not found" in result["msg"]


@pytest.mark.parametrize("override, word", [
    (dict(weight=70000), "70000"),
    (dict(real_address="198.18.0.1111"), "198.18.0.1111"),
    (dict(virtual_port=0), "virtual port"),
    (dict(real_address="2001:db8::11"), "different families"),
])
def test_bad_input_fails_before_any_command(base, override, word):
    result, failed, cmds = run_module(ipvs_real_server.main, dict(base, state="drained", **override), [])
    assert failed and word in result["msg"] and cmds.seen == []


def test_edit_rc_not_zero(base):
    cmds = [(LIST, 0, table(100), ""), (EDIT + ["0"], 1, "", "Memory allocation problem\n")]
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="drained"), cmds)
    assert failed and result["rc"] == 1 and result["cmd"] == EDIT + ["0"] and "Memory allocation" in result["msg"]


def test_missing_ipvsadm(base):
    result, failed, used = run_module(ipvs_real_server.main, dict(base, state="drained"), [], bins={})
    assert failed and "ipvsadm" in result["msg"]


# ------------------------------------------------------------------ manager: keepalived

RELOAD = ["systemctl", "reload", "keepalived"]


@pytest.fixture
def kad(tmp_path, monkeypatch, fake_clock):
    weights = tmp_path / "weights"
    weights.mkdir()
    conf = tmp_path / "keepalived.conf"
    conf.write_text("""
virtual_server 198.18.0.200 80 {
  protocol TCP
  delay_loop 2
  lvs_method DR
  real_server 198.18.0.11 80 {
    weight 100
    include %s/%s
    HTTP_GET {
      url {
        path /status
      }
    }
  }
  real_server 198.18.0.12 80 {
    weight 100
  }
}
""" % (weights, RS_FILE))
    monkeypatch.setattr(ipvs_real_server, "time", fake_clock)
    args = dict(virtual_address="198.18.0.200", virtual_port=80, real_address="198.18.0.11",
                weights_dir=str(weights), keepalived_config=str(conf), wait_interval=0.5, wait_timeout=5)
    return args, weights / RS_FILE, fake_clock


def test_keepalived_drain_writes_file_reloads_and_waits(kad):
    args, wfile, clock = kad
    cmds = [(LIST, 0, table(100, 4), ""), (RELOAD, 0, "", ""),
            (LIST, 0, table(100, 4), ""), (LIST, 0, table(0, 4), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained"), cmds)
    assert not failed, result
    assert result["changed"] and result["reloaded"] and result["polls"] == 2 and result["elapsed"] == 0.5
    assert wfile.read_text() == "# lvs_ingress active_weight=100\nweight 0\n"
    assert result["after"]["weight"] == 0


def test_keepalived_drain_check_mode(kad):
    args, wfile, clock = kad
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state="drained"), [(LIST, 0, table(100), "")],
                                      check_mode=True, diff=True)
    assert not failed and result["changed"] is True and result["reloaded"] is False
    assert result["commands"] == [RELOAD] and cmds.seen == [LIST]
    assert result["diff"]["after"]["weight"] == 0 and result["diff"]["after"]["active_weight"] == 100
    assert not wfile.exists()


def test_keepalived_already_drained_no_reload(kad):
    args, wfile, clock = kad
    wfile.write_text("# lvs_ingress active_weight=100\nweight 0\n")
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state="drained"), [(LIST, 0, table(0, 1), "")])
    assert not failed and result["changed"] is False and cmds.seen == [LIST]


def test_keepalived_file_right_but_ipvs_not_yet_reloads(kad):
    args, wfile, clock = kad
    wfile.write_text("# lvs_ingress active_weight=100\nweight 0\n")
    cmds = [(LIST, 0, table(100), ""), (RELOAD, 0, "", ""), (LIST, 0, table(0), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained"), cmds)
    assert not failed and result["changed"] is True


def test_keepalived_active_timeout_fails_with_elapsed(kad):
    args, wfile, clock = kad
    wfile.write_text("# lvs_ingress active_weight=100\nweight 0\n")
    cmds = [(LIST, 0, table(0), ""), (RELOAD, 0, "", "")] + [(LIST, 0, table(0), "")] * 11
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="active"), cmds)
    assert failed and "timed out" in result["msg"] and "health check" in result["msg"]
    assert result["elapsed"] == 5.0 and result["last"]["weight"] == 0
    assert wfile.read_text() == "# lvs_ingress active_weight=100\nweight 100\n"


def test_keepalived_reload_failure(kad):
    args, wfile, clock = kad
    cmds = [(LIST, 0, table(100), ""), (RELOAD, 1, "", "Job for keepalived.service failed\n")]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained"), cmds)
    assert failed and result["rc"] == 1 and "Job for keepalived" in result["msg"]


@pytest.mark.parametrize("state", ["present", "absent"])
def test_keepalived_membership_refused(kad, state):
    args, wfile, clock = kad
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state=state), [])
    assert failed and "membership is owned by the keepalived configuration" in result["msg"] and cmds.seen == []


def test_keepalived_block_without_include_refused(kad):
    args, wfile, clock = kad
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state="drained", real_address="198.18.0.12"), [])
    assert failed and "does not include" in result["msg"] and cmds.seen == []


def test_keepalived_unknown_service_and_missing_config(kad, tmp_path):
    args, wfile, clock = kad
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained", virtual_port=8080), [])
    assert failed and "unknown virtual service TCP 198.18.0.200:8080" in result["msg"]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained", keepalived_config=str(tmp_path / "nope")), [])
    assert failed and "does not exist" in result["msg"]


# ------------------------------------------------------------------ real_servers: a node's memberships in one run

SVC6 = "TCP  [2001:db8::200]:80 wlc"
RS6 = "[2001:db8::11]:80"
RS6_FILE = "2001:db8::200-80-TCP-2001:db8::11-80.conf"
BOTH = [dict(virtual_address="198.18.0.200", virtual_port=80, real_address="198.18.0.11"),
        dict(virtual_address="2001:db8::200", virtual_port=80, real_address="2001:DB8::11")]


def both(weight4, weight6, active4=0, active6=0):
    return ipvs_list((SVC, [(RS, "Route", weight4, active4, 0)]), (SVC6, [(RS6, "Route", weight6, active6, 0)]))


@pytest.fixture
def kad2(tmp_path, monkeypatch, fake_clock):
    weights = tmp_path / "weights2"
    weights.mkdir()
    conf = tmp_path / "keepalived2.conf"
    conf.write_text("".join("""
virtual_server %s 80 {
  protocol TCP
  real_server %s 80 {
    weight 100
    include %s/%s
  }
}
""" % (vip, rip, weights, name) for vip, rip, name in (("198.18.0.200", "198.18.0.11", RS_FILE),
                                                       ("2001:db8::200", "2001:db8::11", RS6_FILE))))
    monkeypatch.setattr(ipvs_real_server, "time", fake_clock)
    return dict(real_servers=BOTH, weights_dir=str(weights), keepalived_config=str(conf), wait_interval=0.5,
                wait_timeout=5), weights


def test_real_servers_one_reload_and_one_wait_for_all(kad2, fake_clock):
    args, weights = kad2
    # the IPv4 weight shows at the first read after the reload, the IPv6 one only at the second
    cmds = [(LIST, 0, both(100, 100, 3, 1), ""), (RELOAD, 0, "", ""), (LIST, 0, both(0, 100, 3, 1), ""),
            (LIST, 0, both(0, 0, 3, 1), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained"), cmds, diff=True)
    assert not failed and result["changed"] is True and result["reloaded"] is True
    assert result["commands"] == [RELOAD] and result["polls"] == 2 and result["elapsed"] == 0.5
    names = ["TCP 198.18.0.200:80 -> 198.18.0.11:80", "TCP [2001:db8::200]:80 -> [2001:db8::11]:80"]
    assert [r["real_server"] for r in result["real_servers"]] == names
    assert [r["after"]["weight"] for r in result["real_servers"]] == [0, 0]
    assert [r["after"]["active_weight"] for r in result["real_servers"]] == [100, 100]
    for name in (RS_FILE, RS6_FILE):
        assert (weights / name).read_text() == "# lvs_ingress active_weight=100\nweight 0\n"
    assert sorted(result["diff"]["after"]) == names and result["diff"]["before"][names[1]]["weight"] == 100
    assert "before" not in result and "real_server" not in result


def test_real_servers_changes_only_what_differs_and_second_run_is_unchanged(kad2):
    args, weights = kad2
    (weights / RS_FILE).write_text("# lvs_ingress active_weight=100\nweight 0\n")
    cmds = [(LIST, 0, both(0, 100), ""), (RELOAD, 0, "", ""), (LIST, 0, both(0, 0), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained"), cmds)
    assert not failed and result["changed"] is True
    assert [r["changed"] for r in result["real_servers"]] == [False, True]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained"), [(LIST, 0, both(0, 0), "")])
    assert not failed and result["changed"] is False and result["commands"] == [] and result["reloaded"] is False


def test_real_servers_check_mode_writes_and_reloads_nothing(kad2):
    args, weights = kad2
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state="drained"), [(LIST, 0, both(100, 100), "")],
                                      check_mode=True)
    assert not failed and result["changed"] is True and result["commands"] == [RELOAD] and cmds.seen == [LIST]
    assert list(weights.iterdir()) == []


def test_real_servers_timeout_names_only_the_late_one(kad2, fake_clock):
    args, weights = kad2
    for name in (RS_FILE, RS6_FILE):
        (weights / name).write_text("# lvs_ingress active_weight=100\nweight 0\n")
    cmds = [(LIST, 0, both(0, 0), ""), (RELOAD, 0, "", "")] + [(LIST, 0, both(100, 0), "")] * 11
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="active"), cmds)
    assert failed and result["real_server"] == "TCP [2001:db8::200]:80 -> [2001:db8::11]:80"
    assert "health check" in result["msg"] and result["weight_file"].endswith(RS6_FILE)


@pytest.mark.parametrize("override, words", [
    (dict(real_address="198.18.0.11"), "mutually exclusive: real_servers|real_address"),
    (dict(virtual_address="198.18.0.200", virtual_port=80), "mutually exclusive: real_servers|virtual_address"),
    (dict(real_servers=BOTH + BOTH[:1]), "real_servers lists TCP 198.18.0.200:80 -> 198.18.0.11:80 twice"),
    (dict(real_servers=[]), "real_servers is empty"),
    (dict(real_servers=[dict(virtual_address="198.18.0.200", real_address="198.18.0.11")]), "virtual_port"),
    (dict(real_servers=[dict(virtual_address="198.18.0.200", virtual_port=80)]), "real_address"),
])
def test_real_servers_bad_input_fails_before_any_command(kad2, override, words):
    args, weights = kad2
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state="drained", **override), [])
    assert failed and words in result["msg"] and cmds.seen == []


def test_neither_one_nor_several_real_servers_is_refused(base):
    args = {k: v for k, v in base.items() if k != "real_address"}
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state="drained"), [])
    assert failed and "real_address" in result["msg"] and cmds.seen == []
    args = {k: v for k, v in args.items() if k not in ("virtual_address", "virtual_port")}
    result, failed, cmds = run_module(ipvs_real_server.main, dict(args, state="drained"), [])
    assert failed and "virtual_address, fwmark, real_servers" in result["msg"] and cmds.seen == []


def test_real_servers_with_ipvsadm_edits_each(base, tmp_path):
    args = {k: v for k, v in base.items() if k not in ("virtual_address", "virtual_port", "real_address")}
    edit6 = [IPVSADM, "-e", "-t", "[2001:db8::200]:80", "-r", RS6, "-g", "-w", "0"]
    cmds = [(LIST, 0, both(100, 100), ""), (EDIT + ["0"], 0, "", ""), (LIST, 0, both(0, 100), ""),
            (LIST, 0, both(0, 100), ""), (edit6, 0, "", ""), (LIST, 0, both(0, 0), "")]
    result, failed, used = run_module(ipvs_real_server.main, dict(args, state="drained", real_servers=BOTH), cmds)
    assert not failed and result["commands"] == [EDIT + ["0"], edit6]
    assert [r["after"]["weight"] for r in result["real_servers"]] == [0, 0]

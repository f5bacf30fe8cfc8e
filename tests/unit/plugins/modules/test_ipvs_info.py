# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

from ipvs_harness import IPVSADM, LIST, fixture, run_module

from ansible_collections.baremetal.lvs_ingress.plugins.modules import ipvs_info


def test_whole_table_from_captured_output():
    result, failed, used = run_module(ipvs_info.main, {}, [(LIST, 0, fixture("list.captured.txt"), "")])
    assert not failed and result["changed"] is False
    names = [s["name"] for s in result["virtual_services"]]
    assert "FWM 7 IPv6" in names and "TCP [2001:db8::200]:80" in names and len(names) == 8
    assert "timeouts" not in result


def test_filter_by_service_and_real_server_with_stats_rate_timeout():
    cmds = [
        (LIST, 0, fixture("list.handwritten.txt"), ""),
        ([IPVSADM, "-Ln", "--stats", "--exact"], 0, fixture("stats.handwritten.txt"), ""),
        ([IPVSADM, "-Ln", "--rate", "--exact"], 0, fixture("rate.handwritten.txt"), ""),
        ([IPVSADM, "-Ln", "--timeout"], 0, fixture("timeout.handwritten.txt"), ""),
    ]
    args = dict(virtual_address="198.18.0.100", virtual_port=80, real_address="198.18.0.12", stats=True, rate=True, read_timeouts=True)
    result, failed, used = run_module(ipvs_info.main, args, cmds)
    assert not failed
    (svc,) = result["virtual_services"]
    (rs,) = svc["real_servers"]
    assert (rs["address"], rs["weight"], rs["active_connections"], rs["stats"]["conns"], rs["rate"]["inpps"]) == ("198.18.0.12", 0, 3, 234, 40)
    assert result["timeouts"]["tcpfin"] == 120


def test_fwmark_filter_family():
    args = dict(fwmark=7, fwmark_family="ipv6")
    result, failed, used = run_module(ipvs_info.main, args, [(LIST, 0, fixture("list.handwritten.txt"), "")])
    assert [s["name"] for s in result["virtual_services"]] == ["FWM 7 IPv6"]


def test_missing_ipvsadm():
    result, failed, cmds = run_module(ipvs_info.main, {}, [], bins={})
    assert failed and "ipvsadm" in result["msg"] and "not found" in result["msg"]
    assert cmds.seen == []


def test_rc_not_zero_reports_command():
    err = "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n"
    result, failed, used = run_module(ipvs_info.main, {}, [(LIST, 2, "", err)])
    assert failed and result["rc"] == 2 and result["cmd"] == LIST and "Protocol not available" in result["msg"]


def test_bad_address_fails_before_running_anything():
    result, failed, cmds = run_module(ipvs_info.main, dict(virtual_address="198.18.0.999", virtual_port=80), [])
    assert failed and "198.18.0.999" in result["msg"] and cmds.seen == []


def test_returns_settings_and_drain_hazards(tmp_path, monkeypatch):
    from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs_settings

    for name, value in (("expire_nodest_conn", "0"), ("conn_reuse_mode", "1"), ("expire_quiescent_template", "1")):
        (tmp_path / name).write_text(value + "\n")
    monkeypatch.setattr(_ipvs_settings, "SYSCTL_DIR", str(tmp_path))
    # filtered to one service, the hazards still consider every service on the director
    args = dict(virtual_address="198.18.0.100", virtual_port=80)
    result, failed, used = run_module(ipvs_info.main, args, [(LIST, 0, fixture("list.captured.txt"), "")])
    assert not failed
    assert result["settings"] == {"expire_nodest_conn": 0, "conn_reuse_mode": 1, "expire_quiescent_template": 1}
    assert [h["setting"] for h in result["drain_hazards"]] == ["net.ipv4.vs.expire_nodest_conn"]
    assert result["kernel"]


def test_captured_stats_and_rate_reach_every_service_and_real_server():
    cmds = [
        (LIST, 0, fixture("list.captured.txt"), ""),
        ([IPVSADM, "-Ln", "--stats", "--exact"], 0, fixture("stats.captured.txt"), ""),
        ([IPVSADM, "-Ln", "--rate", "--exact"], 0, fixture("rate.captured.txt"), ""),
    ]
    result, failed, used = run_module(ipvs_info.main, dict(stats=True, rate=True), cmds)
    assert not failed and len(result["virtual_services"]) == 8
    idle_stats = {"conns": 0, "inpkts": 0, "outpkts": 0, "inbytes": 0, "outbytes": 0}
    idle_rate = {"cps": 0, "inpps": 0, "outpps": 0, "inbps": 0, "outbps": 0}
    real_servers = 0
    for svc in result["virtual_services"]:
        assert (svc["stats"], svc["rate"]) == (idle_stats, idle_rate), svc["name"]
        for rs in svc["real_servers"]:
            assert (rs["stats"], rs["rate"]) == (idle_stats, idle_rate), (svc["name"], rs["address"], rs["port"])
            real_servers += 1
    assert real_servers == 10

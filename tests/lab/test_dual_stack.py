# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IPv6 beside IPv4 through the real directors (DR, NAT or TUN, as the lab runs): VIP6 carries keep-alive traffic to every
node's IPv6 address, and a drain of a dual-stack node under the lab's client mix, split over both VIPs, loses no
request. With NAT the client sits in its own /64 and the nodes' replies go back through the directors' IPv6 gateway.

The drain sets weight 0 for both of the node's addresses on both directors (``lvs_ingress_real_address_ipv6``: the
weight files the lvs_director role named, edited by ``ipvs_real_server``), closes its connections of both families
and stops nginx; the undrain puts both back. The directors' tables are read with the lab's own ipvsadm parser.
"""

from __future__ import annotations

import time

import pytest

import lab
import node_helpers

NODE = "ingress1"
WARMUP = 5


@pytest.fixture
def dual_stack(converged):
    if not lab.dual_stack():
        pytest.skip("this lab does not balance VIP6")


def _weights(vip, address):
    """{director: weight of address in vip:80} from each director's table (None: not there)."""
    return {d: (lab.ipvs_table(d, vip) or {}).get(address, {}).get("weight") for d in lab.DIRECTORS}


def _vip6_connections(director):
    """Connections IPVS scheduled for VIP6:80 so far (ipvsadm --stats)."""
    text = lab.run_on(director, ["ipvsadm", "-Ln", "--stats", "-t", lab.endpoint(lab.VIP6, lab.VPORT)]).stdout
    for line in text.splitlines():
        if line.startswith("TCP"):
            return int(line.split()[2])
    raise lab.LabFailure("no VIP6 service in ipvsadm --stats: %s" % text)


def test_ipv6_virtual_service_is_balanced_to_every_node(dual_stack):
    for director in lab.DIRECTORS:
        table = lab.ipvs_table(director, lab.VIP6)
        assert table is not None, "%s has no virtual service %s:%d" % (director, lab.VIP6, lab.VPORT)
        assert {ip: v["weight"] for ip, v in table.items()} == {
            ip: lab.CONVERGED_WEIGHT for ip in lab.NODES6.values()}, (director, table)
    # the IPv6 VIP moves with the VRRP instance (virtual_ipaddress_excluded): on director1 only
    held = {d: lab.VIP6 + "/" in lab.run_on(d, ["ip", "-br", "-6", "address", "show", "dev", "eth0"]).stdout
            for d in lab.DIRECTORS}
    assert held == {"director1": True, "director2": False}, held
    # the nodes: with DR VIP6 on lo, deprecated (never a source address); with NAT no VIP but a route to the client's
    # /64 through the gateway and no redirects taken; and the lvscheck server on IPv6
    nat = lab.forwarding() == "nat"
    for node, address in lab.NODES6.items():
        lo = lab.run_on(node, ["ip", "-6", "-o", "address", "show", "dev", "lo"]).stdout
        assert (lab.VIP6 + "/128" in lo and "deprecated" in lo) != nat, (node, lo)
        if lab.forwarding() == "tun":
            # the fallback tunnel devices take the directors' ipip and ip6ip6 packets
            links = lab.run_on(node, ["ip", "-o", "link", "show", "up"]).stdout
            assert "tunl0@NONE" in links and "ip6tnl0@NONE" in links, (node, links)
        if nat:
            route = lab.run_on(node, ["ip", "-6", "route", "show", "2001:db8:19::/64"]).stdout
            assert "via 2001:db8:18::fe dev eth0" in route, (node, route)
            redirects = lab.run_on(node, ["sysctl", "-n", "net.ipv6.conf.eth0.accept_redirects"]).stdout.strip()
            assert redirects == "0", (node, redirects)
        status = lab.run_on(node, ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: lvscheck",
                                   "http://[%s]/status" % address], check=False).stdout
        assert status == "200", (node, status)


def test_drain_of_a_dual_stack_node_loses_no_request_in_either_family(dual_stack):
    ip4, ip6 = lab.NODES[NODE], lab.NODES6[NODE]
    vip6_before = _vip6_connections("director1")
    load = None
    try:
        load = lab.Loadgen(count=1000000, duration=300, vips=(lab.VIP, lab.VIP6), **lab.REAL_LOAD).wait_ready()
        time.sleep(WARMUP)
        drain, results = node_helpers.run_playbook(
            "baremetal.lvs_ingress.drain", {"lvs_ingress_target": NODE, "lvs_ingress_stop_nginx": True})
        assert drain.returncode == 0, drain.stdout[-4000:] + drain.stderr[-2000:]
        drained = {"ipv4": _weights(lab.VIP, ip4), "ipv6": _weights(lab.VIP6, ip6)}
        nginx = lab.run_on(NODE, ["systemctl", "is-active", "nginx"], check=False).stdout.strip()
        stop = node_helpers.task_result(results, "Close every client connection cleanly, then stop nginx with SIGQUIT",
                                        NODE)
        time.sleep(2)
        undrain, _ = node_helpers.run_playbook("baremetal.lvs_ingress.undrain", {"lvs_ingress_target": NODE})
        assert undrain.returncode == 0, undrain.stdout[-4000:] + undrain.stderr[-2000:]
        restored = {"ipv4": _weights(lab.VIP, ip4), "ipv6": _weights(lab.VIP6, ip6)}
        time.sleep(2)
        during = load.stop()
    finally:
        if load is not None:
            load.kill()
    vip6_scheduled = _vip6_connections("director1") - vip6_before
    lab.record("dual_stack_drain", node=NODE, load=dict(lab.REAL_LOAD, vips=[lab.VIP, lab.VIP6]),
               total=during["total"], failed=during["failed"], errors=during["errors"], per_node=during["per_node"],
               vip6_connections=vip6_scheduled, drained=drained, restored=restored,
               close_window=stop.get("close_window"), connections_at_quit=stop.get("connections_at_quit"),
               command="drain -e lvs_ingress_target=%s -e lvs_ingress_stop_nginx=true; undrain" % NODE)

    assert drained == {"ipv4": {d: 0 for d in lab.DIRECTORS}, "ipv6": {d: 0 for d in lab.DIRECTORS}}, drained
    assert nginx != "active", "the drain left nginx running on %s" % NODE
    assert stop["close_window"]["connections_at_start"] > 0 and stop["connections_at_quit"] == 0, stop
    assert restored == {"ipv4": {d: lab.CONVERGED_WEIGHT for d in lab.DIRECTORS},
                        "ipv6": {d: lab.CONVERGED_WEIGHT for d in lab.DIRECTORS}}, restored
    assert vip6_scheduled > 0, "no connection went through %s" % lab.VIP6
    assert during["failed"] == 0, during["errors"]
    assert during["total"] > 0 and during["per_node"].get(NODE, 0) > 0, during["per_node"]


def test_the_modules_find_an_ipv6_real_server_however_it_is_written(dual_stack):
    """ipvs_real_server edits the weight file the role named (compressed, lower case) when the address is written out
    in full and in upper case; ipvs_info reads it back the same way. The known trap of IPv6 weight files."""
    ip6 = lab.NODES6["ingress2"]
    written_out = "2001:DB8:18:0:0:0:0:12"
    assert ip6 == "2001:db8:18::12"
    args = lab.real_server_args(written_out, virtual_address="2001:0DB8:0018::0100", state="drained")
    res = lab.ansible_module("director2", "ipvs_real_server", args)
    assert not res["director2"].get("failed"), res
    assert _weights(lab.VIP6, ip6)["director2"] == 0
    files = lab.sh_on("director2", "grep -l '^weight 0' %s/*.conf" % lab.WEIGHTS_DIR, check=False).stdout.split()
    assert files == ["%s/%s-80-TCP-%s-80.conf" % (lab.WEIGHTS_DIR, lab.VIP6, ip6)], files
    info = lab.ansible_module("director2", "ipvs_info", {"real_address": written_out})
    services = info["director2"]["virtual_services"]
    assert [(s["address"], [(r["address"], r["weight"]) for r in s["real_servers"]]) for s in services] == [
        (lab.VIP6, [(ip6, 0)])], services

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""testinfra: what the ingress_node role leaves on a node, read on the node itself."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "_shared"))
from role_vars import role_vars  # noqa: E402  pylint: disable=wrong-import-position

testinfra_hosts = ["ingress_nodes"]


def test_nginx_installed_at_the_pinned_version(host):
    v = role_vars(host, "ingress_node")
    for name in v["ingress_node_nginx_packages"]:
        package = host.package(name)
        assert package.is_installed, name
        if v["ingress_node_nginx_version"]:
            assert package.version == v["ingress_node_nginx_version"], (name, package.version)


def test_nginx_runs_and_its_configuration_is_valid(host):
    nginx = host.service("nginx")
    assert nginx.is_running and nginx.is_enabled
    check = host.run("nginx -t")
    assert check.rc == 0, check.stderr
    assert "syntax is ok" in check.stderr and "test is successful" in check.stderr


def test_the_vips_are_on_loopback_with_the_arp_settings(host):
    v = role_vars(host, "ingress_node")
    addresses = host.run("ip -o address show dev lo").stdout.splitlines()
    assert v["ingress_node_vips"], "the lab gives its nodes a VIP"
    for vip in v["ingress_node_vips"]:
        # an IPv6 VIP is deprecated: never the source of the node's own packets
        want = " %s/128 " % vip if ":" in vip else " %s/32 " % vip
        found = [line for line in addresses if want in line]
        assert found, (vip, addresses)
        assert ":" not in vip or "deprecated" in found[0], found
    if v.get("ingress_node_forwarding", "dr") in ("dr", "tun"):
        for iface in ("all", "lo"):
            assert host.sysctl("net.ipv4.conf.%s.arp_ignore" % iface) == 1
            assert host.sysctl("net.ipv4.conf.%s.arp_announce" % iface) == 2


def test_the_switches_are_in_place_and_off(host):
    v = role_vars(host, "ingress_node")
    switches = host.file(os.path.dirname(v["ingress_node_drain_flag"]))
    assert switches.is_directory and switches.user == "root"
    assert not host.file(v["ingress_node_drain_flag"]).exists
    assert not host.file(v["ingress_node_close_flag"]).exists
    snippet = host.file(v["ingress_node_switches_file"])
    assert snippet.is_file and v["ingress_node_close_flag"] in snippet.content_string


def test_lvscheck_answers_the_directors_probe(host):
    status = host.run("curl -s -o /dev/null -w '%%{http_code}' -H 'Host: lvscheck' http://127.0.0.1:%s/status",
                      str(role_vars(host, "ingress_node").get("ingress_node_lvscheck_listen", 80)))
    assert status.stdout.strip() == "200"

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""testinfra: what the lvs_director role leaves on a director, read on the director itself."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "_shared"))
from role_vars import role_vars  # noqa: E402  pylint: disable=wrong-import-position

testinfra_hosts = ["directors"]


def test_packages_installed(host):
    for name in role_vars(host, "lvs_director")["lvs_director_packages"]:
        assert host.package(name).is_installed, name


def test_keepalived_runs_and_its_configuration_is_valid(host):
    keepalived = host.service("keepalived")
    assert keepalived.is_running and keepalived.is_enabled
    check = host.run("keepalived --config-test")
    assert check.rc == 0, check.stdout + check.stderr


def test_both_ipvs_sync_threads_run(host):
    v = role_vars(host, "lvs_director")
    assert v["lvs_director_sync_daemon"], "the lab syncs its directors"
    assert host.service("lvs-ingress-ipvs-sync").is_enabled
    threads = host.run("ipvsadm --list --daemon").stdout
    for state in ("master", "backup"):
        assert "%s sync daemon (mcast=%s, syncid=%d," % (state, v["lvs_director_interface"],
                                                          v["lvs_director_vrrp_router_id"]) in threads, threads


def test_the_ipvs_sysctls_are_live(host):
    for name, value in role_vars(host, "lvs_director")["lvs_director_sysctls"].items():
        assert host.sysctl(name) == value, name


def ipvs_weights(text):
    """{"TCP 198.18.0.100:80": {"198.18.0.11:80": 100, ...}} from ``ipvsadm -Ln``."""
    table, current = {}, None
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] in ("TCP", "UDP", "FWM"):
            current = table.setdefault("%s %s" % (fields[0], fields[1]), {})
        elif fields and fields[0] == "->" and current is not None and fields[1] != "RemoteAddress:Port":
            current[fields[1]] = int(fields[3])
    return table


def endpoint(address, port):
    """address:port as ipvsadm -Ln writes it ([IPv6]:port)."""
    return "%s:%d" % ("[%s]" % address if ":" in address else address, port)


def test_the_ipvs_table_has_every_real_server_at_its_weight(host):
    table = ipvs_weights(host.run("ipvsadm -Ln").stdout)
    services = role_vars(host, "lvs_director")["lvs_director_virtual_servers"]
    assert services, "the lab gives its directors a virtual service"
    for vs in services:
        key = "%s %s" % (vs.get("protocol", "TCP"), endpoint(vs["address"], vs["port"]))
        expected = {endpoint(rs["address"], rs["port"]): rs.get("weight", 1) for rs in vs["real_servers"]}
        assert table.get(key) == expected, (key, table)

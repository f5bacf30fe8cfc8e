# SPDX-License-Identifier: GPL-3.0-or-later
"""IPv6 and tunnelling in the roles' files: the VRRP instance's address blocks and preemption (lvs_director), the VIP unit and the
kernel settings (ingress_node), each rendered from the role's own templates and vars; and the lvs_director preflight,
run for real, refusing a virtual service whose forwarding cannot carry its real servers' address family.

The lab runs them on real kernels: tests/lab/test_dual_stack.py (IPv6 through keepalived and IPVS), and the
validation case of a tunnel mode on a node whose kernel has no tunnel module (tests/lab/test_fail_safe_validation.py).
"""
from __future__ import annotations

import os
import re

import jinja2
import pytest
import yaml
from ansible.plugins.filter.core import to_bool

from role_playbook import entry_point_runner
from role_templar import render as templar_render

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIRECTOR = os.path.join(ROOT, "roles", "lvs_director")
NODE = os.path.join(ROOT, "roles", "ingress_node")


def _load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def _role_var(role, name, variables):
    """A variable of the role's vars/main.yml, templated by ansible-core with the role's defaults and ``variables``."""
    [result] = templar_render([{"path": "roles/%s/vars/main.yml" % role, "keys": [name],
                                "vars_from": ["roles/%s/defaults/main.yml" % role, "roles/%s/vars/main.yml" % role],
                                "variables": variables}])
    assert "value" in result, result
    return result["value"]


def _env(role):
    # the template module's Jinja settings: trim_blocks on, lstrip_blocks off
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(role, "templates")), trim_blocks=True,
                             lstrip_blocks=False, undefined=jinja2.StrictUndefined)
    env.tests["search"] = lambda value, pattern: re.search(pattern, value) is not None  # Ansible's test
    env.filters["comment"] = lambda text: "# " + text
    env.filters["bool"] = to_bool  # Ansible's own filter
    return env


def _blocks(text):
    """{block name: [lines]} of the virtual_ipaddress blocks of a rendered vrrp_instance."""
    out = {}
    for name, body in re.findall(r"^\s*(virtual_ipaddress(?:_excluded)?) \{\n(.*?)^\s*\}", text, re.M | re.S):
        out[name] = [line.strip() for line in body.splitlines() if line.strip()]
    return out


def vrrp_text(virtual_servers, extra=(), **settings):
    """The rendered vrrp_instance, with the role's defaults and ``settings``."""
    variables = dict(_load(os.path.join(DIRECTOR, "defaults", "main.yml")), lvs_director_virtual_servers=virtual_servers,
                     lvs_director_vrrp_extra_addresses=list(extra), lvs_director_vrrp_state="MASTER",
                     lvs_director_vrrp_priority=150, lvs_director_vrrp_auth_file="/etc/keepalived/auth.conf")
    variables.update(settings)
    variables["_lvs_director_vrrp_addresses"] = _role_var("lvs_director", "_lvs_director_vrrp_addresses", variables)
    return _env(DIRECTOR).get_template("partials/vrrp.j2").render(**variables)


def vrrp(virtual_servers, extra=()):
    return _blocks(vrrp_text(virtual_servers, extra))


V4 = {"address": "198.18.0.100", "port": 80, "real_servers": [{"address": "198.18.0.11"}]}
V4_443 = dict(V4, port=443)
V6 = {"address": "2001:db8:18::100", "port": 80, "real_servers": [{"address": "2001:db8:18::11"}]}


def test_ipv4_only_has_no_excluded_block():
    assert vrrp([V4, V4_443]) == {"virtual_ipaddress": ["198.18.0.100"]}


def test_dual_stack_ipv6_goes_to_the_excluded_block():
    """keepalived keeps an instance to one family: the IPv6 VIP moves with the instance, outside its adverts."""
    assert vrrp([V4, V6]) == {"virtual_ipaddress": ["198.18.0.100"], "virtual_ipaddress_excluded": ["2001:db8:18::100"]}


def test_ipv6_only_is_an_ipv6_instance():
    assert vrrp([V6], extra=["2001:db8:18::fe/64"]) == {
        "virtual_ipaddress": ["2001:db8:18::100", "2001:db8:18::fe/64 dev eth0"]}


def test_an_ipv6_extra_address_of_an_ipv4_instance_is_excluded():
    assert vrrp([V4], extra=["198.18.0.254/24", "2001:db8:18::fe/64"]) == {
        "virtual_ipaddress": ["198.18.0.100", "198.18.0.254/24 dev eth0"],
        "virtual_ipaddress_excluded": ["2001:db8:18::fe/64 dev eth0"]}


# --- ingress_node: the VIP unit and the kernel settings ------------------------------------------------------------

def node_files(**overrides):
    variables = dict(_load(os.path.join(NODE, "defaults", "main.yml")), ansible_managed="Ansible managed")
    variables.update(overrides)
    for name in ("_ingress_node_vip_forwarding", "_ingress_node_vip_label", "_ingress_node_tunnels"):
        variables[name] = _load(os.path.join(NODE, "vars", "main.yml"))[name]
    variables["_ingress_node_tunnels_needed"] = _role_var("ingress_node", "_ingress_node_tunnels_needed", overrides)
    env = _env(NODE)
    unit = env.get_template("lvs-ingress-vips.service.j2").render(**variables)
    sysctl = env.get_template("sysctl.conf.j2").render(**variables)
    return ([line for line in unit.splitlines() if line.startswith(("ExecStart", "ExecStop"))],
            [line for line in sysctl.splitlines() if line and not line.startswith("#")])


def test_an_ipv6_vip_is_on_lo_deprecated_so_it_is_never_a_source_address():
    unit, _sysctl = node_files(ingress_node_forwarding="dr", ingress_node_vips=["198.18.0.100", "2001:db8:18::100"])
    assert "ExecStart=/sbin/ip -6 addr replace 2001:db8:18::100/128 dev lo nodad preferred_lft 0" in unit
    assert "ExecStart=/sbin/ip addr replace 198.18.0.100/32 dev lo label lo:lvs_ingress" in unit
    assert not [line for line in unit if "modprobe" in line], unit


def test_dr_leaves_the_reverse_path_filter_alone():
    _unit, sysctl = node_files(ingress_node_forwarding="dr", ingress_node_vips=["198.18.0.100"])
    assert not [line for line in sysctl if "rp_filter" in line], sysctl


@pytest.mark.parametrize("vips, modules, devices", [
    (["198.18.0.100"], ["ipip"], ["tunl0"]),
    (["2001:db8:18::100"], ["ip6_tunnel"], ["ip6tnl0"]),
    (["198.18.0.100", "2001:db8:18::100"], ["ipip", "ip6_tunnel"], ["tunl0", "ip6tnl0"]),
])
def test_tun_brings_up_the_tunnel_device_of_each_vip_family(vips, modules, devices):
    unit, sysctl = node_files(ingress_node_forwarding="tun", ingress_node_vips=vips)
    assert [line.split()[-1] for line in unit if "modprobe" in line] == modules
    assert [line.split()[-2] for line in unit if " link set " in line] == devices
    ipv4 = "tunl0" in devices
    assert ("ExecStartPre=/sbin/sysctl -q -w net.ipv4.conf.tunl0.rp_filter=0" in unit) == ipv4
    assert ("net.ipv4.conf.all.rp_filter = 0" in sysctl) == ipv4
    # the VIPs stay on lo: the kernel hands a decapsulated packet to any local address
    assert len([line for line in unit if line.startswith("ExecStart=") and " dev lo" in line]) == len(vips)


def test_nat_routes_each_client_network_through_the_gateway_of_its_family():
    unit, _sysctl = node_files(ingress_node_forwarding="nat", ingress_node_nat_gateway="198.18.0.254",
                               ingress_node_nat_gateway_ipv6="2001:db8:18::fe",
                               ingress_node_nat_client_networks=["198.19.0.0/24", "2001:db8:19::/64"])
    # the node ignores redirects on the interface to its IPv6 gateway (IPv6 directors cannot be told not to send them)
    assert [line for line in unit if "accept_redirects" in line] == [
        "ExecStart=/bin/sh -c 'set -- $$(/sbin/ip -6 -o route get 2001:db8:18::fe); while [ $$# -gt 1 ] && "
        "[ \"$$1\" != dev ]; do shift; done; exec /sbin/sysctl -q -w \"net/ipv6/conf/$$2/accept_redirects=0\"'"]
    assert [line for line in unit if "route" in line and "accept_redirects" not in line] == [
        "ExecStart=/sbin/ip -6 route flush cache",
        "ExecStart=/sbin/ip route replace 198.19.0.0/24 via 198.18.0.254",
        "ExecStop=-/sbin/ip route del 198.19.0.0/24 via 198.18.0.254",
        "ExecStart=/sbin/ip -6 route replace 2001:db8:19::/64 via 2001:db8:18::fe",
        "ExecStop=-/sbin/ip -6 route del 2001:db8:19::/64 via 2001:db8:18::fe",
    ]
    assert not [line for line in unit if " dev lo" in line], unit


@pytest.mark.parametrize("services, settings, expected", [
    ([V4, V6], {}, None),
    ([dict(V4, forwarding="nat"), V6], {}, None),
    ([V4, dict(V6, forwarding="NAT")], {}, 1),
    # the operator's own setting wins
    ([dict(V6, forwarding="nat")], {"lvs_director_sysctls": {"net.ipv6.conf.all.forwarding": 2}}, 2),
])
def test_an_ipv6_nat_service_turns_ipv6_forwarding_on(services, settings, expected):
    sysctls = _role_var("lvs_director", "_lvs_director_sysctls", dict(settings, lvs_director_virtual_servers=services))
    assert sysctls.get("net.ipv6.conf.all.forwarding") == expected


@pytest.mark.parametrize("services, redirects", [
    ([V4, V6], None),
    ([dict(V4, forwarding="dr")], None),
    ([dict(V4, forwarding="nat")], 0),
    ([V4, dict(V6, forwarding="Nat")], 0),
])
def test_nat_stops_the_directors_redirects(services, redirects):
    sysctls = _role_var("lvs_director", "_lvs_director_sysctls",
                        {"lvs_director_virtual_servers": services, "lvs_director_interface": "bond0.100"})
    assert [sysctls.get(key) for key in ("net.ipv4.conf.all.send_redirects", "net.ipv4.conf.default.send_redirects",
                                         "net/ipv4/conf/bond0.100/send_redirects")] == [redirects] * 3


# --- lvs_director preflight, run for real --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def preflight(tmp_path_factory):
    run_settings = entry_point_runner(tmp_path_factory.mktemp("lvs_director_preflight"), "lvs_director", "preflight",
                                      "Check the director's settings")

    def run(virtual_servers, **settings):
        return run_settings(dict(settings, lvs_director_virtual_servers=virtual_servers,
                                 lvs_director_vrrp_auth_pass="s3cret"))

    return run


MIXED = {"address": "2001:db8:18::100", "port": 80, "forwarding": "dr",
         "real_servers": [{"address": "198.18.0.11"}, {"address": "2001:db8:18::12"}]}


def test_preflight_passes_both_families_each_in_its_own_service(preflight):
    rc, out = preflight([V4, V6])
    assert rc == 0, out
    assert "Check that each virtual service's forwarding carries its address family" in out


@pytest.mark.parametrize("service, settings, message", [
    (MIXED, {}, "lvs_director_virtual_servers 2001:db8:18::100:80: forwarding=dr cannot carry an IPv6 virtual service "
                "to the IPv4 real servers 198.18.0.11"),
    (dict(V4, forwarding="nat", real_servers=[{"address": "2001:db8:18::11"}]), {},
     "lvs_director_virtual_servers 198.18.0.100:80: forwarding=nat cannot carry an IPv4 virtual service to the IPv6 "
     "real servers 2001:db8:18::11"),
    # the kernel mixes families only by tunnelling, and not while the sync daemon runs
    (dict(MIXED, forwarding="tun"), {}, "forwarding=tun cannot carry an IPv6 virtual service"),
])
def test_preflight_refuses_a_family_the_forwarding_cannot_carry(preflight, service, settings, message):
    rc, out = preflight([service], **settings)
    assert rc != 0, out
    assert message in " ".join(out.split()), out


def test_preflight_lets_tun_mix_families_without_the_sync_daemon(preflight):
    rc, out = preflight([dict(MIXED, forwarding="tun")], lvs_director_sync_daemon=False)
    assert rc == 0, out


# --- VRRP preemption ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("settings, nopreempt", [({}, False), ({"lvs_director_vrrp_preempt": True}, False),
                                                 ({"lvs_director_vrrp_preempt": False, "lvs_director_vrrp_state": "BACKUP"},
                                                  True),
                                                 ({"lvs_director_vrrp_preempt": "no", "lvs_director_vrrp_state": "BACKUP"},
                                                  True)])
def test_nopreempt_is_written_only_without_preemption(settings, nopreempt):
    lines = [line.strip() for line in vrrp_text([V4], **settings).splitlines()]
    assert ("nopreempt" in lines) is nopreempt, lines


@pytest.mark.parametrize("index, preempt, state", [(0, True, "MASTER"), (1, True, "BACKUP"), (0, False, "BACKUP"),
                                                   (1, False, "BACKUP")])
def test_without_preemption_every_director_starts_as_backup(index, preempt, state):
    [result] = templar_render([{"path": "roles/lvs_director/defaults/main.yml", "keys": ["lvs_director_vrrp_state"],
                                "vars_from": ["roles/lvs_director/defaults/main.yml"],
                                "variables": {"_lvs_director_index": index, "lvs_director_vrrp_preempt": preempt}}])
    assert result.get("value") == state, result


def test_preflight_refuses_a_master_without_preemption(preflight):
    rc, out = preflight([V4], lvs_director_vrrp_preempt=False, lvs_director_vrrp_state="MASTER")
    assert rc != 0, out
    assert ("lvs_director_vrrp_state=MASTER with lvs_director_vrrp_preempt=false: keepalived ignores nopreempt on a "
            "MASTER, choose BACKUP") in " ".join(out.split()), out


def test_preflight_passes_a_backup_without_preemption(preflight):
    rc, out = preflight([V4], lvs_director_vrrp_preempt=False, lvs_director_vrrp_state="BACKUP")
    assert rc == 0, out

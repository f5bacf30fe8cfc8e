# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import glob
import os

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "fixtures", "ipvsadm", "1.31")


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as fh:
        return fh.read()


def by_name(services):
    return {s["name"]: s for s in services}


def test_list_handwritten_all_kinds():
    services = by_name(_ipvs.parse_list(fixture("list.handwritten.txt")))
    assert list(services) == [
        "TCP 198.18.0.100:80", "TCP 198.18.0.200:443", "TCP 198.18.0.200:8080", "UDP 198.18.0.200:53",
        "TCP [2001:db8::200]:80", "FWM 7", "FWM 7 IPv6", "TCP 198.18.0.201:80",
    ]
    web = services["TCP 198.18.0.100:80"]
    assert (web["protocol"], web["address"], web["port"], web["scheduler"], web["persistent"]) == ("tcp", "198.18.0.100", 80, "wlc", False)
    assert web["real_servers"] == [
        {"address": "198.18.0.11", "port": 80, "forwarding": "dr", "weight": 100, "active_connections": 12, "inactive_connections": 40},
        {"address": "198.18.0.12", "port": 80, "forwarding": "dr", "weight": 0, "active_connections": 3, "inactive_connections": 17},
    ]
    tls = services["TCP 198.18.0.200:443"]
    assert (tls["persistent"], tls["persistence_timeout"], tls["netmask"]) == (True, 300, None)
    assert tls["real_servers"][0]["forwarding"] == "nat" and tls["real_servers"][0]["port"] == 8443
    sh = services["TCP 198.18.0.200:8080"]
    assert sh["sched_flags"] == ["sh-fallback", "sh-port"]
    assert (sh["persistence_timeout"], sh["netmask"]) == (60, "255.255.255.0")
    assert sh["real_servers"][0]["forwarding"] == "tun" and sh["real_servers"][0]["weight"] == 65535
    assert services["UDP 198.18.0.200:53"]["one_packet"] is True
    v6 = services["TCP [2001:db8::200]:80"]
    assert (v6["family"], v6["address"], v6["netmask"]) == ("ipv6", "2001:db8::200", "64")
    assert [rs["address"] for rs in v6["real_servers"]] == ["2001:db8::11", "2001:db8::12"]
    fwm = services["FWM 7"]
    assert (fwm["fwmark"], fwm["address"], fwm["port"], fwm["protocol"], fwm["family"]) == (7, None, None, None, "ipv4")
    assert [(d["address"], d["port"]) for d in fwm["real_servers"]] == [("198.18.0.11", 0), ("198.18.0.12", 0)]
    assert services["FWM 7 IPv6"]["family"] == "ipv6"
    assert services["TCP 198.18.0.201:80"]["real_servers"] == []


def test_empty_table():
    assert _ipvs.parse_list(fixture("empty.handwritten.txt")) == []
    assert _ipvs.parse_list("") == []


def test_stats_and_rate_merge_by_endpoint():
    services = _ipvs.parse_list(fixture("list.handwritten.txt"))
    _ipvs.merge_counters(services, _ipvs.parse_stats(fixture("stats.handwritten.txt")), "stats")
    _ipvs.merge_counters(services, _ipvs.parse_rate(fixture("rate.handwritten.txt")), "rate")
    s = by_name(services)
    assert s["TCP 198.18.0.100:80"]["stats"] == {"conns": 1234, "inpkts": 98765, "outpkts": 0, "inbytes": 7654321, "outbytes": 0}
    assert s["TCP 198.18.0.100:80"]["real_servers"][1]["stats"]["conns"] == 234
    assert s["TCP [2001:db8::200]:80"]["real_servers"][0]["stats"]["inbytes"] == 4000
    assert s["FWM 7"]["rate"]["inbps"] == 300
    assert s["TCP 198.18.0.100:80"]["real_servers"][0]["rate"] == {"cps": 12, "inpps": 300, "outpps": 0, "inbps": 40000, "outbps": 0}
    # services missing from the counters output get None, not a crash
    assert s["UDP 198.18.0.200:53"]["stats"] is None and s["UDP 198.18.0.200:53"]["real_servers"][0]["rate"] is None


def test_timeout():
    assert _ipvs.parse_timeout(fixture("timeout.handwritten.txt")) == {"tcp": 900, "tcpfin": 120, "udp": 300}
    with pytest.raises(LvsIngressError):
        _ipvs.parse_timeout("nonsense\n")


# What the lab capture (*.captured.txt: director1, idle, so every counter and rate is 0) holds, in its order:
# each virtual service and the endpoints of its real servers.
CAPTURED = [
    ("TCP 198.18.0.200:80", ["198.18.0.11:80", "198.18.0.12:80"]),
    ("TCP 198.18.0.200:443", ["198.18.0.13:8443"]),
    ("TCP 198.18.0.200:8080", ["198.18.0.13:8080"]),
    ("TCP 198.18.0.201:80", []),
    ("UDP 198.18.0.200:53", ["198.18.0.11:53"]),
    ("TCP [2001:db8::200]:80", ["[2001:db8::11]:80", "[2001:db8::12]:80"]),
    ("FWM 7", ["198.18.0.11:0", "198.18.0.12:0"]),
    ("FWM 7 IPv6", ["[2001:db8::11]:0"]),
]
IDLE_STATS = {"conns": 0, "inpkts": 0, "outpkts": 0, "inbytes": 0, "outbytes": 0}
IDLE_RATE = {"cps": 0, "inpps": 0, "outpps": 0, "inbps": 0, "outbps": 0}


def captured_counters(idle):
    return {name: {"counters": dict(idle), "real_servers": {endpoint: dict(idle) for endpoint in endpoints}}
            for name, endpoints in CAPTURED}


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(FIXTURES, "*.captured.txt"))) or [None])
def test_captured_fixtures_parse(path):
    """Every output captured from the lab's directors parses, to what the capture says."""
    if path is None:
        pytest.skip("no captured fixtures yet")
    text = fixture(os.path.basename(path))
    name = os.path.basename(path)
    if name.startswith("timeout"):
        assert _ipvs.parse_timeout(text) == {"tcp": 900, "tcpfin": 120, "udp": 300}
    elif name.startswith("stats"):
        stats = _ipvs.parse_stats(text)
        assert stats == captured_counters(IDLE_STATS)
        assert list(stats) == [name for name, endpoints in CAPTURED]
    elif name.startswith("rate"):
        rate = _ipvs.parse_rate(text)
        assert rate == captured_counters(IDLE_RATE)
        assert list(rate) == [name for name, endpoints in CAPTURED]
    elif name.startswith("empty"):
        assert _ipvs.parse_list(text) == []
    else:
        services = _ipvs.parse_list(text)
        assert [(s["name"], [_ipvs.format_endpoint(d["address"], d["port"]) for d in s["real_servers"]])
                for s in services] == CAPTURED
        for svc in services:
            for rs in svc["real_servers"]:
                assert rs["forwarding"] in ("dr", "nat", "tun")
                assert (rs["active_connections"], rs["inactive_connections"]) == (0, 0)


def test_non_exact_numbers_are_refused():
    text = fixture("empty.handwritten.txt") + "TCP  198.18.0.100:80 wlc\n  -> 198.18.0.11:80               Route   1      1K         0\n"
    with pytest.raises(LvsIngressError, match="--exact"):
        _ipvs.parse_list(text)


def test_garbage_line_is_refused():
    with pytest.raises(LvsIngressError, match="cannot parse"):
        _ipvs.parse_list("something unexpected\n")


@pytest.mark.parametrize("value, expected", [
    ("198.18.0.1", "198.18.0.1"),
    ("2001:DB8:0:0::200", "2001:db8::200"),
    ("[2001:db8::1]", "2001:db8::1"),
])
def test_normalize_address(value, expected):
    assert _ipvs.normalize_address(value) == expected


@pytest.mark.parametrize("value", ["198.18.0.256", "10.1", "host.example", "", None, "2001:db8:::1"])
def test_bad_address_names_value(value):
    with pytest.raises(LvsIngressError) as err:
        _ipvs.normalize_address(value, "real address")
    assert repr(value) in str(err.value) and "real address" in str(err.value)


@pytest.mark.parametrize("value", [0, 65536, -1, "http"])
def test_bad_port(value):
    with pytest.raises(LvsIngressError) as err:
        _ipvs.normalize_port(value, "virtual port")
    assert "invalid virtual port %r" % (value,) in str(err.value)


def test_port_zero_allowed_for_real_servers():
    assert _ipvs.normalize_port(0, "real port", allow_zero=True) == 0


@pytest.mark.parametrize("value", [-1, 65536, "x"])
def test_bad_weight(value):
    with pytest.raises(LvsIngressError, match="weight"):
        _ipvs.normalize_weight(value)


def test_specs_keys_and_argv():
    svc = _ipvs.ServiceSpec("2001:DB8::200", 80, "tcp")
    rs = _ipvs.RealServerSpec(svc, "2001:db8:0::11")
    assert rs.key == "2001:db8::200-80-TCP-2001:db8::11-80"
    assert rs.name == "TCP [2001:db8::200]:80 -> [2001:db8::11]:80"
    assert _ipvs.dest_argv("ipvsadm", "-e", rs, "dr", 0) == ["ipvsadm", "-e", "-t", "[2001:db8::200]:80", "-r", "[2001:db8::11]:80", "-g", "-w", "0"]
    fw = _ipvs.RealServerSpec(_ipvs.ServiceSpec(fwmark=7), "198.18.0.11")
    assert fw.key == "fwmark7-198.18.0.11-0"
    assert _ipvs.dest_argv("ipvsadm", "-d", fw) == ["ipvsadm", "-d", "-f", "7", "-r", "198.18.0.11:0"]
    udp = _ipvs.RealServerSpec(_ipvs.ServiceSpec("198.18.0.200", 53, "udp"), "198.18.0.11", 5353)
    assert _ipvs.dest_argv("ipvsadm", "-a", udp, "nat", 3) == ["ipvsadm", "-a", "-u", "198.18.0.200:53", "-r", "198.18.0.11:5353", "-m", "-w", "3"]


def test_family_mismatch_refused():
    with pytest.raises(LvsIngressError, match="different families"):
        _ipvs.RealServerSpec(_ipvs.ServiceSpec("198.18.0.200", 80), "2001:db8::11")


def test_find_and_filter():
    services = _ipvs.parse_list(fixture("list.handwritten.txt"))
    spec = _ipvs.RealServerSpec(_ipvs.ServiceSpec(fwmark=7, family="ipv6"), "2001:db8::11")
    svc = _ipvs.find_service(services, spec.service)
    assert svc["name"] == "FWM 7 IPv6"
    assert _ipvs.find_real_server(svc, spec)["weight"] == 10
    only = _ipvs.filter_services(services, None, ("198.18.0.11", None))
    assert [s["name"] for s in only] == ["TCP 198.18.0.100:80", "UDP 198.18.0.200:53", "FWM 7"]
    assert all(len(s["real_servers"]) == 1 for s in only)
    assert _ipvs.filter_services(services, _ipvs.ServiceSpec("198.18.0.200", 443), ("198.18.0.11", None)) == []


def test_run_checked_reports_command():
    with pytest.raises(LvsIngressError) as err:
        _ipvs.run_checked(lambda argv: (2, "", "Can't initialize ipvs: Protocol not available\n"), ["ipvsadm", "-Ln"], "IPVS table")
    assert err.value.details["rc"] == 2 and err.value.details["cmd"] == ["ipvsadm", "-Ln"]
    assert "Protocol not available" in str(err.value)


def test_captured_list_matches_handwritten_apart_from_counters():
    """The lab capture (same services, created with ipvsadm on director1) parses to what the handwritten fixture says."""
    def shape(text):
        return sorted((s["name"], s["scheduler"], tuple(s["sched_flags"]), s["persistence_timeout"], s["netmask"], s["one_packet"],
                       tuple((d["address"], d["port"], d["forwarding"], d["weight"]) for d in s["real_servers"]))
                      for s in _ipvs.parse_list(text))
    captured = {s[0]: s for s in shape(fixture("list.captured.txt"))}
    handwritten = {s[0]: s for s in shape(fixture("list.handwritten.txt"))}
    # the handwritten file has web on 198.18.0.100 and 198.18.0.14 as the tunnel server; the capture used .200 and .13
    same = ["TCP 198.18.0.200:443", "UDP 198.18.0.200:53", "TCP [2001:db8::200]:80", "FWM 7", "FWM 7 IPv6", "TCP 198.18.0.201:80"]
    for name in same:
        assert captured[name] == handwritten[name]
    assert captured["TCP 198.18.0.200:80"][6] == (("198.18.0.11", 80, "dr", 100), ("198.18.0.12", 80, "dr", 0))
    assert captured["TCP 198.18.0.200:8080"][2] == ("sh-fallback", "sh-port")


def test_captured_stats_and_rate_name_what_the_captured_list_has():
    """The three captures were taken of one table: --stats and --rate list its services and real servers."""
    table = {s["name"]: sorted(_ipvs.format_endpoint(d["address"], d["port"]) for d in s["real_servers"])
             for s in _ipvs.parse_list(fixture("list.captured.txt"))}
    for counters in (_ipvs.parse_stats(fixture("stats.captured.txt")), _ipvs.parse_rate(fixture("rate.captured.txt"))):
        assert {name: sorted(c["real_servers"]) for name, c in counters.items()} == table


@pytest.mark.parametrize("value, expected", [("2001:DB8:0::11", "2001:db8::11"), ("198.18.0.7", "198.18.0.7"), ("10.1", None), ("1.2.3.256", None)])
def test_normalize_address_without_netaddr(monkeypatch, value, expected):
    """Directors without python3-netaddr fall back to the standard library with the same strictness."""
    monkeypatch.setattr(_ipvs, "HAS_NETADDR", False)
    if expected is None:
        with pytest.raises(LvsIngressError, match="invalid address"):
            _ipvs.normalize_address(value)
    else:
        assert _ipvs.normalize_address(value) == expected

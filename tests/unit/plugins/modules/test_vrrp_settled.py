# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import json
import os

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _vrrp
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.modules import vrrp_settled

# `ip -json address show dev eth0` on the lab's director1 while it held the VIP 198.18.0.100
with open(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "ip-json-address-director1.json")) as fh:
    DIRECTOR1 = fh.read()


def _without(text, address):
    links = json.loads(text)
    for link in links:
        link["addr_info"] = [a for a in link["addr_info"] if a["local"] != address]
    return json.dumps(links)


def _with(text, address, family="inet6"):
    links = json.loads(text)
    links[0]["addr_info"].append({"family": family, "local": address, "prefixlen": 128, "scope": "global"})
    return json.dumps(links)


class IpScript:
    """`ip` whose output follows a script of [(from_second, output or None for no interface), ...] on the fake clock."""

    def __init__(self, clock, script):
        self.clock, self.script, self.calls = clock, script, []

    def run(self, argv):
        self.calls.append(argv)
        out = [text for since, text in self.script if since <= self.clock.elapsed][-1]
        return (1, "", 'Device "%s" does not exist.\n' % argv[-1]) if out is None else (0, out, "")

    def module(self, params):
        return vrrp_settled.run(params, self.run, self.clock.monotonic, self.clock.sleep)


def _params(**kw):
    params = dict(interface="eth0", addresses=["198.18.0.100/32"], window=13.0, timeout=60.0, interval=0.5)
    params.update(kw)
    return params


def test_parse_reads_every_address_of_the_interface_canonical():
    assert _vrrp.parse_interface_addresses(DIRECTOR1, "eth0") == ["198.18.0.2", "198.18.0.100", "fe80::5054:ff:fe12:2"]
    assert _vrrp.parse_interface_addresses(_with(DIRECTOR1, "2001:DB8:0:0::100"), "eth0")[-1] == "2001:db8::100"


def test_a_steady_holder_is_settled_after_the_window(fake_clock):
    steps = IpScript(fake_clock, [(0, DIRECTOR1)])
    result = steps.module(_params())
    assert result["held"] == ["198.18.0.100"] and result["changes"] == 0 and result["changed"] is False
    assert result["addresses"] == ["198.18.0.100"]
    assert result["elapsed"] == 13.0 and result["polls"] == 27
    assert steps.calls[0] == ["ip", "-json", "address", "show", "dev", "eth0"]


def test_a_backup_holds_nothing_and_ipv6_compares_canonically(fake_clock):
    steps = IpScript(fake_clock, [(0, _with(_without(DIRECTOR1, "198.18.0.100"), "2001:db8::100"))])
    result = steps.module(_params(addresses=["198.18.0.100", "2001:0DB8::0100/64"]))
    assert result["held"] == ["2001:db8::100"] and result["addresses"] == ["198.18.0.100", "2001:db8::100"]


def test_an_election_in_progress_restarts_the_window(fake_clock):
    # holds the VIP for 3 s (both directors timed out waiting for adverts), then gives way
    steps = IpScript(fake_clock, [(0, DIRECTOR1), (3, _without(DIRECTOR1, "198.18.0.100"))])
    result = steps.module(_params())
    assert result["held"] == [] and result["changes"] == 1
    assert result["elapsed"] == 16.0


def test_flapping_fails_naming_the_interface_changes_and_last_holding(fake_clock):
    script = [(t, DIRECTOR1 if t % 10 == 0 else _without(DIRECTOR1, "198.18.0.100")) for t in range(0, 100, 5)]
    steps = IpScript(fake_clock, script)
    with pytest.raises(LvsIngressError) as err:
        steps.module(_params(timeout=30.0))
    assert str(err.value) == ("VRRP on eth0 did not settle within 30.0s: the held addresses changed 6 time(s), "
                              "last to ['198.18.0.100']")
    assert err.value.details["changes"] == 6 and err.value.details["held"] == ["198.18.0.100"]


def test_a_missing_interface_fails_naming_it(fake_clock):
    steps = IpScript(fake_clock, [(0, None)])
    with pytest.raises(LvsIngressError, match="no such interface: eth9"):
        steps.module(_params(interface="eth9"))


@pytest.mark.parametrize("kw, text", [
    ({"addresses": ["300.1.1.1"]}, "300.1.1.1"),
    ({"addresses": []}, "addresses is empty"),
    ({"window": 0.0}, "window must be greater than 0"),
    ({"timeout": -1.0}, "timeout must be greater than 0"),
])
def test_bad_input_names_the_option_and_value(kw, text, fake_clock):
    steps = IpScript(fake_clock, [(0, DIRECTOR1)])
    with pytest.raises(LvsIngressError, match=text):
        steps.module(_params(**kw))
    assert steps.calls == []

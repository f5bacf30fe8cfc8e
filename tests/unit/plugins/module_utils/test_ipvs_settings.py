# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import os

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs_settings

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "ipvs_sysctl", "6.1", "defaults.txt")
PERSISTENT = [{"name": "TCP 198.18.0.100:443", "persistent": True}, {"name": "TCP 198.18.0.100:80", "persistent": False}]
PLAIN = [{"name": "TCP 198.18.0.100:80", "persistent": False}]


def captured(path=FIXTURE):
    """``grep . /proc/sys/net/ipv4/vs/*`` of a lab director (kernel defaults) -> a settings directory's files."""
    out = {}
    with open(path) as fh:
        for line in fh:
            name, dummy, value = line.strip().partition(":")
            out[os.path.basename(name)] = value
    return out


@pytest.fixture
def sysctl_dir(tmp_path):
    def make(**changes):
        files = captured()
        files.update({k: str(v) for k, v in changes.items()})
        for name, value in files.items():
            (tmp_path / name).write_text(value + "\n")
        return str(tmp_path)
    return make


def test_reads_the_captured_kernel_defaults(sysctl_dir):
    settings = _ipvs_settings.read_settings(sysctl_dir())
    assert settings["conn_reuse_mode"] == 1
    assert settings["expire_nodest_conn"] == 0
    assert settings["expire_quiescent_template"] == 0
    assert settings["conntrack"] == 0
    assert isinstance(settings["sync_ports"], int)


def test_missing_directory_reads_as_empty_and_is_a_hazard(tmp_path):
    settings = _ipvs_settings.read_settings(str(tmp_path / "absent"))
    assert settings == {}
    (hazard,) = _ipvs_settings.drain_hazards(settings, PLAIN, (6, 1))
    assert "could not be read" in hazard["msg"]


def test_kernel_defaults_are_a_hazard_naming_setting_and_value(sysctl_dir):
    settings = _ipvs_settings.read_settings(sysctl_dir())
    (hazard,) = _ipvs_settings.drain_hazards(settings, PLAIN, (6, 1))
    assert (hazard["setting"], hazard["value"], hazard["want"]) == ("net.ipv4.vs.expire_nodest_conn", 0, 1)
    assert hazard["msg"].startswith("net.ipv4.vs.expire_nodest_conn = 0 (want 1): ")


def test_expire_nodest_conn_is_enough_without_persistence(sysctl_dir):
    settings = _ipvs_settings.read_settings(sysctl_dir(expire_nodest_conn=1))
    assert _ipvs_settings.drain_hazards(settings, PLAIN, (6, 1)) == []


def test_persistent_service_needs_expire_quiescent_template(sysctl_dir):
    settings = _ipvs_settings.read_settings(sysctl_dir(expire_nodest_conn=1))
    (hazard,) = _ipvs_settings.drain_hazards(settings, PERSISTENT, (6, 1))
    assert hazard["setting"] == "net.ipv4.vs.expire_quiescent_template" and hazard["value"] == 0
    assert "TCP 198.18.0.100:443" in hazard["why"] and "TCP 198.18.0.100:80" not in hazard["why"]
    settings = _ipvs_settings.read_settings(sysctl_dir(expire_nodest_conn=1, expire_quiescent_template=1))
    assert _ipvs_settings.drain_hazards(settings, PERSISTENT, (6, 1)) == []


@pytest.mark.parametrize("kernel, hazard", [((5, 15), True), ((4, 19), True), (None, True), ((5, 16), False), ((6, 1), False)])
def test_conn_reuse_mode_0_matters_before_5_16(sysctl_dir, kernel, hazard):
    settings = _ipvs_settings.read_settings(sysctl_dir(expire_nodest_conn=1, conn_reuse_mode=0))
    found = [h["setting"] for h in _ipvs_settings.drain_hazards(settings, PLAIN, kernel)]
    assert found == (["net.ipv4.vs.conn_reuse_mode"] if hazard else [])


@pytest.mark.parametrize("release, version", [("6.1.0-28-cloud-amd64", (6, 1)), ("5.16", (5, 16)), ("4.19.0", (4, 19)),
                                              ("weird", None), ("6", None)])
def test_kernel_version(release, version):
    assert _ipvs_settings.kernel_version(release) == version

# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of nginx_graceful_stop (its run() function)."""
from __future__ import annotations

import os
import sys

import pytest
from node_harness import assert_documented_like_the_spec, nginx_host, params

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fake_proc import ANY, LISTEN, FakeProc  # noqa: E402

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError  # noqa: E402
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._procfs import ProcFS  # noqa: E402
from ansible_collections.baremetal.lvs_ingress.plugins.modules import nginx_graceful_stop  # noqa: E402


def test_documented_defaults_match_the_argument_spec():
    assert_documented_like_the_spec(nginx_graceful_stop)


class FakeModule:
    def __init__(self, check_mode, **values):
        self.params = params(nginx_graceful_stop.ARGUMENT_SPEC, **values)
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)


def test_stop_check_mode_signals_nothing(tmp_path, monkeypatch):
    proc = nginx_host(tmp_path)
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("check mode must not signal"))
    flag = str(tmp_path / "close")
    result = nginx_graceful_stop.run(FakeModule(True, close_flag=flag), proc)
    assert result["changed"] is True and result["master"]["pid"] == 100 and result["close_window"] is None
    assert "SIGQUIT to nginx master pid 100" in result["plan"][1]
    assert result["diff"]["before"]["running"] is True and result["diff"]["after"]["running"] is False
    assert not os.path.exists(flag)


def test_stop_absent_allowed(tmp_path):
    fake = FakeProc(tmp_path)
    result = nginx_graceful_stop.run(FakeModule(False, allow_absent=True), ProcFS(fake.root))
    assert result["changed"] is False


def test_stop_absent_is_an_error_by_default(tmp_path):
    fake = FakeProc(tmp_path)
    with pytest.raises(LvsIngressError, match="no nginx master process found"):
        nginx_graceful_stop.run(FakeModule(False), ProcFS(fake.root))


@pytest.mark.parametrize("option, value, message", [
    ("timeout", 0, "timeout must be greater than 0 seconds, got 0"),
    ("close_window_timeout", -5, "close_window_timeout must be greater than 0 seconds, got -5"),
    ("port", 70000, "port must be 1..65535, got 70000"),
])
def test_stop_bad_input_names_the_value(tmp_path, monkeypatch, option, value, message):
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("bad input must not signal"))
    with pytest.raises(LvsIngressError, match=message):
        nginx_graceful_stop.run(FakeModule(False, **{option: value}), nginx_host(tmp_path))


def test_stop_relative_close_flag_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("bad input must not signal"))
    with pytest.raises(LvsIngressError, match="close_flag must be an absolute path, got 'close'"):
        nginx_graceful_stop.run(FakeModule(False, close_flag="close"), nginx_host(tmp_path))


@pytest.mark.parametrize("selector", [{"port": 8081}, {"config": "/tmp/other/nginx.conf"}, {"pid_file": "/run/other.pid"}])
def test_stop_absent_allowed_while_another_master_runs(tmp_path, monkeypatch, selector):
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("the other master must not be signalled"))
    result = nginx_graceful_stop.run(FakeModule(False, allow_absent=True, **selector), nginx_host(tmp_path))
    assert result["changed"] is False and result["close_window"] is None
    assert result["diff"] == {"before": {"running": False}, "after": {"running": False}}


def test_stop_several_matching_masters_is_an_error_even_with_allow_absent(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "kill", lambda *a: pytest.fail("nothing may be signalled"))
    fake = FakeProc(tmp_path)
    for pid, inode in ((100, 500), (200, 600)):
        fake.add(pid, cmdline="nginx: master process nginx", sockets=[inode], mnt="mnt:[%d]" % pid,
                 tcp=[((ANY, 80 if pid == 100 else 8081), (ANY, 0), LISTEN, inode)])
    with pytest.raises(LvsIngressError, match="2 nginx masters match; choose one"):
        nginx_graceful_stop.run(FakeModule(False, allow_absent=True), ProcFS(fake.root))

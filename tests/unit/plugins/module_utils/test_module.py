# SPDX-License-Identifier: GPL-3.0-or-later
"""The glue every module shares: runner, binary lookup, Host and the one failure path, on a stand-in module."""

from __future__ import annotations

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _module
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


class Failed(Exception):
    pass


class StandIn:
    """The AnsibleModule methods _module calls, recording what they were given."""

    check_mode = True
    _diff = False

    def __init__(self, bins=None):
        self.bins = bins or {}
        self.calls = []

    def run_command(self, argv, **kwargs):
        self.calls.append((argv, kwargs))
        return 0, "out", ""

    def get_bin_path(self, name, required=False, opt_dirs=None):
        self.calls.append((name, opt_dirs))
        return self.bins.get(name)

    def atomic_move(self, src, dest):
        self.calls.append(("move", src, dest))

    def fail_json(self, msg, **kwargs):
        raise Failed(dict(kwargs, msg=msg))


def test_runner_passes_argv_with_lc_all_c():
    module = StandIn()
    assert _module.runner(module)(["ipvsadm", "-Ln"]) == (0, "out", "")
    assert module.calls == [(["ipvsadm", "-Ln"], {"environ_update": {"LC_ALL": "C"}})]


def test_find_binary_looks_in_sbin_and_names_what_is_missing():
    assert _module.find_binary(StandIn({"ipvsadm": "/usr/sbin/ipvsadm"}), "ipvsadm", "ipvsadm") == "/usr/sbin/ipvsadm"
    module = StandIn()
    with pytest.raises(LvsIngressError) as err:
        _module.find_binary(module, "nginx", "nginx")
    assert "nginx 'nginx' not found" in err.value.msg and err.value.details == {"binary": "nginx"}
    assert "/usr/sbin" in module.calls[0][1]


def test_host_hands_on_the_module():
    module = StandIn({"ipvsadm": "/sbin/ipvsadm"})
    host = _module.Host(module)
    assert (host.check_mode, host.diff) == (True, False)
    assert host.find_binary("ipvsadm", "ipvsadm") == "/sbin/ipvsadm"
    host.run(["true"])
    host.atomic_move("/tmp/a", "/tmp/b")
    assert module.calls[-2:] == [(["true"], {"environ_update": {"LC_ALL": "C"}}), ("move", "/tmp/a", "/tmp/b")]


def test_fail_turns_details_and_extra_into_fail_json():
    err = LvsIngressError("it broke", rc=2, cmd=["x"], changed=False)
    err.details["msg"] = "ignored"  # a detail named msg never overrides the message
    with pytest.raises(Failed) as failed:
        _module.fail(StandIn(), err, changed=True, director="d1")
    assert failed.value.args[0] == {"msg": "it broke", "rc": 2, "cmd": ["x"], "changed": True, "director": "d1"}
    assert err.details == {"rc": 2, "cmd": ["x"], "changed": False, "msg": "ignored"}  # the error is left as it was

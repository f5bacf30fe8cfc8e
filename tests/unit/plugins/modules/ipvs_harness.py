# SPDX-License-Identifier: GPL-3.0-or-later
"""Drive a director-side module in-process with an ordered list of expected run_command calls."""

from __future__ import annotations

import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "fixtures", "ipvsadm", "1.31")
IPVSADM = "/usr/sbin/ipvsadm"
LIST = [IPVSADM, "-Ln", "--exact"]
HEADER = ("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as fh:
        return fh.read()


def ipvs_list(*services):
    """ipvs_list(("TCP  198.18.0.200:80 wlc", [("198.18.0.11:80", "Route", 1, 0, 0)]), ...) in ipvsadm's layout."""
    out = HEADER
    for head, dests in services:
        out += head + "\n"
        for endpoint, fwd, weight, active, inactive in dests:
            out += "  -> %-28s %-7s %-6d %-10u %-10u\n" % (endpoint, fwd, weight, active, inactive)
    return out


class Exit(Exception):
    def __init__(self, result, failed):
        super().__init__(result.get("msg"))
        self.result = result
        self.failed = failed


class Commands:
    """Ordered (argv, rc, stdout, stderr) expectations; each call must match the next one exactly."""

    def __init__(self, expected):
        self.expected = list(expected)
        self.seen = []

    def __call__(self, module, args, **kwargs):
        assert isinstance(args, list), "run_command must get an argv list, got %r" % (args,)
        assert (kwargs.get("environ_update") or {}).get("LC_ALL") == "C", "LC_ALL=C missing for %r" % (args,)
        assert self.expected, "unexpected command %r" % (args,)
        argv, rc, out, err = self.expected.pop(0)
        assert args == argv
        self.seen.append(args)
        return rc, out, err


def run_module(main, args, commands, check_mode=False, diff=False, bins=None):
    """Run ``main()``; return (result, failed, Commands). Every expected command must have been used."""
    cmds = Commands(commands)
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    bins = {"ipvsadm": IPVSADM} if bins is None else bins

    def exit_json(self, **kw):
        raise Exit(kw, False)

    def fail_json(self, msg, **kw):
        kw["msg"] = msg
        raise Exit(kw, True)

    def get_bin_path(self, arg, required=False, opt_dirs=None):
        return bins.get(os.path.basename(arg))

    def run_command(self, args, **kw):
        return cmds(self, args, **kw)

    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(basic.AnsibleModule, "run_command", run_command)
        mp.setattr(basic.AnsibleModule, "exit_json", exit_json)
        mp.setattr(basic.AnsibleModule, "fail_json", fail_json)
        mp.setattr(basic.AnsibleModule, "get_bin_path", get_bin_path)
        with patch_module_args(args):
            with pytest.raises(Exit) as exc:
                main()
    finally:
        mp.undo()
    if not exc.value.failed:
        assert cmds.expected == [], "expected commands not run: %r" % (cmds.expected,)
    return exc.value.result, exc.value.failed, cmds

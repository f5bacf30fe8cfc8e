# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One fake director for the state logic of the IPVS modules (``_real_server``, ``_wait_drained``): the ``ipvsadm -Ln``
listing of one virtual service, and a host whose ``run`` answers an ordered list of commands."""

from __future__ import annotations

import os

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

IPVSADM = "/usr/sbin/ipvsadm"
LIST = [IPVSADM, "-Ln", "--exact"]
NAME = "TCP 198.18.0.200:80 -> 198.18.0.11:80"


def table(weight=None, active=0, inactive=0):
    """``ipvsadm -Ln`` with the service, and the real server unless ``weight`` is None."""
    out = ("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
           "TCP  198.18.0.200:80 wlc\n")
    if weight is not None:
        out += "  -> %-28s %-7s %-6d %-10u %-10u\n" % ("198.18.0.11:80", "Route", weight, active, inactive)
    return out


def listings(*tables):
    """The commands of a host that is asked for its table once per listing and answers them in order."""
    return [(LIST, 0, listing, "") for listing in tables]


class FakeHost:
    """What ``_module.Host`` gives the state logic, with run() checking an ordered list of (argv, rc, out, err);
    ``find_binary`` finds ipvsadm unless ``ipvsadm`` is None."""

    def __init__(self, commands=(), check_mode=False, diff=False, ipvsadm=IPVSADM):
        self.expected = list(commands)
        self.seen = []
        self.check_mode = check_mode
        self.diff = diff
        self.ipvsadm = ipvsadm
        self.atomic_move = os.replace

    def run(self, argv):
        assert self.expected, "unexpected command %r" % (argv,)
        want, rc, out, err = self.expected.pop(0)
        assert argv == want
        self.seen.append(argv)
        return rc, out, err

    def find_binary(self, name, what):
        if not self.ipvsadm:
            raise LvsIngressError("%s not found" % what, binary=name)
        return self.ipvsadm

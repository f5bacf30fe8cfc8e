# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lvs_director role's VRRP check (tasks_from: vrrp_settled.yml), which rolling_upgrade and drain run before
they touch a node: it waits out an election (both directors restarted at once) and fails, naming the holders,
when two directors hold the VIP (a split brain)."""

from __future__ import annotations

import os
import subprocess
import time

import lab

PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "vrrp_settled.yml")


def run_check():
    argv = [os.path.join(lab.VENV_BIN, "ansible-playbook"), "-i", lab.inventory(), PLAYBOOK,
            "-e", "lvs_director_vrrp_settle_timeout=30"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, env=lab.ansible_env(), cwd=lab.ROOT,
                          stdin=subprocess.DEVNULL)


def holders_over(seconds):
    """The VIP holders sampled for ``seconds``: one sorted list per sample."""
    samples = []
    deadline = lab.now() + seconds
    while lab.now() < deadline:
        samples.append(lab.vip_holders())
        time.sleep(0.5)
    return samples


def test_check_waits_out_an_election(converged):
    # both directors restarted at once: each waits for adverts in BACKUP, the first to time out takes the VIP,
    # the higher priority one takes it over a moment later
    t0 = lab.now()
    lab.on_all(lab.DIRECTORS, lambda d: lab.run_on(d, ["systemctl", "restart", "keepalived"]))
    res = run_check()
    settled_after = lab.now() - t0
    samples = holders_over(6)
    lab.record("vrrp_settled_after_restart_of_both", check_returned_after=round(settled_after, 1),
               holders_sampled_after=sorted({tuple(s) for s in samples}),
               command="systemctl restart keepalived on both directors at once, then tests/lab/playbooks/vrrp_settled.yml")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "VRRP settled" in res.stdout and "'%s': ['director1']" % lab.VIP in res.stdout, res.stdout[-3000:]
    # what the check promised holds afterwards: director1 alone, every sample
    assert all(s == ["director1"] for s in samples), samples


def test_check_fails_naming_both_holders_of_a_split_brain(converged):
    # director2 also answers for the VIP, as both directors do when VRRP adverts get lost between them
    lab.run_on("director2", ["ip", "addr", "add", lab.VIP + "/32", "dev", "eth0"])
    try:
        assert lab.vip_holders() == ["director1", "director2"]
        res = run_check()
    finally:
        lab.run_on("director2", ["ip", "addr", "del", lab.VIP + "/32", "dev", "eth0"], check=False)
        # the client may have learnt director2's MAC for the VIP meanwhile
        subprocess.run([lab.LVSLAB, "client", "--", "ip", "neigh", "flush", "all"], check=False,
                       capture_output=True, stdin=subprocess.DEVNULL)
    assert res.returncode != 0, res.stdout[-3000:]
    assert "VRRP has not settled on one director" in res.stdout, res.stdout[-3000:]
    assert "'%s': ['director1', 'director2']" % lab.VIP in res.stdout, res.stdout[-3000:]

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Node-side helpers for the lab tests (on top of ``lab.py``): run the collection's playbooks and read the
module results they print, count the requests a node served, wait for a weight on a director."""

from __future__ import annotations

import json
import os
import subprocess
import time

import lab

ACCESS_LOG = "/var/log/nginx/access.log"
LOADGEN_AGENT = "lvs-ingress-loadgen"


def playbook_command(playbook, extra_vars=None, options=()):
    """(argv, env) of ``ansible-playbook -v`` of a collection playbook on the lab inventory."""
    argv = [os.path.join(lab.VENV_BIN, "ansible-playbook"), "-v", "-i", lab.inventory(), playbook]
    for name, value in (extra_vars or {}).items():
        # key=value gives a string; anything else (lists, numbers a spec must see as such) goes as JSON
        argv += ["-e", "%s=%s" % (name, value) if isinstance(value, str) else json.dumps({name: value})]
    argv += list(options)
    env = lab.ansible_env()
    env.update(ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_CALLBACK_FORMAT_PRETTY="false")
    return argv, env


def run_playbook(playbook, extra_vars=None, timeout=600, options=()):
    """``ansible-playbook -v`` of a collection playbook (``baremetal.lvs_ingress.drain``) on the lab inventory.

    ``options`` are more ansible-playbook arguments (``--check``). Returns (CompletedProcess, {task name:
    [(host, result dict), ...]}): the default callback prints each result as one JSON line
    (``changed: [ingress2] => {...}``), which is read back here."""
    argv, env = playbook_command(playbook, extra_vars, options)
    res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=lab.ROOT,
                         stdin=subprocess.DEVNULL)
    return res, parse_results(res.stdout)


def parse_results(stdout):
    results = {}
    task = None
    for line in stdout.splitlines():
        if line.startswith("TASK ["):
            task = line[len("TASK ["):line.rindex("]")]
            continue
        if task is None or not line.startswith(("ok: [", "changed: [", "fatal: [", "failed: [", "skipping: [")):
            continue
        host = line[line.index("[") + 1:line.index("]")]
        start = line.find(" => {")
        if start < 0:
            continue
        try:
            result = json.loads(line[start + 4:])
        except ValueError:
            continue
        results.setdefault(task, []).append((host, result))
    return results


def task_result(results, suffix, host):
    """The result of the task whose name ends with ``suffix`` on ``host`` (task names carry the role/file prefix)."""
    for name, items in results.items():
        if name.endswith(suffix):
            for item_host, result in items:
                if item_host == host:
                    return result
    raise lab.LabFailure("no result of task %r for %s in %s" % (suffix, host, sorted(results)))


def loadgen_requests(node):
    """Requests of lab/loadgen.py the node's nginx logged so far."""
    res = lab.run_on(node, ["grep", "-c", LOADGEN_AGENT, ACCESS_LOG], check=False)
    return int(res.stdout.strip() or 0)


def wait_weight(director, ip, weight, timeout=60):
    """Wait until ``ipvsadm -Ln`` on the director shows ``weight`` for the real server ``ip``; seconds waited."""
    start = lab.now()
    last = None
    while lab.now() - start < timeout:
        table = lab.ipvs_table(director) or {}
        last = table.get(ip)
        if last is not None and last["weight"] == weight:
            return lab.now() - start
        time.sleep(0.5)
    raise lab.LabFailure("%s: %s never had weight %d within %ds (last %s)" % (director, ip, weight, timeout, last))


def drain_weights(ip):
    """Weight 0 for ``ip`` on both directors (keepalived weight files), nothing on the node: no drain switch,
    no close window. What a plain 'weight 0, then stop' procedure does."""
    results = lab.ansible_module(",".join(lab.DIRECTORS), "ipvs_real_server", lab.real_server_args(ip, state="drained"))
    for director, result in results.items():
        if result.get("failed"):
            raise lab.LabFailure("draining %s on %s: %s" % (ip, director, result.get("msg")))
    return results


def lab_state():
    """What a refused run must leave as it was, byte for byte: each director's IPVS table (``ipvsadm -Sn``),
    keepalived configuration, weight files and kernel settings; each node's nginx main pid, installed nginx,
    switches, nginx configuration, VIP unit and kernel settings."""
    state = {}
    for director in lab.DIRECTORS:
        state[director] = lab.sh_on(director, "ipvsadm -Sn; cat /etc/keepalived/keepalived.conf %s; "
                                              "grep -rH . /etc/keepalived/lvs_ingress/" % lab.SYSCTL_FILE).stdout
    for node in lab.NODES:
        state[node] = lab.sh_on(node, "systemctl show --property=MainPID --value nginx; "
                                      "dpkg-query --showformat='${Version}' --show nginx; echo; "
                                      "ls %s %s 2>&1; cat /etc/nginx/conf.d/*.conf %s "
                                      "/etc/systemd/system/lvs-ingress-vips.service; ip -o address show"
                                % (lab.DRAIN_FLAG, lab.CLOSE_FLAG, lab.SYSCTL_FILE), check=False).stdout
    return state


def assert_refused(playbook, extra_vars, *expected, options=()):
    """Run ``playbook``; it must fail, print every text of ``expected`` and leave lab_state() as it was.
    Returns the output."""
    before = lab_state()
    res, _ = run_playbook(playbook, extra_vars, options=options)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-3000:]
    for text in expected:
        assert text in out, "%r not in the output: %s" % (text, out[-3000:])
    after = lab_state()
    changed = sorted(host for host in before if before[host] != after[host])
    assert not changed, "the refused run changed %s" % ", ".join(changed)
    return out

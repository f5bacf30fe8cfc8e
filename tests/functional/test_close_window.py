# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Functional proof on real nginx (needs root, nginx, ip, unshare): the close window loses no request.

Run: sudo .venv/bin/pytest -q tests/functional   (about a minute)

Each scenario: two nginx nodes in a fresh network namespace ``lvsn-test-*``,
20 pooled keep-alive clients (lab/loadgen.py) sending back to back to both,
then node A is "drained" (removed from the loadgen's targets file, like
weight 0 on the director) and stopped. The switch (close window + SIGQUIT)
must lose nothing; the baselines (plain SIGQUIT, reload then quit) must lose
requests, which proves the test can fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from nginx_netns import ROOT, Lab  # noqa: E402

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _nginx  # noqa: E402

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces, signals to nginx)"),
    pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx installed"),
    pytest.mark.skipif(shutil.which("ip") is None or shutil.which("unshare") is None, reason="needs ip and unshare"),
]

RUNS = 3
LOAD_SECONDS = 4.0
WARMUP = 1.2        # load on both nodes before the drain
DIRECTOR_LAG = 0.3  # after the drain, before the stop: established connections stay on node A


@pytest.fixture
def lab():
    lab = Lab()
    try:
        yield lab
    finally:
        lab.close()


def wait_gone(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except FileNotFoundError:
            return
        time.sleep(0.01)
    raise AssertionError("nginx %d did not exit" % pid)


def stop_with_switch(lab, node):
    master = _nginx.select_master(_nginx.discover_masters(), config=node.conf)
    return _nginx.graceful_stop(master, node.close_flag, close_window_timeout=10, timeout=20,
                                ports=[node.port], interval=0.05)


def stop_plain_quit(lab, node):
    pid = node.master_pid()
    os.kill(pid, signal.SIGQUIT)
    wait_gone(pid)


def stop_reload_then_quit(lab, node):
    """The articles' remedy: reload (old workers stop keep-alive), then quit."""
    pid = node.master_pid()
    os.kill(pid, signal.SIGHUP)
    time.sleep(1.0)
    os.kill(pid, signal.SIGQUIT)
    wait_gone(pid)


def scenario(lab, stop, nodes=None):
    a, b = nodes or lab.two_nodes()
    load = lab.start_load(connections=20, duration=LOAD_SECONDS)
    time.sleep(WARMUP)
    lab.set_targets([b])  # the director takes node A out: new connections go to B only
    time.sleep(DIRECTOR_LAG)
    report = stop(lab, a)
    result = lab.finish_load(load)
    assert result["per_node"].get(a.name, 0) > 0 and result["per_node"].get(b.name, 0) > 0, result
    return result, report


def test_close_switch_keeps_location_args_and_proxying(lab):
    a = lab.add_node("nodeA", 8081)
    a.start()
    base = "http://127.0.0.1:8081"
    cases = {
        "/a/b?x=1&y=%20z": "uri=/a/b args=x=1&y=%20z request_uri=/a/b?x=1&y=%20z",
        "/proxy/p?k=v%26w": "backend request_uri=/proxy/p?k=v%26w uri=/proxy/p args=k=v%26w",
    }
    for flag in (False, True):
        if flag:
            open(a.close_flag, "w").close()
        for path, body in cases.items():
            out = lab.curl(base + path)
            assert body in out, (flag, path, out)
            assert ("Connection: close" in out) is flag, out
            assert "X-Lvs-Node: nodeA" in out
    # documented difference: a proxy_pass without URI part gets the re-escaped, decoded URI, not the raw one
    out = lab.curl(base + "/proxy/p%2Fq/%7Euser?z=1")
    assert "backend request_uri=/proxy/p/q/~user?z=1" in out, out
    os.unlink(a.close_flag)
    out = lab.curl(base + "/proxy/p%2Fq/%7Euser?z=1")
    assert "backend request_uri=/proxy/p%2Fq/%7Euser?z=1" in out, out
    # the detour location cannot be reached from outside
    assert lab.curl(base + "/__lvs_ingress_close/a").startswith("HTTP/1.1 404")
    # drain switch: lvscheck answers 503 while the flag exists
    assert lab.curl("http://127.0.0.1:8181/status", host="lvscheck").startswith("HTTP/1.1 200")
    open(a.drain_flag, "w").close()
    assert lab.curl("http://127.0.0.1:8181/status", host="lvscheck").startswith("HTTP/1.1 503")


@pytest.mark.parametrize("run", range(RUNS))
def test_close_window_then_quit_loses_nothing(lab, run):
    # Precondition: node A holds client connections when it is stopped (on a very busy host the load may
    # not have reached it yet). Not met: set up again, at most 3 times; the assertions below are unchanged.
    labs = [lab]
    try:
        for _attempt in range(3):
            result, report = scenario(labs[-1], stop_with_switch)
            if report["close_window"]["connections_at_start"] > 0:
                break
            labs.append(Lab())
    finally:
        for extra in labs[1:]:
            extra.close()
    print("switch run %d: %s %s" % (run, json.dumps(result), json.dumps(report)))
    assert result["failed"] == 0, result
    assert result["server_closes"] > 0, result  # the switch did the work, not luck
    assert report["close_window"]["timed_out"] is False
    assert report["close_window"]["connections_at_start"] > 0
    assert report["signals"] == [{"pid": report["signals"][0]["pid"], "signal": "SIGQUIT"}]


@pytest.mark.parametrize("stop", [stop_plain_quit, stop_reload_then_quit], ids=["plain_quit", "reload_then_quit"])
def test_baseline_loses_requests(stop):
    """Without the switch, requests on keep-alive connections are lost (summed over runs: no flaky single run)."""
    lost = []
    for run in range(RUNS):
        lab = Lab()
        try:
            result, stats = scenario(lab, stop)
        finally:
            lab.close()
        print("%s run %d: %s" % (stop.__name__, run, json.dumps(result)))
        lost.append(result["failed"])
    assert sum(lost) > 0, lost


def test_module_through_ansible(lab):
    a, b = lab.two_nodes()
    # ansible needs seconds to start (more on a busy host): the load runs until the module is done, then SIGTERM
    load = lab.start_load(connections=20, duration=120)
    time.sleep(WARMUP)
    lab.set_targets([b])
    time.sleep(DIRECTOR_LAG)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".cache", "unit-collections"),
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0", NO_COLOR="1")
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    argv = [ansible, "localhost", "-c", "local", "-m", "baremetal.lvs_ingress.nginx_graceful_stop",
            "-a", json.dumps({"config": a.conf, "close_flag": a.close_flag, "ports": [a.port],
                              "close_window_timeout": 10, "timeout": 20, "interval": 0.05})]
    started = time.monotonic()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=100, check=False)
    took = time.monotonic() - started
    time.sleep(0.5)
    load.send_signal(signal.SIGTERM)
    result = lab.finish_load(load)
    print("ansible ran %.1fs" % took)
    # default adhoc output: "localhost | CHANGED => {json}"
    assert "localhost | CHANGED => " in out.stdout, out.stdout + out.stderr
    task = json.loads(out.stdout.split("localhost | CHANGED => ", 1)[1])
    print("ansible: %s\nload: %s" % (json.dumps(task), json.dumps(result)))
    assert task.get("changed") is True and not task.get("failed"), out.stdout + out.stderr
    assert task["close_window"]["connections_at_start"] > 0
    assert result["failed"] == 0, result
    assert result["server_closes"] > 0, result
    assert a.master_pid() is None and b.master_pid() is not None


def test_master_in_own_mount_and_pid_namespace(lab):
    """nginx as pid 1 of its own pid namespace, pid file and flags on a tmpfs only its mount namespace sees."""
    state_dir = os.path.join(lab.dir, "nsstate")
    a = lab.add_node("nodeA", 8081, daemon=False, state_dir=state_dir)
    b = lab.add_node("nodeB", 8082)
    a.start_in_own_namespaces()
    b.start()
    lab.set_targets([a, b])
    assert not os.path.exists(a.pid_file), "the pid file must be visible only inside nginx's mount namespace"
    masters = _nginx.discover_masters()
    with pytest.raises(Exception, match="nginx masters match"):
        _nginx.select_master([m for m in masters if m.config in (a.conf, b.conf)])
    master = _nginx.select_master(masters, pid_file=a.pid_file)
    assert master.nspid == 1 and master.pid != 1 and not master.same_mnt_ns
    assert master.config == a.conf and a.port in master.listen_ports and len(master.workers) == 2
    assert _nginx.select_master(masters, port=a.port).pid == master.pid

    load = lab.start_load(connections=20, duration=LOAD_SECONDS)
    time.sleep(WARMUP)
    lab.set_targets([b])
    time.sleep(DIRECTOR_LAG)
    report = _nginx.graceful_stop(master, a.close_flag, close_window_timeout=10, timeout=20, ports=[a.port],
                                  interval=0.05)
    result = lab.finish_load(load)
    print("own namespaces: %s %s" % (json.dumps(report), json.dumps(result)))
    assert report["close_window"]["flag_path"] == "/proc/%d/root%s" % (master.pid, a.close_flag)
    assert report["close_window"]["connections_at_start"] > 0
    assert result["failed"] == 0, result
    a.proc.wait(timeout=10)
    assert a.master_pid() is None

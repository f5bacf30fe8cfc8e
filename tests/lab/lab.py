# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the lab tests: run commands on lab hosts through ``lab/lvslab``, read IPVS, run the
collection's modules with ``ansible``, drive ``lab/loadgen.py`` from the client namespace, and put the
lab back into its converged state.

Converged state (what every test starts from and restores): nginx active on every node, no drain or
close flag, keepalived active on both directors, no rollout lock, every real server weight 100 in both weight files
and both IPVS tables, the VIP on director1 only.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LVSLAB = os.path.join(ROOT, "lab", "lvslab")
LOADGEN = os.path.join(ROOT, "lab", "loadgen.py")
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
LOCK_PATH = "/run/lvs_ingress_lab.lock"
LOCK_WAIT = 15 * 60

VIP = "198.18.0.100"
VPORT = 80
DIRECTORS = ("director1", "director2")
NODES = {"ingress1": "198.18.0.11", "ingress2": "198.18.0.12", "ingress3": "198.18.0.13"}
# IPv6 beside IPv4 (lab/lvslab, with DR and with NAT): VIP6:80 balances to the nodes' IPv6 addresses.
VIP6 = "2001:db8:18::100"
NODES6 = {"ingress1": "2001:db8:18::11", "ingress2": "2001:db8:18::12", "ingress3": "2001:db8:18::13"}
CONVERGED_WEIGHT = 100
# The switches where the roles put them by default, written out here (an oracle, like parse_ipvsadm);
# tests/unit/test_switch_paths.py checks that this and every other place agree.
DRAIN_FLAG = "/run/lvs_ingress/drain"
CLOSE_FLAG = "/run/lvs_ingress/close"
WEIGHTS_DIR = "/etc/keepalived/lvs_ingress/weights"
SYSCTL_FILE = "/etc/sysctl.d/60-lvs-ingress.conf"
LOCK_FILE = "/var/lib/lvs_ingress/rollout.lock"  # the collection's rollout lock (on director1, lvs_ingress_lock_host)
FQCN = "baremetal.lvs_ingress."


class LabFailure(AssertionError):
    pass


def now():
    return time.monotonic()


# --------------------------------------------------------------------------- commands

def lab_status():
    """(up, text) of ``lvslab status``."""
    try:
        res = subprocess.run([LVSLAB, "status"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, str(err)
    return res.returncode == 0, (res.stdout + res.stderr).strip()


def run_on(host, argv, check=True, timeout=90):
    """Run argv on a lab host (``lvslab exec``); returns CompletedProcess."""
    res = subprocess.run([LVSLAB, "exec", host, "--"] + list(argv), capture_output=True, text=True,
                         timeout=timeout, stdin=subprocess.DEVNULL)
    if check and res.returncode != 0:
        raise LabFailure("%s: %s failed rc=%d: %s %s" % (host, shlex.join(argv), res.returncode,
                                                         res.stdout.strip(), res.stderr.strip()))
    return res


def sh_on(host, script, check=True, timeout=90):
    return run_on(host, ["sh", "-c", script], check=check, timeout=timeout)


def nginx_package(node):
    """The nginx package version a node's package database shows (1.22.1-9+deb12u11)."""
    return run_on(node, ["dpkg-query", "--showformat=${Version}", "--show", "nginx"]).stdout.strip()


def on_all(hosts, fn):
    """fn(host) on every host in parallel; {host: result}."""
    with concurrent.futures.ThreadPoolExecutor(len(hosts)) as pool:
        return dict(zip(hosts, pool.map(fn, hosts)))


# --------------------------------------------------------------------------- IPVS and VRRP

_RS_LINE = re.compile(r"^\s*->\s+(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):(\d+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)")


def endpoint(address, port):
    """address:port as ipvsadm -Ln writes it ([IPv6]:port)."""
    return "%s:%d" % ("[%s]" % address if ":" in address else address, port)


def parse_ipvsadm(text, vip=VIP, vport=VPORT):
    """``ipvsadm -Ln`` -> {real address: {weight, active, inactive}} of the service vip:vport (None if absent).

    Deliberately not the collection's ``_ipvs`` parser: the lab tests judge the collection's modules, so they read
    the directors' tables with an independent oracle (a bug in ``_ipvs`` cannot make a lab test pass)."""
    service = None
    out = None
    for line in text.splitlines():
        if line.startswith(("TCP", "UDP", "SCTP")):
            service = line.split()[1]
            if service == endpoint(vip, vport):
                out = {}
            continue
        m = _RS_LINE.match(line)
        if m and out is not None and service == endpoint(vip, vport):
            out[m.group(1).strip("[]")] = {"weight": int(m.group(4)), "active": int(m.group(5)), "inactive": int(m.group(6))}
    return out


def ipvs_table(director, vip=VIP):
    return parse_ipvsadm(run_on(director, ["ipvsadm", "-Ln"]).stdout, vip=vip)


def _lab_vars():
    """The lab's own inventory variables (lvslab's inventory is JSON)."""
    with open(subprocess.run([LVSLAB, "inventory"], capture_output=True, text=True, check=True).stdout.strip()) as f:
        return json.load(f)["all"]["vars"]


def dual_stack():
    """Whether this lab balances VIP6 too."""
    return bool(_lab_vars().get("lvslab_vip6"))


def forwarding():
    """The lab's forwarding method (dr or nat)."""
    return _lab_vars()["lvslab_forwarding"]


def services():
    """(VIP, {node: address}) of every virtual service of the lab."""
    return [(VIP, NODES)] + ([(VIP6, NODES6)] if dual_stack() else [])


def has_vip(director):
    text = run_on(director, ["ip", "-br", "-4", "a", "show", "dev", "eth0"]).stdout
    return (VIP + "/") in text


def vip_holders():
    return sorted(d for d, held in on_all(DIRECTORS, has_vip).items() if held)


def active_director():
    holders = vip_holders()
    if len(holders) != 1:
        raise LabFailure("expected exactly one director with the VIP, got %s" % holders)
    return holders[0]


class WeightWatcher:
    """Streams the real servers' weights of VIP:80 from a loop running *inside* a director.

    One ssh session for the whole watch (a new ssh per poll costs 1-3 s on the emulated guests).
    Each loop iteration prints ``<guest time> <rip>=<weight> ...``; the host stamps every line with its
    own monotonic clock when it arrives. The guest loop sleeps ``interval`` between two ``ipvsadm``
    runs and ends by itself after ``duration`` seconds (``timeout``), so it is bounded even if the
    host side dies."""

    def __init__(self, director, interval=0.2, duration=180):
        self.director = director
        self.interval = interval
        script = (
            "while :; do t=$(date +%%s.%%N); ipvsadm -Ln | awk -v t=\"$t\" "
            "'$1 == \"->\" && $2 ~ /^[0-9]/ { s = s \" \" $2 \"=\" $4 } END { print t s }'; sleep %s; done" % interval
        )
        self.samples = []  # (host monotonic, guest time, {rip: weight})
        self._cond = threading.Condition()
        self.proc = subprocess.Popen([LVSLAB, "exec", director, "--", "timeout", str(int(duration)), "sh", "-c", script],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                     text=True, bufsize=1, start_new_session=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for line in self.proc.stdout:
            stamp = now()
            parts = line.split()
            if not parts:
                continue
            try:
                guest = float(parts[0])
            except ValueError:
                continue
            weights = {}
            for item in parts[1:]:
                endpoint, _, weight = item.partition("=")
                weights[endpoint.rsplit(":", 1)[0]] = int(weight)
            with self._cond:
                self.samples.append((stamp, guest, weights))
                self._cond.notify_all()

    def wait_first(self, pred, since, timeout):
        """First sample received at/after host time ``since`` whose weights satisfy pred; (host time, sample)."""
        deadline = now() + timeout
        with self._cond:
            while True:
                for sample in self.samples:
                    if sample[0] >= since and pred(sample[2]):
                        return sample
                left = deadline - now()
                if left <= 0 or self.proc.poll() is not None and not self._thread.is_alive():
                    last = self.samples[-1] if self.samples else None
                    raise LabFailure("%s: condition not seen within %.0fs; last sample %s" % (self.director, timeout, last))
                self._cond.wait(min(left, 0.5))

    def wait_started(self, timeout=60):
        return self.wait_first(lambda w: True, 0, timeout)

    def max_period(self, since=0):
        """Largest gap between two consecutive guest samples (the real polling granularity)."""
        guest = [s[1] for s in self.samples if s[0] >= since]
        gaps = [b - a for a, b in zip(guest, guest[1:])]
        return max(gaps) if gaps else None

    def delivery_jitter(self, since=0):
        """Spread of (host receipt - guest stamp): how much later than the fastest line a line arrived."""
        lags = [s[0] - s[1] for s in self.samples if s[0] >= since]
        return (max(lags) - min(lags)) if lags else None

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self._thread.join(5)


def all_weights(weights, value, nodes=NODES):
    return all(weights.get(ip) == value for ip in nodes.values())


# --------------------------------------------------------------------------- ansible

def ansible_env():
    env = dict(os.environ)
    coll = os.path.join(ROOT, ".cache", "collections")
    if not os.path.islink(os.path.join(coll, "ansible_collections", "baremetal", "lvs_ingress")):
        coll = os.path.join(ROOT, ".cache", "unit-collections")
    env.update(ANSIBLE_COLLECTIONS_PATH=coll, ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="False")
    return env


def inventory():
    return subprocess.run([LVSLAB, "inventory"], capture_output=True, text=True, check=True).stdout.strip()


def ansible_module(pattern, module, args, check=False, diff=False, timeout=300):
    """Run a module of this collection ad hoc on ``pattern``; {host: result dict} (from ``--tree``)."""
    tree = tempfile.mkdtemp(prefix="lvslab-ansible-")
    argv = [os.path.join(VENV_BIN, "ansible"), pattern, "-i", inventory(), "-m", FQCN + module, "-a", json.dumps(args),
            "--tree", tree]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=ansible_env(), cwd=ROOT,
                             stdin=subprocess.DEVNULL)
        results = {}
        for name in os.listdir(tree):
            with open(os.path.join(tree, name)) as fh:
                results[name] = json.load(fh)
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    # --tree files hold the module's result without Ansible's own verdict: take it from the stdout line
    for m in re.finditer(r"^(\S+) \| (FAILED!|UNREACHABLE!)", res.stdout, re.M):
        results.setdefault(m.group(1), {})["failed"] = True
    if not results:
        raise LabFailure("ansible %s %s: no host results (rc=%d): %s %s" % (pattern, module, res.returncode,
                                                                          res.stdout[-2000:], res.stderr[-2000:]))
    return results


def real_server_args(real_address, **extra):
    args = dict(virtual_address=VIP, virtual_port=VPORT, real_address=real_address)
    args.update(extra)
    return args


# --------------------------------------------------------------------------- load

# The load the fail-safe proofs run under: loadgen's production-like client mix (``real``), with pooled clients
# pausing 50 ms between requests as tools/demo does. Their idle gaps give the server's close of a keep-alive
# connection the race it has in production; back to back (0 ms) the clients saturate the lab's 2 cores and every
# playbook under test runs 3 times slower, with no kind of client more.
REAL_LOAD = {"model": "real", "think_ms": 50.0, "timeout": 5.0}


class Loadgen:
    """``lab/loadgen.py`` in the client namespace, against the VIP. Always bounded by count and duration."""

    def __init__(self, count, duration, connections=10, think_ms=0.0, timeout=5.0, path="/", model=None, vips=(VIP,)):
        """``connections`` blind pooled clients, or with ``model`` (``real``) loadgen's production-like mix. New
        connections go to ``vips`` in turn (port VPORT)."""
        assert count > 0 and 0 < duration <= 1200
        self.ready_file = os.path.join(tempfile.mkdtemp(prefix="lvslab-loadgen-"), "ready")
        clients = ["--model", model] if model else ["--connections", str(connections)]
        targets = [word for vip in vips for word in ("--target", endpoint(vip, VPORT))]
        argv = [LVSLAB, "client", "--", "python3", LOADGEN] + targets + [
                "--count", str(count), "--duration", str(duration)] + clients + [
                "--think-ms", str(think_ms), "--timeout", str(timeout), "--path", path, "--ready-file", self.ready_file]
        self.duration = duration
        self.timeout = timeout
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.started = None
        self._result = None

    def wait_ready(self, timeout=30):
        deadline = now() + timeout
        while not os.path.exists(self.ready_file):
            if now() > deadline or self.proc.poll() is not None:
                raise LabFailure("loadgen did not start: %s" % (self.proc.stderr.read() if self.proc.poll() is not None else "timeout"))
            time.sleep(0.05)
        self.started = now()  # loadgen's own start is at most a few ms before its ready file appears
        return self

    def stop(self):
        """SIGTERM to the process group we started: loadgen finishes its requests and prints its result."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        return self.result()

    def result(self):
        if self._result is None:
            out, err = self.proc.communicate(timeout=self.duration + 4 * self.timeout + 30)
            try:
                self._result = json.loads(out.strip().splitlines()[-1])
            except (ValueError, IndexError):
                raise LabFailure("loadgen printed no result (rc=%s): %s %s" % (self.proc.returncode, out, err))
        return self._result

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def node_name(ip):
    return {v: k for k, v in NODES.items()}[ip]


# --------------------------------------------------------------------------- converged state

def _node_fix(node):
    sh_on(node, "rm -f %s %s; systemctl is-active -q nginx || systemctl start nginx" % (DRAIN_FLAG, CLOSE_FLAG))
    return run_on(node, ["systemctl", "is-active", "nginx"], check=False).stdout.strip()


def _director_fix(director):
    # the IPVS settings the lvs_director role wrote (a test may have changed them live)
    # and no rollout lock a test's run left behind
    sh_on(director, "sysctl -q -p %s; rm -f %s; systemctl is-active -q keepalived || systemctl start keepalived"
          % (SYSCTL_FILE, LOCK_FILE))
    files = sh_on(director, "grep -H '^weight' %s/*.conf" % WEIGHTS_DIR, check=False).stdout
    wrong = []
    for vip, nodes in services():
        for ip in nodes.values():
            m = re.search(r"-%s-%d\.conf:weight (\d+)" % (re.escape(ip), VPORT), files)
            if not m or int(m.group(1)) != CONVERGED_WEIGHT:
                wrong.append((vip, ip))
    return wrong


# A director that still holds the VIP this long while director1 (priority 150) holds it too is not in an election:
# its VRRP process hangs. Seen once (2026-12-06, keepalived 2.2.7, Debian's 6.1 kernel) after both restarted at once:
# director2 went MASTER, received director1's advert, and stayed blocked in recvmsg on its generic netlink (IPVS)
# socket, holding the VIP without sending an advert (docs/failover.md).
HUNG_VRRP_AFTER = 20


def _restart_hung_keepalived(director):
    """Record what the VRRP process was doing, then restart keepalived there: one hang must not fail every later test."""
    evidence = sh_on(director, "for p in $(pgrep -f Keepalived_vrrp || pgrep keepalived); do echo $p $(cat /proc/$p/wchan);"
                               " cat /proc/$p/syscall; done; journalctl -u keepalived -n 8 --no-pager", check=False)
    record("keepalived_hung_vrrp_restarted", director=director, evidence=evidence.stdout[-2000:])
    run_on(director, ["systemctl", "restart", "keepalived"])


def restore_converged(timeout=120):
    """Put the lab back into its converged state and wait until both directors show it."""
    on_all(list(NODES), _node_fix)
    wrong = on_all(DIRECTORS, _director_fix)
    for director, ips in wrong.items():
        for vip, ip in ips:
            res = ansible_module(director, "ipvs_real_server",
                                 real_server_args(ip, virtual_address=vip, state="active", weight=CONVERGED_WEIGHT))
            if res[director].get("failed"):
                raise LabFailure("restoring %s on %s: %s" % (ip, director, res[director].get("msg")))
    start = now()
    deadline = start + timeout
    last = None
    restarted = []
    nodes_of = dict(services())
    while now() < deadline:
        texts = on_all(DIRECTORS, lambda d: run_on(d, ["ipvsadm", "-Ln"]).stdout)
        tables = {(d, vip): parse_ipvsadm(text, vip=vip) for d, text in texts.items() for vip in nodes_of}
        holders = vip_holders()
        last = (tables, holders)
        stuck = [d for d in holders if d != "director1" and "director1" in holders and d not in restarted]
        if stuck and now() - start > HUNG_VRRP_AFTER:
            for director in stuck:
                _restart_hung_keepalived(director)
                restarted.append(director)
        if holders == ["director1"] and all(
                t and all_weights({k: v["weight"] for k, v in t.items()}, CONVERGED_WEIGHT, nodes_of[vip])
                for (_d, vip), t in tables.items()):
            return {d: t for (d, vip), t in tables.items() if vip == VIP}
        time.sleep(1)
    raise LabFailure("lab did not converge within %ds: tables/VIP holders %s" % (timeout, last))


# --------------------------------------------------------------------------- measurements

RESULTS_FILE = os.environ.get("LVS_LAB_RESULTS", os.path.join(ROOT, ".cache", "lab-results.jsonl"))


def record(name, **values):
    """Print a measurement and append it to RESULTS_FILE (numbers for benchmarks/lab-proofs.md)."""
    entry = dict(test=name, at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), **values)
    line = json.dumps(entry, sort_keys=True)
    print("MEASURED " + line)
    os.makedirs(os.path.dirname(RESULTS_FILE), exist_ok=True)
    with open(RESULTS_FILE, "a") as fh:
        fh.write(line + "\n")

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.


"""nginx on a node: find the master (also inside containers), count client connections, stop it gracefully.

The graceful stop is the collection's answer to the keep-alive trap (see
docs/close-window.md): first a *close window* -- the close flag makes every
response carry ``Connection: close`` so clients leave on their own after a
complete response -- then SIGQUIT, then a bounded wait for master and workers
to exit, and only after that timeout SIGTERM and SIGKILL.
"""

from __future__ import annotations

import os
import signal
import time

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._node_switches import set_flag
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._procfs import ProcFS
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._wait import WaitTimeout, validate_timeout, wait_until

MASTER_TITLE = "nginx: master process"
# once SIGKILL is sent, the kernel needs only moments; do not wait forever for it either
KILL_WAIT = 5.0


def parse_master_cmdline(cmdline):
    """Parse the master's process title ``nginx: master process <argv joined by spaces>``.

    Returns None if this is not a master, else a dict with ``binary``,
    ``config`` (``-c``, resolved against ``-p`` if relative; None means the
    compiled-in default) and ``prefix``. nginx joins argv with spaces when it
    sets the title, so paths containing spaces cannot be recovered.
    """
    if not cmdline or not cmdline.startswith(MASTER_TITLE):
        return None
    words = cmdline[len(MASTER_TITLE):].split()
    parsed = {"binary": words[0] if words else None, "config": None, "prefix": None}
    i = 1
    while i < len(words):
        word = words[i]
        if word in ("-c", "-p") and i + 1 < len(words):
            parsed["config" if word == "-c" else "prefix"] = words[i + 1]
            i += 2
            continue
        if word.startswith(("-c", "-p")) and len(word) > 2 and not word.startswith("-g"):
            parsed["config" if word[1] == "c" else "prefix"] = word[2:]
        elif word == "-g":
            # -g "directives;" may hold spaces: skip up to the word that ends with ';'
            i += 1
            while i < len(words) and not words[i].endswith(";"):
                i += 1
        i += 1
    if parsed["config"] and not parsed["config"].startswith("/") and parsed["prefix"]:
        parsed["config"] = os.path.join(parsed["prefix"], parsed["config"])
    if parsed["config"]:
        parsed["config"] = os.path.normpath(parsed["config"])
    return parsed


class Master:
    """One nginx master as seen from the host (pids are host pids unless named ``nspid``)."""

    def __init__(self, pid, nspid, state, starttime, cmdline, binary, config, namespaces, same_mnt_ns, workers,
                 listen_ports):
        self.pid = pid
        self.nspid = nspid
        self.state = state
        self.starttime = starttime
        self.cmdline = cmdline
        self.binary = binary
        self.config = config
        self.namespaces = namespaces
        self.same_mnt_ns = same_mnt_ns
        self.workers = workers
        self.listen_ports = listen_ports

    def as_dict(self):
        return {
            "pid": self.pid,
            "nspid": self.nspid,
            "cmdline": self.cmdline,
            "config": self.config,
            "workers": list(self.workers),
            "listen_ports": list(self.listen_ports),
            "namespaces": dict(self.namespaces),
            "same_mount_namespace": self.same_mnt_ns,
        }

    def describe(self):
        where = "" if self.same_mnt_ns else " in another mount namespace (nspid %d)" % self.nspid
        return "pid %d (config %s, ports %s)%s" % (self.pid, self.config or "default", self.listen_ports or "none", where)


def listen_ports(proc, pid):
    """TCP ports ``pid`` listens on: LISTEN sockets of its netns whose inode is one of its open fds."""
    inodes = proc.socket_inodes(pid)
    return sorted({s["local_port"] for s in proc.tcp_sockets(pid) if s["state"] == "LISTEN" and s["inode"] in inodes})


def discover_masters(proc=None):
    """Every nginx master on the host, including those in other mount/pid/net namespaces."""
    proc = proc or ProcFS()
    own_mnt = proc.namespace("self", "mnt")
    statuses = {}
    for pid in proc.pids():
        status = proc.status(pid)
        if status is not None:
            statuses[pid] = status
    masters = []
    for pid, status in sorted(statuses.items()):
        if status.get("Name") != "nginx":
            continue
        cmdline = proc.cmdline(pid)
        parsed = parse_master_cmdline(cmdline)
        if parsed is None:
            continue
        stat = proc.state_and_starttime(pid)
        if stat is None:
            continue
        namespaces = {kind: proc.namespace(pid, kind) for kind in ("mnt", "pid", "net")}
        workers = sorted(
            child for child, child_status in statuses.items()
            if child_status.get("PPid") == str(pid) and child_status.get("Name") == "nginx"
        )
        masters.append(
            Master(
                pid=pid,
                nspid=(status.get("NSpid") or [pid])[-1],
                state=stat[0],
                starttime=stat[1],
                cmdline=cmdline,
                binary=parsed["binary"],
                config=parsed["config"],
                namespaces=namespaces,
                same_mnt_ns=namespaces["mnt"] is not None and namespaces["mnt"] == own_mnt,
                workers=workers,
                listen_ports=listen_ports(proc, pid),
            )
        )
    return masters


def host_path(proc, master, path):
    """Where ``path`` inside the master's mount namespace is reachable from here."""
    return path if master.same_mnt_ns else proc.root_path(master.pid, path)


def _read_pid_file(path):
    with open(path) as fh:
        content = fh.read().strip()
    try:
        return int(content)
    except ValueError:
        raise LvsIngressError("pid file %s does not hold a pid: %r" % (path, content[:40]), pid_file=path)


def select_master(masters, proc=None, pid_file=None, config=None, port=None):
    """Pick exactly one master by pid file, config path and/or listening port (all given must match).

    A pid file is read inside each master's mount namespace (``/proc/<pid>/root``)
    and compared with the master's pid *in its own pid namespace*, so a pid file
    inside a container names its master correctly.
    """
    proc = proc or ProcFS()
    # ``no_match=True`` in the details: no master is the one asked for (callers may accept that, allow_absent);
    # several matching masters are always an error.
    if not masters:
        raise LvsIngressError("no nginx master process found (scanned %s for 'nginx: master process')" % proc.root,
                              no_match=True)
    candidates = list(masters)
    if pid_file:
        matched, seen = [], {}
        for master in candidates:
            path = host_path(proc, master, pid_file)
            try:
                pid_in_file = _read_pid_file(path)
            except (FileNotFoundError, NotADirectoryError):
                continue
            seen[path] = pid_in_file
            if pid_in_file == master.nspid:
                matched.append(master)
        if not seen:
            raise LvsIngressError(
                "pid file %s not found, neither on the host nor in the mount namespace of any nginx master (%s)"
                % (pid_file, ", ".join(m.describe() for m in masters)),
                pid_file=pid_file, no_match=True,
            )
        if not matched:
            raise LvsIngressError(
                "pid file %s names pid(s) %s, which is no running nginx master (stale pid file?)"
                % (pid_file, sorted(set(seen.values()))),
                pid_file=pid_file, no_match=True,
            )
        candidates = matched
    if config:
        wanted = os.path.normpath(config)
        candidates = [m for m in candidates if m.config == wanted]
    if port:
        candidates = [m for m in candidates if port in m.listen_ports]
    selectors = {k: v for k, v in (("pid_file", pid_file), ("config", config), ("port", port)) if v}
    if not candidates:
        raise LvsIngressError(
            "no nginx master matches %s; found: %s"
            % (", ".join("%s=%s" % kv for kv in sorted(selectors.items())), "; ".join(m.describe() for m in masters)),
            selectors=selectors, no_match=True,
        )
    if len(candidates) > 1:
        raise LvsIngressError(
            "%d nginx masters match%s; choose one with pid_file, config or port: %s"
            % (len(candidates), " " + str(selectors) if selectors else "", "; ".join(m.describe() for m in candidates)),
            masters=[m.as_dict() for m in candidates],
        )
    return candidates[0]


def client_connections(proc, master, ports, pids=None):
    """ESTABLISHED TCP connections whose *local* port is one of ``ports``, in the master's network namespace.

    Local port, any local address: in DR mode the VIP sits on ``lo`` and
    connections to it count like those to the node address. LISTEN sockets and
    the client side of loopback connections (local port ephemeral) never count.
    ``pids`` are tried in order to reach the netns (the master may already be gone).
    """
    wanted = set(ports)
    for pid in pids or [master.pid]:
        sockets = proc.tcp_sockets(pid)
        if sockets or os.path.exists(proc.path(pid, "net")):
            return sum(1 for s in sockets if s["state"] == "ESTABLISHED" and s["local_port"] in wanted)
    return 0


def alive_pids(proc, master):
    """Master and workers still running (a zombie or a reused pid counts as gone)."""
    alive = []
    stat = proc.state_and_starttime(master.pid)
    if stat is not None and stat[1] == master.starttime and stat[0] not in ("Z", "X"):
        alive.append(master.pid)
    for pid in master.workers:
        stat = proc.state_and_starttime(pid)
        if stat is not None and stat[0] not in ("Z", "X") and stat[1] >= master.starttime:
            status = proc.status(pid)
            if status and status.get("Name") == "nginx":
                alive.append(pid)
    return alive


def plan_stop(master, close_flag_path, close_window, ports):
    """What a stop would do, for check mode and for the report."""
    steps = []
    if close_window:
        steps.append("create close flag %s and wait for client connections on ports %s to end" % (close_flag_path, ports))
    steps.append("send SIGQUIT to nginx master %s and wait for it and workers %s to exit" % (master.describe(), master.workers))
    return steps


def graceful_stop(master, close_flag, close_window_timeout, timeout, proc=None, close_window=True, ports=None,
                  interval=0.2, escalate=True, term_timeout=10.0, kill=None, clock=time.monotonic,
                  sleep=time.sleep):
    """Close window, SIGQUIT, bounded wait, escalation. Returns a report dict (see the module's RETURN)."""
    proc = proc or ProcFS()
    kill = kill or os.kill
    for name, value in (("close_window_timeout", close_window_timeout), ("timeout", timeout),
                        ("term_timeout", term_timeout), ("interval", interval)):
        validate_timeout(name, value)
    ports = sorted(ports or master.listen_ports)
    if close_window and not ports:
        raise LvsIngressError("nginx master %s listens on no TCP port; give ports for the close window" % master.describe())
    all_pids = [master.pid] + list(master.workers)

    def count():
        return client_connections(proc, master, ports, pids=all_pids)

    report = {"ports": ports, "signals": [], "warnings": [], "escalated": False, "close_window": None}
    flag_path = host_path(proc, master, close_flag)

    if close_window:
        at_start = count()  # just before the flag: under load the connections end within milliseconds
        flag_created = set_flag(flag_path, True)
        try:
            left, elapsed, _polls = wait_until(count, lambda n: n == 0, close_window_timeout, interval,
                                               "client connections on ports %s to end" % ports, clock, sleep)
            timed_out = False
        except WaitTimeout as err:
            left, elapsed, timed_out = err.last, err.elapsed, True
            report["warnings"].append(
                "close window: %s client connection(s) still open after %.1fs (idle keep-alive clients or new "
                "connections still arriving: is the node drained?); sending SIGQUIT anyway" % (left, elapsed))
        report["close_window"] = {
            "seconds": round(elapsed, 3),
            "connections_at_start": at_start,
            "connections_left": left,
            "timed_out": timed_out,
            "flag": close_flag,
            "flag_path": flag_path,
            "flag_created": flag_created,
        }

    def send(sig, pids):
        for pid in pids:
            try:
                kill(pid, sig)
                report["signals"].append({"pid": pid, "signal": signal.Signals(sig).name})
            except ProcessLookupError:
                pass
            except PermissionError as err:
                raise LvsIngressError("cannot send %s to nginx pid %d: %s" % (signal.Signals(sig).name, pid, err),
                                      pid=pid)

    seen = []

    def probe():
        n = count()
        seen.append(n)
        return {"alive": alive_pids(proc, master), "connections": n}

    def gone(state):
        return not state["alive"]

    report["connections_at_quit"] = count()
    start = clock()
    send(signal.SIGQUIT, [master.pid])
    try:
        wait_until(probe, gone, timeout, interval, "nginx %s to exit after SIGQUIT" % master.describe(), clock, sleep)
    except WaitTimeout as err:
        if not escalate:
            raise LvsIngressError("%s; not escalating (escalate=false)" % err.msg, elapsed=err.details["elapsed"],
                                  last=err.last)
        report["escalated"] = True
        report["warnings"].append(
            "nginx %s still running %.1fs after SIGQUIT (pids %s, %s client connections): sending SIGTERM, "
            "open requests will be cut" % (master.describe(), err.elapsed, err.last["alive"], err.last["connections"]))
        send(signal.SIGTERM, [master.pid])
        try:
            wait_until(probe, gone, term_timeout, interval, "nginx to exit after SIGTERM", clock, sleep)
        except WaitTimeout as err2:
            report["warnings"].append("nginx still running after SIGTERM (pids %s): sending SIGKILL" % err2.last["alive"])
            send(signal.SIGKILL, err2.last["alive"])
            wait_until(probe, gone, KILL_WAIT, interval, "nginx to exit after SIGKILL", clock, sleep)
    report["quit_to_exit"] = round(clock() - start, 3)
    report["connections_during_quit"] = {"max": max(seen) if seen else 0, "last": seen[-1] if seen else 0,
                                         "samples": len(seen)}
    return report


# Which nginx master: shared by nginx_graceful_stop and ingress_ready; documented in doc_fragments/_nginx.py.
SELECTOR_ARGS = dict(
    pid_file=dict(type="path"),
    config=dict(type="path"),
    port=dict(type="int"),
)

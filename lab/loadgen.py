#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP load generator with a client model as hostile as production traffic (stdlib only).

Client kinds (``--clients pooled=12,reconnect=6,short=8,slow=4,http10=2``, or ``--model real`` for that mix):

* ``pooled``: one persistent HTTP/1.1 connection, requests back to back (``--think-ms`` apart).
* ``reconnect``: like pooled, but the client closes its connection after a random number of requests in
  ``--reconnect-after`` (default 20-60) and opens a new one: clients that come and go.
* ``short``: one request per connection, ``--short-think-ms`` apart: half of them ask ``Connection: close`` (the
  server closes), half close the connection themselves. With the client namespace's narrowed
  ``ip_local_port_range`` their source ports come back within seconds, as behind a NAT gateway.
* ``slow``: persistent connections on ``--slow-path`` (requests of several seconds in flight).
* ``http10``: HTTP/1.0 clients; every second one asks ``Connection: keep-alive``, the others get one request
  per connection.

Clients that reuse a connection are of two sorts (``--checking-share``): *checking* clients look at an idle
pooled connection before sending on it and open a new one if the server has closed it (as urllib3 and most
pools do); *blind* clients send on it without looking. ``--connections N`` alone is N blind pooled clients.

Every response ``Connection: close`` (or an HTTP/1.0 response without keep-alive) is honoured: the client
closes and reconnects for its next request. Anything else that ends a request early -- a refused connect,
a send error, a reset, EOF before a full response, a timeout, a status other than ``--expect-status`` -- is a
FAILED request and is never retried silently. A connect that took a SYN retransmission (>= 0.9 s) is counted
in ``slow_connects``, not as a failure.

Where new connections go: ``--target host:port`` (repeatable) or ``--targets-file`` (one ``host:port`` a line,
re-read before every new connection).

Bounded by ``--count`` requests in total and ``--duration`` seconds; SIGTERM or SIGINT ends it early (clients
finish their current request). Prints one JSON object on stdout: totals, failures by kind and by client kind,
which node answered, and a per-second timeline (``timeline``: requests, failures by kind, nodes), with
``started_at`` (Unix time) so that a failure can be matched to what a rollout was doing at that second.
"""

from __future__ import annotations

import argparse
import errno
import itertools
import json
import random
import select
import signal
import socket
import sys
import threading
import time

KINDS = ("pooled", "reconnect", "short", "slow", "http10")
# The production-like mix: persistent pools, clients that come and go, a high rate of one-request
# connections (port reuse), requests of seconds in flight, HTTP/1.0.
MODELS = {"real": {"pooled": 12, "reconnect": 6, "short": 8, "slow": 4, "http10": 2}}
SLOW_CONNECT = 0.9  # seconds: a connect this slow waited for a SYN retransmission (the first one is at 1 s)
MAX_FAILURE_EVENTS = 200
USER_AGENT = "lvs-ingress-loadgen"


class RequestFailed(Exception):
    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def parse_target(text):
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("target must be host:port with a port from 1 to 65535, got %r" % text)
    return host.strip("[]"), int(port)


def parse_clients(text):
    """``pooled=12,short=8`` -> {kind: count}; every kind named once, counts >= 0, at least one client."""
    out = {}
    for item in text.split(","):
        name, sep, value = item.strip().partition("=")
        if not sep or name not in KINDS:
            raise ValueError("--clients: %r is not KIND=COUNT with KIND one of %s" % (item, ", ".join(KINDS)))
        if name in out:
            raise ValueError("--clients: %s given twice" % name)
        if not value.isdigit():
            raise ValueError("--clients: %s=%s is not a whole number >= 0" % (name, value))
        out[name] = int(value)
    if sum(out.values()) <= 0:
        raise ValueError("--clients: %r has no client" % text)
    return out


def parse_range(text, name):
    lo, sep, hi = text.partition("-")
    if not sep or not lo.isdigit() or not hi.isdigit() or not 0 < int(lo) <= int(hi):
        raise ValueError("%s must be LOW-HIGH with 0 < LOW <= HIGH, got %r" % (name, text))
    return int(lo), int(hi)


class Targets:
    """Round robin over the targets; with a file, the file is re-read at every pick."""

    def __init__(self, targets, targets_file):
        self._static = [parse_target(t) for t in targets]
        self._file = targets_file
        self._rr = itertools.count()
        self._lock = threading.Lock()

    def pick(self):
        if self._file:
            with open(self._file, encoding="utf-8") as fh:
                current = [parse_target(line) for line in fh if line.strip() and not line.startswith("#")]
        else:
            current = self._static
        if not current:
            raise RequestFailed("no_target")
        with self._lock:
            return current[next(self._rr) % len(current)]


class Stats:
    def __init__(self, start):
        self.lock = threading.Lock()
        self.start = start
        self.issued = 0
        self.ok = 0
        self.failed = 0
        self.per_node = {}
        self.statuses = {}
        self.errors = {}
        self.by_client = {}
        self.timeline = {}
        self.failure_events = []
        self.connections_opened = 0
        self.server_closes = 0
        self.stale_detected = 0
        self.slow_connects = 0
        self.max_connect = 0.0
        self.first_failure_at = None
        self.last_failure_at = None
        self.stopped = False

    def take_ticket(self, count, deadline):
        with self.lock:
            if self.stopped or self.issued >= count or time.monotonic() >= deadline:
                return False
            self.issued += 1
            return True

    def _second(self, now):
        sec = int(now - self.start)
        row = self.timeline.get(sec)
        if row is None:
            row = self.timeline[sec] = {"t": sec, "ok": 0, "failed": 0, "errors": {}, "nodes": {}, "connects": 0}
        return row

    def _client(self, label):
        entry = self.by_client.get(label)
        if entry is None:
            entry = self.by_client[label] = {"ok": 0, "failed": 0, "errors": {}}
        return entry

    def connected(self, seconds):
        now = time.monotonic()
        with self.lock:
            self.connections_opened += 1
            self._second(now)["connects"] += 1
            self.max_connect = max(self.max_connect, seconds)
            if seconds >= SLOW_CONNECT:
                self.slow_connects += 1

    def answered(self, label, status, node, close, ok):
        now = time.monotonic()
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if close:
                self.server_closes += 1
            if ok:
                self.ok += 1
                self.per_node[node] = self.per_node.get(node, 0) + 1
                self._client(label)["ok"] += 1
                row = self._second(now)
                row["ok"] += 1
                row["nodes"][node] = row["nodes"].get(node, 0) + 1
        if not ok:
            self.fail(label, "status_%d" % status, node)

    def fail(self, label, kind, node):
        now = time.monotonic()
        with self.lock:
            self.failed += 1
            self.errors[kind] = self.errors.get(kind, 0) + 1
            entry = self._client(label)
            entry["failed"] += 1
            entry["errors"][kind] = entry["errors"].get(kind, 0) + 1
            row = self._second(now)
            row["failed"] += 1
            row["errors"][kind] = row["errors"].get(kind, 0) + 1
            self.first_failure_at = self.first_failure_at or now
            self.last_failure_at = now
            if len(self.failure_events) < MAX_FAILURE_EVENTS:
                self.failure_events.append({"t": round(now - self.start, 3), "client": label, "kind": kind,
                                            "node": node})


def read_response(sock, buf):
    """Read one response from ``sock``; ``buf`` holds bytes already read.

    Returns (status, headers, rest, to_eof): a response without a length is read up to EOF."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise RequestFailed("eof_before_response" if not buf else "eof_in_headers")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise RequestFailed("bad_status_line")
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return status, headers, read_chunked(sock, rest), False
    if "content-length" not in headers:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return status, headers, b"", True
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise RequestFailed("eof_in_body")
        rest += chunk
    return status, headers, rest[length:], False


def read_chunked(sock, buf):
    def need(n_or_marker):
        nonlocal buf
        while True:
            if isinstance(n_or_marker, int):
                if len(buf) >= n_or_marker:
                    return
            elif n_or_marker in buf:
                return
            chunk = sock.recv(65536)
            if not chunk:
                raise RequestFailed("eof_in_body")
            buf += chunk

    while True:
        need(b"\r\n")
        size_line, _, buf = buf.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            need(b"\r\n")
            # skip trailers up to the empty line
            while not buf.startswith(b"\r\n"):
                need(b"\r\n\r\n")
                _, _, buf = buf.partition(b"\r\n")
            return buf[2:]
        need(size + 2)
        buf = buf[size + 2:]


def classify(exc):
    if isinstance(exc, RequestFailed):
        return exc.kind
    if isinstance(exc, socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionResetError):
        return "reset"
    if isinstance(exc, BrokenPipeError):
        return "broken_pipe"
    if isinstance(exc, ConnectionRefusedError):
        return "connect_refused"
    if isinstance(exc, OSError) and exc.errno is not None:
        return errno.errorcode.get(exc.errno, str(exc.errno)).lower()
    return type(exc).__name__


def connection_dropped(sock):
    """An idle connection that is readable has been closed (or reset) by the server: what urllib3 checks."""
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


class Client:
    """One client of one kind; runs until the shared ticket supply or the deadline ends."""

    def __init__(self, args, kind, index, checking, targets, stats, deadline):
        self.args = args
        self.kind = kind
        self.index = index
        self.checking = checking
        self.label = "%s/%s" % (kind, "checking" if checking else "blind") if kind != "short" else "short"
        self.targets = targets
        self.stats = stats
        self.deadline = deadline
        self.rng = random.Random(args.seed * 1000 + index)
        self.sock = None
        self.buf = b""
        self.node = None  # the node that answered the last request on this connection
        self.requests_on_conn = 0
        self.reuse_limit = None
        self.http10 = kind == "http10"
        # every second HTTP/1.0 client asks for keep-alive; the others send one request per connection
        self.keepalive = kind != "short" and not (self.http10 and index % 2)
        path = args.slow_path if kind == "slow" else args.path
        self.requests = {close: self._request(path, close) for close in (False, True)}

    def _request(self, path, ask_close):
        version = "HTTP/1.0" if self.http10 else "HTTP/1.1"
        lines = ["GET %s %s" % (path, version), "Host: %s" % self.args.host_header, "User-Agent: %s" % USER_AGENT]
        if self.http10 and self.keepalive:
            lines.append("Connection: keep-alive")
        elif ask_close and not self.http10:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.node = None

    def connect(self):
        host, port = self.targets.pick()
        began = time.monotonic()
        self.sock = socket.create_connection((host, port), timeout=self.args.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.stats.connected(time.monotonic() - began)
        self.buf = b""
        self.requests_on_conn = 0
        if self.kind == "reconnect":
            self.reuse_limit = self.rng.randint(*self.args.reconnect_after)

    def one_request(self, serial):
        phase = "connect"
        try:
            if self.sock is not None and self.checking and connection_dropped(self.sock):
                with self.stats.lock:
                    self.stats.stale_detected += 1
                self.close()
            if self.sock is None:
                self.connect()
            # short clients: every second connection asks the server to close, the others close it themselves
            ask_close = self.kind == "short" and serial % 2 == 0
            phase = "send"
            self.sock.sendall(self.requests[ask_close])
            phase = "recv"
            status, headers, self.buf, to_eof = read_response(self.sock, self.buf)
            self.requests_on_conn += 1
            self.node = headers.get(self.args.node_header.lower(), "-")
            conn = headers.get("connection", "").lower()
            server_close = to_eof or "close" in conn or (self.http10 and "keep-alive" not in conn)
            self.stats.answered(self.label, status, self.node, server_close and not ask_close,
                                status == self.args.expect_status)
            if server_close or not self.keepalive or (self.reuse_limit and self.requests_on_conn >= self.reuse_limit):
                self.close()
        except Exception as exc:  # every failure is counted, never retried
            self.stats.fail(self.label, "%s:%s" % (phase, classify(exc)), self.node)
            self.close()

    def run(self):
        think = (self.args.short_think_ms if self.kind == "short" else self.args.think_ms) / 1000.0
        serial = self.index
        while self.stats.take_ticket(self.args.count, self.deadline):
            self.one_request(serial)
            serial += 1
            if think:
                time.sleep(think)
        self.close()


def local_port_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as fh:
            return [int(x) for x in fh.read().split()]
    except (OSError, ValueError):
        return None


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", default=[], help="host:port, repeatable")
    parser.add_argument("--targets-file", help="file of host:port lines, re-read before every new connection")
    parser.add_argument("--clients", help="KIND=COUNT,... with KIND in %s" % ", ".join(KINDS))
    parser.add_argument("--model", choices=sorted(MODELS), help="a named client mix (%s)" % MODELS)
    parser.add_argument("--connections", type=int, help="N blind pooled clients (the same as --clients pooled=N)")
    parser.add_argument("--checking-share", type=float, default=0.5,
                        help="share of connection-reusing clients that check a pooled connection before reuse")
    parser.add_argument("--reconnect-after", default="20-60", help="reconnect clients: requests per connection, LOW-HIGH")
    parser.add_argument("--count", type=int, default=100000, help="upper bound on requests in total")
    parser.add_argument("--duration", type=float, default=10.0, help="upper bound in seconds")
    parser.add_argument("--path", default="/")
    parser.add_argument("--slow-path", default="/slow?ms=3000", help="path of the slow clients' requests")
    parser.add_argument("--host-header", default="lvs-ingress-test")
    parser.add_argument("--node-header", default="X-Lvs-Node")
    parser.add_argument("--expect-status", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=5.0, help="socket timeout per operation, seconds")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between two requests of a client")
    parser.add_argument("--short-think-ms", type=float, default=50.0,
                        help="pause between two short connections of a client (50 ms: some 150 new connections a "
                             "second in the lab, each source port back within seconds, while a director keeps an "
                             "entry of a closed connection for 120 s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the reconnect clients' random choices")
    parser.add_argument("--ready-file", help="touch this file once all clients started")
    parser.add_argument("--timeline-file", help="also write the per-second timeline here, one JSON object a line")
    return parser


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.target and not args.targets_file:
        parser.error("give --target or --targets-file")
    try:
        for target in args.target:
            parse_target(target)
        given = [name for name in ("clients", "model", "connections") if getattr(args, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of --clients, --model, --connections (got %s)"
                             % (", ".join("--" + g for g in given) or "none"))
        if args.connections is not None:
            if args.connections <= 0:
                raise ValueError("--connections must be > 0, got %d" % args.connections)
            args.mix, args.checking_share = {"pooled": args.connections}, 0.0
        else:
            args.mix = parse_clients(args.clients) if args.clients else dict(MODELS[args.model])
        args.reconnect_after = parse_range(args.reconnect_after, "--reconnect-after")
    except ValueError as err:
        parser.error(str(err))
    if args.count <= 0:
        parser.error("--count must be > 0, got %d" % args.count)
    for name in ("duration", "timeout"):
        if not getattr(args, name) > 0:
            parser.error("--%s must be > 0, got %s" % (name, getattr(args, name)))
    for name in ("think_ms", "short_think_ms"):
        if getattr(args, name) < 0:
            parser.error("--%s must be >= 0, got %s" % (name.replace("_", "-"), getattr(args, name)))
    if not 0.0 <= args.checking_share <= 1.0:
        parser.error("--checking-share must be from 0 to 1, got %s" % args.checking_share)
    if not 100 <= args.expect_status <= 599:
        parser.error("--expect-status must be an HTTP status (100-599), got %d" % args.expect_status)
    return args


def make_clients(args, targets, stats, deadline):
    """The clients of the mix; within each reusing kind, the first checking_share of them check."""
    clients = []
    index = 0
    for kind in KINDS:
        n = args.mix.get(kind, 0)
        checking_n = round(n * args.checking_share)
        for i in range(n):
            checking = kind != "short" and i < checking_n
            clients.append(Client(args, kind, index, checking, targets, stats, deadline))
            index += 1
    return clients


def main(argv=None):
    args = parse_args(argv)
    targets = Targets(args.target, args.targets_file)
    started_at = time.time()
    start = time.monotonic()
    stats = Stats(start)

    def stop(_signum, _frame):
        stats.stopped = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    deadline = start + args.duration
    clients = make_clients(args, targets, stats, deadline)
    threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    if args.ready_file:
        open(args.ready_file, "w").close()
    join_deadline = deadline + 2 * args.timeout + 5
    for thread in threads:
        thread.join(max(0.0, join_deadline - time.monotonic()))
    elapsed = time.monotonic() - start
    with stats.lock:
        timeline = [stats.timeline[s] for s in sorted(stats.timeline)]
        result = {
            "total": stats.ok + stats.failed,
            "ok": stats.ok,
            "failed": stats.failed,
            "per_node": stats.per_node,
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            "connections_opened": stats.connections_opened,
            "server_closes": stats.server_closes,
            "stale_connections_detected": stats.stale_detected,
            "slow_connects": stats.slow_connects,
            "max_connect_seconds": round(stats.max_connect, 3),
            "errors": stats.errors,
            "by_client": stats.by_client,
            "failure_events": stats.failure_events,
            "elapsed": round(elapsed, 3),
            "started_at": round(started_at, 3),
            "first_failure_at": round(stats.first_failure_at - start, 3) if stats.first_failure_at else None,
            "last_failure_at": round(stats.last_failure_at - start, 3) if stats.last_failure_at else None,
            "clients": args.mix,
            "targets": list(args.target) + (["file " + args.targets_file] if args.targets_file else []),
            "connections": sum(args.mix.values()),
            "checking_share": args.checking_share,
            "think_ms": args.think_ms,
            "local_port_range": local_port_range(),
            "timeline": timeline,
        }
    if args.timeline_file:
        with open(args.timeline_file, "w") as fh:
            for row in timeline:
                fh.write(json.dumps(row, sort_keys=True) + "\n")
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

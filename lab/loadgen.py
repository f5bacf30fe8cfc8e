#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep-alive load generator that behaves like a pooled HTTP client (stdlib only).

Each of ``--connections`` workers owns one TCP connection and sends HTTP/1.1
requests back to back on it *without checking the socket first*, the way a
connection pool reuses an idle connection. It honours ``Connection: close``
in a response (closes, reconnects for the next request). Anything else that
ends a request early -- a send error, a reset, EOF before a full response, a
timeout, a status other than ``--expect-status`` -- is a FAILED request and is
never retried silently.

Where new connections go: ``--target host:port`` (repeatable) or
``--targets-file`` (one ``host:port`` a line, re-read before every new
connection). Removing a line from the file is how a test emulates a director
setting a real server's weight to 0: established connections stay, new ones
go elsewhere.

Bounded by ``--count`` requests in total and ``--duration`` seconds; SIGTERM or
SIGINT ends it early (workers finish their current request). Prints one JSON
object on stdout.
"""

from __future__ import annotations

import argparse
import errno
import itertools
import json
import signal
import socket
import sys
import threading
import time


class RequestFailed(Exception):
    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def parse_target(text):
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("target must be host:port, got %r" % text)
    return host.strip("[]"), int(port)


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
    def __init__(self):
        self.lock = threading.Lock()
        self.issued = 0
        self.ok = 0
        self.failed = 0
        self.per_node = {}
        self.statuses = {}
        self.errors = {}
        self.connections_opened = 0
        self.server_closes = 0
        self.first_failure_at = None
        self.last_failure_at = None
        self.stopped = False

    def take_ticket(self, count, deadline):
        with self.lock:
            if self.stopped or self.issued >= count or time.monotonic() >= deadline:
                return False
            self.issued += 1
            return True


def read_response(sock, buf):
    """Read one response from ``sock``; ``buf`` holds bytes already read. Returns (status, headers, rest)."""
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
        rest = read_chunked(sock, rest)
    else:
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise RequestFailed("eof_in_body")
            rest += chunk
        rest = rest[length:]
    return status, headers, rest


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


def worker(args, targets, stats, deadline, request_bytes):
    sock = None
    buf = b""
    phase = "connect"
    while stats.take_ticket(args.count, deadline):
        try:
            if sock is None:
                phase = "connect"
                host, port = targets.pick()
                sock = socket.create_connection((host, port), timeout=args.timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buf = b""
                with stats.lock:
                    stats.connections_opened += 1
            phase = "send"
            sock.sendall(request_bytes)  # no liveness check first: a pooled client
            phase = "recv"
            status, headers, buf = read_response(sock, buf)
            close = "close" in headers.get("connection", "").lower()
            with stats.lock:
                stats.statuses[status] = stats.statuses.get(status, 0) + 1
                if status == args.expect_status:
                    stats.ok += 1
                    node = headers.get(args.node_header.lower(), "-")
                    stats.per_node[node] = stats.per_node.get(node, 0) + 1
                else:
                    stats.failed += 1
                    kind = "status_%d" % status
                    stats.errors[kind] = stats.errors.get(kind, 0) + 1
                if close:
                    stats.server_closes += 1
            if close:
                sock.close()
                sock = None
        except Exception as exc:  # every failure is counted, never retried
            kind = "%s:%s" % (phase, classify(exc))
            now = time.monotonic()
            with stats.lock:
                stats.failed += 1
                stats.errors[kind] = stats.errors.get(kind, 0) + 1
                stats.first_failure_at = stats.first_failure_at or now
                stats.last_failure_at = now
            if sock is not None:
                sock.close()
            sock = None
        if args.think_ms:
            time.sleep(args.think_ms / 1000.0)
    if sock is not None:
        sock.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", default=[], help="host:port, repeatable")
    parser.add_argument("--targets-file", help="file of host:port lines, re-read before every new connection")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--count", type=int, default=100000, help="upper bound on requests in total")
    parser.add_argument("--duration", type=float, default=10.0, help="upper bound in seconds")
    parser.add_argument("--path", default="/")
    parser.add_argument("--host-header", default="lvs-ingress-test")
    parser.add_argument("--node-header", default="X-Lvs-Node")
    parser.add_argument("--expect-status", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=5.0, help="socket timeout per operation")
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause between requests on a connection")
    parser.add_argument("--ready-file", help="touch this file once all workers started")
    args = parser.parse_args(argv)
    if not args.target and not args.targets_file:
        parser.error("give --target or --targets-file")
    for name in ("connections", "count"):
        if getattr(args, name) <= 0:
            parser.error("--%s must be > 0" % name)
    if args.duration <= 0 or args.timeout <= 0:
        parser.error("--duration and --timeout must be > 0")

    targets = Targets(args.target, args.targets_file)
    stats = Stats()

    def stop(_signum, _frame):
        stats.stopped = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    request_bytes = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: lvs-ingress-loadgen\r\n\r\n" % (args.path, args.host_header)).encode()
    start = time.monotonic()
    deadline = start + args.duration
    threads = [
        threading.Thread(target=worker, args=(args, targets, stats, deadline, request_bytes), daemon=True)
        for _ in range(args.connections)
    ]
    for thread in threads:
        thread.start()
    if args.ready_file:
        open(args.ready_file, "w").close()
    for thread in threads:
        thread.join(args.duration + 2 * args.timeout + 5)
    elapsed = time.monotonic() - start
    result = {
        "total": stats.ok + stats.failed,
        "ok": stats.ok,
        "failed": stats.failed,
        "per_node": stats.per_node,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "connections_opened": stats.connections_opened,
        "server_closes": stats.server_closes,
        "errors": stats.errors,
        "elapsed": round(elapsed, 3),
        "first_failure_at": round(stats.first_failure_at - start, 3) if stats.first_failure_at else None,
        "last_failure_at": round(stats.last_failure_at - start, 3) if stats.last_failure_at else None,
        "connections": args.connections,
        "think_ms": args.think_ms,
    }
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

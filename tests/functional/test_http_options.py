# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Functional proof on real nginx (needs root, nginx, ip): ingress_node's http options do what they say.

Run: sudo .venv/bin/pytest -q tests/functional/test_http_options.py   (about 15 s)

Each test: a fresh network namespace ``lvsn-test-*`` (nginx_netns.Lab) with one nginx master whose http{} has
an access_log of its own (as Debian's nginx.conf) and includes the role's templates/http_options.conf.j2, rendered
with the options under test; its server proxies to a Python upstream in the same namespace that answers with the
request headers it received (``/slow``: after 1 s). Clients are curl in the namespace, from 127.0.0.1 or from
127.0.0.5 (both on the namespace's loopback). Every assertion is on a status, a header or a log line, none on a
duration.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from nginx_netns import ROOT, Lab, netns_exec, render  # noqa: E402

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx installed"),
    pytest.mark.skipif(shutil.which("ip") is None or shutil.which("curl") is None, reason="needs ip and curl"),
]

with open(os.path.join(ROOT, "roles", "ingress_node", "defaults", "main.yml")) as _f:
    DEFAULTS = yaml.safe_load(_f)

PORT = 8080
UPSTREAM_PORT = 9090
TRUSTED_CLIENT = "127.0.0.5"
UA = 'probe "quoted" back\\slash/1.0'

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;
events {{ worker_connections 256; }}
http {{
    access_log {dir}/access.log;
    include {dir}/lvs_ingress_http.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        location / {{
            proxy_pass http://127.0.0.1:{upstream_port};
        }}
    }}
}}
"""

# Answers every GET with the headers it received, as JSON; /slow after 1 s.
UPSTREAM = r"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(1.0)
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


class Site:
    """nginx with the rendered http options and the upstream, in a Lab's namespace; stop() ends both by pid."""

    def __init__(self, lab, **options):
        self.lab = lab
        self.dir = lab.dir
        self.json_log = os.path.join(self.dir, "access_json.log")
        self.access_log = os.path.join(self.dir, "access.log")
        variables = dict(DEFAULTS, ingress_node_json_access_log_file=self.json_log)
        variables.update(options)
        self.options_text = render("http_options.conf.j2", **variables)
        with open(os.path.join(self.dir, "lvs_ingress_http.conf"), "w") as fh:
            fh.write(self.options_text)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as fh:
            fh.write(NGINX_CONF.format(dir=self.dir, port=PORT, upstream_port=UPSTREAM_PORT))
        self.procs = []

    def start(self):
        subprocess.run(netns_exec(self.lab.ns, ["nginx", "-t", "-q", "-c", self.conf]), check=True)
        self.procs.append(subprocess.Popen(netns_exec(self.lab.ns, [sys.executable, "-c", UPSTREAM,
                                                                    str(UPSTREAM_PORT)])))
        self.procs.append(subprocess.Popen(netns_exec(self.lab.ns, ["nginx", "-c", self.conf])))
        self.wait_port(UPSTREAM_PORT)
        self.wait_port(PORT)  # once the upstream answers, exactly one probe through nginx is logged: a 200
        # nginx writes a request's log lines after its response: wait for the probe's, which are not the tests'
        self.seen = 0
        assert len(self.new_lines(self.access_log)) == 1
        self.seen = len(self.new_json_lines()) if self.json_log in self.options_text else 0

    def wait_port(self, port, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.get("/ready", port=port)[0] == 200:
                return
            time.sleep(0.1)
        raise RuntimeError("nothing answers on port %d in %s" % (port, self.lab.ns))

    def get(self, path, port=PORT, source=None, headers=(), timeout=5):
        """(status, body) of a GET from ``source`` (an address on the namespace's lo); status 0: no answer."""
        argv = ["curl", "-s", "--noproxy", "*", "--max-time", str(timeout), "-A", UA, "-o", "-",
                "-w", "\n%{http_code}"]
        if source:
            argv += ["--interface", source]
        for header in headers:
            argv += ["-H", header]
        out = subprocess.run(netns_exec(self.lab.ns, argv + ["http://127.0.0.1:%d%s" % (port, path)]),
                             capture_output=True, text=True, check=False).stdout
        body, code = ("\n" + out).rsplit("\n", 1)  # -w writes the status last (000: no answer)
        return int(code or 0), body[1:]

    def upstream_headers(self, path="/headers", **kwargs):
        status, body = self.get(path, **kwargs)
        assert status == 200, (status, body)
        return json.loads(body)

    def log_lines(self, path=None):
        path = path or self.json_log
        if not os.path.exists(path):
            return []
        with open(path) as fh:
            return fh.read().splitlines()

    def new_lines(self, path, after=0, count=1, timeout=3):
        """The lines of ``path`` after the first ``after``, once (bounded wait) at least ``count`` are there."""
        deadline = time.monotonic() + timeout
        lines = self.log_lines(path)[after:]
        while len(lines) < count and time.monotonic() < deadline:
            time.sleep(0.05)
            lines = self.log_lines(path)[after:]
        return lines

    def new_json_lines(self, count=1):
        """The JSON log's lines since the last call, once at least ``count`` have come."""
        lines = self.new_lines(self.json_log, self.seen, count)
        self.seen += len(lines)
        return lines

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # nginx: fast shutdown, its workers exit with it
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@pytest.fixture
def site():
    labs, sites = [], []

    def make(**options):
        lab = Lab()
        labs.append(lab)
        s = Site(lab, **options)
        sites.append(s)
        s.start()
        return s

    try:
        yield make
    finally:
        for s in sites:
            s.stop()
        for lab in labs:
            lab.close()


def test_all_off_is_a_valid_empty_file(site):
    s = site()
    assert [line for line in s.options_text.splitlines() if line.strip() and not line.startswith("#")] == []
    assert s.get("/x")[0] == 200
    assert not os.path.exists(s.json_log)
    headers = s.upstream_headers()
    assert "x-real-ip" not in headers and "x-forwarded-for" not in headers


def test_json_access_log(site):
    s = site(ingress_node_json_access_log=True)
    before = len(s.log_lines(s.access_log))
    status = s.get("/some/path?a=1&b=%22")[0]
    assert status == 200
    (line,) = s.new_json_lines()
    entry = json.loads(line)
    assert entry["user_agent"] == UA  # a quote and a backslash, escaped by escape=json, back intact
    assert entry["remote_addr"] == "127.0.0.1"
    assert entry["peer_addr"] == "127.0.0.1"
    assert entry["method"] == "GET"
    assert entry["path"] == "/some/path"
    assert entry["query"] == "a=1&b=%22"
    assert entry["host"] == "127.0.0.1"
    assert entry["protocol"] == "HTTP/1.1"
    assert entry["status"] == "200"
    assert entry["upstream_status"] == "200"
    assert entry["upstream_addr"] == "127.0.0.1:%d" % UPSTREAM_PORT
    assert entry["node"] == socket.gethostname()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", entry["time"]), entry["time"]
    assert float(entry["msec"]) > 1.6e9
    assert float(entry["request_time"]) >= 0 and float(entry["upstream_response_time"]) >= 0
    assert int(entry["bytes_sent"]) > 0 and int(entry["request_length"]) > 0
    assert re.match(r"^[0-9a-f]{32}$", entry["request_id"])
    # nginx.conf's own access_log still writes its line
    assert len(s.new_lines(s.access_log, before)) == 1


def test_upstream_gets_the_client_address(site):
    s = site(ingress_node_proxy_real_ip_headers=True)
    headers = s.upstream_headers()
    assert headers["x-real-ip"] == "127.0.0.1"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    headers = s.upstream_headers(source=TRUSTED_CLIENT, headers=["X-Forwarded-For: 203.0.113.7"])
    assert headers["x-real-ip"] == TRUSTED_CLIENT  # no ingress_node_real_ip_from: the header is not believed
    assert headers["x-forwarded-for"] == "203.0.113.7, " + TRUSTED_CLIENT


def test_real_ip_from_a_trusted_proxy_only(site):
    s = site(ingress_node_json_access_log=True, ingress_node_proxy_real_ip_headers=True,
             ingress_node_real_ip_from=[TRUSTED_CLIENT + "/32"])
    # from the trusted proxy: its X-Forwarded-For is the client
    headers = s.upstream_headers(source=TRUSTED_CLIENT, headers=["X-Forwarded-For: 203.0.113.7"])
    assert headers["x-real-ip"] == "203.0.113.7"
    (entry,) = [json.loads(line) for line in s.new_json_lines()]
    assert (entry["remote_addr"], entry["peer_addr"]) == ("203.0.113.7", TRUSTED_CLIENT)
    # the same header from an address outside ingress_node_real_ip_from changes nothing
    headers = s.upstream_headers(source="127.0.0.1", headers=["X-Forwarded-For: 203.0.113.7"])
    assert headers["x-real-ip"] == "127.0.0.1"
    (entry,) = [json.loads(line) for line in s.new_json_lines()]
    assert (entry["remote_addr"], entry["peer_addr"]) == ("127.0.0.1", "127.0.0.1")
    # real_ip_recursive off (the default): the last address of the header, even a trusted one
    headers = s.upstream_headers(source=TRUSTED_CLIENT, headers=["X-Forwarded-For: 203.0.113.7, " + TRUSTED_CLIENT])
    assert headers["x-real-ip"] == TRUSTED_CLIENT


def test_real_ip_recursive(site):
    s = site(ingress_node_proxy_real_ip_headers=True, ingress_node_real_ip_from=[TRUSTED_CLIENT],
             ingress_node_real_ip_recursive=True)
    headers = s.upstream_headers(source=TRUSTED_CLIENT, headers=["X-Forwarded-For: 203.0.113.7, " + TRUSTED_CLIENT])
    assert headers["x-real-ip"] == "203.0.113.7"


def test_real_ip_header_choice(site):
    s = site(ingress_node_proxy_real_ip_headers=True, ingress_node_real_ip_from=[TRUSTED_CLIENT],
             ingress_node_real_ip_header="X-Real-IP")
    headers = s.upstream_headers(source=TRUSTED_CLIENT, headers=["X-Forwarded-For: 203.0.113.7",
                                                                 "X-Real-IP: 198.51.100.9"])
    assert headers["x-real-ip"] == "198.51.100.9"


def test_read_timeout_in_milliseconds(site):
    short = site(ingress_node_proxy_read_timeout_ms=200)
    assert "proxy_read_timeout 200ms;" in short.options_text
    assert short.get("/slow")[0] == 504
    assert short.get("/fast")[0] == 200
    long_ = site(ingress_node_proxy_read_timeout_ms=5000, ingress_node_proxy_connect_timeout_ms=300,
                 ingress_node_proxy_send_timeout_ms=300)
    assert long_.get("/slow")[0] == 200

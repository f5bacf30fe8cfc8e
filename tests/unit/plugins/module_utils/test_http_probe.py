# SPDX-License-Identifier: GPL-3.0-or-later
"""_http_probe.probe against a real HTTP server on 127.0.0.1 (an ephemeral port, in a thread)."""
from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _http_probe
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

SLOW_SECONDS = 1.0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/status":
            self.answer(200, b"ok\n")
        elif self.path == "/host":
            self.answer(200, (self.headers.get("Host") or "").encode())
        elif self.path == "/draining":
            self.answer(503, b"draining\n")
        elif self.path == "/moved":
            self.answer(301, b"", location="/status")
        elif self.path == "/big":
            self.answer(200, b"x" * 1000)
        elif self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.answer(200, b"late\n")
        else:
            self.answer(404, b"")

    def answer(self, status, body, location=None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_ok_answer_has_status_and_body(server):
    answer = _http_probe.probe(server + "/status")
    assert answer == {"url": server + "/status", "host": None, "status": 200, "body": "ok\n", "error": None}


def test_host_header_is_sent(server):
    answer = _http_probe.probe(server + "/host", host="lvscheck")
    assert answer["status"] == 200 and answer["body"] == "lvscheck" and answer["host"] == "lvscheck"


def test_error_status_is_an_answer_not_an_exception(server):
    answer = _http_probe.probe(server + "/draining")
    assert answer["status"] == 503 and answer["body"] == "draining\n" and answer["error"] is None


def test_redirect_is_not_followed(server):
    answer = _http_probe.probe(server + "/moved")
    assert answer["status"] == 301 and answer["error"] is None


def test_body_is_cut_to_the_excerpt(server):
    answer = _http_probe.probe(server + "/big")
    assert answer["status"] == 200 and answer["body"] == "x" * _http_probe.BODY_EXCERPT


def test_proxy_from_the_environment_is_ignored(server, monkeypatch):
    # a proxy that refuses every connection: the probe must go straight to the node
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert _http_probe.probe(server + "/status")["status"] == 200


def test_timeout_is_an_error_answer(server):
    started = time.monotonic()
    answer = _http_probe.probe(server + "/slow", timeout=0.2)
    assert time.monotonic() - started < SLOW_SECONDS
    assert answer["status"] is None and answer["body"] is None
    assert "timed out" in answer["error"], answer


def test_connection_refused_is_an_error_answer():
    with socket.socket() as sock:  # a port nobody listens on: bound, then closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    answer = _http_probe.probe("http://127.0.0.1:%d/status" % port, timeout=2)
    assert answer["status"] is None and answer["body"] is None
    assert answer["error"].startswith("ConnectionRefusedError: "), answer


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "127.0.0.1/status", ""])
def test_url_must_be_http(url):
    with pytest.raises(LvsIngressError, match="check url must be http:// or https://, got %r" % url):
        _http_probe.probe(url)


def test_normalize_checks_order_and_defaults():
    extra = [{"url": "http://127.0.0.1/x"}, {"url": "http://127.0.0.1/y", "name": "y", "host": "h", "status": 204}]
    lvscheck = {"url": _http_probe.LVSCHECK_URL, "host": _http_probe.LVSCHECK_HOST}
    checks = _http_probe.normalize_checks(extra, lvscheck, controller=True)
    assert [c["name"] for c in checks] == ["lvscheck", "controller_healthz", "dynamic_lb_initialized",
                                           "http://127.0.0.1/x", "y"]
    assert checks[0] == {"name": "lvscheck", "url": "http://127.0.0.1/status", "host": "lvscheck", "status": 200}
    assert checks[3]["status"] == 200 and checks[3]["host"] is None
    assert checks[4] == {"name": "y", "url": "http://127.0.0.1/y", "host": "h", "status": 204}


def test_normalize_checks_without_url_names_the_index():
    with pytest.raises(LvsIngressError, match=r"checks\[1\] has no url"):
        _http_probe.normalize_checks([{"url": "http://a/"}, {"name": "b"}], None, False)


def test_run_checks_stops_at_the_first_failure(server):
    checks = _http_probe.normalize_checks([{"url": server + "/status"}, {"url": server + "/draining", "name": "d"},
                                           {"url": server + "/host"}], None, False)
    result = _http_probe.run_checks(checks, timeout=2)
    assert result["ok"] is False and result["failed_check"] == "d"
    assert [(a["name"], a["status"], a["expected_status"]) for a in result["answers"]] == [
        (server + "/status", 200, 200), ("d", 503, 200)]


def test_run_checks_all_ok(server):
    checks = _http_probe.normalize_checks([{"url": server + "/draining", "status": 503}], None, False)
    assert _http_probe.run_checks(checks, timeout=2) == {
        "ok": True, "failed_check": None,
        "answers": [{"url": server + "/draining", "host": None, "status": 503, "body": "draining\n", "error": None,
                     "name": server + "/draining", "expected_status": 503}]}

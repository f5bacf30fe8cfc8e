# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of ingress_ready (its run() function)."""
from __future__ import annotations

import pytest
from node_harness import assert_documented_like_the_spec, nginx_host, params

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.modules import ingress_ready


def test_documented_defaults_match_the_argument_spec():
    assert_documented_like_the_spec(ingress_ready)


def test_ready_controller_checks_in_order(fake_clock, tmp_path):
    calls = []
    status = {"http://127.0.0.1:10246/is-dynamic-lb-initialized": iter([404, 200])}

    def probe(url, host, timeout):
        calls.append(url)
        code = next(status[url]) if url in status else 200
        return {"url": url, "host": host, "status": code, "body": "", "error": None}

    p = params(ingress_ready.ARGUMENT_SPEC, controller=True, checks=[{"url": "http://127.0.0.1/x", "host": "a",
                                                                      "status": 200, "name": None}])
    result = ingress_ready.run(p, nginx_host(tmp_path), probe_fn=probe, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert result["changed"] is False and result["polls"] == 2 and result["master"]["pid"] == 100
    assert [a["name"] for a in result["answers"]] == ["lvscheck", "controller_healthz", "dynamic_lb_initialized",
                                                      "http://127.0.0.1/x"]
    assert calls[:3] == ["http://127.0.0.1/status", "http://127.0.0.1:10254/healthz",
                         "http://127.0.0.1:10246/is-dynamic-lb-initialized"]


def test_ready_timeout_names_failed_check_and_answer(fake_clock, tmp_path):
    def probe(url, host, timeout):
        return {"url": url, "host": host, "status": 503, "body": "draining\n", "error": None}

    p = params(ingress_ready.ARGUMENT_SPEC, timeout=3)
    with pytest.raises(LvsIngressError, match="last failed check lvscheck: .*answered 503 \\(expected 200\\)") as err:
        ingress_ready.run(p, nginx_host(tmp_path), probe_fn=probe, clock=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert err.value.details["failed_check"] == "lvscheck"
    assert err.value.details["answers"][0]["body"] == "draining\n"


def test_ready_waits_for_workers(fake_clock, tmp_path):
    p = params(ingress_ready.ARGUMENT_SPEC, timeout=2, lvscheck=False)
    with pytest.raises(LvsIngressError, match="last failed check nginx: nginx master 100 has no workers"):
        ingress_ready.run(p, nginx_host(tmp_path, workers=False), clock=fake_clock.monotonic, sleep=fake_clock.sleep)


def test_ready_bad_check_url(tmp_path):
    p = params(ingress_ready.ARGUMENT_SPEC, nginx=False, lvscheck_url="ftp://x/")
    with pytest.raises(LvsIngressError, match="http:// or https://, got 'ftp://x/'"):
        ingress_ready.run(p, nginx_host(tmp_path))

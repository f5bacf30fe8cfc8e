# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.


"""HTTP health probes of a node: one request, one answer dict, never an exception for a failed check."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

# The lvscheck endpoint the directors probe (roles/ingress_node/templates/lvscheck.conf.j2).
LVSCHECK_URL = "http://127.0.0.1/status"
LVSCHECK_HOST = "lvscheck"
# ingress-nginx controller health and its dynamic balancer (Lua) readiness.
CONTROLLER_CHECKS = (
    {"name": "controller_healthz", "url": "http://127.0.0.1:10254/healthz", "host": None, "status": 200},
    {"name": "dynamic_lb_initialized", "url": "http://127.0.0.1:10246/is-dynamic-lb-initialized", "host": None,
     "status": 200},
)
BODY_EXCERPT = 200


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _opener():
    # no proxies from the environment, no redirects: we ask this node, and a 301 is an answer
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def probe(url, host=None, timeout=2.0, opener=None):
    """GET ``url`` (with ``Host: host`` if given). Returns {url, host, status, body, error}; status None on error."""
    if not url.startswith(("http://", "https://")):
        raise LvsIngressError("check url must be http:// or https://, got %r" % url, url=url)
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    answer = {"url": url, "host": host, "status": None, "body": None, "error": None}
    try:
        with (opener or _opener()).open(request, timeout=timeout) as response:
            answer["status"] = response.status
            answer["body"] = response.read(BODY_EXCERPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        answer["status"] = err.code
        try:
            answer["body"] = err.read(BODY_EXCERPT).decode("utf-8", "replace")
        except Exception:  # body of an error answer is best effort
            answer["body"] = None
    except (urllib.error.URLError, socket.timeout, OSError) as err:
        reason = getattr(err, "reason", err)
        answer["error"] = "%s: %s" % (type(reason).__name__, reason)
    return answer


def normalize_checks(checks, lvscheck, controller):
    """The list of checks to run, each {name, url, host, status}."""
    result = []
    if lvscheck:
        result.append({"name": "lvscheck", "url": lvscheck["url"], "host": lvscheck.get("host"),
                       "status": lvscheck.get("status", 200)})
    if controller:
        result.extend(dict(c) for c in CONTROLLER_CHECKS)
    for index, check in enumerate(checks or []):
        if not check.get("url"):
            raise LvsIngressError("checks[%d] has no url" % index, check=check)
        result.append({"name": check.get("name") or check["url"], "url": check["url"], "host": check.get("host"),
                       "status": check.get("status") or 200})
    return result


def run_checks(checks, timeout, probe_fn=probe):
    """Run the checks in order, stop at the first failure. Returns {ok, failed_check, answers}."""
    answers = []
    for check in checks:
        answer = probe_fn(check["url"], check["host"], timeout)
        answer["name"] = check["name"]
        answer["expected_status"] = check["status"]
        answers.append(answer)
        if answer["status"] != check["status"]:
            return {"ok": False, "failed_check": check["name"], "answers": answers}
    return {"ok": True, "failed_check": None, "answers": answers}

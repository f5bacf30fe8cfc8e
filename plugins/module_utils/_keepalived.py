# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""keepalived.conf as data: a tokenizer (braces, ``#``/``!`` comments, quotes, ``include``), the
``virtual_server``/``real_server``/checker model with keepalived 2.2's defaults and inheritance,
the worst-case failure detection budget, and the per-real-server weight include files.

The defaults and the inheritance (checker -> real_server -> virtual_server -> built-in default) follow
keepalived.conf(5) and keepalived 2.2.7's ``check_data.c``/``check_api.c``; see
:func:`checker_budget` for the detection formula.
"""

from __future__ import annotations

import glob
import os
import re

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs import (
    address_family,
    format_endpoint,
    normalize_address,
    normalize_weight,
)

CONFIG_FILE = "/etc/keepalived/keepalived.conf"
#: One fact, one place: where the lvs_director role points each real_server's ``include``.
WEIGHTS_DIR = "/etc/keepalived/lvs_ingress/weights"
WEIGHT_FILE_MARKER = "# lvs_ingress active_weight="
INCLUDE_WORDS = ("include", "includer", "includem", "includew", "includeb", "includea")
MAX_INCLUDE_DEPTH = 32

# keepalived 2.2 built-in defaults (keepalived.conf(5); check_data.c, check_api.c, check_http.c, check_misc.c)
DEFAULT_DELAY_LOOP = 60.0  # KEEPALIVED_DEFAULT_DELAY
DEFAULT_CONNECT_TIMEOUT = 5.0  # virtual server connection_to
DEFAULT_RETRY = {"MISC_CHECK": 0, "DNS_CHECK": 3}  # others: 1
DEFAULT_DELAY_BEFORE_RETRY = {"HTTP_GET": 3.0, "SSL_GET": 3.0, "DNS_CHECK": None}  # None: delay_loop; others: 1
BOOTSTRAP_DELAY = 1.0  # a (re)started checker first runs after 1 s + random(0..warmup)
#: How many connect_timeout-bounded phases one attempt of a checker can spend before it fails.
ATTEMPT_PHASES = {"TCP_CHECK": 1, "HTTP_GET": 2, "SSL_GET": 3}
MODELLED_CHECKERS = ("TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK")
CHECKER_TYPES = MODELLED_CHECKERS + ("SMTP_CHECK", "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "BFD_CHECK", "FILE_CHECK")

_TRUE = ("yes", "on", "true", "1")
_FALSE = ("no", "off", "false", "0")


# ---------------------------------------------------------------- tokenizer and tree


class Node:
    """One statement: ``keyword args...`` with ``children`` when followed by a ``{ ... }`` block."""

    __slots__ = ("keyword", "args", "children", "source", "line", "resolved")

    def __init__(self, keyword, source, line):
        self.keyword = keyword
        self.args = []
        self.children = None
        self.source = source
        self.line = line
        self.resolved = None  # for include statements: files that were read

    def __repr__(self):  # pragma: no cover - debugging aid
        return "Node(%r, %r, %s)" % (self.keyword, self.args, "{%d}" % len(self.children) if self.children is not None else "-")

    def where(self):
        return "%s:%d" % (self.source, self.line)


def _split_line(line):
    """Words of one line; ``{``/``}`` are words of their own; ``#``/``!`` start a comment; quotes group."""
    words = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
        elif c in "#!":
            break
        elif c in "{}":
            words.append(c)
            i += 1
        elif c == '"':
            j = line.find('"', i + 1)
            if j < 0:
                j = n
            words.append(line[i + 1:j])
            i = j + 1
        else:
            j = i
            while j < n and not line[j].isspace() and line[j] not in "{}":
                j += 1
            words.append(line[i:j])
            i = j
    return words


def _tokens(text, source, reader, depth, base_dir):
    """Yield (kind, value, source, line): kind is 'word', 'open', 'close', 'eol' or 'include'."""
    for lineno, line in enumerate(text.splitlines(), 1):
        words = _split_line(line)
        if not words:
            continue
        if words[0] in INCLUDE_WORDS:
            if len(words) < 2:
                raise LvsIngressError("%s:%d: %s without a file name" % (source, lineno, words[0]), file=source, line=lineno)
            pattern = words[1]
            if not os.path.isabs(pattern):
                pattern = os.path.join(base_dir, pattern)
            files = sorted(glob.glob(pattern)) if depth < MAX_INCLUDE_DEPTH else []
            if depth >= MAX_INCLUDE_DEPTH:
                raise LvsIngressError("%s:%d: includes nested deeper than %d" % (source, lineno, MAX_INCLUDE_DEPTH), file=source, line=lineno)
            yield "include", (words[0], pattern, files), source, lineno
            for path in files:
                sub = reader(path)
                yield from _tokens(sub, path, reader, depth + 1, os.path.dirname(path))
            yield "eol", None, source, lineno
            continue
        for w in words:
            if w == "{":
                yield "open", w, source, lineno
            elif w == "}":
                yield "close", w, source, lineno
            else:
                yield "word", w, source, lineno
        yield "eol", None, source, lineno


def _read_file(path):
    try:
        with open(path, "r") as fh:
            return fh.read()
    except (IOError, OSError) as err:
        raise LvsIngressError("cannot read keepalived configuration %s: %s" % (path, err), path=path)


def parse(text, source="keepalived.conf", reader=_read_file, base_dir=None, follow_includes=True):
    """Parse configuration text into a list of top-level :class:`Node`."""
    if base_dir is None:
        base_dir = os.path.dirname(source) or "."
    if not follow_includes:
        def reader(path):  # noqa: F811 - includes are recorded, not read
            return ""
    root = []
    stack = [root]
    current = None
    last = None
    for kind, value, src, lineno in _tokens(text, source, reader, 0, base_dir):
        if kind == "word":
            if current is None:
                current = Node(value, src, lineno)
                stack[-1].append(current)
            else:
                current.args.append(value)
        elif kind == "eol":
            if current is not None:
                last = current
            current = None
        elif kind == "include":
            node = Node(value[0], src, lineno)
            node.args = [value[1]]
            node.resolved = list(value[2]) if follow_includes else []
            stack[-1].append(node)
            current, last = None, None
        elif kind == "open":
            owner = current if current is not None else last
            if owner is None or owner.children is not None or (stack[-1] and stack[-1][-1] is not owner):
                raise LvsIngressError("%s:%d: '{' without a keyword before it" % (src, lineno), file=src, line=lineno)
            owner.children = []
            stack.append(owner.children)
            current, last = None, None
        else:  # close
            if len(stack) == 1:
                raise LvsIngressError("%s:%d: '}' without a matching '{'" % (src, lineno), file=src, line=lineno)
            stack.pop()
            current, last = None, None
    if len(stack) > 1:
        raise LvsIngressError("%s: unclosed '{' at end of configuration" % source, file=source)
    return root


def load(path, follow_includes=True):
    """Read and parse the configuration at ``path`` (includes relative to its directory)."""
    if not os.path.exists(path):
        raise LvsIngressError("keepalived configuration %s does not exist" % path, path=path)
    return parse(_read_file(path), source=path, base_dir=os.path.dirname(path) or ".", follow_includes=follow_includes)


# ---------------------------------------------------------------- values


def _timer(node):
    try:
        value = float(node.args[0])
    except (IndexError, ValueError):
        raise LvsIngressError("%s: %s needs a number of seconds, got %r" % (node.where(), node.keyword, node.args),
                              file=node.source, line=node.line)
    if value < 0:
        raise LvsIngressError("%s: %s must not be negative" % (node.where(), node.keyword), file=node.source, line=node.line)
    return value


def _int(node):
    try:
        return int(node.args[0])
    except (IndexError, ValueError):
        raise LvsIngressError("%s: %s needs an integer, got %r" % (node.where(), node.keyword, node.args),
                              file=node.source, line=node.line)


def _bool(node, flag_default=True):
    """``alpha`` alone means true; ``alpha no`` false (real_server/checker level take an optional BOOL)."""
    if not node.args:
        return flag_default
    word = node.args[0].lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise LvsIngressError("%s: %s takes yes/no, got %r" % (node.where(), node.keyword, node.args[0]), file=node.source, line=node.line)


_TIMING_READERS = {
    "delay_loop": _timer,
    "connect_timeout": _timer,
    "delay_before_retry": _timer,
    "warmup": _timer,
    "retry": _int,
    "nb_get_retry": _int,  # deprecated HTTP_GET/SSL_GET spelling of retry
    "misc_timeout": _int,
    "alpha": _bool,
    "inhibit_on_failure": _bool,
}


def _timings(children):
    out = {}
    for child in children or ():
        reader = _TIMING_READERS.get(child.keyword)
        if reader is not None:
            key = "retry" if child.keyword == "nb_get_retry" else child.keyword
            out[key] = reader(child)
    return out


def _first(*values):
    for v in values:
        if v is not None:
            return v
    return None


# ---------------------------------------------------------------- model


def _vs_identity(node):
    args = node.args
    if not args:
        raise LvsIngressError("%s: virtual_server without an address" % node.where(), file=node.source, line=node.line)
    if args[0] == "fwmark":
        return {"fwmark": int(args[1]), "address": None, "port": None, "group": None}
    if args[0] == "group":
        return {"fwmark": None, "address": None, "port": None, "group": args[1]}
    address = normalize_address(args[0], "virtual address")
    port = int(args[1]) if len(args) > 1 else 0
    return {"fwmark": None, "address": address, "port": port, "group": None}


def _vs_name(vs):
    if vs["fwmark"] is not None:
        return "FWM %d" % vs["fwmark"]
    if vs["group"] is not None:
        return "group %s" % vs["group"]
    return "%s %s" % (vs["protocol"].upper(), format_endpoint(vs["address"], vs["port"]))


def _vs_key(vs):
    if vs["fwmark"] is not None:
        return "fwmark%d" % vs["fwmark"]
    if vs["group"] is not None:
        return "group-%s" % vs["group"]
    return "%s-%d-%s" % (vs["address"], vs["port"], vs["protocol"].upper())


def _children(node, keyword):
    return [c for c in (node.children or ()) if c.keyword == keyword]


def _last_value(node, keyword, reader):
    found = _children(node, keyword)
    return reader(found[-1]) if found else None


def virtual_servers(tree):
    """The ``virtual_server`` blocks as dicts, each with its ``real_servers`` and their ``checkers``."""
    out = []
    for node in tree:
        if node.keyword != "virtual_server" or node.children is None:
            continue
        vs = _vs_identity(node)
        proto = _children(node, "protocol")
        # keepalived 2.2 reports "no protocol set - defaulting to UDP" and uses UDP
        vs["protocol"] = proto[-1].args[0].lower() if proto and proto[-1].args else "udp"
        vs["source"] = node.where()
        flags = {c.keyword for c in node.children}
        timings = _timings([c for c in node.children if c.keyword not in ("alpha", "inhibit_on_failure")])
        vs["timings"] = timings
        vs["alpha"] = "alpha" in flags
        vs["inhibit_on_failure"] = "inhibit_on_failure" in flags
        persist = _children(node, "persistence_timeout")
        vs["persistence_timeout"] = (int(persist[-1].args[0]) if persist[-1].args else 360) if persist else None
        # lb_kind is the older name of lvs_method; keepalived 2.2 takes either, the last one wins
        method = [c for c in node.children if c.keyword in ("lvs_method", "lb_kind")]
        vs["lvs_method"] = method[-1].args[0].upper() if method and method[-1].args else "NAT"
        vs["name"] = _vs_name(vs)
        vs["key"] = _vs_key(vs)
        vs["real_servers"] = [_real_server(vs, rs) for rs in _children(node, "real_server")]
        out.append(vs)
    return out


def _real_server(vs, node):
    if not node.args:
        raise LvsIngressError("%s: real_server without an address" % node.where(), file=node.source, line=node.line)
    address = normalize_address(node.args[0], "real address")
    port = int(node.args[1]) if len(node.args) > 1 else (vs["port"] or 0)
    weight = _last_value(node, "weight", _int)
    rs = {
        "address": address,
        "port": port,
        "family": address_family(address),
        "endpoint": format_endpoint(address, port),
        "key": "%s-%s-%d" % (vs["key"], address, port),
        "weight": 1 if weight is None else weight,
        "source": node.where(),
        "timings": _timings(node.children),
        "includes": [{"pattern": c.args[0], "files": c.resolved or []} for c in (node.children or ()) if c.keyword in INCLUDE_WORDS],
        "checkers": [],
    }
    for child in node.children or ():
        if child.keyword in CHECKER_TYPES:
            rs["checkers"].append({
                "type": child.keyword,
                "source": child.where(),
                "timings": _timings(child.children),
                "urls": len(_children(child, "url")),
            })
    return rs


def find_real_server(vss, rs_spec):
    """Return (vs, rs) from :func:`virtual_servers` for an ``_ipvs.RealServerSpec`` (either may be None)."""
    svc = rs_spec.service
    for vs in vss:
        if svc.fwmark is not None:
            hit = vs["fwmark"] == svc.fwmark
        else:
            hit = vs["address"] == svc.address and vs["port"] == svc.port and vs["protocol"] == svc.protocol
        if hit:
            for rs in vs["real_servers"]:
                if rs["address"] == rs_spec.address and rs["port"] == rs_spec.port:
                    return vs, rs
            return vs, None
    return None, None


# ---------------------------------------------------------------- detection budget


def resolve_checker(vs, rs, checker):
    """Effective timings of one checker: checker -> real_server -> virtual_server -> keepalived default."""
    ctype = checker["type"]
    c, r, v = checker["timings"], rs["timings"], vs["timings"]
    delay_loop = _first(c.get("delay_loop"), r.get("delay_loop"), v.get("delay_loop"), DEFAULT_DELAY_LOOP)
    default_dbr = DEFAULT_DELAY_BEFORE_RETRY.get(ctype, 1.0)
    eff = {
        "type": ctype,
        "delay_loop": delay_loop,
        "connect_timeout": _first(c.get("connect_timeout"), r.get("connect_timeout"), v.get("connect_timeout"), DEFAULT_CONNECT_TIMEOUT),
        "retry": _first(c.get("retry"), r.get("retry"), v.get("retry"), DEFAULT_RETRY.get(ctype, 1)),
        "delay_before_retry": _first(c.get("delay_before_retry"), r.get("delay_before_retry"), v.get("delay_before_retry"),
                                     default_dbr if default_dbr is not None else delay_loop),
        "warmup": _first(c.get("warmup"), r.get("warmup"), v.get("warmup"), delay_loop),
        "alpha": bool(_first(c.get("alpha"), r.get("alpha"), vs["alpha"])),
        "urls": max(checker["urls"], 1) if ctype in ("HTTP_GET", "SSL_GET") else 1,
        "source": checker["source"],
    }
    if ctype == "MISC_CHECK":
        # keepalived falls back to the *virtual server's* delay_loop when misc_timeout is unset or 0
        eff["misc_timeout"] = float(c.get("misc_timeout") or _first(v.get("delay_loop"), DEFAULT_DELAY_LOOP))
    return eff


def checker_budget(eff):
    """Worst-case seconds from "the check starts failing" to "keepalived has taken the real server out".

    ``first = max(urls * delay_loop, BOOTSTRAP_DELAY + warmup + (urls - 1) * delay_loop)``: in steady state
    the failure begins right after a passing check, and the next check of the failing URL comes one
    ``delay_loop`` per URL later; after a keepalived (re)load the checker is re-armed and first runs
    after 1 s + random(0..warmup). Then ``retry + 1`` attempts each fail after at most ``attempt``
    seconds (TCP_CHECK: connect_timeout; HTTP_GET: connect + response, 2 x connect_timeout; SSL_GET:
    connect + TLS handshake + response, 3 x connect_timeout; MISC_CHECK: misc_timeout), separated by
    ``retry`` pauses of ``delay_before_retry``.
    """
    ctype = eff["type"]
    if ctype not in MODELLED_CHECKERS:
        return None
    attempt = eff["misc_timeout"] if ctype == "MISC_CHECK" else ATTEMPT_PHASES[ctype] * eff["connect_timeout"]
    first = max(eff["urls"] * eff["delay_loop"], BOOTSTRAP_DELAY + eff["warmup"] + (eff["urls"] - 1) * eff["delay_loop"])
    attempts = eff["retry"] + 1
    total = first + attempts * attempt + eff["retry"] * eff["delay_before_retry"]
    eff["attempt_timeout"] = attempt
    eff["first_check_within"] = first
    eff["formula"] = "%g + %d x %g + %d x %g" % (first, attempts, attempt, eff["retry"], eff["delay_before_retry"])
    return round(total, 3)


def detection_budget(vss):
    """Budgets per virtual server / real server / checker, and the maximum over them.

    A real server's budget is the largest of its checkers' (the failure may be seen by one checker only,
    as when a drain flag fails the HTTP check while TCP still connects). A real server without a
    modelled checker is never taken out by keepalived: it is listed in ``unchecked``.
    """
    result = {"virtual_servers": [], "budget": None, "worst": None, "unchecked": [], "persistence_extra": 0}
    for vs in vss:
        vs_out = {k: vs[k] for k in ("name", "key", "address", "port", "protocol", "fwmark", "group",
                                     "alpha", "inhibit_on_failure", "persistence_timeout", "lvs_method", "source")}
        vs_out["real_servers"] = []
        vs_out["budget"] = None
        for rs in vs["real_servers"]:
            checkers = []
            for chk in rs["checkers"]:
                eff = resolve_checker(vs, rs, chk)
                eff["budget"] = checker_budget(eff)
                checkers.append(eff)
            budgets = [c["budget"] for c in checkers if c["budget"] is not None]
            inhibit = _first(rs["timings"].get("inhibit_on_failure"), vs["inhibit_on_failure"])
            rs_out = {"address": rs["address"], "port": rs["port"], "endpoint": rs["endpoint"], "key": rs["key"],
                      "weight": rs["weight"], "inhibit_on_failure": bool(inhibit), "checkers": checkers,
                      "budget": max(budgets) if budgets else None, "source": rs["source"]}
            # weight 0 (inhibit) keeps persistence templates: clients that have one still reach the
            # server until the template expires (unless net.ipv4.vs.expire_quiescent_template=1)
            rs_out["persistence_extra"] = vs["persistence_timeout"] if (inhibit and vs["persistence_timeout"]) else 0
            if rs_out["budget"] is None:
                result["unchecked"].append("%s -> %s" % (vs["name"], rs["endpoint"]))
            else:
                if vs_out["budget"] is None or rs_out["budget"] > vs_out["budget"]:
                    vs_out["budget"] = rs_out["budget"]
                if result["budget"] is None or rs_out["budget"] > result["budget"]:
                    result["budget"] = rs_out["budget"]
                    result["worst"] = {"virtual_server": vs["name"], "real_server": rs["endpoint"]}
                result["persistence_extra"] = max(result["persistence_extra"], rs_out["persistence_extra"])
            vs_out["real_servers"].append(rs_out)
        result["virtual_servers"].append(vs_out)
    return result


# ---------------------------------------------------------------- weight include files


def weight_file_path(rs_spec, weights_dir=WEIGHTS_DIR):
    """``<dir>/<VIP>-<VPORT>-<PROTO>-<RIP>-<RPORT>.conf`` (``fwmark<N>-<RIP>-<RPORT>.conf`` for fwmark)."""
    return os.path.join(weights_dir, rs_spec.key + ".conf")


def render_weight_file(weight, active_weight):
    weight = normalize_weight(weight)
    lines = []
    if active_weight is not None:
        lines.append("%s%d" % (WEIGHT_FILE_MARKER, normalize_weight(active_weight, "active weight")))
    lines.append("weight %d" % weight)
    return "\n".join(lines) + "\n"


_WEIGHT_LINE = re.compile(r"^\s*weight\s+(\d+)\s*$")


def parse_weight_file(text):
    """``{"weight": N or None, "active_weight": M or None}`` from a weight file's text."""
    out = {"weight": None, "active_weight": None}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(WEIGHT_FILE_MARKER):
            try:
                out["active_weight"] = int(stripped[len(WEIGHT_FILE_MARKER):])
            except ValueError:
                pass
            continue
        m = _WEIGHT_LINE.match(stripped)
        if m:
            out["weight"] = int(m.group(1))
    return out


def includes_file(rs, path):
    """Does the real_server block ``include`` ``path`` (exactly or through a glob)?"""
    import fnmatch

    for inc in rs["includes"]:
        if inc["pattern"] == path or fnmatch.fnmatchcase(path, inc["pattern"]):
            return True
    return False

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""IPVS as data: parse ``ipvsadm -Ln --exact`` (and ``--stats``, ``--rate``, ``--timeout``), name services
and real servers, build ``ipvsadm`` argv lists.

Pure logic: the caller passes a ``run(argv) -> (rc, stdout, stderr)`` callable (the module wraps
``run_command`` with ``LC_ALL=C``), so everything here is unit-tested on recorded output.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import run_checked

try:
    import netaddr

    HAS_NETADDR = True
    NETADDR_IMPORT_ERROR = None
except ImportError as _imp_err:  # pragma: no cover - depends on the host
    HAS_NETADDR = False
    NETADDR_IMPORT_ERROR = _imp_err

IPVSADM = "ipvsadm"
#: ipvsadm's words for the forwarding methods, and ours (the ipvsadm options that set them).
FORWARDING = {"Route": "dr", "Masq": "nat", "Tunnel": "tun", "Local": "local", "Bypass": "bypass"}
FORWARDING_FLAG = {"dr": "-g", "nat": "-m", "tun": "-i"}
PROTOCOLS = ("tcp", "udp", "sctp")
PROTOCOL_FLAG = {"tcp": "-t", "udp": "-u", "sctp": "--sctp-service"}
WEIGHT_MAX = 65535
STATS_FIELDS = ("conns", "inpkts", "outpkts", "inbytes", "outbytes")
RATE_FIELDS = ("cps", "inpps", "outpps", "inbps", "outbps")

_SERVICE_LINE = re.compile(r"^(TCP|UDP|SCTP|FWM)\s+(\S+)(.*)$")
_DEST_LINE = re.compile(r"^\s+->\s+(\S+)(.*)$")
_TIMEOUT_LINE = re.compile(r"^Timeout \(tcp tcpfin udp\):\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


# ---------------------------------------------------------------- normalizers


def normalize_address(value, what="address"):
    """Return the canonical text of an IP address (IPv6 compressed, lower case); raise naming the value."""
    text = str(value).strip() if value is not None else ""
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        if HAS_NETADDR:
            if ":" in text:
                addr = netaddr.IPAddress(text, 6)
            else:
                # INET_PTON: no "10.1" or "010.0.0.1" shorthands
                addr = netaddr.IPAddress(text, 4, flags=netaddr.INET_PTON)
        else:
            # directors without python3-netaddr: the standard library is as strict (no shorthands, compressed IPv6)
            addr = ipaddress.ip_address(text)
    except (ValueError, TypeError) + ((netaddr.AddrFormatError,) if HAS_NETADDR else ()):
        raise LvsIngressError("invalid %s %r: not an IPv4 or IPv6 address" % (what, value), **{what.replace(" ", "_"): value})
    return str(addr)


def address_family(address):
    return "ipv6" if ":" in address else "ipv4"


def normalize_port(value, what="port", allow_zero=False):
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise LvsIngressError("invalid %s %r: not an integer" % (what, value), **{what.replace(" ", "_"): value})
    low = 0 if allow_zero else 1
    if not low <= port <= 65535:
        raise LvsIngressError("invalid %s %r: must be %d..65535" % (what, value, low), **{what.replace(" ", "_"): value})
    return port


def normalize_weight(value, what="weight"):
    try:
        weight = int(value)
    except (TypeError, ValueError):
        raise LvsIngressError("invalid %s %r: not an integer" % (what, value), weight=value)
    if not 0 <= weight <= WEIGHT_MAX:
        raise LvsIngressError("invalid %s %r: must be 0..%d" % (what, value, WEIGHT_MAX), weight=value)
    return weight


def split_endpoint(text):
    """``198.18.0.1:80`` / ``[2001:db8::1]:80`` -> (address, port)."""
    if text.startswith("["):
        addr, sep, port = text[1:].partition("]:")
    else:
        addr, sep, port = text.rpartition(":")
    return normalize_address(addr), int(port)


def format_endpoint(address, port):
    if address_family(address) == "ipv6":
        return "[%s]:%d" % (address, port)
    return "%s:%d" % (address, port)


# ---------------------------------------------------------------- identities


class ServiceSpec:
    """Which virtual service: ``protocol`` + ``address`` + ``port``, or ``fwmark`` (+ ``family``)."""

    def __init__(self, address=None, port=None, protocol="tcp", fwmark=None, family=None):
        if fwmark is not None:
            try:
                fwmark = int(fwmark)
            except (TypeError, ValueError):
                raise LvsIngressError("invalid fwmark %r: not an integer" % (fwmark,), fwmark=fwmark)
            if not 1 <= fwmark <= 0xFFFFFFFF:
                raise LvsIngressError("invalid fwmark %r: must be 1..4294967295" % (fwmark,), fwmark=fwmark)
            if address is not None:
                raise LvsIngressError("give either a virtual address or a fwmark, not both", fwmark=fwmark, virtual_address=address)
            self.fwmark, self.address, self.port, self.protocol = fwmark, None, None, None
            self.family = family or "ipv4"
        else:
            if address is None:
                raise LvsIngressError("a virtual service needs a virtual address and port, or a fwmark")
            self.fwmark = None
            self.address = normalize_address(address, "virtual address")
            self.port = normalize_port(port, "virtual port")
            protocol = (protocol or "tcp").lower()
            if protocol not in PROTOCOLS:
                raise LvsIngressError("invalid protocol %r: must be one of %s" % (protocol, ", ".join(PROTOCOLS)), protocol=protocol)
            self.protocol = protocol
            self.family = address_family(self.address)

    def matches(self, service):
        if self.fwmark is not None:
            return service["fwmark"] == self.fwmark and service["family"] == self.family
        return (service["fwmark"] is None and service["protocol"] == self.protocol
                and service["address"] == self.address and service["port"] == self.port)

    @property
    def name(self):
        """Human name, as ipvsadm prints it: ``TCP 198.18.0.100:80`` or ``FWM 7``."""
        if self.fwmark is not None:
            return "FWM %d%s" % (self.fwmark, " IPv6" if self.family == "ipv6" else "")
        return "%s %s" % (self.protocol.upper(), format_endpoint(self.address, self.port))

    @property
    def key(self):
        """File-name key: ``<VIP>-<VPORT>-<PROTO>`` or ``fwmark<N>``."""
        if self.fwmark is not None:
            return "fwmark%d" % self.fwmark
        return "%s-%d-%s" % (self.address, self.port, self.protocol.upper())

    def argv(self):
        """The ipvsadm service selector: ``-t VIP:PORT`` / ``-u`` / ``--sctp-service`` / ``-f MARK``."""
        if self.fwmark is not None:
            return ["-f", str(self.fwmark)]
        return [PROTOCOL_FLAG[self.protocol], format_endpoint(self.address, self.port)]

    def as_dict(self):
        return {"protocol": self.protocol, "address": self.address, "port": self.port,
                "fwmark": self.fwmark, "family": self.family, "name": self.name}


class RealServerSpec:
    """Which real server: address + port (port defaults to the virtual port, 0 for fwmark services)."""

    def __init__(self, service, address, port=None):
        self.address = normalize_address(address, "real address")
        if port is None:
            port = service.port if service.port is not None else 0
        self.port = normalize_port(port, "real port", allow_zero=True)
        self.service = service
        if service.fwmark is None and address_family(self.address) != service.family:
            raise LvsIngressError(
                "real address %s and virtual address %s are of different families" % (self.address, service.address),
                real_address=self.address, virtual_address=service.address)

    def matches(self, dest):
        return dest["address"] == self.address and dest["port"] == self.port

    @property
    def name(self):
        return "%s -> %s" % (self.service.name, format_endpoint(self.address, self.port))

    @property
    def key(self):
        return "%s-%s-%d" % (self.service.key, self.address, self.port)

    def endpoint(self):
        return format_endpoint(self.address, self.port)


# ---------------------------------------------------------------- parsers


def _parse_service_flags(rest):
    """Parse what follows ``Prot VIP:PORT`` in the list format: scheduler, (flags), persistent N, mask, pe, ops."""
    tokens = rest.split()
    out = {"scheduler": None, "sched_flags": [], "persistent": False, "persistence_timeout": None,
           "netmask": None, "pe": None, "one_packet": False}
    if not tokens:
        return out
    out["scheduler"] = tokens.pop(0)
    while tokens:
        tok = tokens.pop(0)
        if tok.startswith("("):
            text = tok
            while not text.endswith(")") and tokens:
                text += tokens.pop(0)
            out["sched_flags"] = [f for f in text.strip("()").split(",") if f]
        elif tok == "persistent" and tokens:
            out["persistent"] = True
            out["persistence_timeout"] = int(tokens.pop(0))
        elif tok == "mask" and tokens:
            out["netmask"] = tokens.pop(0)
        elif tok == "pe" and tokens:
            out["pe"] = tokens.pop(0)
        elif tok == "ops":
            out["one_packet"] = True
        else:
            raise LvsIngressError("unexpected word %r in ipvsadm service line" % tok, line=rest)
    return out


def _parse_service_head(proto, name, rest):
    if proto == "FWM":
        words = rest.split()
        family = "ipv4"
        if words and words[0] == "IPv6":
            family = "ipv6"
            rest = rest.split("IPv6", 1)[1]
        return {"protocol": None, "address": None, "port": None, "fwmark": int(name), "family": family}, rest
    address, port = split_endpoint(name)
    return {"protocol": proto.lower(), "address": address, "port": port, "fwmark": None,
            "family": address_family(address)}, rest


def _service_name(svc):
    if svc["fwmark"] is not None:
        return "FWM %d%s" % (svc["fwmark"], " IPv6" if svc["family"] == "ipv6" else "")
    return "%s %s" % (svc["protocol"].upper(), format_endpoint(svc["address"], svc["port"]))


def _numbers(rest, count, line):
    words = rest.split()
    if len(words) != count:
        raise LvsIngressError("expected %d numbers in ipvsadm line, got %r" % (count, line), line=line)
    try:
        return [int(w) for w in words]
    except ValueError:
        raise LvsIngressError("non-numeric value in ipvsadm line %r (was --exact given?)" % line, line=line)


def _walk(text):
    """Yield ('service', head, rest, line) and ('dest', endpoint, rest, line) for the body lines."""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith(("IP Virtual Server", "Prot ", "  -> RemoteAddress")):
            continue
        m = _SERVICE_LINE.match(line)
        if m:
            yield "service", m.group(1), m.group(2), m.group(3), line
            continue
        m = _DEST_LINE.match(line)
        if m:
            yield "dest", None, m.group(1), m.group(2), line
            continue
        raise LvsIngressError("cannot parse ipvsadm output line %r" % line, line=line)


def parse_list(text):
    """Parse ``ipvsadm -Ln --exact`` into a list of virtual services with their real servers."""
    services = []
    current = None
    for kind, proto, name, rest, line in _walk(text):
        if kind == "service":
            head, rest = _parse_service_head(proto, name, rest)
            current = dict(head)
            current.update(_parse_service_flags(rest))
            current["name"] = _service_name(current)
            current["real_servers"] = []
            services.append(current)
        else:
            if current is None:
                raise LvsIngressError("real server line before any service in ipvsadm output", line=line)
            words = rest.split()
            if len(words) != 4:
                raise LvsIngressError("cannot parse ipvsadm real server line %r" % line, line=line)
            address, port = split_endpoint(name)
            fwd = FORWARDING.get(words[0], words[0].lower())
            weight, active, inactive = _numbers(" ".join(words[1:]), 3, line)
            current["real_servers"].append({
                "address": address, "port": port, "forwarding": fwd, "weight": weight,
                "active_connections": active, "inactive_connections": inactive,
            })
    return services


def _parse_counters(text, fields):
    """Parse ``--stats`` / ``--rate`` output: {service name: {"counters": .., "real_servers": {endpoint: ..}}}."""
    out = {}
    current = None
    for kind, proto, name, rest, line in _walk(text):
        if kind == "service":
            head, rest = _parse_service_head(proto, name, rest)
            current = {"counters": dict(zip(fields, _numbers(rest, len(fields), line))), "real_servers": {}}
            out[_service_name(head)] = current
        else:
            if current is None:
                raise LvsIngressError("real server line before any service in ipvsadm output", line=line)
            address, port = split_endpoint(name)
            current["real_servers"][format_endpoint(address, port)] = dict(zip(fields, _numbers(rest, len(fields), line)))
    return out


def parse_stats(text):
    return _parse_counters(text, STATS_FIELDS)


def parse_rate(text):
    return _parse_counters(text, RATE_FIELDS)


def parse_timeout(text):
    for line in text.splitlines():
        m = _TIMEOUT_LINE.match(line.strip())
        if m:
            return {"tcp": int(m.group(1)), "tcpfin": int(m.group(2)), "udp": int(m.group(3))}
    raise LvsIngressError("cannot parse ipvsadm --timeout output %r" % text, stdout=text)


def merge_counters(services, counters, key):
    """Attach parsed ``--stats``/``--rate`` counters under ``key`` to services and their real servers."""
    for svc in services:
        found = counters.get(svc["name"])
        svc[key] = found["counters"] if found else None
        for rs in svc["real_servers"]:
            rs[key] = found["real_servers"].get(format_endpoint(rs["address"], rs["port"])) if found else None
    return services


# ---------------------------------------------------------------- reading


def read_table(run, ipvsadm, stats=False, rate=False):
    """Read the IPVS table through ``run``; optionally merge ``--stats`` and ``--rate``."""
    services = parse_list(run_checked(run, [ipvsadm, "-Ln", "--exact"], "IPVS table"))
    if stats:
        merge_counters(services, parse_stats(run_checked(run, [ipvsadm, "-Ln", "--stats", "--exact"], "IPVS stats")), "stats")
    if rate:
        merge_counters(services, parse_rate(run_checked(run, [ipvsadm, "-Ln", "--rate", "--exact"], "IPVS rates")), "rate")
    return services


def read_timeouts(run, ipvsadm):
    return parse_timeout(run_checked(run, [ipvsadm, "-Ln", "--timeout"], "IPVS timeouts"))


def find_service(services, spec):
    for svc in services:
        if spec.matches(svc):
            return svc
    return None


def find_real_server(service, rs_spec):
    if service is None:
        return None
    for dest in service["real_servers"]:
        if rs_spec.matches(dest):
            return dest
    return None


def lookup(run, ipvsadm, rs_spec):
    """Return (service or None, real server or None) for ``rs_spec`` from a fresh read."""
    svc = find_service(read_table(run, ipvsadm), rs_spec.service)
    return svc, find_real_server(svc, rs_spec)


# ---------------------------------------------------------------- writing


def dest_argv(ipvsadm, action, rs_spec, forwarding=None, weight=None):
    """argv for ``ipvsadm -a|-e|-d`` on one real server."""
    argv = [ipvsadm, action] + rs_spec.service.argv() + ["-r", rs_spec.endpoint()]
    if action != "-d":
        if forwarding is not None:
            argv.append(FORWARDING_FLAG[forwarding])
        if weight is not None:
            argv += ["-w", str(weight)]
    return argv


def filter_services(services, service_spec=None, real_spec=None):
    """Keep services matching ``service_spec`` and, inside them, real servers at ``real_spec`` (address[, port])."""
    out = []
    for svc in services:
        if service_spec is not None and not service_spec.matches(svc):
            continue
        if real_spec is not None:
            address, port = real_spec
            dests = [d for d in svc["real_servers"] if d["address"] == address and (port is None or d["port"] == port)]
            if not dests:
                continue
            svc = dict(svc, real_servers=dests)
        out.append(svc)
    return out

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: keepalived_detection_budget
short_description: Worst-case seconds until keepalived stops sending new connections to a failing real server
version_added: 0.1.0
description:
  - Parses a keepalived configuration (C(virtual_server), C(real_server) and checker blocks, following C(include))
    and computes, per virtual server, real server and checker, the worst-case number of seconds from "the real
    server's health check starts failing" (for example the drain flag makes C(lvscheck) answer 503) until "this
    director sends it no new connections" (keepalived has set its weight to 0 or removed it).
  - Use the result instead of a guessed sleep between raising the drain flag and waiting for connections to end.
  - "B(Values and defaults) (keepalived 2.2, keepalived.conf(5) and its C(check_data.c)): every timing is looked up
    on the checker, then the C(real_server), then the C(virtual_server), then keepalived's default:
    C(delay_loop) 60; C(connect_timeout) 5; C(retry) (C(nb_get_retry) is its deprecated HTTP_GET/SSL_GET spelling)
    1, but 0 for MISC_CHECK; C(delay_before_retry) 3 for HTTP_GET/SSL_GET, 1 otherwise; C(warmup) the checker's
    C(delay_loop); C(misc_timeout) the virtual server's C(delay_loop)."
  - "B(Formula) per checker: C(budget = first + (retry + 1) * attempt + retry * delay_before_retry)."
  - "C(first = max(urls * delay_loop, 1 + warmup + (urls - 1) * delay_loop)) bounds the wait for the first check that
    sees the failure. In steady state the failure can begin right after a passing check; keepalived schedules the
    next check C(delay_loop) after a check ends, and an HTTP_GET/SSL_GET with several C(url) blocks checks one URL
    per C(delay_loop), so the failing URL is checked again at most C(urls * delay_loop) later. After a keepalived
    start or reload (which M(baremetal.lvs_ingress.ipvs_real_server) does) a checker first runs after 1 s plus a
    random delay up to C(warmup), with a fresh retry count."
  - "C(attempt) is the longest one failing attempt can take: TCP_CHECK C(connect_timeout); HTTP_GET
    2 x C(connect_timeout) (connect, then the response; each phase has its own timer); SSL_GET 3 x C(connect_timeout)
    (connect, TLS handshake, response); MISC_CHECK C(misc_timeout). A node that answers an error at once fails
    faster; this is the bound for one that hangs."
  - "keepalived marks the checker down after C(retry + 1) failed attempts separated by C(delay_before_retry), and
    then updates IPVS at once. C(alpha) only makes a (re)started real server start as down, which can only shorten
    the exposure, so it does not enter the bound. C(inhibit_on_failure) decides between weight 0 and removal; both
    stop new connections, but with persistence a weight-0 server keeps receiving the clients that hold a
    persistence template until it expires: RV(persistence_extra) reports that extra time."
  - "A real server's budget is the largest of its checkers' (a drain flag fails only the HTTP check, not a
    TCP_CHECK of the same port); the result's RV(budget) is the largest over all real servers. SMTP_CHECK,
    DNS_CHECK, UDP_CHECK, PING_CHECK, BFD_CHECK and FILE_CHECK are listed but not modelled (their budget is
    V(null)); a real server without a modelled checker is never taken out by keepalived and is listed in
    RV(unchecked)."
  - Parameter substitution (C($NAME)), conditional lines (C(@id)) and C(virtual_server_group) membership are not
    evaluated.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - baremetal.lvs_ingress._attributes
  - ansible.builtin.action_common_attributes
attributes:
  platform:
    support: full
    platforms: posix
    description: Reads a file; keepalived itself does not have to be installed.
requirements:
  - netaddr (Python library, optional; falls back to the standard library ipaddress)
options:
  path:
    description: The keepalived configuration file. Includes are read relative to its directory.
    type: path
    default: /etc/keepalived/keepalived.conf
  follow_includes:
    description: Read the files named by C(include) statements.
    type: bool
    default: true
  virtual_address:
    description: Only this virtual server (with O(virtual_port) and O(protocol)).
    type: str
    aliases: [vip]
  virtual_port:
    description: The port of O(virtual_address).
    type: int
    aliases: [vport]
  protocol:
    description: The protocol of O(virtual_address).
    type: str
    choices: [tcp, udp, sctp]
    default: tcp
  fwmark:
    description: Only this fwmark virtual server.
    type: int
  real_address:
    description: Only real servers with this address.
    type: str
    aliases: [rip]
  real_port:
    description: With O(real_address), only this port.
    type: int
    aliases: [rport]
seealso:
  - module: baremetal.lvs_ingress.lvs_wait_drained
  - name: keepalived.conf(5)
    description: keepalived's configuration reference.
    link: https://manpages.debian.org/bookworm/keepalived/keepalived.conf.5.en.html
"""

EXAMPLES = r"""
- name: How long until the directors stop sending new connections to a drained node?
  baremetal.lvs_ingress.keepalived_detection_budget:
    virtual_address: 198.18.0.100
    virtual_port: 80
    real_address: 198.18.0.11
  register: __budget

- name: Wait that long after raising the drain flag, not a guess
  ansible.builtin.pause:
    seconds: "{{ __budget.budget | round(0, 'ceil') | int }}"
"""

RETURN = r"""
budget:
  description: The largest budget in seconds over the selected real servers, V(null) if none is checked.
  returned: success
  type: float
  sample: 10.0
worst:
  description: Which virtual server and real server have RV(budget).
  returned: success
  type: dict
  sample: {virtual_server: TCP 198.18.0.100:80, real_server: 198.18.0.11:80}
persistence_extra:
  description: Largest extra seconds a weight-0 server can still receive connections through persistence templates.
  returned: success
  type: float
unchecked:
  description: Real servers (C(VS -> RS)) without a modelled checker; keepalived never takes them out.
  returned: success
  type: list
  elements: str
virtual_servers:
  description: Per virtual server the identity, C(budget) and C(real_servers), each with C(budget),
    C(inhibit_on_failure), C(persistence_extra) and C(checkers) (effective C(delay_loop), C(connect_timeout),
    C(retry), C(delay_before_retry), C(warmup), C(alpha), C(urls), C(attempt_timeout), C(first_check_within),
    C(formula), C(budget) and C(source) file:line).
  returned: success
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs, _keepalived
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail


def select(vss, service, real):
    out = []
    for vs in vss:
        if service is not None:
            if service.fwmark is not None:
                if vs["fwmark"] != service.fwmark:
                    continue
            elif (vs["address"], vs["port"], vs["protocol"]) != (service.address, service.port, service.protocol):
                continue
        if real is not None:
            rss = [rs for rs in vs["real_servers"] if rs["address"] == real[0] and (real[1] is None or rs["port"] == real[1])]
            if not rss:
                continue
            vs = dict(vs, real_servers=rss)
        out.append(vs)
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default=_keepalived.CONFIG_FILE),
            follow_includes=dict(type="bool", default=True),
            virtual_address=dict(type="str", aliases=["vip"]),
            virtual_port=dict(type="int", aliases=["vport"]),
            protocol=dict(type="str", choices=["tcp", "udp", "sctp"], default="tcp"),
            fwmark=dict(type="int"),
            real_address=dict(type="str", aliases=["rip"]),
            real_port=dict(type="int", aliases=["rport"]),
        ),
        mutually_exclusive=[("virtual_address", "fwmark")],
        required_together=[("virtual_address", "virtual_port")],
        required_by=dict(real_port="real_address"),
        supports_check_mode=True,
    )
    p = module.params
    try:
        service = None
        if p["virtual_address"] is not None or p["fwmark"] is not None:
            service = _ipvs.ServiceSpec(p["virtual_address"], p["virtual_port"], p["protocol"], p["fwmark"])
        real = None
        if p["real_address"] is not None:
            port = _ipvs.normalize_port(p["real_port"], "real port", allow_zero=True) if p["real_port"] is not None else None
            real = (_ipvs.normalize_address(p["real_address"], "real address"), port)
        vss = _keepalived.virtual_servers(_keepalived.load(p["path"], follow_includes=p["follow_includes"]))
        chosen = select(vss, service, real)
        if service is not None and not chosen:
            raise LvsIngressError("unknown virtual service %s%s: not in %s" % (
                service.name, (" with real server %s" % real[0]) if real else "", p["path"]),
                virtual_service=service.name, path=p["path"])
        if real is not None and not chosen:
            raise LvsIngressError("no real_server %s in %s" % (real[0], p["path"]), real_address=real[0], path=p["path"])
        result = _keepalived.detection_budget(chosen)
    except LvsIngressError as err:
        fail(module, err)
    module.exit_json(changed=False, path=p["path"], **result)


if __name__ == "__main__":
    main()

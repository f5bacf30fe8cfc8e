# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""Common arguments of the director-side modules (documented by the ``_ipvs`` doc fragment) and the glue
that turns them into ``_ipvs`` specs. The command runner and the failure path are in ``_module``."""

from __future__ import annotations

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs import IPVSADM, RealServerSpec, ServiceSpec

SERVICE_ARGS = dict(
    virtual_address=dict(type="str", aliases=["vip"]),
    virtual_port=dict(type="int", aliases=["vport"]),
    protocol=dict(type="str", choices=["tcp", "udp", "sctp"], default="tcp"),
    fwmark=dict(type="int"),
    fwmark_family=dict(type="str", choices=["ipv4", "ipv6"], default="ipv4"),
    ipvsadm_path=dict(type="str", default=IPVSADM),
)
SERVICE_MUTUALLY_EXCLUSIVE = [("virtual_address", "fwmark"), ("virtual_port", "fwmark")]
SERVICE_REQUIRED_TOGETHER = [("virtual_address", "virtual_port")]
SERVICE_REQUIRED_ONE_OF = [("virtual_address", "fwmark")]
#: One real server of one virtual service, as an item of ``real_servers``.
_ONE_REAL_SERVER = dict(
    {k: v for k, v in SERVICE_ARGS.items() if k != "ipvsadm_path"},
    real_address=dict(type="str", required=True, aliases=["rip"]),
    real_port=dict(type="int", aliases=["rport"]),
)
#: Either the top-level options name one real server, or ``real_servers`` lists several (of several virtual
#: services on the same director), so that one module run covers all of a node's memberships.
REAL_SERVER_ARGS = dict(
    real_address=dict(type="str", aliases=["rip"]),
    real_port=dict(type="int", aliases=["rport"]),
    real_servers=dict(type="list", elements="dict", options=_ONE_REAL_SERVER,
                      mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE, required_together=SERVICE_REQUIRED_TOGETHER,
                      required_one_of=SERVICE_REQUIRED_ONE_OF),
)
_NAMED_ONE = ("virtual_address", "virtual_port", "fwmark", "real_address", "real_port")
#: The AnsibleModule constraints of a module that names its real servers with REAL_SERVER_ARGS.
REAL_SERVER_CONSTRAINTS = dict(
    mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE + [("real_servers", name) for name in _NAMED_ONE],
    required_together=SERVICE_REQUIRED_TOGETHER,
    required_one_of=[("virtual_address", "fwmark", "real_servers")],
    required_by={"virtual_address": "real_address", "fwmark": "real_address"},
)


def service_spec(params):
    if params.get("virtual_address") is None and params.get("fwmark") is None:
        return None
    return ServiceSpec(address=params.get("virtual_address"), port=params.get("virtual_port"),
                       protocol=params.get("protocol"), fwmark=params.get("fwmark"),
                       family=params.get("fwmark_family"))


def real_server_spec(params):
    return RealServerSpec(service_spec(params), params["real_address"], params.get("real_port"))


def real_server_specs(params):
    """The real servers a module run acts on: ``real_servers``' items, or the one the top-level options name."""
    if params.get("real_servers") is not None:
        if not params["real_servers"]:
            raise LvsIngressError("real_servers is empty: list at least one real server", real_servers=[])
        specs = [real_server_spec(item) for item in params["real_servers"]]
        names = [spec.name for spec in specs]
        for name in names:
            if names.count(name) > 1:
                raise LvsIngressError("real_servers lists %s twice" % name, real_server=name)
        return specs
    return [real_server_spec(params)]

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""Common arguments of the director-side modules (documented by the ``_ipvs`` doc fragment) and the glue
that turns them into ``_ipvs`` specs. The command runner and the failure path are in ``_module``."""

from __future__ import annotations

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._ipvs import IPVSADM, RealServerSpec, ServiceSpec

SERVICE_ARGS = dict(
    virtual_address=dict(type="str", aliases=["vip"]),
    virtual_port=dict(type="int", aliases=["vport"]),
    protocol=dict(type="str", choices=["tcp", "udp", "sctp"], default="tcp"),
    fwmark=dict(type="int"),
    fwmark_family=dict(type="str", choices=["ipv4", "ipv6"], default="ipv4"),
    ipvsadm_path=dict(type="str", default=IPVSADM),
)
REAL_SERVER_ARGS = dict(
    real_address=dict(type="str", required=True, aliases=["rip"]),
    real_port=dict(type="int", aliases=["rport"]),
)
SERVICE_MUTUALLY_EXCLUSIVE = [("virtual_address", "fwmark"), ("virtual_port", "fwmark")]
SERVICE_REQUIRED_TOGETHER = [("virtual_address", "virtual_port")]
SERVICE_REQUIRED_ONE_OF = [("virtual_address", "fwmark")]
#: The AnsibleModule constraints of a module that names one real server of one virtual service.
REAL_SERVER_CONSTRAINTS = dict(mutually_exclusive=SERVICE_MUTUALLY_EXCLUSIVE, required_together=SERVICE_REQUIRED_TOGETHER,
                               required_one_of=SERVICE_REQUIRED_ONE_OF)


def service_spec(params):
    if params.get("virtual_address") is None and params.get("fwmark") is None:
        return None
    return ServiceSpec(address=params.get("virtual_address"), port=params.get("virtual_port"),
                       protocol=params.get("protocol"), fwmark=params.get("fwmark"),
                       family=params.get("fwmark_family"))


def real_server_spec(params):
    return RealServerSpec(service_spec(params), params["real_address"], params.get("real_port"))

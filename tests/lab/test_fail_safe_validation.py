# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input fails at the start, naming the variable and its value, and the lab is left byte for byte as it was.

Each case is a mistake an operator makes on the command line (or in an AWX survey): a typo in a target or a
group, a timeout that is not a number or not positive, a stop with no time to stop, no version to roll to, an
address that does not parse, a VRRP priority or password keepalived would refuse or truncate. Each runs with
keep-alive load through the VIP (lab/loadgen.py, model ``real``); no request may fail while the refusals run,
and node_helpers.lab_state() (IPVS tables, keepalived and nginx configuration, VIP units, sysctls, nginx pids)
must not change.
"""

from __future__ import annotations

import pytest

import lab
import node_helpers

DRAIN = "baremetal.lvs_ingress.drain"
ROLLOUT = "baremetal.lvs_ingress.rolling_upgrade"
SITE = "baremetal.lvs_ingress.site"
# the lab's virtual service, for the cases that change one of its fields
_SERVICE = {"address": lab.VIP, "port": lab.VPORT, "protocol": "TCP", "scheduler": "wlc",
            "real_servers": [{"address": ip, "port": lab.VPORT, "weight": lab.CONVERGED_WEIGHT}
                             for ip in lab.NODES.values()]}

# CI runs one case of each check; its siblings run on demand.
SIBLING = pytest.mark.on_demand("checked by the same preflight task as a case CI runs")

CASES = [
    pytest.param(DRAIN, {"lvs_ingress_target": "nosuchnode"}, ["lvs_ingress_target=nosuchnode: matches no host"],
                 id="drain-target-typo"),
    pytest.param(ROLLOUT, {"lvs_ingress_nodes_group": "nosuchgroup"},
                 ["lvs_ingress_nodes_group=nosuchgroup: no such group"], id="rollout-nodes-group-typo", marks=SIBLING),
    pytest.param(ROLLOUT, {"lvs_ingress_directors_group": "nosuchgroup"},
                 ["lvs_ingress_directors_group=nosuchgroup: no such group"], id="rollout-directors-group-typo"),
    pytest.param(ROLLOUT, {"lvs_ingress_quiesce_timeout": "abc"}, ["lvs_ingress_quiesce_timeout", "abc"],
                 id="rollout-timeout-not-a-number"),
    pytest.param(ROLLOUT, {"lvs_ingress_ready_timeout": 0}, ["lvs_ingress_ready_timeout=0: must be more than 0"],
                 id="rollout-timeout-zero"),
    pytest.param(DRAIN, {"lvs_ingress_target": "ingress2", "lvs_ingress_stop_timeout": 0,
                         "lvs_ingress_stop_nginx": True},
                 ["lvs_ingress_stop_timeout=0: must be more than 0"], id="drain-stop-timeout-zero", marks=SIBLING),
    pytest.param(ROLLOUT, {"ingress_node_nginx_version": ""},
                 ["ingress_node_nginx_version is not set: name the version to roll to"], id="rollout-no-version"),
    # a controller rollout where the Kubernetes API cannot be asked stops before any change: here the toolchain's
    # kubernetes.core finds no kubeconfig ("Could not create API client"); without kubernetes.core the module would not
    # resolve. Either way the step that fails is the one that reads the controller pods.
    pytest.param(ROLLOUT, {"lvs_ingress_controller": True}, ["Read this node's controller pod"],
                 id="rollout-controller-no-api"),
    pytest.param(SITE, {"ingress_node_vips": ["300.1.1.1"]}, ["ingress_node_vips=300.1.1.1 is not an IP address"],
                 id="site-vip-does-not-parse"),
    # the lab's nodes run on the host's kernel, which has no ipip module (CONFIG_NET_IPIP is not set): a real node
    # without the tunnel device
    pytest.param(SITE, {"ingress_node_forwarding": "tun"},
                 ["ingress_node_forwarding=tun: this node's kernel has no ipip module (no tunl0 device)"],
                 id="site-tun-without-tunnel-module"),
    pytest.param(SITE, {"lvs_director_virtual_servers": [dict(_SERVICE, address=lab.VIP6)]},
                 ["lvs_director_virtual_servers %s:%d: forwarding=dr cannot carry an IPv6 virtual service to the IPv4 "
                  "real servers %s" % (lab.VIP6, lab.VPORT, ", ".join(lab.NODES.values()))],
                 id="site-ipv6-vip-to-ipv4-nodes"),
    pytest.param(SITE, {"lvs_director_vrrp_priority": 999}, ["lvs_director_vrrp_priority=999: choose 1 to 254"],
                 id="site-vrrp-priority", marks=SIBLING),
    pytest.param(SITE, {"lvs_director_vrrp_auth_pass": "ninechars"},
                 ["lvs_director_vrrp_auth_pass has 9 characters: keepalived uses at most 8"],
                 id="site-vrrp-password-too-long"),
    pytest.param(SITE, {"lvs_director_vrrp_auth_pass": ""}, ["lvs_director_vrrp_auth_pass is empty"],
                 id="site-vrrp-password-empty", marks=SIBLING),
    pytest.param(SITE, {"lvs_director_virtual_servers": [dict(_SERVICE, scheduler="mh", scheduler_flags=["mh-port"])]},
                 ["lvs_director_virtual_servers %s:%d: scheduler mh needs scheduler_flags mh-fallback"
                  % (lab.VIP, lab.VPORT)], id="site-mh-without-fallback"),
    pytest.param(SITE, {"lvs_director_virtual_servers": [dict(_SERVICE, scheduler_flags=["mh-port"])]},
                 ["lvs_director_virtual_servers %s:%d: scheduler_flags mh-port needs scheduler mh, not wlc"
                  % (lab.VIP, lab.VPORT)], id="site-flag-of-another-scheduler", marks=SIBLING),
]


@pytest.fixture(scope="module")
def load(converged_at_start):
    """Keep-alive load through the VIP for the whole module; every refusal runs under it."""
    gen = lab.Loadgen(count=2000000, duration=1200, **lab.REAL_LOAD)
    gen.wait_ready()
    yield gen
    gen.stop()
    result = gen.result()
    assert result["failed"] == 0, "requests failed while bad input was refused: %s" % result


@pytest.mark.parametrize("playbook, extra_vars, expected", CASES)
def test_bad_input_is_refused_before_any_change(load, converged, playbook, extra_vars, expected):
    out = node_helpers.assert_refused(playbook, extra_vars, *expected)
    assert "ninechars" not in out.replace("lvs_director_vrrp_auth_pass", ""), "the password was printed"

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""A variable of each host, read from ``hostvars`` (the filters that report per director or per node)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


def host_values(hosts, hostvars, name):
    """{host: its variable ``name``, or None where it has none}, in ``hosts`` order."""
    values = {}
    for host in hosts or []:
        try:
            values[host] = hostvars[host].get(name)
        except KeyError:
            values[host] = None
    return values


def registered_results(hosts, hostvars, register):
    """{host: the result registered as ``register``, or None where the task did not run}, in ``hosts`` order."""
    results = host_values(hosts, hostvars, register)
    for host, result in results.items():
        if result is not None and not isinstance(result, Mapping):
            raise LvsIngressError("%s of %s is not a module result" % (register, host))
    return results

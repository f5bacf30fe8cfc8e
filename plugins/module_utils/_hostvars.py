# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""A registered module result of each host, read from ``hostvars`` (the filters that report per director)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


def registered_results(hosts, hostvars, register):
    """{host: the result registered as ``register``, or None where the task did not run}, in ``hosts`` order."""
    results = {}
    for host in hosts or []:
        try:
            result = hostvars[host].get(register)
        except KeyError:
            result = None
        if result is not None and not isinstance(result, Mapping):
            raise LvsIngressError("%s of %s is not a module result" % (register, host))
        results[host] = result
    return results

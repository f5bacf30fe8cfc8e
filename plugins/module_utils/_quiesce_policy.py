# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""What a director's failed quiesce wait means for a node's drain, and how long the wait may take.

Before nginx has exited, a connection a director still counts may still carry requests: the wait must end with none
(``lvs_ingress_quiesce_timeout``), and a director whose wait fails fails the node's drain. Once nginx has exited, no
such connection can carry a request any more: what a director still counts are entries whose end it never saw (a DR
director sees only the clients' packets; a director that held the VIP before a failover sees nothing after it),
kept until IPVS's TCP timeout, and a director whose keepalived stopped has no virtual service left to send the node
a connection. The wait is then shorter (``lvs_ingress_quiesce_after_stop_timeout``) and its failure is reported, not
fatal, unless ``lvs_ingress_require_director_quiesce``.
"""

from __future__ import annotations

TOLERATED = ("reported, not fatal, as nginx has exited (a director whose keepalived stopped has no virtual service"
             " left to send the node a connection)")
REQUIRED = "fatal: lvs_ingress_require_director_quiesce=true, also once nginx has exited"
RUNNING = "fatal: nginx has not exited, so a connection a director still counts may still carry requests"


def quiesce_policy(stopped, require_director_quiesce, timeout, after_stop_timeout):
    """The quiesce wait of a node whose nginx has (``stopped``) or has not exited.

    Returns ``timeout`` (seconds the wait may take), ``tolerate`` (whether a director's failed wait is reported
    instead of failing the drain) and ``reason`` (why, in words, for the output).
    """
    if not stopped:
        return {"timeout": timeout, "tolerate": False, "reason": RUNNING}
    if require_director_quiesce:
        return {"timeout": after_stop_timeout, "tolerate": False, "reason": REQUIRED}
    return {"timeout": after_stop_timeout, "tolerate": True, "reason": TOLERATED}

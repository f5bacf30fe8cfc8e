# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.


"""How the ingress-nginx controller stops, by version, and the pod's terminationGracePeriodSeconds it needs.

On SIGTERM (sent by the preStop ``/wait-shutdown``) the controller fails its /healthz at once, keeps nginx serving
for the shutdown grace period (so the directors' health checks see the failure and stop sending new connections),
then quits nginx, which gives its workers up to worker-shutdown-timeout to finish, then waits the post-shutdown
grace period before it exits. The kubelet kills the pod terminationGracePeriodSeconds after the preStop began, so
that must cover the three.

- ``--shutdown-grace-period`` exists from controller 0.44.0 on. Before, only a patched image that reads the
  environment variable ``GRACE_STOP_PERIOD`` in its stop path waits (mode ``env``).
- ``--post-shutdown-grace-period`` exists from 1.1.2 on; before, the controller waits a fixed 10 seconds.
"""

from __future__ import annotations

import re

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

SHUTDOWN_FLAG_SINCE = (0, 44, 0)
POST_SHUTDOWN_FLAG_SINCE = (1, 1, 2)
FIXED_POST_SHUTDOWN_GRACE = 10
GRACE_ENV = "GRACE_STOP_PERIOD"

_VERSION = re.compile(r"^(?:controller-)?v?(\d+)\.(\d+)\.(\d+)$")


def parse_version(text):
    """``"1.15.1"``, ``"v1.15.1"`` or ``"controller-v1.15.1"`` as a tuple of three ints."""
    match = _VERSION.match(str(text).strip())
    if not match:
        raise LvsIngressError("ingress_controller_version=%s is not a controller version such as 1.15.1" % (text,),
                              ingress_controller_version=text)
    return tuple(int(x) for x in match.groups())


def _whole_seconds(name, value, minimum=0):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise LvsIngressError("%s=%r must be a whole number of seconds, at least %d" % (name, value, minimum),
                              **{name: value})
    return value


def shutdown_plan(version, shutdown_grace_period, worker_shutdown_timeout, post_shutdown_grace_period,
                  termination_grace_period=0):
    """The controller's shutdown settings for ``version`` and the pod's terminationGracePeriodSeconds.

    ``termination_grace_period`` 0 means: the computed minimum. A value below the minimum is refused, naming the
    variable, its value and the sum it must cover. Returns a dict: ``mode`` (``flag`` or ``env``), ``args`` (the
    controller's command-line flags), ``env`` (list of name/value), ``post_shutdown_grace_period`` (the one that
    applies), ``needed`` and ``termination_grace_period_seconds``.
    """
    parsed = parse_version(version)
    grace = _whole_seconds("ingress_controller_shutdown_grace_period", shutdown_grace_period, 1)
    worker = _whole_seconds("ingress_controller_worker_shutdown_timeout", worker_shutdown_timeout, 1)
    post = _whole_seconds("ingress_controller_post_shutdown_grace_period", post_shutdown_grace_period)
    given = _whole_seconds("ingress_controller_termination_grace_period", termination_grace_period)

    args, env = [], []
    if parsed >= SHUTDOWN_FLAG_SINCE:
        mode = "flag"
        args.append("--shutdown-grace-period=%d" % grace)
    else:
        mode = "env"
        env.append({"name": GRACE_ENV, "value": str(grace)})
    if parsed >= POST_SHUTDOWN_FLAG_SINCE:
        args.append("--post-shutdown-grace-period=%d" % post)
    else:
        post = FIXED_POST_SHUTDOWN_GRACE

    needed = grace + worker + post
    if given and given < needed:
        raise LvsIngressError(
            "ingress_controller_termination_grace_period=%d does not cover the controller's shutdown: "
            "ingress_controller_shutdown_grace_period (%d) + ingress_controller_worker_shutdown_timeout (%d) "
            "+ post-shutdown grace period (%d) = %d seconds" % (given, grace, worker, post, needed),
            ingress_controller_termination_grace_period=given, needed=needed)
    return {
        "mode": mode,
        "args": args,
        "env": env,
        "post_shutdown_grace_period": post,
        "needed": needed,
        "termination_grace_period_seconds": given or needed,
    }

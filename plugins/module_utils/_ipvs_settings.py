# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The director's IPVS kernel settings (``net.ipv4.vs.*``) and what they mean for a drain.

A drained real server has weight 0, so the scheduler sends it no new connection. But a new connection whose
client address and port match an entry IPVS still holds for that server (port reuse: clients behind a NAT
gateway, busy clients with few source ports; the entry lives on in FIN_WAIT, TIME_WAIT, CLOSE or as a stale
ESTABLISHED) is not scheduled at all: IPVS forwards it along the old entry, to the drained server, unless
``ip_vs_in()`` reschedules it. Once the drained server's nginx has stopped, its kernel answers that SYN with a
reset and the client's request is lost. The kernel reschedules such a SYN when:

* ``expire_nodest_conn`` is set and the old entry's real server has weight 0 (any TCP state; for controlled
  connections of a persistent service too). Before Linux 5.16 this also needs ``conn_reuse_mode`` != 0.
* ``conn_reuse_mode`` bit 1 and the entry is in TIME_WAIT or CLOSE (NAT sees those states), or bit 2 and the
  entry is in FIN_WAIT on an output-less (DR/TUN) connection -- whatever the weight.

For a persistent service the rescheduled connection then follows the client's persistence template, which still
names the drained server unless ``expire_quiescent_template`` is set (templates of a weight-0 server expire).
"""

from __future__ import annotations

import os

#: Where the kernel shows the IPVS settings of the current network namespace.
SYSCTL_DIR = "/proc/sys/net/ipv4/vs"
PREFIX = "net.ipv4.vs."
#: The first kernel whose expire_nodest_conn reschedules a reused port with conn_reuse_mode=0.
EXPIRE_NODEST_WITHOUT_REUSE_MODE = (5, 16)


def read_settings(directory=None):
    """{name: value} of every readable setting under ``directory`` (default SYSCTL_DIR; integers where the
    value is one); empty when the directory is missing (ip_vs not loaded)."""
    directory = directory or SYSCTL_DIR
    settings = {}
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return settings
    for name in names:
        try:
            with open(os.path.join(directory, name)) as fh:
                text = fh.read().strip()
        except OSError:  # write-only or vanished
            continue
        try:
            settings[name] = int(text)
        except ValueError:
            settings[name] = text
    return settings


def kernel_version(release):
    """``6.1.0-28-cloud-amd64`` -> (6, 1); None when it does not start with two numbers."""
    parts = release.split("-", 1)[0].split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def _hazard(setting, value, want, why):
    return {"setting": PREFIX + setting, "value": value, "want": want, "why": why,
            "msg": "%s%s = %s (want %s): %s" % (PREFIX, setting, value, want, why)}


def drain_hazards(settings, services, kernel=None):
    """What in ``settings`` would send new connections to a drained (weight 0) real server.

    ``services`` are ipvs_info's virtual services (for their persistence); ``kernel`` is (major, minor) or None.
    Returns a list of {setting, value, want, why, msg}; empty when a drain is safe."""
    if not settings:
        return [_hazard("*", None, "readable", "the IPVS settings could not be read from %s (is ip_vs loaded?)"
                        % SYSCTL_DIR)]
    hazards = []
    nodest = settings.get("expire_nodest_conn")
    if not (isinstance(nodest, int) and nodest > 0):
        hazards.append(_hazard(
            "expire_nodest_conn", nodest, 1,
            "a new connection from a client address and port that still has an IPVS entry for a drained real server "
            "(port reuse behind NAT) is forwarded to that server instead of being scheduled, and is refused once "
            "its nginx has stopped"))
    reuse = settings.get("conn_reuse_mode")
    if reuse == 0 and (kernel is None or kernel < EXPIRE_NODEST_WITHOUT_REUSE_MODE):
        hazards.append(_hazard(
            "conn_reuse_mode", reuse, "1 or 3",
            "on this kernel (%s) 0 turns off rescheduling of reused ports, expire_nodest_conn included"
            % ("unknown" if kernel is None else "%d.%d" % kernel)))
    persistent = sorted(s["name"] for s in services if s.get("persistent"))
    if persistent and settings.get("expire_quiescent_template") != 1:
        hazards.append(_hazard(
            "expire_quiescent_template", settings.get("expire_quiescent_template"), 1,
            "the persistent services %s keep sending a client to the real server its persistence template names, "
            "also when that server is drained" % ", ".join(persistent)))
    return hazards

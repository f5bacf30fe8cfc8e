# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""lvs_wait_drained with real long-lived keep-alive connections: it times out (naming the director and the
remaining connections) while they are open, and succeeds once the node's close switch makes the clients
reconnect elsewhere, without a failed request."""

from __future__ import annotations

import re
import time

import lab

NODE = "ingress1"
IP = lab.NODES[NODE]
CONNECTIONS = 10


def test_wait_drained_on_both_directors(converged):
    # In DR a director sees only the clients' packets: a connection whose FIN it missed (a failover, a reset in an
    # earlier test) stays ESTABLISHED in its table until IPVS's TCP timeout. Those are not this test's connections:
    # the wait's threshold on each director is what it counted before this test opened any.
    stale = {d: lab.ipvs_table(d).get(IP, {}).get("active", 0) for d in lab.DIRECTORS}
    load = None
    try:
        load = lab.Loadgen(count=100000, duration=150, connections=CONNECTIONS, think_ms=200, timeout=5).wait_ready()
        time.sleep(3)
        before = lab.ipvs_table("director1")[IP]
        assert before["active"] > stale["director1"], "no connection to %s to drain: %s" % (NODE, before)

        drained = lab.ansible_module("directors", "ipvs_real_server", lab.real_server_args(IP, state="drained"))
        for d in lab.DIRECTORS:
            assert not drained[d].get("failed") and drained[d]["after"]["weight"] == 0, drained[d]

        wait_args = lab.real_server_args(IP, director_name="{{ inventory_hostname }}", interval=0.5)
        short = lab.ansible_module("directors", "lvs_wait_drained", dict(wait_args, timeout=4))
        held = lab.ipvs_table("director1")[IP]

        lab.run_on(NODE, ["touch", lab.CLOSE_FLAG])
        t_close = lab.now()
        done = lab.ansible_module("directors", "lvs_wait_drained", dict(
            wait_args, timeout=90, max_active_connections="{{ %s[inventory_hostname] }}" % stale))
        lab.run_on(NODE, ["rm", "-f", lab.CLOSE_FLAG])
        time.sleep(2)
        result = load.stop()
    finally:
        if load is not None:
            load.kill()

    lab.record("wait_drained", node=NODE, stale_before_test=stale, active_before=before["active"],
               active_after_drain=held["active"],
               short_timeout={d: dict(failed=short[d].get("failed", False), msg=short[d].get("msg"),
                                      active=short[d].get("active_connections")) for d in lab.DIRECTORS},
               quiesce={d: dict(elapsed=done[d].get("elapsed"), polls=done[d].get("polls"),
                                active=done[d].get("active_connections"), msg=done[d].get("msg")) for d in lab.DIRECTORS},
               wall_seconds_close_to_both_quiesced=round(lab.now() - t_close, 1),
               load=dict((k, result[k]) for k in ("total", "ok", "failed", "errors", "per_node", "connections_opened",
                                                  "server_closes")),
               command="loadgen --connections %d --think-ms 200; ipvs_real_server drained; lvs_wait_drained timeout=4, "
                       "touch %s, lvs_wait_drained timeout=90" % (CONNECTIONS, lab.CLOSE_FLAG))

    # while the keep-alive connections stay open, the wait fails on the director that holds them
    assert short["director1"].get("failed") is True, short["director1"]
    for d in lab.DIRECTORS:
        if short[d].get("failed"):
            msg = short[d]["msg"]
            remain = short[d]["active_connections"]["last"]
            assert remain > stale[d], short[d]
            assert msg.startswith("director %s:" % d), msg
            assert re.search(r"\b%d active connections remain" % remain, msg), msg
    # with the close switch on, every director quiesces and says how long it took
    for d in lab.DIRECTORS:
        assert not done[d].get("failed"), (d, done[d].get("msg"))
        assert done[d]["quiesced"] is True and done[d]["director"] == d
        assert done[d]["active_connections"]["last"] <= stale[d]
        assert done[d]["elapsed"] >= 0
    # the clients never saw an error: they were told to reconnect, and reconnected to ingress2/3
    assert result["failed"] == 0, result["errors"]
    assert result["server_closes"] > 0 and result["connections_opened"] > CONNECTIONS, result

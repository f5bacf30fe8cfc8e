# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A director fails over while a node is drained, and fails back, under loadgen's ``real`` client model.

The drain of ingress2 (with the stop) runs; once it has set weight 0 on both directors (its close window has
begun), keepalived stops on director1, the MASTER. director2 takes the VIP and must honour the drain (ingress2 at weight 0 in its table too);
the drain either finishes or stops with ingress2 still drained. Then keepalived starts again on director1, which
takes the VIP back (priority 150 preempts), with ingress2 still at weight 0. Then the undrain.

Failed requests are counted per second of the load: those in a takeover's seconds (from the stop or start call
to the VIP seen on its new holder, with a second of slack either side) are the takeover's; every other one is the
drain's, and must be 0. What the takeovers lose depends on the directors' settings (docs/failover.md):

- ``sync``: the role's defaults (``wlc``, the sync daemon). A connection the new MASTER has no entry for (its sync
  message not sent yet: the master batches them for up to 2-3 s; director1 comes back with an empty table) is
  answered with a reset by its own stack. Recorded, not asserted: whether a connection is caught depends on what is
  in flight (0 to 3 requests in the runs of docs/failover.md; 19 before --dont-release-ipvs).
- ``consistent``: ``lvs_director_consistent_takeover`` (``mh`` with ``mh-port``/``mh-fallback``, ``sloppy_tcp``):
  the new MASTER schedules such a connection's next packet to the node the old one chose. The failover must lose
  none; the failback is recorded, not asserted: it lost 1 request in 1 of 6 runs (docs/failover.md).
- ``nopreempt``: the defaults with ``lvs_director_vrrp_preempt: false``. director1 comes back as BACKUP and
  director2 keeps the VIP: there is no failback, and the seconds of director1's return must lose nothing. The
  failover is the defaults' (recorded).

Both run with the role's ``--dont-release-ipvs``: without it, the stopping keepalived drops its virtual service a
moment before it gives up the VIP, and its own stack resets what arrives in between.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

import lab
import node_helpers

NODE = "ingress2"
DRAIN = "baremetal.lvs_ingress.drain"
DIRECTORS_PLAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "directors.yml")
LOAD = dict(count=5000000, duration=600, **lab.REAL_LOAD)
WARMUP = 5
SETTLE = 8  # seconds of load after each takeover before the next step
SLACK = 1  # seconds either side of a takeover's window (after it, also the load's timeout: a request sent during
# the takeover that never gets its answer fails that much later)


def _configure_directors(extra_vars):
    """The lvs_director role on both directors, with ``extra_vars`` over the lab inventory's settings."""
    res, _ = node_helpers.run_playbook(DIRECTORS_PLAY, extra_vars)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]


def _services_without_scheduler():
    """The lab inventory's virtual services, less the scheduler it names (wlc): the switch's default applies."""
    res = subprocess.run([os.path.join(lab.VENV_BIN, "ansible-inventory"), "-i", lab.inventory(), "--host",
                          lab.DIRECTORS[0]], capture_output=True, text=True, check=True, env=lab.ansible_env())
    return [{k: v for k, v in vs.items() if k != "scheduler"} for vs in json.loads(res.stdout)["lvs_director_virtual_servers"]]


@pytest.fixture(params=[
    pytest.param("sync", marks=pytest.mark.on_demand(
        "the sync daemon's takeover loss is measured, not gated (docs/failover.md)")),
    pytest.param("consistent", marks=pytest.mark.on_demand(
        "the lvs_director role runs twice to switch the takeover mode, about 6 minutes; CI proves a takeover and "
        "failback under load without a drain (test_vrrp_failover.py) and the sync threads (molecule lvs_director)")),
    pytest.param("nopreempt", marks=pytest.mark.on_demand(
        "the lvs_director role runs twice to switch preemption off and on, about 6 minutes; unit tests render "
        "nopreempt and the preflight's rule"))])
def takeover(request, converged):
    if request.param == "nopreempt":
        _configure_directors({"lvs_director_vrrp_preempt": False})
        for director in lab.DIRECTORS:
            conf = lab.run_on(director, ["cat", "/etc/keepalived/keepalived.conf"]).stdout
            assert "nopreempt" in conf.split() and "state BACKUP" in " ".join(conf.split()), conf
        # a running MASTER stays one through the reload: the failover below starts from director1
        assert lab.vip_holders() == ["director1"], lab.vip_holders()
    if request.param == "consistent":
        _configure_directors({"lvs_director_consistent_takeover": True,
                              "lvs_director_virtual_servers": _services_without_scheduler()})
        for director in lab.DIRECTORS:
            assert "mh" in lab.run_on(director, ["ipvsadm", "-Ln"]).stdout.split(), "%s does not schedule with mh" % director
            assert lab.run_on(director, ["sysctl", "-n", "net.ipv4.vs.sloppy_tcp"]).stdout.strip() == "1"
    yield request.param
    if request.param in ("consistent", "nopreempt"):
        _configure_directors({})
        lab.restore_converged()


def _wait_vip(holder, timeout=60):
    deadline = lab.now() + timeout
    while lab.now() < deadline:
        if lab.vip_holders() == [holder]:
            return lab.now()
        time.sleep(0.1)
    raise lab.LabFailure("the VIP is not on %s alone within %ds: %s" % (holder, timeout, lab.vip_holders()))


def _keepalived(director, verb, state, tries=3):
    """systemctl VERB keepalived until it is STATE (a job of the drain's reload can cancel the first call)."""
    for _ in range(tries):
        lab.run_on(director, ["systemctl", verb, "keepalived"], check=False)
        if lab.run_on(director, ["systemctl", "is-active", "keepalived"], check=False).stdout.strip() == state:
            return
        time.sleep(1)
    raise lab.LabFailure("keepalived on %s is not %s after %d tries of systemctl %s" % (director, state, tries, verb))


def _wait_close_window(timeout):
    deadline = lab.now() + timeout
    while lab.now() < deadline:
        if lab.run_on(NODE, ["test", "-e", lab.CLOSE_FLAG], check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise lab.LabFailure("the drain of %s did not reach its close window within %ds" % (NODE, timeout))


def _weight(director, node=NODE):
    table = lab.ipvs_table(director) or {}
    return table.get(lab.NODES[node], {}).get("weight")


def _failed_in(timeline, windows):
    """Failed requests in the seconds of each of ``windows`` ((start, end) seconds since the load started), and
    outside all of them."""
    inside = [0] * len(windows)
    outside = 0
    for row in timeline:
        hit = [i for i, (start, end) in enumerate(windows)
               if start - SLACK <= row["t"] <= end + SLACK + LOAD["timeout"]]
        if hit:
            inside[hit[0]] += row["failed"]
        else:
            outside += row["failed"]
    return inside, outside


def test_failover_and_failback_while_a_node_is_drained(takeover):
    load = drain = None
    try:
        load = lab.Loadgen(**LOAD).wait_ready()
        time.sleep(WARMUP)
        argv, env = node_helpers.playbook_command(DRAIN, {"lvs_ingress_target": NODE, "lvs_ingress_stop_nginx": "true"})
        drain = subprocess.Popen(argv, env=env, cwd=lab.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, stdin=subprocess.DEVNULL)
        # the drain's weight steps are done on both directors once its close window has begun (the health check
        # alone shows weight 0 earlier: a stop then races the drain's own reload of director1, which is the
        # "keepalived.service is not active" stop of docs/operations.md, not this test's case)
        _wait_close_window(timeout=300)
        for director in lab.DIRECTORS:
            node_helpers.wait_weight(director, lab.NODES[NODE], 0, timeout=30)

        # the MASTER goes away while ingress2 is drained
        stop_at = lab.now()
        _keepalived("director1", "stop", "inactive")
        vip2_at = _wait_vip("director2")
        weight_after_takeover = _weight("director2")
        # keepalived removes its virtual service as it stops, unless it runs with --dont-release-ipvs
        kept_service = lab.ipvs_table("director1") is not None
        out, _ = drain.communicate(timeout=600)
        drain_rc = drain.returncode
        drained_after = lab.run_on(NODE, ["test", "-e", lab.DRAIN_FLAG], check=False).returncode == 0
        time.sleep(SETTLE)

        # ... and comes back (priority 150 preempts, unless nopreempt) while ingress2 is still drained
        start_at = lab.now()
        _keepalived("director1", "start", "active")
        if takeover == "nopreempt":
            node_helpers.wait_weight("director1", lab.NODES[NODE], 0, timeout=60)
            time.sleep(SETTLE)
            vip1_at = lab.now()
        else:
            vip1_at = _wait_vip("director1")
            node_helpers.wait_weight("director1", lab.NODES[NODE], 0, timeout=60)
        holders_after_return = lab.vip_holders()
        weights_after_failback = {d: _weight(d) for d in lab.DIRECTORS}
        time.sleep(SETTLE)

        undrain, _ = node_helpers.run_playbook("baremetal.lvs_ingress.undrain", {"lvs_ingress_target": NODE})
        assert undrain.returncode == 0, (undrain.stdout + undrain.stderr)[-4000:]
        time.sleep(SETTLE)
        result = load.stop()
    finally:
        if drain is not None and drain.poll() is None:
            drain.kill()
            drain.wait(10)
        if load is not None:
            load.kill()

    started = load.started
    windows = [(stop_at - started, vip2_at - started), (start_at - started, vip1_at - started)]
    (failover, failback), drain_caused = _failed_in(result["timeline"], windows)
    lab.record("failover_while_drained", takeover=takeover, node=NODE, load=LOAD, drain_rc=drain_rc,
               vip_on_director2_after=round(vip2_at - stop_at, 3), vip_back_on_director1_after=None if takeover == "nopreempt" else round(vip1_at - start_at, 3),
               director1_kept_its_service=kept_service, failed_in_failover=failover, failed_in_failback=failback, failed_otherwise=drain_caused,
               vip_holders_after_director1_returned=holders_after_return,
               windows=[[round(a, 1), round(b, 1)] for a, b in windows],
               failures=[[row["t"], row["errors"]] for row in result["timeline"] if row["failed"]],
               result={k: result.get(k) for k in ("total", "ok", "failed", "errors", "by_client", "per_node",
                                                  "connections_opened", "first_failure_at", "last_failure_at")},
               command="drain -e lvs_ingress_target=%s -e lvs_ingress_stop_nginx=true; at weight 0 systemctl stop "
                       "keepalived on director1; systemctl start keepalived on director1; undrain" % NODE)

    # director2 honoured the drain the moment it took over, and director1 after it came back
    assert weight_after_takeover == 0, weight_after_takeover
    assert weights_after_failback == {d: 0 for d in lab.DIRECTORS}, weights_after_failback
    # the drain finished with the node drained (its switch on; weight 0 on both directors, above); where
    # director1's keepalived took its virtual service with it, the quiesce wait there is reported, not fatal, as
    # nginx has exited
    assert drain_rc == 0, out[-3000:]
    assert drained_after
    assert kept_service or "unknown virtual service" in out, out[-3000:]
    assert result["per_node"].get(NODE, 0) > 0, result["per_node"]
    # none lost to the drain, whatever the takeovers did
    assert drain_caused == 0, json.dumps(result["errors"])
    # with the sync daemon alone the takeovers' loss is a measurement: 0 to 3 in the runs of docs/failover.md,
    # depending on which connections were in flight, so no gate either way; with the consistent takeover the
    # failover is gated and the failback measured (1 lost in 1 of 6 runs, not explained yet: docs/failover.md)
    if takeover == "consistent":
        assert failover == 0, json.dumps(result["errors"])
    # without preemption director1's return is no takeover: director2 keeps the VIP and nothing is lost then
    if takeover == "nopreempt":
        assert holders_after_return == ["director2"], holders_after_return
        assert failback == 0, json.dumps(result["errors"])
    else:
        assert holders_after_return == ["director1"], holders_after_return

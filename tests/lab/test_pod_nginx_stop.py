# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stop path of a controller node, on a real container runtime.

On a lab node nginx runs the way the ingress-nginx controller's nginx runs in its hostNetwork pod: in a container
that containerd starts with runc, in pid, mount and IPC namespaces of its own and the node's network namespace,
with the switch directory mounted from the host. (Its root is the node's own file system, bind-mounted: no
registry is reachable for an image, and what is under test is the namespaces, not the image.) Under the lab's
client mix through the VIP, the drain playbook with ``lvs_ingress_stop_nginx`` finds that master from the host,
closes every client connection through the switch file the container sees, sends SIGQUIT and waits until the
container's nginx is gone; nothing is lost. A new container (the DaemonSet's new pod) and the undrain put the node
back, and it takes traffic again. What is not run here: the kubelet, the pod deletion and the controller's own
shutdown sequence (no cluster can run on these machines)."""

from __future__ import annotations

import time

import pytest

import lab
import node_helpers

NODE = "ingress3"
IP = lab.NODES[NODE]
POD = "lvslab-pod-nginx"
CTR_NAMESPACE = "lvslab"
POD_ROOT = "/srv/lvslab-pod/rootfs"
SWITCH_DIR = "/run/lvs_ingress"
WARMUP = 5


def ctr(*args):
    return ["ctr", "-n", CTR_NAMESPACE] + list(args)


def remove_pod():
    """The test's container gone (whatever state it is in); only the one this test names."""
    lab.run_on(NODE, ctr("task", "kill", "-s", "SIGKILL", POD), check=False)
    for _ in range(20):
        if lab.run_on(NODE, ctr("task", "delete", POD), check=False).returncode != 0:
            break
        time.sleep(0.2)
    lab.run_on(NODE, ctr("container", "delete", POD), check=False)


def start_pod():
    """nginx in a container of its own, as the DaemonSet's pod runs it: host network, the node's UTS namespace
    (the lab's site names the node from $hostname), the switch directory mounted at the same path."""
    lab.sh_on(NODE, "systemctl start containerd && mkdir -p %s && (mountpoint -q %s || mount --bind / %s)"
              % (POD_ROOT, POD_ROOT, POD_ROOT))
    remove_pod()
    lab.run_on(NODE, ctr("run", "-d", "--net-host", "--with-ns", "uts:/proc/1/ns/uts",
                         "--mount", "type=bind,src=%s,dst=%s,options=rbind:rw" % (SWITCH_DIR, SWITCH_DIR),
                         "--rootfs", POD_ROOT, POD, "/usr/sbin/nginx", "-g", "daemon off;"))


def pod_task():
    """``ctr task ls`` line of the test's container: (pid, status), or None."""
    for line in lab.run_on(NODE, ctr("task", "ls"), check=False).stdout.splitlines()[1:]:
        fields = line.split()
        if fields and fields[0] == POD:
            return int(fields[1]), fields[2]
    return None


def wait_serving(timeout=60):
    """The container's nginx answers the directors' health check and both directors weigh the node in again."""
    deadline = lab.now() + timeout
    while lab.now() < deadline:
        task = pod_task()
        status = lab.run_on(NODE, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: lvscheck",
                                   "http://127.0.0.1/status"], check=False).stdout.strip()
        if task and task[1] == "RUNNING" and status == "200":
            break
        time.sleep(0.5)
    else:
        raise lab.LabFailure("the container's nginx on %s never answered (task %s)" % (NODE, pod_task()))
    for director in lab.DIRECTORS:
        node_helpers.wait_weight(director, IP, lab.CONVERGED_WEIGHT, timeout=timeout)


@pytest.mark.on_demand(
    "the same drain, close window and SIGQUIT as the systemd nginx CI drains (test_dual_stack.py), with nginx's master "
    "in a container's PID namespace; nginx_graceful_stop's lookup there is unit-tested (test_procfs.py)")
def test_drain_stops_nginx_in_a_container_without_losing_a_request(converged):
    load = None
    try:
        # the node's systemd nginx makes way for the container's (no load yet: nothing is in flight)
        lab.run_on(NODE, ["systemctl", "stop", "nginx"])
        start_pod()
        wait_serving()
        pod_pid, _ = pod_task()
        load = lab.Loadgen(count=1000000, duration=240, **lab.REAL_LOAD).wait_ready()
        time.sleep(WARMUP)
        drain, drain_results = node_helpers.run_playbook(
            "baremetal.lvs_ingress.drain", {"lvs_ingress_target": NODE, "lvs_ingress_stop_nginx": "true"})
        assert drain.returncode == 0, drain.stdout[-4000:] + drain.stderr[-2000:]
        stop = node_helpers.task_result(drain_results, "Close every client connection cleanly, then stop nginx with SIGQUIT",
                                        NODE)
        task_after_stop = pod_task()
        # the DaemonSet's new pod: a new container, then the undrain waits for it and weighs the node in
        start_pod()
        # nginx is no systemd service here: the undrain must not start one (it did, and failed on the port)
        undrain, _ = node_helpers.run_playbook("baremetal.lvs_ingress.undrain",
                                               {"lvs_ingress_target": NODE, "lvs_ingress_nginx_service": ""})
        systemd_nginx = lab.run_on(NODE, ["systemctl", "is-active", "nginx"], check=False).stdout.strip()
        assert undrain.returncode == 0, undrain.stdout[-4000:] + undrain.stderr[-2000:]
        time.sleep(3)
        during = load.stop()
        # new connections after the undrain reach the new container
        after = lab.Loadgen(count=600, duration=30, connections=20, timeout=5).wait_ready().result()
    finally:
        if load is not None:
            load.kill()
        remove_pod()
        lab.sh_on(NODE, "umount %s 2>/dev/null; systemctl stop containerd; systemctl start nginx" % POD_ROOT, check=False)

    lab.record("pod_nginx_stop", node=NODE, load=lab.REAL_LOAD, pod_pid=pod_pid, master=stop.get("master"),
               close_window=stop.get("close_window"), connections_at_quit=stop.get("connections_at_quit"),
               quit_to_exit=stop.get("quit_to_exit"), escalated=stop.get("escalated"), task_after_stop=task_after_stop,
               during={k: during[k] for k in ("total", "ok", "failed", "per_node", "errors", "elapsed")},
               after_per_node=after["per_node"],
               command="nginx in a containerd container (ctr run --net-host --rootfs) on %s; drain -e "
                       "lvs_ingress_stop_nginx=true; new container; undrain" % NODE)

    # the module stopped the container's master, seen from the host: another mount and pid namespace
    assert stop["changed"] and not stop["escalated"], stop
    assert stop["master"]["pid"] == pod_pid and stop["master"]["same_mount_namespace"] is False, stop["master"]
    assert stop["master"]["nspid"] == 1, stop["master"]
    # the close window worked through the switch file the container sees
    assert stop["close_window"]["connections_at_start"] > 0, stop["close_window"]
    assert not stop["close_window"]["timed_out"] and stop["close_window"]["connections_left"] == 0, stop
    assert stop["connections_at_quit"] == 0, stop
    # nginx was the container's only process: its task is stopped, not running
    assert task_after_stop is None or task_after_stop[1] == "STOPPED", task_after_stop
    assert during["failed"] == 0, during["errors"]
    assert during["per_node"].get(NODE, 0) > 0, during["per_node"]
    assert after["failed"] == 0 and after["per_node"].get(NODE, 0) > 0, after
    assert systemd_nginx != "active", "the undrain started the node's systemd nginx beside the container's"

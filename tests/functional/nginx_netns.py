# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real nginx nodes inside a network namespace this test creates (``lvsn-test-*``), for the functional tests.

Two nginx masters ("nodes") listen on 127.0.0.1 inside the namespace; the load
generator (lab/loadgen.py) runs inside the same namespace and gets its targets
from a file, which emulates the director: removing a node from the file is
weight 0 (established connections stay, new ones go to the other node).
Configs are rendered from the ingress_node role's own templates.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import jinja2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATES = os.path.join(ROOT, "roles", "ingress_node", "templates")
LOADGEN = os.path.join(ROOT, "lab", "loadgen.py")

NGINX_CONF = """\
worker_processes 2;
master_process on;
daemon {daemon};
pid {pid_file};
error_log {dir}/error.log notice;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    include {dir}/lvscheck.conf;
    server {{
        listen {listen};
        server_name _;
        add_header X-Lvs-Node {node} always;
        include {dir}/lvs_ingress_switches.conf;
        location / {{
            default_type text/plain;
            return 200 "node={node} uri=$uri args=$args request_uri=$request_uri\\n";
        }}
        location /proxy/ {{
            proxy_pass http://127.0.0.1:{backend_port};
        }}
    }}
    server {{
        listen 127.0.0.1:{backend_port};
        location / {{
            default_type text/plain;
            return 200 "backend request_uri=$request_uri uri=$uri args=$args\\n";
        }}
    }}
}}
"""


def render(template, **variables):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, lstrip_blocks=True)
    env.filters["comment"] = lambda text: "# " + text
    return env.get_template(template).render(ansible_managed="Managed by the functional tests", **variables)


def netns_exec(ns, argv):
    return ["ip", "netns", "exec", ns] + list(argv)


class Node:
    def __init__(self, lab, name, port, lvscheck_port, backend_port, daemon=True, state_dir=None):
        self.lab = lab
        self.name = name
        self.port = port
        self.dir = os.path.join(lab.dir, name)
        # state_dir: where pid file and flags live (another mount namespace may hide it from the host)
        self.state_dir = state_dir or self.dir
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)  # nginx workers (www-data) must be able to stat the flag files
        self.pid_file = os.path.join(self.state_dir, "nginx.pid")
        self.close_flag = os.path.join(self.state_dir, "close")
        self.drain_flag = os.path.join(self.state_dir, "drain")
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(os.path.join(self.dir, "lvs_ingress_switches.conf"), "w") as fh:
            fh.write(render("lvs_ingress_switches.conf.j2", ingress_node_close_flag=self.close_flag))
        with open(os.path.join(self.dir, "lvscheck.conf"), "w") as fh:
            fh.write(render("lvscheck.conf.j2", ingress_node_drain_flag=self.drain_flag,
                            ingress_node_lvscheck_listen="127.0.0.1:%d" % lvscheck_port))
        with open(self.conf, "w") as fh:
            fh.write(NGINX_CONF.format(daemon="on" if daemon else "off", pid_file=self.pid_file, dir=self.dir,
                                       listen="127.0.0.1:%d" % port, node=name, backend_port=backend_port))
        self.proc = None

    @property
    def target(self):
        return "127.0.0.1:%d" % self.port

    def start(self):
        subprocess.run(netns_exec(self.lab.ns, ["nginx", "-t", "-q", "-c", self.conf]), check=True)
        subprocess.run(netns_exec(self.lab.ns, ["nginx", "-c", self.conf]), check=True)
        self.lab.wait_port(self.port)

    def start_in_own_namespaces(self):
        """nginx as pid 1 of its own pid namespace, in its own mount namespace with a private tmpfs state dir."""
        os.makedirs(self.state_dir, exist_ok=True)
        script = "mount -t tmpfs -o size=1m lvsn-test %s && exec nginx -c %s" % (self.state_dir, self.conf)
        argv = netns_exec(self.lab.ns, ["unshare", "--mount", "--pid", "--fork", "--mount-proc", "sh", "-c", script])
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        self.lab.wait_port(self.port)

    def master_pid(self):
        """The master's pid in the host pid namespace, found by its config path (test-side, independent)."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as fh:
                    cmd = fh.read().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if cmd.startswith("nginx: master process") and self.conf in cmd:
                return int(entry)
        return None


class Lab:
    """A network namespace with nginx nodes; everything it started is stopped by pid in close()."""

    def __init__(self):
        self.ns = "lvsn-test-%s" % uuid.uuid4().hex[:8]
        # not pytest's tmp_path: its parents are 0700 and nginx workers (www-data) must stat the flags
        base_dir = tempfile.mkdtemp(prefix=self.ns + "-", dir="/tmp")
        self.dir = base_dir
        self.nodes = []
        self.targets_file = os.path.join(base_dir, "targets")
        os.chmod(base_dir, 0o755)
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        subprocess.run(netns_exec(self.ns, ["ip", "link", "set", "lo", "up"]), check=True)

    def add_node(self, name, port, **kwargs):
        index = len(self.nodes)
        node = Node(self, name, port, lvscheck_port=port + 100, backend_port=port + 200, **kwargs)
        self.nodes.append(node)
        return node

    def two_nodes(self):
        """Nodes A and B started, both in the targets file."""
        a = self.add_node("nodeA", 8081)
        b = self.add_node("nodeB", 8082)
        a.start()
        b.start()
        self.set_targets([a, b])
        return a, b

    def set_targets(self, nodes):
        tmp = self.targets_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("".join(n.target + "\n" for n in nodes))
        os.replace(tmp, self.targets_file)

    def curl(self, url, host=None, extra=()):
        argv = ["curl", "-s", "-i", "--max-time", "5", "--noproxy", "*", "--path-as-is"] + list(extra)
        if host:
            argv += ["-H", "Host: %s" % host]
        return subprocess.run(netns_exec(self.ns, argv + [url]), capture_output=True, text=True, check=False).stdout

    def wait_port(self, port, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.curl("http://127.0.0.1:%d/" % port)
            if out.startswith("HTTP/"):
                return
            time.sleep(0.1)
        raise RuntimeError("nginx on port %d did not come up" % port)

    def start_load(self, connections=20, duration=6.0, count=2000000, think_ms=0.0):
        ready = os.path.join(self.dir, "loadgen.ready")
        if os.path.exists(ready):
            os.unlink(ready)
        argv = netns_exec(self.ns, [sys.executable, LOADGEN, "--targets-file", self.targets_file,
                                    "--connections", str(connections), "--duration", str(duration),
                                    "--count", str(count), "--think-ms", str(think_ms), "--ready-file", ready])
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while not os.path.exists(ready) and time.monotonic() < deadline:
            time.sleep(0.05)
        return proc

    @staticmethod
    def finish_load(proc, timeout=60):
        out, err = proc.communicate(timeout=timeout)
        return json.loads(out)

    def close(self):
        for node in self.nodes:
            pid = node.master_pid()
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if node.proc is not None:
                try:
                    node.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    node.proc.kill()
                    node.proc.wait(timeout=5)
        # workers die with their master (SIGKILL of the master leaves workers; kill them by parent)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/cmdline" % entry, "rb") as fh:
                        cmd = fh.read()
                    if cmd.startswith(b"nginx: worker process") and self._ours(int(entry)):
                        os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        subprocess.run(["ip", "netns", "delete", self.ns], check=False)
        for node in self.nodes:
            if node.state_dir != node.dir and os.path.isdir(node.state_dir):
                os.rmdir(node.state_dir)  # the tmpfs went away with its mount namespace
        shutil.rmtree(self.dir, ignore_errors=True)

    def _ours(self, pid):
        try:
            return os.stat("/proc/%d/ns/net" % pid).st_ino == os.stat("/run/netns/%s" % self.ns).st_ino
        except OSError:
            return False

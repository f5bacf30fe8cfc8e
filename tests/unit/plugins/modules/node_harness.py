# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the node-side modules' run() functions: options with their defaults, a fake host running nginx."""

from __future__ import annotations

import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fake_proc import ANY, LISTEN, FakeProc  # noqa: E402

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._procfs import ProcFS  # noqa: E402


def params(spec, **values):
    """A module's params as AnsibleModule would hand them over: every option's default, then ``values``."""
    result = {name: opt.get("default") for name, opt in spec.items()}
    result.update(values)
    return result


def assert_documented_like_the_spec(module):
    """Every option the module documents itself has the argument spec's default and type (selector options come
    from the doc fragment)."""
    doc = yaml.safe_load(module.DOCUMENTATION)["options"]
    for name, opt in module.ARGUMENT_SPEC.items():
        if name in doc:
            assert doc[name].get("default") == opt.get("default"), name
            assert doc[name]["type"] == opt["type"], name


def nginx_host(tmp_path, workers=True):
    """A /proc with an nginx master (pid 100) listening on port 80 and, unless told not, one worker (101)."""
    fake = FakeProc(tmp_path)
    tcp = [((ANY, 80), (ANY, 0), LISTEN, 500)]
    fake.add(100, cmdline="nginx: master process nginx -c /etc/nginx/nginx.conf", sockets=[500], tcp=tcp)
    if workers:
        fake.add(101, ppid=100, cmdline="nginx: worker process", sockets=[500], tcp=tcp)
    return ProcFS(fake.root)

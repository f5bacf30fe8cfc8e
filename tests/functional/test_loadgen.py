# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's measuring instrument, lab/loadgen.py, on real nginx: its client model runs every client kind, it
counts a failure it meets (a node that dies), and bad input is a clear error naming the option and value."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from nginx_netns import LOADGEN, Lab, netns_exec  # noqa: E402


@pytest.mark.parametrize("args, words", [
    (["--clients", "pooled=2,bogus=1"], ["--clients", "bogus=1"]),
    (["--clients", "pooled=x"], ["--clients", "pooled=x"]),
    (["--clients", "pooled=0"], ["--clients", "no client"]),
    (["--connections", "0"], ["--connections", "0"]),
    (["--model", "real", "--connections", "3"], ["exactly one of", "--model", "--connections"]),
    (["--model", "real", "--duration", "0"], ["--duration", "0"]),
    (["--model", "real", "--checking-share", "1.5"], ["--checking-share", "1.5"]),
    (["--model", "real", "--reconnect-after", "60-20"], ["--reconnect-after", "60-20"]),
    (["--model", "real", "--short-think-ms", "-1"], ["--short-think-ms", "-1"]),
    (["--model", "real", "--target", "127.0.0.1:70000"], ["70000"]),
])
def test_bad_input_is_a_clear_error(args, words):
    argv = [sys.executable, LOADGEN] + (["--target", "127.0.0.1:9"] if "--target" not in args else []) + args
    res = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert res.returncode == 2 and res.stdout == ""
    for word in words:
        assert word in res.stderr, res.stderr


@pytest.fixture
def lab():
    # only the tests on nginx need these; the bad-input tests run anywhere
    if os.geteuid() != 0 or shutil.which("nginx") is None:
        pytest.skip("needs root (network namespaces) and nginx")
    lab = Lab()
    try:
        yield lab
    finally:
        lab.close()


def _run(lab, duration, extra=()):
    argv = netns_exec(lab.ns, [sys.executable, LOADGEN, "--targets-file", lab.targets_file, "--model", "real",
                               "--slow-path", "/?slow", "--duration", str(duration), "--count", "2000000",
                               "--think-ms", "5"] + list(extra))
    return subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)


def test_real_model_runs_every_client_kind_without_failure(lab):
    lab.two_nodes()
    out, _err = _run(lab, 3).communicate(timeout=60)
    result = json.loads(out)
    assert result["failed"] == 0, result["errors"]
    kinds = {label.split("/")[0] for label, entry in result["by_client"].items() if entry["ok"] > 0}
    assert kinds == {"pooled", "reconnect", "short", "slow", "http10"}, result["by_client"]
    assert {"pooled/checking", "pooled/blind"} <= set(result["by_client"])
    assert set(result["per_node"]) == {"nodeA", "nodeB"}
    # short and reconnecting clients open connections all the time
    assert result["connections_opened"] > result["connections"] * 5
    assert sum(row["ok"] for row in result["timeline"]) == result["ok"]


def test_counts_the_failures_of_a_node_that_dies(lab):
    a = lab.two_nodes()[0]
    proc = _run(lab, 4)
    time.sleep(1.5)
    os.kill(a.master_pid(), signal.SIGTERM)  # nginx's fast stop: connections closed mid-stream, port closed
    out, _err = proc.communicate(timeout=60)
    result = json.loads(out)
    assert result["failed"] > 0
    assert any(k.startswith("connect:") for k in result["errors"]), result["errors"]
    assert result["failure_events"] and all("kind" in e and "t" in e for e in result["failure_events"])
    assert sum(row["failed"] for row in result["timeline"]) == result["failed"]



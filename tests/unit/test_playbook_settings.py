# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks' settings come from the internal role's defaults, so the inventory overrides them.

Each shipped playbook is loaded by ansible-core itself (Playbook.load, VariableManager) in a child process,
against an inventory whose group_vars and host_vars set some ``lvs_ingress_*`` settings; the variables every play
sees for a host must be the inventory's, not the defaults. A ``vars_files`` or play ``vars`` that set a setting
again would win over the inventory and fail this test (as ``playbooks/vars/defaults.yml`` once did).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".cache", "unit-collections")  # made by conftest.py
PLAYBOOKS = ("drain", "undrain", "rolling_upgrade")

INVENTORY = {
    "all": {
        "vars": {"lvs_ingress_ready_timeout": 7},
        "children": {
            "directors": {"hosts": {"d1": {}, "d2": {}}, "vars": {"lvs_ingress_check_director_settings": False}},
            "ingress_nodes": {"hosts": {"n1": {"lvs_ingress_real_address": "10.9.9.9"}, "n2": {}},
                              "vars": {"lvs_ingress_stop_timeout": 5}},
        },
    }
}

# Prints, per play, the settings each host sees: {play name: {host: {setting: value}}}.
CHILD = textwrap.dedent("""
    import json, sys
    from ansible import context
    from ansible.module_utils.common.collections import ImmutableDict
    from ansible.parsing.dataloader import DataLoader
    from ansible.inventory.manager import InventoryManager
    from ansible.vars.manager import VariableManager
    from ansible.playbook import Playbook
    from ansible.template import Templar
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    playbook, inventory, extra = sys.argv[1:4]
    context.CLIARGS = ImmutableDict(extra_vars=[extra] if extra else [])
    _AnsibleCollectionFinder(paths=[sys.argv[4]])._install()
    loader = DataLoader()
    inv = InventoryManager(loader=loader, sources=[inventory])
    vm = VariableManager(loader=loader, inventory=inv)
    out = {}
    names = ["lvs_ingress_real_address", "lvs_ingress_ready_timeout", "lvs_ingress_stop_timeout",
             "lvs_ingress_check_director_settings", "lvs_ingress_directors_group"]
    for play in Playbook.load(playbook, variable_manager=vm, loader=loader).get_plays():
        hosts = Templar(loader=loader, variables=vm.get_vars(play=play)).template(play.hosts)
        seen = {}
        for host in inv.get_hosts(hosts):
            v = vm.get_vars(play=play, host=host)
            t = Templar(loader=loader, variables=v)
            seen[host.name] = {n: t.template(v[n]) for n in names if n in v}
        out[play.get_name()] = seen
    print(json.dumps(out))
""")


def settings_seen(tmp_path, playbook, extra=""):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps(INVENTORY))
    path = os.path.join(ROOT, "playbooks", playbook + ".yml")
    res = subprocess.run([sys.executable, "-c", CHILD, path, str(inventory), extra, COLLECTIONS],
                         capture_output=True, text=True, timeout=120, cwd=str(tmp_path), check=False)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_inventory_overrides_the_settings(tmp_path, playbook):
    plays = settings_seen(tmp_path, playbook, extra="lvs_ingress_target=ingress_nodes")
    checked = 0
    for play, hosts in plays.items():
        for host, seen in hosts.items():
            if play == "Write the report":
                continue
            assert seen["lvs_ingress_ready_timeout"] == 7, (play, host)  # group_vars all
            assert seen["lvs_ingress_directors_group"] == "directors", (play, host)  # role default
            if host == "n1":
                assert seen["lvs_ingress_real_address"] == "10.9.9.9", play  # host_vars
                assert seen["lvs_ingress_stop_timeout"] == 5, play  # group_vars ingress_nodes
                checked += 1
            if host == "n2":
                assert seen["lvs_ingress_real_address"] == "n2", play  # the default: the host's name
            if host in ("d1", "d2"):
                assert seen["lvs_ingress_check_director_settings"] is False, (play, host)
    assert checked >= 1, plays


def test_extra_vars_override_the_inventory(tmp_path):
    plays = settings_seen(tmp_path, "rolling_upgrade", extra='{"lvs_ingress_ready_timeout": 9}')
    node_play = plays["Rolling upgrade of the ingress nodes"]
    assert {h: s["lvs_ingress_ready_timeout"] for h, s in node_play.items()} == {"n1": 9, "n2": 9}


def test_serial_repeats_the_batch_size_default():
    """A play's serial sees no role default, so rolling_upgrade repeats lvs_ingress_batch_size's: the same value."""
    import re

    import yaml

    with open(os.path.join(ROOT, "roles", "_rollout", "defaults", "main.yml")) as f:
        default = yaml.safe_load(f)["lvs_ingress_batch_size"]
    with open(os.path.join(ROOT, "playbooks", "rolling_upgrade.yml")) as f:
        serials = [play["serial"] for play in yaml.safe_load(f) if "serial" in play]
    assert serials, "rolling_upgrade.yml has no play with serial"
    for serial in serials:
        m = re.fullmatch(r"\{\{ lvs_ingress_batch_size \| default\((\d+)\) \}\}", serial)
        assert m, "serial is not the batch size setting: %r" % serial
        assert int(m.group(1)) == default

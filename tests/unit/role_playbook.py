# SPDX-License-Identifier: GPL-3.0-or-later
"""A role's entry point run for real by ansible-playbook on localhost, with settings given as extra vars.

``entry_point_runner(base, role, tasks_from, play_name)`` writes the play and the inventory into ``base`` and returns
``run(settings, playbook_file="play.yml")`` -> (return code, stdout + stderr).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def collections_path():
    parent = os.path.dirname(os.path.dirname(ROOT))
    if os.path.basename(parent) == "ansible_collections":
        return os.path.dirname(parent)
    return os.path.join(ROOT, ".cache", "unit-collections")  # made by conftest.py


def entry_point_runner(base, role, tasks_from, play_name):
    play = [{"name": play_name, "hosts": "localhost", "gather_facts": False,
             "tasks": [{"name": "Preflight", "ansible.builtin.include_role": {
                 "name": "baremetal.lvs_ingress." + role, "tasks_from": tasks_from}}]}]
    (base / "play.yml").write_text(yaml.safe_dump(play))
    (base / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_HOME=str(base / ".a"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0")
    playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

    def run(settings, playbook_file="play.yml"):
        (base / "settings.json").write_text(json.dumps(settings))
        proc = subprocess.run([playbook, "-i", "inventory.yml", playbook_file, "-e", "@settings.json"], cwd=str(base),
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        return proc.returncode, proc.stdout + proc.stderr

    return run

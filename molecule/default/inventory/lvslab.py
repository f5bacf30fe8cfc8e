#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ansible script inventory: the lab's hosts, or none while the lab is down.

`lab/lvslab inventory` prints the path of the inventory the lab wrote on `up` (YAML; the lab writes it as
JSON, which is YAML). This turns it into the script-inventory JSON Ansible reads on every playbook run, so the
scenario's create step can bring the lab up and every later step sees its hosts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", ".."))
LVSLAB = os.path.join(ROOT, "lab", "lvslab")


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(text)
    except ValueError:
        import yaml  # only for a lab that writes real YAML

        return yaml.safe_load(text)


def flatten(name, group, out):
    """YAML-inventory group tree -> script-inventory groups and hostvars."""
    group = group or {}
    entry = out.setdefault(name, {})
    for key, empty in (("hosts", []), ("vars", {}), ("children", [])):
        entry.setdefault(key, empty)
    for host, hostvars in (group.get("hosts") or {}).items():
        entry["hosts"].append(host)
        out["_meta"]["hostvars"].setdefault(host, {}).update(hostvars or {})
    entry["vars"].update(group.get("vars") or {})
    for child, sub in (group.get("children") or {}).items():
        entry["children"].append(child)
        flatten(child, sub, out)


def main():
    # the lab's groups exist even while it is down, so plays that name them find an empty group, not a warning
    out = {"_meta": {"hostvars": {}}, "directors": {"hosts": []}, "ingress_nodes": {"hosts": []}}
    if "--host" in sys.argv:
        print("{}")
        return 0
    try:
        path = subprocess.run([LVSLAB, "inventory"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        path = ""  # lab not built or not up: no hosts
    if path:
        for name, group in load(path).items():
            flatten(name, group, out)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

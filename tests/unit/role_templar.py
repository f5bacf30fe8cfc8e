# SPDX-License-Identifier: GPL-3.0-or-later
"""Template expressions of the roles' YAML as ansible-core does, with the collection's filters, in a child process.

``render(cases)`` sends the cases to this file, run with the unit tests' Python (one child per session), and
returns one result per case. A case names a YAML file of the work tree (``path``), optionally a task in it
(``task``, by name, in a list of tasks), the keys down to the value to template (``keys``; a conditional such as
``failed_when``, or one item of a conditional's list, is templated as ``{{ (it) }}``), more YAML files whose variables it sees (``vars_from``, such as
the role's ``vars/main.yml``) and the facts (``variables``).
The task's own ``vars`` are seen too. A result is ``{"value": ...}`` or ``{"error": "<exception>: <first line>"}``.
The files are loaded by ansible-core's DataLoader, so their strings are templates as in a play.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".cache", "unit-collections")  # made by conftest.py
CONDITIONALS = ("failed_when", "changed_when", "when", "until")


_CHILD = []


def render(cases):
    """One child process for the whole test session (ansible-core's import takes seconds): a JSON line of cases
    in, a JSON line of results out."""
    if not _CHILD or _CHILD[0].poll() is not None:
        _CHILD[:] = [subprocess.Popen([sys.executable, os.path.abspath(__file__), COLLECTIONS], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)]
    child = _CHILD[0]
    child.stdin.write(json.dumps(cases) + "\n")
    child.stdin.flush()
    line = child.stdout.readline()
    assert line, "role_templar child died: %s" % child.stderr.read()
    return json.loads(line)


def _child():
    from ansible.parsing.dataloader import DataLoader
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    _AnsibleCollectionFinder(paths=[sys.argv[1]])._install()
    loader = DataLoader()

    def load(path):  # as a play loads them: their strings are templates (ansible-core 2.19 and later)
        return loader.load_from_file(os.path.join(ROOT, path), trusted_as_template=True)

    for line in sys.stdin:
        print(json.dumps(_render(json.loads(line), load, loader), default=repr), flush=True)


def _render(cases, load, loader):
    from ansible.template import Templar, trust_as_template

    out = []
    for case in cases:
        data = load(case["path"])
        variables = {}
        for path in case.get("vars_from", []):
            variables.update(load(path))
        if case.get("task"):
            [data] = [t for t in data if t.get("name") == case["task"]]
            variables.update(data.get("vars") or {})
        variables.update(case.get("variables") or {})
        value = data
        for key in case["keys"]:
            value = value[key]
        # a conditional, or one condition of a conditional's list
        if case["keys"][-1] in CONDITIONALS or (len(case["keys"]) > 1 and case["keys"][-2] in CONDITIONALS):
            value = "{{ (%s) }}" % value
            value = trust_as_template(value)
        try:
            out.append({"value": Templar(loader=loader, variables=variables).template(value)})
        except Exception as err:  # pylint: disable=broad-except
            out.append({"error": "%s: %s" % (type(err).__name__, str(err).splitlines()[0])})
    return out


if __name__ == "__main__":
    _child()

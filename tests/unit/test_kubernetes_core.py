# SPDX-License-Identifier: GPL-3.0-or-later
"""Our kubernetes.core tasks against the kubernetes.core the toolchain pins.

The collection found on the tests' ANSIBLE_COLLECTIONS_PATH (the unit tests' and the one the lint, molecule and lab
stages use) is the version requirements/kubernetes-core.txt names, found where tools/bootstrap put it. Every
``kubernetes.core.*`` task of the roles, the playbooks and the plugins' EXAMPLES uses only options that module
documents (aliases and suboptions too), and its literal values pass ansible-core's validation of the spec built from
that documentation (types, choices, required suboptions). A value that is a Jinja template gets its type only when
templated, so only its name is checked. ansible-lint cannot do this: its args rule skips a module that has an action
plugin, as k8s and k8s_info have.
"""
from __future__ import annotations

import ast
import glob
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIN = os.path.join(ROOT, "requirements", "kubernetes-core.txt")
TOOLCHAIN = os.path.join(ROOT, ".cache", "collections")  # tools/bootstrap extracts kubernetes.core here
UNIT = os.path.join(ROOT, ".cache", "unit-collections")  # made by conftest.py

if not os.path.isfile(PIN):
    # What ships (galaxy.yml's build_ignore) has no requirements/ and no toolchain.
    pytest.skip("no requirements/kubernetes-core.txt: not a work tree", allow_module_level=True)

# The spec keys of a documented option that ArgumentSpecValidator knows.
SPEC_KEYS = ("type", "elements", "choices", "aliases", "required", "default", "no_log")


def pinned_version():
    found = re.findall(r"^# bundles kubernetes\.core (\S+)$", open(PIN).read(), re.M)
    assert len(found) == 1, "%s: want one '# bundles kubernetes.core X.Y.Z' line" % PIN
    return found[0]


def ansible_doc(collections_path, *modules):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR="1")
    doc = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
    proc = subprocess.run([doc, "--json", "-t", "module"] + list(modules), env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {name: entry["doc"] for name, entry in json.loads(proc.stdout).items()}


# --- the tasks that name a kubernetes.core module ------------------------------------------------------------------

def k8s_calls(node, where):
    """(where, module, args) of every task in ``node`` (blocks, rescue and always included)."""
    if isinstance(node, list):
        for item in node:
            yield from k8s_calls(item, where)
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith("kubernetes.core."):
                yield where, key, value
            elif key in ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers"):
                yield from k8s_calls(value, where)


def example_tasks(path):
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["EXAMPLES"]:
            return yaml.safe_load(node.value.value)
    return None


def all_calls():
    calls = []
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))
                       + glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))):
        calls += k8s_calls(yaml.safe_load(open(path)), os.path.relpath(path, ROOT))
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "*", "*.py"))):
        calls += k8s_calls(example_tasks(path), os.path.relpath(path, ROOT) + " EXAMPLES")
    return calls


CALLS = all_calls()
MODULES = sorted({call[1] for call in CALLS})


def test_our_tasks_name_kubernetes_core():
    # the roles' apply mode, the pod entry points and the filter's example: a test that finds none tests nothing
    assert {"kubernetes.core.k8s", "kubernetes.core.k8s_info"} <= set(MODULES), MODULES
    assert len(CALLS) >= 6, CALLS


# --- the collection the toolchain finds ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docs():
    return ansible_doc(UNIT, *MODULES)


@pytest.mark.parametrize("collections_path", [UNIT, TOOLCHAIN], ids=["unit-collections", "collections"])
def test_the_pinned_kubernetes_core_is_found(collections_path):
    found = ansible_doc(collections_path, "kubernetes.core.k8s_info")["kubernetes.core.k8s_info"]["filename"]
    where = os.path.realpath(os.path.join(TOOLCHAIN, "ansible_collections", "kubernetes", "core"))
    assert os.path.realpath(found).startswith(where + os.sep), "%s, not the one tools/bootstrap extracted" % found
    manifest = json.load(open(os.path.join(where, "MANIFEST.json")))["collection_info"]
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == ("kubernetes", "core", pinned_version())


# --- every option our tasks give exists and fits ---------------------------------------------------------------------

def spec_of(options):
    """ArgumentSpecValidator's spec from a module's documented options (suboptions included)."""
    spec = {}
    for name, doc in options.items():
        spec[name] = {k: doc[k] for k in SPEC_KEYS if k in doc}
        if "suboptions" in doc:
            spec[name]["options"] = spec_of(doc["suboptions"])
    return spec


def unknown_names(args, options, prefix=""):
    names = {}
    for name, doc in options.items():
        for alias in [name] + doc.get("aliases", []):
            names[alias] = doc
    unknown = []
    for key, value in args.items():
        if key not in names:
            unknown.append(prefix + key)
        elif isinstance(value, dict) and "suboptions" in names[key]:
            unknown += unknown_names(value, names[key]["suboptions"], prefix + key + ".")
    return unknown


def literal(value):
    """``value`` without what is templated (its type is only known when templated), recursively; None if templated."""
    if isinstance(value, str) and "{{" in value:
        return None
    if isinstance(value, dict):
        return {k: v for k, v in ((k, literal(v)) for k, v in value.items()) if v is not None}
    if isinstance(value, list):
        return None if any(literal(v) is None for v in value) else value
    return value


@pytest.mark.parametrize("where, module, args", CALLS, ids=["%s:%s" % (c[0], c[1]) for c in CALLS])
def test_task_options_exist_and_fit(docs, where, module, args):
    options = docs[module]["options"]
    assert isinstance(args, dict), "%s: %s takes its options as a mapping" % (where, module)
    assert not unknown_names(args, options), "%s: %s has no option %s" % (
        where, module, ", ".join(unknown_names(args, options)))
    result = ArgumentSpecValidator(spec_of(options)).validate(literal(args))
    assert not result.error_messages, "%s: %s: %s" % (where, module, "; ".join(result.error_messages))

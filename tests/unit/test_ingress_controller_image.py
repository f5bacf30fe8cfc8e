# SPDX-License-Identifier: GPL-3.0-or-later
"""The ingress_controller role's entry point ``image``, run for real (ansible-playbook on localhost) against a fake
``ctr`` first in PATH that keeps containerd's image names in a JSON file and answers in ctr 1.6's format. The
archives are real OCI archives (tests/unit/plugins/module_utils/oci_archive.py); the fake imports the names and
digests their index.json gives, as ctr does. The module itself is tested on real ctr output in
tests/unit/plugins/modules/test_containerd_image.py.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "unit", "plugins", "module_utils"))

from oci_archive import write_oci_archive  # noqa: E402
from role_playbook import collections_path  # noqa: E402

NAME = "example.invalid/lvs-ingress/hello:v1"
FAKE_CTR = textwrap.dedent('''\
    #!%s
    """Fake ctr: ``ctr --address A --namespace NS images ls|import|tag|rm``, names kept in $FAKE_CTR_STATE."""
    import json, os, sys, tarfile
    state_file, args = os.environ["FAKE_CTR_STATE"], sys.argv[5:]
    state = json.load(open(state_file)) if os.path.exists(state_file) else {}
    with open(state_file + ".log", "a") as log:
        log.write(" ".join(args) + "\\n")
    cmd, rest = args[1], [a for a in args[2:] if not a.startswith("--")]
    if cmd == "ls":
        print("REF TYPE DIGEST SIZE PLATFORMS LABELS ")
        for ref, digest in sorted(state.items()):
            print("%%s application/vnd.oci.image.manifest.v1+json %%s 706.0 B linux/amd64 - " %% (ref, digest))
    elif cmd == "import":
        with tarfile.open(rest[-1]) as tar:
            index = json.load(tar.extractfile("index.json"))
        for m in index["manifests"]:
            state[m["annotations"]["io.containerd.image.name"]] = m["digest"]
            print("unpacking %%s (%%s)...done" %% (m["annotations"]["io.containerd.image.name"], m["digest"]))
    elif cmd == "tag":
        state[rest[1]] = state[rest[0]]
        print(rest[1])
    elif cmd == "rm":
        del state[rest[0]]
        print(rest[0])
    json.dump(state, open(state_file, "w"))
    ''') % sys.executable


class Node:
    """localhost as an ingress node: a fake ctr, its state, and the role's entry point ``image``."""

    def __init__(self, base):
        self.base = str(base)
        self.bin = os.path.join(self.base, "bin")
        os.makedirs(self.bin)
        with open(os.path.join(self.bin, "ctr"), "w") as f:
            f.write(FAKE_CTR)
        os.chmod(os.path.join(self.bin, "ctr"), 0o755)
        self.state = os.path.join(self.base, "containerd.json")
        self.dest = os.path.join(self.base, "copied.oci.tar")
        play = [{"name": "The controller's image on the node", "hosts": "localhost", "gather_facts": False,
                 "tasks": [{"name": "Import it", "ansible.builtin.import_role": {
                     "name": "baremetal.lvs_ingress.ingress_controller", "tasks_from": "image"}}]}]
        with open(os.path.join(self.base, "play.yml"), "w") as f:
            yaml.safe_dump(play, f)
        with open(os.path.join(self.base, "inventory.yml"), "w") as f:
            yaml.safe_dump({"all": {"hosts": {"localhost": {"ansible_connection": "local",
                                                            "ansible_python_interpreter": sys.executable}}}}, f)

    def names(self):
        with open(self.state) as f:
            return json.load(f)

    def calls(self):
        with open(self.state + ".log") as f:
            return [line.split()[1] for line in f]

    def run(self, settings, *extra):
        # the copy's place on the node is a private role var: extra vars put it in the test's directory
        settings = dict(settings, _ingress_controller_image_archive_dest=self.dest)
        with open(os.path.join(self.base, "settings.json"), "w") as f:
            json.dump(settings, f)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_HOME=os.path.join(self.base, ".a"),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0",
                   PATH=self.bin + os.pathsep + os.environ["PATH"], FAKE_CTR_STATE=self.state)
        playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        proc = subprocess.run([playbook, "-i", "inventory.yml", "play.yml", "-e", "@settings.json"] + list(extra),
                              cwd=self.base, env=env, capture_output=True, text=True, timeout=300, check=False)
        recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout)
        return proc, (int(recap.group(2)) if recap else None)


@pytest.fixture
def node(tmp_path):
    return Node(tmp_path)


@pytest.fixture
def archives(tmp_path):
    good, wrong = str(tmp_path / "hello.oci.tar"), str(tmp_path / "wrong.oci.tar")
    digest = write_oci_archive(good, NAME, architecture="amd64")
    wrong_digest = write_oci_archive(wrong, NAME, files={"hello.txt": b"other content\n"}, architecture="amd64")
    return {"good": good, "wrong": wrong, "digest": digest, "wrong_digest": wrong_digest,
            "image": "%s@%s" % (NAME, digest)}


def test_imports_once_checks_the_pin_and_removes_the_copy(node, archives):
    settings = {"ingress_controller_image": archives["image"], "ingress_controller_image_archive": archives["good"]}
    first, changed = node.run(settings)
    assert first.returncode == 0, first.stdout + first.stderr
    assert node.names() == {NAME: archives["digest"], NAME.rsplit(":", 1)[0] + "@" + archives["digest"]: archives["digest"]}
    # probe; import (list, import, list, tag the digest reference, list); the last task is skipped
    assert node.calls() == ["ls", "ls", "import", "ls", "tag", "ls"]
    assert changed == 3  # copy, import, remove the copy
    assert not os.path.exists(node.dest)
    second, changed = node.run(settings)
    assert second.returncode == 0, second.stdout + second.stderr
    assert changed == 0 and node.calls()[6:] == ["ls", "ls"]  # the probe, then the last task finds it
    assert not os.path.exists(node.dest)


def test_check_mode_imports_nothing(node, archives):
    settings = {"ingress_controller_image": archives["image"], "ingress_controller_image_archive": archives["good"]}
    proc, changed = node.run(settings, "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(node.calls()) == {"ls"} and not os.path.exists(node.dest)
    assert node.names() == {}


def test_a_wrong_archive_fails_naming_both_digests_and_leaves_nothing_under_the_name(node, archives):
    settings = {"ingress_controller_image": archives["image"], "ingress_controller_image_archive": archives["wrong"]}
    proc, _changed = node.run(settings)
    assert proc.returncode != 0
    assert archives["digest"] in proc.stdout and archives["wrong_digest"] in proc.stdout
    assert node.names() == {} and not os.path.exists(node.dest)


def test_without_an_archive_a_node_lacking_the_image_fails_naming_it(node, archives):
    proc, _changed = node.run({"ingress_controller_image": archives["image"]})
    assert proc.returncode != 0
    assert "%s is not in containerd namespace k8s.io at the pinned digest and archive is empty" % archives["image"] in (
        proc.stdout)


def test_an_image_not_pinned_is_refused_before_containerd_is_asked(node):
    proc, _changed = node.run({"ingress_controller_image": NAME, "ingress_controller_image_archive": "/nonexistent"})
    assert proc.returncode != 0
    assert "ingress_controller_image=%s: the image must be pinned by digest" % NAME in " ".join(proc.stdout.split())
    assert not os.path.exists(node.state + ".log")

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ingress_controller role's entry point ``image`` (module containerd_image) on a real containerd in a lab node.

No registry is reachable, so the image is a small OCI archive made here (tests/unit/plugins/module_utils/
oci_archive.py, the same archives the unit tests use); containerd and ctr are Debian's, in the node. The run
imports it into the k8s.io namespace under its name and its digest reference, a second run changes nothing,
check mode imports nothing, and an archive whose digest is not the pinned one fails naming both digests and
leaves nothing under the pinned name. Not run here: a kubelet starting a pod from the imported image."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

import lab

sys.path.insert(0, os.path.join(lab.ROOT, "tests", "unit", "plugins", "module_utils"))
from oci_archive import write_oci_archive  # noqa: E402  pylint: disable=wrong-import-position

NODE = "ingress3"
NAME = "example.invalid/lvs-ingress/controller:v1"
REPO = NAME.rsplit(":", 1)[0]
PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "controller_image.yml")


def run_image(archive, digest, check=False):
    """The entry point ``image`` on NODE; (CompletedProcess, changed count from the recap)."""
    extra = {"ingress_controller_image": "%s@%s" % (NAME, digest), "ingress_controller_image_archive": archive}
    argv = [os.path.join(lab.VENV_BIN, "ansible-playbook"), "-i", lab.inventory(), PLAYBOOK, "-e", json.dumps(extra)]
    if check:
        argv += ["--check", "--diff"]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=lab.ansible_env(), cwd=lab.ROOT,
                         stdin=subprocess.DEVNULL)
    m = re.search(r"^%s\s*:\s*ok=\d+\s+changed=(\d+)" % NODE, res.stdout, re.M)
    return res, int(m.group(1)) if m else None


def images():
    """{ref: digest} of containerd's k8s.io namespace on NODE, read with ctr (not with the module under test)."""
    out = lab.run_on(NODE, ["ctr", "-n", "k8s.io", "images", "ls"]).stdout.splitlines()
    return {line.split()[0]: line.split()[2] for line in out[1:] if line.strip()}


def remove_test_images():
    for ref in images():
        if ref.startswith(REPO):
            lab.run_on(NODE, ["ctr", "-n", "k8s.io", "images", "rm", ref])


@pytest.fixture
def containerd(converged, tmp_path):
    lab.run_on(NODE, ["systemctl", "start", "containerd"])
    remove_test_images()
    yield tmp_path
    remove_test_images()
    lab.run_on(NODE, ["systemctl", "stop", "containerd"], check=False)


def test_image_imported_pinned_and_idempotent(containerd):
    archive = str(containerd / "controller.tar")
    digest = write_oci_archive(archive, NAME)

    check, check_changed = run_image(archive, digest, check=True)
    after_check = images()
    first, first_changed = run_image(archive, digest)
    after_first = images()
    second, second_changed = run_image(archive, digest)
    copies = lab.run_on(NODE, ["sh", "-c", "ls /var/tmp/lvs_ingress.* 2>/dev/null || true"]).stdout.split()
    lab.record("containerd_image_import", node=NODE, digest=digest, changed=[check_changed, first_changed, second_changed],
               refs={k: v for k, v in after_first.items() if k.startswith(REPO)},
               command="tests/lab/playbooks/controller_image.yml: --check, run, run again")

    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
    assert check_changed and check_changed > 0 and not any(k.startswith(REPO) for k in after_check), after_check
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    assert first_changed and first_changed > 0, first.stdout[-3000:]
    # under its name and under the digest reference a pod's image (name:tag@digest) is looked up by
    assert after_first.get(NAME) == digest, after_first
    assert after_first.get("%s@%s" % (REPO, digest)) == digest, after_first
    assert second.returncode == 0 and second_changed == 0, second.stdout[-3000:]
    assert copies == [], copies


def test_archive_with_another_digest_fails_naming_both(containerd):
    pinned = write_oci_archive(str(containerd / "pinned.tar"), NAME)
    other_archive = str(containerd / "other.tar")
    other = write_oci_archive(other_archive, NAME, files={"hello.txt": b"not the pinned image\n"})
    assert other != pinned

    res, _ = run_image(other_archive, pinned)
    after = images()
    lab.record("containerd_image_wrong_digest", node=NODE, pinned=pinned, imported=other,
               refs={k: v for k, v in after.items() if k.startswith(REPO)})

    assert res.returncode != 0, res.stdout[-3000:]
    assert pinned in res.stdout and other in res.stdout, res.stdout[-3000:]
    # nothing unpinned stays under the pinned name or its digest reference
    assert NAME not in after and "%s@%s" % (REPO, pinned) not in after, after

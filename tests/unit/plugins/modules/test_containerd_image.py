# SPDX-License-Identifier: GPL-3.0-or-later
"""containerd_image end to end in-process: ordered ctr commands answered with ctr 1.6.20's recorded output."""
from __future__ import annotations

import os

import pytest
from ipvs_harness import run_module
from node_harness import assert_documented_like_the_spec

from ansible_collections.baremetal.lvs_ingress.plugins.modules import containerd_image

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "fixtures", "ctr",
                        "1.6.20")
CTR = "/usr/bin/ctr"
BINS = {"ctr": CTR}
HELLO = "example.invalid/lvs-ingress/hello"
HELLO_DIGEST = "sha256:211ef290a27ae7c512acf8117f163eea0cd4c7887f1e888cc0a2aa4c5ae1c21f"
WRONG_DIGEST = "sha256:280d073829a96ed08a29360583641e2ad49000724b3f33b6aa2df264a1014c4e"
IMAGE = "%s:v1@%s" % (HELLO, HELLO_DIGEST)
BASE = [CTR, "--address", "/run/containerd/containerd.sock", "--namespace", "k8s.io", "images"]
LS = BASE + ["ls"]
TAG_DIGEST_REF = BASE + ["tag", "--force", HELLO + ":v1", HELLO + "@" + HELLO_DIGEST]


def out(name):
    with open(os.path.join(FIXTURES, name + ".captured.txt")) as fh:
        return fh.read()


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "hello.oci.tar"
    path.write_bytes(b"an archive; ctr is mocked")
    return str(path)


def test_documented_like_the_spec():
    assert_documented_like_the_spec(containerd_image)


def test_present_at_the_pin_changes_nothing_and_needs_no_archive():
    result, failed, cmds = run_module(containerd_image.main, dict(image=IMAGE), [(LS, 0, out("ls-two"), "")],
                                      diff=True, bins=BINS)
    assert not failed and result["changed"] is False and result["imported"] is False
    assert result["digest"] == HELLO_DIGEST and result["refs"] == [] and result["commands"] == []
    present = {"ref": HELLO + ":v1", "digest": HELLO_DIGEST, "digest_ref": True}
    assert result["diff"]["before"] == result["diff"]["after"] == present
    assert cmds.seen == [LS]


def test_import_checks_the_digest_and_adds_the_digest_reference(archive):
    imp = BASE + ["import", archive]
    cmds = [(LS, 0, out("ls-empty"), ""), (imp, 0, out("import-hello"), ""), (LS, 0, out("ls-hello"), ""),
            (TAG_DIGEST_REF, 0, HELLO + "@" + HELLO_DIGEST + "\n", ""), (LS, 0, out("ls-two"), "")]
    result, failed, used = run_module(containerd_image.main, dict(image=IMAGE, archive=archive), cmds, diff=True,
                                      bins=BINS)
    assert not failed and result["changed"] is True and result["imported"] is True
    assert result["refs"] == [{"name": HELLO + ":v1", "digest": HELLO_DIGEST}]
    assert result["tagged"] == [HELLO + "@" + HELLO_DIGEST]
    assert result["commands"] == [imp, TAG_DIGEST_REF]
    assert result["diff"]["before"] == {"ref": HELLO + ":v1", "digest": None, "digest_ref": False}
    assert result["diff"]["after"] == {"ref": HELLO + ":v1", "digest": HELLO_DIGEST, "digest_ref": True}


def test_import_passes_socket_namespace_and_snapshotter(archive):
    base = [CTR, "--address", "/run/k3s/containerd/containerd.sock", "--namespace", "lab", "images"]
    imp = base + ["import", "--snapshotter", "native", archive]
    tag = base + ["tag", "--force", HELLO + ":v1", HELLO + "@" + HELLO_DIGEST]
    cmds = [(base + ["ls"], 0, out("ls-empty"), ""), (imp, 0, out("import-hello"), ""),
            (base + ["ls"], 0, out("ls-hello"), ""), (tag, 0, "", ""), (base + ["ls"], 0, out("ls-two"), "")]
    result, failed, used = run_module(containerd_image.main, dict(
        image=IMAGE, archive=archive, namespace="lab", address="/run/k3s/containerd/containerd.sock",
        snapshotter="native"), cmds, bins=BINS)
    assert not failed and result["changed"] is True


def test_check_mode_predicts_and_imports_nothing(tmp_path):
    missing = str(tmp_path / "not-copied-yet.tar")  # an earlier copy task did not run in check mode
    result, failed, cmds = run_module(containerd_image.main, dict(image=IMAGE, archive=missing),
                                      [(LS, 0, out("ls-empty"), "")], check_mode=True, diff=True, bins=BINS)
    assert not failed and result["changed"] is True and result["imported"] is True
    assert result["commands"] == [BASE + ["import", missing]] and result["refs"] == []
    assert result["tagged"] == [HELLO + "@" + HELLO_DIGEST]
    assert result["diff"]["after"] == {"ref": HELLO + ":v1", "digest": HELLO_DIGEST, "digest_ref": True}
    assert cmds.seen == [LS]


def test_name_tag_at_the_pin_only_gets_the_digest_reference_without_the_archive():
    cmds = [(LS, 0, out("ls-hello"), ""), (TAG_DIGEST_REF, 0, "", ""), (LS, 0, out("ls-two"), "")]
    result, failed, used = run_module(containerd_image.main, dict(image=IMAGE), cmds, bins=BINS)
    assert not failed and result["changed"] is True and result["imported"] is False
    assert result["tagged"] == [HELLO + "@" + HELLO_DIGEST]


def test_a_moved_tag_is_pointed_back_at_the_pinned_content():
    retag = BASE + ["tag", "--force", HELLO + "@" + HELLO_DIGEST, HELLO + ":v1"]
    cmds = [(LS, 0, out("ls-wrong"), ""), (retag, 0, "", ""), (LS, 0, out("ls-two"), "")]
    result, failed, used = run_module(containerd_image.main, dict(image=IMAGE), cmds, diff=True, bins=BINS)
    assert not failed and result["changed"] is True and result["imported"] is False
    assert result["diff"]["before"]["digest"] == WRONG_DIGEST and result["diff"]["after"]["digest"] == HELLO_DIGEST


def test_mismatch_removes_the_unpinned_ref_and_names_both_digests(archive):
    imp = BASE + ["import", archive]
    rm = BASE + ["rm", HELLO + ":v1"]
    cmds = [(LS, 0, out("ls-empty"), ""), (imp, 0, out("import-wrong-fresh"), ""), (LS, 0, out("ls-wrong-fresh"), ""),
            (rm, 0, out("rm-wrong-fresh"), "")]
    result, failed, used = run_module(containerd_image.main, dict(image=IMAGE, archive=archive), cmds, bins=BINS)
    assert failed
    assert HELLO_DIGEST in result["msg"] and WRONG_DIGEST in result["msg"] and archive in result["msg"]
    assert result["pinned_digest"] == HELLO_DIGEST and result["imported_digest"] == WRONG_DIGEST
    assert result["changed"] is True and result["commands"] == [imp, rm]
    assert used.seen == [LS, imp, LS, rm] and used.expected == []


def test_an_archive_without_the_image_fails_listing_what_it_imported(archive):
    imp = BASE + ["import", archive]
    third = "example.invalid/lvs-ingress/third:v3@" + HELLO_DIGEST
    cmds = [(LS, 0, out("ls-empty"), ""), (imp, 0, out("import-hello"), ""), (LS, 0, out("ls-hello"), "")]
    result, failed, used = run_module(containerd_image.main, dict(image=third, archive=archive), cmds, bins=BINS)
    assert failed and result["msg"] == ("archive %s has no image example.invalid/lvs-ingress/third:v3: it imported "
                                        "%s:v1" % (archive, HELLO))
    assert result["refs"] == [{"name": HELLO + ":v1", "digest": HELLO_DIGEST}]
    assert used.expected == []


def test_absent_without_an_archive_fails_naming_the_image():
    result, failed, cmds = run_module(containerd_image.main, dict(image=IMAGE), [(LS, 0, out("ls-empty"), "")],
                                      bins=BINS)
    assert failed and result["msg"] == ("%s is not in containerd namespace k8s.io at the pinned digest and archive "
                                        "is empty: give the image archive to import" % IMAGE)
    assert result["option"] == "archive" and cmds.seen == [LS]


def test_a_missing_archive_file_fails_before_importing(tmp_path):
    missing = str(tmp_path / "nope.tar")
    result, failed, cmds = run_module(containerd_image.main, dict(image=IMAGE, archive=missing),
                                      [(LS, 0, out("ls-empty"), "")], bins=BINS)
    assert failed and result["msg"] == "archive=%s: no such file on this node" % missing and cmds.seen == [LS]


@pytest.mark.parametrize("image", [HELLO + ":v1", HELLO + ":v1@sha256:1234", "Hello:v1@" + HELLO_DIGEST])
def test_an_unpinned_image_fails_naming_the_option_and_value_before_any_command(image):
    result, failed, cmds = run_module(containerd_image.main, dict(image=image), [], bins=BINS)
    assert failed and result["msg"].startswith("image=%s: " % image) and "pinned by digest" in result["msg"]
    assert result["option"] == "image" and result["value"] == image and cmds.seen == []


def test_ctr_failing_fails_with_cmd_rc_and_stderr():
    err = ('ctr: failed to dial "/run/containerd/containerd.sock": context deadline exceeded: connection error: '
           'desc = "transport: error while dialing: dial unix:///run/containerd/containerd.sock: timeout"\n')
    result, failed, cmds = run_module(containerd_image.main, dict(image=IMAGE), [(LS, 1, "", err)], bins=BINS)
    assert failed and result["msg"] == "%s failed (rc=1): %s" % (" ".join(LS), err.strip())
    assert result["cmd"] == LS and result["rc"] == 1 and result["stderr"] == err
    assert result["object"] == "images of namespace k8s.io"


def test_import_failing_fails_naming_the_archive(archive):
    imp = BASE + ["import", archive]
    result, failed, cmds = run_module(containerd_image.main, dict(image=IMAGE, archive=archive),
                                      [(LS, 0, out("ls-empty"), ""), (imp, 1, "", "ctr: unexpected EOF\n")], bins=BINS)
    assert failed and result["msg"].endswith("failed (rc=1): ctr: unexpected EOF")
    assert result["object"] == "archive " + archive


def test_a_missing_ctr_fails_naming_it():
    result, failed, cmds = run_module(containerd_image.main, dict(image=IMAGE, ctr="/opt/bin/ctr"), [], bins={})
    assert failed and result["msg"].startswith("ctr=/opt/bin/ctr: not found on this node")
    assert cmds.seen == []

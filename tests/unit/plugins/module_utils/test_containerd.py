# SPDX-License-Identifier: GPL-3.0-or-later
"""_containerd on the real outputs of ctr 1.6.20 (tests/unit/fixtures/ctr/1.6.20, recorded by ../capture.py)."""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from oci_archive import build_oci_archive, split_name  # noqa: E402

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _containerd  # noqa: E402
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "fixtures", "ctr",
                        "1.6.20")
HELLO = "example.invalid/lvs-ingress/hello"
OTHER = "example.invalid/lvs-ingress/other"
HELLO_DIGEST = "sha256:211ef290a27ae7c512acf8117f163eea0cd4c7887f1e888cc0a2aa4c5ae1c21f"
OTHER_DIGEST = "sha256:f828485145fd01f4ce74a47dc74a3b682ca549f8141055c7b5a90ed8e230dde3"
WRONG_DIGEST = "sha256:280d073829a96ed08a29360583641e2ad49000724b3f33b6aa2df264a1014c4e"
PIN = _containerd.parse_pin("%s:v1@%s" % (HELLO, HELLO_DIGEST))


def fixture(name):
    with open(os.path.join(FIXTURES, name + ".captured.txt")) as fh:
        return fh.read()


def listing(name):
    return _containerd.parse_images_list(fixture(name))


# ------------------------------------------------------------------ the archives the fixtures were recorded with


def test_the_oci_helper_is_reproducible_and_yields_the_recorded_digests():
    # the digests ctr listed in the fixtures are those the helper computes: the archives are built byte for byte
    assert build_oci_archive(HELLO + ":v1", architecture="amd64")[1] == HELLO_DIGEST
    assert build_oci_archive(OTHER + ":v2", architecture="amd64")[1] == OTHER_DIGEST
    wrong = build_oci_archive(HELLO + ":v1", files={"hello.txt": b"not the pinned content\n"}, architecture="amd64")
    assert wrong[1] == WRONG_DIGEST
    assert build_oci_archive(HELLO + ":v1", architecture="amd64") == build_oci_archive(HELLO + ":v1",
                                                                                       architecture="amd64")
    assert split_name("localhost:5000/app") == ("localhost:5000/app", "latest")
    with pytest.raises(ValueError):
        split_name(HELLO + "@" + HELLO_DIGEST)


# ------------------------------------------------------------------ parsers


def test_parse_an_empty_listing():
    assert listing("ls-empty") == {}


def test_parse_a_listing_reads_ref_type_and_digest_despite_the_spaced_size():
    images = listing("ls-two")
    assert sorted(images) == [HELLO + ":v1", HELLO + "@" + HELLO_DIGEST, OTHER + ":v2",
                              "sha256:4dd94fa1ba41904b6e98bd0c53b3ed80a55424f396df924ed5df088b4e92d2b4",
                              "sha256:56b8ef2e3a3446f5daa680e04e037734463e1be600c4e940ca4d6e43e2f39ba2"]
    assert images[HELLO + ":v1"] == {"digest": HELLO_DIGEST, "type": "application/vnd.oci.image.manifest.v1+json"}
    assert images[OTHER + ":v2"]["digest"] == OTHER_DIGEST
    assert listing("ls-wrong")[HELLO + ":v1"]["digest"] == WRONG_DIGEST


def test_parse_a_listing_refuses_what_it_does_not_know():
    with pytest.raises(LvsIngressError, match="unexpected line 2 of ctr images ls"):
        _containerd.parse_images_list("REF TYPE DIGEST SIZE PLATFORMS LABELS\nsomething else\n")


def test_parse_the_import_output():
    assert _containerd.parse_import_output(fixture("import-hello")) == [{"name": HELLO + ":v1", "digest": HELLO_DIGEST}]
    assert _containerd.parse_import_output(fixture("import-wrong")) == [{"name": HELLO + ":v1", "digest": WRONG_DIGEST}]
    assert _containerd.parse_import_output("") == []


def test_imported_refs_are_the_named_ones_and_new_ones_but_not_cri_image_ids():
    refs = _containerd.imported_refs(fixture("import-hello"), listing("ls-empty"), listing("ls-hello"))
    assert refs == [{"name": HELLO + ":v1", "digest": HELLO_DIGEST}]
    # an output that names nothing (another ctr version): the listing's difference still tells
    refs = _containerd.imported_refs("", listing("ls-hello"), listing("ls-two"))
    assert refs == [{"name": HELLO + "@" + HELLO_DIGEST, "digest": HELLO_DIGEST},
                    {"name": OTHER + ":v2", "digest": OTHER_DIGEST}]


# ------------------------------------------------------------------ pinned references


@pytest.mark.parametrize("image, name, tag", [
    ("registry.k8s.io/ingress-nginx/controller:v1.15.1@" + HELLO_DIGEST, "registry.k8s.io/ingress-nginx/controller",
     "v1.15.1"),
    ("nginx:1.27@" + HELLO_DIGEST, "docker.io/library/nginx", "1.27"),
    ("user/app@" + HELLO_DIGEST, "docker.io/user/app", None),
    ("index.docker.io/nginx:1@" + HELLO_DIGEST, "docker.io/library/nginx", "1"),
    ("localhost:5000/app:v2@" + HELLO_DIGEST, "localhost:5000/app", "v2"),
    ("localhost/app@" + HELLO_DIGEST, "localhost/app", None),
    ("  " + HELLO + ":v1@" + HELLO_DIGEST + "\n", HELLO, "v1"),
])
def test_parse_pin_normalizes_as_containerd(image, name, tag):
    pin = _containerd.parse_pin(image)
    assert (pin.name, pin.tag, pin.digest) == (name, tag, HELLO_DIGEST)
    assert pin.digest_ref == name + "@" + HELLO_DIGEST
    assert pin.tag_ref == (name + ":" + tag if tag else None)


@pytest.mark.parametrize("image, why", [
    (HELLO + ":v1", "no digest"),
    ("", "no digest"),
    (HELLO + ":v1@sha256:" + "0" * 63, "is not a sha256 digest"),
    (HELLO + ":v1@sha256:" + "A" * 64, "is not a sha256 digest"),
    (HELLO + ":v1@sha512:" + "0" * 128, "is not a sha256 digest"),
    (HELLO + ":v1@" + HELLO_DIGEST + "@" + HELLO_DIGEST, "is not a sha256 digest"),
    ("Example.invalid/Hello:v1@" + HELLO_DIGEST, "is not a valid image name"),
    ("example.invalid/lvs ingress/hello:v1@" + HELLO_DIGEST, "is not a valid image name"),
    (HELLO + ":v1!@" + HELLO_DIGEST, "is not a valid tag"),
    (":v1@" + HELLO_DIGEST, "is not a valid image name"),
    ("@" + HELLO_DIGEST, "is not a valid image name"),
])
def test_parse_pin_rejects_names_the_option_and_value(image, why):
    with pytest.raises(LvsIngressError) as err:
        _containerd.parse_pin(image)
    assert str(err.value).startswith("image=%s: " % image)
    assert why in str(err.value) and "pinned by digest (name[:tag]@sha256:<64 hex digits>)" in str(err.value)
    assert err.value.details == {"option": "image", "value": image}


# ------------------------------------------------------------------ what to do


def test_plan_on_the_recorded_listings():
    assert _containerd.plan(listing("ls-empty"), PIN) == {"action": "import", "tags": []}
    # ctr imported the name:tag only: the digest reference CRI resolves the pod's image by is tagged from it
    assert _containerd.plan(listing("ls-hello"), PIN) == {"action": "tag", "tags": [(PIN.tag_ref, PIN.digest_ref)]}
    assert _containerd.plan(listing("ls-two"), PIN) == {"action": "none", "tags": []}
    # name:tag moved to other content, the pinned content is still named by digest: point the tag back
    assert _containerd.plan(listing("ls-wrong"), PIN) == {"action": "tag", "tags": [(PIN.digest_ref, PIN.tag_ref)]}
    assert _containerd.plan(listing("ls-wrong-fresh"), PIN) == {"action": "import", "tags": []}


def test_plan_without_a_tag_needs_only_the_digest_reference():
    pin = _containerd.parse_pin(HELLO + "@" + HELLO_DIGEST)
    assert _containerd.plan(listing("ls-hello"), pin)["action"] == "import"
    assert _containerd.plan(listing("ls-wrong"), pin)["action"] == "none"


def test_pin_state_for_the_diff():
    assert _containerd.pin_state(listing("ls-empty"), PIN) == {"ref": PIN.tag_ref, "digest": None, "digest_ref": False}
    assert _containerd.pin_state(listing("ls-two"), PIN) == {"ref": PIN.tag_ref, "digest": HELLO_DIGEST,
                                                             "digest_ref": True}
    assert _containerd.pin_state(listing("ls-wrong"), PIN) == {"ref": PIN.tag_ref, "digest": WRONG_DIGEST,
                                                               "digest_ref": True}


def test_check_import_finds_the_pinned_ref():
    refs = _containerd.imported_refs(fixture("import-hello"), listing("ls-empty"), listing("ls-hello"))
    assert _containerd.check_import(refs, PIN, "/var/tmp/hello.tar") == PIN.tag_ref
    untagged = _containerd.parse_pin(HELLO + "@" + HELLO_DIGEST)
    assert _containerd.check_import(refs, untagged, "/var/tmp/hello.tar") == PIN.tag_ref


def test_check_import_mismatch_names_both_digests_and_the_archive():
    refs = _containerd.imported_refs(fixture("import-wrong-fresh"), listing("ls-empty"), listing("ls-wrong-fresh"))
    with pytest.raises(LvsIngressError) as err:
        _containerd.check_import(refs, PIN, "/var/tmp/wrong.tar")
    msg = str(err.value)
    assert HELLO_DIGEST in msg and WRONG_DIGEST in msg and "/var/tmp/wrong.tar" in msg
    assert msg == ("archive /var/tmp/wrong.tar holds %s:v1 at %s, not at the pinned %s; removed %s:v1 so nothing "
                   "unpinned stays under that name" % (HELLO, WRONG_DIGEST, HELLO_DIGEST, HELLO))
    assert err.value.details["pinned_digest"] == HELLO_DIGEST and err.value.details["imported_digest"] == WRONG_DIGEST
    assert err.value.details["remove"] == [HELLO + ":v1"]


def test_check_import_without_the_name_lists_what_the_archive_held():
    # (between these two listings the capture also tagged the digest reference: the difference counts it too)
    refs = _containerd.imported_refs(fixture("import-other"), listing("ls-hello"), listing("ls-two"))
    third = _containerd.parse_pin("example.invalid/lvs-ingress/third:v3@" + HELLO_DIGEST)
    with pytest.raises(LvsIngressError) as err:
        _containerd.check_import(refs, third, "/var/tmp/other.tar")
    assert str(err.value) == ("archive /var/tmp/other.tar has no image example.invalid/lvs-ingress/third:v3: it "
                              "imported %s:v2, %s@%s" % (OTHER, HELLO, HELLO_DIGEST))
    assert "remove" not in err.value.details
    with pytest.raises(LvsIngressError, match="it imported nothing"):
        _containerd.check_import([], third, "/var/tmp/empty.tar")


def test_import_argv_passes_the_snapshotter_only_when_given():
    base = ["ctr", "--address", "/run/containerd/containerd.sock", "--namespace", "k8s.io", "images", "import"]
    assert _containerd.import_argv("ctr", _containerd.DEFAULT_ADDRESS, "k8s.io", "/a.tar") == base + ["/a.tar"]
    assert _containerd.import_argv("ctr", _containerd.DEFAULT_ADDRESS, "k8s.io", "/a.tar", "native") == (
        base + ["--snapshotter", "native", "/a.tar"])

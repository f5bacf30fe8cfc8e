# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""containerd images through ``ctr``: parse a pinned reference, ``ctr images ls`` and ``ctr images import`` output,
and decide what to do so that a namespace holds an image at the pinned digest, by tag and by digest.

Why the digest reference: the CRI plugin resolves an image a pod names as ``name:tag@sha256:...`` by the normalized
``name@sha256:...`` alone (``ParseDockerRef`` drops the tag when there is a digest), looked up among containerd
image names. A pull through CRI creates that name; ``ctr images import`` creates only the archive's ``name:tag``.
"""

from __future__ import annotations

import re
from collections import namedtuple

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

CTR = "ctr"
DEFAULT_NAMESPACE = "k8s.io"
DEFAULT_ADDRESS = "/run/containerd/containerd.sock"
DOCKER_DOMAIN = "docker.io"

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
                     r"(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]+)?$")
# `ctr images import` (1.6, 1.7) prints one line per image it names: "unpacking <ref> (<digest>)...done".
_UNPACKING = re.compile(r"^unpacking (\S+) \((sha256:[0-9a-f]{64})\)")
PIN_FORMAT = "name[:tag]@sha256:<64 hex digits>"


class Pin(namedtuple("Pin", "name tag digest")):
    """A pinned image: ``name`` normalized as containerd and CRI spell it (``docker.io/library/nginx``), ``tag``
    (None if the pin has none) and ``digest`` (``sha256:<64 hex>``)."""

    __slots__ = ()

    @property
    def tag_ref(self):
        """``name:tag``, the reference an archive names; None without a tag."""
        return "%s:%s" % (self.name, self.tag) if self.tag else None

    @property
    def digest_ref(self):
        """``name@sha256:...``, the reference CRI resolves the pinned image by."""
        return "%s@%s" % (self.name, self.digest)

    @property
    def image(self):
        return "%s%s@%s" % (self.name, ":" + self.tag if self.tag else "", self.digest)

    def names_ref(self, ref):
        """Whether ``ref`` is the pin's ``name:tag`` (with a tag) or any tag of its name (without)."""
        if self.tag:
            return ref == self.tag_ref
        return ref.startswith(self.name + ":")


def normalize_name(name):
    """The repository name as containerd's reference parser normalizes it, or None if it is not one.

    ``nginx`` -> ``docker.io/library/nginx``, ``user/app`` -> ``docker.io/user/app``,
    ``registry.k8s.io/ingress-nginx/controller`` unchanged (a first component with a dot or a port, or
    ``localhost``, is a registry).
    """
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        domain, path = parts[0], parts[1:]
        if not _DOMAIN.match(domain):
            return None
        if domain == "index.docker.io":
            domain = DOCKER_DOMAIN
    else:
        domain, path = DOCKER_DOMAIN, parts
    if domain == DOCKER_DOMAIN and len(path) == 1:
        path = ["library"] + path
    if not all(_PATH_COMPONENT.match(p) for p in path):
        return None
    return "/".join([domain] + path)


def parse_pin(image, option="image"):
    """``name[:tag]@sha256:<64 hex>`` -> Pin; anything else raises LvsIngressError naming the option and value."""
    def bad(why):
        return LvsIngressError("%s=%s: %s; the image must be pinned by digest (%s)" % (option, image, why, PIN_FORMAT),
                               option=option, value=image)

    text = (image or "").strip()
    if "@" not in text:
        raise bad("no digest")
    named, digest = text.split("@", 1)
    if not _DIGEST.match(digest):
        raise bad("%r is not a sha256 digest" % digest)
    name, tag = named, None
    head, sep, tail = named.rpartition(":")
    if sep and "/" not in tail:
        name, tag = head, tail
        if not _TAG.match(tag):
            raise bad("%r is not a valid tag" % tag)
    normalized = normalize_name(name) if name else None
    if normalized is None:
        raise bad("%r is not a valid image name" % name)
    return Pin(normalized, tag, digest)


def parse_images_list(text):
    """``ctr images ls`` -> {ref: {"digest", "type"}} (header skipped). SIZE holds a space ("706.0 B"), so only
    the first three columns are read."""
    images = {}
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or (fields[0] == "REF" and fields[1:3] == ["TYPE", "DIGEST"]):
            continue
        if len(fields) < 3 or not _DIGEST.match(fields[2]):
            raise LvsIngressError("unexpected line %d of ctr images ls: %r" % (number, line), stdout=text)
        images[fields[0]] = {"digest": fields[2], "type": fields[1]}
    return images


def parse_import_output(text):
    """``ctr images import`` output -> [{"name", "digest"}] of the images the archive named, in order."""
    refs = []
    for line in text.splitlines():
        match = _UNPACKING.match(line.strip())
        if match:
            refs.append({"name": match.group(1), "digest": match.group(2)})
    return refs


def imported_refs(import_output, before, after):
    """What an import wrote: the refs its output names, then any other ref it added or moved (``after`` against
    ``before``), but not the ``sha256:<image id>`` refs CRI adds on its own for every image."""
    refs = parse_import_output(import_output)
    named = {r["name"] for r in refs}
    for name in sorted(after):
        if name in named or _DIGEST.match(name):
            continue
        if before.get(name, {}).get("digest") != after[name]["digest"]:
            refs.append({"name": name, "digest": after[name]["digest"]})
    return refs


def pin_state(images, pin):
    """The pin as a listing shows it (for the diff): the digest under its ``name:tag`` (without a tag: under its
    digest reference), None if absent, and whether the digest reference is there at the pinned digest."""
    ref = pin.tag_ref or pin.digest_ref
    return {"ref": ref, "digest": images.get(ref, {}).get("digest"),
            "digest_ref": images.get(pin.digest_ref, {}).get("digest") == pin.digest}


def plan(images, pin):
    """What to do so ``images`` hold the pin: ``{"action": "none"|"tag"|"import", "tags": [(source, target)]}``.

    ``none``: the digest reference and (with a tag) ``name:tag`` are at the pinned digest.
    ``tag``: the pinned content is here under one of them; create the other with ``ctr images tag``.
    ``import``: neither is at the pinned digest; the archive is needed.
    """
    digest_ok = images.get(pin.digest_ref, {}).get("digest") == pin.digest
    tag_ok = not pin.tag or images.get(pin.tag_ref, {}).get("digest") == pin.digest
    if digest_ok and tag_ok:
        return {"action": "none", "tags": []}
    if digest_ok:
        return {"action": "tag", "tags": [(pin.digest_ref, pin.tag_ref)]}
    if pin.tag and tag_ok:
        return {"action": "tag", "tags": [(pin.tag_ref, pin.digest_ref)]}
    return {"action": "import", "tags": []}


def check_import(refs, pin, archive):
    """After an import, the ref under the pinned name that carries the pin, or LvsIngressError.

    ``refs`` are the import's (:func:`imported_refs`). Fails when the archive named nothing under the pinned name
    (listing what it did name), or only other digests (naming both the pinned and the imported ones, and
    ``details["remove"]``: the refs under the pinned name to remove, so nothing unpinned stays there).
    """
    mine = [r for r in refs if pin.names_ref(r["name"])]
    for ref in mine:
        if ref["digest"] == pin.digest:
            return ref["name"]
    wanted = pin.tag_ref or (pin.name + ":<any tag>")
    if not mine:
        names = ", ".join(r["name"] for r in refs) or "nothing"
        raise LvsIngressError("archive %s has no image %s: it imported %s" % (archive, wanted, names),
                              archive=archive, image=pin.image, refs=refs)
    imported = sorted({r["digest"] for r in mine})
    raise LvsIngressError(
        "archive %s holds %s at %s, not at the pinned %s; removed %s so nothing unpinned stays under that name"
        % (archive, wanted, ", ".join(imported), pin.digest, ", ".join(r["name"] for r in mine)),
        archive=archive, image=pin.image, pinned_digest=pin.digest,
        imported_digest=imported[0] if len(imported) == 1 else imported, refs=refs, remove=[r["name"] for r in mine])


def ctr_argv(ctr, address, namespace, *args):
    return [ctr, "--address", address, "--namespace", namespace] + list(args)


def import_argv(ctr, address, namespace, archive, snapshotter=""):
    extra = ["--snapshotter", snapshotter] if snapshotter else []
    return ctr_argv(ctr, address, namespace, "images", "import", *(extra + [archive]))

# SPDX-License-Identifier: GPL-3.0-or-later
"""Build a tiny OCI image-layout archive offline, standard library only.

Used by the unit tests of ``containerd_image`` (to record real ``ctr`` output) and meant for the lab tests, which
import it with ``sys.path.insert(0, <this directory>)`` and ``from oci_archive import write_oci_archive``.

The archive is what ``ctr -n k8s.io images import`` reads: ``oci-layout``, ``index.json`` naming one manifest
(annotations ``io.containerd.image.name`` with the full name and ``org.opencontainers.image.ref.name`` with the
tag), and under ``blobs/sha256/`` the manifest, the image config and one gzip-compressed layer. Every timestamp is
fixed, so the same arguments always give the same bytes and the same manifest digest.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import platform
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
# GOARCH names of the usual machines (platform.machine() values).
GOARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
          "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}
EPOCH = 0


def _digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _add(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = EPOCH
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def _layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in sorted(files.items()):
            _add(tar, path.lstrip("/"), data)
    uncompressed = raw.getvalue()
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=EPOCH) as gz:
        gz.write(uncompressed)
    return packed.getvalue(), _digest(uncompressed)


def split_name(image):
    """``registry/repo:tag`` -> (``registry/repo``, ``tag``); no tag is ``latest``. A digest is not allowed."""
    if "@" in image:
        raise ValueError("%s: give name[:tag], the digest is what the archive yields" % image)
    name, sep, tag = image.rpartition(":")
    if not sep or not name or "/" in tag:
        return image, "latest"
    return name, tag


def build_oci_archive(image, files=None, architecture=None):
    """The archive's bytes and its manifest digest for ``image`` (``name[:tag]``, the full name containerd lists).

    ``files`` maps paths in the one layer to their bytes (default: ``/hello.txt`` naming the image);
    ``architecture`` is a GOARCH name (default: this machine's, so ``ctr`` unpacks it here).
    Returns ``(archive_bytes, "sha256:<64 hex>")``.
    """
    name, tag = split_name(image)
    full = "%s:%s" % (name, tag)
    if files is None:
        files = {"hello.txt": ("hello from %s\n" % full).encode()}
    if architecture is None:
        architecture = GOARCH.get(platform.machine().lower(), platform.machine().lower())
    layer, diff_id = _layer(files)
    config = _json({"architecture": architecture, "os": "linux",
                    "config": {},
                    "rootfs": {"type": "layers", "diff_ids": [diff_id]}})
    manifest = _json({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": _digest(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": _digest(layer), "size": len(layer)}],
    })
    manifest_digest = _digest(manifest)
    index = _json({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": manifest_digest, "size": len(manifest),
            "platform": {"architecture": architecture, "os": "linux"},
            "annotations": {"io.containerd.image.name": full, "org.opencontainers.image.ref.name": tag},
        }],
    })
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "oci-layout", _json({"imageLayoutVersion": "1.0.0"}))
        _add(tar, "index.json", index)
        for blob in (layer, config, manifest):
            _add(tar, "blobs/sha256/" + _digest(blob)[len("sha256:"):], blob)
    return out.getvalue(), manifest_digest


def write_oci_archive(path, image, files=None, architecture=None):
    """Write :func:`build_oci_archive`'s archive to ``path``; return its manifest digest (``sha256:<64 hex>``)."""
    data, digest = build_oci_archive(image, files=files, architecture=architecture)
    with open(path, "wb") as fh:
        fh.write(data)
    return digest

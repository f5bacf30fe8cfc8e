#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: containerd_image
short_description: Import an image archive into containerd and check it against the pinned digest
version_added: 0.4.0
description:
  - For air-gapped nodes. Makes containerd's O(namespace) hold O(image) at its pinned digest, importing it from
    O(archive) (an OCI or Docker image archive on the managed node) with C(ctr images import) when it is not there.
  - C(ctr) does not check a pin; it imports whatever the archive holds under the archive's names. So after the import
    the module lists the images again and compares the digest of O(image)'s C(name:tag) with the pinned one. On a
    mismatch it removes that C(name:tag) (C(ctr images rm)), so nothing unpinned stays under the pinned name, and
    fails naming both digests and the archive. If the archive has no image of that name, it fails listing the
    images the archive did import.
  - It also makes sure the digest reference C(name@sha256:<digest>) exists (C(ctr images tag)). The CRI plugin
    resolves an image a pod names as C(name:tag@sha256:<digest>) by C(name@sha256:<digest>) alone (the tag is
    dropped when there is a digest) among containerd's image names in the C(k8s.io) namespace. A pull through CRI
    creates that name, C(ctr images import) does not; without it the kubelet would try to pull the image. With it,
    a DaemonSet that names the image by digest finds it with C(imagePullPolicy=IfNotPresent) and pulls nothing.
  - Present means both C(name:tag) and C(name@sha256:<digest>) are at the pinned digest; then nothing is run but
    C(ctr images ls), and the module reports no change. If one of them is, the other is tagged from it without
    the archive.
  - The digest the archive yields is that of the manifest or index its C(index.json) (or C(manifest.json)) names.
    Pin the digest the registry serves and make the archive keep it (C(ctr images export), C(skopeo copy) to
    C(oci-archive:) of the same manifest or index); C(docker save) writes a new manifest, so another digest.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Lists the images and predicts the change; imports, tags and removes nothing, and does not read
      O(archive) (which an earlier task may not have copied yet in check mode).
  diff_mode:
    support: full
    description: Shows the digest of the pinned name and whether the digest reference is there, before and after.
  idempotent:
    support: full
    description: Compares the listed digests with the pin; a second run finds the image and reports no change.
  platform:
    support: full
    platforms: linux
    description: Runs C(ctr) against containerd's socket (root, or access to the socket).
requirements:
  - containerd's C(ctr) client on the managed node (tested with 1.6.20)
options:
  image:
    description:
      - The image pinned by digest, C(name[:tag]@sha256:<64 hex digits>), as the pod spec names it. Short names are
        normalized as containerd does (C(nginx:1.27@...) is C(docker.io/library/nginx:1.27@...)).
      - Without a tag, any tag of the name that the archive imports at the pinned digest will do.
    type: str
    required: true
  archive:
    description:
      - Path on the managed node of the image archive (OCI image layout or C(docker save) tar, as
        C(ctr images import) reads).
      - Needed only when the image is not yet there at the pinned digest; then an empty O(archive) fails naming
        the image. So a node that already has the image needs no archive.
    type: path
    default: ""
  namespace:
    description: The containerd namespace. V(k8s.io) is the one the kubelet's CRI plugin uses.
    type: str
    default: k8s.io
  address:
    description: containerd's socket.
    type: path
    default: /run/containerd/containerd.sock
  snapshotter:
    description:
      - Snapshotter to unpack the image with (C(--snapshotter) of C(ctr images import)); empty for containerd's
        default. Give the one CRI uses (C(plugins."io.containerd.grpc.v1.cri".containerd.snapshotter)) when it is
        not the default, or the pod would find the image not unpacked for it.
    type: str
    default: ""
  ctr:
    description: The C(ctr) binary, a name looked up in C(PATH) (and the sbin directories) or a path.
    type: str
    default: ctr
notes:
  - Run it on every node the pod may be scheduled on, before the DaemonSet that names O(image) is applied.
  - Removing an image's name does not remove its content at once; containerd's garbage collector does.
seealso:
  - name: Containerd CRI image resolution
    description: How the CRI plugin resolves an image by its normalized reference (C(localResolve)).
    link: https://github.com/containerd/containerd/blob/release/1.6/pkg/cri/server/helpers.go
"""

EXAMPLES = r"""
- name: Copy the controller image to the node
  ansible.builtin.copy:
    src: images/ingress-nginx-controller-v1.15.1.oci.tar
    dest: /var/tmp/ingress-nginx-controller.oci.tar
    mode: "0600"

- name: Import it into the kubelet's namespace and check the pin
  baremetal.lvs_ingress.containerd_image:
    image: registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1
    archive: /var/tmp/ingress-nginx-controller.oci.tar
  register: controller_image

- name: A node whose containerd uses another socket and snapshotter
  baremetal.lvs_ingress.containerd_image:
    image: registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1
    archive: /var/tmp/ingress-nginx-controller.oci.tar
    address: /run/k3s/containerd/containerd.sock
    snapshotter: native
    ctr: /usr/local/bin/ctr
"""

RETURN = r"""
image:
  description: O(image) normalized (C(name[:tag]@digest)).
  returned: success
  type: str
  sample: registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1
digest:
  description: The pinned digest, which the namespace now holds the image at.
  returned: success
  type: str
  sample: sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1
imported:
  description: Whether O(archive) was imported (in check mode, whether it would be).
  returned: success
  type: bool
  sample: true
refs:
  description: The images the import wrote (name and digest), empty without an import and in check mode.
  returned: success
  type: list
  elements: dict
  sample: [{name: "registry.k8s.io/ingress-nginx/controller:v1.15.1",
            digest: "sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1"}]
tagged:
  description: The references created with C(ctr images tag) (in check mode, that would be), usually the digest reference.
  returned: success
  type: list
  elements: str
  sample: ["registry.k8s.io/ingress-nginx/controller@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1"]
commands:
  description: The C(ctr) commands that changed something (in check mode, that would have run).
  returned: success
  type: list
  elements: list
  sample: [["/usr/bin/ctr", "--address", "/run/containerd/containerd.sock", "--namespace", "k8s.io", "images",
            "import", "/var/tmp/ingress-nginx-controller.oci.tar"]]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _containerd
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail, run_checked, runner

ARGUMENT_SPEC = dict(
    image=dict(type="str", required=True),
    archive=dict(type="path", default=""),
    namespace=dict(type="str", default=_containerd.DEFAULT_NAMESPACE),
    address=dict(type="path", default=_containerd.DEFAULT_ADDRESS),
    snapshotter=dict(type="str", default=""),
    ctr=dict(type="str", default=_containerd.CTR),
)


class Containerd:
    """``ctr`` against one socket and namespace; every command that changes something is recorded."""

    def __init__(self, run, ctr, params, check_mode):
        self.run, self.ctr, self.p, self.check_mode = run, ctr, params, check_mode
        self.commands = []

    def argv(self, *args):
        return _containerd.ctr_argv(self.ctr, self.p["address"], self.p["namespace"], *args)

    def images(self):
        what = "images of namespace %s" % self.p["namespace"]
        return _containerd.parse_images_list(run_checked(self.run, self.argv("images", "ls"), what))

    def change(self, argv, what):
        self.commands.append(argv)
        if self.check_mode:
            return ""
        return run_checked(self.run, argv, what)


def run(params, run_command, ctr_path, check_mode=False):
    pin = _containerd.parse_pin(params["image"])
    if not params["namespace"]:
        raise LvsIngressError("namespace is empty: give the containerd namespace (k8s.io for the kubelet)",
                              option="namespace")
    c = Containerd(run_command, ctr_path, params, check_mode)
    before_images = c.images()
    before = _containerd.pin_state(before_images, pin)
    todo = _containerd.plan(before_images, pin)
    result = dict(image=pin.image, digest=pin.digest, imported=False, refs=[], tagged=[])
    tags = todo["tags"]

    if todo["action"] == "import":
        archive = params["archive"]
        if not archive:
            raise LvsIngressError(
                "%s is not in containerd namespace %s at the pinned digest and archive is empty: give the image "
                "archive to import" % (pin.image, params["namespace"]), image=pin.image, option="archive")
        result["imported"] = True
        argv = _containerd.import_argv(c.ctr, params["address"], params["namespace"], archive, params["snapshotter"])
        if check_mode:
            # the names the archive holds are unknown until it is imported: predict the digest reference only
            c.change(argv, "archive %s" % archive)
            result["tagged"].append(pin.digest_ref)
        else:
            if not os.path.isfile(archive):
                raise LvsIngressError("archive=%s: no such file on this node" % archive, option="archive",
                                      value=archive, image=pin.image)
            out = c.change(argv, "archive %s" % archive)
            after_import = c.images()
            result["refs"] = _containerd.imported_refs(out, before_images, after_import)
            try:
                source = _containerd.check_import(result["refs"], pin, archive)
            except LvsIngressError as err:
                for ref in err.details.pop("remove", []):
                    c.change(c.argv("images", "rm", ref), "unpinned image %s" % ref)
                err.details.update(changed=True, commands=c.commands)
                raise
            if after_import.get(pin.digest_ref, {}).get("digest") != pin.digest:
                tags = [(source, pin.digest_ref)]

    for source, target in tags:
        c.change(c.argv("images", "tag", "--force", source, target), "image %s" % target)
        result["tagged"].append(target)

    changed = bool(c.commands)
    if check_mode or not changed:
        after = dict(before, digest=pin.digest, digest_ref=True) if changed else before
    else:
        after = _containerd.pin_state(c.images(), pin)
        if after["digest"] != pin.digest or not after["digest_ref"]:
            raise LvsIngressError("%s is still not at the pinned digest in namespace %s after %s (found %s)"
                                  % (pin.image, params["namespace"], c.commands, after["digest"]),
                                  image=pin.image, changed=True, commands=c.commands)
    result.update(changed=changed, commands=c.commands, diff=dict(before=before, after=after))
    return result


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        ctr = module.get_bin_path(module.params["ctr"], required=False,
                                  opt_dirs=["/usr/sbin", "/sbin", "/usr/local/bin", "/usr/local/sbin"])
        if not ctr:
            raise LvsIngressError("ctr=%s: not found on this node; install containerd's ctr client or give its path"
                                  % module.params["ctr"], option="ctr", value=module.params["ctr"])
        module.exit_json(**run(module.params, runner(module), ctr, module.check_mode))
    except LvsIngressError as err:
        fail(module, err)


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""The glue between an AnsibleModule and the pure module_utils, shared by every module of the collection: the
command runner (argv lists, ``LC_ALL=C``), the binary lookup, and the one place an LvsIngressError becomes
``fail_json``. Nothing here imports Ansible: it calls the methods of the module it is given."""

from __future__ import annotations

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

#: The environment every command runs with: numeric, untranslated output.
COMMAND_ENV = {"LC_ALL": "C"}


def runner(module):
    """``run(argv) -> (rc, stdout, stderr)`` with ``LC_ALL=C``, never through a shell."""
    def run(argv):
        return module.run_command(argv, environ_update=dict(COMMAND_ENV))
    return run


def find_binary(module, name, what):
    """Absolute path of ``name`` or an LvsIngressError naming it (``get_bin_path`` also looks in sbin)."""
    path = module.get_bin_path(name, required=False, opt_dirs=["/usr/sbin", "/sbin", "/usr/local/sbin"])
    if not path:
        raise LvsIngressError("%s %r not found on this host; install it (package %s)" % (what, name, what), binary=name)
    return path


class Host:
    """What state logic in module_utils needs from the module, as plain attributes (unit tests build their own):
    ``run(argv)``, ``find_binary(name, what)``, ``atomic_move(src, dest)``, ``check_mode`` and ``diff``."""

    def __init__(self, module):
        self.run = runner(module)
        self.find_binary = lambda name, what: find_binary(module, name, what)
        self.atomic_move = module.atomic_move
        self.check_mode = module.check_mode
        self.diff = module._diff


def fail(module, err, **extra):
    """The one place an LvsIngressError becomes fail_json (no change was made unless ``extra`` says so)."""
    details = dict(err.details)
    details.update(extra)
    details.pop("msg", None)
    module.fail_json(msg=err.msg, **details)


def run_checked(run, argv, what):
    """``run(argv)``; on rc != 0 an LvsIngressError with cmd, rc, stdout, stderr and the object."""
    rc, out, err = run(argv)
    if rc != 0:
        raise LvsIngressError("%s failed (rc=%s): %s" % (" ".join(argv), rc, (err or out).strip()),
                              cmd=argv, rc=rc, stdout=out, stderr=err, object=what)
    return out

# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.


"""The node switches: flag files that nginx tests with ``if (-f ...)``. One fact, one place: the default paths."""

from __future__ import annotations

import os

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

SWITCH_DIR = "/run/lvs_ingress"
DRAIN_FLAG = SWITCH_DIR + "/drain"
CLOSE_FLAG = SWITCH_DIR + "/close"

# nginx workers run unprivileged: they must be able to stat the flag, so the
# directory is world-searchable and the file world-readable.
DIR_MODE = 0o755
FLAG_MODE = 0o644


def check_flag_path(option, path):
    """nginx tests the flag with ``if (-f /absolute/path)``: a relative path would be a file nobody looks at."""
    if not path or not os.path.isabs(path):
        raise LvsIngressError("%s must be an absolute path, got %r" % (option, path), **{option: path})


def flag_present(path):
    return os.path.lexists(path)


def set_flag(path, present):
    """Create (with its directory) or remove a flag file. Returns True if the state changed."""
    try:
        if present:
            if os.path.lexists(path):
                return False
            parent = os.path.dirname(path)
            if parent and not os.path.isdir(parent):
                os.makedirs(parent, DIR_MODE)
                os.chmod(parent, DIR_MODE)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FLAG_MODE)
            os.close(fd)
            os.chmod(path, FLAG_MODE)
            return True
        if not os.path.lexists(path):
            return False
        os.unlink(path)
        return True
    except OSError as err:
        raise LvsIngressError("cannot %s flag file %s: %s" % ("create" if present else "remove", path, err),
                              path=path)

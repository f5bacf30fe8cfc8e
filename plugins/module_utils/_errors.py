# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

from __future__ import annotations


class LvsIngressError(Exception):
    """The one exception the collection's helpers raise.

    Modules catch it and hand it to ``_module.fail()``, the one place it becomes ``fail_json(msg=..., **details)``.
    ``details`` carries structured context (cmd, rc, stdout, stderr, the object
    the error is about) so a failed task shows what went wrong and where.
    """

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details

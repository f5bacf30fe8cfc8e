# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.


"""Declared edits of a text template (the ingress-nginx controller's nginx.tmpl), applied line by line.

An edit is ``{"anchor": LINE, "insert_after": [LINES]}`` or ``{"anchor": LINE, "replace": [LINES]}``. The anchor
is compared with each line of the text with the surrounding white space left out, and must match exactly one
line: a missing or ambiguous anchor is an error naming the anchor and the controller version, never a silent
no-op. Inserted and replacing lines take the anchor line's indentation (plus their own).

Applying is idempotent: an ``insert_after`` whose lines already follow its anchor, or a ``replace`` whose anchor
is gone and whose lines are there once, is already applied and changes nothing. So the result of applying a
list of edits may be given again and comes back unchanged.
"""

from __future__ import annotations

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError

ACTIONS = ("insert_after", "replace")


def _indent(line):
    return line[:len(line) - len(line.lstrip())]


def _matches(lines, needle):
    needle = needle.strip()
    return [i for i, line in enumerate(lines) if line.strip() == needle]


def _block_at(lines, start, block):
    """True if ``block`` (compared stripped) is at ``lines[start:]``."""
    if start + len(block) > len(lines):
        return False
    return all(lines[start + k].strip() == b.strip() for k, b in enumerate(block))


def _block_positions(lines, block):
    return [i for i in range(len(lines)) if _block_at(lines, i, block)]


def check_edit(edit, version, index):
    """The edit's action and lines; raises LvsIngressError when it is not one anchor with one action."""
    where = "template edit %d for controller %s" % (index, version)
    if not isinstance(edit, dict):
        raise LvsIngressError("%s: not a mapping: %r" % (where, edit), version=version, edit=edit)
    anchor = edit.get("anchor")
    if not isinstance(anchor, str) or not anchor.strip():
        raise LvsIngressError("%s: anchor must be a non-empty line, got %r" % (where, anchor), version=version,
                              edit=edit)
    actions = [a for a in ACTIONS if a in edit]
    if len(actions) != 1:
        raise LvsIngressError("%s (anchor %r): needs exactly one of %s" % (where, anchor, ", ".join(ACTIONS)),
                              version=version, anchor=anchor)
    unknown = sorted(set(edit) - set(ACTIONS) - {"anchor", "why"})
    if unknown:
        raise LvsIngressError("%s (anchor %r): unknown keys %s" % (where, anchor, ", ".join(unknown)),
                              version=version, anchor=anchor)
    lines = edit[actions[0]]
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(lines, list) or not lines or not all(isinstance(x, str) for x in lines):
        raise LvsIngressError("%s (anchor %r): %s must be a non-empty list of lines" % (where, anchor, actions[0]),
                              version=version, anchor=anchor)
    return anchor, actions[0], lines


def apply_edit(lines, edit, version, index=0):
    """Apply one edit to a list of lines (no newlines); returns (new lines, changed)."""
    anchor, action, block = check_edit(edit, version, index)
    found = _matches(lines, anchor)
    if len(found) > 1:
        raise LvsIngressError(
            "nginx.tmpl of controller %s: anchor %r is ambiguous: it matches lines %s"
            % (version, anchor.strip(), ", ".join(str(i + 1) for i in found)),
            version=version, anchor=anchor, lines=[i + 1 for i in found])
    if action == "insert_after":
        if not found:
            raise LvsIngressError("nginx.tmpl of controller %s has no line %r (anchor of an insert_after edit)"
                                  % (version, anchor.strip()), version=version, anchor=anchor)
        at = found[0]
        if _block_at(lines, at + 1, block):
            return lines, False
        indent = _indent(lines[at])
        return lines[:at + 1] + [indent + b for b in block] + lines[at + 1:], True
    # replace
    if not found:
        if len(_block_positions(lines, block)) == 1:
            return lines, False  # applied before: the anchor is gone, its replacement is there once
        raise LvsIngressError("nginx.tmpl of controller %s has no line %r (anchor of a replace edit)"
                              % (version, anchor.strip()), version=version, anchor=anchor)
    at = found[0]
    indent = _indent(lines[at])
    return lines[:at] + [indent + b for b in block] + lines[at + 1:], True


def apply_edits(text, edits, version):
    """Apply every edit in order to ``text``; returns (new text, number of edits that changed it).

    Raises LvsIngressError naming the anchor and ``version`` when an anchor is missing or ambiguous.
    """
    if not isinstance(edits, list):
        raise LvsIngressError("template edits for controller %s must be a list, got %r" % (version, edits),
                              version=version)
    trailing_newline = text.endswith("\n")
    lines = text.splitlines()
    changed = 0
    for index, edit in enumerate(edits):
        lines, did = apply_edit(lines, edit, version, index)
        changed += int(did)
    out = "\n".join(lines)
    if trailing_newline:
        out += "\n"
    return out, changed

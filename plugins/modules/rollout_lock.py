#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: rollout_lock
short_description: The lock that keeps two rollouts, drains or site runs of one LVS ingress apart
version_added: 0.3.0
description:
  - A lock file (O(path)) on one host that every run of the collection's playbooks shares (the first director by
    default). V(present) takes it for the run O(holder) describes, V(absent) gives it back.
  - Taking it is atomic (the file is created exclusively). A lock another run holds fails the task, naming that
    run (its controller host, user, AWX job if any, playbook) and since when; nothing is overwritten.
  - A lock whose run is gone (the controller died, the AWX job was cancelled) stays until someone breaks it
    explicitly with O(break_lock=true); the result then says whose lock was broken. It is never broken silently.
  - Giving back a lock another run holds changes nothing and warns.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    description: Reads the lock and fails the same way when another run holds it; creates and removes nothing.
  diff_mode:
    support: full
    description: Shows the holder before and after.
  idempotent:
    support: full
    description: Taking a lock the same run holds, or giving back one nobody holds, reports no change.
  platform:
    support: full
    platforms: posix
options:
  state:
    description: V(present) to take the lock, V(absent) to give it back.
    type: str
    choices: [present, absent]
    default: present
  path:
    description: The lock file. Its directory is created (mode 0700).
    type: path
    default: /var/lib/lvs_ingress/rollout.lock
  holder:
    description:
      - Who takes or gives back the lock. C(id) tells runs apart (a random token per run); the other keys are
        for the message another run gets, such as C(host), C(user), C(playbook), C(awx_job_id).
    type: dict
    required: true
  break_lock:
    description: Take the lock even though another run holds it (for a lock whose run is gone).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Take the rollout lock on the first director
  baremetal.lvs_ingress.rollout_lock:
    holder:
      id: "{{ run_id }}"
      host: "{{ lookup('ansible.builtin.pipe', 'hostname') }}"
      user: "{{ lookup('ansible.builtin.env', 'USER') }}"
      playbook: rolling_upgrade
  delegate_to: "{{ groups['directors'][0] }}"
  run_once: true
"""

RETURN = r"""
holder:
  description: Who holds the lock after the run (C(since) added, seconds since the epoch), null when nobody does.
  returned: success
  type: dict
  sample: {id: k3j9x2, host: awx-task-1, user: awx, awx_job_id: 41, playbook: rolling_upgrade, since: 1764669600.5}
broken:
  description: With O(break_lock=true), the holder whose lock was broken; null otherwise.
  returned: success
  type: dict
"""

import errno
import json
import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._module import fail

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    path=dict(type="path", default="/var/lib/lvs_ingress/rollout.lock"),
    holder=dict(type="dict", required=True),
    break_lock=dict(type="bool", default=False),
)


def describe(holder):
    """``user@host, AWX job 41, rolling_upgrade, since 2026-12-02 10:00:00 UTC (125 s ago)``"""
    if not isinstance(holder, dict):
        return "an unreadable holder (%r)" % (holder,)
    words = ["%s@%s" % (holder.get("user") or "?", holder.get("host") or "?")]
    if holder.get("awx_job_id"):
        words.append("AWX job %s" % holder["awx_job_id"])
    if holder.get("playbook"):
        words.append(str(holder["playbook"]))
    since = holder.get("since")
    if isinstance(since, (int, float)):
        words.append("since %s UTC (%d s ago)" % (time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(since)),
                                                  max(0, time.time() - since)))
    return ", ".join(words)


def read(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError as err:
        if err.errno == errno.ENOENT:
            return None
        raise LvsIngressError("cannot read the lock %s: %s" % (path, err.strerror), path=path)
    try:
        return json.loads(text)
    except ValueError:
        return {"unreadable": text[:200]}


def create(path, holder):
    """Write the lock exclusively; False when the file appeared meanwhile."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        if err.errno == errno.EEXIST:
            return False
        raise LvsIngressError("cannot create the lock %s: %s" % (path, err.strerror), path=path)
    with os.fdopen(fd, "w") as f:
        json.dump(holder, f, sort_keys=True)
        f.write("\n")
    return True


def run(params, check_mode, clock=time.time):
    path, holder, wanted = params["path"], dict(params["holder"]), params["state"]
    if not holder.get("id"):
        raise LvsIngressError("holder.id is empty: each run needs its own id", holder=holder)
    current = read(path)
    mine = isinstance(current, dict) and current.get("id") == holder["id"]
    result = dict(changed=False, holder=current, broken=None, warnings=[])
    if wanted == "absent":
        if current is None or not mine:
            if current is not None:
                result["warnings"].append("the lock %s is held by another run (%s): left as it is"
                                          % (path, describe(current)))
            return result
        if not check_mode:
            os.unlink(path)
        result.update(changed=True, holder=None, diff=dict(before={"holder": current}, after={"holder": None}))
        return result
    if mine:
        return result
    if current is not None and not params["break_lock"]:
        raise LvsIngressError(
            "the rollout lock %s is held by %s: another rollout, drain or site run of this ingress is under way. "
            "If that run is gone (its controller died, its AWX job was cancelled), check the nodes it was draining "
            "and break the lock with -e lvs_ingress_lock_break=true" % (path, describe(current)),
            holder=current, path=path)
    holder["since"] = clock()
    if current is not None:
        result["broken"] = current
        result["warnings"].append("broke the rollout lock %s held by %s" % (path, describe(current)))
    if not check_mode:
        os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        if current is not None:
            os.unlink(path)
        if not create(path, holder):
            raise LvsIngressError("the rollout lock %s was taken by %s a moment ago" % (path, describe(read(path))),
                                  holder=read(path), path=path)
    result.update(changed=True, holder=holder, diff=dict(before={"holder": current}, after={"holder": holder}))
    return result


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = run(module.params, module.check_mode)
    except LvsIngressError as err:
        fail(module, err)
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

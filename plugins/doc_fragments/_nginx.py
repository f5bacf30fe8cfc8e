# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This doc fragment is internal to baremetal.lvs_ingress: no compatibility promise.


from __future__ import annotations


class ModuleDocFragment:
    # Which nginx master; matches _nginx.SELECTOR_ARGS.
    DOCUMENTATION = r"""
options:
  pid_file:
    description:
      - Pid file of the nginx master, as a path inside the master's own mount namespace.
      - It is read on the host and, for masters in other mount namespaces (containers), through C(/proc/<pid>/root),
        and compared with the master's pid in its own pid namespace (the last C(NSpid) entry).
      - A pid file that exists nowhere, or names no running master, is an error.
    type: path
  config:
    description:
      - Select the master started with this configuration file (C(-c) on its command line), as seen inside its
        mount namespace. A master started without C(-c) has no config to match.
    type: path
  port:
    description:
      - Select the master that listens on this TCP port (from its network namespace's C(/proc/<pid>/net/tcp{,6})
        matched against its open sockets).
    type: int
notes:
  - "Masters are found by scanning C(/proc) for processes named C(nginx) whose title starts with
    C(nginx: master process), in every pid, mount and network namespace of the host."
  - With one master on the host no selector is needed. With several, give O(pid_file), O(config) and/or O(port);
    all given must match exactly one master, else the module fails listing the masters it found.
"""

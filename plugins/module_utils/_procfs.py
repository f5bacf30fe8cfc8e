# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is internal to baremetal.lvs_ingress: no compatibility promise.

"""Read-only views of /proc: processes, their namespaces and sockets, and /proc/net/tcp{,6} parsing.

Everything takes a ``ProcFS`` so tests can point it at a fake tree built in a
temporary directory (``status``, ``cmdline``, ``stat``, ``ns/*`` and
``net/tcp`` as plain files, ``fd/*`` as symlinks to ``socket:[inode]``).
"""

from __future__ import annotations

import os
import socket
import struct

# include/net/tcp_states.h
TCP_STATES = {
    1: "ESTABLISHED",
    2: "SYN_SENT",
    3: "SYN_RECV",
    4: "FIN_WAIT1",
    5: "FIN_WAIT2",
    6: "TIME_WAIT",
    7: "CLOSE",
    8: "CLOSE_WAIT",
    9: "LAST_ACK",
    10: "LISTEN",
    11: "CLOSING",
    12: "NEW_SYN_RECV",
}


def _hex_address(text):
    """``0100007F:1F90`` -> ("127.0.0.1", 8080); IPv6 too (four host-order 32-bit words)."""
    addr_hex, port_hex = text.split(":")
    raw = bytes.fromhex(addr_hex)
    if len(raw) == 4:
        address = socket.inet_ntop(socket.AF_INET, struct.pack("<I", struct.unpack(">I", raw)[0]))
    elif len(raw) == 16:
        words = struct.unpack(">4I", raw)
        address = socket.inet_ntop(socket.AF_INET6, struct.pack("<4I", *words))
    else:
        raise ValueError("unexpected address %r" % text)
    return address, int(port_hex, 16)


def parse_net_tcp(text):
    """Parse the text of /proc/<pid>/net/tcp or tcp6 into a list of socket dicts.

    Each dict has ``local``/``local_port``/``remote``/``remote_port`` (addresses
    as strings, IPv4-mapped IPv6 left as is), ``state`` (name) and ``inode``.
    """
    sockets = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        local, local_port = _hex_address(fields[1])
        remote, remote_port = _hex_address(fields[2])
        state = int(fields[3], 16)
        sockets.append(
            {
                "local": local,
                "local_port": local_port,
                "remote": remote,
                "remote_port": remote_port,
                "state": TCP_STATES.get(state, str(state)),
                "inode": int(fields[9]),
            }
        )
    return sockets


def parse_status(text):
    """/proc/<pid>/status into a dict of strings; ``NSpid`` becomes a list of ints (outermost first)."""
    status = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            status[key] = value.strip()
    if "NSpid" in status:
        status["NSpid"] = [int(p) for p in status["NSpid"].split()]
    return status


def parse_stat_starttime(text):
    """Field 22 of /proc/<pid>/stat (start time in clock ticks), read after the ``comm`` in parentheses."""
    rest = text[text.rindex(")") + 2:].split()
    # rest[0] is field 3 (state)
    return rest[0], int(rest[19])


class ProcFS:
    """Access to one /proc tree. ``root`` is ``/proc`` on a real host, a temporary directory in tests."""

    def __init__(self, root="/proc"):
        self.root = root

    def path(self, pid, *parts):
        return os.path.join(self.root, str(pid), *parts)

    def _read(self, pid, *parts, binary=False):
        with open(self.path(pid, *parts), "rb" if binary else "r") as fh:
            return fh.read()

    def pids(self):
        return sorted(int(entry) for entry in os.listdir(self.root) if entry.isdigit())

    def status(self, pid):
        """Parsed status, or None if the process is gone."""
        try:
            return parse_status(self._read(pid, "status"))
        except (FileNotFoundError, ProcessLookupError):
            return None

    def cmdline(self, pid):
        """Command line with NULs turned into spaces; '' for kernel threads, None if gone."""
        try:
            raw = self._read(pid, "cmdline", binary=True)
        except (FileNotFoundError, ProcessLookupError):
            return None
        return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()

    def state_and_starttime(self, pid):
        """(state letter, start time) or None if gone."""
        try:
            return parse_stat_starttime(self._read(pid, "stat"))
        except (FileNotFoundError, ProcessLookupError):
            return None

    def namespace(self, pid, kind):
        """Namespace identity such as ``mnt:[4026531841]``: readlink on a real host, file content in fixtures."""
        link = self.path(pid, "ns", kind)
        try:
            return os.readlink(link)
        except OSError:
            try:
                with open(link) as fh:
                    return fh.read().strip()
            except OSError:
                return None

    def root_path(self, pid, path):
        """``path`` as seen from the mount namespace of ``pid`` (through /proc/<pid>/root)."""
        return os.path.join(self.path(pid, "root"), path.lstrip("/"))

    def socket_inodes(self, pid):
        """Inodes of the sockets ``pid`` holds open (from its fd symlinks ``socket:[inode]``)."""
        inodes = set()
        fd_dir = self.path(pid, "fd")
        try:
            entries = os.listdir(fd_dir)
        except OSError:
            return inodes
        for entry in entries:
            try:
                target = os.readlink(os.path.join(fd_dir, entry))
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
        return inodes

    def tcp_sockets(self, pid):
        """All TCP sockets (v4 and v6) of the network namespace ``pid`` lives in."""
        sockets = []
        for name in ("tcp", "tcp6"):
            try:
                sockets.extend(parse_net_tcp(self._read(pid, "net", name)))
            except (FileNotFoundError, ProcessLookupError):
                continue
        return sockets

    def children(self, pid):
        """Pids whose parent (host view) is ``pid``."""
        kids = []
        for child in self.pids():
            status = self.status(child)
            if status and status.get("PPid") == str(pid):
                kids.append(child)
        return kids

# SPDX-License-Identifier: GPL-3.0-or-later
"""Build fake /proc trees in a temporary directory for the node-side unit tests."""

from __future__ import annotations

import os

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def tcp_line(index, local, remote, state, inode):
    """local/remote as ('7F000001'-style hex already in /proc order, port) pairs."""
    return "%4d: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000     0        0 %d 1 0 100 0 0 10 0\n" % (
        index, local[0], local[1], remote[0], remote[1], state, inode)


LOOPBACK = "0100007F"   # 127.0.0.1 as /proc/net/tcp prints it on little-endian hosts
ANY = "00000000"
VIP = "6400A8C0"        # 192.168.0.100
CLIENT = "3200A8C0"     # 192.168.0.50
LISTEN, ESTABLISHED, TIME_WAIT = 0x0A, 0x01, 0x06


class FakeProc:
    def __init__(self, root, self_mnt="mnt:[1]"):
        self.root = str(root)
        os.makedirs(os.path.join(self.root, "self", "ns"))
        self._write("self/ns/mnt", self_mnt)

    def _write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)
        return path

    def add(self, pid, name="nginx", ppid=1, cmdline="", nspid=None, state="S", starttime=1000,
            mnt="mnt:[1]", pidns="pid:[2]", net="net:[3]", sockets=(), tcp=None):
        nspid = nspid or [pid]
        self._write("%d/status" % pid, "Name:\t%s\nState:\t%s (sleeping)\nPPid:\t%d\nNSpid:\t%s\n" % (
            name, state, ppid, "\t".join(str(p) for p in nspid)))
        self._write("%d/cmdline" % pid, cmdline.replace(" ", "\0") + "\0" if cmdline else "")
        self.set_stat(pid, state, starttime, name)
        self._write("%d/ns/mnt" % pid, mnt)
        self._write("%d/ns/pid" % pid, pidns)
        self._write("%d/ns/net" % pid, net)
        os.makedirs(os.path.join(self.root, str(pid), "fd"), exist_ok=True)
        os.makedirs(os.path.join(self.root, str(pid), "root"), exist_ok=True)
        for fd, inode in enumerate(sockets, start=3):
            os.symlink("socket:[%d]" % inode, os.path.join(self.root, str(pid), "fd", str(fd)))
        os.symlink("/dev/null", os.path.join(self.root, str(pid), "fd", "0"))
        self.set_tcp(pid, tcp or [])

    def set_stat(self, pid, state, starttime, name="nginx"):
        fields = ["0"] * 50
        fields[0] = state
        fields[19] = str(starttime)  # field 22 overall
        self._write("%d/stat" % pid, "%d (%s) %s\n" % (pid, name, " ".join(fields)))

    def set_tcp(self, pid, lines, tcp6=""):
        self._write("%d/net/tcp" % pid, TCP_HEADER + "".join(
            tcp_line(i, *line) for i, line in enumerate(lines)))
        self._write("%d/net/tcp6" % pid, TCP_HEADER + tcp6)

    def remove(self, pid):
        import shutil
        shutil.rmtree(os.path.join(self.root, str(pid)))

    def root_file(self, pid, path, text):
        return self._write("%d/root/%s" % (pid, path.lstrip("/")), text)

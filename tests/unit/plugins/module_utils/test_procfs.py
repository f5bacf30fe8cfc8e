# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fake_proc import FakeProc  # noqa: E402

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._procfs import (  # noqa: E402
    ProcFS,
    parse_net_tcp,
    parse_stat_starttime,
    parse_status,
)

# Handwritten in the kernel's format (addresses as host-order 32-bit words): nginx on 127.0.0.1:8081 and [::]:80
NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 104857 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F91 0100007F:D6A2 01 00000000:00000000 00:00000000 00000000    33        0 104911 1 0000000000000000 20 4 31 10 -1
   2: 0100007F:D6A2 0100007F:1F91 01 00000000:00000000 00:00000000 00000000     0        0 104910 1 0000000000000000 20 4 30 10 -1
"""
NET_TCP6 = (  # each line of the file split in two string literals (line length)
    "  sl  local_address                         remote_address                        st tx_queue rx_queue"
    " tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000"
    " 00:00000000 00000000     0        0 200001 1 0000000000000000 100 0 0 10 0\n"
    "   1: B80D0120000000000000000001000000:0050 B80D0120000000000000000032000000:C350 01 00000000:00000000"
    " 00:00000000 00000000    33        0 200002 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000200007F:C351 06 00000000:00000000"
    " 03:00000F3C 00000000     0        0 0 3 0000000000000000\n"
)


def test_parse_net_tcp_ipv4():
    sockets = parse_net_tcp(NET_TCP)
    assert sockets[0] == {"local": "127.0.0.1", "local_port": 8081, "remote": "0.0.0.0", "remote_port": 0,
                          "state": "LISTEN", "inode": 104857}
    assert (sockets[1]["state"], sockets[1]["remote_port"], sockets[1]["inode"]) == ("ESTABLISHED", 54946, 104911)
    assert sockets[2]["local_port"] == 54946  # the client side of a loopback connection


def test_parse_net_tcp_ipv6():
    sockets = parse_net_tcp(NET_TCP6)
    assert (sockets[0]["local"], sockets[0]["local_port"], sockets[0]["state"]) == ("::", 80, "LISTEN")
    assert (sockets[1]["local"], sockets[1]["remote"], sockets[1]["remote_port"]) == ("2001:db8::1", "2001:db8::32", 50000)
    assert (sockets[2]["local"], sockets[2]["state"]) == ("::ffff:127.0.0.1", "TIME_WAIT")


def test_parse_status_nspid():
    status = parse_status("Name:\tnginx\nState:\tS (sleeping)\nPPid:\t4100\nNSpid:\t4211\t1\n")
    assert status["Name"] == "nginx" and status["PPid"] == "4100" and status["NSpid"] == [4211, 1]


def test_parse_stat_with_odd_comm():
    fields = ["S"] + ["0"] * 18 + ["123456"] + ["0"] * 30
    assert parse_stat_starttime("42 (a) b (c)) %s" % " ".join(fields)) == ("S", 123456)


def test_procfs_reads_fake_tree(tmp_path):
    fake = FakeProc(tmp_path)
    fake.add(10, cmdline="nginx: master process nginx -c /etc/nginx/nginx.conf", sockets=[5, 6],
             tcp=[(("0100007F", 80), ("00000000", 0), 0x0A, 5)])
    proc = ProcFS(str(tmp_path))
    assert proc.pids() == [10]
    assert proc.cmdline(10) == "nginx: master process nginx -c /etc/nginx/nginx.conf"
    assert proc.socket_inodes(10) == {5, 6}
    assert proc.namespace(10, "mnt") == "mnt:[1]"
    assert proc.state_and_starttime(10) == ("S", 1000)
    assert proc.tcp_sockets(10)[0]["local_port"] == 80
    assert proc.root_path(10, "/run/nginx.pid") == os.path.join(str(tmp_path), "10", "root", "run/nginx.pid")
    assert proc.status(99) is None and proc.cmdline(99) is None and proc.state_and_starttime(99) is None

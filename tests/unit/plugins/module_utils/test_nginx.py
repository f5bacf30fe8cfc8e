# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fake_proc import ANY, CLIENT, ESTABLISHED, LISTEN, LOOPBACK, TIME_WAIT, VIP, FakeProc  # noqa: E402

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _nginx  # noqa: E402
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError  # noqa: E402
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._procfs import ProcFS  # noqa: E402

HOST_MASTER = "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf"
CONTAINER_MASTER = "nginx: master process /usr/bin/nginx -c /etc/nginx/nginx.conf -g daemon off;"


@pytest.mark.parametrize("cmdline, expected", [
    (HOST_MASTER, {"binary": "/usr/sbin/nginx", "config": "/etc/nginx/nginx.conf", "prefix": None}),
    ("nginx: master process nginx -g daemon off; master_process on; -c /srv/a.conf",
     {"binary": "nginx", "config": "/srv/a.conf", "prefix": None}),
    ("nginx: master process nginx -p /opt/ng/ -c conf/x.conf", {"binary": "nginx", "config": "/opt/ng/conf/x.conf",
                                                                "prefix": "/opt/ng/"}),
    ("nginx: master process nginx -c/etc/n.conf", {"binary": "nginx", "config": "/etc/n.conf", "prefix": None}),
    ("nginx: master process /usr/sbin/nginx", {"binary": "/usr/sbin/nginx", "config": None, "prefix": None}),
    ("nginx: worker process", None),
    ("/usr/sbin/nginx -c /etc/nginx/nginx.conf", None),
    ("", None),
])
def test_parse_master_cmdline(cmdline, expected):
    assert _nginx.parse_master_cmdline(cmdline) == expected


def host_and_container(tmp_path):
    """Host nginx 100 (+101, 102) on port 80 and a container nginx 4211 (nspid 1) on 8080 in its own namespaces."""
    fake = FakeProc(tmp_path, self_mnt="mnt:[1]")
    host_tcp = [
        ((ANY, 80), (ANY, 0), LISTEN, 500),
        ((ANY, 80), (ANY, 0), LISTEN, 999),            # someone else's socket: not nginx's port by inode
        ((VIP, 80), (CLIENT, 40000), ESTABLISHED, 501),  # DR: the VIP on lo
        ((LOOPBACK, 80), (LOOPBACK, 40001), ESTABLISHED, 502),
        ((LOOPBACK, 40001), (LOOPBACK, 80), ESTABLISHED, 503),  # client side of loopback: not counted
        ((LOOPBACK, 80), (CLIENT, 40002), TIME_WAIT, 0),
        ((LOOPBACK, 45000), (LOOPBACK, 9000), ESTABLISHED, 504),  # upstream connection of a worker
    ]
    fake.add(100, cmdline=HOST_MASTER, sockets=[500], tcp=host_tcp)
    fake.add(101, ppid=100, cmdline="nginx: worker process", sockets=[500, 501], tcp=host_tcp)
    fake.add(102, ppid=100, cmdline="nginx: worker process", sockets=[500, 502], tcp=host_tcp)
    fake.add(200, name="bash", cmdline="bash")
    ctr_tcp = [((ANY, 8080), (ANY, 0), LISTEN, 700), ((ANY, 8080), (CLIENT, 41000), ESTABLISHED, 701)]
    ns = dict(mnt="mnt:[9]", pidns="pid:[8]", net="net:[7]")
    fake.add(4211, ppid=4200, nspid=[4211, 1], cmdline=CONTAINER_MASTER, sockets=[700], tcp=ctr_tcp, **ns)
    fake.add(4230, ppid=4211, nspid=[4230, 7], cmdline="nginx: worker process", sockets=[700, 701], tcp=ctr_tcp,
             **ns)
    fake.root_file(4211, "/run/nginx.pid", "1\n")
    return fake, ProcFS(fake.root)


def test_discover_host_and_container_masters(tmp_path):
    _fake, proc = host_and_container(tmp_path)
    masters = {m.pid: m for m in _nginx.discover_masters(proc)}
    assert sorted(masters) == [100, 4211]
    host, ctr = masters[100], masters[4211]
    assert (host.nspid, host.workers, host.listen_ports, host.same_mnt_ns) == (100, [101, 102], [80], True)
    assert (ctr.nspid, ctr.workers, ctr.listen_ports, ctr.same_mnt_ns) == (1, [4230], [8080], False)
    assert ctr.config == "/etc/nginx/nginx.conf" and ctr.namespaces["pid"] == "pid:[8]"


def test_several_masters_without_selector_is_an_error(tmp_path):
    _fake, proc = host_and_container(tmp_path)
    with pytest.raises(LvsIngressError, match="2 nginx masters match; choose one"):
        _nginx.select_master(_nginx.discover_masters(proc), proc)


def test_select_by_pid_file_inside_container(tmp_path):
    _fake, proc = host_and_container(tmp_path)
    master = _nginx.select_master(_nginx.discover_masters(proc), proc, pid_file="/run/nginx.pid")
    assert master.pid == 4211
    assert _nginx.host_path(proc, master, "/run/lvs_ingress/close") == os.path.join(
        proc.root, "4211", "root", "run/lvs_ingress/close")


def test_select_by_port_and_config(tmp_path):
    _fake, proc = host_and_container(tmp_path)
    masters = _nginx.discover_masters(proc)
    assert _nginx.select_master(masters, proc, port=8080).pid == 4211
    assert _nginx.select_master(masters, proc, port=80, config="/etc/nginx/nginx.conf").pid == 100
    with pytest.raises(LvsIngressError, match="no nginx master matches port=443"):
        _nginx.select_master(masters, proc, port=443)


def test_missing_pid_file_names_it(tmp_path):
    _fake, proc = host_and_container(tmp_path)
    with pytest.raises(LvsIngressError, match="pid file /run/nope.pid not found"):
        _nginx.select_master(_nginx.discover_masters(proc), proc, pid_file="/run/nope.pid")


def test_stale_pid_file(tmp_path):
    fake, proc = host_and_container(tmp_path)
    fake.root_file(4211, "/run/nginx.pid", "77\n")
    with pytest.raises(LvsIngressError, match=r"names pid\(s\) \[77\].*stale"):
        _nginx.select_master(_nginx.discover_masters(proc), proc, pid_file="/run/nginx.pid")


def test_no_nginx_at_all(tmp_path):
    fake = FakeProc(tmp_path)
    fake.add(200, name="bash", cmdline="bash")
    proc = ProcFS(fake.root)
    with pytest.raises(LvsIngressError, match="no nginx master process found"):
        _nginx.select_master(_nginx.discover_masters(proc), proc)


def test_client_connections_counts_server_side_established_only(tmp_path):
    _fake, proc = host_and_container(tmp_path)
    host = _nginx.select_master(_nginx.discover_masters(proc), proc, port=80)
    assert _nginx.client_connections(proc, host, [80]) == 2  # VIP and loopback; not LISTEN, TIME_WAIT, client side
    assert _nginx.client_connections(proc, host, [443]) == 0


class Stopper:
    """Signals, and nginx reacting to time passing on the fake clock: connections end after ``close_after`` sleeps;
    nginx exits ``exit_after`` sleeps after SIGQUIT (never if None) and at once on SIGKILL. Pass ``sleep=st.sleep``."""

    def __init__(self, clock, fake, master_pid, workers, close_after=2, exit_after=2, exits_on_term=False):
        self.time, self.fake, self.master_pid, self.workers = clock, fake, master_pid, workers
        self.signals = []
        self.close_after, self.exit_after, self.exits_on_term = close_after, exit_after, exits_on_term
        self.quit_at = None

    @property
    def sleeps(self):
        return len(self.time.sleeps)

    def sleep(self, seconds):
        self.time.sleep(seconds)
        if self.sleeps == self.close_after:
            for pid in [self.master_pid] + self.workers:
                self.fake.set_tcp(pid, [((ANY, 80), (ANY, 0), LISTEN, 500)])
        if self.quit_at is not None and self.exit_after is not None and self.sleeps >= self.quit_at + self.exit_after:
            self.exit_all()

    def exit_all(self):
        for pid in [self.master_pid] + self.workers:
            if os.path.isdir(os.path.join(self.fake.root, str(pid))):
                self.fake.remove(pid)

    def kill(self, pid, sig):
        self.signals.append((pid, sig))
        if sig == signal.SIGQUIT:
            self.quit_at = self.sleeps
        if sig == signal.SIGKILL or (sig == signal.SIGTERM and self.exits_on_term):
            self.exit_all()


def _host(tmp_path):
    fake, proc = host_and_container(tmp_path)
    master = _nginx.select_master(_nginx.discover_masters(proc), proc, port=80)
    flag = str(tmp_path / "run" / "lvs_ingress" / "close")
    return fake, proc, master, flag


def test_graceful_stop_close_window_then_quit(fake_clock, tmp_path):
    fake, proc, master, flag = _host(tmp_path)
    st = Stopper(fake_clock, fake, 100, [101, 102], close_after=2, exit_after=3)
    report = _nginx.graceful_stop(master, flag, 10, 10, proc=proc, interval=0.5, kill=st.kill, clock=fake_clock.monotonic,
                                  sleep=st.sleep)
    assert os.path.exists(flag) and oct(os.stat(flag).st_mode & 0o777) == "0o644"
    assert report["close_window"]["connections_at_start"] == 2
    assert report["close_window"]["seconds"] == 1.0 and report["close_window"]["timed_out"] is False
    assert st.signals == [(100, signal.SIGQUIT)]
    assert report["quit_to_exit"] == 1.5 and report["escalated"] is False and report["warnings"] == []


def test_close_window_timeout_warns_and_still_quits(fake_clock, tmp_path):
    fake, proc, master, flag = _host(tmp_path)
    st = Stopper(fake_clock, fake, 100, [101, 102], close_after=None, exit_after=1)
    report = _nginx.graceful_stop(master, flag, 2, 10, proc=proc, interval=0.5, kill=st.kill, clock=fake_clock.monotonic,
                                  sleep=st.sleep)
    assert report["close_window"]["timed_out"] is True and report["close_window"]["connections_left"] == 2
    assert "still open after 2.0s" in report["warnings"][0]
    assert report["connections_during_quit"]["max"] == 2
    assert st.signals == [(100, signal.SIGQUIT)]


def test_escalates_to_term_then_kill(fake_clock, tmp_path):
    fake, proc, master, flag = _host(tmp_path)
    st = Stopper(fake_clock, fake, 100, [101, 102], close_after=1, exit_after=None)
    report = _nginx.graceful_stop(master, flag, 5, 3, proc=proc, interval=1, term_timeout=2, kill=st.kill,
                                  clock=fake_clock.monotonic, sleep=st.sleep)
    assert [s for _p, s in st.signals] == [signal.SIGQUIT, signal.SIGTERM, signal.SIGKILL, signal.SIGKILL,
                                           signal.SIGKILL]
    assert report["escalated"] is True and "sending SIGTERM" in report["warnings"][0]
    assert "SIGKILL" in report["warnings"][1]


def test_term_is_enough_without_kill(fake_clock, tmp_path):
    fake, proc, master, flag = _host(tmp_path)
    st = Stopper(fake_clock, fake, 100, [101, 102], close_after=1, exit_after=None, exits_on_term=True)
    report = _nginx.graceful_stop(master, flag, 5, 3, proc=proc, interval=1, kill=st.kill, clock=fake_clock.monotonic,
                                  sleep=st.sleep)
    assert [s for _p, s in st.signals] == [signal.SIGQUIT, signal.SIGTERM]
    assert len(report["warnings"]) == 1


def test_no_escalation_fails_after_quit_only(fake_clock, tmp_path):
    fake, proc, master, flag = _host(tmp_path)
    st = Stopper(fake_clock, fake, 100, [101, 102], close_after=1, exit_after=None)
    with pytest.raises(LvsIngressError, match="not escalating") as err:
        _nginx.graceful_stop(master, flag, 5, 3, proc=proc, interval=1, escalate=False, kill=st.kill,
                             clock=fake_clock.monotonic, sleep=st.sleep)
    assert st.signals == [(100, signal.SIGQUIT)]
    assert err.value.details["last"]["alive"] == [100, 101, 102]


def test_zombie_master_counts_as_gone(tmp_path):
    fake, proc, master, _flag = _host(tmp_path)
    fake.set_stat(100, "Z", 1000)
    fake.remove(101)
    fake.remove(102)
    assert _nginx.alive_pids(proc, master) == []


def test_reused_pid_counts_as_gone(tmp_path):
    fake, proc, master, _flag = _host(tmp_path)
    fake.set_stat(100, "S", 5000)
    assert 100 not in _nginx.alive_pids(proc, master)


@pytest.mark.parametrize("option", ["close_window_timeout", "timeout", "term_timeout", "interval"])
def test_bad_timeouts_signal_nothing(fake_clock, tmp_path, option):
    fake, proc, master, flag = _host(tmp_path)
    st = Stopper(fake_clock, fake, 100, [101, 102])
    kwargs = dict(close_window_timeout=5, timeout=5, term_timeout=5, interval=1)
    kwargs[option] = 0
    with pytest.raises(LvsIngressError, match=option):
        _nginx.graceful_stop(master, flag, proc=proc, kill=st.kill, clock=fake_clock.monotonic, sleep=st.sleep, **kwargs)
    assert st.signals == [] and not os.path.exists(flag)


def test_container_flag_written_through_proc_root(fake_clock, tmp_path):
    fake, proc = host_and_container(tmp_path)
    master = _nginx.select_master(_nginx.discover_masters(proc), proc, pid_file="/run/nginx.pid")
    st = Stopper(fake_clock, fake, 4211, [4230], close_after=1, exit_after=1)
    report = _nginx.graceful_stop(master, "/run/lvs_ingress/close", 5, 5, proc=proc, interval=1, kill=st.kill,
                                  clock=fake_clock.monotonic, sleep=st.sleep)
    assert report["close_window"]["flag_path"] == os.path.join(fake.root, "4211", "root", "run/lvs_ingress/close")
    assert st.signals == [(4211, signal.SIGQUIT)]

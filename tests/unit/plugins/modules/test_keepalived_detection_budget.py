# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

from ipvs_harness import run_module

from ansible_collections.baremetal.lvs_ingress.plugins.modules import keepalived_detection_budget as mod

CONF = """
virtual_server 198.18.0.100 80 {
  protocol TCP
  delay_loop 2
  real_server 198.18.0.11 80 {
    HTTP_GET {
      url {
        path /status
      }
      connect_timeout 1
    }
  }
  real_server 198.18.0.12 80 {
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
virtual_server fwmark 7 {
  real_server 198.18.0.11 {
    TCP_CHECK {
    }
  }
}
"""


def write(tmp_path):
    path = tmp_path / "keepalived.conf"
    path.write_text(CONF)
    return str(path)


def test_whole_file(tmp_path):
    result, failed, cmds = run_module(mod.main, dict(path=write(tmp_path)), [])
    assert not failed and result["changed"] is False and cmds.seen == []
    # fwmark 7 with all defaults: 61 + 2 x 5 + 1 x 1 = 72 is the worst
    assert result["budget"] == 72.0 and result["worst"] == {"virtual_server": "FWM 7", "real_server": "198.18.0.11:0"}


def test_filter_service_and_real_server(tmp_path):
    args = dict(path=write(tmp_path), virtual_address="198.18.0.100", virtual_port=80, real_address="198.18.0.12")
    result, failed, used = run_module(mod.main, args, [])
    # 3 + 2 x 3 + 1 x 1 = 10
    assert not failed and result["budget"] == 10.0
    assert [rs["endpoint"] for rs in result["virtual_servers"][0]["real_servers"]] == ["198.18.0.12:80"]


def test_unknown_service_and_missing_file(tmp_path):
    result, failed, used = run_module(mod.main, dict(path=write(tmp_path), virtual_address="198.18.0.100", virtual_port=81), [])
    assert failed and "unknown virtual service TCP 198.18.0.100:81" in result["msg"]
    result, failed, used = run_module(mod.main, dict(path=str(tmp_path / "missing.conf")), [])
    assert failed and "does not exist" in result["msg"]
    result, failed, used = run_module(mod.main, dict(path=write(tmp_path), real_address="not-an-ip"), [])
    assert failed and "not-an-ip" in result["msg"]

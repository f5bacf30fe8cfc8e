# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs, _keepalived
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


def vss_of(text, **kw):
    return _keepalived.virtual_servers(_keepalived.parse(text, **kw))


def budget_of(text):
    return _keepalived.detection_budget(vss_of(text))


def only_checker(result):
    return result["virtual_servers"][0]["real_servers"][0]["checkers"][0]


# ------------------------------------------------------------------ tokenizer


def test_tokenizer_comments_braces_quotes():
    text = """
! a comment
global_defs {   # trailing comment
  router_id "lb one"
}
virtual_server 198.18.0.100 80
{
  lvs_sched wlc ! inline bang comment
  real_server 198.18.0.11 80 { weight 7 }
}
"""
    tree = _keepalived.parse(text)
    assert [n.keyword for n in tree] == ["global_defs", "virtual_server"]
    assert tree[0].children[0].args == ["lb one"]
    vs = tree[1]
    assert vs.args == ["198.18.0.100", "80"]
    assert [c.keyword for c in vs.children] == ["lvs_sched", "real_server"]
    assert vs.children[0].args == ["wlc"]
    assert vs.children[1].children[0].keyword == "weight" and vs.children[1].children[0].args == ["7"]


@pytest.mark.parametrize("text, message", [
    ("virtual_server 1.2.3.4 80 {\n", "unclosed"),
    ("}\n", "without a matching"),
    ("{\n}\n", "without a keyword"),
])
def test_tokenizer_unbalanced(text, message):
    with pytest.raises(LvsIngressError, match=message):
        _keepalived.parse(text)


def test_includes_relative_glob_and_missing(tmp_path):
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "a.conf").write_text("virtual_server 198.18.0.200 80 {\n real_server 198.18.0.11 80 {\n include ../w/rs11.conf\n }\n}\n")
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "rs11.conf").write_text("# lvs_ingress active_weight=9\nweight 0\n")
    main = tmp_path / "keepalived.conf"
    main.write_text("include conf.d/*.conf\ninclude missing/*.conf\n")
    vss = _keepalived.virtual_servers(_keepalived.load(str(main)))
    assert len(vss) == 1
    rs = vss[0]["real_servers"][0]
    assert rs["weight"] == 0  # from the included weight file
    assert rs["includes"] == [{"pattern": str(tmp_path / "conf.d" / "../w/rs11.conf"), "files": [str(tmp_path / "conf.d" / "../w/rs11.conf")]}]
    # without following includes nothing of conf.d is read
    assert _keepalived.virtual_servers(_keepalived.load(str(main), follow_includes=False)) == []


def test_load_missing_file(tmp_path):
    with pytest.raises(LvsIngressError, match="does not exist"):
        _keepalived.load(str(tmp_path / "nope.conf"))


def test_include_loop_is_bounded(tmp_path):
    (tmp_path / "a.conf").write_text("include a.conf\n")
    with pytest.raises(LvsIngressError, match="deeper"):
        _keepalived.load(str(tmp_path / "a.conf"))


# ------------------------------------------------------------------ model


def test_identities_and_defaults():
    vss = vss_of("""
virtual_server 2001:DB8::200 443 { protocol TCP
  persistence_timeout
  real_server 2001:db8::11 8443 { }
}
virtual_server fwmark 7 { real_server 198.18.0.11 { weight 3 } }
virtual_server 198.18.0.200 53 { protocol UDP
  real_server 198.18.0.11 { } }
""")
    assert [v["name"] for v in vss] == ["TCP [2001:db8::200]:443", "FWM 7", "UDP 198.18.0.200:53"]
    assert vss[0]["persistence_timeout"] == 360
    assert vss[0]["real_servers"][0]["key"] == "2001:db8::200-443-TCP-2001:db8::11-8443"
    assert vss[1]["real_servers"][0]["key"] == "fwmark7-198.18.0.11-0"
    assert vss[1]["real_servers"][0]["weight"] == 3
    assert vss[2]["real_servers"][0]["port"] == 53  # real port defaults to the virtual port
    assert vss[2]["real_servers"][0]["weight"] == 1


def test_bad_address_in_config_named():
    with pytest.raises(LvsIngressError, match="198.18.0.300"):
        vss_of("virtual_server 198.18.0.300 80 { }\n")


# ------------------------------------------------------------------ budget (hand-computed)


def test_http_get_explicit():
    # first = max(1*6, 1 + 6 + 0) = 7; 3 attempts x (2 x 2) = 12; 2 x 1 = 2 -> 21
    r = budget_of("""
virtual_server 198.18.0.100 80 {
  protocol TCP
  delay_loop 6
  real_server 198.18.0.11 80 {
    HTTP_GET {
      url { path /status }
      connect_timeout 2
      retry 2
      delay_before_retry 1
    }
  }
}""")
    c = only_checker(r)
    assert (c["delay_loop"], c["connect_timeout"], c["retry"], c["delay_before_retry"], c["warmup"]) == (6, 2, 2, 1, 6)
    assert c["budget"] == 21.0
    assert r["budget"] == 21.0
    assert r["worst"] == {"virtual_server": "TCP 198.18.0.100:80", "real_server": "198.18.0.11:80"}


def test_protocol_defaults_to_udp_like_keepalived():
    # keepalived 2.2.7: "no protocol set - defaulting to UDP"
    assert vss_of("virtual_server 198.18.0.100 53 {\n}\n")[0]["name"] == "UDP 198.18.0.100:53"


def test_all_defaults_http_get():
    # delay_loop 60, connect_timeout 5, retry 1, delay_before_retry 3, warmup 60:
    # first = max(60, 61) = 61; 2 x 10 = 20; 1 x 3 = 3 -> 84
    r = budget_of("virtual_server 198.18.0.100 80 {\n real_server 198.18.0.11 80 {\n HTTP_GET {\n url {\n path /\n }\n }\n }\n}\n")
    assert only_checker(r)["budget"] == 84.0


def test_tcp_check_inherits_vs_delay_loop():
    # delay_loop 10 (vs), connect_timeout 5, retry 1, dbr 1, warmup 10: first 11; 2 x 5; 1 -> 22
    r = budget_of("virtual_server 198.18.0.100 80 {\n delay_loop 10\n real_server 198.18.0.11 80 {\n TCP_CHECK {\n }\n }\n}\n")
    assert only_checker(r)["budget"] == 22.0


def test_misc_check_timeout_and_its_vs_delay_loop_default():
    text = """
virtual_server 198.18.0.100 80 {
  delay_loop 20
  real_server 198.18.0.11 80 {
    delay_loop 5
    MISC_CHECK {
      misc_path /bin/true
      %s
    }
  }
}"""
    # retry 0 for MISC; warmup = 5; first = max(5, 6) = 6; 1 x 3 -> 9
    assert only_checker(budget_of(text % "misc_timeout 3"))["budget"] == 9.0
    # misc_timeout unset: keepalived uses the *virtual server's* delay_loop (20): 6 + 20 -> 26
    assert only_checker(budget_of(text % ""))["budget"] == 26.0


def test_ssl_get_multi_url_nb_get_retry_warmup_zero():
    # delay_loop 3, 2 urls, warmup 0: first = max(2 x 3, 1 + 0 + 3) = 6
    # 2 attempts x 3 x 1 = 6; 1 x 3 (SSL default dbr) -> 15
    r = budget_of("""
virtual_server 198.18.0.100 443 {
  real_server 198.18.0.11 443 {
    SSL_GET {
      url {
        path /a
      }
      url {
        path /b
      }
      delay_loop 3
      warmup 0
      connect_timeout 1
      nb_get_retry 1
    }
  }
}""")
    c = only_checker(r)
    assert (c["urls"], c["retry"], c["delay_before_retry"]) == (2, 1, 3.0)
    assert c["budget"] == 15.0


def test_inheritance_checker_over_rs_over_vs():
    r = budget_of("""
virtual_server 198.18.0.100 80 {
  retry 3
  connect_timeout 4
  delay_before_retry 2
  delay_loop 8
  real_server 198.18.0.11 80 {
    retry 2
    TCP_CHECK {
      connect_timeout 1
    }
  }
}""")
    c = only_checker(r)
    assert (c["retry"], c["connect_timeout"], c["delay_before_retry"], c["delay_loop"]) == (2, 1.0, 2.0, 8.0)
    # first = max(8, 9) = 9; 3 x 1; 2 x 2 -> 16
    assert c["budget"] == 16.0


def test_rs_budget_is_max_of_checkers_and_unmodelled_listed():
    r = budget_of("""
virtual_server 198.18.0.100 80 {
  delay_loop 2
  protocol TCP
  real_server 198.18.0.11 80 {
    TCP_CHECK {
      connect_timeout 1
    }
    HTTP_GET {
      url {
        path /status
      }
      connect_timeout 1
    }
  }
  real_server 198.18.0.12 80 {
    PING_CHECK {
    }
  }
}""")
    rs11, rs12 = r["virtual_servers"][0]["real_servers"]
    # TCP: 3 + 2 x 1 + 1 = 6; HTTP: 3 + 2 x 2 + 3 = 10
    assert [c["budget"] for c in rs11["checkers"]] == [6.0, 10.0]
    assert rs11["budget"] == 10.0
    assert rs12["budget"] is None and rs12["checkers"][0]["budget"] is None
    assert r["unchecked"] == ["TCP 198.18.0.100:80 -> 198.18.0.12:80"]
    assert r["budget"] == 10.0


def test_persistence_extra_only_with_inhibit():
    base = "virtual_server 198.18.0.100 80 {\n persistence_timeout 50\n %s\n real_server 198.18.0.11 80 {\n TCP_CHECK {\n }\n }\n}\n"
    assert budget_of(base % "inhibit_on_failure")["persistence_extra"] == 50
    assert budget_of(base % "")["persistence_extra"] == 0


def test_alpha_does_not_change_budget():
    base = "virtual_server 198.18.0.100 80 {\n delay_loop 4\n %s\n real_server 198.18.0.11 80 {\n TCP_CHECK {\n }\n }\n}\n"
    with_alpha, without = budget_of(base % "alpha"), budget_of(base % "")
    assert only_checker(with_alpha)["alpha"] is True and only_checker(without)["alpha"] is False
    assert only_checker(with_alpha)["budget"] == only_checker(without)["budget"] == 16.0


def test_bad_timer_names_file_and_line():
    with pytest.raises(LvsIngressError, match=r"x.conf:3: delay_loop"):
        vss_of("virtual_server 198.18.0.100 80 {\n real_server 198.18.0.11 80 {\n delay_loop soon\n }\n}\n", source="x.conf")


# ------------------------------------------------------------------ weight files


def test_weight_file_roundtrip_and_path():
    spec = _ipvs.RealServerSpec(_ipvs.ServiceSpec("2001:db8:0::200", 80), "2001:db8::11")
    assert _keepalived.weight_file_path(spec, "/w") == "/w/2001:db8::200-80-TCP-2001:db8::11-80.conf"
    text = _keepalived.render_weight_file(0, 100)
    assert text == "# lvs_ingress active_weight=100\nweight 0\n"
    assert _keepalived.parse_weight_file(text) == {"weight": 0, "active_weight": 100}
    assert _keepalived.parse_weight_file("weight 5\n") == {"weight": 5, "active_weight": None}
    with pytest.raises(LvsIngressError):
        _keepalived.render_weight_file(70000, None)


def test_includes_file_exact_and_glob():
    rs = {"includes": [{"pattern": "/etc/keepalived/lvs_ingress/weights/198.18.0.100-80-TCP-198.18.0.11-80.conf", "files": []}]}
    assert _keepalived.includes_file(rs, "/etc/keepalived/lvs_ingress/weights/198.18.0.100-80-TCP-198.18.0.11-80.conf")
    assert not _keepalived.includes_file(rs, "/etc/keepalived/lvs_ingress/weights/198.18.0.100-80-TCP-198.18.0.12-80.conf")
    assert _keepalived.includes_file({"includes": [{"pattern": "/w/*-198.18.0.11-80.conf", "files": []}]}, "/w/x-198.18.0.11-80.conf")


@pytest.mark.parametrize("line, method", [("lb_kind DR", "DR"), ("lvs_method TUN", "TUN"), ("", "NAT"),
                                          ("lb_kind DR\n  lvs_method tun", "TUN")])
def test_forwarding_method_both_spellings(line, method):
    tree = _keepalived.parse("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  %s\n}\n" % line)
    assert _keepalived.virtual_servers(tree)[0]["lvs_method"] == method

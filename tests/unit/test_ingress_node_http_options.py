# SPDX-License-Identifier: GPL-3.0-or-later
"""ingress_node's http options: templates/http_options.conf.j2 rendered with jinja2 from the role's own defaults,
all off and each option on alone; then the role's preflight entry point run for real (ansible-playbook on
localhost), which refuses each bad value naming the variable and the value, and passes good ones.

tests/functional/test_http_options.py runs the rendered file in a real nginx.
"""
from __future__ import annotations

import json
import os
import re

import jinja2
import pytest
import yaml

from role_playbook import entry_point_runner

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, "roles", "ingress_node")

with open(os.path.join(ROLE, "defaults", "main.yml")) as _f:
    DEFAULTS = yaml.safe_load(_f)


def render(**overrides):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, "templates")), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["comment"] = lambda text: "# " + text
    variables = dict(DEFAULTS, ansible_managed="Ansible managed")
    variables.update(overrides)
    return env.get_template("http_options.conf.j2").render(**variables)


def directives(text):
    """The configuration lines, without comments and blank lines, continuation lines joined to their directive."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    joined = []
    for line in lines:
        if joined and not joined[-1].endswith(";"):
            joined[-1] += " " + line
        else:
            joined.append(line)
    return joined


def log_format_string(text):
    """The JSON log's format: the concatenation of the log_format directive's single-quoted strings."""
    (directive,) = [d for d in directives(text) if d.startswith("log_format ")]
    return "".join(re.findall(r"'([^']*)'", directive))


def names(text):
    return [d.split()[0] for d in directives(text)]


def test_all_off_is_comments_only():
    text = render()
    assert text.strip(), "the file carries at least its managed header"
    assert directives(text) == []


def test_directives_helper_sees_directives():
    """The all-off test above would catch a stray directive."""
    text = "# x\nproxy_read_timeout 5ms;\nlog_format a\n    'b'\n    'c';\n"
    assert names(text) == ["proxy_read_timeout", "log_format"]


def test_json_access_log():
    text = render(ingress_node_json_access_log=True, ingress_node_json_access_log_file="/var/log/nginx/j.log")
    assert names(text) == ["log_format", "access_log"]
    log_format, access_log = directives(text)
    assert access_log == "access_log /var/log/nginx/j.log lvs_ingress_json;"
    head = log_format.partition(" '")[0]
    assert head == "log_format lvs_ingress_json escape=json"
    fmt = log_format_string(text)
    variables = re.findall(r"\$([a-z_0-9]+)", fmt)
    sample = json.loads(re.sub(r"\$([a-z_0-9]+)", r"v_\1", fmt))
    assert sorted(sample) == sorted(
        ["time", "msec", "remote_addr", "peer_addr", "x_forwarded_for", "request_id", "method", "host", "path",
         "query", "protocol", "status", "bytes_sent", "request_length", "request_time", "referer", "user_agent",
         "upstream_addr", "upstream_status", "upstream_response_time", "node"])
    assert sample["remote_addr"] == "v_remote_addr"
    assert sample["peer_addr"] == "v_realip_remote_addr"
    assert sample["node"] == "v_hostname"
    assert sample["upstream_response_time"] == "v_upstream_response_time"
    assert len(variables) == len(sample)


def test_json_log_field_names_match_the_controller():
    """The field names the two roles share mean the same variable."""
    with open(os.path.join(ROOT, "roles", "ingress_controller", "vars", "main.yml")) as f:
        controller = json.loads(yaml.safe_load(f)["_ingress_controller_json_log_format"])
    node = json.loads(log_format_string(render(ingress_node_json_access_log=True)))
    # ingress-nginx maps $req_id to the client's X-Request-ID, else nginx's $request_id (what the node logs)
    controller["request_id"] = controller["request_id"].replace("$req_id", "$request_id")
    shared = set(node) & set(controller)
    assert len(shared) >= 15
    assert {k: node[k] for k in shared} == {k: controller[k] for k in shared}


def test_real_ip():
    text = render(ingress_node_real_ip_from=["198.18.0.0/24", "2001:db8::7"])
    assert directives(text) == ["set_real_ip_from 198.18.0.0/24;", "set_real_ip_from 2001:db8::7;",
                                "real_ip_header X-Forwarded-For;", "real_ip_recursive off;"]
    text = render(ingress_node_real_ip_from=["10.0.0.1"], ingress_node_real_ip_header="X-Real-IP",
                  ingress_node_real_ip_recursive=True)
    assert directives(text) == ["set_real_ip_from 10.0.0.1;", "real_ip_header X-Real-IP;", "real_ip_recursive on;"]


def test_real_ip_header_alone_writes_nothing():
    assert directives(render(ingress_node_real_ip_header="X-Real-IP", ingress_node_real_ip_recursive=True)) == []


def test_proxy_real_ip_headers():
    assert directives(render(ingress_node_proxy_real_ip_headers=True)) == [
        "proxy_set_header X-Real-IP $remote_addr;", "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"]


@pytest.mark.parametrize("directive", ["proxy_connect_timeout", "proxy_send_timeout", "proxy_read_timeout"])
def test_each_timeout_alone(directive):
    assert directives(render(**{"ingress_node_%s_ms" % directive: 250})) == ["%s 250ms;" % directive]
    # a string from -e renders the same
    assert directives(render(**{"ingress_node_%s_ms" % directive: "250"})) == ["%s 250ms;" % directive]
    assert directives(render(**{"ingress_node_%s_ms" % directive: 0})) == []


# --- preflight, run for real ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def preflight(tmp_path_factory):
    return entry_point_runner(tmp_path_factory.mktemp("ingress_node_preflight"), "ingress_node", "preflight",
                              "Check the node's settings")


GOOD = {"ingress_node_json_access_log": True, "ingress_node_json_access_log_file": "/var/log/nginx/j.log",
        "ingress_node_real_ip_from": ["198.18.0.0/24", "192.0.2.7", "2001:db8::/32"],
        "ingress_node_real_ip_header": "X-Real-IP", "ingress_node_real_ip_recursive": True,
        "ingress_node_proxy_real_ip_headers": True, "ingress_node_proxy_connect_timeout_ms": 150,
        "ingress_node_proxy_send_timeout_ms": "60000", "ingress_node_proxy_read_timeout_ms": 0}


def test_preflight_passes_good_values(preflight):
    rc, out = preflight(GOOD)
    assert rc == 0, out
    assert "Check the proxy timeouts" in out and "Check the http options" in out


@pytest.mark.parametrize("setting, message", [
    ({"ingress_node_proxy_connect_timeout_ms": -1},
     "ingress_node_proxy_connect_timeout_ms=-1 is not a whole number of milliseconds"),
    ({"ingress_node_proxy_send_timeout_ms": "-200"},
     "ingress_node_proxy_send_timeout_ms=-200 is not a whole number of milliseconds"),
    ({"ingress_node_proxy_read_timeout_ms": -5000},
     "ingress_node_proxy_read_timeout_ms=-5000 is not a whole number of milliseconds"),
    ({"ingress_node_proxy_read_timeout_ms": "1.5"}, "ingress_node_proxy_read_timeout_ms"),
    ({"ingress_node_proxy_read_timeout_ms": "soon"}, "ingress_node_proxy_read_timeout_ms"),
    ({"ingress_node_real_ip_from": ["198.18.0.0/24", "198.18.0.1/24"]},
     "ingress_node_real_ip_from=198.18.0.1/24 is not an IP network"),
    ({"ingress_node_real_ip_from": ["proxy.example"]}, "ingress_node_real_ip_from=proxy.example is not an IP network"),
    ({"ingress_node_real_ip_header": "X-Forwarded-For;"},
     "ingress_node_real_ip_header=X-Forwarded-For; is not a header name"),
    ({"ingress_node_json_access_log_file": "access_json.log"},
     "ingress_node_json_access_log_file=access_json.log is not an absolute path"),
])
def test_preflight_refuses(preflight, setting, message):
    rc, out = preflight(dict(GOOD, **setting))
    assert rc != 0, out
    assert message in out, out


def test_ansible_renders_it_the_same_and_a_second_run_changes_nothing(preflight, tmp_path):
    """Ansible's own template module (its Jinja settings, ansible_managed) gives the same directives as the renders
    above, and writing it again changes nothing."""
    dest = tmp_path / "lvs_ingress_http.conf"
    play = [{"name": "Write the http options", "hosts": "localhost", "gather_facts": False,
             "vars_files": [os.path.join(ROLE, "defaults", "main.yml")],
             "tasks": [{"name": "Template", "ansible.builtin.template": {
                 "src": os.path.join(ROLE, "templates", "http_options.conf.j2"), "dest": str(dest),
                 "mode": "0644"}}]}]
    play_file = tmp_path / "write.yml"
    play_file.write_text(yaml.safe_dump(play))
    outs = [preflight(GOOD, playbook_file=str(play_file)) for attempt in range(2)]
    for rc, out in outs:
        assert rc == 0, out
    changed = [int(re.search(r"localhost\s+:\s+ok=\d+\s+changed=(\d+)", out).group(1)) for rc, out in outs]
    assert changed == [1, 0]
    assert directives(dest.read_text()) == directives(render(**GOOD))
    assert len(directives(dest.read_text())) == 11

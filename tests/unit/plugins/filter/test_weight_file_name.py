# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import os

import jinja2
import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.weight_file_name import weight_file_name
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _ipvs, _keepalived

TEMPLATES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "lvs_director", "templates")


def _module_path(weights_dir, vs, rs):
    """Where ipvs_real_server (manager=keepalived) looks for the weight file."""
    service = _ipvs.ServiceSpec(vs["address"], vs["port"], vs.get("protocol", "TCP"))
    return _keepalived.weight_file_path(_ipvs.RealServerSpec(service, rs["address"], rs.get("port")), weights_dir)


def _role_path(weights_dir, vs, rs):
    """What the lvs_director role writes and includes (partials/weight_file.j2, rendered as Ansible does)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES))
    env.filters["baremetal.lvs_ingress.weight_file_name"] = weight_file_name
    return env.get_template("partials/weight_file.j2").render(vs=vs, rs=rs, lvs_director_weights_dir=weights_dir).strip()


@pytest.mark.parametrize("vs, rs, expected", [
    ({"address": "198.18.0.100", "port": 80}, {"address": "198.18.0.11"}, "198.18.0.100-80-TCP-198.18.0.11-80.conf"),
    ({"address": "198.18.0.100", "port": 443, "protocol": "udp"}, {"address": "198.18.0.11", "port": 8443},
     "198.18.0.100-443-UDP-198.18.0.11-8443.conf"),
    # the trap: an IPv6 address written out in full or in upper case names the same file as the module's
    ({"address": "2001:DB8:0:0::100", "port": 80}, {"address": "2001:0db8::0011"}, "2001:db8::100-80-TCP-2001:db8::11-80.conf"),
])
def test_the_role_names_the_file_the_module_looks_for(vs, rs, expected):
    assert weight_file_name(vs, rs) == expected
    assert _role_path("/etc/keepalived/weights", vs, rs) == _module_path("/etc/keepalived/weights", vs, rs) \
        == "/etc/keepalived/weights/" + expected


@pytest.mark.parametrize("vs, rs, text", [
    ({"address": "300.1.1.1", "port": 80}, {"address": "198.18.0.11"}, "300.1.1.1"),
    ({"address": "198.18.0.100", "port": 80}, {"address": "2001:db8::11"}, "different families"),
    ({"address": "198.18.0.100", "port": 0}, {"address": "198.18.0.11"}, "port"),
    ("198.18.0.100", {"address": "198.18.0.11"}, "mappings"),
])
def test_bad_input_names_the_value(vs, rs, text):
    with pytest.raises(AnsibleFilterError, match="weight_file_name: .*%s" % text):
        weight_file_name(vs, rs)

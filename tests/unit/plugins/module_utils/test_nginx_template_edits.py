# SPDX-License-Identifier: GPL-3.0-or-later
"""The template-edit engine on our fixtures in the shape of each supported controller version's nginx.tmpl,
with the edits the role ships for that version (roles/ingress_controller/files/versions/<version>.yml)."""
from __future__ import annotations

import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.nginx_template_edits import nginx_template_edits
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._nginx_template_edits import apply_edits

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
FIXTURES = os.path.join(ROOT, "tests", "unit", "fixtures", "ingress_nginx_template")
VERSIONS_DIR = os.path.join(ROOT, "roles", "ingress_controller", "files", "versions")
VERSIONS = sorted(f[:-len(".yml")] for f in os.listdir(VERSIONS_DIR) if f.endswith(".yml"))


def fixture(version):
    with open(os.path.join(FIXTURES, version, "nginx.tmpl")) as f:
        return f.read()


def release(version):
    with open(os.path.join(VERSIONS_DIR, version + ".yml")) as f:
        return yaml.safe_load(f)


def test_every_version_has_a_fixture():
    assert VERSIONS == ["1.13.9", "1.14.5", "1.15.1"]
    assert sorted(os.listdir(FIXTURES)) == VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_proxy_timeouts_ms_on_each_version(version):
    text = fixture(version)
    edits = release(version)["template_edits"]["proxy_timeouts_ms"]
    out, changed = apply_edits(text, edits, version)
    assert changed == 6
    for directive in ("proxy_connect_timeout", "proxy_send_timeout", "proxy_read_timeout",
                      "grpc_connect_timeout", "grpc_send_timeout", "grpc_read_timeout"):
        lines = [line for line in out.splitlines() if line.strip().startswith(directive + " ")]
        assert len(lines) == 1, directive
        assert lines[0].endswith("}}ms;"), lines[0]
        # the indentation of the anchor line is kept
        assert lines[0].startswith(" " * 12 + directive), lines[0]
    # nothing else moved: same number of lines, only the six differ
    before, after = text.splitlines(), out.splitlines()
    assert len(before) == len(after)
    assert sum(a != b for a, b in zip(before, after)) == 6
    assert out.endswith("\n")


@pytest.mark.parametrize("version", VERSIONS)
def test_applying_again_changes_nothing(version):
    edits = release(version)["template_edits"]["proxy_timeouts_ms"]
    once, _count = apply_edits(fixture(version), edits, version)
    twice, changed = apply_edits(once, edits, version)
    assert (twice, changed) == (once, 0)


def test_insert_after_keeps_indentation_and_is_idempotent():
    text = "http {\n    server {\n        listen 80;\n    }\n}\n"
    edits = [{"anchor": "listen 80;", "insert_after": ["if (-f /run/x) {", "    return 503;", "}"]}]
    out, changed = apply_edits(text, edits, "1.15.1")
    assert changed == 1
    assert out == ("http {\n    server {\n        listen 80;\n        if (-f /run/x) {\n            return 503;\n"
                   "        }\n    }\n}\n")
    assert apply_edits(out, edits, "1.15.1") == (out, 0)


def test_a_missing_anchor_names_it_and_the_version():
    edits = [{"anchor": "proxy_buffering off;", "replace": ["proxy_buffering on;"]}]
    with pytest.raises(LvsIngressError) as err:
        apply_edits(fixture("1.14.5"), edits, "1.14.5")
    assert "'proxy_buffering off;'" in str(err.value)
    assert "controller 1.14.5" in str(err.value)
    with pytest.raises(LvsIngressError, match="insert_after"):
        apply_edits("a\n", [{"anchor": "b", "insert_after": ["c"]}], "1.15.1")


def test_an_ambiguous_anchor_names_it_the_version_and_the_lines():
    # "{{ end }}" is in the fixture several times
    edits = [{"anchor": "{{ end }}", "insert_after": ["# here"]}]
    with pytest.raises(LvsIngressError) as err:
        apply_edits(fixture("1.15.1"), edits, "1.15.1")
    msg = str(err.value)
    assert "ambiguous" in msg and "'{{ end }}'" in msg and "controller 1.15.1" in msg
    assert err.value.details["lines"] == sorted(err.value.details["lines"]) and len(err.value.details["lines"]) > 1


@pytest.mark.parametrize("edit, message", [
    ({"anchor": "x"}, "needs exactly one of insert_after, replace"),
    ({"anchor": "x", "replace": ["y"], "insert_after": ["z"]}, "needs exactly one of"),
    ({"anchor": "", "replace": ["y"]}, "anchor must be a non-empty line"),
    ({"anchor": "x", "replace": []}, "must be a non-empty list of lines"),
    ({"anchor": "x", "replace": ["y"], "lines": ["z"]}, "unknown keys lines"),
    ("x", "not a mapping"),
])
def test_malformed_edits_are_refused(edit, message):
    with pytest.raises(LvsIngressError, match=message):
        apply_edits("x\n", [edit], "1.15.1")


def test_the_filter_fails_with_the_message():
    with pytest.raises(AnsibleFilterError, match="controller 1.13.9 has no line 'nope'"):
        nginx_template_edits("a\n", [{"anchor": "nope", "replace": ["b"]}], "1.13.9")
    assert nginx_template_edits("a\nb\n", [{"anchor": "a", "replace": ["c"]}], "1.13.9") == "c\nb\n"

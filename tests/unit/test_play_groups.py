# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two group names are one fact: the _rollout role's defaults. A play's ``hosts:`` is templated before any role
is loaded, so it has to spell the default out; every such spelling must say what the role says."""

from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GROUP_SETTINGS = ("lvs_ingress_nodes_group", "lvs_ingress_directors_group")
DEFAULT_IN_HOSTS = re.compile(r"(%s)\s*\|\s*default\(\s*'([^']*)'\s*\)" % "|".join(GROUP_SETTINGS))


def _role_defaults():
    with open(os.path.join(ROOT, "roles", "_rollout", "defaults", "main.yml")) as f:
        return yaml.safe_load(f)


def _plays_hosts():
    """(playbook, play name, hosts expression) of every play of every shipped playbook."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))):
        with open(path) as f:
            for play in yaml.safe_load(f) or []:
                if "hosts" in play:
                    found.append((os.path.basename(path), play.get("name", "?"), str(play["hosts"])))
    return found


def _group_defaults():
    return [(book, name, setting, value)
            for book, name, hosts in _plays_hosts() for setting, value in DEFAULT_IN_HOSTS.findall(hosts)]


def test_the_role_defines_both_group_names():
    defaults = _role_defaults()
    for setting in GROUP_SETTINGS:
        assert isinstance(defaults.get(setting), str) and defaults[setting], setting


def test_every_play_on_a_group_names_it_through_the_setting():
    """A play on the nodes or the directors takes its group from the setting, never a bare group name."""
    groups = {_role_defaults()[setting] for setting in GROUP_SETTINGS}
    for book, name, hosts in _plays_hosts():
        for group in groups:
            bare = re.search(r"(^|[:,\s])%s($|[:,\s])" % re.escape(group), hosts)
            assert not bare, "%s, play %r: hosts %r names the group %s without its setting" % (book, name, hosts, group)


@pytest.mark.parametrize("book, name, setting, value", _group_defaults(),
                         ids=lambda v: v if isinstance(v, str) and v.endswith(".yml") else None)
def test_a_hosts_default_is_the_roles_default(book, name, setting, value):
    assert value == _role_defaults()[setting], (
        "%s, play %r: hosts falls back to %s=%r, the _rollout role's default is %r"
        % (book, name, setting, value, _role_defaults()[setting]))


def test_each_playbook_on_the_groups_is_checked():
    books = {found[0] for found in _group_defaults()}
    assert {"drain.yml", "undrain.yml", "rolling_upgrade.yml", "site.yml"} <= books, books

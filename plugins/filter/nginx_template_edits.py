# -*- coding: utf-8 -*-
# Copyright: Contributors to the baremetal.lvs_ingress collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nginx_template_edits
short_description: Apply declared edits (anchor line, insert after or replace) to an ingress-nginx nginx.tmpl
version_added: 0.4.0
description:
  - Applies each edit of O(edits) in order to the template text O(_input). An edit is a mapping with C(anchor) (a
    line of the template, compared without its surrounding white space) and either C(insert_after) or C(replace)
    (a list of lines). The anchor must match exactly one line; the inserted or replacing lines take its indentation.
  - A missing or ambiguous anchor fails, naming the anchor and O(version), so an edit written for one controller
    version never lands somewhere else in another.
  - Idempotent, the result of an earlier run given again comes back unchanged.
author:
  - baremetal.lvs_ingress contributors (@baremetal)
options:
  _input:
    description: The template text (the image's C(/etc/nginx/template/nginx.tmpl)).
    type: str
    required: true
  edits:
    description: The edits, each C({anchor, insert_after}) or C({anchor, replace}); C(why) is a comment.
    type: list
    elements: dict
    required: true
  version:
    description: The controller version the template belongs to, for the messages.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Proxy timeouts in milliseconds
  ansible.builtin.set_fact:
    _template: "{{ lookup('ansible.builtin.file', 'nginx.tmpl') | baremetal.lvs_ingress.nginx_template_edits(edits, '1.15.1') }}"
  vars:
    edits:
      - anchor: "proxy_connect_timeout                   {{ '{{' }} $location.Proxy.ConnectTimeout {{ '}}' }}s;"
        replace: ["proxy_connect_timeout                   {{ '{{' }} $location.Proxy.ConnectTimeout {{ '}}' }}ms;"]
"""

RETURN = r"""
_value:
  description: The edited template text.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._nginx_template_edits import apply_edits


def nginx_template_edits(text, edits, version):
    try:
        out, _changed = apply_edits(str(text), list(edits or []), str(version))
    except LvsIngressError as err:
        raise AnsibleFilterError(err.msg)
    return out


class FilterModule:
    def filters(self):
        return {"nginx_template_edits": nginx_template_edits}

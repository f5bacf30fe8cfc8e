# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller's shutdown by version and the pod's terminationGracePeriodSeconds arithmetic."""
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.lvs_ingress.plugins.filter.controller_shutdown import controller_shutdown
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._controller_shutdown import (
    parse_version,
    shutdown_plan,
)
from ansible_collections.baremetal.lvs_ingress.plugins.module_utils._errors import LvsIngressError


@pytest.mark.parametrize("text, expected", [
    ("1.15.1", (1, 15, 1)), ("v1.13.9", (1, 13, 9)), ("controller-v0.26.1", (0, 26, 1)), (" 0.44.0 ", (0, 44, 0)),
])
def test_parse_version(text, expected):
    assert parse_version(text) == expected


@pytest.mark.parametrize("text", ["1.15", "latest", "1.15.1-rc1", ""])
def test_parse_version_refuses(text):
    with pytest.raises(LvsIngressError, match="ingress_controller_version="):
        parse_version(text)


def test_flags_from_1_1_2_and_the_sum():
    plan = shutdown_plan("1.15.1", 30, 60, 10)
    assert plan == {"mode": "flag", "args": ["--shutdown-grace-period=30", "--post-shutdown-grace-period=10"],
                    "env": [], "post_shutdown_grace_period": 10, "needed": 100,
                    "termination_grace_period_seconds": 100}


def test_shutdown_flag_without_post_shutdown_flag_between_0_44_and_1_1_2():
    plan = shutdown_plan("0.44.0", 20, 30, 99)
    assert plan["mode"] == "flag"
    assert plan["args"] == ["--shutdown-grace-period=20"]
    # before 1.1.2 the controller waits a fixed 10 seconds, whatever was asked
    assert plan["post_shutdown_grace_period"] == 10
    assert plan["needed"] == 60


def test_env_for_a_patched_image_before_0_44():
    plan = shutdown_plan("0.26.1", 45, 120, 10, 300)
    assert plan["mode"] == "env"
    assert plan["args"] == []
    assert plan["env"] == [{"name": "GRACE_STOP_PERIOD", "value": "45"}]
    assert plan["needed"] == 175
    assert plan["termination_grace_period_seconds"] == 300


def test_an_exact_fit_is_accepted():
    assert shutdown_plan("1.13.9", 30, 60, 10, 100)["termination_grace_period_seconds"] == 100


def test_a_grace_period_that_does_not_fit_is_refused_naming_the_variable():
    with pytest.raises(LvsIngressError) as err:
        shutdown_plan("1.15.1", 30, 60, 10, 99)
    msg = str(err.value)
    assert msg.startswith("ingress_controller_termination_grace_period=99 ")
    assert "= 100 seconds" in msg
    assert err.value.details == {"ingress_controller_termination_grace_period": 99, "needed": 100}


@pytest.mark.parametrize("args, name", [
    ((0, 60, 10, 0), "ingress_controller_shutdown_grace_period=0"),
    ((30, 0, 10, 0), "ingress_controller_worker_shutdown_timeout=0"),
    ((30, 60, -1, 0), "ingress_controller_post_shutdown_grace_period=-1"),
    ((30, 60, 10, -5), "ingress_controller_termination_grace_period=-5"),
    ((True, 60, 10, 0), "ingress_controller_shutdown_grace_period=True"),
    (("30", 60, 10, 0), "ingress_controller_shutdown_grace_period='30'"),
])
def test_bad_values_are_refused(args, name):
    with pytest.raises(LvsIngressError, match="^" + name.replace("(", r"\(")):
        shutdown_plan("1.15.1", *args)


def test_the_filter():
    assert controller_shutdown("v1.15.1", 30, 60, 10)["needed"] == 100
    with pytest.raises(AnsibleFilterError, match="ingress_controller_termination_grace_period=50"):
        controller_shutdown("1.15.1", 30, 60, 10, 50)

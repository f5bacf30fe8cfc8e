# SPDX-License-Identifier: GPL-3.0-or-later
"""The ingress_controller role, run for real in output mode (ansible-playbook on localhost).

Every manifest it writes is validated offline and strictly (no unknown field) against the Kubernetes schemas
kubernetes-validate bundles, for each Kubernetes version below; then the values that matter, which a schema
accepts whatever they are, are asserted one by one. A second run changes nothing; check mode writes nothing.
Each refusal names the variable and its value, and happens before anything is written.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from role_playbook import collections_path

kubernetes_validate = pytest.importorskip("kubernetes_validate")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "unit", "fixtures", "ingress_nginx_template")
# The Kubernetes versions the manifests are checked against (the schemas kubernetes-validate 1.37 ships offline).
KUBERNETES_VERSIONS = ["1.%d.0" % minor for minor in range(28, 38)]
DIGEST = "sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1"
IMAGE_1_15_1 = "registry.k8s.io/ingress-nginx/controller:v1.15.1@" + DIGEST
FILES = ["configmap.yaml", "daemonset.yaml", "ingressclass.yaml", "namespace.yaml", "rbac.yaml",
         "template-configmap.yaml"]

INVENTORY = {
    "all": {
        "hosts": {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}},
        "children": {"ingress_nodes": {"hosts": {
            "ingress1": {"ingress_controller_node_labels": {"node-role.kubernetes.io/ingress": "true"}},
            "ingress2": {"ingress_controller_node_labels": {"node-role.kubernetes.io/ingress": "true"}},
            "ingress3": {},
        }}},
    }
}
PLAY = [{"name": "Render the ingress controller", "hosts": "localhost", "gather_facts": False,
         "roles": [{"role": "baremetal.lvs_ingress.ingress_controller"}]}]


class Runner:
    def __init__(self, base):
        self.base = str(base)
        with open(os.path.join(self.base, "inventory.yml"), "w") as f:
            yaml.safe_dump(INVENTORY, f)
        with open(os.path.join(self.base, "play.yml"), "w") as f:
            yaml.safe_dump(PLAY, f)

    def run(self, settings, *extra):
        with open(os.path.join(self.base, "settings.json"), "w") as f:
            json.dump(settings, f)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_HOME=os.path.join(self.base, ".a"),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0")
        playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        proc = subprocess.run([playbook, "-i", "inventory.yml", "play.yml", "-e", "@settings.json"] + list(extra),
                              cwd=self.base, env=env, capture_output=True, text=True, timeout=300, check=False)
        recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout)
        return proc, (int(recap.group(2)) if recap else None)


def load_dir(path):
    out = {}
    for name in sorted(os.listdir(path)):
        with open(os.path.join(path, name)) as f:
            out[name] = [d for d in yaml.safe_load_all(f) if d is not None]
    return out


def settings(out_dir, **more):
    base = {
        "ingress_controller_manifest_dir": str(out_dir),
        "ingress_controller_proxy_timeouts_ms": True,
        "ingress_controller_template_src": os.path.join(FIXTURES, "1.15.1", "nginx.tmpl"),
        "ingress_controller_real_ip_from": ["198.18.0.2", "198.18.0.3"],
        "ingress_controller_tolerations": [{"key": "node-role.kubernetes.io/ingress", "operator": "Exists",
                                            "effect": "NoSchedule"}],
    }
    base.update(more)
    return base


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("ingress_controller")
    out = base / "manifests"
    runner = Runner(base)
    first, first_changed = runner.run(settings(out))
    assert first.returncode == 0, first.stdout + first.stderr
    snapshot = {n: (out / n).read_text() for n in os.listdir(out)}
    second, second_changed = runner.run(settings(out))
    assert second.returncode == 0, second.stdout + second.stderr
    return {"runner": runner, "base": base, "out": out, "docs": load_dir(out), "snapshot": snapshot,
            "changed": (first_changed, second_changed)}


def find(docs, kind):
    hits = [d for file_docs in docs.values() for d in file_docs if d["kind"] == kind]
    assert len(hits) == 1, kind
    return hits[0]


def test_writes_every_manifest(rendered):
    assert sorted(rendered["docs"]) == FILES
    kinds = sorted(d["kind"] for file_docs in rendered["docs"].values() for d in file_docs)
    assert kinds == ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "ConfigMap", "DaemonSet", "IngressClass",
                     "Namespace", "Role", "RoleBinding", "ServiceAccount"]


@pytest.mark.parametrize("k8s_version", KUBERNETES_VERSIONS)
def test_manifests_pass_the_strict_schemas(rendered, k8s_version):
    for name, file_docs in rendered["docs"].items():
        for doc in file_docs:
            kubernetes_validate.validate(doc, k8s_version, strict=True)


def test_the_schema_check_can_fail():
    """The validation above would catch an unknown field or a wrong type: it is not a no-op."""
    bad = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"},
           "spec": {"selector": {"matchLabels": {"a": "b"}}, "updateStrategy": {"type": "OnDelete"},
                    "template": {"metadata": {"labels": {"a": "b"}},
                                 "spec": {"hostNetwork": "yes", "containers": [{"name": "c", "image": "i"}]}}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)
    bad["spec"]["template"]["spec"]["hostNetwork"] = True
    bad["spec"]["template"]["spec"]["hostNetwrok"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)


def test_daemonset_values(rendered):
    ds = find(rendered["docs"], "DaemonSet")
    spec = ds["spec"]
    pod = spec["template"]["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}
    assert spec["selector"]["matchLabels"] == spec["template"]["metadata"]["labels"]
    assert pod["hostNetwork"] is True
    assert pod["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux", "node-role.kubernetes.io/ingress": "true"}
    assert pod["tolerations"] == [{"key": "node-role.kubernetes.io/ingress", "operator": "Exists",
                                   "effect": "NoSchedule"}]
    assert pod["serviceAccountName"] == "ingress-nginx-controller"
    # 30 s shutdown grace + 60 s worker-shutdown-timeout + 10 s post-shutdown grace
    assert pod["terminationGracePeriodSeconds"] == 100
    (container,) = pod["containers"]
    assert container["image"] == IMAGE_1_15_1
    assert "--shutdown-grace-period=30" in container["args"]
    assert "--post-shutdown-grace-period=10" in container["args"]
    assert "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller" in container["args"]
    assert not [e for e in container["env"] if e["name"] == "GRACE_STOP_PERIOD"]
    assert container["lifecycle"] == {"preStop": {"exec": {"command": ["/wait-shutdown"]}}}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": 10254, "scheme": "HTTP"}, probe
    assert {p["containerPort"]: p["hostPort"] for p in container["ports"]} == {80: 80, 443: 443}
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert mounts["lvs-ingress-switches"]["mountPath"] == "/run/lvs_ingress"
    assert volumes["lvs-ingress-switches"]["hostPath"] == {"path": "/run/lvs_ingress", "type": "DirectoryOrCreate"}
    assert mounts["nginx-template"]["mountPath"] == "/etc/nginx/template/nginx.tmpl"
    assert mounts["nginx-template"]["subPath"] == "nginx.tmpl"
    assert volumes["nginx-template"]["configMap"]["name"] == "ingress-nginx-controller-template"
    assert len(spec["template"]["metadata"]["annotations"]["baremetal.lvs_ingress/nginx-tmpl-sha256"]) == 64


def test_configmap_values(rendered):
    cms = {d["metadata"]["name"]: d for d in rendered["docs"]["configmap.yaml"] + rendered["docs"]["template-configmap.yaml"]}
    data = cms["ingress-nginx-controller"]["data"]
    assert all(isinstance(v, str) for v in data.values())
    assert data["worker-shutdown-timeout"] == "60s"
    assert data["keep-alive"] == "65"
    assert data["enable-real-ip"] == "true"
    assert data["forwarded-for-header"] == "X-Forwarded-For"
    assert data["proxy-real-ip-cidr"] == "198.18.0.2,198.18.0.3"
    assert data["use-forwarded-headers"] == "false"
    assert data["log-format-escape-json"] == "true"
    assert json.loads(data["log-format-upstream"])["remote_addr"] == "$remote_addr"
    assert (data["proxy-connect-timeout"], data["proxy-send-timeout"], data["proxy-read-timeout"]) == \
        ("1000", "60000", "60000")
    lvscheck = data["http-snippet"]
    assert "server_name lvscheck;" in lvscheck and "listen 80;" in lvscheck
    assert re.search(r"location = /status \{\s*if \(-f /run/lvs_ingress/drain\) \{\s*return 503", lvscheck)
    assert "proxy_pass http://127.0.0.1:10254/healthz;" in lvscheck
    close = data["server-snippet"]
    assert "if (-f /run/lvs_ingress/close)" in close and "keepalive_timeout 0;" in close
    tmpl = cms["ingress-nginx-controller-template"]["data"]["nginx.tmpl"]
    assert "proxy_connect_timeout                   {{ $location.Proxy.ConnectTimeout }}ms;" in tmpl
    assert "}}s;" not in tmpl.split("proxy_connect_timeout")[1].split("proxy_pass")[0]


def test_ingress_class_and_rbac(rendered):
    assert find(rendered["docs"], "IngressClass")["spec"] == {"controller": "k8s.io/ingress-nginx"}
    role = find(rendered["docs"], "Role")
    lease = [r for r in role["rules"] if r.get("resourceNames")]
    assert lease == [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                      "resourceNames": ["ingress-nginx-controller-leader"], "verbs": ["get", "update"]}]
    binding = find(rendered["docs"], "ClusterRoleBinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "ingress-nginx-controller",
                                    "namespace": "ingress-nginx"}]


def test_second_run_changes_nothing(rendered):
    first, second = rendered["changed"]
    assert first and first > 0
    assert second == 0
    out = rendered["out"]
    assert {n: (out / n).read_text() for n in os.listdir(out)} == rendered["snapshot"]


def test_check_mode_reports_and_writes_nothing(rendered):
    runner, out = rendered["runner"], rendered["out"]
    proc, changed = runner.run(settings(out, ingress_controller_proxy_timeouts_ms=False,
                                        ingress_controller_shutdown_grace_period=45), "--check", "--diff")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert changed and changed > 0
    assert "-  proxy-connect-timeout: '1000'" in proc.stdout
    assert "+      terminationGracePeriodSeconds: 115" in proc.stdout
    assert {n: (out / n).read_text() for n in os.listdir(out)} == rendered["snapshot"]


def test_without_edits_no_template_is_mounted_and_the_old_file_goes(rendered, tmp_path):
    runner = rendered["runner"]
    out = tmp_path / "m"
    proc, _changed = runner.run(settings(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "template-configmap.yaml").exists()
    proc, changed = runner.run(settings(out, ingress_controller_proxy_timeouts_ms=False,
                                        ingress_controller_template_src=""))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docs = load_dir(out)
    assert "template-configmap.yaml" not in docs
    pod = find(docs, "DaemonSet")["spec"]["template"]["spec"]
    assert [v["name"] for v in pod["volumes"]] == ["lvs-ingress-switches"]
    assert "proxy-connect-timeout" not in find(docs, "ConfigMap")["data"]


def test_an_older_patched_image_gets_grace_stop_period(rendered, tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0.26.1.yml").write_text(yaml.safe_dump({"image": "example.invalid/ingress-nginx/controller:0.26.1-grace@sha256:" + "a" * 64}))
    out = tmp_path / "m"
    proc, _changed = rendered["runner"].run(settings(out, ingress_controller_version="0.26.1",
                                                     ingress_controller_versions_dir=str(versions),
                                                     ingress_controller_proxy_timeouts_ms=False,
                                                     ingress_controller_termination_grace_period=300))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pod = find(load_dir(out), "DaemonSet")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert {"name": "GRACE_STOP_PERIOD", "value": "30"} in container["env"]
    assert not [a for a in container["args"] if "shutdown-grace-period" in a]
    assert pod["terminationGracePeriodSeconds"] == 300
    for k8s_version in (KUBERNETES_VERSIONS[0], KUBERNETES_VERSIONS[-1]):
        kubernetes_validate.validate(find(load_dir(out), "DaemonSet"), k8s_version, strict=True)


def test_a_version_without_a_verified_digest_takes_the_given_one(rendered, tmp_path):
    """1.13.9: the role knows its anchors, not its digest; with the user's image by digest it renders."""
    image = "registry.example.invalid/ingress-nginx/controller:v1.13.9@sha256:" + "b" * 64
    out = tmp_path / "m"
    proc, _changed = rendered["runner"].run(settings(
        out, ingress_controller_version="1.13.9", ingress_controller_image=image,
        ingress_controller_template_src=os.path.join(FIXTURES, "1.13.9", "nginx.tmpl")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docs = load_dir(out)
    (container,) = find(docs, "DaemonSet")["spec"]["template"]["spec"]["containers"]
    assert container["image"] == image
    assert "--shutdown-grace-period=30" in container["args"]
    tmpl = docs["template-configmap.yaml"][0]["data"]["nginx.tmpl"]
    assert "controller-v1.13.9's nginx.tmpl" in tmpl
    assert tmpl.count("}}ms;") == 6


REFUSALS = [
    ({"ingress_controller_image": "registry.k8s.io/ingress-nginx/controller:v1.15.1"},
     "ingress_controller_image=registry.k8s.io/ingress-nginx/controller:v1.15.1: the image must be pinned by digest"),
    ({"ingress_controller_version": "1.14.5", "ingress_controller_template_src": os.path.join(FIXTURES, "1.14.5", "nginx.tmpl")},
     "ingress_controller_image is empty and controller 1.14.5 has no verified digest"),
    ({"ingress_controller_termination_grace_period": 90},
     "ingress_controller_termination_grace_period=90 does not cover the controller's shutdown"),
    ({"ingress_controller_version": "1.12.0"},
     "ingress_controller_version=1.12.0: no known anchors or image for this controller version"),
    ({"ingress_controller_node_selector": {"node-role.kubernetes.io/ingress": "yes"}},
     'ingress_controller_node_selector={"node-role.kubernetes.io/ingress": "yes"} matches no host of ingress_nodes'),
    ({"ingress_controller_nodes_group": "edge"},
     "ingress_controller_nodes_group=edge: no such group"),
    ({"ingress_controller_template_edits": [{"anchor": "gzip on;", "insert_after": ["gzip_vary on;"]}]},
     "nginx.tmpl of controller 1.15.1 has no line 'gzip on;'"),
    # (an anchor with Go template braces would need !unsafe in an inventory; extra vars cannot say it)
    ({"ingress_controller_template_edits": [{"anchor": "# Custom code snippet configured in the configuration configmap",
                                             "insert_after": ["# x"]}]},
     "nginx.tmpl of controller 1.15.1: anchor '# Custom code snippet configured in the configuration configmap' "
     "is ambiguous: it matches lines 16, 24"),
    ({"ingress_controller_template_src": ""},
     "ingress_controller_template_src is empty"),
    ({"ingress_controller_real_ip_from": ["198.18.0.300"]},
     "ingress_controller_real_ip_from=198.18.0.300 is not an IP network"),
    ({"ingress_controller_close_flag": "/run/other/close"},
     "ingress_controller_close_flag=/run/other/close: must be absolute paths in one directory"),
]


def test_refusals_name_the_variable_and_write_nothing(rendered, tmp_path):
    """Each bad setting alone; the runs go four at a time (each fails in the role's checks, before any write)."""
    def one(case):
        index, (more, message) = case
        out = tmp_path / ("m%d" % index)
        base = tmp_path / ("r%d" % index)
        base.mkdir()
        runner = Runner(base)
        proc, _changed = runner.run(settings(out, **more))
        text = " ".join((proc.stdout + proc.stderr).split())
        if proc.returncode == 0:
            return "%s: the run did not fail" % message
        if message not in text:
            return "%s: not in the output: %s" % (message, text[-1500:])
        if out.exists():
            return "%s: %s was written" % (message, out)
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = [p for p in pool.map(one, enumerate(REFUSALS)) if p]
    assert problems == []


def test_the_switches_are_the_nodes_switches():
    """One definition: the pod mounts the directory of the same files the node modules and ingress_node use."""
    from ansible_collections.baremetal.lvs_ingress.plugins.module_utils import _node_switches

    def defaults(role):
        with open(os.path.join(ROOT, "roles", role, "defaults", "main.yml")) as f:
            return yaml.safe_load(f)

    controller, node = defaults("ingress_controller"), defaults("ingress_node")
    assert controller["ingress_controller_drain_flag"] == node["ingress_node_drain_flag"] == _node_switches.DRAIN_FLAG
    assert controller["ingress_controller_close_flag"] == node["ingress_node_close_flag"] == _node_switches.CLOSE_FLAG

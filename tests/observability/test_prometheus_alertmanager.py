"""Vigil with the real observability stack, all on loopback:

- a real Prometheus scrapes `vigil serve`'s /metrics; `promtool check metrics` accepts the exposition and a
  PromQL query returns the SLI the SLO API reports;
- a real Alertmanager receives the firing alert through its v2 API, with Vigil's labels for routing.

Debian's `prometheus` and `prometheus-alertmanager` packages are installed by scripts/test (and .ci/run).
"""

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from support import VIGIL, free_port  # noqa: E402


def binary(name):
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
    if path is None:
        pytest.fail(f"{name} is not installed: scripts/test installs Debian's prometheus and prometheus-alertmanager")
    return path


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def send(url, body, method="POST"):
    req = urllib.request.Request(url, body.encode(), method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.loads(r.read() or b"{}")


def wait_for(what, check, timeout=60):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError as e:  # not up yet
            last = e
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what} (last error: {last})")


class Process:
    def __init__(self, args, log):
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def stack(tmp_path):
    """Alertmanager, then Vigil pointing at it, then Prometheus scraping Vigil every second."""
    logs = open(tmp_path / "stack.log", "w")
    started = []
    am_port, vigil_port, prom_port = free_port(), free_port(), free_port()
    (tmp_path / "am.yml").write_text(
        "route:\n  receiver: default\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: default\n")
    started.append(Process([
        binary("prometheus-alertmanager"), f"--config.file={tmp_path / 'am.yml'}",
        f"--storage.path={tmp_path / 'am'}", f"--web.listen-address=127.0.0.1:{am_port}",
        "--cluster.listen-address="], logs))
    am = f"http://127.0.0.1:{am_port}"
    wait_for("alertmanager", lambda: get(am + "/-/ready"))

    started.append(Process([
        str(VIGIL), "serve", "--data", str(tmp_path / "vigil"), "--port", str(vigil_port),
        "--alert-interval", "1s", "--alertmanager-url", am], logs))
    vigil = f"http://127.0.0.1:{vigil_port}"
    wait_for("vigil", lambda: json.loads(get(vigil + "/readyz")).get("status") == "ready")

    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"scrape_configs:\n  - job_name: vigil\n    static_configs:\n      - targets: ['127.0.0.1:{vigil_port}']\n")
    started.append(Process([
        binary("prometheus"), f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'prom'}", f"--web.listen-address=127.0.0.1:{prom_port}"], logs))
    prom = f"http://127.0.0.1:{prom_port}"
    wait_for("prometheus", lambda: get(prom + "/-/ready"))
    try:
        yield {"vigil": vigil, "prometheus": prom, "alertmanager": am, "log": tmp_path / "stack.log"}
    finally:
        for p in reversed(started):
            p.stop()
        logs.close()


def iso(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_failing_model(vigil):
    """100 recent predictions whose labels are all wrong: a 10x burn of a 10% budget."""
    now = datetime.now(timezone.utc)
    predictions = "\n".join(json.dumps({
        "id": f"p{i}", "ts": iso(now - timedelta(minutes=10)), "model": "fraud", "version": "v1",
        "score": 0.9, "prediction": 1, "features": {"amount": 10.0 + i}}) for i in range(100))
    feedback = "\n".join(json.dumps({"id": f"p{i}", "ts": iso(now), "label": 0}) for i in range(100))
    assert send(vigil + "/v1/predictions", predictions)[0] == 200
    assert send(vigil + "/v1/feedback", feedback)[0] == 200
    slo = {"model": "fraud", "sli": "accuracy", "objective": ">= 0.9", "window": "1d", "min_samples": 50,
           "owner": "risk-team", "labels": {"team": "risk"}}
    assert send(vigil + "/v1/slos/fraud-accuracy", json.dumps(slo), method="PUT")[0] == 201


def test_prometheus_scrapes_valid_metrics_and_queries_the_sli(stack):
    vigil, prom = stack["vigil"], stack["prometheus"]
    load_failing_model(vigil)

    exposition = get(vigil + "/metrics")
    check = subprocess.run([binary("promtool"), "check", "metrics"], input=exposition, capture_output=True)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()

    status = json.loads(get(vigil + "/v1/slos/fraud-accuracy"))["status"]
    assert status["value"]["n"] == 100 and status["value"]["value"] == 0
    query = urllib.parse.quote('vigil_slo_sli{slo="fraud-accuracy"}')

    def sli_from_prometheus():
        result = json.loads(get(f"{prom}/api/v1/query?query={query}"))["data"]["result"]
        return result[0] if result else None

    sample = wait_for("Prometheus to scrape the SLI", sli_from_prometheus)
    assert sample["metric"]["model"] == "fraud"
    assert float(sample["value"][1]) == status["value"]["value"]
    burn = json.loads(get(f"{prom}/api/v1/query?query=" + urllib.parse.quote(
        'vigil_slo_burn_rate{slo="fraud-accuracy",window="1d"}')))["data"]["result"]
    assert abs(float(burn[0]["value"][1]) - 10.0) < 1e-9  # 100% bad over a 10% budget

    targets = json.loads(get(prom + "/api/v1/targets"))["data"]["activeTargets"]
    assert targets[0]["health"] == "up", targets


def test_alertmanager_receives_the_firing_alert(stack):
    vigil, am = stack["vigil"], stack["alertmanager"]
    load_failing_model(vigil)

    def fired():
        alerts = json.loads(get(am + "/api/v2/alerts"))
        return [a for a in alerts if a["labels"].get("slo") == "fraud-accuracy"] or None

    alerts = wait_for("the alert in Alertmanager", fired)
    rules = sorted(a["labels"]["rule"] for a in alerts)
    assert rules == ["page-6h", "ticket-3d"], alerts
    page = next(a for a in alerts if a["labels"]["rule"] == "page-6h")
    assert page["labels"]["severity"] == "page"
    assert page["labels"]["owner"] == "risk-team" and page["labels"]["team"] == "risk"
    assert page["labels"]["alertname"] == "VigilSLO"
    assert page["status"]["state"] == "active"
    assert float(page["annotations"]["sli_value"]) == 0.0
    assert page["generatorURL"].endswith("/v1/slos/fraud-accuracy")

    vigil_alerts = json.loads(get(vigil + "/v1/alerts?state=firing"))["alerts"]
    assert sorted(a["rule"] for a in vigil_alerts) == rules

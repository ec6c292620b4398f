"""MLflow registry sync against a real `mlflow server` (SQLite backend) and a real `vigil serve`: aliased
versions become deployments with their training runs' metrics, commits and datasets; moving the aliases
promotes and retires; a second sync with nothing new changes nothing; the server's poller does the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

# MLflow 3's telemetry thread sets and unsets an environment variable while requests iterates os.environ,
# which fails the iteration now and then (KeyError: '_MLFLOW_TELEMETRY_SESSION_ID'). Nothing here can reach
# its endpoint anyway; the spawned tracking server inherits the setting.
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"

import mlflow  # installed by scripts/test  # noqa: E402
import pytest
from support import VIGIL, free_port, wait_until_ready


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A tracking server with model `fraud`: three runs, three versions, champion on 1 and challenger on 2."""
    home = tmp_path_factory.mktemp("mlflow")
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
                             "--backend-store-uri", f"sqlite:///{home}/mlflow.db",
                             "--default-artifact-root", str(home / "artifacts"), "--workers", "1"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(uri + "/health", proc, "mlflow server")
        mlflow.set_tracking_uri(uri)
        client = mlflow.MlflowClient(uri)
        mlflow.set_experiment("fraud")
        runs = []
        for i, (accuracy, auc) in enumerate([(0.91, 0.95), (0.93, 0.96), (0.90, 0.94)]):
            with mlflow.start_run() as run:
                mlflow.log_metric("accuracy", accuracy - 0.05, step=0)  # an earlier epoch: the last step wins
                mlflow.log_metric("accuracy", accuracy, step=1)
                mlflow.log_metric("roc_auc", auc)
                mlflow.set_tag("mlflow.source.git.commit", f"c0ffee{i}")
                runs.append(run.info.run_id)
        client.create_registered_model("fraud")
        for run in runs:
            client.create_model_version("fraud", f"runs:/{run}/model", run_id=run)
        client.set_registered_model_alias("fraud", "champion", "1")
        client.set_registered_model_alias("fraud", "challenger", "2")
        yield uri, client, runs
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def serve(data, *extra):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(VIGIL), "serve", "--data", str(data), "--port", str(port), "--log-level", "warning",
                             *extra])
    wait_until_ready(url + "/readyz", proc, "vigil serve")
    return url, proc


def sync(url, uri, *extra):
    return subprocess.run([str(VIGIL), "mlflow", "sync", "--server", url, "--tracking-uri", uri, "--model", "fraud",
                           "--version-template", "v{version}", *extra], capture_output=True, text=True, timeout=120)


def deployments(url):
    return {d["version"]: d for d in get(url + "/v1/models/fraud/deployments")["deployments"]}


def test_aliases_become_deployments_and_moving_them_promotes(registry, tmp_path):
    uri, client, runs = registry
    url, proc = serve(tmp_path / "vigil")
    try:
        run = sync(url, uri)
        assert run.returncode == 0, run.stdout + run.stderr
        found = deployments(url)
        assert {v: d["stage"] for v, d in found.items()} == {"v1": "primary", "v2": "canary"}  # v3 has no alias
        v1 = found["v1"]
        assert v1["offline_metrics"] == {"accuracy": 0.91, "roc_auc": 0.95}
        assert v1["training_run"] == f"mlflow:{runs[0]}" and v1["code_ref"] == "c0ffee0"
        assert v1["labels"]["mlflow.model"] == "fraud" and v1["labels"]["mlflow.aliases"] == "champion"
        assert found["v2"]["offline_metrics"]["accuracy"] == 0.93

        again = sync(url, uri)
        assert again.returncode == 0 and "no change" in again.stdout, again.stdout

        # Promote 2 to champion, 3 to challenger: v2 primary, v1 retired, v3 canary.
        client.set_registered_model_alias("fraud", "champion", "2")
        client.set_registered_model_alias("fraud", "challenger", "3")
        moved = sync(url, uri)
        assert moved.returncode == 0, moved.stdout + moved.stderr
        found = deployments(url)
        assert {v: d["stage"] for v, d in found.items()} == {"v1": "retired", "v2": "primary", "v3": "canary"}
        timeline = [c["summary"] for c in get(url + "/v1/models/fraud/changes")["changes"]]
        assert "v1: primary → retired" in timeline and "v2: canary → primary" in timeline
        # Readiness can now compare MLflow's offline numbers with what the server sees.
        assert found["v3"]["offline_metrics"] == {"accuracy": 0.90, "roc_auc": 0.94}
    finally:
        proc.terminate()
        proc.wait(30)
        client.set_registered_model_alias("fraud", "champion", "1")
        client.set_registered_model_alias("fraud", "challenger", "2")


def test_the_server_polls_the_registry(registry, tmp_path):
    uri, _, _ = registry
    url, proc = serve(tmp_path / "vigil", "--mlflow-tracking-uri", uri, "--mlflow-model", "fraud=fraud",
                      "--mlflow-poll", "1s", "--mlflow-version-template", "v{version}")
    try:
        deadline = time.time() + 60
        found = {}
        while time.time() < deadline and len(found) < 2:
            try:
                found = deployments(url)
            except urllib.error.HTTPError:
                pass
            time.sleep(0.3)
        assert {v: d["stage"] for v, d in found.items()} == {"v1": "primary", "v2": "canary"}
        assert found["v1"]["offline_metrics"]["roc_auc"] == 0.95
    finally:
        proc.terminate()
        proc.wait(30)


def test_an_unknown_registered_model_is_a_clear_error(registry, tmp_path):
    uri, _, _ = registry
    url, proc = serve(tmp_path / "vigil")
    try:
        run = subprocess.run([str(VIGIL), "mlflow", "sync", "--server", url, "--tracking-uri", uri, "--model", "nope"],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 2
        assert "not found" in run.stderr and "nope" in run.stderr
    finally:
        proc.terminate()
        proc.wait(30)

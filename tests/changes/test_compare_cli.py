"""`vigil compare` against a real server loaded with the canary fixture: a version whose offline recall is far
from its online one is reported as skewed, a canary worse in one region as `fail`, both with exit status 1;
a consistent version exits 0, an unknown one 2."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest
from support import ROOT, VIGIL, free_port, wait_until_ready

import vigil

CANARY = ROOT / "Tests" / "Fixtures" / "canary"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(VIGIL), "serve", "--data", str(tmp_path_factory.mktemp("compare")),
                             "--port", str(port), "--log-level", "warning"])
    wait_until_ready(url + "/readyz", proc, "vigil serve")
    client = vigil.Client(url)
    predictions = pd.read_csv(CANARY / "predictions.csv").rename(columns={"timestamp": "ts"})
    client.log_predictions(predictions, model="fraud", segments=["region"])
    client.log_feedback_batch(pd.read_csv(CANARY / "feedback.csv").rename(columns={"timestamp": "ts"}))
    expected = json.loads((CANARY / "expected.json").read_text())["slices"]["overall"]
    client.deploy("fraud", "v1", "primary", 0.8, offline_metrics={
        "accuracy": expected["accuracy"]["baseline"]["value"], "roc_auc": expected["roc_auc"]["baseline"]["value"]})
    client.deploy("fraud", "v2", "canary", 0.2, offline_metrics={
        "accuracy": expected["accuracy"]["candidate"]["value"], "recall": 0.99})
    yield url
    proc.terminate()
    proc.wait(30)


def compare(url, *args):
    return subprocess.run([str(VIGIL), "compare", "--server", url, *args], capture_output=True, text=True, timeout=60)


def test_a_consistent_version_exits_0(server):
    run = compare(server, "fraud", "v1")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "fraud v1: offline against online metrics — consistent" in run.stdout
    assert [line.split()[-1] for line in run.stdout.splitlines()[3:5]] == ["consistent", "consistent"]


def test_skew_and_a_worse_canary_exit_1(server):
    run = compare(server, "fraud", "v2", "--baseline", "v1", "--by", "region", "--margin", "0.05")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "train/serve skew in recall" in run.stdout
    assert "v2 against v1 (margin 0.0500): fail" in run.stdout
    assert "roll back to v1: " in run.stdout and "region:apac" in run.stdout
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith("region:apac")]
    assert len(rows) == 5 and all(r[-2:] == ["worse", "worse"] for r in rows)


def test_an_unknown_deployment_exits_2(server):
    run = compare(server, "fraud", "v9")
    assert run.returncode == 2
    assert "no deployment 'v9'" in run.stderr

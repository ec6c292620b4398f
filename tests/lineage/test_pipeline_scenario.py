"""Issue 20's scenario end to end on a real `vigil serve`: a feature job's runs arrive through the real
`openlineage-python` client; the job stops and its freshness SLO fires through the webhook; a retrain on a
dataset version with a broken column is refused by the gate (`vigil gate check`, exit 1, violations named);
the trace of a prediction served by the model trained on that data names the broken dataset version and the
run that wrote it; `blame` over flagged outputs ranks that run first; a restart keeps runs, gates, flags and
pipeline SLOs; the dashboard's Pipeline and trace pages show it all."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import time
import uuid

import pytest
import vigil
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import data_quality_metrics_input_dataset as dqm
from openlineage.client.facet_v2 import dataset_version_dataset, output_statistics_output_dataset, schema_dataset
from openlineage.client.transport.http import HttpConfig, HttpTransport
from support import ROOT, VIGIL, Receiver, vigil_server, wait_for

sys.path.insert(0, str(ROOT / "tests" / "dashboard"))
import browser  # noqa: E402

RULES = {"columns": {"fare": {"type": "numeric", "max_missing_fraction": 0.01},
                     "distance": {"type": "numeric", "max_missing_fraction": 0.01}}}
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
BASE = NOW - datetime.timedelta(hours=2)


def at(minutes):
    return (BASE + datetime.timedelta(minutes=minutes)).isoformat()


def features_run(ol, run_id, start, null_fares, version, when=None):
    """A run of taxi/build-features writing lake/features.trips (1,000 rows, `null_fares` of them null)."""
    output = OutputDataset(namespace="lake", name="features.trips", facets={
        "schema": schema_dataset.SchemaDatasetFacet(fields=[
            schema_dataset.SchemaDatasetFacetFields(name="fare", type="double"),
            schema_dataset.SchemaDatasetFacetFields(name="distance", type="double")]),
        "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=version)},
        outputFacets={
            "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(rowCount=1000),
            "dataQualityMetrics": dqm.DataQualityMetricsInputDatasetFacet(
                rowCount=1000, columnMetrics={"fare": dqm.ColumnMetrics(nullCount=null_fares),
                                              "distance": dqm.ColumnMetrics(nullCount=0)})})
    job = Job(namespace="taxi", name="build-features")
    times = when or (at(start), at(start + 1))
    ol.emit(RunEvent(eventType=RunState.START, eventTime=times[0], run=Run(runId=run_id), job=job,
                     producer="https://example.com/feature-job"))
    ol.emit(RunEvent(eventType=RunState.COMPLETE, eventTime=times[1], run=Run(runId=run_id), job=job,
                     producer="https://example.com/feature-job", outputs=[output]))


def training_run(ol, run_id, start, version):
    features = InputDataset(namespace="lake", name="features.trips", facets={
        "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=version)})
    job = Job(namespace="taxi", name="train-taxi")
    for state, minute in ((RunState.START, start), (RunState.COMPLETE, start + 1)):
        ol.emit(RunEvent(eventType=state, eventTime=at(minute), run=Run(runId=run_id), job=job,
                         producer="https://example.com/train", inputs=[features]))


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_from_a_stopped_feature_job_to_the_run_that_broke_the_model(tmp_path):
    receiver = Receiver()
    serve = ("--alert-interval", "1s", "--webhook-url", receiver.url)
    with vigil_server(tmp_path / "data", *serve) as url:
        client = vigil.Client(url)
        ol = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url)))
        client._transport.put_json("/v1/gates/trips-gate", RULES)
        client.declare_gates("build-features", ["trips-gate"], namespace="taxi")

        # Yesterday's history: a good feature run, v1 trained on it; a broken one (30 % null fares), v2 trained on it.
        good, broken = str(uuid.uuid4()), str(uuid.uuid4())
        train1, train2 = str(uuid.uuid4()), str(uuid.uuid4())
        features_run(ol, good, 0, null_fares=2, version="v1")
        training_run(ol, train1, 5, "v1")
        features_run(ol, broken, 10, null_fares=300, version="v2")
        training_run(ol, train2, 15, "v2")
        client.deploy("taxi-tip", "v1", stage="primary", training_run=f"openlineage:{train1}")
        client.deploy("taxi-tip", "v2", stage="canary", training_run=f"openlineage:{train2}")
        # The declared gate checked each feature run's output from its facets when it completed.
        checks = client._transport.get(f"/v1/runs/{broken}")["gate_checks"]
        assert [c["verdict"] for c in checks] == ["fail"]
        assert checks[0]["columns"][0]["column"] == "fare"
        assert client._transport.get(f"/v1/runs/{good}")["gate_checks"][0]["verdict"] == "pass"

        # Predictions of both versions over the last hour.
        rows = [{"id": f"{v}-{i}", "ts": (NOW - datetime.timedelta(minutes=60 - i % 60)).isoformat(), "model": "taxi-tip",
                 "version": v, "score": 0.5} for v in ("v1", "v2") for i in range(100)]
        client._transport.request("POST", "/v1/predictions", body="\n".join(json.dumps(r) for r in rows).encode(),
                                  content_type="application/x-ndjson")

        # The feature job runs now, then stops: its freshness SLO (data at most 4 s old) fires through the webhook.
        client.define_slo("trips-fresh", None, "dataset.freshness", "<= 4", "1d", dataset=("lake", "features.trips"),
                          owner="data-eng")
        for _ in range(2):
            now = datetime.datetime.now(datetime.timezone.utc)
            features_run(ol, str(uuid.uuid4()), 0, null_fares=1, version="v3",
                         when=(now.isoformat(), now.isoformat()))
            assert client.slo("trips-fresh")["status"]["verdict"] == "ok"
            time.sleep(0.5)
        wait_for("the freshness alert on the webhook",
                 lambda: any(n["status"] == "firing" and n["alert"]["slo"] == "trips-fresh" for n in receiver.bodies))
        alert = next(n for n in receiver.bodies if n["alert"]["slo"] == "trips-fresh")["alert"]
        assert alert["subject"] == "lake/features.trips" and alert["owner"] == "data-eng"
        assert alert["summary"].startswith("dataset lake/features.trips: SLO trips-fresh (dataset.freshness <= 4.0)")

        # A retrain in CI on the broken version's rows is refused: exit 1, the broken column named.
        broken_rows = tmp_path / "features-v2.csv"
        broken_rows.write_text("fare,distance\n" + "\n".join(
            f"{'' if i < 30 else 10 + i % 7},{1 + i % 5}" for i in range(100)))
        refused = subprocess.run([str(VIGIL), "gate", "check", "trips-gate", "--server", url,
                                  "--data", str(broken_rows), "--dataset", "lake/features.trips"],
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "  fare: missing:" in refused.stdout and "  distance:" not in refused.stdout, refused.stdout

        # The trace of a v2 prediction names the broken dataset version and the run that wrote it.
        trace = client._transport.get("/v1/trace/v2-7")
        assert trace["training_run"]["run_id"] == train2
        feature_input = trace["inputs"][0]
        assert feature_input["facts"]["version"] == "v2"
        assert feature_input["produced_by"]["run_id"] == broken
        assert any(broken in s and "trips-gate failed" in s for s in trace["suspects"]), trace["suspects"]

        # Customers flag 40 of v2's outputs and 5 of v1's: blame ranks the broken feature run first.
        flagged = client.flag("taxi-tip", [f"v2-{i}" for i in range(40)] + [f"v1-{i}" for i in range(5)],
                              reason="refund requests")
        assert flagged["unknown_count"] == 0
        blame = client.blame("taxi-tip", start=NOW - datetime.timedelta(hours=3),
                             end=NOW + datetime.timedelta(minutes=1))
        assert blame.iloc[0]["node"] == f"run:{broken}", blame[["node", "excess", "evidence"]]
        assert blame.attrs["flagged"] == 45 and blame.attrs["outputs"] == 200
        assert abs(blame.iloc[0]["flagged_share"] - 40 / 45) < 1e-12
        assert abs(blame.iloc[0]["unflagged_share"] - 60 / 155) < 1e-12
        # Backtested over the stored history, the freshness alert fires at the first step after the good run's
        # write (BASE + 1 min) is more than 4 s old: BASE + 5 min.
        answer = client._transport.get("/v1/slos/trips-fresh/backtest", **{
            "from": BASE.isoformat(), "to": (BASE + datetime.timedelta(minutes=30)).isoformat(), "step": "5m"})
        first = answer["backtest"]["transitions"][0]
        assert first["to"] == "firing" and parse_time(first["at"]) == BASE + datetime.timedelta(minutes=5)

        # The dashboard shows the jobs, the failed gate and the firing SLO, and the trace with its suspect.
        page = browser.dump_dom(url + "/pipeline")
        page.find(data_job="taxi/build-features")
        assert page.find(data_slo="trips-fresh").find(data_k="verdict").attrs["data-value"] == "breached"
        # The gate's last check is the refused retrain's.
        assert page.find(data_gate="trips-gate").find(data_k="verdict").attrs["data-value"] == "fail"
        trace_page = browser.dump_dom(url + "/trace/v2-7")
        assert broken in trace_page.find(data_k="suspects").text
        assert "v2" in trace_page.find(data_step="dataset").text

    # A restart keeps runs, gates, flags and the pipeline SLO.
    with vigil_server(tmp_path / "data", *serve) as url:
        client = vigil.Client(url)
        assert client.slo("trips-fresh")["status"]["verdict"] == "breached"
        assert len(client._transport.get("/v1/flags", model="taxi-tip")["flags"]) == 1
        assert client._transport.get("/v1/jobs/taxi/build-features/gates")["gates"] == ["trips-gate"]
        assert client.blame("taxi-tip", start=NOW - datetime.timedelta(hours=3)).iloc[0]["node"] == f"run:{broken}"
    receiver.close()

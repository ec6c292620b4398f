"""The real `openlineage-python` client (its HTTP transport, API-key auth and gzip) posting to a real
`vigil serve`: runs out of order and retried, failures with their error message, datasets with their facets."""

from __future__ import annotations

import datetime
import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    data_quality_assertions_dataset,
    data_quality_metrics_input_dataset,
    error_message_run,
    output_statistics_output_dataset,
    schema_dataset,
)
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport
from support import VIGIL, free_port, wait_until_ready

WRITE, READ = "ol-write-secret", "ol-read-secret"
T0 = datetime.datetime(2026, 12, 3, 6, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(VIGIL), "serve", "--data", str(tmp_path_factory.mktemp("lineage")), "--port", str(port),
                             "--token", f"write:{WRITE}", "--token", f"read:{READ}", "--log-level", "warning"])
    wait_until_ready(url + "/healthz", proc, "vigil serve")
    yield url
    proc.terminate()
    proc.wait(30)


def get(url, path):
    request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {READ}"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def client(url, compression=None):
    return OpenLineageClient(transport=HttpTransport(HttpConfig(
        url=url, auth=ApiKeyTokenProvider({"apiKey": WRITE}), compression=compression)))


def features_event(state, minutes, run_id, **extra):
    raw = InputDataset(namespace="s3://lake", name="raw.trips", inputFacets={
        "dataQualityMetrics": data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet(
            rowCount=120_000, columnMetrics={"fare": data_quality_metrics_input_dataset.ColumnMetrics(nullCount=42)})})
    features = OutputDataset(namespace="s3://lake", name="features.trips", facets={
        "schema": schema_dataset.SchemaDatasetFacet(fields=[
            schema_dataset.SchemaDatasetFacetFields(name="fare", type="double"),
            schema_dataset.SchemaDatasetFacetFields(name="distance", type="double")]),
        "dataQualityAssertions": data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(assertions=[
            data_quality_assertions_dataset.Assertion(assertion="not_null", success=True, column="fare"),
            data_quality_assertions_dataset.Assertion(assertion="positive", success=False, column="distance")])},
        outputFacets={"outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
            rowCount=118_400)})
    return RunEvent(eventType=state, eventTime=(T0 + datetime.timedelta(minutes=minutes)).isoformat(),
                    run=Run(runId=run_id, facets=extra.get("run_facets", {})),
                    job=Job(namespace="taxi", name=extra.get("job", "build-features")),
                    producer="https://example.com/vigil-tests", inputs=[raw],
                    outputs=[features] if state == RunState.COMPLETE else [])


def test_runs_from_the_openlineage_client(server):
    ol = client(server)
    done, failed = str(uuid.uuid4()), str(uuid.uuid4())
    # The COMPLETE arrives before its START; the START is sent twice; the second job's run fails.
    ol.emit(features_event(RunState.COMPLETE, 12, done))
    ol.emit(features_event(RunState.START, 0, done))
    ol.emit(features_event(RunState.START, 0, done))
    gz = client(server, compression=HttpCompression.GZIP)
    gz.emit(features_event(RunState.START, 20, failed, job="train-taxi"))
    gz.emit(features_event(RunState.FAIL, 25, failed, job="train-taxi", run_facets={
        "errorMessage": error_message_run.ErrorMessageRunFacet(message="KeyError: 'fare'", programmingLanguage="python")}))

    jobs = {j["job"]["name"]: j for j in get(server, "/v1/jobs")["jobs"]}
    assert set(jobs) == {"build-features", "train-taxi"}
    run = jobs["build-features"]["latest"]
    assert (run["run_id"], run["state"], run["events"]) == (done, "COMPLETE", 3)
    assert run["started_at"] == "2026-12-03T06:00:00Z" and run["ended_at"] == "2026-12-03T06:12:00Z"
    assert run["inputs"][0]["null_counts"] == {"fare": 42} and run["inputs"][0]["row_count"] == 120_000
    assert jobs["build-features"]["last_success"] == "2026-12-03T06:12:00Z"
    train = jobs["train-taxi"]["latest"]
    assert train["state"] == "FAIL" and train["error_message"] == "KeyError: 'fare'"
    assert jobs["train-taxi"].get("last_success") is None

    dataset = get(server, "/v1/datasets/" + urllib.parse.quote("s3://lake", safe="") + "/features.trips")
    facts = dataset["versions"][0]["facts"]
    assert facts["row_count"] == 118_400 and [f["name"] for f in facts["fields"]] == ["fare", "distance"]
    assert [a["column"] for a in facts["assertions"] if not a["success"]] == ["distance"]
    readers = get(server, "/v1/datasets/" + urllib.parse.quote("s3://lake", safe="") + "/raw.trips")["consumers"]
    assert {r["job"]["name"] for r in readers} == {"build-features", "train-taxi"}


def test_the_lineage_endpoint_needs_a_write_token(server):
    request = urllib.request.Request(server + "/api/v1/lineage", data=b"{}", method="POST",
                                     headers={"Authorization": f"Bearer {READ}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403

"""Pipeline components and data gates from Python against a real server: each call of a component is a
run (COMPLETE, or FAIL with the exception), recorded as OpenLineage events; a gate raises on bad data and
its check is recorded on the component's run."""

from __future__ import annotations

import pandas as pd
import pytest
import requests

import vigil

RULES = {"columns": {"fare": {"type": "numeric", "max_missing_fraction": 0.0, "min": 0, "max": 500}}}


def test_components_record_runs_and_gates_stop_bad_data(server):
    client = vigil.Client(server.url)
    client._transport.put_json("/v1/gates/fares", RULES)
    seen = {}

    @vigil.component(job="build-features", namespace="taxi", inputs=[("s3://lake", "raw.trips")],
                     outputs=["features.trips"], code_version="9f2c1e7", client=client)
    def build(frame):
        seen["run"] = vigil.current_run_id()
        return vigil.gate("fares", frame, dataset="taxi/features.trips", client=client)

    good = build(pd.DataFrame({"trip": [1, 2, 3], "fare": [5.0, 7.5, 12.0]}))
    assert good["verdict"] == "pass" and good["run_id"] == seen["run"]
    with pytest.raises(vigil.GateFailed) as failed:
        build(pd.DataFrame({"trip": [4, 5, 6], "fare": [5.0, None, -1.0]}))
    assert "fare: missing" in str(failed.value) and "fare: range" in str(failed.value)
    assert vigil.current_run_id() is None

    runs = requests.get(server.url + "/v1/jobs/taxi/build-features/runs", timeout=10).json()["runs"]
    assert [r["state"] for r in runs] and sorted(r["state"] for r in runs) == ["COMPLETE", "FAIL"]
    complete = next(r for r in runs if r["state"] == "COMPLETE")
    assert complete["code_version"] == "9f2c1e7"
    assert [(d["namespace"], d["name"]) for d in complete["inputs"]] == [("s3://lake", "raw.trips")]
    assert [(d["namespace"], d["name"]) for d in complete["outputs"]] == [("taxi", "features.trips")]
    fail = next(r for r in runs if r["state"] == "FAIL")
    assert fail["error_message"].startswith("GateFailed: gate 'fares' failed")
    checks = requests.get(server.url + f"/v1/runs/{fail['run_id']}", timeout=10).json()["gate_checks"]
    assert [c["verdict"] for c in checks] == ["fail"]
    # Records work too, as NDJSON.
    assert vigil.gate("fares", [{"fare": 3}, {"fare": 4}], client=client)["rows"] == 2
    # So does a column profile, for data too large to send: 2 null fares in 10,000 rows break max 0 %.
    profile = {"rows": 10_000, "columns": {"fare": {"type": "numeric", "nulls": 2, "min": 0.5, "max": 320}}}
    with pytest.raises(vigil.GateFailed) as profiled:
        vigil.gate("fares", profile=profile, client=client)
    assert profiled.value.check["columns"][0]["violations"][0]["observed"] == 2 / 10_000
    profile["columns"]["fare"]["nulls"] = 0
    assert vigil.gate("fares", profile=profile, client=client)["verdict"] == "pass"


def test_an_unreachable_server_never_breaks_the_job(caplog):
    client = vigil.Client("http://127.0.0.1:9", timeout=0.5)

    @vigil.component(job="j", client=client)
    def work():
        return 42

    assert work() == 42
    assert "could not record START of default/j" in caplog.text

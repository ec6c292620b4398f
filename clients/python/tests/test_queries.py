"""Round trips of the bulk, query and definition calls against a real server holding the taxi fixture.

Expected values come from the fixture's expected.json (scikit-learn) or from pandas on the same CSVs.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import TAXI, taxi_expected, taxi_feedback, taxi_predictions, with_latest_labels
from sklearn.metrics import accuracy_score

import vigil


@pytest.fixture(scope="module")
def client(taxi_server):
    with vigil.Client(taxi_server.url) as c:
        yield c


def latest_labels() -> pd.DataFrame:
    """The labeled taxi predictions with the label in effect (corrections applied)."""
    return with_latest_labels(taxi_predictions(), taxi_feedback()).dropna(subset=["label"])


def test_bulk_ingest_reports_what_the_server_did(client):
    models = client.models()
    assert list(models.columns) == ["name", "task", "versions", "predictions", "first_event", "last_event",
                                    "custom_metrics", "segments", "classes"]
    row = models.set_index("name").loc["taxi-tip"]
    assert row.predictions == 20_000
    assert row.task == "binary" and row.versions == ["v1", "v2"]
    assert row.segments["payment_type"] == sorted(taxi_predictions()["payment_type"].unique())
    assert row.first_event == pd.Timestamp("2020-02-01T00:00:00Z")
    # Re-sending predictions still within the label horizon counts them as duplicates, not new rows.
    again = client.log_predictions(taxi_predictions().tail(100), model="taxi-tip",
                                   segments=["payment_type", "pickup_borough"])
    assert (again.accepted, again.duplicates, again.outcomes) == (100, 100, {"duplicate": 100})


def test_overall_metrics_equal_scikit_learn(client):
    expected = taxi_expected()["overall"]
    frame = client.metrics("taxi-tip", ["accuracy", "precision", "recall", "roc_auc", "count"])
    assert list(frame.columns) == ["from", "to", "metric", "value", "n", "lower", "upper"]
    assert len(frame) == 5
    values = frame.set_index("metric")["value"]
    for name in ["accuracy", "precision", "recall"]:
        assert values[name] == pytest.approx(expected[name], abs=1e-12)
    assert values["roc_auc"] == pytest.approx(expected["roc_auc"], abs=2e-3)  # histogram AUC
    assert values["count"] == expected["count"]
    accuracy = frame.set_index("metric").loc["accuracy"]
    assert accuracy.n == expected["labeled_count"] and accuracy.lower < accuracy.value < accuracy.upper


def test_daily_series_by_version(client):
    frame = client.metrics("taxi-tip", "accuracy", start="2020-02-01", end="2020-02-08", step="1d", by="version")
    assert list(frame.columns) == ["version", "from", "to", "metric", "value", "n", "lower", "upper"]
    assert len(frame) == 7 * 2
    assert frame["from"].dt.tz is not None
    joined = latest_labels()
    joined["day"] = pd.to_datetime(joined["timestamp"], utc=True).dt.floor("D")
    for _, row in frame.iterrows():
        rows = joined[(joined.day == row["from"]) & (joined.version == row.version)]
        if len(rows) == 0:
            assert pd.isna(row.value)
            continue
        assert row.n == len(rows)
        assert row.value == pytest.approx(accuracy_score(rows.label, rows.prediction), abs=1e-12)


def test_a_columnar_series_reads_as_the_full_one(client):
    # The client asks for series as columns; the frame must be the one the full answer makes, last partial
    # step (12 h of a 1-day step) and missing values included.
    frame = client.metrics("taxi-tip", ["accuracy", "label_lag_p50", "precision"], by="version",
                           start="2020-01-30", end="2020-02-08T12:00:00Z", step="1d")
    from vigil import _frames
    rows = []
    for version in ["v1", "v2"]:
        answer = client._transport.get("/v1/models/taxi-tip/metrics", names="accuracy,label_lag_p50,precision",
                                       version=version, step="1d", **{"from": "2020-01-30T00:00:00Z",
                                                                      "to": "2020-02-08T12:00:00Z"})
        assert "series" in answer and "columns" not in answer
        rows.extend(_frames.metric_rows(answer, {"version": version}))
    full = _frames.metrics(rows, ["version"], "taxi-tip")
    assert len(frame) == 2 * 10 * 3 and frame["value"].isna().any()
    assert frame["to"].iloc[-1] == pd.Timestamp("2020-02-08T12:00:00Z")
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), full.reset_index(drop=True), check_dtype=False)


def test_split_by_segment_equals_pandas(client):
    frame = client.metrics("taxi-tip", ["accuracy"], by="segment.payment_type")
    joined = latest_labels()
    assert sorted(frame["segment.payment_type"]) == sorted(taxi_predictions()["payment_type"].unique())
    for _, row in frame.iterrows():
        rows = joined[joined.payment_type == row["segment.payment_type"]]
        assert row.n == len(rows)
        assert row.value == pytest.approx(accuracy_score(rows.label, rows.prediction), abs=1e-12)


def test_as_of_sees_only_labels_arrived_by_then(client):
    block = taxi_expected()["as_of"]
    cutoff = block["labels_arrived_at_or_before"]
    frame = client.metrics("taxi-tip", ["accuracy", "labeled_count"], start=block["predictions_from"],
                           end=block["predictions_to"], as_of=cutoff)
    values = frame.set_index("metric")["value"]
    assert values["labeled_count"] == block["labeled_count"]
    assert values["accuracy"] == pytest.approx(block["accuracy"], abs=1e-12)


def test_drift_and_quality_frames_mirror_the_answer(client, taxi_server):
    client.set_reference("taxi-tip", pd.read_csv(TAXI / "reference.csv"))
    window = {"from": "2020-02-23T00:00:00Z", "to": "2020-03-01T00:00:00Z"}
    drift = client.drift("taxi-tip", start=window["from"], end=window["to"])
    raw = taxi_server.get("/v1/models/taxi-tip/drift", **window)
    assert drift.attrs["drifted"] == raw["drifted"] == ["trip_distance", "fare_amount"]
    assert drift.columns[:4].tolist() == ["column", "type", "verdict", "drifted"]
    assert set(drift[drift.drifted].column) == set(raw["drifted"])
    by_column = drift.set_index("column")
    for column in raw["columns"]:
        if column["type"] == "numeric":
            assert by_column.loc[column["column"], "psi"] == column["psi"]
            assert by_column.loc[column["column"], "ks_pvalue"] == column["ks_pvalue"]
    quality = client.quality("taxi-tip", start=window["from"], end=window["to"])
    passengers = quality.set_index("column").loc["passenger_count"]
    rows = taxi_predictions()
    current = rows[(rows.timestamp >= window["from"]) & (rows.timestamp < window["to"])]
    assert passengers.missing_fraction == pytest.approx(current.passenger_count.isna().mean(), abs=1e-12)
    assert not passengers.ok and "passenger_count is missing" in passengers.violations[0]
    assert set(quality.role) == {"feature", "output"}


def test_metric_functions_run_in_the_server_like_locally(client):
    @vigil.metric(model="taxi-tip", name="long_trip_recall", client=client, backfill=True)
    def long_trip_recall(r):
        long = r.features.trip_distance > 5
        return ((r.prediction == 1) & (r.label == 1) & long).sum() / ((r.label == 1) & long).sum()

    @vigil.metric(model="taxi-tip", name="big_groups", client=client, backfill=True)
    def big_groups(r):
        """Share of rides with 3+ passengers: missing counts stay out of the mean."""
        return (r.features.passenger_count >= 3).mean()

    frame = client.metrics("taxi-tip", ["long_trip_recall", "big_groups"]).set_index("metric")["value"]
    joined = latest_labels()
    long = joined[(joined.trip_distance > 5) & (joined.label == 1)]
    assert frame["long_trip_recall"] == pytest.approx((long.prediction == 1).mean(), abs=1e-12)
    assert frame["long_trip_recall"] == pytest.approx(long_trip_recall(joined), abs=1e-12)
    passengers = taxi_predictions().passenger_count.dropna()
    assert frame["big_groups"] == pytest.approx((passengers >= 3).mean(), abs=1e-12)
    assert frame["big_groups"] == pytest.approx(big_groups(taxi_predictions()), abs=1e-12)
    assert "long_trip_recall" in client.models().set_index("name").loc["taxi-tip"].custom_metrics
    client.delete_metric("taxi-tip", "big_groups")
    with pytest.raises(vigil.BadRequestError) as error:
        client.metrics("taxi-tip", ["big_groups"])
    assert error.value.code == "unknown_metric"


def test_slo_definition_status_and_backtest(client):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answer = client.define_slo("taxi-accuracy", "taxi-tip", "accuracy", ">= 0.70", "7d", version="v1",
                                   min_samples=200, owner="pricing-ml")
    assert [r["name"] for r in answer["rules"]] == ["page-1h", "page-6h", "ticket-3d"]
    assert any("can never fire" in str(w.message) for w in caught)
    slos = client.slos()
    assert slos.set_index("name").loc["taxi-accuracy"].verdict in {"insufficient_data", "ok", "at_risk", "breached"}
    status = client.slo("taxi-accuracy", at="2020-02-27T00:00:00Z")["status"]
    assert status["verdict"] == "at_risk" and status["value"]["n"] == 3052
    backtest = client.backtest("taxi-accuracy", start="2020-02-01", end="2020-03-02", step="1h")
    firing = [t for t in backtest.attrs["transitions"] if t["to"] == "firing"]
    # The same first firing time as the Swift backtest test and the pandas reference script.
    assert firing[0]["at"] == "2020-02-25T13:00:00Z" and firing[0]["alert"]["rule"] == "ticket-3d"
    assert {"at", "verdict", "value", "n", "burn_3d", "firing"} <= set(backtest.columns)
    assert backtest["at"].is_monotonic_increasing
    client.delete_slo("taxi-accuracy")
    assert "taxi-accuracy" not in set(client.slos().name)


def test_errors_carry_the_server_code_and_message(client):
    with pytest.raises(vigil.NotFoundError) as error:
        client.metrics("no-such-model")
    assert error.value.code == "unknown_model" and "taxi-tip" in error.value.message and error.value.status == 404
    with pytest.raises(vigil.BadRequestError) as error:
        client.metrics("taxi-tip", window="7 days")
    assert error.value.code == "invalid_window"
    with pytest.raises(vigil.BadRequestError) as error:
        client.define_metric("taxi-tip", "broken", "sum(prediction == 1 and) / count()")
    assert error.value.code == "invalid_definition" and "column 24" in error.value.message
    with pytest.raises(vigil.BadRequestError) as error:
        client.define_slo("bad", "taxi-tip", "accuracy", "about 0.9")
    assert error.value.code == "invalid_objective"
    with pytest.raises(ValueError, match="segment 'borough'"):
        client.metrics("taxi-tip", by="segment.borough")


def test_rejected_rows_are_named_by_input_index_and_the_rest_stored(client):
    rows = [{"id": f"bad-batch-{i}", "ts": "2020-02-10T00:00:00Z", "score": 0.4} for i in range(7)]
    rows[4]["score"] = 1.7
    rows[6]["ts"] = "yesterday"
    with pytest.raises(vigil.RejectedRowsError) as error:
        client.log_predictions(pd.DataFrame(rows), model="taxi-tip", features=[], batch_size=3)
    result = error.value.result
    assert result.accepted == 5
    assert [(r["index"], r["field"], r["code"]) for r in result.rejected] == [
        (4, "score", "invalid_value"), (6, "ts", "invalid_value")]
    assert error.value.status == 422 and "the other 5 were accepted" in str(error.value)
    again = client.log_predictions(pd.DataFrame(rows[:4]), model="taxi-tip", features=[])
    assert again.duplicates == 4  # the good rows were stored the first time


def test_connection_and_auth_errors(tmp_path):
    from conftest import VigilProcess, free_port

    with pytest.raises(vigil.VigilConnectionError, match="cannot reach Vigil"):
        vigil.Client(f"http://127.0.0.1:{free_port()}", timeout=2).models()
    process = VigilProcess(tmp_path, ["--token", "write:w-secret", "--token", "read:r-secret"], token="r-secret")
    try:
        with pytest.raises(vigil.AuthenticationError) as error:
            vigil.Client(process.url).models()
        assert error.value.status == 401
        reader = vigil.Client(process.url, token="r-secret")
        assert reader.models().empty
        with pytest.raises(vigil.PermissionDeniedError):
            reader.log_predictions([{"id": "a", "ts": "2020-01-01T00:00:00Z", "score": 0.3}], model="m")
        writer = vigil.Client(process.url, token="w-secret")
        assert writer.log_predictions([{"id": "a", "ts": "2020-01-01T00:00:00Z", "score": 0.3}], model="m").accepted == 1
        assert not np.isnan(reader.metrics("m", ["count"]).value[0])
    finally:
        process.stop()


def test_times_with_and_without_fractional_seconds_parse_together():
    """The server writes whole seconds without a fraction; one column can hold both shapes."""
    from vigil._frames import parse_times

    parsed = parse_times(pd.Series(["2026-12-02T07:36:00Z", "2026-12-02T07:36:00.864Z"]))
    assert list(parsed.dt.microsecond) == [0, 864_000]
    assert str(parsed.dt.tz) == "UTC"


def test_deployments_and_the_change_timeline(client):
    first = client.deploy("taxi-tip", "v1", "primary", 0.8, owner="ml-team", code_ref="1a2b3c",
                          offline_metrics={"roc_auc": 0.71}, started_at="2020-02-01")
    assert first["changes"][0]["summary"] == "v1 deployed as primary (80%)"
    client.deploy("taxi-tip", "v2", "canary", 0.2, training_run="mlflow:42")
    with pytest.raises(vigil.VigilError) as refused:
        client.deploy("taxi-tip", "v2", traffic_share=0.5)
    assert "traffic_share" in str(refused.value)
    promoted = client.deploy("taxi-tip", "v2", "primary", 1.0, replaces="v1")
    assert [c["summary"] for c in promoted["changes"]] == [
        "v1: primary → retired", "v1: traffic 80% → unset", "v2: canary → primary", "v2: traffic 20% → 100%"]

    frame = client.deployments("taxi-tip")
    assert list(frame["version"]) == ["v1", "v2"]
    v1 = frame.set_index("version").loc["v1"]
    assert v1.stage == "retired" and v1.owner == "ml-team" and v1.offline_metrics == {"roc_auc": 0.71}
    assert v1.started_at == pd.Timestamp("2020-02-01T00:00:00Z") and v1.ended_at > v1.started_at
    assert list(client.deployments("taxi-tip", stage="primary")["version"]) == ["v2"]

    timeline = client.changes("taxi-tip", kind=["stage", "deployment"])
    assert list(timeline.columns) == ["id", "at", "kind", "subject", "from", "to", "summary"]
    assert list(timeline["summary"])[-4:] == [
        "v1 deployed as primary (80%)", "v2 deployed as canary (20%)", "v1: primary → retired",
        "v2: canary → primary"]
    assert str(timeline["at"].dtype).startswith("datetime64")
    client.delete_deployment("taxi-tip", "v1")
    assert list(client.deployments("taxi-tip")["version"]) == ["v2"]


def test_compare_equals_statsmodels_on_the_fixture(client):
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    frame = client.compare("taxi-tip", "v1", "v2", margin=0.05)
    assert list(frame["segment"].unique()) == ["overall"]
    assert list(frame["metric"]) == ["accuracy", "precision", "recall", "specificity", "roc_auc"]
    rows = frame.set_index("metric")
    expected = taxi_expected()
    v1, v2 = (expected["by_version"][v]["confusion"] for v in ("v1", "v2"))
    counts = {  # (right, out of) per version, from the fixture's confusion matrices
        "accuracy": lambda c: (c["tp"] + c["tn"], c["tp"] + c["tn"] + c["fp"] + c["fn"]),
        "precision": lambda c: (c["tp"], c["tp"] + c["fp"]),
        "recall": lambda c: (c["tp"], c["tp"] + c["fn"]),
        "specificity": lambda c: (c["tn"], c["tn"] + c["fp"]),
    }
    for metric, count in counts.items():
        (kc, nc), (kb, nb) = count(v2), count(v1)
        lower, upper = confint_proportions_2indep(kc, nc, kb, nb, method="newcomb", compare="diff")
        _, p_value = proportions_ztest([kc, kb], [nc, nb])
        row = rows.loc[metric]
        assert (row.baseline_n, row.candidate_n) == (nb, nc)
        assert row.difference == pytest.approx(kc / nc - kb / nb, abs=1e-12)
        assert (row.lower, row.upper) == (pytest.approx(lower, abs=1e-12), pytest.approx(upper, abs=1e-12))
        assert row.p_value == pytest.approx(p_value, abs=1e-9)
        assert row.seq_lower < row.lower and row.seq_upper > row.upper
    auc = rows.loc["roc_auc"]
    assert auc.difference == pytest.approx(
        expected["by_version"]["v2"]["roc_auc"] - expected["by_version"]["v1"]["roc_auc"], abs=2e-3)
    assert auc.method == "hanley_mcneil"
    assert frame.attrs["label_free"]["rows_candidate"] == expected["by_version"]["v2"]["count"]

    by_payment = client.compare("taxi-tip", "v1", "v2", by="payment_type", metrics=["accuracy"])
    values = sorted(taxi_predictions()["payment_type"].dropna().unique())
    assert list(by_payment["segment"]) == ["overall"] + [f"payment_type:{v}" for v in values]
    verdict = client.canary("taxi-tip", "v1", "v2", margin=0.05)
    assert verdict["verdict"] in {"pass", "inconclusive"} and verdict["decided_by"] == "sequential"
    with pytest.raises(vigil.VigilError) as refused:
        client.compare("taxi-tip", "v1", "v9")
    assert "v9" in str(refused.value)

    rollback = client.define_slo("taxi-v2-accuracy", "taxi-tip", "candidate_worse.accuracy", ">= -0.05", "7d",
                                 version="v2", baseline="v1")
    assert (rollback["slo"]["sli"], rollback["slo"]["baseline"], rollback["slo"]["version"]) == (
        "candidate_worse.accuracy", "v1", "v2")
    client.delete_slo("taxi-v2-accuracy")

    # Readiness: v2's offline accuracy equal to its online one is consistent; a recall far off is skew.
    online = expected["by_version"]["v2"]
    client.deploy("taxi-tip", "v2", offline_metrics={"accuracy": online["accuracy"], "recall": online["recall"] - 0.2})
    ready = client.readiness("taxi-tip", "v2").set_index("metric")
    assert ready.attrs["status"] == "skew" and ready.attrs["skewed"] == ["recall"]
    assert ready.loc["accuracy", "finding"] == "consistent"
    assert ready.loc["accuracy", "online"] == pytest.approx(online["accuracy"], abs=1e-12)
    assert ready.loc["recall", "n"] == online["confusion"]["tp"] + online["confusion"]["fn"]

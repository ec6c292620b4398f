"""The predict-function wrapper: logs inputs, outputs and ids without changing what the function returns."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import vigil


def test_single_rows_with_generated_and_given_ids(server):
    client = vigil.Client(server.url, flush_interval=0.05)

    @client.monitor(model="loans", version="v3", segments=["region"], return_id=True)
    def predict(features):
        return 0.9 if features["income"] > 50 else 0.2

    high, high_id = predict({"income": 80, "region": "north"})
    low, low_id = predict({"income": 20, "region": "south"}, vigil_id="loan-7")
    assert (high, low) == (0.9, 0.2)
    assert low_id == "loan-7" and len(high_id) == 32 and high_id != low_id
    client.log_feedback(high_id, label=1)
    client.log_feedback("loan-7", label=1)
    assert client.flush(timeout=30)

    models = client.models().set_index("name")
    assert models.loc["loans", "predictions"] == 2 and models.loc["loans", "versions"] == ["v3"]
    assert models.loc["loans", "segments"] == {"region": ["north", "south"]}
    metrics = client.metrics("loans", ["accuracy", "labeled_count", "mean_score"]).set_index("metric")["value"]
    # high: 0.9 → 1, label 1 (right); low: 0.2 → 0, label 1 (wrong)
    assert metrics["labeled_count"] == 2 and metrics["accuracy"] == 0.5
    assert metrics["mean_score"] == pytest.approx((0.9 + 0.2) / 2, abs=1e-12)
    client.close()


def test_dataframe_batches_through_predict_proba(server):
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"x1": rng.normal(size=300), "x2": rng.normal(size=300)})
    target = (frame.x1 + 0.5 * frame.x2 + rng.normal(scale=0.5, size=300) > 0).astype(int)
    model = LogisticRegression().fit(frame, target)
    client = vigil.Client(server.url, flush_interval=0.05)
    predict_proba = client.monitor(model="clf", output="score")(model.predict_proba)

    ids = [f"row-{i}" for i in range(300)]
    probabilities = predict_proba(frame, vigil_id=ids)
    assert probabilities.shape == (300, 2)  # unchanged output
    assert client.flush(timeout=30)
    # Labels arrive after the predictions (now): an earlier arrival time would be an expired orphan.
    client.log_feedback_batch(pd.DataFrame({"id": ids, "label": target}))
    values = client.metrics("clf", ["count", "mean_score", "accuracy"]).set_index("metric")["value"]
    assert values["count"] == 300
    assert values["mean_score"] == pytest.approx(probabilities[:, 1].mean(), abs=1e-9)
    assert values["accuracy"] == pytest.approx(((probabilities[:, 1] >= 0.5) == target).mean(), abs=1e-12)
    features = client.quality("clf").set_index("column")
    assert features.loc["x1", "rows"] == 300 and features.loc["x1", "mean"] == pytest.approx(frame.x1.mean(), abs=1e-9)
    client.close()


def test_multiclass_probabilities_and_regression_outputs(server):
    client = vigil.Client(server.url, flush_interval=0.05)
    classes = ["short", "medium", "long"]

    @client.monitor(model="trip-type", output="scores", classes=classes)
    def classify(rows):
        return np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])

    @client.monitor(model="fare", output="prediction")
    def fare(rows):
        return pd.Series([12.5, 7.25])

    classify([{"d": 1.0}, {"d": 9.0}], vigil_id=["t1", "t2"])
    fare(pd.DataFrame({"d": [3.0, 1.0]}), vigil_id=["f1", "f2"])
    client.log_feedback("t1", "short")
    client.log_feedback("t2", "medium")
    client.log_feedback("f1", 10.5)
    client.log_feedback("f2", 7.25)
    assert client.flush(timeout=30)
    models = client.models().set_index("name")
    assert models.loc["trip-type", "task"] == "multiclass" and models.loc["fare", "task"] == "regression"
    multiclass = client.metrics("trip-type", ["accuracy"]).set_index("metric")["value"]
    assert multiclass["accuracy"] == 0.5  # argmax: short (right), long (label medium)
    regression = client.metrics("fare", ["mae"]).set_index("metric")["value"]
    assert regression["mae"] == pytest.approx((2.0 + 0.0) / 2, abs=1e-12)
    client.close()


def test_a_logging_failure_never_breaks_the_prediction(server, caplog):
    caplog.set_level(logging.WARNING, logger="vigil")
    client = vigil.Client(server.url)

    @client.monitor(model="odd")
    def predict(features):
        return "not a probability"

    assert predict({"x": 1}) == "not a probability"
    assert any("could not log the prediction of predict" in r.message for r in caplog.records)
    with pytest.raises(ValueError, match="classes"):
        client.monitor(model="mc", output="scores")
    client.close()


def test_a_shadow_model_is_logged_on_the_served_ids(server, caplog):
    client = vigil.Client(server.url, flush_interval=0.05)

    @client.monitor(model="loans", version="v1", return_id=True)
    def served(features):
        return 0.9 if features["income"] > 50 else 0.2

    @client.monitor(model="loans", version="v2", shadow=True)
    def shadow(features):
        return 0.8 if features["income"] > 30 else 0.1

    ids = []
    for income, label in [(80, 1), (40, 0), (20, 1)]:
        row = {"income": income}
        _, served_id = served(row)
        shadow(row, vigil_id=served_id)  # the same input, the served prediction's id
        ids.append(served_id)
        client.log_feedback(served_id, label=label)
    with caplog.at_level(logging.WARNING, logger="vigil"):
        assert shadow({"income": 10}) == 0.1  # without an id it is not logged, and says so
    assert "vigil_id" in caplog.text
    assert client.flush(timeout=30)

    assert client.models().set_index("name").loc["loans", "predictions"] == 3
    paired = client.shadow("loans", "v2", primary="v1")
    # served 1, 0, 0 and shadow 1, 1, 0 against labels 1, 0, 1: both right, shadow wrong, both wrong.
    assert paired["pairs"] == 3 and paired["disagreement"]["value"] == pytest.approx(1 / 3, abs=1e-12)
    assert paired["table"] == {"both_right": 1, "primary_only_right": 1, "shadow_only_right": 0, "both_wrong": 1}
    client.close()

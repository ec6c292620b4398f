"""Metrics written as Python functions: the compiled expression, local evaluation against
scikit-learn on the fixtures, clear errors for what cannot compile, and the server computing the same
value as local evaluation (nulls and unlabeled rows included)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, with_latest_labels
from sklearn.metrics import mean_absolute_error, mean_squared_error, precision_score, recall_score

import vigil

THRESHOLD = 5.0
FARE = ROOT / "Tests" / "Fixtures" / "fare-regression"


def joined(fixture) -> pd.DataFrame:
    return with_latest_labels(pd.read_csv(fixture / "predictions.csv"), pd.read_csv(fixture / "feedback.csv"))


@pytest.fixture(scope="module")
def taxi():
    return joined(ROOT / "Tests" / "Fixtures" / "taxi")


@pytest.fixture(scope="module")
def fare():
    return joined(FARE)


def test_precision_compiles_to_the_server_language_and_matches_scikit_learn(taxi):
    @vigil.metric(model="taxi-tip", name="precision", local=True)
    def precision(r):
        return ((r.prediction == 1) & (r.label == 1)).sum() / (r.prediction == 1).sum()

    assert precision.expression == "(sum(((prediction == 1) and (label == 1))) / sum((prediction == 1)))"
    assert precision.labeled_only
    labeled = taxi.dropna(subset=["label"])
    expected = precision_score(labeled.label, labeled.prediction)
    # Evaluated with the server's semantics on all rows: unlabeled ones are left out because it reads label.
    assert precision(taxi) == pytest.approx(expected, abs=1e-12)
    # The plain Python function gives the same on labeled rows.
    assert precision.function(labeled) == pytest.approx(expected, abs=1e-12)


def test_regression_metrics_with_powers_numpy_and_locals(fare):
    @vigil.metric(local=True)
    def rmse(r):
        error = r.prediction - r.label
        return np.sqrt((error ** 2).mean())

    @vigil.metric(local=True)
    def mae(r):
        return (r.prediction - r.label).abs().mean()

    @vigil.metric(local=True)
    def mape(r):
        return (np.abs(r.prediction - r.label) / r.label.abs()).mean()

    labeled = fare.dropna(subset=["label"])
    assert rmse.expression == "sqrt(mean(((prediction - label) * (prediction - label))))"
    assert rmse(fare) == pytest.approx(np.sqrt(mean_squared_error(labeled.label, labeled.prediction)), abs=1e-12)
    assert mae(fare) == pytest.approx(mean_absolute_error(labeled.label, labeled.prediction), abs=1e-12)
    # Zero labels divide by zero: null rows the mean skips, like the built-in mape.
    nonzero = labeled[labeled.label != 0]
    assert mape(fare) == pytest.approx(((nonzero.prediction - nonzero.label).abs() / nonzero.label).mean(), abs=1e-12)


def test_constants_chains_isin_between_and_coverage(taxi):
    @vigil.metric(local=True)
    def long_recall(r):
        """Recall on trips longer than THRESHOLD miles, cash or card."""
        scope = (r.features.trip_distance > THRESHOLD) & r.segment.payment_type.isin(["cash", "card"])
        return ((r.prediction == 1) & (r.label == 1) & scope).sum() / ((r.label == 1) & scope).sum()

    @vigil.metric(local=True)
    def mid_scores(r):
        return (0.4 <= r.score < 0.6).mean() + r.score.between(0.45, 0.55).sum() * 0

    @vigil.metric(local=True)
    def coverage(r):
        return r.labeled.sum() / len(r)

    assert "(features.trip_distance > 5)" in long_recall.expression
    assert "((segment.payment_type == 'cash') or (segment.payment_type == 'card'))" in long_recall.expression
    rows = taxi.dropna(subset=["label"])
    rows = rows[(rows.trip_distance > THRESHOLD) & rows.payment_type.isin(["cash", "card"])]
    assert long_recall(taxi) == pytest.approx(recall_score(rows.label, rows.prediction), abs=1e-12)
    assert mid_scores(taxi) == pytest.approx(((taxi.score >= 0.4) & (taxi.score < 0.6)).mean(), abs=1e-12)
    assert coverage.expression == "(sum(labeled) / count())"
    assert coverage(taxi) == pytest.approx(taxi.label.notna().mean(), abs=1e-12)


@pytest.mark.parametrize(
    "source, construct",
    [
        ("def m(r):\n    if r.label.sum() > 0:\n        return r.label.mean()\n    return 0\n", "'if' statement"),
        ("def m(r):\n    return ((r.prediction == 1) and (r.label == 1)).sum()\n", "'and' does not combine columns"),
        ("def m(r):\n    return (r.prediction if r.labeled else 0).mean()\n", "conditional expression"),
        ("def m(r):\n    return (r.prediction // 2).sum()\n", "the operator //"),
        ("def m(r):\n    return r.prediction.median()\n", "the method .median()"),
        ("def m(r):\n    return (r.prediction - r.prediction.mean()).abs().mean()\n", "mixes per-row values with aggregates"),
        ("def m(r):\n    return r.prediction == 1\n", "returns a per-row value"),
        ("def m(r):\n    return r.prediction.sum().mean()\n", "aggregates cannot be nested"),
        ("def m(r):\n    total = 0\n    for x in r.score:\n        total += x\n    return total\n", "'for' statement"),
        ("def m(r):\n    return sum(x for x in r.score)\n", "generator expression"),
        ("def m(r):\n    return r.features['trip distance'].mean()\n", "not an identifier"),
        ("def m(r, s):\n    return r.score.mean()\n", "exactly one argument"),
        ("def m(r):\n    return (r.label is None).mean()\n", "the comparison 'is'"),
        ("def m(r):\n    return (r.score ** 3.5).mean()\n", "only the powers"),
    ],
)
def test_uncompilable_functions_name_the_construct_and_line(tmp_path, source, construct):
    module = tmp_path / "metric_module.py"
    module.write_text("import numpy as np\n\n" + source)
    namespace: dict = {}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    with pytest.raises(vigil.MetricCompileError) as error:
        vigil.compile_metric(namespace["m"])
    message = str(error.value)
    assert construct in message
    assert f"{module}, line " in message and message.startswith("metric 'm'")


def test_lambdas_and_unbound_names_are_refused():
    with pytest.raises(vigil.MetricCompileError, match="lambdas cannot be compiled"):
        vigil.compile_metric(lambda r: r.score.mean())

    def uses_unknown(r):
        return (r.score > CUTOFF_NOT_DEFINED).mean()  # noqa: F821

    with pytest.raises(vigil.MetricCompileError, match="'CUTOFF_NOT_DEFINED' is not defined"):
        vigil.compile_metric(uses_unknown)


def test_metric_decorator_needs_a_client_or_local(monkeypatch):
    monkeypatch.setattr("vigil._default._client", None)
    with pytest.raises(vigil.VigilError, match="no Vigil client"):
        @vigil.metric(model="m")
        def m(r):
            return r.score.mean()


def test_server_computes_what_local_evaluation_computes(server, fare):
    """Nulls, zero denominators and unlabeled rows: the same numbers in the backend and locally."""
    client = vigil.Client(server.url)
    predictions = pd.read_csv(FARE / "predictions.csv")
    client.log_predictions(predictions, segments=["payment_type", "pickup_borough"])
    client.log_feedback_batch(pd.read_csv(FARE / "feedback.csv"))
    vigil.init(server.url)

    @vigil.metric(model="fare", name="rmse_long", backfill=True)
    def rmse_long(r):
        long = r.features.trip_distance > 3
        return np.sqrt((((r.prediction - r.label) ** 2) * long).sum() / long.sum())

    @vigil.metric(model="fare", name="groups_share", backfill=True)
    def groups_share(r):
        return (r.features.passenger_count >= 3).sum() / r.features.passenger_count.count()

    @vigil.metric(model="fare", name="relative_error", backfill=True)
    def relative_error(r):
        return ((r.prediction - r.label) / r.label).clip(-1, 1).mean()

    values = client.metrics("fare", ["rmse_long", "groups_share", "relative_error", "rmse"]).set_index("metric")
    for metric in (rmse_long, groups_share, relative_error):
        assert values.loc[metric.name, "value"] == pytest.approx(metric(fare), rel=1e-9), metric.name
    labeled = fare.dropna(subset=["label"])
    long = labeled[labeled.trip_distance > 3]
    assert values.loc["rmse_long", "value"] == pytest.approx(np.sqrt(mean_squared_error(long.label, long.prediction)), rel=1e-9)
    vigil.init(server.url).close()
    client.close()

"""Worst-slice discovery against a real server loaded with the slices fixture (Tests/Fixtures/slices): the
degradation confined to Brooklyn × cash in the last week is the top slice there, the healthy weeks have no
discovery, and every tested slice's accuracy, z, p-value, q-value and impact equal the pandas/scipy values of
expected.json (computed by generate.py from the same CSV files)."""

from __future__ import annotations

import pandas as pd
import pytest
import requests
from slices_fixture import EXPECTED, FIXTURE, MODEL, expected_key, load, vigil_key
from support import vigil_server

import vigil


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with vigil_server(tmp_path_factory.mktemp("slices")) as url:
        client = vigil.Client(url)
        load(client)
        yield url, client
        client.close()


def key(terms: dict) -> frozenset:
    return expected_key(terms, EXPECTED["edges"])


def report(url, period, **params):
    window = EXPECTED[period]
    r = requests.get(f"{url}/v1/models/{MODEL}/slices", params={
        "metric": "accuracy", "from": window["from"], "to": window["to"], "min_size": EXPECTED["min_size"],
        "limit": 1000, **params}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_bad_week_top_slice_is_brooklyn_paid_in_cash(server):
    url, _ = server
    body = report(url, "bad_week")
    top = body["slices"][0]
    assert top["slice"] == "payment_type = cash & pickup_borough = Brooklyn"
    assert top["discovered"] and top["metric"]["value"] < 0.6 < top["rest"]["value"]
    assert body["overall"]["value"] == pytest.approx(EXPECTED["bad_week"]["accuracy"], abs=1e-12)
    expected_top = min((s for s in EXPECTED["bad_week"]["slices"] if s["discovered"]), key=lambda s: s["difference"])
    assert vigil_key(top["conditions"]) == key(expected_top["terms"])


@pytest.mark.parametrize("period", ["bad_week", "healthy_weeks"])
def test_every_slice_equals_the_pandas_scipy_computation(server, period):
    url, _ = server
    body = report(url, period)
    expected = {key(s["terms"]): s for s in EXPECTED[period]["slices"]}
    got = {vigil_key(s["conditions"]): s for s in body["slices"]}
    assert body["tested"] == len(expected) == len(got)
    assert got.keys() == expected.keys()
    for k, e in expected.items():
        g = got[k]
        assert g["metric"]["n"] == e["n"], k
        assert g["metric"]["value"] == pytest.approx(e["value"], abs=1e-12), k
        assert g["rest"]["value"] == pytest.approx(e["rest"], abs=1e-12), k
        assert g["z"] == pytest.approx(e["z"], rel=1e-9), k
        assert g["p_value"] == pytest.approx(e["p_value"], rel=1e-9, abs=1e-300), k
        assert g["q_value"] == pytest.approx(e["q_value"], rel=1e-9, abs=1e-300), k
        assert g["discovered"] == e["discovered"], k
        assert g["impact"] == pytest.approx(e["impact"], abs=1e-12), k
    assert body["discoveries"] == sum(e["discovered"] for e in expected.values())


def test_without_a_window_the_report_spans_the_days_of_the_data(server):
    url, _ = server
    r = requests.get(f"{url}/v1/models/{MODEL}/slices", params={"limit": 1}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    predictions, feedback = pd.read_csv(FIXTURE / "predictions.csv"), pd.read_csv(FIXTURE / "feedback.csv")
    labels = feedback.sort_values("timestamp", kind="stable").groupby("id").label.last()
    first, newest = predictions.timestamp.min(), max(predictions.timestamp.max(), feedback.timestamp.max())
    # From the first prediction's day to the end of the newest event's (a label's), not ±2⁵² ms.
    assert pd.Timestamp(body["from"]) == pd.Timestamp(first).floor("1D")
    assert pd.Timestamp(body["to"]) == pd.Timestamp(newest).floor("1D") + pd.Timedelta(days=1)
    joined = predictions.join(labels, on="id")
    assert body["overall"]["n"] == joined.label.notna().sum() == len(predictions)
    assert body["overall"]["value"] == pytest.approx((joined.prediction == joined.label).mean(), abs=1e-12)


def test_no_slice_passes_the_threshold_over_the_healthy_weeks(server):
    url, _ = server
    body = report(url, "healthy_weeks")
    assert body["tested"] > 300 and body["discoveries"] == 0
    assert not any(s["discovered"] for s in body["slices"])


def test_a_baseline_window_gives_each_slice_its_change(server):
    url, _ = server
    healthy = EXPECTED["healthy_weeks"]
    body = report(url, "bad_week", baseline_from=healthy["from"], baseline_to=healthy["to"])
    top = body["slices"][0]
    before = next(s for s in healthy["slices"] if key(s["terms"]) == vigil_key(top["conditions"]))
    assert top["baseline"]["value"] == pytest.approx(before["value"], abs=1e-12)
    assert top["baseline_difference"] == pytest.approx(top["metric"]["value"] - before["value"], abs=1e-12)


@pytest.mark.parametrize("params, problem", [
    ({"metric": "rmse"}, "metric: 'rmse' is not one of accuracy, precision, recall"),
    ({"baseline_from": "2026-10-05T00:00:00Z"}, "give both 'baseline_from' and 'baseline_to'"),
    ({"fdr": "2"}, "fdr: expected a false discovery rate between 0 and 1"),
    ({"min_size": "0"}, "min_size: expected a whole number from 1"),
    ({"colour": "red"}, "colour"),
])
def test_bad_parameters_are_400s_naming_the_problem(server, params, problem):
    url, _ = server
    r = requests.get(f"{url}/v1/models/{MODEL}/slices", params=params, timeout=30)
    assert r.status_code == 400 and problem in r.json()["error"]["message"], r.text


def test_an_unknown_model_is_a_404(server):
    url, _ = server
    r = requests.get(f"{url}/v1/models/nope/slices", timeout=30)
    assert r.status_code == 404 and "unknown model 'nope'" in r.text


def test_the_python_client_gives_a_dataframe_worst_first(server):
    _, client = server
    bad, healthy = EXPECTED["bad_week"], EXPECTED["healthy_weeks"]
    frame = client.slices(MODEL, start=bad["from"], end=bad["to"], baseline_start=healthy["from"],
                          baseline_end=healthy["to"], limit=5)
    assert list(frame.columns[:4]) == ["slice", "value", "n", "lower"] and len(frame) == 5
    assert frame.slice[0] == "payment_type = cash & pickup_borough = Brooklyn" and frame.discovered[0]
    assert frame.attrs["discoveries"] == sum(s["discovered"] for s in bad["slices"])
    assert frame.attrs["overall"]["value"] == pytest.approx(bad["accuracy"], abs=1e-12)
    assert (frame.baseline_difference == frame.value - frame.baseline).all()

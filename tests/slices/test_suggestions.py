"""Suggested segments against a real server loaded with the slices fixture (Tests/Fixtures/slices): each large
slice's daily accuracy, its homogeneity chi-square over the days (scipy's chi2_contingency), BH q-values and
score equal a pandas/scipy computation from the same CSV files; the slices the bad week moved are volatile
and the others are not; and one call turns the top suggestion into an SLO whose SLI is the slice's accuracy."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import requests
from scipy import stats
from slices_fixture import COLUMNS, EXPECTED, FIXTURE, MODEL, expected_key, load, vigil_key
from support import vigil_server

import vigil

FROM, TO = EXPECTED["healthy_weeks"]["from"], EXPECTED["bad_week"]["to"]
MIN_SHARE = 0.1


def served() -> pd.DataFrame:
    """Each prediction with its latest label and the terms Vigil slices it by (as generate.py names them)."""
    predictions = pd.read_csv(FIXTURE / "predictions.csv")
    feedback = pd.read_csv(FIXTURE / "feedback.csv").sort_values("timestamp", kind="stable")
    labels = feedback.drop_duplicates("id", keep="last").set_index("id")["label"]
    frame = predictions.assign(label=predictions.id.map(labels), day=predictions.timestamp.str[:10])
    for c in COLUMNS:
        if c in EXPECTED["edges"]:
            bins = np.searchsorted(np.array(EXPECTED["edges"][c]), frame[c].to_numpy(dtype=float), side="right")
            frame["t_" + c] = np.where(frame[c].isna(), "missing", np.char.add("b", bins.astype(str)))
        else:
            frame["t_" + c] = np.where(frame[c].isna(), "missing", frame[c].astype(str))
    return frame


def expected_suggestions() -> dict:
    """Every single or pair slice with at least MIN_SHARE of predictions: daily accuracy, chi-square, q."""
    frame = served()
    frame["good"] = (frame.prediction == frame.label).astype(float).where(frame.label.notna())
    out = []
    for cols in [[c] for c in COLUMNS] + [list(p) for p in itertools.combinations(COLUMNS, 2)]:
        for key, rows in frame.groupby(["t_" + c for c in cols]):
            share = len(rows) / len(frame)
            daily = rows.dropna(subset=["label"]).groupby("day")["good"].agg(["sum", "count"])
            if share < MIN_SHARE or daily["count"].sum() < 30 or len(daily) < 2:
                continue
            table = np.array([daily["sum"], daily["count"] - daily["sum"]])
            chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
            out.append({"terms": dict(zip(cols, key)), "share": share, "chi2": chi2, "dof": dof, "p": p,
                        "daily": (daily["sum"] / daily["count"]).tolist(),
                        "score": share * max(0.0, chi2 / dof - 1)})
    q = stats.false_discovery_control([s["p"] for s in out], method="bh")
    for s, qv in zip(out, q):
        s["q"] = qv
    return {expected_key(s["terms"], EXPECTED["edges"]): s for s in out}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with vigil_server(tmp_path_factory.mktemp("suggestions")) as url:
        client = vigil.Client(url)
        load(client)
        yield url, client
        client.close()


def suggestions(url, **params):
    r = requests.get(f"{url}/v1/models/{MODEL}/slices/suggestions", params={
        "from": FROM, "to": TO, "min_share": MIN_SHARE, "limit": 1000, **params}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_every_suggestion_equals_scipys_homogeneity_test(server):
    url, _ = server
    body = suggestions(url)
    expected = expected_suggestions()
    assert body["tested"] == len(expected) == len(body["suggestions"])
    assert len(body["suggestions"][0]["daily"]) == 28
    for s in body["suggestions"]:
        e = expected[vigil_key(s["conditions"])]
        assert s["share"] == pytest.approx(e["share"], rel=1e-12)
        assert s["dof"] == e["dof"]
        assert s["chi2"] == pytest.approx(e["chi2"], rel=1e-9)
        assert s["p_value"] == pytest.approx(e["p"], rel=1e-6, abs=1e-300)
        assert s["q_value"] == pytest.approx(e["q"], rel=1e-6, abs=1e-300)
        assert s["score"] == pytest.approx(e["score"], rel=1e-9, abs=1e-15)
        assert [d["value"] for d in s["daily"]] == pytest.approx(e["daily"], rel=1e-12)


def test_the_slices_the_bad_week_moved_are_suggested_first(server):
    url, _ = server
    body = suggestions(url)
    volatile = [s for s in body["suggestions"] if s["volatile"]]
    # Brooklyn and cash hold the degraded conjunction: their daily accuracy jumps in the last week.
    assert {s["slice"] for s in volatile} >= {"payment_type = cash", "pickup_borough = Brooklyn"}
    assert all(s["q_value"] <= 0.05 for s in volatile)
    assert [s["score"] for s in volatile] == sorted((s["score"] for s in volatile), reverse=True)
    assert not any(s["volatile"] for s in body["suggestions"][len(volatile):])
    frame = server[1].slice_suggestions(MODEL, start=FROM, end=TO, min_share=MIN_SHARE, limit=1000)
    assert frame["slice"].tolist() == [s["slice"] for s in body["suggestions"]]
    assert frame["volatile"].sum() == len(volatile) and frame.attrs["tested"] == body["tested"]
    # Over the healthy weeks alone nothing moves beyond chance.
    healthy = suggestions(url, to=EXPECTED["healthy_weeks"]["to"])
    assert healthy["tested"] > 0 and not any(s["volatile"] for s in healthy["suggestions"])


def test_one_call_turns_a_slice_into_an_slo_on_its_accuracy(server):
    url, _ = server
    slice_name = "payment_type = cash & pickup_borough = Brooklyn"
    r = requests.post(f"{url}/v1/models/{MODEL}/slices/monitor",
                      json={"slice": slice_name, "objective": ">= 0.8", "window": "7d"}, timeout=10)
    assert r.status_code == 201, r.text
    slo = r.json()["slo"]
    assert slo["name"] == "taxi-slices-accuracy-payment_type-cash-pickup_borough-brooklyn"
    assert slo["slice"] == slice_name and slo["sli"] == "accuracy"
    status = requests.get(f"{url}/v1/slos/{slo['name']}", params={"to": TO}, timeout=30).json()["status"]
    bad_week = next(s for s in EXPECTED["bad_week"]["slices"]
                    if s["terms"] == {"payment_type": "cash", "pickup_borough": "Brooklyn"})
    assert status["value"]["value"] == pytest.approx(bad_week["value"], rel=1e-12)
    assert status["value"]["n"] == bad_week["n"]
    assert status["verdict"] == "breached"
    # The model's accuracy SLO lends its objective and window when none is given.
    requests.put(f"{url}/v1/slos/model-accuracy", json={"model": MODEL, "sli": "accuracy", "objective": ">= 0.85",
                                                       "window": "14d"}, timeout=10).raise_for_status()
    lent = server[1].monitor_slice(MODEL, "payment_type = cash")
    assert lent["objective"] == ">= 0.85" and lent["window"] == "14d" and lent["slice"] == "payment_type = cash"


@pytest.mark.parametrize("body, code, names", [
    ({"slice": "payment_type = bitcoin", "objective": ">= 0.8"}, "unknown_slice", "payment_type = bitcoin"),
    ({"slice": "payment_type = cash", "metric": "recall"}, "invalid_slo", "objective"),
    ({"slice": "payment_type = cash", "objective": ">= 0.8", "metric": "rmse"}, "invalid_slo", "metric"),
    ({"slice": "payment_type = cash", "objective": ">= 0.8", "version": "v1"}, "invalid_slo", "version"),
    ({"slice": "payment_type = cash", "objective": ">= 0.8", "colour": "red"}, "unknown_field", "colour"),
    ({"objective": ">= 0.8"}, "invalid_slo", "slice"),
])
def test_bad_monitor_calls_are_400s_naming_the_problem(server, body, code, names):
    url, _ = server
    r = requests.post(f"{url}/v1/models/{MODEL}/slices/monitor", json=body, timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == code and names in r.json()["error"]["message"]

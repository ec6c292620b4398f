"""The explanation of an accuracy alert on the slices fixture (moved so its last week ends two days ago): it names
the Brooklyn × cash slice, the drifted columns (against a reference whose trips are longer) and the canary
deployed before the alert began; the alert's own context and the dashboard carry the slice too."""

from __future__ import annotations

import subprocess
import urllib.parse
from datetime import datetime, timezone

import pandas as pd
import pytest
import requests
from slices_fixture import COLUMNS, FIXTURE, MODEL
from support import VIGIL, free_port, wait_for, wait_until_ready

import vigil

TOP = "payment_type = cash & pickup_borough = Brooklyn"


def shifted(frame: pd.DataFrame, by: pd.Timedelta) -> pd.DataFrame:
    t = pd.to_datetime(frame.timestamp) + by
    return frame.drop(columns=["timestamp"]).assign(ts=t.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))


@pytest.fixture(scope="module")
def alert(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(VIGIL), "serve", "--data", str(tmp_path_factory.mktemp("explain")),
                             "--port", str(port), "--log-level", "warning", "--alert-interval", "1s"])
    try:
        wait_until_ready(url + "/readyz", proc, "vigil serve")
        client = vigil.Client(url)
        reference = pd.read_csv(FIXTURE / "reference.csv")
        client.set_reference(MODEL, reference.assign(trip_distance=reference.trip_distance * 1.8,
                                                     fare_amount=reference.fare_amount * 1.8))
        predictions, feedback = pd.read_csv(FIXTURE / "predictions.csv"), pd.read_csv(FIXTURE / "feedback.csv")
        # Whole hours (buckets stay aligned), so the last label arrives 1–2 h before now whatever the time of day:
        # the SLO's 7 days then start near the end of 2026-10-27, with 120-odd labeled Brooklyn × cash trips. A
        # shift by whole days let the start wander a day, and past 10-28 15:00 the slice fell under the SLO's
        # min_samples (100), the smallest slice the alert names, and a chance sub-slice of Brooklyn came first.
        now = pd.Timestamp(datetime.now(timezone.utc))
        by = (now - pd.to_datetime(feedback.timestamp).max() - pd.Timedelta(hours=1)).floor("1h")
        client.log_predictions(shifted(predictions, by), features=COLUMNS)
        client.log_feedback_batch(shifted(feedback, by))
        client.deploy(MODEL, "v2", "canary", 0.1)
        slo = {"model": MODEL, "sli": "accuracy", "objective": ">= 0.9", "window": "7d", "min_samples": 100,
               "alerts": [{"name": "week", "severity": "ticket", "burn_rate": 1, "long_window": "7d",
                           "short_window": "1d"}]}
        r = requests.put(f"{url}/v1/slos/{MODEL}-accuracy", json=slo, timeout=30)
        assert r.status_code == 201, r.text

        def firing():
            alerts = requests.get(f"{url}/v1/alerts", params={"state": "firing"}, timeout=30).json()["alerts"]
            return alerts[0] if alerts else None

        wait_for("the accuracy alert to fire", firing, seconds=60)
        yield url, firing()
        client.close()
    finally:
        proc.terminate()
        proc.wait(30)


def explanation(url, alert_id):
    r = requests.get(f"{url}/v1/alerts/{urllib.parse.quote(alert_id, safe='')}/explanation", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_explanation_names_the_slice_the_drifted_columns_and_the_canary(alert):
    url, fired = alert
    body = explanation(url, fired["id"])
    assert body["slice_metric"] == "accuracy"
    top = body["slices"][0]
    assert top["slice"] == TOP and top["discovered"] and top["metric"]["value"] < 0.65 < top["rest"]["value"]
    # The week before holds two of the bad days: the slice was still clearly better then.
    assert top["baseline"]["value"] > top["metric"]["value"] + 0.1 and top["baseline_difference"] < -0.1
    drifted = [c["column"] for c in body["drifted_columns"]]
    assert {"trip_distance", "fare_amount"} <= set(drifted)
    assert sum(c["contribution"] for c in body["drifted_columns"]) == pytest.approx(1.0)
    canary = [c for c in body["changes"] if c["kind"] == "deployment"]
    assert canary and "v2" in canary[0]["summary"]
    text = "\n".join(body["summary"])
    assert f"worst slice: {TOP}" in text and "drifted: " in text and "trip_distance" in text and "v2" in text
    assert body["label_lag"]["anomalous"] is False


def test_the_alert_context_carries_the_worst_slices(alert):
    _, fired = alert
    assert fired["context"]["worst_slices"][0]["slice"] == TOP


def test_an_unknown_alert_is_a_404_naming_the_id_format(alert):
    url, _ = alert
    r = requests.get(f"{url}/v1/alerts/nope/explanation", timeout=30)
    assert r.status_code == 404 and "SLO/RULE/START_MS" in r.text


def test_the_dashboard_shows_where_on_the_model_and_slo_pages(alert):
    url, _ = alert
    model = requests.get(f"{url}/models/{MODEL}", params={"range": "14d"}, timeout=30)
    assert model.status_code == 200 and '<h2>Where</h2>' in model.text
    assert "payment_type = cash &amp; pickup_borough = Brooklyn" in model.text
    slos = requests.get(f"{url}/models/{MODEL}/slos", timeout=30)
    assert slos.status_code == 200 and "where: payment_type = cash &amp; pickup_borough = Brooklyn" in slos.text

"""`convention=evidently` against Evidently itself: the taxi fixture's reference and its drifted week go into a
real server and into Evidently 0.7 (run in its own virtual environment, since it needs pandas < 3), and every
column's PSI, normalized Wasserstein, Jensen–Shannon, KS and chi-square, and Evidently's automatic choice of test
and verdict, must agree."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
from support import ROOT, vigil_server

import vigil

TAXI = ROOT.parent / "shared" / "fixtures" / "taxi"
EVIDENTLY_PYTHON = Path(os.environ.get("VIGIL_EVIDENTLY_PYTHON", ROOT / ".venv-evidently" / "bin" / "python"))
FROM, TO = "2020-02-23T00:00:00Z", "2020-03-01T00:00:00Z"
COLUMNS = ["trip_distance", "fare_amount", "passenger_count", "pickup_hour", "payment_type", "pickup_borough"]
# Evidently's method names (as given, and as its automatic choice reports them) to Vigil's statistics.
STATISTIC = {"psi": "psi", "wasserstein": "wasserstein", "jensenshannon": "js_distance", "ks": "ks_pvalue",
             "chisquare": "chi2_pvalue", "PSI": "psi", "Wasserstein distance (normed)": "wasserstein",
             "Jensen-Shannon distance": "js_distance", "K-S p_value": "ks_pvalue", "chi-square p_value": "chi2_pvalue",
             "Z-test p_value": "z_pvalue"}

pytestmark = pytest.mark.skipif(
    not EVIDENTLY_PYTHON.exists(), reason=f"no Evidently environment at {EVIDENTLY_PYTHON} (scripts/test makes it)")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """Vigil's drift report (convention=evidently) and Evidently's scores, for the same week."""
    tmp = tmp_path_factory.mktemp("evidently")
    predictions = pd.read_csv(TAXI / "predictions.csv")
    current = predictions[(predictions.timestamp >= FROM) & (predictions.timestamp < TO)]
    current.to_csv(tmp / "current.csv", index=False)
    run = subprocess.run([str(EVIDENTLY_PYTHON), str(Path(__file__).parent / "evidently_drift.py"),
                          str(TAXI / "reference.csv"), str(tmp / "current.csv")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    evidently = json.loads(run.stdout)
    with vigil_server(tmp / "data") as url:
        client = vigil.Client(url)
        client.set_reference("taxi-tip", pd.read_csv(TAXI / "reference.csv"))
        client.log_predictions(current.rename(columns={"timestamp": "ts"}), features=COLUMNS)
        r = requests.get(f"{url}/v1/models/taxi-tip/drift",
                         params={"from": FROM, "to": TO, "convention": "evidently"}, timeout=30)
        assert r.status_code == 200, r.text
        frame = client.drift("taxi-tip", start=FROM, end=TO, convention="evidently")
        assert frame.attrs["convention"] == "evidently"
        assert frame.set_index("column")["psi"].to_dict() == {c["column"]: c["psi"] for c in r.json()["columns"]}
        # The same from the rules: stored with the convention, they govern queries without the parameter.
        stored = requests.put(f"{url}/v1/models/taxi-tip/rules", json={"convention": "evidently"}, timeout=10)
        assert stored.status_code == 200, stored.text
        by_rules = requests.get(f"{url}/v1/models/taxi-tip/drift", params={"from": FROM, "to": TO}, timeout=30).json()
        assert by_rules["convention"] == "evidently" and by_rules["columns"] == r.json()["columns"]
        vigil_way = requests.get(f"{url}/v1/models/taxi-tip/drift",
                                 params={"from": FROM, "to": TO, "convention": "vigil"}, timeout=30).json()
        assert vigil_way["convention"] == "vigil"
        assert {c["column"]: c["threshold"]["statistic"] for c in vigil_way["columns"]} == dict.fromkeys(COLUMNS, "psi")
        client.close()
        yield r.json(), evidently


def test_every_statistic_equals_evidentlys_on_all_six_columns(both):
    report, evidently = both
    assert report["convention"] == "evidently"
    columns = {c["column"]: c for c in report["columns"]}
    assert set(columns) == set(COLUMNS)
    compared = 0
    for column in COLUMNS:
        assert not columns[column]["approximate"], column
        for method, expected in evidently[column].items():
            if method == "default":
                continue
            got = columns[column][STATISTIC[method]]
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (column, method, got, expected)
            compared += 1
    assert compared == 4 * 4 + 2 * 3


def test_a_column_without_a_rule_gets_evidentlys_automatic_test_and_verdict(both):
    report, evidently = both
    columns = {c["column"]: c for c in report["columns"]}
    for column in COLUMNS:
        chosen = evidently[column]["default"]
        threshold = columns[column]["threshold"]
        assert threshold["statistic"] == STATISTIC[chosen["method"]], column
        assert threshold["threshold"] == chosen["threshold"], column
        assert columns[column]["value"] == pytest.approx(chosen["score"], rel=1e-9), column
        assert (columns[column]["verdict"] == "drift") == chosen["drift"], column
    # The drifted week: longer trips and a new payment type; passengers, hours and boroughs hold.
    assert sorted(report["drifted"]) == ["fare_amount", "payment_type", "trip_distance"]


def test_the_numeric_columns_are_binned_as_evidently_bins_them(both):
    report, _ = both
    columns = {c["column"]: c for c in report["columns"]}
    reference = pd.read_csv(TAXI / "reference.csv")
    predictions = pd.read_csv(TAXI / "predictions.csv")
    current = predictions[(predictions.timestamp >= FROM) & (predictions.timestamp < TO)]
    for column in ["trip_distance", "fare_amount", "pickup_hour"]:  # more than 20 distinct reference values
        r, c = reference[column].dropna(), current[column].dropna()
        edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
        assert columns[column]["bin_edges"] == pytest.approx(list(edges), rel=1e-15), column
        assert columns[column]["reference_bin_counts"] == list(np.histogram(r, edges)[0]), column
        assert columns[column]["current_bin_counts"] == list(np.histogram(c, edges)[0]), column
    # passenger_count has 6 values: compared one by one, as categories.
    assert columns["passenger_count"]["bin_values"] == [1, 2, 3, 4, 5, 6]
    assert "bin_edges" not in columns["passenger_count"]


def test_the_convention_is_a_rule_and_a_bad_one_is_refused(tmp_path):
    with vigil_server(tmp_path / "data") as url:
        bad = requests.put(f"{url}/v1/models/m/rules", json={"convention": "nannyml"}, timeout=10)
        assert bad.status_code == 400 and "convention" in bad.text
        z = requests.put(f"{url}/v1/models/m/rules",
                         json={"columns": {"c": {"type": "categorical", "drift": {"statistic": "z_pvalue"}}}}, timeout=10)
        assert z.status_code == 400 and "needs \"convention\": \"evidently\"" in z.json()["error"]["message"]
        ok = requests.put(f"{url}/v1/models/m/rules", json={"convention": "evidently", "columns": {
            "c": {"type": "categorical", "drift": {"statistic": "z_pvalue", "threshold": 0.05}}}}, timeout=10)
        assert ok.status_code == 200, ok.text
        assert ok.json()["rules"]["convention"] == "evidently"
        query = requests.get(f"{url}/v1/models/m/drift", params={"convention": "sklearn"}, timeout=10)
        assert query.status_code == 400 and "convention" in query.json()["error"]["message"]

"""The slices fixture (Tests/Fixtures/slices) as the slices tests share it: its files and expected values, loading
it into a server, and slice names both ways — an expected slice's terms (generate.py's `b<i>` for the i-th bin
of a column's edges) and Vigil's conditions, each as a comparable frozenset of (column, term)."""

from __future__ import annotations

import json

import pandas as pd
from support import ROOT

FIXTURE = ROOT / "Tests" / "Fixtures" / "slices"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text())
MODEL = EXPECTED["model"]
COLUMNS = ["trip_distance", "fare_amount", "passenger_count", "pickup_hour", "payment_type", "pickup_borough"]


def load(client) -> None:
    """The fixture's reference, predictions and labels, through the Python client."""
    client.set_reference(MODEL, pd.read_csv(FIXTURE / "reference.csv"))
    predictions = pd.read_csv(FIXTURE / "predictions.csv").rename(columns={"timestamp": "ts"})
    client.log_predictions(predictions, features=COLUMNS)
    client.log_feedback_batch(pd.read_csv(FIXTURE / "feedback.csv").rename(columns={"timestamp": "ts"}))


def expected_key(terms: dict, edges: dict) -> frozenset:
    out = []
    for column, term in terms.items():
        if term == "missing":
            out.append((column, "missing"))
        elif term.startswith("b") and column in edges:
            cuts, i = edges[column], int(term[1:])
            out.append((column, (cuts[i - 1] if i > 0 else None, cuts[i] if i < len(cuts) else None)))
        else:
            out.append((column, term))
    return frozenset(out)


def vigil_key(conditions: list) -> frozenset:
    out = []
    for c in conditions:
        if c["missing"]:
            out.append((c["column"], "missing"))
        elif c.get("value") is not None:
            out.append((c["column"], c["value"]))
        else:
            out.append((c["column"], (c.get("lower"), c.get("upper"))))
    return frozenset(out)

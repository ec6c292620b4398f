"""Evidently's own drift scores for the taxi fixture's columns, printed as JSON.

Runs in the Evidently virtual environment (evidently 0.7 needs pandas < 3; scripts/test makes it):
    python evidently_drift.py REFERENCE.csv CURRENT.csv
For each column, each method's score through `Report([ValueDrift(column, method)])`, and the method, threshold
and verdict Evidently picks by itself (no method given)."""

from __future__ import annotations

import json
import sys

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.metrics import ValueDrift

NUMERIC = ["trip_distance", "fare_amount", "passenger_count", "pickup_hour"]
CATEGORICAL = ["payment_type", "pickup_borough"]
METHODS = {"numeric": ["psi", "wasserstein", "jensenshannon", "ks"],
           "categorical": ["psi", "jensenshannon", "chisquare"]}


def dataset(path: str) -> Dataset:
    frame = pd.read_csv(path)[NUMERIC + CATEGORICAL]
    return Dataset.from_pandas(frame, data_definition=DataDefinition(
        numerical_columns=NUMERIC, categorical_columns=CATEGORICAL))


def main(reference_path: str, current_path: str) -> None:
    reference, current = dataset(reference_path), dataset(current_path)
    metrics, keys = [], []
    for kind, columns in (("numeric", NUMERIC), ("categorical", CATEGORICAL)):
        for column in columns:
            for method in METHODS[kind] + [None]:
                metrics.append(ValueDrift(column=column, method=method))
                keys.append((column, method))
    snapshot = Report(metrics, include_tests=True).run(current, reference).dict()
    drifted = {t["metric_config"]["metric_id"]: t["status"] == "FAIL" for t in snapshot["tests"]}
    out: dict = {}
    for (column, method), result in zip(keys, snapshot["metrics"]):
        entry = out.setdefault(column, {})
        if method is not None:
            entry[method] = float(result["value"])
        else:
            entry["default"] = {"method": result["config"]["method"], "threshold": result["config"]["threshold"],
                                "score": float(result["value"]), "drift": drifted[result["id"]]}
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])

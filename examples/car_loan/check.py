#!/usr/bin/env python3
"""Recomputes the walkthrough's numbers independently (pandas, scikit-learn, scipy) from what it sent.

Reads OUT/predictions.csv (every prediction sent, with its score and features), OUT/labels.csv
(every label sent, with its arrival time), OUT/reference.csv and compares them with what Vigil
answered (OUT/results.json) and the webhooks it delivered (OUT/webhooks.json). Exits 1 on a mismatch.

Usage: check.py OUT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.metrics import accuracy_score, recall_score, roc_auc_score

failures: list[str] = []


def check(name: str, ours: float, theirs: float, tolerance: float) -> None:
    ok = ours is not None and theirs is not None and abs(float(ours) - float(theirs)) <= tolerance
    print(f"  {'ok ' if ok else 'BAD'} {name}: Vigil {ours} vs independent {theirs}")
    if not ok:
        failures.append(name)


def expect(name: str, condition: bool, detail: str = "") -> None:
    print(f"  {'ok ' if condition else 'BAD'} {name}{': ' + detail if detail else ''}")
    if not condition:
        failures.append(name)


def main(out: Path) -> None:
    results = json.loads((out / "results.json").read_text())
    predictions = pd.read_csv(out / "predictions.csv", parse_dates=["ts"])
    labels = pd.read_csv(out / "labels.csv", parse_dates=["ts"])
    reference = pd.read_csv(out / "reference.csv")
    end = pd.Timestamp(results["end"])
    joined = predictions.merge(labels[["id", "label"]], on="id", how="left")

    print("traffic")
    expect("50,000 predictions sent", len(predictions) == 50_000)
    expect("every event acknowledged", results["acknowledged"] == len(predictions) + len(labels),
           f"{results['acknowledged']:,} = {len(predictions):,} + {len(labels):,}")
    shift = pd.Timestamp(results["drift_start"])
    before, after = joined[joined.ts < shift], joined[joined.ts >= shift]
    expect("accuracy drops after the population shift",
           accuracy_score(before.repaid, before.prediction) > 0.93 > accuracy_score(after.repaid, after.prediction))

    print("weekly metrics (labels arrived by the end)")
    for row in results["weekly"]:
        window = joined[(joined.ts >= pd.Timestamp(row["from"])) & (joined.ts < pd.Timestamp(row["to"]))]
        labeled = window.dropna(subset=["label"])
        y, p, s = labeled.label.astype(int), labeled.prediction, labeled.score
        independent = {
            "accuracy": (accuracy_score(y, p), 1e-9),
            "recall": (recall_score(y, p), 1e-9),
            "roc_auc": (roc_auc_score(y, s), 2e-3),  # Vigil's AUC comes from a fixed-bin score histogram
            "label_coverage": (len(labeled) / len(window), 1e-9),
            "bad_loan_rate": (((p == 1) & (y == 0)).sum() / (p == 1).sum(), 1e-9),
        }[row["metric"]]
        check(f"{row['metric']} {row['from'][:10]}", row["value"], *independent)

    print("SLO loan-accuracy as of the end (accuracy >= 0.93 over 7 days)")
    status = results["slo_accuracy_at_end"]
    week = joined[(joined.ts >= end - pd.Timedelta(days=7)) & (joined.ts < end)].dropna(subset=["label"])
    correct = int((week.prediction == week.label).sum())
    check("SLI", status["value"]["value"], correct / len(week), 1e-9)
    check("n", status["value"]["n"], len(week), 0)
    allowed, bad = 0.07 * len(week), len(week) - correct
    check("bad events", status["budget"]["bad_events"], bad, 0)
    check("budget remaining", status["budget"]["remaining_fraction"], (allowed - bad) / allowed, 1e-9)
    expect("verdict breached", status["verdict"] == "breached", status["reason"])

    print("drift over the last week against the reference")
    drift = {row["column"]: row for row in results["drift_last_week"]}
    current = predictions[(predictions.ts >= end - pd.Timedelta(days=7)) & (predictions.ts < end)]
    for column in ["car_value", "debt_to_income_ratio", "driver_tenure"]:
        row = drift[column]
        tolerance = 0.01 if row["approximate"] else 1e-9  # quantile sketches past 2,048 distinct values
        check(f"{column} KS statistic", row["ks_statistic"],
              ks_2samp(reference[column], current[column]).statistic, tolerance)
        spread = reference[column].std()
        check(f"{column} Wasserstein", row["wasserstein"],
              wasserstein_distance(reference[column], current[column]), 0.01 * spread if row["approximate"] else 1e-9)
    expect("car_value drifted, debt_to_income_ratio did not",
           drift["car_value"]["drifted"] and not drift["debt_to_income_ratio"]["drifted"])

    print("alerts")
    firing = {(a["slo"], a["rule"]) for a in results["alerts"] if a["state"] == "firing"}
    expect("accuracy ticket and drift page firing",
           {("loan-accuracy", "ticket-7d"), ("car-value-drift", "threshold")} <= firing, str(sorted(firing)))
    hooks = json.loads((out / "webhooks.json").read_text())
    delivered = {(h["alert"]["slo"], h["to"]) for h in hooks}
    expect("webhooks delivered", {("loan-accuracy", "firing"), ("car-value-drift", "firing")} <= delivered,
           str(sorted(delivered)))
    first = results["backtest_first_firing"]
    expect("backtest fires after the shift, within a week", first is not None and
           shift < pd.Timestamp(first) < shift + pd.Timedelta(days=7), f"first firing {first}, shift {shift}")

    print(f"checks: {'all passed' if not failures else f'{len(failures)} failed: ' + ', '.join(failures)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "car-loan-out"))

#!/usr/bin/env python3
"""Generates the slices fixture (seeded) and its expected worst-slice values (pandas, numpy, scipy).

A binary classifier `taxi-slices` serves four weeks of taxi trips with the six taxi feature columns. Its errors
do not depend on the features for three weeks (every prediction is wrong with probability 0.12); in the fourth
week, and only for trips from Brooklyn paid in cash, the label flips with probability 0.45. Every prediction gets
a label 0-48 h later; 2 % get a corrected label later still (the latest one is the truth). See README.md.

expected.json holds, for the bad week and for the healthy weeks, every slice Vigil tests (each column's
categories, missing values and reference-quintile bins, and every pair of two columns) with its accuracy, the
rest's, the pooled two-proportion z, the one-sided p-value, the Benjamini-Hochberg q-value, and the impact.

Usage: python3 generate.py [--seed 1]   (writes reference.csv, predictions.csv, feedback.csv, expected.json)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os

import numpy as np
import pandas as pd
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
START = pd.Timestamp("2026-10-05T00:00:00Z")
WEEK = pd.Timedelta(days=7)
PER_WEEK = 2_500
COLUMNS = ["trip_distance", "fare_amount", "passenger_count", "pickup_hour", "payment_type", "pickup_borough"]
BOROUGHS = (["Manhattan", "Brooklyn", "Queens", "Bronx", "Staten Island"], [0.45, 0.2, 0.2, 0.1, 0.05])
PAYMENTS = (["card", "cash", "dispute"], [0.65, 0.3, 0.05])
MIN_SIZE = 30
FDR = 0.05


def trips(rng: np.random.Generator, n: int) -> pd.DataFrame:
    distance = np.clip(rng.lognormal(0.6, 0.75, n), 0.1, 60).round(2)
    passengers = rng.integers(1, 7, n).astype(float)
    passengers[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame({
        "trip_distance": distance,
        "fare_amount": np.maximum(2.5, 2.5 + 2.4 * distance + rng.normal(0, 1.5, n)).round(2),
        "passenger_count": passengers,
        "payment_type": rng.choice(PAYMENTS[0], n, p=PAYMENTS[1]),
        "pickup_borough": rng.choice(BOROUGHS[0], n, p=BOROUGHS[1]),
    })


def generate(seed: int):
    rng = np.random.default_rng(seed)
    reference = trips(rng, 5_000)
    reference.insert(3, "pickup_hour", rng.integers(0, 24, len(reference)))
    n = 4 * PER_WEEK
    offsets = np.sort(rng.integers(0, int(4 * WEEK.total_seconds()), n))
    times = START + pd.to_timedelta(offsets, unit="s")
    p = trips(rng, n)
    p.insert(3, "pickup_hour", times.hour)
    score = np.clip(rng.beta(2, 2, n), 0.0001, 0.9999).round(4)
    prediction = (score >= 0.5).astype(int)
    bad = (times >= START + 3 * WEEK) & (p.pickup_borough == "Brooklyn") & (p.payment_type == "cash")
    flip = rng.random(n) < np.where(bad, 0.45, 0.12)
    label = np.where(flip, 1 - prediction, prediction)
    predictions = pd.concat([
        pd.DataFrame({"id": [f"s{i:06d}" for i in range(1, n + 1)],
                      "timestamp": times.strftime("%Y-%m-%dT%H:%M:%SZ"), "model": "taxi-slices", "version": "v1"}),
        p, pd.DataFrame({"score": score, "prediction": prediction})], axis=1)
    arrival = times + pd.to_timedelta(rng.integers(60, 48 * 3600, n), unit="s")
    first = label.copy()
    corrected = rng.random(n) < 0.02
    first[corrected] = 1 - label[corrected]
    feedback = pd.DataFrame({"id": predictions.id, "timestamp": arrival, "label": first})
    later = pd.DataFrame({"id": predictions.id[corrected],
                          "timestamp": arrival[corrected] + pd.to_timedelta(3600, unit="s"), "label": label[corrected]})
    feedback = pd.concat([feedback, later]).sort_values(["timestamp", "id"], kind="stable")
    feedback["timestamp"] = feedback.timestamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return reference, predictions, feedback, label


def edges(reference: pd.DataFrame) -> dict:
    """Interior quintiles of each numeric column (numpy's linear quantiles), as Vigil bins them."""
    numeric = [c for c in COLUMNS if pd.api.types.is_numeric_dtype(reference[c])]
    return {c: sorted(set(np.quantile(reference[c].dropna(), [0.2, 0.4, 0.6, 0.8]).tolist())) for c in numeric}


def terms(frame: pd.DataFrame, cuts: dict) -> pd.DataFrame:
    """Each row's slice term per column: `missing`, a category, or a numeric bin `b<i>`."""
    out = {}
    for c in COLUMNS:
        v = frame[c]
        if c in cuts:
            bins = np.searchsorted(np.array(cuts[c]), v.to_numpy(dtype=float), side="right")
            out[c] = np.where(v.isna(), "missing", np.char.add("b", bins.astype(str)))
        else:
            out[c] = np.where(v.isna(), "missing", v.astype(str))
    return pd.DataFrame(out, index=frame.index)


def slices(frame: pd.DataFrame, cuts: dict) -> list:
    """Every slice with at least MIN_SIZE labeled rows, tested against the rest, with BH q-values."""
    t = terms(frame, cuts)
    correct = (frame.prediction == frame.label).astype(int)
    total_n, total_good = len(frame), int(correct.sum())
    found = []
    groups = [[c] for c in COLUMNS] + [list(pair) for pair in itertools.combinations(COLUMNS, 2)]
    for cols in groups:
        counts = pd.DataFrame({"good": correct, **{c: t[c] for c in cols}}).groupby(cols)["good"].agg(["sum", "count"])
        for key, row in counts.iterrows():
            key = key if isinstance(key, tuple) else (key,)
            n, good = int(row["count"]), int(row["sum"])
            rest_n, rest_good = total_n - n, total_good - good
            if n < MIN_SIZE or rest_n == 0:
                continue
            pooled = (good + rest_good) / (n + rest_n)
            se = np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / rest_n))
            diff = good / n - rest_good / rest_n
            z = diff / se if se > 0 else None
            found.append({
                "terms": dict(zip(cols, key)), "n": n, "value": good / n, "rest": rest_good / rest_n,
                "difference": diff, "z": z, "p_value": float(stats.norm.cdf(z)) if z is not None else 1.0,
                "impact": max(0.0, -diff) * n / (total_n - total_good)})
    q = stats.false_discovery_control([f["p_value"] for f in found], method="bh")
    for f, qv in zip(found, q):
        f["q_value"] = float(qv)
        f["discovered"] = bool(qv <= FDR)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    seed = parser.parse_args().seed
    reference, predictions, feedback, label = generate(seed)
    cuts = edges(reference)
    served = predictions.assign(label=label, time=pd.to_datetime(predictions.timestamp))
    bad_week = served[served.time >= START + 3 * WEEK]
    healthy = served[served.time < START + 3 * WEEK]
    expected = {
        "generator": {"seed": seed, "numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__},
        "model": "taxi-slices", "min_size": MIN_SIZE, "fdr": FDR, "edges": cuts,
        "bad_week": {"from": str((START + 3 * WEEK).isoformat()).replace("+00:00", "Z"),
                     "to": str((START + 4 * WEEK).isoformat()).replace("+00:00", "Z"),
                     "accuracy": float((bad_week.prediction == bad_week.label).mean()),
                     "slices": slices(bad_week, cuts)},
        "healthy_weeks": {"from": str(START.isoformat()).replace("+00:00", "Z"),
                          "to": str((START + 3 * WEEK).isoformat()).replace("+00:00", "Z"),
                          "accuracy": float((healthy.prediction == healthy.label).mean()),
                          "slices": slices(healthy, cuts)},
    }
    healthy_found = [s for s in expected["healthy_weeks"]["slices"] if s["discovered"]]
    assert not healthy_found, f"seed {seed}: healthy weeks have discoveries {healthy_found[:3]}"
    top = min((s for s in expected["bad_week"]["slices"] if s["discovered"]), key=lambda s: s["difference"])
    assert top["terms"] == {"payment_type": "cash", "pickup_borough": "Brooklyn"}, top
    reference.to_csv(os.path.join(HERE, "reference.csv"), index=False)
    predictions.to_csv(os.path.join(HERE, "predictions.csv"), index=False)
    feedback.to_csv(os.path.join(HERE, "feedback.csv"), index=False)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(f"seed {seed}: {len(predictions)} predictions, {len(feedback)} labels; top slice {top['terms']} "
          f"accuracy {top['value']:.3f} vs {top['rest']:.3f}, q {top['q_value']:.2e}; "
          f"{sum(s['discovered'] for s in expected['bad_week']['slices'])} discoveries in the bad week")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generates the canary fixture (seeded) and its expected comparison values (statsmodels, scikit-learn).

A binary fraud model `fraud`: the primary v1 serves 80 % of the traffic, the canary v2 20 %, over one week;
v2 is truly worse in region `apac` (its scores carry less signal there) and the same as v1 elsewhere. A
shadow v3 scores the same inputs as v1 (same ids), with a slightly different model. Every prediction gets a
label. See README.md.

Usage: python3 generate.py [--seed 19]   (writes predictions.csv, shadow.csv, feedback.csv, expected.json)
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
import pandas as pd
import scipy
import sklearn
import statsmodels
from sklearn.metrics import roc_auc_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

HERE = os.path.dirname(os.path.abspath(__file__))
START = pd.Timestamp("2026-11-01T00:00:00Z")
ROWS = 12_000
REGIONS = ["eu", "us", "apac"]
MARGIN = 0.05


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def generate(seed: int):
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.integers(0, 7 * 86_400, ROWS))
    region = rng.choice(REGIONS, ROWS, p=[0.4, 0.35, 0.25])
    version = np.where(rng.random(ROWS) < 0.2, "v2", "v1")
    label = (rng.random(ROWS) < 0.3).astype(int)
    signal = np.where((version == "v2") & (region == "apac"), 0.9, 2.2)
    noise = rng.normal(0, 1, ROWS)
    score = np.round(sigmoid(signal * (2 * label - 1) + noise - 0.3), 4)
    shadow_score = np.round(sigmoid(2.0 * (2 * label - 1) + 0.6 * noise + rng.normal(0, 0.8, ROWS) - 0.3), 4)
    times = [(START + pd.Timedelta(seconds=int(s))).strftime("%Y-%m-%dT%H:%M:%SZ") for s in seconds]
    label_times = [(START + pd.Timedelta(seconds=int(s) + 3600)).strftime("%Y-%m-%dT%H:%M:%SZ") for s in seconds]
    ids = [f"c{i:05d}" for i in range(1, ROWS + 1)]
    predictions = pd.DataFrame({
        "id": ids, "timestamp": times, "model": "fraud", "version": version, "region": region,
        "score": score, "prediction": (score >= 0.5).astype(int)})
    shadow_rows = version == "v1"
    shadow = pd.DataFrame({
        "id": np.array(ids)[shadow_rows], "timestamp": np.array(times)[shadow_rows], "model": "fraud", "version": "v3",
        "region": region[shadow_rows], "score": shadow_score[shadow_rows],
        "prediction": (shadow_score[shadow_rows] >= 0.5).astype(int)})
    feedback = pd.DataFrame({"id": ids, "timestamp": label_times, "label": label})
    return predictions, shadow, feedback


def proportion_counts(frame: pd.DataFrame, metric: str):
    y, p = frame["label"], frame["prediction"]
    if metric == "accuracy":
        return int((y == p).sum()), len(frame)
    if metric == "precision":
        return int(((p == 1) & (y == 1)).sum()), int((p == 1).sum())
    if metric == "recall":
        return int(((p == 1) & (y == 1)).sum()), int((y == 1).sum())
    if metric == "specificity":
        return int(((p == 0) & (y == 0)).sum()), int((y == 0).sum())
    raise ValueError(metric)


def hanley_mcneil_variance(auc: float, positives: int, negatives: int) -> float:
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    return (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (
        positives * negatives)


def compare(frame: pd.DataFrame) -> dict:
    base, cand = frame[frame.version == "v1"], frame[frame.version == "v2"]
    out = {}
    for metric in ["accuracy", "precision", "recall", "specificity"]:
        kc, nc = proportion_counts(cand, metric)
        kb, nb = proportion_counts(base, metric)
        low, upp = confint_proportions_2indep(kc, nc, kb, nb, method="newcomb", compare="diff")
        _, p_value = proportions_ztest([kc, kb], [nc, nb])
        out[metric] = {"baseline": {"k": kb, "n": nb, "value": kb / nb}, "candidate": {"k": kc, "n": nc, "value": kc / nc},
                       "difference": kc / nc - kb / nb, "lower": float(low), "upper": float(upp),
                       "p_value": float(p_value)}
    aucs = {}
    for name, part in [("baseline", base), ("candidate", cand)]:
        auc = roc_auc_score(part["label"], part["score"])
        pos, neg = int(part["label"].sum()), int((1 - part["label"]).sum())
        aucs[name] = {"value": float(auc), "positives": pos, "negatives": neg,
                      "variance": hanley_mcneil_variance(auc, pos, neg)}
    out["roc_auc"] = {**aucs, "difference": aucs["candidate"]["value"] - aucs["baseline"]["value"]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    predictions, shadow, feedback = generate(args.seed)
    for name, frame in [("predictions", predictions), ("shadow", shadow), ("feedback", feedback)]:
        frame.to_csv(os.path.join(HERE, f"{name}.csv"), index=False, lineterminator="\n")
    # Expected values from the files as written.
    predictions = pd.read_csv(os.path.join(HERE, "predictions.csv"))
    shadow = pd.read_csv(os.path.join(HERE, "shadow.csv"))
    feedback = pd.read_csv(os.path.join(HERE, "feedback.csv"))
    joined = predictions.merge(feedback[["id", "label"]], on="id")
    slices = {"overall": compare(joined)}
    for region in REGIONS:
        slices[f"region:{region}"] = compare(joined[joined.region == region])
    paired = joined[joined.version == "v1"].merge(shadow[["id", "prediction"]], on="id", suffixes=("", "_shadow"))
    right, right_shadow = paired.prediction == paired.label, paired.prediction_shadow == paired.label
    table = [[int((right & right_shadow).sum()), int((right & ~right_shadow).sum())],
             [int((~right & right_shadow).sum()), int((~right & ~right_shadow).sum())]]
    expected = {
        "generator": {"script": "Tests/Fixtures/canary/generate.py", "seed": args.seed, "numpy": np.__version__,
                      "pandas": pd.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
                      "statsmodels": statsmodels.__version__},
        "baseline": "v1", "candidate": "v2", "margin": MARGIN,
        "slices": slices,
        "expected_verdicts": {"region:apac": "worse"},
        "shadow": {"primary": "v1", "shadow": "v3", "pairs": len(paired),
                   "disagreement_rate": float((paired.prediction != paired.prediction_shadow).mean()),
                   "mcnemar_table": table, "mcnemar_exact_p": float(mcnemar(table, exact=True).pvalue)},
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(json.dumps({k: {m: (v["difference"], v.get("lower"), v.get("upper")) for m, v in s.items()}
                      for k, s in slices.items()}, indent=1))


if __name__ == "__main__":
    main()

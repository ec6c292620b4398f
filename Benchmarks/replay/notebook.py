#!/usr/bin/env python3
"""`vigil replay` against the notebook way (pandas: read, dedup, merge, groupby) on the same files.

Generates ROWS binary predictions over 30 days (id, timestamp, model, version, region, score, prediction and
FEATURES numeric features) and labels for 80 % of them, arriving 1–72 hours later, with 2 % sent twice and
1 % corrected later. Both sides compute daily accuracy and label counts by prediction day, with the latest
label of each id; the answers are compared. Each side runs as its own process, timed from start to exit
with its peak RSS (/usr/bin/time). Prints the numbers and writes the section "Replay against pandas" of
docs/benchmarks.md.

Usage: notebook.py [--rows 1000000] [--features 0] [--bin .build/release/vigil] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks_md import machine, write_section  # noqa: E402
from bench_process import reexec_in, timed  # noqa: E402

VENV = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".venv")

HEADING = "## Replay against pandas (`Benchmarks/replay/notebook.py`)"
T0 = 1_767_225_600  # 2026-01-01
DAYS = 30

PANDAS = r"""
import sys, pandas as pd
p = pd.read_csv(sys.argv[1], usecols=["id", "timestamp", "prediction"])
f = pd.read_csv(sys.argv[2])
f = f.sort_values("timestamp", kind="stable").drop_duplicates("id", keep="last")
m = p.drop_duplicates("id").merge(f, on="id", how="inner", suffixes=("", "_label"))
m["day"] = pd.to_datetime(m["timestamp"]).dt.floor("D")
m["correct"] = m["prediction"] == m["label"]
g = m.groupby("day").agg(labeled=("correct", "size"), accuracy=("correct", "mean"))
g.index = g.index.strftime("%Y-%m-%d")
print(g.to_json(orient="index"))
"""


def generate(directory: str, rows: int, features: int) -> tuple[str, str]:
    import numpy as np
    rng = np.random.default_rng(7)
    t = T0 + np.sort(rng.uniform(0, DAYS * 86_400, rows)).astype(np.int64)
    score = rng.uniform(0, 1, rows)
    prediction = (score >= 0.5).astype(np.int64)
    truth = (rng.uniform(0, 1, rows) < 0.15 + 0.7 * score).astype(np.int64)
    ids = np.char.add("p", np.arange(rows).astype(str))

    def iso(seconds: np.ndarray) -> np.ndarray:
        return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s", timezone="UTC")

    predictions = os.path.join(directory, "predictions.csv")
    columns = {"id": ids, "timestamp": iso(t), "model": np.full(rows, "m"), "version": np.where(t % 5 == 0, "v2", "v1"),
               "region": np.array(["eu", "us", "apac"])[np.arange(rows) % 3], "score": np.round(score, 6),
               "prediction": prediction}
    for k in range(features):
        columns[f"x{k}"] = np.round(rng.normal(k, 1, rows), 4)
    import pandas as pd
    pd.DataFrame(columns).to_csv(predictions, index=False)
    labelled = rng.uniform(0, 1, rows) < 0.8
    arrival = t + rng.integers(3_600, 72 * 3_600, rows)
    f = pd.DataFrame({"id": ids, "timestamp": arrival, "label": truth})[labelled]
    again = f.sample(frac=0.02, random_state=1)
    corrected = f.sample(frac=0.01, random_state=2).assign(
        timestamp=lambda d: d.timestamp + 86_400, label=lambda d: 1 - d.label)
    f = pd.concat([f, again, corrected]).sort_values("timestamp", kind="stable")
    f["timestamp"] = iso(f["timestamp"].to_numpy())
    feedback = os.path.join(directory, "feedback.csv")
    f.to_csv(feedback, index=False)
    return predictions, feedback


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=0)
    parser.add_argument("--bin", default=".build/release/vigil")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    reexec_in(VENV, ["numpy", "pandas"])
    directory = tempfile.mkdtemp(prefix="vigil-notebook-")
    try:
        predictions, feedback = generate(directory, args.rows, args.features)
        labels = sum(1 for _ in open(feedback)) - 1
        print(f"{args.rows:,} predictions, {labels:,} label rows ({os.path.getsize(predictions) / 1e6:.0f} + "
              f"{os.path.getsize(feedback) / 1e6:.0f} MB)", flush=True)
        script = os.path.join(directory, "notebook.py")
        open(script, "w").write(PANDAS)
        pandas_s, pandas_mb, pandas_out = timed([sys.executable, script, predictions, feedback])
        print(f"pandas: {pandas_s:.2f} s, {pandas_mb:,.0f} MB", flush=True)
        vigil_s, vigil_mb, vigil_out = timed([
            args.bin, "replay", "--predictions", predictions, "--feedback", feedback, "--step", "1d",
            "--from", datetime.datetime.fromtimestamp(T0, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "--to", datetime.datetime.fromtimestamp(T0 + DAYS * 86_400, datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%SZ"),
            "--segment", "region", "--metrics", "labeled_count,accuracy", "--label-horizon", "60d",
            "--format", "json"])
        print(f"vigil replay: {vigil_s:.2f} s, {vigil_mb:,.0f} MB", flush=True)
        expected = json.loads(pandas_out)
        got = {point["from"][:10]: point for point in json.loads(vigil_out)["models"]["m"]["series"]}
        worst = 0.0
        for day, want in expected.items():
            values = got[day]["metrics"]
            assert values["labeled_count"]["value"] == want["labeled"], (day, values, want)
            worst = max(worst, abs(values["accuracy"]["value"] - want["accuracy"]))
        print(f"daily accuracy and label counts agree on {len(expected)} days (largest difference {worst:.1e})")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"BENCH replay: vigil {vigil_s:.2f} s {vigil_mb:.0f} MB; pandas {pandas_s:.2f} s {pandas_mb:.0f} MB; "
          f"speed-up {pandas_s / vigil_s:.2f}x")
    import pandas
    pd_version = pandas.__version__
    if args.write:
        write_section(HEADING, (
            f"{HEADING}\n\nMeasured {datetime.date.today()} on {machine()}; release build. {args.rows:,} binary "
            f"predictions over {DAYS} days with {args.features} numeric features, and {labels:,} label rows "
            "(80 % labelled 1–72 h later, 2 % sent twice, 1 % corrected a day later), as CSV. Both compute daily "
            "accuracy and label counts with each id's latest label, and agree. Each is one process, timed from "
            "start to exit with its peak RSS.\n\n"
            "| | time | peak RSS |\n|---|---:|---:|\n"
            f"| pandas {pd_version} (read, dedup, merge, groupby) | {pandas_s:.2f} s | {pandas_mb:,.0f} MB |\n"
            f"| `vigil replay --step 1d` | {vigil_s:.2f} s | {vigil_mb:,.0f} MB |\n\n"
            f"Vigil is **{pandas_s / vigil_s:.2f}×** pandas' speed with {vigil_mb / pandas_mb:.2f}× its memory.\n"))


if __name__ == "__main__":
    main()

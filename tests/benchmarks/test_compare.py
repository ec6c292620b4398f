"""The head-to-head benchmark's small mode (N = 10^4), so the script cannot rot: it starts a real PostgreSQL,
a real Prometheus (backfilled with promtool, then scraping the label stream) and `vigil serve`, and every
answer must equal the truth. Times are printed by the script, never asserted.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, precision_score, recall_score

ROOT = Path(__file__).resolve().parents[2]
VIGIL = Path(os.environ.get("VIGIL_BIN", ROOT / ".build" / "debug" / "vigil"))
sys.path.insert(0, str(ROOT / "Benchmarks" / "compare"))

from workload import DAY_MS, HOUR_MS, generate  # noqa: E402


def expected(y_true, y_pred):
    return {"accuracy": accuracy_score(y_true, y_pred), "precision": precision_score(y_true, y_pred),
            "recall": recall_score(y_true, y_pred)}


def test_small_run_agrees_across_systems_and_with_scikit_learn(tmp_path):
    run = subprocess.run([str(ROOT / "Benchmarks" / "compare" / "run.sh"), "--sizes", "10000"],
                         env={**os.environ, "OUT": str(tmp_path), "VIGIL_BIN": str(VIGIL)},
                         capture_output=True, text=True, timeout=900)
    print(run.stdout[-5000:], run.stderr[-5000:])
    assert run.returncode == 0, run.stderr[-2000:]

    results = json.loads((tmp_path / "compare-results.json").read_text())
    [size] = results["sizes"]
    assert size["n"] == 10_000
    assert set(size["systems"]) == {"Vigil", "PostgreSQL", "Prometheus"}

    # The same workload, rebuilt here, scored by scikit-learn: an answer independent of the script's checks.
    w = generate(10_000, results["end"], results["seed"])
    cumulative = expected(w.label[w.known], w.predicted[w.known])
    day = w.known & (w.ts_ms >= w.end_ms - DAY_MS)
    last_day = expected(w.label[day], w.predicted[day])
    for name, system in size["systems"].items():
        assert "error" not in system, f"{name}: {system.get('error')}"
        questions = system["questions"]
        assert set(questions) == {"cumulative", "last_hour", "last_day", "hourly"}
        assert all(q["equal"] for q in questions.values()), name
        assert system["after_stream"]["equal"], name
        for metric, value in cumulative.items():
            assert abs(questions["cumulative"]["answer"][metric] - value) < 1e-12, (name, metric)
        for metric, value in last_day.items():
            assert abs(questions["last_day"]["answer"][metric] - value) < 1e-12, (name, metric)
        hours = len(np.unique((w.ts_ms[w.known] - w.start_ms) // HOUR_MS))
        assert questions["hourly"]["answer"]["points"] == hours, name
        assert system["stream"]["labels"] == int(w.stream.sum()) > 0
        assert system["stream"]["labels_per_s"] > 0
        assert all(q["runs"] >= 1 and q["median_ms"] > 0 and q["server_ms"] > 0 for q in questions.values())

    report = (tmp_path / "benchmarks.md").read_text()
    assert "## Head-to-head: Vigil, PostgreSQL and Prometheus" in report
    assert "| cumulative accuracy, precision, recall | 10,000 |" in report
    assert "all 15 answers equal the truth" in report
    assert "**The server's own time**" in report
    assert (tmp_path / "img" / "compare-latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

"""The car-loan walkthrough end to end (examples/car_loan/run.sh): a real `vigil serve`, the Python
client replaying a month of traffic with late labels, SLOs, drift, a live alert through the webhook;
its numbers are then recomputed independently by check.py (pandas, scikit-learn, scipy)."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_walkthrough_numbers_match_an_independent_computation(tmp_path):
    env = dict(os.environ, VIGIL_BIN=os.environ.get("VIGIL_BIN", str(ROOT / ".build" / "debug" / "vigil")))
    run = subprocess.run([str(ROOT / "examples" / "car_loan" / "run.sh"), str(tmp_path / "out")],
                         env=env, capture_output=True, text=True, timeout=900)
    print(run.stdout[-6000:], run.stderr[-3000:])
    assert run.returncode == 0
    assert "checks: all passed" in run.stdout
    assert "2 alerts firing" in run.stdout

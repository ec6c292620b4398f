"""The crash soak's short version: 10 SIGKILLs of a real server under 3 concurrent writers (scripts/soak runs 100
on a release build and records the numbers in docs/benchmarks.md)."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIGIL = Path(os.environ.get("VIGIL_BIN", ROOT / ".build" / "debug" / "vigil"))
spec = importlib.util.spec_from_file_location("soak", ROOT / "Benchmarks" / "soak" / "soak.py")
soak = importlib.util.module_from_spec(spec)
sys.modules["soak"] = soak  # dataclasses look their module up while the class is made
spec.loader.exec_module(soak)


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_ten_sigkills_under_three_writers_lose_and_duplicate_nothing():
    report = soak.run(str(VIGIL), kills=10)
    assert report["violations"] == []
    assert report["acknowledged"] > 0
    assert report["counted"] == report["acknowledged"]
    assert report["duplicates"] == 0

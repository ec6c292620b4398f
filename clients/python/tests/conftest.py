"""Fixtures: a real `vigil serve` (the binary from VIGIL_BIN, else the debug build) on a free loopback
port with its own SQLite directory, and the repository's golden taxi fixture as DataFrames."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import List, Optional

import pandas as pd
import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
VIGIL = Path(os.environ.get("VIGIL_BIN", ROOT / ".build" / "debug" / "vigil"))
TAXI = ROOT / "Tests" / "Fixtures" / "taxi"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VigilProcess:
    """A `vigil serve` child process; `stop()` and `start()` keep its port and data directory."""

    def __init__(self, data: Path, extra: Optional[List[str]] = None, token: Optional[str] = None,
                 port: Optional[int] = None) -> None:
        if not VIGIL.exists():
            pytest.fail(f"no vigil binary at {VIGIL}: run `swift build` or set VIGIL_BIN")
        self.data = data
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra = extra or []
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.log = open(data / "server.log", "ab")
        self.proc: Optional[subprocess.Popen] = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(VIGIL), "serve", "--data", str(self.data), "--port", str(self.port), "--sync", "normal", *self.extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/readyz", headers=self.headers, timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"vigil serve exited with {self.proc.returncode}; see {self.data / 'server.log'}")
            time.sleep(0.05)
        self.proc.kill()  # do not leave a server behind a failed test
        self.proc.wait()
        raise RuntimeError("vigil serve did not become ready within 60 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)

    def get(self, path: str, **params) -> dict:
        return requests.get(self.url + path, params=params, timeout=30).json()


@pytest.fixture
def server(tmp_path):
    process = VigilProcess(tmp_path)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def taxi_server(tmp_path_factory):
    """One server per module, loaded with the taxi fixture through the client's bulk calls."""
    import vigil

    process = VigilProcess(tmp_path_factory.mktemp("taxi"))
    client = vigil.Client(process.url)
    client.log_predictions(taxi_predictions(), model="taxi-tip", segments=["payment_type", "pickup_borough"])
    client.log_feedback_batch(taxi_feedback())
    client.close()
    yield process
    process.stop()


def taxi_predictions() -> pd.DataFrame:
    frame = pd.read_csv(TAXI / "predictions.csv", keep_default_na=False, na_values=[""])
    frame["pickup_borough"] = frame["pickup_borough"].fillna("")
    return frame


def taxi_feedback() -> pd.DataFrame:
    return pd.read_csv(TAXI / "feedback.csv")


def with_latest_labels(predictions: pd.DataFrame, feedback: pd.DataFrame) -> pd.DataFrame:
    """Predictions with the label in effect (the latest arrival per id wins); NaN where unlabeled."""
    latest = feedback.sort_values("timestamp", kind="stable").groupby("id").last()
    return predictions.join(latest["label"], on="id")


def taxi_expected() -> dict:
    return json.loads((TAXI / "expected.json").read_text())

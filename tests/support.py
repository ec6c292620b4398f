"""What the end-to-end tests share: where the repository and the `vigil` binary are, a free loopback port,
and waiting for a started server to answer."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIGIL = Path(os.environ.get("VIGIL_BIN", ROOT / ".build" / "debug" / "vigil"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(url: str, proc: subprocess.Popen, what: str, timeout: float = 120) -> None:
    """Waits for `url` to answer 200; fails early, naming `what`, if the process exits first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(f"{what} exited with status {proc.returncode}")
            time.sleep(0.2)
    raise AssertionError(f"{what} did not answer {url} within {timeout:.0f} s")

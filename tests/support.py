"""What the end-to-end tests share: where the repository and the `vigil` binary are, a free loopback port,
waiting for a started server to answer or for a condition, and a webhook receiver."""

from __future__ import annotations

import json
from contextlib import contextmanager
import os
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
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


@contextmanager
def vigil_server(data, *extra: str):
    """A `vigil serve` over the data directory `data` on a free loopback port, ready: yields its URL and
    stops it afterwards. `extra` are more `vigil serve` flags."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(VIGIL), "serve", "--data", str(data), "--port", str(port), "--log-level", "warning",
                             *extra])
    try:
        wait_until_ready(url + "/readyz", proc, "vigil serve")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def wait_for(what: str, condition, seconds: float = 30) -> None:
    """Polls `condition` until it is true; fails naming `what` after `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Receiver:
    """A webhook receiver on loopback (`port` 0: any free one) that records every POST as (headers, JSON body)."""

    def __init__(self, port: int = 0):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def bodies(self):
        return [body for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

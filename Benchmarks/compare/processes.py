"""Starting, watching and stopping the servers under test."""

import http.client
import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} was not ready after {timeout:.0f} s")


def wait_for_http(process: subprocess.Popen, url: str, timeout: float, what: str, log: str) -> None:
    """Waits until `url` answers 2xx, failing at once (naming the log) if the process exits first."""
    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return 200 <= response.status < 300
        except (urllib.error.URLError, ConnectionError):
            return False

    wait_until(ready, timeout, f"{what} ({url}; log: {log})")


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_bytes(pid: int, field: str = "VmHWM") -> int:
    """Resident memory of a process in bytes: its peak (`VmHWM`) or current (`VmRSS`) value; 0 once it
    has exited."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) * 1024 for line in status if line.startswith(field + ":")), 0)
    except FileNotFoundError:
        return 0


def memory_bytes() -> int:
    """The machine's memory (MemTotal)."""
    with open("/proc/meminfo") as meminfo:
        return next(int(line.split()[1]) * 1024 for line in meminfo if line.startswith("MemTotal:"))


class KeepAlive:
    """A lean keep-alive HTTP/1.1 client for the timed questions: requests adds ~0.4 ms per call on this
    machine, more than a Vigil query costs, while psycopg (PostgreSQL's side) adds next to nothing."""

    def __init__(self, host: str, port: int, timeout: float = 3600):
        self.host, self.port, self.timeout = host, port, timeout
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.headers: dict[str, str] = {}  # of the last response

    def request(self, method: str, path: str, params: dict | None = None, form: dict | None = None) -> tuple[int, dict]:
        if params:
            path += "?" + urllib.parse.urlencode(params)
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                self.headers = {k.lower(): v for k, v in response.getheaders()}
                return response.status, json.loads(response.read())
            except (http.client.HTTPException, ConnectionError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt == 2:
                    raise

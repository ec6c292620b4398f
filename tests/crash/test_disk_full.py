"""A full disk: the data directory on a small tmpfs fills up under ingest. Clients get 503 naming the problem,
nothing acknowledged is lost (nor anything unacknowledged counted), queries keep answering, and writes resume
by themselves once space returns — no restart."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from support import VIGIL, free_port  # noqa: E402


def call(url, body=None):
    req = urllib.request.Request(url, data=body.encode() if body else None, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def batch(start, n=2000):
    return "\n".join(json.dumps({"id": f"d{i}", "ts": 1_767_225_600 + i, "model": "disk", "segment": {"k": f"v{i % 5}"},
                                 "features": {"text": "x" * 40}, "score": 0.5, "prediction": 1})
                     for i in range(start, start + n))


def counted(url):
    models = call(url + "/v1/models")[1].get("models", [])
    return sum(m["predictions"] for m in models)


def serve(data, port, *options):
    """A `vigil serve` on `data`, once its /readyz answers 200."""
    server = subprocess.Popen([str(VIGIL), "serve", "--data", str(data), "--port", str(port), "--log-level", "warning",
                               *options])
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if call(f"http://127.0.0.1:{port}/readyz")[0] == 200:
                break
        except OSError:
            time.sleep(0.05)
    return server


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)])


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_a_full_disk_refuses_writes_loses_nothing_and_recovers_without_a_restart(small_disk):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = serve(small_disk / "data", port, "--snapshot-interval", "3600s")
    try:
        acknowledged, start, refused = 0, 0, None
        while start < 200_000:
            status, answer = call(url + "/v1/predictions", batch(start))
            if status == 200:
                acknowledged += answer["accepted"]
                start += 2000
                continue
            refused = (status, answer)
            break
        assert refused is not None, "the disk never filled"
        status, answer = refused
        print(f"refused after {acknowledged} acknowledged rows: {status} {answer['error']['message']}")
        assert status == 503, answer
        assert "disk full" in answer["error"]["message"] or "storage" in answer["error"]["message"], answer
        # Nothing acknowledged lost, nothing refused counted; queries still answer; readiness says why.
        assert counted(url) == acknowledged
        ready = call(url + "/readyz")
        assert ready[0] == 503 and ready[1]["status"] == "degraded", ready
        assert call(url + "/healthz")[0] == 200
        assert call(url + "/v1/predictions", batch(start))[0] == 503

        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
        deadline = time.time() + 30
        while time.time() < deadline and call(url + "/readyz")[0] != 200:
            time.sleep(0.2)
        assert call(url + "/readyz")[0] == 200, "writes did not resume once space returned"
        status, answer = call(url + "/v1/predictions", batch(start))
        assert status == 200, answer
        acknowledged += answer["accepted"]
        assert counted(url) == acknowledged

        server.send_signal(signal.SIGKILL)
        server.wait()
        server = serve(small_disk / "data", port)
        assert counted(url) == acknowledged  # durable across a crash too
    finally:
        server.terminate()
        server.wait(30)

"""Crash safety: a real `vigil serve` is killed with SIGKILL while clients stream batches.

After every restart each acknowledged event must be present exactly once, and the final metrics must
equal those of a fresh server that received every batch once, in order (a from-scratch replay).
"""

import json
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from support import VIGIL, free_port  # noqa: E402


class Server:
    def __init__(self, data, log):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(VIGIL), "serve", "--data", str(data), "--port", str(self.port), "--snapshot-interval", "1s"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if request(self.url + "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become ready")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def request(url, body=None, method=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method or ("POST" if body is not None else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def make_batches(seed=3, predictions=100_000, size=500):
    """Prediction batches, each followed later by the feedback of most of its rows (some corrected)."""
    rng = random.Random(seed)
    t0 = 1_700_000_000
    rows = []
    for i in range(predictions):
        score = round(rng.random(), 4)
        rows.append({
            "id": f"p{i}", "ts": t0 + i * 30, "model": "crash", "version": "v2" if i % 7 == 0 else "v1",
            "segment": {"region": rng.choice(["eu", "us", "apac"])}, "features": {"x": round(rng.gauss(0, 1), 3)},
            "score": score, "prediction": int(score >= 0.5)})
    batches = []
    for start in range(0, predictions, size):
        chunk = rows[start:start + size]
        batches.append(("/v1/predictions", "\n".join(json.dumps(r) for r in chunk)))
        feedback = []
        for r in chunk:
            if rng.random() < 0.8:
                label = int(rng.random() < r["score"])
                feedback.append({"id": r["id"], "ts": r["ts"] + 3600, "label": label})
                if rng.random() < 0.05:
                    feedback.append({"id": r["id"], "ts": r["ts"] + 7200, "label": 1 - label})
        batches.append(("/v1/feedback", "\n".join(json.dumps(f) for f in feedback)))
    return batches


def send_until_killed(url, pending, acknowledged, lock, senders=3):
    """Senders take batches in order; a batch whose request fails stays pending for a retry."""
    def sender():
        while True:
            with lock:
                if not pending:
                    return
                index = min(pending)
                pending.discard(index)
            path, body = BATCHES[index]
            try:
                status, response = request(url + path, body)
            except OSError:
                with lock:
                    pending.add(index)
                return
            if status != 200:
                with lock:
                    pending.add(index)
                raise AssertionError(f"batch {index}: {status} {response}")
            with lock:
                acknowledged.add(index)
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    return threads


BATCHES = make_batches()


def model_state(url):
    _, models = request(url + "/v1/models")
    _, metrics = request(url + "/v1/models/crash/metrics")
    _, v2 = request(url + "/v1/models/crash/metrics?version=v2&segment=region:eu")
    return models, metrics, v2


def assert_close(a, b, path=""):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            assert_close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), path
    else:
        assert a == b, path


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_sigkill_loses_no_acknowledged_event(tmp_path):
    rng = random.Random(11)
    data = tmp_path / "data"
    log = open(tmp_path / "server.log", "ab")
    pending = set(range(len(BATCHES)))
    acknowledged = set()
    lock = threading.Lock()
    kills = 0
    while pending and kills < 5:
        server = Server(data, log)
        if kills:
            # Every batch acknowledged before the kill is present: the prediction count never shrinks.
            models, _, _ = model_state(server.url)
            counted = sum(m["predictions"] for m in models["models"])
            acked_predictions = sum(
                BATCHES[i][1].count("\n") + 1 for i in acknowledged if BATCHES[i][0] == "/v1/predictions")
            assert counted >= acked_predictions
        threads = send_until_killed(server.url, pending, acknowledged, lock)
        time.sleep(rng.uniform(0.1, 0.6))
        server.kill()
        kills += 1
        for t in threads:
            t.join()
    assert kills >= 3, "the stream finished before the server was killed three times; make it longer"

    # Finish the stream (retrying what was in flight), then restart once more and compare.
    server = Server(data, log)
    for t in send_until_killed(server.url, pending, acknowledged, lock):
        t.join()
    assert not pending
    server.stop()
    server = Server(data, log)
    recovered = model_state(server.url)
    server.stop()

    fresh = Server(tmp_path / "fresh", log)
    for path, body in BATCHES:
        status, response = request(fresh.url + path, body)
        assert status == 200, response
    expected = model_state(fresh.url)
    fresh.stop()

    models, metrics, v2 = recovered
    assert models["models"][0]["predictions"] == 100_000  # every prediction exactly once
    assert models["models"] == expected[0]["models"]
    assert_close(metrics, expected[1])
    assert_close(v2, expected[2])

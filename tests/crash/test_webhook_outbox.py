"""Alert notifications survive a crash: the webhook receiver is down while an alert fires, the server is
SIGKILLed, restarted, and the receiver comes up — the notification arrives, once, with its idempotency key."""

import datetime
import json
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from support import VIGIL, Receiver, free_port, wait_for  # noqa: E402


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def call(url, body=None, method=None):
    req = urllib.request.Request(url, data=body.encode() if body else None,
                                 method=method or ("POST" if body else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


class Vigil:
    def __init__(self, data, hook):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(VIGIL), "serve", "--data", str(data), "--port", str(self.port), "--alert-interval", "1s",
             "--webhook-url", hook, "--log-level", "warning"])
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if call(self.url + "/readyz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("vigil did not become ready")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_a_notification_queued_while_the_receiver_is_down_survives_sigkill_and_arrives_once(tmp_path):
    hook_port = free_port()
    hook = f"http://127.0.0.1:{hook_port}/hook"
    vigil = Vigil(tmp_path / "data", hook)
    # Every label wrong: the default page (6x burn) and ticket (1x) rules fire.
    slo = {"model": "fraud", "sli": "accuracy", "objective": ">= 0.9", "window": "1d", "min_samples": 50}
    assert call(vigil.url + "/v1/slos/fraud-accuracy", json.dumps(slo), "PUT")[0] == 201
    now = datetime.datetime.now(datetime.timezone.utc)
    predictions = "\n".join(json.dumps({"id": f"f{i}", "ts": iso(now - datetime.timedelta(minutes=3)),
                                        "model": "fraud", "score": 0.9, "prediction": 1}) for i in range(100))
    labels = "\n".join(json.dumps({"id": f"f{i}", "ts": iso(now), "label": 0}) for i in range(100))
    assert call(vigil.url + "/v1/predictions", predictions)[0] == 200
    assert call(vigil.url + "/v1/feedback", labels)[0] == 200

    # The alert fires while nothing listens on the webhook's port; the notification waits in the outbox.
    wait_for("two firing alerts", lambda: len(call(vigil.url + "/v1/alerts?state=firing")[1].get("alerts", [])) == 2)
    time.sleep(1.5)  # a failed attempt or two
    vigil.kill()

    receiver = Receiver(hook_port)
    try:
        vigil = Vigil(tmp_path / "data", hook)
        wait_for("the webhook deliveries", lambda: len(receiver.received) >= 2)
        time.sleep(3)  # no second delivery follows
        vigil.stop()
    finally:
        receiver.close()
    firing = [body for _, body in receiver.received if body["status"] == "firing"]
    assert len(firing) == 2, receiver.received
    assert len({body["alert"]["id"] for body in firing}) == 2, "each alert is delivered once"
    for headers, body in receiver.received:
        assert body["idempotency_key"] and headers.get("Idempotency-Key") == "webhook:" + body["idempotency_key"]
        assert body["alert"]["slo"] == "fraud-accuracy"

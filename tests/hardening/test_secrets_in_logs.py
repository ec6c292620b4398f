"""Secrets stay out of the server's logs, even at debug level: the service lifecycle logs each service by name
(its derived description printed every stored property — the configuration with the peer token, the webhook
secret and the store URL's password — in lines of a dozen kilobytes), and a SIGTERM still stops the server
cleanly, each service's shutdown logged."""

from __future__ import annotations

import signal
import subprocess

from support import VIGIL, free_port, wait_until_ready

TOKEN = "write:tok-7f3a9c1e5b"
WEBHOOK_SECRET = "hook-2d8e4f6a0c"


def test_debug_logs_name_services_and_never_print_a_secret(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(VIGIL), "serve", "--data", str(tmp_path / "data"), "--port", str(port), "--log-level", "debug",
             "--token", TOKEN, "--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret", WEBHOOK_SECRET],
            stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(f"http://127.0.0.1:{port}/readyz", proc, "vigil serve")
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(60) == 0
    text = log.read_text()
    assert "tok-7f3a9c1e5b" not in text and WEBHOOK_SECRET not in text
    for service in ("MaintenanceService", "AlertService"):
        assert f"sl-service={service} [ServiceLifecycle] Starting service" in text, service
        assert f"sl-service={service} [ServiceLifecycle] Service finished" in text, service
    assert max(len(line) for line in text.splitlines()) < 2000

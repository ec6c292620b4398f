"""What a new user sees when `vigil serve` cannot start: a port in use, a data directory another server
holds, a missing or broken SLO file — each said at once, in words, with the fix; and `ready` logged only
once the server takes writes."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
from support import VIGIL, free_port, wait_until_ready


def start(*args, timeout=60):
    return subprocess.run([str(VIGIL), "serve", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_a_port_in_use_is_refused_before_recovery_with_the_fix(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.time()
        run = start("--data", str(tmp_path / "d"), "--port", str(port))
    assert run.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in run.stderr and "--port" in run.stderr, run.stderr
    assert "recovering" not in run.stderr, "the port is checked before the log is replayed"
    assert time.time() - started < 30


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_a_held_data_directory_and_bad_slo_files_are_named(tmp_path):
    port = free_port()
    first = subprocess.Popen([str(VIGIL), "serve", "--data", str(tmp_path / "d"), "--port", str(port)],
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/readyz", first, "vigil serve")
        second = start("--data", str(tmp_path / "d"), "--port", str(free_port()))
        assert second.returncode != 0 and "is in use by another Vigil server" in second.stderr, second.stderr
    finally:
        first.terminate()
        _, log = first.communicate(timeout=30)
    # `ready` comes after `recovered`: it is the line to wait for.
    assert log.index("recovered") < log.index("[VigilServer] ready"), log

    missing = start("--data", str(tmp_path / "e"), "--port", "0", "--slos", str(tmp_path / "nope.yaml"))
    assert missing.returncode != 0 and "nope.yaml does not exist" in missing.stderr, missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("slos:\n  - name: x\n    sli: [\n")
    run = start("--data", str(tmp_path / "e"), "--port", "0", "--slos", str(broken))
    assert run.returncode != 0 and "broken.yaml: not valid YAML" in run.stderr, run.stderr

"""The background batcher against a real server that is stopped and restarted mid-stream.

The invariants: every event the server acknowledged is present exactly once; events sent while the
server was down are retried (or spilled and replayed) until acknowledged; logging never raises and
never waits for the server.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

import pytest
from conftest import VigilProcess, free_port

import vigil
from vigil.batcher import spill_rows


def count(server: VigilProcess, model: str) -> int:
    models = {m["name"]: m for m in server.get("/v1/models")["models"]}
    return models[model]["predictions"] if model in models else 0


def event_time(i: int) -> str:
    return f"2026-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_server_stopped_and_restarted_mid_stream_loses_nothing(server, sig):
    client = vigil.Client(server.url, batch_size=50, flush_interval=0.05, max_retry_time=120)
    total = 3_000
    restarted = threading.Event()

    def bounce():
        while client.stats.acknowledged < 500:
            time.sleep(0.01)
        server.stop(sig)
        time.sleep(1.5)  # the client keeps logging into its queue meanwhile
        server.start()
        restarted.set()

    thread = threading.Thread(target=bounce)
    thread.start()
    for i in range(total):
        client.log_prediction("stream", id=f"s{i}", ts=event_time(i), score=(i % 100) / 100)
        if i % 100 == 0:
            time.sleep(0.02)  # a steady stream, so the stop lands in the middle
    thread.join()
    assert restarted.is_set()
    assert client.flush(timeout=120)
    stats = client.stats
    client.close()
    assert stats.retries > 0, "the stop should have made at least one send fail"
    assert (stats.enqueued, stats.dropped, stats.rejected, stats.spilled) == (total, 0, 0, 0)
    assert stats.acknowledged == total
    # Every event exactly once: a batch the server stored but could not acknowledge before the stop
    # was resent and counted as a duplicate, not a second prediction.
    assert count(server, "stream") == total


def test_logging_never_blocks_or_raises_when_vigil_is_down(caplog):
    caplog.set_level(logging.WARNING, logger="vigil")
    client = vigil.Client(f"http://127.0.0.1:{free_port()}", batch_size=10, max_queue=100,
                          max_retry_time=0.5, timeout=1)
    for i in range(1_000):
        client.log_prediction("down", id=f"d{i}", ts=event_time(i), score=0.5)
    stats = client.stats
    # At most the queue and one batch in flight are held; the rest is counted as dropped.
    assert stats.enqueued == 1_000
    assert stats.dropped >= 1_000 - 100 - 10
    assert any("queue is full" in r.message and "dropped" in r.message for r in caplog.records)
    client.close(timeout=2)
    assert client.stats.acknowledged == 0
    assert client.stats.dropped == 1_000


def test_spill_file_is_replayed_once_vigil_is_back(tmp_path):
    port = free_port()
    spill = tmp_path / "spill.ndjson"
    client = vigil.Client(f"http://127.0.0.1:{port}", batch_size=20, flush_interval=0.05,
                          max_retry_time=0.3, spill_path=str(spill), timeout=1)
    for i in range(200):
        client.log_prediction("spilled", id=f"x{i}", ts=event_time(i), score=0.25)
    client.log_feedback("x7", label=1, ts="2026-01-02T00:00:00Z")
    assert client.flush(timeout=30)
    assert client.stats.spilled == 201 and client.stats.dropped == 0
    assert len(spill_rows(str(spill))) == 201
    client.close()

    # The server comes up on that port; a new client (say, after the service restarted) replays the file.
    data = tmp_path / "data"
    data.mkdir()
    server = VigilProcess(data, port=port)
    try:
        resumed = vigil.Client(server.url, flush_interval=0.05, spill_path=str(spill))
        resumed.log_prediction("spilled", id="after", ts=event_time(300), score=0.75)
        assert resumed.flush(timeout=30)
        deadline = time.monotonic() + 30
        while spill.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        resumed.close()
        assert not spill.exists()
        assert resumed.stats.replayed == 201
        assert count(server, "spilled") == 201
        labeled = server.get("/v1/models/spilled/metrics", names="labeled_count")["window"]["metrics"]
        assert labeled["labeled_count"]["value"] == 1
    finally:
        server.stop()


def test_rejected_rows_in_the_background_are_counted_and_the_rest_stored(server, caplog):
    caplog.set_level(logging.WARNING, logger="vigil")
    with vigil.Client(server.url, flush_interval=0.05) as client:
        client.log_prediction("bg", id="ok-1", ts=event_time(1), score=0.2)
        client.log_prediction("bg", id="bad", ts=event_time(2), score=3.5)
        client.log_prediction("bg", id="ok-2", ts=event_time(3), score=0.9)
        client.log_prediction("bg", id="inf", ts=event_time(4), features={"x": float("inf")})
        assert client.flush(timeout=30)
        stats = client.stats
    assert (stats.acknowledged, stats.rejected) == (2, 2)
    assert count(server, "bg") == 2
    messages = " ".join(r.message for r in caplog.records)
    assert "score must be a probability" in messages and "cannot be encoded" in messages


def test_close_flushes_what_is_queued(server):
    client = vigil.Client(server.url, flush_interval=60)  # only close() can send these
    for i in range(250):
        client.log_prediction("closing", id=f"c{i}", ts=event_time(i), prediction=float(i))
    client.close()
    assert client.stats.acknowledged == 250
    assert count(server, "closing") == 250


def test_a_cut_spill_file_and_a_stale_replay_are_recovered(server, tmp_path):
    """What a kill during a spill write leaves: a last line cut short, and a ``.replaying`` file of a process
    that is gone. The good lines are sent, the cut one is counted and skipped, and the worker keeps working."""
    import json
    import os

    spill = tmp_path / "spill.ndjson"
    good = [{"kind": "prediction", "event": {"id": f"c{i}", "ts": event_time(i), "model": "cut", "score": 0.5}}
            for i in range(5)]
    spill.write_text("".join(json.dumps(r) + "\n" for r in good[:3]) + '{"kind":"prediction","event":{"id":"c9"')
    stale = tmp_path / "spill.ndjson.replaying"  # an older client's name, no pid
    stale.write_text("".join(json.dumps(r) + "\n" for r in good[3:]))
    dead = subprocess_pid_that_exited()
    (tmp_path / f"spill.ndjson.replaying.{dead}").write_text('{"kind":"prediction","event":{"id":"c5","ts":"'
                                                             + event_time(5) + '","model":"cut","score":0.5}}\n')

    client = vigil.Client(server.url, flush_interval=0.05, spill_path=str(spill))
    client.log_prediction("cut", id="live", ts=event_time(10), score=0.5)
    assert client.flush(timeout=30)
    deadline = time.monotonic() + 30
    while (spill.exists() or client.stats.replayed < 6) and time.monotonic() < deadline:
        time.sleep(0.05)
    client.log_prediction("cut", id="after", ts=event_time(11), score=0.5)
    assert client.flush(timeout=30), "the worker thread must still be alive"
    client.close()
    assert client.stats.spill_lines_skipped == 1
    assert client.stats.replayed == 6
    assert count(server, "cut") == 8
    assert not [n for n in os.listdir(tmp_path) if ".replaying" in n]


def subprocess_pid_that_exited() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid

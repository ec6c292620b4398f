"""`vigil serve --store postgres://…` against a real PostgreSQL: the taxi fixture gives exactly the answers
of the embedded SQLite store, before and after a graceful restart (restored from the snapshot kept in
PostgreSQL) and after SIGKILL (the snapshot plus the log after it). Needs VIGIL_TEST_POSTGRES_URL (`.ci/run`
starts a server with scripts/start-postgres)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
from support import ROOT, VIGIL, free_port, wait_until_ready

POSTGRES = os.environ.get("VIGIL_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="set VIGIL_TEST_POSTGRES_URL (scripts/start-postgres)")

EXPECTED = json.loads((ROOT / "Tests" / "Fixtures" / "taxi" / "expected.json").read_text())
QUESTIONS = [
    "/v1/models",
    "/v1/models/taxi-tip/metrics?from=2020-02-01T00:00:00Z&to=2020-03-15T00:00:00Z",
    "/v1/models/taxi-tip/metrics?from=2020-02-01T00:00:00Z&to=2020-03-15T00:00:00Z&step=1d",
    "/v1/models/taxi-tip/metrics?from=2020-02-01T00:00:00Z&to=2020-03-15T00:00:00Z&segment=payment_type:card",
    "/v1/models/taxi-tip/metrics?from=2020-02-01T00:00:00Z&to=2020-03-15T00:00:00Z&asOf=2020-02-20T00:00:00Z",
    "/v1/models/taxi-tip/drift?from=2020-02-23T00:00:00Z&to=2020-03-01T00:00:00Z",
    "/v1/models/taxi-tip/quality?from=2020-02-23T00:00:00Z&to=2020-03-01T00:00:00Z",
    "/v1/slos/taxi-accuracy?to=2020-03-01T00:00:00Z",
    "/v1/slos/taxi-recall?to=2020-03-01T00:00:00Z",
    "/v1/models/taxi-tip/changes",
]


def get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def send(url, path, body: bytes, method="POST"):
    request = urllib.request.Request(url + path, body, method=method)
    with urllib.request.urlopen(request, timeout=60) as r:
        return r.status


def psql(sql: str, schema: str) -> str:
    run = subprocess.run(["psql", POSTGRES, "-Atc", f"SET search_path TO {schema}; {sql}"],
                         capture_output=True, text=True, timeout=60, check=True)
    return run.stdout.strip().splitlines()[-1]


def without_timing(answer):
    """An answer without what depends on when it was asked (replay durations)."""
    if isinstance(answer, dict):
        return {k: without_timing(v) for k, v in answer.items() if k not in {"duration_ms", "elapsed_ms"}}
    if isinstance(answer, list):
        return [without_timing(v) for v in answer]
    return answer


@contextmanager
def serve(store_flags, log_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "a") as log:
        proc = subprocess.Popen([str(VIGIL), "serve", "--port", str(port), *store_flags,
                                 "--slos", str(ROOT / "examples" / "slos.yaml")], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(url + "/readyz", proc, "vigil serve")
            yield url, proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)


def load_fixture(url):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "load-demo"), url, "--historical"], check=True,
                   capture_output=True, timeout=300)
    reference = (ROOT / "Tests" / "Fixtures" / "taxi" / "reference.csv").read_bytes()
    send(url, "/v1/models/taxi-tip/reference", reference, method="PUT")


def answers(url):
    out = {q: without_timing(get(url + q)) for q in QUESTIONS}
    for change in out["/v1/models/taxi-tip/changes"]["changes"]:
        change.pop("at")  # when the SLO or reference was stored: wall-clock time, differs between the servers
    return out


def test_the_postgres_store_answers_as_sqlite_does_across_restarts_and_a_kill(tmp_path):
    schema = "vigil_test_" + uuid.uuid4().hex[:12]
    pg = ["--store", f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}"]
    try:
        with serve(["--data", str(tmp_path / "sqlite")], tmp_path / "sqlite.log") as (reference_url, _):
            load_fixture(reference_url)
            expected = before = answers(reference_url)
            with serve(pg, tmp_path / "pg.log") as (url, _):
                load_fixture(url)
                assert answers(url) == expected
            # The graceful stop saved a snapshot into PostgreSQL; a restart restores it.
            assert int(psql("SELECT count(*) FROM snapshot", schema)) >= 1
            with serve(pg, tmp_path / "pg.log") as (url, proc):
                assert answers(url) == expected
                # Corrections after the snapshot, to both; then SIGKILL: the log after the snapshot is replayed.
                late = b"\n".join(json.dumps({"id": f"p{i:06d}", "ts": "2020-03-02T00:00:00Z", "label": 1}).encode()
                                  for i in range(1, 201))
                assert send(url, "/v1/feedback", late) == 200
                assert send(reference_url, "/v1/feedback", late) == 200
                expected = answers(reference_url)
                assert answers(url) == expected
                proc.send_signal(signal.SIGKILL)
                proc.wait(30)
            with serve(pg, tmp_path / "pg.log") as (url, _):
                assert answers(url) == expected
        assert int(psql("SELECT count(*) FROM slo", schema)) == 5
        assert int(psql("SELECT count(*) FROM log", schema)) > 0
        # Before the corrections, the answers were the fixture's (scikit-learn's) values.
        assert before[QUESTIONS[1]]["window"]["confusion"] == EXPECTED["overall"]["confusion"]
        assert before[QUESTIONS[1]]["window"]["metrics"]["accuracy"]["value"] == pytest.approx(
            EXPECTED["overall"]["accuracy"], abs=1e-12)
    finally:
        subprocess.run(["psql", POSTGRES, "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)

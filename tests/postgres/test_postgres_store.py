"""`vigil serve --store postgres://…` against a real PostgreSQL: the taxi fixture gives exactly the answers
of the embedded SQLite store, before and after a graceful restart (restored from the snapshot kept in
PostgreSQL) and after SIGKILL (the snapshot plus the log after it); three nodes sharing one PostgreSQL; and a
node outliving PostgreSQL stopping and coming back. Needs VIGIL_TEST_POSTGRES_URL (`.ci/run` starts a server
with scripts/start-postgres)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
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


# --- Several nodes on one PostgreSQL -------------------------------------------------------------------------

FIXTURE = ROOT / "Tests" / "Fixtures" / "taxi"
LEASE = 3  # seconds: the nodes' --lease-time (a debug build of three nodes on 2 cores misses shorter renewals)


def fixture_batches(size=500):
    """The taxi fixture as the API takes it (as scripts/load-demo sends it), in batches: predictions, then
    feedback in time order."""
    import csv
    sys.path.insert(0, str(ROOT / "scripts"))

    def number(text, kind=float):
        return kind(text) if text != "" else None

    with open(FIXTURE / "predictions.csv") as f:
        predictions = [{"id": r["id"], "ts": r["timestamp"], "model": r["model"], "version": r["version"],
                        "segment": {"payment_type": r["payment_type"], "pickup_borough": r["pickup_borough"]},
                        "features": {"trip_distance": number(r["trip_distance"]),
                                     "fare_amount": number(r["fare_amount"]),
                                     "passenger_count": number(r["passenger_count"], int),
                                     "pickup_hour": number(r["pickup_hour"], int),
                                     "payment_type": r["payment_type"] or None,
                                     "pickup_borough": r["pickup_borough"] or None},
                        "score": float(r["score"]), "prediction": int(r["prediction"])} for r in csv.DictReader(f)]
    with open(FIXTURE / "feedback.csv") as f:
        feedback = sorted(({"id": r["id"], "ts": r["timestamp"], "label": int(r["label"])} for r in csv.DictReader(f)),
                          key=lambda x: x["ts"])
    return ([("/v1/predictions", predictions[i:i + size]) for i in range(0, len(predictions), size)]
            + [("/v1/feedback", feedback[i:i + size]) for i in range(0, len(feedback), size)])


def body(rows) -> bytes:
    return "\n".join(json.dumps(r) for r in rows).encode()


def send_anywhere(urls, path, rows, rng, seconds=60):
    """Sends one batch to a random node, retrying on another while nodes die or no writer holds the lease
    (the same batch again is idempotent: ids already stored count as duplicates)."""
    import time
    deadline = time.time() + seconds
    while True:
        url = rng.choice(urls)
        try:
            status = send(url, path, body(rows))
            if status == 200:
                return url
        except OSError:  # a dead node, or an HTTP error status (HTTPError is an OSError)
            pass
        if time.time() > deadline:
            raise AssertionError(f"no node took a batch of {path} within {seconds} s")
        time.sleep(0.2)


FAILING_SINCE = None


def failing_model(first, end):
    """Predictions `first..<end` of a model failing now (ten minutes ago, all labels wrong: a 10x burn of a 10%
    budget), and their labels; the same times however often it is called, so two servers get equal rows."""
    from datetime import datetime, timedelta, timezone
    global FAILING_SINCE
    FAILING_SINCE = FAILING_SINCE or datetime.now(timezone.utc).replace(microsecond=0)
    stamp = (FAILING_SINCE - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    predictions = [{"id": f"f{i}", "ts": stamp, "model": "fraud", "version": "v1", "score": 0.9, "prediction": 1,
                    "features": {"amount": 10.0 + i}} for i in range(first, end)]
    feedback = [{"id": f"f{i}", "ts": FAILING_SINCE.strftime("%Y-%m-%dT%H:%M:%SZ"), "label": 0}
                for i in range(first, end)]
    return [("/v1/predictions", predictions), ("/v1/feedback", feedback)]


def firing(hook):
    """The firing notifications the webhook received."""
    return [b for b in hook.bodies if b["to"] == "firing" and b["alert"]["slo"] == "fraud-accuracy"]


def without_join_counts(answers):
    """The answers without the join's counters of what is not logged (duplicates, stale labels): the node that
    took a write counts them, the others never see them (docs/postgres.md), and a retried batch counts again."""
    models = dict(answers["/v1/models"])
    models.pop("join")
    return {**answers, "/v1/models": models}


def caught_up(urls) -> bool:
    """Every node at the log's end, with a copy of every shard it does not own read at the log's end."""
    views = [get(u + "/v1/cluster") for u in urls]
    return len({v["last_sequence"] for v in views}) == 1 and all(
        v["lag"] == 0 and all(s.get("lag") == 0 for s in v["shards"]) for v in views)


def answers_equal(urls, expected, seconds=30):
    """Waits until every node answers as `expected`: a node's copies of the other shards are read every half
    second, so its answers converge once it has read each at the log's end; fails showing the first difference."""
    import time
    deadline = time.time() + seconds
    while True:
        differing = [u for u in urls if without_join_counts(answers(u)) != without_join_counts(expected)]
        if not differing:
            return
        if time.time() > deadline:
            assert without_join_counts(answers(differing[0])) == without_join_counts(expected), differing[0]
        time.sleep(0.5)


def owned_shards(urls):
    """Each node's shards, as the nodes' leases say."""
    owners = {}
    for s in get(urls[0] + "/v1/cluster")["shards"]:
        if s.get("url"):
            owners.setdefault(s["url"], []).append(s["shard"])
    return owners


def join_bytes(url) -> float:
    with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith('vigil_engine_memory_bytes{part="join_index"}'):
                return float(line.split()[-1])
    raise AssertionError("no join_index gauge")


def test_three_nodes_on_one_postgres_answer_as_one_server_and_survive_the_writers_kill(tmp_path):
    import random
    import time
    from support import wait_for
    from support import Receiver
    rng = random.Random(7)
    schema = "vigil_cluster_" + uuid.uuid4().hex[:12]
    hook = Receiver()
    pg = ["--store", f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}", "--lease-time", f"{LEASE}s",
          "--webhook-url", hook.url, "--alert-interval", "1s", "--shards", "6", "--partition-shards",
          "--snapshot-interval", "5s", "--snapshot-min-entries", "15000",
          # The single server keeps its whole log: so must the nodes, for the as-of answers to agree.
          "--retention", "3650d"]
    reference = (FIXTURE / "reference.csv").read_bytes()
    try:
        # The same shard count as the nodes', so that sums of doubles add in the same order.
        with serve(["--data", str(tmp_path / "sqlite"), "--shards", "6"], tmp_path / "sqlite.log") as (single, _), \
                serve(pg, tmp_path / "n1.log") as (n1, p1), serve(pg, tmp_path / "n2.log") as (n2, p2), \
                serve(pg, tmp_path / "n3.log") as (n3, p3):
            nodes = {n1: p1, n2: p2, n3: p3}
            wait_for("a writer", lambda: all(get(u + "/v1/cluster").get("writer") for u in nodes), seconds=30)
            assert len({get(u + "/v1/cluster")["writer"] for u in nodes}) == 1
            # The six engine shards are spread two by two (node k owns the shards k, k+3, by sorted id).
            wait_for("the shards spread", lambda: sorted(map(len, owned_shards(list(nodes)).values())) == [2, 2, 2],
                     seconds=30)
            for path, rows in fixture_batches():
                send(single, path, body(rows))
                send_anywhere(list(nodes), path, rows, rng)
            send(single, "/v1/models/taxi-tip/reference", reference, method="PUT")
            send(rng.choice(list(nodes)), "/v1/models/taxi-tip/reference", reference, method="PUT")
            wait_for("every node at the log's end", lambda: caught_up(list(nodes)), seconds=30)
            expected = answers(single)
            answers_equal(list(nodes), expected)
            view = get(n1 + "/v1/cluster")
            assert sorted(n["role"] for n in view["nodes"]) == ["follower", "follower", "writer"]
            # The log is split by shard: each batch's header (the rows every node needs) in the `shard = -1`
            # partition, and each shard's other rows in its own, so that each node read the headers and its two
            # shards' rows only, and still answered exactly as the single server.
            split, shards, in_parts, logged = map(int, psql("""
                SELECT count(*) FILTER (WHERE shard = -1 AND parts > 0), count(DISTINCT shard) FILTER (WHERE shard >= 0),
                       coalesce(sum(entries) FILTER (WHERE shard >= 0), 0), sum(entries) FILTER (WHERE shard = -1)
                FROM log""", schema).split("|"))
            # (97% of the fixture's rows are in parts: a node reads about a third of the log.)
            assert split > 0 and shards == 6 and in_parts > logged * 9 // 10, (split, shards, in_parts, logged)
            # Each node saved its own shards at the writer's checkpoints (the writer from its maintenance, the
            # followers from their loops): the three nodes' snapshots of one checkpoint hold every shard.
            wait_for("a snapshot of every shard",
                     lambda: all(s.get("snapshot_sequence") for s in get(n1 + "/v1/cluster")["shards"]), seconds=30)
            complete = psql("""
                SELECT seq, count(DISTINCT node) FROM shard_snapshot s, unnest(s.shards) AS k
                GROUP BY seq HAVING count(DISTINCT k) = 6 ORDER BY seq DESC LIMIT 1""", schema)
            assert complete.count("|") == 1 and complete.split("|")[1] == "3", complete
            # Each node holds the join of its own shards only: about a third of one server's.
            held = {url: join_bytes(url) for url in nodes}
            assert all(0 < b < 0.6 * join_bytes(single) for b in held.values()), (held, join_bytes(single))
            for url in nodes:
                with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
                    exposition = r.read().decode()
                role = "writer" if url == view["writer"] else "follower"
                assert f'vigil_node_role{{role="{role}"}} 1' in exposition, url
                assert "vigil_node_lag_batches 0" in exposition, url

            # A model failing now, and its SLO: the writer pages (page-6h, ticket-3d), once.
            for path, rows in failing_model(0, 100):
                send(single, path, body(rows))
                send_anywhere(list(nodes), path, rows, rng)
            slo = {"model": "fraud", "sli": "accuracy", "objective": ">= 0.9", "window": "1d", "min_samples": 50}
            send(rng.choice(list(nodes)), "/v1/slos/fraud-accuracy", json.dumps(slo).encode(), method="PUT")
            wait_for("both alerts delivered", lambda: len(firing(hook)) == 2, seconds=60)

            # More of it sent to random nodes while the writer is killed: each acknowledged batch counts once.
            writer = get(n1 + "/v1/cluster")["writer"]
            batches = [batch for b in range(15) for batch in failing_model(100 + 40 * b, 140 + 40 * b)]
            killed_at = took_over = None
            for b, (path, rows) in enumerate(batches):
                if b == 10:
                    nodes[writer].send_signal(signal.SIGKILL)
                    nodes[writer].wait(30)
                    del nodes[writer]
                    killed_at = time.time()
                send(single, path, body(rows))
                send_anywhere(list(nodes), path, rows, rng)
                if killed_at and took_over is None:
                    took_over = time.time() - killed_at
            survivor = next(iter(nodes))
            assert get(survivor + "/v1/cluster")["writer"] not in (None, writer)
            # The dead node's shards moved to the survivors: three each.
            wait_for("the shards taken over", lambda: sorted(map(len, owned_shards(list(nodes)).values())) == [3, 3],
                     seconds=30)
            wait_for("the survivors at the log's end", lambda: caught_up(list(nodes)), seconds=30)
            expected = answers(single)
            answers_equal(list(nodes), expected)
            # The dead node's shards were taken from its shard snapshot, not rebuilt from the whole log.
            logs = [(tmp_path / f"n{i}.log").read_text() for i in (1, 2, 3)]
            rebuilt = [line for log in logs for line in log.splitlines()
                       if "rebuilt this node's shards" in line or "rebuilt the shards gained" in line]
            assert any("shard_snapshots=none" not in line for line in rebuilt), rebuilt
            # The new writer reloaded the firing alerts: a few evaluations later, nothing was paged again.
            time.sleep(3)
            assert sorted(b["alert"]["rule"] for b in firing(hook)) == ["page-6h", "ticket-3d"], hook.bodies
            assert len({b["idempotency_key"] for b in hook.bodies}) == len(hook.bodies), hook.bodies
            print(f"the writer's place was taken {took_over:.1f} s after its kill (lease {LEASE} s)")
    finally:
        hook.close()
        subprocess.run(["psql", POSTGRES, "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)


# --- Retention while several nodes own the shards ---------------------------------------------------------------

def answers_as(url, asks, expected, seconds=30):
    """Waits until `url` answers each of `asks` as `expected` says; fails naming the first that differs."""
    import time
    deadline = time.time() + seconds
    while True:
        got = {q: without_timing(get(url + q)) for q in asks}
        if got == expected:
            return
        if time.time() > deadline:
            q = next(q for q in asks if got[q] != expected[q])
            assert got[q] == expected[q], (url, q)
        time.sleep(0.5)


LONG_RECALL = "sum(prediction == 1 and label == 1 and features.trip_distance > 5) / sum(label == 1 and features.trip_distance > 5)"


def post(url, path, rows) -> tuple[int, dict]:
    """Posts NDJSON rows; the status and the ingest summary (a 422 for a partly rejected batch has one too)."""
    request = urllib.request.Request(url + path, "\n".join(json.dumps(r) for r in rows).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_a_partitioned_node_owning_every_shard_refuses_a_conflicting_repeat_as_a_lone_server(tmp_path):
    """A cluster's only node owns every shard, so it decides rows itself: a repeat is a duplicate and a repeat
    with other content a 422 `conflict`, as on one server. Once a second node owns shards, the node taking a
    write cannot see the other's shards: such a repeat is `accepted` and its owner drops it (docs/postgres.md)."""
    schema = "vigil_lone_" + uuid.uuid4().hex[:12]
    pg = ["--store", f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}", "--lease-time", f"{LEASE}s",
          "--shards", "4", "--partition-shards"]
    row = {"id": "a1", "ts": "2020-02-01T00:00:00Z", "model": "m", "score": 0.8, "prediction": 1}
    try:
        with serve(pg, tmp_path / "n1.log") as (n1, _):
            assert post(n1, "/v1/predictions", [row]) == (200, {"accepted": 1, "duplicates": 0,
                                                                "outcomes": {"stored": 1}, "rejected": []})
            status, summary = post(n1, "/v1/predictions", [row, dict(row, score=0.1)])
            assert status == 422 and summary["outcomes"] == {"duplicate": 1}, summary
            assert [r["code"] for r in summary["rejected"]] == ["conflict"], summary
            with serve(pg, tmp_path / "n2.log") as (n2, _):
                from support import wait_for
                wait_for("the shards spread", lambda: sorted(map(len, owned_shards([n1, n2]).values())) == [2, 2],
                         seconds=30)
                ids = [f"b{i}" for i in range(40)]
                assert post(n1, "/v1/predictions", [dict(row, id=i) for i in ids])[0] == 200
                status, summary = post(n1, "/v1/predictions", [dict(row, id=i, score=0.1) for i in ids])
                assert status == 200 and summary["outcomes"] == {"accepted": 40}, summary
                # Each conflicting repeat was dropped by its shard's owner: counted, and the first scores stand.
                wait_for("both nodes at the log's end", lambda: caught_up([n1, n2]), seconds=30)
                assert get(n2 + "/v1/models")["join"]["conflictingPredictions"] >= 40
    finally:
        subprocess.run(["psql", POSTGRES, "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)


def test_retention_on_partitioned_nodes_cuts_the_log_at_a_checkpoint_and_nodes_restart_from_it(tmp_path):
    """With a week of retention, the writer's checkpoints give complete sets of the nodes' shard snapshots and
    retention cuts the log at one during the load; the nodes answer as a server that kept everything, a backfill
    starts from that set, and nodes killed and started again recover from the snapshots (the log before the cut
    is gone)."""
    import random
    from support import wait_for
    rng = random.Random(11)
    schema = "vigil_retention_" + uuid.uuid4().hex[:12]
    pg = ["--store", f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}", "--lease-time", f"{LEASE}s",
          "--shards", "4", "--partition-shards", "--snapshot-interval", "2s", "--snapshot-min-entries", "5000",
          "--retention", "7d"]
    # An as-of question replays the log, which was cut; the change timeline holds wall-clock times.
    asks = [q for q in QUESTIONS if "asOf" not in q and "changes" not in q]
    try:
        with serve(["--data", str(tmp_path / "sqlite"), "--shards", "4"], tmp_path / "sqlite.log") as (single, _):
            with serve(pg, tmp_path / "a.log") as (a, pa), serve(pg, tmp_path / "b.log") as (b, pb):
                wait_for("the shards spread", lambda: sorted(map(len, owned_shards([a, b]).values())) == [2, 2],
                         seconds=30)
                for path, rows in fixture_batches():
                    send(single, path, body(rows))
                    send_anywhere([a, b], path, rows, rng)
                reference = (FIXTURE / "reference.csv").read_bytes()
                send(single, "/v1/models/taxi-tip/reference", reference, method="PUT")
                send(rng.choice([a, b]), "/v1/models/taxi-tip/reference", reference, method="PUT")
                wait_for("both nodes at the log's end", lambda: caught_up([a, b]), seconds=30)
                start = int(psql("SELECT min(seq) FROM log", schema))
                assert start > 1, "retention cut nothing"
                # The log starts right after a checkpoint whose snapshots hold every shard.
                cut = start - 1
                held = psql(f"SELECT count(DISTINCT k) FROM shard_snapshot s, unnest(s.shards) AS k WHERE seq = {cut}",
                            schema)
                assert held == "4", (cut, held)
                assert get(a + "/v1/cluster")["complete_snapshot_sequence"] >= cut
                expected = {q: without_timing(get(single + q)) for q in asks}
                for url in (a, b):
                    answers_as(url, asks, expected)

                # A backfilled metric covers the retained log: it starts from the set the log starts at.
                send(rng.choice([a, b]), "/v1/models/taxi-tip/metrics/long_recall?backfill=true",
                     json.dumps({"expression": LONG_RECALL}).encode(), method="PUT")
                wait_for("both nodes at the log's end", lambda: caught_up([a, b]), seconds=60)
                logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
                backfilled = [line for line in logs.splitlines() if "backfilled custom metric" in line]
                assert len(backfilled) == 1 and f"base={cut}" in backfilled[0], (cut, backfilled)
                ask = "/v1/models/taxi-tip/metrics?names=long_recall&from=2020-02-01T00:00:00Z&to=2020-03-15T00:00:00Z"
                wait_for("both nodes agreeing", lambda: get(a + ask)["window"] == get(b + ask)["window"], seconds=30)
                recall = get(a + ask)["window"]
                assert recall["metrics"]["long_recall"].get("value") is not None, recall
                expected = {q: without_timing(get(a + q)) for q in asks}  # /v1/models names the metric now
                for proc in (pa, pb):
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(30)

            # Started again on the cut log, the nodes recover from the shard snapshots.
            with serve(pg, tmp_path / "a2.log") as (a, _), serve(pg, tmp_path / "b2.log") as (b, _):
                wait_for("the shards spread", lambda: sorted(map(len, owned_shards([a, b]).values())) == [2, 2],
                         seconds=60)
                wait_for("both nodes at the log's end", lambda: caught_up([a, b]), seconds=60)
                for url in (a, b):
                    answers_as(url, asks, expected)
                    assert get(url + ask)["window"] == recall, url
    finally:
        subprocess.run(["psql", POSTGRES, "-qc", f"DROP SCHEMA IF EXISTS {schema} CASCADE"], capture_output=True)


# --- PostgreSQL stopping under a running node ----------------------------------------------------------------

def status_of(url, path="", data: bytes | None = None) -> tuple[int, dict]:
    """The HTTP status and JSON body of a GET (or, with data, a POST), whatever the status."""
    request = urllib.request.Request(url + path, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_a_node_survives_postgres_stopping_and_coming_back_without_a_restart(tmp_path):
    """PostgreSQL stops under a running node (a private server: this test stops it): a write gets 503, /readyz
    says why and /healthz stays ok; once PostgreSQL is back the node rebuilds its state from the log and takes
    writes again with no restart, answering exactly as a SQLite server sent the same acknowledged batches."""
    import shutil
    import tempfile
    from support import wait_for
    start = str(ROOT / "scripts" / "start-postgres")
    # Not under tmp_path: the server runs as the postgres user, who cannot enter pytest's private directories.
    pg_dir, port = tempfile.mkdtemp(prefix="vigil-outage-"), free_port()
    url = subprocess.run([start, str(pg_dir), str(port)], capture_output=True, text=True, check=True).stdout.strip()
    batches = list(fixture_batches())
    half = len(batches) // 2
    reference = (FIXTURE / "reference.csv").read_bytes()
    try:
        with serve(["--data", str(tmp_path / "sqlite")], tmp_path / "sqlite.log") as (single, _), \
                serve(["--store", url + "?sslmode=disable", "--lease-time", f"{LEASE}s"],
                      tmp_path / "node.log") as (node, _):
            for target in (single, node):
                send(target, "/v1/models/taxi-tip/reference", reference, method="PUT")
                for path, rows in batches[:half]:
                    assert send(target, path, body(rows)) == 200

            subprocess.run([start, "--stop", str(pg_dir)], check=True)
            path, rows = batches[half]
            code, answer = status_of(node, path, body(rows))
            assert code == 503, answer
            code, ready = status_of(node, "/readyz")
            assert code == 503 and ready["status"] in ("unavailable", "degraded"), ready
            assert status_of(node, "/healthz")[0] == 200
            time.sleep(2 * LEASE)  # an outage longer than the lease: the node's writer lease runs out

            subprocess.run([start, str(pg_dir), str(port)], check=True, capture_output=True)
            wait_for("the node ready again", lambda: status_of(node, "/readyz")[0] == 200, seconds=60)
            # The refused batch left no trace; what was acknowledged is all there.
            assert answers(node) == answers(single)
            for target in (single, node):
                for path, rows in batches[half:]:
                    code, answer = status_of(target, path, body(rows))
                    assert code == 200, answer
            assert answers(node) == answers(single)
    finally:
        subprocess.run([start, "--stop", str(pg_dir)], capture_output=True)
        shutil.rmtree(pg_dir, ignore_errors=True)

#!/usr/bin/env python3
"""Partitioned shards (`--partition-shards`) with 1, 2 and 3 nodes on one PostgreSQL: durable ingest (wrk posting
batches of 1,000 predictions to the first node), a metrics query's latency on the last node under that load, how
long the nodes take to hold the log's end with fresh copies of every shard, and each node's memory (resident
set, and its join index, which holds the pending predictions of its own shards only); then a follower of three
SIGKILLed, with and without shard snapshots: how long the survivors take its shards over, and how much of the log
their rebuilds replay.

Usage (scripts/bench-partitioned does this): partitioned.py VIGIL_BIN POSTGRES_URL [SECONDS]. Writes the section
"Partitioned shards" of docs/benchmarks.md.
"""
from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from benchmarks_md import machine, write_section  # noqa: E402

VIGIL, POSTGRES = sys.argv[1], sys.argv[2]
SECONDS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
PORT = 18190
SHARDS = 6
QUERY = "/v1/models/taxi-tip/metrics?window=7d&to=2020-03-01T00:00:00Z"
CONNECTIONS = 8


def psql(sql: str) -> str:
    return subprocess.run(["psql", POSTGRES, "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def get_json(port: int, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return json.load(r)


def gauge(port: int, line_start: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(line_start):
                return float(line.split()[-1])
    return 0.0


def rss_mib(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_fields(line: str) -> dict:
    import re
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def wait(what: str, condition, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def settled(ports) -> bool:
    """Every node at the log's end, holding a copy of every other shard read at the log's end."""
    views = [get_json(p, "/v1/cluster") for p in ports]
    return len({v["last_sequence"] for v in views}) == 1 and all(
        v["lag"] == 0 and all(s.get("lag") == 0 for s in v["shards"]) for v in views)


@contextmanager
def cluster(n: int, name: str, flags=(), logs: bool = False):
    """`n` nodes with partitioned shards on a fresh schema, once the shards are spread and a writer is known;
    yields (schema, ports, processes, log paths). With `logs`, each node logs its notices to a file."""
    schema = f"bench_{name}_{os.getpid()}"
    url = f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}"
    ports = [PORT + i for i in range(n)]
    procs, paths = {}, {}
    try:
        for p in ports:
            out = None
            if logs:
                paths[p] = f"/tmp/vigil-{schema}-{p}.log"
                out = open(paths[p], "w")
            procs[p] = subprocess.Popen(
                [VIGIL, "serve", "--port", str(p), "--log-level", "notice" if logs else "warning", "--store", url,
                 "--lease-time", "3s", "--shards", str(SHARDS), "--partition-shards", *flags],
                stdout=out, stderr=subprocess.STDOUT if out else None)
            wait("ready", lambda: urllib.request.urlopen(f"http://127.0.0.1:{p}/readyz", timeout=2).status == 200)
        wait("the shards spread", lambda: len({s.get("owner") for s in get_json(ports[0], "/v1/cluster")["shards"]
                                               if s.get("owner")}) == n and
             all(get_json(p, "/v1/cluster").get("writer") for p in ports))
        yield schema, ports, procs, paths
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            proc.wait(300)
        for path in paths.values():
            if os.path.exists(path):
                os.remove(path)
        psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def load_fixture(port: int) -> None:
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "load-demo"), f"http://127.0.0.1:{port}",
                    "--historical"], check=True, capture_output=True)


def load(port: int) -> dict:
    """wrk posting batches of 1,000 new predictions to `port` for SECONDS; its BENCH fields."""
    wrk = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s", "-s",
                          os.path.join(ROOT, "Benchmarks", "server", "ingest.lua"), f"http://127.0.0.1:{port}",
                          "--", "0", "2"], capture_output=True, text=True, check=True)
    return bench_fields(next(l for l in wrk.stdout.splitlines() if l.startswith("BENCH")))


def copy_transport(schema: str, ports, rounds: int = 5) -> dict:
    """Two ways a node could get the other shards' aggregates, measured on the settled nodes: read from the owner
    over HTTP (what Vigil does: the owner encodes its shard, the reader gets the bytes), or published by the owner
    to a PostgreSQL table (an upsert committed with fsync, WAL-logged) and read back from it by each reader. The
    PostgreSQL path is timed without the owner's encoding, so it is favoured."""
    import psycopg
    shards = get_json(ports[0], "/v1/cluster")["shards"]
    http, bodies = [], {}
    for s in shards:
        for _ in range(rounds):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{s['url']}/v1/cluster/shards/{s['shard']}", timeout=60) as r:
                bodies[s["shard"]] = r.read()
            http.append(time.perf_counter() - started)
    writes, reads = [], []
    with psycopg.connect(POSTGRES, autocommit=True) as c:
        c.execute(f"CREATE TABLE {schema}.shard_copy (shard integer PRIMARY KEY, body bytea NOT NULL)")
        c.execute(f"ALTER TABLE {schema}.shard_copy ALTER COLUMN body SET STORAGE EXTERNAL")
        start_lsn = c.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        for _ in range(rounds):
            for k, body in bodies.items():
                started = time.perf_counter()
                c.execute(f"INSERT INTO {schema}.shard_copy VALUES (%s, %s) "
                          "ON CONFLICT (shard) DO UPDATE SET body = excluded.body", (k, body))
                writes.append(time.perf_counter() - started)
                started = time.perf_counter()
                c.execute(f"SELECT body FROM {schema}.shard_copy WHERE shard = %s", (k,)).fetchone()
                reads.append(time.perf_counter() - started)
        wal = c.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (start_lsn,)).fetchone()[0]
    median = lambda xs: sorted(xs)[len(xs) // 2] * 1000
    result = {"mib": sum(map(len, bodies.values())) / len(bodies) / 2**20, "http_ms": median(http),
              "write_ms": median(writes), "read_ms": median(reads), "wal_mib": float(wal) / len(writes) / 2**20}
    print(f"  a shard's aggregates: {result['mib']:.1f} MiB; over HTTP {result['http_ms']:.1f} ms; through "
          f"PostgreSQL {result['write_ms']:.1f} ms to publish + {result['read_ms']:.1f} ms to read, "
          f"{result['wal_mib']:.1f} MiB of WAL per publish", flush=True)
    return result


def run(n: int) -> dict:
    with cluster(n, f"partitioned_{n}") as (schema, ports, procs, _):
        print(f"{n} node(s): loading the taxi fixture…", flush=True)
        load_fixture(ports[0])
        wait("the fixture everywhere", lambda: settled(ports))
        querier = subprocess.Popen([sys.executable, os.path.join(ROOT, "Benchmarks", "server", "query_latency.py"),
                                    str(ports[-1]), QUERY, str(SECONDS - 2)], stdout=subprocess.PIPE, text=True)
        print(f"{n} node(s): ingest for {SECONDS} s…", flush=True)
        ingest = load(ports[0])
        loaded = bench_fields(next(l for l in querier.communicate()[0].splitlines() if l.startswith("BENCH")))
        started = time.perf_counter()
        wait("the nodes to settle", lambda: settled(ports), seconds=300)
        settle = time.perf_counter() - started
        stored = sum(m["predictions"] for m in get_json(ports[-1], "/v1/models")["models"] if m["name"] == "bench")
        rss = [rss_mib(procs[p].pid) for p in ports]
        join = [gauge(p, 'vigil_engine_memory_bytes{part="join_index"}') / 2**20 for p in ports]
        buckets = [gauge(p, 'vigil_engine_memory_bytes{part="buckets"}') / 2**20 for p in ports]
        result = {"n": n, "rate": stored / ingest["seconds"], "stored": stored, "ingest": ingest, "loaded": loaded,
                  "settle": settle, "rss": rss, "join": join, "buckets": buckets}
        if n == 3:
            result["copies"] = copy_transport(schema, ports)
        print(f"{n} node(s): {result['rate']:,.0f} events/s; RSS {['%.0f' % r for r in rss]} MiB; "
              f"join {['%.1f' % j for j in join]} MiB; settled {settle:.2f} s", flush=True)
        return result


def rebuilds(log_path: str, after: float) -> list[dict]:
    """The rebuilds a node logged after `after` (epoch seconds): of every shard it owns, or of those it gained."""
    import re
    found = []
    for line in open(log_path, errors="replace"):
        if "rebuilt this node's shards" not in line and "rebuilt the shards gained" not in line:
            continue
        at = datetime.datetime.strptime(line[:24], "%Y-%m-%dT%H:%M:%S%z").timestamp()
        if at + 1 < after:
            continue
        fields = dict(re.findall(r"(\w+)=(\[[^\]]*\]|\S+)", line))
        shards = fields.get("gained", fields["owned"]).strip("[]")
        found.append({"entries": int(fields["entries"]), "seconds": float(fields["duration"]),
                      "shard_snapshots": fields["shard_snapshots"],
                      "shards": {int(k) for k in shards.split(",") if k.strip()}})
    return found


def shards_of(ports) -> dict[int, set[int]]:
    """The shards each of `ports` owns, as the shard leases say."""
    shards = get_json(ports[0], "/v1/cluster")["shards"]
    return {p: {s["shard"] for s in shards if s.get("url") == f"http://127.0.0.1:{p}"} for p in ports}


def takeover(shard_snapshots: bool) -> dict:
    """Three nodes, the fixture and SECONDS of load, then one follower SIGKILLed: how long until the survivors
    own its shards and are settled again, and how much of the log their rebuilds replayed — with shard snapshots
    every 5 s, or with none (each rebuild then replays the whole log)."""
    flags = (["--snapshot-interval", "5s", "--snapshot-min-entries", "1"] if shard_snapshots
             else ["--snapshot-min-entries", str(10**12)])
    name = f"takeover_{int(shard_snapshots)}"
    with cluster(3, name, flags, logs=True) as (schema, ports, procs, logs):
        load_fixture(ports[0])
        print(f"takeover ({'with' if shard_snapshots else 'without'} shard snapshots): ingest for {SECONDS} s…",
              flush=True)
        load(ports[0])
        wait("the nodes to settle", lambda: settled(ports), seconds=300)
        if shard_snapshots:
            # Every shard saved after the load (each node saves within the interval).
            last = get_json(ports[0], "/v1/cluster")["last_sequence"]
            wait("a snapshot of every shard after the load", lambda: all(
                (s.get("snapshot_sequence") or 0) >= last for s in get_json(ports[0], "/v1/cluster")["shards"]),
                seconds=120)
        entries = int(psql(f"SELECT sum(entries) FROM {schema}.log WHERE shard = -1"))  # batches, not parts
        writer = get_json(ports[0], "/v1/cluster")["writer"]
        victim = next(p for p in reversed(ports) if f":{p}" not in (writer or ""))
        survivors = [p for p in ports if p != victim]
        before = shards_of(survivors)
        killed = time.time()
        started = time.perf_counter()
        dead = procs.pop(victim)
        dead.send_signal(signal.SIGKILL)
        dead.wait(30)

        def taken_over() -> bool:
            # Every shard on a survivor, spread evenly (a survivor may hold a shard for a moment that the other
            # then takes), each survivor done rebuilding the shards it gained (the log's end does not move
            # meanwhile, so a node rebuilding looks settled), and every node at the log's end.
            now = shards_of(survivors)
            if any(len(now[p]) != SHARDS // len(survivors) for p in survivors):
                return False
            for p in survivors:
                rebuilt = set().union(*(r["shards"] for r in rebuilds(logs[p], killed)))
                if not now[p] - before[p] <= rebuilt:
                    return False
            return settled(survivors)
        wait("the survivors to take the shards over", taken_over, seconds=600)
        took = time.perf_counter() - started
        replays = [r for p in survivors for r in rebuilds(logs[p], killed)]
        print(f"  log {entries:,} entries; taken over and settled {took:.1f} s after the kill; rebuilds: "
              + "; ".join(f"{r['entries']:,} entries in {r['seconds']:.2f} s ({r['shard_snapshots']})"
                          for r in replays), flush=True)
        return {"snapshots": shard_snapshots, "entries": entries, "took": took, "rebuilds": replays}


def main():
    results = [run(n) for n in (1, 2, 3)]
    takeovers = [takeover(True), takeover(False)]
    copies = dict(results[-1]["copies"], rounds=5)
    takeover_rows = "\n".join(
        f"| {'checkpoints every 5 s' if t['snapshots'] else 'none'} | {t['entries']:,} | {t['took']:.1f} s | "
        + "<br>".join(f"{r['entries']:,} entries in {r['seconds']:.2f} s" for r in t["rebuilds"]) + " |"
        for t in takeovers)
    rows = "\n".join(
        f"| {r['n']} | **{r['rate']:,.0f} events/s** ({r['stored']:,}; p99 {r['ingest']['p99_ms']:.0f} ms)"
        f" | p50 {r['loaded']['p50_ms']:.2f} / p99 {r['loaded']['p99_ms']:.2f} ms | {r['settle']:.2f} s"
        f" | {' / '.join('%.1f' % j for j in r['join'])} MiB"
        f" | {' / '.join('%.0f' % (j * 2**20 / max(r['stored'], 1)) for j in r['join'])} B"
        f" | {' / '.join('%.0f' % b for b in r['buckets'])} MiB"
        f" | {' / '.join('%.0f' % m for m in r['rss'])} MiB |" for r in results)
    section = f"""## Partitioned shards (`scripts/bench-partitioned`)

Measured {datetime.date.today()} on {machine()}; release build; loopback; PostgreSQL {psql("SHOW server_version")}
on the same machine with `fsync=on`. Each run starts 1, 2 or 3 nodes with `--partition-shards --shards {SHARDS}`
on a fresh schema, loads the taxi fixture, then wrk posts batches of 1,000 predictions with new ids (no labels:
every one stays pending in its shard's join) to the first node over {CONNECTIONS} connections for {SECONDS} s,
while a client times `GET {QUERY}` on the last node. "Settled" is how long after the load every node was at the
log's end with a copy of every other shard read there. Memory is per node, first node first.

| nodes | durable ingest | metrics query on the last node, under load | settled after | join index per node | join index per node ÷ predictions stored | buckets per node | resident memory per node |
|---|---|---|---|---|---|---|---|
{rows}

The join index (the pending predictions, ~65 B each) is what falls as nodes are added: each node holds its own
shards' only, so per prediction stored a node holds ~65 B alone, half with two nodes, a third with three. The
log is split by shard (docs/postgres.md), so a follower reads the batches' headers and its own shards' rows,
and a rebuild replays only those (the takeover without snapshots below). Every node still holds every shard's
buckets (its own, and copies read from the owners every 500 ms), and one node writes, decoding and interning
every row: on 2 cores the nodes, wrk and PostgreSQL share the CPU, so ingest falls as nodes are added here, and
the query's p99 grows with the copies taken in under the engine's lock (a changed shard is read whole, ~5 MB
per shard of the taxi fixture, every 500 ms).

### Reading the other shards: from their owners, or through PostgreSQL

A node answers from its own shards and copies of the others'. The copies could come from their owners over
HTTP (what Vigil does) or be published by the owners to a PostgreSQL table and read from there. Measured on the
three settled nodes above, per shard (medians of {copies['rounds']} rounds over the six shards):

| transport | a shard's aggregates | publish | read |
|---|---|---|---|
| HTTP from its owner (Vigil) | {copies['mib']:.1f} MiB | — | {copies['http_ms']:.1f} ms, the owner's encoding included |
| a PostgreSQL table | {copies['mib']:.1f} MiB | {copies['write_ms']:.1f} ms (upsert, committed), {copies['wal_mib']:.1f} MiB of WAL | {copies['read_ms']:.1f} ms, the owner's encoding not counted |

Published every 500 ms while all six shards change under load, the copies would add about
{copies['wal_mib'] * SHARDS * 2:.0f} MiB/s of WAL to the PostgreSQL that carries the log, and each reader would
still read every shard; read from the owners, they add nothing to PostgreSQL. So the nodes read copies from the
owners (`GET /v1/cluster/shards/{{k}}`), only of shards that changed since the last read.

### Taking a dead node's shards over

Three nodes as above (the fixture, then {SECONDS} s of wrk), once with shard snapshots at the writer's checkpoints
every 5 s (every owner saves its shards right after each) and once with none; once the nodes settled (and, with snapshots, every shard was saved after the load), a follower is
SIGKILLed. "Taken over" is how long after the kill the survivors owned all six shards (after the lease of 3 s
ran out) and were settled again; each rebuild line is one survivor rebuilding its shards as it gained some,
as its log says (`rebuilt the shards gained`, or `rebuilt this node's shards` when it rebuilt all it owns).

| shard snapshots | log entries | taken over and settled after | the survivors' rebuilds |
|---|---|---|---|
{takeover_rows}
"""
    write_section("## Partitioned shards", section)


main()

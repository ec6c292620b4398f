#!/usr/bin/env python3
"""The PostgreSQL store against the embedded SQLite store on this machine: durable HTTP ingest (wrk posting
batches of 1,000 predictions), a metrics query's latency under that load, what PostgreSQL wrote (commits,
WAL bytes) and where the CPU went, and the restart time from each store's snapshot.

Usage (scripts/bench-postgres does this): run.py VIGIL_BIN POSTGRES_URL [SECONDS]. PostgreSQL must be
durable (fsync on, synchronous_commit on): a 2xx then means the batch is flushed in PostgreSQL, as SQLite's
`synchronous=full` means it is flushed in its file. Writes the section "PostgreSQL store" of docs/benchmarks.md.
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from benchmarks_md import machine, write_section  # noqa: E402

VIGIL, POSTGRES = sys.argv[1], sys.argv[2]
SECONDS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
PORT = 18090
QUERY = "/v1/models/taxi-tip/metrics?window=7d&to=2020-03-01T00:00:00Z"
CONNECTIONS = 8


def psql(sql: str) -> str:
    return subprocess.run(["psql", POSTGRES, "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip()


def cpu_seconds(pids) -> float:
    """User + system CPU of the processes, from /proc (clock ticks)."""
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids():
    return [int(p) for p in subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout.split()]


def wait_ready(proc) -> float:
    start = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"vigil serve exited with {proc.returncode}")
            time.sleep(0.02)


def serve(flags):
    proc = subprocess.Popen([VIGIL, "serve", "--port", str(PORT), "--log-level", "warning", *flags])
    return proc, wait_ready(proc)


def bench_fields(line: str) -> dict:
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def stored_predictions() -> int:
    import json
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/v1/models", timeout=30) as r:
        return sum(m["predictions"] for m in json.load(r)["models"] if m["name"] == "bench")


def run(name: str, flags) -> dict:
    print(f"{name}: starting and loading the taxi fixture…", flush=True)
    proc, _ = serve(flags)
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "load-demo"), f"http://127.0.0.1:{PORT}",
                    "--historical"], check=True, capture_output=True)
    wal0 = psql("SELECT pg_current_wal_lsn()")
    commits0 = int(psql("SELECT sum(xact_commit) FROM pg_stat_database"))
    cpu0 = (cpu_seconds([proc.pid]), cpu_seconds(postgres_pids()))
    print(f"{name}: ingest for {SECONDS} s with {CONNECTIONS} connections, querying meanwhile…", flush=True)
    querier = subprocess.Popen([sys.executable, os.path.join(ROOT, "Benchmarks", "server", "query_latency.py"),
                                str(PORT), QUERY, str(SECONDS - 2)], stdout=subprocess.PIPE, text=True)
    wrk = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s", "-s",
                          os.path.join(ROOT, "Benchmarks", "server", "ingest.lua"), f"http://127.0.0.1:{PORT}",
                          "--", "0", "2"], capture_output=True, text=True, check=True)
    loaded = bench_fields(next(l for l in querier.communicate()[0].splitlines() if l.startswith("BENCH")))
    ingest = bench_fields(next(l for l in wrk.stdout.splitlines() if l.startswith("BENCH")))
    cpu1 = (cpu_seconds([proc.pid]), cpu_seconds(postgres_pids()))
    wal = int(psql(f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{wal0}')"))
    commits = int(psql("SELECT sum(xact_commit) FROM pg_stat_database")) - commits0
    stored = stored_predictions()
    proc.send_signal(signal.SIGTERM)  # the final snapshot
    proc.wait(300)
    _, restart = serve(flags)
    print(f"{name}: {stored / ingest['seconds']:,.0f} events/s; restart {restart:.2f} s", flush=True)
    subprocess.run(["pkill", "-f", f"vigil serve --port {PORT}"])
    time.sleep(1)
    return {"rate": stored / ingest["seconds"], "stored": stored, "ingest": ingest, "loaded": loaded,
            "restart": restart, "wal": wal, "commits": commits,
            "vigil_cpu": (cpu1[0] - cpu0[0]) / ingest["seconds"], "pg_cpu": (cpu1[1] - cpu0[1]) / ingest["seconds"]}


def rss_mib(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get_json(port: int, path: str):
    import json
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return json.load(r)


def cluster_run(url: str) -> dict:
    """Three nodes on one schema: wrk posts to a follower (which forwards to the writer) while a client times
    the metrics query on the other follower and the followers' lag is sampled."""
    import threading
    ports = [PORT + 1, PORT + 2, PORT + 3]
    procs = {p: subprocess.Popen([VIGIL, "serve", "--port", str(p), "--log-level", "warning", "--store", url,
                                  "--lease-time", "3s"]) for p in ports}
    try:
        for p in ports:
            while True:
                try:
                    if get_json(p, "/v1/cluster").get("writer"):
                        break
                except OSError:
                    pass
                time.sleep(0.1)
        writer = get_json(ports[0], "/v1/cluster")["writer"]
        followers = [p for p in ports if not writer.endswith(f":{p}")]
        print("3 nodes: loading the taxi fixture through a follower…", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "load-demo"), f"http://127.0.0.1:{followers[0]}",
                        "--historical"], check=True, capture_output=True)
        lags, stop = [], threading.Event()

        def sample():
            while not stop.is_set():
                view = get_json(followers[1], "/v1/cluster")
                lags.append(view["lag"])
                time.sleep(0.25)

        sampler = threading.Thread(target=sample)
        sampler.start()
        querier = subprocess.Popen([sys.executable, os.path.join(ROOT, "Benchmarks", "server", "query_latency.py"),
                                    str(followers[1]), QUERY, str(SECONDS - 2)], stdout=subprocess.PIPE, text=True)
        print(f"3 nodes: ingest through a follower for {SECONDS} s…", flush=True)
        wrk = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s", "-s",
                              os.path.join(ROOT, "Benchmarks", "server", "ingest.lua"),
                              f"http://127.0.0.1:{followers[0]}", "--", "0", "2"],
                             capture_output=True, text=True, check=True)
        loaded = bench_fields(next(l for l in querier.communicate()[0].splitlines() if l.startswith("BENCH")))
        ingest = bench_fields(next(l for l in wrk.stdout.splitlines() if l.startswith("BENCH")))
        caught = time.perf_counter()
        while get_json(followers[1], "/v1/cluster")["lag"] > 0:
            time.sleep(0.05)
        catch_up = time.perf_counter() - caught
        stop.set()
        sampler.join()
        import json
        with urllib.request.urlopen(f"http://127.0.0.1:{followers[1]}/v1/models", timeout=30) as r:
            stored = sum(m["predictions"] for m in json.load(r)["models"] if m["name"] == "bench")
        rss = {("writer" if writer.endswith(f":{p}") else f"follower :{p}"): rss_mib(procs[p].pid) for p in ports}
        return {"rate": stored / ingest["seconds"], "stored": stored, "ingest": ingest, "loaded": loaded,
                "max_lag": max(lags or [0]), "catch_up": catch_up, "rss": rss}
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            proc.wait(300)


def main():
    data = tempfile.mkdtemp(prefix="vigil-bench-sqlite-")
    schema = f"bench_{os.getpid()}"
    try:
        sqlite = run("SQLite", ["--data", data])
        url = f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}"
        postgres = run("PostgreSQL", ["--store", url])
        size = psql(f"SELECT pg_size_pretty(pg_total_relation_size('{schema}.log'))")
        log_bytes = int(psql(f"SELECT pg_total_relation_size('{schema}.log')"))
        cluster = cluster_run(f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}_3")
    finally:
        shutil.rmtree(data, ignore_errors=True)
        psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        psql(f"DROP SCHEMA IF EXISTS {schema}_3 CASCADE")
    version = psql("SHOW server_version")

    def row(r):
        return (f"**{r['rate']:,.0f} events/s** | p50 {r['ingest']['p50_ms']:.0f} / p99 {r['ingest']['p99_ms']:.0f} ms"
                f" | p50 {r['loaded']['p50_ms']:.2f} / p99 {r['loaded']['p99_ms']:.2f} ms | {r['vigil_cpu']:.2f}"
                f" | {r['restart']:.2f} s")

    batches = postgres["commits"]
    section = f"""## PostgreSQL store (`scripts/bench-postgres`)

Measured {datetime.date.today()} on {machine()}; release build; loopback. PostgreSQL {version} on the same
machine with `fsync=on`, `synchronous_commit=on` (a 2xx means flushed in PostgreSQL, as SQLite's
`synchronous=full` means flushed in its file). wrk posts batches of 1,000 NDJSON predictions with new ids (two
features and a segment each) over {CONNECTIONS} connections for {SECONDS} s, while one client times
`GET {QUERY}` on the taxi fixture; then the server stops (a final snapshot) and starts again.

| store | durable ingest | request latency (1,000 rows) | metrics query under load | Vigil CPU (cores) | restart from its snapshot |
|---|---|---|---|---|---|
| SQLite (`--data`) | {row(sqlite)} |
| PostgreSQL (`--store`) | {row(postgres)} |

What PostgreSQL did during the PostgreSQL run: {batches:,} commits ({batches / postgres['ingest']['seconds']:,.0f}/s,
each a group commit of many requests' batches), {postgres['wal'] / 1e6:,.0f} MB of WAL
({postgres['wal'] / max(postgres['stored'], 1):,.0f} B per prediction, {postgres['wal'] / 1e6 / postgres['ingest']['seconds']:,.1f} MB/s),
{postgres['pg_cpu']:.2f} cores of PostgreSQL's own CPU; the log table held {size} at the end
({log_bytes / max(postgres['stored'] + 20000 + 16298, 1):,.0f} B per event stored, index and the taxi fixture's 36,298 events included).
On 2 cores wrk, Vigil and PostgreSQL share the CPU: the table's CPU columns say which one limits.

Three nodes on one schema (`--lease-time 3s`), the same wrk load posted to a follower, which forwards each
batch to the writer; the metrics query timed on the other follower, whose lag behind the log's end was sampled
every 0.25 s:

| measure | value |
|---|---|
| durable ingest through a follower | **{cluster['rate']:,.0f} events/s** ({cluster['stored']:,} predictions; request p50 {cluster['ingest']['p50_ms']:.0f} ms, p99 {cluster['ingest']['p99_ms']:.0f} ms) |
| metrics query on the other follower, under that load | p50 {cluster['loaded']['p50_ms']:.2f} ms, p99 {cluster['loaded']['p99_ms']:.2f} ms |
| that follower's lag behind the log | at most {cluster['max_lag']} batches while sampled; at the log's end {cluster['catch_up']:.2f} s after the load stopped |
| resident memory per node after the run | {", ".join(f"{k} {v:,.0f} MiB" for k, v in cluster['rss'].items())} |

Every node holds the whole engine (followers replay every batch), so memory per node does not fall as nodes
are added, and ingest has one writer: nodes add availability and query capacity, not ingest capacity, until
the engine is partitioned by shard across nodes (docs/postgres.md).
"""
    write_section("## PostgreSQL store", section)


main()

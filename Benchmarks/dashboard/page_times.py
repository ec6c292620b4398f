#!/usr/bin/env python3
"""Times each dashboard page over 30 days of the taxi fixture: the server's own time (its Server-Timing
header) and the client's wall time, median of RUNS loads after one warm-up, and writes the section
"Dashboard" of docs/benchmarks.md.

Usage: page_times.py URL [RUNS]   (the server holds the taxi fixture and its reference; scripts/bench-dashboard
sets that up)
"""
import datetime
import os
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks_md import machine, write_section  # noqa: E402

HEADING = "## Dashboard (`scripts/bench-dashboard`)"
PAGES = [
    ("overview, 30 days", "/"),
    ("model performance, 30 days, step 12h", "/models/taxi-tip"),
    ("model performance, 30 days, rolling 7d recall", "/models/taxi-tip?metric=recall&rolling=7d"),
    ("model performance, 30 days, step 1h (720 points)", "/models/taxi-tip?step=1h"),
    ("drift and quality, 30 days", "/models/taxi-tip/drift"),
    ("drift and quality, last 7 days (hour buckets)", "/models/taxi-tip/drift?range=7d"),
    ("SLOs and alerts, 30 days, 5 SLOs x 31 points", "/models/taxi-tip/slos"),
]


def load(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        server = float(response.headers["Server-Timing"].split("dur=")[1])
    return server, (time.perf_counter() - start) * 1000, len(body)


def main():
    base = sys.argv[1].rstrip("/")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    rows = []
    for name, path in PAGES:
        load(base + path)
        samples = [load(base + path) for _ in range(runs)]
        server = statistics.median(s[0] for s in samples)
        wall = statistics.median(s[1] for s in samples)
        size = samples[0][2] / 1024
        rows.append(f"| {name} | `{path}` | {server:.1f} | {wall:.1f} | {size:.0f} |")
        print(f"BENCH {name}: server {server:.1f} ms, wall {wall:.1f} ms, {size:.0f} KiB", flush=True)
    section = (
        f"{HEADING}\n\nMeasured {datetime.date.today()} on {machine()}; release build, loopback, "
        f"the taxi fixture (20,000 predictions over February 2020, 16,299 labels, 5 SLOs from examples/slos.yaml, "
        f"the reference uploaded); median of {runs} loads after a warm-up. Server time is the `Server-Timing` "
        f"header (routing, queries, SVG and template rendering); the target is < 200 ms for 30 days.\n\n"
        "| page | path | server ms | wall ms | KiB |\n|---|---|---:|---:|---:|\n" + "\n".join(rows) + "\n")
    write_section(HEADING, section)


if __name__ == "__main__":
    main()

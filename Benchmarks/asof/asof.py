#!/usr/bin/env python3
"""What as-of questions cost on a long log: `asOf` metric queries, SLO `?at=` and a one-day backtest against a
real `vigil serve`, with checkpoints (the default) and without (`--as-of-checkpoints 0`: every question
replays the retained log from its beginning, as before checkpoints existed).

The load: EVENTS/2 binary predictions spread evenly over 30 days of event time, and a label for each an hour
later, posted in NDJSON batches of 10,000. Then, in order: a question at noon of day 21 (cold: nothing saved yet),
one two hours later (from that midnight's checkpoint), one at that midnight, the SLO status at 15:00, and an
hourly backtest of the day before. Each answer's `Vigil-Replay` header says how many events it
replayed and how many log batches it read. Prints the numbers and writes the section "As-of questions" of
docs/benchmarks.md.

Usage: asof.py [--events 2000000] [--bin .build/release/vigil] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks_md import machine, write_section  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "restart"))
from restart import BATCH, Server, post  # noqa: E402

HEADING = "## As-of questions (`Benchmarks/asof/asof.py`)"
T0 = 1_767_225_600  # 2026-01-01
DAYS = 30
DAY = 86_400


def iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load(url: str, pairs: int) -> None:
    step = DAYS * DAY / pairs
    for start in range(0, pairs, BATCH):
        ids = range(start, min(start + BATCH, pairs))
        post(url, "/v1/predictions", "\n".join(
            f'{{"id":"p{i}","ts":{T0 + i * step:.3f},"model":"m","segment":{{"region":"r{i % 4}"}},'
            f'"score":0.{(i * 7919) % 1000:03d},"prediction":{(i * 7919) % 1000 // 500}}}' for i in ids))
        post(url, "/v1/feedback", "\n".join(
            f'{{"id":"p{i}","ts":{T0 + i * step + 3600:.3f},"label":{(i * 104729) % 2}}}' for i in ids))


def get(url: str, path: str) -> tuple[float, str]:
    started = time.monotonic()
    with urllib.request.urlopen(url + path, timeout=3600) as response:
        response.read()
        return time.monotonic() - started, response.headers.get("Vigil-Replay", "")


def questions(url: str) -> list[tuple[str, float, str]]:
    noon = T0 + 20 * DAY + DAY // 2
    day = f"from={iso(noon - DAY)}&to={iso(noon)}&names=accuracy"
    asked = [
        ("metrics asOf 2026-01-21 12:00 (cold)", f"/v1/models/m/metrics?{day}&asOf={iso(noon)}"),
        ("metrics asOf 2026-01-21 14:00", f"/v1/models/m/metrics?{day}&asOf={iso(noon + 7200)}"),
        ("metrics asOf 2026-01-21 00:00", f"/v1/models/m/metrics?{day}&asOf={iso(T0 + 20 * DAY)}"),
        ("SLO status ?at= 2026-01-21 15:00", f"/v1/slos/acc?at={iso(noon + 3 * 3600)}"),
        ("SLO backtest of 2026-01-20, hourly (25 steps)",
         f"/v1/slos/acc/backtest?from={iso(T0 + 19 * DAY)}&to={iso(T0 + 20 * DAY)}&step=1h"),
    ]
    out = []
    for name, path in asked:
        took, replay = get(url, path)
        print(f"  {name}: {took * 1000:,.0f} ms  [{replay}]", flush=True)
        out.append((name, took, replay))
    return out


def define_slo(url: str) -> None:
    body = json.dumps({"model": "m", "sli": "accuracy", "objective": ">= 0.4", "window": "1d"}).encode()
    request = urllib.request.Request(url + "/v1/slos/acc", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=60).read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--bin", default=".build/release/vigil")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    pairs = args.events // 2
    directory = tempfile.mkdtemp(prefix="vigil-asof-")
    data, log = os.path.join(directory, "data"), os.path.join(directory, "server.log")
    results = {}
    try:
        server = Server(args.bin, data, log, "--label-horizon", "60d", "--retention", "3650d")
        print(f"loading {2 * pairs:,} events over {DAYS} days…", flush=True)
        load(server.url, pairs)
        define_slo(server.url)
        for checkpoints in ("4", "0"):
            if checkpoints == "0":
                server.kill()
                server = Server(args.bin, data, log, "--label-horizon", "60d", "--retention", "3650d",
                                "--as-of-checkpoints", "0")
            print(f"--as-of-checkpoints {checkpoints}:", flush=True)
            results[checkpoints] = questions(server.url)
        server.kill()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    rows = "\n".join(
        f"| {name} | {took * 1000:,.0f} ms | `{replay}` | {results['0'][k][1] * 1000:,.0f} ms | `{results['0'][k][2]}` |"
        for k, (name, took, replay) in enumerate(results["4"]))
    if args.write:
        write_section(HEADING, (
            f"{HEADING}\n\nMeasured {datetime.date.today()} on {machine()}; release build. {2 * pairs:,} events "
            f"({pairs:,} binary predictions over {DAYS} days of event time, a label for each an hour later) posted "
            "over HTTP, then the questions below in order, with the default 4 checkpoints and with none "
            "(`--as-of-checkpoints 0`, the cost before checkpoints: every question replays the log from its "
            "beginning). `Vigil-Replay` is the answer's header: events replayed, the checkpoint started from, "
            "log batches read of those stored.\n\n"
            "| question | time | replay | time without checkpoints | replay without checkpoints |\n"
            f"|---|---:|---|---:|---|\n{rows}\n"))


if __name__ == "__main__":
    main()

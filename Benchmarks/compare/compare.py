#!/usr/bin/env python3
"""Head-to-head: Vigil vs a PostgreSQL join vs Prometheus gauges, on the same monitoring workload.

For each size N it loads the same events into each system (one at a time, so none competes with another
for the two cores), asks the same questions, checks every answer against the truth computed from the
generated arrays, times ingest of a stream of new labels, and checks the cumulative answer again after it.
Writes the results as JSON, a Markdown section and a plot. See Benchmarks/compare/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback

import numpy as np

from processes import memory_bytes
from timing import Refused, measure, server_time
from workload import DAY_MS, HOUR_MS, Answer, Workload, generate, hourly_truth, truth

QUESTIONS = {
    "cumulative": "cumulative accuracy, precision, recall",
    "last_hour": "accuracy, precision, recall over the last hour (sliding)",
    "last_day": "accuracy, precision, recall over the last day (sliding)",
    "hourly": "hourly accuracy series over 30 days (720 points)",
}
TOLERANCE = 1e-9


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def window_of(question: str, w: Workload) -> tuple[int | None, int | None]:
    return {"cumulative": (None, None), "last_hour": (w.end_ms - HOUR_MS, w.end_ms),
            "last_day": (w.end_ms - DAY_MS, w.end_ms)}[question]


def agrees(got, expected: Answer) -> bool:
    """An answer equals the truth: the same confusion counts, or (Prometheus, which returns ratios) the
    same metric values to 1e-9."""
    if isinstance(got, Answer):
        return got == expected
    want = expected.metrics()
    return all((got.get(k) is None) == (want[k] is None) and
               (want[k] is None or abs(got[k] - want[k]) <= TOLERANCE) for k in got)


def series_agrees(got: dict, expected: dict[int, Answer]) -> bool:
    return got.keys() == expected.keys() and all(
        agrees(got[hour], expected[hour]) if isinstance(got[hour], Answer)
        else abs(got[hour]["accuracy"] - expected[hour].metrics()["accuracy"]) <= TOLERANCE
        for hour in got)


def answer_checks(results: dict) -> list[bool]:
    """Whether each answer equalled the truth: every question answered, and each cumulative answer after
    the label stream."""
    systems = [system for size in results["sizes"] for system in size.get("systems", {}).values()]
    return ([q["equal"] for system in systems for q in system.get("questions", {}).values() if "equal" in q]
            + [system["after_stream"]["equal"] for system in systems if "after_stream" in system])


def summary(answer) -> dict:
    if isinstance(answer, Answer):
        return {**answer.metrics(), "n": answer.n}
    return answer


def start_system(name: str, args):
    if name == "Vigil":
        from vigil_system import VigilSystem
        return VigilSystem(args.vigil_bin)
    if name == "PostgreSQL":
        from postgres_system import PostgresSystem
        return PostgresSystem()
    from prometheus_system import PrometheusSystem
    return PrometheusSystem(memory_cap=int(args.prometheus_memory_gib * 2**30) if args.prometheus_memory_gib else None)


def ask(system, question: str, w: Workload, args) -> dict:
    """Times one question and checks its answer against the truth."""
    if question == "hourly":
        call = lambda: system.hourly(w)  # noqa: E731
        timing = measure(call, max_seconds=args.max_seconds)
        equal = series_agrees(timing.result, hourly_truth(w))
        answer = {"points": len(timing.result)}
    else:
        start, end = window_of(question, w)
        call = lambda: system.window(start, end)  # noqa: E731
        timing = measure(call, max_seconds=args.max_seconds)
        equal = agrees(timing.result, truth(w, start, end))
        answer = summary(timing.result)
    server = server_time(system, call, budget_s=args.max_seconds / 3)
    log(f"  {system.name}: {question}: {timing.median_s * 1000:,.2f} ms (median of {timing.runs}); "
        f"server {server:,.3f} ms{'' if equal else '  ANSWER DIFFERS from the truth'}")
    return {"median_ms": timing.median_s * 1000, "runs": timing.runs, "server_ms": server, "equal": equal,
            "answer": answer}


def run_system(name: str, w: Workload, args) -> dict:
    """Loads one system, asks every question, streams the labels and checks again; then stops it."""
    system = start_system(name, args)
    result = {"version": getattr(system, "version", None), "questions": {}}
    try:
        log(f"  {name}: loading {w.n:,} predictions and {int(w.known.sum()):,} labels")
        result["load"] = system.load(w)
        log(f"  {name}: loaded in {result['load']['seconds']:.1f} s")
        for question in QUESTIONS:
            try:
                result["questions"][question] = ask(system, question, w, args)
            except Refused as refusal:
                result["questions"][question] = {"refused": str(refusal)}
                log(f"  {name}: {question}: refused: {refusal}")
        stream = np.flatnonzero(w.stream)[:args.stream]
        result["stream"] = {"labels": len(stream), "batch": args.batch,
                            "labels_per_s": system.ingest(w, stream, args.batch)}
        log(f"  {name}: label stream of {len(stream):,}: {result['stream']['labels_per_s']:,.0f} labels/s")
        after = np.zeros(w.n, dtype=bool)
        after[stream] = True
        after |= w.known
        answer = system.window(None, None)
        result["after_stream"] = {"equal": agrees(answer, truth(w, None, None, labels=after)),
                                  "answer": summary(answer)}
        result["rss_bytes"] = system.memory()
        if hasattr(system, "http_floor_ms"):
            result["http_floor_ms"] = system.http_floor_ms()
    finally:
        system.stop()
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.machine())
    system = next((line.split("=", 1)[1].strip().strip('"') for line in open("/etc/os-release")
                   if line.startswith("PRETTY_NAME")), platform.system())
    return f"{cpu}, {os.cpu_count()} cores, {memory_bytes() / 2**30:.0f} GiB, {system}"


def save(results: dict, path: str) -> None:
    with open(path, "w") as out:
        json.dump(results, out, indent=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000,10000000",
                        help="comma-separated numbers of predictions (default 10^4..10^7)")
    parser.add_argument("--budget-minutes", type=float, default=90,
                        help="skip a size whose estimated time would end past this (default 90)")
    parser.add_argument("--prometheus-max", type=int, default=1_000_000,
                        help="largest N loaded into Prometheus (one series per prediction and per label)")
    parser.add_argument("--prometheus-memory-gib", type=float, default=None,
                        help="stop Prometheus past this RSS and report the question refused (default 60%% of RAM)")
    parser.add_argument("--vigil-bin", required=True, help="the vigil executable (a release build)")
    parser.add_argument("--stream", type=int, default=20_000, help="labels in the timed stream, at most")
    parser.add_argument("--batch", type=int, default=1_000, help="labels per request/transaction in the stream")
    parser.add_argument("--max-seconds", type=float, default=30, help="time spent repeating one question")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--results", required=True, help="where to write the JSON results")
    args = parser.parse_args()

    sizes = [int(s) for s in args.sizes.split(",")]
    end_ms = int(time.time() // 3600 * 3600 * 1000)  # the last whole hour: "now" for every question
    began = time.monotonic()
    results = {"date": datetime.date.today().isoformat(), "machine": machine(), "end": end_ms,
               "vigil_bin": args.vigil_bin, "seed": args.seed, "sizes": []}
    previous: dict[str, tuple[int, float]] = {}  # system → (n, seconds) of its last run, for estimates
    failed = False
    for n in sizes:
        entry = {"n": n, "systems": {}}
        results["sizes"].append(entry)
        names = [name for name in ("Vigil", "PostgreSQL", "Prometheus")
                 if name != "Prometheus" or n <= args.prometheus_max]
        # A system's time grows about linearly with N (its load does): scale its last run.
        estimate = sum(previous[name][1] * n / previous[name][0] for name in names if name in previous)
        elapsed = time.monotonic() - began
        if previous and elapsed + estimate > args.budget_minutes * 60:
            entry["skipped"] = (f"estimated {estimate / 60:.0f} min (scaled from the previous size) would end "
                                f"past the {args.budget_minutes:.0f}-minute budget")
            log(f"N={n:,}: skipped: {entry['skipped']}")
            continue
        started = time.monotonic()
        log(f"N={n:,}: generating the workload")
        w = generate(n, end_ms, args.seed)
        for name in ("Vigil", "PostgreSQL", "Prometheus"):
            if name not in names:
                entry["systems"][name] = {"skipped": f"N > --prometheus-max ({args.prometheus_max:,}): "
                                                     "one series per prediction and per label"}
                continue
            system_started = time.monotonic()
            try:
                entry["systems"][name] = run_system(name, w, args)
            except Exception as error:  # report, keep going with the other systems
                traceback.print_exc()
                entry["systems"][name] = {"error": f"{type(error).__name__}: {error}"}
                failed = True
            previous[name] = (n, time.monotonic() - system_started)
        entry["seconds"] = time.monotonic() - started
        save(results, args.results)  # after each size, so a long run's finished sizes survive an interruption
    save(results, args.results)
    ok = not failed and all(answer_checks(results))
    log(f"results: {args.results}; {'every answer equals the truth' if ok else 'SOME ANSWERS DIFFER (or a system failed)'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

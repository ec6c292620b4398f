#!/usr/bin/env python3
"""Turns compare.py's JSON results into a Markdown section of benchmarks.md and a latency-vs-N plot.

Usage: report.py RESULTS.json OUT_DIR   (writes OUT_DIR/benchmarks.md and OUT_DIR/img/compare-latency.png)
"""

import os
import sys
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from compare import QUESTIONS, answer_checks  # noqa: E402

SYSTEMS = ("Vigil", "PostgreSQL", "Prometheus")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADING = "## Head-to-head: Vigil, PostgreSQL and Prometheus (`Benchmarks/compare/run.sh`)"
PLOT = "img/compare-latency.png"


def times(r: float) -> str:
    return f"{r:,.0f}×" if r >= 10 else f"{r:.1f}×"


def ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}" if value >= 1 else f"{value:.3f}"


def cell(system: dict | None, question: str, key: str) -> str:
    if system is None or "questions" not in system:
        return "—"
    q = system["questions"][question]
    if "refused" in q:
        return "refused"
    return ms(q[key]) + ("" if q["equal"] else " ✗")


def median(size: dict, name: str, question: str, key: str = "median_ms") -> float | None:
    return size.get("systems", {}).get(name, {}).get("questions", {}).get(question, {}).get(key)


def ratio(size: dict, slow: str, fast: str, question: str, key: str) -> str:
    a, b = median(size, slow, question, key), median(size, fast, question, key)
    return times(a / b) if a and b else "—"


def latency_table(results: dict, key: str) -> list[str]:
    """Per question and N: the client's median time (key `median_ms`) or the server's own (`server_ms`)."""
    lines = ["| question | N | Vigil (ms) | PostgreSQL (ms) | Prometheus (ms) | PostgreSQL ÷ Vigil | Prometheus ÷ Vigil |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for question, title in QUESTIONS.items():
        for size in results["sizes"]:
            if "skipped" in size:
                continue
            s = size["systems"]
            lines.append(f"| {title} | {size['n']:,} | {cell(s.get('Vigil'), question, key)} | "
                         f"{cell(s.get('PostgreSQL'), question, key)} | {cell(s.get('Prometheus'), question, key)} | "
                         f"{ratio(size, 'PostgreSQL', 'Vigil', question, key)} | "
                         f"{ratio(size, 'Prometheus', 'Vigil', question, key)} |")
    return lines


def load_table(results: dict) -> list[str]:
    lines = ["| N | labels loaded | load: Vigil / PostgreSQL / Prometheus (s) | label stream: Vigil / PostgreSQL / Prometheus (labels/s) | peak RSS: Vigil / Prometheus (MiB) |",
             "|---:|---:|---|---|---|"]
    for size in results["sizes"]:
        if "skipped" in size:
            continue
        s = size["systems"]

        def load(name):
            system = s.get(name, {})
            return f"{system['load']['seconds']:,.1f}" if "load" in system else "—"

        def stream(name):
            system = s.get(name, {})
            return f"{system['stream']['labels_per_s']:,.0f}" if "stream" in system else "—"

        def rss(name):
            value = s.get(name, {}).get("rss_bytes")
            return f"{value / 2**20:,.0f}" if value else "—"

        vigil = s.get("Vigil", {})
        labels = vigil["load"]["events"] - size["n"] if "load" in vigil else 0
        lines.append(f"| {size['n']:,} | {labels:,} | {' / '.join(load(n) for n in SYSTEMS)} | "
                     f"{' / '.join(stream(n) for n in SYSTEMS)} | {rss('Vigil')} / {rss('Prometheus')} |")
    return lines


def skipped(results: dict) -> list[str]:
    lines = []
    for size in results["sizes"]:
        if "skipped" in size:
            lines.append(f"- N = {size['n']:,}: not run: {size['skipped']}.")
        for name, system in size.get("systems", {}).items():
            if "skipped" in system:
                lines.append(f"- N = {size['n']:,}, {name}: not run: {system['skipped']}.")
            for question, q in system.get("questions", {}).items():
                if "refused" in q:
                    lines.append(f"- N = {size['n']:,}, {name}, {QUESTIONS[question]}: **refused**: {q['refused']}")
            if "error" in system:
                lines.append(f"- N = {size['n']:,}, {name}: **failed**: {system['error']}")
    return lines


def verdict(results: dict) -> str:
    checks = answer_checks(results)
    if checks and all(checks):
        return (f"**Answers:** all {len(checks)} answers equal the truth computed from the generated arrays "
                "(Vigil and PostgreSQL: the same confusion counts; Prometheus, which returns ratios: the same "
                "values to 1e-9), including the cumulative answer after the label stream.")
    return f"**Answers:** {checks.count(False)} of {len(checks)} answers differ from the truth (marked ✗)."


def floor(results: dict) -> str:
    floors = [size["systems"]["Vigil"]["http_floor_ms"] for size in results["sizes"]
              if "http_floor_ms" in size.get("systems", {}).get("Vigil", {})]
    if not floors:
        return ""
    return (f"**The HTTP floor:** a `GET /healthz` round trip through the same client takes "
            f"{min(floors):.3f}–{max(floors):.3f} ms, so most of a Vigil window query's time is the round trip "
            "(in process, the engine answers in ~5 µs: see the engine section above).\n")


def target(results: dict) -> list[str]:
    """The issue's target, read off the table: Vigil ≥ 1000× faster than the PostgreSQL join at the largest
    N measured, and flat across N."""
    sizes = [size for size in results["sizes"] if median(size, "Vigil", "cumulative") and
             median(size, "PostgreSQL", "cumulative")]
    if not sizes:
        return []
    largest = sizes[-1]
    lines = [f"**Target (≥ 1000× faster than the PostgreSQL join at N = {largest['n']:,}, flat across N):**", ""]
    for question, title in QUESTIONS.items():
        vigil = [median(size, "Vigil", question) for size in sizes]
        speedup = median(largest, "PostgreSQL", question) / vigil[-1]
        server = [median(largest, name, question, "server_ms") for name in ("PostgreSQL", "Vigil")]
        server_speedup = (f"; server's own time {times(server[0] / server[1])}"
                          if all(server) else "")
        lines.append(f"- {title}: {times(speedup)} as the client sees it ({'met' if speedup >= 1000 else 'not met'})"
                     f"{server_speedup}; Vigil from {min(vigil):.3g} to {max(vigil):.3g} ms across "
                     f"N = {sizes[0]['n']:,}–{largest['n']:,} (max/min {max(vigil) / min(vigil):.1f}).")
    return lines + [""]


def section(results: dict) -> str:
    versions = {}
    for size in results["sizes"]:
        for name, system in size.get("systems", {}).items():
            if system.get("version"):
                versions[name] = system["version"]
    return "\n".join([
        HEADING, "",
        f"Measured {results['date']} on {results['machine']}; every server on loopback, one system at a time; "
        f"Vigil `{os.path.relpath(results['vigil_bin'], ROOT)}`; "
        + "; ".join(f"{v}" for v in versions.values()) + ".", "",
        "Workload: N predictions of one binary model over the 30 days before the last whole hour, 80 % labeled "
        "0–48 h later (labels that arrive after that hour form the timed stream). Times are the median wall "
        "time seen by a Python client on a keep-alive connection (http.client for Vigil and Prometheus, psycopg 3 "
        "for PostgreSQL), after one warming run.", "",
        verdict(results), "",
        floor(results),
        *target(results),
        f"![query latency vs N]({PLOT})", "",
        "**As the client sees it** (median wall time, round trip included):", "",
        *latency_table(results, "median_ms"), "",
        "**The server's own time** (median of up to 5 runs): Vigil's `Server-Timing` header (routing, the "
        "engine, the JSON), PostgreSQL's `EXPLAIN (ANALYZE, TIMING OFF)` execution time, Prometheus's "
        "`execTotalTime` (`stats=all`; the sum of a question's three queries):", "",
        *latency_table(results, "server_ms"), "",
        *load_table(results), "",
        *skipped(results), "",
        "How each system is loaded and asked, and what the numbers mean: "
        "[Benchmarks/compare/README.md](../Benchmarks/compare/README.md).", ""])


def plot(results: dict, path: str) -> None:
    figure, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    colors = {"Vigil": "#1b7837", "PostgreSQL": "#2166ac", "Prometheus": "#d6604d"}
    for ax, (question, title) in zip(axes.flat, QUESTIONS.items()):
        for name in SYSTEMS:
            points = [(size["n"], size["systems"][name]["questions"][question]["median_ms"])
                      for size in results["sizes"]
                      if "median_ms" in size.get("systems", {}).get(name, {}).get("questions", {}).get(question, {})]
            if points:
                ax.plot(*zip(*points), marker="o", label=name, color=colors[name])
        floors = [(size["n"], size["systems"]["Vigil"]["http_floor_ms"]) for size in results["sizes"]
                  if "http_floor_ms" in size.get("systems", {}).get("Vigil", {})]
        if floors and question != "hourly":
            ax.plot(*zip(*floors), linestyle="--", color="gray", label="HTTP floor (GET /healthz)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("median latency (ms)")
        ax.grid(True, which="both", alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("predictions held (N)")
    axes[0][0].legend()
    figure.suptitle(f"Query latency vs N — {results['date']}, {results['machine'].split(',')[0]}")
    figure.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    figure.savefig(path, dpi=110)


def write(results: dict, out_dir: str) -> str:
    path = os.path.join(out_dir, "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    start = text.find(HEADING)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section(results) + ("" if end < 0 else text[end + 1:])
    else:
        text = text.rstrip() + "\n\n" + section(results)
    with open(path, "w") as out:
        out.write(text)
    plot(results, os.path.join(out_dir, PLOT))
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    written = write(json.load(open(sys.argv[1])), sys.argv[2])
    print(f"written: {written} and {os.path.join(sys.argv[2], PLOT)}")

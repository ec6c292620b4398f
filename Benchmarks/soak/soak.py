#!/usr/bin/env python3
"""Crash soak: a real `vigil serve` SIGKILLed again and again while 3 writers stream predictions.

Each round starts the server on the same data directory (timing the restart until /readyz answers), lets the
writers send batches of 500 predictions for 0.2–1.2 s, and kills the server with SIGKILL. A batch is resent
until it is acknowledged, so at the end every row has been acknowledged once or more. After each restart the
server must count at least every acknowledged row (nothing acknowledged lost) and at most every row sent (no
duplicates); at the end it must count exactly every row.

Prints a report (acknowledged vs counted, duplicates, restart-time percentiles, snapshots saved) and, with
--write, the section "Crash soak" of docs/benchmarks.md.

Usage: soak.py [--kills 100] [--bin .build/release/vigil] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchmarks_md import machine, write_section  # noqa: E402

HEADING = "## Crash soak (`scripts/soak`)"
BATCH = 500
WRITERS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, body: bytes | None = None, timeout: float = 30) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def batch_body(writer: int, index: int) -> bytes:
    t0 = 1_700_000_000 + index * 60
    rows = (
        {"id": f"w{writer}-{index}-{i}", "ts": t0 + i % 60, "model": "soak", "segment": {"writer": str(writer)},
         "score": (i % 100) / 100, "prediction": int(i % 100 >= 50)}
        for i in range(BATCH))
    return "\n".join(json.dumps(r, separators=(",", ":")) for r in rows).encode()


@dataclass
class Soak:
    binary: str
    data: str
    log_path: str
    acknowledged: set = field(default_factory=set)  # (writer, batch) acknowledged at least once
    attempted: set = field(default_factory=set)  # (writer, batch) sent at least once
    next_batch: list = field(default_factory=lambda: [0] * WRITERS)
    lock: threading.Lock = field(default_factory=threading.Lock)
    restarts: list = field(default_factory=list)
    violations: list = field(default_factory=list)

    def start(self) -> tuple[subprocess.Popen, str]:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        log = open(self.log_path, "ab")
        proc = subprocess.Popen(
            [self.binary, "serve", "--data", self.data, "--port", str(port), "--snapshot-interval", "2s",
             "--log-level", "info"], stdout=log, stderr=subprocess.STDOUT)
        while True:
            try:
                if request(url + "/readyz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}; see {self.log_path}")
            if time.monotonic() - started > 300:
                raise RuntimeError("the server did not become ready in 300 s")
            time.sleep(0.01)
        self.restarts.append(time.monotonic() - started)
        return proc, url

    def counted(self, url: str) -> int:
        _, models = request(url + "/v1/models")
        return sum(m["predictions"] for m in models.get("models", []))

    def writer(self, w: int, url: str, stop: threading.Event) -> None:
        while not stop.is_set():
            with self.lock:
                # Resend the oldest batch not yet acknowledged, else a new one.
                pending = sorted(b for (x, b) in self.attempted - self.acknowledged if x == w)
                index = pending[0] if pending else self.next_batch[w]
                if not pending:
                    self.next_batch[w] += 1
                self.attempted.add((w, index))
            try:
                status, answer = request(url + "/v1/predictions", batch_body(w, index))
            except OSError:
                return  # the server is gone: the batch stays unacknowledged
            if status != 200:
                self.violations.append(f"writer {w} batch {index}: {status} {answer}")
                return
            with self.lock:
                self.acknowledged.add((w, index))

    def check(self, url: str, final: bool = False) -> int:
        counted = self.counted(url)
        with self.lock:
            acked, sent = len(self.acknowledged) * BATCH, len(self.attempted) * BATCH
        if counted < acked:
            self.violations.append(f"lost: {counted} counted < {acked} acknowledged")
        if counted > sent:
            self.violations.append(f"duplicated: {counted} counted > {sent} sent")
        if final and counted != acked:
            self.violations.append(f"final count {counted} != {acked} acknowledged")
        return counted

    def round(self, rng: random.Random) -> None:
        proc, url = self.start()
        self.check(url)
        stop = threading.Event()
        threads = [threading.Thread(target=self.writer, args=(w, url, stop)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.2, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()

    def finish(self) -> int:
        """Resends what is unacknowledged, then restarts once more and counts."""
        proc, url = self.start()
        with self.lock:
            pending = sorted(self.attempted - self.acknowledged)
        for w, index in pending:
            status, answer = request(url + "/v1/predictions", batch_body(w, index))
            if status != 200:
                self.violations.append(f"resend {w}/{index}: {status} {answer}")
            self.acknowledged.add((w, index))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc, url = self.start()
        counted = self.check(url, final=True)
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        return counted


def percentile(values: list, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(binary: str, kills: int, seed: int = 7) -> dict:
    """Runs the soak and returns its report; `violations` lists every broken invariant (empty when sound)."""
    directory = tempfile.mkdtemp(prefix="vigil-soak-")
    soak = Soak(binary, os.path.join(directory, "data"), os.path.join(directory, "server.log"))
    rng = random.Random(seed)
    started = time.monotonic()
    try:
        for k in range(kills):
            soak.round(rng)
            if (k + 1) % 10 == 0:
                print(f"soak: {k + 1}/{kills} kills, {len(soak.acknowledged) * BATCH:,} rows acknowledged, "
                      f"last restart {soak.restarts[-1]:.2f} s", flush=True)
        counted = soak.finish()
        with open(soak.log_path, errors="replace") as f:
            snapshots = sum(1 for line in f if "snapshot saved" in line)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    report = {
        "kills": kills, "acknowledged": len(soak.acknowledged) * BATCH, "counted": counted,
        "duplicates": max(0, counted - len(soak.acknowledged) * BATCH), "snapshots": snapshots,
        "restart_p50": percentile(soak.restarts, 0.5), "restart_p90": percentile(soak.restarts, 0.9),
        "restart_max": max(soak.restarts), "restart_max_last20": max(soak.restarts[-20:]), "seconds": time.monotonic() - started, "violations": soak.violations,
    }
    return report


def kept_rows() -> list:
    """The table rows of the section as it stands (earlier runs, kept beside the new one)."""
    from benchmarks_md import PATH

    text = open(PATH).read()
    start = text.find(HEADING)
    if start < 0:
        return []
    end = text.find("\n## ", start + 1)
    lines = text[start:end if end >= 0 else len(text)].splitlines()
    return [line for line in lines if line.startswith("| ") and not line.startswith("| run |")
            and not line.startswith("| SIGKILLs |")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--bin", default=".build/release/vigil")
    parser.add_argument("--write", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--label", default="current", help="the run's name in the table (rows of other names are kept)")
    args = parser.parse_args()
    r = run(args.bin, args.kills)
    print(f"BENCH soak: {r['kills']} SIGKILLs, {r['acknowledged']:,} rows acknowledged, {r['counted']:,} counted, "
          f"{r['duplicates']} duplicates, restart p50 {r['restart_p50']:.2f} s / p90 {r['restart_p90']:.2f} s / "
          f"max {r['restart_max']:.2f} s (max of the last 20: {r['restart_max_last20']:.2f} s), {r['snapshots']} snapshots saved, {r['seconds']:.0f} s in all")
    for v in r["violations"]:
        print(f"VIOLATION {v}")
    if args.write:
        row = (f"| {args.label} | {r['kills']} | {r['acknowledged']:,} | {r['counted']:,} | {r['duplicates']} "
               f"| {r['restart_p50']:.2f} s | {r['restart_p90']:.2f} s | {r['restart_max']:.2f} s | {r['restart_max_last20']:.2f} s | {r['snapshots']} "
               f"| {len(r['violations'])} |")
        rows = [line for line in kept_rows() if not line.startswith(f"| {args.label} |")] + [row]
        section = (
            f"{HEADING}\n\nMeasured {datetime.date.today()} on {machine()}; release build, `--snapshot-interval 2s`. "
            f"{WRITERS} writers stream batches of {BATCH} predictions; the server is SIGKILLed after 0.2–1.2 s, "
            "restarted on the same data directory (restart = process start until `/readyz` answers), and every "
            "unacknowledged batch is resent.\n\n"
            "| run | SIGKILLs | rows acknowledged | rows counted | duplicates | restart p50 | restart p90 | restart max "
            "| restart max, last 20 | snapshots saved | invariant violations |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            + "\n".join(rows) + "\n\n"
            "Every row sent is a prediction waiting for its label, so the state a restart restores grows through the "
            "run; the log tail it replays does not grow with the kills once snapshots finish under them (streamed to "
            "a file, and saved before serving after a replay longer than `--recovery-snapshot-after`).\n")
        write_section(HEADING, section)
    sys.exit(1 if r["violations"] else 0)


if __name__ == "__main__":
    main()

"""Prometheus under test, following the design critiqued in Shreya Shankar's "Rethinking ML Monitoring 3"
(https://www.sh-reya.com/blog/rethinking-ml-monitoring-3/): an exporter sets a gauge per prediction id
(`model_prediction{id}` = the predicted class) and one per label (`model_label{id}` = the true class);
PromQL joins the two on the `id` label.

The month of history is backfilled with `promtool tsdb create-blocks-from openmetrics` (scraping a month
in real time is not an option); the timed label stream arrives the way the design has it arrive, by a
scrape of the exporter.
"""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from processes import KeepAlive, free_port, memory_bytes, rss_bytes, stop, wait_for_http, wait_until
from timing import Refused
from workload import HOUR_MS, Workload, epoch_seconds

WRITE_ROWS = 500_000


def predictions(window: str) -> str:
    return f"last_over_time(model_prediction[{window}])"


def labels(window: str) -> str:
    return f"last_over_time(model_label[{window}])"


def metric_queries(window: str, label_selector: str | None = None) -> dict[str, str]:
    """Accuracy, precision and recall of the predictions in the window, joined with their labels on id.

    A label arrives after its prediction, so at the window's end the labels of its predictions all arrived
    within the window itself: the label range can be as short as the prediction range, which spares
    Prometheus every older label series (the fastest form of the query, not the naive one)."""
    p, l = predictions(window), label_selector or labels(window)
    # count() of nothing is no value, not 0: without `or vector(0)` a window with no hit (accuracy 0)
    # would vanish from the answer instead of reading 0.
    hits = f"(count(({p} == 1) and on(id) ({l} == 1)) or vector(0))"
    return {
        "accuracy": f"(count({p} == on(id) {l}) or vector(0)) / count({p} and on(id) {l})",
        "precision": f"{hits} / count(({p} == 1) and on(id) {l})",
        "recall": f"{hits} / count({p} and on(id) ({l} == 1))",
    }


# Hourly accuracy: each step t covers the predictions of [t-1h, t], joined with the labels known at the
# end of the range, as in the other systems. Those labels arrived within 48 h of their prediction, so at
# step t they lie in [t-1h, t+48h]: a 49 h range shifted 48 h ahead (`offset -48h`). The obvious
# `model_label[31d] @ end()` gives the same answer but copies every label series into each of the 720 steps:
# at N = 10^6 it took the server past 23 GiB of memory before it was stopped.
HOURLY = metric_queries("1h", "last_over_time(model_label[49h] offset -48h)")["accuracy"]
FEATURES = "promql-negative-offset"


class Exporter:
    """The model server's /metrics: whatever exposition text it is given."""

    def __init__(self):
        self.body = b""
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = exporter.body
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class MemoryWatchdog:
    """Kills a process whose resident memory passes a cap, so a query that would exhaust the machine's
    memory is reported as refused instead of taking the machine (and the benchmark) down."""

    def __init__(self, process: subprocess.Popen, cap_bytes: int):
        self.process, self.cap = process, cap_bytes
        self.killed_at: int | None = None
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while self.process.poll() is None:
            rss = rss_bytes(self.process.pid, "VmRSS")
            if rss > self.cap:
                self.killed_at = rss
                self.process.kill()
                return
            time.sleep(0.1)


class PrometheusSystem:
    name = "Prometheus"

    def __init__(self, memory_cap: int | None = None):
        self.memory_cap = memory_cap or int(memory_bytes() * 0.6)  # default: 60 % of the machine's memory
        self.server_s = 0.0  # Prometheus's own execTotalTime, summed over a question's queries
        self.peak_rss = 0
        for tool in ("prometheus", "promtool"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not installed (apt-get install prometheus); run.sh installs it")
        self.dir = tempfile.mkdtemp(prefix="prom-compare-")
        self.data = os.path.join(self.dir, "data")
        self.exporter = Exporter()
        self.process = None
        self.version = subprocess.run(["prometheus", "--version"], capture_output=True,
                                      text=True).stdout.splitlines()[0]

    # Loading

    def load(self, w: Workload) -> dict:
        """Backfills the month as TSDB blocks, then starts the server on them."""
        started = time.perf_counter()
        path = os.path.join(self.dir, "history.om")
        self._write_openmetrics(w, path)
        # Blocks of up to ~20 days: promtool reads the input once per block range.
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                        "--max-block-duration=486h", path, self.data], check=True)
        os.remove(path)
        backfill = time.perf_counter() - started
        self._start()
        return {"seconds": time.perf_counter() - started, "backfill_seconds": backfill,
                "events": w.n + int(w.known.sum())}

    def _write_openmetrics(self, w: Workload, path: str) -> None:
        with open(path, "w") as out:
            out.write("# TYPE model_prediction gauge\n")
            for i in range(0, w.n, WRITE_ROWS):
                rows = np.arange(i, min(i + WRITE_ROWS, w.n))
                out.write(self._samples(w, "model_prediction", rows, w.predicted, w.ts_ms))
            out.write("# TYPE model_label gauge\n")
            known = np.flatnonzero(w.known)
            for i in range(0, len(known), WRITE_ROWS):
                out.write(self._samples(w, "model_label", known[i:i + WRITE_ROWS], w.label, w.label_ts_ms))
            out.write("# EOF\n")

    @staticmethod
    def _samples(w: Workload, name: str, rows: np.ndarray, values: np.ndarray, times: np.ndarray) -> str:
        return "".join(f'{name}{{id="{w.prediction_id(i)}"}} {v} {epoch_seconds(t)}\n'
                       for i, v, t in zip(rows.tolist(), values[rows].tolist(), times[rows].tolist()))

    def _start(self) -> None:
        self.port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: label-stream
    static_configs:
      - targets: ["127.0.0.1:{self.exporter.port}"]
""")
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={self.data}",
             "--storage.tsdb.retention.time=90d", f"--web.listen-address=127.0.0.1:{self.port}",
             "--query.timeout=30m", f"--enable-feature={FEATURES}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for_http(self.process, self.url + "/-/ready", 600, "prometheus", self.log.name)
        self.client = KeepAlive("127.0.0.1", self.port)
        self.watchdog = MemoryWatchdog(self.process, self.memory_cap)

    # Questions

    def _request(self, path: str, params: dict) -> dict:
        """One API call; if the watchdog killed the server for its memory, restart it (the blocks are on
        disk) and report the question as refused."""
        try:
            _, body = self.client.request("POST", path, form={**params, "stats": "all"})
        except (ConnectionError, OSError):
            if self.watchdog.killed_at is None:
                raise
            self.peak_rss = max(self.peak_rss, self.watchdog.killed_at)
            refusal = (f"the server passed the benchmark's memory cap ({self.memory_cap / 2**30:.1f} GiB RSS) "
                       "and was stopped")
            self.process.wait()
            self.log.close()
            self._start()
            raise Refused(refusal)
        self._check(body)
        self.server_s += body["data"]["stats"]["timings"]["execTotalTime"]
        return body

    def _query(self, expression: str, at_ms: int | None) -> float | None:
        params = {"query": expression}
        if at_ms is not None:
            params["time"] = f"{at_ms / 1000:.3f}"
        body = self._request("/api/v1/query", params)
        result = body["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    @staticmethod
    def _check(body: dict) -> None:
        if body.get("status") == "success":
            return
        if body.get("errorType") == "execution":  # the sample limit, the timeout: Prometheus declines
            raise Refused(body.get("error"))
        raise RuntimeError(f"PromQL failed: {body.get('errorType')}: {body.get('error')}")

    def window(self, start_ms: int | None, end_ms: int | None) -> dict:
        """Metrics of the predictions in [start, end), evaluated at `end` (the cumulative: now)."""
        window = "31d" if start_ms is None else f"{(end_ms - start_ms) // 1000}s"
        return {name: self._query(q, end_ms) for name, q in metric_queries(window).items()}

    def hourly(self, w: Workload) -> dict[int, dict]:
        params = {"query": HOURLY, "start": (w.start_ms + HOUR_MS) / 1000, "end": w.end_ms / 1000, "step": 3600}
        body = self._request("/api/v1/query_range", params)
        values = body["data"]["result"][0]["values"] if body["data"]["result"] else []
        return {int(t * 1000) - HOUR_MS: {"accuracy": float(v)} for t, v in values}

    def ingest(self, w: Workload, rows: np.ndarray, batch: int) -> float:
        """Exposes the label stream on the exporter and waits for a scrape to ingest it; the rate is the
        stream's size over Prometheus's own `scrape_duration_seconds` for that scrape."""
        self.exporter.body = "".join(f'model_label{{id="{w.prediction_id(i)}"}} {y}\n'
                                     for i, y in zip(rows.tolist(), w.label[rows].tolist())).encode()
        expected = len(rows)
        count = 'count(model_label{job="label-stream"})'
        wait_until(lambda: self._query(count, None) == expected, 120, "the label stream's scrape")
        duration = self._query('max_over_time(scrape_duration_seconds{job="label-stream"}[10s])', None)
        return expected / duration

    def server_ms(self, question) -> float:
        self.server_s = 0.0
        question()
        return self.server_s * 1000

    def memory(self) -> int:
        return max(self.peak_rss, rss_bytes(self.process.pid))

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.log.close()
        self.exporter.close()
        shutil.rmtree(self.dir, ignore_errors=True)

"""Vigil under test: a real `vigil serve` (SQLite log, fsync per group commit) loaded over HTTP."""

import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import numpy as np
import requests

from processes import KeepAlive, free_port, rss_bytes, stop, wait_for_http
from workload import HOUR_MS, Answer, Workload, epoch_seconds

MODEL = "bench"
NAMES = "accuracy,precision,recall"
BATCH = 10_000
POSTERS = 4


def iso(ms: int) -> str:
    return np.datetime_as_string(np.datetime64(ms, "ms"), unit="s") + "Z"


class VigilSystem:
    name = "Vigil"

    def __init__(self, binary: str):
        self.data = tempfile.mkdtemp(prefix="vigil-compare-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.data, "server.log"), "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--data", self.data, "--port", str(self.port), "--log-level", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_http(self.process, self.url + "/readyz", 60, "vigil serve", self.log.name)
        self._local = threading.local()
        self.client = KeepAlive("127.0.0.1", self.port)

    # Loading

    def load(self, w: Workload) -> dict:
        """Posts events in time order, an hour of event time at a time: that hour's predictions, then the
        labels that arrived in it. Four posters share the hours, so a label may now and then come before its
        prediction: Vigil holds it (an orphan) until the prediction arrives, as in production."""
        started = time.perf_counter()
        known = np.flatnonzero(w.known)
        known = known[np.argsort(w.label_ts_ms[known], kind="stable")]
        label_hours = np.searchsorted(w.label_ts_ms[known], w.start_ms + HOUR_MS * np.arange(721))
        prediction_hours = np.searchsorted(w.ts_ms, w.start_ms + HOUR_MS * np.arange(721))
        with ThreadPoolExecutor(POSTERS) as pool:
            jobs = [pool.submit(self._post_hour, w, np.arange(prediction_hours[h], prediction_hours[h + 1]),
                                known[label_hours[h]:label_hours[h + 1]])
                    for h in range(720)]
            accepted = sum(job.result() for job in jobs)
        expected = w.n + len(known)
        if accepted != expected:
            raise RuntimeError(f"Vigil accepted {accepted} of {expected} events")
        return {"seconds": time.perf_counter() - started, "events": expected}

    def _post_hour(self, w: Workload, predictions: np.ndarray, labels: np.ndarray) -> int:
        accepted = 0
        for i in range(0, len(predictions), BATCH):
            accepted += self._post("/v1/predictions", self._prediction_rows(w, predictions[i:i + BATCH]))
        for i in range(0, len(labels), BATCH):
            accepted += self._post("/v1/feedback", self._label_rows(w, labels[i:i + BATCH]))
        return accepted

    @staticmethod
    def _prediction_rows(w: Workload, rows: np.ndarray) -> str:
        return "\n".join(
            f'{{"id":"{w.prediction_id(i)}","ts":{epoch_seconds(t)},"model":"{MODEL}","version":"v1",'
            f'"score":{s},"prediction":{p}}}'
            for i, t, s, p in zip(rows.tolist(), w.ts_ms[rows].tolist(), w.score[rows].tolist(),
                                  w.predicted[rows].tolist()))

    @staticmethod
    def _label_rows(w: Workload, rows: np.ndarray, arrival: str | None = None) -> str:
        return "\n".join(
            f'{{"id":"{w.prediction_id(i)}","ts":{arrival or epoch_seconds(t)},"label":{y}}}'
            for i, t, y in zip(rows.tolist(), w.label_ts_ms[rows].tolist(), w.label[rows].tolist()))

    def _post(self, path: str, body: str) -> int:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        response = session.post(self.url + path, data=body.encode(),
                                headers={"Content-Type": "application/x-ndjson"}, timeout=300)
        if response.status_code != 200:
            raise RuntimeError(f"POST {path}: HTTP {response.status_code}: {response.text[:500]}")
        return response.json()["accepted"]

    # Questions

    def _metrics(self, **params) -> dict:
        status, body = self.client.request("GET", f"/v1/models/{MODEL}/metrics", {"names": NAMES, **params})
        # `Server-Timing: app;dur=MS`: the server's own time for the answer, without the round trip.
        self.last_server_ms = float(self.client.headers["server-timing"].split("dur=")[1])
        if status != 200:
            raise RuntimeError(f"metrics query: HTTP {status}: {body}")
        return body

    @staticmethod
    def _answer(piece: dict) -> Answer | None:
        confusion = piece.get("confusion")
        return Answer(confusion["tp"], confusion["fp"], confusion["tn"], confusion["fn"]) if confusion else None

    def window(self, start_ms: int | None, end_ms: int | None) -> Answer:
        params = {} if start_ms is None else {"from": iso(start_ms), "to": iso(end_ms)}
        return self._answer(self._metrics(**params)["window"])

    def hourly(self, w: Workload) -> dict[int, Answer]:
        """The series as columns (`format=columnar`: value and n per metric, no per-step objects), as the
        Python client asks for it; the confusion counts follow from the metrics' values and denominators."""
        body = self._metrics(**{"from": iso(w.start_ms), "to": iso(w.end_ms), "step": "1h", "format": "columnar"})
        columns = body["columns"]
        start = int(datetime.fromisoformat(columns["from"].replace("Z", "+00:00")).timestamp() * 1000)
        step_ms = 3_600_000
        assert columns["step"] == "1h", columns["step"]
        m = columns["metrics"]
        answers = {}
        for i in range(columns["count"]):
            answer = self._counts(m["accuracy"]["n"][i], m["precision"], m["recall"], i)
            if answer.n > 0:
                answers[start + i * step_ms] = answer
        return answers

    @staticmethod
    def _counts(labeled: int, precision: dict, recall: dict, i: int) -> Answer:
        """tp, fp, tn, fn from the labeled count, precision = tp / (tp + fp) and recall = tp / (tp + fn)
        with their denominators (the values are ratios of small integers, so rounding recovers tp)."""
        if precision["n"][i] > 0:
            tp = round(precision["value"][i] * precision["n"][i])
        elif recall["n"][i] > 0:
            tp = round(recall["value"][i] * recall["n"][i])
        else:
            tp = 0
        fp, fn = precision["n"][i] - tp, recall["n"][i] - tp
        return Answer(tp, fp, labeled - tp - fp - fn, fn)

    def ingest(self, w: Workload, rows: np.ndarray, batch: int) -> float:
        """Posts the label stream in batches, one after another, each acknowledged only once durable;
        arrival times are now (they arrive now). Returns labels per second."""
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            self._post("/v1/feedback", self._label_rows(w, rows[i:i + batch], arrival=epoch_seconds(int(time.time() * 1000))))
        return len(rows) / (time.perf_counter() - started)

    def server_ms(self, question) -> float:
        question()
        return self.last_server_ms

    def http_floor_ms(self) -> float:
        """The round trip of `GET /healthz` through the same client: what any answer over HTTP costs here."""
        times = []
        for _ in range(200):
            started = time.perf_counter()
            self.client.request("GET", "/healthz")
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    def memory(self) -> int:
        return rss_bytes(self.process.pid)

    def stop(self) -> None:
        stop(self.process)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)

"""The taxi-style monitoring workload every system is loaded with, and the true answers computed from it.

N predictions of one binary model spread uniformly over the 30 days before `end` (an hour boundary);
80 % of them get a label 0–48 h later. Labels that arrive by `end` are loaded; the later ones are the
"stream of new labels" whose ingest is timed. No event falls on a whole minute, so closed (Prometheus)
and half-open (Vigil, SQL) windows select the same events.
"""

from dataclasses import dataclass

import numpy as np

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
LABEL_FRACTION = 0.8
MAX_LABEL_DELAY_MS = 48 * HOUR_MS


def epoch_seconds(ms: int) -> str:
    """Epoch milliseconds as exact decimal seconds (`1795482433.361`), the form Vigil and OpenMetrics take."""
    return f"{ms // 1000}.{ms % 1000:03d}"


@dataclass
class Workload:
    n: int
    end_ms: int
    ts_ms: np.ndarray  # prediction event times, sorted
    score: np.ndarray  # P(class 1), 4 decimals
    predicted: np.ndarray  # 0/1
    label: np.ndarray  # 0/1 (meaningful where labeled)
    label_ts_ms: np.ndarray  # label arrival times (meaningful where labeled)
    known: np.ndarray  # labeled and arrived by end
    stream: np.ndarray  # labeled and arriving after end: the timed label stream

    @property
    def start_ms(self) -> int:
        return self.end_ms - 30 * DAY_MS

    def prediction_id(self, i: int) -> str:
        return f"p{i:09d}"


def generate(n: int, end_ms: int, seed: int = 7) -> Workload:
    """Draws the workload; the same (n, end, seed) gives the same events everywhere."""
    if end_ms % HOUR_MS:
        raise ValueError("end must be an hour boundary")
    rng = np.random.default_rng(seed)
    ts = np.sort(rng.integers(end_ms - 30 * DAY_MS + 1, end_ms, size=n, dtype=np.int64))
    ts[ts % 60_000 == 0] += 1
    score = np.round(rng.beta(2.0, 2.0, size=n), 4)
    predicted = (score >= 0.5).astype(np.int8)
    # The truth agrees with a confident score more often; accuracy drifts down over the month.
    age = (ts - ts[0]) / (30 * DAY_MS)
    p_true = np.clip(0.5 + (score - 0.5) * (1.6 - 0.6 * age), 0.0, 1.0)
    label = (rng.random(n) < p_true).astype(np.int8)
    labeled = rng.random(n) < LABEL_FRACTION
    label_ts = ts + rng.integers(1, MAX_LABEL_DELAY_MS, size=n, dtype=np.int64)
    label_ts[label_ts % 60_000 == 0] += 1
    known = labeled & (label_ts < end_ms)
    stream = labeled & (label_ts >= end_ms)
    return Workload(n, end_ms, ts, score, predicted, label, label_ts, known, stream)


@dataclass
class Answer:
    """Confusion counts of labeled predictions in a window; the metrics follow from them."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    def metrics(self) -> dict:
        def ratio(a, b):
            return a / b if b else None

        return {
            "accuracy": ratio(self.tp + self.tn, self.n),
            "precision": ratio(self.tp, self.tp + self.fp),
            "recall": ratio(self.tp, self.tp + self.fn),
        }


def truth(w: Workload, start_ms: int | None, end_ms: int | None, labels: np.ndarray | None = None) -> Answer:
    """The answer computed directly from the arrays, for predictions with time in [start, end)."""
    mask = w.known if labels is None else labels
    if start_ms is not None:
        mask = mask & (w.ts_ms >= start_ms)
    if end_ms is not None:
        mask = mask & (w.ts_ms < end_ms)
    p, y = w.predicted[mask], w.label[mask]
    return Answer(
        tp=int(np.sum((p == 1) & (y == 1))),
        fp=int(np.sum((p == 1) & (y == 0))),
        tn=int(np.sum((p == 0) & (y == 0))),
        fn=int(np.sum((p == 0) & (y == 1))),
    )


def hourly_truth(w: Workload) -> dict[int, Answer]:
    """Hour start (ms) → answer, for each hour of the 30 days that has labeled predictions."""
    mask = w.known
    hour = (w.ts_ms[mask] - w.start_ms) // HOUR_MS
    p, y = w.predicted[mask], w.label[mask]
    cells = {}
    for name, selected in {"tp": (p == 1) & (y == 1), "fp": (p == 1) & (y == 0),
                           "tn": (p == 0) & (y == 0), "fn": (p == 0) & (y == 1)}.items():
        cells[name] = np.bincount(hour[selected], minlength=720)
    return {
        w.start_ms + h * HOUR_MS: Answer(*(int(cells[k][h]) for k in ("tp", "fp", "tn", "fn")))
        for h in range(720)
        if cells["tp"][h] + cells["fp"][h] + cells["tn"][h] + cells["fn"][h] > 0
    }

"""Wall-clock timing of one question, repeated until the median is steady or the time is spent."""

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable


class Refused(Exception):
    """The system would not answer the question (e.g. Prometheus's sample limit): a finding, not a failure."""


@dataclass
class Timing:
    median_s: float
    runs: int
    result: Any  # the answer of the first (untimed, warming) run


def measure(question: Callable[[], Any], min_runs: int = 5, max_runs: int = 50,
            min_seconds: float = 2.0, max_seconds: float = 30.0) -> Timing:
    """One warming run (its answer is kept for the checks), then timed runs: at least `min_runs` and
    `min_seconds`, at most `max_runs` or `max_seconds` (a slow question gets one or a few runs)."""
    result = question()
    times: list[float] = []
    spent = 0.0
    while len(times) < max_runs:
        started = time.perf_counter()
        question()
        times.append(time.perf_counter() - started)
        spent += times[-1]
        if spent >= max_seconds or (len(times) >= min_runs and spent >= min_seconds):
            break
    return Timing(statistics.median(times), len(times), result)


def server_time(system, question: Callable[[], Any], budget_s: float = 10.0) -> float:
    """The median of the server's own time for the question (`system.server_ms`), over up to 5 runs or
    `budget_s` of wall time, at least one."""
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < 5 and (not samples or time.perf_counter() - started < budget_s):
        samples.append(system.server_ms(question))
    return statistics.median(samples)

"""The background batcher: logging from a model service never blocks it and never raises.

Events go into a bounded in-memory queue; one daemon thread sends them in batches (``batch_size``
events, or whatever arrived within ``flush_interval`` seconds). A batch that fails to send
(connection refused, timeout, 5xx, 429) is retried with exponential backoff for up to
``max_retry_time`` seconds; retrying is safe because the server counts a resent prediction once.

When Vigil stays down the queue fills up. Events that cannot be queued or sent are **spilled** to
``spill_path`` (NDJSON, replayed automatically once the server answers again) or, without a spill
file, **dropped**: counted in :attr:`Batcher.stats` and reported by a log warning.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import random
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._transport import Transport
from .errors import APIError, ServerError, UnavailableError, VigilConnectionError
from .ingest import post_batch

logger = logging.getLogger("vigil")

Item = Tuple[str, Dict[str, Any]]


@dataclass
class BatcherStats:
    """Counters of the batcher's work since it started."""

    #: events handed to the batcher
    enqueued: int = 0
    #: events the server acknowledged (stored, duplicate, labeled …) — durable on the server
    acknowledged: int = 0
    #: events the server refused (bad rows: see the log warning for the reason)
    rejected: int = 0
    #: events lost: queue full or retries exhausted, with no spill file
    dropped: int = 0
    #: events written to the spill file (replayed once the server answers again)
    spilled: int = 0
    #: spilled events sent successfully later
    replayed: int = 0
    #: spill-file lines that could not be read (a line cut by a kill during a write) and were skipped
    spill_lines_skipped: int = 0
    #: send attempts that failed and were retried
    retries: int = 0
    #: batches posted successfully
    batches: int = 0

    def as_dict(self) -> Dict[str, int]:
        return asdict(self)


class Batcher:
    """Queues events and sends them from a background thread. Thread-safe; see the module doc."""

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        *,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_queue: int = 100_000,
        max_retry_time: float = 120.0,
        initial_backoff: float = 0.25,
        max_backoff: float = 10.0,
        spill_path: Optional[str] = None,
        timeout: float = 10.0,
    ) -> None:
        if batch_size < 1 or max_queue < 1:
            raise ValueError("batch_size and max_queue must be positive")
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_retry_time = max_retry_time
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.spill_path = spill_path
        self.stats = BatcherStats()
        self._transport = Transport(url, token, timeout)
        self._queue: "queue.Queue[Item]" = queue.Queue(maxsize=max_queue)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._unfinished = 0
        self._flush_now = threading.Event()
        self._closing = False
        self._abandon = threading.Event()
        self._last_warning: Dict[str, float] = {}
        # False after a send gave up, True after one succeeded: the spill file is replayed unless down.
        self._server_up: Optional[bool] = None
        self._thread = threading.Thread(target=self._run, name="vigil-batcher", daemon=True)
        self._thread.start()

    # MARK: - Caller side (never blocks, never raises)

    def submit(self, kind: str, event: Dict[str, Any]) -> bool:
        """Queues one event (``kind`` is ``"prediction"`` or ``"feedback"``). Returns False when it
        could not be queued (it was spilled or dropped instead)."""
        with self._lock:
            self.stats.enqueued += 1
            if self._closing:
                self._lose([(kind, event)], "the client is closed")
                return False
            try:
                self._queue.put_nowait((kind, event))
            except queue.Full:
                self._lose([(kind, event)], f"the queue is full ({self._queue.maxsize} events)")
                return False
            self._unfinished += 1
            return True

    def refuse(self, reason: str) -> None:
        """Counts an event the caller could not even encode as enqueued and rejected, with a warning."""
        self._count(enqueued=1, rejected=1)
        self._warn("unencodable", f"vigil: {reason}")

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything queued now; waits until it is acknowledged, rejected, spilled or dropped.
        Returns False if ``timeout`` passed first."""
        self._flush_now.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._unfinished > 0:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining if remaining is not None else 0.5)
                self._flush_now.set()
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Flushes for up to ``timeout`` seconds, then spills or drops what is left and stops."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        if not self.flush(timeout):
            self._abandon.set()
            self.flush(5.0)
        self._abandon.set()
        self._flush_now.set()
        self._thread.join(5.0)
        self._transport.close()

    @property
    def pending(self) -> int:
        """Events queued or in flight."""
        with self._lock:
            return self._unfinished

    # MARK: - Worker thread

    def _run(self) -> None:
        try:
            self._recover_stale_replays()
        except Exception:  # never let the thread die: the leftovers stay on disk for the next process
            logger.exception("vigil: could not recover stale spill replays")
        self._replay_spill_safely()
        while not (self._closing and self._abandon.is_set() and self._queue.empty()):
            batch = self._collect()
            if batch:
                try:
                    self._send(batch)
                except Exception:  # never let the thread die: count the batch as lost and go on
                    logger.exception("vigil: unexpected error while sending a batch")
                    self._lose(batch, "an unexpected client error", locked=False)
                self._done(len(batch))
                self._replay_spill_safely()

    def _collect(self) -> List[Item]:
        """Up to ``batch_size`` events: what arrives within ``flush_interval``, or what is queued
        right now when a flush or close asks for it."""
        batch: List[Item] = []
        deadline = time.monotonic() + self.flush_interval
        while len(batch) < self.batch_size:
            if self._flush_now.is_set() or self._abandon.is_set():
                try:
                    batch.append(self._queue.get_nowait())
                    continue
                except queue.Empty:
                    self._flush_now.clear()
                    if batch or self._abandon.is_set():
                        break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=min(remaining, 0.05)))
            except queue.Empty:
                pass
        return batch

    def _send(self, batch: List[Item]) -> None:
        for kind, events in _by_kind(batch):
            if not self._send_with_retry(kind, events):
                self._lose([(kind, e) for e in events], "Vigil is unreachable", locked=False)

    def _send_with_retry(self, kind: str, events: List[Dict[str, Any]]) -> bool:
        """True once the server answered (accepted or rejected rows); False after giving up."""
        delay = self.initial_backoff
        give_up_at = time.monotonic() + self.max_retry_time
        while True:
            failure = self._attempt(kind, events)
            if failure is None:
                return True
            if self._abandon.is_set() or time.monotonic() + delay > give_up_at:
                self._server_up = False
                self._warn("unreachable", f"vigil: giving up on {len(events)} {kind} events after retrying: {failure}")
                return False
            self._count(retries=1)
            logger.debug("vigil: send failed (%s); retrying in %.2fs", failure, delay)
            self._abandon.wait(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, self.max_backoff)

    def _attempt(self, kind: str, events: List[Dict[str, Any]]) -> Optional[Exception]:
        """Posts once. None when the server answered (rows counted, rejections warned); the error
        when it is worth retrying: unreachable, 5xx or 429."""
        try:
            result = post_batch(self._transport, kind, events)
        except (VigilConnectionError, UnavailableError, ServerError) as error:
            return error
        except APIError as error:
            if error.status == 429:
                return error
            self._count(rejected=len(events))
            self._warn("refused", f"vigil: the server refused a batch of {len(events)} {kind} events: {error}")
            return None
        self._server_up = True
        self._count(acknowledged=result.accepted, rejected=len(result.rejected), batches=1)
        if result.rejected:
            first = result.rejected[0]
            self._warn(
                "rejected",
                f"vigil: {len(result.rejected)} of {len(events)} {kind} events rejected "
                f"(first: {first.get('field')}: {first.get('message')}); the others were stored",
            )
        return None

    def _done(self, count: int) -> None:
        with self._idle:
            self._unfinished -= count
            self._idle.notify_all()

    # MARK: - Losing events: spill or drop

    def _lose(self, items: List[Item], reason: str, locked: bool = True) -> None:
        if locked:
            self._spill_or_drop(items, reason)
        else:
            with self._lock:
                self._spill_or_drop(items, reason)

    def _spill_or_drop(self, items: List[Item], reason: str, recount: bool = True) -> None:
        if self.spill_path:
            try:
                _append_lines(
                    self.spill_path,
                    "".join(json.dumps({"kind": k, "event": e}, separators=(",", ":")) + "\n" for k, e in items),
                )
                if recount:
                    self.stats.spilled += len(items)
                self._warn_locked("spilled", f"vigil: {reason}; spilled {len(items)} events to {self.spill_path}")
                return
            except OSError as error:
                reason = f"{reason}, and the spill file failed ({error})"
        self.stats.dropped += len(items)
        self._warn_locked("dropped", f"vigil: {reason}; dropped {len(items)} events ({self.stats.dropped} dropped so far)")

    def _replay_spill_safely(self) -> None:
        """Replays the spill file; a failure is logged and the file left for the next try, so the worker
        thread never dies of it."""
        try:
            self._replay_spill()
        except Exception:
            logger.exception("vigil: could not replay the spill file %s; will retry", self.spill_path)

    def _replaying_path(self, pid: Optional[int] = None) -> str:
        return f"{self.spill_path}.replaying.{os.getpid() if pid is None else pid}"

    def _recover_stale_replays(self) -> None:
        """Puts back the events of replays that a killed process left behind (``SPILL.replaying.PID`` whose
        process is gone, or an older client's ``SPILL.replaying``), so they are sent, not stranded."""
        if not self.spill_path:
            return
        directory = os.path.dirname(os.path.abspath(self.spill_path))
        prefix = os.path.basename(self.spill_path) + ".replaying"
        try:
            names = [n for n in os.listdir(directory) if n == prefix or n.startswith(prefix + ".")]
        except OSError:
            return
        for name in names:
            suffix = name[len(prefix) + 1:]
            if suffix and (not suffix.isdigit() or _process_alive(int(suffix))):
                continue
            path = os.path.join(directory, name)
            try:
                with self._lock:
                    with open(path, encoding="utf-8", errors="replace") as source:
                        leftover = source.read()
                    if leftover and not leftover.endswith("\n"):
                        leftover += "\n"  # a cut last line stays on its own line, to be skipped on replay
                    _append_lines(self.spill_path, leftover)
                    os.remove(path)
                logger.warning("vigil: recovered %s left by a stopped process into %s", path, self.spill_path)
            except OSError as error:
                logger.warning("vigil: could not recover %s: %s", path, error)

    def _replay_spill(self) -> None:
        """Sends the spill file's events once the server answers; what fails goes back to the file."""
        if not self.spill_path or self._server_up is False or self._abandon.is_set():
            return
        if not os.path.exists(self.spill_path):
            return
        replaying = self._replaying_path()
        with self._lock:
            if os.path.exists(replaying):
                return
            os.replace(self.spill_path, replaying)
        items, skipped = read_spill(replaying)
        if skipped:
            self._count(spill_lines_skipped=skipped)
            self._warn("spill", f"vigil: skipped {skipped} unreadable lines of the spill file {self.spill_path}")
        sent = 0
        for start in range(0, len(items), self.batch_size):
            chunk = items[start : start + self.batch_size]
            if not all(self._attempt(kind, events) is None for kind, events in _by_kind(chunk)):
                self._server_up = False
                with self._lock:
                    self._spill_or_drop(items[start:], "Vigil is still unreachable", recount=False)
                break
            sent += len(chunk)
        self._count(replayed=sent)
        os.remove(replaying)

    # MARK: - Counters and warnings

    def _count(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self.stats, name, getattr(self.stats, name) + delta)

    def _warn(self, kind: str, message: str) -> None:
        with self._lock:
            self._warn_locked(kind, message)

    def _warn_locked(self, kind: str, message: str) -> None:
        # At most one warning of a kind every 10 s, so an outage does not flood the service's log.
        now = time.monotonic()
        last = self._last_warning.get(kind)
        if last is None or now - last >= 10.0:
            self._last_warning[kind] = now
            logger.warning(message)
        else:
            logger.debug(message)


def _by_kind(items: List[Item]) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """The events of each kind, predictions first, so that the feedback of the same batch finds them."""
    grouped = [(kind, [event for k, event in items if k == kind]) for kind in ("prediction", "feedback")]
    return [(kind, events) for kind, events in grouped if events]


def spill_rows(path: str) -> List[Mapping[str, Any]]:
    """The events waiting in a spill file (for inspection); unreadable lines are left out."""
    if not os.path.exists(path):
        return []
    return [{"kind": kind, "event": event} for kind, event in read_spill(path)[0]]


def read_spill(path: str) -> Tuple[List[Item], int]:
    """The events of a spill file and the number of lines skipped: a line that is not a JSON object with
    ``kind`` (prediction or feedback) and ``event`` — what a kill in the middle of a write leaves — is skipped,
    not fatal."""
    items: List[Item] = []
    skipped = 0
    with open(path, encoding="utf-8", errors="replace") as file:
        for line in file:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                kind, event = row["kind"], dict(row["event"])
            except (ValueError, KeyError, TypeError):
                skipped += 1
                continue
            if kind in ("prediction", "feedback"):
                items.append((kind, event))
            else:
                skipped += 1
    return items, skipped


def _append_lines(path: str, text: str) -> None:
    """Appends whole lines to ``path``, first ending a line that a kill cut short, so that the new lines are
    not glued to it (and lost with it)."""
    with open(path, "a+b") as file:
        if file.tell() > 0:
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":
                file.write(b"\n")
        file.write(text.encode("utf-8"))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

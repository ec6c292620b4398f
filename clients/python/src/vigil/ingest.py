"""Posting batches of events and reading the server's per-row answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Sequence

from ._events import ndjson
from ._transport import Transport

#: The ingest route of each kind of event.
PATHS = {"prediction": "/v1/predictions", "feedback": "/v1/feedback"}


@dataclass
class IngestResult:
    """What the server did with a call's rows. Every accepted row is durable in the server's log.

    ``rejected`` lists each bad row as ``{"index", "field", "code", "message"}``, ``index`` being the
    row's position in *your* input (across the batches the call was split into).
    """

    accepted: int = 0
    duplicates: int = 0
    outcomes: Dict[str, int] = field(default_factory=dict)
    rejected: List[Dict[str, Any]] = field(default_factory=list)

    def add(self, other: "IngestResult") -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.outcomes = dict(Counter(self.outcomes) + Counter(other.outcomes))
        self.rejected.extend(other.rejected)


def post_batch(transport: Transport, kind: str, events: Sequence[Mapping[str, Any]], offset: int = 0) -> IngestResult:
    """Posts one batch (NDJSON). A 422 (some rows rejected) is an answer, not an error: the rest was
    stored. Other errors raise; connection failures raise :class:`~vigil.VigilConnectionError`."""
    _, body = transport.request(
        "POST", PATHS[kind], body=ndjson(events), content_type="application/x-ndjson", allow_statuses=(422,)
    )
    rejected = [dict(row, index=row.get("index", 0) + offset) for row in body.get("rejected", [])]
    return IngestResult(
        accepted=body.get("accepted", 0),
        duplicates=body.get("duplicates", 0),
        outcomes=dict(body.get("outcomes", {})),
        rejected=rejected,
    )

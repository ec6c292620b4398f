"""Turns Python, numpy and pandas values into the JSON events the server takes.

NaN, ``None`` and ``pd.NA`` are *missing*: a missing feature is sent as ``null`` (it counts in the
missing rate), a missing optional field (score, prediction, version) is left out. numpy scalars become
Python numbers, datetimes ISO 8601 strings (naive ones are taken as UTC).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

PREDICTION_FIELDS = ("id", "ts", "model", "version", "segment", "features", "score", "prediction")
TIME_COLUMNS = ("ts", "timestamp", "time")


def new_id() -> str:
    """A random prediction id (UUID4, hex)."""
    return uuid.uuid4().hex


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return False


def plain(value: Any) -> Any:
    """A JSON-ready Python value; ``None`` for anything missing."""
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isinf(value):
            raise ValueError(f"{value} is not a finite number")
        return float(value)
    if isinstance(value, (_dt.datetime, _dt.date, np.datetime64, pd.Timestamp)):
        return timestamp(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    return value


def timestamp(value: Any = None) -> Any:
    """ISO 8601 (UTC) for datetimes, epoch seconds kept as numbers, strings passed through; now if None."""
    if value is None:
        value = _dt.datetime.now(_dt.timezone.utc)
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def prediction(
    *,
    model: str,
    id: Optional[str] = None,
    ts: Any = None,
    version: Optional[str] = None,
    features: Optional[Mapping[str, Any]] = None,
    score: Any = None,
    prediction: Any = None,
    segment: Optional[Mapping[str, Any]] = None,
    shadow: bool = False,
) -> Dict[str, Any]:
    """One prediction event; optional fields that are missing are left out. A ``shadow`` prediction must
    carry the id of the served prediction for the same input."""
    event: Dict[str, Any] = {"id": str(id) if id is not None else new_id(), "ts": timestamp(ts), "model": model}
    if version is not None:
        event["version"] = str(version)
    if segment:
        event["segment"] = {str(k): str(v) for k, v in segment.items() if not is_missing(v)}
    if features:
        event["features"] = {str(k): plain(v) for k, v in features.items()}
    score = plain(score)
    if score is not None:
        event["score"] = score
    prediction = plain(prediction)
    if prediction is not None:
        event["prediction"] = prediction
    if shadow:
        if id is None:
            raise ValueError("a shadow prediction needs the id of the served prediction for the same input")
        event["shadow"] = True
    return event


def feedback(*, id: Any, label: Any, ts: Any = None) -> Dict[str, Any]:
    """One feedback event: the ground truth of prediction ``id``, arrived at ``ts`` (now if None)."""
    event = {"id": str(id), "ts": timestamp(ts)}
    label = plain(label)
    if label is not None:
        event["label"] = label  # a missing label is left for the server to reject by name
    return event


def row_time(row: Mapping[str, Any]) -> Any:
    """The row's time from its ``ts``, ``timestamp`` or ``time`` column; None (now) if it has none."""
    return next((row[c] for c in TIME_COLUMNS if c in row and not is_missing(row[c])), None)


def records(data: Any) -> List[Dict[str, Any]]:
    """Rows of a DataFrame, a list of dicts or a single dict, as a list of dicts."""
    if isinstance(data, pd.DataFrame):
        return data.to_dict(orient="records")
    if isinstance(data, Mapping):
        return [dict(data)]
    return [dict(row) for row in data]


def predictions_from_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    model: Optional[str],
    version: Optional[str],
    features: Optional[Sequence[str]],
    segments: Sequence[str],
    id_column: str,
    score_column: str,
    prediction_column: str,
    shadow: bool = False,
) -> List[Dict[str, Any]]:
    """Prediction events from flat rows: the named columns are fields, ``features`` (default: every
    other column) are features, ``segments`` columns become the segment map."""
    events = []
    reserved = {id_column, score_column, prediction_column, "model", "version", "segment", "label", "shadow",
                *TIME_COLUMNS}
    for row in rows:
        if "features" in row and isinstance(row["features"], Mapping):
            feature_map = row["features"]
        else:
            names = features if features is not None else [c for c in row if c not in reserved and c not in segments]
            feature_map = {name: row.get(name) for name in names}
        segment_map = dict(row["segment"]) if isinstance(row.get("segment"), Mapping) else {}
        segment_map.update({name: row[name] for name in segments if name in row})
        events.append(
            prediction(
                model=row.get("model") or model or _missing_model(),
                id=None if is_missing(row.get(id_column)) else row.get(id_column),
                ts=row_time(row),
                version=row.get("version") if not is_missing(row.get("version")) else version,
                features=feature_map,
                score=row.get(score_column),
                prediction=row.get(prediction_column),
                segment=segment_map,
                shadow=bool(row.get("shadow")) if not is_missing(row.get("shadow")) else shadow,
            )
        )
    return events


def feedback_from_rows(
    rows: Iterable[Mapping[str, Any]], *, id_column: str, label_column: str
) -> List[Dict[str, Any]]:
    events = []
    for row in rows:
        if is_missing(row.get(id_column)):
            raise ValueError(f"feedback row without '{id_column}': {dict(row)}")
        events.append(feedback(id=row[id_column], label=row.get(label_column), ts=row_time(row)))
    return events


def ndjson(events: Sequence[Mapping[str, Any]]) -> bytes:
    """NDJSON bytes; NaN cannot appear (``plain`` turned it into null)."""
    return "\n".join(json.dumps(e, allow_nan=False, separators=(",", ":")) for e in events).encode()


def _missing_model() -> str:
    raise ValueError("no model: pass model=... or give each row a 'model' column")

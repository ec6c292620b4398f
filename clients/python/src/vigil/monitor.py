"""Wrapping a predict function so that every call logs its inputs, outputs and an id.

::

    @client.monitor(model="car-loan", version="v1")
    def predict(features: dict) -> float:         # one row → a probability
        return model.predict_proba(pd.DataFrame([features]))[0, 1]

    score = predict({"car_value": 39811, ...})                       # logged with a generated id
    score = predict({"car_value": 39811, ...}, vigil_id="loan-17")   # logged with your id

With ``return_id=True`` the wrapper returns ``(output, id)``, the id to send the label with later.

The wrapped function takes its inputs first: a dict (one row), a DataFrame, or a list of dicts. What
it returns is read according to ``output``:

- ``"score"`` — a binary classifier's probability of class 1: a number, a list/array of them, or an
  ``n × 2`` ``predict_proba`` array (its second column);
- ``"scores"`` — multiclass probabilities: an ``n × k`` array with ``classes=[...]``, or dicts;
- ``"prediction"`` — a class or a regression value per row.

Logging goes through the client's background batcher: it never blocks the call, and a failure to
log is a log warning, never an exception in the model service.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ._events import new_id

if TYPE_CHECKING:
    from .client import Client

logger = logging.getLogger("vigil")
OUTPUTS = ("score", "scores", "prediction")


def monitor(
    client: "Client",
    model: str,
    *,
    version: Optional[str] = None,
    output: str = "score",
    classes: Optional[Sequence[Any]] = None,
    segments: Sequence[str] = (),
    id_argument: str = "vigil_id",
    time_argument: str = "vigil_ts",
    return_id: bool = False,
    shadow: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """See the module doc. ``segments`` names input columns logged as segments instead of features;
    a caller passes its own id as ``vigil_id=`` (a list for a batch) and, when replaying or
    backfilling, the event time as ``vigil_ts=`` (default now); ``return_id=True`` makes the wrapper
    return ``(output, id)`` (``id`` a list for batch inputs). ``shadow=True`` wraps a shadow model: each
    call must pass ``vigil_id=`` the id(s) of the served predictions for the same inputs."""
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, got {output!r}")
    if output == "scores" and not classes:
        raise ValueError("output='scores' needs classes=[...] in the order of the probability columns")

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(inputs: Any, *args: Any, **kwargs: Any) -> Any:
            given = kwargs.pop(id_argument, None)
            times = kwargs.pop(time_argument, None)
            result = function(inputs, *args, **kwargs)
            if shadow and given is None:
                logger.warning("vigil: %s is a shadow: pass %s= the served prediction's id; not logged",
                               function.__name__, id_argument)
                return (result, None) if return_id else result
            single = isinstance(inputs, Mapping)
            rows = _rows(inputs)
            ids = _ids(given, len(rows), single)
            many = isinstance(times, (list, tuple, np.ndarray, pd.Series, pd.Index)) and not single
            stamps = list(times) if many else [times] * len(rows)
            try:
                outputs = _outputs(result, len(rows), output, classes)
                for row, row_id, stamp, value in zip(rows, ids, stamps, outputs):
                    features = {k: v for k, v in row.items() if k not in segments}
                    segment = {k: row[k] for k in segments if k in row}
                    client.log_prediction(
                        model=model, id=row_id, ts=stamp, version=version, features=features, segment=segment,
                        shadow=shadow, **value,
                    )
            except Exception as error:  # logging must never break the prediction
                logger.warning("vigil: could not log the prediction of %s: %s", function.__name__, error)
            if return_id:
                return result, ids[0] if single else ids
            return result

        return wrapper

    return decorate


def _rows(inputs: Any) -> List[Dict[str, Any]]:
    if isinstance(inputs, Mapping):
        return [dict(inputs)]
    if isinstance(inputs, pd.DataFrame):
        return inputs.to_dict(orient="records")
    if isinstance(inputs, (list, tuple)) and all(isinstance(r, Mapping) for r in inputs):
        return [dict(r) for r in inputs]
    raise TypeError("the monitored function's first argument must be a dict, a list of dicts or a DataFrame")


def _ids(given: Any, count: int, single: bool) -> List[str]:
    if given is None:
        return [new_id() for _ in range(count)]
    if single:
        return [str(given)]
    ids = [str(i) for i in given]
    if len(ids) != count:
        raise ValueError(f"vigil_id has {len(ids)} ids for {count} rows")
    return ids


def _outputs(result: Any, count: int, output: str, classes: Optional[Sequence[Any]]) -> List[Dict[str, Any]]:
    """Per row, the keyword arguments of ``log_prediction`` (``score=`` and/or ``prediction=``)."""
    values = np.asarray(result.to_numpy() if isinstance(result, (pd.Series, pd.DataFrame)) else result, dtype=object)
    if values.ndim == 0:
        values = values.reshape(1)
    if output == "score":
        column = values[:, 1] if values.ndim == 2 else values
        return [{"score": float(v)} for v in column[:count]]
    if output == "scores":
        if values.ndim == 2:
            return [{"score": {str(c): float(p) for c, p in zip(classes or [], row)}} for row in values[:count]]
        return [{"score": {str(k): float(p) for k, p in dict(v).items()}} for v in values[:count]]
    return [{"prediction": v.item() if hasattr(v, "item") else v} for v in values[:count]]

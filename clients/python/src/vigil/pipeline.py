"""Pipeline runs and data gates from Python.

::

    import vigil

    vigil.init("http://vigil:8080", token=WRITE_TOKEN)

    @vigil.component(job="build-features", namespace="taxi",
                     inputs=[("s3://lake", "raw.trips")], outputs=[("s3://lake", "features.trips")])
    def build_features():
        frame = make_features()
        vigil.gate("trips-gate", frame, dataset="s3://lake/features.trips")   # raises vigil.GateFailed
        return frame

Each call of a component is a run, sent as OpenLineage events (START, then COMPLETE or FAIL with the
exception) to ``/api/v1/lineage``, so it reads like any other OpenLineage producer's. Sending never breaks
the job: a server that cannot be reached is logged, not raised.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import json
import logging
import traceback
import uuid
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pandas as pd

from ._default import get as _default_client
from .errors import VigilError

if TYPE_CHECKING:
    from .client import Client

logger = logging.getLogger("vigil")
PRODUCER = "https://github.com/vigil-ml/vigil/clients/python"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
DatasetLike = Union[str, Tuple[str, str], Dict[str, str]]

_current_run: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("vigil_run", default=None)


class GateFailed(VigilError):
    """A dataset failed a data gate: ``check`` is the server's answer (``columns`` with each violated rule)."""

    def __init__(self, check: Dict[str, Any]) -> None:
        self.check = check
        lines = [f"{c['column']}: {v['rule']}: {v['message']}" for c in check.get("columns", []) for v in c["violations"]]
        super().__init__(f"gate '{check.get('gate')}' failed: " + "; ".join(lines))


def current_run_id() -> Optional[str]:
    """The run id of the component running now (in this thread or task), if any."""
    return _current_run.get()


def _client(client: Optional["Client"]) -> "Client":
    target = client or _default_client()
    if target is None:
        raise VigilError("no Vigil client: call vigil.init(url) or pass client=")
    return target


def gate(name: str, data: Any = None, *, profile: Optional[Dict[str, Any]] = None, run_id: Optional[str] = None,
         dataset: Optional[str] = None, client: Optional["Client"] = None) -> Dict[str, Any]:
    """Checks ``data`` (a DataFrame or records) — or a column ``profile`` (``{"rows": N, "columns": {"fare":
    {"type": "numeric", "nulls": 3, "min": 0, "max": 480}}}``) when the rows are too many to send — against the
    server's gate ``name``; returns the check when it passes and raises :class:`GateFailed` when it fails.
    Inside a component the check is recorded on its run."""
    if (data is None) == (profile is None):
        raise VigilError("vigil.gate: give data or profile")
    params = {"run_id": run_id or current_run_id(), "dataset": dataset}
    if profile is not None:
        body, content_type = json.dumps(profile, allow_nan=False).encode(), "application/json"
        params["format"] = "profile"
    elif isinstance(data, pd.DataFrame):
        body, content_type = data.to_csv(index=False).encode(), "text/csv"
    else:
        records = list(data)
        body = "\n".join(json.dumps(r, default=str) for r in records).encode()
        content_type = "application/x-ndjson"
    answer = _client(client)._transport.request(
        "POST", f"/v1/gates/{_quote(name)}/check", params=params, body=body, content_type=content_type)[1]
    if answer.get("verdict") != "pass":
        raise GateFailed(answer)
    return answer


def component(job: str, *, namespace: str = "default", inputs: Sequence[DatasetLike] = (),
              outputs: Sequence[DatasetLike] = (), code_version: Optional[str] = None,
              client: Optional["Client"] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: each call is a run of ``namespace/job`` reading ``inputs`` and writing ``outputs`` (each a
    ``(namespace, name)`` pair, a ``{"namespace", "name"}`` dict, or a name in the job's namespace)."""
    ins, outs = _datasets(inputs, namespace), _datasets(outputs, namespace)

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            run_id = str(uuid.uuid4())
            token = _current_run.set(run_id)
            _emit(client, _event("START", run_id, namespace, job, ins, [], code_version))
            try:
                result = function(*args, **kwargs)
            except BaseException as error:
                facets = {"errorMessage": {
                    "_producer": PRODUCER,
                    "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json",
                    "message": f"{type(error).__name__}: {error}", "programmingLanguage": "python",
                    "stackTrace": "".join(traceback.format_exception(type(error), error, error.__traceback__))[-4000:]}}
                _emit(client, _event("FAIL", run_id, namespace, job, ins, [], code_version, facets))
                raise
            finally:
                _current_run.reset(token)
            _emit(client, _event("COMPLETE", run_id, namespace, job, ins, outs, code_version))
            return result

        return wrapper

    return decorate


def _datasets(items: Iterable[DatasetLike], namespace: str) -> List[Dict[str, str]]:
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append({"namespace": str(item["namespace"]), "name": str(item["name"])})
        elif isinstance(item, tuple):
            out.append({"namespace": str(item[0]), "name": str(item[1])})
        else:
            out.append({"namespace": namespace, "name": str(item)})
    return out


def _event(state: str, run_id: str, namespace: str, job: str, inputs: List[Dict[str, str]],
           outputs: List[Dict[str, str]], code_version: Optional[str], run_facets: Optional[Dict] = None) -> Dict:
    job_facets = {}
    if code_version:
        job_facets["sourceCodeLocation"] = {"_producer": PRODUCER, "type": "git", "url": "", "version": code_version}
    return {
        "eventType": state, "eventTime": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "run": {"runId": run_id, "facets": run_facets or {}}, "job": {"namespace": namespace, "name": job,
                                                                     "facets": job_facets},
        "inputs": inputs, "outputs": outputs, "producer": PRODUCER, "schemaURL": SCHEMA_URL,
    }


def _emit(client: Optional["Client"], event: Dict[str, Any]) -> None:
    try:
        _client(client)._transport.request("POST", "/api/v1/lineage", body=json.dumps(event).encode())
    except Exception as error:  # recording a run must never break the job
        logger.warning("vigil: could not record %s of %s/%s: %s", event["eventType"], event["job"]["namespace"],
                       event["job"]["name"], error)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")

"""Vigil's Python client: log predictions and late labels, query metrics, drift, quality, SLOs and
alerts as pandas DataFrames, and write metrics as Python functions that run in the server.

::

    import vigil

    client = vigil.Client("http://127.0.0.1:8080")
    client.log_prediction("car-loan", id="loan-1", features={"car_value": 39811}, score=0.93)
    client.log_feedback("loan-1", label=1)
    client.metrics("car-loan", ["accuracy", "recall"], window="7d", step="1d")

    @vigil.metric(model="car-loan", name="precision", client=client)
    def precision(r):
        return ((r.prediction == 1) & (r.label == 1)).sum() / (r.prediction == 1).sum()
"""

from ._compiler import MetricCompileError
from ._default import init
from .batcher import Batcher, BatcherStats
from .client import Client
from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RejectedRowsError,
    ServerError,
    UnavailableError,
    VigilConnectionError,
    VigilError,
)
from .ingest import IngestResult
from .metric import Metric, compile_metric, metric
from .pipeline import GateFailed, component, current_run_id, gate

__version__ = "0.1.0"

__all__ = [
    "APIError", "AuthenticationError", "BadRequestError", "Batcher", "BatcherStats", "Client", "IngestResult",
    "Metric", "MetricCompileError", "NotFoundError", "PayloadTooLargeError", "PermissionDeniedError",
    "RejectedRowsError", "ServerError", "UnavailableError", "VigilConnectionError", "VigilError",
    "compile_metric", "init", "metric", "GateFailed", "component", "current_run_id", "gate",
]

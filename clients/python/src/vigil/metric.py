"""Metrics written as Python functions, compiled to the server's metric language.

::

    @vigil.metric(model="car-loan", name="precision")
    def precision(r):
        return ((r.prediction == 1) & (r.label == 1)).sum() / (r.prediction == 1).sum()

    precision.expression   # "(sum(((prediction == 1) and (label == 1))) / sum((prediction == 1)))"
    precision(df)          # evaluated locally, with the server's semantics

Without ``local=True`` the decorator also defines the metric on the server (the client given by
``client=``, else the one from :func:`vigil.init`), where it is computed incrementally like the
built-ins and, with ``backfill=True``, over the stored history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

import pandas as pd

from ._compiler import MetricCompileError, compile_function
from ._evaluate import evaluate
from ._expression import Node, reads_label
from .errors import VigilError

if TYPE_CHECKING:
    from .client import Client


class Metric:
    """A compiled metric: its ``name``, ``model``, server ``expression`` and the original function."""

    def __init__(self, function: Callable[..., Any], name: str, model: Optional[str], tree: Node) -> None:
        self.function = function
        self.name = name
        self.model = model
        self.tree = tree
        self.expression = tree.render()
        self.__doc__ = function.__doc__
        self.__name__ = name

    @property
    def labeled_only(self) -> bool:
        """Whether the metric reads the label, and so aggregates labeled rows only."""
        return reads_label(self.tree)

    def evaluate(self, frame: pd.DataFrame, threshold: float = 0.5) -> Optional[float]:
        """The value on ``frame`` with the server's semantics (nulls, labeled rows, division by zero)."""
        return evaluate(self.tree, frame, threshold)

    def __call__(self, frame: pd.DataFrame) -> Optional[float]:
        return self.evaluate(frame)

    def __repr__(self) -> str:
        return f"Metric({self.name!r}, model={self.model!r}, expression={self.expression!r})"


def compile_metric(function: Callable[..., Any], name: Optional[str] = None, model: Optional[str] = None) -> Metric:
    """Compiles ``function`` without defining it anywhere; raises :class:`MetricCompileError`."""
    return Metric(function, name or function.__name__, model, compile_function(function))


def metric(
    model: Optional[str] = None,
    name: Optional[str] = None,
    *,
    local: bool = False,
    backfill: bool = False,
    client: Optional["Client"] = None,
) -> Callable[[Callable[..., Any]], Metric]:
    """Decorator: compile a metric function and (unless ``local``) define it on the server.

    ``name`` defaults to the function's name. ``backfill=True`` computes it over the stored history.
    A function outside the compilable subset raises :class:`MetricCompileError` naming the construct.
    """

    def decorate(function: Callable[..., Any]) -> Metric:
        compiled = compile_metric(function, name, model)
        if local:
            return compiled
        if model is None:
            raise ValueError(f"metric '{compiled.name}': pass model=... to define it on the server (or local=True)")
        target = client or _default_client()
        if target is None:
            raise VigilError(
                f"metric '{compiled.name}': no Vigil client to define it on; call vigil.init(url), pass client=, "
                "or use local=True to evaluate it on DataFrames only"
            )
        target.define_metric(model, compiled, backfill=backfill)
        return compiled

    return decorate


def _default_client() -> Optional["Client"]:
    from . import _default

    return _default.get()


__all__ = ["Metric", "MetricCompileError", "compile_metric", "metric"]

"""Evaluates a compiled metric on a DataFrame with the server's semantics, for testing a metric locally.

The semantics are the server's, not pandas': null (NaN/None) propagates through arithmetic and
comparisons, ``&``/``|`` treat null as false, aggregates skip nulls, a division by zero is null, and a
metric that reads ``label`` aggregates only the rows that have a label.

Columns: ``prediction``, ``label``, ``score``, ``version``; ``features.NAME`` or plain ``NAME``;
``segment.KEY`` or plain ``KEY``; ``score.CLASS``. A binary ``prediction`` missing from the frame is
``score >= threshold``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from ._expression import Aggregate, Binary, Const, Func, Node, Unary, Var, reads_label


@dataclass
class _Column:
    """Row values: ``numeric`` float64 (NaN = null) or an object array of str/None."""

    values: np.ndarray
    numeric: bool

    def truth(self) -> np.ndarray:
        if self.numeric:
            return np.where(np.isnan(self.values), 0.0, (self.values != 0).astype(float))
        return np.array([1.0 if v else 0.0 for v in self.values])

    def nulls(self) -> np.ndarray:
        return np.isnan(self.values) if self.numeric else np.array([v is None for v in self.values])

    def texts(self) -> np.ndarray:
        if not self.numeric:
            return self.values
        return np.array([None if math.isnan(v) else _number_text(v) for v in self.values], dtype=object)


def evaluate(tree: Node, frame: pd.DataFrame, threshold: float = 0.5) -> Optional[float]:
    """The metric's value over ``frame`` (``None`` where the server answers null)."""
    rows = _Rows(frame, threshold)
    scope = rows.label_mask() if reads_label(tree) else np.ones(len(frame), dtype=bool)
    return _scalar(tree, rows, scope)


class _Rows:
    def __init__(self, frame: pd.DataFrame, threshold: float) -> None:
        self.frame = frame.reset_index(drop=True)
        self.threshold = threshold

    def label_mask(self) -> np.ndarray:
        if "label" not in self.frame:
            return np.zeros(len(self.frame), dtype=bool)
        return ~_convert(self.frame["label"]).nulls()

    def variable(self, name: str) -> _Column:
        frame = self.frame
        if name == "labeled":
            return _Column(self.label_mask().astype(float), True)
        if name == "prediction" and "prediction" not in frame and "score" in frame:
            score = _convert(frame["score"]).values
            return _Column(np.where(np.isnan(score), np.nan, (score >= self.threshold).astype(float)), True)
        if name == "label_score":
            label, score = self.variable("label").values, self.variable("score").values
            return _Column(np.where(label == 1, score, np.where(label == 0, 1 - score, np.nan)), True)
        prefix, _, rest = name.partition(".")
        for candidate in ([name, rest] if prefix in ("features", "segment") else [name]):
            if candidate in frame:
                return _convert(frame[candidate])
        raise KeyError(f"the DataFrame has no column '{name}'" + (f" (or '{rest}')" if rest else ""))


def _convert(series: pd.Series) -> _Column:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return _Column(pd.to_numeric(series, errors="coerce").astype(float).to_numpy(), True)
    values = series.to_numpy(dtype=object)
    present = [v for v in values if not _missing(v)]
    if all(isinstance(v, (int, float, bool, np.number, np.bool_)) for v in present):
        return _Column(np.array([np.nan if _missing(v) else float(v) for v in values]), True)
    return _Column(np.array([None if _missing(v) else str(v) for v in values], dtype=object), False)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _row(node: Node, rows: _Rows) -> _Column:
    size = len(rows.frame)
    if isinstance(node, Const):
        if node.value is None:
            return _Column(np.full(size, np.nan), True)
        if isinstance(node.value, str):
            return _Column(np.full(size, node.value, dtype=object), False)
        return _Column(np.full(size, float(node.value)), True)
    if isinstance(node, Var):
        return rows.variable(node.name)
    if isinstance(node, Unary):
        operand = _row(node.operand, rows)
        if node.op == "not":
            return _Column(np.where(operand.nulls(), np.nan, 1 - operand.truth()), True)
        return _Column(-operand.values if operand.numeric else np.full(size, np.nan), True)
    if isinstance(node, Binary):
        return _binary(node.op, _row(node.left, rows), _row(node.right, rows), size)
    if isinstance(node, Func):
        args = [_row(a, rows) for a in node.args]
        values = [a.values if a.numeric else np.full(size, np.nan) for a in args]
        return _Column(_function(node.name, values), True)
    raise TypeError(f"an aggregate inside a row expression: {node}")


def _binary(op: str, left: _Column, right: _Column, size: int) -> _Column:
    if op in ("and", "or"):
        a, b = left.truth(), right.truth()
        return _Column(np.maximum(a, b) if op == "or" else a * b, True)
    null = left.nulls() | right.nulls()
    if left.numeric and right.numeric:
        x, y = left.values, right.values
        with np.errstate(divide="ignore", invalid="ignore"):
            result = {
                "+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y,
                "/": lambda: np.where(y == 0, np.nan, x / np.where(y == 0, 1, y)),
                "==": lambda: (x == y).astype(float), "!=": lambda: (x != y).astype(float),
                "<": lambda: (x < y).astype(float), "<=": lambda: (x <= y).astype(float),
                ">": lambda: (x > y).astype(float), ">=": lambda: (x >= y).astype(float),
            }[op]()
        return _Column(np.where(null, np.nan, result), True)
    if op in ("==", "!=") or (not left.numeric and not right.numeric and op in ("<", "<=", ">", ">=")):
        a, b = left.texts(), right.texts()
        compare = {"==": lambda p, q: p == q, "!=": lambda p, q: p != q, "<": lambda p, q: p < q,
                   "<=": lambda p, q: p <= q, ">": lambda p, q: p > q, ">=": lambda p, q: p >= q}[op]
        result = np.array([np.nan if n else float(compare(p, q)) for p, q, n in zip(a, b, null)])
        return _Column(result, True)
    return _Column(np.full(size, np.nan), True)


def _function(name: str, values: list) -> np.ndarray:
    x = values[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "abs":
            return np.abs(x)
        if name == "log":
            return np.where(x > 0, np.log(np.where(x > 0, x, 1)), np.nan)
        if name == "exp":
            return np.exp(x)
        if name == "sqrt":
            return np.where(x >= 0, np.sqrt(np.where(x >= 0, x, 0)), np.nan)
        lo, hi = values[1], values[2]
        return np.where(np.isnan(lo) | np.isnan(hi), np.nan, np.minimum(np.maximum(x, lo), hi))


def _scalar(node: Node, rows: _Rows, scope: np.ndarray) -> Optional[float]:
    if isinstance(node, Const):
        return float(node.value) if isinstance(node.value, (int, float)) else None
    if isinstance(node, Aggregate):
        return _aggregate(node, rows, scope)
    if isinstance(node, Unary):
        value = _scalar(node.operand, rows, scope)
        return None if value is None else -value
    if isinstance(node, Binary):
        x, y = _scalar(node.left, rows, scope), _scalar(node.right, rows, scope)
        if x is None or y is None:
            return None
        return _scalar_binary(node.op, x, y)
    if isinstance(node, Func):
        args = [_scalar(a, rows, scope) for a in node.args]
        if any(a is None for a in args):
            return None
        value = float(_function(node.name, [np.array([a]) for a in args])[0])
        return None if math.isnan(value) else value
    raise TypeError(f"a per-row value outside an aggregate: {node}")


def _scalar_binary(op: str, x: float, y: float) -> Optional[float]:
    if op == "/":
        return None if y == 0 else x / y
    return {
        "+": x + y, "-": x - y, "*": x * y,
        "==": float(x == y), "!=": float(x != y), "<": float(x < y), "<=": float(x <= y),
        ">": float(x > y), ">=": float(x >= y),
        "and": float(x != 0 and y != 0), "or": float(x != 0 or y != 0),
    }[op]


def _aggregate(node: Aggregate, rows: _Rows, scope: np.ndarray) -> Optional[float]:
    if node.operand is None:
        return float(scope.sum())
    column = _row(node.operand, rows)
    values = column.values[scope] if column.numeric else np.full(int(scope.sum()), np.nan)
    values = values[~np.isnan(values)]
    if node.kind == "sum":
        return float(values.sum())
    if node.kind == "count":
        return float(len(values))
    if len(values) == 0:
        return None
    return float({"mean": np.mean, "min": np.min, "max": np.max}[node.kind](values))


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)

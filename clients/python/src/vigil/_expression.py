"""The metric-expression tree the compiler builds: rendered to the server's language, evaluated locally.

Row nodes are evaluated per prediction (inside an aggregate); aggregate nodes reduce rows to one
number; arithmetic above them combines those numbers. ``Node.level`` tells which is which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Tuple, Union

ROW = "row"
SCALAR = "scalar"

#: Row variables of the server's language (``features.NAME``, ``segment.KEY`` and ``score.CLASS`` too).
VARIABLES = ("score", "label_score", "prediction", "label", "labeled", "version")
#: Functions that apply to row values and to aggregates alike.
FUNCTIONS = {"abs": 1, "log": 1, "exp": 1, "sqrt": 1, "clip": 3}
AGGREGATES = ("sum", "count", "mean", "min", "max")


@dataclass(frozen=True)
class Const:
    value: Union[float, str, None]

    @property
    def level(self) -> str:
        return SCALAR if isinstance(self.value, (int, float)) else ROW

    def render(self) -> str:
        if self.value is None:
            return "null"
        if isinstance(self.value, str):
            return _quote(self.value)
        value = float(self.value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@dataclass(frozen=True)
class Var:
    """A row value: ``prediction``, ``features.car_value`` …"""

    name: str
    level = ROW

    def render(self) -> str:
        return self.name


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: "Node"

    @property
    def level(self) -> str:
        return self.operand.level

    def render(self) -> str:
        return f"(-{self.operand.render()})" if self.op == "-" else f"(not {self.operand.render()})"


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / == != < <= > >= and or
    left: "Node"
    right: "Node"

    @property
    def level(self) -> str:
        return ROW if ROW in (self.left.level, self.right.level) else SCALAR

    def render(self) -> str:
        return f"({self.left.render()} {self.op} {self.right.render()})"


@dataclass(frozen=True)
class Func:
    name: str
    args: Tuple["Node", ...]

    @property
    def level(self) -> str:
        return ROW if any(a.level == ROW for a in self.args) else SCALAR

    def render(self) -> str:
        return f"{self.name}({', '.join(a.render() for a in self.args)})"


@dataclass(frozen=True)
class Aggregate:
    kind: str  # sum count mean min max
    operand: Optional["Node"]  # None for count()
    level = SCALAR

    def render(self) -> str:
        return f"{self.kind}({self.operand.render() if self.operand is not None else ''})"


Node = Union[Const, Var, Unary, Binary, Func, Aggregate]


def nodes(tree: Node) -> Iterator[Node]:
    """Every node of the tree, the root first."""
    yield tree
    if isinstance(tree, (Unary, Aggregate)):
        if tree.operand is not None:
            yield from nodes(tree.operand)
    elif isinstance(tree, Binary):
        yield from nodes(tree.left)
        yield from nodes(tree.right)
    elif isinstance(tree, Func):
        for argument in tree.args:
            yield from nodes(argument)


def reads_label(tree: Node) -> bool:
    """Whether the metric reads ``label`` or ``label_score``: then it aggregates labeled rows only."""
    return any(isinstance(n, Var) and n.name in ("label", "label_score") for n in nodes(tree))


def has_aggregate(tree: Node) -> bool:
    return any(isinstance(n, Aggregate) for n in nodes(tree))


def _quote(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise ValueError(f"the string {text!r} holds both quote characters, which the metric language cannot spell")

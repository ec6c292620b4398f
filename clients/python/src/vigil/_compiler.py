"""Compiles a Python metric function (from its AST) into the server's metric-expression language.

The function takes one argument, the rows (``r``), and returns a number built from aggregates of
column arithmetic, written as with pandas::

    def precision(r):
        return ((r.prediction == 1) & (r.label == 1)).sum() / (r.prediction == 1).sum()

    → (sum(((prediction == 1) and (label == 1))) / sum((prediction == 1)))

What compiles: ``r.prediction``, ``r.label``, ``r.score``, ``r.labeled``, ``r.label_score``,
``r.version``, ``r.features.NAME`` / ``r.features["NAME"]`` (or ``r.NAME`` for any other column
name), ``r.segment.KEY``, ``r.score["CLASS"]``; numbers, strings, ``True``/``False``/``None`` and
numeric or string constants from the enclosing scope; ``+ - * /``, ``** k`` (k = 0.5, 1, 2, 3, 4),
``& | ~``, comparisons (chained too), ``.isin([...])``, ``.between(a, b)``, ``.abs()``,
``.clip(lo, hi)``, ``.astype(int|float|bool)``; ``abs``, ``np.abs|log|exp|sqrt|clip|square``; the
aggregates ``.sum() .mean() .min() .max() .count()``, ``np.sum|mean|min|max|count_nonzero`` and
``len(r)``; local assignments and a docstring before the ``return``. Anything else is a
:class:`MetricCompileError` that names the construct and its line.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import types
from typing import Any, Callable, Dict, List, NoReturn, Optional

from ._expression import (
    AGGREGATES, ROW, SCALAR, VARIABLES, Aggregate, Binary, Const, Func, Node, Unary, Var, has_aggregate,
)
from .errors import VigilError

_COMPARISONS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.BitAnd: "and", ast.BitOr: "or"}
_NUMPY_FUNCTIONS = {"abs": "abs", "absolute": "abs", "log": "log", "exp": "exp", "sqrt": "sqrt", "clip": "clip"}
_NUMPY_AGGREGATES = {"sum": "sum", "mean": "mean", "min": "min", "max": "max", "amin": "min", "amax": "max"}
_NAMED_CONSTRUCTS = {
    ast.IfExp: "a conditional expression (x if c else y)",
    ast.Lambda: "a lambda",
    ast.ListComp: "a list comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.DictComp: "a dict comprehension",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred expression",
    ast.Await: "await",
}


class MetricCompileError(VigilError, ValueError):
    """A metric function uses something the server's metric language cannot express."""


def compile_function(fn: Callable[..., Any]) -> Node:
    """The expression tree of a metric function (see the module doc for the compilable subset)."""
    return _Compiler(fn).compile()


class _Compiler:
    def __init__(self, fn: Callable[..., Any]) -> None:
        self.metric_name = getattr(fn, "__name__", "metric")
        try:
            source = textwrap.dedent(inspect.getsource(fn))
        except (OSError, TypeError) as error:
            raise MetricCompileError(
                f"metric '{self.metric_name}': its source is not available ({error}); define it with def in a file or cell"
            ) from error
        self.source = source
        self.first_line = getattr(getattr(fn, "__code__", None), "co_firstlineno", 1)
        self.file = getattr(getattr(fn, "__code__", None), "co_filename", "<unknown>")
        definition = ast.parse(source).body[0]
        if not isinstance(definition, ast.FunctionDef):
            raise MetricCompileError(
                f"metric '{self.metric_name}': write it as a def function of the rows (lambdas cannot be compiled)"
            )
        self.definition = definition
        arguments = definition.args
        if len(arguments.args) != 1 or arguments.vararg or arguments.kwarg or arguments.kwonlyargs:
            self.fail(definition, "the function must take exactly one argument, the rows (def m(r): ...)")
        self.rows = arguments.args[0].arg
        self.scope: Dict[str, Any] = dict(getattr(fn, "__globals__", {}))
        closure = inspect.getclosurevars(fn) if isinstance(fn, types.FunctionType) else None
        if closure:
            self.scope.update(closure.nonlocals)
        self.locals: Dict[str, Node] = {}

    # MARK: - Statements

    def compile(self) -> Node:
        body = self.definition.body
        for index, statement in enumerate(body):
            if index == 0 and _is_docstring(statement):
                continue
            if isinstance(statement, ast.Return):
                if index != len(body) - 1:
                    self.fail(body[index + 1], "statements after the return cannot be compiled")
                if statement.value is None:
                    self.fail(statement, "the function must return a value")
                return self.result(statement.value)
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                self.locals[statement.targets[0].id] = self.expression(statement.value)
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
                self.locals[statement.target.id] = self.expression(statement.value)
            else:
                kind = type(statement).__name__.lower()
                self.fail(statement, f"a '{kind}' statement cannot be compiled: use local assignments and one return")
        self.fail(self.definition, "the function has no return statement")

    def result(self, node: ast.expr) -> Node:
        tree = self.expression(node)
        if tree.level == ROW:
            self.fail(node, "the function returns a per-row value: aggregate it, e.g. (...).mean() or .sum()")
        if not has_aggregate(tree):
            self.fail(node, "a metric needs at least one aggregate such as .sum(), .mean() or len(r)")
        return tree

    # MARK: - Expressions

    def expression(self, node: ast.expr) -> Node:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            return self.column(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BoolOp):
            word = "and" if isinstance(node.op, ast.And) else "or"
            symbol = "&" if word == "and" else "|"
            self.fail(node, f"'{word}' does not combine columns: use {symbol} with parentheses, as with pandas")
        what = _NAMED_CONSTRUCTS.get(type(node), f"a {type(node).__name__} expression")
        hint = ": multiply by the condition instead, e.g. ((r.x > 0) * r.y).sum()" if isinstance(node, ast.IfExp) else ""
        self.fail(node, f"{what} cannot be compiled{hint}")

    def constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool):
            return Const(1.0 if value else 0.0)
        if value is None or isinstance(value, (int, float, str)):
            return Const(float(value) if isinstance(value, int) else value)
        self.fail(node, f"the constant {value!r} is not a number, string, bool or None")

    def name(self, node: ast.Name) -> Node:
        if node.id == self.rows:
            self.fail(node, f"'{node.id}' is the whole row set: name a column, e.g. {node.id}.prediction")
        if node.id in self.locals:
            return self.locals[node.id]
        value = self.scope.get(node.id, getattr(builtins, node.id, _UNBOUND))
        if isinstance(value, bool):
            return Const(1.0 if value else 0.0)
        if isinstance(value, (int, float)):
            return Const(float(value))
        if isinstance(value, str):
            return Const(value)
        if value is _UNBOUND:
            self.fail(node, f"the name '{node.id}' is not defined")
        self.fail(node, f"'{node.id}' is a {type(value).__name__}; only numbers and strings from outside the function compile")

    def column(self, node: ast.expr) -> Node:
        path = self.column_path(node)
        if path is None:
            self.fail(node, "only columns of the rows can be read (r.prediction, r.features.NAME, r['label'])")
        head = path[0]
        if len(path) == 1:
            if head in VARIABLES:
                return Var(head)
            if head in ("features", "segment"):
                self.fail(node, f"name the {head} column: r.{head}.NAME")
            return Var(f"features.{_identifier(self, node, head)}")
        if len(path) == 2 and head in ("features", "segment", "score"):
            return Var(f"{head}.{_identifier(self, node, path[1])}")
        self.fail(node, f"'{'.'.join(path)}' is not a column; known: {', '.join(VARIABLES)}, features.NAME, segment.KEY, score.CLASS")

    def column_path(self, node: ast.expr) -> Optional[List[str]]:
        """``r.features.x`` → ["features", "x"]; None when the chain does not start at the rows."""
        if isinstance(node, ast.Name):
            return [] if node.id == self.rows else None
        if isinstance(node, ast.Attribute):
            base = self.column_path(node.value)
            return None if base is None else base + [node.attr]
        if isinstance(node, ast.Subscript):
            base = self.column_path(node.value)
            key = node.slice.value if isinstance(node.slice, ast.Constant) else None  # type: ignore[attr-defined]
            if base is None or not isinstance(key, str):
                return None
            return base + (key.split(".", 1) if not base and "." in key else [key])
        return None

    def binary(self, node: ast.BinOp) -> Node:
        left = self.expression(node.left)
        if isinstance(node.op, ast.Pow):
            return self.power(node, left)
        op = _ARITHMETIC.get(type(node.op))
        if op is None:
            self.fail(node, f"the operator {_operator_text(node.op)} cannot be compiled; use + - * / ** & | ~")
        return self.combine(node, op, left, self.expression(node.right))

    def power(self, node: ast.BinOp, base: Node) -> Node:
        exponent = node.right.value if isinstance(node.right, ast.Constant) else None
        if exponent == 0.5:
            return Func("sqrt", (base,))
        if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) and exponent in (1, 2, 3, 4):
            result = base
            for _ in range(int(exponent) - 1):
                result = Binary("*", result, base)
            return result
        self.fail(node, "only the powers ** 0.5, ** 1, ** 2, ** 3 and ** 4 can be compiled")

    def unary(self, node: ast.UnaryOp) -> Node:
        operand = self.expression(node.operand)
        if isinstance(node.op, ast.USub):
            if isinstance(operand, Const) and isinstance(operand.value, float):
                return Const(-operand.value)
            return Unary("-", operand)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Invert):
            return Unary("not", operand)
        self.fail(node, "'not' does not negate columns: use ~ with parentheses, as with pandas")

    def compare(self, node: ast.Compare) -> Node:
        result: Optional[Node] = None
        left = self.expression(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            symbol = _COMPARISONS.get(type(op))
            if symbol is None:
                self.fail(node, f"the comparison '{_operator_text(op)}' cannot be compiled; use == != < <= > >=")
            right = self.expression(comparator)
            part = self.combine(node, symbol, left, right)
            result = part if result is None else Binary("and", result, part)
            left = right
        assert result is not None
        return result

    def combine(self, node: ast.AST, op: str, left: Node, right: Node) -> Node:
        levels = {left.level, right.level}
        if ROW in levels and (has_aggregate(left) or has_aggregate(right)):
            self.fail(node, "this mixes per-row values with aggregates: aggregate both sides, e.g. (r.x - r.y).mean()")
        return Binary(op, left, right)

    # MARK: - Calls

    def call(self, node: ast.Call) -> Node:
        function = node.func
        if node.keywords and not (isinstance(function, ast.Attribute) and function.attr == "clip"):
            self.fail(node, "keyword arguments cannot be compiled (except clip's lower= and upper=)")
        if isinstance(function, ast.Attribute) and self.is_numpy(function.value):
            return self.numpy_call(node, function.attr)
        if isinstance(function, ast.Attribute):
            return self.method_call(node, function.attr, self.expression(function.value))
        if isinstance(function, ast.Name):
            return self.builtin_call(node, function.id)
        self.fail(node, "this call cannot be compiled")

    def method_call(self, node: ast.Call, method: str, target: Node) -> Node:
        args = node.args
        if method in AGGREGATES:
            if args:
                self.fail(node, f".{method}() takes no arguments here")
            return self.aggregate(node, method, target)
        if method == "abs" and not args:
            return Func("abs", (target,))
        if method == "clip":
            bounds = {k.arg: k.value for k in node.keywords}
            lower = args[0] if args else bounds.get("lower")
            upper = args[1] if len(args) > 1 else bounds.get("upper")
            if lower is None or upper is None:
                self.fail(node, ".clip needs both bounds: .clip(lower, upper)")
            return Func("clip", (target, self.expression(lower), self.expression(upper)))
        if method == "astype" and len(args) == 1:
            kind = args[0].id if isinstance(args[0], ast.Name) else getattr(args[0], "value", None)
            if kind in ("int", "float", "float64", "int64"):
                return target
            if kind == "bool":
                return Binary("!=", target, Const(0.0))
            self.fail(node, ".astype can only turn booleans into numbers (int, float, bool)")
        if method == "isin" and len(args) == 1 and isinstance(args[0], (ast.List, ast.Tuple, ast.Set)) and args[0].elts:
            parts = [Binary("==", target, self.expression(e)) for e in args[0].elts]
            result = parts[0]
            for part in parts[1:]:
                result = Binary("or", result, part)
            return result
        if method == "between" and len(args) == 2:
            return Binary("and", Binary(">=", target, self.expression(args[0])), Binary("<=", target, self.expression(args[1])))
        self.fail(node, f"the method .{method}() cannot be compiled")

    def numpy_call(self, node: ast.Call, name: str) -> Node:
        args = [self.expression(a) for a in node.args]
        if name in _NUMPY_AGGREGATES and len(args) == 1:
            return self.aggregate(node, _NUMPY_AGGREGATES[name], args[0])
        if name == "count_nonzero" and len(args) == 1:
            return self.aggregate(node, "sum", Binary("!=", args[0], Const(0.0)))
        if name == "square" and len(args) == 1:
            return Binary("*", args[0], args[0])
        if name in _NUMPY_FUNCTIONS:
            expected = 3 if name == "clip" else 1
            if len(args) != expected:
                self.fail(node, f"np.{name} takes {expected} argument{'s' if expected > 1 else ''} here")
            return Func(_NUMPY_FUNCTIONS[name], tuple(args))
        self.fail(node, f"np.{name} cannot be compiled")

    def builtin_call(self, node: ast.Call, name: str) -> Node:
        if name == "len" and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == self.rows:
            return Aggregate("count", None)
        args = [self.expression(a) for a in node.args]
        if name == "abs" and len(args) == 1:
            return Func("abs", (args[0],))
        if name in ("float", "int") and len(args) == 1 and args[0].level == SCALAR:
            return args[0]
        if name in ("sum", "min", "max") and len(args) == 1:
            return self.aggregate(node, name, args[0])
        self.fail(node, f"the function {name}() cannot be compiled")

    def aggregate(self, node: ast.AST, kind: str, operand: Node) -> Node:
        if has_aggregate(operand):
            self.fail(node, f"aggregates cannot be nested: .{kind}() of an aggregate")
        if kind == "sum" and isinstance(operand, Const) and operand.value == 1.0:
            return Aggregate("count", None)
        return Aggregate(kind, operand)

    def is_numpy(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name) and node.id not in self.locals and node.id != self.rows:
            module = self.scope.get(node.id)
            return isinstance(module, types.ModuleType) and module.__name__ == "numpy"
        return False

    # MARK: - Errors

    def fail(self, node: ast.AST, message: str) -> NoReturn:
        line = getattr(node, "lineno", 1)
        segment = ast.get_source_segment(self.source, node) or ""
        segment = segment.splitlines()[0] if segment else ""
        where = f"{self.file}, line {self.first_line + line - 1}"
        snippet = f": {segment}" if segment else ""
        raise MetricCompileError(f"metric '{self.metric_name}' ({where}){snippet}\n  {message}")


_UNBOUND = object()


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(getattr(statement, "value", None), ast.Constant) and isinstance(statement.value.value, str)


def _identifier(compiler: _Compiler, node: ast.AST, name: str) -> str:
    if not name.isidentifier():
        compiler.fail(node, f"the column name '{name}' is not an identifier, which the metric language requires")
    return name


def _operator_text(op: ast.AST) -> str:
    return {
        ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitXor: "^",
        ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
    }.get(type(op), type(op).__name__)

"""Slice names both ways: an expected slice's terms (generate.py's `b<i>` for the i-th bin of a column's edges)
and Vigil's conditions, each as a comparable frozenset of (column, term)."""

from __future__ import annotations


def expected_key(terms: dict, edges: dict) -> frozenset:
    out = []
    for column, term in terms.items():
        if term == "missing":
            out.append((column, "missing"))
        elif term.startswith("b") and column in edges:
            cuts, i = edges[column], int(term[1:])
            out.append((column, (cuts[i - 1] if i > 0 else None, cuts[i] if i < len(cuts) else None)))
        else:
            out.append((column, term))
    return frozenset(out)


def vigil_key(conditions: list) -> frozenset:
    out = []
    for c in conditions:
        if c["missing"]:
            out.append((c["column"], "missing"))
        elif c.get("value") is not None:
            out.append((c["column"], c["value"]))
        else:
            out.append((c["column"], (c.get("lower"), c.get("upper"))))
    return frozenset(out)

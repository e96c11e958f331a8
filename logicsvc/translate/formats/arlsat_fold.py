"""Folding builders for AR-LSAT's z3py-style connectives.

z3py programs write Python's ``True`` and ``False`` inside formulas (``If(c,
True, x)``, ``Or(False, …)``); the DSL has no boolean constants, so these
builders fold them away while building, and the interpreter in
:mod:`.arlsat_meaning` hands on a formula with none left, or a bare ``bool``
that it reports itself.
"""

from __future__ import annotations

from logicsvc.errors import Span
from logicsvc.syntax.ast import Arith, ArithOp, Binary, Const, Equals, Formula, Not, Op, Term, Var


def conjunction(parts: list[Formula], span: Span | None) -> Formula:
    out = parts[0]
    for part in parts[1:]:
        out = Binary(Op.AND, out, part, span)
    return out


def member(var: str, members: tuple[str, ...], span: Span | None) -> Formula:
    parts: list[Formula | bool] = [Equals(Var(var, span), Const(m, span), span) for m in members]
    out = chain(Op.OR, parts, span)
    assert not isinstance(out, bool)
    return out


def sum_of(terms: list[Term], span: Span | None) -> Term:
    if not terms:
        return Const("0", span)
    total = terms[0]
    for t in terms[1:]:
        total = Arith(ArithOp.ADD, total, t, span)
    return total


def negate(f: Formula | bool, span: Span | None) -> Formula | bool:
    return (not f) if isinstance(f, bool) else Not(f, span)


def chain(op: Op, parts: list[Formula | bool], span: Span | None) -> Formula | bool:
    """``And``/``Or`` of parts, with ``True``/``False`` folded away."""
    unit, absorbing = (True, False) if op is Op.AND else (False, True)
    kept: list[Formula] = []
    for part in parts:
        if isinstance(part, bool):
            if part == absorbing:
                return absorbing
            continue
        kept.append(part)
    if not kept:
        return unit
    out = kept[0]
    for part in kept[1:]:
        out = Binary(op, out, part, span)
    return out


def iff(a: Formula | bool, b: Formula | bool, span: Span | None) -> Formula | bool:
    if isinstance(a, bool):
        return b if a else negate(b, span)
    if isinstance(b, bool):
        return a if b else negate(a, span)
    return Binary(Op.IFF, a, b, span)


def xor(a: Formula | bool, b: Formula | bool, span: Span | None) -> Formula | bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return negate(iff(a, b, span), span)
    return Binary(Op.XOR, a, b, span)

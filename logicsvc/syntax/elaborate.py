"""Writing inferred sorts back into the formulas: an untyped quantifier whose variable the
inference (:mod:`logicsvc.syntax.sorts`) placed in a sort becomes a sorted one, wherever it
stands, inside ``count`` terms included, so the encoder never meets an untyped variable
in a typed program."""

from __future__ import annotations

import dataclasses

from logicsvc.syntax.ast import (
    App,
    Arith,
    Atom,
    Binary,
    Compare,
    Count,
    Distinct,
    Equals,
    Formula,
    Not,
    Quantified,
    Term,
)


def elaborate(f: Formula, bindings: dict[int, str], sorts: dict[str, str]) -> Formula:
    """``bindings``: each quantifier's (by ``id``) binding key; ``sorts``: the key's inferred
    sort, for the keys that have one. A plain program comes back as the same objects."""
    if isinstance(f, Not):
        inner = elaborate(f.operand, bindings, sorts)
        return f if inner is f.operand else Not(inner, f.span)
    if isinstance(f, Binary):
        left, right = elaborate(f.left, bindings, sorts), elaborate(f.right, bindings, sorts)
        if left is f.left and right is f.right:
            return f
        return Binary(f.op, left, right, f.span)
    if isinstance(f, Quantified):
        body = elaborate(f.body, bindings, sorts)
        sort = f.sort
        if sort is None:
            sort = sorts.get(bindings.get(id(f), ""))  # absent: it stays untyped
        if body is f.body and sort == f.sort:
            return f
        return dataclasses.replace(f, body=body, sort=sort)
    # terms hold formulas too (``count c:S (φ)``), whose quantifiers need their sorts
    if isinstance(f, Atom):
        args = tuple(_elaborate_term(a, bindings, sorts) for a in f.args)
        return (
            f
            if all(a is b for a, b in zip(args, f.args, strict=True))
            else Atom(f.pred, args, f.span)
        )
    if isinstance(f, Equals | Compare):
        lhs, rhs = (
            _elaborate_term(f.left, bindings, sorts),
            _elaborate_term(f.right, bindings, sorts),
        )
        if lhs is f.left and rhs is f.right:
            return f
        return dataclasses.replace(f, left=lhs, right=rhs)
    if isinstance(f, Distinct):
        terms = tuple(_elaborate_term(t, bindings, sorts) for t in f.terms)
        return (
            f
            if all(a is b for a, b in zip(terms, f.terms, strict=True))
            else Distinct(terms, f.span)
        )
    return f


def _elaborate_term(t: Term, bindings: dict[int, str], sorts: dict[str, str]) -> Term:
    if isinstance(t, Count):
        body = elaborate(t.body, bindings, sorts)
        return t if body is t.body else dataclasses.replace(t, body=body)
    if isinstance(t, App):
        args = tuple(_elaborate_term(a, bindings, sorts) for a in t.args)
        return (
            t
            if all(a is b for a, b in zip(args, t.args, strict=True))
            else App(t.func, args, t.span)
        )
    if isinstance(t, Arith):
        left, right = (
            _elaborate_term(t.left, bindings, sorts),
            _elaborate_term(t.right, bindings, sorts),
        )
        if left is t.left and right is t.right:
            return t
        return Arith(t.op, left, right, t.span)
    return t

"""Walks over the AST: subformulas, terms, constants, depth, free variables, binding.

Kept apart from the node definitions in :mod:`logicsvc.syntax.ast` so that the data
model reads on its own; every walk here is iterative or bounded by the formula's own
nesting, which the depth check limits before anything recursive runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from logicsvc.syntax.ast import (
    App,
    Arith,
    Atom,
    Binary,
    Compare,
    Const,
    Count,
    Distinct,
    Equals,
    Formula,
    Not,
    Quantified,
    Term,
    Var,
)


def subformulas(formula: Formula) -> Iterator[Formula]:
    """Pre-order walk over a formula and all its subformulas (``count`` bodies too)."""
    stack: list[Formula] = [formula]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.append(node.right)
            stack.append(node.left)
        elif isinstance(node, Quantified):
            stack.append(node.body)
        elif isinstance(node, Atom | Equals | Compare | Distinct):
            stack.extend(reversed(_count_bodies(direct_terms(node))))


def direct_terms(node: Atom | Equals | Compare | Distinct) -> tuple[Term, ...]:
    """The terms an atom, an equation, a comparison or a ``distinct`` applies to."""
    if isinstance(node, Atom):
        return node.args
    if isinstance(node, Distinct):
        return node.terms
    return (node.left, node.right)


def _count_bodies(roots: tuple[Term, ...]) -> list[Formula]:
    return [t.body for t in subterms(roots) if isinstance(t, Count)]


def subterms(roots: tuple[Term, ...]) -> Iterator[Term]:
    """Pre-order walk over terms and the terms nested in them (not into count bodies)."""
    stack = list(reversed(roots))
    while stack:
        term = stack.pop()
        yield term
        if isinstance(term, App):
            stack.extend(reversed(term.args))
        elif isinstance(term, Arith):
            stack += [term.right, term.left]


def depth(formula: Formula) -> int:
    """How deeply connectives and quantifiers nest (an atom is 1); without recursion."""
    deepest = 0
    stack: list[tuple[Formula, int]] = [(formula, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, Not):
            stack.append((node.operand, level + 1))
        elif isinstance(node, Binary):
            stack += [(node.left, level + 1), (node.right, level + 1)]
        elif isinstance(node, Quantified):
            stack.append((node.body, level + 1))
        elif isinstance(node, Atom | Equals | Compare | Distinct):
            terms_below: list[tuple[Term, int]] = [(t, level + 1) for t in direct_terms(node)]
            while terms_below:
                term, at = terms_below.pop()  # names add no depth: atoms stay 1
                if isinstance(term, App | Arith | Count):
                    deepest = max(deepest, at)
                if isinstance(term, App):
                    terms_below += [(a, at + 1) for a in term.args]
                elif isinstance(term, Arith):
                    terms_below += [(term.left, at + 1), (term.right, at + 1)]
                elif isinstance(term, Count):
                    stack.append((term.body, at + 1))
    return deepest


def terms(formula: Formula) -> Iterator[Term]:
    """Every term of a formula, nested ones included."""
    for node in subformulas(formula):
        if isinstance(node, Atom | Equals | Compare | Distinct):
            yield from subterms(direct_terms(node))


def constants(formula: Formula) -> set[str]:
    return {t.name for t in terms(formula) if isinstance(t, Const)}


def atoms(formula: Formula) -> Iterator[Atom]:
    for node in subformulas(formula):
        if isinstance(node, Atom):
            yield node


def _term_free_vars(roots: tuple[Term, ...]) -> set[str]:
    free: set[str] = set()
    for t in subterms(roots):
        if isinstance(t, Var):
            free.add(t.name)
        elif isinstance(t, Count):
            free |= free_vars(t.body) - {t.var}
    return free


def free_vars(formula: Formula) -> set[str]:
    """Variables occurring free (only possible in hand-built trees)."""
    if isinstance(formula, Atom | Equals | Compare | Distinct):
        return _term_free_vars(direct_terms(formula))
    if isinstance(formula, Not):
        return free_vars(formula.operand)
    if isinstance(formula, Binary):
        return free_vars(formula.left) | free_vars(formula.right)
    return free_vars(formula.body) - {formula.var}


def bind(formula: Formula, names: frozenset[str]) -> Formula:
    """``formula`` with every free ``Const`` named in ``names`` read as a ``Var``.

    The parse reads a quantifier's names this way once its body is built, and lenient
    mode widens a quantifier's scope with it; a quantifier or ``count`` of the same name
    inside ends the name's reach.

    A subformula in which no such name occurs comes back as the very same object, so
    each enclosing quantifier walks its body but rebuilds only the paths that lead to
    one of its names (a body is otherwise copied once per quantifier around it).
    """
    kind = type(formula)
    if kind is Atom:
        atom: Atom = formula  # type: ignore[assignment]
        if not atom.args:
            return atom
        args = _terms(atom.args, names)
        return atom if args is atom.args else Atom(atom.pred, args, atom.span)
    if kind is Binary:
        b: Binary = formula  # type: ignore[assignment]
        left, right = bind(b.left, names), bind(b.right, names)
        if left is b.left and right is b.right:
            return b
        return Binary(b.op, left, right, b.span)
    if kind is Not:
        n: Not = formula  # type: ignore[assignment]
        operand = bind(n.operand, names)
        return n if operand is n.operand else Not(operand, n.span)
    if kind is Quantified:
        q: Quantified = formula  # type: ignore[assignment]
        inner = names - {q.var} if q.var in names else names
        body = bind(q.body, inner) if inner else q.body
        return q if body is q.body else Quantified(q.quantifier, q.var, body, q.span, q.sort)
    if kind is Equals or kind is Compare:
        pair: Equals | Compare = formula  # type: ignore[assignment]
        left_term, right_term = _term(pair.left, names), _term(pair.right, names)
        if left_term is pair.left and right_term is pair.right:
            return pair
        return dataclasses.replace(pair, left=left_term, right=right_term)
    if kind is Distinct:
        d: Distinct = formula  # type: ignore[assignment]
        terms = _terms(d.terms, names)
        return d if terms is d.terms else Distinct(terms, d.span)
    raise AssertionError(f"no scope rule for {kind.__name__}")


def _terms(terms: tuple[Term, ...], names: frozenset[str]) -> tuple[Term, ...]:
    """``terms`` itself where no term changed."""
    bound = [_term(t, names) for t in terms]
    for old, new in zip(terms, bound, strict=True):
        if old is not new:
            return tuple(bound)
    return terms


def _term(term: Term, names: frozenset[str]) -> Term:
    kind = type(term)
    if kind is Const:
        return Var(term.name, term.span) if term.name in names else term  # type: ignore[union-attr]
    if kind is Var:
        return term
    if kind is App:
        a: App = term  # type: ignore[assignment]
        args = _terms(a.args, names)
        return a if args is a.args else App(a.func, args, a.span)
    if kind is Arith:
        r: Arith = term  # type: ignore[assignment]
        left, right = _term(r.left, names), _term(r.right, names)
        return r if left is r.left and right is r.right else Arith(r.op, left, right, r.span)
    if kind is Count:
        k: Count = term  # type: ignore[assignment]
        inner = names - {k.var} if k.var in names else names
        body = bind(k.body, inner) if inner else k.body
        return k if body is k.body else Count(k.var, k.sort, body, k.span)
    raise AssertionError(f"no scope rule for {kind.__name__}")

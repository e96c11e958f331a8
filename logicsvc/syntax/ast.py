"""The typed, immutable first-order AST every later stage consumes.

Nodes are frozen dataclasses; source spans ride along for error messages but
take no part in equality, so a re-parsed program equals the original whatever
its layout.  Binary connectives stay binary (no flattening): the tree is
exactly what the precedence rules of the grammar produced.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from logicsvc.errors import Span


class Op(enum.Enum):
    """Binary connectives, in the order of how loosely they bind."""

    IFF = "↔"
    IMPLIES = "→"
    XOR = "⊕"
    OR = "∨"
    AND = "∧"


class Quantifier(enum.Enum):
    ALL = "∀"
    EXISTS = "∃"


@dataclass(frozen=True, slots=True)
class Var:
    """A variable bound by an enclosing quantifier."""

    name: str
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Const:
    """A constant: any name in term position not bound by a quantifier."""

    name: str
    span: Span | None = field(default=None, compare=False, repr=False)


Term = Var | Const


@dataclass(frozen=True, slots=True)
class Atom:
    """``P(t1, ..., tn)``; ``n == 0`` is a propositional letter."""

    pred: str
    args: tuple[Term, ...] = ()
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Equals:
    left: Term
    right: Term
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Formula
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Binary:
    op: Op
    left: Formula
    right: Formula
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Quantified:
    quantifier: Quantifier
    var: str
    body: Formula
    span: Span | None = field(default=None, compare=False, repr=False)


Formula = Atom | Equals | Not | Binary | Quantified


@dataclass(frozen=True, slots=True)
class PredicateDecl:
    """A line of the optional ``Predicates:`` section."""

    name: str
    params: tuple[str, ...]
    gloss: str | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Statement:
    """A premise or conclusion line: a formula and its optional gloss."""

    formula: Formula
    gloss: str | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Program:
    """What the parser read: may still fail the semantic checks."""

    predicates: tuple[PredicateDecl, ...]
    premises: tuple[Statement, ...]
    conclusions: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A checked problem: premises and exactly one conclusion."""

    premises: tuple[Statement, ...]
    conclusion: Statement
    predicates: tuple[PredicateDecl, ...] = ()

    @property
    def premise_formulas(self) -> tuple[Formula, ...]:
        return tuple(s.formula for s in self.premises)

    @classmethod
    def of(cls, premises: list[Formula] | tuple[Formula, ...], conclusion: Formula) -> Problem:
        """Build a problem straight from formulas (tests, generated rule bases)."""
        return cls(tuple(Statement(f) for f in premises), Statement(conclusion))


# --- traversal helpers -------------------------------------------------------

_VARIABLE_LIKE = re.compile(r"[u-z][0-9]?")


def looks_like_variable(name: str) -> bool:
    """Names conventionally used for variables (x, y, z1...), not for constants."""
    return _VARIABLE_LIKE.fullmatch(name) is not None


def subformulas(formula: Formula) -> Iterator[Formula]:
    """Pre-order walk over a formula and all its subformulas."""
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
    return deepest


def terms(formula: Formula) -> Iterator[Term]:
    for node in subformulas(formula):
        if isinstance(node, Atom):
            yield from node.args
        elif isinstance(node, Equals):
            yield node.left
            yield node.right


def constants(formula: Formula) -> set[str]:
    return {t.name for t in terms(formula) if isinstance(t, Const)}


def atoms(formula: Formula) -> Iterator[Atom]:
    for node in subformulas(formula):
        if isinstance(node, Atom):
            yield node


def free_vars(formula: Formula) -> set[str]:
    """Variables occurring free (only possible in hand-built trees)."""
    if isinstance(formula, Atom):
        return {t.name for t in formula.args if isinstance(t, Var)}
    if isinstance(formula, Equals):
        return {t.name for t in (formula.left, formula.right) if isinstance(t, Var)}
    if isinstance(formula, Not):
        return free_vars(formula.operand)
    if isinstance(formula, Binary):
        return free_vars(formula.left) | free_vars(formula.right)
    return free_vars(formula.body) - {formula.var}


def bind(formula: Formula, name: str) -> Formula:
    """Turn every free ``Const(name)`` into ``Var(name)`` (quantifier widening)."""

    def term(t: Term) -> Term:
        return Var(t.name, t.span) if isinstance(t, Const) and t.name == name else t

    if isinstance(formula, Atom):
        return Atom(formula.pred, tuple(term(a) for a in formula.args), formula.span)
    if isinstance(formula, Equals):
        return Equals(term(formula.left), term(formula.right), formula.span)
    if isinstance(formula, Not):
        return Not(bind(formula.operand, name), formula.span)
    if isinstance(formula, Binary):
        return Binary(formula.op, bind(formula.left, name), bind(formula.right, name), formula.span)
    if formula.var == name:
        return formula
    return Quantified(formula.quantifier, formula.var, bind(formula.body, name), formula.span)

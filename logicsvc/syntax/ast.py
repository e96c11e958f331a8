"""The typed, immutable first-order AST every later stage consumes.

Nodes are frozen dataclasses; source spans ride along for error messages but
take no part in equality, so a re-parsed program equals the original whatever
its layout.  Binary connectives stay binary (no flattening): the tree is
exactly what the precedence rules of the grammar produced.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from logicsvc.errors import Span

if TYPE_CHECKING:
    from logicsvc.syntax.inferred import Inferred


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


@dataclass(frozen=True, slots=True)
class App:
    """``f(t1, ..., tn)``: a function declared in ``Functions:`` applied to terms."""

    func: str
    args: tuple[Term, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


class ArithOp(enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"


@dataclass(frozen=True, slots=True)
class Arith:
    """Integer arithmetic; the checks allow ``*`` only where one side is a literal."""

    op: ArithOp
    left: Term
    right: Term
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Count:
    """``count v:S (φ)``: how many elements of the finite sort ``S`` satisfy ``φ``."""

    var: str
    sort: str
    body: Formula
    span: Span | None = field(default=None, compare=False, repr=False)


Term = Var | Const | App | Arith | Count
"""A numeral is a ``Const`` (``Const("3")``) whatever its use: whether it is an
integer or a plain name (FOLIO's ``Year(2022)``) is the sort checker's call."""


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


class CompareOp(enum.Enum):
    LT = "<"
    LE = "≤"
    GT = ">"
    GE = "≥"


@dataclass(frozen=True, slots=True)
class Compare:
    """An integer comparison ``t1 < t2`` (``≤``, ``>``, ``≥``)."""

    op: CompareOp
    left: Term
    right: Term
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Distinct:
    """``distinct(t1, ..., tn)``: the terms denote pairwise different values."""

    terms: tuple[Term, ...]
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
    sort: str | None = None
    """``∀c:Child``; ``None`` is the untyped domain of plain first-order logic."""


Formula = Atom | Equals | Compare | Distinct | Not | Binary | Quantified


@dataclass(frozen=True, slots=True)
class PredicateDecl:
    """A line of the optional ``Predicates:`` section."""

    name: str
    params: tuple[str, ...]
    gloss: str | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SortDecl:
    """A line of ``Sorts:``: named values (``{a, b}``) or an integer range (``1..5``).

    A value set of numerals only (``{1, 3, 5}``) is a set of integers.
    """

    name: str
    values: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    gloss: str | None = None
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def integers(self) -> tuple[int, ...] | None:
        """The sort's members when it is a set of integers, else ``None``."""
        if self.low is not None and self.high is not None:
            return tuple(range(self.low, self.high + 1))
        if self.values and all(is_numeral(v) for v in self.values):
            return tuple(int(v) for v in self.values)
        return None


@dataclass(frozen=True, slots=True)
class FunctionDecl:
    """A line of ``Functions:``: ``f(S1, S2) : R``, or a constant ``c : R`` (no params)."""

    name: str
    params: tuple[str, ...]
    result: str
    gloss: str | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Signature:
    """The typed vocabulary: empty for plain first-order programs."""

    sorts: tuple[SortDecl, ...] = ()
    functions: tuple[FunctionDecl, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sorts or self.functions)


class QuestionKind(enum.Enum):
    """Which option a multiple-choice question selects (see :mod:`provers.choice`)."""

    MUST_BE_TRUE = "must be true"
    MUST_BE_FALSE = "must be false"
    COULD_BE_TRUE = "could be true"
    COULD_BE_FALSE = "could be false"
    CANNOT_BE_TRUE = "cannot be true"
    CANNOT_BE_FALSE = "cannot be false"
    MUST_BE_TRUE_EXCEPT = "must be true except"
    MUST_BE_FALSE_EXCEPT = "must be false except"
    COULD_BE_TRUE_EXCEPT = "could be true except"
    COULD_BE_FALSE_EXCEPT = "could be false except"
    CANNOT_BE_TRUE_EXCEPT = "cannot be true except"
    CANNOT_BE_FALSE_EXCEPT = "cannot be false except"
    ACCURATE_LIST = "accurate list"


@dataclass(frozen=True, slots=True)
class Option:
    """``A) φ ; ψ ::: gloss``: one formula, or a list for ``accurate list`` questions."""

    label: str
    formulas: tuple[Formula, ...]
    gloss: str | None = None
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Question:
    kind: QuestionKind
    options: tuple[Option, ...]
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
    signature: Signature = Signature()
    question: Question | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A checked problem: premises and exactly one conclusion."""

    premises: tuple[Statement, ...]
    conclusion: Statement
    predicates: tuple[PredicateDecl, ...] = ()
    signature: Signature = Signature()
    inferred: Inferred | None = field(default=None, compare=False, repr=False)
    """The checks' sort inference, so the encoder need not run it again; it serves only
    while it was made for exactly these formula objects (see
    :meth:`~logicsvc.syntax.inferred.Inferred.typing_for`), so a copy with other formulas
    (``dataclasses.replace``) infers afresh."""

    @property
    def premise_formulas(self) -> tuple[Formula, ...]:
        return tuple(s.formula for s in self.premises)

    @classmethod
    def of(cls, premises: list[Formula] | tuple[Formula, ...], conclusion: Formula) -> Problem:
        """Build a problem straight from formulas (tests, generated rule bases)."""
        return cls(tuple(Statement(f) for f in premises), Statement(conclusion))


@dataclass(frozen=True, slots=True)
class ChoiceProblem:
    """A checked multiple-choice problem: premises and a question with its options."""

    premises: tuple[Statement, ...]
    question: Question
    predicates: tuple[PredicateDecl, ...] = ()
    signature: Signature = Signature()

    @property
    def premise_formulas(self) -> tuple[Formula, ...]:
        return tuple(s.formula for s in self.premises)

    def option_problem(self, formula: Formula) -> Problem:
        """The yes/no problem "do the premises entail ``formula``?" (same vocabulary)."""
        return Problem(self.premises, Statement(formula), self.predicates, self.signature)


# --- naming conventions ------------------------------------------------------

_NUMERAL = re.compile(r"[0-9]+")


def is_numeral(name: str) -> bool:
    return _NUMERAL.fullmatch(name) is not None


_VARIABLE_LIKE = re.compile(r"[u-z][0-9]?")


def looks_like_variable(name: str) -> bool:
    """Names conventionally used for variables (x, y, z1...), not for constants."""
    return _VARIABLE_LIKE.fullmatch(name) is not None

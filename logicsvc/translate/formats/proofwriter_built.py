"""The AST the DSL parser gives for a converted ProofWriter line, built without parsing.

Spans are those of the converted line (1-based columns, end exclusive), as
:mod:`logicsvc.syntax.lines` gives them; shapes follow ``fol.lark``: ``∧`` left
associative, ``∀x ∀y (…)`` nested with each quantifier's span from its ``∀`` to the
closing parenthesis, the parenthesised formula's span inside them. A line is built
only when every name in it is plain (:attr:`Line.plain`); otherwise the converted
text is parsed.

A built line is memoised by its section, mode, line number and text (questions on one
theory repeat their lines at the same numbers): a frozen node and what the semantic
checks would ask of it, so :class:`Assembly` can tell when ``check_program`` has
nothing to say about the whole program (see :meth:`Assembly.checked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from logicsvc.checks import MAX_DEPTH, CheckedProblem
from logicsvc.errors import Span
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Formula,
    Not,
    Op,
    PredicateDecl,
    Problem,
    Program,
    Quantified,
    Quantifier,
    Signature,
    Statement,
    Var,
)
from logicsvc.syntax.lines import LONGEST_CACHED, lenient_reading
from logicsvc.syntax.sorts import BUILTIN
from logicsvc.translate.formats import proofwriter_lines as lines
from logicsvc.translate.formats.proofwriter_lines import CACHED_LINES, Header, Line, Lit


@dataclass(frozen=True, slots=True)
class Built:
    """One line's node and what the checks ask of it."""

    node: Statement | PredicateDecl
    notes: tuple[str, ...]
    """Lenient readings, ``line N:`` in front (a statement whose constant looks like a
    variable)."""
    atoms: tuple[tuple[str, int], ...]
    """Each atom's predicate and arity; a declaration's own name and arity."""
    constants: frozenset[str]
    unchecked: bool
    """Something the checks must judge themselves: a constant that looks like a
    variable, a quantifier deeper than the depth bound, a declaration naming a built-in
    sort (``Int``), whose positions sort inference would type."""


def place(section: str, lenient: bool, number: int, line: str) -> Header | Placed:
    """``line`` (not blank) read under ``section`` ("" before the first header) and, where
    every name in it is plain, built on line ``number``; a LineError says why it cannot
    be read."""
    if len(line) > LONGEST_CACHED:
        return _place(section, lenient, number, line)
    return _memo(section, lenient, number, line)


def _place(section: str, lenient: bool, number: int, line: str) -> Header | Placed:
    read = lines.read(section, lenient, line)
    if isinstance(read, Header):
        return read
    return Placed(read, _build(section, lenient, number, read) if read.plain else None)


@dataclass(frozen=True, slots=True)
class Placed:
    """A declaration or statement line: its reading, and its node where it is plain."""

    read: Line
    built: Built | None


def _build(section: str, lenient: bool, number: int, read: Line) -> Built:
    span = _line_span(number, read)
    if section == "Predicates":
        (decl,) = read.body
        params = decl.names
        node = PredicateDecl(decl.pred, params, _gloss(read.gloss), span)
        builtin = any(p in BUILTIN for p in params)
        return Built(node, (), ((decl.pred, len(params)),), frozenset(), builtin)
    lits = read.body + read.heads
    bound = frozenset(v[1:] for v in read.variables)
    starts, position = [], 1  # ∀x ∀y (…): each quantifier's column, then the formula's
    for variable in read.variables:
        starts.append(position)
        position += len(variable) + 1  # "∀x " for "$x"
    column = position + 1 if read.variables else 1
    formula, end = _conjunction(read.body, number, column, bound)
    if read.heads:
        head, end = _conjunction(read.heads, number, end + len(" → "), bound)
        formula = Binary(Op.IMPLIES, formula, head, Span(number, column, number, end))
    quantified, end = formula, 1 + len(read.formula)
    for variable, start in zip(reversed(read.variables), reversed(starts), strict=True):
        scope = Span(number, start, number, end)
        quantified = Quantified(Quantifier.ALL, variable[1:], quantified, scope)
    statement = Statement(quantified, _gloss(read.gloss), span)
    constants, varlike = read.constants, read.varlike
    notes: tuple[str, ...] = ()
    # lenient reading: scopes never need widening here (no quantifier is an operand),
    # so it can only act on a constant that looks like a variable (``x``, ``y1``)
    if lenient and varlike:
        statement, said = lenient_reading(statement, premise=section != "Query")
        notes = tuple(f"line {number}: {note}" for note in said)
    # a bound on the depth (quantifiers, →, the ∧ chain, ¬ over an atom) spares the walk
    deep = len(read.variables) + 1 + len(lits) + 1 > MAX_DEPTH
    unchecked = varlike or deep or not bound.isdisjoint(constants)
    return Built(statement, notes, read.atoms, constants, unchecked)


_memo = lru_cache(maxsize=CACHED_LINES)(_place)


def _line_span(number: int, read: Line) -> Span:
    """The whole converted line's span (gloss included)."""
    gloss = 0 if read.gloss is None else len(" :::" + read.gloss)
    return Span(number, 1, number, 1 + len(read.formula) + gloss)


def _gloss(gloss: str | None) -> str | None:
    return None if gloss is None else gloss.strip() or None


def _conjunction(
    lits: tuple[Lit, ...], number: int, column: int, bound: frozenset[str]
) -> tuple[Formula, int]:
    """``a ∧ b ∧ c`` from ``column``, as the grammar nests it: ``(a ∧ b) ∧ c``."""
    formula, end = _literal(lits[0], number, column, bound)
    for lit in lits[1:]:
        right, end = _literal(lit, number, end + len(" ∧ "), bound)
        formula = Binary(Op.AND, formula, right, Span(number, column, number, end))
    return formula, end


def _literal(lit: Lit, number: int, column: int, bound: frozenset[str]) -> tuple[Formula, int]:
    """The literal written at ``column`` and the column just after it."""
    start = column if lit.positive else column + 1
    position, args = start + len(lit.pred) + 1, []
    for name in lit.names:
        span = Span(number, position, number, position + len(name))
        args.append(Var(name, span) if name in bound else Const(name, span))
        position += len(name) + len(", ")
    end = column + len(lit.dsl)
    atom = Atom(lit.pred, tuple(args), Span(number, start, number, end))
    return (atom if lit.positive else Not(atom, Span(number, column, number, end))), end


class Assembly:
    """A program's built lines, in order; ``ok`` turns false at the first line that is
    not plain, and then the converted text is parsed instead."""

    def __init__(self) -> None:
        self.ok = True
        self.unchecked = False
        self.decls: list[Built] = []
        self.premises: list[Built] = []
        self.conclusions: list[Built] = []

    def add(self, section: str, built: Built) -> None:
        self.unchecked = self.unchecked or built.unchecked
        if section == "Predicates":
            self.decls.append(built)
        else:
            (self.conclusions if section == "Query" else self.premises).append(built)

    def program(self) -> tuple[Program, tuple[str, ...]] | None:
        if not self.ok:
            return None
        decls = tuple(b.node for b in self.decls if isinstance(b.node, PredicateDecl))
        premises = tuple(b.node for b in self.premises if isinstance(b.node, Statement))
        ends = tuple(b.node for b in self.conclusions if isinstance(b.node, Statement))
        notes = tuple(n for b in (*self.premises, *self.conclusions) for n in b.notes)
        return Program(decls, premises, ends, Signature((), ()), None), notes

    def checked(self, program: Program, notes: tuple[str, ...]) -> CheckedProblem | None:
        """What ``check_program`` and ``check_depth`` give ``program`` where they have
        nothing to object to and nothing to add, else None (then they judge it).

        They have nothing to say when one query stands in ``Query:``, no constant is
        spelt like a variable (free-variable check; lenient reading), every atom's arity
        is its predicate's declared one (or, with no declaration, its first use's), no
        name is both a predicate and a constant, no declaration names ``Int`` and no
        formula nests past the bound. Then sort inference meets no sort, so it leaves
        every formula as it is: the problem is the program's own statements.
        """
        if len(program.conclusions) != 1 or self.unchecked:
            return None
        arity: dict[str, int] = {}
        for built in self.decls:
            arity.setdefault(*built.atoms[0])
        declared = bool(arity)
        predicates: set[str] = set()
        for built in (*self.premises, *self.conclusions):
            for pred, n in built.atoms:
                seen = arity.get(pred)
                if seen is None and declared:  # the checks warn of an undeclared predicate
                    return None
                if arity.setdefault(pred, n) != n:
                    return None
                predicates.add(pred)
        if not predicates.isdisjoint(frozenset().union(*(b.constants for b in self.premises))):
            return None
        if not predicates.isdisjoint(frozenset().union(*(b.constants for b in self.conclusions))):
            return None
        problem = Problem(
            program.premises, program.conclusions[0], program.predicates, program.signature
        )
        return CheckedProblem(problem, notes)

"""Lenient mode: which quantifier a variable the writer left free was meant to have.

LLMs writing FOLIO-style programs leave variables free in four shapes, and in
each the reading chosen is the only one that is not degenerate, so no reading
that differs in meaning is thrown away:

* **A conjunction of facts** (premise or conclusion): ``Cost(gre, x) ∧ x < 300``,
  ``Visit(juan, y) ∧ MountainRange(y)``.  Read as "some": ``∃x (…)`` over the
  whole formula.  ``∀x`` would assert that *every* individual costs less than 300
  or is a mountain range, which no text means.  So every free variable must occur
  in a positive conjunct (an atom, ``=``, a comparison); ``¬Unicorn(x)`` alone
  ("there are no unicorns" or "something is no unicorn"?) is not read as "some":
  as a premise it stays a clause (below, as before), as a conclusion it fails.
* **The condition of a universal rule**: ``∀x (Rating(x, y) ∧ y > 9 → Good(x))``.
  Read ``∀y`` over the implication.  As long as ``y`` occurs in the condition
  this is the same as "some ``y``" inside it (``∀y (A → C)`` is ``(∃y A) → C``
  when ``C`` lacks ``y``), and ``∃y`` over the implication would be satisfied by
  any ``y`` that fails the condition.  A variable only in the conclusion part
  (``∀x (Student(x) → Attends(x, y))``: one school for all, or one each?) is
  left to fail, as is any ``↔``, ``∧`` or ``∨`` under the quantifier.
* **What does not exist**: ``¬∃x (Range(x) ∧ In(x, texas) ∧ Mine(y) ∧ Donated(y, x))``.
  Read as part of the negated existential, ``¬∃x ∃y (…)``: "no such x and y".  That
  is ``∀y ¬∃x (…)``, a rule with an empty conclusion as above; ``∃y ¬∃x (…)`` would
  be satisfied by anything that is not a mine.
* **A premise without quantifiers** (the rest): a clause, ``¬Begins35(x) →
  ¬Begins34(x)``, read "for every ``x``" as Prover9 and TPTP's clause form read
  it.  Only premises: a conclusion may as well mean "some ``x``".

A name counts as a free variable when it looks like one (``x``, ``y1``) and no
quantifier in the formula binds it; a name bound somewhere else in the formula
is a scoping mistake, not a forgotten quantifier, and is left to the checks.
Every reading comes back as a note; strict mode never calls this.
"""

from __future__ import annotations

from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Compare,
    Equals,
    Formula,
    Not,
    Op,
    Quantified,
    Quantifier,
    looks_like_variable,
)
from logicsvc.syntax.walk import bind, constants, subformulas


def read_free_variables(formula: Formula, *, premise: bool) -> tuple[Formula, list[str]]:
    """Quantify the formula's free variables where one reading is clear; else leave it."""
    bound = {q.var for q in subformulas(formula) if isinstance(q, Quantified)}
    free = sorted(n for n in constants(formula) if looks_like_variable(n))
    if not free or bound & set(free):
        return formula, []
    names = ", ".join(free)
    if not bound and _facts_naming(formula, set(free)):
        return _quantify(formula, free, Quantifier.EXISTS), [
            f"read free variable(s) {names} of a conjunction of facts as 'some' "
            f"(∃ over the whole formula)"
        ]
    restricted = _in_rule_condition(formula, free)
    if restricted is not None:
        shown = " ".join(f"∀{q.var}" for q in _universal_prefix(formula)[0])
        return restricted, [
            f"read free variable(s) {names} in the condition of '{shown} (… → …)' as "
            f"universally quantified over the implication (the same as 'some' in the condition)"
        ]
    denied = _in_denied_existential(formula, free)
    if denied is not None:
        prefix, added = denied[1], " ".join(f"∃{name}" for name in free)
        return denied[0], [
            f"read free variable(s) {names} under '¬{prefix}' as part of what does not exist "
            f"(¬{prefix} {added} (…), the same as universally quantified outside)"
        ]
    if not bound and premise:
        return _quantify(formula, free, Quantifier.ALL), [
            f"read free variable(s) {names} of a premise as universally quantified"
        ]
    return formula, []


def _quantify(formula: Formula, names: list[str], quantifier: Quantifier) -> Formula:
    for name in names:
        formula = bind(formula, frozenset((name,)))
    for name in reversed(names):
        formula = Quantified(quantifier, name, formula)
    return formula


def _conjuncts(formula: Formula) -> list[Formula]:
    if isinstance(formula, Binary) and formula.op is Op.AND:
        return [*_conjuncts(formula.left), *_conjuncts(formula.right)]
    return [formula]


def _facts_naming(formula: Formula, free: set[str]) -> bool:
    """A conjunction of literals in which a positive one names every free variable."""
    positive: set[str] = set()
    for conjunct in _conjuncts(formula):
        literal = conjunct.operand if isinstance(conjunct, Not) else conjunct
        if not isinstance(literal, Atom | Equals | Compare):
            return False
        if not isinstance(conjunct, Not):
            positive |= constants(conjunct)
    return free <= positive


def _universal_prefix(formula: Formula) -> tuple[list[Quantified], Formula]:
    chain: list[Quantified] = []
    while isinstance(formula, Quantified) and formula.quantifier is Quantifier.ALL:
        chain.append(formula)
        formula = formula.body
    return chain, formula


def _in_rule_condition(formula: Formula, free: list[str]) -> Formula | None:
    """``∀x (A → C)`` with every free name in ``A``: ``∀x ∀y (A → C)``; else ``None``."""
    chain, body = _universal_prefix(formula)
    if not chain or not (isinstance(body, Binary) and body.op is Op.IMPLIES):
        return None
    if not set(free) <= constants(body.left):
        return None
    out = _quantify(body, free, Quantifier.ALL)
    for q in reversed(chain):
        out = Quantified(q.quantifier, q.var, out, q.span, q.sort)
    return out


def _existential_prefix(formula: Formula) -> tuple[list[Quantified], Formula]:
    chain: list[Quantified] = []
    while isinstance(formula, Quantified) and formula.quantifier is Quantifier.EXISTS:
        chain.append(formula)
        formula = formula.body
    return chain, formula


def _in_denied_existential(formula: Formula, free: list[str]) -> tuple[Formula, str] | None:
    """``¬∃x φ`` (so every free name is in ``φ``): ``¬∃x ∃y φ`` and the prefix shown."""
    if not isinstance(formula, Not):
        return None
    chain, body = _existential_prefix(formula.operand)
    if not chain:
        return None
    out = _quantify(body, free, Quantifier.EXISTS)
    for q in reversed(chain):
        out = Quantified(q.quantifier, q.var, out, q.span, q.sort)
    return Not(out, formula.span), " ".join(f"∃{q.var}" for q in chain)

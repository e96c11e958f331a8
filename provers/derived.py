"""The backward chainer's explanations of ``unknown``: the derived model.

In the open world a rule base that neither proves nor refutes its goal has a
least Herbrand model (every atom the chainer derives, nothing else): it
satisfies every premise, and the goal is false in it, so it *is* a
countermodel, in the same shape Z3's rendering has (``domain``, ``facts`` with
false atoms written ``¬``, ``equalities``, ``truncated``).  In the explicit
world nothing is false by default: the derived literals are listed, and the
atoms derived neither way (the goal among them) are ``undetermined``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from logicsvc.provers.rulebase import GroundAtom, RuleBase, format_atom

MAX_FACTS = 200
"""The same cap as Z3's countermodels: a person reads it, so it stays short."""

Query = Callable[[GroundAtom], bool]


def predicates(base: RuleBase) -> list[tuple[str, int]]:
    """Every predicate of the rule base with its arity, sorted (the goal's included)."""
    found = {(f.atom[0], len(f.atom[1])) for f in base.facts}
    for rule in base.rules:
        found |= {(lit.pred, len(lit.args)) for lit in (rule.head, *rule.body)}
    found.add((base.goal[1][0], len(base.goal[1][1])))
    return sorted(found)


def _atoms(base: RuleBase) -> tuple[list[GroundAtom], bool]:
    atoms: list[GroundAtom] = []
    for pred, arity in predicates(base):
        for args in itertools.product(base.domain, repeat=arity):
            if len(atoms) == MAX_FACTS:
                return atoms, True
            atoms.append((pred, args))
    return atoms, False


def least_model(base: RuleBase, holds: Query) -> dict[str, Any]:
    """Every ground atom over the problem's constants, true where ``holds`` derives it."""
    atoms, truncated = _atoms(base)
    facts = [format_atom(atom, holds(atom)) for atom in atoms]
    return _model(base, facts, truncated)


def explicit_model(base: RuleBase, holds: Query) -> dict[str, Any]:
    """The derived literals, and the atoms derived neither way (``holds`` takes the
    explicit-negation predicates, ``¬P``)."""
    atoms, truncated = _atoms(base)
    facts: list[str] = []
    undetermined: list[str] = []
    for pred, args in atoms:
        if holds((pred, args)):
            facts.append(format_atom((pred, args)))
        elif holds(("¬" + pred, args)):
            facts.append(format_atom((pred, args), False))
        else:
            undetermined.append(format_atom((pred, args)))
    model = _model(base, facts, truncated)
    model["undetermined"] = undetermined
    return model


def _model(base: RuleBase, facts: list[str], truncated: bool) -> dict[str, Any]:
    return {"domain": list(base.domain), "facts": facts, "equalities": [], "truncated": truncated}

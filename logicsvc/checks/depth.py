"""How deep a formula may nest: one bound, checked wherever a problem is made.

Parsing and the semantic checks manage deeper trees, but every later stage walks the
tree recursively too (the provers, the printers, pickling it to a prover worker); a bound
at the front keeps all of them inside Python's stack.  Real formulas stay under 30.
"""

from __future__ import annotations

from logicsvc.errors import InputError
from logicsvc.syntax.ast import ChoiceProblem, Problem, Statement
from logicsvc.syntax.walk import depth

MAX_DEPTH = 200
"""Deepest nesting of connectives and quantifiers in one formula (an atom is 1)."""


def check_depth(problem: Problem | ChoiceProblem) -> None:
    """``InputError`` (``too_deep``, with the statement's span) past :data:`MAX_DEPTH`."""
    if isinstance(problem, ChoiceProblem):
        last = "an option"
        ends = tuple(
            Statement(f, span=o.span) for o in problem.question.options for f in o.formulas
        )
    else:
        last, ends = "the conclusion", (problem.conclusion,)
    for index, statement in enumerate((*problem.premises, *ends)):
        if (levels := depth(statement.formula)) > MAX_DEPTH:
            label = f"premise {index + 1}" if index < len(problem.premises) else last  # as read
            raise InputError(
                f"{label} nests connectives and quantifiers {levels} deep; the limit is "
                f"{MAX_DEPTH}",
                code="too_deep",
                span=statement.span,
            )

"""Prover backends behind one call: ``prove(problem, limits) -> Result``.

This package never imports LLM or HTTP code; it depends only on the AST
(``logicsvc.syntax.ast``) and the error tree (``logicsvc.errors``).

Backends:

- ``z3``: full first-order logic with equality (classical, open world).
- ``backward``: a backward chainer for rule bases (facts + rules with
  conjunctive bodies), with proof trees; open world (classical) or closed
  world (negation as failure).
- ``auto``: ``backward`` when the problem is a rule base it accepts in the
  requested world, else ``z3`` (only the open world is z3's).

Multiple-choice questions (a :class:`ChoiceProblem`) go to :func:`choose`,
which judges every option with Z3 (see :mod:`provers.choice`), or, for a puzzle
whose unknowns are all constants of finite sorts, by listing its models
(:mod:`provers.finite`).

Worlds: ``open`` is classical logic; ``closed`` is negation as failure;
``explicit`` is the open world of RuleTaker/ProofWriter: ``¬P`` holds only when
stated or derived by a rule, rules fire forward only (no contraposition), and
the answer is unknown when neither the literal nor its complement is derived.
``closed-stated`` is negation as failure judged against the stated facts only
(PARARULE-Plus's closed world: what the context does not state is false).
``complete`` is the explicit world under the closed-world assumption for every
predicate (``¬P ← not P``, as in extended logic programs): a literal neither
derived nor refuted there is decided by whether its atom is derived, so the
answer is never unknown (ProntoQA: a two-way question over a complete ontology).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

from logicsvc.errors import FragmentError
from logicsvc.provers.result import Limits, Result, Status, Verdict, World
from logicsvc.syntax.ast import Not, Problem

if TYPE_CHECKING:
    from logicsvc.provers.result import ChoiceResult
    from logicsvc.syntax.ast import ChoiceProblem

Backend = Literal["auto", "z3", "backward"]
BACKENDS: tuple[Backend, ...] = ("auto", "z3", "backward")
WORLDS: tuple[World, ...] = ("open", "explicit", "closed", "closed-stated", "complete")

__all__ = [
    "BACKENDS",
    "WORLDS",
    "Backend",
    "Limits",
    "Result",
    "Status",
    "Verdict",
    "World",
    "choose",
    "prove",
]


def choose(problem: ChoiceProblem, limits: Limits | None = None) -> ChoiceResult:
    """Which option of a multiple-choice question its kind selects: a puzzle over constants
    of finite sorts by listing its models (:mod:`provers.finite`), anything else with Z3."""
    from logicsvc.provers import choice, finite

    if finite.accepts(problem):
        return finite.choose(problem, limits)
    return choice.choose(problem, limits)


def prove(
    problem: Problem,
    limits: Limits | None = None,
    *,
    backend: Backend = "auto",
    world: World = "open",
    explain: bool = True,
) -> Result:
    """Decide whether the premises entail the conclusion, its negation, or neither.

    ``explain=False`` is for callers that read only the verdict and the premises used (the
    evaluations): no countermodel for ``unknown`` and no proof tree are built. Every other
    field, ``used_premises`` included, is the same.

    Raises :class:`~logicsvc.errors.FragmentError` when the chosen backend (or,
    for closed-world reasoning, the only backend able to do it) cannot handle
    the problem's form.  Everything else, timeouts included, is a ``Result``.
    """
    limits = limits or Limits()
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if world not in WORLDS:
        raise ValueError(f"unknown world {world!r}; choose one of {', '.join(WORLDS)}")
    if backend == "z3" and world != "open":
        raise FragmentError(f"the {world} world needs the backward chainer, not z3")
    if world == "complete":
        from logicsvc.provers import backward

        explicit = backward.prove(problem, limits, world="explicit", explain=explain)
        return _complete(problem, explicit)
    if backend != "z3":
        from logicsvc.provers import backward

        try:
            chained = backward.prove(problem, limits, world=world, explain=explain)
        except FragmentError:
            if backend == "backward" or world != "open":
                raise
        else:
            if backend == "backward" or world != "open" or not _search_bound(chained):
                return chained
            # the chainer's depth or step bound, not the clock, stopped it: Z3 gets the
            # time that is left (long rule chains are no trouble for it)
            left = limits.timeout_s - chained.elapsed_ms / 1000
            if left <= 0.01:
                return chained
            from logicsvc.provers import z3_backend

            decided = z3_backend.prove(
                problem, dataclasses.replace(limits, timeout_s=left), explain=explain
            )
            note = f"{chained.warnings[0]}; z3 decided" if chained.warnings else "z3 decided"
            return dataclasses.replace(decided, warnings=(note, *decided.warnings))
    from logicsvc.provers import z3_backend
    from logicsvc.provers.replay import with_proof

    decided = z3_backend.prove(problem, limits, explain=explain)
    return with_proof(problem, decided, limits, explain=explain)


def _complete(problem: Problem, explicit: Result) -> Result:
    """The explicit world's answer, where it is unknown decided by the atom's absence."""
    if explicit.verdict != "unknown":
        return explicit
    negative = isinstance(problem.conclusion.formula, Not)
    note = "the conclusion's atom is not derived, so it is false in the complete world (¬P ← not P)"
    return dataclasses.replace(
        explicit, verdict="true" if negative else "false", warnings=(*explicit.warnings, note)
    )


def _search_bound(result: Result) -> bool:
    return result.status == "timeout" and result.stats.get("limit") in (
        "max_depth",
        "max_steps",
        "recursion",
    )

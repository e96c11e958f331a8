"""Goal-directed backward chaining over a rule base, with proof trees.

Two semantics over the same search:

- ``closed``: negation as failure over a stratified program; a conclusion is
  true or false, never unknown.
- ``open``: classical logic over Horn clauses, decided by refutation, so it
  agrees with Z3: ``⊥`` follows when a negative fact or a negative-headed
  rule clashes with a derivable atom; ``P(a)`` is false when assuming it
  yields ``⊥``.

The search itself is :mod:`logicsvc.provers.chainer`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from logicsvc.provers import derived
from logicsvc.provers.chainer import Budget, Chainer, Exhausted
from logicsvc.provers.prooftree import ProofNode, proof_graph, to_json, used_premises
from logicsvc.provers.result import Limits, Result, Status, Verdict, World
from logicsvc.provers.rulebase import (
    GroundAtom,
    RuleBase,
    check_world,
    compile_problem,
    explicit_negation,
)
from logicsvc.provers.rulebase import format_atom as _fmt
from logicsvc.syntax.ast import Problem

__all__ = ["proof_graph", "prove"]

_Model = Callable[[], dict[str, Any]]
_Outcome = tuple[Status, Verdict | None, ProofNode | None, _Model | None]
"""Status, verdict, proof, and for ``unknown`` how to build the derived model that
explains it (built only when asked for: it queries every atom, which can cost more
than the verdict)."""


def _explained(build: _Model | None) -> dict[str, Any] | None:
    """The derived model, or None where building it would pass the call's budget."""
    if build is None:
        return None
    try:
        return build()
    except (Exhausted, RecursionError):
        return None


def _open(base: RuleBase, budget: Budget) -> _Outcome:
    chainer = Chainer(base, budget)
    bottom = chainer.refute()
    if bottom is not None:
        return "contradictory_premises", None, bottom, None
    positive, atom = base.goal
    proof = chainer.query(atom)
    if proof is not None:
        return "ok", "true" if positive else "false", proof, None
    assumed = Chainer(base, budget, hypothesis=atom)
    assumed.proved.update(chainer.proved)  # more facts never undo a proof
    bottom = assumed.refute()
    if bottom is not None:
        root = ProofNode(_fmt(atom, False), "contradiction", None, (bottom,))
        return "ok", "false" if positive else "true", root, None
    # the least model of what holds (with the atom, for a negated goal) makes the goal false
    holder = chainer if positive else assumed
    return "ok", "unknown", None, lambda: derived.least_model(base, _holds(holder))


def _explicit(base: RuleBase, budget: Budget) -> _Outcome:
    """true if the literal is derivable, false if its complement is, unknown otherwise."""
    positive, (pred, args) = base.goal
    chainer = Chainer(explicit_negation(base), budget)
    atom, complement = (pred, args), ("¬" + pred, args)
    if not positive:
        atom, complement = complement, atom
    proof, counter = chainer.query(atom), chainer.query(complement)
    if proof is not None and counter is not None:
        return (
            "contradictory_premises",
            None,
            ProofNode("⊥", "contradiction", None, (proof, counter)),
            None,
        )
    if proof is not None:
        return "ok", "true", proof, None
    if counter is not None:
        return "ok", "false", counter, None
    return "ok", "unknown", None, lambda: derived.explicit_model(base, _holds(chainer))


def _closed(base: RuleBase, budget: Budget, *, stated_only: bool = False) -> _Outcome:
    positive, atom = base.goal
    proof = Chainer(base, budget, stated_only=stated_only).query(atom)
    if proof is None:
        proof = ProofNode(f"not provable: {_fmt(atom)}", "naf")
        return "ok", "false" if positive else "true", proof, None
    return "ok", "true" if positive else "false", proof, None


_WORLDS: dict[str, Callable[[RuleBase, Budget], _Outcome]] = {
    "open": _open,
    "explicit": _explicit,
    "closed": _closed,
    "closed-stated": functools.partial(_closed, stated_only=True),
}


def _holds(chainer: Chainer) -> Callable[[GroundAtom], bool]:
    return lambda atom: chainer.query(atom) is not None


def prove(
    problem: Problem,
    limits: Limits | None = None,
    *,
    world: World = "open",
    explain: bool = True,
) -> Result:
    """Decide ``problem`` by backward chaining; FragmentError (before any search) if outside.

    ``explain=False``: no derived model for ``unknown`` and no proof tree, only the
    premises the proof used; everything else is the same.
    """
    start = time.monotonic()
    limits = limits or Limits()
    if world not in _WORLDS:
        raise ValueError(f"unknown world {world!r}; choose one of {', '.join(_WORLDS)}")
    base = compile_problem(problem)
    check_world(base, world)
    budget = Budget(limits, start)
    try:
        status, verdict, root, model = _WORLDS[world](base, budget)
    except (Exhausted, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, Exhausted) else "recursion"
        return Result(
            status="timeout",
            backend="backward",
            warnings=(f"backward chaining stopped: {reason} limit reached",),
            elapsed_ms=(time.monotonic() - start) * 1000,
            stats={"steps": budget.steps, "limit": reason},
        )
    proof: dict[str, Any] | None = None
    used: tuple[int, ...] = ()
    if root is not None and explain:
        proof, used = to_json(root)
    elif root is not None:
        used = used_premises(root)
    countermodel = _explained(model) if explain else None
    return Result(
        status=status,
        verdict=verdict,
        backend="backward",
        used_premises=used,
        countermodel=countermodel,
        proof=proof,
        elapsed_ms=(time.monotonic() - start) * 1000,
        stats={"steps": budget.steps},
    )

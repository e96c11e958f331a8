"""The backward chainer's search over one rule base, shared by every world of
:mod:`logicsvc.provers.backward`.

Goals are always ground: variables a rule head leaves unbound are bound from
matching facts or rule heads, else from the problem's constants (the finite
domain of a function-free problem; a variable only under a negation ranges
over it, i.e. it reads as "some constant is not ...").  The search cuts a goal
already on the current path and memoises successes; a failure is memoised at
once only when no cut below it pointed above it, otherwise provisionally
until its round of search shows the assumption held (see ``_definitive``).
All state lives in one call.
"""

from __future__ import annotations

import functools
import itertools
import sys
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from logicsvc.provers.prooftree import ProofNode
from logicsvc.provers.result import Limits
from logicsvc.provers.rulebase import (
    GroundAtom,
    Lit,
    Rule,
    RuleBase,
)
from logicsvc.provers.rulebase import format_atom as _fmt
from logicsvc.syntax.ast import Const, Var

_T = TypeVar("_T")
_NO_CUT = sys.maxsize
_CLOCK_EVERY = 128


class Exhausted(Exception):
    """A limit was hit; the search stops and the call reports ``timeout``."""


class Budget:
    def __init__(self, limits: Limits, start: float) -> None:
        self.steps = 0
        self.limits = limits
        self.deadline = start + limits.timeout_s

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise Exhausted("max_steps")
        if self.steps % _CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise Exhausted("timeout_s")


Binding = dict[str, str]
_Found = tuple[Binding, list[tuple[int, ProofNode]]]
"""A satisfied body: the binding and a proof per literal (by body position)."""
_Options = Iterator[tuple[Binding, int, "ProofNode | None", int]]


def _match(
    pattern: tuple[Var | Const, ...], ground: tuple[str, ...], binding: Binding
) -> Binding | None:
    """``binding`` extended so that ``pattern`` matches ``ground``, or None."""
    if len(pattern) != len(ground):
        return None
    out = dict(binding)
    for term, value in zip(pattern, ground, strict=True):
        name = out.setdefault(term.name, value) if isinstance(term, Var) else term.name
        if name != value:
            return None
    return out


def _pin(
    args: tuple[Var | Const, ...], head: tuple[Var | Const, ...], binding: Binding
) -> Binding | None:
    """Bind the variables of ``args`` that face a constant of a rule head; None on a clash."""
    if len(args) != len(head):
        return None
    out = dict(binding)
    for term, fixed in zip(args, head, strict=True):
        if isinstance(fixed, Const):
            name = out.setdefault(term.name, fixed.name) if isinstance(term, Var) else term.name
            if name != fixed.name:
                return None
    return out


class Chainer:
    """The search over one fixed set of facts (premises plus any hypothesis)."""

    def __init__(
        self,
        base: RuleBase,
        budget: Budget,
        hypothesis: GroundAtom | None = None,
        *,
        stated_only: bool = False,
    ):
        self.base = base
        self.budget = budget
        self.stated_only = stated_only
        """Negation as failure against the stated facts alone (closed-stated)."""
        self.facts: dict[GroundAtom, int | None] = {}
        for fact in base.facts:
            if fact.positive:
                self.facts.setdefault(fact.atom, fact.premise)
        if hypothesis is not None:
            self.facts.setdefault(hypothesis, None)
        self.facts_by_pred: dict[str, list[GroundAtom]] = {}
        for atom in self.facts:
            self.facts_by_pred.setdefault(atom[0], []).append(atom)
        self.rules_by_pred: dict[str, list[Rule]] = {}
        for rule in base.rules:
            if rule.head.positive:
                self.rules_by_pred.setdefault(rule.head.pred, []).append(rule)
        self.proved: dict[GroundAtom, ProofNode] = {}
        self.failed: set[GroundAtom] = set()
        self.path: dict[GroundAtom, int] = {}
        self.provisional: set[GroundAtom] = set()
        """Failures that leaned on an assumption (a cut, or another provisional failure)."""
        self.assumed: set[GroundAtom] = set()
        """Goals cut as 'in progress' in this round: if one gets proved, redo the round."""

    def query(self, atom: GroundAtom, depth: int = 0) -> ProofNode | None:
        """A definitive answer for ``atom``: a proof, or None meaning underivable."""
        return self._definitive(lambda: self.solve(atom, depth))

    def _definitive(self, attempt: Callable[[], tuple[_T | None, int]]) -> _T | None:
        """Run ``attempt`` in rounds until its failures no longer rest on assumptions.

        Within a round a failure that met a cut is cached provisionally (so a
        cycle is searched once, not once per path); if no goal assumed false
        got proved, the failures form an unfounded set and become definitive.
        Otherwise the round is redone with the larger success memo; every redo
        proves a new atom, so the rounds are few.
        """
        outer = self.provisional, self.assumed
        try:
            while True:
                self.provisional, self.assumed = set(), set()
                found, _ = attempt()
                if found is not None:
                    return found
                if self.proved.keys().isdisjoint(self.assumed | self.provisional):
                    self.failed |= self.provisional
                    return None
        finally:
            self.provisional, self.assumed = outer

    def solve(self, atom: GroundAtom, depth: int) -> tuple[ProofNode | None, int]:
        """A proof of ``atom`` (or None) and the shallowest path depth its failure leaned on."""
        self.budget.tick()
        if (done := self.proved.get(atom)) is not None:
            return done, _NO_CUT
        if atom in self.failed:
            return None, _NO_CUT
        if atom in self.provisional:
            return None, -1
        if (on_path := self.path.get(atom)) is not None:
            self.assumed.add(atom)
            return None, on_path
        if depth > self.budget.limits.max_depth:
            raise Exhausted("max_depth")
        if atom in self.facts:
            premise = self.facts[atom]
            node = (
                ProofNode(_fmt(atom), "fact", premise)
                if premise is not None
                else ProofNode(f"assume {_fmt(atom)}", "hypothesis")
            )
            self.proved[atom] = node
            return node, _NO_CUT
        low = _NO_CUT
        self.path[atom] = depth
        try:
            for rule in self.rules_by_pred.get(atom[0], ()):
                binding = _match(rule.head.args, atom[1], {})
                if binding is None:
                    continue
                self.budget.tick()
                found, cut = self.body(rule.body, binding, depth + 1)
                low = min(low, cut)
                if found is not None:
                    node = ProofNode(
                        _fmt(atom), "rule", rule.premise, tuple(n for _, n in found[1])
                    )
                    self.proved[atom] = node
                    return node, _NO_CUT
        finally:
            del self.path[atom]
        # Only cuts to this goal or below: it is underivable (the classic loop-check argument).
        (self.failed if low >= depth else self.provisional).add(atom)
        return None, low

    def body(
        self, lits: tuple[Lit, ...], binding: Binding, depth: int
    ) -> tuple[_Found | None, int]:
        """Satisfy a conjunction, backtracking over bindings (iteratively, to spare the stack)."""
        low = _NO_CUT
        todo = tuple(enumerate(lits))
        Frame = tuple[tuple[tuple[int, Lit], ...], _Options, tuple[tuple[int, ProofNode], ...]]
        stack: list[Frame] = [(*self._choose(todo, binding, depth), ())]
        while stack:
            rest, options, proofs = stack[-1]
            step = next(options, None)
            if step is None:
                stack.pop()
                continue
            extended, index, node, cut = step
            low = min(low, cut)
            if node is None:
                continue
            done = (*proofs, (index, node))
            if not rest:
                return (extended, sorted(done, key=lambda p: p[0])), low
            stack.append((*self._choose(rest, extended, depth), done))
        return None, low

    def _choose(
        self, todo: tuple[tuple[int, Lit], ...], binding: Binding, depth: int
    ) -> tuple[tuple[tuple[int, Lit], ...], _Options]:
        """Pick the next literal: bound positives first, negations once their variables are set."""

        def cost(item: tuple[int, Lit]) -> int:
            unbound = len({v for v in item[1].variables() if v not in binding})
            return unbound + (0 if item[1].positive else 1000)

        pick = min(range(len(todo)), key=lambda i: cost(todo[i]))
        rest = todo[:pick] + todo[pick + 1 :]
        return rest, self._options(*todo[pick], binding, depth)

    def _options(self, index: int, lit: Lit, binding: Binding, depth: int) -> _Options:
        """Every attempt at one literal: its binding, proof (None = failed) and cut depth."""
        candidates = (
            self._candidates(lit, binding) if lit.positive else self._enumerate(lit, binding)
        )
        for extended in candidates:
            atom = lit.ground(extended)
            if lit.positive:
                yield extended, index, *self.solve(atom, depth)
            elif self.stated_only:
                if atom not in self.facts:
                    yield extended, index, ProofNode(f"not stated: {_fmt(atom)}", "naf"), _NO_CUT
            elif self.query(atom, depth) is None:
                # Stratified: this search cannot reach the path above, so it is self-contained.
                yield extended, index, ProofNode(f"not provable: {_fmt(atom)}", "naf"), _NO_CUT

    def _enumerate(self, lit: Lit, binding: Binding) -> Iterator[Binding]:
        unbound = list(dict.fromkeys(v for v in lit.variables() if v not in binding))
        for values in itertools.product(self.base.domain, repeat=len(unbound)):
            yield {**binding, **dict(zip(unbound, values, strict=True))}

    def _candidates(self, lit: Lit, binding: Binding) -> Iterator[Binding]:
        """Bindings that could make ``lit`` derivable: from facts, then from rule heads."""
        if all(v in binding for v in lit.variables()):
            yield binding
            return
        seen: set[GroundAtom] = set()
        facts = self.facts_by_pred.get(lit.pred, ())
        options: Iterator[Binding | None] = (_match(lit.args, a[1], binding) for a in facts)
        for rule in self.rules_by_pred.get(lit.pred, ()):
            # the head's constants pin what faces them; the rest ranges over the domain
            pinned = _pin(lit.args, rule.head.args, binding)
            if pinned is not None:
                options = itertools.chain(options, self._enumerate(lit, pinned))
        for extended in options:
            if extended is not None and (atom := lit.ground(extended)) not in seen:
                seen.add(atom)
                yield extended

    def refute(self) -> ProofNode | None:
        """A derivation of ``⊥``: a negative fact or negative-headed rule meets its atom."""
        for fact in self.base.facts:
            if not fact.positive:
                node = self.query(fact.atom)
                if node is not None:
                    neg = ProofNode(_fmt(fact.atom, False), "fact", fact.premise)
                    return ProofNode("⊥", "contradiction", None, (node, neg))
        for rule in self.base.rules:
            if rule.head.positive:
                continue
            clash = Lit(True, rule.head.pred, rule.head.args)
            lits = (*rule.body, clash)
            found = self._definitive(functools.partial(self.body, lits, {}, 0))
            if found is not None:
                binding, proofs = found
                neg = ProofNode(
                    _fmt(rule.head.ground(binding), False),
                    "rule",
                    rule.premise,
                    tuple(n for i, n in proofs if i < len(rule.body)),
                )
                return ProofNode("⊥", "contradiction", None, (proofs[-1][1], neg))
        return None

"""Deterministic synthetic rule bases (ProofWriter-like, Horn) for benchmarks."""

from __future__ import annotations

import random

from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Formula,
    Not,
    Op,
    Problem,
    Quantified,
    Quantifier,
    Var,
)

PEOPLE = ["anne", "bob", "charlie", "dave", "erin", "fiona"]
ADJECTIVES = ["big", "red", "kind", "cold", "rough", "young", "quiet", "smart", "blue", "nice",
              "green", "round", "white", "furry", "tall", "sad"]  # fmt: skip


def rule_base(seed: int, n_facts: int = 12, n_rules: int = 14) -> Problem:
    """Facts about people, rules ``∀x (A(x) ∧ B(x) → C(x))``, a ground query.

    Rules only point "forward" in the adjective list, so chains are deep (up to
    the list's length) but acyclic; some heads are negated.
    """
    rng = random.Random(seed)
    x = Var("x")
    premises: list[Formula] = []
    for _ in range(n_facts):
        person = rng.choice(PEOPLE)
        premises.append(Atom(rng.choice(ADJECTIVES[:6]).title(), (Const(person),)))
    for _ in range(n_rules):
        head_index = rng.randrange(2, len(ADJECTIVES))
        body_preds = rng.sample(ADJECTIVES[:head_index], k=rng.choice([1, 2]))
        body: Formula = Atom(body_preds[0].title(), (x,))
        for pred in body_preds[1:]:
            body = Binary(Op.AND, body, Atom(pred.title(), (x,)))
        head: Formula = Atom(ADJECTIVES[head_index].title(), (x,))
        if rng.random() < 0.2:
            head = Not(head)
        premises.append(Quantified(Quantifier.ALL, "x", Binary(Op.IMPLIES, body, head)))
    query: Formula = Atom(rng.choice(ADJECTIVES[6:]).title(), (Const(rng.choice(PEOPLE)),))
    if rng.random() < 0.3:
        query = Not(query)
    return Problem.of(premises, query)

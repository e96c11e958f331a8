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


def rule_base(seed: int, n_facts: int = 14, n_rules: int = 16) -> Problem:
    """Facts about people, rules ``∀x (A(x) ∧ B(x) → C(x))``, a ground query.

    Rules only point "forward" in the adjective list, so chains are deep (up to
    the list's length) but acyclic.  The last three adjectives only ever occur
    as negated heads, which gives "false" answers without making the premises
    contradictory.  The query asks about a rule head, so most answers need a
    multi-step proof.
    """
    rng = random.Random(seed)
    x = Var("x")
    people = PEOPLE[:3]
    premises: list[Formula] = []
    for _ in range(n_facts):
        premises.append(Atom(rng.choice(ADJECTIVES[:5]).title(), (Const(rng.choice(people)),)))
    heads: list[str] = []
    for _ in range(n_rules):
        negative = rng.random() < 0.25
        head_index = rng.randrange(
            len(ADJECTIVES) - 3 if negative else 3, len(ADJECTIVES) - 3 + 3 * negative
        )
        body_preds = rng.sample(ADJECTIVES[:head_index], k=rng.choice([1, 1, 2]))
        body: Formula = Atom(body_preds[0].title(), (x,))
        for pred in body_preds[1:]:
            body = Binary(Op.AND, body, Atom(pred.title(), (x,)))
        head: Formula = Atom(ADJECTIVES[head_index].title(), (x,))
        heads.append(ADJECTIVES[head_index])
        if negative:
            head = Not(head)
        premises.append(Quantified(Quantifier.ALL, "x", Binary(Op.IMPLIES, body, head)))
    query: Formula = Atom(rng.choice(heads).title(), (Const(rng.choice(people)),))
    if rng.random() < 0.3:
        query = Not(query)
    return Problem.of(premises, query)

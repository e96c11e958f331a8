"""Z3 against brute force: random problems whose answer a truth table (or a tiny model
enumeration) settles, checked for the verdict, the premises it says were used, and the
countermodel it renders.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from logicsvc.provers import z3_backend
from logicsvc.provers.result import Limits, Result
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Equals,
    Formula,
    Not,
    Op,
    Problem,
    Quantified,
    Quantifier,
    Term,
    Var,
)
from logicsvc.syntax.walk import atoms, constants

LIMITS = Limits(timeout_s=20)


@dataclass(frozen=True)
class Structure:
    """A finite interpretation: elements, constant denotations, true ground atoms."""

    domain: tuple[str, ...]
    constants: dict[str, str]
    true: frozenset[tuple[str, tuple[str, ...]]]


def evaluate(f: Formula, s: Structure, env: dict[str, str] | None = None) -> bool:
    env = env or {}

    def term(t: Term) -> str:
        return env[t.name] if isinstance(t, Var) else s.constants[t.name]

    if isinstance(f, Atom):
        return (f.pred, tuple(term(a) for a in f.args)) in s.true
    if isinstance(f, Equals):
        return term(f.left) == term(f.right)
    if isinstance(f, Not):
        return not evaluate(f.operand, s, env)
    if isinstance(f, Binary):
        left, right = evaluate(f.left, s, env), evaluate(f.right, s, env)
        return {
            Op.AND: left and right,
            Op.OR: left or right,
            Op.IMPLIES: not left or right,
            Op.XOR: left != right,
            Op.IFF: left == right,
        }[f.op]
    pick = all if f.quantifier is Quantifier.ALL else any
    return pick(evaluate(f.body, s, {**env, f.var: e}) for e in s.domain)


def expected(structures: Sequence[Structure], premises: Sequence[Formula], goal: Formula) -> str:
    """The answer the models of the premises among ``structures`` give."""
    models = [s for s in structures if all(evaluate(p, s) for p in premises)]
    if not models:
        return "contradictory_premises"
    truths = {evaluate(goal, s) for s in models}
    return {frozenset({True}): "true", frozenset({False}): "false"}.get(
        frozenset(truths), "unknown"
    )


def from_countermodel(model: dict[str, Any], formulas: Sequence[Formula]) -> Structure:
    """Read the rendered facts back into a structure, insisting they are complete."""
    names = set().union(*(constants(f) for f in formulas))
    preds = {a.pred for f in formulas for a in atoms(f)}
    alias = {b: a for a, b in (e.split(" = ") for e in model["equalities"])}
    true = set()
    for fact in model["facts"]:
        if not fact.startswith("¬"):
            name, _, rest = fact.partition("(")
            true.add((name, tuple(rest.removesuffix(")").split(", ")) if rest else ()))
    listed = {fact.removeprefix("¬").partition("(")[0] for fact in model["facts"]}
    assert not model["truncated"] and listed == preds
    denote = {n: alias.get(n, n) for n in names}
    assert set(denote.values()) <= set(model["domain"])
    return Structure(tuple(model["domain"]), denote, frozenset(true))


def check_against(
    structures: Sequence[Structure],
    premises: list[Formula],
    goal: Formula,
    *,
    may_give_up: bool = False,
) -> Result:
    result = z3_backend.prove(Problem.of(premises, goal), LIMITS)
    if may_give_up and result.verdict is None and result.status in ("timeout", "error"):
        # first-order logic is undecidable: Z3 may give up or run out, never answer wrongly;
        # such a case says nothing (rejected, not shrunk: each try costs the whole budget)
        assert result.status == "timeout" or result.error["code"] == "solver_gave_up", result
        assume(False)
    answer = expected(structures, premises, goal)
    assert (result.status if result.status != "ok" else result.verdict) == answer, result
    event(answer)
    used = [premises[i] for i in result.used_premises]
    if answer != "unknown":  # the core alone gives the answer, and no smaller part does
        assert expected(structures, used, goal) == answer
        for i in range(len(used)):
            assert expected(structures, used[:i] + used[i + 1 :], goal) != answer
    else:
        assert result.countermodel is not None and not used
        counter = from_countermodel(result.countermodel, [*premises, goal])
        assert all(evaluate(p, counter) for p in premises)
        assert not evaluate(goal, counter)
    return result


# --- propositional: every valuation is a row -------------------------------------------


def letters_of(formulas: Sequence[Formula]) -> set[str]:
    out: set[str] = set()
    stack = list(formulas)
    while stack:
        f = stack.pop()
        if isinstance(f, Atom):
            out.add(f.pred)
        elif isinstance(f, Not):
            stack.append(f.operand)
        elif isinstance(f, Binary):
            stack += [f.left, f.right]
    return out


def propositional(letters: Sequence[str]) -> st.SearchStrategy[Formula]:
    return st.recursive(
        st.sampled_from([Atom(letter) for letter in letters]),
        lambda sub: st.one_of(
            st.builds(Not, sub), st.builds(Binary, st.sampled_from(list(Op)), sub, sub)
        ),
        max_leaves=7,
    )


@st.composite
def propositional_problems(draw: st.DrawFn) -> tuple[list[Formula], Formula]:
    letters = "PQRS"[: draw(st.integers(3, 4))]
    formulas = propositional(letters)
    return draw(st.lists(formulas, min_size=1, max_size=3)), draw(formulas)


def rows(letters: Sequence[str]) -> Iterator[Structure]:
    for values in itertools.product((False, True), repeat=len(letters)):
        true = frozenset((p, ()) for p, on in zip(letters, values, strict=True) if on)
        yield Structure((), {}, true)


@settings(max_examples=200, deadline=None)
@given(propositional_problems())
def test_propositional_agrees_with_truth_tables(problem: tuple[list[Formula], Formula]) -> None:
    premises, goal = problem
    letters = sorted(letters_of([*premises, goal]))
    result = check_against(list(rows(letters)), premises, goal)
    if result.countermodel is not None:
        assert result.countermodel["domain"] == []


# --- monadic first order: two-element structures are enough -----------------------------
#
# Without equality, with one unary predicate P, a letter Q and constants a, b, every
# structure is elementarily equivalent to its quotient by "same P-value", which has at
# most two elements.  So enumerating the structures of size 1 and 2 decides entailment.


@st.composite
def monadic(draw: st.DrawFn, bound: tuple[str, ...] = (), depth: int = 3) -> Formula:
    kinds = ["atom", "not", "binary", "quantifier", "quantifier"] if depth else ["atom"]
    kind = draw(st.sampled_from(kinds))
    if kind == "atom":
        terms: list[Term] = [Const("a"), Const("b"), *(Var(x) for x in bound)]
        if draw(st.integers(0, 4)) == 0:
            return Atom("Q")
        return Atom("P", (draw(st.sampled_from(terms)),))
    if kind == "not":
        return Not(draw(monadic(bound, depth - 1)))
    if kind == "binary":
        op = draw(st.sampled_from(list(Op)))
        return Binary(op, draw(monadic(bound, depth - 1)), draw(monadic(bound, depth - 1)))
    var = draw(st.sampled_from(["x", "y"]))  # repeats give shadowing
    quantifier = draw(st.sampled_from(list(Quantifier)))
    return Quantified(quantifier, var, draw(monadic((*bound, var), depth - 1)))


def small_structures() -> Iterator[Structure]:
    for size in (1, 2):
        domain = tuple(f"d{i}" for i in range(size))
        for p_values, q, a, b in itertools.product(
            itertools.product((False, True), repeat=size), (False, True), domain, domain
        ):
            true: set[tuple[str, tuple[str, ...]]] = {
                ("P", (d,)) for d, on in zip(domain, p_values, strict=True) if on
            }
            true |= {("Q", ())} if q else set()
            yield Structure(domain, {"a": a, "b": b}, frozenset(true))


STRUCTURES = list(small_structures())


@settings(max_examples=200, deadline=None)
@given(st.lists(monadic(), min_size=1, max_size=3), monadic())
def test_monadic_first_order_agrees_with_model_enumeration(
    premises: list[Formula], goal: Formula
) -> None:
    check_against(STRUCTURES, premises, goal, may_give_up=True)

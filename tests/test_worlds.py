"""The ``explicit`` and ``closed-stated`` worlds at the backend level, on hand-built problems.

``explicit``: open world with explicit negation, rules fire forward only (no
contraposition): true if the literal is derived, false if its complement is,
contradictory_premises if both, else unknown.  ``closed-stated``: negation as
failure judged against the stated facts only.  A property test checks that on
negation-free rule bases all four worlds derive the same positive atoms.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logicsvc import provers
from logicsvc.errors import FragmentError
from logicsvc.load import load_problem
from logicsvc.provers import Backend, Result, World, backward
from logicsvc.syntax.ast import Atom, Binary, Const, Formula, Op, Problem, Quantified, Var
from logicsvc.syntax.ast import Quantifier as Q


def problem(premises: list[str], conclusion: str) -> Problem:
    text = "Premises:\n" + "\n".join(premises) + "\nConclusion:\n" + conclusion + "\n"
    return load_problem(text).problem


def prove(premises: list[str], conclusion: str, world: World, backend: Backend = "auto") -> Result:
    return provers.prove(problem(premises, conclusion), world=world, backend=backend)


def answer(premises: list[str], conclusion: str, world: World) -> tuple[str, str | None]:
    r = prove(premises, conclusion, world)
    return r.status, r.verdict


def nodes(result: Result) -> set[tuple[str, str, int | None]]:
    graph = backward.proof_graph(result)
    assert graph is not None
    return {(d["label"], d["kind"], d["premise"]) for _, d in graph.nodes(data=True)}


def root_label(result: Result) -> str:
    graph = backward.proof_graph(result)
    assert graph is not None
    return str(graph.nodes[graph.graph["root"]]["label"])


# --- explicit -----------------------------------------------------------------------

NEG_RULE = ["P(a)", "∀x (P(x) → ¬Q(x))"]


def test_explicit_true_from_a_negative_rule_head() -> None:
    r = prove(NEG_RULE, "¬Q(a)", "explicit")
    assert (r.status, r.verdict, r.backend) == ("ok", "true", "backward")
    assert r.used_premises == (0, 1)
    assert root_label(r) == "¬Q(a)"
    assert nodes(r) == {("P(a)", "fact", 0), ("¬Q(a)", "rule", 1)}


def test_explicit_false_when_the_complement_is_derived() -> None:
    r = prove(NEG_RULE, "Q(a)", "explicit")
    assert (r.status, r.verdict) == ("ok", "false")
    assert r.used_premises == (0, 1)
    assert root_label(r) == "¬Q(a)"


def test_explicit_false_from_a_stated_fact() -> None:
    r = prove(NEG_RULE, "¬P(a)", "explicit")
    assert (r.status, r.verdict, r.used_premises) == ("ok", "false", (0,))
    assert nodes(r) == {("P(a)", "fact", 0)}


def test_explicit_unknown_has_no_proof() -> None:
    r = prove(NEG_RULE, "Q(b)", "explicit")
    assert (r.status, r.verdict) == ("ok", "unknown")
    assert r.proof is None
    assert r.used_premises == ()


@pytest.mark.parametrize(
    ("premises", "conclusion", "open_verdict"),
    [
        (["∀x (P(x) → Q(x))", "¬Q(a)"], "¬P(a)", "true"),  # modus tollens
        (["∀x (P(x) → Q(x))", "¬Q(a)"], "P(a)", "false"),
        (["∀x (P(x) → ¬Q(x))", "Q(a)"], "¬P(a)", "true"),
        (["∀x (P(x) ∧ R(x) → Q(x))", "¬Q(a)", "R(a)"], "P(a)", "false"),
    ],
)
def test_no_contraposition_in_explicit(
    premises: list[str], conclusion: str, open_verdict: str
) -> None:
    assert answer(premises, conclusion, "open") == ("ok", open_verdict)
    assert answer(premises, conclusion, "explicit") == ("ok", "unknown")


def test_explicit_negated_condition_needs_a_stated_negation() -> None:
    rules = ["∀x (¬P(x) → Q(x))"]
    r = prove([*rules, "¬P(a)"], "Q(a)", "explicit")
    assert (r.verdict, r.used_premises) == ("true", (0, 1))
    assert nodes(r) == {("Q(a)", "rule", 0), ("¬P(a)", "fact", 1)}
    # not stated, not derived: no negation as failure in the open world
    assert answer([*rules, "R(a)"], "Q(a)", "explicit") == ("ok", "unknown")


def test_explicit_chains_through_negative_literals() -> None:
    premises = ["R(a)", "∀x (R(x) → ¬P(x))", "∀x (¬P(x) → ¬S(x))", "∀x (¬S(x) → T(x))"]
    r = prove(premises, "T(a)", "explicit")
    assert (r.verdict, r.used_premises) == ("true", (0, 1, 2, 3))
    assert answer(premises, "S(a)", "explicit") == ("ok", "false")
    assert answer(premises, "T(b)", "explicit") == ("ok", "unknown")


CLASH = ["P(a)", "∀x (P(x) → R(x))", "∀x (P(x) → ¬R(x))"]


@pytest.mark.parametrize("conclusion", ["R(a)", "¬R(a)"])
def test_explicit_contradictory_premises(conclusion: str) -> None:
    r = prove(CLASH, conclusion, "explicit")
    assert (r.status, r.verdict) == ("contradictory_premises", None)
    assert r.used_premises == (0, 1, 2)
    assert root_label(r) == "⊥"
    assert {("R(a)", "rule", 1), ("¬R(a)", "rule", 2), ("P(a)", "fact", 0)} <= nodes(r)


def test_explicit_contradiction_is_local_to_the_question() -> None:
    """ProofWriter's convention: a clash elsewhere does not touch this literal (open: it does)."""
    assert answer(CLASH, "P(a)", "explicit") == ("ok", "true")
    assert answer(CLASH, "S(a)", "explicit") == ("ok", "unknown")
    assert answer(CLASH, "S(a)", "open") == ("contradictory_premises", None)


def test_explicit_handles_cycles() -> None:
    premises = ["P(a)", "∀x (P(x) → Q(x))", "∀x (Q(x) → P(x))", "∀x (¬Q(x) → ¬P(x))"]
    assert answer(premises, "Q(a)", "explicit") == ("ok", "true")
    assert answer(premises, "Q(b)", "explicit") == ("ok", "unknown")


def test_explicit_relations_and_ground_rules() -> None:
    premises = [
        "Sees(bear, cat)",
        "See(bear, cat) → ¬Young(cat)",
        "Sees(bear, cat) → ¬Young(cat)",
        "∀x (Visits(x, cat) → Visits(cat, x))",
        "Visits(dog, cat)",
    ]
    r = prove(premises, "Young(cat)", "explicit")
    assert (r.verdict, r.used_premises) == ("false", (0, 2))
    assert answer(premises, "Visits(cat, dog)", "explicit") == ("ok", "true")
    assert answer(premises, "Visits(cat, bear)", "explicit") == ("ok", "unknown")


# --- closed-stated versus closed -----------------------------------------------------

DERIVED_NOT_STATED = ["K(a)", "∀x (K(x) → N(x))", "∀x (¬N(x) → S(x))"]


@pytest.mark.parametrize(
    ("conclusion", "closed", "closed_stated"),
    [
        ("S(a)", "false", "true"),  # N(a) is derivable but not stated
        ("¬S(a)", "true", "false"),
        ("N(a)", "true", "true"),  # the goal itself is judged by derivation in both
        ("¬N(a)", "false", "false"),
        ("K(a)", "true", "true"),
        ("S(b)", "true", "true"),  # b is in neither K nor N: ¬N(b) holds in both worlds
    ],
)
def test_closed_stated_versus_closed(conclusion: str, closed: str, closed_stated: str) -> None:
    assert answer(DERIVED_NOT_STATED, conclusion, "closed") == ("ok", closed)
    assert answer(DERIVED_NOT_STATED, conclusion, "closed-stated") == ("ok", closed_stated)


def test_closed_stated_proof_names_the_unstated_atom() -> None:
    r = prove(DERIVED_NOT_STATED, "S(a)", "closed-stated")
    assert r.used_premises == (2,)
    assert nodes(r) == {("S(a)", "rule", 2), ("not stated: N(a)", "naf", None)}
    closed = prove(DERIVED_NOT_STATED, "S(a)", "closed")
    assert nodes(closed) == {("not provable: S(a)", "naf", None)}
    assert closed.used_premises == ()


def test_closed_stated_agrees_with_closed_when_the_atom_is_stated() -> None:
    premises = ["K(a)", "N(a)", "∀x (K(x) → N(x))", "∀x (¬N(x) → S(x))"]
    for world in ("closed", "closed-stated"):
        assert answer(premises, "S(a)", world) == ("ok", "false")


NON_STRATIFIED = ["R(a)", "∀x (¬P(x) → Q(x))", "∀x (¬Q(x) → P(x))"]


def test_closed_rejects_a_non_stratified_program() -> None:
    with pytest.raises(FragmentError, match="not stratified"):
        prove(NON_STRATIFIED, "Q(a)", "closed")
    with pytest.raises(FragmentError, match="not stratified"):
        prove(NON_STRATIFIED, "Q(a)", "closed", backend="backward")


@pytest.mark.parametrize(("conclusion", "premise"), [("Q(a)", 1), ("P(a)", 2)])
def test_closed_stated_accepts_a_non_stratified_program(conclusion: str, premise: int) -> None:
    r = prove(NON_STRATIFIED, conclusion, "closed-stated")
    assert (r.status, r.verdict, r.used_premises) == ("ok", "true", (premise,))
    assert answer(NON_STRATIFIED, conclusion.replace("(a)", "(b)"), "closed-stated") == (
        "ok",
        "true",
    )
    assert answer(NON_STRATIFIED, "R(b)", "closed-stated") == ("ok", "false")


@pytest.mark.parametrize("world", ["closed", "closed-stated"])
@pytest.mark.parametrize(
    ("premises", "match"),
    [
        (["¬P(a)"], "negative fact"),
        (["P(a)", "∀x (P(x) → ¬Q(x))"], "cannot conclude a negation"),
    ],
)
def test_closed_worlds_reject_stated_negations(
    world: World, premises: list[str], match: str
) -> None:
    with pytest.raises(FragmentError, match=match):
        prove(premises, "Q(a)", world)


# --- backend choice ---------------------------------------------------------------


@pytest.mark.parametrize("world", ["explicit", "closed", "closed-stated"])
def test_z3_takes_only_the_open_world(world: World) -> None:
    with pytest.raises(FragmentError, match="backward chainer"):
        prove(["P(a)"], "P(a)", world, backend="z3")
    assert prove(["P(a)"], "P(a)", "open", backend="z3").verdict == "true"


@pytest.mark.parametrize("world", ["explicit", "closed", "closed-stated"])
@pytest.mark.parametrize(
    ("premises", "conclusion"),
    [
        (["P(a) ∨ Q(a)"], "P(a)"),
        (["∃x P(x)"], "P(a)"),
        (["P(a)"], "∃x P(x)"),
        (["P(a) ↔ Q(a)"], "Q(a)"),
    ],
)
def test_auto_outside_the_rule_fragment_raises(
    world: World, premises: list[str], conclusion: str
) -> None:
    with pytest.raises(FragmentError):
        prove(premises, conclusion, world, backend="auto")
    prove(premises, conclusion, "open", backend="auto")  # z3 takes it in the open world


def test_auto_picks_the_chainer_in_explicit() -> None:
    assert prove(NEG_RULE, "¬Q(a)", "explicit", backend="auto").backend == "backward"
    assert prove(NEG_RULE, "¬Q(a)", "explicit", backend="backward").verdict == "true"


# --- property: without negation the four worlds derive the same atoms --------------

CONSTANTS = ("a", "b", "c")
UNARY = ("P", "Q", "R")
VARIABLES = ("x", "y")

GAtom = tuple[str, tuple[str, ...]]
"""A generated atom; arguments in VARIABLES are variables."""


@dataclass(frozen=True)
class Case:
    facts: tuple[GAtom, ...]
    rules: tuple[tuple[tuple[GAtom, ...], GAtom], ...]

    def premises(self) -> list[Formula]:
        out: list[Formula] = [_atom(f) for f in self.facts]
        for body, head in self.rules:
            formula: Formula = _atom(body[0])
            for lit in body[1:]:
                formula = Binary(Op.AND, formula, _atom(lit))
            formula = Binary(Op.IMPLIES, formula, _atom(head))
            used = sorted({t for _, args in (*body, head) for t in args if t in VARIABLES})
            for v in reversed(used):
                formula = Quantified(Q.ALL, v, formula)
            out.append(formula)
        return out

    def least_model(self) -> set[GAtom]:
        """Bottom-up fixpoint over the ground instances: the reference."""
        model = set(self.facts)
        while True:
            new = set()
            for body, head in self.rules:
                used = sorted({t for _, args in body for t in args if t in VARIABLES})
                for values in itertools.product(CONSTANTS, repeat=len(used)):
                    env = dict(zip(used, values, strict=True))
                    if all(_ground(b, env) in model for b in body):
                        new.add(_ground(head, env))
            if new <= model:
                return model
            model |= new


def _ground(atom: GAtom, env: dict[str, str]) -> GAtom:
    return atom[0], tuple(env.get(t, t) for t in atom[1])


def _atom(atom: GAtom) -> Atom:
    return Atom(atom[0], tuple(Var(t) if t in VARIABLES else Const(t) for t in atom[1]))


def _atoms(terms: tuple[str, ...]) -> st.SearchStrategy[GAtom]:
    term = st.sampled_from(terms)
    unary = st.tuples(st.sampled_from(UNARY), st.tuples(term))
    binary = st.tuples(st.just("Rel"), st.tuples(term, term))
    return st.one_of(unary, unary, binary)


@st.composite
def _rule(draw: st.DrawFn) -> tuple[tuple[GAtom, ...], GAtom]:
    # variables weighted up, so that rules fire often
    body = tuple(draw(st.lists(_atoms(("a", *VARIABLES, "x")), min_size=1, max_size=2)))
    body_vars = tuple(sorted({t for _, args in body for t in args if t in VARIABLES}))
    head = draw(_atoms(CONSTANTS + body_vars))  # range-restricted
    return body, head


CASES = st.builds(
    Case,
    st.lists(_atoms(CONSTANTS), min_size=1, max_size=6).map(tuple),
    st.lists(_rule(), max_size=6).map(tuple),
)
ALL_ATOMS = [(p, (c,)) for p in UNARY for c in CONSTANTS] + [
    ("Rel", pair) for pair in itertools.product(CONSTANTS, repeat=2)
]
NOT_DERIVED = {
    "open": "unknown",
    "explicit": "unknown",
    "closed": "false",
    "closed-stated": "false",
    "complete": "false",  # the explicit world under ¬P ← not P
}


@settings(max_examples=120, deadline=None)
@given(CASES)
def test_negation_free_worlds_agree(case: Case) -> None:
    premises = case.premises()
    model = case.least_model()
    for goal in ALL_ATOMS:
        p = Problem.of(premises, _atom(goal))
        verdicts = {w: provers.prove(p, world=w) for w in provers.WORLDS}
        for world, r in verdicts.items():
            assert r.status == "ok", (world, goal)
            assert r.backend == "backward", (world, goal)
        if verdicts["open"].verdict == "true":
            assert goal in model
            for world, r in verdicts.items():
                assert r.verdict == "true", (world, goal)
                assert r.used_premises == verdicts["open"].used_premises, (world, goal)
        else:
            assert goal not in model
            for world, r in verdicts.items():
                assert r.verdict == NOT_DERIVED[world], (world, goal)

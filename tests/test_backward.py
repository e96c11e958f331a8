"""The backward chainer: verdicts in both worlds, loops, limits, fragment checks, proofs."""

from __future__ import annotations

import json
from collections.abc import Sequence

import networkx as nx
import pytest

from logicsvc.errors import FragmentError
from logicsvc.provers import backward
from logicsvc.provers.result import Limits, Result, World
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
    Var,
)


def A(pred: str, *args: str) -> Atom:
    """``A("Sees", "?x", "bob")``: names starting with ``?`` are variables."""
    return Atom(pred, tuple(Var(a[1:]) if a.startswith("?") else Const(a) for a in args))


def conj(*fs: Formula) -> Formula:
    out = fs[0]
    for f in fs[1:]:
        out = Binary(Op.AND, out, f)
    return out


def rule(body: Formula, head: Formula, *variables: str) -> Formula:
    out: Formula = Binary(Op.IMPLIES, body, head)
    for v in reversed(variables):
        out = Quantified(Quantifier.ALL, v, out)
    return out


def run(
    premises: Sequence[Formula],
    conclusion: Formula,
    world: World = "open",
    *,
    timeout_s: float = 10.0,
    max_depth: int = 200,
    max_steps: int = 1_000_000,
) -> Result:
    limits = Limits(timeout_s=timeout_s, max_depth=max_depth, max_steps=max_steps)
    return backward.prove(Problem.of(tuple(premises), conclusion), limits, world=world)


def answer(
    premises: Sequence[Formula], conclusion: Formula, world: World = "open"
) -> tuple[str, str | None]:
    r = run(premises, conclusion, world)
    return r.status, r.verdict


def labels(result: Result) -> dict[str, str]:
    graph = backward.proof_graph(result)
    assert graph is not None
    return {data["label"]: data["kind"] for _, data in graph.nodes(data=True)}


# --- verdicts -------------------------------------------------------------------

ANIMALS = [
    A("Cat", "tom"),
    rule(A("Cat", "?x"), A("Animal", "?x"), "x"),
    rule(conj(A("Animal", "?x"), A("Furry", "?x")), A("Cute", "?x"), "x"),
    A("Furry", "tom"),
]


@pytest.mark.parametrize("world", ["open", "closed"])
def test_facts_and_rules(world: World) -> None:
    r = run(ANIMALS, A("Cute", "tom"), world)
    assert (r.status, r.verdict, r.backend) == ("ok", "true", "backward")
    assert r.used_premises == (0, 1, 2, 3)
    assert r.stats["steps"] > 0


def test_multi_hop_chain_depth_seven() -> None:
    premises: list[Formula] = [A("P0", "a")]
    premises += [rule(A(f"P{i}", "?x"), A(f"P{i + 1}", "?x"), "x") for i in range(7)]
    r = run(premises, A("P7", "a"))
    assert r.verdict == "true"
    assert r.used_premises == tuple(range(8))
    graph = backward.proof_graph(r)
    assert graph is not None
    assert nx.dag_longest_path_length(graph) == 7
    assert run(premises, A("P7", "b")).verdict == "unknown"
    assert run(premises, A("P7", "b"), "closed").verdict == "false"
    # a depth limit below the chain stops the search instead of guessing
    assert run(premises, A("P7", "a"), max_depth=4).status == "timeout"


def test_relation_with_body_variables() -> None:
    chase = rule(conj(A("Sees", "?x", "?y"), A("Big", "?y")), A("Chases", "?x", "?y"), "x", "y")
    brave = rule(conj(A("Sees", "?x", "?y"), A("Big", "?y")), A("Brave", "?x"), "x", "y")
    facts = [A("Sees", "ann", "bob"), A("Sees", "ann", "cat"), A("Big", "cat")]
    assert answer([chase, *facts], A("Chases", "ann", "cat")) == ("ok", "true")
    assert answer([chase, *facts], A("Chases", "ann", "bob")) == ("ok", "unknown")
    r = run([brave, *facts], A("Brave", "ann"))  # y bound by matching, not by the head
    assert r.verdict == "true"
    assert r.used_premises == (0, 2, 3)
    assert {"Sees(ann, cat)", "Big(cat)"} <= labels(r).keys()
    assert answer([brave, *facts], A("Brave", "bob")) == ("ok", "unknown")


def test_body_variable_bound_through_a_derived_atom() -> None:
    premises = [
        A("Parent", "ann", "bob"),
        A("Parent", "bob", "cy"),
        rule(A("Parent", "?x", "?y"), A("Anc", "?x", "?y"), "x", "y"),
        rule(conj(A("Anc", "?x", "?y"), A("Anc", "?y", "?z")), A("Anc", "?x", "?z"), "x", "y", "z"),
        rule(A("Anc", "?x", "?z"), A("Elder", "?x"), "x", "z"),
    ]
    assert answer(premises, A("Anc", "ann", "cy")) == ("ok", "true")
    assert answer(premises, A("Anc", "cy", "ann")) == ("ok", "unknown")
    assert answer(premises, A("Elder", "bob")) == ("ok", "true")
    assert answer(premises, A("Elder", "cy"), "closed") == ("ok", "false")


def test_negative_facts_in_the_open_world() -> None:
    premises: list[Formula] = [Not(A("Red", "bob")), A("Big", "bob")]
    assert answer(premises, Not(A("Red", "bob"))) == ("ok", "true")
    assert answer(premises, A("Red", "bob")) == ("ok", "false")
    assert answer(premises, A("Blue", "bob")) == ("ok", "unknown")
    assert answer(premises, Not(A("Blue", "bob"))) == ("ok", "unknown")
    r = run([A("Red", "bob"), *premises], A("Blue", "bob"))
    assert (r.status, r.verdict) == ("contradictory_premises", None)
    assert r.used_premises == (0, 1)


def test_negative_heads_in_the_open_world() -> None:
    premises = [rule(A("Big", "?x"), Not(A("Small", "?x")), "x"), A("Big", "a")]
    assert answer(premises, Not(A("Small", "a"))) == ("ok", "true")
    assert answer(premises, A("Small", "a")) == ("ok", "false")
    assert answer(premises, A("Small", "b")) == ("ok", "unknown")
    r = run([*premises, A("Small", "a")], A("Small", "b"))
    assert r.status == "contradictory_premises"
    assert r.used_premises == (0, 1, 2)
    assert labels(r)["¬Small(a)"] == "rule"


def test_contraposition() -> None:
    premises = [rule(A("P", "?x"), A("Q", "?x"), "x"), Not(A("Q", "a"))]
    r = run(premises, Not(A("P", "a")))
    assert (r.status, r.verdict) == ("ok", "true")
    assert r.used_premises == (0, 1)
    assert labels(r) == {
        "¬P(a)": "contradiction",
        "⊥": "contradiction",
        "Q(a)": "rule",
        "¬Q(a)": "fact",
        "assume P(a)": "hypothesis",
    }
    assert answer(premises, A("P", "a")) == ("ok", "false")
    assert answer(premises, A("P", "b")) == ("ok", "unknown")


def test_closed_and_open_world_differ_on_absence() -> None:
    premises = [A("Red", "bob")]
    assert answer(premises, A("Blue", "bob"), "open") == ("ok", "unknown")
    assert answer(premises, A("Blue", "bob"), "closed") == ("ok", "false")
    assert answer(premises, Not(A("Blue", "bob")), "closed") == ("ok", "true")
    assert answer(premises, Not(A("Red", "bob")), "closed") == ("ok", "false")


def test_negation_as_failure() -> None:
    premises = [
        A("Cat", "tom"),
        A("Big", "rex"),
        A("Cat", "rex"),
        rule(conj(A("Cat", "?x"), Not(A("Big", "?x"))), A("Small", "?x"), "x"),
        rule(Not(A("Small", "?x")), A("Large", "?x"), "x"),  # x only under negation
    ]
    r = run(premises, A("Small", "tom"), "closed")
    assert r.verdict == "true"
    assert labels(r)["not provable: Big(tom)"] == "naf"
    assert r.used_premises == (0, 3)
    assert answer(premises, A("Small", "rex"), "closed") == ("ok", "false")
    assert answer(premises, A("Large", "rex"), "closed") == ("ok", "true")
    assert answer(premises, A("Large", "tom"), "closed") == ("ok", "false")
    with pytest.raises(FragmentError, match=r"premise 4: negated condition in open world; use z3"):
        run(premises, A("Small", "tom"), "open")


# --- loops ----------------------------------------------------------------------


def test_loop_with_an_exit_is_proved_both_ways_round() -> None:
    premises = [rule(A("B"), A("A")), rule(A("A"), A("B")), rule(A("C"), A("A")), A("C")]
    assert answer(premises, A("B")) == ("ok", "true")
    assert answer(premises, A("A")) == ("ok", "true")
    # E needs A first (which cuts B in the cycle), then B: a cached failure of B would lose it
    e_rule = rule(conj(A("A"), A("B")), A("E"))
    for world in ("open", "closed"):
        r = run([*premises, e_rule], A("E"), world)
        assert r.verdict == "true"
        assert r.used_premises == (1, 2, 3, 4)  # A from C, then B from A


def test_pure_cycle_terminates_with_unknown() -> None:
    premises = [
        rule(A("P", "?x"), A("Q", "?x"), "x"),
        rule(A("Q", "?x"), A("P", "?x"), "x"),
        rule(conj(A("R", "?x", "?y"), A("P", "?y")), A("P", "?x"), "x", "y"),
        A("R", "a", "b"),
        A("R", "b", "a"),
    ]
    # terminates (and with a small step count: no exponential re-search of the cycle)
    assert answer(premises, A("P", "a")) == ("ok", "unknown")
    assert answer(premises, A("Q", "b"), "closed") == ("ok", "false")
    assert run(premises, A("P", "a")).stats["steps"] < 1_000


def test_large_transitive_closure_fails_fast() -> None:
    n = 25
    premises: list[Formula] = [A("R", f"c{i}", f"c{i + 1}") for i in range(n - 1)]
    trans = conj(A("R", "?x", "?y"), A("R", "?y", "?z"))
    premises.append(rule(trans, A("R", "?x", "?z"), "x", "y", "z"))
    assert answer(premises, A("R", "c0", f"c{n - 1}")) == ("ok", "true")
    r = run(premises, A("R", f"c{n - 1}", "c0"), max_steps=100_000)
    assert (r.status, r.verdict) == ("ok", "unknown")


# --- limits ---------------------------------------------------------------------


def test_tiny_step_budget_times_out_without_a_verdict() -> None:
    premises: list[Formula] = [A("P0", "a")]
    premises += [rule(A(f"P{i}", "?x"), A(f"P{i + 1}", "?x"), "x") for i in range(10)]
    r = run(premises, A("P10", "a"), max_steps=5)
    assert (r.status, r.verdict, r.proof) == ("timeout", None, None)
    assert r.stats["steps"] == 6
    assert r.stats["limit"] == "max_steps"
    assert run(premises, A("P10", "a"), max_steps=100).verdict == "true"


def test_wall_clock_budget_times_out() -> None:
    """Four body-only variables over 30 constants: far more work than 50 ms allows."""
    consts = [f"c{i}" for i in range(30)]
    body = conj(*(A("S", f"?x{i}") for i in range(4)), A("Never", "?x0", "?x1", "?x2", "?x3"))
    premises = [
        *(A("T", c) for c in consts),
        rule(A("T", "?x"), A("S", "?x"), "x"),
        rule(body, A("Goal"), "x0", "x1", "x2", "x3"),
    ]
    r = run(premises, A("Goal"), timeout_s=0.05)
    assert (r.status, r.stats["limit"]) == ("timeout", "timeout_s")


def test_calls_share_no_state() -> None:
    premises = [rule(A("B"), A("A")), rule(A("A"), A("B"))]
    first = run(premises, A("A"))
    assert run([*premises, A("B")], A("A")).verdict == "true"
    assert run(premises, A("A")).stats == first.stats


# --- fragment -------------------------------------------------------------------

x, y = Var("x"), Var("y")
BAD_PREMISES = [
    (Binary(Op.OR, A("P", "a"), A("Q", "a")), "disjunction"),
    (Binary(Op.XOR, A("P", "a"), A("Q", "a")), "exclusive or"),
    (Binary(Op.IFF, A("P", "a"), A("Q", "a")), "biconditional"),
    (Quantified(Quantifier.EXISTS, "x", A("P", "?x")), "existential"),
    (rule(A("P", "?x"), rule(A("Q", "?x"), A("R", "?x")), "x"), "nested implication"),
    (rule(rule(A("P", "?x"), A("Q", "?x")), A("R", "?x"), "x"), "nested implication"),
    (Equals(Const("a"), Const("b")), "equality"),
    (rule(conj(A("P", "?x"), Equals(x, Const("a"))), A("Q", "?x"), "x"), "equality"),
    (rule(A("P", "?x"), A("R", "?x", "?y"), "x", "y"), "variable y of R is not in any condition"),
    (Quantified(Quantifier.ALL, "x", A("P", "?x")), "not range-restricted"),
    (Not(conj(A("P", "a"), A("Q", "a"))), "negation of a conjunction"),
    (Not(Not(A("P", "a"))), "double negation"),
    (rule(A("P", "?x"), Binary(Op.OR, A("Q", "?x"), A("R", "?x")), "x"), "disjunction"),
    (rule(A("P", "?x"), Quantified(Quantifier.ALL, "y", A("R", "?x", "?y")), "x"), "quantifier"),
    (A("P", "?x"), "free variable x"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_PREMISES)
@pytest.mark.parametrize("world", ["open", "closed"])
def test_fragment_rejections_name_premise_and_reason(
    bad: Formula, reason: str, world: World
) -> None:
    with pytest.raises(FragmentError, match=reason) as info:
        run([A("P", "a"), bad], A("P", "a"), world)
    assert info.value.code == "outside_fragment"
    assert info.value.message.startswith("premise 2 ")  # 1-based: the second


@pytest.mark.parametrize(
    "conclusion",
    [
        Binary(Op.OR, A("P", "a"), A("Q", "a")),
        A("P", "?x"),
        Quantified(Quantifier.ALL, "x", A("P", "?x")),
    ],
)
def test_conclusion_must_be_a_ground_literal(conclusion: Formula) -> None:
    with pytest.raises(FragmentError, match="conclusion must be a ground literal"):
        run([A("P", "a")], conclusion)


def test_closed_world_rejections() -> None:
    with pytest.raises(FragmentError, match=r"premise 2: negative fact ¬Q\(a\)"):
        run([A("P", "a"), Not(A("Q", "a"))], A("P", "a"), "closed")
    with pytest.raises(FragmentError, match=r"premise 1: a rule cannot conclude a negation"):
        run([rule(A("P", "?x"), Not(A("Q", "?x")), "x"), A("P", "a")], A("P", "a"), "closed")


@pytest.mark.parametrize(
    "premises",
    [
        [rule(Not(A("Q", "?x")), A("P", "?x"), "x"), rule(Not(A("P", "?x")), A("Q", "?x"), "x")],
        [A("R", "a"), rule(conj(A("R", "?x"), Not(A("P", "?x"))), A("P", "?x"), "x")],
        [
            rule(A("Q", "?x"), A("P", "?x"), "x"),
            rule(Not(A("P", "?x")), A("S", "?x"), "x"),
            rule(A("S", "?x"), A("Q", "?x"), "x"),
        ],
    ],
)
def test_unstratified_program_is_rejected_before_search(premises: list[Formula]) -> None:
    with pytest.raises(FragmentError, match="not stratified"):
        run([A("R", "a"), *premises], A("P", "a"), "closed")
    # negation through a lower stratum only is fine
    ok = [A("R", "a"), rule(conj(A("R", "?x"), Not(A("T", "?x"))), A("P", "?x"), "x")]
    assert answer(ok, A("P", "a"), "closed") == ("ok", "true")


def test_conjunctions_split_and_keep_their_premise_index() -> None:
    premises = [
        conj(A("Red", "a"), A("Big", "a")),
        rule(A("Big", "?x"), conj(A("Heavy", "?x"), Not(A("Light", "?x"))), "x"),
        conj(rule(A("Heavy", "?x"), A("Slow", "?x"), "x"), A("Wet", "a")),
    ]
    r = run(premises, A("Slow", "a"))
    assert r.verdict == "true"
    assert r.used_premises == (0, 1, 2)
    r = run(premises, A("Light", "a"))
    assert r.verdict == "false"
    assert r.used_premises == (0, 1)


# --- proofs ---------------------------------------------------------------------


def test_proof_tree_shape_and_json() -> None:
    r = run(ANIMALS, A("Cute", "tom"))
    assert r.proof is not None
    text = json.dumps(r.to_dict())
    assert json.loads(text)["proof"]["root"] == "n0"
    graph = backward.proof_graph(r)
    assert graph is not None
    assert graph.graph["root"] == "n0"
    root = graph.nodes["n0"]
    assert (root["label"], root["kind"], root["premise"]) == ("Cute(tom)", "rule", 2)
    children = {graph.nodes[c]["label"]: graph.nodes[c]["premise"] for c in graph.successors("n0")}
    assert children == {"Animal(tom)": 1, "Furry(tom)": 3}
    assert nx.is_directed_acyclic_graph(graph)
    assert all(graph.out_degree(n) == 0 for n, k in graph.nodes(data="kind") if k == "fact")


def test_false_and_unknown_proofs() -> None:
    r = run([A("Red", "bob")], A("Blue", "bob"), "closed")
    assert r.proof is not None
    assert r.proof["nodes"] == [
        {"id": "n0", "label": "not provable: Blue(bob)", "kind": "naf", "premise": None}
    ]
    assert r.used_premises == ()
    r = run([A("Red", "bob")], A("Blue", "bob"), "open")
    assert (r.verdict, r.proof, r.used_premises) == ("unknown", None, ())
    r = run([A("Red", "bob")], Not(A("Red", "bob")), "open")
    assert r.verdict == "false"
    assert labels(r) == {"Red(bob)": "fact"}

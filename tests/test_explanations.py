"""Every ``unknown`` is explained, every Z3 verdict the chainer can replay has a proof.

The chainer's open-world countermodel (its derived model) is checked as Z3's are:
each premise holds in it and the conclusion does not.
"""

from __future__ import annotations

from hypothesis import given, settings

from logicsvc import provers
from logicsvc.load import load_formulas
from logicsvc.provers import backward
from logicsvc.provers.result import Limits
from tests.test_backends_agree import Case, cases
from tests.test_z3_backend import assert_countermodel

LIMITS = Limits(timeout_s=30)


def _prove(premises: list[str], conclusion: str, **kw: str) -> provers.Result:
    problem = load_formulas(premises, conclusion).problem
    return provers.prove(problem, LIMITS, **kw)  # type: ignore[arg-type]


def test_affirming_the_consequent_is_unknown_with_the_derived_model() -> None:
    premises = ["Rich(bob) → Happy(bob)", "Happy(bob)"]
    result = _prove(premises, "Rich(bob)", backend="backward")
    assert (result.verdict, result.backend) == ("unknown", "backward")
    assert result.countermodel is not None
    assert result.countermodel["facts"] == ["Happy(bob)", "¬Rich(bob)"]
    problem = load_formulas(premises, "Rich(bob)").problem
    assert_countermodel(list(problem.premise_formulas), problem.conclusion.formula, result)


def test_a_negated_goal_is_refuted_by_a_model_where_its_atom_holds() -> None:
    premises = ["∀x (Man(x) → Mortal(x))", "Man(socrates)"]
    result = _prove(premises, "¬God(socrates)", backend="backward")
    assert result.verdict == "unknown" and result.countermodel is not None
    assert "God(socrates)" in result.countermodel["facts"]
    problem = load_formulas(premises, "¬God(socrates)").problem
    assert_countermodel(list(problem.premise_formulas), problem.conclusion.formula, result)


def test_explicit_world_unknown_lists_the_undetermined_atoms() -> None:
    result = _prove(["∀x (P(x) → Q(x))", "P(a)", "¬R(b)"], "Q(b)", world="explicit")
    assert result.verdict == "unknown" and result.countermodel is not None
    assert "Q(b)" in result.countermodel["undetermined"]
    assert {"P(a)", "Q(a)", "¬R(b)"} <= set(result.countermodel["facts"])
    assert "Q(b)" not in result.countermodel["facts"]


@settings(max_examples=60, deadline=None)
@given(cases())
def test_every_open_world_unknown_has_a_countermodel(case: Case) -> None:
    problem = case.problem()
    result = backward.prove(problem, LIMITS, world="open")
    if result.verdict != "unknown":
        assert result.countermodel is None
        return
    assert result.countermodel is not None
    assert_countermodel(list(problem.premise_formulas), problem.conclusion.formula, result)


def test_z3_verdict_comes_with_the_chainers_proof_of_its_premises() -> None:
    # the disjunction puts the whole problem outside the chainer; the premises Z3 used do not
    premises = ["Man(socrates) ∨ God(socrates)", "∀x (Man(x) → Mortal(x))", "Man(socrates)"]
    result = _prove(premises, "Mortal(socrates)")
    assert (result.verdict, result.backend, result.used_premises) == ("true", "z3", (1, 2))
    assert result.proof is not None
    used = {n["premise"] for n in result.proof["nodes"]}
    assert used == {1, 2}


def test_z3_verdict_without_a_rule_base_proof_keeps_its_premises() -> None:
    premises = ["Man(socrates) ∨ God(socrates)", "¬God(socrates)"]
    result = _prove(premises, "Man(socrates)")
    assert (result.verdict, result.used_premises, result.proof) == ("true", (0, 1), None)

"""Semantic checks: typed errors with codes and spans for what the grammar cannot see."""

from __future__ import annotations

import pytest

from logicsvc.errors import SemanticError
from logicsvc.load import load_problem


def _check(premises: list[str], conclusion: str = "Q(a)") -> None:
    text = "Premises:\n" + "\n".join(premises) + "\nConclusion:\n" + conclusion + "\n"
    load_problem(text)


@pytest.mark.parametrize(
    ("premises", "conclusion", "code", "line"),
    [
        (["P(a)", "∀x (P(x, x) → Q(x))"], "Q(a)", "arity_mismatch", 3),
        (["P(a) → Q(y)"], "Q(a)", "free_variable", 2),
        (["∀x P(x) ∧ Q(x)"], "Q(a)", "free_variable", 2),
        (["P(a)"], "∃x P(x) ∧ Q(x)", "free_variable", 4),
        (["P(Q)", "Q(a)"], "Q(a)", "name_clash", 2),
    ],
)
def test_semantic_errors_have_code_and_span(
    premises: list[str], conclusion: str, code: str, line: int
) -> None:
    with pytest.raises(SemanticError) as info:
        _check(premises, conclusion)
    err = info.value
    assert err.code == code
    assert err.span is not None and err.span.line == line
    assert err.context is not None and "^" in err.context


def test_empty_and_multiple_conclusions() -> None:
    with pytest.raises(SemanticError) as info:
        load_problem("Premises:\nP(a)\nConclusion:\n")
    assert info.value.code == "empty_conclusion"
    assert info.value.span is not None and info.value.span.line == 3
    with pytest.raises(SemanticError) as info:
        load_problem("Premises:\nP(a)\nConclusion:\nP(a)\nQ(a)\n")
    assert info.value.code == "multiple_conclusions"
    assert info.value.span is not None and info.value.span.line == 5


def test_declared_arity_is_enforced_and_undeclared_predicates_warned() -> None:
    text = "Predicates:\nLikes(x, y)\nPremises:\nLikes(a)\nConclusion:\nLikes(a)\n"
    with pytest.raises(SemanticError) as info:
        load_problem(text)
    assert info.value.code == "arity_mismatch" and "declared" in info.value.message
    ok = "Predicates:\nLikes(x, y)\nPremises:\nLikes(a, b)\nConclusion:\nHappy(a)\n"
    assert load_problem(ok).warnings == ("predicates used but not declared in Predicates: Happy",)


def test_constants_that_do_not_look_like_variables_are_fine() -> None:
    _check(["Year(y2028)", "Grade(a)", "∀x (Grade(x) → Pass(x))"], "Pass(a)")


def test_absurd_nesting_is_an_input_error_not_a_crash() -> None:
    from logicsvc.errors import InputError
    from logicsvc.load import load_formulas

    with pytest.raises(InputError) as info:
        load_formulas(["¬" * 20_000 + "P(a)"], "P(a)", lenient=True)
    assert info.value.code == "too_deep"
    with pytest.raises(InputError):
        load_problem("Premises:\n" + "¬" * 20_000 + "P(a)\nConclusion:\nP(a)\n")
    # Deep parentheses alone build no deep tree: they parse fine.
    deep = "Premises:\n" + "(" * 5000 + "P(a)" + ")" * 5000 + "\nConclusion:\nP(a)\n"
    assert (
        load_problem(deep).problem.premises[0].formula
        == load_problem("Premises:\nP(a)\nConclusion:\nP(a)\n").problem.premises[0].formula
    )


DEEP_SHAPES = {
    "negations": lambda n: "¬" * (n - 1) + "P(a)",
    "implications": lambda n: " → ".join(["P(a)"] * n),
    "conjunctions": lambda n: " ∧ ".join(["P(a)"] * n),
    "quantifiers": lambda n: "".join(f"∀x{i} " for i in range(n - 1)) + "P(a)",
}


@pytest.mark.parametrize("shape", DEEP_SHAPES)
def test_every_stage_takes_what_the_depth_bound_lets_through(shape: str) -> None:
    """At the bound a problem is proved, printed and pickled (to a prover worker); past it
    it is refused up front. Parsing alone took 450 levels, then pickling crashed (a 500)."""
    import pickle

    from logicsvc import provers
    from logicsvc.checks import MAX_DEPTH
    from logicsvc.errors import FragmentError, InputError
    from logicsvc.load import load_formulas
    from logicsvc.syntax import problem_to_dsl, problem_to_tptp

    make = DEEP_SHAPES[shape]
    problem = load_formulas([make(MAX_DEPTH)], "P(a)", lenient=True).problem
    assert pickle.loads(pickle.dumps(problem)) == problem
    assert problem_to_dsl(problem) and problem_to_tptp(problem)
    for backend in provers.BACKENDS:
        try:
            assert provers.prove(problem, backend=backend).status == "ok"
        except FragmentError:  # the backward chainer refuses what is not a rule: typed, fine
            assert backend == "backward"
    with pytest.raises(InputError, match=f"the limit is {MAX_DEPTH}") as refused:
        load_formulas([make(MAX_DEPTH + 1)], "P(a)", lenient=True)
    assert refused.value.code == "too_deep"
    with pytest.raises(InputError, match=r"^premise 2 nests"):  # counted as read
        load_formulas(["P(a)", make(MAX_DEPTH + 1)], "P(a)", lenient=True)


def test_the_controlled_translator_refuses_a_sentence_nested_past_the_bound() -> None:
    from logicsvc.errors import InputError
    from logicsvc.translate.controlled import ControlledEnglishTranslator

    sentence = "Bob is " + " and ".join(f"c{i}" for i in range(440)) + "."
    with pytest.raises(InputError) as refused:
        ControlledEnglishTranslator().translate([sentence], "Bob is c1.")
    assert refused.value.code == "too_deep"

"""parse ∘ print is the identity on ASTs (hypothesis), in Unicode and via ASCII input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from logicsvc.load import load_problem
from logicsvc.syntax import parse_formula, parse_program, problem_to_dsl, to_dsl
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
    Statement,
    Term,
    Var,
)

PREDICATES = ["P", "Q", "Likes", "Anti-abortion", "R2"]
CONSTANTS = ["a", "bonnie", "l-2021", "y2028", "c_1"]
VARIABLES = ["x", "y", "z"]


def formulas(bound: tuple[str, ...] = (), depth: int = 0) -> st.SearchStrategy[Formula]:
    def term() -> st.SearchStrategy[Term]:
        consts = st.sampled_from(CONSTANTS).map(Const)
        if not bound:
            return consts
        return st.one_of(consts, st.sampled_from(bound).map(Var))

    atom = st.builds(
        lambda p, args: Atom(p, tuple(args)),
        st.sampled_from(PREDICATES),
        st.lists(term(), min_size=0, max_size=3),
    )
    equals = st.builds(Equals, term(), term())
    leaves = st.one_of(atom, atom, equals)
    if depth >= 4:
        return leaves
    sub = st.deferred(lambda: formulas(bound, depth + 1))
    quantified = st.sampled_from(VARIABLES).flatmap(
        lambda v: st.builds(
            Quantified,
            st.sampled_from(list(Quantifier)),
            st.just(v),
            formulas((*bound, v), depth + 1),
        )
    )
    return st.one_of(
        leaves,
        st.builds(Not, sub),
        st.builds(Binary, st.sampled_from(list(Op)), sub, sub),
        quantified,
    )


ASCII = {"∀": "forall ", "∃": "exists ", "¬": "~", "∧": "&", "∨": "|", "⊕": "xor",
         "→": "->", "↔": "<->", "≠": "!="}  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(formulas())
def test_print_then_parse_is_identity(formula: Formula) -> None:
    text = to_dsl(formula)
    assert parse_formula(text)[0] == formula
    ascii_text = text
    for symbol, word in ASCII.items():
        ascii_text = ascii_text.replace(symbol, f" {word} ")
    assert parse_formula(ascii_text)[0] == formula


@settings(max_examples=100, deadline=None)
@given(st.lists(formulas(), min_size=1, max_size=4), formulas(), st.booleans())
def test_problem_files_round_trip(
    premises: list[Formula], conclusion: Formula, gloss: bool
) -> None:
    problem = Problem(
        tuple(Statement(f, f"gloss {i}" if gloss else None) for i, f in enumerate(premises)),
        Statement(conclusion),
    )
    program = parse_program(problem_to_dsl(problem)).program
    assert program.premises == problem.premises
    assert program.conclusions == (problem.conclusion,)


def test_round_trip_keeps_declarations() -> None:
    text = "Predicates:\nLikes(x, y) ::: x likes y\nP\nPremises:\nLikes(a, b)\nConclusion:\nP\n"
    problem = load_problem(text).problem
    assert problem_to_dsl(problem) == text

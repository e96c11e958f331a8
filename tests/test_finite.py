"""The finite-domain backend (model listing) against Z3 on real programs and random ground
puzzles (hypothesis), and its edges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logicsvc.errors import FragmentError, LogicsvcError
from logicsvc.load import load_task
from logicsvc.provers import Limits, choice, finite
from logicsvc.syntax.ast import (
    Arith,
    ArithOp,
    Binary,
    ChoiceProblem,
    Compare,
    CompareOp,
    Const,
    Distinct,
    Equals,
    Formula,
    FunctionDecl,
    Not,
    Op,
    Option,
    Question,
    QuestionKind,
    Signature,
    SortDecl,
    Statement,
)
from logicsvc.translate.formats import load_choice_program

LOGICLM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"

PUZZLE = """Sorts:
Position = 1..3
Functions:
a : Position
b : Position
c : Position
Premises:
distinct(a, b, c)
a < b
{extra}Question: {kind}
Options:
A) a = 1
B) b = 1
C) c = 1 ∨ a + 2 = b
"""


def puzzle(kind: str = "must be true", extra: str = "") -> ChoiceProblem:
    text = PUZZLE.format(kind=kind, extra=extra)
    problem = load_task(text).problem
    assert isinstance(problem, ChoiceProblem)
    return problem


def test_models_answer_every_kind_as_z3_does() -> None:
    kinds = ["must be true", "could be true", "cannot be true", "must be true except"]
    for kind in kinds:
        for extra in ("", "c = 3\n"):
            mine, z3s = finite.choose(puzzle(kind, extra)), choice.choose(puzzle(kind, extra))
            assert mine.backend == "finite"
            assert (mine.status, mine.selected) == (z3s.status, z3s.selected), kind
            for m, z in zip(mine.options, z3s.options, strict=True):
                # Z3 runs only the check the kind reads: what it knows must agree
                assert z.entailed is None or z.entailed == m.entailed, kind
                assert z.possible is None or z.possible == m.possible, kind


def test_the_answer_names_its_premises_and_a_possible_option_its_witness() -> None:
    result = finite.choose(puzzle(extra="c = 3\n"))
    assert result.answer == "A" and result.options[0].used_premises == (0, 1, 2)
    could = finite.choose(puzzle("could be true except"))
    assert could.status == "ok" and could.answer == "B"
    witness = could.options[0].model
    assert witness is not None and "a = 1" in witness["assignments"]
    contradictory = finite.choose(puzzle(extra="c = 3\nb = 3\n"))
    assert contradictory.status == "contradictory_premises"
    assert contradictory.used_premises == (0, 2, 3)


def test_predicates_and_functions_with_arguments_are_left_to_z3() -> None:
    text = PUZZLE.format(kind="must be true", extra="").replace(
        "Premises:", "Predicates:\nP(Position)\nPremises:"
    )
    with pytest.raises(FragmentError):
        finite.choose(load_task(text).problem)  # type: ignore[arg-type]


def test_a_search_past_its_time_is_a_timeout() -> None:
    names = [f"p{i}" for i in range(12)]
    text = "Sorts:\nN = 1..12\nFunctions:\n" + "".join(f"{n} : N\n" for n in names)
    text += "Premises:\n" + f"distinct({', '.join(names)})\n"
    text += "Question: must be true\nOptions:\nA) p0 + p1 = 30\n"  # never: every model is listed
    result = finite.choose(load_task(text).problem, Limits(timeout_s=0.01))  # type: ignore[arg-type]
    assert result.status == "timeout" and result.answer is None


def test_same_answers_as_z3_on_gpt4s_logical_deduction_programs() -> None:
    path = LOGICLM / "LogicalDeduction_dev-A_gpt-4.json"
    if not path.is_file():
        pytest.skip(f"{path} not found beside the repository")
    checked = 0
    for item in json.loads(path.read_text(encoding="utf-8"))[:40]:
        try:
            _, loaded = load_choice_program(
                item["raw_logic_programs"][0], question=item["question"], lenient=True
            )
        except LogicsvcError:
            continue
        problem = loaded.problem
        if not finite.accepts(problem):
            continue
        mine, z3s = finite.choose(problem), choice.choose(problem)
        assert (mine.status, mine.selected) == (z3s.status, z3s.selected), item["id"]
        for m, z in zip(mine.options, z3s.options, strict=True):
            # Z3 runs only the check the kind reads: what it knows must agree
            assert z.entailed is None or z.entailed == m.entailed, item["id"]
            assert z.possible is None or z.possible == m.possible, item["id"]
        checked += 1
    assert checked >= 30


def test_problems_with_many_constants_are_left_to_z3() -> None:
    names = [f"p{i}" for i in range(finite.MAX_CONSTANTS + 1)]
    text = "Sorts:\nN = 1..2\nFunctions:\n" + "".join(f"{n} : N\n" for n in names)
    text += "Premises:\np0 = 1\nQuestion: must be true\nOptions:\nA) p0 = 1\n"
    assert not finite.accepts(load_task(text).problem)  # type: ignore[arg-type]


# Random ground puzzles: a, b, c of N = 1..3 and k of S = {red, blue}.
SIGNATURE = Signature(
    (SortDecl("N", low=1, high=3), SortDecl("S", ("red", "blue"))),
    (*(FunctionDecl(n, (), "N") for n in ("a", "b", "c")), FunctionDecl("k", (), "S")),
)
N_TERMS = st.recursive(
    st.sampled_from([Const(n) for n in ("a", "b", "c", "0", "1", "2", "3")]),
    lambda inner: st.builds(Arith, st.sampled_from([ArithOp.ADD, ArithOp.SUB]), inner, inner),
    max_leaves=3,
)
S_TERMS = st.sampled_from([Const("k"), Const("red"), Const("blue")])
ATOMS = st.one_of(
    st.builds(Compare, st.sampled_from(list(CompareOp)), N_TERMS, N_TERMS),
    st.builds(Equals, N_TERMS, N_TERMS),
    st.builds(Equals, S_TERMS, S_TERMS),
    st.builds(lambda ts: Distinct(tuple(ts)), st.lists(N_TERMS, min_size=2, max_size=3)),
)
FORMULAS = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.builds(Not, inner), st.builds(Binary, st.sampled_from(list(Op)), inner, inner)
    ),
    max_leaves=4,
)
KINDS = [k for k in QuestionKind if k is not QuestionKind.ACCURATE_LIST]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(FORMULAS, min_size=1, max_size=3),
    st.lists(FORMULAS, min_size=1, max_size=4),
    st.sampled_from(KINDS),
)
def test_listing_models_decides_as_z3_does(
    premises: list[Formula], options: list[Formula], kind: QuestionKind
) -> None:
    question = Question(kind, tuple(Option("ABCD"[i], (f,)) for i, f in enumerate(options)))
    problem = ChoiceProblem(tuple(Statement(p) for p in premises), question, (), SIGNATURE)
    mine, z3s = finite.choose(problem), choice.choose(problem)
    assert (mine.status, mine.selected) == (z3s.status, z3s.selected)
    for m, z in zip(mine.options, z3s.options, strict=True):
        # Z3 runs only the check the kind reads: what it knows must agree
        assert z.entailed is None or z.entailed == m.entailed
        assert z.possible is None or z.possible == m.possible

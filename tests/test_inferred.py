"""The checks' sort inference handed to the encoder (issue 18, round 3): the typing it
carries must be the one the encoder would infer itself, dict order included (the encoder
declares in that order where it does not sort), on every problem the checks make."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from logicsvc.errors import LogicsvcError
from logicsvc.load import load_formulas, load_problem
from logicsvc.provers import Limits, z3_backend
from logicsvc.syntax.ast import Problem, Statement
from logicsvc.syntax.inferred import typing_of
from logicsvc.syntax.sorts import Typing, infer
from logicsvc.translate.formats import to_dsl_program

TYPED = [
    # quantifiers the inference sorts (x: Person, y: Level), so the checks elaborate them
    """Sorts:
Person = {ann, bob}
Level = 1..5
Functions:
level(Person) : Level
Premises:
∀x (level(x) > 2 → Tall(x))
level(ann) = 3
∃y (y > 1 ∧ Rated(bob, y))
Conclusion:
Tall(ann)
""",
    """Sorts:
Position = 1..3
Functions:
a : Position
b : Position
c : Position
Premises:
distinct(a, b, c)
a < b
∀p (p = a ∨ p = b ∨ p = c ∨ p > 3)
Conclusion:
c = 1 ∨ a + 2 = b
""",
    """Premises:
∀x (Cost(x, y) ∧ y > 9 → Expensive(x))
Cost(gre, 300)
Year(2022)
Conclusion:
Expensive(gre)
""",
]


def _as_ordered(typing: Typing) -> tuple[object, ...]:
    return tuple(list(getattr(typing, f.name).items()) for f in dataclasses.fields(Typing))


def _recorded(shared_datasets: Path) -> Iterator[tuple[str, Problem]]:
    for path in sorted((shared_datasets / "llm_programs" / "logiclm").glob("*.json")):
        for item in json.loads(path.read_text("utf-8")):
            for lenient in (False, True):
                try:
                    text = to_dsl_program(item["raw_logic_programs"][0], lenient=lenient)[1]
                    problem = load_problem(text, lenient=lenient).problem
                except (LogicsvcError, LookupError, TypeError):
                    continue
                yield f"{path.name} {item['id']} lenient={lenient}", problem
    gold = shared_datasets / "folio" / "folio-validation-A.jsonl"
    for line in gold.read_text("utf-8").splitlines():
        item = json.loads(line)
        try:
            checked = load_formulas(item["premises-FOL"], item["conclusion-FOL"], lenient=True)
        except LogicsvcError:
            continue
        yield f"gold {item.get('id')}", checked.problem


def _check(where: str, problem: Problem) -> None:
    formulas = (*problem.premise_formulas, problem.conclusion.formula)
    assert problem.inferred is not None, where
    carried = problem.inferred.typing_for(formulas, problem.signature, problem.predicates)
    assert carried is problem.inferred.typing, where
    again = infer(formulas, problem.signature, problem.predicates).typing
    assert _as_ordered(carried) == _as_ordered(again), where


def test_the_carried_typing_is_the_encoders_own_on_every_recorded_problem(
    shared_datasets: Path,
) -> None:
    seen = 0
    for where, problem in _recorded(shared_datasets):
        _check(where, problem)
        seen += 1
    assert seen > 1500


@pytest.mark.parametrize("text", TYPED)
def test_the_carried_typing_is_the_encoders_own_on_typed_programs(text: str) -> None:
    problem = load_problem(text, lenient=True).problem
    _check("typed", problem)
    assert problem.inferred is not None and problem.inferred.typing.typed


def test_a_problem_with_other_formulas_infers_again() -> None:
    problem = load_problem(TYPED[0]).problem
    assert problem.inferred is not None
    other = dataclasses.replace(problem, premises=problem.premises[:-1])
    formulas = (*other.premise_formulas, other.conclusion.formula)
    assert problem.inferred.typing_for(formulas, other.signature, other.predicates) is None
    # an equal formula that is another object is not taken on trust either
    copy = Statement(dataclasses.replace(problem.conclusion.formula))
    same = dataclasses.replace(problem, conclusion=copy)
    formulas = (*same.premise_formulas, same.conclusion.formula)
    assert problem.inferred.typing_for(formulas, same.signature, same.predicates) is None
    fresh = typing_of(formulas, same.signature, same.predicates, same.inferred)
    assert fresh is not problem.inferred.typing
    assert _as_ordered(fresh) == _as_ordered(problem.inferred.typing)


@pytest.mark.parametrize("text", TYPED)
def test_proving_with_the_carried_typing_answers_as_without_it(text: str) -> None:
    problem = load_problem(text, lenient=True).problem
    bare = dataclasses.replace(problem, inferred=None)
    limits = Limits()
    with_it, without = z3_backend.prove(problem, limits), z3_backend.prove(bare, limits)
    assert with_it.verdict == without.verdict and with_it.status == without.status
    assert with_it.used_premises == without.used_premises
    assert with_it.countermodel == without.countermodel

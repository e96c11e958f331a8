"""Z3 decides in one context per thread, reused across problems (issue 18): nothing of
one problem may reach the next, every limit counts from the call's own start, and an
explanation is the one a fresh context gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import z3

from logicsvc import provers
from logicsvc.errors import LogicsvcError
from logicsvc.load import load_formulas, load_problem, load_task
from logicsvc.provers import Limits, Result, World, z3_backend
from logicsvc.provers.z3_contexts import shared_context
from logicsvc.syntax.ast import ChoiceProblem, Problem
from logicsvc.translate.formats import to_dsl_program
from tests.threads import in_new_thread

# The same names again and again, with another arity or sort each time.
PROGRAMS = [
    # P unary, a and b plain names: true
    """Predicates:
P(x)
Q(x)
Premises:
∀x (P(x) → Q(x))
P(a)
Conclusion:
Q(a)
""",
    # P binary: P(a) above must not make P(a, b) anything
    """Predicates:
P(x, y)
Premises:
P(b, a)
Conclusion:
P(a, b)
""",
    # P and Q propositional letters
    """Predicates:
P
Q
Premises:
P → Q
¬Q
Conclusion:
P
""",
    # a and b values of a finite sort, P over that sort: a ≠ b here, unlike above
    """Sorts:
Kid = {a, b}
Predicates:
P(Kid)
Premises:
P(a)
∀k:Kid (P(k) → k = a)
Conclusion:
P(b)
""",
    # a an integer-valued constant, f a function: Int arguments here
    """Sorts:
Slot = 1..3
Functions:
f(Slot) : Slot
a : Slot
Premises:
f(1) = 2
a = f(1)
Conclusion:
a > 1
""",
    # f and a as plain names again, a unary P
    """Predicates:
P(x)
Premises:
P(a)
a = b
Conclusion:
P(b)
""",
]
EXPECTED = [("ok", "true"), ("ok", "unknown"), ("ok", "false"), ("ok", "false")]
EXPECTED += [("ok", "true"), ("ok", "true")]


def _problems() -> list[Problem]:
    return [load_problem(text).problem for text in PROGRAMS]


def _fresh_contexts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The old way: a fresh context for every call."""
    monkeypatch.setattr(z3_backend, "shared_context", z3.Context)


def _plain(result: Result) -> dict[str, Any]:
    out = result.to_dict()
    del out["elapsed_ms"]
    return out


def test_names_redeclared_with_another_arity_or_sort_in_the_next_problem() -> None:
    problems = _problems()
    results = [provers.prove(p, backend="z3") for p in problems * 3]  # one thread, in turn
    assert [(r.status, r.verdict) for r in results] == EXPECTED * 3
    alone = [in_new_thread(lambda p=p: provers.prove(p, backend="z3")) for p in problems]
    assert [_plain(r) for r in results] == [_plain(r) for r in alone] * 3


def test_the_same_answers_as_a_fresh_context_for_each_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problems = _problems()
    shared = [_plain(provers.prove(p, backend="z3")) for p in problems]
    _fresh_contexts(monkeypatch)
    assert shared == [_plain(provers.prove(p, backend="z3")) for p in problems]


def _folio_gold(datasets: Path) -> Iterator[Problem]:
    path = datasets / "folio" / "folio-validation-A.jsonl"
    if not path.is_file():
        pytest.skip("FOLIO validation-A not found")
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        yield load_formulas(item["premises-FOL"], item["conclusion-FOL"], lenient=True).problem


def test_folio_gold_explained_as_in_a_fresh_context_whatever_came_before(
    shared_datasets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Z3's model depends on its context's history; the countermodel it is asked for must
    not: it is the one a fresh context gives, in any order of problems."""
    problems = list(_folio_gold(shared_datasets))
    forward = [_plain(provers.prove(p, backend="z3")) for p in problems]
    backward = [_plain(provers.prove(p, backend="z3")) for p in reversed(problems)][::-1]
    _fresh_contexts(monkeypatch)
    fresh = [_plain(provers.prove(p, backend="z3")) for p in problems]
    assert forward == fresh and backward == fresh
    assert sum(r["verdict"] == "unknown" and bool(r["countermodel"]) for r in fresh) >= 20


def _recorded(datasets: Path, name: str) -> Iterator[Problem]:
    path = datasets / "llm_programs" / "logiclm" / name
    if not path.is_file():
        pytest.skip(f"{name} not found")
    for item in json.loads(path.read_text(encoding="utf-8"))[:120]:  # parsing is the cost
        try:
            _, dsl, _ = to_dsl_program(item["raw_logic_programs"][0], lenient=True)
            yield load_problem(dsl, lenient=True).problem
        except LogicsvcError:
            continue


def _explain_false_leaves_out_only_explanations(problems: Iterator[Problem], world: World) -> None:
    explained = 0
    for problem in problems:
        full = provers.prove(problem, world=world)
        bare = provers.prove(problem, world=world, explain=False)
        explained += full.countermodel is not None or full.proof is not None
        assert _plain(bare) == {**_plain(full), "countermodel": None, "proof": None}
    assert explained >= 20


def test_explain_false_leaves_out_only_explanations_folio_gold(shared_datasets: Path) -> None:
    """Auto: the chainer, Z3 and Z3's verdicts replayed by the chainer (their used
    premises are the replayed proof's, tree or no tree)."""
    _explain_false_leaves_out_only_explanations(_folio_gold(shared_datasets), "open")


@pytest.mark.parametrize(
    ("name", "world"),
    [("FOLIO_dev-A_gpt-4.json", "open"), ("ProofWriter_dev-A_gpt-4.json", "explicit")],
)
def test_explain_false_leaves_out_only_explanations_recorded(
    shared_datasets: Path, name: str, world: World
) -> None:
    _explain_false_leaves_out_only_explanations(_recorded(shared_datasets, name), world)


def test_resource_units_count_from_each_call_not_from_the_context() -> None:
    """Z3 counts units per context; a call's limit must not see what earlier calls spent."""
    problem = _problems()[0]
    first = in_new_thread(lambda: provers.prove(problem, backend="z3"))  # a new context
    spent = first.stats["rlimit_used"]
    assert spent > 0
    tight = Limits(rlimit=spent * 3)
    again = [provers.prove(problem, tight, backend="z3") for _ in range(20)]
    assert {(r.status, r.verdict, r.warnings) for r in again} == {("ok", "true", ())}
    assert max(r.stats["rlimit_used"] for r in again) < spent * 3


def test_choice_resource_units_count_from_each_call() -> None:
    text = """Sorts:
Kid = {ann, bob, cid}
Seat = 1..3
Functions:
seat(Kid) : Seat
Premises:
distinct(seat(ann), seat(bob), seat(cid))
seat(ann) < seat(bob)
seat(bob) < seat(cid)
Question: must be true
Options:
A) seat(ann) = 1
B) seat(bob) = 3
"""
    problem = load_task(text).problem
    assert isinstance(problem, ChoiceProblem)
    from logicsvc.provers import choice

    first = in_new_thread(lambda: choice.choose(problem))  # a new context
    assert first.answer == "A"
    tight = Limits(rlimit=first.stats["rlimit_used"] * 3)
    assert {choice.choose(problem, tight).answer for _ in range(20)} == {"A"}


# A strict order without a last element: only infinite models, so Z3's search spins.
SPIN = """Predicates:
Lt(x, y)
Premises:
∀x ∃y Lt(x, y)
∀x ¬Lt(x, x)
∀x ∀y ∀z (Lt(x, y) ∧ Lt(y, z) → Lt(x, z))
Conclusion:
P(a)
"""


def test_a_timeout_leaves_the_next_problem_a_context_fit_for_it() -> None:
    """The watchdog stopped the check by ``Z3_interrupt``, which may leave the context
    cancelled (see ``z3_watchdog``): the next problem gets another."""
    spin = load_problem(SPIN, lenient=True).problem
    before = shared_context()
    stopped = provers.prove(spin, Limits(timeout_s=0.3), backend="z3")
    assert (stopped.status, stopped.verdict) == ("timeout", None)
    # Z3 names the phase it stopped in ("canceled"), as under its own timer; never the
    # watchdog's "interrupted"
    assert len(stopped.warnings) == 1 and stopped.warnings[0].startswith("z3 stopped: ")
    assert "interrupt" not in stopped.warnings[0]
    assert shared_context() is not before
    after = [provers.prove(p, backend="z3") for p in _problems()]
    assert [(r.status, r.verdict) for r in after] == EXPECTED


def test_a_z3_exception_drops_the_context(monkeypatch: pytest.MonkeyPatch) -> None:
    before = shared_context()

    def boom(solver: z3.Solver, assumptions: Any) -> Any:
        raise z3.Z3Exception("boom")

    with monkeypatch.context() as patch:
        patch.setattr(z3_backend, "_check", boom)
        failed = provers.prove(_problems()[0], backend="z3")
    assert failed.error == {"code": "prover_error", "message": "boom"}
    assert shared_context() is not before
    assert provers.prove(_problems()[0], backend="z3").verdict == "true"


def test_threads_keep_contexts_of_their_own() -> None:
    # kept alive while compared: a freed context's id may be reused by the next one
    contexts = [in_new_thread(shared_context) for _ in range(3)] + [shared_context()]
    assert len({id(ctx) for ctx in contexts}) == 4

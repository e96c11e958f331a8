"""Multiple-choice speed on Logic-LM's recorded GPT-4 programs (LogicalDeduction, AR-LSAT dev-A).

Run: ``pytest bench/test_bench_choice.py --benchmark-only``; figures go in BENCHMARKS.md.
Every problem is loaded once outside the timed part; one round decides every
option of every program that loads, each call with its own ``Limits`` (timeout
and resource limit), and the round asserts that none timed out or failed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logicsvc import provers
from logicsvc.errors import LogicsvcError
from logicsvc.provers import Limits
from logicsvc.syntax.ast import ChoiceProblem
from logicsvc.translate.formats import load_choice_program

LOGICLM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"
LIMITS = Limits(timeout_s=10.0)


def _problems(name: str) -> list[ChoiceProblem]:
    path = LOGICLM / f"{name}_dev-A_gpt-4.json"
    if not path.is_file():
        pytest.skip(f"{path} not found beside the repository")
    problems = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        try:
            _, checked = load_choice_program(
                item["raw_logic_programs"][0], question=item["question"], lenient=True
            )
        except LogicsvcError:
            continue  # the model's error: counted by eval programs, not timed here
        problems.append(checked.problem)
    return problems


def _solve_all(problems: list[ChoiceProblem]) -> list[str]:
    statuses = [provers.choose(p, LIMITS).status for p in problems]
    assert "timeout" not in statuses and "error" not in statuses
    return statuses


def test_logical_deduction_gpt4_all_options(benchmark) -> None:  # type: ignore[no-untyped-def]
    problems = _problems("LogicalDeduction")
    statuses = benchmark.pedantic(_solve_all, args=(problems,), rounds=3, warmup_rounds=1)
    assert len(statuses) == 136


def test_ar_lsat_gpt4_all_options(benchmark) -> None:  # type: ignore[no-untyped-def]
    problems = _problems("AR-LSAT")
    statuses = benchmark.pedantic(_solve_all, args=(problems,), rounds=3, warmup_rounds=1)
    assert len(statuses) == 63

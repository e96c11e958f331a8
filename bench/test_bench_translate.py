"""Controlled-English translation + proving of ProofWriter, against Z3 on the same programs.

Run: ``make bench``; figures go in BENCHMARKS.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from logicsvc import provers
from logicsvc.evaluation.items import NLItem, read_nl_items
from logicsvc.reasoning import reason
from logicsvc.translate.controlled import ControlledEnglishTranslator, _translate

TRAIN = (
    Path(__file__).resolve().parents[2] / "shared" / "datasets" / "proofwriter" / "logiclm"
) / "train.json"


def _items() -> list[NLItem]:
    if not TRAIN.is_file():
        pytest.skip("ProofWriter train.json not found beside the repository")
    return list(read_nl_items(TRAIN))


def test_translate_and_prove_proofwriter_train(benchmark) -> None:  # type: ignore[no-untyped-def]
    """All 3000 questions, cold sentence cache each round, explicit (ProofWriter) world."""
    items = _items()

    def run() -> int:
        _translate.cache_clear()
        translator = ControlledEnglishTranslator()
        correct = 0
        for item in items:
            outcome = reason(
                list(item.premises), item.conclusion, translator=translator, world="explicit"
            )
            correct += outcome.result.verdict == item.gold
        return correct

    correct = benchmark.pedantic(run, rounds=3, iterations=1)
    assert correct >= 0.995 * len(items)


def test_prove_proofwriter_train_with_z3(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Reference: the same translated programs proved by Z3 (classical open world)."""
    translator = ControlledEnglishTranslator()
    problems = []
    for item in _items():
        problem = translator.translate(list(item.premises), item.conclusion).problem
        assert problem is not None
        problems.append(problem)
    results = benchmark.pedantic(
        lambda: [provers.prove(p, backend="z3") for p in problems], rounds=1, iterations=1
    )
    assert all(r.status in ("ok", "contradictory_premises") for r in results)

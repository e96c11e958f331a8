"""LogicalDeduction offline: translate every puzzle and decide every option, against Z3.

Run: ``.venv/bin/python -m pytest bench/test_bench_ordering.py --benchmark-only``;
figures go in BENCHMARKS.md. One round is a whole set as ``eval logical-deduction``
runs it (read the items, translate with a cold sentence cache, decide with
``provers.choose``, which lists the models of these finite-domain puzzles); the Z3
case decides the same translated programs with :func:`provers.choice.choose`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from logicsvc.evaluation import offline
from logicsvc.evaluation.items import read_nl_items
from logicsvc.provers import Limits, choice
from logicsvc.syntax.ast import ChoiceProblem
from logicsvc.translate import ordering
from logicsvc.translate.ordering import OrderingTranslator

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "logical_deduction"


def _path(name: str) -> Path:
    path = DATA / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"{path} not found beside the repository")
    return path


@pytest.mark.parametrize(("name", "size"), [("train", 821), ("dev-A", 136)])
def test_translate_and_decide_logical_deduction(benchmark, name: str, size: int) -> None:  # type: ignore[no-untyped-def]
    path = _path(name)

    def run() -> int:
        ordering._parse.cache_clear()
        return int(offline.evaluate(path, choice=True).correct)

    correct = benchmark.pedantic(run, rounds=3, iterations=1)
    assert correct == size


def test_decide_dev_a_with_z3(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Reference: the same translated dev-A programs decided by Z3 (one round)."""
    problems: list[ChoiceProblem] = []
    for item in read_nl_items(_path("dev-A"), choice=True):
        translated = OrderingTranslator().translate(list(item.premises), item.conclusion).choice
        assert translated is not None
        problems.append(translated)
    limits = Limits(timeout_s=10.0)
    results = benchmark.pedantic(
        lambda: [choice.choose(p, limits) for p in problems], rounds=1, iterations=1
    )
    assert all(r.status == "ok" for r in results)

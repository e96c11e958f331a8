"""logicsvc against Logic-LM's solver stages (the anchors of issue 18), in one run.

Run: ``pytest bench/test_bench_anchors.py --benchmark-only
--benchmark-columns=min,median,max,rounds`` (needs ``pip install -e '.[anchors]'``;
each anchor skips without its packages). Each group pits ``programs.evaluate`` on a
recorded GPT-4 file against the anchor on the same file, both in process (stage only:
no interpreter start-up, imports done); the ratio of the two medians is the figure.
``bench/side_by_side.py`` measures the same whole-process too. Every round also checks
the answer counts, so a faster run that answers differently fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.anchors import missing, read_items, run_items
from logicsvc.evaluation import programs

PROGRAMS = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"
PROOFWRITER = PROGRAMS / "ProofWriter_dev-A_gpt-4.json"
FOLIO = PROGRAMS / "FOLIO_dev-A_gpt-4.json"


@pytest.fixture(autouse=True)
def _data() -> None:
    if not PROOFWRITER.is_file() or not FOLIO.is_file():
        pytest.skip("the recorded Logic-LM programs are not beside the repository")


def _anchor(route: str):  # type: ignore[no-untyped-def]
    if absent := missing(route):
        pytest.skip(f"the {route} anchor needs {', '.join(absent)} (pip install -e '.[anchors]')")
    if route == "pyke":
        from bench.anchors.pyke_route import PykeSolver

        return PykeSolver()
    from bench.anchors.prover9_route import Prover9Solver

    return Prover9Solver()


@pytest.mark.benchmark(group="ProofWriter dev-A, GPT-4 programs (267)")
def test_proofwriter_logicsvc(benchmark) -> None:  # type: ignore[no-untyped-def]
    def run() -> tuple[int, int]:
        tally = programs.evaluate(PROOFWRITER)
        return tally.executable, tally.correct

    assert benchmark.pedantic(run, rounds=5, warmup_rounds=1) == (267, 266)


@pytest.mark.benchmark(group="ProofWriter dev-A, GPT-4 programs (267)")
def test_proofwriter_anchor_pyke(benchmark) -> None:  # type: ignore[no-untyped-def]
    solve = _anchor("pyke")
    items, _ = read_items(PROOFWRITER)

    def run() -> tuple[int, int]:
        summary = run_items(items, solve)
        return summary.executed, summary.correct

    # Logic-LM's own code gives the same 262 run / 201 correct (BENCHMARKS.md)
    assert benchmark.pedantic(run, rounds=3, warmup_rounds=1) == (262, 201)


@pytest.mark.benchmark(group="FOLIO dev-A, GPT-4 programs (86)")
def test_folio_logicsvc(benchmark) -> None:  # type: ignore[no-untyped-def]
    def run() -> tuple[int, int]:
        tally = programs.evaluate(FOLIO)
        return tally.executable, tally.correct

    assert benchmark.pedantic(run, rounds=5, warmup_rounds=1) == (84, 63)


@pytest.mark.benchmark(group="FOLIO dev-A, GPT-4 programs (86)")
def test_folio_anchor_prover9(benchmark) -> None:  # type: ignore[no-untyped-def]
    solve = _anchor("prover9")
    items, _ = read_items(FOLIO)

    def run() -> tuple[int, int]:
        summary = run_items(items, solve)
        return summary.executed, summary.correct

    assert benchmark.pedantic(run, rounds=3, warmup_rounds=1) == (66, 55)

"""Issue 18, proving: a Z3 context per thread vs a fresh one per problem, explanations
on vs off, on Logic-LM's recorded GPT-4 programs (FOLIO and ProofWriter dev-A).

Run: ``.venv/bin/python -m pytest bench/test_bench_z3_context.py --benchmark-only -s``;
figures go in BENCHMARKS.md ("Issue 18 — proving"). Programs are loaded outside the
timed part. ``test_*_ratio`` alternate the old way and the new one round by round in
the same run and print the ratio of the medians (also in ``extra_info``); the answers of
both ways are asserted equal, never their times.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import z3

from bench.recorded import logiclm_problems
from logicsvc import provers
from logicsvc.provers import Limits, Result, World, z3_backend
from logicsvc.syntax.ast import Problem

LIMITS = Limits(timeout_s=10.0)
ROUNDS = 7


@contextmanager
def _fresh_contexts() -> Iterator[None]:
    """The way before issue 18: a new ``z3.Context`` for every call."""
    shared = z3_backend.shared_context
    z3_backend.shared_context = z3.Context
    try:
        yield
    finally:
        z3_backend.shared_context = shared


def _prove_all(problems: list[Problem], world: World, explain: bool) -> list[Result]:
    return [provers.prove(p, LIMITS, world=world, explain=explain) for p in problems]


def _old_folio(problems: list[Problem]) -> list[Result]:
    with _fresh_contexts():
        return _prove_all(problems, "open", explain=True)


def _answers(results: list[Result]) -> list[tuple[Any, ...]]:
    return [(r.status, r.verdict, r.used_premises) for r in results]


def _alternate(
    old: Callable[[], list[Result]], new: Callable[[], list[Result]]
) -> tuple[float, float]:
    """Median seconds of ``old`` and ``new``, run in turn so that load hits both alike."""
    assert _answers(old()) == _answers(new())  # same answers; also warms both up
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(ROUNDS):
        for key, run in (("old", old), ("new", new)):
            started = time.perf_counter()
            run()
            times[key].append(time.perf_counter() - started)
    return statistics.median(times["old"]), statistics.median(times["new"])


def _report(benchmark: Any, label: str, old: float, new: float) -> None:
    benchmark.extra_info.update(old_s=round(old, 4), new_s=round(new, 4), ratio=old / new)
    print(f"\n{label}: old {old * 1000:.1f} ms, new {new * 1000:.1f} ms, {old / new:.2f}x")


@pytest.mark.parametrize(
    ("way", "explain"),
    [("fresh-context", True), ("shared-context", True), ("shared-context", False)],
)
def test_prove_folio_gpt4(benchmark, way: str, explain: bool) -> None:  # type: ignore[no-untyped-def]
    problems = logiclm_problems("FOLIO")

    def run() -> list[Result]:
        if way == "fresh-context":
            return _old_folio(problems)
        return _prove_all(problems, "open", explain)

    results = benchmark.pedantic(run, rounds=ROUNDS, warmup_rounds=1)
    assert len(results) == 84 and all(r.status == "ok" for r in results)


def test_folio_gpt4_ratio(benchmark) -> None:  # type: ignore[no-untyped-def]
    """What ``eval programs`` gained on FOLIO: before, a fresh context and every
    explanation; now the shared context and none (it reads neither)."""
    problems = logiclm_problems("FOLIO")
    old, new = _alternate(
        lambda: _old_folio(problems), lambda: _prove_all(problems, "open", explain=False)
    )
    shared, _ = _alternate(
        lambda: _prove_all(problems, "open", explain=True),
        lambda: _prove_all(problems, "open", explain=False),
    )
    _report(benchmark, "FOLIO-84 eval (fresh+explain / shared, no explain)", old, new)
    _report(benchmark, "FOLIO-84 service (fresh / shared, both explain)", old, shared)
    benchmark.pedantic(lambda: _prove_all(problems, "open", explain=False), rounds=1)


def test_proofwriter_gpt4_ratio(benchmark) -> None:  # type: ignore[no-untyped-def]
    """The backward chainer (explicit world): derived models and proof trees only when
    asked for."""
    problems = logiclm_problems("ProofWriter")
    old, new = _alternate(
        lambda: _prove_all(problems, "explicit", explain=True),
        lambda: _prove_all(problems, "explicit", explain=False),
    )
    _report(benchmark, "ProofWriter-267 (explain / no explain)", old, new)
    benchmark.pedantic(lambda: _prove_all(problems, "explicit", explain=False), rounds=1)

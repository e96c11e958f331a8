"""Issue 18 (round 4): each check's deadline kept by the watchdog thread against Z3's own
per-check timer (its ``timeout`` parameter), on Logic-LM's recorded FOLIO programs.

Run: ``.venv/bin/python -m pytest bench/test_bench_z3_watchdog.py --benchmark-only -s``;
figures go in BENCHMARKS.md ("Issue 18 (round 4) — Z3's deadline by watchdog"). Both ways
run in the same process, alternating round by round, and the ratio of the medians is
printed (also in ``extra_info``), CPU and wall; the answers of both ways, warnings included,
are asserted equal, never their times.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import z3

from bench.recorded import logiclm_problems
from logicsvc.errors import InputError
from logicsvc.provers import Limits, Result, prove, z3_backend, z3_contexts
from logicsvc.provers.z3_raw import set_params
from logicsvc.syntax.ast import Problem
from scripts import explanation_snapshot as snap

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ("gpt-4", "gpt-3.5-turbo", "text-davinci-003")
LIMITS = Limits(timeout_s=10.0)
ROUNDS = 7


def _timer_check(
    solver: z3.Solver, assumptions: Sequence[z3.BoolRef], deadline: float, units: int
) -> tuple[str, bool]:
    """The check as before round 4: Z3's own timer, set to the time left, on every check."""
    timeout = min(2**32 - 1, max(1, int((deadline - time.monotonic()) * 1000)))
    set_params(solver, ("timeout", timeout), ("rlimit", min(2**32 - 1, units)))
    return z3_backend._check(solver, assumptions), False


@contextmanager
def _z3_timer() -> Iterator[None]:
    watchdog = z3_backend._bounded_check
    z3_backend._bounded_check = _timer_check
    try:
        yield
    finally:
        z3_backend._bounded_check = watchdog


def _prove_all(problems: list[Problem], explain: bool) -> list[Result]:
    return [z3_backend.prove(p, LIMITS, explain=explain) for p in problems]


def _timer(problems: list[Problem], explain: bool) -> list[Result]:
    with _z3_timer():
        return _prove_all(problems, explain)


def _answers(results: list[Result]) -> list[tuple[Any, ...]]:
    return [(r.status, r.verdict, r.used_premises, r.warnings, r.countermodel) for r in results]


def _alternate(
    old: Callable[[], list[Result]], new: Callable[[], list[Result]]
) -> dict[str, float]:
    """Median CPU and wall seconds of ``old`` and ``new``, run in turn so that load hits
    both alike."""
    assert _answers(old()) == _answers(new())  # same answers; also warms both up
    times: dict[str, list[float]] = {}
    for _ in range(ROUNDS):
        for key, run in (("old", old), ("new", new)):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            times.setdefault(f"{key}_cpu_s", []).append(time.process_time() - cpu)
            times.setdefault(f"{key}_wall_s", []).append(time.perf_counter() - wall)
    return {key: statistics.median(values) for key, values in times.items()}


def _report(benchmark: Any, label: str, t: dict[str, float]) -> None:
    cpu, wall = t["old_cpu_s"] / t["new_cpu_s"], t["old_wall_s"] / t["new_wall_s"]
    benchmark.extra_info.update({k: round(v, 4) for k, v in t.items()})
    benchmark.extra_info.update(cpu_ratio=cpu, wall_ratio=wall)
    print(
        f"\n{label}: Z3's timer {t['old_cpu_s'] * 1000:.1f} ms CPU "
        f"({t['old_wall_s'] * 1000:.1f} wall), watchdog {t['new_cpu_s'] * 1000:.1f} ms CPU "
        f"({t['new_wall_s'] * 1000:.1f} wall): {cpu:.2f}x CPU, {wall:.2f}x wall"
    )


@pytest.mark.parametrize("explain", [False, True])
def test_folio_watchdog_ratio(benchmark, explain: bool) -> None:  # type: ignore[no-untyped-def]
    """The three FOLIO recordings (245 programs the checks accept): as the evaluations
    prove them (no explanation) and as the service does (an unknown's countermodel)."""
    problems = logiclm_problems("FOLIO", RECORDINGS)
    t = _alternate(lambda: _timer(problems, explain), lambda: _prove_all(problems, explain))
    _report(benchmark, f"FOLIO-{len(problems)} explain={explain}", t)
    benchmark.pedantic(lambda: _prove_all(problems, explain), rounds=1)


def _worker_pass(timer: bool) -> tuple[list[str], float, float]:
    """FOLIO's gold problems through the ``/v1/prove`` worker's own job, its fresh context
    made ahead between requests as an idle worker does (untimed): bodies, on-clock seconds,
    CPU seconds of all threads."""
    if not snap.GOLD.is_file():
        pytest.skip(f"{snap.GOLD} not found beside the repository")
    requests = [text for _, text in snap.requests() if text.backend == "auto"]
    bodies, on_clock, cpu = [], 0.0, 0.0
    with _z3_timer() if timer else contextlib.nullcontext():
        for text in requests:
            z3_contexts.make_spare()
            z3_contexts.wait_spare()
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                answer: Any = snap.prove_text(text, snap.LIMITS, prove)
            except InputError as exc:
                answer = exc
            on_clock += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            bodies.append(snap.body(answer))
    return bodies, on_clock / len(requests), cpu / len(requests)


def test_gold_worker_watchdog_ratio(benchmark) -> None:  # type: ignore[no-untyped-def]
    """A request's time in the worker (FOLIO gold, the load test's mix), per request."""
    assert _worker_pass(True)[0] == _worker_pass(False)[0]  # byte-identical answers
    times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(ROUNDS):
        for timer in (True, False):
            times[timer].append(_worker_pass(timer)[1:])
    (old, old_cpu), (new, new_cpu) = (
        [statistics.median(x[i] for x in times[k]) for i in (0, 1)] for k in (True, False)
    )
    benchmark.extra_info.update(old_ms=old * 1000, new_ms=new * 1000, old_cpu_ms=old_cpu * 1000)
    benchmark.extra_info.update(new_cpu_ms=new_cpu * 1000, cpu_ratio=old_cpu / new_cpu)
    print(
        f"\nFOLIO gold, worker job, a request: Z3's timer {old * 1000:.2f} ms on the clock "
        f"({old_cpu * 1000:.2f} CPU), watchdog {new * 1000:.2f} ms ({new_cpu * 1000:.2f} CPU): "
        f"{old / new:.2f}x clock, {old_cpu / new_cpu:.2f}x CPU"
    )
    benchmark.pedantic(lambda: _worker_pass(False), rounds=1)

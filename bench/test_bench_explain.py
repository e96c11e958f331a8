"""Issue 18, round 2: the ``/v1/prove`` worker's explanations with their fresh Z3 context
made on the request's clock (before) or ahead, after the previous answer (now).

Run: ``.venv/bin/python -m pytest bench/test_bench_explain.py --benchmark-only -s``;
figures go in BENCHMARKS.md ("Issue 18 (round 2) — HTTP"). Each round sends FOLIO's 86
gold problems through the worker's own job (``prove_text``, as ``/v1/prove`` does) one
after another; the way with spares waits, untimed, for the spare between two requests,
as an idle worker would. The two ways alternate round by round; the answers' JSON is
asserted byte-identical, never the times. The CPU figure counts every thread, the
helper's included: making a context ahead moves its cost, it does not remove it.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from logicsvc.errors import InputError
from logicsvc.provers import prove, z3_contexts
from scripts import explanation_snapshot as SNAP

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 7


def _serve(ahead: bool) -> tuple[list[str], float, float]:
    """Bodies, summed on-clock seconds, CPU seconds (all threads) for one pass."""
    bodies, on_clock, cpu = [], 0.0, time.process_time()
    for _, text in SNAP.requests():
        if text.backend != "auto":
            continue  # the load test's requests: the default prover
        started = time.perf_counter()
        try:
            answer: Any = SNAP.prove_text(text, SNAP.LIMITS, prove)
        except InputError as exc:
            answer = exc
        on_clock += time.perf_counter() - started
        bodies.append(SNAP.body(answer))
        if ahead:
            z3_contexts.make_spare()
            z3_contexts.wait_spare()
    return bodies, on_clock, time.process_time() - cpu


def test_explanation_context_made_ahead_ratio(benchmark) -> None:  # type: ignore[no-untyped-def]
    if not SNAP.GOLD.is_file():
        pytest.skip(f"{SNAP.GOLD} not found beside the repository")
    assert _serve(False)[0] == _serve(True)[0]  # same answers; also warms both up
    z3_contexts.take()  # no spare left over for the first "before" round
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(ROUNDS):
        for ahead in (False, True):
            _, clock, cpu = _serve(ahead)
            times[ahead].append((clock, cpu))
        z3_contexts.take()
    med = {k: [statistics.median(x[i] for x in v) for i in (0, 1)] for k, v in times.items()}
    n = len([t for _, t in SNAP.requests() if t.backend == "auto"])
    (old, old_cpu), (new, new_cpu) = med[False], med[True]
    benchmark.extra_info.update(old_s=round(old, 4), new_s=round(new, 4), ratio=old / new)
    print(
        f"\nFOLIO gold x{n}, on the clock: on-clock context {old / n * 1000:.2f} ms a request,"
        f" made ahead {new / n * 1000:.2f} ms ({old / new:.2f}x); CPU (all threads)"
        f" {old_cpu / n * 1000:.2f} vs {new_cpu / n * 1000:.2f} ms a request"
    )
    benchmark.pedantic(lambda: _serve(True), rounds=1)

"""Issue 18 (round two), Z3 encoding: FOLIO formulas built through Z3's C API
(``provers/z3_raw.py``) against the same formulas built through its Python API, on
Logic-LM's recorded GPT-4 FOLIO programs (dev-A).

Run: ``.venv/bin/python -m pytest bench/test_bench_z3_encode.py --benchmark-only -s``;
figures go in BENCHMARKS.md ("Issue 18 (round 2) — Z3 encoding"). The two ways alternate
round by round in one context and the ratio of their medians is printed (also in
``extra_info``); that both build the very same terms (one AST id each) is asserted, the
times never are. Problems are parsed and sort-inferred outside the timed part.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import z3

from logicsvc.provers.z3_encoding import Encoder
from logicsvc.syntax.ast import Formula, Problem
from logicsvc.syntax.sorts import Typing, infer
from tests.test_z3_raw import FOLIO, folio_problems, python_api_formula

ROUNDS = 9

Prepared = list[tuple[tuple[Formula, ...], Typing]]


def _prepared(problems: list[Problem]) -> Prepared:
    out = []
    for p in problems:
        formulas = (*p.premise_formulas, p.conclusion.formula)
        out.append((formulas, infer(formulas, p.signature, p.predicates).typing))
    return out


def _encode_all(ctx: z3.Context, prepared: Prepared, raw: bool) -> list[z3.BoolRef]:
    made = []
    for formulas, typing in prepared:
        enc = Encoder(ctx, formulas, typing)
        for f in formulas:
            made.append(enc.formula(f, {}) if raw else python_api_formula(enc, f, {}))
    return made


def _alternate(old: Callable[[], Any], new: Callable[[], Any]) -> tuple[float, float]:
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(ROUNDS):
        for key, run in (("old", old), ("new", new)):
            started = time.process_time()
            run()
            times[key].append(time.process_time() - started)
    return statistics.median(times["old"]), statistics.median(times["new"])


def test_folio_gpt4_encoding_ratio(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Encoder set-up and every premise and conclusion of each program, CPU seconds."""
    prepared = _prepared(folio_problems(FOLIO[0]))
    ctx = z3.Context()
    api, raw = _encode_all(ctx, prepared, raw=False), _encode_all(ctx, prepared, raw=True)
    assert [f.get_id() for f in api] == [f.get_id() for f in raw]  # both alive: equal, one id
    del api, raw
    old, new = _alternate(
        lambda: _encode_all(ctx, prepared, raw=False), lambda: _encode_all(ctx, prepared, raw=True)
    )
    benchmark.extra_info.update(old_s=round(old, 4), new_s=round(new, 4), ratio=old / new)
    print(
        f"\nFOLIO-84 encoding, Python API / C API: {old * 1000:.1f} ms / {new * 1000:.1f} ms,"
        f" {old / new:.2f}x"
    )
    benchmark.pedantic(lambda: _encode_all(ctx, prepared, raw=True), rounds=3)

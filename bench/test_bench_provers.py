"""Prover speed, as ratios against references measured in the same run.

Run: ``make bench`` (``pytest bench --benchmark-only``); figures go in BENCHMARKS.md.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from bench.rulebases import rule_base
from logicsvc import provers
from logicsvc.load import load_formulas
from logicsvc.syntax import problem_to_tptp
from logicsvc.syntax.ast import Problem

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
FOLIO = SHARED / "folio" / "folio-validation-A.jsonl"
RULE_BASES = [rule_base(seed) for seed in range(100)]


def _folio_items() -> list[dict[str, object]]:
    if not FOLIO.is_file():
        pytest.skip("FOLIO validation-A not found beside the repository")
    return [json.loads(line) for line in FOLIO.read_text().splitlines()]


def _load_all(items: list[dict[str, object]]) -> list[Problem]:
    return [
        load_formulas(list(i["premises-FOL"]), str(i["conclusion-FOL"]), lenient=True).problem  # type: ignore[call-overload]
        for i in items
    ]


def test_parse_folio_validation(benchmark) -> None:  # type: ignore[no-untyped-def]
    items = _folio_items()
    problems = benchmark(_load_all, items)
    assert len(problems) == len(items)


def test_prove_folio_validation_z3(benchmark) -> None:  # type: ignore[no-untyped-def]
    problems = _load_all(_folio_items())
    results = benchmark(lambda: [provers.prove(p, backend="z3") for p in problems])
    assert all(r.status == "ok" for r in results)


def test_prove_rule_bases_backward(benchmark) -> None:  # type: ignore[no-untyped-def]
    results = benchmark(lambda: [provers.prove(p, backend="backward") for p in RULE_BASES])
    assert all(r.status in ("ok", "contradictory_premises") for r in results)


def test_prove_rule_bases_z3(benchmark) -> None:  # type: ignore[no-untyped-def]
    results = benchmark(lambda: [provers.prove(p, backend="z3") for p in RULE_BASES])
    assert all(r.status in ("ok", "contradictory_premises") for r in results)


@pytest.mark.skipif(shutil.which("eprover") is None, reason="eprover not installed")
def test_prove_folio_validation_eprover(benchmark) -> None:  # type: ignore[no-untyped-def]
    """E on the same TPTP export (entailment only: one E process per problem)."""
    problems = _load_all(_folio_items())
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index, problem in enumerate(problems):
            path = Path(tmp) / f"p{index}.p"
            path.write_text(problem_to_tptp(problem))
            paths.append(str(path))

        def run_all() -> int:
            proved = 0
            for path in paths:
                proc = subprocess.run(
                    ["eprover", "--auto", "--silent", "--cpu-limit=5", path],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                proved += "SZS status Theorem" in proc.stdout
            return proved

        proved = benchmark.pedantic(run_all, rounds=3, iterations=1)
    assert proved > 0

"""Logic-LM's recorded programs as checked problems, for the benches that time provers.

A program the checks refuse is the model's error: ``eval programs`` counts it, a prover
bench has nothing to time in it, so it is left out here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from logicsvc.errors import LogicsvcError
from logicsvc.load import load_problem
from logicsvc.syntax.ast import Problem
from logicsvc.translate.formats import to_dsl_program

LOGICLM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"


def logiclm_problems(dataset: str, models: Sequence[str] = ("gpt-4",)) -> list[Problem]:
    """Each model's dev-A programs of ``dataset`` (``FOLIO``, ``ProofWriter`` …) that pass
    the checks, in file order; the bench is skipped where a file is not beside the
    repository."""
    problems = []
    for model in models:
        path = LOGICLM / f"{dataset}_dev-A_{model}.json"
        if not path.is_file():
            pytest.skip(f"{path} not found beside the repository")
        for item in json.loads(path.read_text(encoding="utf-8")):
            try:
                _, dsl, _ = to_dsl_program(item["raw_logic_programs"][0], lenient=True)
                problems.append(load_problem(dsl, lenient=True).problem)
            except LogicsvcError:
                continue
    return problems

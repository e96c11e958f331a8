"""ProntoQA dev-A offline, end to end (translation + proving, 0 LLM calls), against the
same items proved from the programs GPT-4 wrote for them (Logic-LM's recordings).

Run: ``pytest bench/test_bench_prontoqa.py --benchmark-only``; figures go in BENCHMARKS.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from logicsvc.evaluation import offline, programs

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
DEV = SHARED / "prontoqa" / "dev-A.json"
RECORDED = SHARED / "llm_programs" / "logiclm" / "ProntoQA_dev-A_gpt-4.json"


@pytest.fixture(autouse=True)
def _data() -> None:
    if not DEV.is_file() or not RECORDED.is_file():
        pytest.skip("the ProntoQA files are not beside the repository")


def test_prontoqa_offline_whole_set(benchmark) -> None:  # type: ignore[no-untyped-def]
    def run() -> int:
        return offline.evaluate(DEV, translator="rules", world="complete").correct

    assert benchmark.pedantic(run, rounds=3, warmup_rounds=1) == 269


def test_reference_recorded_gpt4_programs(benchmark) -> None:  # type: ignore[no-untyped-def]
    def run() -> int:
        return programs.evaluate(RECORDED, world="complete").n

    assert benchmark.pedantic(run, rounds=3, warmup_rounds=1) == 269

"""The complete world (the explicit world under ¬P ← not P): ProntoQA's two-way questions,
offline, and its answer against the explicit world's on small rule bases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logicsvc import provers
from logicsvc.errors import FragmentError
from logicsvc.evaluation import offline
from logicsvc.load import load_problem

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "prontoqa"

BASE = "Premises:\nWumpus(max)\n∀x (Wumpus(x) → ¬Sour(x))\n∀x (Wumpus(x) → Red(x))\nConclusion:\n"


@pytest.mark.parametrize(
    ("conclusion", "explicit", "complete"),
    [
        ("Red(max)", "true", "true"),  # derived
        ("¬Sour(max)", "true", "true"),  # its negation derived
        ("Sour(max)", "false", "false"),
        ("Shy(max)", "unknown", "false"),  # not derived: false in a complete world
        ("¬Shy(max)", "unknown", "true"),
    ],
)
def test_complete_decides_what_explicit_leaves_unknown(
    conclusion: str, explicit: str, complete: str
) -> None:
    problem = load_problem(BASE + conclusion + "\n").problem
    assert provers.prove(problem, world="explicit").verdict == explicit
    result = provers.prove(problem, world="complete")
    assert result.verdict == complete and result.backend == "backward"
    if explicit == "unknown":
        assert any("complete world" in w for w in result.warnings)


def test_complete_needs_the_backward_chainer() -> None:
    problem = load_problem(BASE + "Red(max)\n").problem
    with pytest.raises(FragmentError):
        provers.prove(problem, backend="z3", world="complete")


def test_prontoqa_offline_in_the_complete_world(tmp_path: Path) -> None:
    out = tmp_path / "items.jsonl"
    summary = offline.evaluate(
        DATA / "dev-A.json", translator="rules", world="complete", out=out
    ).to_dict()
    assert (summary["n"], summary["correct"], summary["llm_calls"]) == (269, 269, 0)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["predicted"] for r in records} == {"true", "false"}  # never unknown

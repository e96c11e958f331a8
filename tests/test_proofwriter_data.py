"""Acceptance on the real rule-base datasets: zero LLM calls, (almost) every answer right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logicsvc.evaluation.items import read_nl_items as read_items
from logicsvc.evaluation.offline import evaluate


@pytest.mark.slow
@pytest.mark.parametrize("split", ["dev-A.json", "train.json"])
def test_proofwriter_open_world(shared_datasets: Path, split: str) -> None:
    summary = evaluate(shared_datasets / "proofwriter" / "logiclm" / split, world="explicit")
    assert summary.n in (267, 3000)
    assert summary.translated == summary.n and summary.llm_calls == 0
    assert summary.accuracy >= 0.995


@pytest.mark.slow
@pytest.mark.parametrize("depth", [2, 3, 4])
def test_pararule_plus_closed_world(shared_datasets: Path, depth: int) -> None:
    path = shared_datasets / "pararule_plus" / f"PARARULE_Plus_Depth{depth}_dev_sample600.jsonl"
    summary = evaluate(path, world="closed-stated")
    assert summary.n > 5000 and summary.translated == summary.n
    assert summary.accuracy >= 0.995
    assert set(summary.to_dict()["by_depth"]) == {str(depth)}


def test_classical_open_world_differs_from_proofwriter_labels(shared_datasets: Path) -> None:
    """ProofWriter's OWA has no contraposition: classical logic proves more (a real finding)."""
    summary = evaluate(shared_datasets / "proofwriter" / "logiclm" / "dev-A.json", world="open")
    assert summary.translated == summary.n
    assert 0.9 < summary.accuracy < 1.0


def test_read_items_both_formats(tmp_path: Path) -> None:
    logiclm = tmp_path / "a.json"
    logiclm.write_text(
        json.dumps(
            [{"id": "ProofWriter_X-OWA-D3-1_Q1", "context": "Bob is big.",
              "question": "Bob is big.", "answer": "A"}]
        )
    )  # fmt: skip
    pararule = tmp_path / "b.jsonl"
    pararule.write_text(
        json.dumps(
            {"id": "P", "context": "Bob is big.",
             "questions": [{"text": "Bob is big.", "label": "true", "meta": {"QDep": "0"}},
                           {"text": "Bob is not big.", "label": "false"}]}
        ) + "\n"
    )  # fmt: skip
    (one,) = read_items(logiclm)
    assert (one.gold, one.depth) == ("true", "3")
    first, second = read_items(pararule)
    assert (first.gold, first.depth, second.gold, second.depth) == ("true", "0", "false", None)

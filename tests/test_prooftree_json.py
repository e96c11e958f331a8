"""The proof JSON the backward chainer serves is networkx's node-link JSON, written
without networkx (issue 18: importing it cost more than a small ``prove``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from logicsvc.evaluation.offline import evaluate
from logicsvc.provers import backward, prooftree
from logicsvc.provers.prooftree import ProofNode


def networkx_json(root: ProofNode) -> tuple[dict[str, Any], tuple[int, ...]]:
    """What ``to_json`` gave while it went through networkx (the code it replaced)."""
    graph = prooftree.to_graph(root)
    used = tuple(sorted({p for _, p in graph.nodes(data="premise") if p is not None}))
    proof: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    proof["root"] = "n0"
    return proof, used


@pytest.mark.parametrize("world", ["explicit", "open"])
def test_proofs_on_proofwriter_match_networkx(
    shared_datasets: Path, world: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []

    def both(root: ProofNode) -> tuple[dict[str, Any], tuple[int, ...]]:
        ours = prooftree.to_json(root)
        theirs = networkx_json(root)
        # equal as data and as text: the key order a client sees is the same too
        assert ours == theirs
        assert json.dumps(ours[0]) == json.dumps(theirs[0])
        seen.append(ours[0])
        return ours

    monkeypatch.setattr(backward, "to_json", both)
    summary = evaluate(shared_datasets / "proofwriter" / "logiclm" / "dev-A.json", world=world)
    assert summary.translated == summary.n
    assert len(seen) > 100
    # the interesting shapes occur: proofs of several levels, and a subproof shared
    # by two parents (a DAG) or a child listed twice, where ids and edge order matter
    assert max(len(p["nodes"]) for p in seen) >= 5
    assert any(len(p["edges"]) >= len(p["nodes"]) for p in seen)


def test_shared_and_repeated_children_are_listed_as_networkx_lists_them() -> None:
    leaf = ProofNode("Big(bob)", "fact", premise=3)
    shared = ProofNode("Red(bob)", "rule", premise=1, children=(leaf,))
    root = ProofNode(
        "Nice(bob)", "rule", premise=0, children=(shared, leaf, shared, ProofNode("x", "naf"))
    )
    assert prooftree.to_json(root) == networkx_json(root)
    assert prooftree.to_json(root)[1] == (0, 1, 3)

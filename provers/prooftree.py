"""Proof trees: built as immutable nodes during search, served as networkx JSON.

A memoised subproof is one shared node, so the tree is a DAG; ``to_json``
gives each node one id and lists every edge once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from logicsvc.provers.result import Result


@dataclass(frozen=True, slots=True, eq=False)
class ProofNode:
    """One proof step; identity-hashed so a memoised subproof is shared, not copied."""

    label: str
    kind: str  # fact | rule | hypothesis | naf | contradiction
    premise: int | None = None
    children: tuple[ProofNode, ...] = ()


def to_graph(root: ProofNode) -> nx.DiGraph:
    graph = nx.DiGraph()
    ids: dict[ProofNode, str] = {root: "n0"}
    stack = [root]
    while stack:
        node = stack.pop()
        graph.add_node(ids[node], label=node.label, kind=node.kind, premise=node.premise)
        for child in node.children:
            if child not in ids:
                ids[child] = f"n{len(ids)}"
                stack.append(child)
            graph.add_edge(ids[node], ids[child])
    graph.graph["root"] = "n0"
    return graph


def used_premises(root: ProofNode) -> tuple[int, ...]:
    """The premises a proof used, sorted (what :func:`to_json` gives, without the graph)."""
    seen = {id(root)}
    stack = [root]
    used: set[int] = set()
    while stack:
        node = stack.pop()
        if node.premise is not None:
            used.add(node.premise)
        for child in node.children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return tuple(sorted(used))


def to_json(root: ProofNode) -> tuple[dict[str, Any], tuple[int, ...]]:
    """Node-link JSON of the proof (``root`` names the root) and the premises it used."""
    graph = to_graph(root)
    used = tuple(sorted({p for _, p in graph.nodes(data="premise") if p is not None}))
    proof: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    proof["root"] = "n0"
    return proof, used


def proof_graph(result: Result) -> nx.DiGraph | None:
    """The proof of a backward result as a DiGraph (root id in ``graph.graph["root"]``)."""
    if result.proof is None:
        return None
    return nx.node_link_graph(result.proof, edges="edges")

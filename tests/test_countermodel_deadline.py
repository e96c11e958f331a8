"""The time limit covers the countermodel too (issue 17, item 14): ``prove --timeout 1``
on 4,000 constants spent 14 s rendering after the solver had answered."""

from __future__ import annotations

import time
from typing import Any

import z3

from logicsvc import provers
from logicsvc.load import load_formulas
from logicsvc.provers.countermodel import render


def _problem(constants: int) -> provers.Problem:
    premises = [
        " ∧ ".join(f"P(c{i})" for i in range(start, min(start + 50, constants)))
        for start in range(0, constants, 50)
    ]
    return load_formulas(premises, "Q(c1)").problem


def _model(constants: int) -> tuple[z3.ModelRef, z3.SortRef, dict[str, z3.ExprRef], dict[Any, Any]]:
    ctx = z3.Context()
    sort = z3.DeclareSort("U", ctx)
    named = {f"c{i}": z3.Const(f"c{i}", sort) for i in range(constants)}
    p = z3.Function("P", sort, z3.BoolSort(ctx))
    solver = z3.Solver(ctx=ctx)
    solver.add(z3.Distinct(*named.values()), *(p(c) for c in named.values()))
    assert solver.check() == z3.sat
    return solver.model(), sort, named, {("P", 1): p}


def test_rendering_stops_at_the_deadline() -> None:
    model, sort, named, predicates = _model(300)
    whole = render(model, sort, named, predicates)
    assert len(whole["domain"]) == 300 and not whole["equalities"]
    late = render(model, sort, named, predicates, deadline=time.monotonic() - 1)
    assert late["truncated"] and late["facts"] == []
    assert not set(late["domain"]) & set(named)  # it stopped before naming any element


def test_many_constants_are_each_named_once() -> None:
    """The constants are found by their element's id, not by scanning the domain."""
    result = provers.prove(_problem(1000), provers.Limits(timeout_s=60), backend="z3")
    assert (result.status, result.verdict) == ("ok", "unknown")
    model = result.countermodel
    assert model is not None
    named = set(model["domain"]) | {eq.split(" = ")[1] for eq in model["equalities"]}
    assert {f"c{i}" for i in range(1000)} <= named

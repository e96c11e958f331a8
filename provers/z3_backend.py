"""Full first-order logic with equality through Z3, entailment as unsatisfiability.

Two checks over one incremental solver decide everything: A = premises ∧ ¬C and
B = premises ∧ C.  Each premise is switched on by its own assumption literal,
so an unsat core names the premises a proof needed.  A solver that answers
``unknown`` never becomes the verdict ``unknown``: it becomes ``status="timeout"``
(budget spent) or ``status="error"`` (the solver gave up for its own reasons).

Every call gets a fresh ``z3.Context``, so calls may run in parallel threads.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Literal

import z3

from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Equals,
    Formula,
    Not,
    Op,
    Problem,
    Quantified,
    Quantifier,
    Term,
    Var,
    atoms,
    constants,
    subformulas,
)
from provers.countermodel import render
from provers.result import Limits, Result

_UINT_MAX = 2**32 - 1
_BUDGET_REASONS = ("timeout", "canceled", "cancelled", "resource", "rlimit", "memory")
_SHRINK_ATTEMPTS = 4
_SHRINK_RLIMIT = 2_000_000
"""Resource cap per attempt at a smaller countermodel: it is a nicety, so it must stay cheap."""


class _FreeVariable(Exception):
    """Only hand-built trees have unbound variables; checked problems never do."""


class _Encoder:
    """Translates AST formulas into one context; internal names never meet user names."""

    def __init__(self, ctx: z3.Context, problem: Problem) -> None:
        self.ctx = ctx
        self.sort = z3.DeclareSort("U", ctx)
        self.bool = z3.BoolSort(ctx)
        formulas = (*problem.premise_formulas, problem.conclusion.formula)
        names = sorted(set().union(*(constants(f) for f in formulas)))
        arities = sorted({(a.pred, len(a.args)) for f in formulas for a in atoms(f)})
        self.constants: dict[str, z3.ExprRef] = {n: z3.Const(n, self.sort) for n in names}
        self.predicates: dict[tuple[str, int], z3.AstRef] = {
            (p, k): z3.Function(p, *[self.sort] * k, self.bool) if k else z3.Bool(p, ctx)
            for p, k in arities
        }
        self.first_order = (
            bool(names)
            or any(k for _, k in arities)
            or any(
                isinstance(node, Quantified | Equals) for f in formulas for node in subformulas(f)
            )
        )
        self._taken = set(names) | {p for p, _ in arities}
        self._counter = 0

    def fresh(self, base: str, sort: z3.SortRef) -> z3.ExprRef:
        while True:
            self._counter += 1
            name = f"{base}!{self._counter}"
            if name not in self._taken:
                return z3.Const(name, sort)

    def term(self, t: Term, env: dict[str, z3.ExprRef]) -> z3.ExprRef:
        if isinstance(t, Var):
            if t.name not in env:
                raise _FreeVariable(f"variable {t.name!r} is not bound by any quantifier")
            return env[t.name]
        return self.constants[t.name]

    def formula(self, f: Formula, env: dict[str, z3.ExprRef]) -> z3.BoolRef:
        if isinstance(f, Atom):
            decl = self.predicates[(f.pred, len(f.args))]
            return decl(*(self.term(a, env) for a in f.args)) if f.args else decl
        if isinstance(f, Equals):
            return self.term(f.left, env) == self.term(f.right, env)
        if isinstance(f, Not):
            return z3.Not(self.formula(f.operand, env), self.ctx)
        if isinstance(f, Binary):
            left, right = self.formula(f.left, env), self.formula(f.right, env)
            if f.op is Op.AND:
                return z3.And(left, right)
            if f.op is Op.OR:
                return z3.Or(left, right)
            if f.op is Op.IMPLIES:
                return z3.Implies(left, right, self.ctx)
            if f.op is Op.XOR:
                return z3.Xor(left, right, self.ctx)
            return left == right
        bound = self.fresh(f.var, self.sort)
        body = self.formula(f.body, {**env, f.var: bound})
        make = z3.ForAll if f.quantifier is Quantifier.ALL else z3.Exists
        return make([bound], body)


@dataclasses.dataclass(frozen=True, slots=True)
class _Outcome:
    answer: Literal["sat", "unsat", "unknown"]
    core: frozenset[str] = frozenset()
    model: z3.ModelRef | None = None
    reason: str = ""


class _Budget:
    """One call's wall clock and resource units, shared by all its checks."""

    def __init__(self, limits: Limits) -> None:
        self.deadline = time.monotonic() + limits.timeout_s
        self.rlimit = limits.rlimit
        self.used = 0
        self.checks = 0

    def check(
        self, solver: z3.Solver, assumptions: Sequence[z3.BoolRef], cap: int | None = None
    ) -> _Outcome:
        seconds = self.deadline - time.monotonic()
        units = self.rlimit - self.used if cap is None else min(cap, self.rlimit - self.used)
        if seconds <= 0:
            return _Outcome("unknown", reason="timeout")
        if units <= 0:
            return _Outcome("unknown", reason="resource limit reached")
        solver.set("timeout", min(_UINT_MAX, max(1, int(seconds * 1000))))
        solver.set("rlimit", min(_UINT_MAX, units))
        answer = solver.check(*assumptions)
        self.checks += 1
        keys = solver.statistics().keys()
        if "rlimit count" in keys:  # context-wide, so it covers every check so far
            self.used = int(solver.statistics().get_key_value("rlimit count"))
        if answer == z3.sat:
            return _Outcome("sat", model=solver.model())
        if answer == z3.unsat:
            return _Outcome("unsat", core=frozenset(str(lit) for lit in solver.unsat_core()))
        return _Outcome("unknown", reason=str(solver.reason_unknown()))


def _gave_up(reason: str) -> Result:
    if any(word in reason.lower() for word in _BUDGET_REASONS):
        return Result("timeout", warnings=(f"z3 stopped: {reason}",))
    return Result("error", error={"code": "solver_gave_up", "message": reason})


def _unchecked(reason: str) -> tuple[str, ...]:
    return (f"contradictory premises could not be ruled out (z3 gave up: {reason})",)


def prove(problem: Problem, limits: Limits) -> Result:
    """Decide ``problem`` within ``limits``; every failure comes back as a ``Result``."""
    started = time.perf_counter()
    budget = _Budget(limits)
    try:
        result = _decide(problem, budget)
    except z3.Z3Exception as exc:
        result = Result("error", error={"code": "prover_error", "message": str(exc)})
    except _FreeVariable as exc:
        result = Result("error", error={"code": "free_variable", "message": str(exc)})
    except RecursionError:
        message = "formula nested too deeply for the z3 backend"
        result = Result("error", error={"code": "prover_error", "message": message})
    stats = {**result.stats, "checks": budget.checks, "rlimit_used": budget.used}
    elapsed_ms = (time.perf_counter() - started) * 1000
    return dataclasses.replace(result, backend="z3", elapsed_ms=elapsed_ms, stats=stats)


def _decide(problem: Problem, budget: _Budget) -> Result:
    enc = _Encoder(z3.Context(), problem)
    premises = [enc.formula(f, {}) for f in problem.premise_formulas]
    goal = enc.formula(problem.conclusion.formula, {})
    solver = z3.Solver(ctx=enc.ctx)
    solver.set("core.minimize", True)
    # E-matching gave up ("incomplete quantifiers") on rule chains past ~45 steps at the
    # default thresholds (10, lazy 20); the eager one only takes effect with the lazy one
    # above it. Instances stay bounded by the rlimit and the timeout.
    solver.set("smt.qi.eager_threshold", 1000.0)
    solver.set("smt.qi.lazy_threshold", 2000.0)
    lits = [enc.fresh("premise", enc.bool) for _ in premises]
    for lit, premise in zip(lits, premises, strict=True):
        solver.add(z3.Implies(lit, premise, enc.ctx))
    refute, confirm = enc.fresh("goal", enc.bool), enc.fresh("goal", enc.bool)
    solver.add(z3.Implies(refute, z3.Not(goal, enc.ctx), enc.ctx))
    solver.add(z3.Implies(confirm, goal, enc.ctx))
    index = {str(lit): i for i, lit in enumerate(lits)}

    def used(core: frozenset[str]) -> tuple[int, ...]:
        return tuple(sorted(index[name] for name in core if name in index))

    a = budget.check(solver, [*lits, refute])
    if a.answer == "unsat" and str(refute) not in a.core:
        return Result("contradictory_premises", used_premises=used(a.core))
    b = budget.check(solver, [*lits, confirm])
    if b.answer == "unsat" and str(confirm) not in b.core:
        return Result("contradictory_premises", used_premises=used(b.core))
    if a.answer == "unsat" and b.answer == "unsat":
        # Together the two cores are inconsistent; a premises-only check may shrink them.
        core = used(a.core | b.core)
        alone = budget.check(solver, [lits[i] for i in core])
        if alone.answer == "unsat":
            core = used(alone.core)
        return Result("contradictory_premises", used_premises=core)
    if a.answer == "unsat":
        warnings = () if b.answer == "sat" else _unchecked(b.reason)
        return Result("ok", "true", used_premises=used(a.core), warnings=warnings)
    if b.answer == "unsat":
        warnings = () if a.answer == "sat" else _unchecked(a.reason)
        return Result("ok", "false", used_premises=used(b.core), warnings=warnings)
    if a.model is not None and b.answer == "sat":
        model = _shrink(solver, enc, [*lits, refute], a.model, budget)
        rest = (enc.predicates, enc.first_order)
        countermodel = render(model, enc.sort, enc.constants, *rest, deadline=budget.deadline)
        return Result("ok", "unknown", countermodel=countermodel)
    return _gave_up(a.reason if a.answer == "unknown" else b.reason)


def _shrink(
    solver: z3.Solver,
    enc: _Encoder,
    assumptions: list[z3.BoolRef],
    model: z3.ModelRef,
    budget: _Budget,
) -> z3.ModelRef:
    """Look for a countermodel with few anonymous elements, but only while that is cheap."""
    universe = model.get_universe(enc.sort)
    if universe is None:
        return model
    named = list(enc.constants.values())
    for extra in range(max(0, 1 - len(named)), max(0, 1 - len(named)) + _SHRINK_ATTEMPTS):
        if len(named) + extra >= len(universe):
            break
        elements = named + [enc.fresh("elem", enc.sort) for _ in range(extra)]
        x = enc.fresh("elem", enc.sort)
        solver.push()
        solver.add(z3.ForAll([x], z3.Or([x == e for e in elements])))
        outcome = budget.check(solver, assumptions, cap=_SHRINK_RLIMIT)
        solver.pop()
        if outcome.model is not None:
            return outcome.model
        if outcome.answer == "unknown":
            break
    return model

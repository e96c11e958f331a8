"""Full first-order logic with equality through Z3, entailment as unsatisfiability.

Two checks over one incremental solver decide everything: A = premises ∧ ¬C and
B = premises ∧ C.  Each premise is switched on by its own assumption literal,
so an unsat core names the premises a proof needed.  A solver that answers
``unknown`` never becomes the verdict ``unknown``: it becomes ``status="timeout"``
(budget spent) or ``status="error"`` (the solver gave up for its own reasons).

A call decides in its thread's shared ``z3.Context`` (see
:func:`~logicsvc.provers.z3_contexts.shared_context`) with a fresh solver: creating and
freeing a context cost more than deciding a typical FOLIO problem. Nothing a problem
asserts outlives its solver and a context is never used by two threads, so calls may
still run in parallel threads; every limit is counted from the call's own start. Each
check carries what is left of the call's resource units (Z3's ``rlimit``) and is stopped at
the call's deadline by the process's watchdog thread (:mod:`~logicsvc.provers.z3_watchdog`),
not by Z3's own per-check timer, which cost ~19 % of FOLIO's proving CPU.

Which model Z3 finds does depend on its context's history (term ids are recycled and
order its search), so an ``unknown``'s countermodel, when asked for, is found again in a
fresh context: an explanation depends on the problem alone, as it always has. Verdicts
and unsat cores were the same either way on every recorded program (issue 18).
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Sequence
from typing import Literal

import z3

from logicsvc.errors import SemanticError
from logicsvc.provers import z3_contexts, z3_watchdog
from logicsvc.provers.countermodel import render, render_typed
from logicsvc.provers.result import Limits, Result
from logicsvc.provers.z3_contexts import drop_shared_context, shared_context
from logicsvc.provers.z3_encoding import Encoder, FreeVariable
from logicsvc.provers.z3_raw import core_ids, rlimit_count, set_params
from logicsvc.syntax.ast import Problem
from logicsvc.syntax.inferred import typing_of

_UINT_MAX = 2**32 - 1
_BUDGET_REASONS = ("timeout", "canceled", "cancelled", "resource", "rlimit", "memory")
_SHRINK_ATTEMPTS = 4
_SHRINK_RLIMIT = 2_000_000
"""Resource cap per attempt at a smaller countermodel: it is a nicety, so it must stay cheap."""
_ANSWERS: dict[int, Literal["sat", "unsat", "unknown"]] = {
    z3.Z3_L_TRUE: "sat",
    z3.Z3_L_FALSE: "unsat",
    z3.Z3_L_UNDEF: "unknown",
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Outcome:
    answer: Literal["sat", "unsat", "unknown"]
    core: frozenset[int] = frozenset()
    model: z3.ModelRef | None = None
    reason: str = ""


class Budget:
    """One call's wall clock and resource units, shared by all its checks.

    Z3 counts resource units per context, and a context serves many calls (and a call may
    use two): ``used`` is what the context counted since the call's first check on each
    solver (a core's minimisation after a check included), summed over its solvers.
    """

    def __init__(self, limits: Limits) -> None:
        self.deadline = time.monotonic() + limits.timeout_s
        self.rlimit = limits.rlimit
        self.used = 0
        self.checks = 0
        self._solver: z3.Solver | None = None
        self._base: int | None = None
        """The context's count before the first check on ``_solver``."""
        self._before = 0
        """Units the call's earlier solvers used."""

    def check(
        self,
        solver: z3.Solver,
        assumptions: Sequence[z3.BoolRef],
        cap: int | None = None,
        *,
        model: bool = True,
    ) -> _Outcome:
        """One check under what is left of the budget; ``model=False`` leaves a ``sat``'s
        model unread (the verdict does not need it)."""
        seconds = self.deadline - time.monotonic()
        units = self.rlimit - self.used if cap is None else min(cap, self.rlimit - self.used)
        if seconds <= 0:
            return _Outcome("unknown", reason="timeout")
        if units <= 0:
            return _Outcome("unknown", reason="resource limit reached")
        if solver is not self._solver:
            self._solver, self._base, self._before = solver, rlimit_count(solver), self.used
        answer, interrupted = _bounded_check(solver, assumptions, self.deadline, units)
        self.checks += 1
        count = rlimit_count(solver)  # context-wide: read once a check
        if count is not None and self._base is not None:
            self.used = self._before + count - self._base
        if answer == "sat":
            return _Outcome("sat", model=solver.model() if model else None)
        if answer == "unsat":
            return _Outcome("unsat", core=core_ids(solver))
        reason = str(solver.reason_unknown())
        spent = interrupted or time.monotonic() >= self.deadline or self.used >= self.rlimit
        if not spent and reason in _CANCELLED and _catches_ctrl_c():
            # nothing of ours stopped it: Z3 caught the Ctrl-C meant for Python (new_solver)
            drop_shared_context()
            raise KeyboardInterrupt
        if interrupted and "interrupt" in reason.lower():
            reason = "timeout"  # what Z3 names a check its own timer stopped
        if spent and not any(word in reason.lower() for word in _BUDGET_REASONS):
            # stopped as the budget ran out, Z3 may name the phase it was in instead
            # ("incomplete quantifiers"): the budget is the cause
            reason = f"timeout ({reason} when the budget ran out)"
        if "memory" in reason.lower():  # Z3 ran out of memory: its context is not to be trusted
            drop_shared_context()
        return _Outcome("unknown", reason=reason)


def _bounded_check(
    solver: z3.Solver, assumptions: Sequence[z3.BoolRef], deadline: float, units: int
) -> tuple[str, bool]:
    """The check, stopped by the watchdog at ``deadline`` (``time.monotonic()``) and by Z3
    after ``units`` resource units; and whether the watchdog stopped it, in which case its
    context is retired (:mod:`~logicsvc.provers.z3_watchdog` says why)."""
    set_params(solver, ("rlimit", min(_UINT_MAX, units)))  # counted from the current count
    arming = z3_watchdog.Arming(solver.ctx, deadline)
    try:
        z3_watchdog.arm(arming)
        answer = _check(solver, assumptions)
    finally:
        interrupted = z3_watchdog.disarm(arming)
        if interrupted:
            z3_contexts.retire(solver.ctx)
    return answer, interrupted


def _check(solver: z3.Solver, assumptions: Sequence[z3.BoolRef]) -> str:
    """``solver.check(*assumptions)`` without the Python API's cast of each assumption."""
    array = (z3.Ast * len(assumptions))(*(a.as_ast() for a in assumptions))
    ctx = solver.ctx.ref()
    return _ANSWERS[z3.Z3_solver_check_assumptions(ctx, solver.solver, len(assumptions), array)]


def literal_id(literal: z3.ExprRef) -> int:
    """An assumption literal's key in an unsat core: its AST id, the same for every copy
    of it, since Z3 shares equal terms (reading its name cost 20 µs, this 1 µs)."""
    key: int = literal.get_id()
    return key


def _gave_up(reason: str) -> Result:
    if any(word in reason.lower() for word in _BUDGET_REASONS):
        return Result("timeout", warnings=(f"z3 stopped: {reason}",))
    return Result("error", error={"code": "solver_gave_up", "message": reason})


def _unchecked(reason: str) -> tuple[str, ...]:
    return (f"contradictory premises could not be ruled out (z3 gave up: {reason})",)


def prove(problem: Problem, limits: Limits, *, explain: bool = True) -> Result:
    """Decide ``problem`` within ``limits``; every failure comes back as a ``Result``.

    ``explain=False`` leaves out the countermodel of an ``unknown`` (finding it again in
    a fresh context, its search for a small one and its rendering cost more than the
    verdict); nothing else changes.
    """
    started = time.perf_counter()
    budget = Budget(limits)
    try:
        result = _decide(problem, budget, shared_context(), explain=False)
        if explain and result.verdict == "unknown":
            result = _explained(problem, budget, result)
    except z3.Z3Exception as exc:
        drop_shared_context()
        result = Result("error", error={"code": "prover_error", "message": str(exc)})
    except SemanticError as exc:  # a hand-built tree the checks never saw
        result = Result("error", error={"code": exc.code, "message": exc.message})
    except FreeVariable as exc:
        result = Result("error", error={"code": "free_variable", "message": str(exc)})
    except RecursionError:
        message = "formula nested too deeply for the z3 backend"
        result = Result("error", error={"code": "prover_error", "message": message})
    except MemoryError:
        drop_shared_context()
        raise
    stats = {**result.stats, "checks": budget.checks, "rlimit_used": budget.used}
    elapsed_ms = (time.perf_counter() - started) * 1000
    return dataclasses.replace(result, backend="z3", elapsed_ms=elapsed_ms, stats=stats)


def _explained(problem: Problem, budget: Budget, decided: Result) -> Result:
    """An ``unknown`` decided again in a fresh context, for a countermodel that depends on
    the problem alone; where the budget runs out first, the verdict without one."""
    try:
        again = _decide(problem, budget, z3_contexts.take(), explain=True)
    except (z3.Z3Exception, RecursionError) as exc:  # the verdict stands; only its model is lost
        note = f"no countermodel: z3 failed finding it again ({exc})"
        return dataclasses.replace(decided, warnings=(*decided.warnings, note))
    if again.verdict == "unknown":
        return again
    note = "no countermodel: z3 did not find one again within the limits"
    return dataclasses.replace(decided, warnings=(*decided.warnings, note))


def encode(problem: Problem, ctx: z3.Context) -> tuple[Encoder, list[z3.BoolRef], z3.BoolRef]:
    """The problem's vocabulary, premises and conclusion in ``ctx``."""
    formulas = (*problem.premise_formulas, problem.conclusion.formula)
    # the checks' typing where the problem is theirs, unchanged (one inference, not two)
    typing = typing_of(formulas, problem.signature, problem.predicates, problem.inferred)
    enc = Encoder(ctx, formulas, typing)
    premises = [enc.formula(f, {}) for f in problem.premise_formulas]
    return enc, premises, enc.formula(problem.conclusion.formula, {})


def new_solver(enc: Encoder) -> z3.Solver:
    """A solver holding the vocabulary's axioms (ranges of integer sorts), tuned for chains."""
    solver = z3.Solver(ctx=enc.ctx)
    # E-matching gave up ("incomplete quantifiers") on rule chains past ~45 steps at the
    # default thresholds (10, lazy 20); the eager one only takes effect with the lazy one
    # above it. Instances stay bounded by the rlimit and the timeout. One parameter set:
    # Z3 applies them together either way.
    set_params(
        solver,
        ("core.minimize", True),
        ("smt.qi.eager_threshold", 1000.0),
        ("smt.qi.lazy_threshold", 2000.0),
        ("ctrl_c", _catches_ctrl_c()),
    )
    for axiom in enc.axioms:
        solver.add(axiom)
    return solver


_CANCELLED = frozenset({"canceled", "interrupted", "interrupted from keyboard"})
"""Z3's reasons for a check something cancelled: the watchdog, or Z3's SIGINT handler."""


def _catches_ctrl_c() -> bool:
    """Whether Z3 should stop a check at a Ctrl-C (its ``ctrl_c`` parameter).

    Python runs its SIGINT handler between bytecodes of the main thread, so a Ctrl-C during
    a check would wait for the check to end, up to the call's deadline. Z3's own handler,
    swapped in around a check, stops it at once; the check then ends cancelled with neither
    the deadline nor the resource units spent (nothing else cancels a main thread's check),
    and :meth:`Budget.check` raises the ``KeyboardInterrupt`` Python would have.
    Only where that is what a Ctrl-C means: the main thread (one check at a time; Z3's
    handler stops every check registered), with Python's default handler in place. A
    server's prover workers ignore SIGINT (their parent stops them), and other threads
    leave the process's handler alone.
    """
    return (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )


def describe_model(
    enc: Encoder, model: z3.ModelRef, *, deadline: float | None = None
) -> dict[str, object]:
    """A model as a person reads it: facts over the domain, and typed assignments; the
    rendering stops at ``deadline`` (``time.monotonic()``), marked truncated."""
    if enc.typing.typed:
        return render_typed(model, enc, deadline=deadline)
    rest = (enc.predicates, enc.first_order)
    return render(model, enc.sort, enc.constants, *rest, deadline=deadline)


def _decide(problem: Problem, budget: Budget, ctx: z3.Context, *, explain: bool) -> Result:
    enc, premises, goal = encode(problem, ctx)
    solver = new_solver(enc)
    raw = enc.raw
    lits = [enc.fresh("premise", enc.bool) for _ in premises]
    for lit, premise in zip(lits, premises, strict=True):
        raw.assert_(solver, raw.implies(raw.borrow(lit), raw.borrow(premise)))
    refute, confirm = enc.fresh("goal", enc.bool), enc.fresh("goal", enc.bool)
    raw.assert_(solver, raw.implies(raw.borrow(refute), raw.not_(raw.borrow(goal))))
    raw.assert_(solver, raw.implies(raw.borrow(confirm), raw.borrow(goal)))
    index = {literal_id(lit): i for i, lit in enumerate(lits)}

    def used(core: frozenset[int]) -> tuple[int, ...]:
        return tuple(sorted(index[key] for key in core if key in index))

    a = budget.check(solver, [*lits, refute], model=explain)
    if a.answer == "unsat" and literal_id(refute) not in a.core:
        return Result("contradictory_premises", used_premises=used(a.core))
    b = budget.check(solver, [*lits, confirm], model=explain)
    if b.answer == "unsat" and literal_id(confirm) not in b.core:
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
    if a.answer == "sat" and b.answer == "sat":
        if not explain or a.model is None:
            return Result("ok", "unknown")
        model = _shrink(solver, enc, [*lits, refute], a.model, budget)
        countermodel = describe_model(enc, model, deadline=budget.deadline)
        return Result("ok", "unknown", countermodel=countermodel)
    return _gave_up(a.reason if a.answer == "unknown" else b.reason)


def _shrink(
    solver: z3.Solver,
    enc: Encoder,
    assumptions: list[z3.BoolRef],
    model: z3.ModelRef,
    budget: Budget,
) -> z3.ModelRef:
    """Look for a countermodel with few anonymous elements, but only while that is cheap."""
    universe = model.get_universe(enc.sort)
    if universe is None:
        return model
    named = [c for n, c in enc.constants.items() if enc.constant_sorts[n] == "U"]
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

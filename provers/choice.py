"""Multiple-choice questions: which option the question's kind selects, decided by Z3.

Every option is judged by two facts about it, each one solver check under the
premises: is it *entailed* (premises ∧ ¬φ unsatisfiable) and is it *possible*
(premises ∧ φ satisfiable). The kinds read them as:

==========================  =====================================
must be true                entailed
must be false               not possible
could be true               possible
could be false              not entailed
cannot be true              not possible
cannot be false             entailed
… except                    the negation of the same test
accurate list [φ1; …; φk]   premises entail φ1 ∨ … ∨ φk (complete)
                            and each φi is possible (accurate)
==========================  =====================================

Only the check a kind reads is run for each option (one per option; an accurate
list needs one per item and one for the list), without core minimisation.
Exactly one option passing is the answer; none or several is its own outcome
(``no_option``, ``several_options``), never a guess. Contradictory premises,
timeouts and solver failures stay what they are for yes/no problems. The answer
carries its explanation: the model its check found (a witness, or a model where
it fails), else the premises its check refuted as a minimised unsat core.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import z3

from logicsvc.errors import SemanticError
from logicsvc.provers.result import ChoiceResult, ChoiceStatus, Limits, OptionResult
from logicsvc.provers.z3_backend import Budget, describe_model, literal_id, new_solver
from logicsvc.provers.z3_contexts import drop_shared_context, shared_context
from logicsvc.provers.z3_encoding import Encoder, FreeVariable
from logicsvc.syntax.ast import ChoiceProblem, Formula, QuestionKind
from logicsvc.syntax.sorts import infer

_K = QuestionKind
_TESTS = {
    _K.MUST_BE_TRUE: ("entailed", True),
    _K.MUST_BE_FALSE: ("possible", False),
    _K.COULD_BE_TRUE: ("possible", True),
    _K.COULD_BE_FALSE: ("entailed", False),
    _K.CANNOT_BE_TRUE: ("possible", False),
    _K.CANNOT_BE_FALSE: ("entailed", True),
}
_EXCEPT = {
    _K.MUST_BE_TRUE_EXCEPT: _K.MUST_BE_TRUE,
    _K.MUST_BE_FALSE_EXCEPT: _K.MUST_BE_FALSE,
    _K.COULD_BE_TRUE_EXCEPT: _K.COULD_BE_TRUE,
    _K.COULD_BE_FALSE_EXCEPT: _K.COULD_BE_FALSE,
    _K.CANNOT_BE_TRUE_EXCEPT: _K.CANNOT_BE_TRUE,
    _K.CANNOT_BE_FALSE_EXCEPT: _K.CANNOT_BE_FALSE,
}


class _Stop(Exception):
    """A check Z3 could not decide: the whole question is undecided."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def choose(problem: ChoiceProblem, limits: Limits | None = None) -> ChoiceResult:
    """Decide every option within one budget; every failure comes back as a result."""
    limits = limits or Limits()
    started = time.perf_counter()
    budget = Budget(limits)
    kind = problem.question.kind.value
    try:
        result = _decide(problem, budget)
    except _Stop as stop:
        result = _gave_up(kind, stop.reason)
    except z3.Z3Exception as exc:
        drop_shared_context()
        result = ChoiceResult("error", kind, error={"code": "prover_error", "message": str(exc)})
    except (SemanticError, FreeVariable) as exc:
        code = exc.code if isinstance(exc, SemanticError) else "free_variable"
        result = ChoiceResult("error", kind, error={"code": code, "message": str(exc)})
    except RecursionError:
        message = "formula nested too deeply for the z3 backend"
        result = ChoiceResult("error", kind, error={"code": "prover_error", "message": message})
    elapsed_ms = (time.perf_counter() - started) * 1000
    stats = {"checks": budget.checks, "rlimit_used": budget.used}
    return dataclasses.replace(result, elapsed_ms=elapsed_ms, stats=stats)


def _gave_up(kind: str, reason: str) -> ChoiceResult:
    budget_words = ("timeout", "canceled", "cancelled", "resource", "rlimit", "memory")
    if any(word in reason.lower() for word in budget_words):
        return ChoiceResult("timeout", kind, warnings=(f"z3 stopped: {reason}",))
    return ChoiceResult("error", kind, error={"code": "solver_gave_up", "message": reason})


def _decide(problem: ChoiceProblem, budget: Budget) -> ChoiceResult:
    question = problem.question
    kind = question.kind.value
    options = [f for o in question.options for f in o.formulas]
    typing = infer(
        (*problem.premise_formulas, *options), problem.signature, problem.predicates
    ).typing
    enc = Encoder(shared_context(), (*problem.premise_formulas, *options), typing)
    solver = new_solver(enc)
    lits = [enc.fresh("premise", enc.bool) for _ in problem.premises]
    for lit, premise in zip(lits, problem.premise_formulas, strict=True):
        solver.add(z3.Implies(lit, enc.formula(premise, {}), enc.ctx))
    index = {literal_id(lit): i for i, lit in enumerate(lits)}

    def used(core: frozenset[int]) -> tuple[int, ...]:
        return tuple(sorted(index[key] for key in core if key in index))

    alone = budget.check(solver, lits)
    if alone.answer == "unsat":
        return ChoiceResult("contradictory_premises", kind, used_premises=used(alone.core))
    if alone.answer == "unknown":
        raise _Stop(alone.reason)

    solver.set("core.minimize", False)  # cores are minimised for the answer alone, below
    checker = _Checker(enc, solver, lits, budget, [alone.model] if alone.model else [])
    if question.kind is _K.ACCURATE_LIST:
        judged = [_judge_list(o.label, o.formulas, checker, used) for o in question.options]
    else:
        sweep = [_sweep(o.label, o.formulas[0], question.kind, checker) for o in question.options]
        judged = [s.result for s in sweep]
        chosen = [s for s in sweep if s.result.selected]
        if len(chosen) == 1:  # explain the answer: its premises, or its model
            answer = _explain(chosen[0], _Checker(enc, solver, lits, budget, []), used)
            judged[sweep.index(chosen[0])] = answer
    selected = tuple(o.label for o in judged if o.selected)
    if len(selected) == 1:
        return ChoiceResult("ok", kind, selected[0], selected, tuple(judged))
    status: ChoiceStatus = "no_option" if not selected else "several_options"
    return ChoiceResult(status, kind, None, selected, tuple(judged))


def _check(
    solver: z3.Solver,
    lits: list[z3.BoolRef],
    extra: z3.BoolRef,
    budget: Budget,
    enc: Encoder,
) -> tuple[bool, frozenset[int], z3.ModelRef | None]:
    """Is premises ∧ extra satisfiable? (sat, unsat core, model)."""
    switch = enc.fresh("option", enc.bool)
    solver.push()
    solver.add(z3.Implies(switch, extra, enc.ctx))
    outcome = budget.check(solver, [*lits, switch])
    solver.pop()
    if outcome.answer == "unknown":
        raise _Stop(outcome.reason)
    return outcome.answer == "sat", outcome.core, outcome.model


@dataclasses.dataclass(frozen=True, slots=True)
class _Checker:
    """Satisfiability beside the premises, trying the models found so far first: a model of
    the premises where the extra formula holds answers "sat" with no solver call (on a
    puzzle with one solution, most options are settled by the first model)."""

    enc: Encoder
    solver: z3.Solver
    lits: list[z3.BoolRef]
    budget: Budget
    models: list[z3.ModelRef]

    def sat(self, extra: z3.BoolRef) -> tuple[bool, frozenset[int], z3.ModelRef | None]:
        for model in self.models:
            if z3.is_true(model.eval(extra, model_completion=True)):
                return True, frozenset(), model
        found = _check(self.solver, self.lits, extra, self.budget, self.enc)
        if found[2] is not None:
            self.models.append(found[2])
        return found


@dataclasses.dataclass(frozen=True, slots=True)
class _Swept:
    """One option after the one check its question's kind reads."""

    result: OptionResult
    checked: z3.BoolRef
    """What was checked beside the premises: the option, or its negation."""
    model: z3.ModelRef | None


def _sweep(label: str, formula: Formula, kind: QuestionKind, checker: _Checker) -> _Swept:
    """Only the check the kind reads: entailment (premises ∧ ¬φ) or possibility
    (premises ∧ φ). Under consistent premises an entailed option is possible and an
    impossible one is not entailed; the other fact stays unknown (``None``)."""
    enc = checker.enc
    goal = enc.formula(formula, {})
    test, wanted = _TESTS[_EXCEPT.get(kind, kind)]
    entailed: bool | None
    possible: bool | None
    if test == "entailed":
        checked = z3.Not(goal, enc.ctx)
        countered, _, model = checker.sat(checked)
        entailed = not countered
        possible = True if entailed else None
        passes = entailed == wanted
    else:
        checked = goal
        possible, _, model = checker.sat(checked)
        entailed = False if not possible else None
        passes = possible == wanted
    if kind in _EXCEPT:
        passes = not passes
    return _Swept(OptionResult(label, passes, entailed, possible), checked, model)


def _explain(swept: _Swept, checker: _Checker, used: Any) -> OptionResult:
    """The answer's explanation: the model its check found (a witness, or a model where it
    fails), else the premises its check refuted, as a minimised unsat core."""
    if swept.model is not None:
        return dataclasses.replace(swept.result, model=describe_model(checker.enc, swept.model))
    checker.solver.set("core.minimize", True)
    _, core, _ = checker.sat(swept.checked)
    return dataclasses.replace(swept.result, used_premises=used(core))


def _judge_list(
    label: str, formulas: tuple[Formula, ...], checker: _Checker, used: Any
) -> OptionResult:
    """Complete (the premises entail one of the items) and accurate (each is possible)."""
    enc = checker.enc
    goals = [enc.formula(f, {}) for f in formulas]
    countered, complete_by, _ = checker.sat(z3.Not(z3.Or(goals), enc.ctx))
    each_possible = all(checker.sat(g)[0] for g in goals)
    entailed = not countered
    why = used(complete_by) if entailed else ()
    return OptionResult(label, entailed and each_possible, entailed, each_possible, why)

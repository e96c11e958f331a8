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

Exactly one option passing is the answer; none or several is its own outcome
(``no_option``, ``several_options``), never a guess. Contradictory premises,
timeouts and solver failures stay what they are for yes/no problems. Each
option carries its explanation: the premises an entailment (or a refutation)
used, and a witness model when it is possible but not entailed.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import z3

from logicsvc.errors import SemanticError
from logicsvc.syntax.ast import ChoiceProblem, Formula, QuestionKind
from logicsvc.syntax.sorts import infer
from provers.result import ChoiceResult, ChoiceStatus, Limits, OptionResult
from provers.z3_backend import Budget, describe_model, new_solver
from provers.z3_encoding import Encoder, FreeVariable

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
    enc = Encoder(z3.Context(), (*problem.premise_formulas, *options), typing)
    solver = new_solver(enc)
    lits = [enc.fresh("premise", enc.bool) for _ in problem.premises]
    for lit, premise in zip(lits, problem.premise_formulas, strict=True):
        solver.add(z3.Implies(lit, enc.formula(premise, {}), enc.ctx))
    index = {str(lit): i for i, lit in enumerate(lits)}

    def used(core: frozenset[str]) -> tuple[int, ...]:
        return tuple(sorted(index[name] for name in core if name in index))

    alone = budget.check(solver, lits)
    if alone.answer == "unsat":
        return ChoiceResult("contradictory_premises", kind, used_premises=used(alone.core))
    if alone.answer == "unknown":
        raise _Stop(alone.reason)

    judged = []
    for option in question.options:
        if question.kind is _K.ACCURATE_LIST:
            judged.append(
                _judge_list(option.label, option.formulas, enc, solver, lits, budget, used)
            )
        else:
            (formula,) = option.formulas
            judged.append(
                _judge(option.label, formula, question.kind, enc, solver, lits, budget, used)
            )
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
) -> tuple[bool, frozenset[str], z3.ModelRef | None]:
    """Is premises ∧ extra satisfiable? (sat, unsat core, model)."""
    switch = enc.fresh("option", enc.bool)
    solver.push()
    solver.add(z3.Implies(switch, extra, enc.ctx))
    outcome = budget.check(solver, [*lits, switch])
    solver.pop()
    if outcome.answer == "unknown":
        raise _Stop(outcome.reason)
    return outcome.answer == "sat", outcome.core, outcome.model


def _judge(
    label: str,
    formula: Formula,
    kind: QuestionKind,
    enc: Encoder,
    solver: z3.Solver,
    lits: list[z3.BoolRef],
    budget: Budget,
    used: Any,
) -> OptionResult:
    goal = enc.formula(formula, {})
    possible, refuted_by, witness = _check(solver, lits, goal, budget, enc)
    countered, entailed_by, _ = _check(solver, lits, z3.Not(goal, enc.ctx), budget, enc)
    entailed = not countered
    test, wanted = _TESTS[_EXCEPT.get(kind, kind)]
    passes = (entailed if test == "entailed" else possible) == wanted
    if kind in _EXCEPT:
        passes = not passes
    why = used(entailed_by) if entailed else used(refuted_by) if not possible else ()
    model = describe_model(enc, witness) if witness is not None and not entailed else None
    return OptionResult(label, passes, entailed, possible, why, model)


def _judge_list(
    label: str,
    formulas: tuple[Formula, ...],
    enc: Encoder,
    solver: z3.Solver,
    lits: list[z3.BoolRef],
    budget: Budget,
    used: Any,
) -> OptionResult:
    goals = [enc.formula(f, {}) for f in formulas]
    countered, complete_by, _ = _check(solver, lits, z3.Not(z3.Or(goals), enc.ctx), budget, enc)
    each_possible = all(_check(solver, lits, g, budget, enc)[0] for g in goals)
    entailed = not countered
    why = used(complete_by) if entailed else ()
    return OptionResult(label, entailed and each_possible, entailed, each_possible, why)

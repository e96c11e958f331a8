"""Text in, checked problem out: the front half of the pipeline in one call."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from logicsvc.checks import (
    CheckedChoice,
    CheckedProblem,
    check_depth,
    check_formulas,
    check_program,
    check_task,
)
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.syntax import parse_formula, parse_program
from logicsvc.syntax.repair import close_free_variables

_Checked = TypeVar("_Checked", CheckedProblem, CheckedProblem | CheckedChoice)


def _bounded(stage: Callable[[], _Checked]) -> _Checked:
    """Tree walks recurse; a formula deeper than Python's stack is the input's fault."""
    try:
        checked = stage()
    except RecursionError:
        raise InputError("formula is nested too deeply", code="too_deep") from None
    check_depth(checked.problem)
    return checked


def load_problem(text: str, *, lenient: bool = False) -> CheckedProblem:
    """Parse a problem file and run the semantic checks; repairs become warnings."""

    def stage() -> CheckedProblem:
        parsed = parse_program(text, lenient=lenient)
        checked = check_program(parsed.program, text)
        return CheckedProblem(checked.problem, parsed.warnings + checked.warnings)

    return _bounded(stage)


def load_task(text: str, *, lenient: bool = False) -> CheckedProblem | CheckedChoice:
    """Like :func:`load_problem`, but a program may also end with a question and options."""

    def stage() -> CheckedProblem | CheckedChoice:
        parsed = parse_program(text, lenient=lenient)
        checked = check_task(parsed.program, text)
        if isinstance(checked, CheckedChoice):
            return CheckedChoice(checked.problem, parsed.warnings + checked.warnings)
        return CheckedProblem(checked.problem, parsed.warnings + checked.warnings)

    return _bounded(stage)


def load_formulas(premises: list[str], conclusion: str, *, lenient: bool = False) -> CheckedProblem:
    """Parse premises and a conclusion given as separate formula strings."""

    def stage() -> CheckedProblem:
        warnings: list[str] = []
        formulas = []
        everything = "\n".join([*premises, conclusion])
        for index, text in enumerate([*premises, conclusion]):
            label = f"premise {index + 1}" if index < len(premises) else "conclusion"
            try:
                formula, notes = parse_formula(text, lenient=lenient, context=everything)
            except LogicsvcError as exc:
                exc.message = f"{label}: {exc.message}"  # spans are relative to this formula
                raise
            if lenient:
                formula, closed = close_free_variables(formula, premise=index < len(premises))
                notes = (*notes, *closed)
            formulas.append(formula)
            warnings.extend(f"{label}: {note}" for note in notes)
        checked = check_formulas(formulas[:-1], formulas[-1])
        return CheckedProblem(checked.problem, tuple(warnings) + checked.warnings)

    return _bounded(stage)

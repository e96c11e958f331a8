"""Text in, checked problem out: the front half of the pipeline in one call."""

from __future__ import annotations

from logicsvc.checks import CheckedProblem, check_formulas, check_program
from logicsvc.syntax import parse_formula, parse_program


def load_problem(text: str, *, lenient: bool = False) -> CheckedProblem:
    """Parse a problem file and run the semantic checks; repairs become warnings."""
    parsed = parse_program(text, lenient=lenient)
    checked = check_program(parsed.program, text)
    return CheckedProblem(checked.problem, parsed.warnings + checked.warnings)


def load_formulas(premises: list[str], conclusion: str, *, lenient: bool = False) -> CheckedProblem:
    """Parse premises and a conclusion given as separate formula strings."""
    warnings: list[str] = []
    formulas = []
    for index, text in enumerate([*premises, conclusion]):
        label = f"premise {index}" if index < len(premises) else "conclusion"
        try:
            formula, notes = parse_formula(text, lenient=lenient)
        except Exception as exc:
            if hasattr(exc, "message"):
                exc.message = f"{label}: {exc.message}"
            raise
        formulas.append(formula)
        warnings.extend(f"{label}: {note}" for note in notes)
    checked = check_formulas(formulas[:-1], formulas[-1])
    return CheckedProblem(checked.problem, tuple(warnings) + checked.warnings)

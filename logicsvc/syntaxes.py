"""Which notation a problem is written in, and loading it whatever it is.

Three notations reach the same AST: the DSL, Prover9/LADR input files (and NLTK
formulas inside them) and TPTP FOF/CNF.  When the caller does not say which, the file
extension decides, else the content: a ``fof(``/``cnf(`` line is TPTP, a
``formulas(…).`` list is Prover9, anything else the DSL.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Literal

from logicsvc.checks import CheckedChoice, CheckedProblem, check_formulas, check_program
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.load import _bounded, load_formulas, load_task

Syntax = Literal["dsl", "prover9", "tptp"]
SYNTAXES: tuple[Syntax, ...] = ("dsl", "prover9", "tptp")

_EXTENSIONS: dict[str, Syntax] = {
    ".p": "tptp",
    ".tptp": "tptp",
    ".ax": "tptp",
    ".in": "prover9",
    ".prover9": "prover9",
    ".ladr": "prover9",
    ".fol": "dsl",
    ".dsl": "dsl",
}
_TPTP = re.compile(r"^\s*(fof|cnf|tff|thf|include)\s*\(", re.MULTILINE)
_PROVER9 = re.compile(r"^\s*(formulas|clauses)\s*\(\s*\w+\s*\)\s*\.", re.MULTILINE)
_DSL = re.compile(r"^\s*(Premises|Conclusion|Predicates):\s*$", re.MULTILINE)


def detect_syntax(text: str, filename: str | None = None) -> Syntax:
    """The notation of ``text``: by extension when it names one, else by content."""
    if filename:
        by_extension = _EXTENSIONS.get(PurePath(filename).suffix.lower())
        if by_extension:
            return by_extension
    if _DSL.search(text):
        return "dsl"
    if _TPTP.search(text):
        return "tptp"
    if _PROVER9.search(text):
        return "prover9"
    return "dsl"


def load_in_syntax(
    text: str, syntax: str | None = None, *, lenient: bool = False, filename: str | None = None
) -> tuple[CheckedProblem | CheckedChoice, Syntax]:
    """Parse ``text`` in ``syntax`` (detected when None) and run the semantic checks; a DSL
    program may also end with a multiple-choice question."""
    chosen = syntax or detect_syntax(text, filename)
    if chosen == "dsl":
        return load_task(text, lenient=lenient), "dsl"
    if chosen not in SYNTAXES:
        raise InputError(
            f"unknown syntax {chosen!r}; choose one of {', '.join(SYNTAXES)}",
            code="unknown_syntax",
        )

    def stage() -> CheckedProblem:
        if chosen == "prover9":
            from logicsvc.syntax.prover9 import parse_prover9 as parse
        else:
            from logicsvc.syntax.tptp_reader import parse_tptp as parse
        parsed = parse(text, lenient=lenient)
        checked = check_program(parsed.program, text)
        return CheckedProblem(checked.problem, parsed.warnings + checked.warnings)

    return _bounded(stage), chosen


def load_formulas_in_syntax(
    premises: list[str], conclusion: str, syntax: str | None = None, *, lenient: bool = False
) -> CheckedProblem:
    """Formulas one by one (an API request) in the DSL or Prover9/NLTK notation."""
    if syntax in (None, "dsl"):
        return load_formulas(premises, conclusion, lenient=lenient)
    if syntax != "prover9":
        raise InputError(
            f"formulas one by one are read in dsl or prover9 syntax, not {syntax!r}; "
            "send a whole 'program' instead",
            code="unknown_syntax",
        )
    from logicsvc.syntax.prover9 import parse_prover9_formula

    def stage() -> CheckedProblem:
        warnings: list[str] = []
        formulas = []
        for index, text in enumerate([*premises, conclusion]):
            label = f"premise {index}" if index < len(premises) else "conclusion"
            try:
                formula, notes = parse_prover9_formula(text, lenient=lenient)
            except LogicsvcError as exc:
                exc.message = f"{label}: {exc.message}"
                raise
            formulas.append(formula)
            warnings.extend(f"{label}: {note}" for note in notes)
        checked = check_formulas(formulas[:-1], formulas[-1])
        return CheckedProblem(checked.problem, tuple(warnings) + checked.warnings)

    return _bounded(stage)

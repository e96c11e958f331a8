"""Recorded LLM programs in other notations → logicsvc DSL text.

Four styles, as Logic-LM's prompts ask for them: ``folio`` (``Predicates:`` /
``Premises:`` / ``Conclusion:``, already our DSL), ``proofwriter``
(``Facts:`` / ``Rules:`` / ``Query:`` with True/False polarities, converted by
:mod:`.proofwriter_style`; ProntoQA's programs too), and the two
multiple-choice styles: ``logical_deduction`` (``Domain:`` / ``Variables:`` /
``Constraints:`` / ``Query:``, :mod:`.logical_deduction`) and ``ar_lsat``
(``# Declarations`` / ``# Constraints`` / ``# Options``, :mod:`.arlsat`).
"""

from __future__ import annotations

import re
from typing import Literal

from logicsvc.checks import CheckedChoice
from logicsvc.errors import InputError
from logicsvc.translate.formats import arlsat, logical_deduction, proofwriter_style

Style = Literal["folio", "proofwriter", "logical_deduction", "ar_lsat"]
STYLES: tuple[Style, ...] = ("folio", "proofwriter", "logical_deduction", "ar_lsat")
CHOICE_STYLES: tuple[Style, ...] = ("logical_deduction", "ar_lsat")
"""Styles whose programs end with options, not with one conclusion."""

_HEADER_LINE = re.compile(
    r"^\s*(Premises|Conclusion|Facts|Rules|Query|Domain|Variables)\s*:\s*$", re.M
)
_AR_LSAT_SECTION = re.compile(r"^\s*#\s*(Declarations|Constraints|Options)\s*$", re.M)


def detect_style(program: str) -> Style:
    """``ar_lsat`` when a ``# Declarations``/``# Constraints``/``# Options`` line opens
    a section and there is no DSL header; ``logical_deduction`` when a Domain: or
    Variables: header is there; ``proofwriter`` when the program has a Facts:/Rules:/
    Query: header and no Premises:/Conclusion: header (or, with no header at all, a
    ``>>>``); else ``folio``, whose parser gives the most precise errors for anything
    unrecognisable."""
    headers = set(_HEADER_LINE.findall(program))
    if headers & {"Premises", "Conclusion"}:
        return "folio"
    if _AR_LSAT_SECTION.search(program):
        return "ar_lsat"
    if headers & {"Domain", "Variables"}:
        return "logical_deduction"
    if headers or ">>>" in program:
        return "proofwriter"
    return "folio"


def to_dsl_program(program: str, *, lenient: bool = False) -> tuple[Style, str, tuple[str, ...]]:
    """``(style, DSL text, conversion notes)``; a FOLIO-style program comes back as is
    (so does a multiple-choice program: see :func:`load_choice_program`).

    Raises :class:`~logicsvc.errors.DSLSyntaxError` (with the original line) when a
    ProofWriter-style program cannot be converted.
    """
    style = detect_style(program)
    if style == "folio" or style in CHOICE_STYLES:  # a question: read as our DSL, which
        return "folio", program, ()  # reports precisely why it is not a yes/no program
    text, notes = proofwriter_style.to_dsl(program, lenient=lenient)
    return style, text, notes


def load_choice_program(
    program: str, *, question: str = "", lenient: bool = False
) -> tuple[Style, CheckedChoice]:
    """A multiple-choice program of either choice style, loaded and checked.

    ``question`` (the item's question text) gives a LogicalDeduction program its
    kind; an AR-LSAT program states its kind through its option tests.  Every
    failure is a typed :class:`~logicsvc.errors.InputError` on the model's line.
    """
    style = detect_style(program)
    if style == "ar_lsat":
        return style, arlsat.load(program)
    if style == "logical_deduction":
        return style, logical_deduction.load(program, question, lenient=lenient)
    raise InputError(f"a {style} program has no options", code="no_options")


__all__ = [
    "CHOICE_STYLES",
    "STYLES",
    "Style",
    "detect_style",
    "load_choice_program",
    "to_dsl_program",
]

"""Recorded LLM programs in other notations → logicsvc DSL text.

Two styles, as Logic-LM's prompts ask for them: ``folio`` (``Predicates:`` /
``Premises:`` / ``Conclusion:``, already our DSL) and ``proofwriter``
(``Facts:`` / ``Rules:`` / ``Query:`` with True/False polarities, converted by
:mod:`.proofwriter_style`).
"""

from __future__ import annotations

import re
from typing import Literal

from logicsvc.translate.formats import proofwriter_style

Style = Literal["folio", "proofwriter"]
STYLES: tuple[Style, ...] = ("folio", "proofwriter")

_HEADER_LINE = re.compile(r"^\s*(Premises|Conclusion|Facts|Rules|Query)\s*:\s*$", re.M)


def detect_style(program: str) -> Style:
    """``proofwriter`` when the program has a Facts:/Rules:/Query: header and no
    Premises:/Conclusion: header (or, with no header at all, a ``>>>``); else ``folio``,
    whose parser gives the most precise errors for anything unrecognisable."""
    headers = set(_HEADER_LINE.findall(program))
    if headers & {"Premises", "Conclusion"}:
        return "folio"
    if headers or ">>>" in program:
        return "proofwriter"
    return "folio"


def to_dsl_program(program: str, *, lenient: bool = False) -> tuple[Style, str, tuple[str, ...]]:
    """``(style, DSL text, conversion notes)``; a FOLIO-style program comes back as is.

    Raises :class:`~logicsvc.errors.DSLSyntaxError` (with the original line) when a
    ProofWriter-style program cannot be converted.
    """
    style = detect_style(program)
    if style == "folio":
        return style, program, ()
    text, notes = proofwriter_style.to_dsl(program, lenient=lenient)
    return style, text, notes


__all__ = ["STYLES", "Style", "detect_style", "to_dsl_program"]

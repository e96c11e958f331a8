"""Recorded multiple-choice programs (LogicalDeduction, AR-LSAT): one item → one record.

The gold and the prediction are option letters; an item is correct only when
the one option the question's kind selects is the gold letter.  ``no_option``
and ``several_options`` are outcomes of their own (the program ran, the answer
is not one letter), never a guess.
"""

from __future__ import annotations

from typing import Any

from logicsvc import provers
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.provers import Limits
from logicsvc.translate.formats import Style, load_choice_program

LETTERS = "ABCDEFGHIJ"


def gold_letter(raw: dict[str, Any]) -> str:
    answer = str(raw.get("answer", "")).strip().upper()[:1]
    options = raw.get("options")
    allowed = LETTERS[: len(options)] if isinstance(options, list) and options else LETTERS
    if not answer or answer not in allowed:
        raise InputError(f"answer {raw.get('answer')!r} is not one of the options {allowed}")
    return answer


def evaluate_choice_item(
    raw: dict[str, Any], program: str, style: Style, *, lenient: bool, limits: Limits
) -> dict[str, Any]:
    """The record fields of one choice item (``gold``/``predicted`` are letters)."""
    record: dict[str, Any] = {"style": style, "world": "open", "gold": None, "answer": None}
    record.update(predicted=None, parsed=False, repairs=[], used_premises=[])
    try:
        record["gold"] = record["answer"] = gold_letter(raw)
        question = str(raw.get("question") or "")
        _, checked = load_choice_program(program, question=question, lenient=lenient)
        _check_option_count(raw, len(checked.problem.question.options))
    except LogicsvcError as exc:
        record.update(status="invalid_input", error=exc.to_dict())
        return record
    record.update(parsed=True, repairs=list(checked.warnings))
    result = provers.choose(checked.problem, limits)
    error = result.error
    if result.status == "timeout":
        error = {"code": "timeout", "message": "; ".join(result.warnings) or "timeout"}
    record.update(
        status=result.status,
        predicted=result.answer,
        kind=result.kind,
        selected=list(result.selected),
        backend=result.backend,
        used_premises=list(result.used_premises),
        error=error,
        elapsed_ms=round(result.elapsed_ms, 3),
    )
    return record


def _check_option_count(raw: dict[str, Any], written: int) -> None:
    options = raw.get("options")
    if isinstance(options, list) and options and len(options) != written:
        message = f"the program has {written} option(s), the question {len(options)}"
        raise InputError(message, code="option_count")

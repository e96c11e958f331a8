"""``eval programs``: run recorded LLM programs (Logic-LM's outputs), score the answers.

This measures the LLM's formalisations with our front end and provers: an item
whose program does not load is counted with its typed error, never dropped.
Input is Logic-LM's JSON list of ``{id, answer: A|B|C, raw_logic_programs:
[program, ...]}``; the first program of each item is run.  Its style is
detected per item: FOLIO style (already our DSL) is proved in the ``open``
(classical) world, ProofWriter style (converted, see
:mod:`logicsvc.translate.formats`) in the ``explicit`` world, ProofWriter's
own; ``world=`` overrides both.  ``lenient`` governs conversion and parsing.

ProntoQA's programs are ProofWriter style and run in the same ``explicit``
world.  Its questions are two-way (A = True, B = False) over an ontology
that is complete by construction: every true statement, negative ones
included, follows from a chain of its rules (a "false" question's negation is
derived by a negative rule, "Tumpuses are not sour").  ``closed`` refuses
those negative rule heads, and ``closed-stated`` ignores derived facts; the
explicit world derives exactly the statements the ontology makes true, and
its ``unknown`` (only a faulty program gets it here) counts as wrong, never
as a letter.  The multiple-choice styles (LogicalDeduction, AR-LSAT) are decided by
:func:`provers.choose`, with option letters as gold and prediction
(:mod:`.choice_programs`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logicsvc import provers
from logicsvc.checks import CheckedProblem, check_depth, check_program
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.evaluation.batch_gc import fewer_collections
from logicsvc.evaluation.choice_programs import evaluate_choice_item
from logicsvc.evaluation.common import ProgramTally, open_sink
from logicsvc.load import load_problem
from logicsvc.provers import Backend, Limits, World
from logicsvc.syntax.ast import Program
from logicsvc.translate.formats import CHOICE_STYLES, Style, detect_style, to_dsl_program
from logicsvc.translate.formats.proofwriter_style import convert

FORMATS = ("logiclm", "linc")
_ANSWERS = {"A": "true", "B": "false", "C": "unknown"}
_WORLDS: dict[Style, World] = {
    "folio": "open",
    "proofwriter": "explicit",
    "logical_deduction": "open",
    "ar_lsat": "open",
}


@dataclass
class Summary(ProgramTally):
    styles: Counter[str] = field(default_factory=Counter)
    worlds: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        super().add(record)
        if record.get("style"):
            self.styles[record["style"]] += 1
        if record.get("world"):
            self.worlds[record["world"]] += 1

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(
            styles=dict(sorted(self.styles.items())),
            worlds=dict(sorted(self.worlds.items())),
        )
        return out


def read_items(path: Path) -> list[Any]:
    """The file's JSON list; anything else is an InputError."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read a JSON list ({exc})") from None
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a JSON list of items, found {type(items).__name__}")
    return items


def evaluate_item(
    item: Any, *, lenient: bool, limits: Limits, backend: Backend, world: World | None
) -> dict[str, Any]:
    """One item → one output record (never raises for a bad item)."""
    raw = item if isinstance(item, dict) else {}
    record: dict[str, Any] = {"id": raw.get("id"), "style": None, "gold": None}
    record.update(predicted=None, parsed=False, repairs=[], used_premises=[])
    try:
        if not isinstance(item, dict):
            raise InputError(f"an item must be a JSON object, not {type(item).__name__}")
        programs = raw.get("raw_logic_programs")
        if not isinstance(programs, list) or not programs or not isinstance(programs[0], str):
            raise InputError("the item has no program ('raw_logic_programs' is empty)")
        style = detect_style(programs[0])
        if style in CHOICE_STYLES:
            choice = evaluate_choice_item(raw, programs[0], style, lenient=lenient, limits=limits)
            return {**record, **choice}
        answer = str(raw.get("answer", "")).strip().upper()[:1]
        if answer not in _ANSWERS:
            raise InputError(f"answer {raw.get('answer')!r} is not A, B or C")
        record["gold"] = _ANSWERS[answer]
        record.update(style=style, world=world or _WORLDS[style])
        built, checked = None, None
        if style == "proofwriter":  # the converter builds the AST: no re-parse
            converted = convert(programs[0], lenient=lenient)
            dsl, notes = converted.text, converted.notes
            built, checked = converted.built, converted.checked
        else:
            _, dsl, notes = to_dsl_program(programs[0], lenient=lenient)
        record["repairs"] = list(notes)
        checked = checked or (_check_built(*built, dsl) if built else None)
        checked = checked or load_problem(dsl, lenient=lenient)
    except LogicsvcError as exc:
        record.update(status="invalid_input", error=exc.to_dict())
        return record
    record.update(parsed=True, repairs=[*record["repairs"], *checked.warnings])
    try:
        result = provers.prove(
            checked.problem, limits, backend=backend, world=record["world"], explain=False
        )
    except LogicsvcError as exc:
        record.update(status="error", error=exc.to_dict())
        return record
    error = result.error
    if result.status == "timeout":  # not an exception, but the histogram counts it
        error = {"code": "timeout", "message": "; ".join(result.warnings) or "timeout"}
    record.update(
        status=result.status,
        predicted=result.verdict,
        backend=result.backend,
        used_premises=list(result.used_premises),
        error=error,
        elapsed_ms=round(result.elapsed_ms, 3),
    )
    return record


def _check_built(program: Program, warnings: tuple[str, ...], text: str) -> CheckedProblem | None:
    """:func:`load_problem` on a program already built from ``text``; ``None`` where
    the checks object, so the text path reports the error exactly as it always has."""
    try:
        checked = check_program(program, text)
        check_depth(checked.problem)
    except (LogicsvcError, RecursionError):
        return None
    return CheckedProblem(checked.problem, warnings + checked.warnings)


def evaluate(
    path: Path,
    *,
    fmt: str = "logiclm",
    lenient: bool = True,
    limits: Limits | None = None,
    backend: Backend = "auto",
    world: World | None = None,
    out: Path | None = None,
) -> ProgramTally:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    items = read_items(path)
    if fmt == "linc":  # LINC's multi-sample recordings: their own reader and vote
        from logicsvc.evaluation import linc

        return linc.evaluate(
            items, lenient=lenient, limits=limits, backend=backend, world=world, out=out
        )
    limits = limits or Limits()
    summary = Summary()
    with open_sink(out, total=len(items), name=path.name) as sink, fewer_collections():
        for index, item in enumerate(items):
            record = evaluate_item(
                item, lenient=lenient, limits=limits, backend=backend, world=world
            )
            record["id"] = record["id"] if record["id"] is not None else f"item{index}"
            summary.add(record)
            sink.write(record)
    return summary

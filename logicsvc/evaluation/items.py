"""Natural-language evaluation items, whatever file they came in.

FOLIO JSONL (``premises`` list, ``conclusion``, ``label``), Logic-LM's JSON
lists (``context``, ``question`` with its "Based on the above information…"
prefix, ``answer`` A/B/C) and PARARULE-Plus JSONL all become :class:`NLItem`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logicsvc.errors import InputError
from logicsvc.evaluation.common import read_jsonl

_ANSWERS = {"A": "true", "B": "false", "C": "unknown"}
_LABELS = {"true": "true", "false": "false", "unknown": "unknown", "uncertain": "unknown"}
_DEPTH_IN_ID = re.compile(r"-D(\d+)-")
_QUESTION_PREFIX = re.compile(
    r"^\s*(?:based on the above information,.*?\?|is the following statement true or false\?)\s*",
    re.I | re.S,
)
_LETTER = re.compile(r"^\s*\(?([A-Z])\)")


@dataclass(frozen=True, slots=True)
class NLItem:
    id: str
    premises: tuple[str, ...]
    conclusion: str
    gold: str
    depth: str | None = None


def strip_question(question: str) -> str:
    """The statement inside "Based on the above information, is … ? <statement>"."""
    return _QUESTION_PREFIX.sub("", question).strip()


def _label(raw: Any, where: str) -> str:
    label = _LABELS.get(str(raw).strip().lower())
    if label is None:
        raise InputError(f"{where}: label {raw!r} is not True/False/Unknown/Uncertain")
    return label


def _logiclm(path: Path, data: list[Any]) -> Iterator[NLItem]:
    for index, raw in enumerate(data):
        if not isinstance(raw, dict) or "context" not in raw or "question" not in raw:
            raise InputError(f"{path}: item {index} needs 'context' and 'question'")
        answer = str(raw.get("answer", "")).strip().upper()[:1]
        if answer not in _ANSWERS:
            raise InputError(f"{path}: item {raw.get('id', index)!r} has answer {answer!r}")
        identifier = str(raw.get("id", index))
        match = _DEPTH_IN_ID.search(identifier)
        yield NLItem(
            identifier,
            (str(raw["context"]),),
            strip_question(str(raw["question"])),
            _ANSWERS[answer],
            match.group(1) if match else None,
        )


def choice_text(question: str, options: list[str]) -> str:
    """The question and its lettered options, one per line, as the choice prompt shows them."""
    return "\n".join([question.strip(), *(o.strip() for o in options)])


def split_choice_text(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The inverse of :func:`choice_text`: the question, and each option's letter and text."""
    question, options = [], []
    for line in text.splitlines():
        match = _LETTER.match(line)
        if match:
            options.append((match.group(1), line[match.end() :].strip()))
        elif line.strip():
            question.append(line.strip())
    return " ".join(question), options


def _choice(path: Path, data: list[Any]) -> Iterator[NLItem]:
    """Logic-LM's option-style items (LogicalDeduction, AR-LSAT): the gold is a letter."""
    for index, raw in enumerate(data):
        if not isinstance(raw, dict) or not {"context", "question", "options"} <= set(raw):
            raise InputError(f"{path}: item {index} needs 'context', 'question' and 'options'")
        options = raw["options"]
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise InputError(f"{path}: item {raw.get('id', index)!r}: 'options' must be strings")
        letters = [m.group(1) for o in options if (m := _LETTER.match(o))]
        answer = str(raw.get("answer", "")).strip().upper()[:1]
        if answer not in letters:
            raise InputError(
                f"{path}: item {raw.get('id', index)!r} answers {answer!r}, not one of its "
                f"options {', '.join(letters) or '(none lettered)'}"
            )
        yield NLItem(
            str(raw.get("id", index)),
            (str(raw["context"]),),
            choice_text(str(raw["question"]), options),
            answer,
        )


def read_nl_items(path: Path, *, choice: bool = False) -> Iterator[NLItem]:
    """Items of any supported file; the first non-blank character tells JSON from JSONL.

    ``choice`` reads multiple-choice items (Logic-LM's option-style JSON), whose gold and
    prediction are option letters."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not a JSON list ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(data, list):
            raise InputError(f"{path}: expected a JSON list of items")
        yield from (_choice(path, data) if choice else _logiclm(path, data))
        return
    if choice:
        raise InputError(f"{path}: multiple-choice items come as a JSON list (Logic-LM's format)")
    for number, raw in read_jsonl(path):
        where = f"{path}:{number}"
        try:
            yield from _jsonl_items(raw, number, where)
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"{where}: a field is missing or of the wrong type ({exc!r})"
            ) from None


def _jsonl_items(raw: dict[str, Any], number: int, where: str) -> Iterator[NLItem]:
    if "questions" in raw:  # PARARULE-Plus: one context, several questions
        for k, q in enumerate(raw["questions"]):
            depth = (q.get("meta") or {}).get("QDep")
            yield NLItem(
                str(q.get("id") or f"{raw.get('id', number)}_{k}"),
                (_text(raw["context"], where),),
                _text(q["text"], where),
                _label(q.get("label"), where),
                str(depth) if depth is not None else None,
            )
    elif "premises" in raw and "conclusion" in raw:  # FOLIO
        premises = raw["premises"]
        if not isinstance(premises, list):
            raise InputError(f"{where}: 'premises' must be a list of sentences")
        yield NLItem(
            str(raw.get("id", raw.get("example_id", f"line{number}"))),
            tuple(_text(p, where) for p in premises),
            _text(raw["conclusion"], where),
            _label(raw.get("label"), where),
        )
    else:
        raise InputError(f"{where}: expected FOLIO or PARARULE-Plus fields")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where}: expected a sentence, found {type(value).__name__} {value!r}")
    return value

"""``logicsvc eval proofwriter``: rule-base QA (ProofWriter, PARARULE-Plus) end to end.

Reads Logic-LM's JSON list (``context``, ``question``, ``answer`` A/B/C) or
PARARULE-Plus JSONL (``context``, ``questions[{text, label, meta.QDep}]``).
Every item gets an output record; a sentence outside the translator's language
is counted (``translated`` < ``n``), never dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logicsvc.errors import InputError, LogicsvcError
from logicsvc.evaluation.common import Tally, open_sink, read_jsonl
from logicsvc.reasoning import reason
from logicsvc.translate import Translator, get_translator
from provers import Backend, Limits, World

_ANSWERS = {"A": "true", "B": "false", "C": "unknown"}
_LABELS = {"true": "true", "false": "false", "unknown": "unknown"}
_DEPTH_IN_ID = re.compile(r"-D(\d+)-")


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    context: str
    question: str
    gold: str
    depth: str | None


def read_items(path: Path) -> Iterator[Item]:
    """Both formats; the file's first non-blank character tells which."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        for raw in json.loads(text):
            answer = str(raw.get("answer", "")).strip().upper()[:1]
            if answer not in _ANSWERS:
                raise InputError(f"{path}: item {raw.get('id')!r} has answer {answer!r}")
            match = _DEPTH_IN_ID.search(str(raw.get("id", "")))
            yield Item(
                str(raw["id"]),
                str(raw["context"]),
                str(raw["question"]),
                _ANSWERS[answer],
                match.group(1) if match else None,
            )
        return
    for number, raw in read_jsonl(path):
        for k, q in enumerate(raw.get("questions", [])):
            label = _LABELS.get(str(q.get("label", "")).strip().lower())
            if label is None:
                raise InputError(f"{path}:{number}: question {k} has label {q.get('label')!r}")
            depth = (q.get("meta") or {}).get("QDep")
            yield Item(
                str(q.get("id") or f"{raw.get('id', number)}_{k}"),
                str(raw["context"]),
                str(q["text"]),
                label,
                str(depth) if depth is not None else None,
            )


@dataclass
class Summary(Tally):
    translated: int = 0
    llm_calls: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.count(record)
        self.translated += bool(record.get("translated"))
        self.llm_calls += int(record.get("llm_calls", 0))

    def to_dict(self) -> dict[str, Any]:
        out = self.base_dict()
        out.update(translated=self.translated, llm_calls=self.llm_calls)
        return out


def evaluate_item(
    item: Item, translator: Translator, *, world: World, backend: Backend, limits: Limits
) -> dict[str, Any]:
    record: dict[str, Any] = {"id": item.id, "gold": item.gold, "predicted": None}
    if item.depth is not None:
        record["depth"] = item.depth
    try:
        outcome = reason(
            [item.context],
            item.question,
            translator=translator,
            world=world,
            backend=backend,
            limits=limits,
        )
    except LogicsvcError as exc:
        record.update(status="untranslated" if exc.code == "untranslatable" else "invalid_input")
        record.update(translated=exc.code != "untranslatable", error=exc.to_dict())
        return record
    result = outcome.result
    record.update(
        translated=True,
        status=result.status,
        predicted=result.verdict,
        backend=result.backend,
        translator=outcome.translation.translator,
        llm_calls=outcome.translation.llm_calls,
        used_premises=list(result.used_premises),
        error=result.error,
    )
    return record


def evaluate(
    path: Path,
    *,
    translator: str = "rules",
    world: World = "open",
    backend: Backend = "auto",
    limits: Limits | None = None,
    out: Path | None = None,
) -> Summary:
    chosen = get_translator(translator)
    limits = limits or Limits()
    summary = Summary()
    with open_sink(out) as sink:
        for item in read_items(path):
            record = evaluate_item(item, chosen, world=world, backend=backend, limits=limits)
            summary.add(record)
            sink.write(record)
    return summary

"""Natural-language evaluation through an offline (non-LLM) translator (``--translator rules``).

Serves ``eval proofwriter`` (its home: rule-base QA) and ``eval folio --translator
rules``; any file :func:`logicsvc.evaluation.items.read_nl_items` reads (Logic-LM
JSON, PARARULE-Plus or FOLIO JSONL). The LLM path is :mod:`llm_eval`.
Every item gets an output record; a sentence outside the translator's language
is counted (``translated`` < ``n``), never dropped. Multiple-choice items
(``eval logical-deduction``) are translated whole (:func:`logicsvc.reasoning.translate_choice`)
and decided by :func:`provers.choose`; gold and prediction are option letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logicsvc import provers
from logicsvc.errors import LogicsvcError
from logicsvc.evaluation.common import Tally, open_sink
from logicsvc.evaluation.items import NLItem, read_nl_items, split_choice_text
from logicsvc.provers import Backend, Limits, World
from logicsvc.reasoning import reason, translate_choice
from logicsvc.translate import Translator, get_translator


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
    item: NLItem, translator: Translator, *, world: World, backend: Backend, limits: Limits
) -> dict[str, Any]:
    record: dict[str, Any] = {"id": item.id, "gold": item.gold, "predicted": None}
    if item.depth is not None:
        record["depth"] = item.depth
    try:
        outcome = reason(
            list(item.premises),
            item.conclusion,
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


def evaluate_choice_item(item: NLItem, translator: Translator, *, limits: Limits) -> dict[str, Any]:
    """A multiple-choice item: its question's wording gives the kind, each line an option."""
    from logicsvc.translate.formats.logical_deduction import question_kind

    record: dict[str, Any] = {"id": item.id, "gold": item.gold, "predicted": None}
    try:
        question, options = split_choice_text(item.conclusion)
        translation, problem = translate_choice(
            item.premises, options, question_kind(question), translator
        )
    except LogicsvcError as exc:
        record.update(status="untranslated" if exc.code == "untranslatable" else "invalid_input")
        record.update(translated=exc.code != "untranslatable", error=exc.to_dict())
        return record
    result = provers.choose(problem, limits)
    record.update(
        translated=True,
        status=result.status,
        predicted=result.answer,
        selected=list(result.selected),
        backend=result.backend,
        translator=translation.translator,
        llm_calls=translation.llm_calls,
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
    choice: bool = False,
) -> Summary:
    chosen = get_translator(translator)
    limits = limits or Limits()
    summary = Summary()
    with open_sink(out, name=path.name) as sink:
        for item in read_nl_items(path, choice=choice):
            if choice:
                record = evaluate_choice_item(item, chosen, limits=limits)
            else:
                record = evaluate_item(item, chosen, world=world, backend=backend, limits=limits)
            summary.add(record)
            sink.write(record)
    return summary

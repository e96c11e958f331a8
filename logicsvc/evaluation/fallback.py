"""``--translator auto``: the offline translator for every item, an LLM only where it must.

Each item goes through the ``rules`` translator first (:mod:`offline`); only an item
with a sentence outside its language (status ``untranslated``) is handed to the LLM
loop (:func:`logicsvc.llm.loop.solve_many`), so a dataset the fragment reads whole
costs no LLM call at all. Records keep the item order; an LLM record says so
(``translator: "llm"``) and carries the offline error that sent it there.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from logicsvc.errors import LLMError
from logicsvc.evaluation import offline
from logicsvc.evaluation.common import open_sink
from logicsvc.evaluation.items import NLItem, read_nl_items
from logicsvc.evaluation.llm_eval import CHUNK, record_of
from logicsvc.llm import ChatBackend
from logicsvc.llm.loop import LoopOptions, solve_many
from logicsvc.provers import Limits
from logicsvc.translate import get_translator


async def _ask(
    items: list[NLItem], chat: ChatBackend, options: LoopOptions, concurrency: int
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    size = max(1, concurrency)
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        questions = [(list(i.premises), i.conclusion) for i in chunk]
        outcomes = await solve_many(questions, chat=chat, options=options)
        for item, outcome in zip(chunk, outcomes, strict=True):
            if isinstance(outcome, LLMError):
                record: dict[str, Any] = {
                    "id": item.id,
                    "gold": item.gold,
                    "predicted": None,
                    "status": "llm_error",
                    "error": outcome.to_dict(),
                    "llm_calls": 1,
                }
            else:
                record = record_of(item, outcome)
            record.update(translator="llm", translated=bool(record.get("parsed")))
            records.append(record)
    return records


async def _with_configured(
    items: list[NLItem], options: LoopOptions, concurrency: int
) -> list[dict[str, Any]]:
    from logicsvc.llm.openai_compat import OpenAICompatBackend

    async with OpenAICompatBackend() as configured:
        return await _ask(items, configured, options, concurrency)


def evaluate(
    path: Path,
    *,
    chat: ChatBackend | None,
    options: LoopOptions,
    concurrency: int = CHUNK,
    out: Path | None = None,
    choice: bool = False,
) -> offline.Summary:
    """Offline first; the items it cannot read go to ``chat`` (None: the configured server)."""
    rules = get_translator("rules")
    items = list(read_nl_items(path, choice=choice))
    limits = options.limits or Limits()
    records: list[dict[str, Any]] = []
    for item in items:
        if choice:
            records.append(offline.evaluate_choice_item(item, rules, limits=limits))
        else:
            records.append(
                offline.evaluate_item(
                    item, rules, world=options.world, backend=options.backend, limits=limits
                )
            )
    refused = [k for k, r in enumerate(records) if r["status"] == "untranslated"]
    if refused:
        todo = [items[k] for k in refused]
        asked = (
            asyncio.run(_ask(todo, chat, options, concurrency))
            if chat is not None
            else asyncio.run(_with_configured(todo, options, concurrency))
        )
        for k, record in zip(refused, asked, strict=True):
            record["offline_error"] = records[k].get("error")
            records[k] = record
    summary = offline.Summary()
    with open_sink(out) as sink:
        for record in records:
            summary.add(record)
            sink.write(record)
    return summary

"""``eval folio|proofwriter --translator llm``: the live loop over a dataset.

Items go through :func:`logicsvc.llm.loop.solve_many` (translate, judge, refine,
vote) against the configured chat backend, a chunk of them at a time in lockstep
rounds, so a batching backend sees one batch per round. A server that cannot be
reached stops the run with ``LLMUnavailableError``; any other LLM failure is
recorded on its item. Records are written as each chunk ends.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logicsvc.errors import LLMError
from logicsvc.evaluation.common import Tally, open_sink
from logicsvc.evaluation.items import NLItem, read_nl_items
from logicsvc.llm import ChatBackend
from logicsvc.llm.loop import LoopOptions, solve_many
from logicsvc.llm.outcome import LoopResult

CHUNK = 64
"""Problems solved together by default: enough to keep a model server busy."""
_PARSED_ERRORS = {"outside_fragment"}
"""Error codes that arise only after a program parsed and passed the checks."""


@dataclass
class Summary(Tally):
    parsed: int = 0
    repaired: int = 0
    llm_calls: int = 0
    tokens: int = 0
    refined: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.count(record)
        self.parsed += bool(record.get("parsed"))
        self.repaired += bool(record.get("repairs"))
        self.llm_calls += int(record.get("llm_calls", 0))
        self.tokens += int(record.get("tokens", 0))
        self.refined += bool(record.get("refined"))

    def to_dict(self) -> dict[str, Any]:
        out = self.base_dict()
        out.update(
            parsed=self.parsed,
            repaired=self.repaired,
            llm_calls=self.llm_calls,
            tokens=self.tokens,
            refined=self.refined,
        )
        return out


def record_of(item: NLItem, outcome: LoopResult) -> dict[str, Any]:
    """One output line: the answer, how it was reached, and every attempt."""
    attempts = outcome.attempts
    parsed = any(
        a.status is not None or (a.error or {}).get("code") in _PARSED_ERRORS for a in attempts
    )
    winner = next((a for a in attempts if a.dsl == outcome.program and a.status), None)
    last = attempts[-1] if attempts else None
    status = "failed" if outcome.status == "all_failed" else outcome.status
    return {
        "id": item.id,
        "gold": item.gold,
        "predicted": outcome.verdict,
        "status": status,
        "depth": item.depth,
        "parsed": parsed,
        "error": None if outcome.verdict is not None or last is None else last.error,
        "repairs": list(winner.warnings) if winner else [],
        "votes": outcome.votes,
        "refined": outcome.refined,
        "llm_calls": outcome.llm_calls,
        "tokens": outcome.prompt_tokens + outcome.completion_tokens,
        "program": outcome.program,
        "attempts": [a.to_dict() for a in attempts],
    }


def _llm_error_record(item: NLItem, error: LLMError) -> dict[str, Any]:
    return {
        "id": item.id,
        "gold": item.gold,
        "predicted": None,
        "status": "llm_error",
        "depth": item.depth,
        "parsed": False,
        "error": error.to_dict(),
        "llm_calls": 1,
    }


async def evaluate_async(
    path: Path,
    *,
    chat: ChatBackend | None = None,
    options: LoopOptions = LoopOptions(),  # noqa: B008 (frozen)
    concurrency: int = CHUNK,
    out: Path | None = None,
) -> Summary:
    """Evaluate ``path``; with no ``chat``, the configured OpenAI-compatible server.

    ``concurrency`` problems are solved together in lockstep rounds (``solve_many``); the
    backend caps its own requests in flight (``LOGICSVC_LLM_CONCURRENCY`` over HTTP).
    """
    items = list(read_nl_items(path))
    if chat is not None:
        return await _evaluate(items, chat, concurrency, out, options)
    from logicsvc.llm.openai_compat import OpenAICompatBackend

    # created inside the running loop: its connection pool and cap belong to it
    async with OpenAICompatBackend() as configured:
        return await _evaluate(items, configured, concurrency, out, options)


async def _evaluate(
    items: list[NLItem],
    chat: ChatBackend,
    concurrency: int,
    out: Path | None,
    options: LoopOptions,
) -> Summary:
    summary = Summary()
    size = max(1, concurrency)
    with open_sink(out) as sink:
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            questions = [(list(i.premises), i.conclusion) for i in chunk]
            outcomes = await solve_many(questions, chat=chat, options=options)
            for item, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, LLMError):
                    record = _llm_error_record(item, outcome)
                else:
                    record = record_of(item, outcome)
                summary.add(record)
                sink.write(record)
    return summary


def evaluate(path: Path, **options: Any) -> Summary:
    """Synchronous entry point for the CLI (one event loop for the whole run)."""
    return asyncio.run(evaluate_async(path, **options))

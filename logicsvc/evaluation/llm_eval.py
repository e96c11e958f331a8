"""``eval folio|proofwriter --translator llm``: the live loop over a dataset.

Every item goes through :func:`logicsvc.llm.loop.solve` (translate, judge,
refine, vote) against the configured chat backend, items running concurrently
up to a cap.  A server that cannot be reached stops the run with
``LLMUnavailableError``; any other LLM failure is recorded on its item.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logicsvc.errors import LLMError, LLMUnavailableError
from logicsvc.evaluation.common import Tally, open_sink
from logicsvc.evaluation.items import NLItem, read_nl_items
from logicsvc.llm import ChatBackend
from logicsvc.llm.constraints import DecodingLimits
from logicsvc.llm.loop import LoopResult, solve
from logicsvc.llm.prompts import PromptStyle
from provers import Backend, Limits, World

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


async def _run_item(
    item: NLItem, chat: ChatBackend, gate: asyncio.Semaphore, options: dict[str, Any]
) -> dict[str, Any]:
    async with gate:
        try:
            outcome = await solve(list(item.premises), item.conclusion, chat=chat, **options)
        except LLMUnavailableError:
            raise
        except LLMError as exc:
            return {
                "id": item.id,
                "gold": item.gold,
                "predicted": None,
                "status": "llm_error",
                "depth": item.depth,
                "parsed": False,
                "error": exc.to_dict(),
                "llm_calls": 1,
            }
    return record_of(item, outcome)


async def evaluate_async(
    path: Path,
    *,
    chat: ChatBackend | None = None,
    style: PromptStyle = "folio",
    samples: int = 1,
    rounds: int = 3,
    world: World = "open",
    backend: Backend = "auto",
    limits: Limits | None = None,
    grammar: bool | DecodingLimits = False,
    concurrency: int = 8,
    out: Path | None = None,
) -> Summary:
    """Evaluate ``path``; with no ``chat``, the configured OpenAI-compatible server."""
    items = list(read_nl_items(path))
    options: dict[str, Any] = {
        "style": style,
        "samples": samples,
        "rounds": rounds,
        "world": world,
        "backend": backend,
        "limits": limits,
        "grammar": grammar,
    }
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
    options: dict[str, Any],
) -> Summary:
    gate = asyncio.Semaphore(max(1, concurrency))
    records = await asyncio.gather(*(_run_item(i, chat, gate, options) for i in items))
    summary = Summary()
    with open_sink(out) as sink:
        for record in records:
            summary.add(record)
            sink.write(record)
    return summary


def evaluate(path: Path, **options: Any) -> Summary:
    """Synchronous entry point for the CLI (one event loop for the whole run)."""
    return asyncio.run(evaluate_async(path, **options))

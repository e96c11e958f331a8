"""``eval folio|proofwriter --translator llm``: the live loop over a dataset.

Items go through :func:`logicsvc.llm.loop.solve_many` (translate, judge, refine,
vote) against the configured chat backend, a chunk of them at a time in lockstep
rounds, so a batching backend sees one batch per round. A server that cannot be
reached stops the run with ``LLMUnavailableError``; any other LLM failure is
recorded on its item. Each record is appended (and fsynced) the moment its problem
is final, so a stopped run keeps all it paid for and ``--resume`` goes on from there.
A record of a transient failure (a reply that was not a completion, a server error)
is asked again on ``--resume``; the new record supersedes it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logicsvc.errors import InputError, LLMError, LLMUnavailableError
from logicsvc.evaluation.common import Tally, open_sink
from logicsvc.evaluation.items import NLItem, read_nl_items
from logicsvc.llm import ChatBackend
from logicsvc.llm.loop import LoopOptions, solve_many
from logicsvc.llm.outcome import LoopResult

CHUNK = 64
"""Problems solved together by default: enough to keep a model server busy."""
_PARSED_ERRORS = {"outside_fragment"}
"""Error codes that arise only after a program parsed and passed the checks."""
RETRIED_ON_RESUME = frozenset({"llm_bad_reply"})
"""Error codes of ``llm_error`` records that ``--resume`` asks again: the server's
fault of the moment (HTML or broken JSON with 200, a 5xx), not the request's."""


def _retried(record: dict[str, Any]) -> bool:
    error = record.get("error")
    return (
        record.get("status") == "llm_error"
        and isinstance(error, dict)
        and error.get("code") in RETRIED_ON_RESUME
    )


@dataclass
class Summary(Tally):
    parsed: int = 0
    repaired: int = 0
    llm_calls: int = 0
    tokens: int = 0
    refined: int = 0
    resumed: int = 0
    """Records taken from ``--out`` as they were (``--resume``), not solved again."""

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
            resumed=self.resumed,
        )
        return out


def record_of(item: NLItem, outcome: LoopResult) -> dict[str, Any]:
    """One output line: the answer, how it was reached, and every attempt."""
    attempts = outcome.attempts
    parsed = any(
        a.status is not None or (a.error or {}).get("code") in _PARSED_ERRORS for a in attempts
    )
    winner = next((a for a in attempts if a.dsl == outcome.program and a.status), None)
    # the attempt the outcome rests on (a contradiction, say), else the last one made
    carrier = winner or (attempts[-1] if attempts else None)
    status = "failed" if outcome.status == "all_failed" else outcome.status
    return {
        "id": item.id,
        "gold": item.gold,
        "predicted": outcome.verdict,
        "status": status,
        "depth": item.depth,
        "parsed": parsed,
        "error": None if outcome.verdict is not None or carrier is None else carrier.error,
        "repairs": list(winner.warnings) if winner else [],
        "votes": outcome.votes,
        "agreement": outcome.agreement,
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


def records_of(chunk: list[NLItem], outcomes: list[LoopResult | LLMError]) -> list[dict[str, Any]]:
    """The output lines of a chunk :func:`~logicsvc.llm.loop.solve_many` answered."""
    return [
        _llm_error_record(item, outcome)
        if isinstance(outcome, LLMError)
        else record_of(item, outcome)
        for item, outcome in zip(chunk, outcomes, strict=True)
    ]


def take_previous(
    previous: list[dict[str, Any]], known: set[str], out: Path | None, summary: Summary
) -> set[str]:
    """Count the records ``--resume`` keeps and return their ids, refusing a file this run
    cannot go on from; a record of a transient failure is asked again, and a later record
    of the same id supersedes it (one machine and Ray alike)."""
    kept: dict[str, dict[str, Any]] = {}
    for record in previous:
        earlier = kept.get(record["id"])
        if earlier is not None and not _retried(earlier):
            raise InputError(
                f"{out}: holds two records for id {record['id']!r}; keep one and resume",
                code="invalid_output",
            )
        if "llm_calls" not in record:  # e.g. an 'eval programs' output of the same items
            raise InputError(
                f"{out}: the record for id {record['id']!r} was not written by an LLM "
                "evaluation; resume only from the file such a run wrote",
                code="invalid_output",
            )
        if record["id"] not in known:
            raise InputError(
                f"{out}: holds a record for id {record['id']!r}, which is not in this "
                "dataset; resume only from the file a run of the same dataset wrote",
                code="invalid_output",
            )
        kept[record["id"]] = record  # a later record supersedes a retried one
    done = {key for key, record in kept.items() if not _retried(record)}
    for key in done:
        summary.add(kept[key])
    summary.resumed = len(done)
    return done


async def evaluate_async(
    path: Path,
    *,
    chat: ChatBackend | None = None,
    options: LoopOptions = LoopOptions(),  # noqa: B008 (frozen)
    concurrency: int = CHUNK,
    out: Path | None = None,
    resume: bool = False,
    choice: bool = False,
) -> Summary:
    """Evaluate ``path``; with no ``chat``, the configured OpenAI-compatible server.

    ``concurrency`` problems are solved together in lockstep rounds (``solve_many``); the
    backend caps its own requests in flight (``LOGICSVC_LLM_CONCURRENCY`` over HTTP).
    ``resume`` keeps the records already in ``out`` (counted, not asked again) and
    solves only the rest: a run the LLM server stopped goes on where it ended. ``choice``
    reads multiple-choice items: gold and prediction are option letters.
    """
    items = list(read_nl_items(path, choice=choice))
    if resume and out is None:
        raise InputError("--resume needs --out FILE: the records to resume from")
    if chat is not None:
        return await _evaluate(items, chat, concurrency, out, options, resume)
    from logicsvc.llm.openai_compat import OpenAICompatBackend

    # created inside the running loop: its connection pool and cap belong to it
    async with OpenAICompatBackend() as configured:
        return await _evaluate(items, configured, concurrency, out, options, resume)


async def _evaluate(
    items: list[NLItem],
    chat: ChatBackend,
    concurrency: int,
    out: Path | None,
    options: LoopOptions,
    resume: bool,
) -> Summary:
    summary = Summary()
    known = {item.id for item in items}
    if resume and len(known) < len(items):
        raise InputError("the dataset repeats item ids, so a run of it cannot be resumed")
    previous: list[dict[str, Any]] = []
    with open_sink(
        out, resume=resume, on_record=previous.append, total=len(items), name=chat.name
    ) as sink:
        done = take_previous(previous, known, out, summary)
        todo = [item for item in items if item.id not in done]
        size = max(1, concurrency)
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            questions = [(list(i.premises), i.conclusion) for i in chunk]

            def save(i: int, outcome: LoopResult | LLMError, part: list[NLItem] = chunk) -> None:
                item = part[i]
                if isinstance(outcome, LLMError):
                    record = _llm_error_record(item, outcome)
                else:
                    record = record_of(item, outcome)
                summary.add(record)
                sink.write_batch([record])  # fsynced at once: it cost LLM calls

            try:
                await solve_many(questions, chat=chat, options=options, on_done=save)
            except LLMUnavailableError as exc:
                if out is None:
                    raise
                raise LLMUnavailableError(
                    f"{exc.message}; the {summary.n} records so far are in {out}: "
                    "run again with --resume to go on from there"
                ) from exc
    return summary


def evaluate(path: Path, **options: Any) -> Summary:
    """Synchronous entry point for the CLI (one event loop for the whole run)."""
    return asyncio.run(evaluate_async(path, **options))

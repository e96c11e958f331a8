"""``logicsvc eval … --ray [ADDRESS]``: every evaluation family as a Ray Data pipeline.

Each family reads its items on the driver with its own reader and scores each item in
an actor with its own per-item function: ``offline.evaluate_item`` (``--translator
rules``), ``solve_many`` and ``llm_eval.records_of`` (the LLM translators),
``programs.evaluate_item``, ``folio_gold.evaluate_item``.  Items go out in chunks and the
records come back in input order, so ``--out`` holds the lines a single-machine run
writes, in its order, and the summary (the family's own ``Tally``) is the same.

``--resume`` works for every family here (on one machine it is the LLM translators'):
a driver killed mid-run loses nothing that reached ``--out``; the same command with
``--resume`` counts those records and scores only the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logicsvc.cluster import connected
from logicsvc.cluster.errors import reraise_pipeline_error
from logicsvc.cluster.pipeline import run_chunks
from logicsvc.errors import InputError, LLMUnavailableError
from logicsvc.evaluation.common import ProgramTally, Tally, open_sink
from logicsvc.evaluation.items import NLItem
from logicsvc.progress import progress_bar

if TYPE_CHECKING:
    from logicsvc.llm import ChatBackend
    from logicsvc.llm.loop import LoopOptions
    from logicsvc.provers import Backend, Limits, World
    from logicsvc.settings import Settings

PROVER_CHUNK = 8
"""Items per actor call where each costs a proof: small, so a timeout holds few others."""


@dataclass
class EvalPlan:
    """One evaluation, ready to run: its items, their ids and who scores them."""

    items: list[Any]
    ids: list[str]
    """Each item's record id (what ``--out`` holds), in the same order."""
    summary: Tally
    worker: type
    worker_args: tuple[Any, ...]
    chunk: int = PROVER_CHUNK
    gpus: bool = False
    llm: bool = False
    """Records cost LLM calls: resuming checks them as the LLM path does."""


# --- the families: readers on the driver, workers in the actors ------------------------


class OfflineWorker:
    def __init__(self, translator: str, world: World, backend: Backend, limits: Limits) -> None:
        from logicsvc.translate import get_translator

        self.translator = get_translator(translator)
        self.options: dict[str, Any] = {"world": world, "backend": backend, "limits": limits}

    def __call__(self, chunks: list[list[NLItem]]) -> list[list[dict[str, Any]]]:
        from logicsvc.evaluation.offline import evaluate_item

        return [[evaluate_item(i, self.translator, **self.options) for i in c] for c in chunks]


def offline_plan(
    path: Path, *, translator: str, world: World, backend: Backend, limits: Limits | None
) -> EvalPlan:
    from logicsvc.evaluation.items import read_nl_items
    from logicsvc.evaluation.offline import Summary
    from logicsvc.provers import Limits

    items = list(read_nl_items(path))
    args = (translator, world, backend, limits or Limits())
    return EvalPlan(items, [i.id for i in items], Summary(), OfflineWorker, args)


@dataclass(frozen=True)
class ChatRecipe:
    """How an actor gets its chat backend: the configured server (from the driver's
    settings; a client of its own, so ``LOGICSVC_LLM_CONCURRENCY`` caps each actor),
    recordings (loaded once by the driver), or an in-process vLLM engine (one per GPU)."""

    kind: str
    """``llm``, ``replay`` or ``vllm``."""
    settings: Settings | None = None
    replay: ChatBackend | None = None

    def build(self) -> ChatBackend:
        if self.replay is not None:
            return self.replay
        if self.kind == "vllm":
            from logicsvc.llm.vllm_offline import VLLMBackend

            return VLLMBackend.from_settings(self.settings)
        from logicsvc.llm.openai_compat import OpenAICompatBackend

        return OpenAICompatBackend(self.settings)


class LLMWorker:
    """One actor of the live loop: a chat backend and an event loop that outlive a call."""

    def __init__(self, recipe: ChatRecipe, options: LoopOptions) -> None:
        self._loop = asyncio.new_event_loop()
        self._chat = self._loop.run_until_complete(_in_loop(recipe.build))
        self._options = options

    def __call__(self, chunks: list[list[NLItem]]) -> list[list[dict[str, Any]]]:
        return [self._loop.run_until_complete(self._solve(chunk)) for chunk in chunks]

    async def _solve(self, chunk: list[NLItem]) -> list[dict[str, Any]]:
        from logicsvc.evaluation.llm_eval import records_of
        from logicsvc.llm.loop import solve_many

        questions = [(list(i.premises), i.conclusion) for i in chunk]
        return records_of(
            chunk, await solve_many(questions, chat=self._chat, options=self._options)
        )


async def _in_loop(build: Callable[[], ChatBackend]) -> ChatBackend:
    return build()  # inside the loop: a client's pool and semaphore belong to it


def llm_plan(path: Path, *, recipe: ChatRecipe, options: LoopOptions, chunk: int) -> EvalPlan:
    from logicsvc.evaluation.items import read_nl_items
    from logicsvc.evaluation.llm_eval import Summary

    items = list(read_nl_items(path))
    return EvalPlan(
        items,
        [i.id for i in items],
        Summary(),
        LLMWorker,
        (recipe, options),
        chunk=chunk,
        gpus=recipe.kind == "vllm",
        llm=True,
    )


class ProgramsWorker:
    def __init__(self, lenient: bool, limits: Limits, backend: Backend, world: World | None):
        self.options: dict[str, Any] = {
            "lenient": lenient,
            "limits": limits,
            "backend": backend,
            "world": world,
        }

    def __call__(self, chunks: list[list[tuple[str, Any]]]) -> list[list[dict[str, Any]]]:
        from logicsvc.evaluation.programs import evaluate_item

        return [[_with_id(evaluate_item(i, **self.options), f) for f, i in c] for c in chunks]


def programs_plan(
    path: Path, *, fmt: str, lenient: bool, limits: Limits, backend: Backend, world: World | None
) -> EvalPlan:
    from logicsvc.evaluation.programs import FORMATS, Summary, read_items

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    items = [(f"item{index}", item) for index, item in enumerate(read_items(path))]
    ids = [_id_of(item, fallback) for fallback, item in items]
    args = (lenient, limits, backend, world)
    return EvalPlan(items, ids, Summary(), ProgramsWorker, args)


class GoldWorker:
    def __init__(self, lenient: bool, limits: Limits, backend: Backend) -> None:
        self.options: dict[str, Any] = {"lenient": lenient, "limits": limits, "backend": backend}

    def __call__(self, chunks: list[list[tuple[str, Any]]]) -> list[list[dict[str, Any]]]:
        from logicsvc.evaluation.folio_gold import evaluate_item

        return [[_with_id(evaluate_item(i, **self.options), f) for f, i in c] for c in chunks]


def gold_plan(path: Path, *, lenient: bool, limits: Limits, backend: Backend) -> EvalPlan:
    from logicsvc.evaluation.common import read_jsonl

    items = [(f"line{number}", item) for number, item in read_jsonl(path)]
    ids = [_id_of(item, fallback) for fallback, item in items]
    return EvalPlan(items, ids, ProgramTally(), GoldWorker, (lenient, limits, backend))


def _id_of(item: Any, fallback: str) -> str:
    """The record id the family's ``evaluate`` gives: the item's own, else its place."""
    own = item.get("id") if isinstance(item, dict) else None
    return str(own) if own is not None else fallback


def _with_id(record: dict[str, Any], fallback: str) -> dict[str, Any]:
    record["id"] = record["id"] if record["id"] is not None else fallback
    return record


# --- the driver -------------------------------------------------------------------------


def evaluate_on_ray(
    plan: EvalPlan,
    *,
    address: str,
    out: Path | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Tally:
    """Run ``plan`` on the cluster at ``address``; the family's summary."""
    if resume and out is None:
        raise InputError("--resume needs --out FILE: the records to resume from")
    if resume and len(set(plan.ids)) < len(plan.ids):
        raise InputError("the dataset repeats item ids, so a run of it cannot be resumed")
    summary = plan.summary
    with connected(address):
        previous: list[dict[str, Any]] = []
        with open_sink(out, resume=resume, on_record=previous.append) as sink:
            _take_previous(plan, previous, out)
            todo = [item for item, id_ in zip(plan.items, plan.ids, strict=True)
                    if id_ not in sink.done]  # fmt: skip
            chunks = [todo[start : start + plan.chunk] for start in range(0, len(todo), plan.chunk)]
            results = run_chunks(
                chunks, plan.worker, plan.worker_args, gpus=plan.gpus, progress=progress
            )
            try:
                with progress_bar(
                    progress, len(todo), f"{plan.worker.__name__} on Ray", what="eval"
                ) as advance:
                    for records in results:
                        for record in records:
                            summary.add(record)  # type: ignore[attr-defined]
                        sink.write_batch(records)  # fsynced per chunk
                        advance(len(records))
            except Exception as exc:
                unavailable = reraise_pipeline_error(exc, keep=LLMUnavailableError)
                if out is None:
                    raise unavailable from None
                raise LLMUnavailableError(
                    f"{unavailable.message}; the {summary.n} records so far are in {out}: "
                    "run again with --resume to go on from there"
                ) from None
    return summary


def _take_previous(plan: EvalPlan, previous: list[dict[str, Any]], out: Path | None) -> None:
    if plan.llm:
        from logicsvc.evaluation.llm_eval import Summary, take_previous

        assert isinstance(plan.summary, Summary)
        take_previous(previous, set(plan.ids), out, plan.summary)
        return
    known, seen = set(plan.ids), set()
    for record in previous:
        if record["id"] in seen or record["id"] not in known:
            raise InputError(
                f"{out}: the record for id {record['id']!r} is twice in it or not in this "
                "dataset; resume only from the file a run of the same dataset wrote",
                code="invalid_output",
            )
        seen.add(record["id"])
        plan.summary.add(record)  # type: ignore[attr-defined]

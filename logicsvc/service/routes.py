"""The endpoints. Each request builds its own problem; shared are only the prover pool,
the LLM client and the metrics, all owned by the app (``request.app.state.svc``)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from logicsvc import __version__
from logicsvc.errors import (
    InputError,
    LLMError,
    LLMUnavailableError,
    LogicsvcError,
    UntranslatableError,
)
from logicsvc.fallacies import Classifier
from logicsvc.fallacies.detector import FallacyDetector
from logicsvc.llm.loop import LoopOptions
from logicsvc.llm.openai_compat import OpenAICompatBackend  # the SDK itself loads lazily
from logicsvc.provers import Backend, Limits, Result, World
from logicsvc.provers.result import ChoiceResult
from logicsvc.reasoning import (
    Reasoned,
    option_text,
    reason_offline,
    reason_with_llm,
    translate_choice,
)
from logicsvc.service.limits import (
    check_count,
    check_llm_budget,
    check_program_text,
    check_texts,
)
from logicsvc.service.metrics import Metrics
from logicsvc.service.responses import (
    JSON,
    PROVE_EXAMPLES,
    BatchResponse,
    FallaciesResponse,
    Health,
    ProveResponse,
    Ready,
    ReasonResponse,
    TranslateResponse,
    ok,
)
from logicsvc.service.schemas import (
    ERRORS,
    LLM_ERRORS,
    BatchRequest,
    FallaciesRequest,
    ProveRequest,
    ReasonRequest,
    TranslateRequest,
)
from logicsvc.service.textjobs import Proved, ProveText
from logicsvc.service.workers import ProverPool
from logicsvc.settings import Settings
from logicsvc.sources import used_sources
from logicsvc.syntax.ast import ChoiceProblem, Problem, QuestionKind
from logicsvc.szs import szs_of_record
from logicsvc.translate.controlled import ControlledEnglishTranslator

router = APIRouter()
log = logging.getLogger("logicsvc.service")
T = TypeVar("T")
PARSE_THREADS = 2
"""Threads that parse and translate request text: their own pool, so that a flood of
parse work queues behind itself, never in front of the event loop's other uses."""

BATCH_MARGIN_S = 1.0
"""How long before the request's deadline a batch stops its unfinished problems, to answer."""


@dataclass
class Service:
    settings: Settings
    pool: ProverPool
    metrics: Metrics
    llm: OpenAICompatBackend | None
    """The service talks to a model server over HTTP only (``vllm serve`` beside it)."""
    fallacy_classifier: Classifier | None = None
    parser: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(PARSE_THREADS, thread_name_prefix="parse")
    )
    _llm_checked: tuple[float, str] = (-math.inf, "")
    _llm_check_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def off_loop(self, work: Callable[[], T]) -> T:
        """``work()`` on the parse threads (not the default pool other code shares)."""
        return await asyncio.get_running_loop().run_in_executor(self.parser, work)

    async def llm_state(self) -> str:
        """'reachable' or why not, asked at most every ``llm_ready_cache_s``: probes
        every few seconds from many replicas must not each cost an LLM call."""
        async with self._llm_check_lock:  # concurrent probes share one check
            at, state = self._llm_checked
            if time.monotonic() - at < self.settings.llm_ready_cache_s:
                return state
            assert self.llm is not None
            try:
                await asyncio.wait_for(self.llm.ping(), timeout=5)
                state = "reachable"
            except (LLMError, TimeoutError) as exc:
                state = f"unreachable: {exc}"
            self._llm_checked = (time.monotonic(), state)
            return state

    def limits(self, timeout_s: float | None) -> Limits:
        cap = self.settings.prover_timeout_s
        return Limits(timeout_s=min(timeout_s or cap, cap))

    async def prove(
        self, problem: Problem, limits: Limits | None, backend: Backend, world: World
    ) -> Result:
        result = await self.pool.prove(
            problem, limits or self.limits(None), backend=backend, world=world
        )
        self.metrics.prover_seconds.labels(result.backend or "none").observe(
            result.elapsed_ms / 1000
        )
        return result

    async def prove_text(self, text: ProveText, limits: Limits) -> Proved:
        """A request's text parsed, checked and proved on a worker (:mod:`.textjobs`)."""
        proved = await self.pool.prove_text(text, limits)
        result = proved.result
        self.metrics.prover_seconds.labels(result.backend or "none").observe(
            result.elapsed_ms / 1000
        )
        return proved

    async def choose(self, problem: ChoiceProblem, limits: Limits | None) -> ChoiceResult:
        result = await self.pool.choose(problem, limits or self.limits(None))
        self.metrics.prover_seconds.labels(result.backend).observe(result.elapsed_ms / 1000)
        return result

    def count(self, result: Result | ChoiceResult) -> None:
        self.metrics.verdicts.labels(result.status, result.verdict or "none").inc()


def _svc(request: Request) -> Service:
    svc: Service = request.app.state.svc
    return svc


@router.head("/healthz", include_in_schema=False)  # probes that only want the status
@router.get("/healthz", responses=ok(Health), response_model=None)
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok", "version": __version__}


@router.head("/readyz", include_in_schema=False)
@router.get("/readyz", responses={**ok(Ready), 503: {"model": Ready}}, response_model=None)
async def readyz(request: Request) -> JSONResponse:
    """Ready when the prover workers are up. An LLM that is configured but unreachable
    makes the service ``degraded``, not unready: proving and the offline translator still
    serve, and a load balancer must not take the whole service out for it."""
    svc = _svc(request)
    workers = svc.pool.alive()
    checks: dict[str, Any] = {"prover_workers": workers, "llm": "not configured"}
    ready = workers > 0
    if svc.llm is not None:
        checks["llm"] = await svc.llm_state()
    checks["degraded"] = checks["llm"] not in ("reachable", "not configured")
    return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics (text exposition format, not JSON)."""
    return Response(generate_latest(_svc(request).metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.post("/v1/prove", responses={**ERRORS, **ok(ProveResponse)}, response_model=None)
async def prove(
    body: Annotated[ProveRequest, Body(openapi_examples=PROVE_EXAMPLES)], request: Request
) -> Response:
    """Decide a DSL program (or premises + conclusion formulas); no LLM involved. A program
    ending with a question and its options is answered with the option its kind selects."""
    svc = _svc(request)
    if body.program is not None:
        check_program_text(svc.settings, body.program)  # before parsing: a flood costs a line count
    else:
        premises = body.premises or []
        check_count(svc.settings, len(premises))
        check_texts(svc.settings, [*premises, body.conclusion or ""], "formula")
    text = ProveText(
        program=body.program,
        premises=tuple(body.premises or ()),
        conclusion=body.conclusion or "",
        syntax=body.syntax,
        lenient=body.lenient,
        max_premises=svc.settings.max_premises,
        backend=body.prover,
        world=body.world,
    )
    proved = await svc.prove_text(text, svc.limits(body.timeout_s))
    result = proved.result
    svc.count(result)
    payload = result.to_dict()
    payload["szs_status"] = szs_of_record(payload)
    payload["warnings"] = [*proved.warnings, *result.warnings]
    return JSON(payload)


async def _reason(svc: Service, body: TranslateRequest, deadline: float | None = None) -> Reasoned:
    """Translate (offline first, the LLM when asked or needed), refine, prove.

    ``deadline`` (the event loop's clock): the LLM part stops shortly before it, as an
    unreachable LLM (503 with ``Retry-After``), rather than leaving the gate a bare 504.
    """
    check_count(svc.settings, len(body.premises))
    check_texts(
        svc.settings, [*body.premises, body.conclusion or "", *(body.options or ())], "premise"
    )
    limits = svc.limits(body.timeout_s)
    if body.options is not None:
        return await _reason_choice(svc, body, limits, deadline)
    conclusion = body.conclusion
    assert conclusion is not None

    async def prove(problem: Problem) -> Result:
        # each sentence is a premise: one text of many sentences counts as many
        check_count(svc.settings, len(problem.premises))
        return await svc.prove(problem, limits, body.prover, body.world)

    offline = await reason_offline(
        body.premises,
        conclusion,
        body.translator,
        llm_configured=svc.llm is not None,
        off_loop=svc.off_loop,
        prove=prove,
    )
    if offline is not None:
        return offline
    _require_llm(svc)
    options = LoopOptions(
        samples=body.samples,
        rounds=body.rounds,
        world=body.world,
        backend=body.prover,
        limits=limits,
        # asked for always; LOGICSVC_LLM_GRAMMAR decides whether the server gets it
        grammar=True,
        prover=svc.prove,
    )
    outcome = await _within(svc, deadline, body.premises, conclusion, options)
    _count_llm(svc, outcome)
    return outcome


def _require_llm(svc: Service) -> None:
    if svc.llm is None:
        raise InputError(
            "no LLM is configured (set LOGICSVC_LLM_BASE_URL)", code="llm_not_configured"
        )


async def _within(
    svc: Service,
    deadline: float | None,
    premises: list[str],
    conclusion: str,
    options: LoopOptions,
) -> Reasoned:
    """The LLM loop, stopped shortly before the request's deadline as an unreachable LLM."""
    assert svc.llm is not None
    cutoff = None if deadline is None else deadline - BATCH_MARGIN_S
    try:
        async with asyncio.timeout_at(cutoff):
            return await reason_with_llm(premises, conclusion, chat=svc.llm, options=options)
    except TimeoutError:
        if cutoff is None or asyncio.get_running_loop().time() < cutoff:
            raise
        raise LLMUnavailableError(
            f"the LLM did not finish within this request's deadline "
            f"({svc.settings.request_timeout_s:g} s); retry later, or with fewer samples "
            "or rounds"
        ) from None


async def _reason_choice(
    svc: Service, body: TranslateRequest, limits: Limits, deadline: float | None
) -> Reasoned:
    """A question with options: offline when every sentence is in the fragment, else the
    LLM writes a multiple-choice program (the ``choice`` prompt)."""
    options, kind = body.lettered(), QuestionKind(body.question or "must be true")
    if body.translator != "llm":
        try:
            translation, problem = await svc.off_loop(
                lambda: translate_choice(
                    body.premises, options, kind, ControlledEnglishTranslator()
                )
            )
        except UntranslatableError:
            if body.translator == "rules" or svc.llm is None:
                raise
        else:
            check_count(svc.settings, len(problem.premises))
            return Reasoned(translation, await svc.choose(problem, limits))
    _require_llm(svc)
    loop_options = LoopOptions(
        style="choice",
        samples=body.samples,
        rounds=body.rounds,
        backend="z3",
        limits=limits,
        grammar=True,
        prover=svc.prove,
        chooser=svc.choose,
    )
    text = option_text(options, kind)
    outcome = await _within(svc, deadline, body.premises, text, loop_options)
    _count_llm(svc, outcome)
    return outcome


def _count_llm(svc: Service, outcome: Reasoned) -> None:
    if outcome.loop is not None:
        svc.metrics.attempts.inc(len(outcome.loop.attempts))
        svc.metrics.refinements.inc(int(outcome.loop.refined))
        svc.metrics.llm_calls.inc(outcome.loop.llm_calls)
        svc.metrics.llm_tokens.labels("prompt").inc(outcome.loop.prompt_tokens)
        svc.metrics.llm_tokens.labels("completion").inc(outcome.loop.completion_tokens)


@router.post(
    "/v1/translate", responses={**LLM_ERRORS, **ok(TranslateResponse)}, response_model=None
)
async def translate(body: TranslateRequest, request: Request) -> dict[str, Any]:
    """Natural language → program, with every LLM attempt (the program is also proved)."""
    check_llm_budget(_svc(request).settings, _svc(request).llm is not None, [body])
    outcome = await _reason(_svc(request), body, request.state.deadline)
    out = outcome.to_dict()
    keep: tuple[str, ...] = ("translator", "program", "warnings", "outcome", "votes")
    keep += ("agreement", "attempts", "llm_calls")
    return {k: out[k] for k in keep if k in out}


@router.post("/v1/reason", responses={**LLM_ERRORS, **ok(ReasonResponse)}, response_model=None)
async def reason(body: ReasonRequest, request: Request) -> dict[str, Any]:
    """Natural-language premises and conclusion in, verdict out."""
    svc = _svc(request)
    check_llm_budget(svc.settings, svc.llm is not None, [body])
    outcome = await _reason(svc, body, request.state.deadline)
    svc.count(outcome.result)
    payload = outcome.to_dict()
    payload["used_sources"] = used_sources(
        body.premises, outcome.translation.sentences, outcome.result.used_premises
    )
    return payload


@router.post("/v1/reason/batch", responses={**ERRORS, **ok(BatchResponse)}, response_model=None)
async def reason_batch(body: BatchRequest, request: Request) -> dict[str, Any]:
    """Many problems at once, run concurrently; one result each, in order, each with its
    own status: one failure never fails the batch."""
    svc = _svc(request)
    if len(body.problems) > svc.settings.max_batch:
        raise InputError(
            f"{len(body.problems)} problems is more than the limit of {svc.settings.max_batch}",
            code="batch_too_large",
        )
    check_llm_budget(svc.settings, svc.llm is not None, list(body.problems))

    # each problem stops a little before the request's deadline, so that the answer
    # still carries every result that finished (the gate would send a bare 504)
    total = svc.settings.request_timeout_s
    cutoff = request.state.deadline - min(BATCH_MARGIN_S, total / 10)

    async def one(index: int, problem: ReasonRequest) -> dict[str, Any]:
        limit = asyncio.timeout_at(cutoff)
        try:
            async with limit:
                outcome = await _reason(svc, problem)
        except LogicsvcError as exc:
            return {"index": index, "status": "rejected", "error": exc.to_dict()}
        except TimeoutError:
            if not limit.expired():
                raise
            svc.metrics.verdicts.labels("timeout", "none").inc()
            late = LogicsvcError(
                f"problem {index} was still running at the batch's deadline "
                f"({total:g} s for the whole request); the other results are kept",
                code="deadline_exceeded",
            )
            return {"index": index, "status": "timeout", "error": late.to_dict()}
        except Exception as exc:  # a bug of ours: this problem's answer, not the batch's
            log.exception("problem %d of a batch failed", index)
            error = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}
            return {"index": index, "status": "error", "error": error}
        svc.count(outcome.result)
        sources = used_sources(
            problem.premises, outcome.translation.sentences, outcome.result.used_premises
        )
        return {"index": index, **outcome.to_dict(), "used_sources": sources}

    results = await asyncio.gather(*(one(i, p) for i, p in enumerate(body.problems)))
    return {"results": list(results)}


@router.post(
    "/v1/fallacies", responses={**LLM_ERRORS, **ok(FallaciesResponse)}, response_model=None
)
async def fallacies(body: FallaciesRequest, request: Request) -> dict[str, Any]:
    """A small batch of texts: a fallacy label each, proved where the argument is formal."""
    svc = _svc(request)
    if len(body.texts) > svc.settings.max_batch:
        raise InputError(
            f"{len(body.texts)} texts is more than the limit of {svc.settings.max_batch}",
            code="batch_too_large",
        )
    check_texts(svc.settings, body.texts, "text")
    if svc.fallacy_classifier is None:
        raise InputError(
            "no fallacy classifier is configured: set LOGICSVC_FALLACY_MODEL (a model from "
            "'logicsvc fallacies train') or an LLM",
            code="no_classifier",
        )
    detector = FallacyDetector(svc.fallacy_classifier, formal=body.formal)
    predictions = await detector.classify(body.texts)
    return {"results": [{"index": i, **p.to_dict()} for i, p in enumerate(predictions)]}

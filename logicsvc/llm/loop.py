"""Self-refinement: the LLM writes a program, logicsvc judges it, errors go back until it runs.

Round 0 asks for ``samples`` programs in one request. Every sample that fails (syntax,
semantics, outside the prover's fragment, prover timeout or error, contradictory premises,
a reply cut off at ``max_tokens``) gets up to ``rounds`` refinement rounds; each round sends
the still-failing samples concurrently, each with its own previous program and error. Every
attempt is recorded. The answer is a self-consistency vote over the samples that ended with
a verdict; a tie or no verdict at all is reported as such, never guessed (the records and
the vote: :mod:`logicsvc.llm.outcome`).

:func:`solve` answers one question; :func:`solve_many` runs many in lockstep rounds (every
request of a round at once), which is what lets a batching backend make one call per round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from logicsvc import provers
from logicsvc.checks import CheckedChoice, CheckedProblem
from logicsvc.errors import FragmentError, LLMError, LLMUnavailableError, LogicsvcError
from logicsvc.llm import ChatBackend, ChatRequest, ChatResponse, Completion, Message
from logicsvc.llm.constraints import GRAMMARS, DecodingLimits
from logicsvc.llm.outcome import Attempt, Judged, LoopResult, outcome_of
from logicsvc.llm.prompts import (
    PromptStyle,
    first_messages,
    read_program,
    refine_messages,
    status_error,
    truncated_error,
)
from logicsvc.load import load_task
from logicsvc.provers import Backend, Limits, Result, World
from logicsvc.provers.result import ChoiceResult
from logicsvc.syntax import problem_to_dsl
from logicsvc.syntax.ast import ChoiceProblem, Problem
from logicsvc.translate.formats import (
    CHOICE_STYLES,
    detect_style,
    load_choice_program,
    to_dsl_program,
)

SAMPLING_TEMPERATURE = 0.7
"""Round 0 with several samples; one sample, and every refinement, is greedy (0)."""
MAX_TOKENS = 2048
T = TypeVar("T")


ProveFn = Callable[[Problem, Limits | None, Backend, World], Awaitable[Result]]
"""How a loaded program gets proved: in a thread by default, a worker pool in the service."""


async def _prove_in_thread(
    problem: Problem, limits: Limits | None, backend: Backend, world: World
) -> Result:
    return await asyncio.to_thread(provers.prove, problem, limits, backend=backend, world=world)


ChooseFn = Callable[[ChoiceProblem, Limits | None], Awaitable[ChoiceResult]]
"""How a multiple-choice program gets decided: in a thread by default, a worker pool in the
service."""


async def _choose_in_thread(problem: ChoiceProblem, limits: Limits | None) -> ChoiceResult:
    return await asyncio.to_thread(provers.choose, problem, limits)


@dataclass(frozen=True, slots=True)
class LoopOptions:
    """How the loop translates, judges and refines; one value serves a whole evaluation.

    ``grammar`` asks the backend to constrain decoding with the decoding grammar
    (:mod:`logicsvc.llm.constraints`): ``True`` with its default bounds, or these bounds.
    ``prover`` proves a loaded program (in a thread by default, a worker pool in the service),
    ``chooser`` decides a multiple-choice one (the ``choice`` style's programs).
    """

    style: PromptStyle = "folio"
    samples: int = 1
    rounds: int = 3
    world: World = "open"
    backend: Backend = "auto"
    limits: Limits | None = None
    grammar: bool | DecodingLimits = False
    lenient: bool = True
    prover: ProveFn | None = None
    chooser: ChooseFn | None = None

    def check(self) -> None:
        """``ValueError`` (``FragmentError`` for z3 outside the open world) for settings no
        program could satisfy; called before any LLM call."""
        if self.samples < 1 or self.rounds < 0:
            raise ValueError("samples must be at least 1 and rounds at least 0")
        if self.world not in provers.WORLDS or self.backend not in provers.BACKENDS:
            raise ValueError(f"unknown world {self.world!r} or backend {self.backend!r}")
        if self.backend == "z3" and self.world != "open":
            raise FragmentError(f"the {self.world} world needs the backward chainer, not z3")

    def grammar_text(self) -> str | None:
        if self.grammar is False:
            return None
        limits = self.grammar if isinstance(self.grammar, DecodingLimits) else DecodingLimits()
        name = "choice" if self.style == "choice" else "fol"
        return GRAMMARS[name](limits)  # only registered grammars: the tests validate each


@dataclass(frozen=True, slots=True)
class _Settings:
    """What every question of a run shares: the options, with grammar and prover resolved."""

    options: LoopOptions
    grammar: str | None
    prover: ProveFn
    chooser: ChooseFn


@dataclass
class _Question:
    """One question's way through the rounds: a trail of attempts per sample."""

    premises: tuple[str, ...]
    conclusion: str
    first: tuple[Message, ...]
    trails: list[list[Judged]] = field(default_factory=list)
    calls: int = 0
    error: LLMError | None = None
    pending: int = 0
    """Refinements of this question still running in the current round."""
    reported: bool = False


OnDone = Callable[[int, LoopResult | LLMError], None]
"""Told each question's outcome (by its index) as soon as it is final."""


async def solve(
    premises: Sequence[str],
    conclusion: str,
    *,
    chat: ChatBackend,
    options: LoopOptions = LoopOptions(),
) -> LoopResult:
    """Translate with the LLM, judge, refine, vote (see :class:`LoopOptions`).

    Only the chat's LLM errors escape, and settings no program could satisfy
    (:meth:`LoopOptions.check`) before any LLM call.
    """
    (outcome,) = await solve_many([(premises, conclusion)], chat=chat, options=options)
    if isinstance(outcome, LLMError):
        raise outcome
    return outcome


async def solve_many(
    questions: Sequence[tuple[Sequence[str], str]],
    *,
    chat: ChatBackend,
    options: LoopOptions = LoopOptions(),
    on_done: OnDone | None = None,
) -> list[LoopResult | LLMError]:
    """:func:`solve` for many ``(premises, conclusion)`` questions, in lockstep rounds.

    Every first request goes out at once, then every refinement of a round at once, so a
    batching backend (:class:`~logicsvc.llm.vllm_offline.VLLMBackend`) gets one batch per
    round. A question whose LLM call fails ends with that ``LLMError`` while the others go
    on; ``LLMUnavailableError`` (the server is gone for everyone) is raised.

    ``on_done(index, outcome)`` hears of each question the moment its outcome is final
    (answered with nothing left to refine, or failed), also when the server goes away
    later in the run: an evaluation saves paid work as it finishes, not per batch.
    """
    options.check()
    run = _Settings(
        options,
        options.grammar_text(),
        options.prover or _prove_in_thread,
        options.chooser or _choose_in_thread,
    )
    temperature = 0.0 if options.samples == 1 else SAMPLING_TEMPERATURE
    batch = [
        _Question(tuple(premises), conclusion, first_messages(premises, conclusion, options.style))
        for premises, conclusion in questions
    ]

    def report(q: _Question, round_: int) -> None:
        """Tell ``on_done`` of ``q`` if nothing more will happen to it after ``round_``."""
        if on_done is None or q.reported or (q.error is None and (q.pending or not q.trails)):
            return
        if q.error is None and round_ < options.rounds and any(_failing(t) for t in q.trails):
            return
        q.reported = True
        on_done(batch.index(q), q.error or outcome_of(q.trails, q.calls))

    async def start(q: _Question) -> None:
        replies, q.calls = await _first_round(
            chat, q.first, options.samples, temperature, run.grammar
        )
        judged = await _all(
            _judge(i, 0, r, run, q.conclusion) if isinstance(r, Completion) else _failed(i, 0, r)
            for i, r in enumerate(replies)
        )
        q.trails = [[j] for j in judged]
        report(q, 0)

    for q, error in zip(batch, await _settle(start(q) for q in batch), strict=True):
        q.error = error
        report(q, 0)
    for round_ in range(1, options.rounds + 1):
        failing = [(q, t) for q in batch if q.error is None for t in q.trails if _failing(t)]
        if not failing:
            break

        async def step(q: _Question, trail: list[Judged], round_: int = round_) -> None:
            try:
                judged, calls = await _refine(chat, q, trail[-1].attempt, round_, run)
                trail.append(judged)
                q.calls += calls
            finally:
                q.pending -= 1
            report(q, round_)

        for q, _trail in failing:
            q.pending += 1
        for (q, _trail), error in zip(
            failing, await _settle(step(q, t) for q, t in failing), strict=True
        ):
            q.error = q.error or error
            report(q, round_)
    for q in batch:
        report(q, options.rounds)  # rounds exhausted: whatever is left is final
    return [q.error or outcome_of(q.trails, q.calls) for q in batch]


def _failing(trail: list[Judged]) -> bool:
    """The trail's last attempt failed in a way another round may fix."""
    return trail[-1].attempt.status != "ok" and _refinable(trail[-1].attempt)


async def _settle(awaitables: Iterable[Awaitable[None]]) -> list[LLMError | None]:
    """Run concurrently; each one's LLMError, or None. The server being unreachable, or any
    other exception (a bug), is raised once all have finished."""
    outcomes = await asyncio.gather(*awaitables, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, LLMUnavailableError) or (
            isinstance(outcome, BaseException) and not isinstance(outcome, LLMError)
        ):
            raise outcome
    return [o if isinstance(o, LLMError) else None for o in outcomes]


async def _first_round(
    chat: ChatBackend, first: tuple[Message, ...], n: int, temperature: float, grammar: str | None
) -> tuple[list[Completion | LLMError], int]:
    """``n`` replies and the calls they took: one request with ``n``, then single requests
    for what it did not give, whether the server returned fewer choices or refused ``n``
    (llama.cpp's server does).  A single request that fails is that sample's ``LLMError``;
    only when no sample got a completion does the question fail."""
    request = ChatRequest(first, n, temperature, MAX_TOKENS, grammar)
    replies: list[Completion | LLMError] = []
    calls = 0
    try:
        response = await chat.complete(request)
        replies, calls = list(response.completions[:n]), response.calls
    except LLMUnavailableError:
        raise
    except LLMError:
        if n == 1:
            raise
        calls = 1  # refused n: the single requests below say what went wrong, if anything
    if len(replies) < n:
        single = ChatRequest(first, 1, temperature, MAX_TOKENS, grammar)
        settled = await asyncio.gather(
            *(chat.complete(single) for _ in range(n - len(replies))), return_exceptions=True
        )
        for outcome in settled:
            if isinstance(outcome, LLMUnavailableError) or not isinstance(
                outcome, ChatResponse | LLMError
            ):
                raise outcome
            if isinstance(outcome, LLMError):
                replies.append(outcome)
                calls += 1
            elif outcome.completions:
                replies.append(outcome.completions[0])
                calls += outcome.calls
            else:
                replies.append(LLMError("the model returned no completion"))
                calls += outcome.calls
    if not any(isinstance(r, Completion) for r in replies):  # then all n are errors
        raise next(r for r in replies if isinstance(r, LLMError))
    return replies, calls


async def _refine(
    chat: ChatBackend, q: _Question, previous: Attempt, round_: int, s: _Settings
) -> tuple[Judged, int]:
    messages = refine_messages(
        q.first,
        previous.program,
        previous.error or {},
        premises=q.premises,
        conclusion=q.conclusion,
        program=previous.dsl,
    )
    try:
        response = await chat.complete(ChatRequest(messages, 1, 0.0, MAX_TOKENS, s.grammar))
        if not response.completions:
            raise LLMError("the model returned no completion for a refinement request")
    except LLMUnavailableError:
        raise
    except LLMError as exc:
        # e.g. the refinement prompt no longer fits the context: the sample ends here, and
        # what it did before stays on record
        return await _failed(previous.sample, round_, exc), 1
    judged = await _judge(previous.sample, round_, response.completions[0], s, q.conclusion)
    return judged, response.calls


async def _failed(sample: int, round_: int, exc: LLMError) -> Judged:
    """The record of a sample whose LLM call failed: an ``llm_error`` attempt, not refined."""
    attempt = Attempt(
        sample=sample,
        round=round_,
        program="",
        dsl=None,
        error=exc.to_dict(),
        status=None,
        verdict=None,
        warnings=(),
        prompt_tokens=0,
        completion_tokens=0,
        latency_ms=0.0,
        finish_reason=None,
    )
    return Judged(attempt, None)


_Run = tuple[
    str | None, dict[str, Any] | None, str | None, Result | ChoiceResult | None, tuple[str, ...]
]
"""``(dsl, error, status, result, warnings)`` of one program."""


async def _judge(
    sample: int, round_: int, completion: Completion, s: _Settings, question: str
) -> Judged:
    program, fenced = read_program(completion.text)
    outcome: _Run = (None, truncated_error(MAX_TOKENS), None, None, ())
    if completion.finish_reason != "length" or fenced:  # a closed fence ended the program
        outcome = await _run(program, s, question)
    dsl, error_, status, result, warnings = outcome
    attempt = Attempt(
        sample=sample,
        round=round_,
        program=program,
        dsl=dsl,
        error=error_,
        status=status,
        verdict=_answer(result),
        warnings=warnings,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        latency_ms=completion.latency_ms,
        finish_reason=completion.finish_reason,
    )
    return Judged(attempt, result)


async def _run(program: str, s: _Settings, question: str) -> _Run:
    """Convert, load, prove; never raises (the attempt must be recorded whatever happens).

    A multiple-choice program in Logic-LM's notations (recordings replayed) is read by its
    format's reader, which takes the question's kind from ``question``'s first line."""
    dsl: str | None = None
    notes: tuple[str, ...] = ()
    try:
        o = s.options
        checked: CheckedProblem | CheckedChoice
        if detect_style(program) in CHOICE_STYLES:
            ask = question.split("\n", 1)[0]
            _style, checked = await asyncio.to_thread(
                load_choice_program, program, question=ask, lenient=o.lenient
            )
            dsl = problem_to_dsl(checked.problem)
        else:
            _style, dsl, notes = to_dsl_program(program, lenient=o.lenient)
            checked = await asyncio.to_thread(load_task, dsl, lenient=o.lenient)
        if isinstance(checked, CheckedChoice):
            result: Result | ChoiceResult = await s.chooser(checked.problem, o.limits)
        else:
            result = await s.prover(checked.problem, o.limits, o.backend, o.world)
    except LogicsvcError as exc:
        return dsl, exc.to_dict(), None, None, notes
    except Exception as exc:  # a bug of ours must not lose the attempt record
        error = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}
        return dsl, error, None, None, notes
    warnings = (*notes, *checked.warnings, *result.warnings)
    return dsl, status_error(result, dsl, checked.problem), result.status, result, warnings


def _answer(result: Result | ChoiceResult | None) -> str | None:
    """What a sample votes for: a verdict, or the letter of a multiple-choice answer."""
    if isinstance(result, ChoiceResult):
        return result.answer
    return result.verdict if result is not None else None


_FINAL_CODES = frozenset({"internal_error", "llm_error", "llm_bad_reply"})


def _refinable(attempt: Attempt) -> bool:
    """Our own bugs and failed LLM calls are not the model's to fix; all else goes back."""
    return attempt.error is None or attempt.error.get("code") not in _FINAL_CODES


async def _all(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Run concurrently; on failure wait for the rest, then raise the first error in order."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    done: list[T] = []
    for item in results:
        if isinstance(item, BaseException):
            raise item
        done.append(item)
    return done

"""One problem at a time: ``prove`` and ``export`` a DSL program, ``reason`` from sentences."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from logicsvc.cli._common import (
    BackendChoice,
    BackendOpt,
    FileArg,
    GrammarOpt,
    ProgramsOpt,
    RoundsOpt,
    SamplesOpt,
    StrictOpt,
    TimeoutOpt,
    TranslatorChoice,
    TranslatorOpt,
    WorldChoice,
    WorldOpt,
    chat_for,
    emit,
    fail,
    loop_options,
    read_source,
)
from logicsvc.errors import FragmentError, LogicsvcError, UntranslatableError
from logicsvc.syntax.ast import ChoiceProblem

if TYPE_CHECKING:
    from logicsvc.reasoning import Reasoned
    from provers.result import ChoiceResult


def prove(
    file: FileArg,
    strict: StrictOpt = False,
    backend: BackendOpt = BackendChoice.auto,
    world: WorldOpt = WorldChoice.open,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Decide whether the premises entail the conclusion (true/false/unknown), or which
    option a multiple-choice question (Question:/Options:) selects."""
    import provers
    from logicsvc.checks import CheckedChoice
    from logicsvc.load import load_task

    try:
        checked = load_task(read_source(file), lenient=not strict)
        limits = provers.Limits(timeout_s=timeout)
        if isinstance(checked, CheckedChoice):
            if backend.value == "backward" or world.value != "open":
                raise FragmentError("multiple-choice questions are decided by z3, open world")
            result: provers.Result | ChoiceResult = provers.choose(checked.problem, limits)
        else:
            result = provers.prove(
                checked.problem, limits, backend=backend.value, world=world.value
            )
    except LogicsvcError as exc:
        fail(exc)
    payload = result.to_dict()
    payload["warnings"] = [*checked.warnings, *result.warnings]
    emit(payload)


def export(
    file: FileArg,
    tptp: Annotated[bool, typer.Option("--tptp", help="Write TPTP FOF.")] = False,
    strict: StrictOpt = False,
) -> None:
    """Print the problem in another syntax (TPTP FOF), or normalised DSL by default."""
    from logicsvc.checks import CheckedChoice
    from logicsvc.load import load_task
    from logicsvc.syntax import problem_to_dsl, problem_to_tptp

    try:
        checked = load_task(read_source(file), lenient=not strict)
        if tptp and isinstance(checked, CheckedChoice):
            raise FragmentError("TPTP FOF has no multiple-choice questions")
        problem = checked.problem
        out = (
            problem_to_tptp(problem)
            if tptp and not isinstance(problem, ChoiceProblem)
            else (problem_to_dsl(problem))
        )
    except LogicsvcError as exc:
        fail(exc)
    for warning in checked.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(out, nl=False)


def reason(
    conclusion: Annotated[str, typer.Option("--conclusion", "-c", help="The statement to test.")],
    premise: Annotated[
        list[str] | None, typer.Option("--premise", "-p", help="A premise (repeatable).")
    ] = None,
    context: Annotated[
        str | None, typer.Option(help="A file (or -) of premise sentences, as one text.")
    ] = None,
    translator: TranslatorOpt = TranslatorChoice.rules,
    programs: ProgramsOpt = None,
    backend: BackendOpt = BackendChoice.auto,
    world: WorldOpt = WorldChoice.open,
    timeout: TimeoutOpt = 10.0,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 3,
    grammar: GrammarOpt = True,
) -> None:
    """Translate natural-language premises and a conclusion, then prove."""
    from logicsvc.reasoning import reason as run_reason
    from logicsvc.reasoning import reason_with_llm

    texts = list(premise or [])
    options = loop_options(
        samples=samples,
        rounds=rounds,
        world=world.value,
        backend=backend,
        timeout=timeout,
        grammar=grammar,
    )
    try:
        if context is not None:
            texts.append(read_source(context))
        outcome: Reasoned | None = None
        if translator in (TranslatorChoice.rules, TranslatorChoice.auto):
            try:
                outcome = run_reason(
                    texts,
                    conclusion,
                    world=options.world,
                    backend=options.backend,
                    limits=options.limits,
                )
            except UntranslatableError:
                if translator is TranslatorChoice.rules:
                    raise
        if outcome is None:
            chat = chat_for(translator, programs)

            async def run() -> Reasoned:
                name = "llm" if translator is TranslatorChoice.auto else translator.value
                if chat is not None:
                    return await reason_with_llm(
                        texts, conclusion, chat=chat, translator=name, options=options
                    )
                from logicsvc.llm.openai_compat import OpenAICompatBackend

                async with OpenAICompatBackend() as configured:
                    return await reason_with_llm(
                        texts, conclusion, chat=configured, translator=name, options=options
                    )

            outcome = asyncio.run(run())
    except LogicsvcError as exc:
        fail(exc)
    emit(outcome.to_dict())

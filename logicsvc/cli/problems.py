"""One problem at a time: ``prove`` and ``export`` a DSL program, ``reason`` from sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from logicsvc.cli._common import (
    BackendChoice,
    BackendOpt,
    FileArg,
    GrammarOpt,
    JsonOpt,
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
    fail,
    loop_options,
    read_source,
    resolve_auto,
)
from logicsvc.errors import FragmentError, LogicsvcError, UntranslatableError

if TYPE_CHECKING:
    from logicsvc.provers.result import ChoiceResult
    from logicsvc.reasoning import Reasoned


SyntaxOpt = Annotated[
    str | None,
    typer.Option(
        "--syntax",
        help="dsl, prover9 or tptp (default: from the extension, else the content).",
    ),
]


def prove(
    file: FileArg,
    strict: StrictOpt = False,
    backend: BackendOpt = BackendChoice.auto,
    world: WorldOpt = WorldChoice.open,
    timeout: TimeoutOpt = 10.0,
    syntax: SyntaxOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide whether the premises entail the conclusion (true/false/unknown), or which
    option a multiple-choice question (Question:/Options:) selects."""
    from logicsvc import provers
    from logicsvc.checks import CheckedChoice
    from logicsvc.cli._render import answer, premises_of
    from logicsvc.syntax import problem_to_dsl
    from logicsvc.syntaxes import load_in_syntax

    try:
        name = None if file == "-" else file
        checked, _ = load_in_syntax(read_source(file), syntax, lenient=not strict, filename=name)
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
    from logicsvc.szs import szs_of_record

    payload = result.to_dict()
    payload["szs_status"] = szs_of_record(payload)
    payload["warnings"] = [*checked.warnings, *result.warnings]
    answer(payload, lambda: premises_of(problem_to_dsl(checked.problem)), as_json=as_json)


def export(
    file: FileArg,
    tptp: Annotated[bool, typer.Option("--tptp", help="Write TPTP FOF.")] = False,
    strict: StrictOpt = False,
    prover9: Annotated[bool, typer.Option("--prover9", help="Write a Prover9 input file.")] = False,
    syntax: SyntaxOpt = None,
) -> None:
    """Print the problem in another syntax (TPTP FOF, Prover9), or normalised DSL by default."""
    from logicsvc.checks import CheckedChoice
    from logicsvc.syntax import problem_to_dsl, problem_to_tptp
    from logicsvc.syntax.ast import ChoiceProblem
    from logicsvc.syntax.prover9_printer import problem_to_prover9
    from logicsvc.syntaxes import load_in_syntax

    try:
        if tptp and prover9:
            raise LogicsvcError("choose one of --tptp and --prover9", code="invalid_option")
        name = None if file == "-" else file
        checked, _ = load_in_syntax(read_source(file), syntax, lenient=not strict, filename=name)
        problem = checked.problem
        if (tptp or prover9) and isinstance(checked, CheckedChoice):
            raise FragmentError("TPTP and Prover9 have no multiple-choice questions")
        out = problem_to_dsl(problem)
        if tptp and not isinstance(problem, ChoiceProblem):
            out = problem_to_tptp(problem)
        if prover9 and not isinstance(problem, ChoiceProblem):
            out = problem_to_prover9(problem)
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
    translator: TranslatorOpt = TranslatorChoice.auto,
    programs: ProgramsOpt = None,
    backend: BackendOpt = BackendChoice.auto,
    world: WorldOpt = WorldChoice.open,
    timeout: TimeoutOpt = 10.0,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 3,
    grammar: GrammarOpt = True,
    as_json: JsonOpt = False,
) -> None:
    """Translate natural-language premises and a conclusion, then prove."""
    from logicsvc import provers
    from logicsvc.cli._render import answer, premises_of
    from logicsvc.reasoning import reason as run_reason
    from logicsvc.reasoning import reason_with_llm
    from logicsvc.sources import used_sources

    texts = list(premise or [])
    if not texts and context is None:
        fail(
            LogicsvcError(
                "no premises: give at least one --premise/-p, or --context FILE",
                code="invalid_input",
            )
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
                    world=world.value,
                    backend=backend.value,
                    limits=provers.Limits(timeout_s=timeout),
                )
            except UntranslatableError:
                # auto: the LLM, when one is configured, takes what the rules cannot
                if translator is TranslatorChoice.rules or resolve_auto(translator) is not (
                    TranslatorChoice.llm
                ):
                    raise
                translator = TranslatorChoice.llm
        if outcome is None:
            # the LLM loop's settings only where it runs: the offline path starts without it
            options = loop_options(
                samples=samples,
                rounds=rounds,
                world=world.value,
                backend=backend,
                timeout=timeout,
                grammar=grammar,
            )
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

            import asyncio

            outcome = asyncio.run(run())
    except LogicsvcError as exc:
        fail(exc)
    payload = outcome.to_dict()
    sentences = outcome.translation.sentences
    payload["used_sources"] = used_sources(texts, sentences, outcome.result.used_premises)
    program = outcome.translation.program
    answer(payload, lambda: premises_of(program, texts, sentences), as_json=as_json)

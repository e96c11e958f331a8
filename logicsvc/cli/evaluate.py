"""``logicsvc eval …``: score logicsvc on labelled datasets; the last stdout line is the summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from logicsvc.cli._common import (
    INVALID_INPUT,
    BackendChoice,
    BackendOpt,
    GrammarOpt,
    OutOpt,
    OverwriteOpt,
    ProgramsOpt,
    RayOpt,
    ReportOpt,
    ResumeOpt,
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
    finish,
    loop_options,
    require_file,
    resolve_auto,
)
from logicsvc.errors import LogicsvcError

if TYPE_CHECKING:
    from logicsvc.cluster.evaluation import EvalPlan
    from logicsvc.evaluation.common import Tally
    from logicsvc.llm.loop import LoopOptions


def progress_option(
    progress: Annotated[
        bool, typer.Option(help="A progress bar on stderr (items/s, ETA) while items run.")
    ] = True,
) -> None:
    """Score logicsvc on labelled datasets."""
    from logicsvc.progress import SHOW_PROGRESS

    SHOW_PROGRESS.set(progress)


def folio_gold(
    path: Annotated[Path, typer.Argument(help="FOLIO JSONL with premises-FOL / conclusion-FOL.")],
    out: OutOpt = None,
    report: ReportOpt = None,
    strict: StrictOpt = False,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
    overwrite: OverwriteOpt = False,
    ray: RayOpt = None,
    resume: ResumeOpt = False,
) -> None:
    """Prove FOLIO's gold FOL and score the labels; last stdout line is the summary."""
    from logicsvc import provers
    from logicsvc.evaluation.folio_gold import evaluate

    require_file(path, out=out, report=report, keep=overwrite or resume)
    summary: Tally
    try:
        if ray is not None:
            _require_ray()
            from logicsvc.cluster.evaluation import gold_plan

            plan = gold_plan(
                path,
                lenient=not strict,
                limits=provers.Limits(timeout_s=timeout),
                backend=backend.value,
            )
            summary = _on_ray(plan, ray, out, resume)
        else:
            _no_resume(resume)
            summary = evaluate(
                path,
                lenient=not strict,
                limits=provers.Limits(timeout_s=timeout),
                backend=backend.value,
                out=out,
            )
    except LogicsvcError as exc:
        fail(exc)
    finish(summary, summary.to_dict(), report, f"FOLIO gold FOL: {path.name}")


def _no_resume(resume: bool) -> None:
    if resume:
        raise LogicsvcError(
            "--resume is for LLM translators and --ray runs; this one reruns in seconds",
            code="invalid_option",
        )


def _require_ray() -> None:
    from logicsvc.cluster import require_ray

    require_ray()  # before the data is read: a missing extra is said at once


def _on_ray(plan: EvalPlan, address: str, out: Path | None, resume: bool) -> Tally:
    from logicsvc.cluster.evaluation import evaluate_on_ray

    return evaluate_on_ray(plan, address=address, out=out, resume=resume)


def _natural_language(
    path: Path,
    *,
    translator: TranslatorChoice,
    programs: list[Path] | None,
    options: LoopOptions,
    out: Path | None,
    report: Path | None,
    resume: bool,
    choice: bool = False,
    overwrite: bool = False,
    ray: str | None = None,
) -> None:
    """Natural-language evaluation with any translator; the summary is printed last."""
    require_file(path, out=out, report=report, keep=resume or overwrite)
    summary: Tally
    try:
        if (
            translator is TranslatorChoice.auto
            and ray is None
            and resolve_auto(translator) is TranslatorChoice.llm
        ):  # an LLM is configured: the rules for every item, the LLM for what they miss
            from logicsvc.evaluation import fallback

            if resume:
                raise LogicsvcError("--resume is for LLM translators", code="invalid_option")
            summary = fallback.evaluate(
                path, chat=chat_for(translator, programs), options=options, out=out, choice=choice
            )
        elif ray is not None:
            _require_ray()
            summary = _on_ray(
                _natural_language_plan(path, resolve_auto(translator), programs, options),
                ray,
                out,
                resume,
            )
        elif resolve_auto(translator) is TranslatorChoice.rules:  # no LLM for auto either
            if resume:
                raise LogicsvcError(
                    "--resume is for LLM translators; the rules translator reruns in seconds",
                    code="invalid_option",
                )
            from logicsvc.evaluation import offline

            summary = offline.evaluate(
                path,
                translator="rules",
                world=options.world,
                backend=options.backend,
                limits=options.limits,
                out=out,
                choice=choice,
            )
        else:
            from logicsvc.evaluation import llm_eval
            from logicsvc.llm.vllm_offline import VLLMBackend

            chat = chat_for(translator, programs)
            # an engine in process takes as many problems per round as it batches
            concurrency = chat.max_batch if isinstance(chat, VLLMBackend) else llm_eval.CHUNK
            summary = llm_eval.evaluate(
                path,
                chat=chat,
                options=options,
                concurrency=concurrency,
                out=out,
                resume=resume,
                choice=choice,
            )
    except LogicsvcError as exc:
        fail(exc)
    payload = summary.to_dict()
    payload.update(world=options.world, translator=translator.value)
    title = f"{path.name} ({translator.value} translator, {options.world} world)"
    finish(summary, payload, report, title)


def _natural_language_plan(
    path: Path, translator: TranslatorChoice, programs: list[Path] | None, options: LoopOptions
) -> EvalPlan:
    """What the actors of a ``--ray`` run need: the rules translator's options, or how to
    build the chat backend (the configured server's settings, the recordings, vLLM)."""
    from logicsvc.cluster import evaluation

    if translator is TranslatorChoice.rules:
        return evaluation.offline_plan(
            path,
            translator=translator.value,
            world=options.world,
            backend=options.backend,
            limits=options.limits,
        )
    from logicsvc.evaluation.llm_eval import CHUNK
    from logicsvc.settings import get_settings

    settings = get_settings()
    recipe = evaluation.ChatRecipe(translator.value, settings, chat_for(translator, programs)
                                   if translator is TranslatorChoice.replay else None)  # fmt: skip
    chunk = settings.vllm_max_batch if translator is TranslatorChoice.vllm else CHUNK
    if translator is TranslatorChoice.llm and not settings.llm_base_url:
        from logicsvc.llm.openai_compat import OpenAICompatBackend

        OpenAICompatBackend(settings)  # raises the single-machine path's LLMError
    return evaluation.llm_plan(path, recipe=recipe, options=options, chunk=chunk)


def proofwriter(
    path: Annotated[Path, typer.Argument(help="Logic-LM JSON list, or PARARULE-Plus JSONL.")],
    out: OutOpt = None,
    report: ReportOpt = None,
    cwa: Annotated[
        bool,
        typer.Option(
            "--cwa",
            help="Closed world as PARARULE-Plus defines it: what the context does not state "
            "is false (same as --world closed-stated).",
        ),
    ] = False,
    world: Annotated[
        WorldChoice | None,
        typer.Option(help="Override the semantics (default: explicit, ProofWriter's open world)."),
    ] = None,
    translator: TranslatorOpt = TranslatorChoice.auto,
    programs: ProgramsOpt = None,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 3,
    grammar: GrammarOpt = True,
    resume: ResumeOpt = False,
    overwrite: OverwriteOpt = False,
    ray: RayOpt = None,
) -> None:
    """Rule-base QA end to end; the last stdout line is the JSON summary."""
    if cwa and world not in (None, WorldChoice.closed, WorldChoice.closed_stated):
        typer.echo(f"--cwa contradicts --world {world.value}", err=True)
        raise typer.Exit(INVALID_INPUT)
    chosen = world or (WorldChoice.closed_stated if cwa else WorldChoice.explicit)
    options = loop_options(
        style="rulebase",
        samples=samples,
        rounds=rounds,
        world=chosen.value,
        backend=backend,
        timeout=timeout,
        grammar=grammar,
    )
    _natural_language(
        path,
        translator=translator,
        programs=programs,
        options=options,
        out=out,
        report=report,
        resume=resume,
        overwrite=overwrite,
        ray=ray,
    )


def folio(
    path: Annotated[
        Path, typer.Argument(help="FOLIO JSONL (premises, conclusion, label) or Logic-LM JSON.")
    ],
    out: OutOpt = None,
    report: ReportOpt = None,
    translator: TranslatorOpt = TranslatorChoice.auto,
    programs: ProgramsOpt = None,
    world: WorldOpt = WorldChoice.open,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 3,
    grammar: GrammarOpt = True,
    resume: ResumeOpt = False,
    overwrite: OverwriteOpt = False,
    ray: RayOpt = None,
) -> None:
    """Free-text FOLIO-style problems through the LLM loop; last stdout line: the summary."""
    options = loop_options(
        style="folio",
        samples=samples,
        rounds=rounds,
        world=world.value,
        backend=backend,
        timeout=timeout,
        grammar=grammar,
    )
    _natural_language(
        path,
        translator=translator,
        programs=programs,
        options=options,
        out=out,
        report=report,
        resume=resume,
        overwrite=overwrite,
        ray=ray,
    )


def prontoqa(
    path: Annotated[Path, typer.Argument(help="ProntoQA in Logic-LM's JSON (answer A/B).")],
    out: OutOpt = None,
    report: ReportOpt = None,
    translator: TranslatorOpt = TranslatorChoice.auto,
    programs: ProgramsOpt = None,
    world: Annotated[
        WorldChoice,
        typer.Option(help="ProntoQA's ontology is complete: by default the complete world."),
    ] = WorldChoice.complete,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 3,
    grammar: GrammarOpt = True,
    resume: ResumeOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """ProntoQA's true/false questions end to end; last stdout line: the summary."""
    options = loop_options(
        style="rulebase",
        samples=samples,
        rounds=rounds,
        world=world.value,
        backend=backend,
        timeout=timeout,
        grammar=grammar,
    )
    _natural_language(
        path,
        translator=translator,
        programs=programs,
        options=options,
        out=out,
        report=report,
        resume=resume,
        overwrite=overwrite,
    )


PuzzleFile = Annotated[
    Path, typer.Argument(help="Logic-LM's option-style JSON: context, question, options, answer.")
]


def _puzzle_command(default: TranslatorChoice, doc: str) -> Callable[..., None]:
    """One multiple-choice eval command (they differ only in their default translator)."""

    def command(
        path: PuzzleFile,
        out: OutOpt = None,
        report: ReportOpt = None,
        translator: TranslatorOpt = default,
        programs: ProgramsOpt = None,
        timeout: TimeoutOpt = 10.0,
        samples: SamplesOpt = 1,
        rounds: RoundsOpt = 3,
        grammar: GrammarOpt = True,
        resume: ResumeOpt = False,
        overwrite: OverwriteOpt = False,
    ) -> None:
        options = loop_options(
            style="choice",
            samples=samples,
            rounds=rounds,
            world="open",
            backend=BackendChoice.z3,
            timeout=timeout,
            grammar=grammar,
        )
        _natural_language(
            path,
            translator=translator,
            programs=programs,
            options=options,
            out=out,
            report=report,
            resume=resume,
            choice=True,
            overwrite=overwrite,
        )

    command.__doc__ = doc
    return command


logical_deduction = _puzzle_command(
    TranslatorChoice.auto,
    "LogicalDeduction's ordering puzzles, offline unless an LLM is configured for what the "
    "rules cannot read; last line: the summary.",
)
ar_lsat = _puzzle_command(  # the offline translator reads no AR-LSAT game: auto would be 0/N
    TranslatorChoice.llm,
    "AR-LSAT's analytical-reasoning games through the LLM loop; last line: the summary.",
)


def programs(
    path: Annotated[Path, typer.Argument(help="Recorded LLM programs (Logic-LM JSON list).")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="Recording format: logiclm, or linc (LINC's samples, voted)."
        ),
    ] = "logiclm",
    out: OutOpt = None,
    report: ReportOpt = None,
    strict: StrictOpt = False,
    world: Annotated[
        WorldChoice | None,
        typer.Option(help="Override (default: open for FOLIO style, explicit for ProofWriter)."),
    ] = None,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
    overwrite: OverwriteOpt = False,
    ray: RayOpt = None,
    resume: ResumeOpt = False,
) -> None:
    """Score recorded programs with no LLM call; last stdout line: the summary."""
    from logicsvc import provers
    from logicsvc.evaluation.programs import evaluate

    require_file(path, out=out, report=report, keep=overwrite or resume)
    summary: Tally
    try:
        if ray is not None:
            _require_ray()
            from logicsvc.cluster.evaluation import programs_plan

            plan = programs_plan(
                path,
                fmt=fmt,
                lenient=not strict,
                limits=provers.Limits(timeout_s=timeout),
                backend=backend.value,
                world=world.value if world else None,
            )
            summary = _on_ray(plan, ray, out, resume)
        else:
            _no_resume(resume)
            summary = evaluate(
                path,
                fmt=fmt,
                lenient=not strict,
                limits=provers.Limits(timeout_s=timeout),
                backend=backend.value,
                world=world.value if world else None,
                out=out,
            )
    except LogicsvcError as exc:
        fail(exc)
    finish(summary, summary.to_dict(), report, f"recorded programs: {path.name}")

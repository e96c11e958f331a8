"""``logicsvc eval …``: score logicsvc on labelled datasets; the last stdout line is the summary."""

from __future__ import annotations

from collections.abc import Callable
from inspect import Parameter, Signature
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from logicsvc.cli._common import (
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
    fail,
    finish,
    require_file,
)
from logicsvc.cli._natural import natural_language, need_ray, on_ray
from logicsvc.errors import LogicsvcError

if TYPE_CHECKING:
    from logicsvc.evaluation.common import Tally


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
            need_ray()
            from logicsvc.cluster.evaluation import gold_plan

            plan = gold_plan(
                path,
                lenient=not strict,
                limits=provers.Limits(timeout_s=timeout),
                backend=backend.value,
            )
            summary = on_ray(plan, ray, out, resume)
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


def _param(name: str, annotation: object, default: object = Parameter.empty) -> Parameter:
    return Parameter(name, Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation, default=default)


def _file(help_text: str) -> Parameter:
    return _param("path", Annotated[Path, typer.Argument(help=help_text)])


def _translator(default: TranslatorChoice) -> Parameter:
    return _param("translator", TranslatorOpt, default)


# The options the natural-language commands share, each where --help lists it.
_OUT, _REPORT = _param("out", OutOpt, None), _param("report", ReportOpt, None)
_PROGRAMS = _param("programs", ProgramsOpt, None)
_BACKEND = _param("backend", BackendOpt, BackendChoice.auto)
_LOOP = (
    _param("timeout", TimeoutOpt, 10.0),
    _param("samples", SamplesOpt, 1),
    _param("rounds", RoundsOpt, 3),
    _param("grammar", GrammarOpt, True),
    _param("resume", ResumeOpt, False),
    _param("overwrite", OverwriteOpt, False),
)
_RAY = _param("ray", RayOpt, None)


def _loop_command(doc: str, *params: Parameter, **fixed: Any) -> Callable[..., None]:
    """A natural-language eval command: ``params`` are its argument and options in
    ``--help``'s order (typer reads them from the signature), ``fixed`` are the
    :func:`~logicsvc.cli._natural.natural_language` settings it does not ask for."""

    def command(**given: Any) -> None:
        natural_language(**fixed, **given)

    command.__doc__ = doc
    command.__signature__ = Signature(list(params))  # type: ignore[attr-defined]
    return command


proofwriter = _loop_command(
    "Rule-base QA end to end; the last stdout line is the JSON summary.",
    _file("Logic-LM JSON list, or PARARULE-Plus JSONL."),
    _OUT,
    _REPORT,
    _param(
        "cwa",
        Annotated[
            bool,
            typer.Option(
                "--cwa",
                help="Closed world as PARARULE-Plus defines it: what the context does not "
                "state is false (same as --world closed-stated).",
            ),
        ],
        False,
    ),
    _param(
        "world",
        Annotated[
            WorldChoice | None,
            typer.Option(
                help="Override the semantics (default: explicit, ProofWriter's open world)."
            ),
        ],
        None,
    ),
    _translator(TranslatorChoice.auto),
    _PROGRAMS,
    _BACKEND,
    *_LOOP,
    _RAY,
    style="rulebase",
)
folio = _loop_command(
    "Free-text FOLIO-style problems through the LLM loop; last stdout line: the summary.",
    _file("FOLIO JSONL (premises, conclusion, label) or Logic-LM JSON."),
    _OUT,
    _REPORT,
    _translator(TranslatorChoice.auto),
    _PROGRAMS,
    _param("world", WorldOpt, WorldChoice.open),
    _BACKEND,
    *_LOOP,
    _RAY,
    style="folio",
)
prontoqa = _loop_command(
    "ProntoQA's true/false questions end to end; last stdout line: the summary.",
    _file("ProntoQA in Logic-LM's JSON (answer A/B)."),
    _OUT,
    _REPORT,
    _translator(TranslatorChoice.auto),
    _PROGRAMS,
    _param(
        "world",
        Annotated[
            WorldChoice,
            typer.Option(help="ProntoQA's ontology is complete: by default the complete world."),
        ],
        WorldChoice.complete,
    ),
    _BACKEND,
    *_LOOP,
    style="rulebase",
)


def _puzzle_command(default: TranslatorChoice, doc: str) -> Callable[..., None]:
    """One multiple-choice eval command (they differ only in their default translator)."""
    return _loop_command(
        doc,
        _file("Logic-LM's option-style JSON: context, question, options, answer."),
        _OUT,
        _REPORT,
        _translator(default),
        _PROGRAMS,
        *_LOOP,
        style="choice",
        world=WorldChoice.open,
        backend=BackendChoice.z3,
        choice=True,
    )


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
            need_ray()
            from logicsvc.cluster.evaluation import programs_plan

            plan = programs_plan(
                path,
                fmt=fmt,
                lenient=not strict,
                limits=provers.Limits(timeout_s=timeout),
                backend=backend.value,
                world=world.value if world else None,
            )
            summary = on_ray(plan, ray, out, resume)
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

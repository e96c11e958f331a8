"""``logicsvc fallacies IN -o OUT`` (a resumable job), ``fallacies train``, ``eval fallacies``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from logicsvc.cli._common import (
    OutOpt,
    OverwriteOpt,
    RayOpt,
    ReportOpt,
    TranslatorChoice,
    emit,
    fail,
    require_file,
    resolve_auto,
)
from logicsvc.errors import LogicsvcError


class RunByDefault(TyperGroup):
    """``logicsvc fallacies IN -o OUT`` runs a job; ``logicsvc fallacies train …`` trains."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


TextFieldOpt = Annotated[
    str | None,
    typer.Option(
        help="The text column / field (default: 'text' or 'source_article', whichever the "
        "file has)."
    ),
]
LabelFieldOpt = Annotated[str, typer.Option(help="The label column.")]
ModelOpt = Annotated[
    Path | None, typer.Option(help="A baseline model from 'logicsvc fallacies train'.")
]
LLMOpt = Annotated[bool, typer.Option("--llm", help="The same as --translator llm.")]
ClassifierOpt = Annotated[
    TranslatorChoice,
    typer.Option(
        "--translator",
        help="auto (default): the --model baseline if given, else the configured LLM "
        "(LOGICSVC_LLM_BASE_URL); llm: the configured LLM. The other translators of "
        "'reason' have no fallacy classifier.",
    ),
]


def _wants_llm(model: Path | None, llm: bool, translator: TranslatorChoice) -> bool:
    """Whether the LLM classifies: the commands share ``reason``'s ``--translator`` vocabulary
    (``--llm`` is its short form), and ``auto`` picks what is there, as everywhere else."""
    if translator not in (TranslatorChoice.auto, TranslatorChoice.llm):
        raise LogicsvcError(
            f"--translator {translator.value} has no fallacy classifier: use --model MODEL "
            "(the offline baseline) or --translator llm",
            code="invalid_option",
        )
    llm = llm or translator is TranslatorChoice.llm
    if llm and model is not None:
        raise LogicsvcError(
            "choose one classifier: --model MODEL or the LLM (--translator llm / --llm)",
            code="invalid_option",
        )
    if llm or model is not None:
        return llm
    return resolve_auto(translator) is TranslatorChoice.llm  # the LLM when one is configured


def _need_sklearn(why: str) -> None:
    from logicsvc.extras import require

    require("sklearn", "joblib", why=why)


def _classifier(model: Path | None, llm: bool) -> Any:
    """The informal classifier: the offline baseline, or the configured LLM."""
    if model is not None:
        _need_sklearn("the offline baseline (--model)")
        from logicsvc.fallacies.baseline import BaselineClassifier, BaselineModel

        return BaselineClassifier(BaselineModel.load(model))
    if llm:
        from logicsvc.fallacies.llm import LLMClassifier
        from logicsvc.llm.openai_compat import OpenAICompatBackend

        return LLMClassifier(OpenAICompatBackend())
    raise LogicsvcError(
        "choose a classifier: --model MODEL (the offline baseline), or configure an LLM "
        "(LOGICSVC_LLM_BASE_URL) and use --translator llm",
        code="invalid_option",
    )


def run(
    source: Annotated[Path, typer.Argument(help="CSV or JSONL of texts.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL results (appended; resumable).")],
    model: ModelOpt = None,
    llm: LLMOpt = False,
    translator: ClassifierOpt = TranslatorChoice.auto,
    text_field: TextFieldOpt = None,
    id_field: Annotated[str | None, typer.Option(help="A field holding stable ids.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Process at most N new rows.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Batches in flight.")] = 4,
    formal: Annotated[bool, typer.Option(help="Prove formalisable arguments first.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    ray: RayOpt = None,
) -> None:
    """Label every text; rerunning after a crash resumes where it stopped."""
    from logicsvc.fallacies.detector import FallacyDetector
    from logicsvc.fallacies.jobs import run_job

    require_file(source, out=out)
    try:
        llm = _wants_llm(model, llm, translator)
        if ray is not None:
            from logicsvc.cluster import require_ray
            from logicsvc.cluster.fallacies import run_job_on_ray

            require_ray()  # before the model loads: a missing extra is said at once

            summary = run_job_on_ray(
                source,
                out,
                _recipe(model, llm, formal),
                address=ray,
                text_field=text_field,
                id_field=id_field,
                limit=limit,
                concurrency=concurrency,
                progress=progress,
            )
            _finish_job(summary.to_dict(), bool(summary.stopped))
            return
        import asyncio

        detector = FallacyDetector(_classifier(model, llm), formal=formal)
        summary = asyncio.run(
            run_job(
                source,
                out,
                detector,
                text_field=text_field,
                id_field=id_field,
                limit=limit,
                concurrency=concurrency,
                progress=progress,
            )
        )
    except LogicsvcError as exc:
        fail(exc)
    _finish_job(summary.to_dict(), bool(summary.stopped))


def _finish_job(summary: dict[str, Any], stopped: bool) -> None:
    emit(summary)
    if stopped:
        typer.echo(
            "stopped: the LLM server is unreachable; rerun the same command to resume", err=True
        )
        raise typer.Exit(1)


def _recipe(model: Path | None, llm: bool, formal: bool, *, detect: bool = True) -> Any:
    """What each Ray actor builds: the detector ``run`` builds around :func:`_classifier`'s
    classifier, or (``detect=False``) that classifier alone."""
    from logicsvc.cluster.fallacies import DetectorRecipe

    if model is not None:
        from logicsvc.fallacies.baseline import BaselineModel

        return DetectorRecipe(BaselineModel.load(model), None, formal=formal, detect=detect)
    if llm:
        from logicsvc.errors import LLMError
        from logicsvc.settings import get_settings

        settings = get_settings()
        if not settings.llm_base_url:
            raise LLMError("no LLM is configured: set LOGICSVC_LLM_BASE_URL (or OPENAI_BASE_URL)")
        return DetectorRecipe(None, settings, formal=formal, detect=detect)
    return _classifier(model, llm)  # raises: no classifier chosen


def train(
    labeled: Annotated[Path, typer.Argument(help="Labelled CSV (e.g. the Logic edu split).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the model.")],
    text_field: TextFieldOpt = None,
    label_field: LabelFieldOpt = "updated_label",
) -> None:
    """Train the offline baseline classifier (no LLM, no download)."""
    try:
        _need_sklearn("fallacies train")
    except LogicsvcError as exc:
        fail(exc)
    from logicsvc.fallacies.baseline import read_labeled_rows
    from logicsvc.fallacies.baseline import train as train_baseline

    require_file(labeled, out=out)
    try:
        rows = read_labeled_rows(labeled, text_field=text_field, label_field=label_field)
        # one fit, no items to count: say what runs, on stderr, and when it is done
        typer.echo(f"training the baseline on {len(rows.texts)} texts …", err=True)
        began = time.monotonic()
        model = train_baseline(rows.texts, rows.labels)
        typer.echo(f"trained in {time.monotonic() - began:.1f} s", err=True)
        size = model.save(out)
    except LogicsvcError as exc:
        fail(exc)
    emit({"model": str(out), "bytes": size, "trained_on": len(rows.texts), "skipped": rows.skipped})


def evaluate(
    path: Annotated[Path, typer.Argument(help="Labelled CSV to score.")],
    model: ModelOpt = None,
    llm: LLMOpt = False,
    translator: ClassifierOpt = TranslatorChoice.auto,
    text_field: TextFieldOpt = None,
    label_field: LabelFieldOpt = "updated_label",
    out: OutOpt = None,
    report: ReportOpt = None,
    overwrite: OverwriteOpt = False,
    ray: RayOpt = None,
) -> None:
    """Accuracy, macro-F1 and per-class scores; last stdout line: the summary."""
    try:
        _need_sklearn("eval fallacies (its scores)")
    except LogicsvcError as exc:
        fail(exc)
    from logicsvc.fallacies.evaluate import evaluate as evaluate_fallacies

    require_file(path, out=out, report=report, keep=overwrite)
    try:
        llm = _wants_llm(model, llm, translator)
        if ray is not None:
            from logicsvc.cluster import require_ray
            from logicsvc.cluster.fallacies import evaluate_on_ray

            require_ray()
            recipe = _recipe(model, llm, False, detect=False)
            summary = evaluate_on_ray(
                path,
                recipe,
                address=ray,
                name="baseline" if model is not None else "llm",
                text_field=text_field,
                label_field=label_field,
                out=out,
                report=report,
            )
            emit(summary)
            return
        summary = evaluate_fallacies(
            path,
            _classifier(model, llm),
            text_field=text_field,
            label_field=label_field,
            out=out,
            report=report,
        )
    except LogicsvcError as exc:
        fail(exc)
    emit(summary)

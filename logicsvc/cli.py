"""The ``logicsvc`` command line.

Contract (other tools call it exactly like this):

- ``logicsvc prove FILE|-``: one JSON object on stdout; exit 0 for any
  result, 2 for invalid input (the JSON then holds ``error``).
- ``logicsvc eval folio-gold PATH [--out FILE]``: the last stdout line is one
  JSON summary object.
- ``logicsvc export --tptp FILE|-``: the problem as TPTP FOF.
- ``logicsvc serve``: the HTTP service.
"""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from typer.core import TyperGroup

from logicsvc.errors import LogicsvcError
from logicsvc.evaluation.common import Tally
from logicsvc.llm import ChatBackend
from provers import World

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Neurosymbolic logical reasoning: parse, check and prove first-order problems.",
)
eval_app = typer.Typer(no_args_is_help=True, help="Score logicsvc on labelled datasets.")
app.add_typer(eval_app, name="eval")

INVALID_INPUT = 2

FileArg = Annotated[str, typer.Argument(help="Problem file in the logicsvc DSL, or - for stdin.")]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Repair nothing (default: lenient, repairs reported).")
]


class BackendChoice(StrEnum):
    """The values of ``provers.BACKENDS`` (a test keeps the two in step)."""

    auto = "auto"
    z3 = "z3"
    backward = "backward"


class WorldChoice(StrEnum):
    """The values of ``provers.WORLDS`` (a test keeps the two in step)."""

    open = "open"
    explicit = "explicit"
    closed = "closed"
    closed_stated = "closed-stated"


BackendOpt = Annotated[BackendChoice, typer.Option(help="Which prover decides.")]
WORLD_HELP = (
    "open (classical), explicit (ProofWriter's open world), closed (negation as failure) "
    "or closed-stated (PARARULE-Plus: unstated is false)."
)
WorldOpt = Annotated[WorldChoice, typer.Option(help=WORLD_HELP)]
OutOpt = Annotated[Path | None, typer.Option(help="Write one JSON line per item here.")]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        help="Write a markdown report here (confusion matrix, by depth) and a PNG beside it."
    ),
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds per problem.", min=0.001)]


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LogicsvcError(f"cannot read {source}: {exc}", code="unreadable_input") from None


def _emit(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False))


def _finish(tally: Tally, payload: dict[str, Any], report: Path | None, title: str) -> None:
    """Write the report if asked, then the summary as the last stdout line."""
    if report is not None:
        from logicsvc.evaluation.report import write_report

        png = write_report(tally, payload, report, title)
        typer.echo(f"report: {report} and {png}", err=True)
    _emit(payload)


def _fail(exc: LogicsvcError) -> None:
    _emit({"error": exc.to_dict()})
    typer.echo(str(exc), err=True)
    raise typer.Exit(INVALID_INPUT)


@app.command()
def prove(
    file: FileArg,
    strict: StrictOpt = False,
    backend: BackendOpt = BackendChoice.auto,
    world: WorldOpt = WorldChoice.open,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Decide whether the premises entail the conclusion (true/false/unknown)."""
    import provers
    from logicsvc.load import load_problem

    try:
        checked = load_problem(_read(file), lenient=not strict)
        result = provers.prove(
            checked.problem,
            provers.Limits(timeout_s=timeout),
            backend=backend.value,
            world=world.value,
        )
    except LogicsvcError as exc:
        _fail(exc)
        return
    payload = result.to_dict()
    payload["warnings"] = [*checked.warnings, *result.warnings]
    _emit(payload)


@app.command()
def export(
    file: FileArg,
    tptp: Annotated[bool, typer.Option("--tptp", help="Write TPTP FOF.")] = False,
    strict: StrictOpt = False,
) -> None:
    """Print the problem in another syntax (TPTP FOF), or normalised DSL by default."""
    from logicsvc.load import load_problem
    from logicsvc.syntax import problem_to_dsl, problem_to_tptp

    try:
        checked = load_problem(_read(file), lenient=not strict)
    except LogicsvcError as exc:
        _fail(exc)
        return
    for warning in checked.warnings:
        typer.echo(f"warning: {warning}", err=True)
    out = problem_to_tptp(checked.problem) if tptp else problem_to_dsl(checked.problem)
    typer.echo(out, nl=False)


@eval_app.command("folio-gold")
def eval_folio_gold(
    path: Annotated[Path, typer.Argument(help="FOLIO JSONL with premises-FOL / conclusion-FOL.")],
    out: OutOpt = None,
    report: ReportOpt = None,
    strict: StrictOpt = False,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Prove FOLIO's gold FOL and score the labels; last stdout line is the summary."""
    import provers
    from logicsvc.evaluation.folio_gold import evaluate

    if not path.is_file():
        _fail(LogicsvcError(f"no such file: {path}", code="unreadable_input"))
    try:
        summary = evaluate(
            path,
            lenient=not strict,
            limits=provers.Limits(timeout_s=timeout),
            backend=backend.value,
            out=out,
        )
    except LogicsvcError as exc:
        _fail(exc)
        return
    _finish(summary, summary.to_dict(), report, f"FOLIO gold FOL: {path.name}")


class TranslatorChoice(StrEnum):
    rules = "rules"
    llm = "llm"
    vllm = "vllm"
    replay = "replay"


TranslatorOpt = Annotated[
    TranslatorChoice,
    typer.Option(
        help="rules: offline controlled English; llm: the configured LLM server; "
        "vllm: LOGICSVC_VLLM_MODEL in this process, batched; "
        "replay: recorded programs (--programs), no model."
    ),
]
SamplesOpt = Annotated[int, typer.Option(min=1, help="LLM samples per problem (voted).")]
RoundsOpt = Annotated[int, typer.Option(min=0, help="Refinement rounds per failing sample.")]
GrammarOpt = Annotated[
    bool,
    typer.Option(
        help="Constrain decoding with the DSL's decoding grammar (grammars/fol.lark, bounded) "
        "where the model supports it: vLLM in process, or a server LOGICSVC_LLM_GRAMMAR "
        "allows (auto: vLLM's)."
    ),
]


ProgramsOpt = Annotated[
    list[Path] | None,
    typer.Option("--programs", help="Recorded programs for --translator replay (repeatable)."),
]


def _chat(translator: TranslatorChoice, programs: list[Path] | None) -> ChatBackend | None:
    """The chat backend a translator needs; None means the configured server."""
    if translator is TranslatorChoice.replay:
        if not programs:
            raise LogicsvcError("--translator replay needs --programs FILE", code="invalid_option")
        from logicsvc.llm.replay import ReplayChat

        try:
            return ReplayChat(programs)
        except (OSError, ValueError) as exc:
            raise LogicsvcError(str(exc), code="unreadable_input") from None
    if translator is TranslatorChoice.vllm:
        from logicsvc.llm.vllm_offline import VLLMBackend

        return VLLMBackend.from_settings()
    return None


@app.command()
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
    import provers
    from logicsvc.llm.loop import LoopOptions
    from logicsvc.reasoning import Reasoned, reason_with_llm
    from logicsvc.reasoning import reason as run_reason

    texts = list(premise or [])
    limits = provers.Limits(timeout_s=timeout)
    try:
        if context is not None:
            texts.append(_read(context))
        if translator is TranslatorChoice.rules:
            outcome = run_reason(
                texts, conclusion, world=world.value, backend=backend.value, limits=limits
            )
        else:
            chat = _chat(translator, programs)
            options = LoopOptions(
                samples=samples,
                rounds=rounds,
                world=world.value,
                backend=backend.value,
                limits=limits,
                grammar=grammar,
            )

            async def run() -> Reasoned:
                name = translator.value
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
        _fail(exc)
        return
    _emit(outcome.to_dict())


def _eval_nl(
    path: Path,
    *,
    translator: TranslatorChoice,
    programs: list[Path] | None,
    world: str,
    style: str,
    backend: BackendChoice,
    timeout: float,
    samples: int,
    rounds: int,
    grammar: bool,
    out: Path | None,
    report: Path | None,
) -> None:
    """Natural-language evaluation with either translator; the summary is printed last."""
    import provers

    if not path.is_file():
        _fail(LogicsvcError(f"no such file: {path}", code="unreadable_input"))
    limits = provers.Limits(timeout_s=timeout)
    summary: Tally
    try:
        if translator is not TranslatorChoice.rules:
            from logicsvc.evaluation import llm_eval
            from logicsvc.llm.loop import LoopOptions
            from logicsvc.llm.prompts import PromptStyle
            from logicsvc.llm.vllm_offline import VLLMBackend

            chat = _chat(translator, programs)
            # an engine in process takes as many problems per round as it batches
            concurrency = chat.max_batch if isinstance(chat, VLLMBackend) else llm_eval.CHUNK
            options = LoopOptions(
                style=cast(PromptStyle, style),
                samples=samples,
                rounds=rounds,
                world=cast(World, world),
                backend=backend.value,
                limits=limits,
                grammar=grammar,
            )
            summary = llm_eval.evaluate(
                path, chat=chat, options=options, concurrency=concurrency, out=out
            )
        else:
            from logicsvc.evaluation import proofwriter

            summary = proofwriter.evaluate(
                path,
                translator=translator.value,
                world=cast(World, world),
                backend=backend.value,
                limits=limits,
                out=out,
            )
    except LogicsvcError as exc:
        _fail(exc)
        return
    payload = summary.to_dict()
    payload.update(world=world, translator=translator.value)
    title = f"{path.name} ({translator.value} translator, {world} world)"
    _finish(summary, payload, report, title)


@eval_app.command("proofwriter")
def eval_proofwriter(
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
    translator: TranslatorOpt = TranslatorChoice.rules,
    programs: ProgramsOpt = None,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 3,
    grammar: GrammarOpt = True,
) -> None:
    """Rule-base QA end to end; the last stdout line is the JSON summary."""
    if cwa and world not in (None, WorldChoice.closed, WorldChoice.closed_stated):
        typer.echo(f"--cwa contradicts --world {world.value}", err=True)
        raise typer.Exit(INVALID_INPUT)
    chosen = world.value if world else ("closed-stated" if cwa else "explicit")
    _eval_nl(
        path,
        translator=translator,
        programs=programs,
        world=chosen,
        style="rulebase",
        backend=backend,
        timeout=timeout,
        samples=samples,
        rounds=rounds,
        grammar=grammar,
        out=out,
        report=report,
    )


@eval_app.command("folio")
def eval_folio(
    path: Annotated[
        Path, typer.Argument(help="FOLIO JSONL (premises, conclusion, label) or Logic-LM JSON.")
    ],
    out: OutOpt = None,
    report: ReportOpt = None,
    translator: TranslatorOpt = TranslatorChoice.llm,
    programs: ProgramsOpt = None,
    world: WorldOpt = WorldChoice.open,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 3,
    grammar: GrammarOpt = True,
) -> None:
    """Free-text FOLIO-style problems through the LLM loop; last stdout line: the summary."""
    _eval_nl(
        path,
        translator=translator,
        programs=programs,
        world=world.value,
        style="folio",
        backend=backend,
        timeout=timeout,
        samples=samples,
        rounds=rounds,
        grammar=grammar,
        out=out,
        report=report,
    )


@eval_app.command("programs")
def eval_programs(
    path: Annotated[Path, typer.Argument(help="Recorded LLM programs (Logic-LM JSON list).")],
    fmt: Annotated[str, typer.Option("--format", help="Recording format: logiclm.")] = "logiclm",
    out: OutOpt = None,
    report: ReportOpt = None,
    strict: StrictOpt = False,
    world: Annotated[
        WorldChoice | None,
        typer.Option(help="Override (default: open for FOLIO style, explicit for ProofWriter)."),
    ] = None,
    backend: BackendOpt = BackendChoice.auto,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Score recorded programs with no LLM call; last stdout line: the summary."""
    import provers
    from logicsvc.evaluation.programs import evaluate

    if not path.is_file():
        _fail(LogicsvcError(f"no such file: {path}", code="unreadable_input"))
    try:
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
        _fail(exc)
        return
    _finish(summary, summary.to_dict(), report, f"recorded programs: {path.name}")


@app.command("replay-server")
def replay_server(
    programs: Annotated[
        list[Path], typer.Argument(help="Recorded Logic-LM programs (JSON files or folders).")
    ],
    host: Annotated[str, typer.Option(help="Interface to bind (loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8001,
    latency: Annotated[float, typer.Option(min=0.0, help="Seconds each answer waits.")] = 0.0,
    model: Annotated[str, typer.Option(help="Model name it reports.")] = "replay",
) -> None:
    """An OpenAI-compatible server answering each prompt with its recorded program."""
    from logicsvc.llm.replay_server import create_replay_app, run_app

    try:  # read once, here: a bad file fails with a clear message, not inside uvicorn
        app_ = create_replay_app(programs, latency_s=latency, model=model)
    except (OSError, ValueError) as exc:
        _fail(LogicsvcError(f"cannot load recorded programs: {exc}", code="unreadable_input"))
        return
    run_app(app_, host=host, port=port)


class _RunByDefault(TyperGroup):
    """``logicsvc fallacies IN -o OUT`` runs a job; ``logicsvc fallacies train …`` trains."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored Context
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


fallacies_app = typer.Typer(
    cls=_RunByDefault,
    no_args_is_help=True,
    help="Flag fallacious arguments in text collections: fallacies IN -o OUT, or train.",
)
app.add_typer(fallacies_app, name="fallacies")
TextFieldOpt = Annotated[str, typer.Option(help="The text column / field.")]
ModelOpt = Annotated[
    Path | None, typer.Option(help="A baseline model from 'logicsvc fallacies train'.")
]


def _fallacy_classifier(model: Path | None, llm: bool) -> Any:
    """The informal classifier: the offline baseline, or the configured LLM."""
    if model is not None:
        from logicsvc.fallacies.baseline import BaselineClassifier, BaselineModel

        return BaselineClassifier(BaselineModel.load(model))
    if llm:
        from logicsvc.fallacies.llm import LLMClassifier
        from logicsvc.llm.openai_compat import OpenAICompatBackend

        return LLMClassifier(OpenAICompatBackend())
    raise LogicsvcError(
        "choose a classifier: --model MODEL (offline baseline) or --llm", code="invalid_option"
    )


@fallacies_app.command("run", hidden=True)
def fallacies_run(
    source: Annotated[Path, typer.Argument(help="CSV or JSONL of texts.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL results (appended; resumable).")],
    model: ModelOpt = None,
    llm: Annotated[bool, typer.Option("--llm", help="Classify with the configured LLM.")] = False,
    text_field: TextFieldOpt = "text",
    id_field: Annotated[str | None, typer.Option(help="A field holding stable ids.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Process at most N new rows.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Batches in flight.")] = 4,
    formal: Annotated[bool, typer.Option(help="Prove formalisable arguments first.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Label every text; rerunning after a crash resumes where it stopped."""
    from logicsvc.fallacies.detector import FallacyDetector
    from logicsvc.fallacies.jobs import run_job

    if not source.is_file():
        _fail(LogicsvcError(f"no such file: {source}", code="unreadable_input"))
    try:
        detector = FallacyDetector(_fallacy_classifier(model, llm), formal=formal)
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
        _fail(exc)
        return
    _emit(summary.to_dict())
    if summary.stopped:
        typer.echo(
            "stopped: the LLM server is unreachable; rerun the same command to resume", err=True
        )
        raise typer.Exit(1)


@fallacies_app.command("train")
def fallacies_train(
    labeled: Annotated[Path, typer.Argument(help="Labelled CSV (e.g. the Logic edu split).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the model.")],
    text_field: TextFieldOpt = "source_article",
    label_field: Annotated[str, typer.Option(help="The label column.")] = "updated_label",
) -> None:
    """Train the offline baseline classifier (no LLM, no download)."""
    from logicsvc.fallacies.baseline import read_labeled_rows, train

    try:
        rows = read_labeled_rows(labeled, text_field=text_field, label_field=label_field)
        model = train(rows.texts, rows.labels)
        size = model.save(out)
    except LogicsvcError as exc:
        _fail(exc)
        return
    _emit(
        {"model": str(out), "bytes": size, "trained_on": len(rows.texts), "skipped": rows.skipped}
    )


@eval_app.command("fallacies")
def eval_fallacies(
    path: Annotated[Path, typer.Argument(help="Labelled CSV to score.")],
    model: ModelOpt = None,
    llm: Annotated[bool, typer.Option("--llm", help="Score the configured LLM.")] = False,
    text_field: TextFieldOpt = "source_article",
    label_field: Annotated[str, typer.Option(help="The label column.")] = "updated_label",
    out: OutOpt = None,
    report: ReportOpt = None,
) -> None:
    """Accuracy, macro-F1 and per-class scores; last stdout line: the summary."""
    from logicsvc.fallacies.evaluate import evaluate as evaluate_fallacies

    try:
        summary = evaluate_fallacies(
            path,
            _fallacy_classifier(model, llm),
            text_field=text_field,
            label_field=label_field,
            out=out,
            report=report,
        )
    except LogicsvcError as exc:
        _fail(exc)
        return
    _emit(summary)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Run the HTTP service (uvicorn); settings come from the environment / .env."""
    import ipaddress
    import logging

    import uvicorn

    from logicsvc.settings import get_settings

    try:
        settings = get_settings()
    except LogicsvcError as exc:
        _fail(exc)
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and not settings.api_key_list and not settings.allow_unauthenticated:
        typer.echo(
            f"refusing to serve on {host} without API keys: set LOGICSVC_API_KEYS "
            "(or LOGICSVC_ALLOW_UNAUTHENTICATED=1 behind your own gateway)",
            err=True,
        )
        raise typer.Exit(INVALID_INPUT)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from logicsvc.service.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, access_log=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""What every command shares: option types, reading input, the JSON output contract."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from logicsvc.errors import LogicsvcError

if TYPE_CHECKING:
    from logicsvc.evaluation.common import Tally
    from logicsvc.llm import ChatBackend
    from logicsvc.llm.loop import LoopOptions
    from logicsvc.llm.prompts import PromptStyle
    from logicsvc.provers import World

INVALID_INPUT = 2


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
    complete = "complete"


class TranslatorChoice(StrEnum):
    auto = "auto"
    rules = "rules"
    llm = "llm"
    vllm = "vllm"
    replay = "replay"


FileArg = Annotated[str, typer.Argument(help="Problem file in the logicsvc DSL, or - for stdin.")]
# the HTTP API's names are accepted too (prover, lenient, timeout_s, translator): one
# vocabulary, while the older spellings keep working
StrictOpt = Annotated[
    bool,
    typer.Option("--strict/--lenient", help="Repair nothing (default: lenient, repairs reported)."),
]
BackendOpt = Annotated[
    BackendChoice, typer.Option("--backend", "--prover", help="Which prover decides.")
]
WORLD_HELP = (
    "open (classical), explicit (ProofWriter's open world), closed (negation as failure) "
    "or closed-stated (PARARULE-Plus: unstated is false)."
)
WorldOpt = Annotated[WorldChoice, typer.Option(help=WORLD_HELP)]
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write one JSON line per item here.")
]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        help="Write a markdown report here (confusion matrix, by depth) and a PNG beside it."
    ),
]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", "--timeout-s", help="Seconds per problem.", min=0.001, max=86_400.0),
]
PortOpt = Annotated[int, typer.Option(help="TCP port.", min=1, max=65_535)]
TranslatorOpt = Annotated[
    TranslatorChoice,
    typer.Option(
        help="auto (default): rules, and the configured LLM (LOGICSVC_LLM_BASE_URL) for an "
        "item (eval) or text (reason) they cannot read; rules: offline controlled English; "
        "llm: the configured LLM server; "
        "vllm: LOGICSVC_VLLM_MODEL in this process, batched; "
        "replay: recorded programs (--programs), no model."
    ),
]
ProgramsOpt = Annotated[
    list[Path] | None,
    typer.Option("--programs", help="Recorded programs for --translator replay (repeatable)."),
]
ResumeOpt = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Keep the records already in --out and solve only the rest (LLM translators): "
        "a run the LLM server stopped goes on where it ended.",
    ),
]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite", help="Empty a non-empty --out first (without it such a file is refused)."
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

RAY_LOCAL = "local"
RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray",
        metavar="[ADDRESS]",
        help="Run as a Ray Data pipeline: no ADDRESS (or 'local') starts Ray on this "
        "machine; 'auto', HOST:PORT or ray://HOST:10001 joins a cluster. Needs logicsvc[ray].",
    ),
]
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print JSON even on a terminal (it is the default when piped)."),
]
"""Here with the other options, not in ``_render``: a signature must not import rich."""


def ray_flag_value(args: list[str]) -> list[str]:
    """``--ray`` with no value (last, or before another option) means ``--ray local``:
    click has no option with an optional value."""
    out: list[str] = []
    for index, arg in enumerate(args):
        out.append(arg)
        if arg == "--ray" and (index + 1 == len(args) or args[index + 1].startswith("-")):
            out.append(RAY_LOCAL)
    return out


def read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")  # a BOM is not part of the text
    except (OSError, UnicodeDecodeError) as exc:
        raise LogicsvcError(f"cannot read {source}: {exc}", code="unreadable_input") from None


def require_file(
    path: Path,
    *,
    out: Path | None = None,
    report: Path | None = None,
    keep: bool | None = None,
) -> None:
    """``path`` must be a readable file; ``out`` and ``report`` (with the PNG beside it)
    must not overwrite it or each other, and must be writable: checked before the
    run, so no work is lost to a path mistake at its end. ``keep``: whether a non-empty
    ``out`` may be emptied or resumed (``--overwrite`` / ``--resume``); None where the
    command resumes by itself."""
    if not path.is_file():
        fail(LogicsvcError(f"no such file: {path}", code="unreadable_input"))
    from logicsvc.resultfile import check_outputs, refuse_overwrite

    figure = report.with_suffix(".png") if report is not None else None
    try:
        if report is not None:
            from logicsvc.extras import require

            require("matplotlib", why="--report (its figure)")
        check_outputs([path], [out, report, figure])
        if keep is not None:
            refuse_overwrite(out, resume=keep, overwrite=keep)
    except LogicsvcError as exc:
        fail(exc)


def emit(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False))


def finish(tally: Tally, payload: dict[str, Any], report: Path | None, title: str) -> None:
    """Write the report if asked, then the summary as the last stdout line."""
    if report is not None:
        from logicsvc.evaluation.report import write_report

        png = write_report(tally, payload, report, title)
        typer.echo(f"report: {report} and {png}", err=True)
    emit(payload)


def fail(exc: LogicsvcError) -> NoReturn:
    """The contract for any failure: a JSON error on stdout, the message on stderr, exit 2."""
    emit({"error": exc.to_dict()})
    typer.echo(str(exc), err=True)
    raise typer.Exit(INVALID_INPUT)


def loop_options(
    *,
    style: PromptStyle = "folio",
    samples: int,
    rounds: int,
    world: World,
    backend: BackendChoice,
    timeout: float,
    grammar: bool,
) -> LoopOptions:
    """The LLM loop's settings from the options every LLM command takes."""
    from logicsvc import provers
    from logicsvc.llm.loop import LoopOptions

    return LoopOptions(
        style=style,
        samples=samples,
        rounds=rounds,
        world=world,
        backend=backend.value,
        limits=provers.Limits(timeout_s=timeout),
        grammar=grammar,
    )


def resolve_auto(translator: TranslatorChoice) -> TranslatorChoice:
    """``auto`` for a whole run: the LLM when one is configured, else the offline rules.

    (``reason`` and the HTTP API decide per problem: rules first, the LLM for what they
    cannot translate.)"""
    if translator is not TranslatorChoice.auto:
        return translator
    if not _may_name_an_llm():
        return TranslatorChoice.rules
    from logicsvc.settings import get_settings

    configured = get_settings().llm_base_url
    return TranslatorChoice.llm if configured else TranslatorChoice.rules


LLM_URL_VARIABLES = ("LOGICSVC_LLM_BASE_URL", "OPENAI_BASE_URL")
"""Where the settings read ``llm_base_url`` from the environment (a test holds them equal)."""


def _may_name_an_llm() -> bool:
    """Whether the settings could name an LLM: one of its variables is set (in any case, as
    pydantic-settings matches them) or a ``.env`` is here.

    Where neither holds, ``auto`` is the rules without loading the settings: pydantic and
    pydantic-settings are ~170 ms of an offline evaluation's start-up (issue 18).
    """
    names = {name.upper() for name in os.environ}
    return any(v in names for v in LLM_URL_VARIABLES) or Path(".env").exists()


def chat_for(translator: TranslatorChoice, programs: list[Path] | None) -> ChatBackend | None:
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

"""How ``eval proofwriter|folio|prontoqa|logical-deduction|ar-lsat`` run: the offline
rules, an LLM through the loop, both (``auto`` with an LLM configured), or on Ray."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from logicsvc.cli._common import (
    BackendChoice,
    TranslatorChoice,
    WorldChoice,
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
    from logicsvc.llm.prompts import PromptStyle
    from logicsvc.provers import World


def need_ray() -> None:
    """Before the data is read: a missing ``ray`` extra is said at once."""
    from logicsvc.cluster import require_ray

    require_ray()


def on_ray(plan: EvalPlan, address: str, out: Path | None, resume: bool) -> Tally:
    from logicsvc.cluster.evaluation import evaluate_on_ray

    return evaluate_on_ray(plan, address=address, out=out, resume=resume)


def natural_language(
    path: Path,
    *,
    style: PromptStyle,
    world: WorldChoice | None,
    translator: TranslatorChoice,
    programs: list[Path] | None,
    backend: BackendChoice,
    timeout: float,
    samples: int,
    rounds: int,
    grammar: bool,
    out: Path | None,
    report: Path | None,
    resume: bool,
    overwrite: bool,
    ray: str | None = None,
    choice: bool = False,
    cwa: bool = False,
) -> None:
    """Natural-language evaluation with any translator; the summary is printed last.

    The LLM loop's options (and so ``asyncio`` and the loop's import) are built only
    where an LLM translates: the offline rules need the world, prover and limits alone.
    """
    chosen: World = _world(world, cwa).value
    require_file(path, out=out, report=report, keep=resume or overwrite)

    def options() -> LoopOptions:
        return loop_options(
            style=style,
            samples=samples,
            rounds=rounds,
            world=chosen,
            backend=backend,
            timeout=timeout,
            grammar=grammar,
        )

    summary: Tally
    try:
        resolved = resolve_auto(translator)
        if ray is not None:
            need_ray()
            summary = on_ray(_plan(path, resolved, programs, options()), ray, out, resume)
        elif translator is TranslatorChoice.auto and resolved is TranslatorChoice.llm:
            # an LLM is configured: the rules for every item, the LLM for what they miss
            from logicsvc.evaluation import fallback

            if resume:
                raise LogicsvcError("--resume is for LLM translators", code="invalid_option")
            summary = fallback.evaluate(
                path, chat=chat_for(translator, programs), options=options(), out=out, choice=choice
            )
        elif resolved is TranslatorChoice.rules:  # no LLM for auto either
            if resume:
                raise LogicsvcError(
                    "--resume is for LLM translators; the rules translator reruns in seconds",
                    code="invalid_option",
                )
            from logicsvc import provers
            from logicsvc.evaluation import offline

            summary = offline.evaluate(
                path,
                translator="rules",
                world=chosen,
                backend=backend.value,
                limits=provers.Limits(timeout_s=timeout),
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
                options=options(),
                concurrency=concurrency,
                out=out,
                resume=resume,
                choice=choice,
            )
    except LogicsvcError as exc:
        fail(exc)
    payload = summary.to_dict()
    payload.update(world=chosen, translator=translator.value)
    title = f"{path.name} ({translator.value} translator, {chosen} world)"
    finish(summary, payload, report, title)


def _world(world: WorldChoice | None, cwa: bool) -> WorldChoice:
    """The command's world; only ``eval proofwriter`` has ``--cwa`` and no default world
    (ProofWriter's open world is the explicit one; ``--cwa`` is closed-stated)."""
    if cwa and world not in (None, WorldChoice.closed, WorldChoice.closed_stated):
        fail(LogicsvcError(f"--cwa contradicts --world {world.value}", code="invalid_option"))
    return world or (WorldChoice.closed_stated if cwa else WorldChoice.explicit)


def _plan(
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

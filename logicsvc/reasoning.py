"""The whole pipeline for natural-language input: translate → parse → check → prove."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import provers
from logicsvc.checks import check_program
from logicsvc.llm import ChatBackend
from logicsvc.llm.loop import LoopOptions, solve
from logicsvc.llm.outcome import LoopResult
from logicsvc.load import load_problem
from logicsvc.syntax import to_dsl
from logicsvc.syntax.ast import Program
from logicsvc.szs import szs_of_record, szs_status
from logicsvc.translate import Translation, Translator, get_translator
from provers import Backend, Limits, Result, World


@dataclass(frozen=True, slots=True)
class Reasoned:
    translation: Translation
    result: Result
    warnings: tuple[str, ...] = ()
    loop: LoopResult | None = None
    """For LLM translators: every attempt, the vote and the token counts."""

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
        out["szs_status"] = szs_of_record(out)
        if self.loop is not None:
            if self.loop.status == "tie":  # the prover answered; the samples disagreed
                out["szs_status"] = szs_status("tie", None)
            out["outcome"] = self.loop.outcome
            out["agreement"] = self.loop.agreement
            out["votes"] = self.loop.votes
            out["refined"] = self.loop.refined
            out["tokens"] = self.loop.prompt_tokens + self.loop.completion_tokens
            out["attempts"] = [a.to_dict() for a in self.loop.attempts]
        out["warnings"] = [*self.translation.warnings, *self.warnings, *self.result.warnings]
        out["translator"] = self.translation.translator
        out["program"] = self.translation.program
        out["used_sentences"] = [
            self.translation.sentences[i]
            for i in self.result.used_premises
            if i < len(self.translation.sentences)
        ]
        out["llm_calls"] = self.translation.llm_calls
        return out


def reason(
    premises: Sequence[str],
    conclusion: str,
    *,
    translator: Translator | str = "rules",
    world: World = "open",
    backend: Backend = "auto",
    limits: Limits | None = None,
) -> Reasoned:
    """Translate, then prove; raises only for input the pipeline cannot take."""
    chosen = get_translator(translator) if isinstance(translator, str) else translator
    translation = chosen.translate(premises, conclusion)
    if translation.problem is not None:
        built = translation.problem
        checked = check_program(Program((), built.premises, (built.conclusion,)))
    else:
        checked = load_problem(translation.program)
    problem, warnings = checked.problem, checked.warnings
    result = provers.prove(problem, limits, backend=backend, world=world)
    return Reasoned(translation, result, warnings)


async def reason_with_llm(
    premises: Sequence[str],
    conclusion: str,
    *,
    chat: ChatBackend,
    translator: str = "llm",
    options: LoopOptions = LoopOptions(),  # noqa: B008 (frozen)
) -> Reasoned:
    """The LLM writes the program, refined until it runs; the vote decides.

    No executable program (or a tie) is an answer of its own: ``status`` error
    with the loop's outcome as code, never a guessed verdict.
    """
    loop = await solve(premises, conclusion, chat=chat, options=options)
    # used_premises index the program's premises: name them by the glosses the model wrote
    glosses: tuple[str, ...] = ()
    if loop.program:
        program = load_problem(loop.program, lenient=True).problem
        glosses = tuple(s.gloss or to_dsl(s.formula) for s in program.premises)
    translation = Translation(
        loop.program or "", translator, glosses, conclusion.strip(), llm_calls=loop.llm_calls
    )
    result = loop.result
    if loop.status == "tie" or result is None:
        why = {"tie": "the samples' verdicts tied", "all_failed": "no sample ran"}.get(
            loop.status, loop.status
        )
        error = {"code": f"llm_{loop.status}", "message": why}
        result = Result("error", error=error, backend=result.backend if result else "")
    return Reasoned(translation, result, loop=loop)

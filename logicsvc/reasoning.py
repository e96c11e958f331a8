"""The whole pipeline for natural-language input: translate → parse → check → prove."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from logicsvc import provers
from logicsvc.checks import CheckedChoice, check_program, check_task
from logicsvc.errors import InputError, UntranslatableError
from logicsvc.load import load_problem, load_task
from logicsvc.provers import Backend, Limits, Result, World
from logicsvc.provers.result import ChoiceResult
from logicsvc.syntax import problem_to_dsl, to_dsl
from logicsvc.syntax.ast import ChoiceProblem, Option, Problem, Program, Question, QuestionKind
from logicsvc.szs import szs_of_record, szs_status
from logicsvc.translate import Translation, Translator, get_translator
from logicsvc.translate.base import WholeQuestionReader

if TYPE_CHECKING:
    # the LLM loop (asyncio, prompts, every puzzle format) only for LLM translators: the
    # offline ``reason`` starts without it (issue 18)
    from logicsvc.llm import ChatBackend
    from logicsvc.llm.loop import LoopOptions
    from logicsvc.llm.outcome import LoopResult


@dataclass(frozen=True, slots=True)
class Reasoned:
    translation: Translation
    result: Result | ChoiceResult
    """A verdict, or the option a multiple-choice question selects."""
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
        used = self.result.used_premises
        if isinstance(self.result, ChoiceResult) and self.result.answer is not None:
            # the sentences the chosen option rests on
            used = next(o.used_premises for o in self.result.options if o.selected)
        out["used_sentences"] = [
            self.translation.sentences[i] for i in used if i < len(self.translation.sentences)
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


def translate_choice(
    premises: Sequence[str],
    options: Sequence[tuple[str, str]],
    kind: QuestionKind,
    translator: Translator,
) -> tuple[Translation, ChoiceProblem]:
    """A multiple-choice question through a sentence translator: each option is translated
    as the conclusion would be, beside the same premises (raises ``UntranslatableError``).

    A translator that reads some questions whole (:class:`WholeQuestionReader`: the offline
    one, for ordering puzzles) is asked first; other text goes option by option."""
    if not options:
        raise InputError("a question needs at least one option", code="no_options")
    if isinstance(translator, WholeQuestionReader):
        whole = translator.translate_question(premises, options, kind)
        if whole is not None:
            assert whole.choice is not None
            return whole, whole.choice
    per_option = [translator.translate(premises, text) for _, text in options]
    built = [t.problem for t in per_option]
    if any(p is None for p in built):
        raise InputError("this translator gives no AST for options", code="invalid_option")
    first = built[0]
    assert first is not None
    question = Question(
        kind,
        tuple(
            Option(label, (p.conclusion.formula,), text)
            for (label, text), p in zip(options, built, strict=True)
            if p is not None
        ),
    )
    program = Program(first.predicates, first.premises, (), question=question)
    checked = check_task(program)
    assert isinstance(checked, CheckedChoice)
    translation = per_option[0]
    translation = Translation(
        problem_to_dsl(checked.problem),
        translation.translator,
        translation.sentences,
        "",
        tuple(dict.fromkeys(w for t in per_option for w in t.warnings)),
    )
    return translation, checked.problem


def option_text(options: Sequence[tuple[str, str]], kind: QuestionKind) -> str:
    """The question and its options as the choice prompt shows them to an LLM."""
    test = kind.value.removesuffix(" except")
    if test == kind.value:
        ask = f"Which one of the following {test}?"
    else:
        ask = f"Each of the following {test} EXCEPT:"
    return "\n".join([ask, *(f"{label}) {text}" for label, text in options)])


async def reason_offline(
    premises: Sequence[str],
    conclusion: str,
    translator: str,
    *,
    llm_configured: bool,
    off_loop: Callable[[Callable[[], Translation]], Awaitable[Translation]],
    prove: Callable[[Problem], Awaitable[Result]],
) -> Reasoned | None:
    """The offline half of ``auto`` and ``rules``, for the service and the MCP tools.

    The verdict where the controlled-English translator reads every sentence; ``None``
    where the LLM should take over (``auto`` with an LLM configured, or ``llm`` asked);
    the translator's :class:`UntranslatableError` where nothing can. ``off_loop`` runs
    the translation away from the event loop (a long text takes a while); ``prove`` is
    the caller's prover (its pool, with the deadline kill and the memory cap) and may
    refuse the problem first (the service's premise count).
    """
    if translator == "llm":
        return None
    from logicsvc.translate.controlled import ControlledEnglishTranslator

    try:
        translation = await off_loop(
            lambda: ControlledEnglishTranslator().translate(premises, conclusion)
        )
    except UntranslatableError:
        if translator == "rules" or not llm_configured:
            raise
        return None
    assert translation.problem is not None
    return Reasoned(translation, await prove(translation.problem))


async def reason_with_llm(
    premises: Sequence[str],
    conclusion: str,
    *,
    chat: ChatBackend,
    translator: str = "llm",
    options: LoopOptions | None = None,
) -> Reasoned:
    """The LLM writes the program, refined until it runs; the vote decides.

    No executable program (or a tie) is an answer of its own: ``status`` error
    with the loop's outcome as code, never a guessed verdict.
    """
    from logicsvc.llm.loop import LoopOptions, solve

    loop = await solve(
        premises, conclusion, chat=chat, options=LoopOptions() if options is None else options
    )
    # used_premises index the program's premises: name them by the glosses the model wrote
    glosses: tuple[str, ...] = ()
    if loop.program:
        program = load_task(loop.program, lenient=True).problem
        glosses = tuple(s.gloss or to_dsl(s.formula) for s in program.premises)
    translation = Translation(
        loop.program or "", translator, glosses, conclusion.strip(), llm_calls=loop.llm_calls
    )
    result: Result | ChoiceResult | None = loop.result
    if loop.status == "tie" or result is None:
        why = {"tie": "the samples' verdicts tied", "all_failed": "no sample ran"}.get(
            loop.status, loop.status
        )
        error = {"code": f"llm_{loop.status}", "message": why}
        result = Result("error", error=error, backend=result.backend if result else "")
    return Reasoned(translation, result, loop=loop)

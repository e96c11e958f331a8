"""The whole pipeline for natural-language input: translate → parse → check → prove."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import provers
from logicsvc.checks import check_program
from logicsvc.load import load_problem
from logicsvc.syntax.ast import Program
from logicsvc.translate import Translation, Translator, get_translator
from provers import Backend, Limits, Result, World


@dataclass(frozen=True, slots=True)
class Reasoned:
    translation: Translation
    result: Result
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
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

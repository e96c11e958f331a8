"""The translator interface and sentence splitting shared by all translators."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from logicsvc.syntax.ast import ChoiceProblem, Problem

if TYPE_CHECKING:
    from logicsvc.syntax.ast import QuestionKind

# A sentence runs to a . ! or ? followed by white space (or to the end).
_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s|\Z)|\Z)", re.S)


@dataclass(frozen=True, slots=True)
class Translation:
    """A program and where it came from.

    ``sentences`` are the premise sentences in the order of the program's
    premises, so a premise index from a prover names a sentence.
    """

    program: str
    translator: str
    sentences: tuple[str, ...]
    conclusion: str
    warnings: tuple[str, ...] = ()
    llm_calls: int = 0
    problem: Problem | None = None
    """The AST the program prints from, when the translator built one itself:
    parsing ``program`` gives exactly this (tested), so it need not be re-parsed."""
    choice: ChoiceProblem | None = None
    """The same for a multiple-choice question (a translator that reads options)."""


class Translator(Protocol):
    """Text in, DSL program out."""

    name: str

    def translate(self, premises: Sequence[str], conclusion: str) -> Translation: ...


@runtime_checkable
class WholeQuestionReader(Protocol):
    """A translator that can read some multiple-choice questions whole (premises and options
    together, as an ordering puzzle must be), before falling back to one option at a time."""

    def translate_question(
        self, premises: Sequence[str], options: Sequence[tuple[str, str]], kind: QuestionKind
    ) -> Translation | None:
        """The question's translation (``choice`` set), or None when this reader does not
        recognise the question's shape; other failures raise as ``translate`` does."""


def sentences_with_offsets(text: str) -> list[tuple[str, int]]:
    """Each sentence (white space folded to single spaces) and where it starts in ``text``."""
    return [(" ".join(m.group().split()), m.start()) for m in _SENTENCE.finditer(text)]


def split_sentences(texts: Sequence[str]) -> list[str]:
    """Each text may hold several sentences; blank ones are dropped."""
    return [sentence for text in texts for sentence, _ in sentences_with_offsets(text)]


def get_translator(name: str) -> Translator:
    """The translator called ``name``; heavy ones are imported only when asked for."""
    if name == "rules":
        from logicsvc.translate.controlled import ControlledEnglishTranslator

        return ControlledEnglishTranslator()
    raise ValueError(f"unknown translator {name!r}; available: rules")

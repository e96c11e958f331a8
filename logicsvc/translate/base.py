"""The translator interface and sentence splitting shared by all translators."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from logicsvc.syntax.ast import Problem

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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


class Translator(Protocol):
    """Text in, DSL program out."""

    name: str

    def translate(self, premises: Sequence[str], conclusion: str) -> Translation: ...


def split_sentences(texts: Sequence[str]) -> list[str]:
    """Each text may hold several sentences; blank ones are dropped."""
    out: list[str] = []
    for text in texts:
        out.extend(s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip())
    return out


def get_translator(name: str) -> Translator:
    """The translator called ``name``; heavy ones are imported only when asked for."""
    if name == "rules":
        from logicsvc.translate.controlled import ControlledEnglishTranslator

        return ControlledEnglishTranslator()
    raise ValueError(f"unknown translator {name!r}; available: rules")

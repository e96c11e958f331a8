"""Premise numbers a person reads: 1-based, in what they sent.

A prover numbers the program's premises from 0; the controlled-English
translator makes one premise per sentence, splitting each sent text into
sentences in order.  So program premise ``i`` is sentence ``j`` of text ``k``,
and that is what a person is shown ("premise 2, sentence 1").  An LLM's program
has its own premises (glosses), for which no such mapping exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from logicsvc.translate.base import sentences_with_offsets


def sentence_refs(texts: Sequence[str], sentences: Sequence[str]) -> list[dict[str, Any]] | None:
    """For each program premise, ``{"premise", "sentence", "text"}`` (1-based), or None
    when the program's premises are not the texts' sentences in order."""
    refs = [
        {"premise": k + 1, "sentence": j + 1, "text": sentence}
        for k, text in enumerate(texts)
        for j, (sentence, _) in enumerate(sentences_with_offsets(text))
    ]
    if [r["text"] for r in refs] != list(sentences):
        return None
    return refs


def used_sources(
    texts: Sequence[str], sentences: Sequence[str], used: Sequence[int]
) -> list[dict[str, Any]] | None:
    """The sent sentences a proof used (``used`` is the prover's 0-based premises)."""
    refs = sentence_refs(texts, sentences)
    if refs is None:
        return None
    return [refs[i] for i in used if i < len(refs)]

"""A scripted fallacy classifier for ``tests/test_fallacy_jobs.py``.

It lives in an importable module of its own because the kill -9 test runs a job in a
subprocess (``python -c "from tests.fallacy_job_helpers import main; main()"``).
Labels come from keywords in the text, so every run, in any process, agrees.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from logicsvc.errors import LLMUnavailableError
from logicsvc.fallacies import NONE, Prediction

KEYWORDS = (
    ("idiot", "ad hominem"),
    ("everyone", "ad populum"),
    ("either", "false dilemma"),
    ("always", "faulty generalization"),
    ("because", "false causality"),
)


def label_for(text: str) -> str:
    lowered = text.lower()
    return next((label for word, label in KEYWORDS if word in lowered), NONE)


class ScriptedClassifier:
    """Deterministic labels from the text; optional delays, failures and an outage.

    ``fail_on``: a batch holding a text with this word raises ``ValueError``.
    ``unavailable_from``: the n-th call (0-based) and later raise ``LLMUnavailableError``.
    ``delay``: seconds to sleep per batch, given the batch's texts.
    """

    name = "scripted"

    def __init__(
        self,
        *,
        delay: Callable[[Sequence[str]], float] | None = None,
        fail_on: str | None = None,
        unavailable_from: int | None = None,
    ) -> None:
        self.delay = delay
        self.fail_on = fail_on
        self.unavailable_from = unavailable_from
        self.calls: list[list[str]] = []
        self.finished: list[list[str]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def classify(self, texts: Sequence[str]) -> list[Prediction]:
        call = len(self.calls)
        self.calls.append(list(texts))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay is not None:
                await asyncio.sleep(self.delay(texts))
            if self.unavailable_from is not None and call >= self.unavailable_from:
                raise LLMUnavailableError("connection refused: http://127.0.0.1:9/v1")
            if self.fail_on is not None and any(self.fail_on in text for text in texts):
                raise ValueError(f"cannot handle {self.fail_on!r}")
            self.finished.append(list(texts))
            return [
                Prediction(label_for(text), 0.75, f"scripted: {text[:24]}", extra={"n": len(text)})
                for text in texts
            ]
        finally:
            self.in_flight -= 1


def main() -> None:
    """``python -c ... SOURCE OUT``: a slow job for the kill -9 test."""
    from logicsvc.fallacies.jobs import run_job

    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    slow = ScriptedClassifier(delay=lambda texts: 0.05)
    asyncio.run(run_job(source, out, slow, batch_size=2, concurrency=2, progress=False))

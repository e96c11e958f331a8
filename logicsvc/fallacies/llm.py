"""The LLM classifier: class definitions in ``prompts/fallacies.md``, a JSON answer back."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence

from logicsvc.errors import LLMError, LLMUnavailableError
from logicsvc.fallacies import LABELS, NONE, Prediction
from logicsvc.llm import ChatBackend, ChatRequest
from logicsvc.llm.prompts import render

_JSON = re.compile(r"\{.*\}", re.S)


def parse_answer(reply: str) -> Prediction:
    """The model's JSON answer; anything unusable is a ``none`` with the reason said."""
    match = _JSON.search(reply)
    try:
        data = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return Prediction(NONE, 0.0, "the model gave no JSON answer", extra={"raw": reply[:500]})
    label = str(data.get("label", "")).strip().lower()
    if label not in (*LABELS, NONE):
        return Prediction(NONE, 0.0, f"the model answered an unknown label {label!r}")
    try:
        confidence = min(max(float(data.get("confidence", 0.5)), 0.0), 1.0)
    except (TypeError, ValueError):
        confidence = 0.5
    return Prediction(label, confidence, str(data.get("rationale", ""))[:500])


class LLMClassifier:
    name = "llm"

    def __init__(self, chat: ChatBackend) -> None:
        self.chat = chat

    async def classify(self, texts: Sequence[str]) -> list[Prediction]:
        """One request per text; one refused request fails that text alone (an unreachable
        server, ``LLMUnavailableError``, fails them all)."""

        async def one(text: str) -> Prediction:
            try:
                response = await self.chat.complete(
                    ChatRequest(render("fallacies", {"text": text}), max_tokens=300)
                )
            except LLMUnavailableError:
                raise
            except LLMError as exc:
                return Prediction.failed(exc.to_dict())
            return parse_answer(response.completions[0].text if response.completions else "")

        return list(await asyncio.gather(*(one(t) for t in texts)))

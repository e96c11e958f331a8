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


BAD_ANSWER = "llm_bad_answer"


def parse_answer(reply: str) -> Prediction:
    """The model's JSON answer. Anything unusable is a failed prediction (an ``error``
    line, no label): ``none`` would claim the text holds no fallacy, which nobody said."""
    match = _JSON.search(reply)
    try:
        data = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return _unusable("the model gave no JSON answer", reply)
    label = str(data.get("label", "")).strip().lower()
    if label not in (*LABELS, NONE):
        return _unusable(f"the model answered an unknown label {label!r}", reply)
    try:
        confidence = min(max(float(data.get("confidence", 0.5)), 0.0), 1.0)
    except (TypeError, ValueError):
        confidence = 0.5
    return Prediction(label, confidence, str(data.get("rationale", ""))[:500])


def _unusable(why: str, reply: str) -> Prediction:
    return Prediction.failed({"code": BAD_ANSWER, "message": why, "raw": reply[:500]})


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

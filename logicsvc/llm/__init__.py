"""The seam between logicsvc and any chat model: one request type, one method.

Everything that talks to a model (an OpenAI-compatible server, vLLM in process,
a scripted fake in tests) implements :class:`ChatBackend`; the refinement loop
and the translators only ever see this.  Heavy clients are imported lazily by
the modules that implement the seam.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True, slots=True)
class ChatRequest:
    messages: tuple[Message, ...]
    n: int = 1
    """Samples wanted (self-consistency)."""
    temperature: float = 0.0
    max_tokens: int = 2048
    grammar: str | None = None
    """A Lark grammar to constrain decoding with, where the backend supports it."""


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    finish_reason: str | None = None
    """``stop`` is a finished answer; ``length`` means it was cut off."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class ChatResponse:
    completions: tuple[Completion, ...]
    model: str = ""
    calls: int = 1
    """HTTP calls (or engine batches) it took, retries not counted."""
    extra: dict[str, object] = field(default_factory=dict)


class ChatBackend(Protocol):
    """Anything that can answer a chat request with ``n`` completions."""

    name: str

    async def complete(self, request: ChatRequest) -> ChatResponse: ...

"""In-memory fakes of the model seams (a chat backend, a batch engine) for tests and demos.

It records every request, so tests can assert on the exact messages the loop sent (the
error text a refinement round carries, the premises in the prompt), and it needs no model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from logicsvc.errors import LLMError
from logicsvc.llm import ChatBackend, ChatRequest, ChatResponse, Completion

Reply = str | Completion | Exception
"""A reply text (finish_reason ``stop``), a full completion, or an error to raise."""
Script = Sequence[Reply] | Callable[[ChatRequest], Sequence[Reply]]


class ScriptedChat(ChatBackend):
    """Replies from ``script``: a list consumed ``request.n`` replies per request, or a callable.

    Token counts are word counts, so accounting can be checked; a response's prompt tokens
    are put on its first completion only (usage is per request, not per sample).
    """

    name: str = "scripted"

    def __init__(self, script: Script, *, model: str = "scripted") -> None:
        self._script = script
        self._next = 0
        self.model = model
        self.requests: list[ChatRequest] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        replies = self._replies(request)
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        prompt_tokens = sum(len(m.content.split()) for m in request.messages)
        completions = []
        for index, reply in enumerate(replies):
            assert not isinstance(reply, Exception)
            if isinstance(reply, str):
                reply = Completion(
                    reply,
                    finish_reason="stop",
                    prompt_tokens=prompt_tokens if index == 0 else 0,
                    completion_tokens=len(reply.split()),
                )
            completions.append(reply)
        return ChatResponse(tuple(completions), model=self.model, calls=1)

    def _replies(self, request: ChatRequest) -> list[Reply]:
        if callable(self._script):
            return list(self._script(request))
        left = len(self._script) - self._next
        if left < request.n:
            raise LLMError(
                f"scripted chat has {left} replies left; request {self.calls} asked for {request.n}"
            )
        taken = list(self._script[self._next : self._next + request.n])
        self._next += request.n
        return taken


EngineReply = Callable[[ChatRequest], Sequence[str] | LLMError]
"""``request -> its n reply texts``, or the error that request is refused with."""


class ScriptedEngine:
    """The fake of :class:`logicsvc.llm.vllm_offline.Engine`: one batch in, one reply each.

    Records every batch it ran, so tests can assert on how requests were grouped; ``delay_s``
    holds each batch that long (an engine busy generating), ``fail`` makes every batch raise.
    """

    def __init__(
        self,
        reply: EngineReply,
        *,
        model: str = "scripted-engine",
        delay_s: float = 0.0,
        fail: Exception | None = None,
    ) -> None:
        self._reply = reply
        self.model = model
        self.delay_s = delay_s
        self.fail = fail
        self.batches: list[list[ChatRequest]] = []

    def run(self, batch: Sequence[ChatRequest]) -> list[tuple[Completion, ...] | LLMError]:
        self.batches.append(list(batch))
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail is not None:
            raise self.fail
        results: list[tuple[Completion, ...] | LLMError] = []
        for request in batch:
            reply = self._reply(request)
            if isinstance(reply, LLMError):
                results.append(reply)
                continue
            results.append(
                tuple(
                    Completion(text, finish_reason="stop", completion_tokens=len(text.split()))
                    for text in reply
                )
            )
        return results

"""An OpenAI-compatible server that answers with recorded LLM programs.

It lets the whole LLM path (client, retries, concurrency, the refinement loop)
run for real over HTTP without a model: a chat request whose last user message
contains a recorded problem's ``context`` gets that problem's recorded program
back.  The recordings are Logic-LM's JSON lists of
``{id, context, question, options, answer, raw_logic_programs: [program]}``.

Matching, on whitespace-normalised text (runs of white space become one space):

1. the items whose ``context`` occurs in the last user message;
2. if there are several (FOLIO asks several questions per context), those whose
   whole ``question`` also occurs, the first in load order winning (so the
   file listed first wins when two files record the same item);
3. failing that, the one item whose question's final statement (the text after
   its last ``?``) occurs; if that is not exactly one, the request is refused
   as ambiguous rather than answered with a possibly wrong program.

``latency_s`` is slept with :func:`asyncio.sleep`, so concurrent requests
overlap the way they do on a batching server; ``ReplayState.max_in_flight``
records how many did.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from logicsvc.llm.replay import RecordedItem, RecordNotFound, find_recorded, load_recorded

__all__ = [
    "RecordNotFound",
    "RecordedItem",
    "ReplayState",
    "create_replay_app",
    "find_recorded",
    "load_recorded",
    "replay_state",
    "run_app",
    "serve_in_thread",
    "serve_replay",
]


@dataclass(slots=True)
class ReplayState:
    """What the app serves and what it has seen; kept on ``app.state.replay``."""

    items: tuple[RecordedItem, ...]
    model: str
    owned_by: str
    latency_s: float
    requests: int = 0
    """Chat completion requests received."""
    in_flight: int = 0
    max_in_flight: int = 0
    """The most chat requests ever being answered at the same moment."""
    last_request: Any = None
    """The JSON body of the latest chat request, exactly as received."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # OpenAI content parts
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class _ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str | None = None
    messages: list[_Message]
    n: int = Field(default=1, ge=1, le=128)
    temperature: float | None = None
    max_tokens: int | None = None


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    return JSONResponse(body, status_code=status)


def _words(text: str) -> int:
    return len(text.split())


def create_replay_app(
    programs: Path | list[Path],
    *,
    latency_s: float = 0.0,
    model: str = "replay",
    owned_by: str = "logicsvc-replay",
) -> FastAPI:
    """An OpenAI-compatible app answering from the recorded programs in ``programs``.

    The files are read once, here.  ``owned_by`` is what ``/v1/models`` reports;
    pass ``"vllm"`` to impersonate vLLM (the backend then sends grammars).
    """
    state = ReplayState(
        items=load_recorded(programs), model=model, owned_by=owned_by, latency_s=latency_s
    )
    app = FastAPI(title="logicsvc replay server", docs_url=None, redoc_url=None)
    app.state.replay = state

    @app.get("/v1/models")
    async def list_models() -> dict[str, object]:
        card = {"id": model, "object": "model", "created": 0, "owned_by": owned_by}
        return {"object": "list", "data": [card]}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> JSONResponse:
        state.requests += 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            return await _answer(state, request)
        finally:
            state.in_flight -= 1

    return app


async def _answer(state: ReplayState, request: Request) -> JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "invalid_json", "the request body is not JSON")
    state.last_request = body
    try:
        chat = _ChatRequest.model_validate(body)
    except ValidationError as exc:
        return _error(400, "invalid_request", str(exc))
    users = [m for m in chat.messages if m.role == "user"]
    if not users:
        return _error(400, "no_user_message", "the request has no user message")
    try:
        item = find_recorded(state.items, users[-1].text())
    except RecordNotFound as exc:
        return _error(404, exc.code, exc.message)
    if state.latency_s > 0:
        await asyncio.sleep(state.latency_s)
    prompt_tokens = sum(_words(m.text()) for m in chat.messages)
    completion_tokens = _words(item.program) * chat.n
    choice_list = [
        {
            "index": i,
            "message": {"role": "assistant", "content": item.program},
            "finish_reason": "stop",
            "logprobs": None,
        }
        for i in range(chat.n)
    ]
    return JSONResponse(
        {
            "id": f"chatcmpl-replay-{state.requests}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": state.model,
            "choices": choice_list,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def replay_state(app: FastAPI) -> ReplayState:
    """The typed state of an app made by :func:`create_replay_app`."""
    state = app.state.replay
    assert isinstance(state, ReplayState)
    return state


def serve_replay(
    programs: Path | list[Path],
    host: str = "127.0.0.1",
    port: int = 8001,
    latency_s: float = 0.0,
    model: str = "replay",
) -> None:
    """Serve recorded programs until interrupted."""
    run_app(create_replay_app(programs, latency_s=latency_s, model=model), host, port)


def run_app(app: FastAPI, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve a built app (its recordings already read) until interrupted."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info")


@contextmanager
def serve_in_thread(app: FastAPI, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve any ASGI ``app`` on a free port in a background thread; yield its ``/v1`` URL.

    The socket is bound before the server starts, so there is no race for the
    port.  For tests and demos: one event loop in one daemon thread.
    """
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="serve_in_thread", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"server on {host}:{port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10.0)
        sock.close()

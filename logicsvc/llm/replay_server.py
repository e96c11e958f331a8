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
import json
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "RecordNotFound",
    "RecordedItem",
    "ReplayState",
    "create_replay_app",
    "find_recorded",
    "load_recorded",
    "replay_state",
    "serve_in_thread",
    "serve_replay",
]


def normalize(text: str) -> str:
    """Runs of white space as one space, trimmed: how prompts and records are compared."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class RecordedItem:
    """One recorded problem, its texts already normalised for matching."""

    id: str
    context: str
    question: str
    statement: str
    """The question's last sentence (after its last ``?``), or empty."""
    program: str
    source: str
    """The file it came from."""


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


class RecordNotFound(LookupError):
    """No recorded item, or no single one, answers a prompt; ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _program_files(programs: Path | Sequence[Path]) -> list[Path]:
    paths = [programs] if isinstance(programs, Path) else list(programs)
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return files


def load_recorded(programs: Path | Sequence[Path]) -> tuple[RecordedItem, ...]:
    """Every recorded item with a program, in file order (a folder means its ``*.json``)."""
    items: list[RecordedItem] = []
    for path in _program_files(programs):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON list of recorded items")
        for index, entry in enumerate(data):
            if not isinstance(entry, dict):
                raise ValueError(f"{path}: item {index} is not an object")
            raw = entry.get("raw_logic_programs") or []
            context = normalize(str(entry.get("context") or ""))
            if not raw or not isinstance(raw[0], str) or not context:
                continue  # nothing to answer with, or nothing to match on
            question = normalize(str(entry.get("question") or ""))
            statement = question.rsplit("?", 1)[1].strip() if "?" in question else ""
            items.append(
                RecordedItem(
                    id=str(entry.get("id", f"{path.name}#{index}")),
                    context=context,
                    question=question,
                    statement=statement,
                    program=raw[0],
                    source=path.name,
                )
            )
    if not items:
        raise ValueError(f"no recorded programs found in {programs}")
    return tuple(items)


def find_recorded(items: Sequence[RecordedItem], prompt: str) -> RecordedItem:
    """The recorded item a prompt asks about (see the module docstring for the rules)."""
    text = normalize(prompt)
    candidates = [item for item in items if item.context in text]
    if not candidates:
        raise RecordNotFound(
            "no_recorded_program", "no recorded context occurs in the last user message"
        )
    if len(candidates) == 1:
        return candidates[0]
    # Candidates share one context; a fact of it may read like another item's question
    # ("Anne is young."), so look for the question only after the context.
    context = candidates[0].context
    text = text[text.index(context) + len(context) :]
    by_question = [item for item in candidates if item.question and item.question in text]
    if by_question:
        return by_question[0]
    by_statement = [item for item in candidates if item.statement and item.statement in text]
    if by_statement:
        # "Yuri is an American basketball player." also occurs inside "If Yuri does not
        # wear large shoes, then Yuri is an American basketball player.": the longest wins
        longest = max(len(item.statement) for item in by_statement)
        by_statement = [item for item in by_statement if len(item.statement) == longest]
    if len({item.program for item in by_statement}) == 1:
        return by_statement[0]
    ids = ", ".join(item.id for item in candidates[:5])
    raise RecordNotFound(
        "ambiguous_recorded_program",
        f"the message matches {len(candidates)} recorded contexts ({ids}, ...) "
        "and no single recorded question",
    )


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
    """Serve recorded programs until interrupted (the ``replay-server`` command)."""
    import uvicorn

    app = create_replay_app(programs, latency_s=latency_s, model=model)
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

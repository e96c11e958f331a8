"""The real OpenAI-SDK backend against real servers on loopback (the replay server, small fakes)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from logicsvc.errors import ConfigurationError, LLMError, LLMUnavailableError
from logicsvc.llm import ChatRequest, Message
from logicsvc.llm.openai_compat import OpenAICompatBackend
from logicsvc.llm.replay_server import create_replay_app, replay_state, serve_in_thread
from logicsvc.resources import read_grammar
from logicsvc.settings import Settings, get_settings

LOGICLM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"
FOLIO_GPT4 = LOGICLM / "FOLIO_dev-A_gpt-4.json"

RECORDED = [
    {
        "id": "syn_0",
        "context": "Birds fly. Tweety is a bird.",
        "question": "Is the following statement true, false, or uncertain? Tweety flies.",
        "raw_logic_programs": ["Premises:\nFly(tweety)\nConclusion:\nFly(tweety)"],
    }
]
PROMPT = "Birds fly. Tweety is a bird.\nTweety flies."

ENV_VARS = (
    "LOGICSVC_LLM_BASE_URL",
    "OPENAI_BASE_URL",
    "LOGICSVC_LLM_API_KEY",
    "OPENAI_API_KEY",
    "LOGICSVC_LLM_MODEL",
    "LOGICSVC_LLM_CONCURRENCY",
    "LOGICSVC_LLM_TIMEOUT_S",
    "LOGICSVC_LLM_MAX_RETRIES",
    "LOGICSVC_LLM_GRAMMAR",
)

T = TypeVar("T")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No LLM variables and no .env from the machine running the tests."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "recorded.json"
    path.write_text(json.dumps(RECORDED), encoding="utf-8")
    return path


def settings(base_url: str, **overrides: Any) -> Settings:
    """Test settings: fail fast, never read the environment's model or key."""
    fields: dict[str, Any] = {
        "llm_base_url": base_url,
        "llm_api_key": "EMPTY",
        "llm_model": None,
        "llm_max_retries": 0,
        "llm_timeout_s": 5.0,
        "llm_grammar": "auto",
        **overrides,
    }
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


def with_backend(config: Settings, use: Callable[[OpenAICompatBackend], Awaitable[T]]) -> T:
    """Run ``use`` on a fresh backend in a fresh event loop (one backend per loop)."""

    async def main() -> T:
        async with OpenAICompatBackend(config) as backend:
            return await use(backend)

    return asyncio.run(main())


def ask(text: str, **fields: Any) -> ChatRequest:
    return ChatRequest(
        messages=(Message("system", "Write a program."), Message("user", text)), **fields
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- settings ---------------------------------------------------------------------------------


def test_base_url_env_precedence(clean_env: pytest.MonkeyPatch) -> None:
    assert get_settings().llm_base_url is None
    clean_env.setenv("OPENAI_BASE_URL", "http://openai.example/v1")
    assert get_settings().llm_base_url == "http://openai.example/v1"
    clean_env.setenv("LOGICSVC_LLM_BASE_URL", "http://logicsvc.example/v1")
    assert get_settings().llm_base_url == "http://logicsvc.example/v1"


def test_other_settings_from_env_and_dotenv(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    d = get_settings()
    assert (d.llm_api_key, d.llm_model, d.llm_grammar) == ("EMPTY", None, "auto")
    assert (d.llm_concurrency, d.llm_timeout_s, d.llm_max_retries) == (8, 60, 2)
    dotenv = "LOGICSVC_LLM_MODEL=from-dotenv\nOTHER_TOOL=x\n"
    (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    assert get_settings().llm_model == "from-dotenv"
    clean_env.setenv("LOGICSVC_LLM_MODEL", "from-env")
    clean_env.setenv("OPENAI_API_KEY", "sk-test")
    clean_env.setenv("LOGICSVC_LLM_CONCURRENCY", "3")
    got = get_settings()
    assert (got.llm_model, got.llm_api_key, got.llm_concurrency) == ("from-env", "sk-test", 3)
    clean_env.setenv("LOGICSVC_LLM_GRAMMAR", "sometimes")
    with pytest.raises(ConfigurationError, match="LOGICSVC_LLM_GRAMMAR"):
        get_settings()


def test_no_base_url_is_an_llm_error(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(LLMError, match="no LLM is configured"):
        OpenAICompatBackend(get_settings())


# --- against the replay server ------------------------------------------------------------------


def test_model_discovery_and_recorded_folio_program(tmp_path: Path) -> None:
    if not FOLIO_GPT4.is_file():
        pytest.skip(f"recorded programs not found at {FOLIO_GPT4}")
    item = json.loads(FOLIO_GPT4.read_text(encoding="utf-8"))[5]
    app = create_replay_app(FOLIO_GPT4, model="folio-gpt-4")
    prompt = f"Context:\n{item['context']}\n\nQuestion: {item['question']}"

    async def use(backend: OpenAICompatBackend) -> Any:
        model = await backend.model()
        return model, await backend.complete(ask(prompt)), await backend.complete(ask(prompt, n=3))

    with serve_in_thread(app) as url:
        model, one, three = with_backend(settings(url), use)
    program = item["raw_logic_programs"][0]
    assert model == "folio-gpt-4"
    assert replay_state(app).last_request["model"] == "folio-gpt-4"
    assert [c.text for c in one.completions] == [program]
    assert [c.text for c in three.completions] == [program] * 3
    assert {c.finish_reason for c in three.completions} == {"stop"}
    assert (three.model, three.calls) == ("folio-gpt-4", 1)
    usage = three.extra["usage"]
    assert isinstance(usage, dict)
    # Prompt tokens counted once per call, completion tokens shared over the choices.
    assert [c.prompt_tokens for c in three.completions] == [usage["prompt_tokens"], 0, 0]
    assert sum(c.completion_tokens for c in three.completions) == usage["completion_tokens"]
    assert usage["completion_tokens"] == 3 * len(program.split())


def test_configured_model_is_sent_as_is(recorded: Path) -> None:
    app = create_replay_app(recorded)
    with serve_in_thread(app) as url:
        response = with_backend(
            settings(url, llm_model="my-model"), lambda b: b.complete(ask(PROMPT))
        )
    assert replay_state(app).last_request["model"] == "my-model"
    assert response.completions[0].text == RECORDED[0]["raw_logic_programs"][0]


def test_unknown_context_is_an_llm_error_not_unavailable(recorded: Path) -> None:
    with serve_in_thread(create_replay_app(recorded)) as url, pytest.raises(LLMError) as caught:
        with_backend(settings(url), lambda b: b.complete(ask("Nothing recorded.")))
    assert not isinstance(caught.value, LLMUnavailableError)
    assert caught.value.code == "llm_error"
    assert "404" in caught.value.message
    assert "no_recorded_program" in caught.value.message


def test_server_down_is_unavailable_fast() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMUnavailableError) as caught:
        with_backend(settings(url, llm_model="m"), lambda b: b.complete(ask(PROMPT)))
    assert caught.value.code == "llm_unavailable"
    # Discovery goes through the same mapping.
    with pytest.raises(LLMUnavailableError):
        with_backend(settings(url), lambda b: b.model())


def test_timeout_is_unavailable(recorded: Path) -> None:
    app = create_replay_app(recorded, latency_s=1.0)
    with (
        serve_in_thread(app) as url,
        pytest.raises(LLMUnavailableError, match=r"did not (answer|finish)"),
    ):
        with_backend(
            settings(url, llm_model="replay", llm_timeout_s=0.2), lambda b: b.complete(ask(PROMPT))
        )


@pytest.mark.parametrize(("concurrency", "expected"), [(4, 4), (8, 8)])
def test_concurrency_cap_bounds_requests_in_flight(
    recorded: Path, concurrency: int, expected: int
) -> None:
    app = create_replay_app(recorded, latency_s=0.3)

    async def use(backend: OpenAICompatBackend) -> int:
        responses = await asyncio.gather(*(backend.complete(ask(PROMPT)) for _ in range(8)))
        return len(responses)

    with serve_in_thread(app) as url:
        done = with_backend(settings(url, llm_concurrency=concurrency), use)
    state = replay_state(app)
    assert (done, state.requests) == (8, 8)
    assert state.max_in_flight == expected


@pytest.mark.parametrize(
    ("mode", "owned_by", "sent"),
    [
        ("auto", "logicsvc-replay", False),
        ("auto", "vllm", True),
        ("on", "logicsvc-replay", True),
        ("off", "vllm", False),
    ],
)
def test_grammar_is_sent_only_when_enabled(
    recorded: Path, mode: str, owned_by: str, sent: bool
) -> None:
    grammar = read_grammar("fol")
    app = create_replay_app(recorded, owned_by=owned_by)

    async def use(backend: OpenAICompatBackend) -> tuple[bool, Any, Any]:
        with_grammar = await backend.complete(ask(PROMPT, grammar=grammar))
        body = replay_state(app).last_request
        await backend.complete(ask(PROMPT))  # no grammar asked for: never sent
        return bool(with_grammar.extra["grammar_sent"]), body, replay_state(app).last_request

    with serve_in_thread(app) as url:
        reported, body, plain = with_backend(settings(url, llm_grammar=mode), use)
    assert reported is sent
    assert ("structured_outputs" in body) is sent
    if sent:
        assert body["structured_outputs"] == {"grammar": grammar}
    assert "guided_grammar" not in body
    assert "structured_outputs" not in plain


def test_extra_body_goes_into_every_request_beside_the_grammar(recorded: Path) -> None:
    app = create_replay_app(recorded, owned_by="vllm")
    extra = {"top_k": 20, "chat_template_kwargs": {"enable_thinking": False}}

    async def use(backend: OpenAICompatBackend) -> tuple[Any, Any]:
        await backend.complete(ask(PROMPT, grammar="start: x"))
        with_grammar = replay_state(app).last_request
        await backend.complete(ask(PROMPT))
        return with_grammar, replay_state(app).last_request

    with serve_in_thread(app) as url:
        with_grammar, plain = with_backend(settings(url, llm_extra_body=extra), use)
    for body in (with_grammar, plain):
        assert body["top_k"] == 20 and body["chat_template_kwargs"] == {"enable_thinking": False}
    assert with_grammar["structured_outputs"] == {"grammar": "start: x"}
    assert "structured_outputs" not in plain


# --- against small fake servers -----------------------------------------------------------------


def fake_app(
    reply: dict[str, Any] | None = None, status: int = 200, models: bool = True
) -> FastAPI:
    """A server that answers every chat request with ``reply`` (or an error ``status``)."""
    app = FastAPI()
    if models:

        @app.get("/v1/models")
        async def list_models() -> dict[str, object]:
            card = {"id": "fake", "object": "model", "created": 0, "owned_by": "fake"}
            return {"object": "list", "data": [card]}

    @app.post("/v1/chat/completions")
    async def chat() -> JSONResponse:
        if status != 200:
            error = {"message": f"fake failure {status}", "type": "server_error", "code": None}
            return JSONResponse({"error": error}, status_code=status)
        return JSONResponse(reply)

    return app


def completion_body(choices: list[dict[str, Any]], usage: dict[str, int] | None) -> dict[str, Any]:
    return {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": choices,
        "usage": usage,
    }


def choice(index: int, content: str | None, finish: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {"index": index, "message": message, "finish_reason": finish}


def test_length_is_kept_and_tokens_are_split() -> None:
    usage = {"prompt_tokens": 10, "completion_tokens": 7, "total_tokens": 17}
    body = completion_body(
        [choice(2, "c", "stop"), choice(0, "a", "length"), choice(1, None, "stop")], usage
    )
    with serve_in_thread(fake_app(body)) as url:
        response = with_backend(settings(url), lambda b: b.complete(ask("hi", n=3)))
    got = [(c.text, c.finish_reason) for c in response.completions]
    assert got == [("a", "length"), ("", "stop"), ("c", "stop")]
    assert [c.prompt_tokens for c in response.completions] == [10, 0, 0]
    assert [c.completion_tokens for c in response.completions] == [3, 2, 2]


def test_no_choices_is_an_llm_error() -> None:
    with (
        serve_in_thread(fake_app(completion_body([], None))) as url,
        pytest.raises(LLMError, match="no choices"),
    ):
        with_backend(settings(url), lambda b: b.complete(ask("hi")))


@pytest.mark.parametrize(("status", "unavailable"), [(400, False), (500, False), (503, True)])
def test_http_errors_name_the_status(status: int, unavailable: bool) -> None:
    with serve_in_thread(fake_app(status=status)) as url, pytest.raises(LLMError) as caught:
        with_backend(settings(url), lambda b: b.complete(ask("hi")))
    assert isinstance(caught.value, LLMUnavailableError) is unavailable
    assert f"HTTP {status}" in caught.value.message
    assert f"fake failure {status}" in caught.value.message


def test_server_without_model_listing() -> None:
    body = completion_body([choice(0, "ok", "stop")], None)
    with serve_in_thread(fake_app(body, models=False)) as url:
        with pytest.raises(LLMError, match="lists no models"):
            with_backend(settings(url), lambda b: b.complete(ask("hi")))
        # With a configured model, auto grammar detection just finds no vLLM.
        response = with_backend(
            settings(url, llm_model="fake"), lambda b: b.complete(ask("hi", grammar="start: x"))
        )
    assert response.extra["grammar_sent"] is False
    assert [(c.text, c.prompt_tokens, c.completion_tokens) for c in response.completions] == [
        ("ok", 0, 0)
    ]


def raw_app(body: bytes, media_type: str, models_status: int = 200) -> FastAPI:
    """A server whose chat answer is ``body`` as it is, status 200."""
    from fastapi.responses import Response

    app = FastAPI()

    @app.get("/v1/models")
    async def list_models() -> JSONResponse:
        if models_status != 200:
            error = {"message": "Incorrect API key provided", "code": "invalid_api_key"}
            return JSONResponse({"error": error}, status_code=models_status)
        card = {"id": "fake", "object": "model", "created": 0, "owned_by": "fake"}
        return JSONResponse({"object": "list", "data": [card]})

    @app.post("/v1/chat/completions")
    async def chat() -> Response:
        return Response(body, media_type=media_type)

    return app


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
        (b"{not json", "application/json"),
        (
            json.dumps(completion_body([{"index": 0, "message": None}], None)).encode(),
            "application/json",
        ),
    ],
    ids=["html", "broken-json", "null-message"],
)
def test_a_reply_that_is_not_a_completion_is_an_llm_error(body: bytes, media_type: str) -> None:
    """Not a crash of the caller: the loop records an LLMError on the attempt."""
    with serve_in_thread(raw_app(body, media_type)) as url, pytest.raises(LLMError) as caught:
        with_backend(settings(url), lambda b: b.complete(ask("hi")))
    assert not isinstance(caught.value, LLMUnavailableError)
    assert "not a chat completion" in caught.value.message


def test_an_error_body_with_status_200_is_named() -> None:
    body = json.dumps({"error": {"message": "the engine is warming up"}}).encode()
    with (
        serve_in_thread(raw_app(body, "application/json")) as url,
        pytest.raises(LLMError, match="no choices: the engine is warming up"),
    ):
        with_backend(settings(url), lambda b: b.complete(ask("hi")))


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_stops_a_run(status: int) -> None:
    """Every request would be refused alike: unavailable, naming the key, not 'no models'."""
    app = raw_app(b"{}", "application/json", models_status=status)
    with serve_in_thread(app) as url, pytest.raises(LLMUnavailableError, match="API key") as caught:
        with_backend(settings(url), lambda b: b.complete(ask("hi")))
    assert f"HTTP {status}" in caught.value.message


def test_an_unknown_model_stops_a_run() -> None:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat() -> JSONResponse:  # what vLLM answers for a model it does not serve
        error = {"message": "The model `gpt-x` does not exist.", "type": "NotFoundError"}
        return JSONResponse({"error": {**error, "code": 404}}, status_code=404)

    with (
        serve_in_thread(app) as url,
        pytest.raises(LLMUnavailableError, match="LOGICSVC_LLM_MODEL"),
    ):
        with_backend(settings(url, llm_model="gpt-x"), lambda b: b.complete(ask("hi")))

"""An LLM server that misbehaves (issue 17, items 6, 7, 9, 10): huge or trickled replies,
a wrong base URL, rate limits, hangs, and requests that would cost thousands of calls.

Real HTTP on loopback throughout: small FastAPI fakes served by ``serve_in_thread``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.testclient import TestClient

from logicsvc.errors import LLMError, LLMUnavailableError
from logicsvc.llm.replay_server import serve_in_thread
from logicsvc.service.app import create_app
from tests.test_openai_compat import ask, choice, completion_body, free_port, settings, with_backend

PROGRAM = "Premises:\nP(a)\nConclusion:\nP(a)\n"
PROBLEM = {"premises": ["Zorbs glimmer."], "conclusion": "Zorbs glimmer.", "translator": "llm"}


def fake(
    reply: bytes | None = None,
    *,
    status: int = 200,
    stream_delay_s: float | None = None,
    chunk: int = 1,
    hang: bool = False,
    seen: list[dict[str, Any]] | None = None,
) -> FastAPI:
    """A chat server: ``reply`` as it is (streamed ``chunk`` bytes at a time every
    ``stream_delay_s``, with no Content-Length), an error ``status``, or no answer at all
    (``hang``)."""
    app = FastAPI()
    body = reply or json.dumps(completion_body([choice(0, PROGRAM, "stop")], None)).encode()

    @app.get("/v1/models")
    async def models() -> dict[str, object]:
        return {"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "x"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        if seen is not None:
            seen.append(await request.json())
        if hang:
            await asyncio.sleep(30)
        if status != 200:
            error = {"message": f"fake failure {status}", "type": "x", "code": None}
            return JSONResponse({"error": error}, status_code=status)
        if stream_delay_s is None:
            return Response(body, media_type="application/json")
        delay = stream_delay_s

        async def trickle() -> AsyncIterator[bytes]:
            for start in range(0, len(body), chunk):
                yield body[start : start + chunk]
                await asyncio.sleep(delay)

        return StreamingResponse(trickle(), media_type="application/json")

    return app


def huge_reply(size: int) -> bytes:
    return json.dumps(completion_body([choice(0, "x" * size, "stop")], None)).encode()


# --- the client ----------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_a_huge_reply_is_dropped_not_read(streamed: bool) -> None:
    """Item 6: past LOGICSVC_LLM_MAX_REPLY_BYTES the reply is an LLMError, not memory."""
    app = fake(huge_reply(200_000), stream_delay_s=0.0 if streamed else None, chunk=8192)
    config = settings("", llm_model="fake", llm_max_reply_bytes=50_000)
    with serve_in_thread(app) as url, pytest.raises(LLMError) as caught:
        config.llm_base_url = url
        with_backend(config, lambda b: b.complete(ask("hi")))
    assert not isinstance(caught.value, LLMUnavailableError)
    assert "LOGICSVC_LLM_MAX_REPLY_BYTES" in caught.value.message


def test_max_tokens_is_capped() -> None:
    """Item 6: a request for a million tokens asks the server for the cap at most."""
    seen: list[dict[str, Any]] = []
    with serve_in_thread(fake(seen=seen)) as url:
        config = settings(url, llm_model="fake", llm_max_tokens=1024)
        with_backend(config, lambda b: b.complete(ask("hi", max_tokens=1_000_000)))
    assert seen[0]["max_tokens"] == 1024


def test_a_trickling_server_is_bounded_in_total() -> None:
    """Item 10: a byte every 20 ms never trips a per-read timeout; the call's total does."""
    with serve_in_thread(fake(stream_delay_s=0.02)) as url:  # ~200 bytes: ~4 s in all
        config = settings(url, llm_model="fake", llm_timeout_s=0.5)
        with pytest.raises(LLMUnavailableError, match="LOGICSVC_LLM_TIMEOUT_S"):
            with_backend(config, lambda b: b.complete(ask("hi")))


def test_a_base_url_without_v1_stops_a_run() -> None:
    """Item 9: the endpoint itself is missing (404 from the web server, not the API):
    every request would fail alike, so it is 'unavailable' and /readyz says so."""
    with serve_in_thread(fake()) as url:
        wrong = url.removesuffix("/v1")
        with pytest.raises(LLMUnavailableError, match="/v1"):
            with_backend(settings(wrong, llm_model="fake"), lambda b: b.complete(ask("hi")))
        with pytest.raises(LLMUnavailableError):
            with_backend(settings(wrong), lambda b: b.ping())
        with_backend(settings(url), lambda b: b.ping())  # the right URL is reachable


# --- the service ---------------------------------------------------------------------------


def service(url: str, **fields: Any) -> TestClient:
    config = settings(url, llm_model="fake", prover_workers=1, **fields)
    return TestClient(create_app(config))


@pytest.fixture(scope="module")
def dead_llm_service() -> Iterator[TestClient]:
    with service(f"http://127.0.0.1:{free_port()}/v1") as client:
        yield client


@pytest.mark.parametrize(
    "body",
    [
        {**PROBLEM, "samples": 16},
        {**PROBLEM, "rounds": 10},
        {"problems": [{**PROBLEM, "samples": 2, "rounds": 3}] * 64},
    ],
    ids=["samples", "rounds", "batch-total"],
)
def test_llm_work_per_request_is_capped(dead_llm_service: TestClient, body: dict[str, Any]) -> None:
    """Item 6: refused before any call (the LLM here is down: a call would be a 503)."""
    path = "/v1/reason/batch" if "problems" in body else "/v1/reason"
    response = dead_llm_service.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_llm_calls"


def test_a_hanging_llm_is_a_503_within_the_deadline() -> None:
    """Item 7: attempts x LOGICSVC_LLM_TIMEOUT_S exceed the request's deadline; the answer
    is still 503 with Retry-After before it, not the gate's bare 504."""
    with serve_in_thread(fake(hang=True)) as url, service(url, request_timeout_s=2.0) as client:
        response = client.post("/v1/reason", json=PROBLEM)
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["error"]["code"] == "llm_unavailable"


def test_a_rate_limited_llm_is_a_503_with_retry_after() -> None:
    """Item 7: the server's 429 is 'try later' (503 + Retry-After), not a failure (502)."""
    with serve_in_thread(fake(status=429)) as url, service(url) as client:
        response = client.post("/v1/reason", json=PROBLEM)
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["error"]["code"] == "llm_busy"

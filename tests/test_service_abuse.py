"""The service under abuse (issue 17, items 1-5 and 8): what an attacker or a sloppy
client sends must cost little, must not lock others out, and gets the one error shape.

The gate is driven directly over ASGI where a test needs a client that never finishes
sending; the rest goes through the whole app (``TestClient``, prover workers included).
"""

from __future__ import annotations

import asyncio
import json
import logging
import logging.config
import secrets
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import generate_latest

from logicsvc.service import routes, textjobs
from logicsvc.service.app import create_app
from logicsvc.service.metrics import Metrics
from logicsvc.service.middleware import Gate
from logicsvc.service.workers import ProverPool
from logicsvc.settings import Settings
from tests.test_service import SOCRATES, serve

KEY = "test-key"
ORIGIN = "http://ui.example"
FLOOD = "Premises:\n" + "P1(x), Q1(x) -> R1(x)\n" * 27_000 + "Conclusion:\nR1(a)\n"


def settings(**fields: Any) -> Settings:
    return Settings(_env_file=None, prover_workers=1, **fields)  # type: ignore[call-arg]


# --- the gate, over raw ASGI -------------------------------------------------------------


class Inner:
    """The app behind the gate: reads the body, answers 200; ``/readyz`` waits for ``open``."""

    def __init__(self) -> None:
        self.open = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        if scope["path"] == "/readyz":
            await self.open.wait()
        status = 404 if scope["path"] not in ("/v1/prove", "/readyz") else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


async def call(gate: Gate, path: str, body: bytes | None = b"{}", **headers: str) -> int:
    """One request through ``gate``; its status. ``body=None``: a client that sends one
    byte and then nothing."""
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    scope = {"type": "http", "method": "POST", "path": path, "headers": raw}
    stalled = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if body is None:
            if not stalled.is_set():
                stalled.set()
                return {"type": "http.request", "body": b"{", "more_body": True}
            await asyncio.Event().wait()  # never more
        return {"type": "http.request", "body": body, "more_body": False}

    status = {"code": 0}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status["code"] = message["status"]

    await gate(scope, receive, send)
    return status["code"]


def test_metrics_label_routes_not_raw_paths() -> None:
    """Item 1: 200 random paths (all 401) add one label, not 200."""
    metrics = Metrics.create()
    config = settings(api_keys=KEY)
    gate = Gate(Inner(), config, metrics, routes=frozenset({"/v1/prove"}))

    async def main() -> None:
        for _ in range(200):
            assert await call(gate, f"/v1/{secrets.token_hex(8)}") == 401
        assert await call(gate, "/v1/prove", authorization=f"Bearer {KEY}") == 200

    asyncio.run(main())
    text = generate_latest(metrics.registry).decode()
    routes_seen = {
        line.split('route="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("logicsvc_request_seconds_count")
    }
    assert routes_seen == {"unmatched", "/v1/prove"}


def test_slow_senders_hold_no_slot() -> None:
    """Item 3: a client trickling its body does not take the only slot; it gets 408."""
    gate = Gate(Inner(), settings(max_in_flight=1, body_timeout_s=0.5), Metrics.create())

    async def main() -> tuple[int, int]:
        slow = asyncio.create_task(call(gate, "/v1/prove", body=None))
        await asyncio.sleep(0.1)  # the slow client is connected and stalled
        fast = await call(gate, "/v1/prove")
        return fast, await slow

    fast, slow = asyncio.run(main())
    assert fast == 200
    assert slow == 408


def test_health_probes_take_no_slot() -> None:
    """Item 4: a probe in progress does not make the next real request a 429."""
    inner = Inner()
    gate = Gate(inner, settings(max_in_flight=1), Metrics.create())

    async def main() -> tuple[int, int]:
        probe = asyncio.create_task(call(gate, "/readyz"))
        await asyncio.sleep(0.05)
        work = await call(gate, "/v1/prove")
        inner.open.set()
        return work, await probe

    assert asyncio.run(main()) == (200, 200)


def test_readiness_checks_the_llm_at_most_once_per_period() -> None:
    """Item 4: 50 probes cost one call to the LLM server, not 50."""

    class CountingLLM:
        calls = 0

        async def ping(self) -> None:
            CountingLLM.calls += 1
            await asyncio.sleep(0.01)

    svc = routes.Service(settings(), None, Metrics.create(), CountingLLM())  # type: ignore[arg-type]

    async def main() -> list[str]:
        return list(await asyncio.gather(*(svc.llm_state() for _ in range(50))))

    assert set(asyncio.run(main())) == {"reachable"}
    assert CountingLLM.calls == 1


def test_a_non_ascii_request_id_is_replaced_not_mangled() -> None:
    """Item 8: a header cannot carry 'café' intact; a fresh id is echoed instead."""
    echoed: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    gate = Gate(app, settings(), Metrics.create())

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            echoed.extend(v for k, v in message["headers"] if k == b"x-request-id")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    for given in ("café".encode(), b"ok-id.1"):
        scope = {"type": "http", "method": "GET", "path": "/healthz",
                 "headers": [(b"x-request-id", given)]}  # fmt: skip
        asyncio.run(gate(scope, receive, send))
    fresh, kept = echoed
    assert kept == b"ok-id.1"
    assert len(fresh) == 32 and all(c in b"0123456789abcdef" for c in fresh)


# --- the whole app -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed() -> Iterator[TestClient]:
    with TestClient(create_app(settings(api_keys=KEY, cors_origins=ORIGIN))) as client:
        yield client


def test_cors_preflight_and_gate_errors_carry_cors_headers(keyed: TestClient) -> None:
    """Item 5: a browser's preflight has no key; the gate's own 401 must be readable."""
    preflight = keyed.options(
        "/v1/prove",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    refused = keyed.post("/v1/prove", json={"program": SOCRATES}, headers={"Origin": ORIGIN})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in refused.headers["access-control-expose-headers"].lower()


@pytest.fixture(scope="module")
def open_app() -> Iterator[TestClient]:
    with TestClient(create_app(settings())) as client:
        yield client


def test_a_premise_flood_is_refused_before_parsing(
    open_app: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 2: 27,000 premise lines under 1 MB are counted, not parsed (14 s, 356 MB)."""

    async def never(*_: object, **__: object) -> None:
        raise AssertionError("the flood reached the parser (a prover worker)")

    monkeypatch.setattr(ProverPool, "prove_text", never)
    assert len(FLOOD.encode()) < 1_000_000
    response = open_app.post("/v1/prove", json={"program": FLOOD})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_premises"
    # one long line is not a way around it: the program's size is bounded too
    long_line = "Premises:\n" + "P(a) ∧ " * 20_000 + "P(a)\nConclusion:\nP(a)\n"
    response = open_app.post("/v1/prove", json={"program": long_line})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "text_too_long"


def test_parsing_runs_in_the_prover_workers(
    open_app: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Items 2 and issue 18: /v1/prove's text is parsed in a prover worker (a process that
    can be killed), not on the server's threads, whose GIL the event loop needs; a parse
    error still comes back as the same 422 with its span."""
    sent: list[object] = []
    real = ProverPool.prove_text

    async def recording(pool: ProverPool, text: Any, limits: Any) -> Any:
        sent.append(text)
        return await real(pool, text, limits)

    def never(*_: object, **__: object) -> None:
        raise AssertionError("parsed in the server process")

    monkeypatch.setattr(ProverPool, "prove_text", recording)
    monkeypatch.setattr(textjobs, "load_in_syntax", never)
    monkeypatch.setattr(textjobs, "load_formulas_in_syntax", never)
    assert open_app.post("/v1/prove", json={"program": SOCRATES}).json()["verdict"] == "true"
    formulas = {"premises": ["∀x (Man(x) → Mortal(x))", "Man(socrates)"],
                "conclusion": "Mortal(socrates)"}  # fmt: skip
    assert open_app.post("/v1/prove", json=formulas).json()["verdict"] == "true"
    assert [type(t).__name__ for t in sent] == ["ProveText", "ProveText"]  # text, not ASTs
    repaired = open_app.post("/v1/prove", json={**formulas, "conclusion": "Mortal(socrates))"})
    assert repaired.json()["warnings"] == ["conclusion: removed 1 unmatched trailing ')'"]
    broken = open_app.post("/v1/prove", json={**formulas, "conclusion": "Mortal(socrates) ∧"})
    assert broken.status_code == 422
    error = broken.json()["error"]
    assert error["code"] == "syntax_error" and error["message"].startswith("conclusion: ")
    assert error["span"] == {"line": 1, "column": 19, "end_line": 1, "end_column": 20}


def test_protocol_and_schema_details(open_app: TestClient) -> None:
    """Item 8: HEAD on probes, /metrics documented as text, and the documented examples
    and whole-number floats accepted."""
    assert open_app.head("/healthz").status_code == 200
    assert open_app.head("/readyz").status_code == 200
    schema = open_app.get("/openapi.json").json()
    content = schema["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert "application/json" not in content and any(t.startswith("text/plain") for t in content)
    examples = schema["components"]["schemas"]["ProveRequest"]["examples"]
    assert len(examples) == 2
    for example in examples:
        assert open_app.post("/v1/prove", json=example).json()["verdict"] == "true"
    body = {"premises": ["All men are mortal.", "Socrates is a man."],
            "conclusion": "Socrates is mortal.", "rounds": 0.0, "samples": 1.0}  # fmt: skip
    assert open_app.post("/v1/reason", json=body).json()["verdict"] == "true"
    for bad in ({"rounds": 0.5}, {"rounds": False}):
        refused = open_app.post("/v1/reason", json={**body, **bad})
        assert refused.status_code == 422


def test_logs_are_json_lines_uvicorns_too(capsys: pytest.CaptureFixture[str]) -> None:
    """Item 8: every logger, uvicorn's included, writes JSON with timestamp and level."""
    from logicsvc.service.logs import logging_config

    before = logging.getLogger().handlers[:]
    try:
        logging.config.dictConfig(logging_config())
        logging.getLogger("uvicorn.error").info("Started server process [1]")
        logging.getLogger("logicsvc.service").info("request", extra={"status": 200})
    finally:
        logging.getLogger().handlers[:] = before
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).handlers.clear()
            logging.getLogger(name).propagate = True
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(r["logger"], r["level"], r["message"]) for r in lines] == [
        ("uvicorn.error", "INFO", "Started server process [1]"),
        ("logicsvc.service", "INFO", "request"),
    ]
    assert all(r["timestamp"][:2] == "20" for r in lines) and lines[1]["status"] == 200


def test_malformed_http_gets_the_json_error_shape() -> None:
    """Item 8: uvicorn's own 400 (before the app) in the service's error shape, and the
    served process logs JSON lines."""
    with serve("serve") as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GARBAGE \x00 nonsense\r\n\r\n")
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400")
        assert json.loads(body)["error"]["code"] == "invalid_http"
        assert httpx.get(f"{url}/healthz").status_code == 200

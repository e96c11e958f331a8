"""The gate every request passes: id, auth, capacity, body size, deadline, log, metrics.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so that the body limit can
count bytes as they stream in and the deadline covers the whole request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from logicsvc.service.metrics import Metrics
from logicsvc.service.pages import is_public
from logicsvc.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("logicsvc.service")
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
"""Probes answer without a key: orchestrators call them unauthenticated."""
RETRY_AFTER_S = 1


def _open(path: str) -> bool:
    """Probes, and the pages a browser loads before it can send a key (docs, playground)."""
    return path in OPEN_PATHS or is_public(path)


class _TooLarge(Exception):
    pass


@dataclass
class _BodyLimit:
    """Counts a request's body bytes as they stream in; past ``limit`` reading fails."""

    limit: int
    seen: int = 0
    tripped: bool = False
    answered: bool = False

    def counting(self, receive: Receive) -> Receive:
        async def counted() -> Message:
            message = await receive()
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.tripped = True
                raise _TooLarge
            return message

        return counted


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class Gate:
    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.keys = tuple(k.encode() for k in settings.api_key_list)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        status = {"code": 0}  # 0 until the response starts

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        path = scope.get("path", "")
        try:
            await self._guarded(scope, receive, send_tagged, headers, path, status)
        finally:
            status["code"] = status["code"] or 500
            elapsed = time.perf_counter() - started
            route = path if path in OPEN_PATHS or path.startswith("/v1/") else "other"
            self.metrics.requests.labels(route, str(status["code"])).observe(elapsed)
            log.info(
                json.dumps(
                    {
                        "event": "request",
                        "request_id": request_id,
                        "method": scope.get("method"),
                        "path": path,
                        "status": status["code"],
                        "ms": round(elapsed * 1000, 2),
                    }
                )
            )

    async def _guarded(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[str, str],
        path: str,
        status: dict[str, int],
    ) -> None:
        if self.keys and not _open(path) and not self._authorised(headers):
            self.metrics.rejected.labels("unauthorised").inc()
            await send_error(
                send,
                401,
                "unauthorized",
                "send 'Authorization: Bearer <api key>'",
                {"WWW-Authenticate": "Bearer"},
            )
            return
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.settings.max_body_bytes:
            self.metrics.rejected.labels("too_large").inc()
            await self._too_large(send)
            return
        if path not in OPEN_PATHS and self.in_flight >= self.settings.max_in_flight:
            self.metrics.rejected.labels("busy").inc()
            await send_error(
                send,
                429,
                "too_many_requests",
                f"the server is answering {self.in_flight} requests; retry shortly",
                {"Retry-After": str(RETRY_AFTER_S)},
            )
            return
        self.in_flight += 1
        # handlers that split their work (a batch) read it to answer before the gate must
        deadline = asyncio.get_running_loop().time() + self.settings.request_timeout_s
        scope.setdefault("state", {})["deadline"] = deadline
        limit = _BodyLimit(self.settings.max_body_bytes)

        async def send_or_413(message: Message) -> None:
            # FastAPI answers any failure while reading the body with its own 400, so a
            # chunked body over the limit (no Content-Length to refuse it up front) would
            # get a 400: the app's answer is replaced by the 413
            if not limit.tripped:
                await send(message)
            elif message["type"] == "http.response.start" and not limit.answered:
                limit.answered = True
                self.metrics.rejected.labels("too_large").inc()
                await self._too_large(send)

        try:
            async with asyncio.timeout_at(deadline):
                await self.app(scope, limit.counting(receive), send_or_413)
        except _TooLarge:
            if not limit.answered and not status["code"]:  # a started response stays
                limit.answered = True
                self.metrics.rejected.labels("too_large").inc()
                await self._too_large(send)
        except TimeoutError:
            self.metrics.rejected.labels("deadline").inc()
            if status["code"]:
                return  # the response already started: the connection just ends
            await send_error(
                send,
                504,
                "deadline_exceeded",
                f"the request took longer than {self.settings.request_timeout_s:g} s",
            )
        finally:
            self.in_flight -= 1

    def _authorised(self, headers: dict[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        given = token.strip().encode()
        return scheme.lower() == "bearer" and any(
            secrets.compare_digest(given, key) for key in self.keys
        )

    async def _too_large(self, send: Send) -> None:
        await send_error(
            send,
            413,
            "payload_too_large",
            f"the request body is larger than {self.settings.max_body_bytes} bytes",
        )

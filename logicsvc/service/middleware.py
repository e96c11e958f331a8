"""The gate every request passes: id, auth, body size, capacity, deadline, log, metrics.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so that the body limit can
count bytes as they stream in and the deadline covers the whole request. The body
is read whole (bounded in size and time) *before* the request takes one of the
``max_in_flight`` slots, so slow senders cannot lock everyone out; health probes
take no slot at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
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


def _open(path: str) -> bool:
    """Probes, and the pages a browser loads before it can send a key (docs, playground)."""
    return path in OPEN_PATHS or is_public(path)


"""Probes answer without a key: orchestrators call them unauthenticated."""
RETRY_AFTER_S = 1


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
"""A request id we echo: visible ASCII only (a header cannot carry other text intact)."""
UNMATCHED_ROUTE = "unmatched"
"""The one metrics label of every path no route serves (a label per path would grow
without bound: 20,000 random paths made /metrics 49 MB)."""


class _SlowBody(Exception):
    pass


class _Disconnected(Exception):
    pass


async def read_body(receive: Receive, limit: int, timeout_s: float) -> list[Message] | None:
    """The request's body messages, read whole before the request takes a slot; None
    when it is larger than ``limit``. A client that does not send it within
    ``timeout_s`` raises ``_SlowBody``: a socket trickling a byte at a time must not
    hold a slot that another request could use."""
    messages: list[Message] = []
    seen = 0
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _Disconnected
                messages.append(message)
                seen += len(message.get("body", b""))
                if seen > limit:
                    return None
                if not message.get("more_body", False):
                    return messages
    except TimeoutError:
        raise _SlowBody from None


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
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        metrics: Metrics,
        routes: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.routes = routes | OPEN_PATHS
        """The paths the app serves: each is a metrics label, every other path one label."""
        self.keys = tuple(k.encode() for k in settings.api_key_list)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given_id = headers.get("x-request-id", "")
        request_id = given_id if _REQUEST_ID.fullmatch(given_id) else uuid.uuid4().hex
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
            route = path if path in self.routes else UNMATCHED_ROUTE
            self.metrics.requests.labels(route, str(status["code"])).observe(elapsed)
            fields: dict[str, object] = {
                "event": "request",
                "request_id": request_id,
                "method": scope.get("method"),
                "path": path[:200],
                "status": status["code"],
                "ms": round(elapsed * 1000, 2),
            }
            if given_id and given_id != request_id:
                fields["client_request_id"] = given_id[:200]
            if log.isEnabledFor(logging.INFO):
                # the record made here: ``log.info`` would walk the stack for a caller's
                # file and line, which no field of ours shows (~3 % of the server's CPU)
                record = log.makeRecord(
                    log.name, logging.INFO, __file__, 0, "request", (), None, extra=fields
                )
                log.handle(record)

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
        # the body is read before the request takes a slot, within a read timeout
        try:
            body = await read_body(
                receive, self.settings.max_body_bytes, self.settings.body_timeout_s
            )
        except _Disconnected:
            return
        except _SlowBody:
            self.metrics.rejected.labels("slow_body").inc()
            await send_error(
                send,
                408,
                "request_timeout",
                f"the request body did not arrive within {self.settings.body_timeout_s:g} s",
                {"Connection": "close"},
            )
            return
        if body is None:
            self.metrics.rejected.labels("too_large").inc()
            await self._too_large(send)
            return
        probe = path in OPEN_PATHS  # health probes never count against the capacity
        if not probe and self.in_flight >= self.settings.max_in_flight:
            self.metrics.rejected.labels("busy").inc()
            await send_error(
                send,
                429,
                "too_many_requests",
                f"the server is answering {self.in_flight} requests; retry shortly",
                {"Retry-After": str(RETRY_AFTER_S)},
            )
            return
        self.in_flight += not probe
        # handlers that split their work (a batch) read it to answer before the gate must
        deadline = asyncio.get_running_loop().time() + self.settings.request_timeout_s
        scope.setdefault("state", {})["deadline"] = deadline
        pending = deque(body)

        async def replay() -> Message:
            return pending.popleft() if pending else await receive()

        try:
            async with asyncio.timeout_at(deadline):
                await self.app(scope, replay, send)
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
            self.in_flight -= not probe

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

"""uvicorn's HTTP/1.1 protocols with the service's error shape on malformed requests.

uvicorn answers a request it cannot parse itself, before the app sees it, with a
plain-text ``400 Invalid HTTP request received.``; every other error of the service
is ``{"error": {"code", "message"}}``. These subclasses answer those 400s in the same
JSON shape, so a client has one error format to read.

:func:`http_protocol` prefers the httptools parser (C, llhttp) over h11 (pure Python):
measured under the ``/v1/prove`` load test, h11 was ~15 % of the server process's CPU.
h11 remains the fallback where httptools is not installed.
"""

from __future__ import annotations

import asyncio
import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def _error_body(msg: str) -> bytes:
    return json.dumps({"error": {"code": "invalid_http", "message": msg}}).encode()


class JSONErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        body = _error_body(msg)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()


def http_protocol() -> type[asyncio.Protocol]:
    """The protocol class ``serve`` hands uvicorn: httptools' when it is installed."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed
        return JSONErrorH11Protocol

    class JSONErrorHttpToolsProtocol(HttpToolsProtocol):
        def send_400_response(self, msg: str) -> None:
            body = _error_body(msg)
            self.transport.write(
                b"HTTP/1.1 400 Bad Request\r\n"
                b"content-type: application/json\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n"
                b"connection: close\r\n\r\n" + body
            )
            self.transport.close()

    return JSONErrorHttpToolsProtocol

"""uvicorn's HTTP/1.1 protocol with the service's error shape on malformed requests.

uvicorn answers a request it cannot parse itself, before the app sees it, with a
plain-text ``400 Invalid HTTP request received.``; every other error of the service
is ``{"error": {"code", "message"}}``. This subclass answers those 400s in the same
JSON shape, so a client has one error format to read.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class JSONErrorH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"error": {"code": "invalid_http", "message": msg}}).encode()
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

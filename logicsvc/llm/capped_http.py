"""An httpx transport that stops reading a reply past a byte limit.

The OpenAI SDK reads a whole reply into memory before it parses it, and neither it nor
httpx has a size limit: a server that answers a 300 MB completion took the service to
3.6 GB. This transport counts bytes as they arrive (and refuses an announced
``Content-Length`` over the limit at once), raising :class:`ReplyTooLarge`, which the
SDK wraps as a connection error and :mod:`openai_compat` maps back to an ``LLMError``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

try:  # the HTTP library the installed OpenAI SDK is built on (newer ones use the fork)
    import httpx2 as httpx
except ImportError:  # pragma: no cover - older openai releases
    import httpx  # type: ignore[no-redef]


class ReplyTooLarge(Exception):
    """The model server's reply is larger than the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the reply is larger than {limit} bytes")
        self.limit = limit


class _CappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, limit: int) -> None:
        self._inner, self._limit = inner, limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise ReplyTooLarge(self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class CappedTransport(httpx.AsyncBaseTransport):
    """``inner`` (the ordinary transport), with every reply body capped at ``limit`` bytes."""

    def __init__(self, limit: int, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._limit = limit
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            await response.aclose()
            raise ReplyTooLarge(self._limit)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self._limit),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()

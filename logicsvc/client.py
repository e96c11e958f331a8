"""A Python client for the logicsvc HTTP API, sync (:class:`Client`) and async
(:class:`AsyncClient`), over httpx.

Answers are the service's own response models (:mod:`logicsvc.service.responses`),
so a client sees the fields the OpenAPI schema documents.  A busy (429) or
unreachable-LLM (503) answer is retried after the server's ``Retry-After``; every
other error answer is raised as an :class:`APIError` subclass carrying the error
shape (``code``, ``message``, ``span`` …)::

    from logicsvc.client import Client

    with Client("http://127.0.0.1:8000", api_key="k1") as client:
        answer = client.reason(["All men are mortal.", "Socrates is a man."],
                               "Socrates is mortal.")
        print(answer.verdict, answer.used_premises)
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from logicsvc import __version__
from logicsvc.errors import LogicsvcError
from logicsvc.service.responses import (
    BatchResponse,
    FallaciesResponse,
    Health,
    ProveResponse,
    ReasonResponse,
    TranslateResponse,
)
from logicsvc.service.schemas import ErrorDetail

__all__ = [
    "APIError",
    "AsyncClient",
    "AuthenticationError",
    "BusyError",
    "Client",
    "DeadlineError",
    "InvalidRequestError",
    "ServerError",
    "UpstreamError",
]

_M = TypeVar("_M", bound=BaseModel)
RETRYABLE = frozenset({429, 503})
DEFAULT_URL = "http://127.0.0.1:8000"


class APIError(LogicsvcError):
    """The service answered with its error shape; ``detail`` is that shape, typed."""

    def __init__(self, status: int, detail: ErrorDetail, headers: httpx.Headers | None = None):
        super().__init__(detail.message, code=detail.code, context=detail.context)
        self.status = status
        self.detail = detail
        self.retry_after = _retry_after(headers) if headers is not None else None

    def to_dict(self) -> dict[str, object]:
        """The server's error shape as it came (span, expected tokens … included)."""
        return self.detail.model_dump(exclude_none=True)


class InvalidRequestError(APIError):
    """400, 413, 422: the request itself (syntax, limits, untranslatable text …)."""


class AuthenticationError(APIError):
    """401: no API key, or a wrong one."""


class BusyError(APIError):
    """429 after every retry: the server stayed at capacity."""


class UpstreamError(APIError):
    """502, 503: the server's LLM failed or could not be reached (after retries)."""


class DeadlineError(APIError):
    """504: the request ran past the server's deadline."""


class ServerError(APIError):
    """Any other error status (a 500 is a bug in the server)."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    413: InvalidRequestError,
    422: InvalidRequestError,
    401: AuthenticationError,
    429: BusyError,
    502: UpstreamError,
    503: UpstreamError,
    504: DeadlineError,
}


def _retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        detail = ErrorDetail.model_validate(response.json()["error"])
    except (ValueError, KeyError, TypeError, ValidationError):
        detail = ErrorDetail(code="http_error", message=f"HTTP {response.status_code}")
    kind = _BY_STATUS.get(response.status_code, ServerError)
    raise kind(response.status_code, detail, response.headers)


def _parse(model: type[_M], response: httpx.Response) -> _M:
    _raise_for(response)
    return model.model_validate(response.json())


def _body(**fields: Any) -> dict[str, Any]:
    """The JSON body: options left at None are the server's defaults."""
    return {k: v for k, v in fields.items() if v is not None}


class _Options:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        timeout: float,
        retries: int,
        max_wait_s: float,
    ) -> None:
        self.headers = {"User-Agent": f"logicsvc-client/{__version__}"}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.retries, self.max_wait_s = retries, max_wait_s

    def wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying ``response``, or None: do not retry."""
        if response.status_code not in RETRYABLE or attempt >= self.retries:
            return None
        told = _retry_after(response.headers)
        return min(told if told is not None else 0.5 * 2**attempt, self.max_wait_s)


class Client:
    """The synchronous client (one connection pool; use it as a context manager)."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        max_wait_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._options = _Options(base_url, api_key, timeout, retries, max_wait_s)
        self._http = httpx.Client(
            base_url=self._options.base_url,
            headers=self._options.headers,
            timeout=timeout,
            transport=transport,
        )

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        attempt = 0
        while True:
            response = self._http.request(method, path, json=body)
            wait = self._options.wait(response, attempt)
            if wait is None:
                return response
            time.sleep(wait)
            attempt += 1

    def health(self) -> Health:
        return _parse(Health, self._send("GET", "/healthz"))

    def prove(
        self,
        program: str | None = None,
        *,
        premises: Sequence[str] | None = None,
        conclusion: str | None = None,
        prover: str | None = None,
        world: str | None = None,
        lenient: bool | None = None,
        timeout_s: float | None = None,
    ) -> ProveResponse:
        """A DSL ``program``, or ``premises`` and a ``conclusion`` as formulas."""
        body = _body(
            program=program,
            premises=list(premises) if premises is not None else None,
            conclusion=conclusion,
            prover=prover,
            world=world,
            lenient=lenient,
            timeout_s=timeout_s,
        )
        return _parse(ProveResponse, self._send("POST", "/v1/prove", body))

    def reason(self, premises: Sequence[str], conclusion: str, **options: Any) -> ReasonResponse:
        """Sentences in, verdict out; ``options``: translator, world, prover, samples,
        rounds, timeout_s (as in the API)."""
        body = _body(premises=list(premises), conclusion=conclusion, **options)
        return _parse(ReasonResponse, self._send("POST", "/v1/reason", body))

    def translate(
        self, premises: Sequence[str], conclusion: str, **options: Any
    ) -> TranslateResponse:
        body = _body(premises=list(premises), conclusion=conclusion, **options)
        return _parse(TranslateResponse, self._send("POST", "/v1/translate", body))

    def reason_batch(self, problems: Sequence[dict[str, Any]]) -> BatchResponse:
        body = {"problems": [_body(**p) for p in problems]}
        return _parse(BatchResponse, self._send("POST", "/v1/reason/batch", body))

    def fallacies(self, texts: Sequence[str], *, formal: bool | None = None) -> FallaciesResponse:
        body = _body(texts=list(texts), formal=formal)
        return _parse(FallaciesResponse, self._send("POST", "/v1/fallacies", body))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient:
    """The asyncio client: the same calls as :class:`Client`, awaited."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        max_wait_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._options = _Options(base_url, api_key, timeout, retries, max_wait_s)
        self._http = httpx.AsyncClient(
            base_url=self._options.base_url,
            headers=self._options.headers,
            timeout=timeout,
            transport=transport,
        )

    async def _send(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        attempt = 0
        while True:
            response = await self._http.request(method, path, json=body)
            wait = self._options.wait(response, attempt)
            if wait is None:
                return response
            await asyncio.sleep(wait)
            attempt += 1

    async def health(self) -> Health:
        return _parse(Health, await self._send("GET", "/healthz"))

    async def prove(
        self,
        program: str | None = None,
        *,
        premises: Sequence[str] | None = None,
        conclusion: str | None = None,
        prover: str | None = None,
        world: str | None = None,
        lenient: bool | None = None,
        timeout_s: float | None = None,
    ) -> ProveResponse:
        body = _body(
            program=program,
            premises=list(premises) if premises is not None else None,
            conclusion=conclusion,
            prover=prover,
            world=world,
            lenient=lenient,
            timeout_s=timeout_s,
        )
        return _parse(ProveResponse, await self._send("POST", "/v1/prove", body))

    async def reason(
        self, premises: Sequence[str], conclusion: str, **options: Any
    ) -> ReasonResponse:
        body = _body(premises=list(premises), conclusion=conclusion, **options)
        return _parse(ReasonResponse, await self._send("POST", "/v1/reason", body))

    async def translate(
        self, premises: Sequence[str], conclusion: str, **options: Any
    ) -> TranslateResponse:
        body = _body(premises=list(premises), conclusion=conclusion, **options)
        return _parse(TranslateResponse, await self._send("POST", "/v1/translate", body))

    async def reason_batch(self, problems: Sequence[dict[str, Any]]) -> BatchResponse:
        body = {"problems": [_body(**p) for p in problems]}
        return _parse(BatchResponse, await self._send("POST", "/v1/reason/batch", body))

    async def fallacies(
        self, texts: Sequence[str], *, formal: bool | None = None
    ) -> FallaciesResponse:
        body = _body(texts=list(texts), formal=formal)
        return _parse(FallaciesResponse, await self._send("POST", "/v1/fallacies", body))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

"""The HTTP reasoning service: FastAPI app factory, error mapping, lifespan.

Errors have one JSON shape, ``{"error": {"code", "message", "span"?, ...}}``:
input errors are 422 (413 for an oversized body, 401 without a key, 429 when
busy), an unreachable LLM server 503 with ``Retry-After``, a failing one 502,
a request past its deadline 504. Nothing a client sends causes a 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from logicsvc import __version__
from logicsvc.errors import InputError, LLMError, LLMUnavailableError, LogicsvcError
from logicsvc.fallacies import Classifier
from logicsvc.llm import ChatBackend
from logicsvc.llm.openai_compat import OpenAICompatBackend
from logicsvc.service.metrics import Metrics
from logicsvc.service.middleware import RETRY_AFTER_S, Gate
from logicsvc.service.pages import make_app
from logicsvc.service.responses import JSON
from logicsvc.service.routes import Service, router
from logicsvc.service.workers import PIN, ProverPool
from logicsvc.settings import Settings, get_settings

log = logging.getLogger("logicsvc.service")


def _error(
    status: int, payload: dict[str, object], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSON(status_code=status, content={"error": payload}, headers=headers)


def _fallacy_classifier(settings: Settings, llm: ChatBackend | None) -> Classifier | None:
    if settings.fallacy_model:
        from pathlib import Path

        from logicsvc.extras import require

        require("sklearn", "joblib", why="LOGICSVC_FALLACY_MODEL (the offline baseline)")
        from logicsvc.fallacies.baseline import BaselineClassifier, BaselineModel

        return BaselineClassifier(BaselineModel.load(Path(settings.fallacy_model)))
    if llm is not None:
        from logicsvc.fallacies.llm import LLMClassifier

        return LLMClassifier(llm)
    return None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics.create()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pin = PIN[settings.prover_pin]
        pool = ProverPool(settings.prover_workers, memory_mb=settings.prover_memory_mb, pin=pin)
        await pool.start()
        llm: OpenAICompatBackend | None = None
        if settings.llm_base_url:
            llm = OpenAICompatBackend(settings)  # made here: it belongs to this event loop
        app.state.svc = Service(settings, pool, metrics, llm, _fallacy_classifier(settings, llm))
        try:
            yield
        finally:
            if llm is not None:
                await llm.aclose()
            await pool.close()

    app = make_app(
        title="logicsvc",
        version=__version__,
        summary="Neurosymbolic logical reasoning: natural language or FOL in, verdict out.",
        lifespan=lifespan,
        default_response_class=JSON,
    )
    app.include_router(router)

    @app.exception_handler(LLMUnavailableError)
    async def _llm_down(_: Request, exc: LLMUnavailableError) -> JSONResponse:
        return _error(503, exc.to_dict(), {"Retry-After": str(RETRY_AFTER_S * 5)})

    @app.exception_handler(LLMError)
    async def _llm_failed(_: Request, exc: LLMError) -> JSONResponse:
        return _error(502, exc.to_dict())

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _error(422, exc.to_dict())

    @app.exception_handler(LogicsvcError)
    async def _ours(_: Request, exc: LogicsvcError) -> JSONResponse:
        log.error("internal error: %s", exc)
        return _error(500, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        said = str(first["msg"]).removeprefix("Value error, ")  # pydantic's wrapper of ours
        message = f"{where}: {said}" if where else said
        return _error(422, {"code": "invalid_request", "message": message})

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        codes = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}
        code = codes.get(exc.status_code, "http_error")
        headers = getattr(exc, "headers", None)  # 405 carries Allow
        return _error(exc.status_code, {"code": code, "message": str(exc.detail)}, headers)

    routes = frozenset(getattr(route, "path", "") for route in app.routes)
    app.add_middleware(Gate, settings=settings, metrics=metrics, routes=routes)
    if settings.cors_origin_list:
        # outside the gate: a browser's preflight carries no key, and the gate's own
        # answers (401, 413, 429, 504) need CORS headers for a browser to read them
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origin_list),
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Retry-After", "X-Request-ID"],
        )
    return app

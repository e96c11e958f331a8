"""A minimal HTTP front: ``/healthz``, ``/v1/prove`` and ``/v1/reason``.

Proving is synchronous CPU work, so the endpoint is a plain ``def``: FastAPI
runs it in its thread pool, off the event loop, and every prover call carries
its own timeout and resource limit.  Errors have one JSON shape,
``{"error": {"code", "message", "span"?}}``; input errors are 422, never 500.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

import provers
from logicsvc import __version__
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.load import load_formulas, load_problem
from logicsvc.reasoning import reason as run_reason
from provers import World

MAX_TIMEOUT_S = 60.0


class ProveRequest(BaseModel):
    """Either a whole ``program`` or ``premises`` + ``conclusion`` formulas."""

    program: str | None = Field(
        None,
        max_length=200_000,
        examples=[
            "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates)\n"
        ],
    )
    premises: list[str] | None = Field(
        None, max_length=1000, examples=[["∀x (Man(x) → Mortal(x))", "Man(socrates)"]]
    )
    conclusion: str | None = Field(None, max_length=10_000, examples=["Mortal(socrates)"])
    lenient: bool = True
    backend: Literal["auto", "z3", "backward"] = "auto"
    world: World = "open"
    timeout_s: float = Field(10.0, gt=0, le=MAX_TIMEOUT_S)

    @model_validator(mode="after")
    def _one_form(self) -> ProveRequest:
        if (self.program is None) == (self.conclusion is None):
            raise ValueError("send either 'program', or 'premises' and 'conclusion'")
        return self


class ReasonRequest(BaseModel):
    """Natural-language premises and a conclusion; the translator writes the program."""

    premises: list[str] = Field(
        ...,
        max_length=1000,
        examples=[["All men are mortal.", "Socrates is a man."]],
    )
    conclusion: str = Field(..., min_length=1, max_length=10_000, examples=["Socrates is mortal."])
    translator: Literal["rules"] = "rules"
    backend: Literal["auto", "z3", "backward"] = "auto"
    world: World = "open"
    timeout_s: float = Field(10.0, gt=0, le=MAX_TIMEOUT_S)


def _error(status: int, payload: dict[str, Any]) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": payload})


def create_app() -> FastAPI:
    app = FastAPI(title="logicsvc", version=__version__)

    @app.exception_handler(InputError)
    async def _input_error(_: Request, exc: InputError) -> JSONResponse:
        return _error(422, exc.to_dict())

    @app.exception_handler(LogicsvcError)
    async def _internal(_: Request, exc: LogicsvcError) -> JSONResponse:
        return _error(500, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first['msg']}" if where else str(first["msg"])
        return _error(422, {"code": "invalid_request", "message": message})

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.post("/v1/prove")
    def prove(request: ProveRequest) -> dict[str, Any]:
        if request.program is not None:
            checked = load_problem(request.program, lenient=request.lenient)
        else:
            assert request.conclusion is not None
            checked = load_formulas(
                request.premises or [], request.conclusion, lenient=request.lenient
            )
        result = provers.prove(
            checked.problem,
            provers.Limits(timeout_s=request.timeout_s),
            backend=request.backend,
            world=request.world,
        )
        payload = result.to_dict()
        payload["warnings"] = [*checked.warnings, *result.warnings]
        return payload

    @app.post("/v1/reason")
    def reason(request: ReasonRequest) -> dict[str, Any]:
        outcome = run_reason(
            request.premises,
            request.conclusion,
            translator=request.translator,
            world=request.world,
            backend=request.backend,
            limits=provers.Limits(timeout_s=request.timeout_s),
        )
        return outcome.to_dict()

    return app

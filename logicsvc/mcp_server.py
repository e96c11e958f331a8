"""``logicsvc mcp``: prove, reason and translate as Model Context Protocol tools.

An agent hands a claim and its premises to the prover and gets the service's own
answer back (the :mod:`logicsvc.service.responses` models, as structured output).
Over stdio the tools run in this process; over streamable HTTP the MCP app sits
behind the API's gate, so ``LOGICSVC_API_KEYS`` guards it exactly as it guards
``/v1/*``.  Either way proofs run in the service's prover pool (started on the first
call), so a runaway proof is killed at its deadline and held to the memory cap, as in the
API; parsing and translating run in threads.  A failure the caller caused is a tool
error whose text is the API's error shape (``{"code", "message", "span"?}``), for the
model to read and fix.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from logicsvc import __version__, provers
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.provers.result import Result
from logicsvc.service.responses import ProveResponse, ReasonResponse, TranslateResponse
from logicsvc.settings import Settings, get_settings
from logicsvc.sources import used_sources
from logicsvc.syntax.ast import Problem

Prover = Literal["auto", "z3", "backward"]
World = Literal["open", "explicit", "closed", "closed-stated"]
Translator = Literal["auto", "rules", "llm"]

INSTRUCTIONS = (
    "logicsvc decides whether premises entail a conclusion: 'true' (they entail it), "
    "'false' (they entail its negation) or 'unknown' (neither; a countermodel shows why). "
    "Use 'reason' for English sentences, 'prove' for first-order formulas in logicsvc's "
    "DSL (∀x (Man(x) → Mortal(x)), ¬, ∧, ∨, →, ↔, ⊕), 'translate' to see the program."
)


def _tool_error(exc: LogicsvcError) -> ToolError:
    return ToolError(json.dumps(exc.to_dict(), ensure_ascii=False))


class Tools:
    """The tools' work, outside the MCP plumbing (one per server, settings fixed)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: Any = None  # a ProverPool, once the first proof needs it
        self._starting = asyncio.Lock()

    async def prove_problem(
        self,
        problem: Problem,
        limits: provers.Limits | None,
        backend: provers.Backend,
        world: provers.World,
    ) -> Result:
        """One proof in a worker process (the loop's ``prover`` seam too)."""
        async with self._starting:
            if self._pool is None:
                from logicsvc.service.workers import PIN, ProverPool

                pool = ProverPool(
                    self.settings.prover_workers,
                    memory_mb=self.settings.prover_memory_mb,
                    pin=PIN[self.settings.prover_pin],
                )
                await pool.start()
                self._pool = pool
        limits = limits or self.limits(None)
        result: Result = await self._pool.prove(problem, limits, backend=backend, world=world)
        return result

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def limits(self, timeout_s: float | None) -> provers.Limits:
        cap = self.settings.prover_timeout_s
        return provers.Limits(timeout_s=min(timeout_s or cap, cap))

    async def prove(
        self,
        program: str | None,
        premises: list[str] | None,
        conclusion: str | None,
        prover: Prover,
        world: World,
        timeout_s: float | None,
    ) -> dict[str, Any]:
        from logicsvc.load import load_formulas, load_problem

        if (program is None) == (conclusion is None) or (program and premises):
            raise InputError(
                "send either 'program', or 'premises' and 'conclusion'", code="invalid_request"
            )
        if program is not None:
            checked = await asyncio.to_thread(load_problem, program, lenient=True)
        else:
            checked = await asyncio.to_thread(
                load_formulas, premises or [], conclusion or "", lenient=True
            )
        result = await self.prove_problem(checked.problem, self.limits(timeout_s), prover, world)
        payload = result.to_dict()
        payload["warnings"] = [*checked.warnings, *result.warnings]
        return payload

    async def reason(
        self,
        premises: list[str],
        conclusion: str,
        translator: Translator,
        prover: Prover,
        world: World,
        timeout_s: float | None,
    ) -> dict[str, Any]:
        from logicsvc.reasoning import reason_offline, reason_with_llm

        limits = self.limits(timeout_s)

        async def prove(problem: Problem) -> Result:
            return await self.prove_problem(problem, limits, prover, world)

        offline = await reason_offline(
            premises,
            conclusion,
            translator,
            llm_configured=bool(self.settings.llm_base_url),
            off_loop=asyncio.to_thread,
            prove=prove,
        )
        if offline is not None:
            payload = offline.to_dict()
            used = offline.result.used_premises
            payload["used_sources"] = used_sources(premises, offline.translation.sentences, used)
            return payload
        if not self.settings.llm_base_url:
            raise InputError(
                "no LLM is configured (set LOGICSVC_LLM_BASE_URL)", code="llm_not_configured"
            )
        from logicsvc.llm.loop import LoopOptions
        from logicsvc.llm.openai_compat import OpenAICompatBackend

        options = LoopOptions(
            world=world, backend=prover, limits=limits, grammar=True, prover=self.prove_problem
        )
        async with OpenAICompatBackend(self.settings) as chat:
            llm_outcome = await reason_with_llm(premises, conclusion, chat=chat, options=options)
        return llm_outcome.to_dict()


def create_server(settings: Settings | None = None) -> MCPServer:
    """The MCP server with its three tools."""
    tools = Tools(settings or get_settings())
    server: MCPServer = MCPServer(
        "logicsvc", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )

    @server.tool()
    async def prove(
        program: str | None = None,
        premises: list[str] | None = None,
        conclusion: str | None = None,
        prover: Prover = "auto",
        world: World = "open",
        timeout_s: float | None = None,
    ) -> ProveResponse:
        """Decide formulas in logicsvc's DSL: a whole 'program' (Premises: … Conclusion: …),
        or 'premises' and a 'conclusion'. Returns the verdict, the premises a proof used
        (0-based), a proof tree or a countermodel."""
        try:
            out = await tools.prove(program, premises, conclusion, prover, world, timeout_s)
        except LogicsvcError as exc:
            raise _tool_error(exc) from None
        return ProveResponse.model_validate(out)

    @server.tool()
    async def reason(
        premises: list[str],
        conclusion: str,
        translator: Translator = "auto",
        prover: Prover = "auto",
        world: World = "open",
        timeout_s: float | None = None,
    ) -> ReasonResponse:
        """Decide whether English premises entail a conclusion: translated to logic
        (offline controlled English, or the configured LLM), then proved."""
        try:
            out = await tools.reason(premises, conclusion, translator, prover, world, timeout_s)
        except LogicsvcError as exc:
            raise _tool_error(exc) from None
        return ReasonResponse.model_validate(out)

    @server.tool()
    async def translate(
        premises: list[str], conclusion: str, translator: Translator = "auto"
    ) -> TranslateResponse:
        """Translate English premises and a conclusion into a logicsvc DSL program."""
        try:
            out = await tools.reason(premises, conclusion, translator, "auto", "open", None)
        except LogicsvcError as exc:
            raise _tool_error(exc) from None
        keep = ("translator", "program", "warnings", "outcome", "votes", "attempts", "llm_calls")
        return TranslateResponse.model_validate({k: out[k] for k in keep if k in out})

    return server


def http_app(settings: Settings | None = None, host: str = "127.0.0.1") -> Any:
    """The streamable-HTTP MCP app at ``/mcp``, behind the API's gate (keys, limits, log).

    Stateless with JSON answers: every call is one request and one answer, so the
    gate's deadline and body limit apply to it as to any API request.
    """
    from logicsvc.service.metrics import Metrics
    from logicsvc.service.middleware import Gate

    settings = settings or get_settings()
    app = create_server(settings).streamable_http_app(
        json_response=True, stateless_http=True, host=host
    )
    return Gate(app, settings=settings, metrics=Metrics.create())

"""``logicsvc mcp`` driven by the official MCP SDK's own client: stdio, and streamable
HTTP behind the API's keys."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from logicsvc.service.responses import ProveResponse, ReasonResponse
from tests.test_service import SOCRATES, serve

BOB = ["If Bob is rich then Bob is happy.", "Bob is happy."]


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    out: dict[str, Any] = result.structured_content
    return out


async def exercise(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"prove", "reason", "translate"}
    assert "premises" in tools["reason"].input_schema["properties"]

    proved = ProveResponse.model_validate(
        structured(await client.call_tool("prove", {"program": SOCRATES}))
    )
    assert (proved.verdict, proved.used_premises) == ("true", [0, 1])

    bob = {"premises": BOB, "conclusion": "Bob is rich."}
    unknown = ReasonResponse.model_validate(structured(await client.call_tool("reason", bob)))
    assert unknown.verdict == "unknown" and unknown.countermodel is not None
    assert unknown.countermodel.facts == ["Happy(bob)", "¬Rich(bob)"]

    translated = structured(await client.call_tool("translate", bob))
    assert translated["program"].startswith("Premises:\nRich(bob) → Happy(bob)")

    bad = await client.call_tool("prove", {"premises": ["Man(x) → → P"], "conclusion": "P"})
    assert bad.is_error
    said, _, shape = bad.content[0].text.partition(": ")  # the SDK names the tool first
    assert said == "Error executing tool prove"
    error = json.loads(shape)
    assert error["code"] == "syntax_error" and error["span"]["column"] == 10


def test_stdio_tools_answer_with_the_services_models() -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "logicsvc.cli", "mcp"], env=dict(os.environ)
    )

    async def run() -> None:
        async with Client(params) as client:
            await exercise(client)

    asyncio.run(run())


def test_streamable_http_is_behind_the_api_keys() -> None:
    with serve("mcp", "--transport", "http", LOGICSVC_API_KEYS="k1") as url:

        async def run() -> None:
            headers = {"Authorization": "Bearer k1"}
            async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
                transport = streamable_http_client(f"{url}/mcp", http_client=http)
                async with Client(transport) as client:
                    await exercise(client)

        asyncio.run(run())
        denied = httpx2.post(f"{url}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        assert denied.status_code == 401 and denied.json()["error"]["code"] == "unauthorized"


def test_tools_prove_in_worker_processes() -> None:
    """Proofs run in the service's prover pool (killable at the deadline, memory-capped),
    not in the MCP process's threads, and the pool is closed with the tools."""
    from logicsvc.mcp_server import Tools
    from logicsvc.settings import Settings

    tools = Tools(Settings(prover_workers=1, prover_timeout_s=0.5))

    async def run() -> tuple[dict[str, Any], list[int]]:
        try:
            proved = await tools.prove(SOCRATES, None, None, "auto", "open", None)
            return proved, tools._pool.pids()
        finally:
            await tools.close()

    proved, pids = asyncio.run(run())
    assert proved["verdict"] == "true" and pids and os.getpid() not in pids
    assert tools._pool is None

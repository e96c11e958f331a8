"""``logicsvc mcp``: the prover as Model Context Protocol tools for agents."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from logicsvc.cli._common import PortOpt, fail
from logicsvc.errors import LogicsvcError


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


def mcp(
    transport: Annotated[
        Transport,
        typer.Option(help="stdio (an agent starts this command) or http (streamable HTTP)."),
    ] = Transport.stdio,
    host: Annotated[str, typer.Option(help="Interface to bind (http).")] = "127.0.0.1",
    port: PortOpt = 8002,
) -> None:
    """Serve prove, reason and translate as MCP tools (http: at /mcp, with the API's keys)."""
    from logicsvc.settings import get_settings

    try:
        settings = get_settings()
    except LogicsvcError as exc:
        fail(exc)
    if transport is Transport.stdio:
        from logicsvc.mcp_server import create_server

        create_server(settings).run("stdio")
        return
    from logicsvc.cli.serving import refuse_open_host_without_keys, run_uvicorn
    from logicsvc.mcp_server import http_app

    refuse_open_host_without_keys(settings, host)
    run_uvicorn(http_app(settings, host), host, port)

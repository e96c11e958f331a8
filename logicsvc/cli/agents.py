"""``logicsvc mcp``: the prover as Model Context Protocol tools for agents."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from logicsvc.cli._common import INVALID_INPUT, PortOpt, fail
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
    import ipaddress

    import uvicorn

    from logicsvc.mcp_server import http_app

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and not settings.api_key_list and not settings.allow_unauthenticated:
        typer.echo(
            f"refusing to serve on {host} without API keys: set LOGICSVC_API_KEYS "
            "(or LOGICSVC_ALLOW_UNAUTHENTICATED=1 behind your own gateway)",
            err=True,
        )
        raise typer.Exit(INVALID_INPUT)
    uvicorn.run(http_app(settings, host), host=host, port=port, access_log=False)

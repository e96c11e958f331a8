"""Long-running servers: ``serve`` (the HTTP service) and ``replay-server`` (recorded LLM)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from logicsvc.cli._common import INVALID_INPUT, PortOpt, fail
from logicsvc.errors import LogicsvcError

if TYPE_CHECKING:
    from logicsvc.settings import Settings


def refuse_open_host_without_keys(settings: Settings, host: str) -> None:
    """Exit 2 before binding anything but loopback with no API keys (``serve`` and
    ``mcp --transport http`` alike): an open port must not be an open prover."""
    import ipaddress

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


def run_uvicorn(app: Any, host: str, port: int) -> None:
    """uvicorn as every server of ours runs it: JSON log lines (its own included), no
    access log (the gate logs every request, with its id), httptools where installed."""
    import logging.config

    import uvicorn

    from logicsvc.service.logs import logging_config
    from logicsvc.service.protocol import http_protocol

    config = logging_config()
    logging.config.dictConfig(config)  # before the app starts: its start-up lines are JSON too
    uvicorn.run(
        app, host=host, port=port, access_log=False, log_config=config, http=http_protocol()
    )


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Run the HTTP service (uvicorn); settings come from the environment / .env."""
    from logicsvc.settings import get_settings

    try:
        settings = get_settings()
    except LogicsvcError as exc:
        fail(exc)
    refuse_open_host_without_keys(settings, host)
    from logicsvc.service.app import create_app

    run_uvicorn(create_app(settings), host, port)


def replay_server(
    programs: Annotated[
        list[Path], typer.Argument(help="Recorded Logic-LM programs (JSON files or folders).")
    ],
    host: Annotated[
        str, typer.Option(help="Interface to bind; it has no authentication, keep it local.")
    ] = "127.0.0.1",
    port: PortOpt = 8001,
    latency: Annotated[float, typer.Option(min=0.0, help="Seconds each answer waits.")] = 0.0,
    model: Annotated[str, typer.Option(help="Model name it reports.")] = "replay",
) -> None:
    """An OpenAI-compatible server answering each prompt with its recorded program."""
    from logicsvc.llm.replay_server import create_replay_app, run_app

    try:  # read once, here: a bad file fails with a clear message, not inside uvicorn
        app_ = create_replay_app(programs, latency_s=latency, model=model)
    except (OSError, ValueError) as exc:
        fail(LogicsvcError(f"cannot load recorded programs: {exc}", code="unreadable_input"))
    run_app(app_, host=host, port=port)

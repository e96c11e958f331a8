"""Long-running servers: ``serve`` (the HTTP service) and ``replay-server`` (recorded LLM)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logicsvc.cli._common import INVALID_INPUT, PortOpt, fail
from logicsvc.errors import LogicsvcError


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Run the HTTP service (uvicorn); settings come from the environment / .env."""
    import ipaddress
    import logging.config

    import uvicorn

    from logicsvc.settings import get_settings

    try:
        settings = get_settings()
    except LogicsvcError as exc:
        fail(exc)
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
    from logicsvc.service.app import create_app
    from logicsvc.service.logs import logging_config
    from logicsvc.service.protocol import http_protocol

    config = logging_config()
    logging.config.dictConfig(config)  # before the app: its start-up lines are JSON too
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        access_log=False,  # the gate logs every request, with its id
        log_config=config,
        http=http_protocol(),  # httptools where installed; uvloop is uvicorn's own choice
    )


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

"""The service's log format: one JSON object a line, uvicorn's own lines included.

python-json-logger renders every record (``timestamp``, ``level``, ``logger``,
``message``, and the fields a call passes as ``extra``, such as the gate's
``request_id``/``status``/``ms``), so a log shipper never parses free text.
:func:`logging_config` is a ``logging.config.dictConfig`` dictionary; ``serve`` hands
it to uvicorn, which applies it to its own loggers too.
"""

from __future__ import annotations

from typing import Any

JSON_FORMATTER = "pythonjsonlogger.json.JsonFormatter"
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "timestamp", "levelname": "level", "name": "logger"}


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """Root, ``logicsvc`` and uvicorn loggers all as JSON lines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": JSON_FORMATTER,
                "fmt": FIELDS,
                "rename_fields": RENAMED,
                "timestamp": False,
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            }
        },
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            name: {"handlers": ["default"], "level": level, "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }

"""What a browser gets: the playground at ``/``, and the API docs, all served from the
package (no CDN: a machine without internet still renders them).

The docs' Swagger UI and ReDoc bundles come from the ``fastapi-offline`` package;
the playground is plain HTML, CSS and JavaScript in ``static/`` (no build step).
The bearer scheme is added to the schema so that Swagger's "Authorize" sends the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

STATIC = Path(__file__).parent / "static"
DOCS_ASSETS = "/static-offline-docs"
PLAYGROUND_ASSETS = "/playground"
PUBLIC_PATHS = frozenset({"/", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
"""Pages a browser loads before it can send a key; the playground sends one with its calls."""
PUBLIC_PREFIXES = (DOCS_ASSETS + "/", PLAYGROUND_ASSETS + "/")


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def make_app(**kwargs: Any) -> FastAPI:
    """A FastAPI app whose /docs and /redoc load their assets from the package."""
    app = FastAPIOffline(static_url=DOCS_ASSETS, **kwargs)
    app.mount(PLAYGROUND_ASSETS, StaticFiles(directory=STATIC), name="playground")

    @app.get("/", include_in_schema=False)
    async def playground() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {})
            components["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key from LOGICSVC_API_KEYS (when the server sets any).",
                }
            }
            for path, operations in schema.get("paths", {}).items():
                if path.startswith("/v1/") or path == "/metrics":
                    for operation in operations.values():
                        # {}: no key is asked for where the server has none configured
                        operation["security"] = [{"bearer": []}, {}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

"""The API documents itself offline: /docs and /redoc load nothing from elsewhere, the
schema validates, types every 200 body, offers a valid /v1/prove example and the bearer
scheme.  (The browser test renders the pages for real.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from logicsvc.service.app import create_app
from logicsvc.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(_env_file=None, prover_workers=1, api_keys="k1")  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def schema(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200  # no key: a browser loads it before Authorize
    out: dict[str, Any] = response.json()
    return out


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_their_assets_from_the_server(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert "/openapi.json" in html.text
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
    script = next(a for a in assets if a.endswith(".js"))
    assert len(client.get(script).content) > 100_000  # the real bundle, not a stub


def test_the_playground_is_served_without_a_key(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in re.findall(r'(?:src|href)="(/playground/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200
    assert client.post("/v1/prove", json={"program": "x"}).status_code == 401


def test_the_schema_validates_and_types_every_200(schema: dict[str, Any]) -> None:
    validate(schema)
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path == "/metrics":
                continue  # Prometheus text, not JSON
            body = operation["responses"]["200"]["content"]["application/json"]["schema"]
            ref = body["$ref"].rsplit("/", 1)[1]
            assert components[ref]["properties"], (method, path)
    prove = components["ProveResponse"]["properties"]
    assert prove["countermodel"]["anyOf"][0]["$ref"].endswith("/Countermodel")


def test_the_bearer_scheme_guards_the_api(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from LOGICSVC_API_KEYS (when the server sets any).",
    }
    assert schema["paths"]["/v1/prove"]["post"]["security"] == [{"bearer": []}, {}]
    assert "security" not in schema["paths"]["/healthz"]["get"]


def test_every_prove_example_is_answered(client: TestClient, schema: dict[str, Any]) -> None:
    body = schema["paths"]["/v1/prove"]["post"]["requestBody"]["content"]["application/json"]
    examples = body["examples"]
    assert next(iter(examples)) == "formulas"  # what "Try it out" sends
    for example in examples.values():
        answer = client.post(
            "/v1/prove", json=example["value"], headers={"Authorization": "Bearer k1"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["verdict"] == "true"

"""Fuzz the HTTP API from its own OpenAPI schema with schemathesis (bounded).

The service runs for real (``logicsvc serve`` in a subprocess, no LLM configured, no API
keys); every operation in the schema is called over HTTP with schemathesis's generated
requests: the schema's examples, its coverage cases (boundary values, wrong types, missing
fields, undeclared methods) and 30 Hypothesis examples per operation, valid and invalid.

What must hold for anything a client sends (``test_fuzz_api``):

- no 5xx: without an LLM, the documented 502/503/504 cannot happen;
- every 4xx is JSON shaped ``{"error": {"code": str, "message": str, ...}}``;
- statuses and content types are the service's own (see ``STATUSES``), and responses match
  the response schemas where the schema says anything (FastAPI documents most bodies as
  ``dict[str, Any]``, so this is weak for the POST endpoints).

The schema is taken from ``create_app().openapi()`` at import, so that pytest can make one
test per operation (``schemathesis.pytest.from_fixture``, which would load it from the
running server, fails on pytest 9.2: ``'Function' object has no attribute '_nodeid'``);
``test_served_schema_is_the_fuzzed_schema`` checks that the server serves the same schema.

Two findings of this fuzzing were fixed in the service (input the schema forbids is now
rejected — strict request models; 405 answers carry ``Allow``) and are tested below.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from logicsvc.service.app import create_app  # noqa: E402

OPENAPI: dict[str, Any] = json.loads(json.dumps(create_app().openapi()))
schema = schemathesis.openapi.from_dict(OPENAPI)

EXPECTED_OPERATIONS = {
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "POST /v1/prove",
    "POST /v1/translate",
    "POST /v1/reason",
    "POST /v1/reason/batch",
}
STATUSES = {
    200,
    400,  # a body that is not JSON (FastAPI: "There was an error parsing the body")
    405,  # a method the path does not have (schemathesis's coverage phase tries them)
    413,  # a body over LOGICSVC_MAX_BODY_BYTES
    422,  # anything else wrong with the input
}
"""What the service may answer here: no LLM (so no 502/503/504), no API keys (no 401),
one request at a time (no 429). Replaces schemathesis's ``status_code_conformance``: the
schema documents only 200 and 422, not the service's 400/405/413."""

FUZZ = settings(max_examples=30, deadline=None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``logicsvc serve`` on a free port, without an LLM or API keys."""
    port = _free_port()
    log = tmp_path_factory.mktemp("fuzz") / "serve.log"  # a file: a full pipe would block it
    env = {
        **os.environ,
        "LOGICSVC_LLM_BASE_URL": "",
        "OPENAI_BASE_URL": "",
        "LOGICSVC_API_KEYS": "",
        "LOGICSVC_PROVER_TIMEOUT_S": "2",  # bounds the run; fuzzed problems are small
    }
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "logicsvc.cli", "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log.read_text()!r}")
            time.sleep(0.1)
        assert httpx.get(f"{url}/readyz").json()["llm"] == "not configured"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


# ---- checks (schemathesis check functions: ctx, response, case) -----------------------


def error_shape(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every error is ``{"error": {"code": str, "message": str, ...}}`` as JSON."""
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"error as {content_type!r}"
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"error body {body!r}"
    error = body["error"]
    assert isinstance(error, dict), f"'error' is {error!r}"
    assert isinstance(error.get("code"), str) and error["code"], f"error code in {error!r}"
    assert isinstance(error.get("message"), str), f"error message in {error!r}"


def service_status(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Only the statuses this configuration can answer (``STATUSES``)."""
    assert response.status_code in STATUSES, f"status {response.status_code}"


def service_content_type(
    ctx: Any, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """JSON everywhere but ``/metrics``, which is Prometheus text. Replaces schemathesis's
    ``content_type_conformance``: the schema documents ``/metrics`` as JSON."""
    if response.status_code != 200:
        return  # errors: see error_shape
    content_type = response.headers.get("content-type", [""])[0]
    if case.path == "/metrics" and case.method == "GET":
        assert content_type.startswith("text/plain"), content_type
    else:
        assert content_type.startswith("application/json"), content_type
        response.json()


FUZZ_CHECKS = [
    checks.not_a_server_error,
    error_shape,
    service_status,
    service_content_type,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.allow_header_conformance,
]
"""Left out: ``status_code_conformance`` and ``content_type_conformance`` (replaced above);
``positive_data_acceptance`` (schema-valid input is often rejected with 422 on purpose: an
untranslatable sentence, a program that does not parse, ``{}`` for /v1/prove, which needs
``program`` or ``conclusion``, a rule the schema cannot say); ``negative_data_rejection`` and
``unsupported_method`` have their own tests below; the stateful and auth checks do not
apply."""


# ---- the fuzz test: every operation ---------------------------------------------------


@schema.parametrize()
@FUZZ
def test_fuzz_api(case: schemathesis.Case, base_url: str) -> None:
    response = case.call(base_url=base_url, timeout=30)
    case.validate_response(response, checks=FUZZ_CHECKS)


def test_every_operation_is_fuzzed() -> None:
    operations = {op.ok().label for op in schema.get_all_operations()}
    assert operations >= EXPECTED_OPERATIONS


def test_served_schema_is_the_fuzzed_schema(base_url: str) -> None:
    assert httpx.get(f"{base_url}/openapi.json").json() == OPENAPI


# ---- what the schema forbids is rejected; undeclared methods get 405 with Allow ----------


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True)
def test_schema_violating_requests_are_rejected(case: schemathesis.Case, base_url: str) -> None:
    response = case.call(base_url=base_url, timeout=30)
    case.validate_response(response, checks=[checks.negative_data_rejection])


@schema.parametrize()
@settings(max_examples=1, deadline=None, derandomize=True)
def test_undeclared_methods_get_405_with_allow(case: schemathesis.Case, base_url: str) -> None:
    response = case.call(base_url=base_url, timeout=30)
    case.validate_response(response, checks=[checks.unsupported_method])

"""The minimal HTTP service, started for real on 127.0.0.1 and called over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "logicsvc.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {proc.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_healthz(base_url: str) -> None:
    body = httpx.get(f"{base_url}/healthz").json()
    assert body["status"] == "ok"


def test_prove_program(base_url: str) -> None:
    program = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates)\n"
    response = httpx.post(f"{base_url}/v1/prove", json={"program": program})
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "true" and body["used_premises"] == [0, 1]


def test_prove_premises_and_conclusion(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/prove",
        json={"premises": ["P(a) ∨ Q(a)", "¬P(a)"], "conclusion": "¬Q(a)", "backend": "z3"},
    )
    body = response.json()
    assert response.status_code == 200 and body["verdict"] == "false"


def test_syntax_error_is_422_with_stable_shape(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/prove", json={"premises": ["P(a) ∧"], "conclusion": "P(a)"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "syntax_error"
    assert error["span"]["column"] == 7
    assert error["message"].startswith("premise 0: unexpected end of input")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"program": "x", "conclusion": "P"},
        {"premises": [], "conclusion": "P", "timeout_s": -1},
        {"premises": [], "conclusion": "P", "backend": "prolog"},
    ],
)
def test_bad_requests_are_422_not_500(base_url: str, payload: dict[str, object]) -> None:
    response = httpx.post(f"{base_url}/v1/prove", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_not_json_is_422(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/prove", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_reason_endpoint(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/reason",
        json={"premises": ["All men are mortal.", "Socrates is a man."],
              "conclusion": "Socrates is mortal."},
    )  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "true" and body["translator"] == "rules"


def test_reason_outside_the_fragment_is_422(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/reason",
        json={"premises": ["Cats purr when they are happy, mostly."], "conclusion": "Cats purr."},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "untranslatable" and error["sentence_index"] == 0

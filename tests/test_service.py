"""The HTTP service, started for real (``logicsvc serve``) on 127.0.0.1 and called over HTTP.

The LLM path runs against ``logicsvc replay-server`` (real ``openai`` client, real HTTP).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

SOCRATES = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates)\n"
SPIN = [  # a strict order with no last element: only infinite models, Z3 spins
    "∀x ∃y Lt(x, y)",
    "∀x ¬Lt(x, x)",
    "∀x ∀y ∀z (Lt(x, y) ∧ Lt(y, z) → Lt(x, z))",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"server did not start: {log.read()!r}")
        time.sleep(0.1)


@contextmanager
def serve(*args: str, **env: str) -> Iterator[str]:
    """``logicsvc <args> --port P`` in a subprocess; yields its base URL."""
    port = _free_port()
    # the server's log goes to a file: a pipe nobody drains fills up (64 KiB of JSON log
    # lines) and then blocks the server mid-request
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "logicsvc.cli", *args, "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**os.environ, **env},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(f"{url}/healthz" if args[0] == "serve" else f"{url}/v1/models", proc, log)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve("serve", LOGICSVC_MAX_PREMISES="5", LOGICSVC_MAX_BODY_BYTES="20000") as url:
        yield url


def test_health_and_readiness(base_url: str) -> None:
    assert httpx.get(f"{base_url}/healthz").json()["status"] == "ok"
    ready = httpx.get(f"{base_url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["prover_workers"] >= 1 and ready.json()["llm"] == "not configured"


def test_prove_program_and_formulas(base_url: str) -> None:
    body = httpx.post(f"{base_url}/v1/prove", json={"program": SOCRATES}).json()
    assert body["verdict"] == "true" and body["used_premises"] == [0, 1]
    body = httpx.post(
        f"{base_url}/v1/prove",
        json={"premises": ["P(a) ∨ Q(a)", "¬P(a)"], "conclusion": "¬Q(a)", "backend": "z3"},
    ).json()
    assert body["verdict"] == "false"


def test_prove_in_prover9_and_tptp_syntax_with_szs(base_url: str) -> None:
    program = "fof(a, axiom, p(b)).\nfof(c, conjecture, ~p(b)).\n"
    body = httpx.post(f"{base_url}/v1/prove", json={"program": program}).json()
    assert (body["verdict"], body["szs_status"]) == ("false", "CounterTheorem")
    body = httpx.post(
        f"{base_url}/v1/prove",
        json={"premises": ["all x. (P(x) -> Q(x))", "P(Bob)"], "conclusion": "Q(Bob)",
              "syntax": "prover9"},
    ).json()  # fmt: skip
    assert (body["verdict"], body["szs_status"]) == ("true", "Theorem")
    response = httpx.post(
        f"{base_url}/v1/prove", json={"program": "fof(a, axiom, p(b)", "syntax": "tptp"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["span"]["line"] == 1


def test_reason_offline_and_its_request_id(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/reason",
        json={"premises": ["All men are mortal.", "Socrates is a man."],
              "conclusion": "Socrates is mortal."},
        headers={"X-Request-ID": "abc123"},
    )  # fmt: skip
    assert response.status_code == 200 and response.headers["x-request-id"] == "abc123"
    body = response.json()
    assert body["verdict"] == "true" and body["translator"] == "rules"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"premises": ["P(a) ∧"], "conclusion": "P(a)"}, 422, "syntax_error"),
        ({}, 422, "invalid_request"),
        ({"program": SOCRATES, "backnd": "z3"}, 422, "invalid_request"),
        ({"program": SOCRATES, "timeout_s": -1}, 422, "invalid_request"),
        ({"premises": ["P"] * 6, "conclusion": "P"}, 422, "too_many_premises"),
        ({"premises": ["(" * 70 + "P" + ")" * 70], "conclusion": "P"}, 422, "too_deep"),
        ({"premises": ["¬" * 450 + "P"], "conclusion": "P"}, 422, "too_deep"),  # was a 500
        ({"program": SOCRATES, "world": "closed", "backend": "z3"}, 422, "outside_fragment"),
    ],
)
def test_error_shapes(base_url: str, payload: dict[str, object], status: int, code: str) -> None:
    response = httpx.post(f"{base_url}/v1/prove", json=payload)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/prove", rb'{"premises": ["P(a\ud800)"], "conclusion": "P(a)"}'),
        ("/v1/prove", rb'{"program": "Premises:\nP(\ud800)\nConclusion:\nP(\ud800)\n"}'),
        ("/v1/reason", rb'{"premises": ["All men are mortal\ud800."], "conclusion": "Bob is."}'),
    ],
)
def test_a_lone_surrogate_is_a_422_not_a_500(base_url: str, path: str, body: bytes) -> None:
    """JSON can escape half a UTF-16 pair; echoing it in an error could not be encoded."""
    with httpx.Client() as client:  # one connection: it must survive the answer
        response = client.post(
            f"{base_url}{path}", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_request" and "U+D800" in error["message"]
        assert not error["message"].startswith("Value error")
        assert client.get(f"{base_url}/healthz").status_code == 200


def test_an_answer_with_a_lone_surrogate_is_still_json() -> None:
    from logicsvc.service.app import JSON

    rendered = JSON({"error": {"message": "bad \ud800"}}).body
    assert json.loads(rendered) == {"error": {"message": "bad \ud800"}}


def test_syntax_error_span(base_url: str) -> None:
    error = httpx.post(
        f"{base_url}/v1/prove", json={"premises": ["P(a) ∧"], "conclusion": "P(a)"}
    ).json()["error"]
    assert error["span"]["column"] == 7
    assert error["message"].startswith("premise 1: unexpected end of input")


def test_body_too_large_and_not_json(base_url: str) -> None:
    big = httpx.post(f"{base_url}/v1/prove", json={"program": "x" * 30_000})
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
    bad = httpx.post(
        f"{base_url}/v1/prove", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 422
    assert httpx.get(f"{base_url}/nope").json()["error"]["code"] == "not_found"


def test_a_chunked_body_over_the_limit_is_413_too(base_url: str) -> None:
    """No Content-Length to refuse up front: the limit trips while the body streams in."""

    def chunks() -> Iterator[bytes]:
        yield b'{"program": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'

    big = httpx.post(
        f"{base_url}/v1/prove", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in big.request.headers
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
    metrics = httpx.get(f"{base_url}/metrics").text
    assert 'reason="too_large"' in metrics


def test_untranslatable_without_llm_is_422(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/reason",
        json={"premises": ["Cats purr when they are happy, mostly."], "conclusion": "Cats purr."},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "untranslatable"


def test_batch_partial_failure_keeps_order(base_url: str) -> None:
    good = {"premises": ["Bob is big."], "conclusion": "Bob is big."}
    bad = {"premises": ["Bob is big, surely."], "conclusion": "Bob is big."}
    body = httpx.post(f"{base_url}/v1/reason/batch", json={"problems": [good, bad, good]}).json()
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert results[0]["verdict"] == results[2]["verdict"] == "true"
    assert results[1]["status"] == "rejected"
    assert results[1]["error"]["code"] == "untranslatable"


def test_runaway_problem_times_out(base_url: str) -> None:
    body = httpx.post(
        f"{base_url}/v1/prove",
        json={"premises": SPIN, "conclusion": "P(a)", "backend": "z3", "timeout_s": 0.5},
        timeout=30,
    ).json()
    assert body["status"] == "timeout" and body["verdict"] is None
    # the service is still healthy and answers the next problem
    assert httpx.post(f"{base_url}/v1/prove", json={"program": SOCRATES}).json()["verdict"]


def test_metrics(base_url: str) -> None:
    httpx.post(f"{base_url}/v1/prove", json={"program": SOCRATES})
    text = httpx.get(f"{base_url}/metrics").text
    assert 'logicsvc_results_total{status="ok",verdict="true"}' in text
    assert "logicsvc_request_seconds_bucket" in text
    assert "logicsvc_prover_seconds_count" in text


def test_api_keys() -> None:
    with serve("serve", LOGICSVC_API_KEYS="k1,k2") as url:
        denied = httpx.post(f"{url}/v1/prove", json={"program": SOCRATES})
        assert denied.status_code == 401 and denied.json()["error"]["code"] == "unauthorized"
        wrong = httpx.post(
            f"{url}/v1/prove", json={"program": SOCRATES}, headers={"Authorization": "Bearer x"}
        )
        assert wrong.status_code == 401
        ok = httpx.post(
            f"{url}/v1/prove", json={"program": SOCRATES}, headers={"Authorization": "Bearer k2"}
        )
        assert ok.status_code == 200
        assert httpx.get(f"{url}/healthz").status_code == 200  # probes stay open


@pytest.mark.parametrize("command", [["serve"], ["mcp", "--transport", "http"]])
def test_refuses_public_address_without_keys(command: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "logicsvc.cli", *command, "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("LOGICSVC_")},
    )
    assert proc.returncode == 2 and "LOGICSVC_API_KEYS" in proc.stderr


def test_llm_path_fallback_busy_and_down(shared_datasets: Path) -> None:
    programs = shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"

    item = json.loads(programs.read_text())[0]
    problem = {"premises": [item["context"]], "conclusion": item["question"].split("? ")[-1]}
    with (
        serve("replay-server", str(programs), "--latency", "2.0") as replay,
        serve(
            "serve",
            LOGICSVC_LLM_BASE_URL=f"{replay}/v1",
            LOGICSVC_MAX_IN_FLIGHT="1",
            LOGICSVC_LLM_MAX_RETRIES="0",
        ) as url,
    ):
        assert httpx.get(f"{url}/readyz").json()["llm"] == "reachable"
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            slow = pool.submit(httpx.post, f"{url}/v1/reason", json=problem, timeout=60)
            time.sleep(0.5)  # the first request is now waiting on the replay latency
            busy = httpx.post(f"{url}/v1/reason", json=problem)
            answer = slow.result()
        assert busy.status_code == 429 and busy.headers["retry-after"]
        body = answer.json()
        # outside the controlled fragment, so the LLM wrote the program
        assert answer.status_code == 200 and body["translator"] == "llm"
        assert body["verdict"] == {"A": "true", "B": "false"}.get(item["answer"], "unknown")
        assert body["attempts"] and body["llm_calls"] == 1
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    with serve("serve", LOGICSVC_LLM_BASE_URL=dead, LOGICSVC_LLM_MAX_RETRIES="0") as url:
        down = httpx.post(f"{url}/v1/reason", json=problem, timeout=60)
        assert down.status_code == 503 and down.headers["retry-after"]
        assert down.json()["error"]["code"] == "llm_unavailable"
        # the offline path still serves: degraded, not unready (issue 17, item 20)
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 200 and ready.json()["degraded"] is True
        assert ready.json()["llm"].startswith("unreachable")


def test_batch_answers_by_its_deadline_with_what_finished(shared_datasets: Path) -> None:
    """A problem still waiting on the LLM at the deadline is one ``timeout`` result; the
    problems that finished keep their answers instead of the whole batch becoming a 504."""
    programs = shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"

    item = json.loads(programs.read_text())[0]  # recorded, so the replay answers it, late
    slow = {"premises": [item["context"]], "conclusion": item["question"].split("? ")[-1]}
    quick = {"premises": ["Bob is big."], "conclusion": "Bob is big."}
    with (
        serve("replay-server", str(programs), "--latency", "8") as replay,
        serve(
            "serve",
            LOGICSVC_LLM_BASE_URL=f"{replay}/v1",
            LOGICSVC_LLM_MAX_RETRIES="0",
            LOGICSVC_REQUEST_TIMEOUT_S="3",
        ) as url,
    ):
        response = httpx.post(
            f"{url}/v1/reason/batch", json={"problems": [quick, slow, quick]}, timeout=60
        )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert results[0]["verdict"] == results[2]["verdict"] == "true"
    assert results[1]["status"] == "timeout", results[1]
    assert results[1]["error"]["code"] == "deadline_exceeded"
    assert "problem 1" in results[1]["error"]["message"]


def test_readiness_asks_the_llm_server_past_its_cache(shared_datasets: Path) -> None:
    """With the model configured nothing else contacts the server: /readyz must, once its
    cached answer is older than LOGICSVC_LLM_READY_CACHE_S (0 here: every time)."""
    programs = shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"
    replay = serve("replay-server", str(programs))
    replay_url = replay.__enter__()
    try:
        with serve(
            "serve",
            LOGICSVC_LLM_BASE_URL=f"{replay_url}/v1",
            LOGICSVC_LLM_MODEL="replay",
            LOGICSVC_LLM_MAX_RETRIES="0",
            LOGICSVC_LLM_READY_CACHE_S="0",
        ) as url:
            assert httpx.get(f"{url}/readyz").json()["llm"] == "reachable"
            replay.__exit__(None, None, None)
            down = httpx.get(f"{url}/readyz", timeout=30)
            assert down.status_code == 200 and down.json()["degraded"] is True
            assert down.json()["llm"].startswith("unreachable")
    finally:
        replay.__exit__(None, None, None)


def test_fallacies_endpoint(tmp_path: Path, base_url: str) -> None:
    texts = ["If Bob is rich then Bob is happy. Bob is happy. Therefore, Bob is rich."]
    unconfigured = httpx.post(f"{base_url}/v1/fallacies", json={"texts": texts})
    assert unconfigured.status_code == 422
    assert unconfigured.json()["error"]["code"] == "no_classifier"
    from logicsvc.fallacies.baseline import train

    model = tmp_path / "model.bin"
    train(
        ["Everyone believes it so it is true.", "Many people do it, so it is right.",
         "He is a liar so his plan is bad.", "Ignore her, she is rude."],
        ["ad populum", "ad populum", "ad hominem", "ad hominem"],
    ).save(model)  # fmt: skip
    with serve("serve", LOGICSVC_FALLACY_MODEL=str(model)) as url:
        body = httpx.post(
            f"{url}/v1/fallacies", json={"texts": [*texts, "Everybody agrees, so it is true."]}
        ).json()
    formal, informal = body["results"]
    assert formal["label"] == "fallacy of logic"
    assert formal["formal"]["form"] == "affirming the consequent"
    assert informal["index"] == 1 and informal["label"] in ("ad populum", "ad hominem")


def test_program_limits_count_premises_not_characters(base_url: str) -> None:
    long_ok = "Premises:\n" + "".join(f"P{i}(a) ::: {'x' * 1500}\n" for i in range(4))
    response = httpx.post(
        f"{base_url}/v1/prove", json={"program": long_ok + "Conclusion:\nP0(a)\n"}
    )
    assert response.status_code == 200 and response.json()["verdict"] == "true"
    too_many = "Premises:\n" + "".join(f"P{i}(a)\n" for i in range(6)) + "Conclusion:\nP0(a)\n"
    response = httpx.post(f"{base_url}/v1/prove", json={"program": too_many})
    assert response.status_code == 422 and response.json()["error"]["code"] == "too_many_premises"


def test_premise_limits_count_premises_in_every_form(base_url: str) -> None:
    """The limit is 5 here: five premises pass as formulas, sentences or a program (the
    conclusion is not a premise); six sentences in one text are six premises."""
    five = {"premises": [f"P{i}(a)" for i in range(5)], "conclusion": "P0(a)"}
    assert httpx.post(f"{base_url}/v1/prove", json=five).status_code == 200
    sentences = [f"Bob is big{i}." for i in range(5)]
    ok = httpx.post(
        f"{base_url}/v1/reason", json={"premises": sentences, "conclusion": "Bob is big0."}
    )
    assert ok.status_code == 200, ok.text
    one_text = {
        "premises": [" ".join(f"Bob is big{i}." for i in range(6))],
        "conclusion": "Bob is big0.",
    }
    response = httpx.post(f"{base_url}/v1/reason", json=one_text)
    assert response.status_code == 422 and response.json()["error"]["code"] == "too_many_premises"


def test_a_stray_parenthesis_does_not_hide_deep_nesting(base_url: str) -> None:
    program = (
        "Premises:\n# " + ")" * 100 + "\n" + "(" * 70 + "P(a)" + ")" * 70 + "\nConclusion:\nP(a)\n"
    )
    response = httpx.post(f"{base_url}/v1/prove", json={"program": program})
    assert response.status_code == 422 and response.json()["error"]["code"] == "too_deep"


def test_request_deadline_is_504() -> None:
    with serve("serve", LOGICSVC_REQUEST_TIMEOUT_S="1") as url:
        response = httpx.post(
            f"{url}/v1/prove",
            json={"premises": SPIN, "conclusion": "P(a)", "backend": "z3", "timeout_s": 5},
            timeout=30,
        )
        assert response.status_code == 504
        assert response.json()["error"]["code"] == "deadline_exceeded"
        # the worker it abandoned does not block the next request for long
        assert (
            httpx.post(f"{url}/v1/prove", json={"program": SOCRATES}, timeout=30).json()["verdict"]
            == "true"
        )


def test_a_bug_in_one_batch_problem_is_that_problems_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In process, with the translator made to fail for one problem as a bug would."""
    from fastapi.testclient import TestClient

    from logicsvc.service import app as app_module
    from logicsvc.service import routes
    from logicsvc.settings import Settings

    real = routes._reason

    async def flaky(svc: routes.Service, body: routes.ReasonRequest) -> routes.Reasoned:
        if body.conclusion == "Bob is small.":
            raise RuntimeError("a bug")
        return await real(svc, body)

    monkeypatch.setattr(routes, "_reason", flaky)
    settings = Settings(_env_file=None, prover_workers=1)  # type: ignore[call-arg]
    good = {"premises": ["Bob is big."], "conclusion": "Bob is big."}
    bad = {"premises": ["Bob is big."], "conclusion": "Bob is small."}
    with TestClient(app_module.create_app(settings)) as client:
        response = client.post("/v1/reason/batch", json={"problems": [good, bad, good]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["ok", "error", "ok"]
    assert results[1]["error"] == {"code": "internal_error", "message": "RuntimeError: a bug"}

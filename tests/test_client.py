"""logicsvc.client against the live service (``logicsvc serve`` over HTTP)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from logicsvc.client import (
    AsyncClient,
    AuthenticationError,
    BusyError,
    Client,
    InvalidRequestError,
    UpstreamError,
)
from logicsvc.service.responses import ProveResponse, ReasonResponse
from tests.test_service import SOCRATES, SPIN, serve

BOB = ["If Bob is rich then Bob is happy.", "Bob is happy."]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve("serve", LOGICSVC_API_KEYS="k1", LOGICSVC_PROVER_WORKERS="1") as url:
        yield url


def test_sync_answers_are_the_services_models(base_url: str) -> None:
    with Client(base_url, api_key="k1") as client:
        assert client.health().status == "ok"
        proved = client.prove(SOCRATES)
        assert isinstance(proved, ProveResponse)
        assert (proved.verdict, proved.used_premises) == ("true", [0, 1])
        assert proved.proof is not None and proved.proof.nodes[0].label == "Mortal(socrates)"
        unknown = client.reason(BOB, "Bob is rich.", translator="rules")
        assert isinstance(unknown, ReasonResponse) and unknown.verdict == "unknown"
        assert unknown.countermodel is not None
        assert unknown.countermodel.facts == ["Happy(bob)", "¬Rich(bob)"]
        used = client.reason(["All men are mortal. Socrates is a man."], "Socrates is mortal.")
        assert used.used_sources is not None
        assert [(s.premise, s.sentence) for s in used.used_sources] == [(1, 1), (1, 2)]
        batch = client.reason_batch(
            [{"premises": BOB, "conclusion": "Bob is rich."}, {"premises": [], "conclusion": "?"}]
        )
        assert [r.status for r in batch.results] == ["ok", "rejected"]
        first = batch.results[0]
        assert (first.verdict, first.used_sources) == ("unknown", [])  # none used
        assert first.countermodel is not None and "¬Rich(bob)" in first.countermodel.facts
        assert batch.results[1].error is not None
        assert batch.results[1].error.code == "untranslatable"
        translated = client.translate(BOB, "Bob is rich.")
        assert translated.program.startswith("Premises:\nRich(bob) → Happy(bob)")


def test_async_answers_the_same(base_url: str) -> None:
    async def run() -> tuple[ProveResponse, ProveResponse]:
        async with AsyncClient(base_url, api_key="k1") as client:
            formulas = ["∀x (Man(x) → Mortal(x))", "Man(socrates)"]
            return await asyncio.gather(
                client.prove(SOCRATES),
                client.prove(premises=formulas, conclusion="¬Mortal(socrates)"),
            )

    true, false = asyncio.run(run())
    assert (true.verdict, false.verdict) == ("true", "false")


def test_error_answers_are_typed_exceptions(base_url: str) -> None:
    with Client(base_url, api_key="k1") as client:
        with pytest.raises(InvalidRequestError) as syntax:
            client.prove(premises=["Man(x) → → Mortal(x)"], conclusion="P", lenient=False)
        assert (syntax.value.status, syntax.value.code) == (422, "syntax_error")
        assert syntax.value.detail.span == {
            "line": 1,
            "column": 10,
            "end_line": 1,
            "end_column": 11,
        }
        assert syntax.value.to_dict()["expected"]
        with pytest.raises(InvalidRequestError, match="send either 'program'"):
            client.prove()
    with Client(base_url, api_key="wrong") as client, pytest.raises(AuthenticationError):
        client.prove(SOCRATES)


def test_a_busy_server_is_a_busy_error_and_is_waited_out() -> None:
    """One slot: a spinning problem holds it; a client without retries gets BusyError,
    one with retries waits it out."""
    with serve("serve", LOGICSVC_MAX_IN_FLIGHT="1", LOGICSVC_PROVER_WORKERS="1") as url:

        def hold() -> None:  # retried itself, in case our probing took the slot first
            with Client(url, retries=100, max_wait_s=0.2) as holder:
                holder.prove(premises=SPIN, conclusion="P(a)", timeout_s=3)

        spin = threading.Thread(target=hold)
        spin.start()
        deadline = time.monotonic() + 60
        with Client(url, retries=0) as impatient:
            while True:  # until the spinning request holds the slot
                try:
                    impatient.prove(SOCRATES)
                except BusyError as busy:
                    assert (busy.status, busy.code, busy.retry_after) == (
                        429,
                        "too_many_requests",
                        1.0,
                    )
                    break
                assert time.monotonic() < deadline, "the spinning request never held the slot"
        statuses: list[int] = []
        with Client(url, retries=30, max_wait_s=1) as client:
            client._http.event_hooks["response"] = [lambda r: statuses.append(r.status_code)]
            proved = client.prove(SOCRATES)
        spin.join()
        assert proved.verdict == "true" and statuses[-1] == 200 and set(statuses) <= {429, 200}


PROVED = {
    "verdict": "true",
    "status": "ok",
    "backend": "z3",
    "used_premises": [0, 1],
    "elapsed_ms": 1.0,
}


def test_retries_wait_as_long_as_retry_after_says(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(
        [
            httpx.Response(
                429,
                json={"error": {"code": "busy", "message": "."}},
                headers={"Retry-After": "0.25"},
            ),
            httpx.Response(503, json={"error": {"code": "llm_unavailable", "message": "."}}),
            httpx.Response(200, json=PROVED),
        ]
    )
    waits: list[float] = []
    monkeypatch.setattr("logicsvc.client.time.sleep", waits.append)
    with Client(transport=httpx.MockTransport(lambda _: next(answers))) as client:
        assert client.prove(SOCRATES).verdict == "true"
    assert waits == [0.25, 1.0]  # the server's word, then backoff (0.5 s doubled) without one


def test_unreachable_llm_is_retried_then_raised() -> None:
    calls: list[str] = []

    def down(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        body = {"error": {"code": "llm_unavailable", "message": "connection refused"}}
        return httpx.Response(503, json=body, headers={"Retry-After": "0"})

    client = Client(transport=httpx.MockTransport(down), retries=2)
    with pytest.raises(UpstreamError) as raised:
        client.reason(BOB, "Bob is rich.", translator="llm")
    assert calls == ["/v1/reason"] * 3
    assert (raised.value.code, raised.value.retry_after) == ("llm_unavailable", 0.0)

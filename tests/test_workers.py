"""The prover pool, with real worker processes (spawned), real kills and real crashes."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from logicsvc import provers
from logicsvc.errors import DSLSyntaxError, FragmentError
from logicsvc.load import load_problem
from logicsvc.provers import Limits, Result
from logicsvc.provers.result import ChoiceResult
from logicsvc.service.textjobs import ProveText
from logicsvc.service.workers import TIMEOUT_WARNING, ProverPool
from logicsvc.syntax.ast import Problem
from tests.workers_helpers import misbehave

SOCRATES = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(s)\nConclusion:\nMortal(s)\n"
PROGRAMS = [
    SOCRATES,
    "Premises:\n∀x (Man(x) → ¬Mortal(x))\nMan(s)\nConclusion:\nMortal(s)\n",  # false
    "Premises:\n∀x (Man(x) → Mortal(x))\nMan(s)\nConclusion:\nHappy(s)\n",  # unknown
    "Premises:\nCat(t)\nDog(r)\nConclusion:\nDog(r)\n",  # true, from premise 1 alone
]
SPIN = (  # a strict order with no last element: only infinite models, Z3 spins
    "Premises:\n∀x ∃y Lt(x, y)\n∀x ¬Lt(x, x)\n∀x ∀y ∀z ((Lt(x, y) ∧ Lt(y, z)) → Lt(x, z))\n"
    "Conclusion:\nQ(a)\n"
)
LIMITS = Limits(timeout_s=5.0)


def problem(text: str = SOCRATES) -> Problem:
    return load_problem(text).problem


def misdeed(name: str) -> Problem:
    """A problem that makes ``misbehave`` do ``name`` (Sleep, Exit, Segv, Hog, ...)."""
    return problem(f"Premises:\nA(b)\nConclusion:\n{name}(b)\n")


def run(pool: ProverPool, body: Callable[[ProverPool], Awaitable[Any]]) -> Any:
    """Start the pool, run ``body`` on it and close it, in a fresh event loop."""

    async def main() -> Any:
        async with pool:
            return await body(pool)

    return asyncio.run(main())


def key(result: Result) -> tuple[Any, ...]:
    return result.status, result.verdict, result.used_premises


async def replaced(pool: ProverPool, old_pids: list[int], within: float = 15.0) -> None:
    """Wait until every old worker is gone and the pool is back to full size."""
    deadline = time.monotonic() + within
    while pool.alive() < pool.size or not set(pool.pids()).isdisjoint(old_pids):
        assert time.monotonic() < deadline, (pool.alive(), pool.pids(), old_pids)
        await asyncio.sleep(0.05)
    assert all(dead(pid) for pid in old_pids)


def dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def still_proves(pool: ProverPool) -> None:
    assert key(await pool.prove(problem(), LIMITS)) == ("ok", "true", (0, 1))


def test_same_result_as_in_process() -> None:
    expected = provers.prove(problem(), LIMITS)
    got = run(ProverPool(1), lambda pool: pool.prove(problem(), LIMITS))
    assert key(got) == key(expected) == ("ok", "true", (0, 1))
    assert (got.backend, got.proof) == (expected.backend, expected.proof)


def test_concurrent_callers_get_their_own_answers() -> None:
    problems = [problem(text) for text in PROGRAMS * 2]
    expected = [provers.prove(p, LIMITS) for p in problems]
    assert [e.verdict for e in expected[:4]] == ["true", "false", "unknown", "true"]

    async def body(pool: ProverPool) -> Any:
        pids = pool.pids()
        results = await asyncio.gather(*(pool.prove(p, LIMITS) for p in problems))
        assert pool.pids() == pids  # nobody was killed
        return results

    pool = ProverPool(2)
    results = run(pool, body)
    assert [key(r) for r in results] == [key(e) for e in expected]
    assert pool.stats == {"jobs": 8, "timeouts": 0, "crashes": 0, "restarts": 0}


def test_runaway_job_is_killed_and_replaced() -> None:
    async def body(pool: ProverPool) -> None:
        old = pool.pids()
        began = time.monotonic()
        result = await pool.prove(misdeed("Sleep"), Limits(timeout_s=0.5))
        took = time.monotonic() - began
        assert (result.status, result.verdict, result.warnings) == (
            "timeout",
            None,
            (TIMEOUT_WARNING,),
        )
        assert took >= 0.95, took  # it waited the deadline (timeout_s + grace_s = 1.0) first
        await replaced(pool, old)
        await still_proves(pool)
        assert pool.stats == {"jobs": 2, "timeouts": 1, "crashes": 0, "restarts": 1}

    run(ProverPool(1, grace_s=0.5, job=misbehave), body)


def test_waiting_caller_gets_the_replacement() -> None:
    async def body(pool: ProverPool) -> list[Result]:
        runaway = pool.prove(misdeed("Sleep"), Limits(timeout_s=0.2))
        return list(await asyncio.gather(runaway, pool.prove(problem(), LIMITS)))

    timed_out, fine = run(ProverPool(1, grace_s=0.2, job=misbehave), body)
    assert timed_out.status == "timeout"
    assert key(fine) == ("ok", "true", (0, 1))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Exit", "the prover process died (exit code 1)"),
        ("Segv", "the prover process died (signal Segmentation fault)"),
        ("Hog", "the prover ran out of memory (limit 512 MiB)"),
    ],
)
def test_crash_is_reported_and_worker_replaced(name: str, message: str) -> None:
    async def body(pool: ProverPool) -> None:
        old = pool.pids()
        result = await pool.prove(misdeed(name), LIMITS)
        assert (result.status, result.verdict) == ("error", None)
        assert result.error == {"code": "prover_crashed", "message": message}
        await replaced(pool, old)
        await still_proves(pool)
        assert pool.stats == {"jobs": 2, "timeouts": 0, "crashes": 1, "restarts": 1}

    run(ProverPool(1, memory_mb=512, job=misbehave), body)


def test_prover_errors_come_back_with_type_and_code() -> None:
    async def body(pool: ProverPool) -> None:
        pids = pool.pids()
        with pytest.raises(FragmentError) as info:
            await pool.prove(problem(), LIMITS, backend="z3", world="closed")
        assert info.value.code == "outside_fragment"
        assert info.value.message == "the closed world needs the backward chainer, not z3"
        with pytest.raises(ValueError, match="unknown backend"):
            await pool.prove(problem(), LIMITS, backend="nope")  # type: ignore[arg-type]
        assert pool.pids() == pids  # an exception does not cost the worker
        await still_proves(pool)

    run(ProverPool(1), body)


@pytest.mark.parametrize("name", ["Syntax", "Custom"])
def test_error_attributes_survive_the_trip(name: str) -> None:
    with pytest.raises(FragmentError if name == "Custom" else DSLSyntaxError) as local:
        misbehave(misdeed(name), LIMITS)

    async def body(pool: ProverPool) -> None:
        with pytest.raises(type(local.value)) as remote:
            await pool.prove(misdeed(name), LIMITS)
        assert type(remote.value) is type(local.value)
        assert remote.value.to_dict() == local.value.to_dict()  # code, message, span, ...
        assert str(remote.value) == str(local.value)
        assert "raised in a prover worker" in remote.value.__notes__[0]

    run(ProverPool(1, job=misbehave), body)


def test_spinning_z3_problem_times_out_and_pool_survives() -> None:
    async def body(pool: ProverPool) -> None:
        result = await pool.prove(problem(SPIN), Limits(timeout_s=0.5), backend="z3")
        assert (result.status, result.verdict) == ("timeout", None)
        # Z3 stopped itself at 0.5 s: the pool never had to kill the worker
        assert pool.stats["timeouts"] == 0 and pool.stats["restarts"] == 0
        assert TIMEOUT_WARNING not in result.warnings
        await still_proves(pool)
        assert pool.alive() == 1

    run(ProverPool(1, grace_s=0.5), body)


def test_cancelled_caller_does_not_leak_its_answer() -> None:
    async def body(pool: ProverPool) -> None:
        old = pool.pids()
        task = asyncio.create_task(pool.prove(misdeed("Sleep"), LIMITS))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await replaced(pool, old)
        await still_proves(pool)

    run(ProverPool(1, job=misbehave), body)


def test_close_leaves_no_children_and_refuses_new_work() -> None:
    async def body() -> list[int]:
        pool = ProverPool(2, job=misbehave)
        await pool.start()
        pids = pool.pids()
        assert pool.alive() == 2 and len(pids) == 2
        calls = [asyncio.create_task(pool.prove(misdeed("Sleep"), LIMITS)) for _ in range(3)]
        await asyncio.sleep(0.2)  # two are busy, one waits for a free worker
        await pool.close()
        answers = await asyncio.gather(*calls, return_exceptions=True)
        crashed = [a for a in answers if isinstance(a, Result)]
        refused = [a for a in answers if isinstance(a, RuntimeError)]
        assert len(crashed) == 2 and len(refused) == 1, answers
        assert all(a.error and a.error["code"] == "prover_crashed" for a in crashed)
        assert pool.alive() == 0
        with pytest.raises(RuntimeError, match="closed"):
            await pool.prove(problem(), LIMITS)
        return pids

    pids = asyncio.run(body())
    assert all(dead(pid) for pid in pids)
    assert {p.pid for p in multiprocessing.active_children()}.isdisjoint(pids)


def test_close_wakes_a_caller_whose_pipe_it_closed_first() -> None:
    """close() may close a busy worker's pipe before the loop has seen its EOF; epoll then
    forgets the descriptor, so the caller must be woken by close() itself. (This raced in
    the test above; here the pipe is closed first on purpose.)"""

    class Abrupt(ProverPool):
        async def _reap(self, worker: Any) -> None:
            worker.conn.close()
            await super()._reap(worker)

    async def body() -> Result:
        pool = Abrupt(1, job=misbehave)
        await pool.start()
        call = asyncio.create_task(pool.prove(misdeed("Sleep"), Limits(timeout_s=2.0)))
        await asyncio.sleep(0.2)
        await pool.close()
        return await call

    result = asyncio.run(body())
    assert result.status == "error", result  # not "timeout", 3 s later
    assert result.error is not None and result.error["code"] == "prover_crashed"
    assert "closed" in result.error["message"]


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ProverPool(0)


CHOICE = (
    "Premises:\nCat(t)\n∀x (Cat(x) → Pet(x))\n"
    "Question:  could be false  # which may fail\nOptions:\nA) Pet(t)\nB) Cat(t)\nC) Dog(t)\n"
)


def _choice_text(program: str) -> ProveText:
    return ProveText(program, (), "", None, True, 100, "auto", "open")


def test_the_question_kind_is_read_from_a_programs_text() -> None:
    assert _choice_text(CHOICE).question_kind() == "could be false"
    assert _choice_text(SOCRATES).question_kind() is None
    assert _choice_text("Premises:\nA\nQuestion: accurate list\nOptions:\n").question_kind() == (
        "accurate list"
    )
    assert _choice_text("# Question: must be true\n" + SOCRATES).question_kind() is None
    windows = "Premises:\r\nA\r\nQuestion: must be true\r\nOptions:\r\nA) A\r\n"
    assert _choice_text(windows).question_kind() == "must be true"  # CRLF lines parse too
    prover9 = ProveText(CHOICE, (), "", "prover9", True, 100, "auto", "open")
    assert prover9.question_kind() is None
    premises = ProveText(None, ("Question: must be true",), "Q", None, True, 100, "auto", "open")
    assert premises.question_kind() is None


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_lost_multiple_choice_job_on_prove_text_keeps_its_kind(how: str) -> None:
    """A question whose worker the pool stops at the deadline (here: a worker frozen by
    SIGSTOP) or loses (SIGKILL) is answered as a choice, with its kind, not as a yes/no
    result; the pool then answers the same question properly."""

    async def body(pool: ProverPool) -> tuple[Any, Any]:
        (pid,) = pool.pids()
        job = asyncio.ensure_future(pool.prove_text(_choice_text(CHOICE), Limits(timeout_s=0.3)))
        await asyncio.sleep(0)  # sent: the worker is reading or parsing it now
        os.kill(pid, signal.SIGSTOP if how == "stopped" else signal.SIGKILL)
        lost = await job
        await replaced(pool, [pid])
        return lost, await pool.prove_text(_choice_text(CHOICE), LIMITS)

    lost, fine = run(ProverPool(1, grace_s=0.2), body)
    assert isinstance(lost.result, ChoiceResult), lost
    assert lost.result.kind == "could be false"
    answer = lost.result.to_dict()
    assert answer["kind"] == "could be false" and answer["answer"] is None
    if how == "stopped":
        assert answer["status"] == "timeout" and TIMEOUT_WARNING in answer["warnings"]
    else:
        assert answer["status"] == "error" and answer["error"]["code"] == "prover_crashed"
    assert isinstance(fine.result, ChoiceResult)
    assert (fine.result.status, fine.result.answer, fine.result.kind) == (
        "ok",
        "C",
        "could be false",
    )

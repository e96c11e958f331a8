"""Issue 18, round 4: prover workers kept on one CPU each, read back from the kernel."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

from logicsvc.provers import Limits
from logicsvc.service.workers import ProverPool, usable_cpus
from tests.test_workers import SOCRATES, key, misdeed, problem
from tests.workers_helpers import misbehave

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity"), reason="CPU affinity is Linux's"
)
LIMITS = Limits(timeout_s=5.0)


@pytest.fixture(autouse=True)
def two_cpus_at_most() -> Iterator[None]:
    """The tests start one worker per usable CPU, and more: on a large host that would be
    dozens of processes, so the test (and the workers it spawns) may use two at most."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, set(sorted(before)[:2]))
    yield
    os.sched_setaffinity(0, before)


def placements(pool: ProverPool) -> list[set[int]]:
    """Each living worker's CPUs, as the kernel reports them, in a stable order."""
    return sorted((os.sched_getaffinity(pid) for pid in pool.pids()), key=sorted)


def run(pool: ProverPool, body: Any) -> Any:
    async def main() -> Any:
        async with pool:
            return await body(pool)

    return asyncio.run(main())


def test_pinned_workers_each_keep_one_cpu_through_a_replacement() -> None:
    cpus = usable_cpus()
    expected = sorted(({cpus[i % len(cpus)]} for i in range(2)), key=sorted)

    async def body(pool: ProverPool) -> None:
        assert placements(pool) == expected
        for crash in (1, 2):  # the first worker, then the other (its replacement queues last)
            crashed = await pool.prove(misdeed("Exit"), LIMITS)
            assert crashed.error is not None and crashed.error["code"] == "prover_crashed"
            while pool.stats["restarts"] < crash:  # the replacement is up (and placed)
                await asyncio.sleep(0.05)
            assert placements(pool) == expected  # it took the lost worker's CPU
        assert key(await pool.prove(problem(SOCRATES), LIMITS)) == ("ok", "true", (0, 1))

    run(ProverPool(2, job=misbehave, pin=True), body)


def test_auto_pins_one_worker_per_usable_cpu_and_no_other_pool() -> None:
    cpus = usable_cpus()
    one_each = ProverPool(len(cpus))
    assert one_each.cpus == cpus
    assert run(one_each, lambda pool: asyncio.sleep(0, placements(pool))) == [{c} for c in cpus]
    more = ProverPool(len(cpus) + 1)
    assert more.cpus == [None] * (len(cpus) + 1)
    everywhere = run(more, lambda pool: asyncio.sleep(0, placements(pool)))
    assert everywhere == [set(cpus)] * (len(cpus) + 1)
    assert ProverPool(len(cpus), pin=False).cpus == [None] * len(cpus)


def test_a_cpu_that_cannot_be_had_leaves_the_worker_unpinned() -> None:
    pool = ProverPool(1, pin=True)
    pool.cpus = [max(usable_cpus()) + 4096]  # no such CPU: the kernel refuses it

    async def body(pool: ProverPool) -> list[set[int]]:
        assert key(await pool.prove(problem(SOCRATES), LIMITS)) == ("ok", "true", (0, 1))
        return placements(pool)

    assert run(pool, body) == [set(usable_cpus())]


@pytest.mark.parametrize(("setting", "pinned"), [("auto", True), ("on", True), ("off", False)])
def test_the_service_pins_as_its_setting_says(setting: str, pinned: bool) -> None:
    from fastapi.testclient import TestClient

    from logicsvc.service.app import create_app
    from logicsvc.settings import Settings

    workers = len(usable_cpus())  # auto pins one worker per usable CPU
    settings = Settings(_env_file=None, prover_workers=workers, prover_pin=setting)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        pool = client.app.state.svc.pool  # type: ignore[attr-defined]
        assert (pool.cpus == usable_cpus()) is pinned
        if workers > 1:  # one CPU is where every worker runs, pinned or not
            assert (placements(pool) == [{c} for c in usable_cpus()]) is pinned

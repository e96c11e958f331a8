"""A pool of long-lived prover processes, so the async service never proves on its event loop.

- Only a process can be stopped for sure (Z3 in C code ignores Python), so jobs run in worker
  processes.  The provers enforce ``limits.timeout_s``; the pool is the backstop at
  ``timeout_s + grace_s``: it kills the worker (SIGTERM, then SIGKILL) and answers
  ``timeout``.  A worker that dies (segfault, exit, the ``RLIMIT_AS`` cap it sets on itself)
  is answered ``error``/``prover_crashed``.  Either way a fresh worker is started in the
  background.  Callers beyond ``size`` wait on an asyncio queue of idle workers.
- ``spawn``, never ``fork``: forking a threaded server copies locks other threads hold.
  Spawning (~0.3 s) is paid at start and on replacement only.  A spawned child inherits no
  other worker's pipe, so a dead worker's pipe reaches EOF.
- Waiting is ``loop.add_reader`` on the pipe: no thread parked per call, clean cancellation,
  and a dead worker wakes its caller at once (EOF), not at the deadline.  A worker whose
  caller is cancelled mid-job is killed, so a late answer never reaches the next caller.
  Workers keep nothing between jobs but imported modules; the module keeps no state.
- With one worker per usable CPU, worker ``i`` is kept on CPU ``i`` (issue 18, round 4):
  left to the scheduler, the workers of a 2-core machine shared with other load often ran
  on one CPU together, and the load test served half as many requests a second.
- Exceptions travel as ``(type, args, __dict__, traceback)`` and are rebuilt without
  ``__init__`` (plain pickling re-calls ``cls(*args)``, which breaks keyword-only errors such
  as ``DSLSyntaxError``): ``code``, ``message`` and ``span`` survive.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing as mp
import os
import pickle
import resource
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from logicsvc.errors import ProverError
from logicsvc.provers import Backend, World, choose, prove
from logicsvc.provers.result import ChoiceResult, ChoiceStatus, Limits, Result
from logicsvc.service.textjobs import PARSE_S_PER_CHAR, Proved, ProveText, prove_text
from logicsvc.syntax.ast import ChoiceProblem, Problem

TIMEOUT_WARNING = "the prover exceeded its deadline and was stopped"
STARTUP_TIMEOUT_S = 60.0
KILL_WAIT_S = 0.5
log = logging.getLogger(__name__)


Job = Callable[..., Result]
"""What a worker runs, ``job(problem, limits, backend=, world=)``: module-level, so it pickles."""


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    slot: int
    """Its place in the pool (0 … size-1): a replacement takes the same one, and its CPU."""


PIN: dict[str, bool | None] = {"auto": None, "on": True, "off": False}
"""``LOGICSVC_PROVER_PIN`` as :class:`ProverPool`'s ``pin``."""


def usable_cpus() -> list[int]:
    """The CPUs this process may run on (its affinity, a container's cpuset), sorted."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return []


def _pin(cpu: int | None) -> None:
    """Keep this process on ``cpu``; where it cannot be (the CPU left the cpuset since),
    it runs where the scheduler puts it, as unpinned workers do."""
    if cpu is not None:
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:
            log.warning("a prover worker could not be kept on CPU %d", cpu)


def _pack(exc: BaseException) -> tuple[Any, ...]:
    packed = (type(exc), exc.args, dict(getattr(exc, "__dict__", {})), traceback.format_exc())
    try:
        pickle.dumps(packed)
    except Exception:
        return _pack(ProverError(f"{type(exc).__name__}: {exc}"))
    return packed


def _unpack(cls: type[BaseException], args: Any, state: Any, tb: str) -> BaseException:
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    exc.add_note("raised in a prover worker:\n" + tb.rstrip())
    return exc


def _worker_main(conn: Connection, memory_mb: int | None, job: Job, cpu: int | None) -> None:
    """A worker's life: cap memory, import the provers once, then serve jobs until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C hits the group; the parent stops us
    _pin(cpu)
    if memory_mb is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_mb * 2**20 if hard == resource.RLIM_INFINITY else min(memory_mb * 2**20, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    from logicsvc.provers import backward, z3_backend, z3_contexts  # noqa: F401  once, not per job
    from logicsvc.syntax.grammar import parser

    parser()  # built once here, not on the first request's clock
    z3_contexts.make_spare()  # the first explanation's context, made ahead too
    _send(conn, ("ready", os.getpid()))
    while True:
        try:
            job_id, problem, limits, backend, world = _recv(conn)
        except EOFError:
            return
        try:
            if isinstance(problem, ProveText):
                reply: tuple[Any, ...] = ("ok", prove_text(problem, limits, job))
            elif isinstance(problem, ChoiceProblem):
                reply = ("ok", choose(problem, limits))
            else:
                reply = ("ok", job(problem, limits, backend=backend, world=world))
        except MemoryError:
            reply = ("oom", None)
        except Exception as exc:
            reply = ("raise", _pack(exc))
        _send(conn, (job_id, *reply))
        z3_contexts.make_spare()  # after the answer: off the request's clock


def _unanswered(result: Result, kind: str) -> ChoiceResult:
    """A multiple-choice job the pool stopped (``timeout``) or lost (``error``), answered in
    the shape of a choice, its kind included, like every other answer to a question."""
    status: ChoiceStatus = "timeout" if result.status == "timeout" else "error"
    return ChoiceResult(
        status, kind, error=result.error, warnings=result.warnings, elapsed_ms=result.elapsed_ms
    )


async def _readable(
    fd: int, timeout: float, waiting: set[asyncio.Future[bool]] | None = None
) -> bool:
    """Wait, without a thread, until ``fd`` is readable (data or EOF) or the pool closes;
    False on timeout.

    ``waiting`` is where the pool finds this wait to end it on close: EOF alone is not
    enough, a pipe closed by this process while the reader waits leaves epoll, and its
    EOF is never reported. One future and one timer per wait, no task: this runs on
    every request.
    """
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()

    def settle(value: bool) -> None:
        if not ready.done():
            ready.set_result(value)

    loop.add_reader(fd, settle, True)
    timer = loop.call_later(timeout, settle, False)
    if waiting is not None:
        waiting.add(ready)
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)
        if waiting is not None:
            waiting.discard(ready)


def _send(conn: Connection, message: tuple[Any, ...]) -> None:
    """Plain ``pickle`` over the pipe: ``Connection.send`` builds a ``ForkingPickler``
    (and its reducer table) per message, which is for handles, not our data."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _recv(conn: Connection) -> Any:
    return pickle.loads(conn.recv_bytes())


class ProverPool:
    """``size`` prover processes; ``await pool.prove(...)`` runs one job on an idle one."""

    def __init__(
        self,
        size: int,
        *,
        memory_mb: int | None = 2048,
        grace_s: float = 1.0,
        job: Job = prove,
        pin: bool | None = None,
    ) -> None:
        """``pin``: keep worker ``i`` on the ``i``-th usable CPU (round robin); ``None``
        pins exactly when there are as many workers as usable CPUs (a machine or cpuset
        sized for them), never on a larger host whose other CPUs others may be using."""
        if size < 1:
            raise ValueError("a prover pool needs at least one worker")
        self.size, self.memory_mb, self.grace_s, self._job = size, memory_mb, grace_s, job
        cpus = usable_cpus()
        self.cpus: list[int | None] = (
            [cpus[i % len(cpus)] for i in range(size)]
            if cpus and (pin or (pin is None and len(cpus) == size))
            else [None] * size
        )
        """The CPU each slot's worker is kept on, or None: where the scheduler puts it."""
        self.stats = dict.fromkeys(("jobs", "timeouts", "crashes", "restarts"), 0)
        self._ctx = mp.get_context("spawn")
        self._workers: set[_Worker] = set()  # up, or starting
        self._dying: set[_Worker] = set()  # stopped, not yet reaped
        self._idle: asyncio.Queue[_Worker | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_id = 0
        self._started = self._closed = False
        self._waiting: set[asyncio.Future[bool]] = set()  # close() wakes these callers

    async def __aenter__(self) -> ProverPool:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def alive(self) -> int:
        """How many workers are up (for a readiness probe)."""
        return sum(w.process.is_alive() for w in self._workers)

    def pids(self) -> list[int]:
        return sorted(w.process.pid for w in self._workers if w.process.pid is not None)

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        spawns = [self._spawn(slot) for slot in range(self.size)]
        for worker in await asyncio.gather(*spawns, return_exceptions=True):
            if isinstance(worker, BaseException):
                await self.close()
                raise worker
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        """Stop and reap every worker; busy ones too (their callers get ``prover_crashed``)."""
        self._closed = True
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_result(True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        workers = [*self._workers, *self._dying]
        self._workers.clear()
        self._idle.put_nowait(None)  # wakes waiting callers, who pass it on
        await asyncio.gather(*(self._reap(w) for w in workers))

    async def prove(
        self, problem: Problem, limits: Limits, *, backend: Backend = "auto", world: World = "open"
    ) -> Result:
        result = await self._run(problem, limits, backend, world)
        assert isinstance(result, Result)
        return result

    async def choose(self, problem: ChoiceProblem, limits: Limits) -> ChoiceResult:
        """A multiple-choice question on a worker (``provers.choose``), same guarantees."""
        result = await self._run(problem, limits, "z3", "open")
        if isinstance(result, ChoiceResult):
            return result
        assert isinstance(result, Result)
        return _unanswered(result, problem.question.kind.value)

    async def prove_text(self, request: ProveText, limits: Limits) -> Proved:
        """Parse, check and prove a request's text on a worker (:mod:`.textjobs`); a worker
        that times out or dies is answered as :meth:`prove` answers it, without warnings, or
        where the text asks a multiple-choice question, as :meth:`choose` does (its kind
        read from the text: the worker that parsed it is gone)."""
        outcome = await self._run(request, limits, request.backend, request.world)
        if isinstance(outcome, Proved):
            return outcome
        assert isinstance(outcome, Result)
        kind = request.question_kind()
        return Proved(outcome if kind is None else _unanswered(outcome, kind))

    async def _run(
        self,
        problem: Problem | ChoiceProblem | ProveText,
        limits: Limits,
        backend: Backend,
        world: World,
    ) -> Result | ChoiceResult | Proved:
        await self.start()
        while True:
            if self._closed:
                raise RuntimeError("the prover pool is closed")
            worker = await self._idle.get()
            if worker is None:
                self._idle.put_nowait(None)  # pass close()'s wake-up on
            elif not self._closed and worker.process.is_alive():
                break
            elif not self._closed:
                self._retire(worker)  # died while idle: not this caller's fault
        self._next_id += 1
        job_id, began, kind = self._next_id, time.monotonic(), "timeout"
        payload: Any = None
        try:
            _send(worker.conn, (job_id, problem, limits, backend, world))
            wait_s = limits.timeout_s + self.grace_s
            if isinstance(problem, ProveText):  # parsing comes before the prover's deadline
                wait_s += problem.chars() * PARSE_S_PER_CHAR
            ready = await _readable(worker.conn.fileno(), wait_s, self._waiting)
            if ready and self._closed:
                kind = "closed"  # close() stops the worker; its pipe may be closed already
            elif ready:
                reply_id, kind, payload = _recv(worker.conn)
                kind = kind if reply_id == job_id else "died"  # cannot happen; never trust it
        except (EOFError, OSError):
            kind = "died"
        except BaseException:
            self._retire(worker)  # cancelled mid-job: its late answer must reach nobody
            raise
        self.stats["jobs"] += 1
        if kind in ("ok", "raise"):
            self._idle.put_nowait(worker)
            if kind == "raise":
                raise _unpack(*payload)
            assert isinstance(payload, Result | ChoiceResult | Proved)
            return payload
        self._retire(worker)
        ms = (time.monotonic() - began) * 1000
        if kind == "timeout":
            self.stats["timeouts"] += 1
            return Result("timeout", backend=backend, warnings=(TIMEOUT_WARNING,), elapsed_ms=ms)
        if kind == "oom":
            message = f"the prover ran out of memory (limit {self.memory_mb} MiB)"
        elif kind == "closed":
            message = "the prover pool was closed while the problem ran"
        else:
            await self._reap(worker)  # dead or dying: wait for its exit code
            code = worker.process.exitcode
            how = f"signal {signal.strsignal(-code)}" if code and code < 0 else f"exit code {code}"
            message = f"the prover process died ({how})"
        self.stats["crashes"] += 1
        error = {"code": "prover_crashed", "message": message}
        return Result("error", backend=backend, error=error, elapsed_ms=ms)

    async def _spawn(self, slot: int) -> _Worker:
        parent, child = self._ctx.Pipe()
        args = (child, self.memory_mb, self._job, self.cpus[slot])
        process = self._ctx.Process(target=_worker_main, args=args, name="prover", daemon=True)
        process.start()
        child.close()  # else the pipe never reaches EOF when the worker dies
        worker = _Worker(process, parent, slot)
        self._workers.add(worker)
        try:
            if await _readable(parent.fileno(), STARTUP_TIMEOUT_S) and _recv(parent)[0] == "ready":
                return worker
        except (EOFError, OSError):
            pass
        self._workers.discard(worker)
        await self._reap(worker)
        raise ProverError(f"a prover worker failed to start (exit code {process.exitcode})")

    def _retire(self, worker: _Worker) -> None:
        """Stop a worker now; reap it and start its replacement in the background."""
        worker.process.terminate()
        if self._closed:
            return  # close() reaps every worker it knew
        self._workers.discard(worker)
        self._dying.add(worker)
        task = asyncio.get_running_loop().create_task(self._replace(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _replace(self, old: _Worker) -> None:
        await self._reap(old)
        self._dying.discard(old)
        while True:  # close() cancels this task
            try:
                worker = await self._spawn(old.slot)
                break
            except ProverError as exc:
                log.warning("%s; retrying in 1 s", exc)
                await asyncio.sleep(1.0)
        self.stats["restarts"] += 1
        self._idle.put_nowait(worker)

    async def _reap(self, worker: _Worker) -> None:
        """SIGTERM a worker, SIGKILL it after ``KILL_WAIT_S``, join it, close its pipe."""
        worker.process.terminate()
        deadline = time.monotonic() + KILL_WAIT_S
        while worker.process.is_alive():  # a non-blocking waitpid, polled: this path is rare
            if time.monotonic() > deadline:
                worker.process.kill()
            await asyncio.sleep(0.01)
        worker.process.join(0)
        worker.conn.close()

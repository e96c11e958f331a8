"""Every Z3 check's deadline kept by one watchdog thread instead of Z3's per-check timer.

**Why.** A solver's ``timeout`` parameter makes every check start Z3's ``scoped_timer`` (a
helper thread woken through a condition variable) and, as the check ends, spin-yield until
that thread is idle again: ~19 % of FOLIO's proving CPU and ~1 ms of a ``/v1/prove`` request
(issue 18). Here one thread a process sleeps toward the earliest deadline of the checks
running now and calls ``Z3_interrupt`` on a context whose check has outlived its deadline;
arming a check takes a lock and, only when the watchdog must wake sooner, a notification.

**What Z3 does** (read in z3-4.15.4's source, the version pinned here):

- ``Z3_interrupt`` (``api::context::interrupt``, under the context's mutex, meant to be
  called from another thread) calls the handler a running check registered
  (``set_interruptable`` in ``api_solver.cpp``'s ``_solver_check``: the check's
  ``cancel_eh``, which cancels the manager's ``reslimit`` once and records who asked, so the
  check's reason becomes ``"interrupted"``), then cancels the context's own ``reslimit``
  (polynomials, real closed fields: unused here) and the manager's ``reslimit`` again,
  **whether or not a check is running**.
- ``_solver_check`` registers its handler, then pushes the check's rlimit
  (``scoped_rlimit``), and ``reslimit::push`` and ``pop`` both set the cancel count to 0
  (``util/rlimit.cpp``). So an interrupt that lands between a check's start and its push is
  lost: the check would run on, bounded by its rlimit alone. And one that lands after the
  pop stays: the manager counts as cancelled until a check pushes again, and meanwhile every
  Z3 call that polls the limit stops early without a word (``simplify`` hands back its input
  unsimplified; model evaluation and assertion rewriting poll it too).
- ``scoped_ctrl_c`` (a check's ``ctrl_c`` parameter, default true) swaps the process's SIGINT
  handler in and out around every check, from whichever thread checks; see ``new_solver``.

**Hence.** A check is armed (:func:`arm`) just before Z3 is called and disarmed
(:func:`disarm`) as soon as it returns, both under one lock; the watchdog, under the same
lock, interrupts only an arming that is still there and whose deadline has passed, and marks
it. While the arming stays, it interrupts again every ``_REPEAT_S``, so a lost interrupt is
made good. :func:`disarm` says whether the check was interrupted; a context that was is never
used for another problem (:func:`~logicsvc.provers.z3_contexts.retire`), so a cancel that
stayed cannot reach anything but the problem whose budget it ended, and that problem's
checks no longer run (its deadline has passed). An arming holds its ``z3.Context``: nothing
the watchdog may still interrupt is freed. The thread is a daemon (it never keeps a process
alive) started on the first check, and a forked child starts its own.

Between requests nothing is kept but the armings of checks running now (none of a finished
problem's): no verdict, term or model.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time

import z3

from logicsvc.provers.z3_raw import interrupt

_REPEAT_S = 0.01
"""How long an interrupted check may run on before it is interrupted again (one that lands
before Z3 pushes the check's rlimit is lost, see above)."""


@dataclasses.dataclass(eq=False, slots=True)
class Arming:
    """One check's claim on the watchdog: its context, deadline and what was done to it.

    Made before the ``try`` whose ``finally`` disarms it, and armed inside: an exception
    (a ``KeyboardInterrupt``) at any point then leaves nothing armed behind.
    """

    ctx: z3.Context
    deadline: float
    """``time.monotonic()`` at which the check is interrupted."""
    due: float = dataclasses.field(init=False)
    """When the watchdog next acts on it: the deadline, then every ``_REPEAT_S``."""
    interrupted: bool = False

    def __post_init__(self) -> None:
        self.due = self.deadline


class _Watch:
    """The armings and the thread that keeps them; one a process (a fork starts anew)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.armed: set[Arming] = set()
        self.thread: threading.Thread | None = None
        self.until: float | None = None
        """What the thread sleeps toward (``None``: until notified, or not started)."""

    def run(self) -> None:
        with self.lock:
            while True:
                now = time.monotonic()
                until: float | None = None
                for arming in self.armed:
                    if arming.due <= now:
                        interrupt(arming.ctx)
                        arming.interrupted = True
                        arming.due = now + _REPEAT_S
                    until = arming.due if until is None else min(until, arming.due)
                self.until = until
                self.wake.wait(None if until is None else until - now)


_watch = _Watch()


def arm(arming: Arming) -> None:
    """Have the check about to run in ``arming.ctx`` interrupted at its deadline unless it
    is disarmed first; costs a lock, and a wake-up only where the watchdog must act sooner
    than it planned to."""
    watch = _watch
    with watch.lock:
        watch.armed.add(arming)
        if watch.thread is None:
            watch.thread = threading.Thread(target=watch.run, name="z3-watchdog", daemon=True)
            watch.thread.start()
        elif watch.until is None or arming.deadline < watch.until:
            watch.wake.notify()


def disarm(arming: Arming) -> bool:
    """End ``arming`` (armed or not): once this returns, the watchdog no longer touches its
    context. True where it interrupted that context (then never to be used for another
    problem)."""
    watch = _watch
    with watch.lock:
        watch.armed.discard(arming)
        return arming.interrupted


def armed(ctx: z3.Context) -> bool:
    """Whether a check in ``ctx`` is armed now (for tests that hold every check to a
    deadline)."""
    with _watch.lock:
        return any(a.ctx is ctx for a in _watch.armed)


def _forked() -> None:
    """A child of ``fork`` has no watchdog thread, and its lock may have been held by it."""
    global _watch
    _watch = _Watch()


os.register_at_fork(after_in_child=_forked)

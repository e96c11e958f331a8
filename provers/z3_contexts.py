"""Where Z3 contexts come from: this thread's shared one, and fresh ones for explanations.

**Shared.** Creating a ``z3.Context`` costs more than deciding a small problem, so
callers that decide many problems (the evaluations, the service's workers) use their
thread's :func:`shared_context`, each problem with a solver of its own.

**Fresh.** An ``unknown``'s countermodel is found again in a fresh ``z3.Context`` so that it
depends on the problem alone (:mod:`~logicsvc.provers.z3_backend`), and making that
context (``Z3_mk_context``, 2-5 ms) was the largest single part of an explanation on
the service's FOLIO load (issue 18). A context that nothing has used is as fresh an hour
later as at once, so a long-lived process (a prover worker) may make the next one ahead:
:func:`make_spare` starts it on a helper thread (ctypes drops the GIL inside Z3, so it runs
beside the next job's parsing where a core is free), and :func:`take` hands it out, or
makes one on the spot where no spare was made. A spare is never handed out twice, and
nothing else is kept between problems: no verdict, term or model, only an unused context.
Callers that never ask for spares (the CLI, the evaluations, tests) get exactly
``z3.Context()`` as before.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

import z3

_REUSES = 1000
"""Problems one shared context serves before it is dropped (its declarations pile up)."""
_local = threading.local()


def shared_context() -> z3.Context:
    """This thread's Z3 context, for callers that decide many small problems.

    A context costs ~10 ms to create, more than a LogicalDeduction puzzle takes to solve.
    Nothing a problem asserts outlives it (each gets its own solver), enumeration sorts
    get names of their own (``Book!7``), and a context is never used by two threads, so
    sharing it changes no answer.
    """
    uses = getattr(_local, "uses", _REUSES)
    if uses >= _REUSES:
        _local.ctx, _local.uses = z3.Context(), 0
    _local.uses += 1
    ctx: z3.Context = _local.ctx
    return ctx


def drop_shared_context() -> None:
    """Forget this thread's context: the next problem gets a fresh one.

    Called after Z3 raised or ran out of memory mid-problem, when the context's state is
    no longer to be trusted.
    """
    _local.uses = _REUSES


def retire(ctx: z3.Context) -> None:
    """Never hand ``ctx`` out again: the watchdog interrupted a check in it, and Z3 may
    count it as cancelled until its next check (:mod:`~logicsvc.provers.z3_watchdog`).
    A fresh context (an explanation's) is used for one problem anyway."""
    if getattr(_local, "ctx", None) is ctx:
        _local.uses = _REUSES


_maker: ThreadPoolExecutor | None = None
_maker_lock = threading.Lock()


def take() -> z3.Context:
    """A context nothing has used: this thread's spare if one was made, else a new one."""
    spare: Future[z3.Context] | None = getattr(_local, "spare", None)
    _local.spare = None
    if spare is not None:
        try:
            return spare.result()
        except Exception:  # the helper could not make it (out of memory): make it here
            pass
    return z3.Context()


def make_spare() -> None:
    """Start making this thread's next fresh context, unless one is made or on its way.

    Called by a prover worker once a job's answer is sent, so the next explanation does not
    pay for its context on its request's clock.
    """
    if getattr(_local, "spare", None) is not None:
        return
    _local.spare = _helper().submit(z3.Context)


def wait_spare() -> None:
    """Block until this thread's spare, if one is on its way, is made (a benchmark's stand-in
    for a worker's idle moment)."""
    spare: Future[z3.Context] | None = getattr(_local, "spare", None)
    if spare is not None:
        spare.exception()


def _helper() -> ThreadPoolExecutor:
    """One helper thread a process, made on first use (only processes that pre-make); idle
    between jobs, it is joined at exit like any executor thread."""
    global _maker
    with _maker_lock:
        if _maker is None:
            _maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="z3-context")
        return _maker

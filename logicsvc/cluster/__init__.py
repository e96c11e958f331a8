"""Jobs and evaluations on a Ray cluster: ``--ray [ADDRESS]``, the optional ``ray`` extra.

Why Ray: past one machine, the work (classify a text, translate and prove a problem) is
already independent per item; Ray Data streams the items through a pool of actors, one
per CPU (one per GPU for an in-process vLLM engine), and restarts an actor and retries
its task when a worker process or a node dies.  The logic itself is not here: each
actor calls the very functions the single-machine path calls
(:func:`logicsvc.fallacies.jobs.result_lines`, the evaluations' ``evaluate_item`` and
:func:`logicsvc.llm.loop.solve_many`).

**Output and exactly once.**  The driver (the process that ran the command) is the only
writer: actors return encoded lines, the driver appends them to ``OUT`` through the same
:class:`~logicsvc.resultfile.ResultFile` as a single-machine run (locked, whole lines,
fsynced per block of results, a torn last line cut away on reopening).  Every line
carries its item's deterministic id, so a rerun after the driver was killed skips the
ids already in ``OUT`` and does the rest; a killed worker costs a retry of the blocks it
held, and the driver also drops any id it has already written, so a retried block can
never add a second line.  Results come back in input order (Ray Data's
``preserve_order``), so ``OUT`` grows as an ordered prefix of the input, exactly like a
single-machine run's, and the summary is the same.

Nothing outside this package imports Ray, and this package imports it only when a
command asks for a cluster (:func:`require_ray`).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from logicsvc.errors import ConfigurationError

_log = logging.getLogger(__name__)

EXTRA = "logicsvc[ray]"
LOCAL = "local"
"""``--ray`` with no address: a new Ray instance on this machine, stopped at the end.

Its session directory (sockets, logs, spilled objects) lives in a fresh temporary
directory that goes with it when the run ends normally; Ray's default, ``/tmp/ray``,
keeps every session's tens of megabytes forever.  After a failure it is kept, and
its path logged, for the worker logs in it."""


def require_ray() -> Any:
    """The ``ray`` module with Ray Data, or an error that names the extra to install."""
    try:
        ray = importlib.import_module("ray")
        importlib.import_module("ray.data")
    except ImportError as exc:
        raise ConfigurationError(
            f"--ray needs Ray with Ray Data, which is not installed ({exc}): pip install '{EXTRA}'",
            code="missing_extra",
        ) from None
    return ray


@contextlib.contextmanager
def connected(address: str) -> Iterator[Any]:
    """Ray, connected to ``address`` (``local``, ``auto``, ``HOST:PORT``, ``ray://HOST:10001``).

    A process that already called ``ray.init`` (a test, a notebook) keeps its connection
    and this leaves it open; otherwise the connection made here is closed at the end.
    """
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    session = _session_directory() if address == LOCAL else None
    try:
        if session is not None:
            ray.init(
                address="local", include_dashboard=False, log_to_driver=False, _temp_dir=session
            )
        else:
            ray.init(address=address, log_to_driver=False)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        _discard(session)
        raise ConfigurationError(
            f"cannot connect to the Ray cluster at {address!r}: {exc}", code="ray_unavailable"
        ) from None
    try:
        yield ray
    except BaseException:
        ray.shutdown()
        if session is not None:
            _log.warning("the local Ray session's logs are kept in %s", session)
        raise
    ray.shutdown()
    _discard(session)


def _session_directory() -> str:
    """A fresh directory where Ray would put ``ray/``: ``$RAY_TMPDIR``, else ``/tmp``.

    Not ``$TMPDIR``: Ray's socket paths must stay under the 107 bytes of ``AF_UNIX``,
    which a long ``$TMPDIR`` (macOS's, pytest's) exceeds; Ray avoids it the same way.
    """
    root = os.environ.get("RAY_TMPDIR") or ("/tmp" if os.name == "posix" else None)
    return tempfile.mkdtemp(prefix="logicsvc-ray-", dir=root)


def _discard(session: str | None) -> None:
    if session is not None:
        shutil.rmtree(session, ignore_errors=True)

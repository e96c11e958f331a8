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
from collections.abc import Iterator
from typing import Any

from logicsvc.errors import ConfigurationError

EXTRA = "logicsvc[ray]"
LOCAL = "local"
"""``--ray`` with no address: a new Ray instance on this machine, stopped at the end."""


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
    try:
        if address == LOCAL:
            ray.init(address="local", include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise ConfigurationError(
            f"cannot connect to the Ray cluster at {address!r}: {exc}", code="ray_unavailable"
        ) from None
    try:
        yield ray
    finally:
        ray.shutdown()

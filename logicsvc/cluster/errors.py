"""What a failed Ray pipeline means to a caller: one of our typed errors, if any.

A worker sends our own errors back as results (see :mod:`logicsvc.cluster.pipeline`), so
the driver raises them as they were.  Anything else Ray re-raises wrapped
(``RayTaskError``, Ray Data's ``UserCodeException``); a command must still answer with
our error codes, so the cause chain is searched, and what is not ours becomes
``ray_failed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NoReturn, TypeVar, overload

from logicsvc.errors import LogicsvcError

E = TypeVar("E", bound=LogicsvcError)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (current.__cause__, current.__context__, getattr(current, "cause", None)):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


@overload
def reraise_pipeline_error(exc: BaseException, *, keep: type[E]) -> E: ...
@overload
def reraise_pipeline_error(exc: BaseException, *, keep: None = None) -> NoReturn: ...
def reraise_pipeline_error(exc: BaseException, *, keep: type[E] | None = None) -> E:
    """The ``keep`` error in ``exc``'s chain, returned; else the first of our errors in it,
    raised; else a ``ray_failed`` error naming what Ray said."""
    errors = [e for e in _chain(exc) if isinstance(e, LogicsvcError)]
    for error in errors:
        if keep is not None and isinstance(error, keep):
            return error
    if errors:
        raise errors[0] from None
    raise LogicsvcError(
        f"the Ray pipeline failed: {type(exc).__name__}: {exc}", code="ray_failed"
    ) from exc

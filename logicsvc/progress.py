"""Progress bars for long commands (fallacy jobs, evaluations), drawn on stderr so that
stdout stays free for results.

Commands turn them on with :data:`SHOW_PROGRESS` (a context variable the CLI sets);
library calls and tests draw nothing unless they ask.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn, TaskID

SHOW_PROGRESS: ContextVar[bool] = ContextVar("logicsvc_show_progress", default=False)
"""Whether evaluations draw a bar: the CLI's ``eval`` commands set it."""


def _rate_column() -> ProgressColumn:
    """Items per second (a class made when a bar is drawn: rich is imported only then)."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class _RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            shown = "? items/s" if speed is None else f"{speed:,.1f} items/s"
            return Text(shown, style="progress.data.speed")

    return _RateColumn()


SHOW_AFTER_S = 1.0
"""A bar is drawn once the first item is done, or after this long if that comes first."""


@contextlib.contextmanager
def progress_bar(
    enabled: bool, total: int | None, name: str, *, what: str = "fallacies"
) -> Iterator[Callable[[int], None]]:
    """A bar on stderr (items/s, ETA; pulsing when the total is unknown), or nothing.

    rich is imported and the bar drawn only once the first item is done (or after
    :data:`SHOW_AFTER_S`, for slow items): a command's start-up before its first item pays
    nothing for it (issue 18).  What came before is replayed on the bar's clock, so its
    elapsed time, rate and ETA read as if it had been there from the start."""
    if not enabled:
        yield lambda n: None
        return
    bar = _LateBar(total, name, what)
    try:
        yield bar.advance
    finally:
        bar.close()


class _LateBar:
    """The counts (and when they came) until the bar is drawn, then the bar itself."""

    def __init__(self, total: int | None, name: str, what: str) -> None:
        self._total = total
        self._name = name
        self._what = what
        self._lock = threading.Lock()
        self._clock = _Clock()
        self._started = self._clock()
        self._pending: list[tuple[float, int]] = []
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._closed = False
        self._timer = threading.Timer(SHOW_AFTER_S, self._show_late)
        self._timer.daemon = True
        self._timer.start()

    def advance(self, n: int) -> None:
        with self._lock:
            if self._bar is not None and self._task is not None:
                self._bar.advance(self._task, n)
                return
            self._pending.append((self._clock(), n))
            if n > 0:  # an item done (resuming counts those already done: they show at once)
                self._show()

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._bar is not None:
                self._bar.stop()

    def _show_late(self) -> None:
        with self._lock:
            if not self._closed and self._bar is None:
                self._show()

    def _show(self) -> None:
        """Draw the bar as it would be had it been drawn at the start (lock held)."""
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _rate_column(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            get_time=self._clock,
        )
        with self._clock.at(self._started):
            task = bar.add_task(f"{self._what} ({escape(self._name)})", total=self._total)
        for when, n in self._pending:
            with self._clock.at(when):
                bar.advance(task, n)
        self._pending.clear()
        self._bar, self._task = bar, task
        bar.start()


class _Clock:
    """``time.monotonic`` (rich's own clock), which can be held at a past moment while what
    happened before the bar was drawn is replayed."""

    def __init__(self) -> None:
        self._held: float | None = None

    def __call__(self) -> float:
        return time.monotonic() if self._held is None else self._held

    @contextlib.contextmanager
    def at(self, moment: float) -> Iterator[None]:
        self._held = moment
        try:
            yield
        finally:
            self._held = None

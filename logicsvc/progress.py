"""Progress bars for long commands (fallacy jobs, evaluations), drawn on stderr so that
stdout stays free for results.

Commands turn them on with :data:`SHOW_PROGRESS` (a context variable the CLI sets);
library calls and tests draw nothing unless they ask.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import ProgressColumn

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


@contextlib.contextmanager
def progress_bar(
    enabled: bool, total: int | None, name: str, *, what: str = "fallacies"
) -> Iterator[Callable[[int], None]]:
    """A bar on stderr (items/s, ETA; pulsing when the total is unknown), or nothing."""
    if not enabled:
        yield lambda n: None
        return
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
    )
    task_id = bar.add_task(f"{what} ({escape(name)})", total=total)
    with bar:
        yield lambda n: bar.advance(task_id, n)

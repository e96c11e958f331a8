"""A job's progress bar, drawn on stderr so that stdout stays free for results."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        shown = "? items/s" if speed is None else f"{speed:,.1f} items/s"
        return Text(shown, style="progress.data.speed")


@contextlib.contextmanager
def progress_bar(
    enabled: bool, total: int | None, name: str, task: str = "fallacies"
) -> Iterator[Callable[[int], None]]:
    """A bar on stderr (items/s, ETA; pulsing when the total is unknown), or nothing."""
    if not enabled:
        yield lambda n: None
        return
    bar = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task_id = bar.add_task(f"{task} ({escape(name)})", total=total)
    with bar:
        yield lambda n: bar.advance(task_id, n)

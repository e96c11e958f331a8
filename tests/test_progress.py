"""The progress bar is drawn late (issue 18: nothing of rich before the first item) and
looks as if it had been there from the start: its elapsed time counts from the start, and
a slow first item still gets a bar while it runs."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from logicsvc import progress

LATE = """
import sys
from logicsvc.progress import progress_bar
with progress_bar(True, 3, "items.jsonl", what="eval") as advance:
    advance(0)  # resuming nothing
    before = "rich" in sys.modules
    advance(1)
    after = "rich" in sys.modules
    advance(2)
print(before, after)
"""


def test_rich_is_imported_when_the_first_item_is_done_and_the_bar_is_whole() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LATE], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"]
    assert "eval (items.jsonl)" in done.stderr and "3/3" in done.stderr
    assert "items/s" in done.stderr


def test_a_bar_drawn_late_counts_its_time_from_the_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "SHOW_AFTER_S", 60.0)
    with progress.progress_bar(True, 2, "slow", what="eval") as advance:
        time.sleep(1.1)  # a first item slower than a second, drawn only once it is done
        advance(1)
        advance(1)
    err = capsys.readouterr().err
    assert "2/2" in err
    assert re.search(r"0:00:0[1-9]", err), err  # elapsed from the start, not from the draw


def test_a_slow_first_item_gets_its_bar_while_it_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "SHOW_AFTER_S", 0.01)
    with progress.progress_bar(True, 1, "slow") as advance:
        bar = advance.__self__  # type: ignore[attr-defined]
        for _ in range(1000):  # no item done yet: the timer draws it (within 10 s)
            if bar._bar is not None:
                break
            time.sleep(0.01)
        drawn = bar._bar is not None
        advance(1)
    err = capsys.readouterr().err
    assert drawn and "fallacies (slow)" in err and "1/1" in err


def test_no_bar_asked_draws_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.progress_bar(False, 2, "quiet") as advance:
        advance(2)
    assert capsys.readouterr().err == ""

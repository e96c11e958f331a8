"""Issue 18's guard: making the symbolic stage faster must not change a single answer.

The snapshot was written by ``scripts/verdict_snapshot.py`` before the speed work; each case
reruns one recorded file (or FOLIO's gold formulas) the same way and compares every item's
status, answer and error code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts import verdict_snapshot as SNAP

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT: dict[str, Any] = json.loads(
    (ROOT / "tests" / "data" / "verdicts_before_speed.json").read_text("utf-8")
)


RUNS = dict(SNAP.runs()) if SNAP.RECORDED.is_dir() and SNAP.FOLIO_GOLD.is_file() else {}
NAMES = [name for name in SNAPSHOT if name != "_about"]


def test_the_snapshot_covers_every_recorded_file() -> None:
    if not RUNS:
        pytest.skip(f"recorded programs not found at {SNAP.RECORDED}")
    assert sorted(RUNS) == sorted(NAMES)
    assert len(NAMES) == 22 and sum(len(SNAPSHOT[name]) for name in NAMES) == 3813


@pytest.mark.parametrize("name", NAMES)
def test_every_verdict_is_as_before(name: str) -> None:
    if name not in RUNS:
        pytest.skip(f"recorded programs not found at {SNAP.RECORDED}")
    now = SNAP.verdicts(RUNS[name])
    before = SNAPSHOT[name]
    assert list(now) == list(before)
    changed = {i: (before[i], now[i]) for i in before if now[i] != before[i]}
    assert not changed

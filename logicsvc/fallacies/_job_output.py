"""OUT, a job's append-only result file: locked, repaired, appended to and fsynced.

Why each step is safe is argued once, in :mod:`logicsvc.fallacies.jobs` (crash safety).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from logicsvc.errors import InputError, LogicsvcError

if sys.platform != "win32":
    import fcntl


class Sink:
    """OUT, opened for appending: locked, repaired, read for the ids already done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = -1

    def open(self) -> set[str]:
        existed = self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            if sys.platform != "win32":
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise LogicsvcError(
                        f"{self.path}: another job is writing this file", code="job_busy"
                    ) from None
            done = self._scan(fd)
            if not existed:
                _fsync_dir(self.path.parent)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return done

    def _scan(self, fd: int) -> set[str]:
        """The ids of OUT's complete lines; a torn last line is truncated away."""
        done: set[str] = set()
        end = 0  # the offset just past the last complete line
        with open(fd, "rb", closefd=False) as f:
            f.seek(0)
            for lineno, raw in enumerate(f, 1):
                if not raw.endswith(b"\n"):
                    break  # torn by a crash mid-write: only ever the last line
                end += len(raw)
                try:
                    obj = json.loads(raw)
                except ValueError:
                    obj = None
                if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                    raise InputError(
                        f"{self.path}: line {lineno} is not a job result (a JSON object with "
                        "an 'id'); fix or remove it, or write to a new file",
                        code="invalid_output",
                    )
                done.add(obj["id"])
        if os.fstat(fd).st_size != end:
            os.ftruncate(fd, end)
            os.fsync(fd)
        return done

    def write(self, lines: list[bytes]) -> None:
        """Append whole lines, then fsync: after this returns they survive any crash."""
        if not lines:
            return
        data = memoryview(b"".join(lines))
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing also releases the lock
            self._fd = -1


def _fsync_dir(directory: Path) -> None:
    """Make a newly created file's directory entry durable (best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def encode_line(obj: dict[str, Any]) -> bytes:
    """One JSON line; readable UTF-8, escaped where a lone surrogate forbids it."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(obj, allow_nan=False).encode("ascii") + b"\n"

"""An append-only JSON-lines result file that a crash cannot corrupt and a rerun resumes.

Fallacy jobs (:mod:`logicsvc.fallacies.jobs`, where the crash-safety argument is made
step by step) and evaluations (``--out``, ``--resume``) write through it: one line per
item, each a JSON object with a string ``id``.  Opening locks the file (a second writer
fails fast), truncates a torn last line away and reports the ids already done.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from logicsvc.errors import InputError, LogicsvcError

if sys.platform != "win32":
    import fcntl


class ResultFile:
    """A result file, opened for appending: locked, repaired, read for the ids already done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = -1

    def open(
        self, *, fresh: bool = False, on_record: Callable[[dict[str, Any]], None] | None = None
    ) -> set[str]:
        """Lock the file and return the ids of its complete lines, each also passed to
        ``on_record``; ``fresh`` empties it instead.  Not a regular file (a pipe,
        ``/dev/stdout``): nothing is read, locked or truncated."""
        existed = self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            done: set[str] = set()
            if stat.S_ISREG(os.fstat(fd).st_mode):
                self._lock(fd)
                if fresh:
                    os.ftruncate(fd, 0)
                else:
                    done = self._scan(fd, on_record)
            if not existed:
                _fsync_dir(self.path.parent)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return done

    def _lock(self, fd: int) -> None:
        if sys.platform == "win32":
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LogicsvcError(
                f"{self.path}: another job is writing this file", code="job_busy"
            ) from None

    def _scan(self, fd: int, on_record: Callable[[dict[str, Any]], None] | None) -> set[str]:
        """The ids of the complete lines; a torn last line is truncated away."""
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
                if on_record is not None:
                    on_record(obj)
        if os.fstat(fd).st_size != end:
            os.ftruncate(fd, end)
            os.fsync(fd)
        return done

    def write(self, lines: list[bytes], *, sync: bool = True) -> None:
        """Append whole lines; with ``sync`` (fsync) they survive a crash of the machine
        once this returns, without it a crash of the process."""
        if not lines:
            return
        data = memoryview(b"".join(lines))
        try:
            while data:
                written = os.write(self._fd, data)
                data = data[written:]
            if sync:
                self._sync()
        except OSError as exc:  # a full disk, say: what was synced before stays
            raise LogicsvcError(f"cannot write {self.path}: {exc}", code="write_failed") from None

    def _sync(self) -> None:
        try:
            os.fsync(self._fd)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: a pipe or terminal, nothing to sync
                raise

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing also releases the lock
            self._fd = -1


def check_outputs(inputs: Sequence[Path], outputs: Sequence[Path | None]) -> None:
    """Refuse, before anything is read or written, outputs that would destroy an input
    or each other, and outputs whose folder does not exist (``InputError``)."""
    given = [Path(o) for o in outputs if o is not None]
    for index, out in enumerate(given):
        if out.is_dir():
            raise InputError(f"{out}: is a folder; name a file to write", code="invalid_output")
        if not out.parent.is_dir():
            raise InputError(
                f"{out}: the folder {out.parent} does not exist", code="unwritable_output"
            )
        for other in (*inputs, *given[:index]):
            if out.exists() and Path(other).exists() and os.path.samefile(out, other):
                what = "an input file" if other in inputs else "another output"
                raise InputError(f"{out}: the output is {what} ({other})", code="invalid_output")
            if os.path.abspath(out) == os.path.abspath(other):  # two outputs, not written yet
                raise InputError(f"{out}: named for two outputs", code="invalid_output")
        _probe_writable(out)


def _probe_writable(out: Path) -> None:
    """Open ``out`` for writing now, as the run will at its end (a read-only filesystem,
    a permission): a run must not spend its LLM calls and then fail to save them. An
    existing file is opened for appending and left as it is; a new one is created and
    removed. Not a regular file (a pipe, ``/dev/stdout``): nothing to probe."""
    try:
        if out.exists():
            if stat.S_ISREG(out.stat().st_mode):
                os.close(os.open(out, os.O_WRONLY | os.O_APPEND))
            return
        os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        out.unlink()
    except OSError as exc:
        raise InputError(
            f"{out}: cannot be written ({exc.strerror or exc})", code="unwritable_output"
        ) from None


def refuse_overwrite(out: Path | None, *, resume: bool, overwrite: bool) -> None:
    """A non-empty ``out`` is a past run's records: a new run empties it only when told
    (``--overwrite``), or keeps it (``--resume``), never by default."""
    if out is None or resume or overwrite or not out.is_file() or out.stat().st_size == 0:
        return
    raise InputError(
        f"{out}: holds records of an earlier run; pass --overwrite to replace them "
        "(or --resume, where the command has it, to keep them)",
        code="output_exists",
    )


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

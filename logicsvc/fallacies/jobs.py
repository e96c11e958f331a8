"""Stream a collection of texts through a fallacy classifier: resumable, crash-safe, in order.

:func:`run_job` reads a CSV (``.csv``, with a header) or JSON Lines file (``.jsonl``,
``.ndjson``, ``.json``), classifies the texts in batches, several batches at once, and
appends one JSON line per input row to ``OUT``::

    {"id": ..., "row": 7, "status": "ok", "label": ..., "confidence": ..., "rationale": ...}
    {"id": ..., "row": 8, "status": "skipped", "error": {"code": "empty_text", "message": ...}}
    {"id": ..., "row": 9, "status": "error", "error": {"code": "classifier_error", ...}}

``row`` is 1-based: the line number in a JSON Lines file, the data record number in a CSV
file (the header is not a record; a message names the physical line where it differs).
Blank lines are not records.

**Ids.** With ``id_field`` a row's id is that field's value (a CSV header without the
field is an error before anything is written; a record without it is a bad row,
``missing_id``; a repeated value is a bad row, ``duplicate_id``).  Without it the id is
``sha1(text)[:16]``, and the n-th repeat of the same text gets ``-n`` (``…-2``), so ids
depend only on the input and are the same on every rerun.  A bad row whose id cannot be
read is ``row-<row>``.

**Crash safety.** The argument, step by step:

1. Every line is written whole, ending in ``\\n``, and only by appending (``O_APPEND``),
   so a line once complete is never rewritten; a crash can at worst leave the *last* line
   torn (no final ``\\n``).
2. After each batch the file is flushed and ``os.fsync``-ed: once that returns, the
   batch's lines survive a crash of the process (they already did, in the page cache)
   and of the machine.  The trade-off: one fsync per batch, a few milliseconds on an SSD
   against a classifier call of tens of milliseconds to seconds, so it costs little; a
   crash loses at most the batches in flight (classified, not yet written), which a
   rerun simply classifies again.  A per-line fsync would cost ``batch_size`` times more
   for no extra safety about *written* lines.
3. On start the job takes an exclusive ``flock`` on ``OUT`` (a second job on the same
   file fails fast instead of interleaving), reads it, and truncates a torn last line
   away (then fsyncs) before appending anything.  Every complete line must be a JSON
   object with an ``id``; anything else is reported, never silently dropped.
4. The ids of the complete lines are "done": a rerun skips those rows, so no row gets a
   second line, and every row not yet done gets one.  Lines are written in input order
   (a reorder buffer holds batches that finish early), so after any interruption ``OUT``
   holds a prefix of the work and a rerun appends the rest, in order.

Lines with ``status: "error"`` are done too (a rerun will not duplicate them); delete
those lines from ``OUT`` and rerun to retry just them.  A
:class:`~logicsvc.errors.LLMUnavailableError` is different: the job writes every batch
before the failing one, stops, and returns a summary with ``stopped`` set; a rerun
resumes there.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import csv
import hashlib
import json
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

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

from logicsvc.errors import InputError, LLMUnavailableError, LogicsvcError
from logicsvc.fallacies import Classifier, Prediction

if sys.platform != "win32":
    import fcntl

__all__ = ["BAD_ROW_CODES", "JobSummary", "run_job"]

BAD_ROW_CODES: tuple[str, ...] = (
    "invalid_encoding",  # bytes that are not UTF-8
    "invalid_json",  # a JSON Lines line that does not parse
    "not_an_object",  # a JSON Lines line that is an array, a number, ...
    "csv_error",  # the csv module refused the record
    "wrong_field_count",  # a CSV record with more or fewer fields than the header
    "missing_id",  # id_field absent, empty or not a string/integer
    "duplicate_id",  # id_field repeats an earlier row's value
    "missing_text",  # text_field absent
    "invalid_text",  # text_field not a string
    "empty_text",  # text_field empty or only whitespace
)
"""Why a row is ``skipped``: the ``error.code`` of its line and a key of ``bad_rows``."""

_Format = Literal["csv", "jsonl"]
_SUFFIXES: dict[str, _Format] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_MAX_CHUNK_ROWS = 1024
"""A batch also closes after this many rows, so a run of bad or blank rows stays bounded."""
_BUFFER_BATCHES = 4
"""The reorder buffer holds at most ``concurrency * _BUFFER_BATCHES`` batches."""
_COUNT_LIMIT_BYTES = 256 * 2**20
"""Inputs up to this size are counted first, so the progress bar has a total and an ETA."""
_CSV_FIELD_LIMIT = 64 * 2**20
"""csv's default 128 KiB per field is too small for long essays (a process-wide setting)."""


@dataclass(slots=True)
class JobSummary:
    """What one :func:`run_job` call did; ``to_dict()`` is its JSON shape."""

    source: str
    out: str
    classifier: str
    processed: int = 0
    """Rows given a line in OUT by this run (ok, error and skipped)."""
    skipped_done: int = 0
    """Rows passed over because OUT already had their line."""
    bad_rows: Counter[str] = field(default_factory=Counter)
    """Rows written as ``skipped``, by reason (see :data:`BAD_ROW_CODES`)."""
    labels: Counter[str] = field(default_factory=Counter)
    """Rows written as ``ok``, by predicted label."""
    errors: Counter[str] = field(default_factory=Counter)
    """Rows written as ``error`` (their batch's classifier call failed), by error code."""
    elapsed_s: float = 0.0
    complete: bool = True
    """Every input row now has its line in OUT (false after ``limit`` or a stop)."""
    stopped: dict[str, object] | None = None
    """Why the job stopped early (an ``llm_unavailable`` error), else ``None``."""

    @property
    def ok(self) -> int:
        return sum(self.labels.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "out": self.out,
            "classifier": self.classifier,
            "processed": self.processed,
            "ok": self.ok,
            "skipped_done": self.skipped_done,
            "bad_rows": dict(sorted(self.bad_rows.items())),
            "labels": dict(self.labels.most_common()),
            "errors": dict(sorted(self.errors.items())),
            "elapsed_s": self.elapsed_s,
            "complete": self.complete,
            "stopped": self.stopped,
        }


async def run_job(
    source: Path,
    out: Path,
    classifier: Classifier,
    *,
    text_field: str = "text",
    id_field: str | None = None,
    limit: int | None = None,
    batch_size: int = 16,
    concurrency: int = 4,
    progress: bool = True,
) -> JobSummary:
    """Classify every row of ``source`` not yet in ``out``; append one JSON line per row.

    ``limit`` caps the new rows (of any status) this run writes.  Raises
    :class:`~logicsvc.errors.InputError` before writing anything when the source or OUT
    cannot be used (unknown suffix, missing file, a CSV header without ``text_field`` or
    ``id_field``, OUT holding a line that is not ours, OUT locked by another job).
    """
    if batch_size < 1 or concurrency < 1:
        raise ValueError("batch_size and concurrency must be at least 1")
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    started = time.monotonic()
    source, out = Path(source), Path(out)
    fmt = _format_of(source)
    _check_source(source, fmt, text_field, id_field)
    if out.exists() and out.resolve() == source.resolve():
        raise InputError(f"{out}: the output file cannot be the input file", code="invalid_output")
    summary = JobSummary(source=str(source), out=str(out), classifier=classifier.name)
    sink = _Sink(out)
    done = sink.open()
    rows = _records(_rows(source, fmt, text_field, id_field), id_field)
    try:
        total: int | None = None
        if progress:
            count = _count_records(source, fmt, text_field, id_field)
            if count is not None:
                total = max(count - len(done), 0)
            if limit is not None:
                total = limit if total is None else min(total, limit)
        chunks = _plan(rows, done, limit, batch_size, summary)
        with _progress_bar(progress, total, classifier.name) as advance:
            await _pump(chunks, classifier, concurrency, sink, summary, advance)
    finally:
        rows.close()
        sink.close()
        summary.elapsed_s = round(time.monotonic() - started, 3)
    return summary


# --- input ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    """One input record as read: its id value (if any), its text or why it is bad."""

    row: int
    user_id: str | None
    text: str | None
    error: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class _Record:
    row: int
    id: str
    text: str | None
    """``None`` exactly when ``error`` is set."""
    error: tuple[str, str] | None = None


def _format_of(source: Path) -> _Format:
    fmt = _SUFFIXES.get(source.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_SUFFIXES))
        raise InputError(
            f"{source}: unknown input format {source.suffix!r} (expected one of {known})",
            code="unsupported_format",
        )
    return fmt


def _check_source(source: Path, fmt: _Format, text_field: str, id_field: str | None) -> None:
    """Fail before writing anything when the whole file is unusable."""
    if not source.is_file():
        raise InputError(f"{source}: no such file", code="not_found")
    if fmt == "jsonl":
        if source.suffix.lower() == ".json":
            with source.open("rb") as f:
                head = f.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
            if head.startswith(b"["):
                raise InputError(
                    f"{source}: a JSON array; give one JSON object per line (JSON Lines)",
                    code="unsupported_format",
                )
        return
    with source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        try:
            header = next(csv.reader(f), None)
        except csv.Error as exc:
            raise InputError(f"{source}: unreadable CSV header: {exc}") from exc
    if header is None:
        return  # an empty file: nothing to do
    for name, role in ((text_field, "text"), (id_field, "id")):
        if name is not None and name not in header:
            raise InputError(
                f"{source}: the CSV header has no {role} column {name!r} "
                f"(columns: {', '.join(map(repr, header))})",
                code="missing_column",
            )


def _rows(
    source: Path, fmt: _Format, text_field: str, id_field: str | None
) -> Generator[_Row, None, None]:
    if fmt == "csv":
        return _csv_rows(source, text_field, id_field)
    return _jsonl_rows(source, text_field, id_field)


def _text_value(value: object, text_field: str) -> tuple[str | None, tuple[str, str] | None]:
    if value is None:
        return None, ("missing_text", f"no {text_field!r} field")
    if not isinstance(value, str):
        return None, ("invalid_text", f"{text_field!r} is a {type(value).__name__}, not a string")
    if not value.strip():
        return None, ("empty_text", f"{text_field!r} is empty")
    return value, None


def _id_value(value: object, id_field: str) -> tuple[str | None, tuple[str, str] | None]:
    if isinstance(value, bool) or not isinstance(value, str | int):
        got = "absent" if value is None else f"a {type(value).__name__}"
        return None, ("missing_id", f"{id_field!r} is {got}, not a string or integer")
    text = str(value)
    if not text.strip():
        return None, ("missing_id", f"{id_field!r} is empty")
    return text, None


def _jsonl_rows(source: Path, text_field: str, id_field: str | None) -> Generator[_Row, None, None]:
    with source.open("rb") as f:  # binary: lines end at b"\n" only, never at U+2028
        for lineno, raw in enumerate(f, 1):
            if lineno == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                why = f"line {lineno} is not UTF-8 ({exc.reason} at byte {exc.start})"
                yield _Row(lineno, None, None, ("invalid_encoding", why))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                why = f"line {lineno}: {exc.msg} (column {exc.colno})"
                yield _Row(lineno, None, None, ("invalid_json", why))
                continue
            if not isinstance(obj, dict):
                why = f"line {lineno} is a JSON {type(obj).__name__}, not an object"
                yield _Row(lineno, None, None, ("not_an_object", why))
                continue
            user_id: str | None = None
            if id_field is not None:
                user_id, error = _id_value(obj.get(id_field), id_field)
                if error is not None:
                    yield _Row(lineno, None, None, error)
                    continue
            text, error = _text_value(obj.get(text_field), text_field)
            yield _Row(lineno, user_id, text, error)


def _has_surrogates(values: Sequence[str]) -> bool:
    """Whether undecodable bytes (kept by ``surrogateescape``) are in any field."""
    try:
        for value in values:
            value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _csv_rows(source: Path, text_field: str, id_field: str | None) -> Generator[_Row, None, None]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    with source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        text_at = header.index(text_field)
        id_at = header.index(id_field) if id_field is not None else None
        record = 0
        while True:
            line_before = reader.line_num
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                record += 1
                why = f"line {reader.line_num}: {exc}"
                yield _Row(record, None, None, ("csv_error", why))
                if reader.line_num == line_before:
                    return  # the reader made no progress: stop rather than spin
                continue
            if not fields:
                continue  # a blank line
            record += 1
            where = f"line {reader.line_num}"
            if _has_surrogates(fields):
                yield _Row(record, None, None, ("invalid_encoding", f"{where} is not UTF-8"))
                continue
            if len(fields) != len(header):  # its fields may be shifted: trust none of them
                why = f"{where} has {len(fields)} fields, the header {len(header)}"
                yield _Row(record, None, None, ("wrong_field_count", why))
                continue
            user_id = (fields[id_at].strip() or None) if id_at is not None else None
            if id_field is not None and user_id is None:
                yield _Row(record, None, None, ("missing_id", f"{id_field!r} is empty"))
                continue
            text, error = _text_value(fields[text_at], text_field)
            yield _Row(record, user_id, text, error)


class _Ids:
    """Hands out unique ids: ``base``, then ``base-2``, ``base-3``, ... for repeats."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._next: dict[str, int] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._seen

    def claim(self, base: str) -> str:
        if base not in self._seen:
            self._seen.add(base)
            return base
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self._seen:
            n += 1
        self._next[base] = n + 1
        claimed = f"{base}-{n}"
        self._seen.add(claimed)
        return claimed


def _records(
    rows: Generator[_Row, None, None], id_field: str | None
) -> Generator[_Record, None, None]:
    """Give every row its id: deterministic for a given input, unique within it."""
    ids = _Ids()
    with contextlib.closing(rows):
        for row in rows:
            if row.error is None and row.text is not None:
                if id_field is None:
                    base = hashlib.sha1(row.text.encode("utf-8", "surrogatepass")).hexdigest()
                    yield _Record(row.row, ids.claim(base[:16]), row.text)
                    continue
                assert row.user_id is not None
                if row.user_id in ids:
                    why = f"{id_field!r} value {row.user_id!r} was already used by an earlier row"
                    yield _Record(row.row, ids.claim(row.user_id), None, ("duplicate_id", why))
                    continue
                yield _Record(row.row, ids.claim(row.user_id), row.text)
                continue
            error = row.error if row.error is not None else ("missing_text", "no text")
            base = row.user_id if row.user_id is not None else f"row-{row.row}"
            yield _Record(row.row, ids.claim(base), None, error)


def _count_records(source: Path, fmt: _Format, text_field: str, id_field: str | None) -> int | None:
    """The number of records, when the file is small enough to count first; else None."""
    if source.stat().st_size > _COUNT_LIMIT_BYTES:
        return None
    if fmt == "jsonl":
        with source.open("rb") as f:
            return sum(1 for raw in f if raw.removeprefix(codecs.BOM_UTF8).strip())
    return sum(1 for _ in _csv_rows(source, text_field, id_field))


def _plan(
    records: Iterator[_Record],
    done: set[str],
    limit: int | None,
    batch_size: int,
    summary: JobSummary,
) -> Iterator[list[_Record]]:
    """Batches of the rows still to do, in input order, each with ``batch_size`` texts."""
    chunk: list[_Record] = []
    texts = taken = 0
    for record in records:
        if record.id in done:
            summary.skipped_done += 1
            continue
        if limit is not None and taken >= limit:
            summary.complete = False
            break
        taken += 1
        chunk.append(record)
        texts += record.text is not None
        if texts >= batch_size or len(chunk) >= _MAX_CHUNK_ROWS:
            yield chunk
            chunk, texts = [], 0
    if chunk:
        yield chunk


# --- output --------------------------------------------------------------------------


class _Sink:
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


def _encode(obj: dict[str, Any]) -> bytes:
    """One JSON line; readable UTF-8, escaped where a lone surrogate forbids it."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(obj, allow_nan=False).encode("ascii") + b"\n"


def _error_of(exc: BaseException) -> dict[str, str]:
    if isinstance(exc, LogicsvcError):
        return {"code": exc.code, "message": exc.message}
    return {"code": "classifier_error", "message": f"{type(exc).__name__}: {exc}"}


def _lines(
    chunk: list[_Record], result: list[Prediction] | BaseException, summary: JobSummary
) -> list[bytes]:
    """The chunk's lines, in order, counted into ``summary``."""
    predictions = iter(result) if isinstance(result, list) else iter(())
    lines: list[bytes] = []
    for record in chunk:
        head: dict[str, Any] = {"id": record.id, "row": record.row}
        if record.error is not None:
            code, message = record.error
            obj = {**head, "status": "skipped", "error": {"code": code, "message": message}}
            summary.bad_rows[code] += 1
        elif isinstance(result, BaseException):
            error = _error_of(result)
            obj = {**head, "status": "error", "error": error}
            summary.errors[error["code"]] += 1
        else:
            prediction = next(predictions)
            try:
                obj = {**head, "status": "ok"}
                for key, value in prediction.to_dict().items():
                    obj.setdefault(key, value)  # a prediction never overrides id/row/status
                line = _encode(obj)
            except (TypeError, ValueError) as exc:
                message = f"the prediction cannot be written as JSON: {exc}"
                error = {"code": "unserializable_prediction", "message": message}
                obj = {**head, "status": "error", "error": error}
                summary.errors[error["code"]] += 1
            else:
                lines.append(line)
                summary.labels[prediction.label] += 1
                summary.processed += 1
                continue
        lines.append(_encode(obj))
        summary.processed += 1
    return lines


# --- the pump ------------------------------------------------------------------------


async def _classify(classifier: Classifier, texts: list[str]) -> list[Prediction]:
    if not texts:
        return []
    predictions = list(await classifier.classify(texts))
    if len(predictions) != len(texts) or not all(isinstance(p, Prediction) for p in predictions):
        raise LogicsvcError(
            f"classifier {classifier.name!r} answered {len(predictions)} items for "
            f"{len(texts)} texts (expected one Prediction each)",
            code="classifier_output",
        )
    return predictions


def _unavailable(task: asyncio.Task[list[Prediction]]) -> bool:
    return (
        task.done() and not task.cancelled() and isinstance(task.exception(), LLMUnavailableError)
    )


async def _pump(
    chunks: Iterator[list[_Record]],
    classifier: Classifier,
    concurrency: int,
    sink: _Sink,
    summary: JobSummary,
    advance: Callable[[int], None],
) -> None:
    """Keep ``concurrency`` batches running; write finished ones in input order."""
    window: deque[tuple[list[_Record], asyncio.Task[list[Prediction]]]] = deque()
    exhausted = halted = False
    try:
        while True:
            running = sum(not task.done() for _, task in window)
            while (
                not (exhausted or halted)
                and running < concurrency
                and len(window) < concurrency * _BUFFER_BATCHES
            ):
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                texts = [record.text for record in chunk if record.text is not None]
                window.append((chunk, asyncio.create_task(_classify(classifier, texts))))
                running += 1
            while window and window[0][1].done():
                chunk, task = window.popleft()
                exc = task.exception()
                if isinstance(exc, LLMUnavailableError):
                    summary.stopped = exc.to_dict()
                    summary.complete = False
                    return  # everything before this batch is written; a rerun resumes here
                sink.write(_lines(chunk, task.result() if exc is None else exc, summary))
                advance(len(chunk))
            if not window:
                if exhausted or halted:
                    return
                continue
            pending = {task for _, task in window if not task.done()}
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            halted = halted or any(_unavailable(task) for _, task in window)
    finally:
        for _, task in window:
            task.cancel()
        await asyncio.gather(*(task for _, task in window), return_exceptions=True)


# --- progress ------------------------------------------------------------------------


class _RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        shown = "? items/s" if speed is None else f"{speed:,.1f} items/s"
        return Text(shown, style="progress.data.speed")


@contextlib.contextmanager
def _progress_bar(enabled: bool, total: int | None, name: str) -> Iterator[Callable[[int], None]]:
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
    task_id = bar.add_task(f"fallacies ({escape(name)})", total=total)
    with bar:
        yield lambda n: bar.advance(task_id, n)

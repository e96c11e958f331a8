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

Steps 1-3 are :class:`~logicsvc.resultfile.ResultFile`; the rows come from
:mod:`~logicsvc.fallacies._job_input`, the bar from :mod:`~logicsvc.progress`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logicsvc.errors import LLMUnavailableError, LogicsvcError
from logicsvc.fallacies import Classifier, Prediction
from logicsvc.fallacies._job_input import (
    BAD_ROW_CODES,
    Record,
    check_source,
    count_records,
    format_of,
    identify,
    read_rows,
)
from logicsvc.progress import progress_bar
from logicsvc.resultfile import ResultFile, check_outputs, encode_line

__all__ = [
    "BAD_ROW_CODES",
    "JobSummary",
    "Line",
    "classify_batch",
    "count_lines",
    "plan_batches",
    "progress_total",
    "result_lines",
    "run_job",
]

_MAX_CHUNK_ROWS = 1024
"""A batch also closes after this many rows, so a run of bad or blank rows stays bounded."""
_BUFFER_BATCHES = 4
"""The reorder buffer holds at most ``concurrency * _BUFFER_BATCHES`` batches."""


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
    text_field: str | None = None,
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
    fmt = format_of(source)
    text_field = check_source(source, fmt, text_field, id_field)
    check_outputs([source], [out])
    summary = JobSummary(source=str(source), out=str(out), classifier=classifier.name)
    sink = ResultFile(out)
    done = sink.open()
    rows = identify(read_rows(source, fmt, text_field, id_field), id_field)
    try:
        total = progress_total(source, text_field, id_field, len(done), limit) if progress else None
        chunks = plan_batches(rows, done, limit, batch_size, summary)
        with progress_bar(progress, total, classifier.name) as advance:
            await _pump(chunks, classifier, concurrency, sink, summary, advance)
    finally:
        rows.close()
        sink.close()
        summary.elapsed_s = round(time.monotonic() - started, 3)
    return summary


def progress_total(
    source: Path, text_field: str, id_field: str | None, done: int, limit: int | None
) -> int | None:
    """The rows a run will write, for the bar's ETA (``None``: too big to count first)."""
    total: int | None = None
    count = count_records(source, format_of(source), text_field, id_field)
    if count is not None:
        total = max(count - done, 0)
    if limit is not None:
        total = limit if total is None else min(total, limit)
    return total


# --- batches -------------------------------------------------------------------------


def plan_batches(
    records: Iterator[Record],
    done: set[str],
    limit: int | None,
    batch_size: int,
    summary: JobSummary,
) -> Iterator[list[Record]]:
    """Batches of the rows still to do, in input order, each with ``batch_size`` texts."""
    chunk: list[Record] = []
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


# --- result lines --------------------------------------------------------------------


def _error_of(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, LogicsvcError):
        return {"code": exc.code, "message": exc.message}
    return {"code": "classifier_error", "message": f"{type(exc).__name__}: {exc}"}


@dataclass(frozen=True, slots=True)
class Line:
    """One encoded result line and where :class:`JobSummary` counts it."""

    id: str
    data: bytes
    kind: str
    """``labels`` (an ``ok`` line), ``bad_rows`` (``skipped``) or ``errors``."""
    key: str
    """The label, or the error code."""


def result_lines(chunk: list[Record], result: list[Prediction] | BaseException) -> list[Line]:
    """The chunk's lines, in order: what every runner (here, or on Ray) writes."""
    predictions = iter(result) if isinstance(result, list) else iter(())
    lines: list[Line] = []
    for record in chunk:
        head: dict[str, Any] = {"id": record.id, "row": record.row}
        if record.error is not None:
            code, message = record.error
            obj = {**head, "status": "skipped", "error": {"code": code, "message": message}}
            lines.append(Line(record.id, encode_line(obj), "bad_rows", code))
            continue
        if isinstance(result, BaseException):
            error = _error_of(result)
        elif (prediction := next(predictions)).error is not None:
            error = prediction.error
        else:
            try:
                obj = {**head, "status": "ok"}
                for key, value in prediction.to_dict().items():
                    obj.setdefault(key, value)  # a prediction never overrides id/row/status
                line = encode_line(obj)
            except (TypeError, ValueError) as exc:
                message = f"the prediction cannot be written as JSON: {exc}"
                error = {"code": "unserializable_prediction", "message": message}
            else:
                lines.append(Line(record.id, line, "labels", prediction.label))
                continue
        obj = {**head, "status": "error", "error": error}
        lines.append(Line(record.id, encode_line(obj), "errors", str(error.get("code"))))
    return lines


def count_lines(lines: list[Line], summary: JobSummary) -> list[bytes]:
    """Count ``lines`` into ``summary``; their bytes, to write."""
    for line in lines:
        counter: Counter[str] = getattr(summary, line.kind)
        counter[line.key] += 1
    summary.processed += len(lines)
    return [line.data for line in lines]


# --- the pump ------------------------------------------------------------------------


async def classify_batch(classifier: Classifier, texts: list[str]) -> list[Prediction]:
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
    chunks: Iterator[list[Record]],
    classifier: Classifier,
    concurrency: int,
    sink: ResultFile,
    summary: JobSummary,
    advance: Callable[[int], None],
) -> None:
    """Keep ``concurrency`` batches running; write finished ones in input order."""
    window: deque[tuple[list[Record], asyncio.Task[list[Prediction]]]] = deque()
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
                window.append((chunk, asyncio.create_task(classify_batch(classifier, texts))))
                running += 1
            while window and window[0][1].done():
                chunk, task = window.popleft()
                exc = task.exception()
                if isinstance(exc, LLMUnavailableError):
                    summary.stopped = exc.to_dict()
                    summary.complete = False
                    return  # everything before this batch is written; a rerun resumes here
                lines = result_lines(chunk, task.result() if exc is None else exc)
                sink.write(count_lines(lines, summary))
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

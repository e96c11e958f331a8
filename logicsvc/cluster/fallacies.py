"""``logicsvc fallacies IN -o OUT --ray [ADDRESS]``: the fallacy job as a Ray Data pipeline.

The driver reads and identifies the rows and plans the batches with the single-machine
job's own functions (:mod:`logicsvc.fallacies.jobs`), so ids, bad rows, ``--limit`` and
resuming mean exactly what they mean there; each actor classifies ``concurrency``
batches at a time with its own classifier (its own LLM connection pool and cap) and
turns them into lines with :func:`~logicsvc.fallacies.jobs.result_lines`; the driver
appends them (see :mod:`logicsvc.cluster` for why that is exactly once).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logicsvc.cluster import connected
from logicsvc.cluster.errors import reraise_pipeline_error
from logicsvc.cluster.pipeline import run_chunks
from logicsvc.errors import LLMUnavailableError, LogicsvcError
from logicsvc.fallacies import Classifier, Prediction
from logicsvc.fallacies._job_input import Record, check_source, format_of, identify, read_rows
from logicsvc.fallacies.jobs import (
    JobSummary,
    Line,
    classify_batch,
    count_lines,
    plan_batches,
    progress_total,
    result_lines,
)
from logicsvc.progress import progress_bar
from logicsvc.resultfile import ResultFile, check_outputs

if TYPE_CHECKING:
    from logicsvc.fallacies.baseline import BaselineModel
    from logicsvc.settings import Settings


@dataclass(frozen=True)
class DetectorRecipe:
    """How each actor builds the detector the CLI would build: the baseline model is
    loaded once by the driver and shipped to the actors, the LLM client is made in each
    actor (a connection pool cannot travel) from the driver's settings."""

    model: BaselineModel | None
    settings: Settings | None
    formal: bool = True
    name: str = "detector"
    detect: bool = True
    """False: the informal classifier alone, as ``eval fallacies`` scores it."""

    def __call__(self) -> Classifier:
        from logicsvc.fallacies.detector import FallacyDetector

        informal: Classifier
        if self.model is not None:
            from logicsvc.fallacies.baseline import BaselineClassifier

            informal = BaselineClassifier(self.model)
        else:
            from logicsvc.fallacies.llm import LLMClassifier
            from logicsvc.llm.openai_compat import OpenAICompatBackend

            informal = LLMClassifier(OpenAICompatBackend(self.settings))
        return FallacyDetector(informal, formal=self.formal) if self.detect else informal


class FallacyWorker:
    """One actor: a classifier, and an event loop of its own that outlives each call."""

    def __init__(self, build: Callable[[], Classifier]) -> None:
        self._loop = asyncio.new_event_loop()
        self._classifier = self._loop.run_until_complete(_in_loop(build))

    def __call__(self, chunks: list[list[Record]]) -> list[list[Line]]:
        """Each chunk is one planned batch; they are classified together, as the
        single-machine job keeps ``concurrency`` batches in flight."""
        results = self._loop.run_until_complete(self._classify(chunks))
        for result in results:
            if isinstance(result, LLMUnavailableError):
                raise result  # the job stops; what came before is written
        return [result_lines(chunk, result) for chunk, result in zip(chunks, results, strict=True)]

    async def _classify(self, chunks: list[list[Record]]) -> list[list[Prediction] | BaseException]:
        tasks = [
            classify_batch(self._classifier, [r.text for r in chunk if r.text is not None])
            for chunk in chunks
        ]
        return list(await asyncio.gather(*tasks, return_exceptions=True))


async def _in_loop(build: Callable[[], Classifier]) -> Classifier:
    return build()  # inside the loop: an LLM client's pool and semaphore belong to it


def run_job_on_ray(
    source: Path,
    out: Path,
    build: Callable[[], Classifier],
    *,
    address: str,
    name: str = "detector",
    text_field: str | None = None,
    id_field: str | None = None,
    limit: int | None = None,
    batch_size: int = 16,
    concurrency: int = 4,
    progress: bool = True,
) -> JobSummary:
    """:func:`logicsvc.fallacies.jobs.run_job` on the Ray cluster at ``address``: the same
    lines (in the same order) and the same summary.  ``build`` makes the classifier in
    each actor (it is pickled to them)."""
    if batch_size < 1 or concurrency < 1:
        raise ValueError("batch_size and concurrency must be at least 1")
    started = time.monotonic()
    source, out = Path(source), Path(out)
    fmt = format_of(source)
    text_field = check_source(source, fmt, text_field, id_field)  # found as on one machine
    check_outputs([source], [out])
    summary = JobSummary(source=str(source), out=str(out), classifier=name)
    with connected(address):
        sink = ResultFile(out)
        done = sink.open()
        rows = identify(read_rows(source, fmt, text_field, id_field), id_field)
        try:
            total = (
                progress_total(source, text_field, id_field, len(done), limit) if progress else None
            )
            chunks = plan_batches(rows, done, limit, batch_size, summary)
            results = run_chunks(
                chunks, FallacyWorker, (build,), per_call=concurrency, progress=progress
            )
            with progress_bar(progress, total, f"{name} on Ray") as advance:
                _write(results, done, sink, summary, advance)
        except Exception as exc:
            unavailable = reraise_pipeline_error(exc, keep=LLMUnavailableError)
            summary.stopped = unavailable.to_dict()
            summary.complete = False
        finally:
            rows.close()
            sink.close()
            summary.elapsed_s = round(time.monotonic() - started, 3)
    return summary


def _write(
    results: Any,
    done: set[str],
    sink: ResultFile,
    summary: JobSummary,
    advance: Callable[[int], None],
) -> None:
    """Append each batch's lines, any id already written dropped (the pipeline already
    drops a retried block's second copy; this makes "one line per id" local to here)."""
    for lines in results:
        fresh = [line for line in lines if line.id not in done]
        done.update(line.id for line in fresh)
        sink.write(count_lines(fresh, summary))
        advance(len(lines))


# --- eval fallacies --------------------------------------------------------------------


class ClassifyWorker:
    """``eval fallacies``: each batch's predictions, as ``classifier.classify`` gives them."""

    def __init__(self, build: Callable[[], Classifier]) -> None:
        self._loop = asyncio.new_event_loop()
        self._classifier = self._loop.run_until_complete(_in_loop(build))

    def __call__(self, chunks: list[list[str]]) -> list[list[Prediction]]:
        return [self._loop.run_until_complete(self._classifier.classify(c)) for c in chunks]


class _Remote:
    """The classifier as the driver knows it: a name; the classifying is the actors'."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def classify(self, texts: Sequence[str]) -> list[Prediction]:
        raise AssertionError("on Ray the actors classify")  # pragma: no cover


def evaluate_on_ray(
    path: Path,
    build: Callable[[], Classifier],
    *,
    address: str,
    name: str,
    progress: bool = True,
    **options: Any,
) -> dict[str, Any]:
    """:func:`logicsvc.fallacies.evaluate.evaluate` with the batches classified on Ray."""
    from logicsvc.fallacies.evaluate import evaluate_async

    async def answerer(batches: list[list[str]]) -> AsyncIterator[list[Prediction]]:
        for predictions in run_chunks(batches, ClassifyWorker, (build,), progress=progress):
            yield predictions

    with connected(address):
        try:
            return asyncio.run(evaluate_async(path, _Remote(name), answerer=answerer, **options))
        except LogicsvcError:
            raise
        except Exception as exc:
            reraise_pipeline_error(exc)

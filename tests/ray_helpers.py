"""Helpers for ``tests/test_ray.py`` that Ray workers and driver subprocesses import.

They live in an importable module because Ray pickles classes by reference: each worker
process imports ``tests.ray_helpers`` (the test puts the repository on ``PYTHONPATH``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.fallacy_job_helpers import ScriptedClassifier

FALLACY = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fallacy"


class SlowScripted:
    """A picklable classifier factory: each actor that builds one leaves its pid in
    ``pids`` (so a test can kill it) and sleeps ``delay`` s per batch (so a job lasts)."""

    name = "scripted"

    def __init__(self, pids: Path, delay: float) -> None:
        self.pids = pids
        self.delay = delay

    def __call__(self) -> ScriptedClassifier:
        (self.pids / str(os.getpid())).touch()
        return ScriptedClassifier(delay=lambda texts: self.delay)


def fallacy_texts() -> list[str]:
    """Every article of the fallacy datasets, as ``bench/test_bench_fallacies.py`` reads
    them (read from ../shared, never copied)."""
    from logicsvc.fallacies.baseline import read_labeled_rows

    texts: list[str] = []
    for path in sorted(FALLACY.glob("*/*.csv")):
        if path.stem.endswith("_mh"):
            continue  # the same articles as their plain files
        label = "updated_label" if path.parent.name == "logic" else "logical_fallacies"
        texts += read_labeled_rows(path, label_field=label).texts
    return texts


def write_rows(path: Path, texts: list[str], n: int) -> Path:
    """``n`` JSONL rows cycling through ``texts`` (repeats get ``-2``, ``-3`` ids), and
    an empty text every 997 rows, so bad rows travel the pipeline too."""
    with path.open("w", encoding="utf-8") as handle:
        for index in range(n):
            text = "" if index % 997 == 996 else texts[index % len(texts)]
            handle.write(json.dumps({"text": text}) + "\n")
    return path


def driver_main() -> None:
    """``python -c ... SOURCE OUT ADDRESS PIDS``: a slow job on Ray, for the kill -9 test."""
    from logicsvc.cluster.fallacies import run_job_on_ray

    source, out, address, pids = sys.argv[1:5]
    summary = run_job_on_ray(
        Path(source),
        Path(out),
        SlowScripted(Path(pids), 0.05),
        address=address,
        batch_size=4,
        concurrency=1,
        progress=False,
    )
    print(json.dumps(summary.to_dict()))


class GoneAfter:
    """A picklable classifier factory whose server "goes away" after ``calls`` batches."""

    name = "scripted"

    def __init__(self, calls: int) -> None:
        self.calls = calls

    def __call__(self) -> ScriptedClassifier:
        return ScriptedClassifier(unavailable_from=self.calls)

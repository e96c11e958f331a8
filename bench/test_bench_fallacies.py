"""A fallacy job over a text collection, against the classifier alone on the same texts.

What the job adds (JSON lines appended in input order, one fsync per batch, the
resume bookkeeping) is the ratio of the two; the formal check's cost is the ratio
with ``formal`` on.  The texts are the fallacy datasets' articles, read from
``../shared`` (they carry no license: never copied into the project), repeated to
make a larger collection.  Run: ``make bench``; figures go in BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from logicsvc.fallacies.baseline import BaselineClassifier, read_labeled_rows, train
from logicsvc.fallacies.detector import FallacyDetector
from logicsvc.fallacies.jobs import run_job

FALLACY = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fallacy"
COPIES = 3
BATCH = 16


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """(a JSONL file of texts in a temporary folder, the same texts)."""
    if not (FALLACY / "logic" / "edu_train.csv").is_file():
        pytest.skip(f"fallacy datasets not found under {FALLACY}")
    texts: list[str] = []
    for path in sorted(FALLACY.glob("*/*.csv")):
        if path.stem.endswith("_mh"):
            continue  # the same articles as their plain files
        label = "updated_label" if path.parent.name == "logic" else "logical_fallacies"
        texts += read_labeled_rows(path, label_field=label).texts
    texts *= COPIES
    source = tmp_path_factory.mktemp("fallacies") / "texts.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for index, text in enumerate(texts):
            handle.write(json.dumps({"id": index, "text": text}) + "\n")
    yield source, texts


@pytest.fixture(scope="module")
def classifier() -> BaselineClassifier:
    rows = read_labeled_rows(FALLACY / "logic" / "edu_train.csv")
    return BaselineClassifier(train(rows.texts, rows.labels))


def _classify_all(detector: FallacyDetector, texts: list[str]) -> int:
    async def run() -> int:
        labelled = 0
        for start in range(0, len(texts), BATCH):
            labelled += len(await detector.classify(texts[start : start + BATCH]))
        return labelled

    return asyncio.run(run())


def _job(detector: FallacyDetector, source: Path, out: Path) -> int:
    out.unlink(missing_ok=True)
    summary = asyncio.run(
        run_job(source, out, detector, id_field="id", batch_size=BATCH, progress=False)
    )
    return summary.ok


@pytest.mark.parametrize("formal", [False, True], ids=["informal", "formal"])
def test_classifier_alone(benchmark, collection, classifier, formal: bool) -> None:  # type: ignore[no-untyped-def]
    """Reference: the detector over the texts in batches of 16, nothing written."""
    _, texts = collection
    detector = FallacyDetector(classifier, formal=formal)
    benchmark.extra_info["texts"] = len(texts)
    labelled = benchmark.pedantic(_classify_all, args=(detector, texts), rounds=5)
    assert labelled == len(texts)


@pytest.mark.parametrize("formal", [False, True], ids=["informal", "formal"])
def test_job(benchmark, collection, classifier, formal: bool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same texts through ``run_job``: a fresh output file each round."""
    source, texts = collection
    detector = FallacyDetector(classifier, formal=formal)
    benchmark.extra_info["texts"] = len(texts)
    ok = benchmark.pedantic(_job, args=(detector, source, tmp_path / "out.jsonl"), rounds=5)
    assert ok == len(texts)

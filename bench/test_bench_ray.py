"""The fallacy job on a local Ray cluster of 1 and 2 CPUs against the single-machine job.

The same 20,000 rows (the fallacy datasets' articles, read from ``../shared`` and never
copied, cycled as ``tests/test_ray.py`` does), the offline baseline with the formal check,
batches of 16.  A round is one whole job into a fresh output file; on Ray it includes
starting the actor pool and shipping the model to it (the cluster itself is already up,
as it is for a real job).  Ray's overhead is the 1-CPU time over the single-machine time.
Run: ``make bench`` (or ``pytest bench/test_bench_ray.py --benchmark-only``; prefix
``taskset -c 0`` and add ``-k "single or 1cpu"`` for the same-core comparison); figures go
in BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from logicsvc.fallacies.baseline import BaselineClassifier, BaselineModel, read_labeled_rows, train
from logicsvc.fallacies.detector import FallacyDetector
from logicsvc.fallacies.jobs import run_job
from tests.ray_helpers import FALLACY, fallacy_texts, write_rows

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.timeout(1800)  # three whole jobs per case, on a loaded machine

ROOT = Path(__file__).resolve().parents[1]
ROWS = 20_000
ROUNDS = 3


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (FALLACY / "logic" / "edu_train.csv").is_file():
        pytest.skip(f"fallacy datasets not found under {FALLACY}")
    return write_rows(tmp_path_factory.mktemp("ray") / "posts.jsonl", fallacy_texts(), ROWS)


@pytest.fixture(scope="module")
def model() -> BaselineModel:
    rows = read_labeled_rows(FALLACY / "logic" / "edu_train.csv")
    return train(rows.texts, rows.labels)


@pytest.fixture(params=[1, 2], ids=["1cpu", "2cpu"])
def cluster(request: pytest.FixtureRequest) -> Iterator[int]:
    session = tempfile.mkdtemp(prefix="logicsvc-ray-")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        ray.init(
            num_cpus=request.param,
            include_dashboard=False,
            object_store_memory=256 * 2**20,
            log_to_driver=False,
            configure_logging=False,
            _temp_dir=session,  # not /tmp/ray, which Ray never empties
        )
        try:
            yield request.param
        finally:
            ray.shutdown()
            shutil.rmtree(session, ignore_errors=True)


def _single(model: BaselineModel, source: Path, out: Path) -> int:
    out.unlink(missing_ok=True)
    detector = FallacyDetector(BaselineClassifier(model))
    return asyncio.run(run_job(source, out, detector, progress=False)).processed


def _on_ray(model: BaselineModel, source: Path, out: Path) -> int:
    from logicsvc.cluster.fallacies import DetectorRecipe, run_job_on_ray

    out.unlink(missing_ok=True)
    recipe = DetectorRecipe(model, None)
    return run_job_on_ray(source, out, recipe, address="local", progress=False).processed


def test_single_machine(benchmark: Any, source: Path, model: BaselineModel, tmp_path: Path) -> None:
    benchmark.extra_info["rows"] = ROWS
    done = benchmark.pedantic(_single, args=(model, source, tmp_path / "o.jsonl"), rounds=ROUNDS)
    assert done == ROWS


def test_ray(
    benchmark: Any, cluster: int, source: Path, model: BaselineModel, tmp_path: Path
) -> None:
    benchmark.extra_info.update(rows=ROWS, cpus=cluster)
    done = benchmark.pedantic(_on_ray, args=(model, source, tmp_path / "o.jsonl"), rounds=ROUNDS)
    assert done == ROWS

"""The one Ray Data pipeline every ``--ray`` command runs: chunks in, results out, in order.

The driver plans the work into *chunks* (a fallacy job's batches, an evaluation's groups
of items) exactly as a single-machine run does, so a chunk means the same thing on both
paths.  Each chunk is one Ray Data row; ``map_batches`` hands ``per_call`` of them at a
time to an actor of the pool, which answers one result row per chunk.  The input is cut
into *windows* of rows, one Ray Data execution each, so the driver never holds more than
a window of a collection of millions of texts.
"""

from __future__ import annotations

import importlib
import math
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from logicsvc.cluster import require_ray
from logicsvc.errors import LogicsvcError

WINDOW_CHUNKS = 4096
"""Chunks per Ray Data execution: 65,536 texts of a fallacy job in batches of 16."""
CALLS_PER_BLOCK = 4
"""Actor calls per Ray Data block: a killed worker costs the retry of its blocks only."""


def pool_size(ray: Any, *, gpus: bool) -> int:
    """One actor per CPU of the cluster (per GPU for GPU actors): prover work is CPU-bound,
    so more actors would only contend, fewer would leave CPUs idle."""
    resources = ray.cluster_resources()
    return max(1, int(resources.get("GPU" if gpus else "CPU", 0)))


@dataclass(frozen=True)
class _Failed:
    """A worker's typed error, sent back as the result of its chunks: raised in the worker,
    Ray would hand the driver a wrapper whose cause chain lost it."""

    error: LogicsvcError


class _Actor:
    """The map_batches class: unpickles a batch of chunks, hands them to the worker."""

    def __init__(self, worker: type, args: tuple[Any, ...]) -> None:
        self.worker = worker(*args)

    def __call__(self, table: Any) -> Any:
        pyarrow = importlib.import_module("pyarrow")  # comes with Ray Data
        chunks = [pickle.loads(data) for data in table.column("chunk").to_pylist()]
        try:
            results = self.worker(chunks)
        except LogicsvcError as exc:  # an LLM server gone, say: the driver stops on it
            results = [_Failed(exc)] * len(chunks)
        return pyarrow.table(
            {"seq": table.column("seq"), "result": [pickle.dumps(r) for r in results]}
        )


def run_chunks(
    chunks: Iterable[Any],
    worker: type,
    worker_args: tuple[Any, ...],
    *,
    per_call: int = 1,
    gpus: bool = False,
    progress: bool = True,
) -> Iterator[Any]:
    """Every chunk through ``worker(*worker_args)(chunks)`` on the cluster (a list of
    chunks in, one result each out); the results, in the chunks' order.

    Chunks and results travel pickled, as Ray sends everything else: any Python value
    the worker's module can rebuild.
    """
    ray = require_ray()
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = progress
    size = pool_size(ray, gpus=gpus)
    resources = {"num_gpus": 1} if gpus else {"num_cpus": 1}
    source = enumerate(chunks)
    next_seq = fed = 0
    while window := [
        {"seq": seq, "chunk": pickle.dumps(chunk)} for seq, chunk in islice(source, WINDOW_CHUNKS)
    ]:
        blocks = math.ceil(len(window) / (per_call * CALLS_PER_BLOCK))
        dataset = ray.data.from_items(window, override_num_blocks=blocks).map_batches(
            _Actor,
            fn_constructor_args=(worker, worker_args),
            batch_size=per_call,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=size),
            **resources,
        )
        for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
            for seq, data in zip(
                batch.column("seq").to_pylist(), batch.column("result").to_pylist(), strict=True
            ):
                if seq < next_seq:
                    continue  # a retried block delivered twice: its first copy counts
                if seq != next_seq:
                    raise RuntimeError(f"Ray Data lost chunk {next_seq} (got {seq})")
                next_seq += 1
                result = pickle.loads(data)
                if isinstance(result, _Failed):
                    raise result.error
                yield result
        fed += len(window)
        if next_seq != fed:  # never seen; the check costs nothing
            raise RuntimeError(f"Ray Data returned {next_seq} of {fed} chunks")

"""Batched vs one-by-one throughput of the in-process vLLM backend (tiny random Llama).

Run: ``make bench-vllm`` (vLLM's environment, ``scripts/vllm-env``); figures go in
BENCHMARKS.md. In ``make bench`` (no vLLM) this module skips.

64 FOLIO-style translation prompts (~1,900 tokens each), every request generating exactly
128 tokens (``ignore_eos``, no grammar), so both ways do the same work: once as one wave of
concurrent ``complete()`` calls (one engine call), once awaited one at a time (64 calls).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("vllm")

from logicsvc.llm import ChatRequest
from logicsvc.llm.prompts import first_messages
from logicsvc.llm.vllm_offline import VLLMBackend, VLLMEngine
from tests.tiny_llm.build import build
from tests.tiny_llm.run import problems

PROMPTS = 64
TOKENS = 128
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "logicsvc"


@pytest.fixture(scope="module")
def engine() -> Iterator[VLLMEngine]:
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    model = build(CACHE / "tiny-llama")
    engine = VLLMEngine(
        str(model),
        sampling={"ignore_eos": True},
        dtype="float32",
        max_model_len=4096,
        enforce_eager=True,
        seed=0,
    )
    yield engine
    engine.close()


def _requests() -> list[ChatRequest]:
    return [
        ChatRequest(first_messages(p["premises"], p["conclusion"], "folio"), max_tokens=TOKENS)
        for p in problems(PROMPTS)
    ]


def _tokens(responses: list[Any]) -> int:
    return sum(c.completion_tokens for r in responses for c in r.completions)


def test_batch_of_64(benchmark: Any, engine: VLLMEngine) -> None:
    requests = _requests()

    def run() -> int:
        backend = VLLMBackend(engine)

        async def wave() -> list[Any]:
            return list(await asyncio.gather(*(backend.complete(r) for r in requests)))

        responses = asyncio.run(wave())
        assert backend.batch_sizes == [PROMPTS]
        return _tokens(responses)

    tokens = benchmark.pedantic(run, rounds=3, warmup_rounds=1)
    assert tokens == PROMPTS * TOKENS
    benchmark.extra_info["tokens_per_s"] = tokens / benchmark.stats.stats.median


def test_one_by_one(benchmark: Any, engine: VLLMEngine) -> None:
    requests = _requests()

    def run() -> int:
        backend = VLLMBackend(engine, linger_s=0.0)

        async def each() -> list[Any]:
            return [await backend.complete(r) for r in requests]

        responses = asyncio.run(each())
        assert backend.batch_sizes == [1] * PROMPTS
        return _tokens(responses)

    tokens = benchmark.pedantic(run, rounds=1, warmup_rounds=0)
    assert tokens == PROMPTS * TOKENS
    benchmark.extra_info["tokens_per_s"] = tokens / benchmark.stats.stats.median

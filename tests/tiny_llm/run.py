"""Runs batches of translation prompts through vLLM with the tiny model; writes a JSON report.

    PYTHONPATH=. $VLLM_PY -m tests.tiny_llm.run --model-dir DIR --out REPORT.json

1. Two passes over the same 64 problems through the real evaluation path (items -> prompts
   -> :class:`VLLMBackend` -> parse -> checks -> prover -> refinement), with the decoding
   grammar and without it, one refinement round each: every problem still failing comes
   back in one more batch (without the grammar, that is all of them).
2. One batch of requests that must be refused one by one (too long, a broken grammar), and a
   model folder that does not exist.
3. ``logicsvc eval folio --translator vllm`` on 4 problems, configured by environment as a
   user would, with the default decoding bounds.
4. The constrained pass on 16 problems through ``vllm serve`` and our OpenAI client.

``tests/test_vllm_cpu.py`` reads the report and re-parses every output itself.

Sampling: the same ``logit_bias`` everywhere. It raises tokens that close something (a line
end, a parenthesis) so that a model with random weights reaches the end of a program; a
trained model needs none of it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.tiny_llm.build import REPO, build

# The decoding bounds for the random model: a handful of premises and short glosses.
LIMITS = {
    "max_predicates": 4,
    "max_premises": 4,
    "max_gloss_chars": 24,
    "max_comment_chars": 8,
    "max_blank_lines": 1,
}
CLOSER_BIAS = 2.0
SAMPLES = 2  # two samples per problem: n=2 in one request, as self-consistency asks


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """JSON lines split at ``\n`` only: str.splitlines() would also split at a U+2028 that
    a model wrote into a program (JSON leaves it unescaped)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def problems(count: int) -> list[dict[str, Any]]:
    """``count`` distinct FOLIO-style problems from the repository's licensed sample."""
    lines = (REPO / "datasets" / "folio" / "sample.jsonl").read_text(encoding="utf-8").split("\n")
    items = [json.loads(line) for line in lines if line.strip()]
    out = []
    for k in range(count):
        base, other = items[k % len(items)], items[(k * 5 + k // len(items)) % len(items)]
        out.append(
            {
                "id": f"tiny-{k}",
                "premises": base["premises"],
                "conclusion": other["conclusion"],
                "label": other["label"],
            }
        )
    return out


def closer_bias(tokenizer: Any) -> dict[int, float]:
    bias = {}
    for token_id in range(len(tokenizer)):
        text = tokenizer.decode([token_id])
        if "\n" in text or ")" in text:
            bias[token_id] = CLOSER_BIAS
    return bias


async def one_pass(
    engine: Any, path: Path, out: Path, *, grammar: Any, rounds: int
) -> dict[str, Any]:
    from logicsvc.evaluation.llm_eval import evaluate_async
    from logicsvc.llm.loop import LoopOptions
    from logicsvc.llm.vllm_offline import VLLMBackend

    backend = VLLMBackend(engine, max_batch=256)
    started = time.perf_counter()
    options = LoopOptions(samples=SAMPLES, rounds=rounds, grammar=grammar)
    summary = await evaluate_async(path, chat=backend, options=options, concurrency=256, out=out)
    seconds = time.perf_counter() - started
    records = read_jsonl(out)
    return {
        "summary": summary.to_dict(),
        "batch_sizes": backend.batch_sizes,
        "seconds": round(seconds, 3),
        "records": records,
    }


async def refusals(engine: Any) -> list[dict[str, Any]]:
    """One batch: a prompt over the context, a grammar that does not compile, a good request.

    Each request is validated on its own before vLLM sees the batch; the good one must run.
    """
    from logicsvc.errors import LLMError
    from logicsvc.llm import ChatRequest, Message
    from logicsvc.llm.vllm_offline import VLLMBackend

    backend = VLLMBackend(engine)
    too_long = ChatRequest((Message("user", "P(a) ∧ Q(b) " * 8000),), max_tokens=16)
    bad_grammar = ChatRequest((Message("user", "hi"),), max_tokens=16, grammar="start: (")
    good = ChatRequest((Message("user", "Premises:"),), max_tokens=16)
    outcomes = await asyncio.gather(
        *(backend.complete(r) for r in (too_long, bad_grammar, good)), return_exceptions=True
    )
    report = []
    for outcome in outcomes:
        if isinstance(outcome, LLMError):
            report.append({"error": outcome.to_dict()})
        elif isinstance(outcome, BaseException):
            report.append({"crash": repr(outcome)})
        else:
            report.append({"completions": len(outcome.completions)})
    return [*report, {"batch_sizes": backend.batch_sizes}]


SERVER_PROBLEMS = 16


def serve_vllm(model_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``vllm serve`` as the README says to start it; returns the process and its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(model_dir), "--host", "127.0.0.1", "--port", str(port),
        "--structured-outputs-config.backend", "guidance",
        "--dtype", "float32", "--max-model-len", "4096", "--enforce-eager", "--seed", "0",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vllm serve exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/models", timeout=2):
                return process, base
        except OSError:
            time.sleep(1)
    process.terminate()
    raise RuntimeError("vllm serve did not come up in 300 s")


async def server_pass(
    base: str, path: Path, out: Path, bias: dict[int, float], limits: Any
) -> dict[str, Any]:
    """The OpenAI-compatible path: our client, the grammar sent because the server is vLLM."""
    from logicsvc.evaluation.llm_eval import evaluate_async
    from logicsvc.llm import ChatRequest, Message
    from logicsvc.llm.constraints import decoding_grammar
    from logicsvc.llm.loop import LoopOptions
    from logicsvc.llm.openai_compat import OpenAICompatBackend
    from logicsvc.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_base_url=base,
        llm_grammar="auto",
        llm_extra_body={"logit_bias": {str(k): v for k, v in bias.items()}},
        llm_concurrency=64,
        llm_timeout_s=600,
        llm_max_retries=0,
    )
    async with OpenAICompatBackend(settings) as backend:
        options = LoopOptions(samples=SAMPLES, rounds=1, grammar=limits)
        summary = await evaluate_async(path, chat=backend, options=options, concurrency=64, out=out)
        probe = ChatRequest((Message("user", "hi"),), max_tokens=8, grammar=decoding_grammar())
        sent = (await backend.complete(probe)).extra["grammar_sent"]
        info = await backend.server_info()
    records = read_jsonl(out)
    return {
        "summary": summary.to_dict(),
        "records": records,
        "owners": sorted(info.owners),
        "grammar_sent": sent,
    }


CLI_PROBLEMS = 4


def cli_pass(model_dir: Path, path: Path, out: Path, bias: dict[int, float]) -> dict[str, Any]:
    """``logicsvc eval folio --translator vllm`` as a user runs it, configured by environment."""
    env = {
        **os.environ,
        "LOGICSVC_VLLM_MODEL": str(model_dir),
        "LOGICSVC_VLLM_ENGINE_ARGS": json.dumps(
            {"dtype": "float32", "max_model_len": 4096, "enforce_eager": True, "seed": 0}
        ),
        "LOGICSVC_VLLM_SAMPLING": json.dumps({"logit_bias": {str(k): v for k, v in bias.items()}}),
    }
    command = [sys.executable, "-m", "logicsvc.cli", "eval", "folio", str(path)]
    command += [
        "--translator",
        "vllm",
        "--samples",
        str(SAMPLES),
        "--rounds",
        "1",
        "--out",
        str(out),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    last = done.stdout.strip().split("\n")[-1]
    try:  # the CLI's contract: its last stdout line is the JSON summary
        summary = json.loads(last)
    except json.JSONDecodeError:
        summary = None
    return {
        "exit_code": done.returncode,
        "summary": summary,
        "stdout_tail": done.stdout[-2000:],
        "records": read_jsonl(out) if out.exists() else [],
        "stderr_tail": done.stderr[-2000:] if done.returncode else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--problems", type=int, default=64)
    parser.add_argument("--max-model-len", type=int, default=4096)
    args = parser.parse_args()

    from logicsvc.errors import LLMError
    from logicsvc.llm.constraints import DecodingLimits
    from logicsvc.llm.vllm_offline import VLLMEngine

    model_dir = build(args.model_dir)
    from transformers import AutoTokenizer

    bias = closer_bias(AutoTokenizer.from_pretrained(model_dir))
    started = time.perf_counter()
    engine = VLLMEngine(
        str(model_dir),
        sampling={"logit_bias": bias},
        dtype="float32",
        max_model_len=args.max_model_len,
        enforce_eager=True,
        seed=0,
    )
    load_s = time.perf_counter() - started
    limits = DecodingLimits(**LIMITS)
    report: dict[str, Any] = {"load_seconds": round(load_s, 3), "limits": LIMITS}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "problems.jsonl"
        path.write_text("".join(json.dumps(p) + "\n" for p in problems(args.problems)))
        report["constrained"] = asyncio.run(
            one_pass(engine, path, Path(tmp) / "on.jsonl", grammar=limits, rounds=1)
        )
        report["unconstrained"] = asyncio.run(
            one_pass(engine, path, Path(tmp) / "off.jsonl", grammar=False, rounds=1)
        )
        report["refusals"] = asyncio.run(refusals(engine))
        try:  # a model that is not there: one typed error, no traceback
            VLLMEngine(str(Path(tmp) / "no-such-model"))
            report["load_error"] = None
        except LLMError as exc:
            report["load_error"] = exc.to_dict()
        engine.close()
        handful = Path(tmp) / "handful.jsonl"
        handful.write_text("".join(json.dumps(p) + "\n" for p in problems(CLI_PROBLEMS)))
        report["cli"] = cli_pass(model_dir, handful, Path(tmp) / "cli.jsonl", bias)
        few = Path(tmp) / "few.jsonl"
        few.write_text("".join(json.dumps(p) + "\n" for p in problems(SERVER_PROBLEMS)))
        process, base = serve_vllm(model_dir, Path(tmp) / "serve.log")
        try:
            report["server"] = asyncio.run(
                server_pass(base, few, Path(tmp) / "server.jsonl", bias, limits)
            )
        finally:
            process.terminate()
            process.wait(timeout=60)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":  # vLLM starts worker processes that re-import this module
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach for the internet
    main()

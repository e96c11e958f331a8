"""A bounded load test of the service, loopback only: ``make loadtest``.

Starts ``logicsvc replay-server`` (recorded GPT-4 FOLIO programs, with an
injected latency standing in for the model) and ``logicsvc serve`` pointed at
it, then sends a fixed number of requests with a fixed concurrency:

- ``/v1/prove`` on a real FOLIO gold problem (no LLM);
- ``/v1/reason`` on FOLIO problems (free text: the LLM path through the replay);
- ``/v1/reason/batch`` with N problems, against the same N one by one, to show that
  batching finishes in about N·L/concurrency rather than N·L.

Prints requests/s, p50 and p99 per case, and the number of errors (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
PROGRAMS = SHARED / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], env: dict[str, str], probe: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "logicsvc.cli", *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(probe, timeout=1).status_code < 500:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"{args[0]} did not start")


async def run_case(
    client: httpx.AsyncClient, url: str, bodies: list[dict[str, object]], concurrency: int
) -> dict[str, object]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors = 0

    async def one(body: dict[str, object]) -> None:
        nonlocal errors
        async with gate:
            started = time.perf_counter()
            response = await client.post(url, json=body)
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(one(b) for b in bodies))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(bodies),
        "concurrency": concurrency,
        "wall_s": round(wall, 3),
        "req_per_s": round(len(bodies) / wall, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        "errors": errors,
    }


async def main(requests: int, concurrency: int, latency: float) -> dict[str, object]:
    items = json.loads(PROGRAMS.read_text())
    gold = [json.loads(line) for line in (SHARED / "folio" / "folio-validation-A.jsonl").open()]
    replay_port, port = free_port(), free_port()
    replay = start(
        ["replay-server", str(PROGRAMS), "--port", str(replay_port), "--latency", str(latency)],
        {},
        f"http://127.0.0.1:{replay_port}/v1/models",
    )
    env = {
        "LOGICSVC_LLM_BASE_URL": f"http://127.0.0.1:{replay_port}/v1",
        "LOGICSVC_LLM_CONCURRENCY": str(concurrency),
        "LOGICSVC_MAX_IN_FLIGHT": str(4 * concurrency),
    }
    server = start(["serve", "--port", str(port)], env, f"http://127.0.0.1:{port}/healthz")
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=120) as client:
            prove = [
                {"premises": g["premises-FOL"], "conclusion": g["conclusion-FOL"]}
                for g in (gold * (requests // len(gold) + 1))[:requests]
            ]
            reason = [
                {"premises": [i["context"]], "conclusion": i["question"].split("? ")[-1],
                 "rounds": 0}
                for i in (items * (requests // len(items) + 1))[:requests]
            ]  # fmt: skip
            results: dict[str, object] = {
                "prove": await run_case(client, f"{base}/v1/prove", prove, concurrency),
                "reason_llm": await run_case(client, f"{base}/v1/reason", reason, concurrency),
            }
            n = 2 * concurrency
            batch = {"problems": reason[:n]}
            started = time.perf_counter()
            response = await client.post(f"{base}/v1/reason/batch", json=batch)
            batched = time.perf_counter() - started
            started = time.perf_counter()
            for body in reason[:n]:
                await client.post(f"{base}/v1/reason", json=body)
            sequential = time.perf_counter() - started
            results["batching"] = {
                "problems": n,
                "llm_latency_s": latency,
                "llm_concurrency": concurrency,
                "batch_s": round(batched, 2),
                "one_by_one_s": round(sequential, 2),
                "expected_batch_s": round(n * latency / concurrency, 2),
                "expected_one_by_one_s": round(n * latency, 2),
                "batch_items_without_answer": sum(
                    r.get("status") in ("rejected", "error", "timeout")
                    for r in response.json().get("results", [{"status": "error"}])
                ),
            }
            return results
    finally:
        server.terminate()
        replay.terminate()
        server.wait(timeout=15)
        replay.wait(timeout=15)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per LLM answer")
    options = parser.parse_args()
    outcome = asyncio.run(main(options.requests, options.concurrency, options.latency))
    print(json.dumps(outcome, indent=2))

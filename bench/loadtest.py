"""A bounded load test of the service, loopback only: ``make loadtest``.

Starts ``logicsvc replay-server`` (recorded GPT-4 FOLIO programs, with an
injected latency standing in for the model) and ``logicsvc serve`` pointed at
it, then sends a fixed number of requests with a fixed concurrency:

- ``/v1/prove`` on a real FOLIO gold problem (no LLM);
- ``/v1/reason`` on FOLIO problems (free text: the LLM path through the replay);
- ``/v1/reason/batch`` with N problems, against the same N one by one, to show that
  batching finishes in about N·L/concurrency rather than N·L.

Prints requests/s, p50 and p99 per case, and the number of errors (must be 0).

``--mode prove`` (issue 18) measures the HTTP path alone: ``/v1/prove`` on the FOLIO
gold programs (``premises-FOL`` + ``conclusion-FOL``, Z3) cycled, and a trivial rule
base (Socrates) as the same run's reference, each case ``--repeats`` times alternating,
with p50/p95/p99 and the CPU time that the server (its prover workers included) and this
load generator spent per request: both run on the same machine, so the generator's own
cost is part of what the server competes with. ``--url`` aims at a server already
running (to profile it); otherwise one is started with ``--server-env`` settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import httpx

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
PROGRAMS = SHARED / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"


JSON_TYPE = {"Content-Type": "application/json"}
SOCRATES = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates)\n"


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


def _cpu_s(pid: int) -> tuple[float, float]:
    """User + system CPU seconds of ``pid`` itself and of its living descendants (its
    prover workers), from Linux ``/proc``; zeros where there is no ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK")
    own = others = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            seconds = (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
        if current == pid:
            own = seconds
        else:
            others += seconds
    return own, others


def _percentile(ordered: list[float], q: float) -> float:
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def prove_case(
    client: aiohttp.ClientSession,
    url: str,
    bodies: list[dict[str, object]],
    concurrency: int,
    server_pid: int | None,
) -> dict[str, object]:
    """``bodies`` sent by ``concurrency`` clients, each one request after another; the
    latencies, the statuses and the CPU each side spent."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    # encoded before the clock starts, as ``json=`` would encode each (json.dumps, ASCII):
    # the server gets the same bytes, and the generator, sharing its cores, re-encodes nothing
    encoded = {id(b): json.dumps(b).encode() for b in bodies}
    queue = iter(bodies)

    async def client_loop() -> None:
        for body in queue:
            began = time.perf_counter()
            async with client.post(url, data=encoded[id(body)], headers=JSON_TYPE) as response:
                await response.read()
            latencies.append(time.perf_counter() - began)
            statuses[response.status] = statuses.get(response.status, 0) + 1

    server_before = _cpu_s(server_pid) if server_pid else (0.0, 0.0)
    own_cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    own_cpu = time.process_time() - own_cpu
    server_after = _cpu_s(server_pid) if server_pid else (math.nan, math.nan)
    server_cpu, workers_cpu = (a - b for a, b in zip(server_after, server_before, strict=True))
    ordered = sorted(latencies)
    n = len(bodies)
    return {
        "requests": n,
        "req_per_s": round(n / wall, 1),
        "p50_ms": _percentile(ordered, 0.50),
        "p95_ms": _percentile(ordered, 0.95),
        "p99_ms": _percentile(ordered, 0.99),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_cpu_ms_per_req": round(1000 * server_cpu / n, 2),
        "workers_cpu_ms_per_req": round(1000 * workers_cpu / n, 2),
        "loadgen_cpu_ms_per_req": round(1000 * own_cpu / n, 2),
        "loadgen_cores": round(own_cpu / wall, 2),
    }


async def main_prove(
    url: str | None, requests: int, concurrency: int, repeats: int, server_env: dict[str, str]
) -> dict[str, object]:
    gold = [json.loads(line) for line in (SHARED / "folio" / "folio-validation-A.jsonl").open()]
    server = None
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start(["serve", "--port", str(port)], server_env, f"{url}/healthz")
    # aiohttp, not httpx: it spends ~0.4 ms of CPU per request against httpx's ~1.3 ms,
    # and this client shares the machine's cores with the server it measures
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
            # one warm-up pass; a gold program the DSL refuses (422: five in this file)
            # is not a proving request, so the timed cases cycle the ones answered 200
            programs = []
            for g in gold:
                body = {"premises": g["premises-FOL"], "conclusion": g["conclusion-FOL"]}
                async with client.post(f"{url}/v1/prove", json=body) as response:
                    if response.status == 200:
                        programs.append(body)
            folio = (programs * (requests // len(programs) + 1))[:requests]
            trivial: list[dict[str, object]] = [{"program": SOCRATES}] * requests
            pid = server.pid if server is not None else None
            runs: dict[str, list[dict[str, object]]] = {"folio_gold": [], "trivial": []}
            for _ in range(repeats):
                for name, bodies in (("folio_gold", folio), ("trivial", trivial)):
                    runs[name].append(
                        await prove_case(client, f"{url}/v1/prove", bodies, concurrency, pid)
                    )
        out: dict[str, object] = {
            "concurrency": concurrency,
            "gold_programs": len(programs),
            "cores": os.cpu_count(),
        }
        for name, results in runs.items():
            best = sorted(results, key=lambda r: float(str(r["req_per_s"])))
            out[name] = {"median_run": best[len(best) // 2], "runs": results}
        return out
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)


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
    parser.add_argument("--mode", choices=("all", "prove"), default="all")
    parser.add_argument("--repeats", type=int, default=3, help="prove mode: runs per case")
    parser.add_argument("--url", help="prove mode: a server already running (loopback)")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="prove mode: a setting for the server it starts",
    )
    options = parser.parse_args()
    if options.mode == "prove":
        env = dict(item.split("=", 1) for item in options.server_env)
        outcome = asyncio.run(
            main_prove(options.url, options.requests, options.concurrency, options.repeats, env)
        )
    else:
        outcome = asyncio.run(main(options.requests, options.concurrency, options.latency))
    print(json.dumps(outcome, indent=2))

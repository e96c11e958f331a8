"""A bounded abuse test of the service, loopback only: ``make abuse``.

Starts ``logicsvc serve`` on 127.0.0.1 (with a tiny counting stand-in for an LLM
server, so ``/readyz`` has something to ask) and runs four attacks from issue 17, one
after the other, each for a fixed time. During each, a well-behaved client sends a
trivial ``/v1/prove`` (Socrates) one request at a time and we print its latency
(p50 / p95 / max) and status codes next to a quiet baseline:

1. ``paths``: requests to random ``/v1/<hex>`` paths (each a metrics label before the
   fix), then the size and scrape time of ``/metrics``;
2. ``flood``: bodies under 1 MB of 27,000 premise lines (``P1(x), Q1(x) -> R1(x)``);
3. ``slow``: sockets that send a request head and one body byte, then nothing;
4. ``readyz``: concurrent ``/readyz`` probes; outbound ``/v1/models`` calls are counted.

Each phase gets a freshly started server (a flood still being parsed must not slow
the next phase); ``--url`` attacks one server you started yourself instead (loopback
only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import httpx

SOCRATES = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(socrates)\nConclusion:\nMortal(socrates)\n"
FLOOD = "Premises:\n" + "P1(x), Q1(x) -> R1(x)\n" * 27_000 + "Conclusion:\nR1(a)\n"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, *_: object) -> None:  # a probe that hung up: not our news
        pass


class _CountingLLM(BaseHTTPRequestHandler):
    calls = 0

    def do_GET(self) -> None:
        _CountingLLM.calls += 1
        body = b'{"object":"list","data":[{"id":"m","object":"model","owned_by":"x"}]}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(llm_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "LOGICSVC_LLM_BASE_URL": llm_url, "LOGICSVC_LLM_MODEL": "m"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "logicsvc.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("logicsvc serve did not start")


async def probe(url: str, stop: asyncio.Event) -> tuple[list[float], dict[int, int]]:
    """The well-behaved client: trivial proofs one at a time until ``stop``."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(timeout=180) as client:
        while not stop.is_set():
            began = time.perf_counter()
            try:
                answer = await client.post(f"{url}/v1/prove", json={"program": SOCRATES})
                status = answer.status_code
            except httpx.TransportError:
                status = 0
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
            await asyncio.sleep(0.05)
    return latencies, statuses


def summary(name: str, latencies: list[float], statuses: dict[int, int], note: str = "") -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    codes = ",".join(f"{k}×{v}" for k, v in sorted(statuses.items()))
    return (
        f"{name:<9} n={len(ms):<4} p50={statistics.median(ms):8.1f} ms  p95={p95:8.1f} ms  "
        f"max={ms[-1]:8.1f} ms  [{codes}] {note}"
    )


async def attack_paths(url: str, stop: asyncio.Event, count: int) -> str:
    async with httpx.AsyncClient(timeout=60) as client:
        for start in range(0, count, 50):
            if stop.is_set():
                break
            paths = [f"{url}/v1/{secrets.token_hex(8)}" for _ in range(min(50, count - start))]
            await asyncio.gather(*(client.get(p) for p in paths))
        began = time.perf_counter()
        scrape = await client.get(f"{url}/metrics")
        took = (time.perf_counter() - began) * 1000
    return f"/metrics {len(scrape.content) / 1e6:.2f} MB, scraped in {took:.0f} ms"


async def attack_flood(url: str, stop: asyncio.Event, parallel: int) -> str:
    sent = codes = 0
    async with httpx.AsyncClient(timeout=300) as client:

        async def one() -> None:
            nonlocal sent, codes
            while not stop.is_set():
                response = await client.post(f"{url}/v1/prove", json={"program": FLOOD})
                sent += 1
                codes += response.status_code == 422

        await asyncio.gather(*(one() for _ in range(parallel)))
    return f"{sent} flood bodies sent, {codes} refused with 422"


async def attack_slow(url: str, stop: asyncio.Event, sockets: int) -> str:
    where = urlparse(url)
    head = (
        f"POST /v1/prove HTTP/1.1\r\nHost: {where.hostname}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    ).encode()
    writers = []
    for _ in range(sockets):
        _, writer = await asyncio.open_connection(where.hostname, where.port)
        writer.write(head)
        writers.append(writer)
    await stop.wait()
    for writer in writers:
        writer.close()
    return f"{sockets} sockets each sent a head and 1 body byte"


async def attack_readyz(url: str, stop: asyncio.Event, count: int) -> str:
    before = _CountingLLM.calls
    async with httpx.AsyncClient(timeout=60) as client:
        statuses = [r.status_code for r in await asyncio.gather(
            *(client.get(f"{url}/readyz") for _ in range(count))
        )]  # fmt: skip
    return (
        f"{count} /readyz → statuses {sorted(set(statuses))}, "
        f"{_CountingLLM.calls - before} outbound /v1/models calls"
    )


async def phase(name: str, url: str, seconds: float, attack: object = None) -> str:
    stop = asyncio.Event()
    task = None if attack is None else asyncio.create_task(attack(url, stop))  # type: ignore[operator]
    await asyncio.sleep(0.5)  # the attack is under way before the probe starts
    watcher = asyncio.create_task(probe(url, stop))
    await asyncio.sleep(seconds)
    stop.set()
    note = "" if task is None else await task
    latencies, statuses = await watcher
    return summary(name, latencies, statuses, note)


async def main(args: argparse.Namespace) -> None:
    llm = _QuietServer(("127.0.0.1", 0), _CountingLLM)
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    phases = [
        ("quiet", None),
        ("paths", lambda u, st: attack_paths(u, st, args.paths)),
        ("flood", lambda u, st: attack_flood(u, st, args.flood)),
        ("slow", lambda u, st: attack_slow(u, st, args.slow)),
        ("readyz", lambda u, st: attack_readyz(u, st, args.readyz)),
    ]
    wanted = set(args.phases.split(","))
    try:
        for name, attack in phases:
            if name not in wanted:
                continue
            proc, url = None, args.url
            if url is None:
                proc, url = start_server(f"http://127.0.0.1:{llm.server_port}/v1")
            try:
                print(await phase(name, url, args.seconds, attack), flush=True)
            finally:
                if proc is not None:
                    proc.kill()  # a server still parsing a flood would take long to stop
                    proc.wait(timeout=30)
    finally:
        llm.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server on loopback (default: start one)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--paths", type=int, default=5000, help="random paths (attack 1)")
    parser.add_argument("--flood", type=int, default=8, help="parallel flood bodies (attack 2)")
    parser.add_argument("--slow", type=int, default=40, help="slow sockets (attack 3)")
    parser.add_argument("--readyz", type=int, default=300, help="probes (attack 4)")
    parser.add_argument("--phases", default="quiet,paths,flood,slow,readyz", help="which to run")
    parsed = parser.parse_args()
    if parsed.url and urlparse(parsed.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--url must be a loopback address")
    asyncio.run(main(parsed))

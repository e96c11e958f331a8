"""The whole live path on real recorded LLM outputs: prompt → HTTP → parse → prove → refine.

``logicsvc replay-server`` answers each prompt with the program the model really wrote;
``eval folio --translator llm`` / ``eval proofwriter --translator llm`` run the loop
against it through the real ``openai`` client, and must score exactly what
``eval programs`` scores on the same file without any HTTP.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

KEYS = ("n", "parsed", "executable", "correct", "accuracy")


def _cli(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "logicsvc.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    summary: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return summary


@contextmanager
def replay_server(path: Path) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "logicsvc.cli", "replay-server", str(path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("FOLIO_dev-A_gpt-4.json", ["eval", "folio", "--translator", "llm"]),
        ("ProofWriter_dev-A_gpt-4.json", ["eval", "proofwriter", "--translator", "llm"]),
    ],
)
def test_live_loop_on_replay_matches_eval_programs(
    shared_datasets: Path, tmp_path: Path, name: str, command: list[str]
) -> None:
    path = shared_datasets / "llm_programs" / "logiclm" / name
    offline = _cli("eval", "programs", str(path))
    with replay_server(path) as url:
        env = {**os.environ, "LOGICSVC_LLM_BASE_URL": url}
        out = tmp_path / "items.jsonl"
        live = _cli(*command, str(path), "--rounds", "1", "--out", str(out), env=env)
    assert {k: live[k] for k in KEYS} == {k: offline[k] for k in KEYS}
    assert live["llm_calls"] >= live["n"]  # one call per item, plus refinement rounds
    records = [json.loads(line) for line in out.read_text().splitlines()]
    failed = [r for r in records if r["status"] == "failed"]
    # every failed item was refined once, and the error went back to the "model"
    assert all(len(r["attempts"]) == 2 for r in failed)
    assert all(r["attempts"][0]["error"]["code"] for r in failed)

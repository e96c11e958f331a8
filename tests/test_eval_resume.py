"""A live evaluation that the LLM server stops keeps what it did; ``--resume`` goes on.

The model is the real recorded GPT-4 FOLIO programs (``ReplayChat``); the "server" goes
down after a number of calls, as a real one does mid-run.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from logicsvc.errors import InputError, LLMUnavailableError
from logicsvc.evaluation.llm_eval import Summary, evaluate_async
from logicsvc.llm import ChatRequest, ChatResponse
from logicsvc.llm.loop import LoopOptions
from logicsvc.llm.replay import ReplayChat

OPTIONS = LoopOptions(rounds=1)
CHUNK = 16


class GoesDown:
    """The recordings, until the server becomes unreachable after ``up`` calls."""

    name = "goes-down"

    def __init__(self, programs: Path, up: int) -> None:
        self.replay = ReplayChat(programs)
        self.up = up

    async def complete(self, request: ChatRequest) -> ChatResponse:
        if self.replay.calls >= self.up:
            raise LLMUnavailableError("connection refused")
        return await self.replay.complete(request)


def _run(programs: Path, chat: Any, out: Path | None, resume: bool = False) -> Summary:
    return asyncio.run(
        evaluate_async(
            programs, chat=chat, options=OPTIONS, concurrency=CHUNK, out=out, resume=resume
        )
    )


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def programs(shared_datasets: Path) -> Path:
    return shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"


def test_a_stopped_run_resumes_to_the_summary_of_an_unbroken_one(
    programs: Path, tmp_path: Path
) -> None:
    whole_chat = ReplayChat(programs)
    whole = _run(programs, whole_chat, tmp_path / "whole.jsonl")

    out = tmp_path / "out.jsonl"
    with pytest.raises(LLMUnavailableError, match="--resume") as stopped:
        _run(programs, GoesDown(programs, up=40), out)
    kept = _records(out)
    assert 0 < len(kept) < whole.n  # each problem saved as it finished, nothing torn
    assert f"the {len(kept)} records so far are in {out}" in stopped.value.message
    with out.open("ab") as handle:  # as if killed mid-line, too
        handle.write(b'{"id": "FOLIO_dev_9')

    again = ReplayChat(programs)
    resumed = _run(programs, again, out, resume=True)
    assert resumed.resumed == len(kept)
    keys = ("n", "parsed", "executable", "correct", "accuracy", "statuses", "errors")
    keys += ("llm_calls", "tokens", "refined")
    assert {k: resumed.to_dict()[k] for k in keys} == {k: whole.to_dict()[k] for k in keys}
    assert 0 < again.calls < whole_chat.calls  # only what was missing was asked again
    final = _records(out)
    whole_ids = [r["id"] for r in _records(tmp_path / "whole.jsonl")]
    assert sorted(r["id"] for r in final) == sorted(whole_ids)  # each item once
    assert final[: len(kept)] == kept  # the earlier records stand as they were


def test_resume_refuses_records_of_another_dataset(programs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "ProofWriter_dev_1", "llm_calls": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match="not in this dataset") as refused:
        _run(programs, ReplayChat(programs), out, resume=True)
    assert refused.value.code == "invalid_output"
    out.write_text('{"id": "FOLIO_dev_0", "status": "ok", "predicted": "true"}\n')
    with pytest.raises(InputError, match="not written by an LLM evaluation"):
        _run(programs, ReplayChat(programs), out, resume=True)  # e.g. eval programs' output
    with pytest.raises(InputError, match="--resume needs --out"):
        _run(programs, ReplayChat(programs), None, resume=True)


def test_without_resume_the_output_starts_empty(programs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "FOLIO_dev_0", "status": "stale"}\n', encoding="utf-8")
    summary = _run(programs, ReplayChat(programs), out)
    assert summary.resumed == 0 and len(_records(out)) == summary.n == 86
    assert all(r["status"] != "stale" for r in _records(out))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "logicsvc.cli", "eval", "folio", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_cli_resume_options_are_checked(programs: Path, tmp_path: Path) -> None:
    replay = ("--translator", "replay", "--programs", str(programs))
    no_out = _cli(str(programs), *replay, "--resume")
    assert no_out.returncode == 2
    assert "--resume needs --out" in json.loads(no_out.stdout.splitlines()[-1])["error"]["message"]
    rules = _cli(str(programs), "--translator", "rules", "--resume", "--out", str(tmp_path / "o"))
    assert rules.returncode == 2
    assert json.loads(rules.stdout.splitlines()[-1])["error"]["code"] == "invalid_option"
    nowhere = _cli(str(programs), *replay, "--out", str(tmp_path / "no" / "such" / "dir.jsonl"))
    assert nowhere.returncode == 2
    assert json.loads(nowhere.stdout.splitlines()[-1])["error"]["code"] == "unwritable_output"

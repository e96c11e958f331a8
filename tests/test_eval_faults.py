"""Evaluations under faults (issue 17, items 9, 11, 12, 13): a wrong LLM URL, a server
that dies mid-chunk or answers garbage for a while, and outputs that cannot or must not
be written. The model is the real recorded GPT-4 FOLIO programs.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from logicsvc.errors import LLMError, LLMUnavailableError
from logicsvc.evaluation.llm_eval import Summary, evaluate_async
from logicsvc.llm import ChatRequest, ChatResponse
from logicsvc.llm.loop import LoopOptions
from logicsvc.llm.replay import ReplayChat
from logicsvc.llm.replay_server import create_replay_app, serve_in_thread
from tests.test_eval_resume import GoesDown

OPTIONS = LoopOptions(rounds=1)
READ_ONLY = Path("/sys/kernel")
"""A folder nobody may create files in, root included (sysfs)."""


@pytest.fixture
def programs(shared_datasets: Path) -> Path:
    return shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"


def _run(programs: Path, chat: Any, out: Path, resume: bool = False) -> Summary:
    return asyncio.run(
        evaluate_async(programs, chat=chat, options=OPTIONS, concurrency=64, out=out, resume=resume)
    )


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "logicsvc.cli", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, env={**os.environ, **env}
    )


def _error(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])["error"]
    return error


def test_every_finished_problem_is_saved_as_it_finishes(programs: Path, tmp_path: Path) -> None:
    """Item 11: the server dies after 30 answers inside one chunk of 64; those answered
    with nothing left to refine are on disk (they used to be lost with the chunk)."""
    out = tmp_path / "out.jsonl"
    with pytest.raises(LLMUnavailableError, match="--resume"):
        _run(programs, GoesDown(programs, up=30), out)
    kept = _records(out)
    assert 0 < len(kept) <= 30
    assert all(r["status"] != "llm_error" and r["llm_calls"] >= 1 for r in kept)


class Flaky:
    """The recordings, but the first ``bad`` calls get a reply that is not a completion."""

    name = "flaky"

    def __init__(self, programs: Path, bad: int) -> None:
        self.replay = ReplayChat(programs)
        self.bad = bad

    async def complete(self, request: ChatRequest) -> ChatResponse:
        if self.bad > 0:
            self.bad -= 1
            raise LLMError("<html>502 Bad Gateway</html> is not a completion", code="llm_bad_reply")
        return await self.replay.complete(request)


def test_resume_asks_again_what_failed_for_the_moment(programs: Path, tmp_path: Path) -> None:
    """Item 9: transient failures are not permanent records: --resume asks them again and
    ends with the summary of an unbroken run."""
    whole = _run(programs, ReplayChat(programs), tmp_path / "whole.jsonl")
    out = tmp_path / "out.jsonl"
    flaky = _run(programs, Flaky(programs, bad=7), out)
    assert flaky.statuses["llm_error"] == 7
    resumed = _run(programs, ReplayChat(programs), out, resume=True)
    assert resumed.resumed == whole.n - 7
    keys = ("n", "executable", "correct", "accuracy", "statuses")
    assert {k: resumed.to_dict()[k] for k in keys} == {k: whole.to_dict()[k] for k in keys}
    again = _run(programs, ReplayChat(programs), out, resume=True)  # superseded lines are fine
    assert again.resumed == whole.n and again.correct == whole.correct


def test_a_base_url_without_v1_stops_the_run_and_resume_recovers(
    programs: Path, tmp_path: Path
) -> None:
    """Item 9: exit 2 with no record (not 86 llm_error lines and exit 0); then the same
    command with the right URL and --resume scores every item."""
    out = tmp_path / "out.jsonl"
    args = ("eval", "folio", str(programs), "--translator", "llm", "--rounds", "1")
    with serve_in_thread(create_replay_app([programs])) as url:
        env = {"LOGICSVC_LLM_MAX_RETRIES": "0", "LOGICSVC_LLM_MODEL": "replay"}
        wrong = _cli(*args, "--out", str(out), LOGICSVC_LLM_BASE_URL=url[: -len("/v1")], **env)
        assert wrong.returncode == 2
        assert _error(wrong)["code"] == "llm_unavailable" and "/v1" in _error(wrong)["message"]
        assert not out.exists() or _records(out) == []
        right = _cli(*args, "--out", str(out), "--resume", LOGICSVC_LLM_BASE_URL=url, **env)
    assert right.returncode == 0, right.stderr
    summary = json.loads(right.stdout.splitlines()[-1])
    assert summary["n"] == 86 and summary["accuracy"] > 0.6


def test_a_non_empty_output_is_not_emptied_by_default(programs: Path, tmp_path: Path) -> None:
    """Item 12: the records of an earlier run stay unless --overwrite says otherwise."""
    out = tmp_path / "items.jsonl"
    earlier = '{"id": "FOLIO_dev_0", "status": "ok"}\n'
    out.write_text(earlier, encoding="utf-8")
    refused = _cli("eval", "programs", str(programs), "--out", str(out))
    assert refused.returncode == 2 and _error(refused)["code"] == "output_exists"
    assert out.read_text(encoding="utf-8") == earlier
    replaced = _cli("eval", "programs", str(programs), "--out", str(out), "--overwrite")
    assert replaced.returncode == 0 and len(_records(out)) == 86


def _unwritable() -> Path:
    target = READ_ONLY / "logicsvc-probe.md"
    if not READ_ONLY.is_dir():
        pytest.skip("no /sys/kernel here")
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except OSError:
        return target
    target.unlink()
    pytest.skip("/sys/kernel is writable here")


def test_unwritable_outputs_are_refused_before_the_run(programs: Path, tmp_path: Path) -> None:
    """Item 13: a report (or model) that cannot be written is refused up front, not a
    traceback after the whole run."""
    target = _unwritable()
    report = _cli("eval", "programs", str(programs), "--report", str(target))
    assert report.returncode == 2 and _error(report)["code"] == "unwritable_output"
    assert len(report.stdout.splitlines()) == 1  # nothing ran: only the error line
    labelled = tmp_path / "train.csv"
    labelled.write_text(
        "source_article,updated_label\nYou are an idiot.,ad hominem\n"
        "Everyone does it.,ad populum\n",
        encoding="utf-8",
    )
    model = _cli("fallacies", "train", str(labelled), "-o", str(target.with_suffix(".model")))
    assert model.returncode == 2 and _error(model)["code"] == "unwritable_output"

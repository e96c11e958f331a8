"""What a newcomer trips over (issue 17, items 16, 19, 20): the README's first steps, an
input that cannot be scored, a command with nothing to reason from, a misleading hint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from logicsvc.errors import LLMError
from logicsvc.llm.openai_compat import OpenAICompatBackend
from logicsvc.settings import Settings
from tests.conftest import REPO


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "logicsvc.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _last(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    last: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return last


def test_the_readme_says_how_to_reach_the_installed_command() -> None:
    """Item 16: after `make serve` a bare `logicsvc` is 'command not found'."""
    start = (REPO / "README.md").read_text(encoding="utf-8").split("## The DSL")[0]
    assert "source .venv/bin/activate" in start and ".venv/bin/logicsvc" in start


def test_folio_gold_on_data_without_gold_fol_is_an_input_error(
    shared_datasets: Path, tmp_path: Path
) -> None:
    """Item 19: free-text FOLIO given to folio-gold scored 0.0 with exit 0."""
    source = shared_datasets / "folio" / "folio-validation-A.jsonl"
    stripped = tmp_path / "free-text.jsonl"
    lines = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    stripped.write_text(
        "".join(
            json.dumps({k: v for k, v in item.items() if not k.endswith("-FOL")}) + "\n"
            for item in lines
        ),
        encoding="utf-8",
    )
    refused = _cli("eval", "folio-gold", str(stripped))
    assert refused.returncode == 2
    assert _last(refused)["error"]["code"] == "invalid_input"
    assert "eval folio" in _last(refused)["error"]["message"]


def test_reason_without_premises_is_refused() -> None:
    """Item 20: `reason -c X` with nothing to reason from."""
    refused = _cli("reason", "-c", "Socrates is mortal.")
    assert refused.returncode == 2
    assert "premise" in _last(refused)["error"]["message"]


def test_the_missing_llm_hint_does_not_point_at_logicsvc_itself() -> None:
    """Item 20: the hint's example URL was 127.0.0.1:8000, where logicsvc serves."""
    with pytest.raises(LLMError) as caught:
        OpenAICompatBackend(Settings(_env_file=None, llm_base_url=None))  # type: ignore[call-arg]
    assert "LOGICSVC_LLM_BASE_URL" in caught.value.message
    assert ":8000/" not in caught.value.message


def test_long_commands_show_progress_on_stderr(shared_datasets: Path, tmp_path: Path) -> None:
    """Item 18: eval commands and fallacies train said nothing until they finished."""
    programs = shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"
    scored = _cli("eval", "programs", str(programs))
    assert scored.returncode == 0 and "86/86" in scored.stderr
    assert _last(scored)["n"] == 86  # stdout stays the results
    quiet = _cli("eval", "--no-progress", "programs", str(programs))
    assert "86/86" not in quiet.stderr
    labelled = tmp_path / "l.csv"
    labelled.write_text(
        "source_article,updated_label\nYou are an idiot.,ad hominem\nAll do it.,ad populum\n",
        encoding="utf-8",
    )
    trained = _cli("fallacies", "train", str(labelled), "-o", str(tmp_path / "m"))
    assert trained.returncode == 0, trained.stderr
    assert "training the baseline on 2 texts" in trained.stderr

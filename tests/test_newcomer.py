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


def test_one_vocabulary_and_auto_by_default(shared_datasets: Path, tmp_path: Path) -> None:
    """Item 17: the HTTP names work on the CLI (the old ones still do), -o everywhere, and
    `reason` defaults to auto: rules first, the configured LLM for what they cannot read."""
    program = tmp_path / "p.fol"
    program.write_text("Premises:\nP(a) ∨ Q(a)\n¬P(a)\nConclusion:\nQ(a)\n", encoding="utf-8")
    new = _cli("prove", str(program), "--prover", "z3", "--lenient", "--timeout-s", "5")
    old = _cli("prove", str(program), "--backend", "z3", "--timeout", "5")
    assert _last(new)["verdict"] == _last(old)["verdict"] == "true"
    assert _last(new)["backend"] == "z3"
    programs = shared_datasets / "llm_programs" / "logiclm" / "FOLIO_dev-A_gpt-4.json"
    out = tmp_path / "items.jsonl"
    assert _cli("eval", "programs", str(programs), "-o", str(out)).returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 86

    from logicsvc.llm.replay_server import create_replay_app, serve_in_thread

    item = json.loads(programs.read_text(encoding="utf-8"))[0]
    premises = [s.strip() + "." for s in item["context"].split(".") if s.strip()]
    conclusion = item["question"].split("?")[-1].strip()
    with serve_in_thread(create_replay_app([programs])) as url:
        env = {"LOGICSVC_LLM_BASE_URL": url, "LOGICSVC_LLM_MODEL": "replay"}
        args = [arg for p in premises for arg in ("-p", p)]
        free = _cli_env(env, "reason", *args, "-c", conclusion)
        controlled = _cli_env(
            env, "reason", "-p", "All men are mortal.", "-p", "Socrates is a man.",
            "-c", "Socrates is mortal.",
        )  # fmt: skip
    assert _last(free)["translator"] == "llm", free.stderr
    assert _last(controlled)["translator"] == "rules" and _last(controlled)["verdict"] == "true"


def _cli_env(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    import os

    command = [sys.executable, "-m", "logicsvc.cli", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


def test_every_fallacy_command_finds_the_text_column_the_same_way(
    shared_datasets: Path, tmp_path: Path
) -> None:
    """Item 17: `fallacies run` wanted --text-field source_article on the Logic data while
    train/eval wanted nothing; now none needs it, and a wrong name gets a suggestion."""
    dev = shared_datasets / "fallacy" / "logic" / "edu_dev.csv"
    model = tmp_path / "m.model"
    trained = _cli("fallacies", "train", str(dev), "-o", str(model))
    assert trained.returncode == 0, trained.stderr
    out = tmp_path / "labels.jsonl"
    labelled = _cli("fallacies", str(dev), "-o", str(out), "--model", str(model), "--limit", "5",
                    "--no-progress")  # fmt: skip
    assert labelled.returncode == 0, labelled.stderr
    assert [json.loads(line)["status"] for line in out.read_text().splitlines()] == ["ok"] * 5
    wrong = _cli("fallacies", str(dev), "-o", str(tmp_path / "x.jsonl"), "--model", str(model),
                 "--text-field", "source_artcle")  # fmt: skip
    assert wrong.returncode == 2
    assert "did you mean 'source_article'?" in _last(wrong)["error"]["message"]
    scored = _cli("eval", "fallacies", str(dev), "--model", str(model), "--text-field", "txt")
    assert scored.returncode == 2 and _last(scored)["error"]["code"] == "missing_column"

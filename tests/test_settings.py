"""A setting logicsvc cannot use is a typed error naming the variable, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logicsvc.cli import app
from logicsvc.errors import ConfigurationError
from logicsvc.settings import get_settings


@pytest.fixture(autouse=True)
def no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("LOGICSVC_LLM_CONCURRENCY", "abc", "LOGICSVC_LLM_CONCURRENCY: Input should be"),
        ("LOGICSVC_LLM_GRAMMAR", "sometimes", "LOGICSVC_LLM_GRAMMAR"),
        ("LOGICSVC_VLLM_ENGINE_ARGS", "{bad", "LOGICSVC_VLLM_ENGINE_ARGS must be JSON"),
        ("LOGICSVC_LLM_EXTRA_BODY", "[1,", "LOGICSVC_LLM_EXTRA_BODY must be JSON"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match="invalid setting") as caught:
        get_settings()
    assert says in str(caught.value) and caught.value.code == "invalid_settings"


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "folio", "{problems}", "--translator", "llm"],
        ["eval", "folio", "{problems}", "--translator", "vllm"],
        ["reason", "-p", "A.", "-c", "A.", "--translator", "llm"],
        ["serve", "--port", "1"],
    ],
)
def test_cli_answers_a_bad_setting_with_a_json_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"premises": ["A."], "conclusion": "A.", "label": "True"}))
    monkeypatch.setenv("LOGICSVC_LLM_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("LOGICSVC_VLLM_MODEL", "some/model")
    monkeypatch.setenv("LOGICSVC_VLLM_ENGINE_ARGS", "{not json")
    monkeypatch.setenv("LOGICSVC_LLM_EXTRA_BODY", "{not json")
    result = CliRunner().invoke(app, [a.format(problems=problems) for a in args])
    assert result.exit_code == 2, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("{"))
    assert json.loads(line)["error"]["code"] == "invalid_settings"

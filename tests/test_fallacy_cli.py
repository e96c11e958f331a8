"""``logicsvc fallacies train`` / ``fallacies IN -o OUT`` / ``eval fallacies`` end to end,
on small texts written for this project (the fallacy datasets are never copied here)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = {
    "ad populum": [
        "Everyone is buying this phone, so it must be the best one.",
        "Millions of people believe it, so it has to be true.",
        "Most people in town support the plan, therefore the plan is right.",
        "All my friends use this app, so it is clearly the best.",
    ],
    "ad hominem": [
        "You cannot trust his tax plan because he is a terrible person.",
        "She failed school, so her view on climate is worthless.",
        "Ignore that scientist, he is rude and arrogant.",
        "Why listen to him? He was fired from his last job.",
    ],
    "false dilemma": [
        "Either we ban all cars or the planet is doomed.",
        "You are either with us or against us.",
        "Either you love this country or you should leave it.",
        "We either cut every program or go bankrupt.",
    ],
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logicsvc.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_train_run_resume_and_eval(tmp_path: Path) -> None:
    labeled = tmp_path / "labeled.csv"
    with labeled.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_article", "updated_label"])
        for label, texts in EXAMPLES.items():
            writer.writerows([t, label] for t in texts)
    model = tmp_path / "model.bin"
    trained = run("fallacies", "train", str(labeled), "-o", str(model))
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["trained_on"] == 12

    source = tmp_path / "posts.jsonl"
    texts = [
        "If Bob is rich then Bob is happy. Bob is happy. Therefore, Bob is rich.",
        "Everyone at work believes it, so it must be true.",
        "",
        "All men are mortal. Socrates is a man. Therefore, Socrates is mortal.",
    ]
    posts = [{"id": f"p{i}", "text": t} for i, t in enumerate(texts, start=1)]
    source.write_text("".join(json.dumps(p) + "\n" for p in posts))
    out = tmp_path / "out.jsonl"
    first = run("fallacies", str(source), "-o", str(out), "--model", str(model),
                "--id-field", "id", "--limit", "2", "--no-progress")  # fmt: skip
    assert first.returncode == 0, first.stderr
    second = run("fallacies", str(source), "-o", str(out), "--model", str(model),
                 "--id-field", "id", "--no-progress")  # fmt: skip
    assert second.returncode == 0, second.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["p1", "p2", "p3", "p4"]  # once each, in order
    formal, informal, empty, valid = lines
    assert formal["label"] == "fallacy of logic" and formal["formal"]["valid"] is False
    assert formal["formal"]["form"] == "affirming the consequent"
    assert "¬Rich(bob)" in formal["formal"]["countermodel"]["facts"]
    assert informal["label"] == "ad populum" and informal["rationale"].startswith("cues")
    assert empty["status"] == "skipped" and empty["error"]["code"] == "empty_text"
    assert valid["label"] == "none" and valid["formal"]["form"] == "modus ponens"
    assert json.loads(second.stdout)["skipped_done"] == 2

    scored = run("eval", "fallacies", str(labeled), "--model", str(model),
                 "--report", str(tmp_path / "report.md"))  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    summary = json.loads(scored.stdout.strip().splitlines()[-1])
    assert summary["n"] == 12 and 0.0 <= summary["macro_f1"] <= 1.0
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG")


def test_a_classifier_is_required(tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_text('{"text": "x"}\n')
    proc = run("fallacies", str(source), "-o", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "invalid_option"


def _env(**extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGICSVC_", "OPENAI_"))}
    return {**env, **extra}


def test_fallacies_take_the_translator_vocabulary(tmp_path: Path) -> None:
    """Issue 17 item 17: `--translator llm` as in `reason` and `eval` (`--llm` is its short
    form); `auto`, the default, uses the configured LLM when no --model is given."""
    source = tmp_path / "posts.jsonl"
    source.write_text('{"text": "Everyone believes it, so it is true."}\n')

    def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "logicsvc.cli", *args],
            capture_output=True, text=True, timeout=300, env=_env(**env),
        )  # fmt: skip

    out = str(tmp_path / "o.jsonl")
    rules = cli("fallacies", str(source), "-o", out, "--translator", "rules")
    assert rules.returncode == 2, rules.stderr
    error = json.loads(rules.stdout)["error"]
    assert error["code"] == "invalid_option" and "--translator llm" in error["message"]
    both = cli("fallacies", str(source), "-o", out, "--model", "m", "--translator", "llm")
    assert json.loads(both.stdout)["error"]["code"] == "invalid_option"
    # no LLM configured: the LLM translator says so, auto asks for a classifier
    unconfigured = cli("fallacies", str(source), "-o", out, "--translator", "llm")
    assert unconfigured.returncode == 2 and "LOGICSVC_LLM_BASE_URL" in unconfigured.stdout
    # configured (a port nobody listens on): auto and --translator llm both go to the LLM,
    # which is unreachable, so the job stops to be resumed (exit 1), nothing recorded
    dead = "http://127.0.0.1:9/v1"
    for flags in ([], ["--translator", "llm"], ["--llm"]):
        proc = cli("fallacies", str(source), "-o", out, "--no-formal", *flags,
                   LOGICSVC_LLM_BASE_URL=dead, LOGICSVC_LLM_MAX_RETRIES="0")  # fmt: skip
        assert proc.returncode == 1, (flags, proc.stdout, proc.stderr)
        assert "LLM server is unreachable" in proc.stderr

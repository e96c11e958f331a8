"""reason_with_llm and the CLI's LLM translators (scripted and recorded; no model)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from logicsvc.llm.fake import ScriptedChat
from logicsvc.llm.loop import LoopOptions
from logicsvc.reasoning import reason_with_llm

GOOD = (
    "Premises:\n∀x (Man(x) → Mortal(x)) ::: All men are mortal.\nMan(s) ::: S is a man.\n"
    "Conclusion:\nMortal(s)\n"
)
NEGATED = GOOD.replace("Conclusion:\nMortal(s)", "Conclusion:\n¬Mortal(s)")


def test_answer_names_the_glosses_the_model_wrote() -> None:
    chat = ScriptedChat([GOOD])
    outcome = asyncio.run(
        reason_with_llm(["All men are mortal. S is a man."], "S is mortal.", chat=chat)
    )
    out = outcome.to_dict()
    assert out["verdict"] == "true" and out["translator"] == "llm" and out["llm_calls"] == 1
    assert out["used_sentences"] == ["All men are mortal.", "S is a man."]
    assert out["outcome"] == "ok" and len(out["attempts"]) == 1


def test_a_tie_is_reported_not_guessed() -> None:
    chat = ScriptedChat([GOOD, NEGATED])
    outcome = asyncio.run(
        reason_with_llm(
            ["All men are mortal. S is a man."],
            "S is mortal.",
            chat=chat,
            options=LoopOptions(samples=2),
        )
    )
    assert outcome.result.status == "error" and outcome.result.verdict is None
    assert outcome.result.error == {"code": "llm_tie", "message": "the samples' verdicts tied"}
    assert outcome.to_dict()["votes"] == {"true": 1, "false": 1}


def test_nothing_runs_is_an_error_with_every_attempt() -> None:
    chat = ScriptedChat(["Premises:\nP(a) ∧\nConclusion:\nP(a)\n"] * 3)
    outcome = asyncio.run(
        reason_with_llm(
            ["P holds of a."], "P holds of a.", chat=chat, options=LoopOptions(rounds=2)
        )
    )
    assert outcome.result.error is not None and outcome.result.error["code"] == "llm_all_failed"
    assert [a["error"]["code"] for a in outcome.to_dict()["attempts"]] == ["syntax_error"] * 3


def test_cli_reason_and_eval_with_recorded_programs(shared_datasets: Path) -> None:
    path = shared_datasets / "llm_programs" / "logiclm" / "ProofWriter_dev-A_gpt-4.json"
    item = json.loads(path.read_text())[0]
    run = [sys.executable, "-m", "logicsvc.cli"]
    proc = subprocess.run(
        [*run, "reason", "--translator", "replay", "--programs", str(path), "--world",
         "explicit", "-p", item["context"], "-c", item["question"].split("? ")[-1]],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["translator"] == "replay" and out["verdict"] == {"A": "true", "B": "false"}.get(
        item["answer"], "unknown"
    )
    missing = subprocess.run(
        [*run, "reason", "--translator", "replay", "-p", "x", "-c", "y"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 2
    assert json.loads(missing.stdout)["error"]["code"] == "invalid_option"


def test_a_tie_is_an_ambiguous_outcome_and_every_answer_has_its_agreement() -> None:
    options = LoopOptions(samples=4)
    tie = asyncio.run(
        reason_with_llm(
            ["All men are mortal. S is a man."],
            "S is mortal.",
            chat=ScriptedChat([GOOD, NEGATED, GOOD, NEGATED]),
            options=options,
        )
    ).to_dict()
    # the error code stays llm_tie (clients keyed on it keep working); outcome says ambiguous
    assert tie["outcome"] == "ambiguous" and tie["error"]["code"] == "llm_tie"
    assert tie["agreement"] == 0.5 and tie["szs_status"] == "GaveUp"
    won = asyncio.run(
        reason_with_llm(
            ["All men are mortal. S is a man."],
            "S is mortal.",
            chat=ScriptedChat([GOOD, NEGATED, GOOD, GOOD]),
            options=options,
        )
    ).to_dict()
    assert (won["outcome"], won["verdict"], won["agreement"]) == ("ok", "true", 0.75)
    assert won["szs_status"] == "Theorem"

"""Readable answers on a terminal, JSON when piped or with --json."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from rich.console import Console

from logicsvc.cli._render import premises_of, render
from logicsvc.reasoning import reason

BOB = ["If Bob is rich then Bob is happy.", "Bob is happy."]


def on_a_terminal(*args: str) -> str:
    """The command's output with stdout a pseudo-terminal, as a person sees it."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "logicsvc.cli", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def text_of(payload: dict[str, object], premises: list[object]) -> str:
    console = Console(record=True, width=120, color_system=None)
    console.print(render(payload, premises))  # type: ignore[arg-type]
    return console.export_text()


def test_the_acceptance_example_reads_unknown_with_a_countermodel_table() -> None:
    out = on_a_terminal("reason", *(a for p in BOB for a in ("-p", p)), "-c", "Bob is rich.")
    assert out.startswith("unknown: neither the conclusion nor its negation follows")
    assert 'Premise 1: Rich(bob) → Happy(bob)  "If Bob is rich then Bob is happy."' in out
    assert "Countermodel: every premise holds here, the conclusion does not" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("bob"))
    table = out.split("the conclusion does not\n", 1)[1]
    assert table.splitlines()[0].split() == ["┃", "Happy", "┃", "Rich"]
    assert row.split()[1:] == ["│", "✓", "│", "✗"]
    assert "{" not in out


def test_json_on_a_terminal_when_asked_and_when_piped() -> None:
    args = ["reason", "-p", BOB[0], "-p", BOB[1], "-c", "Bob is rich."]
    asked = json.loads(on_a_terminal(*args, "--json"))
    piped = subprocess.run(
        [sys.executable, "-m", "logicsvc.cli", *args], capture_output=True, text=True, check=True
    )
    assert asked == {**json.loads(piped.stdout), "elapsed_ms": asked["elapsed_ms"]}
    assert asked["countermodel"]["facts"] == ["Happy(bob)", "¬Rich(bob)"]


def test_proof_tree_names_the_sentences_one_based_within_what_was_sent() -> None:
    texts = ["All men are mortal. Socrates is a man.", "Plato is a man."]
    outcome = reason(texts, "Socrates is mortal.")
    premises = premises_of(outcome.translation.program, texts, outcome.translation.sentences)
    out = text_of(outcome.to_dict(), list(premises))
    why = out.split("Why\n", 1)[1].splitlines()
    assert why[0].startswith("Mortal(socrates)   by premise 1, sentence 1: ∀x (Man(x) → Mortal(x))")
    assert why[1].startswith("└── Man(socrates)   stated in premise 1, sentence 2")
    assert "Premise 2: Man(plato)" in out  # one sentence: no sentence number


def test_prove_on_a_terminal_shows_z3s_premises_as_a_replayed_proof(tmp_path: object) -> None:
    program = (
        "Premises:\nMan(socrates) ∨ God(socrates)\n∀x (Man(x) → Mortal(x))\nMan(socrates)\n"
        "Conclusion:\nMortal(socrates)\n"
    )
    path = f"{tmp_path}/s.dsl"
    with open(path, "w", encoding="utf-8") as f:
        f.write(program)
    out = on_a_terminal("prove", path)
    assert out.startswith("true: the premises entail the conclusion   [z3,")
    assert "Mortal(socrates)   by premise 2: ∀x (Man(x) → Mortal(x))" in out
    assert "└── Man(socrates)   stated in premise 3: Man(socrates)" in out


def test_a_timeout_says_so_and_warnings_are_listed() -> None:
    payload = {
        "verdict": None,
        "status": "timeout",
        "backend": "z3",
        "used_premises": [],
        "countermodel": None,
        "proof": None,
        "error": None,
        "warnings": ["line 2: replaced '^' with '∧'"],
        "elapsed_ms": 10.0,
    }
    out = text_of(payload, [])
    assert out.startswith("timeout: the prover gave up within its limits")
    assert "Warnings\n  • line 2: replaced '^' with '∧'" in out

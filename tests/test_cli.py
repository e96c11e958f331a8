"""The CLI contract, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SOCRATES = """\
Premises:
∀x (Man(x) → Mortal(x)) ::: All men are mortal.
Man(socrates)
Conclusion:
Mortal(socrates)
"""


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "logicsvc.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prove_file_prints_one_json_object(tmp_path: Path) -> None:
    path = tmp_path / "socrates.dsl"
    path.write_text(SOCRATES)
    proc = run("prove", str(path), "--backend", "z3")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["verdict"] == "true" and out["status"] == "ok"
    assert out["used_premises"] == [0, 1]
    assert set(out) >= {"verdict", "status", "used_premises", "countermodel", "warnings"}
    assert isinstance(out["elapsed_ms"], float)


def test_prove_stdin_unknown_has_countermodel() -> None:
    proc = run("prove", "-", stdin="Premises:\nP(a) ∨ Q(a)\nConclusion:\nP(a)\n")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["verdict"] == "unknown" and out["countermodel"] is not None


def test_prove_reports_lenient_repairs_as_warnings() -> None:
    proc = run("prove", "-", stdin="Premises:\nP(a) ^ Q(a)\nConclusion:\nQ(a).\n")
    out = json.loads(proc.stdout)
    assert out["verdict"] == "true"
    assert out["warnings"] == ["line 2: replaced '^' with '∧'", "line 4: removed a final '.'"]
    strict = run("prove", "-", "--strict", stdin="Premises:\nP(a) ^ Q(a)\nConclusion:\nQ(a)\n")
    assert strict.returncode == 2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Premises:\nP(a) ∧\nConclusion:\nP(a)\n", "syntax_error"),
        ("Premises:\nP(a)\nConclusion:\n", "empty_conclusion"),
        ("Premises:\nP(a)\nP(a, b)\nConclusion:\nP(a)\n", "arity_mismatch"),
    ],
)
def test_invalid_input_exits_2_with_a_json_error(text: str, code: str) -> None:
    proc = run("prove", "-", stdin=text)
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert error["code"] == code
    assert proc.stderr.strip()


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    proc = run("prove", str(tmp_path / "nope.dsl"))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "unreadable_input"


def test_export_tptp() -> None:
    proc = run("export", "--tptp", "-", stdin=SOCRATES)
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[-1] == "fof(conclusion, conjecture, 'Mortal'(socrates))."


def test_eval_folio_gold_last_line_is_the_summary(tmp_path: Path) -> None:
    items = [
        {"id": "a", "premises-FOL": ["∀x (P(x) → Q(x))", "P(c)"], "conclusion-FOL": "Q(c)",
         "label": "True"},
        {"id": "b", "premises-FOL": ["P(c)"], "conclusion-FOL": "¬P(c)", "label": "False"},
        {"id": "c", "premises-FOL": ["P(c)"], "conclusion-FOL": "Q(c)", "label": "Uncertain"},
        {"id": "d", "premises-FOL": ["P(c) ^ Q(c)"], "conclusion-FOL": "Q(c)", "label": "False"},
        {"id": "e", "premises-FOL": ["P(c) ∧"], "conclusion-FOL": "Q(c)", "label": "True"},
    ]  # fmt: skip
    data = tmp_path / "folio.jsonl"
    data.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    out = tmp_path / "out.jsonl"
    proc = run("eval", "folio-gold", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["n"] == 5 and summary["parsed"] == 4 and summary["executable"] == 4
    assert summary["correct"] == 3 and summary["repaired"] == 1
    assert summary["accuracy"] == 0.6
    assert summary["mismatches"] == ["d", "e"]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "c", "d", "e"]
    assert records[4]["error"]["code"] == "syntax_error"


def test_reason_with_the_offline_translator() -> None:
    proc = run("reason", "-p", "All men are mortal.", "-p", "Socrates is a man.",
               "-c", "Socrates is mortal.")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["verdict"] == "true" and out["translator"] == "rules"
    assert out["used_sentences"] == ["All men are mortal.", "Socrates is a man."]
    assert "∀x (Man(x) → Mortal(x)) ::: All men are mortal." in out["program"]
    assert out["llm_calls"] == 0


def test_reason_reads_a_context_file_and_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    context = tmp_path / "context.txt"
    context.write_text("The cat chases the dog. If something chases the dog then it is fast.")
    proc = run("reason", "--context", str(context), "-c", "The cat is fast.")
    assert json.loads(proc.stdout)["verdict"] == "true"
    bad = run("reason", "-p", "Most cats purr loudly at night.", "-c", "The cat is fast.")
    assert bad.returncode == 2
    error = json.loads(bad.stdout)["error"]
    assert error["code"] == "untranslatable" and error["sentence_index"] == 0


def test_eval_proofwriter_on_both_formats(tmp_path: Path) -> None:
    context = (
        "Anne is kind. If someone is kind then they are nice. "
        "If someone is not nice then they are sad."
    )
    logiclm = tmp_path / "pw.json"
    logiclm.write_text(json.dumps([
        {"id": "PW-D1-1_Q1", "context": context, "question": "Anne is nice.", "answer": "A"},
        {"id": "PW-D1-1_Q2", "context": context, "question": "Anne is not sad.", "answer": "C"},
        {"id": "PW-D1-1_Q3", "context": context, "question": "Anne is happily sad.",
         "answer": "C"},
    ]))  # fmt: skip
    proc = run("eval", "proofwriter", str(logiclm), "--out", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["n"] == 3 and summary["translated"] == 2 and summary["correct"] == 2
    assert summary["llm_calls"] == 0 and summary["world"] == "explicit"
    assert summary["by_depth"] == {"1": {"n": 3, "correct": 2, "accuracy": 0.6667}}
    assert summary["errors"] == {"untranslatable": 1}
    pararule = tmp_path / "pp.jsonl"
    pararule.write_text(json.dumps({"id": "P", "context": context, "questions": [
        {"id": "q1", "text": "Anne is sad.", "label": "true", "meta": {"QDep": "1"}},
    ]}) + "\n")  # fmt: skip
    default = json.loads(run("eval", "proofwriter", str(pararule)).stdout.splitlines()[-1])
    stated = json.loads(run("eval", "proofwriter", str(pararule), "--cwa").stdout.splitlines()[-1])
    assert (default["correct"], stated["correct"]) == (0, 1)  # explicit OWA: unknown
    assert stated["world"] == "closed-stated"
    closed = run("eval", "proofwriter", str(pararule), "--cwa", "--world", "closed")
    assert json.loads(closed.stdout.splitlines()[-1])["world"] == "closed"
    refused = run("eval", "proofwriter", str(pararule), "--cwa", "--world", "open")
    assert refused.returncode == 2 and "--cwa contradicts --world open" in refused.stderr
    assert json.loads(refused.stdout.splitlines()[0])["error"]["code"] == "invalid_option"


def test_cli_choices_match_the_provers() -> None:
    from logicsvc import provers
    from logicsvc.cli import BackendChoice, WorldChoice

    assert tuple(c.value for c in BackendChoice) == provers.BACKENDS
    assert tuple(c.value for c in WorldChoice) == provers.WORLDS


def test_unknown_choice_is_a_usage_error() -> None:
    proc = run("prove", "-", "--backend", "prolog", stdin="Premises:\nP\nConclusion:\nP\n")
    assert proc.returncode == 2
    assert "prolog" in proc.stderr


def test_eval_report_markdown_and_png(tmp_path: Path) -> None:
    from tests.conftest import REPO

    report = tmp_path / "report.md"
    sample = REPO / "datasets" / "folio" / "sample.jsonl"
    proc = run("eval", "folio-gold", str(sample), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    text = report.read_text()
    assert "## Confusion matrix" in text and "| **true** |" in text
    rows = [line for line in text.splitlines() if line.startswith("| **")]
    assert sum(int(cell) for row in rows for cell in row.split("|")[2:-1]) == summary["n"]
    png = report.with_suffix(".png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_replay_server_rejects_unreadable_recordings(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for path in (bad, tmp_path / "missing.json"):
        proc = run("replay-server", str(path), "--port", "1")
        assert proc.returncode == 2
        assert json.loads(proc.stdout)["error"]["code"] == "unreadable_input"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["eval", "folio-gold", "IN", "--out", "IN"], "invalid_output"),
        (["eval", "programs", "IN", "--out", "IN"], "invalid_output"),
        (["eval", "folio", "IN", "--translator", "rules", "--out", "IN"], "invalid_output"),
        (["eval", "folio-gold", "IN", "--report", "DIR/no/r.md"], "unwritable_output"),
        (
            ["eval", "folio-gold", "IN", "--out", "DIR/r.png", "--report", "DIR/r.md"],
            "invalid_output",
        ),
        (["eval", "folio-gold", "IN", "--out", "DIR"], "invalid_output"),
        (
            ["eval", "folio-gold", "IN", "--out", "DIR/r.md", "--report", "DIR/./r.md"],
            "invalid_output",
        ),
        (["fallacies", "train", "IN", "-o", "IN"], "invalid_output"),
        (["fallacies", "IN", "-o", "DIR", "--model", "DIR/m"], "invalid_output"),
    ],
)
def test_an_output_path_that_would_destroy_or_lose_work_is_refused_first(
    tmp_path: Path, shared_datasets: Path, args: list[str], code: str
) -> None:
    """Before anything runs: an output on the input file emptied it (eval) or replaced it
    with a model (train); a report into a missing folder failed only after the whole run."""
    source = tmp_path / "in.jsonl"
    original = (shared_datasets / "folio" / "folio-validation-A.jsonl").read_bytes()
    source.write_bytes(original)
    concrete = [a.replace("IN", str(source)).replace("DIR", str(tmp_path)) for a in args]
    proc = run(*concrete)
    assert proc.returncode == 2, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["error"]["code"] == code
    assert source.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize(
    ("command", "content", "says"),
    [
        ("folio-gold", b"[1, 2]\n", "expected a JSON object"),
        ("proofwriter", b"42\n", "expected a JSON object"),
        ("proofwriter", b'{"questions": [{"text": "x", "label": true}]}\n', "context"),
        ("proofwriter", b"\xff\xfe\n", "not UTF-8"),
        ("proofwriter", b'[{"context": "a"', "not a JSON list"),
        ("proofwriter", b'{"premises": "All cats", "conclusion": "x", "label": "True"}\n', "list"),
    ],
)
def test_a_malformed_dataset_is_a_json_error_not_a_traceback(
    tmp_path: Path, command: str, content: bytes, says: str
) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(content)
    proc = run("eval", command, str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert says in json.loads(proc.stdout.splitlines()[-1])["error"]["message"]


def test_a_bom_is_not_part_of_a_program_and_infinity_is_not_a_timeout(tmp_path: Path) -> None:
    path = tmp_path / "bom.dsl"
    path.write_bytes("\ufeff".encode() + SOCRATES.encode())
    assert json.loads(run("prove", str(path)).stdout)["verdict"] == "true"
    proc = run("prove", str(path), "--timeout", "inf")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_a_json_error(tmp_path: Path) -> None:
    program = tmp_path / "p.jsonl"
    program.write_text(
        json.dumps({"premises-FOL": ["P(a)"], "conclusion-FOL": "P(a)", "label": "True"}) + "\n"
    )
    proc = run("eval", "folio-gold", str(program), "--out", "/dev/full")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["error"]["code"] == "write_failed"


TPTP_THEOREM = """\
% socrates, in TPTP
fof(men, axiom, ![X] : (man(X) => mortal(X))).
fof(s, axiom, man(socrates)).
fof(goal, conjecture, mortal(socrates)).
"""
PROVER9_NON_THEOREM = """\
formulas(assumptions).
  all x. (Man(x) -> Mortal(x)).
  Man(Socrates).
end_of_list.
formulas(goals).
  Mortal(Plato).
end_of_list.
"""


@pytest.mark.parametrize(
    ("name", "text", "syntax", "szs"),
    [
        ("s.p", TPTP_THEOREM, None, "Theorem"),
        ("s.txt", TPTP_THEOREM.replace("mortal(socrates)).\n", "mortal(plato)).\n"), None,
         "CounterSatisfiable"),
        ("s.in", PROVER9_NON_THEOREM, None, "CounterSatisfiable"),
        ("s.txt", PROVER9_NON_THEOREM.replace("Mortal(Plato)", "Mortal(Socrates)"), "prover9",
         "Theorem"),
        ("s.dsl", SOCRATES.replace("Mortal(socrates)\n", "¬Mortal(socrates)\n"), "dsl",
         "CounterTheorem"),
    ],
)  # fmt: skip
def test_prove_reads_tptp_and_prover9_and_answers_in_szs(
    tmp_path: Path, name: str, text: str, syntax: str | None, szs: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    proc = run("prove", str(path), *(["--syntax", syntax] if syntax else []))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["szs_status"] == szs


def test_prove_syntax_errors_carry_spans_in_each_syntax(tmp_path: Path) -> None:
    path = tmp_path / "bad.in"
    path.write_text(PROVER9_NON_THEOREM.replace("Man(Socrates).", "Man(Socrates) &."))
    proc = run("prove", str(path))
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert error["code"] == "syntax_error" and error["span"]["line"] == 3
    proc = run("prove", "--syntax", "tptp", "-", stdin="fof(a, axiom, p(b)\n")
    error = json.loads(proc.stdout)["error"]  # the end of input, after the last character
    assert proc.returncode == 2 and error["span"] == {
        "line": 1, "column": 19, "end_line": 1, "end_column": 20
    }  # fmt: skip
    assert "!=" in error["expected"] and "')'" in error["expected"]


def test_export_prover9_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "socrates.dsl"
    path.write_text(SOCRATES)
    proc = run("export", "--prover9", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "all x (Man(x) -> Mortal(x)).  % All men are mortal." in proc.stdout
    (tmp_path / "socrates.in").write_text(proc.stdout)
    proved = json.loads(run("prove", str(tmp_path / "socrates.in")).stdout)
    assert proved["verdict"] == "true" and proved["szs_status"] == "Theorem"

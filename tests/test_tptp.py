"""TPTP export: well-formed FOF, and (when E is installed) the same answers as Z3."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logicsvc import provers
from logicsvc.load import load_formulas, load_problem
from logicsvc.syntax import problem_to_tptp

EPROVER = shutil.which("eprover")


def test_export_quotes_names_and_renames_variables() -> None:
    text = "Premises:\n∀x (Anti-abortion(x) → ¬Likes(x, l-2021))\nConclusion:\na ≠ b ⊕ ∃y P(y)\n"
    tptp = problem_to_tptp(load_problem(text).problem)
    assert tptp == (
        "fof(premise_0, axiom, ! [Vx] : (('Anti-abortion'(Vx) => ~ ('Likes'(Vx,'l-2021'))))).\n"
        "fof(conclusion, conjecture, (~ (a = b) <~> ? [Vy] : ('P'(Vy)))).\n"
    )


def test_non_ascii_names_are_escaped() -> None:
    tptp = problem_to_tptp(load_formulas([], "LostToIgaŚwiątek(coco)").problem)
    assert tptp.isascii() and "LostToIga_u015a_wi_u0105_tek" in tptp


def _eprover(tptp: str, tmp_path: Path) -> str:
    path = tmp_path / "problem.p"
    path.write_text(tptp)
    proc = subprocess.run(
        [EPROVER, "--auto", "--silent", "--cpu-limit=5", str(path)],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        timeout=30,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("# SZS status"):
            return line.split()[3]
    return "NoStatus"


@pytest.mark.skipif(EPROVER is None, reason="eprover not installed (apt-get install eprover)")
def test_eprover_agrees_with_z3_on_folio(shared_datasets: Path, tmp_path: Path) -> None:
    """Every Z3 verdict on FOLIO validation-A is confirmed or not contradicted by E."""
    lines = (shared_datasets / "folio" / "folio-validation-A.jsonl").read_text().splitlines()
    checked_items = 0
    for line in lines:
        item = json.loads(line)
        problem = load_formulas(item["premises-FOL"], item["conclusion-FOL"], lenient=True).problem
        result = provers.prove(problem, backend="z3")
        assert result.status == "ok", item["id"]
        entails = _eprover(problem_to_tptp(problem), tmp_path)
        refutes = _eprover(problem_to_tptp(problem, negate_conclusion=True), tmp_path)
        if result.verdict == "true":
            assert entails == "Theorem", item["id"]
        elif result.verdict == "false":
            assert refutes == "Theorem", item["id"]
        else:
            assert "Theorem" not in (entails, refutes), item["id"]
        checked_items += 1
    assert checked_items == len(lines)


_NAME = st.text(alphabet="ab1u0e9_-éø", min_size=1, max_size=8)


@given(_NAME, _NAME)
@settings(max_examples=500, deadline=None)
def test_two_names_never_become_one(first: str, second: str) -> None:
    """`v-1`/`v_1` were one TPTP variable and `café`/`caf_u00e9_` one atom: E then proved
    what is not a theorem (found by a prover review)."""
    from logicsvc.syntax.tptp import _atom_name, _var_name

    if first != second:
        assert _var_name(first) != _var_name(second)
        assert _atom_name(first) != _atom_name(second)


def test_the_names_a_review_found_merged_stay_apart() -> None:
    problem = load_formulas(["∀v-1 ∃v_1 R(v-1, v_1)", "P(café)"], "P(caf_u00e9_)").problem
    text = problem_to_tptp(problem)
    assert "! [Vv_h1] : (? [Vv__1] :" in text
    assert "'P'('u:caf_u00e9_')" in text  # the premise's non-ASCII name, escaped
    assert "'P'(caf_u00e9_)" in text  # the conclusion's ASCII name, unchanged

"""Every (status, verdict) we produce names exactly one SZS status."""

from __future__ import annotations

import pytest

from logicsvc.szs import SZS_STATUSES, szs_of_record, szs_status


@pytest.mark.parametrize(
    ("status", "verdict", "code", "szs"),
    [
        ("ok", "true", None, "Theorem"),
        ("ok", "false", None, "CounterTheorem"),
        ("ok", "unknown", None, "CounterSatisfiable"),
        ("contradictory_premises", None, None, "ContradictoryAxioms"),
        ("timeout", None, None, "Timeout"),
        ("tie", None, None, "GaveUp"),
        ("invalid_input", None, "syntax_error", "SyntaxError"),
        ("invalid_input", None, "arity_mismatch", "SemanticError"),
        ("invalid_input", None, "untranslatable", "InputError"),
        ("error", None, "prover_error", "Error"),
        ("failed", None, None, "Error"),
        ("ok", None, None, "Error"),  # ok without a verdict is not a theorem of anything
    ],
)
def test_mapping(status: str, verdict: str | None, code: str | None, szs: str) -> None:
    assert szs_status(status, verdict, code) == szs
    assert szs in SZS_STATUSES


def test_records_use_predicted_and_their_error_code() -> None:
    record = {"status": "invalid_input", "predicted": None, "error": {"code": "syntax_error"}}
    assert szs_of_record(record) == "SyntaxError"
    assert szs_of_record({"status": "ok", "predicted": "false"}) == "CounterTheorem"

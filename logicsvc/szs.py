"""SZS statuses: the answer vocabulary every ATP speaks (Sutcliffe's SZS ontology).

A prover user reads ``Theorem`` or ``CounterSatisfiable``, not our ``ok``/``unknown``.
Each of our (status, verdict) pairs maps to exactly one SZS status; the table is also in
the README.  Computed where results are serialised, so provers stay free of it.

| status | verdict | SZS |
|---|---|---|
| ok | true | Theorem |
| ok | false | CounterTheorem (the conclusion's negation follows) |
| ok | unknown | CounterSatisfiable (neither follows: a model makes the conclusion false) |
| contradictory_premises | | ContradictoryAxioms |
| timeout | | Timeout |
| tie (self-consistency vote split) | | GaveUp |
| ok (a multiple-choice question answered) | a letter | Success |
| no_option, several_options (a question with no single answer) | | NoSuccess |
| invalid_input / rejected, syntax error | | SyntaxError |
| invalid_input / rejected, a semantic check | | SemanticError |
| invalid_input / rejected, other | | InputError |
| error, failed, llm_error, anything else | | Error |
"""

from __future__ import annotations

from typing import Any

__all__ = ["SZS_STATUSES", "szs_of_record", "szs_status"]

_VERDICTS = {"true": "Theorem", "false": "CounterTheorem", "unknown": "CounterSatisfiable"}
_STATUSES = {
    "contradictory_premises": "ContradictoryAxioms",
    "timeout": "Timeout",
    "tie": "GaveUp",
    "ambiguous": "GaveUp",
}
_SEMANTIC_CODES = {
    "arity_mismatch",
    "free_variable",
    "name_clash",
    "empty_conclusion",
    "multiple_conclusions",
    "undeclared_predicate",
    "function_symbol",
    "sort_mismatch",
    "sort_error",
    "unknown_sort",
    "undeclared_function",
    "nonlinear",
    "infinite_count",
    "no_options",
    "duplicate_option",
    "option_list",
    "unexpected_question",
}
SZS_STATUSES = (
    *_VERDICTS.values(),
    "ContradictoryAxioms",
    "Timeout",
    "GaveUp",
    "Success",
    "NoSuccess",
    "SyntaxError",
    "SemanticError",
    "InputError",
    "Error",
)


def szs_status(status: str, verdict: str | None, error_code: str | None = None) -> str:
    """The SZS status of one of our results (statuses we do not know are ``Error``)."""
    if status == "ok" and verdict in _VERDICTS:
        return _VERDICTS[verdict]
    if status == "ok" and verdict:
        return "Success"  # a multiple-choice answer: SZS has no finer word for it
    if status in ("no_option", "several_options"):
        return "NoSuccess"
    if status in _STATUSES:
        return _STATUSES[status]
    if status in ("invalid_input", "rejected"):
        if error_code == "syntax_error":
            return "SyntaxError"
        return "SemanticError" if error_code in _SEMANTIC_CODES else "InputError"
    return "Error"


def szs_of_record(record: dict[str, Any]) -> str:
    """For any result or evaluation record with ``status`` and ``verdict``/``predicted``."""
    verdict = record.get("verdict", record.get("answer", record.get("predicted")))
    error = record.get("error")
    code = str(error.get("code")) if isinstance(error, dict) and error.get("code") else None
    return szs_status(str(record.get("status", "")), verdict, code)

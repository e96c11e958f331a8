"""``logicsvc eval folio-gold``: prove FOLIO's gold formalisations, score the labels.

This measures the symbolic half alone: no LLM, the annotators' own FOL.  An
item whose gold FOL does not reproduce its label is either an annotation error
or our bug; the per-item output (``--out``) is what tells them apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from logicsvc import provers
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.evaluation.common import ProgramTally, open_sink, read_jsonl
from logicsvc.load import load_formulas
from logicsvc.provers import Backend, Limits

_LABELS = {"true": "true", "false": "false", "uncertain": "unknown", "unknown": "unknown"}


def gold_label(raw: object) -> str:
    label = _LABELS.get(str(raw).strip().lower())
    if label is None:
        raise InputError(f"unknown FOLIO label {raw!r}; expected True, False, Uncertain or Unknown")
    return label


Summary = ProgramTally
NO_GOLD_FOL = "no_gold_fol"


def evaluate_item(
    item: dict[str, Any], *, lenient: bool, limits: Limits, backend: Backend
) -> dict[str, Any]:
    """One item → one output record (never raises for a bad item)."""
    record: dict[str, Any] = {"id": item.get("id"), "gold": None, "predicted": None}
    try:
        record["gold"] = gold_label(item.get("label"))
        premises = item.get("premises-FOL")
        conclusion = item.get("conclusion-FOL")
        if (
            not isinstance(premises, list)
            or not all(isinstance(p, str) for p in premises)
            or not isinstance(conclusion, str)
        ):
            raise InputError(
                "item needs 'premises-FOL' (a list of strings) and 'conclusion-FOL' (a string)",
                code=NO_GOLD_FOL,
            )
        checked = load_formulas(premises, conclusion, lenient=lenient)
    except LogicsvcError as exc:
        record.update(status="invalid_input", error=exc.to_dict(), parsed=False)
        return record
    record["parsed"] = True
    record["repairs"] = list(checked.warnings)
    try:
        result = provers.prove(checked.problem, limits, backend=backend, explain=False)
    except LogicsvcError as exc:
        record.update(status="error", error=exc.to_dict())
        return record
    record.update(
        status=result.status,
        predicted=result.verdict,
        backend=result.backend,
        used_premises=list(result.used_premises),
        error=result.error,
        elapsed_ms=round(result.elapsed_ms, 3),
    )
    return record


def evaluate(
    path: Path,
    *,
    lenient: bool = True,
    limits: Limits | None = None,
    backend: Backend = "auto",
    out: Path | None = None,
) -> Summary:
    """Score every item of ``path``. A file none of whose items carries gold FOL (free-text
    FOLIO, say) is an input error, not a run with accuracy 0.0."""
    limits = limits or Limits()
    summary = Summary()
    without_fol = 0
    with open_sink(out, name=path.name) as sink:
        for number, item in read_jsonl(path):
            record = evaluate_item(item, lenient=lenient, limits=limits, backend=backend)
            record["id"] = record["id"] if record["id"] is not None else f"line{number}"
            without_fol += (record.get("error") or {}).get("code") == NO_GOLD_FOL
            summary.add(record)
            sink.write(record)
    if summary.n == without_fol:
        what = "has no items" if not summary.n else "has no item with gold FOL"
        raise InputError(
            f"{path} {what} ('premises-FOL' and 'conclusion-FOL'); eval folio-gold proves "
            "FOLIO's gold formulas (for free-text premises use 'eval folio')",
            code="invalid_input",
        )
    return summary

"""``logicsvc eval folio-gold``: prove FOLIO's gold formalisations, score the labels.

This measures the symbolic half alone: no LLM, the annotators' own FOL.  An
item whose gold FOL does not reproduce its label is either an annotation error
or our bug; the per-item output (``--out``) is what tells them apart.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import provers
from logicsvc.errors import InputError, LogicsvcError
from logicsvc.load import load_formulas
from provers import Backend, Limits

_LABELS = {"true": "true", "false": "false", "uncertain": "unknown", "unknown": "unknown"}


def gold_label(raw: object) -> str:
    label = _LABELS.get(str(raw).strip().lower())
    if label is None:
        raise InputError(f"unknown FOLIO label {raw!r}; expected True, False, Uncertain or Unknown")
    return label


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: not a JSON line ({exc.msg})") from None


@dataclass
class Summary:
    n: int = 0
    parsed: int = 0
    executable: int = 0
    correct: int = 0
    repaired: int = 0
    mismatches: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "parsed": self.parsed,
            "executable": self.executable,
            "correct": self.correct,
            "repaired": self.repaired,
            "accuracy": round(self.accuracy, 4),
            "mismatches": self.mismatches,
            "statuses": dict(sorted(self.statuses.items())),
            "errors": dict(sorted(self.errors.items())),
        }


def evaluate_item(
    item: dict[str, Any], *, lenient: bool, limits: Limits, backend: Backend
) -> dict[str, Any]:
    """One item → one output record (never raises for a bad item)."""
    record: dict[str, Any] = {"id": item.get("id"), "gold": None, "predicted": None}
    try:
        record["gold"] = gold_label(item.get("label"))
        premises = item.get("premises-FOL")
        conclusion = item.get("conclusion-FOL")
        if not isinstance(premises, list) or not isinstance(conclusion, str):
            raise InputError("item needs 'premises-FOL' (a list) and 'conclusion-FOL' (a string)")
        checked = load_formulas([str(p) for p in premises], conclusion, lenient=lenient)
    except LogicsvcError as exc:
        record.update(status="invalid_input", error=exc.to_dict(), parsed=False)
        return record
    record["parsed"] = True
    record["repairs"] = list(checked.warnings)
    try:
        result = provers.prove(checked.problem, limits, backend=backend)
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
    limits = limits or Limits()
    summary = Summary()
    sink = out.open("w", encoding="utf-8") if out else None
    try:
        for number, item in read_jsonl(path):
            record = evaluate_item(item, lenient=lenient, limits=limits, backend=backend)
            record["id"] = record["id"] if record["id"] is not None else f"line{number}"
            summary.n += 1
            summary.statuses[record["status"]] += 1
            if record.get("parsed"):
                summary.parsed += 1
            if record.get("repairs"):
                summary.repaired += 1
            if record["status"] in ("ok", "contradictory_premises"):
                summary.executable += 1
            if record.get("error"):
                summary.errors[str(record["error"].get("code", "error"))] += 1
            if record["predicted"] is not None and record["predicted"] == record["gold"]:
                summary.correct += 1
            else:
                summary.mismatches.append(str(record["id"]))
            if sink:
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                sink.flush()
    finally:
        if sink:
            sink.close()
    return summary

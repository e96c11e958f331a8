"""Every FOLIO gold problem's ``/v1/prove`` answer (countermodel, proof, warnings), as JSON
lines: the reference that makes explanations cheaper must keep byte for byte.

``python scripts/explanation_snapshot.py > tests/data/folio_gold_explanations.jsonl`` wrote
it (before issue 18's second round); ``tests/test_service_verdicts.py`` recomputes every
answer on the service's prover workers and compares the JSON text, ``elapsed_ms`` aside.
Kept out of the package, like ``verdict_snapshot.py``; the test imports ``requests`` and
``body`` from here so the snapshot and the check cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from logicsvc.errors import InputError
from logicsvc.provers import Backend, prove
from logicsvc.provers.result import Limits
from logicsvc.service.textjobs import Proved, ProveText, prove_text

FOLIO = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "folio"
GOLD = FOLIO / "folio-validation-A.jsonl"
"""FOLIO's gold formulas (train has premises only, no conclusion formula)."""
LIMITS = Limits(timeout_s=30.0)
"""Generous: a timeout would make the reference depend on the machine's load."""
BACKENDS: tuple[Backend, ...] = ("auto", "z3")


def requests() -> Iterator[tuple[str, ProveText]]:
    """(id:backend, what ``/v1/prove`` is sent for it: premises + conclusion, lenient, with
    the default prover and with ``prover: z3``)."""
    for line in GOLD.open(encoding="utf-8"):
        item = json.loads(line)
        premises, conclusion = tuple(item["premises-FOL"]), item["conclusion-FOL"]
        for backend in BACKENDS:
            text = ProveText(None, premises, conclusion, None, True, 10_000, backend, "open")
            yield f"{item['id']}:{backend}", text


def body(proved: Proved | InputError) -> str:
    """The answer's JSON as the route builds it, without its timing field."""
    if isinstance(proved, InputError):
        return json.dumps({"error": proved.to_dict()}, ensure_ascii=False)
    out = proved.result.to_dict()
    out.pop("elapsed_ms")
    out["warnings"] = [*proved.warnings, *proved.result.warnings]
    return json.dumps(out, ensure_ascii=False)


def main() -> None:
    for key, text in requests():
        try:
            answer: Proved | InputError = prove_text(text, LIMITS, prove)
        except InputError as exc:
            answer = exc
        print(json.dumps({"key": key, "body": body(answer)}, ensure_ascii=False))


if __name__ == "__main__":
    main()

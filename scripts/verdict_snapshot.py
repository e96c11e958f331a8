"""Every recorded item's verdict, as one JSON document: the reference that speed work must keep.

``python scripts/verdict_snapshot.py > tests/data/verdicts_before_speed.json`` writes it;
``tests/test_verdicts_unchanged.py`` recomputes the same runs and compares them item by item.
Kept out of the package: it is a maintenance tool, and the test imports ``runs`` from here so
that the snapshot and the check cannot drift apart.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from logicsvc.evaluation import folio_gold, programs

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
RECORDED = SHARED / "llm_programs"
FOLIO_GOLD = SHARED / "folio" / "folio-validation-A.jsonl"


def runs() -> Iterator[tuple[str, Any]]:
    """(name, thunk writing records to a path): every recorded file in its default reading,
    ProntoQA also in the ``complete`` world, and FOLIO's gold formulas."""
    for path in sorted((RECORDED / "logiclm").glob("*.json")):
        yield path.stem, lambda out, p=path: programs.evaluate(p, out=out)
        if path.stem.startswith("ProntoQA"):
            yield (
                f"{path.stem}_complete",
                lambda out, p=path: programs.evaluate(p, out=out, world="complete"),
            )
    for path in sorted((RECORDED / "linc").glob("*.json")):
        yield f"linc_{path.stem}", lambda out, p=path: programs.evaluate(p, fmt="linc", out=out)
    yield "folio_gold", lambda out: folio_gold.evaluate(FOLIO_GOLD, out=out)


def verdicts(run: Any) -> dict[str, list[Any]]:
    """id → [status, predicted, error code]: what a speed change must not alter."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "records.jsonl"
        run(out)
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return {
        str(r["id"]): [r["status"], r.get("predicted"), (r.get("error") or {}).get("code")]
        for r in records
    }


def main() -> None:
    snapshot: dict[str, Any] = {
        "_about": "Per-item [status, predicted, error code] of every recorded file and FOLIO "
        "gold, written by scripts/verdict_snapshot.py before issue 18's speed work."
    }
    for name, run in runs():
        snapshot[name] = verdicts(run)
        print(f"{name}: {len(snapshot[name])} items", file=sys.stderr)
    json.dump(snapshot, sys.stdout, indent=0, sort_keys=False, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""What every evaluation shares: JSONL input, per-item output, the running tally."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logicsvc.errors import InputError
from logicsvc.resultfile import ResultFile, encode_line
from logicsvc.szs import szs_of_record

EXECUTED = ("ok", "contradictory_premises", "tie", "no_option", "several_options")
"""Statuses where programs ran to an answer (not timeout, error or rejected input);
``tie``: self-consistency samples all ran but split evenly between verdicts;
``no_option``/``several_options``: a multiple-choice program ran, but its question's
kind selected no option or more than one."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line (a UTF-8 BOM is allowed); a line
    that is not a JSON object, or bytes that are not UTF-8, are an InputError."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
                if not isinstance(obj, dict):
                    raise InputError(
                        f"{path}:{number}: expected a JSON object, found {type(obj).__name__}"
                    )
                yield number, obj
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


class RecordSink:
    """Per-item JSON lines in a :class:`~logicsvc.resultfile.ResultFile`: each line is
    appended whole as it comes (a killed run keeps what it did); ``write_batch`` also
    fsyncs, for records that cost LLM calls."""

    def __init__(
        self,
        file: ResultFile | None,
        done: set[str],
        advance: Callable[[int], None] = lambda n: None,
    ) -> None:
        self._file = file
        self.done = done
        """The ids already in the file (``resume``)."""
        self._advance = advance
        """Moves the progress bar on: every record written is an item done."""

    def write(self, record: dict[str, Any]) -> None:
        if self._file is not None:
            self._file.write([encode_line(_with_szs(record))], sync=False)
        self._advance(1)

    def write_batch(self, records: list[dict[str, Any]]) -> None:
        if self._file is not None:
            self._file.write([encode_line(_with_szs(r)) for r in records])
        self._advance(len(records))


def _with_szs(record: dict[str, Any]) -> dict[str, Any]:
    """Every record names its answer in SZS words too (see :mod:`logicsvc.szs`)."""
    if "szs_status" in record or "status" not in record:
        return record
    return {**record, "szs_status": szs_of_record(record)}


@contextmanager
def open_sink(
    out: Path | None,
    *,
    resume: bool = False,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    total: int | None = None,
    name: str = "",
) -> Iterator[RecordSink]:
    """``out`` emptied, or with ``resume`` kept and read (each record to ``on_record``).

    Where the CLI asked for it (:data:`~logicsvc.progress.SHOW_PROGRESS`), a bar on stderr
    counts the records written, out of ``total`` when it is known."""
    from logicsvc.progress import SHOW_PROGRESS, progress_bar

    with progress_bar(SHOW_PROGRESS.get(), total, name, what="eval") as advance:
        if out is None:
            yield RecordSink(None, set(), advance)
            return
        file = ResultFile(out)
        try:
            done = file.open(fresh=not resume, on_record=on_record)
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc}", code="unwritable_output") from None
        advance(len(done))
        try:
            yield RecordSink(file, done, advance)
        finally:
            file.close()


@dataclass
class Tally:
    """Counts every evaluation reports; subclasses add their own."""

    n: int = 0
    executable: int = 0
    correct: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(gold, predicted) pairs; "none" where nothing was predicted."""
    depth_n: Counter[str] = field(default_factory=Counter)
    depth_correct: Counter[str] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def count(self, record: dict[str, Any]) -> bool:
        """Count one output record; returns whether its prediction was right."""
        self.n += 1
        self.statuses[record["status"]] += 1
        self.executable += record["status"] in EXECUTED
        right = record.get("predicted") is not None and record["predicted"] == record["gold"]
        self.correct += right
        if record.get("error"):
            self.errors[str(record["error"].get("code", "error"))] += 1
        self.confusion[(str(record.get("gold")), str(record.get("predicted") or "none"))] += 1
        if record.get("depth") is not None:
            depth = str(record["depth"])
            self.depth_n[depth] += 1
            self.depth_correct[depth] += right
        return right

    def by_depth(self) -> dict[str, dict[str, float]]:
        return {
            d: {
                "n": self.depth_n[d],
                "correct": self.depth_correct[d],
                "accuracy": round(self.depth_correct[d] / self.depth_n[d], 4),
            }
            for d in sorted(self.depth_n, key=lambda d: (len(d), d))
        }

    def to_dict(self) -> dict[str, Any]:
        """The summary printed as the CLI's last line; subclasses add their counts."""
        return self.base_dict()

    def base_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n,
            "executable": self.executable,
            "correct": self.correct,
            "accuracy": round(self.accuracy, 4),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": dict(sorted(self.errors.items())),
        }
        if self.depth_n:
            out["by_depth"] = self.by_depth()
        return out


@dataclass
class ProgramTally(Tally):
    """For evaluations of formal programs: how many parsed, needed repairs, missed."""

    parsed: int = 0
    repaired: int = 0
    mismatches: list[str] = field(default_factory=list)

    def add(self, record: dict[str, Any]) -> None:
        if not self.count(record):
            self.mismatches.append(str(record["id"]))
        self.parsed += bool(record.get("parsed"))
        self.repaired += bool(record.get("repairs"))

    def to_dict(self) -> dict[str, Any]:
        out = self.base_dict()
        out.update(parsed=self.parsed, repaired=self.repaired, mismatches=self.mismatches)
        return out

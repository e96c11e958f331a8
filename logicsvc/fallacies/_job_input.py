"""Read a job's input rows: format detection, the CSV and JSON Lines readers, ids.

A bad row is yielded with its reason (see :data:`BAD_ROW_CODES`), never raised, so one bad
row costs one ``skipped`` line; only a whole-file problem (:func:`check_source`) stops a
job, and before it writes anything.  The rules for ids are in :mod:`logicsvc.fallacies.jobs`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import json
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from logicsvc.errors import InputError
from logicsvc.fallacies.columns import TEXT_FIELDS, did_you_mean, text_field_of

BAD_ROW_CODES: tuple[str, ...] = (
    "invalid_encoding",  # bytes that are not UTF-8
    "invalid_json",  # a JSON Lines line that does not parse
    "not_an_object",  # a JSON Lines line that is an array, a number, ...
    "csv_error",  # the csv module refused the record
    "wrong_field_count",  # a CSV record with more or fewer fields than the header
    "missing_id",  # id_field absent, empty or not a string/integer
    "duplicate_id",  # id_field repeats an earlier row's value
    "missing_text",  # text_field absent
    "invalid_text",  # text_field not a string
    "empty_text",  # text_field empty or only whitespace
)
"""Why a row is ``skipped``: the ``error.code`` of its line and a key of ``bad_rows``."""

_Format = Literal["csv", "jsonl"]
_SUFFIXES: dict[str, _Format] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_COUNT_LIMIT_BYTES = 256 * 2**20
"""Inputs up to this size are counted first, so the progress bar has a total and an ETA."""
_CSV_FIELD_LIMIT = 64 * 2**20
"""csv's default 128 KiB per field is too small for long essays (a process-wide setting)."""


@dataclass(frozen=True, slots=True)
class _Row:
    """One input record as read: its id value (if any), its text or why it is bad."""

    row: int
    user_id: str | None
    text: str | None
    error: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Record:
    row: int
    id: str
    text: str | None
    """``None`` exactly when ``error`` is set."""
    error: tuple[str, str] | None = None


def format_of(source: Path) -> _Format:
    fmt = _SUFFIXES.get(source.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_SUFFIXES))
        raise InputError(
            f"{source}: unknown input format {source.suffix!r} (expected one of {known})",
            code="unsupported_format",
        )
    return fmt


def check_source(source: Path, fmt: _Format, text_field: str | None, id_field: str | None) -> str:
    """Fail before writing anything when the whole file is unusable; the text field to
    read (``text_field``, else the one :func:`~logicsvc.fallacies.columns.text_field_of`
    finds)."""
    if not source.is_file():
        raise InputError(f"{source}: no such file", code="not_found")
    if fmt == "jsonl":
        if source.suffix.lower() == ".json":
            with source.open("rb") as f:
                head = f.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
            if head.startswith(b"["):
                raise InputError(
                    f"{source}: a JSON array; give one JSON object per line (JSON Lines)",
                    code="unsupported_format",
                )
        if text_field is not None:
            return text_field  # a row without it is that row's 'skipped' line
        keys = _first_keys(source)
        return text_field_of(None, keys, str(source)) if keys else TEXT_FIELDS[0]
    with source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        try:
            header = next(csv.reader(f), None)
        except csv.Error as exc:
            raise InputError(f"{source}: unreadable CSV header: {exc}") from exc
    if header is None:
        return text_field or TEXT_FIELDS[0]  # an empty file: nothing to do
    chosen = text_field_of(text_field, header, str(source))
    if id_field is not None and id_field not in header:
        raise InputError(
            f"{source}: the CSV header has no id column {id_field!r} "
            f"(columns: {', '.join(map(repr, header))}){did_you_mean(id_field, header)}",
            code="missing_column",
        )
    return chosen


def _first_keys(source: Path) -> list[str]:
    """The keys of the first JSON object line (none when it is not one)."""
    with source.open(encoding="utf-8-sig", errors="replace") as f:
        for line in f:
            if line.strip():
                try:
                    obj = json.loads(line)
                except ValueError:
                    return []
                return list(obj) if isinstance(obj, dict) else []
    return []


def read_rows(
    source: Path, fmt: _Format, text_field: str, id_field: str | None
) -> Generator[_Row, None, None]:
    if fmt == "csv":
        return _csv_rows(source, text_field, id_field)
    return _jsonl_rows(source, text_field, id_field)


def _text_value(value: object, text_field: str) -> tuple[str | None, tuple[str, str] | None]:
    if value is None:
        return None, ("missing_text", f"no {text_field!r} field")
    if not isinstance(value, str):
        return None, ("invalid_text", f"{text_field!r} is a {type(value).__name__}, not a string")
    if not value.strip():
        return None, ("empty_text", f"{text_field!r} is empty")
    return value, None


def _id_value(value: object, id_field: str) -> tuple[str | None, tuple[str, str] | None]:
    if isinstance(value, bool) or not isinstance(value, str | int):
        got = "absent" if value is None else f"a {type(value).__name__}"
        return None, ("missing_id", f"{id_field!r} is {got}, not a string or integer")
    text = str(value)
    if not text.strip():
        return None, ("missing_id", f"{id_field!r} is empty")
    return text, None


def _jsonl_rows(source: Path, text_field: str, id_field: str | None) -> Generator[_Row, None, None]:
    with source.open("rb") as f:  # binary: lines end at b"\n" only, never at U+2028
        for lineno, raw in enumerate(f, 1):
            if lineno == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                why = f"line {lineno} is not UTF-8 ({exc.reason} at byte {exc.start})"
                yield _Row(lineno, None, None, ("invalid_encoding", why))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                why = f"line {lineno}: {exc.msg} (column {exc.colno})"
                yield _Row(lineno, None, None, ("invalid_json", why))
                continue
            if not isinstance(obj, dict):
                why = f"line {lineno} is a JSON {type(obj).__name__}, not an object"
                yield _Row(lineno, None, None, ("not_an_object", why))
                continue
            user_id: str | None = None
            if id_field is not None:
                user_id, error = _id_value(obj.get(id_field), id_field)
                if error is not None:
                    yield _Row(lineno, None, None, error)
                    continue
            text, error = _text_value(obj.get(text_field), text_field)
            yield _Row(lineno, user_id, text, error)


def _has_surrogates(values: Sequence[str]) -> bool:
    """Whether undecodable bytes (kept by ``surrogateescape``) are in any field."""
    try:
        for value in values:
            value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _csv_rows(source: Path, text_field: str, id_field: str | None) -> Generator[_Row, None, None]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    with source.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        text_at = header.index(text_field)
        id_at = header.index(id_field) if id_field is not None else None
        record = 0
        while True:
            line_before = reader.line_num
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                record += 1
                why = f"line {reader.line_num}: {exc}"
                yield _Row(record, None, None, ("csv_error", why))
                if reader.line_num == line_before:
                    return  # the reader made no progress: stop rather than spin
                continue
            if not fields:
                continue  # a blank line
            record += 1
            where = f"line {reader.line_num}"
            if _has_surrogates(fields):
                yield _Row(record, None, None, ("invalid_encoding", f"{where} is not UTF-8"))
                continue
            if len(fields) != len(header):  # its fields may be shifted: trust none of them
                why = f"{where} has {len(fields)} fields, the header {len(header)}"
                yield _Row(record, None, None, ("wrong_field_count", why))
                continue
            user_id = (fields[id_at].strip() or None) if id_at is not None else None
            if id_field is not None and user_id is None:
                yield _Row(record, None, None, ("missing_id", f"{id_field!r} is empty"))
                continue
            text, error = _text_value(fields[text_at], text_field)
            yield _Row(record, user_id, text, error)


class _Ids:
    """Hands out unique ids: ``base``, then ``base-2``, ``base-3``, ... for repeats."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._next: dict[str, int] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._seen

    def claim(self, base: str) -> str:
        if base not in self._seen:
            self._seen.add(base)
            return base
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self._seen:
            n += 1
        self._next[base] = n + 1
        claimed = f"{base}-{n}"
        self._seen.add(claimed)
        return claimed


def identify(
    rows: Generator[_Row, None, None], id_field: str | None
) -> Generator[Record, None, None]:
    """Give every row its id: deterministic for a given input, unique within it."""
    ids = _Ids()
    with contextlib.closing(rows):
        for row in rows:
            if row.error is None and row.text is not None:
                if id_field is None:
                    base = hashlib.sha1(row.text.encode("utf-8", "surrogatepass")).hexdigest()
                    yield Record(row.row, ids.claim(base[:16]), row.text)
                    continue
                assert row.user_id is not None
                if row.user_id in ids:
                    why = f"{id_field!r} value {row.user_id!r} was already used by an earlier row"
                    yield Record(row.row, ids.claim(row.user_id), None, ("duplicate_id", why))
                    continue
                yield Record(row.row, ids.claim(row.user_id), row.text)
                continue
            error = row.error if row.error is not None else ("missing_text", "no text")
            base = row.user_id if row.user_id is not None else f"row-{row.row}"
            yield Record(row.row, ids.claim(base), None, error)


def count_records(source: Path, fmt: _Format, text_field: str, id_field: str | None) -> int | None:
    """The number of records, when the file is small enough to count first; else None."""
    if source.stat().st_size > _COUNT_LIMIT_BYTES:
        return None
    if fmt == "jsonl":
        with source.open("rb") as f:
            return sum(1 for raw in f if raw.removeprefix(codecs.BOM_UTF8).strip())
    return sum(1 for _ in _csv_rows(source, text_field, id_field))

"""Which column holds the text: found the same way by every fallacy command.

``fallacies run`` used to default to ``text`` and ``train``/``eval`` to
``source_article`` (the Logic dataset's name), so one file needed a different flag
per command. Now an unnamed text field is whichever of :data:`TEXT_FIELDS` the file
has, and a column that is missing is reported with the likeliest one it has.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from logicsvc.errors import InputError

TEXT_FIELDS = ("text", "source_article")
"""Looked for, in this order, when ``--text-field`` is not given."""


def did_you_mean(name: str, columns: Sequence[str]) -> str:
    """``; did you mean 'x'?`` for the closest column name, or nothing."""
    named = [c for c in columns if c and not c.startswith("Unnamed:")]
    close = difflib.get_close_matches(name, named, n=1, cutoff=0.5)
    close = close or [c for c in named if name.lower() in c.lower() or c.lower() in name.lower()]
    return f"; did you mean {close[0]!r}?" if close else ""


def text_field_of(given: str | None, columns: Sequence[str], where: str) -> str:
    """The text column: ``given`` if the file has it, else the first of
    :data:`TEXT_FIELDS` it has; an ``InputError`` naming the columns otherwise."""
    shown = ", ".join(repr(c) for c in columns if c and not c.startswith("Unnamed:"))
    if given is not None:
        if given in columns:
            return given
        raise InputError(
            f"{where}: no text column {given!r} (columns: {shown or 'none'})"
            f"{did_you_mean(given, columns)}",
            code="missing_column",
        )
    for name in TEXT_FIELDS:
        if name in columns:
            return name
    raise InputError(
        f"{where}: no text column {' or '.join(map(repr, TEXT_FIELDS))} (columns: "
        f"{shown or 'none'}); name it with --text-field"
        f"{did_you_mean(TEXT_FIELDS[0], columns) or did_you_mean(TEXT_FIELDS[1], columns)}",
        code="missing_column",
    )

"""Logic-LM's AR-LSAT programs cut into sections and parsed line by line (no meaning yet).

The format is line-based, as Logic-LM's own reader is: a ``# Declarations``,
a ``# Constraints`` and a ``# Options`` line open the three sections, and each
other line is one statement (``grammars/arlsat.lark``) with an optional
``::: gloss``.  Parsing each line alone keeps every error on the model's own
line and column; a blank line or a line that is only a ``#`` comment is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import lark

from logicsvc.errors import DSLSyntaxError, Span, caret_context
from logicsvc.resources import read_grammar
from logicsvc.syntax.lark_cache import load_or_build

SECTIONS = ("Declarations", "Constraints", "Options")
_NAMES = {
    "NAME": "a name",
    "INT": "a number",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "COLON": "':'",
    "COMPARE": "a comparison (==, !=, <, <=, >, >=)",
    "ARROW": "'->'",
    "EQUAL": "'='",
    "GLOSS": "'::: gloss'",
    "$END": "end of line",
}


@dataclass(frozen=True, slots=True)
class Line:
    section: str
    number: int
    """1-based line number in the program."""
    tree: lark.Tree[lark.Token]
    gloss: str | None


@cache
def _parser() -> lark.Lark:
    options = {"parser": "lalr", "propagate_positions": True}
    return load_or_build("arlsat", read_grammar("arlsat"), options)


def fail(source: str, message: str, span: Span, expected: tuple[str, ...] = ()) -> DSLSyntaxError:
    return DSLSyntaxError(
        message, span=span, context=caret_context(source, span), expected=expected
    )


def line_span(source: str, number: int) -> Span:
    lines = source.split("\n")
    text = lines[number - 1].rstrip("\r") if 0 < number <= len(lines) else ""
    start = len(text) - len(text.lstrip()) + 1
    return Span(number, start, number, max(len(text.rstrip()) + 1, start + 1))


def read(source: str) -> list[Line]:
    """Every statement line, with its section; a DSLSyntaxError names the line."""
    out: list[Line] = []
    section: str | None = None
    seen: list[str] = []
    for number, raw in enumerate(source.split("\n"), start=1):
        text = raw.rstrip("\r")
        stripped = text.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            name = stripped.lstrip("#").strip()
            if name in SECTIONS:
                if name in seen or SECTIONS.index(name) != len(seen):
                    expected = SECTIONS[len(seen)] if len(seen) < 3 else None
                    message = f"'# {name}' is out of place" + (
                        f"; expected '# {expected}' next" if expected else ""
                    )
                    raise fail(source, message, line_span(source, number))
                seen.append(name)
                section = name
            continue  # a comment line
        if section is None:
            message = "a statement before '# Declarations'"
            raise fail(source, message, line_span(source, number))
        out.append(_parse_line(source, section, number, text))
    if len(seen) < len(SECTIONS):
        last = max((n for n, t in enumerate(source.split("\n"), 1) if t.strip()), default=1)
        message = f"missing section '# {SECTIONS[len(seen)]}'"
        raise fail(source, message, line_span(source, last))
    return out


def _parse_line(source: str, section: str, number: int, text: str) -> Line:
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as exc:
        column = exc.column if isinstance(exc.column, int) and exc.column > 0 else 1
        width = 1
        token = getattr(exc, "token", None)
        if isinstance(token, lark.Token) and token.type != "$END":
            width = max(len(str(token)), 1)
            seen = f"unexpected {str(token)!r}"
        elif isinstance(exc, lark.exceptions.UnexpectedCharacters):
            seen = f"unexpected {text[column - 1]!r}"
        else:
            seen = "the line ends too early"
            column = len(text.rstrip()) + 1
        wanted = tuple(
            sorted(
                _NAMES.get(t, t)
                for t in (getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())
                if t in _NAMES
            )
        )
        hint = f"; expected one of {', '.join(wanted)}" if wanted else ""
        span = Span(number, column, number, column + width)
        raise fail(source, seen + hint, span, wanted) from None
    gloss = None
    if tree.data == "start" and len(tree.children) == 2:
        gloss_token = tree.children[1]
        assert isinstance(gloss_token, lark.Token)
        gloss = str(gloss_token)[3:].strip()
    statement = tree.children[0]
    if not isinstance(statement, lark.Tree):  # a bare name
        statement = lark.Tree("name", [statement])
    return Line(section, number, statement, gloss)

"""What the readers of other notations (Prover9/NLTK, TPTP) share.

Each reader has its own Lark grammar but the same contract as the DSL parser: a
:class:`~logicsvc.errors.DSLSyntaxError` with a span, the offending line under a caret
and what would have been accepted there.
"""

from __future__ import annotations

from collections.abc import Mapping

import lark
from lark import Token, Tree

from logicsvc.errors import DSLSyntaxError, Span, caret_context


def token_span(token: Token) -> Span:
    return Span(
        token.line or 1,
        token.column or 1,
        token.end_line or token.line or 1,
        token.end_column or (token.column or 1) + len(token),
    )


def node_span(node: Tree[Token] | Token) -> Span | None:
    if isinstance(node, Token):
        return token_span(node)
    meta = node.meta
    if getattr(meta, "empty", True):
        return None
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def syntax_error(
    exc: lark.exceptions.UnexpectedInput,
    text: str,
    names: Mapping[str, str],
    notation: str,
) -> DSLSyntaxError:
    """Lark's exception as our typed error; ``names`` says how terminals read."""
    line, column = max(exc.line, 1), max(exc.column, 1)
    width = 1
    expected: set[str] = set()
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        expected = _acceptable(exc, set(exc.expected))
        if exc.token.type == "$END":
            lines = text.rstrip("\n").split("\n")
            line, column = len(lines), len(lines[-1]) + 1
            found = "end of input"
        else:
            found = repr(str(exc.token))
            width = max(len(str(exc.token)), 1)
    elif isinstance(exc, lark.exceptions.UnexpectedCharacters):
        pos = exc.pos_in_stream
        found = repr(text[pos]) if pos is not None and pos < len(text) else "end of input"
        expected = _acceptable(exc, set(exc.allowed or ()))
    else:  # pragma: no cover - UnexpectedEOF is not raised by LALR
        found = "end of input"
    order = list(names)
    readable = tuple(
        dict.fromkeys(
            names.get(n, n)
            for n in sorted(expected, key=lambda n: order.index(n) if n in order else len(order))
            if names.get(n, n)
        )
    )
    span = Span(line, column, line, column + width)
    message = f"unexpected {found} in {notation}"
    if readable:
        message += "; expected " + (
            readable[0] if len(readable) == 1 else "one of " + ", ".join(readable)
        )
    return DSLSyntaxError(message, span=span, context=caret_context(text, span), expected=readable)


def _acceptable(exc: lark.exceptions.UnexpectedInput, fallback: set[str]) -> set[str]:
    """Terminals the parser would really accept here (LALR merges lookaheads)."""
    interactive = getattr(exc, "interactive_parser", None)
    if interactive is None:
        return fallback
    try:
        accepted = set(interactive.accepts())
    except Exception:  # pragma: no cover - lark internals; fall back to its own list
        return fallback
    return accepted or fallback


def located(message: str, span: Span | None, text: str, *, code: str = "syntax_error") -> Exception:
    """A syntax error the grammar cannot see (a function symbol), pointing at its span."""
    if span is None:
        from logicsvc.errors import InputError

        return InputError(message, code=code)
    return DSLSyntaxError(message, span=span, context=caret_context(text, span))

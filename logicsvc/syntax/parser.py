"""Text → AST, with errors that say where and what was expected.

Two modes.  Strict parses the text as written.  Lenient first repairs, line by
line, only the formula lines that fail to parse (see :mod:`repair`), then
widens quantifier scopes that would leave a name free; every repair comes back
as a warning next to the result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import lark

from logicsvc.errors import DSLSyntaxError, Span, caret_context
from logicsvc.syntax import grammar
from logicsvc.syntax.assemble import result
from logicsvc.syntax.ast import Formula, Program, Statement
from logicsvc.syntax.lines import lenient_reading, read_program
from logicsvc.syntax.repair import repair_formula_text, split_gloss, widen_quantifiers

_HEADERS = {
    "Sorts:": "sorts",
    "Functions:": "functions",
    "Predicates:": "predicates",
    "Premises:": "premises",
    "Conclusion:": "conclusion",
    "Options:": "options",
}


@dataclass(frozen=True, slots=True)
class ParsedProgram:
    program: Program
    warnings: tuple[str, ...] = ()


def parse_program(text: str, *, lenient: bool = False) -> ParsedProgram:
    """Parse a problem file (``Predicates:`` / ``Premises:`` / ``Conclusion:``)."""
    plain = read_program(text, lenient=lenient)  # the common case, line by line
    if plain is not None:
        return ParsedProgram(*plain)
    warnings: list[str] = []
    try:
        program: Program = _parse(text, grammar.START_PROGRAM)
    except DSLSyntaxError:
        if not lenient:
            raise
        program = _parse(_repair_lines(text, warnings), grammar.START_PROGRAM)
    if lenient:
        program = dataclasses.replace(
            program,
            premises=_widen(program.premises, warnings, premises=True),
            conclusions=_widen(program.conclusions, warnings, premises=False),
        )
    return ParsedProgram(program, tuple(warnings))


def parse_formula(
    text: str, *, lenient: bool = False, context: str | None = None
) -> tuple[Formula, tuple[str, ...]]:
    """Parse one formula (an API premise, a conclusion); gloss not allowed.

    ``context`` (every formula of the request) keeps a predicate a repair introduces
    from clashing with one used elsewhere.
    """
    warnings: list[str] = []
    try:
        formula: Formula = _parse(text, grammar.START_FORMULA)
    except DSLSyntaxError:
        if not lenient:
            raise
        text, notes = repair_formula_text(text, context=context)
        warnings.extend(notes)
        formula = _parse(text, grammar.START_FORMULA)
    if lenient:
        formula, notes = widen_quantifiers(formula)
        warnings.extend(notes)
    return formula, tuple(warnings)


def _widen(
    statements: tuple[Statement, ...], warnings: list[str], *, premises: bool
) -> tuple[Statement, ...]:
    out = []
    for statement in statements:
        widened, notes = lenient_reading(statement, premise=premises)
        line = statement.span.line if statement.span else "?"
        warnings.extend(f"line {line}: {note}" for note in notes)
        out.append(widened)
    return tuple(out)


def _repair_lines(text: str, warnings: list[str]) -> str:
    """Repair each premise/conclusion line that does not parse on its own."""
    lines = text.split("\n")
    section = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped in _HEADERS or stripped.startswith("Question:"):
            section = _HEADERS.get(stripped, "question")
            continue
        if section not in ("premises", "conclusion") or not stripped or stripped[0] == "#":
            continue
        formula, gloss = split_gloss(line)
        try:
            _parse(formula, grammar.START_FORMULA)
            continue
        except DSLSyntaxError:
            pass
        fixed, notes = repair_formula_text(formula, context=text)
        if notes:
            lines[number - 1] = fixed + (" " + gloss if gloss else "")  # gloss or comment
            warnings.extend(f"line {number}: {note}" for note in notes)
    return "\n".join(lines)


def _parse(text: str, start: str) -> Any:
    """The AST (a ``Program`` or a ``Formula``, by ``start``), built during the parse."""
    source = text if start == grammar.START_FORMULA or text.endswith("\n") else text + "\n"
    try:
        return result(grammar.ast_parser().parse(source, start=start))
    except lark.exceptions.UnexpectedInput as exc:
        raise _syntax_error(exc, source) from None


def _syntax_error(exc: lark.exceptions.UnexpectedInput, text: str) -> DSLSyntaxError:
    line, column = max(exc.line, 1), max(exc.column, 1)
    if isinstance(exc, lark.exceptions.UnexpectedToken) and exc.token.type == "$END":
        lines = text.rstrip("\n").split("\n")
        line, column = len(lines), len(lines[-1]) + 1
        found = "end of input"
        expected = _acceptable(exc, set(exc.expected))
    elif isinstance(exc, lark.exceptions.UnexpectedToken):
        found = f"{str(exc.token).strip() or 'a line break'!r}"
        if exc.token.type == "_NL":
            found = "end of line"
        expected = _acceptable(exc, set(exc.expected))
    elif isinstance(exc, lark.exceptions.UnexpectedCharacters):
        pos = exc.pos_in_stream
        found = f"{text[pos]!r}" if pos is not None and pos < len(text) else "end of input"
        expected = _acceptable(exc, set(exc.allowed or ()))
    else:
        found, expected = "end of input", set(getattr(exc, "expected", ()) or ())
    readable = grammar.describe_terminals(expected)
    width = 1
    if isinstance(exc, lark.exceptions.UnexpectedToken) and exc.token.type not in ("$END", "_NL"):
        width = max(len(str(exc.token)), 1)
    span = Span(line, column, line, column + width)
    message = f"unexpected {found}"
    if readable:
        message += "; expected " + _one_of(readable)
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


def _one_of(items: tuple[str, ...]) -> str:
    if len(items) == 1:
        return items[0]
    return "one of " + ", ".join(items)

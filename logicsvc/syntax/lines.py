"""Reading a plain program one line at a time, each line parsed once per batch.

A program's statements and declarations are one per line, and a batch of
recorded programs repeats whole lines: ProofWriter asks several questions of
one theory, so its facts and rules come back verbatim at the same line
numbers (the 267 GPT-4 programs hold 5,214 statement lines, 2,279 distinct texts).
:func:`read_program` cuts a plainly shaped program (``Predicates:``,
``Premises:``, ``Conclusion:``, blank and ``#`` lines anywhere) into its lines
and builds each through a bounded memo.

A line is parsed alone by :func:`~logicsvc.syntax.grammar.ast_line_parser`, the
same grammar started at ``statement`` or ``predicate_decl``, its lexer counting lines
from the line's own number: its tokens and AST are those the whole program's parse
gives for that line.  The memo has two levels: a line's AST by (section, text), with
the line it was parsed on, moved (:func:`moved`) where the same text stands on another
line (ProofWriter moves a rule down when a question adds a predicate), and that AST
by (section, line number, text).  Entries are frozen ASTs; what a lookup returns is
a pure function of its key: nothing about a request is kept.  Anything else (sorts, functions, a
question, a ``\r``, a comment after a statement, a line that does not parse)
returns ``None``, and the caller parses the whole text as before, so every
error and every repair is reported exactly as it always was.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar, cast

import lark

from logicsvc.errors import Span
from logicsvc.syntax import grammar
from logicsvc.syntax.ast import PredicateDecl, Program, Signature, Statement
from logicsvc.syntax.repair import close_free_variables, widen_quantifiers

_T = TypeVar("_T")

CACHED_LINES = 2048
"""Memo entries per kind (statements, declarations, lenient readings) and level.

ProofWriter's 267 programs need ~2,300 lines' parses and hit as often as with 8,192
entries; an entry takes ~1 KB there, at most ~17 KB for a line of
:data:`LONGEST_CACHED` characters (so ~140 MB if a service is fed nothing but distinct
long lines, in both modes)."""
LONGEST_CACHED = 200
"""Longer lines are parsed every time (ProofWriter's longest is 202, FOLIO's 99th
percentile 248): the memo holds lines, not documents."""

_SECTIONS = {"Predicates:": "predicates", "Premises:": "premises", "Conclusion:": "conclusion"}
_ORDER = ("predicates", "premises", "conclusion")


class _NotPlain(Exception):
    """The text leaves the line-by-line path; the whole-text parse decides."""


def read_program(text: str, *, lenient: bool) -> tuple[Program, tuple[str, ...]] | None:
    """The program and its lenient notes, or ``None`` where the whole text must be parsed.

    ``lenient`` adds what :func:`logicsvc.syntax.parser.parse_program` adds to a
    program that parses: quantifier scopes widened and free variables closed, per
    statement, each with a ``line N:`` note.
    """
    source = text if text.endswith("\n") else text + "\n"
    if "\r" in source:
        return None
    try:
        return _read(source, lenient)
    except (_NotPlain, RecursionError):  # a deep formula: the whole parse reports it
        return None


def _read(source: str, lenient: bool) -> tuple[Program, tuple[str, ...]]:
    decls: list[PredicateDecl] = []
    statements: dict[str, list[Statement]] = {"premises": [], "conclusion": []}
    notes: dict[str, list[str]] = {"premises": [], "conclusion": []}
    section: str | None = None
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip(" \t")
        if not stripped or stripped[0] == "#":
            continue  # the grammar's line ends swallow blank lines and comments
        if stripped in _SECTIONS:
            section = _next_section(section, _SECTIONS[stripped])
            continue
        if section is None:
            raise _NotPlain
        if section == "predicates":
            decls.append(_line(_decl, _placed_decl, section, number, line))
        elif lenient:
            statement, said = _line(_lenient_statement, _placed_lenient, section, number, line)
            statements[section].append(statement)
            notes[section].extend(said)
        else:
            statements[section].append(_line(_statement, _placed_statement, section, number, line))
    if section != "conclusion":
        raise _NotPlain
    program = Program(
        tuple(decls),
        tuple(statements["premises"]),
        tuple(statements["conclusion"]),
        Signature((), ()),
        None,
    )
    return program, (*notes["premises"], *notes["conclusion"])


def _next_section(current: str | None, header: str) -> str:
    """Sections come in grammar order, each once; ``Premises:`` is not optional."""
    at = _ORDER.index(current) if current else -1
    if _ORDER.index(header) <= at or (header == "conclusion" and current != "premises"):
        raise _NotPlain
    return header


def _line(
    memo: Callable[[str, int, str], _T | None],
    place: Callable[[str, int, str], _T | None],
    section: str,
    number: int,
    line: str,
) -> _T:
    result = (memo if len(line) <= LONGEST_CACHED else place)(section, number, line)
    if result is None:
        raise _NotPlain
    return result


_START = {
    "predicates": grammar.START_DECLARATION,
    "premises": grammar.START_STATEMENT,
    "conclusion": grammar.START_STATEMENT,
}


def _parsed(section: str, number: int, line: str) -> Any:
    """The line's ``Statement`` or ``PredicateDecl``, parsed alone but on line ``number``
    (the lexer counts from there), so that a line met once needs no move."""
    try:
        interactive = grammar.ast_line_parser().parse_interactive(line, start=_START[section])
        interactive.lexer_thread.state.line_ctr.line = number
        return interactive.resume_parse()  # type: ignore[no-untyped-call]
    except lark.exceptions.UnexpectedInput:
        return None


class _CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class _Homes(Generic[_T]):
    """A line's parse by (section, text), with the line it was parsed on: bounded, least
    recently used first out.  A line met again elsewhere is the parse moved (ProofWriter
    moves a rule down when a question adds a predicate).  Reports itself as
    ``functools.lru_cache`` does (``cache_info``, ``cache_clear``)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict[tuple[str, str], tuple[_T | None, int]] = {}
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def at(
        self, compute: Callable[[str, int, str], _T | None], section: str, number: int, line: str
    ) -> _T | None:
        if len(line) > LONGEST_CACHED:
            return compute(section, number, line)
        key = (section, line)
        with self._lock:
            found = self._entries.pop(key, None)
            if found is not None:
                self._entries[key] = found
                self._hits += 1
            else:
                self._misses += 1
        if found is None:
            value = compute(section, number, line)
            with self._lock:
                self._entries[key] = (value, number)
                if len(self._entries) > self._size:
                    del self._entries[next(iter(self._entries))]
            return value
        value, parsed_on = found
        return moved(value, number - parsed_on)

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._hits = self._misses = 0

    def cache_info(self) -> _CacheInfo:
        with self._lock:
            return _CacheInfo(self._hits, self._misses, self._size, len(self._entries))


_home_statement: _Homes[Statement] = _Homes(CACHED_LINES)
_home_decl: _Homes[PredicateDecl] = _Homes(CACHED_LINES)
_home_lenient: _Homes[tuple[Statement, tuple[str, ...]]] = _Homes(CACHED_LINES)


def _placed_statement(section: str, number: int, line: str) -> Statement | None:
    return _home_statement.at(_parsed, section, number, line)


def _placed_decl(section: str, number: int, line: str) -> PredicateDecl | None:
    return _home_decl.at(_parsed, section, number, line)


def _read_leniently(
    section: str, number: int, line: str
) -> tuple[Statement, tuple[str, ...]] | None:
    statement = _placed_statement(section, number, line)
    return None if statement is None else lenient_reading(statement, premise=section == "premises")


def _placed_lenient(
    section: str, number: int, line: str
) -> tuple[Statement, tuple[str, ...]] | None:
    home = _home_lenient.at(_read_leniently, section, number, line)
    if home is None:
        return None
    statement, notes = home
    return statement, tuple(f"line {number}: {note}" for note in notes)


_statement = lru_cache(maxsize=CACHED_LINES)(_placed_statement)
_decl = lru_cache(maxsize=CACHED_LINES)(_placed_decl)
_lenient_statement = lru_cache(maxsize=CACHED_LINES)(_placed_lenient)


def lenient_reading(statement: Statement, *, premise: bool) -> tuple[Statement, tuple[str, ...]]:
    """Lenient mode's reading of one parsed statement: scopes widened, free names closed.

    The notes say what was read how; :func:`logicsvc.syntax.parser.parse_program`
    puts the statement's line in front of each.
    """
    formula, notes = widen_quantifiers(statement.formula)
    formula, closed = close_free_variables(formula, premise=premise)
    notes.extend(closed)
    read = Statement(formula, statement.gloss, statement.span) if notes else statement
    return read, tuple(notes)


_FIELDS: dict[type, tuple[str, ...]] = {}


def moved(node: _T, lines: int) -> _T:
    """``node`` with every span ``lines`` lines further down (a copy; nodes are frozen)."""
    if lines == 0 or node is None:
        return node
    return cast(_T, _move(node, lines))


def _move(node: object, lines: int) -> object:
    if isinstance(node, Span):
        return Span(node.line + lines, node.column, node.end_line + lines, node.end_column)
    if isinstance(node, tuple):
        return tuple([_move(item, lines) for item in node])
    kind = type(node)
    names = _FIELDS.get(kind)
    if names is None:
        if not dataclasses.is_dataclass(kind):
            return node  # a name, a number, an enum member
        names = _FIELDS.setdefault(kind, tuple(f.name for f in dataclasses.fields(kind)))
    values = [getattr(node, name) for name in names]
    return kind(*[v if v is None or isinstance(v, _LEAF) else _move(v, lines) for v in values])


_LEAF = (str, int, enum.Enum)


def forget() -> None:
    """Empty the memo (a benchmark's cold start; nothing needs it for correctness)."""
    for memo in (_home_statement, _home_decl, _home_lenient, _statement, _decl, _lenient_statement):
        memo.cache_clear()

"""The Lark parser built from ``grammars/fol.lark``, and how its terminals read.

The grammar file stays in the subset llguidance accepts, so it has no terminal
priorities.  Lark's lexer is not longest-match, though: a section header like
``Premises:`` would lose to ``NAME``.  We raise the headers' priority here,
on Lark's copy only, which leaves the shared file untouched.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import lark

from logicsvc.resources import read_grammar
from logicsvc.syntax import lark_cache
from logicsvc.syntax.assemble import Assembler

START_PROGRAM = "start"
START_FORMULA = "formula"
START_STATEMENT = "statement"
START_DECLARATION = "predicate_decl"

# How each terminal is named in an error message meant for a person or an LLM.
TERMINAL_NAMES: dict[str, str] = {
    "NAME": "a name",
    "PRED_OPEN": "a predicate such as P(",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "FORALL": "∀",
    "FORALL_WORD": "forall",
    "ALL_WORD": "all",
    "EXISTS": "∃",
    "EXISTS_WORD": "exists",
    "NOT": "¬",
    "NOT_WORD": "not",
    "AND": "∧",
    "OR": "∨",
    "XOR": "⊕",
    "XOR_WORD": "xor",
    "IMPLIES": "→",
    "IFF": "↔",
    "EQUALS": "=",
    "NOT_EQUALS": "≠",
    "GLOSS": "'::: gloss'",
    "_NL": "end of line",
    "PREDICATES_HEADER": "'Predicates:'",
    "PREMISES_HEADER": "'Premises:'",
    "CONCLUSION_HEADER": "'Conclusion:'",
    "SORTS_HEADER": "'Sorts:'",
    "FUNCTIONS_HEADER": "'Functions:'",
    "QUESTION_HEADER": "'Question:'",
    "OPTIONS_HEADER": "'Options:'",
    "QUESTION_KIND": "a question kind such as 'must be true'",
    "OPTION_LABEL": "an option label such as 'A)'",
    "DASH": "-",
    "MINUS": "−",
    "PLUS": "+",
    "STAR": "*",
    "LT": "<",
    "LE": "≤",
    "GT": ">",
    "GE": "≥",
    "COLON": "':'",
    "RANGE": "'..'",
    "DIGITS": "an integer",
    "COUNT_WORD": "count",
    "DISTINCT_OPEN": "distinct(",
    "SEMICOLON": "';'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "$END": "end of input",
}

# Word forms are listed once under their symbol; "all"/"forall" add nothing.
_REDUNDANT = {"FORALL_WORD", "ALL_WORD", "EXISTS_WORD", "NOT_WORD", "XOR_WORD"}


def describe_terminals(names: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Readable, de-duplicated, stably ordered names for a set of terminals."""
    order = list(TERMINAL_NAMES)
    wanted = sorted(
        (n for n in names if n not in _REDUNDANT),
        key=lambda n: order.index(n) if n in order else len(order),
    )
    return tuple(dict.fromkeys(TERMINAL_NAMES.get(n, n) for n in wanted))


def _edit_terminal(terminal: lark.lexer.TerminalDef) -> None:
    if terminal.name.endswith("_HEADER"):
        terminal.priority = 2


@cache
def parser() -> lark.Lark:
    """The LALR parser that returns Lark's tree (the reference the assembled AST is
    tested against, with ``tests/tree_builder.py``); Lark parsers are thread-safe."""
    return _build([START_PROGRAM, START_FORMULA])


@cache
def ast_parser() -> lark.Lark:
    """The program parser every request uses: the same tables, the AST built during the
    parse (:mod:`logicsvc.syntax.assemble`), so errors are the tree parser's own."""
    return _build([START_PROGRAM, START_FORMULA], ast=True)


@cache
def ast_line_parser() -> lark.Lark:
    """:func:`line_parser`'s tables, building the AST during the parse."""
    return _build([START_STATEMENT, START_DECLARATION], ast=True)


@cache
def line_parser() -> lark.Lark:
    """One line of a program alone: a statement or a ``Predicates:`` declaration.

    A parser of its own, so that the program parser's tables (and so its error
    messages) stay exactly as they were.
    """
    return _build([START_STATEMENT, START_DECLARATION])


def _build(start: list[str], *, ast: bool = False) -> lark.Lark:
    """Built once per machine: later processes load the tables from the user's cache
    (:mod:`logicsvc.syntax.lark_cache`).

    Building the LALR tables takes ~0.2 s, a tenth of a batch of 267 programs;
    loading them takes ~0.02 s.  This module's source is part of the file's digest: it
    holds :func:`_edit_terminal`.

    ``ast`` keeps every token (the spans are computed from them) and no positions
    (nothing is a tree); the tables are the same, the file another.
    """
    options: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "start": start,
        "propagate_positions": not ast,
        "maybe_placeholders": True,
        "regex": True,
    }
    if ast:
        options["keep_all_tokens"] = True
    return lark_cache.load_or_build(
        "fol",
        read_grammar("fol"),
        options,
        code=Path(__file__).read_text(encoding="utf-8"),
        edit_terminals=_edit_terminal,
        transformer=Assembler() if ast else None,
    )

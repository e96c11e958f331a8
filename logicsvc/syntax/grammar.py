"""The Lark parser built from ``grammars/fol.lark``, and how its terminals read.

The grammar file stays in the subset llguidance accepts, so it has no terminal
priorities.  Lark's lexer is not longest-match, though: a section header like
``Premises:`` would lose to ``NAME``.  We raise the headers' priority here,
on Lark's copy only, which leaves the shared file untouched.
"""

from __future__ import annotations

from functools import cache

import lark

from logicsvc.resources import read_grammar

START_PROGRAM = "start"
START_FORMULA = "formula"

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
    """The shared LALR parser; Lark parsers are safe to share across threads."""
    return lark.Lark(
        read_grammar("fol"),
        parser="lalr",
        lexer="contextual",
        start=[START_PROGRAM, START_FORMULA],
        propagate_positions=True,
        maybe_placeholders=True,
        edit_terminals=_edit_terminal,
        regex=True,
    )

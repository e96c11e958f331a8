"""Logic-LM's check of one FOLIO formula: NLTK's chart parser over Logic-LM's grammar.

Logic-LM accepts a formula only if ``nltk.ChartParser`` finds a parse under the context-
free grammar below, in which every symbol of the formula may be a variable, a predicate
or a constant; the first parse then says which is which. The grammar is ambiguous
(``F -> F OP F`` with no precedence), so a long chain of connectives has exponentially
many parses, and the chart parser can take minutes on one formula (FOLIO's ``dev_68``
in Logic-LM's full dev set): Logic-LM stops it after 60 s with ``SIGALRM``, as we do.
Quantifiers may only lead a formula, so a nested one fails the parse (a "parsing
error": Logic-LM's most common one on FOLIO).

The tokens are Logic-LM's too: connectives split off, apostrophes dropped, runs of
multi-letter words joined with capitals (``dc universe`` → ``DcUniverse``), and the text
handed on to :mod:`.fol_ply` is rebuilt from the parse's leaves.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import nltk

PARSE_TIMEOUT_S = 60  # Logic-LM's alarm around each formula's parse
_OPERATORS = ("⊕", "∨", "∧", "→", "↔", "∀", "∃", "¬", "(", ")", ",")
_SYMBOL = re.compile(r"[^⊕∨∧→↔∀∃¬(),]+")
_BINARY = re.compile(r"[⊕∨∧→↔]")
# Logic-LM's grammar; VAR, PRED and CONST are each every symbol of the formula.
_GRAMMAR = """
S -> F | Q F | '¬' S | '(' S ')'
Q -> QUANT VAR | QUANT VAR Q
F -> '¬' '(' F ')' | '(' F ')' | F OP F | L
OP -> '⊕' | '∨' | '∧' | '→' | '↔'
L -> '¬' PRED '(' TERMS ')' | PRED '(' TERMS ')'
TERMS -> TERM | TERM ',' TERMS
TERM -> CONST | VAR
QUANT -> '∀' | '∃'
"""


@dataclass(frozen=True)
class Reading:
    """A formula the grammar accepts: its text for PLY and its symbols by kind."""

    text: str
    variables: frozenset[str]
    constants: frozenset[str]
    predicates: frozenset[str]


def pieces(text: str) -> list[str]:
    """The whitespace-separated pieces once every connective stands alone, quotes removed."""
    for op in _OPERATORS:
        text = text.replace(op, f" {op} ")
    return [p for p in (piece.strip().replace("'", "") for piece in text.split()) if p]


def tokens(text: str) -> list[str]:
    """The parser's tokens: runs of multi-letter words joined, each capitalised."""
    out: list[str] = []
    run: list[str] = []
    for piece in pieces(text):
        if len(piece) > 1 and _SYMBOL.match(piece):
            run.append(piece[0].upper() + piece[1:])
            continue
        out += ["".join(run), piece] if run else [piece]
        run = []
    if run:
        out.append("".join(run))
    return out


def rebuild(text: str) -> str:
    """The formula written back from its pieces, spaced as Logic-LM's PLY lexer expects."""
    parts = pieces(text)
    out = []
    for i, piece in enumerate(parts):
        if _BINARY.match(piece):
            out.append(f" {piece} ")
        elif piece.startswith(","):
            out.append(f"{piece} ")
        elif len(piece) == 1 and re.match(r"\w", piece):
            out.append(f"{piece} " if i > 0 and parts[i - 1] in ("∃", "∀") else piece)
        else:
            out.append(piece)
    return "".join(out)


def read(formula: str) -> Reading | None:
    """The formula as Logic-LM accepts it, or ``None`` (no parse, or the 60 s alarm)."""
    toks = tokens(formula)
    symbols = " | ".join(f"'{s}'" for s in sorted({t for t in toks if _SYMBOL.match(t)}))
    grammar = _GRAMMAR + f"VAR -> {symbols}\nPRED -> {symbols}\nCONST -> {symbols}"
    try:
        with _alarm(PARSE_TIMEOUT_S):
            tree = nltk.ChartParser(nltk.CFG.fromstring(grammar)).parse_one(toks)
    except Exception:  # Logic-LM: any failure here makes the formula invalid
        return None
    if tree is None:
        return None
    variables = _variables(tree)
    constants: set[str] = set()
    predicates: set[str] = set()
    _classify(tree, variables, constants, predicates)
    return Reading(
        rebuild("".join(tree.leaves())),
        frozenset(variables),
        frozenset(constants),
        frozenset(predicates),
    )


def _variables(tree: Any) -> set[str]:
    """Every symbol the parse put under ``VAR`` (quantified or in a term)."""
    if isinstance(tree, str):
        return set()
    if tree.label() == "VAR":
        return {tree[0]}
    return set().union(*(_variables(child) for child in tree))


def _classify(tree: Any, variables: set[str], constants: set[str], predicates: set[str]) -> None:
    """Predicates by position; a term is a variable if it is one anywhere, else a constant."""
    if isinstance(tree, str):
        return
    if tree.label() == "PRED":
        predicates.add(tree[0])
        return
    if tree.label() == "TERM":
        symbol = tree[0][0]
        if symbol in variables:
            tree[0].set_label("VAR")
        else:
            tree[0].set_label("CONST")
            constants.add(symbol)
        return
    for child in tree:
        _classify(child, variables, constants, predicates)


class ParseTimeout(Exception):
    """The chart parser ran past :data:`PARSE_TIMEOUT_S` on one formula."""


@contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    """``SIGALRM`` after ``seconds`` (main thread only; elsewhere no limit, as signals need it).

    A timer already running (pytest-timeout's, say) is put back afterwards, less the
    time spent here, so that this one does not cancel it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise ParseTimeout(f"no parse within {seconds} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3))

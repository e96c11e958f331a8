"""One line of a ProofWriter-style program, read once per batch.

A line's reading depends on its text, its section and the mode alone, never on the
rest of the program or on where it stands, and ProofWriter asks several questions of
one theory, so the same facts and rules come back in question after question (the
267 GPT-4 programs hold 7,114 lines, 2,310 distinct in their section). :func:`read`
keeps each reading in a bounded memo, like :mod:`logicsvc.syntax.lines` does for the
DSL: entries are frozen and a pure function of their key, with nothing of a request
in them. A line that cannot be read raises :class:`LineError` (never memoised) with
its column; the converter puts the program's line number and text around it, so every
error still names the right line of the right program.

The reading follows the Logic-LM format as :mod:`.proofwriter_style` documents it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from logicsvc.syntax.ast import looks_like_variable
from logicsvc.syntax.lines import LONGEST_CACHED

SECTIONS = ("Predicates", "Facts", "Rules", "Query")
_HEADER = re.compile(r"\s*(\w+)\s*:(?!::)\s*(.*)")
_LITERAL = re.compile(r"(?P<neg>!|¬|~|not\s+)?\s*(?P<pred>\w+)\s*\((?P<args>[^()]*)\)")
_VARIABLE = re.compile(r"\$\w+")
_KEYWORDS = frozenset({"not", "all", "forall", "exists", "count", "xor", "distinct"})
"""Words ``fol.lark`` lexes as keywords: a name spelt so is left to the parser."""

CACHED_LINES = 4096
"""Memo entries (readings, and the converter's built lines): the 267 GPT-4 programs
need 2,310 readings and 3,293 built lines; one entry is well under 2 KB for a line of at
most ``LONGEST_CACHED`` characters (longer lines are read every time)."""


class LineError(Exception):
    """A line that cannot be read: what is wrong and where (0-based column, width)."""

    def __init__(self, message: str, column: int, width: int = 1) -> None:
        super().__init__(message)
        self.message, self.column, self.width = message, column, width


@dataclass(frozen=True, slots=True)
class Lit:
    positive: bool
    pred: str
    terms: tuple[str, ...]  # "$x" for a variable, a constant as written
    names: tuple[str, ...]
    """The terms as the DSL writes them (``x`` for ``$x``)."""
    dsl: str
    """The literal in the DSL."""

    @classmethod
    def of(cls, positive: bool, pred: str, terms: tuple[str, ...]) -> Lit:
        names = tuple(t.lstrip("$") for t in terms)
        return cls(
            positive, pred, terms, names, f"{'' if positive else '¬'}{pred}({', '.join(names)})"
        )


@dataclass(frozen=True, slots=True)
class Header:
    """A section header line: the converter judges it against the sections so far."""

    name: str
    rest: str
    column: int


@dataclass(frozen=True, slots=True)
class Line:
    """A declaration or statement line as read: what the DSL line says, and its parts."""

    formula: str
    """The DSL formula (or declaration), without the gloss."""
    gloss: str | None
    """The text after ``:::``, as written; None without ``:::``."""
    notes: tuple[str, ...]
    """Lenient repairs, without the ``line N:`` the converter puts in front."""
    body: tuple[Lit, ...]
    heads: tuple[Lit, ...]
    """A rule's head literals; a fact, query or declaration is its one body literal."""
    variables: tuple[str, ...]
    """A rule's variables (``$x``) in order of appearance."""
    plain: bool
    """Every name reads as written (see :func:`_plain`): the AST can be built directly."""
    text: str
    """The converted line (the gloss kept after ``:::``)."""
    atoms: tuple[tuple[str, int], ...]
    """Each literal's predicate and arity, in order."""
    constants: frozenset[str]
    """The terms that are no variable (a declaration's parameters included)."""
    varlike: bool
    """Some constant is spelt like a variable (``x``, ``y1``)."""


def read(section: str, lenient: bool, line: str) -> Header | Line:
    """``line`` (not blank) read under ``section`` ("" before the first header); a
    LineError says why it cannot be."""
    if len(line) > LONGEST_CACHED:
        return _read(section, lenient, line)
    return _memo(section, lenient, line)


def _read(section: str, lenient: bool, line: str) -> Header | Line:
    if header := _HEADER.fullmatch(line):
        return Header(header.group(1), header.group(2), header.start(1))
    if not section:
        message = "text before the first section (Predicates:, Facts:, ...)"
        raise LineError(message, len(line) - len(line.lstrip()), len(line.strip()))
    formula, sep, gloss = line.partition(":::")
    notes: list[str] = []
    if section == "Predicates":
        decl = _literal(formula, 0, lenient, notes, declaration=True)
        return _line(decl.dsl, gloss if sep else None, notes, (decl,), (), ())
    text, body, heads, variables = _statement(formula, section, lenient, notes)
    return _line(text, gloss if sep else None, notes, body, heads, variables)


_memo = lru_cache(maxsize=CACHED_LINES)(_read)


def _plain(name: str) -> bool:
    """A name the DSL reads as written: ``[A-Za-z][A-Za-z0-9_]*`` (ASCII, no leading
    digit, so no numeral; no hyphen) and no keyword of ``fol.lark``."""
    return name.isascii() and name.isidentifier() and name[0] != "_" and name not in _KEYWORDS


def _line(
    formula: str,
    gloss: str | None,
    notes: list[str],
    body: tuple[Lit, ...],
    heads: tuple[Lit, ...],
    variables: tuple[str, ...],
) -> Line:
    lits = body + heads
    names = [lit.pred for lit in lits] + [n for lit in lits for n in lit.names]
    plain = all(_plain(n) for n in names)
    text = formula + ("" if gloss is None else f" :::{gloss}")
    atoms = tuple((lit.pred, len(lit.terms)) for lit in lits)
    constants = frozenset(t for lit in lits for t in lit.terms if t[0] != "$")
    varlike = any(looks_like_variable(name) for name in constants)
    return Line(
        formula, gloss, tuple(notes), body, heads, variables, plain, text, atoms, constants, varlike
    )


def _statement(
    formula: str, section: str, lenient: bool, notes: list[str]
) -> tuple[str, tuple[Lit, ...], tuple[Lit, ...], tuple[str, ...]]:
    """A rule, fact or query line (without its gloss): DSL formula, body, heads, variables.

    A query line is read as a fact is; the converter counts the queries.
    """
    what = "query" if section == "Query" else "fact"
    parts = _split(formula, 0, ">>>")
    if len(parts) > 2 or (len(parts) == 2 and section == "Query"):
        message = "a rule has one '>>>'" if len(parts) > 2 else "a query is not a rule"
        raise LineError(message, parts[-1][1] - 3, 3)
    if len(parts) == 1:
        pieces = _split(formula, 0, "&&")
        if len(pieces) > 1:
            raise LineError(f"a {what} is one literal; a rule needs '>>>'", pieces[1][1] - 2, 2)
        lit = _literal(formula, 0, lenient, notes)
        if free := next((t for t in lit.terms if t.startswith("$")), None):
            message = f"a {what} must be ground; a statement about every {free} is a rule"
            raise LineError(message, formula.index(free), len(free))
        _misplaced(section == "Rules", "a fact under Rules:", 0, lenient, notes)
        return lit.dsl, (lit,), (), ()
    _misplaced(section == "Facts", "a rule under Facts:", parts[1][1] - 3, lenient, notes)
    body = tuple(_literal(piece, col, lenient, notes) for piece, col in _split(*parts[0], "&&"))
    heads = tuple(_literal(piece, col, lenient, notes) for piece, col in _split(*parts[1], "&&"))
    variables = tuple(dict.fromkeys(t for lit in body + heads for t in lit.terms if t[0] == "$"))
    for lit in body + heads if variables else ():
        for term in lit.terms:
            if term[0] != "$" and "$" + term in variables:
                at = re.search(rf"(?<![\w$]){re.escape(term)}(?!\w)", formula)
                message = f"'{term}' without '$' in a rule over ${term}"
                raise LineError(message, at.start() if at else 0, len(term))
    rule = " ∧ ".join(x.dsl for x in body) + " → " + " ∧ ".join(x.dsl for x in heads)
    quantifiers = "".join(f"∀{v[1:]} " for v in variables)
    return (f"{quantifiers}({rule})" if variables else rule), body, heads, variables


def _misplaced(wrong: bool, what: str, column: int, lenient: bool, notes: list[str]) -> None:
    if wrong and not lenient:
        raise LineError(f"{what}; move it to its section", column, 3)
    notes.extend([f"read {what} as written"] if wrong else [])


def _literal(
    piece: str, column: int, lenient: bool, notes: list[str], *, declaration: bool = False
) -> Lit:
    stripped = piece.strip()
    column += len(piece) - len(piece.lstrip())
    match = _LITERAL.fullmatch(stripped)
    if match is None:
        hint = "Name($x, ..., bool)" if declaration else "Pred(arg, ..., True)"
        raise LineError(f"expected a literal such as {hint}", column, len(stripped))
    neg, pred, raw = match.group("neg", "pred", "args")
    args = [a.strip() for a in raw.split(",")] if raw.strip() else []
    last = args[-1] if args else ""
    if declaration and (neg or last.lower() != "bool"):
        message = f"a declaration ends with bool: {pred}($x, ..., bool)"
        raise LineError(message, _last_column(column, match), len(last))
    if not declaration and last not in ("True", "False"):
        message = f"{pred}(…) needs True or False as its last argument"
        raise LineError(message, _last_column(column, match), len(last))
    if any(not a or (a[0] == "$" and not _VARIABLE.fullmatch(a)) for a in args[:-1]):
        raise LineError("an empty or malformed argument", column, len(stripped))
    positive = last != "False"
    if neg:
        if not lenient or not positive:
            how = "with False alone" if lenient else "as the last argument False"
            raise LineError(f"write a negation {how}, not as a prefix", column)
        notes.append(f"read prefix {neg.strip()!r} as negation")
        positive = False
    return Lit.of(positive, pred, tuple(args[:-1]))


def _last_column(column: int, match: re.Match[str]) -> int:
    """The 0-based column of a literal's last argument (``column``: the literal's)."""
    raw = match["args"]
    return column + match.start("args") + len(raw) - len(raw[raw.rfind(",") + 1 :].lstrip())


def _split(text: str, start: int, sep: str) -> list[tuple[str, int]]:
    """``text`` cut at ``sep``: each piece with its 0-based column in the line."""
    out, position = [], start
    for part in text.split(sep):
        out.append((part, position))
        position += len(part) + len(sep)
    return out


def forget() -> None:
    """Empty the memo (a benchmark's cold start; nothing needs it for correctness)."""
    _memo.cache_clear()

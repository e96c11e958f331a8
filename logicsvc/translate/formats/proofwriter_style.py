"""ProofWriter-style programs (Logic-LM's Pyke format) → logicsvc DSL text.

The input::

    Predicates:
    Green($x, bool) ::: Is x green?
    Facts:
    Sees(cat, cow, True) ::: The cat sees the cow.
    Rules:
    Sees($x, cow, True) && Green($x, False) >>> Kind($x, True) ::: If ...
    Query:
    Kind(cat, False) ::: The cat is not kind.

A literal's last argument is its polarity (``False`` → ``¬``), ``$x`` is a
variable and a rule is universally quantified over its variables in order of
appearance; ``&&`` in a head makes a conjunctive head.  Facts and the query
must be ground.

Line numbers are kept: output line *k* comes from input line *k* (``Facts:``
becomes ``Premises:``, the other premise header a ``#`` comment, ``Query:``
``Conclusion:``), so the DSL parser's and checker's errors name the original
line too.  A regular expression per line, not a Lark grammar: the format is
line-oriented and a literal never nests, so a line reader gives exact
original lines and columns for every error with no second grammar to keep
in step with ``fol.lark``.  Constants are passed through as written; the DSL
parser judges (and, leniently, repairs) them.

Lenient mode repairs only what is unambiguous and notes it: a prefix negation
on a ``True`` literal (``!Red($x, True)``, as GPT-4 sometimes writes), a rule
under ``Facts:`` or a fact under ``Rules:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logicsvc.errors import DSLSyntaxError, Span, caret_context

SECTIONS = ("Predicates", "Facts", "Rules", "Query")
_HEADER = re.compile(r"\s*(\w+)\s*:(?!::)\s*(.*)")
_LITERAL = re.compile(r"(?P<neg>!|¬|~|not\s+)?\s*(?P<pred>\w+)\s*\((?P<args>[^()]*)\)")
_VARIABLE = re.compile(r"\$(\w+)")
_LITERAL_HINT = "a literal such as Pred(arg, ..., True)"


@dataclass(frozen=True, slots=True)
class _Lit:
    positive: bool
    pred: str
    terms: tuple[str, ...]  # "$x" for variables, constants as written


class _Converter:
    def __init__(self, program: str, lenient: bool) -> None:
        self.text = program
        self.lenient = lenient
        self.notes: list[str] = []
        self.seen: list[str] = []
        self.queries = 0

    def fail(self, message: str, line: int, column: int, width: int = 1) -> DSLSyntaxError:
        """``column`` is 0-based here; spans are 1-based."""
        span = Span(line, column + 1, line, column + 1 + max(width, 1))
        return DSLSyntaxError(message, span=span, context=caret_context(self.text, span))

    def convert(self) -> str:
        lines = [line.rstrip("\r") for line in self.text.split("\n")]
        out = [self.line(line, number) for number, line in enumerate(lines, start=1)]
        if "Query" not in self.seen:
            last = len(lines)
            raise self.fail(
                "missing Query: section; end the program with Query: and one literal",
                last,
                len(lines[-1]),
            )
        if self.queries == 0:
            number = next(n for n, l in enumerate(lines, 1) if l.strip().startswith("Query"))
            raise self.fail("the Query: section is empty; write one literal", number, 0, 6)
        return "\n".join(out)

    def line(self, line: str, number: int) -> str:
        if not line.strip():
            return ""
        header = _HEADER.fullmatch(line)
        if header:
            return self.header(header, number)
        if not self.seen:
            raise self.fail(
                "text before the first section; start with Predicates: or Facts:",
                number,
                len(line) - len(line.lstrip()),
                len(line.strip()),
            )
        formula, sep, gloss = line.partition(":::")
        section = self.seen[-1]
        if section == "Predicates":
            lit = self.literal(formula, number, 0, declaration=True)
            text = f"{lit.pred}({', '.join(t.lstrip('$') for t in lit.terms)})"
        else:
            body, heads = self.statement(formula, number, section)
            text = _render(body, heads)
        return text + (f" :::{gloss}" if sep else "")

    def header(self, match: re.Match[str], number: int) -> str:
        name, rest = match.group(1), match.group(2)
        column = match.start(1)
        if name not in SECTIONS:
            raise self.fail(
                f"unknown section '{name}:'; expected Predicates:, Facts:, Rules: or Query:",
                number,
                column,
                len(name) + 1,
            )
        problem = None
        if rest:
            problem = f"put the lines of {name}: below its header"
        elif name in self.seen:
            problem = f"a second {name}: section; write each section once"
        elif "Query" in self.seen:
            problem = "Query: must be the last section"
        elif name == "Predicates" and self.seen:
            problem = "Predicates: must be the first section"
        elif name == "Query" and not {"Facts", "Rules"} & set(self.seen):
            problem = "no Facts: or Rules: before Query:"
        if problem:
            raise self.fail(problem, number, column, len(name) + 1)
        first_premises = name in ("Facts", "Rules") and not {"Facts", "Rules"} & set(self.seen)
        self.seen.append(name)
        if name in ("Facts", "Rules"):
            return "Premises:" if first_premises else f"# {name}:"
        return "Conclusion:" if name == "Query" else "Predicates:"

    def statement(
        self, formula: str, number: int, section: str
    ) -> tuple[list[_Lit], list[_Lit] | None]:
        """``(body, heads)`` of a rule, or ``(literals, None)`` of a fact or query."""
        parts = _split(formula, 0, ">>>")
        if len(parts) > 2:
            raise self.fail("a rule has one '>>>'", number, parts[2][1] - 3, 3)
        if len(parts) == 2:
            if section == "Query":
                raise self.fail("the query is one literal, not a rule", number, parts[1][1] - 3, 3)
            body = self.conjunction(*parts[0], number)
            heads = self.conjunction(*parts[1], number)
            self.misplaced(section == "Facts", "a rule under Facts:", number, parts[1][1] - 3)
            return body, heads
        pieces = _split(formula, 0, "&&")
        if len(pieces) > 1:
            where = "the query is" if section == "Query" else "a fact is"
            raise self.fail(f"{where} one literal; a rule needs '>>>'", number, pieces[1][1] - 2, 2)
        lit = self.literal(formula, number, 0)
        variables = [t for t in lit.terms if t.startswith("$")]
        if variables:
            raise self.fail(
                f"a {'query' if section == 'Query' else 'fact'} must be ground, but has "
                f"{variables[0]}; a statement about every {variables[0]} is a rule (… >>> …)",
                number,
                formula.index(variables[0]),
                len(variables[0]),
            )
        if section == "Query":
            self.queries += 1
            if self.queries > 1:
                raise self.fail("more than one query; ask one literal", number, 0, len(formula))
        self.misplaced(section == "Rules", "a fact under Rules:", number, 0)
        return [lit], None

    def misplaced(self, wrong: bool, what: str, number: int, column: int) -> None:
        if not wrong:
            return
        if not self.lenient:
            raise self.fail(f"{what}; move it to its section", number, column, 3)
        self.notes.append(f"line {number}: read {what} as it is written")

    def conjunction(self, text: str, start: int, number: int) -> list[_Lit]:
        return [self.literal(piece, number, column) for piece, column in _split(text, start, "&&")]

    def literal(self, piece: str, number: int, column: int, *, declaration: bool = False) -> _Lit:
        stripped = piece.strip()
        column += len(piece) - len(piece.lstrip())
        match = _LITERAL.fullmatch(stripped)
        if match is None:
            raise self.fail(f"expected {_LITERAL_HINT}", number, column, len(stripped))
        args = [a.strip() for a in match["args"].split(",")] if match["args"].strip() else []
        last = args[-1] if args else ""
        end = column + match.end("args")
        if declaration:
            if match["neg"] or last.lower() != "bool":
                hint = f"{match['pred']}($x, ..., bool)"
                raise self.fail(f"a declaration ends with bool: {hint}", number, end, 1)
            return _Lit(True, match["pred"], tuple(args[:-1]))
        if last not in ("True", "False"):
            raise self.fail(
                f"{match['pred']}(…) needs True or False as its last argument",
                number,
                end,
                1,
            )
        for arg in args[:-1]:
            if not arg or (arg.startswith("$") and not _VARIABLE.fullmatch(arg)):
                raise self.fail(f"bad argument {arg!r}", number, column, len(stripped))
        positive = last == "True"
        if match["neg"]:
            if not self.lenient or not positive:
                why = "with False" if self.lenient else "as the last argument False"
                raise self.fail(f"write a negation {why}, not as a prefix", number, column, 1)
            self.notes.append(f"line {number}: read prefix {match['neg'].strip()!r} as negation")
            positive = False
        return _Lit(positive, match["pred"], tuple(args[:-1]))


def _split(text: str, start: int, sep: str) -> list[tuple[str, int]]:
    """``text`` cut at ``sep``: each piece with its 0-based column in the line."""
    out, position = [], start
    for part in text.split(sep):
        out.append((part, position))
        position += len(part) + len(sep)
    return out


def _render(body: list[_Lit], heads: list[_Lit] | None) -> str:
    lits = body + (heads or [])
    constants = {t for lit in lits for t in lit.terms if not t.startswith("$")}
    names: dict[str, str] = {}
    for term in (t for lit in lits for t in lit.terms if t.startswith("$")):
        name = term[1:]
        while name in constants or name in names.values() and term not in names:
            name += "_"
        names.setdefault(term, name)

    def lit(x: _Lit) -> str:
        args = ", ".join(names.get(t, t) for t in x.terms)
        return f"{'' if x.positive else '¬'}{x.pred}({args})"

    if heads is None:
        return lit(body[0])
    rule = f"{' ∧ '.join(map(lit, body))} → {' ∧ '.join(map(lit, heads))}"
    prefix = "".join(f"∀{name} " for name in names.values())
    return f"{prefix}({rule})" if prefix else rule


def to_dsl(program: str, *, lenient: bool = False) -> tuple[str, tuple[str, ...]]:
    """The DSL text of a ProofWriter-style program and the notes on lenient repairs.

    Raises :class:`DSLSyntaxError` naming the original line and column.
    """
    converter = _Converter(program, lenient)
    return converter.convert(), tuple(converter.notes)

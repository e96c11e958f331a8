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
variable, a rule is universally quantified over its variables in order of
appearance, and ``&&`` in a head makes a conjunctive head.  Facts and the
query must be ground; the query is one literal.

Line numbers are kept: output line *k* comes from input line *k* (``Facts:``
becomes ``Premises:``, the other premise header a ``#`` comment, ``Query:``
``Conclusion:``), so the DSL parser's and checker's errors name the original
line too.  A regular expression per line, not Lark: the format is line-based
and a literal never nests, so a line reader knows every error's original line
and column with no second grammar to keep in step with ``fol.lark``.
Constants pass through as written for the DSL parser to judge (or repair).

Lenient mode repairs only what is unambiguous, with a note: a prefix negation
on a ``True`` literal (``!Red($x, True)``, as GPT-4 sometimes writes), a rule
under ``Facts:``, a fact under ``Rules:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logicsvc.errors import DSLSyntaxError, Span, caret_context
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Formula,
    Not,
    Op,
    PredicateDecl,
    Program,
    Quantified,
    Quantifier,
    Signature,
    Statement,
    Var,
    looks_like_variable,
)
from logicsvc.syntax.lines import lenient_reading

SECTIONS = ("Predicates", "Facts", "Rules", "Query")
_PREMISES = {"Facts", "Rules"}
_HEADER = re.compile(r"\s*(\w+)\s*:(?!::)\s*(.*)")
_LITERAL = re.compile(r"(?P<neg>!|¬|~|not\s+)?\s*(?P<pred>\w+)\s*\((?P<args>[^()]*)\)")
_VARIABLE = re.compile(r"\$\w+")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
"""A name the DSL reads as written: ASCII, no leading digit (a numeral), no hyphen."""
_KEYWORDS = frozenset({"not", "all", "forall", "exists", "count", "xor", "distinct"})
"""Words ``fol.lark`` lexes as keywords: a name spelt so is left to the parser."""


@dataclass(frozen=True, slots=True)
class _Lit:
    positive: bool
    pred: str
    terms: tuple[str, ...]  # "$x" for a variable, a constant as written

    def dsl(self) -> str:
        args = ", ".join(t.lstrip("$") for t in self.terms)
        return f"{'' if self.positive else '¬'}{self.pred}({args})"


_Shape = tuple[list[_Lit], list[_Lit], dict[str, None]]
"""A statement line as read: body literals, head literals (none for a fact), variables."""


class _Converter:
    def __init__(self, program: str, lenient: bool) -> None:
        self.text, self.lenient = program, lenient
        self.notes: list[str] = []
        self.seen: list[str] = []
        self.queries = self.query_line = 0
        self.built = _Built(lenient)
        self.shape: _Shape = ([], [], {})

    def fail(self, message: str, line: int, column: int, width: int = 1) -> DSLSyntaxError:
        """``column`` is 0-based; the span is 1-based, as everywhere else."""
        span = Span(line, column + 1, line, column + 1 + max(width, 1))
        return DSLSyntaxError(message, span=span, context=caret_context(self.text, span))

    def convert(self) -> str:
        lines = [line.rstrip("\r") for line in self.text.split("\n")]
        out = [self.line(line, number) for number, line in enumerate(lines, start=1)]
        if not self.query_line:
            last = max((n for n, line in enumerate(lines, 1) if line.strip()), default=1)
            message = "missing Query: section; end with Query: and one literal"
            raise self.fail(message, last, len(lines[last - 1].rstrip()))
        if self.queries == 0:
            raise self.fail("the Query: section is empty", self.query_line, 0, 6)
        return "\n".join(out)

    def line(self, line: str, number: int) -> str:
        if not line.strip():
            return ""
        if header := _HEADER.fullmatch(line):
            return self.header(header.group(1), header.group(2), number, header.start(1))
        if not self.seen:
            message = "text before the first section (Predicates:, Facts:, ...)"
            raise self.fail(message, number, len(line) - len(line.lstrip()), len(line.strip()))
        formula, sep, gloss = line.partition(":::")
        if self.seen[-1] == "Predicates":
            decl = self.literal(formula, number, 0, declaration=True)
            text = decl.dsl()
            self.built.declaration(decl, number, text, gloss if sep else None)
        else:
            text = self.statement(formula, number, self.seen[-1])
            self.built.statement(self.shape, number, text, gloss if sep else None)
        return text + (f" :::{gloss}" if sep else "")

    def header(self, name: str, rest: str, number: int, column: int) -> str:
        problem = None
        if name not in SECTIONS:
            problem = f"unknown section '{name}:'; expected Predicates:, Facts:, Rules: or Query:"
        elif rest:
            problem = f"put the lines of {name}: below its header"
        elif name in self.seen:
            problem = f"a second {name}: section; write each section once"
        elif "Query" in self.seen:
            problem = "Query: must be the last section"
        elif name == "Predicates" and self.seen:
            problem = "Predicates: must be the first section"
        elif name == "Query" and not _PREMISES & set(self.seen):
            problem = "no Facts: or Rules: before Query:"
        if problem:
            raise self.fail(problem, number, column, len(name) + 1)
        first_premises = name in _PREMISES and not _PREMISES & set(self.seen)
        self.seen.append(name)
        self.built.section = name
        self.query_line = number if name == "Query" else self.query_line
        if name in _PREMISES:
            return "Premises:" if first_premises else f"# {name}:"
        return "Conclusion:" if name == "Query" else "Predicates:"

    def statement(self, formula: str, number: int, section: str) -> str:
        """A rule, fact or query line (without its gloss) as a DSL formula."""
        what = "query" if section == "Query" else "fact"
        parts = _split(formula, 0, ">>>")
        if len(parts) > 2 or (len(parts) == 2 and section == "Query"):
            message = "a rule has one '>>>'" if len(parts) > 2 else "a query is not a rule"
            raise self.fail(message, number, parts[-1][1] - 3, 3)
        if len(parts) == 1:
            pieces = _split(formula, 0, "&&")
            if len(pieces) > 1:
                message = f"a {what} is one literal; a rule needs '>>>'"
                raise self.fail(message, number, pieces[1][1] - 2, 2)
            lit = self.literal(formula, number, 0)
            if free := next((t for t in lit.terms if t.startswith("$")), None):
                message = f"a {what} must be ground; a statement about every {free} is a rule"
                raise self.fail(message, number, formula.index(free), len(free))
            self.queries += section == "Query"
            if self.queries > 1:
                raise self.fail("more than one query; ask one literal", number, 0, len(formula))
            self.misplaced(section == "Rules", "a fact under Rules:", number, 0)
            self.shape = ([lit], [], {})
            return lit.dsl()
        self.misplaced(section == "Facts", "a rule under Facts:", number, parts[1][1] - 3)
        body = [self.literal(piece, number, col) for piece, col in _split(*parts[0], "&&")]
        heads = [self.literal(piece, number, col) for piece, col in _split(*parts[1], "&&")]
        variables = dict.fromkeys(t for lit in body + heads for t in lit.terms if t[0] == "$")
        for lit in body + heads:
            for term in lit.terms:
                if f"${term}" in variables:
                    at = re.search(rf"(?<![\w$]){re.escape(term)}(?!\w)", formula)
                    message = f"'{term}' without '$' in a rule over ${term}"
                    raise self.fail(message, number, at.start() if at else 0, len(term))
        rule = " ∧ ".join(x.dsl() for x in body) + " → " + " ∧ ".join(x.dsl() for x in heads)
        quantifiers = "".join(f"∀{v[1:]} " for v in variables)
        self.shape = (body, heads, variables)
        return f"{quantifiers}({rule})" if variables else rule

    def misplaced(self, wrong: bool, what: str, number: int, column: int) -> None:
        if wrong and not self.lenient:
            raise self.fail(f"{what}; move it to its section", number, column, 3)
        self.notes.extend([f"line {number}: read {what} as written"] if wrong else [])

    def literal(self, piece: str, number: int, column: int, *, declaration: bool = False) -> _Lit:
        stripped = piece.strip()
        column += len(piece) - len(piece.lstrip())
        match = _LITERAL.fullmatch(stripped)
        if match is None:
            hint = "Name($x, ..., bool)" if declaration else "Pred(arg, ..., True)"
            raise self.fail(f"expected a literal such as {hint}", number, column, len(stripped))
        args = [a.strip() for a in match["args"].split(",")] if match["args"].strip() else []
        last, raw = (args[-1] if args else ""), match["args"]
        end = column + match.start("args") + len(raw) - len(raw[raw.rfind(",") + 1 :].lstrip())
        if declaration and (match["neg"] or last.lower() != "bool"):
            message = f"a declaration ends with bool: {match['pred']}($x, ..., bool)"
            raise self.fail(message, number, end, len(last))
        if not declaration and last not in ("True", "False"):
            message = f"{match['pred']}(…) needs True or False as its last argument"
            raise self.fail(message, number, end, len(last))
        if any(not a or (a[0] == "$" and not _VARIABLE.fullmatch(a)) for a in args[:-1]):
            raise self.fail("an empty or malformed argument", number, column, len(stripped))
        positive = last != "False"
        if match["neg"]:
            if not self.lenient or not positive:
                how = "with False alone" if self.lenient else "as the last argument False"
                raise self.fail(f"write a negation {how}, not as a prefix", number, column)
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


def to_dsl(program: str, *, lenient: bool = False) -> tuple[str, tuple[str, ...]]:
    """DSL text and lenient-repair notes; a DSLSyntaxError names the original line."""
    converter = _Converter(program, lenient)
    return converter.convert(), tuple(converter.notes)


class _Built:
    """The AST the DSL parser gives for the converted text, built line by line.

    Spans are those of the converted line (1-based columns, end exclusive), as
    :mod:`logicsvc.syntax.lines` gives them; shapes follow ``fol.lark``: ``∧`` left
    associative, ``∀x ∀y (…)`` nested with each quantifier's span from its ``∀``
    to the closing parenthesis, the parenthesised formula's span inside them.
    ``ok`` turns false at the first name the parser might read otherwise (a
    keyword, a numeral, a hyphen, anything non-ASCII): then the text is parsed.
    """

    def __init__(self, lenient: bool) -> None:
        self.lenient, self.ok, self.section = lenient, True, ""
        self.decls: list[PredicateDecl] = []
        self.premises: list[Statement] = []
        self.conclusions: list[Statement] = []
        self.notes: list[str] = []

    def plain(self, lits: list[_Lit]) -> bool:
        names = [lit.pred for lit in lits] + [t.lstrip("$") for lit in lits for t in lit.terms]
        self.ok = self.ok and all(_PLAIN.fullmatch(n) and n not in _KEYWORDS for n in names)
        return self.ok

    def declaration(self, decl: _Lit, number: int, text: str, gloss: str | None) -> None:
        if not self.plain([decl]):
            return
        params = tuple(t.lstrip("$") for t in decl.terms)
        span = _line_span(number, text, gloss)
        self.decls.append(PredicateDecl(decl.pred, params, _gloss(gloss), span))

    def statement(self, shape: _Shape, number: int, text: str, gloss: str | None) -> None:
        body, heads, variables = shape
        if not self.plain(body + heads):
            return
        bound = frozenset(v[1:] for v in variables)
        column = 1 + sum(len(f"∀{v[1:]} ") for v in variables) + (1 if variables else 0)
        formula, end = self.conjunction(body, number, column, bound)
        if heads:
            head, end = self.conjunction(heads, number, end + len(" → "), bound)
            formula = Binary(Op.IMPLIES, formula, head, Span(number, column, number, end))
        starts, position = [], 1
        for variable in variables:
            starts.append(position)
            position += len(f"∀{variable[1:]} ")
        quantified, end = formula, 1 + len(text)
        for variable, start in zip(reversed(list(variables)), reversed(starts), strict=True):
            span = Span(number, start, number, end)
            quantified = Quantified(Quantifier.ALL, variable[1:], quantified, span)
        statement = Statement(quantified, _gloss(gloss), _line_span(number, text, gloss))
        into = self.conclusions if self.section == "Query" else self.premises
        # lenient reading: scopes never need widening here (no quantifier is an operand),
        # so it can only act on a constant that looks like a variable (``x``, ``y1``)
        constants = (t for lit in body + heads for t in lit.terms if t not in variables)
        if self.lenient and any(looks_like_variable(name) for name in constants):
            statement, notes = lenient_reading(statement, premise=self.section != "Query")
            self.notes.extend(f"line {number}: {note}" for note in notes)
        into.append(statement)

    @staticmethod
    def conjunction(
        lits: list[_Lit], number: int, column: int, bound: frozenset[str]
    ) -> tuple[Formula, int]:
        """``a ∧ b ∧ c`` from ``column``, as the grammar nests it: ``(a ∧ b) ∧ c``."""
        formula, end = _literal(lits[0], number, column, bound)
        for lit in lits[1:]:
            right, end = _literal(lit, number, end + len(" ∧ "), bound)
            formula = Binary(Op.AND, formula, right, Span(number, column, number, end))
        return formula, end

    def program(self) -> tuple[Program, tuple[str, ...]] | None:
        if not self.ok:
            return None
        signature = Signature((), ())
        built = Program(
            tuple(self.decls), tuple(self.premises), tuple(self.conclusions), signature, None
        )
        return built, tuple(self.notes)


def _literal(lit: _Lit, number: int, column: int, bound: frozenset[str]) -> tuple[Formula, int]:
    """The literal written at ``column`` and the column just after it."""
    start = column if lit.positive else column + 1
    position, args = start + len(lit.pred) + 1, []
    for term in lit.terms:
        name = term.lstrip("$")
        span = Span(number, position, number, position + len(name))
        args.append(Var(name, span) if name in bound else Const(name, span))
        position += len(name) + len(", ")
    end = column + len(lit.dsl())
    atom = Atom(lit.pred, tuple(args), Span(number, start, number, end))
    return (atom if lit.positive else Not(atom, Span(number, column, number, end))), end


def _line_span(number: int, text: str, gloss: str | None) -> Span:
    return Span(number, 1, number, 1 + len(text) + (0 if gloss is None else len(" :::" + gloss)))


def _gloss(gloss: str | None) -> str | None:
    return None if gloss is None else gloss.strip() or None


def to_dsl_and_program(
    program: str, *, lenient: bool = False
) -> tuple[str, tuple[str, ...], tuple[Program, tuple[str, ...]] | None]:
    """:func:`to_dsl`'s text and notes, and the ``(Program, lenient notes)`` that
    ``parse_program(text, lenient=lenient)`` gives for that text, built without
    parsing it; ``None`` where a name needs the parser's judgement."""
    converter = _Converter(program, lenient)
    text = converter.convert()
    built = converter.built.program() if "\r" not in text else None
    return text, tuple(converter.notes), built

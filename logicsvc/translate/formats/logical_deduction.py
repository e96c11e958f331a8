"""Logic-LM's LogicalDeduction programs (a small CSP notation) → a DSL question program.

The input::

    Domain:
    1: leftmost
    5: rightmost
    Variables:
    green_book [IN] [1, 2, 3, 4, 5]
    blue_book [IN] [1, 2, 3, 4, 5]
    Constraints:
    blue_book > green_book ::: The blue book is to the right of the green book.
    AllDifferentConstraint([green_book, blue_book]) ::: All books differ.
    Query:
    A) green_book == 2 ::: The green book is the second from the left.
    B) blue_book == 2 ::: The blue book is the second from the left.

Each variable is a constant of a finite sort (its listed values; one sort per
distinct value list), every constraint a premise, every ``Query:`` line an
option, and the question's kind comes from the item's question text (Logic-LM
asks "Which of the following is true?": *must be true*).  ``Domain:`` lines
only gloss the ends of the scale; they become comments.

Constraint and option text is rewritten in place with its width kept
(``==`` → ``=``, ``AllDifferentConstraint([…])`` → ``distinct(…)`` padded,
``b-1`` → ``b−1``), and a line map takes every error of the DSL parser and
checker back to the model's own line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logicsvc.checks import CheckedChoice, CheckedProblem
from logicsvc.errors import DSLSyntaxError, InputError, LogicsvcError, Span, caret_context
from logicsvc.load import load_task
from logicsvc.syntax.ast import QuestionKind

SECTIONS = ("Domain", "Variables", "Constraints", "Query")
_HEADER = re.compile(r"\s*(Domain|Variables|Constraints|Query)\s*:\s*")
_VARIABLE = re.compile(r"\s*(?P<name>\w+(?:-\w+)*)\s*\[IN\]\s*\[(?P<values>[^\[\]]*)\]\s*")
_ALL_DIFFERENT = re.compile(r"AllDifferentConstraint\(\s*\[(?P<items>[^\[\]]*)\]\s*\)")
_WORD = re.compile(r"\w+(?:-\w+)+")

_KINDS: tuple[tuple[re.Pattern[str], QuestionKind], ...] = tuple(
    (re.compile(pattern, re.I), kind)
    for pattern, kind in (
        (r"\bmust be true\b.*\bexcept\b", QuestionKind.MUST_BE_TRUE_EXCEPT),
        (r"\bcould be true\b.*\bexcept\b", QuestionKind.COULD_BE_TRUE_EXCEPT),
        (r"\bmust be false\b.*\bexcept\b", QuestionKind.MUST_BE_FALSE_EXCEPT),
        (r"\bcould be false\b.*\bexcept\b", QuestionKind.COULD_BE_FALSE_EXCEPT),
        (r"\bcannot be true\b", QuestionKind.CANNOT_BE_TRUE),
        (r"\bcould be true\b", QuestionKind.COULD_BE_TRUE),
        (r"\bcould be false\b", QuestionKind.COULD_BE_FALSE),
        (r"\b(must be|is) false\b", QuestionKind.MUST_BE_FALSE),
        (r"\b(must be|is) true\b", QuestionKind.MUST_BE_TRUE),
    )
)


def question_kind(question: str) -> QuestionKind:
    """The kind a question's wording asks for; an InputError when it names none."""
    for pattern, kind in _KINDS:
        if pattern.search(question):
            return kind
    message = f"cannot tell what the question asks for: {question!r}"
    raise InputError(message, code="unknown_question_kind")


@dataclass(frozen=True, slots=True)
class Converted:
    text: str
    """The DSL question program."""
    lines: tuple[int, ...]
    """For each DSL line (0-based index), the 1-based input line it came from."""
    exact: frozenset[int] = frozenset()
    """1-based DSL lines whose columns are the input line's (constraints and options)."""


class _Converter:
    def __init__(self, program: str, kind: QuestionKind) -> None:
        self.source, self.kind = program, kind
        self.lines = [line.rstrip("\r") for line in program.split("\n")]
        self.out: list[tuple[str, int]] = []
        self.variables: dict[str, str] = {}

    def fail(self, message: str, line: int, column: int, width: int = 1) -> DSLSyntaxError:
        span = Span(line, column + 1, line, column + 1 + max(width, 1))
        return DSLSyntaxError(message, span=span, context=caret_context(self.source, span))

    def convert(self) -> Converted:
        sections = self._sections()
        domains: dict[tuple[str, ...], str] = {}
        sort_lines: list[tuple[str, int]] = []
        declarations: list[tuple[str, int]] = []
        for number, body in sections["Variables"]:
            match = _VARIABLE.fullmatch(body.partition(":::")[0])
            if match is None:
                raise self.fail(
                    "expected a variable such as 'name [IN] [1, 2, 3]'",
                    number,
                    len(body) - len(body.lstrip()),
                    len(body.strip()),
                )
            values = tuple(v.strip() for v in match["values"].split(","))
            if not all(values):
                at = body.index("[", body.index("[IN]") + 4)
                raise self.fail("an empty value in the list", number, at, len(match["values"]) + 2)
            if values not in domains:
                domains[values] = self._sort_name(len(domains))
                sort_lines.append((f"{domains[values]} = {{{', '.join(values)}}}", number))
            name = match["name"]
            if name in self.variables:
                raise self.fail(f"variable '{name}' is declared twice", number, body.index(name))
            self.variables[name] = domains[values]
            declarations.append((f"{name} : {domains[values]}", number))
        if not declarations:
            raise self.fail("no variables under Variables:", self._header_line("Variables"), 0, 10)
        if not sections["Query"]:
            raise self.fail("no options under Query:", self._header_line("Query"), 0, 6)
        self.out += [("Sorts:", self._header_line("Domain")), *sort_lines]
        self.out += [(f"# {body.strip()}", n) for n, body in sections["Domain"]]
        self.out += [("Functions:", self._header_line("Variables")), *declarations]
        self.out.append(("Premises:", self._header_line("Constraints")))
        exact = set()
        for number, body in sections["Constraints"]:
            self.out.append((self._formula(body), number))
            exact.add(len(self.out))
        query = self._header_line("Query")
        self.out += [(f"Question: {self.kind.value}", query), ("Options:", query)]
        for number, body in sections["Query"]:
            self.out.append((self._formula(body), number))
            exact.add(len(self.out))
        text = "\n".join(t for t, _ in self.out) + "\n"
        return Converted(text, tuple(n for _, n in self.out), frozenset(exact))

    def _sections(self) -> dict[str, list[tuple[int, str]]]:
        sections: dict[str, list[tuple[int, str]]] = {}
        self.headers: dict[str, int] = {}
        current: str | None = None
        for number, line in enumerate(self.lines, start=1):
            if not line.strip():
                continue
            header = _HEADER.fullmatch(line)
            if header:
                current = header.group(1)
                if current in sections:
                    raise self.fail(f"a second {current}: section", number, header.start(1))
                sections[current] = []
                self.headers[current] = number
            elif current is None:
                message = "text before the first section (Domain:, Variables:, ...)"
                raise self.fail(message, number, 0, len(line))
            else:
                sections[current].append((number, line))
        missing = [s for s in SECTIONS if s not in sections]
        if missing:
            last = max((n for n, line in enumerate(self.lines, 1) if line.strip()), default=1)
            raise self.fail(f"missing section {missing[0]}:", last, 0, len(self.lines[last - 1]))
        if list(sections) != list(SECTIONS):
            first_wrong = next(s for s, want in zip(sections, SECTIONS, strict=True) if s != want)
            message = "sections go in the order Domain:, Variables:, Constraints:, Query:"
            raise self.fail(message, self.headers[first_wrong], 0, len(first_wrong) + 1)
        return sections

    def _header_line(self, name: str) -> int:
        return self.headers[name]

    def _sort_name(self, index: int) -> str:
        base = "Value" if index == 0 else f"Value{index + 1}"
        taken = {line.split("[IN]")[0].strip() for line in self.lines if "[IN]" in line}
        while base in taken:
            base += "_"
        return base

    def _formula(self, line: str) -> str:
        """The line with Python's notation turned into the DSL's, width kept."""
        formula, sep, gloss = line.partition(":::")

        def all_different(match: re.Match[str]) -> str:
            text = f"distinct({match['items']})"
            return " " * (len(match.group(0)) - len(text)) + text

        formula = _ALL_DIFFERENT.sub(all_different, formula)
        formula = formula.replace("==", "= ")

        def minus(match: re.Match[str]) -> str:
            word = match.group(0)
            return word if word in self.variables else word.replace("-", "−")

        formula = _WORD.sub(minus, formula)
        return formula + sep + gloss


def to_dsl(program: str, question: str) -> Converted:
    """The DSL question program and its line map; a DSLSyntaxError names the model's line."""
    return _Converter(program, question_kind(question)).convert()


def load(program: str, question: str, *, lenient: bool = False) -> CheckedChoice:
    """Convert, parse and check; every error's span is on the model's own line."""
    converted = to_dsl(program, question)
    try:
        checked = load_task(converted.text, lenient=lenient)
    except LogicsvcError as exc:
        raise _moved(exc, converted, program) from None
    if isinstance(checked, CheckedProblem):  # pragma: no cover - the converter writes options
        raise LogicsvcError("the program has no options", code="no_options")
    return checked


def _moved(exc: LogicsvcError, converted: Converted, source: str) -> LogicsvcError:
    """``exc`` with its span on the input line the failing DSL line came from: the same
    columns where the line was rewritten in place, else the whole line."""
    span = exc.span
    if span is None:
        return exc
    lines = converted.lines
    line = lines[min(max(span.line, 1), len(lines)) - 1]
    if span.line in converted.exact and span.end_line == span.line:
        exc.span = Span(line, span.column, line, span.end_column)
    else:
        text = source.split("\n")[line - 1].rstrip()
        start = len(text) - len(text.lstrip()) + 1
        exc.span = Span(line, start, line, max(len(text) + 1, start + 1))
    exc.context = caret_context(source, exc.span)
    return exc

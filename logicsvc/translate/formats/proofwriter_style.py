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
and column with no second grammar to keep in step with ``fol.lark``.  Each line
is read (:mod:`.proofwriter_lines`) and built (:mod:`.proofwriter_built`) once
per batch; this module keeps what spans lines: the sections and the one query.
Constants pass through as written for the DSL parser to judge (or repair).

Lenient mode repairs only what is unambiguous, with a note: a prefix negation
on a ``True`` literal (``!Red($x, True)``, as GPT-4 sometimes writes), a rule
under ``Facts:``, a fact under ``Rules:``.
"""

from __future__ import annotations

from dataclasses import dataclass

from logicsvc.checks import CheckedProblem
from logicsvc.errors import DSLSyntaxError, Span, caret_context
from logicsvc.syntax.ast import Program
from logicsvc.translate.formats.proofwriter_built import Assembly, place
from logicsvc.translate.formats.proofwriter_lines import SECTIONS, Header, LineError

__all__ = ["SECTIONS", "Converted", "convert", "to_dsl", "to_dsl_and_program"]

_PREMISES = {"Facts", "Rules"}


class _Converter:
    def __init__(self, program: str, lenient: bool) -> None:
        self.text, self.lenient = program, lenient
        self.notes: list[str] = []
        self.seen: list[str] = []
        self.queries = self.query_line = 0
        self.built = Assembly()

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
        section = self.seen[-1] if self.seen else ""
        try:
            found = place(section, self.lenient, number, line)
        except LineError as exc:
            raise self.fail(exc.message, number, exc.column, exc.width) from None
        if isinstance(found, Header):
            return self.header(found.name, found.rest, number, found.column)
        read, built = found.read, found.built
        if section == "Query" and not read.heads:
            self.queries += 1
            if self.queries > 1:
                width = len(line.partition(":::")[0])
                raise self.fail("more than one query; ask one literal", number, 0, width)
        if read.notes:
            self.notes.extend(f"line {number}: {note}" for note in read.notes)
        if built is None:
            self.built.ok = False
        elif self.built.ok:
            self.built.add(section, built)
        return read.text

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
        self.query_line = number if name == "Query" else self.query_line
        if name in _PREMISES:
            return "Premises:" if first_premises else f"# {name}:"
        return "Conclusion:" if name == "Query" else "Predicates:"


def to_dsl(program: str, *, lenient: bool = False) -> tuple[str, tuple[str, ...]]:
    """DSL text and lenient-repair notes; a DSLSyntaxError names the original line."""
    converter = _Converter(program, lenient)
    return converter.convert(), tuple(converter.notes)


@dataclass(frozen=True, slots=True)
class Converted:
    """A converted program: DSL text and notes, and where no name needs the parser's
    judgement the ``(Program, lenient notes)`` that parsing the text gives; ``checked`` is
    what ``check_program`` and ``check_depth`` make of it where they have nothing to say
    (see :meth:`~.proofwriter_built.Assembly.checked`), else None."""

    text: str
    notes: tuple[str, ...]
    built: tuple[Program, tuple[str, ...]] | None
    checked: CheckedProblem | None


def convert(program: str, *, lenient: bool = False) -> Converted:
    """The program converted, built and, where that is plain, checked; DSLSyntaxError
    (on the original line) where it cannot be converted."""
    converter = _Converter(program, lenient)
    text = converter.convert()
    built = converter.built.program() if "\r" not in text else None
    checked = converter.built.checked(*built) if built else None
    return Converted(text, tuple(converter.notes), built, checked)


def to_dsl_and_program(
    program: str, *, lenient: bool = False
) -> tuple[str, tuple[str, ...], tuple[Program, tuple[str, ...]] | None]:
    """:func:`to_dsl`'s text and notes, and the ``(Program, lenient notes)`` that
    ``parse_program(text, lenient=lenient)`` gives for that text, built without
    parsing it; ``None`` where a name needs the parser's judgement."""
    converted = convert(program, lenient=lenient)
    return converted.text, converted.notes, converted.built

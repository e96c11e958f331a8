"""Ordering puzzles (BIG-bench LogicalDeduction) → typed multiple-choice programs, no LLM.

A puzzle names its objects ("On a shelf, there are five books: a green book, …")
and says where some of them stand ("The blue book is to the right of the yellow
book.", "The apples are the second-cheapest.", "Eve finished above Amy."). Each
object becomes a constant of the range sort ``Position = 1..N``, all of them
``distinct``, and each sentence a comparison of positions on the one scale the
puzzle speaks of (:mod:`logicsvc.translate.ordering_words`: 1 is the leftmost,
the oldest, the cheapest, the first to finish). Options are read the same way
and the question's wording gives its kind ("Which of the following is true?" →
must be true). Sentences are parsed with ``grammars/ordering.lark``.

Never guessed: a sentence outside the fragment (an unknown relation word, an
object not in the list, a second scale) raises :class:`UntranslatableError`
with the sentence, its index and span. Text that introduces no objects in an
order is :class:`NotAnOrderingPuzzle`, so a caller can try another translator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

import lark
from lark import Token, Tree

from logicsvc.errors import InputError, Span, UntranslatableError
from logicsvc.resources import read_grammar
from logicsvc.syntax.ast import (
    ChoiceProblem,
    Compare,
    CompareOp,
    Const,
    Distinct,
    Equals,
    Formula,
    FunctionDecl,
    Not,
    Option,
    Question,
    QuestionKind,
    Signature,
    SortDecl,
    Statement,
    looks_like_variable,
)
from logicsvc.syntax.lark_cache import load_or_build
from logicsvc.syntax.printer import problem_to_dsl
from logicsvc.translate import ordering_words as words
from logicsvc.translate.base import Translation, sentences_with_offsets

NAME = "rules"
SORT = "Position"
_RESERVED = {"forall", "all", "exists", "not", "xor", "count", "distinct", SORT.lower()}
_OPTION = re.compile(r"^\s*\(?([A-Z])\)\s*(.*\S)\s*$")


class NotAnOrderingPuzzle(UntranslatableError):
    """The text introduces no objects in an order: not this translator's language."""


class _Unsupported(Exception):
    """A parsed sentence whose meaning the fragment cannot express."""


@cache
def _parser() -> lark.Lark:
    return load_or_build("ordering", read_grammar("ordering"), {"parser": "lalr"})


def _words(node: Tree[Token]) -> list[str]:
    return [str(t) for t in node.children if isinstance(t, Token) and t.type == "WORD"]


@dataclass
class _Object:
    words: tuple[str, ...]
    constant: str
    text: str


@dataclass
class _Puzzle:
    """What the sentences read so far say: the objects, their number, the scale."""

    objects: dict[tuple[str, ...], _Object] = field(default_factory=dict)
    count: int | None = None
    stated: int | None = None
    scale: words.Scale | None = None
    inventory: int | None = None

    # -- the objects --------------------------------------------------------

    def read_inventory(self, node: Tree[Token], index: int) -> None:
        if self.inventory is not None:
            raise _Unsupported(f"the objects were already listed in sentence {self.inventory + 1}")
        number = next(t for t in node.children if isinstance(t, Token) and t.type == "NUMBER")
        objects = next(k for k in node.children if isinstance(k, Tree) and k.data == "objects")
        listed = [tuple(_words(o)) for o in objects.children if isinstance(o, Tree)]
        count = _number(str(number))
        if count != len(listed):
            raise _Unsupported(f"it announces {count} objects but lists {len(listed)}")
        if self.stated is not None and self.stated != count:
            raise _Unsupported(f"the puzzle announced {self.stated} objects, not {count}")
        for key in listed:
            if key in self.objects:
                raise _Unsupported(f"'{' '.join(key)}' is listed twice")
            name = "_".join(w.replace("-", "_").replace("'", "") for w in key)
            if name in _RESERVED or not name[0].isalpha() or looks_like_variable(name):
                name += "_"
            self.objects[key] = _Object(key, name, " ".join(key))
        self.count, self.inventory = count, index

    def object(self, node: Tree[Token]) -> Const:
        key = tuple(_words(node))
        found = self.objects.get(key)
        if found is None:
            listed = ", ".join(o.text for o in self.objects.values())
            raise _Unsupported(f"'{' '.join(key)}' is not one of the objects ({listed})")
        return Const(found.constant)

    # -- relations ----------------------------------------------------------

    def on(self, direction: words.Direction) -> words.Direction:
        """Fix the puzzle's scale at its first relation; a second scale is refused."""
        if self.scale is None:
            self.scale = direction.scale
        elif self.scale != direction.scale:
            raise _Unsupported(
                f"it orders by {direction.scale.name}, but the puzzle orders by {self.scale.name}"
            )
        return direction

    def rank(self, direction: words.Direction, rank: int) -> Const:
        assert self.count is not None
        if not 1 <= rank <= self.count:
            raise _Unsupported(f"there is no place {rank} among {self.count} objects")
        return Const(str(rank if direction.toward_low else self.count + 1 - rank))

    def at(self, subject: Const, direction: words.Direction, rank: int) -> Formula:
        return Equals(subject, self.rank(self.on(direction), rank))

    def beyond(self, subject: Const, direction: words.Direction, other: Const) -> Formula:
        self.on(direction)
        if subject == other:
            raise _Unsupported("an object compared with itself")
        op = CompareOp.LT if direction.toward_low else CompareOp.GT
        return Compare(op, subject, other)

    def place(self, subject: Const, node: Tree[Token]) -> Formula:
        kind = str(node.data)
        kids = [k for k in node.children if isinstance(k, Tree)]
        found = _words(node)
        if kind == "beside":
            side = words.SIDES.get(found[0])
            if side is None:
                raise _Unsupported(f"'to the {found[0]} of' is not a relation of the fragment")
            return self.beyond(subject, side, self.object(kids[0]))
        if kind == "from_end":
            ordinal, end = found
            side = words.SIDES.get(end)
            if ordinal not in words.ORDINALS or side is None:
                raise _Unsupported(f"'the {ordinal} from the {end}' names no place")
            return self.at(subject, side, words.ORDINALS[ordinal])
        if kind == "superlative":
            read = words.superlative(found)
            if read is None:
                raise _Unsupported(f"'the {' '.join(found)}' is not a place of the fragment")
            return self.at(subject, *read)
        comparative = words.COMPARATIVES.get(" ".join(found))
        if comparative is None:
            raise _Unsupported(f"'{' '.join(found)} than' is not a comparison of the fragment")
        return self.beyond(subject, comparative, self.object(kids[0]))

    def finished(self, subject: Const, node: Tree[Token]) -> Formula:
        found = _words(node)
        if node.data == "finished_relative":
            direction = words.FINISHED.get(found[0])
            if direction is None:
                raise _Unsupported(f"'finished {found[0]}' is not a relation of the fragment")
            other = next(k for k in node.children if isinstance(k, Tree))
            return self.beyond(subject, direction, self.object(other))
        read = words.finishing_rank(found[0])
        if read is None:
            raise _Unsupported(f"'finished {found[0]}' names no place")
        from_first, rank = read
        return self.at(subject, words.Direction(words.FINISH, from_first), rank)

    def statement(self, node: Tree[Token]) -> Formula:
        if self.count is None:
            raise _Unsupported("it speaks of objects before any are listed")
        kids = [k for k in node.children if isinstance(k, Tree)]
        negated = any(isinstance(t, Token) and t.type == "NOT" for t in node.children)
        subject = self.object(kids[0])
        if node.data == "statement":
            formula = self.place(subject, kids[1])
        else:
            formula = self.finished(subject, kids[1])
            negated = node.data == "not_finished"
        return Not(formula) if negated else formula


def _number(text: str) -> int:
    return int(text) if text.isdigit() else words.NUMBERS[text]


@lru_cache(maxsize=65536)
def _parse(sentence: str) -> Tree[Token]:
    """Puzzles repeat their sentences (every option shares a shape): parse each once."""
    tree = _parser().parse(sentence.lower())
    node = tree.children[0]
    assert isinstance(node, Tree)
    return node


def _span(text: str, at: int, length: int) -> Span:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(line, column, line, column + length)


@dataclass(frozen=True, slots=True)
class _Located:
    text: str
    index: int
    source: str
    offset: int

    def error(self, why: str, kind: type[UntranslatableError] = UntranslatableError) -> Exception:
        return kind(
            f"sentence {self.index + 1} is outside the ordering-puzzle fragment ({why}): "
            f"{self.text!r}",
            sentence_index=self.index,
            sentence=self.text,
            span=_span(self.source, self.offset, len(self.text)),
        )


def _parse_located(sentence: _Located) -> Tree[Token]:
    try:
        return _parse(sentence.text)
    except lark.exceptions.UnexpectedInput as exc:
        column = max(getattr(exc, "column", 1), 1)
        where = sentence.text[column - 1 : column + 19]
        raise sentence.error(f"no reading from character {column}: {where!r}") from None


def _context(premises: Sequence[str]) -> list[_Located]:
    source = " ".join(premises)  # spans point into the premises joined by spaces
    located: list[_Located] = []
    base = 0
    for text in premises:
        for sentence, at in sentences_with_offsets(text):
            located.append(_Located(sentence, len(located), source, base + at))
        base += len(text) + 1
    return located


def _read_context(located: list[_Located]) -> tuple[_Puzzle, list[Statement]]:
    """The objects first (wherever they are listed), then every sentence in order."""
    trees: list[Tree[Token] | None] = []
    failure: Exception | None = None
    for sentence in located:
        try:
            trees.append(_parse_located(sentence))
        except UntranslatableError as exc:
            trees.append(None)
            failure = failure or exc
    if not any(t is not None and t.data in ("inventory", "owner_inventory") for t in trees):
        first = located[0] if located else _Located("", 0, "", 0)
        raise first.error("the text lists no objects in an order", NotAnOrderingPuzzle)
    if failure is not None:
        raise failure
    puzzle = _Puzzle()
    for sentence, tree in zip(located, trees, strict=True):
        assert tree is not None
        try:
            if tree.data == "preamble":
                puzzle.stated = _number(str(tree.children[-1]))
            elif tree.data in ("inventory", "owner_inventory"):
                puzzle.read_inventory(tree, sentence.index)
        except _Unsupported as exc:
            raise sentence.error(str(exc)) from None
    statements = [Statement(Distinct(()), located[puzzle.inventory or 0].text)]
    for sentence, tree in zip(located, trees, strict=True):
        if tree is not None and tree.data in ("statement", "finished", "not_finished"):
            statements.append(Statement(_formula(puzzle, sentence, tree), sentence.text))
    return puzzle, statements


def _formula(puzzle: _Puzzle, sentence: _Located, tree: Tree[Token]) -> Formula:
    try:
        return puzzle.statement(tree)
    except _Unsupported as exc:
        raise sentence.error(str(exc)) from None


def _option(puzzle: _Puzzle, sentence: _Located) -> Formula:
    tree = _parse_located(sentence)
    if tree.data not in ("statement", "finished", "not_finished"):
        raise sentence.error("an option must say where an object stands")
    return _formula(puzzle, sentence, tree)


def split_question(text: str) -> tuple[str, list[tuple[str, str, int]]]:
    """ "Which …?\\nA) …\\nB) …" → the question and each (letter, option, offset in text)."""
    question, options, at = [], [], 0
    for line in text.splitlines(keepends=True):
        match = _OPTION.match(line)
        if match:
            options.append((match.group(1), match.group(2), at + match.start(2)))
        elif line.strip():
            question.append(line.strip())
        at += len(line)
    return " ".join(question), options


class OrderingTranslator:
    """Ordering puzzles with lettered options → a typed multiple-choice program."""

    name = NAME

    def translate(self, premises: Sequence[str], conclusion: str) -> Translation:
        """``conclusion`` is the question followed by its lettered options, one per line."""
        from logicsvc.translate.formats.logical_deduction import question_kind

        question, options = split_question(conclusion)
        return self._translate(premises, question_kind(question), options, conclusion)

    def translate_choice(
        self, premises: Sequence[str], options: Sequence[tuple[str, str]], kind: QuestionKind
    ) -> Translation:
        """Options given apart from the question (the service's ``options``)."""
        return self._translate(premises, kind, [(label, text, -1) for label, text in options])

    def _translate(
        self,
        premises: Sequence[str],
        kind: QuestionKind,
        options: Sequence[tuple[str, str, int]],
        conclusion: str = "",
    ) -> Translation:
        if not options:
            raise InputError("a question needs at least one option", code="no_options")
        located = _context(premises)
        puzzle, statements = _read_context(located)
        chosen = []
        for k, (label, text, at) in enumerate(options):
            where = _Located(text, len(located) + k, conclusion if at >= 0 else text, max(at, 0))
            chosen.append(Option(label, (_option(puzzle, where),), text))
        problem = _problem(puzzle, statements, Question(kind, tuple(chosen)))
        sentences = tuple(s.gloss or "" for s in problem.premises)
        shown = "\n".join(f"{label}) {text}" for label, text, _ in options)
        return Translation(problem_to_dsl(problem), NAME, sentences, shown, choice=problem)


def _problem(puzzle: _Puzzle, statements: list[Statement], question: Question) -> ChoiceProblem:
    """The checked problem, built directly: loading its printed program gives exactly
    this (tested on every puzzle of the data), so the checks need not run again."""
    assert puzzle.count is not None
    objects = list(puzzle.objects.values())
    scale, high = puzzle.scale or words.POSITION, puzzle.count
    sort = SortDecl(SORT, low=1, high=high, gloss=f"1 is {scale.low}, {high} {scale.high}")
    functions = tuple(FunctionDecl(o.constant, (), SORT, gloss=f"the {o.text}") for o in objects)
    distinct = Statement(Distinct(tuple(Const(o.constant) for o in objects)), statements[0].gloss)
    signature = Signature((sort,), functions)
    return ChoiceProblem((distinct, *statements[1:]), question, (), signature)

"""The AST assembled during the parse is the tree builder's, spans included, and the
assembling parser fails where the tree parser fails, with the same error.

Every text the front half hands to the parsers is checked: each parse call of a
recorded program's loading (Logic-LM's files, every style, lenient and strict, the
line reader and the whole-text parse), LINC's formulas printed as DSL, and FOLIO's
gold formulas.  The tree parser + ``tests/tree_builder.py`` is the reference.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lark
import pytest

from logicsvc.errors import DSLSyntaxError, LogicsvcError
from logicsvc.evaluation import linc
from logicsvc.load import load_formulas
from logicsvc.syntax import grammar, lines, parser
from logicsvc.syntax.assemble import result
from logicsvc.syntax.ast import Binary
from logicsvc.syntax.printer import problem_to_dsl, to_dsl
from logicsvc.syntax.walk import bind
from logicsvc.translate.formats import (
    CHOICE_STYLES,
    detect_style,
    load_choice_program,
    to_dsl_program,
)
from tests import tree_builder as builder
from tests.same_ast import same_with_spans, whole_text

_BUILD = {
    grammar.START_PROGRAM: builder.build_program,
    grammar.START_FORMULA: builder.build_formula,
    grammar.START_STATEMENT: builder.build_statement,
    grammar.START_DECLARATION: builder.build_decl,
}


def _error(exc: lark.exceptions.UnexpectedInput, text: str) -> tuple[Any, ...]:
    error: DSLSyntaxError = parser._syntax_error(exc, text)
    return error.message, error.span, error.expected, error.context


class _Compared:
    """Stands in for an assembling parser: parses with it and with the tree parser +
    builder, and records where the two differ."""

    def __init__(self, assembling: lark.Lark, reference: lark.Lark) -> None:
        self.assembling, self.reference = assembling, reference
        self.calls = 0
        self.differences: list[str] = []

    def parse(self, text: str, start: str) -> Any:
        return self._compared(
            text,
            start,
            lambda: self.assembling.parse(text, start=start),
            lambda: self.reference.parse(text, start=start),
        )

    def parse_interactive(self, text: str, start: str) -> _OnLine:
        """The line reader's way in: parsed on the line it sets, both parsers alike."""
        return _OnLine(self, text, start)

    def _compared(self, text: str, start: str, assembled: Any, reference: Any) -> Any:
        self.calls += 1
        try:
            expected = _BUILD[start](reference())
        except lark.exceptions.UnexpectedInput as exc:
            with pytest.raises(lark.exceptions.UnexpectedInput) as caught:
                assembled()
            if _error(caught.value, text) != _error(exc, text):
                self.differences.append(f"{start} {text!r}: errors differ")
            raise
        got = assembled()
        try:
            same_with_spans(result(got), expected, start)
        except AssertionError as exc:
            self.differences.append(f"{text!r}: {exc}")
        return got


class _OnLine:
    def __init__(self, compared: _Compared, text: str, start: str) -> None:
        self.compared, self.text, self.start = compared, text, start
        self.real = compared.assembling.parse_interactive(text, start=start)
        self.lexer_thread = self.real.lexer_thread

    def resume_parse(self) -> Any:
        line = self.lexer_thread.state.line_ctr.line
        assert line > 1 or self.text == ""  # the line reader sets the line

        def reference() -> Any:
            interactive = self.compared.reference.parse_interactive(self.text, start=self.start)
            interactive.lexer_thread.state.line_ctr.line = line
            return interactive.resume_parse()

        return self.compared._compared(self.text, self.start, self.real.resume_parse, reference)


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_Compared]]:
    whole = _Compared(grammar.ast_parser(), grammar.parser())
    line = _Compared(grammar.ast_line_parser(), grammar.line_parser())
    monkeypatch.setattr(grammar, "ast_parser", lambda: whole)
    monkeypatch.setattr(grammar, "ast_line_parser", lambda: line)
    lines.forget()
    yield [whole, line]
    lines.forget()


def _quietly(load: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(LogicsvcError, RecursionError):
        load(*args, **kwargs)


def _check(compared: list[_Compared], at_least: int) -> None:
    whole, line = compared
    assert whole.differences + line.differences == []
    assert whole.calls + line.calls >= at_least


LOGICLM = sorted(
    (Path(__file__).resolve().parents[2] / "shared/datasets/llm_programs/logiclm").glob("*.json")
)


def test_every_recorded_file_is_compared(shared_datasets: Path) -> None:
    """The list below is made at import; were the data elsewhere it would be empty and
    the comparison would vanish from the run without failing."""
    found = sorted((shared_datasets / "llm_programs" / "logiclm").glob("*.json"))
    assert found and [p.name for p in found] == [p.name for p in LOGICLM]


@pytest.mark.parametrize("path", LOGICLM, ids=[p.stem for p in LOGICLM])
def test_logiclm_programs(shared_datasets: Path, path: Path, compared: list[_Compared]) -> None:
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        program = item["raw_logic_programs"][0]
        for lenient in (True, False):
            if detect_style(program) in CHOICE_STYLES:
                question = str(item.get("question", ""))
                try:  # read without the DSL parser: printed as DSL, then parsed
                    _, choice = load_choice_program(program, question=question, lenient=lenient)
                except LogicsvcError:
                    continue
                text = problem_to_dsl(choice.problem)
                _quietly(whole_text, text, lenient=lenient)
                continue
            try:
                text = to_dsl_program(program, lenient=lenient)[1]
            except LogicsvcError:
                continue
            _quietly(parser.parse_program, text, lenient=lenient)
            if lenient:  # strict stops at the first error, where lenient starts repairing
                _quietly(whole_text, text, lenient=lenient)
    _check(compared, 10)


@pytest.mark.parametrize("name", ["folio_gpt-4_dev-A", "proofwriter_gpt-4_dev-A"])
def test_linc_formulas_as_dsl(shared_datasets: Path, name: str, compared: list[_Compared]) -> None:
    items = json.loads((shared_datasets / "llm_programs" / "linc" / f"{name}.json").read_text())
    formulas = 0
    for item in items:
        for sample in item.get("samples") or []:
            try:
                program, _ = linc.read_sample(str(sample), lenient=True)
            except (LogicsvcError, RecursionError):
                continue
            statements = [*program.premises, *program.conclusions]
            texts = [to_dsl(s.formula) for s in statements]
            formulas += len(texts)
            body = "\n".join(texts[:-1])
            _quietly(parser.parse_program, f"Premises:\n{body}\nConclusion:\n{texts[-1]}\n")
    assert formulas > 100
    _check(compared, 100)  # a line met again is the memo's, not parsed again


def test_folio_gold_formulas(shared_datasets: Path, compared: list[_Compared]) -> None:
    path = shared_datasets / "folio" / "folio-validation-A.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for item in items:
        for lenient in (True, False):
            premises, conclusion = item["premises-FOL"], item["conclusion-FOL"]
            _quietly(load_formulas, premises, conclusion, lenient=lenient)
    _check(compared, len(items))


@pytest.mark.parametrize(
    "text",
    [
        "((P(a)))",
        "(∀x (P(x))) → (Q(a) ∧ (R))",
        "∀x y:S, z ∃w (f(x) + (g(y) * 2) < z ∧ w ≠ x)",
        "count c:S ((P(c) ∧ Q(x))) ≥ -(1)",
        "distinct(a, (b), f(c))",
        "¬¬∀x ¬(P(x) ⊕ Q(x)) ↔ all y (P(y) xor not Q(y))",
        "∀x (P(x) ∧ ∃x Q(x, y)) ∧ ∀y (R(y) → ∀z ∃y S(y, z, x))",
        "∀a ∀b ∃c ∀d ∃e ∀f ∃g ∀h (T(a, b, c, d) ∨ T(e, f, g, h) ∨ a = k ∨ count i:S (P(i)) > 1)",
    ],
)
def test_odd_shapes(text: str, compared: list[_Compared]) -> None:
    _quietly(parser.parse_formula, text)
    typed = (
        "Sorts:\nS = {a, b} ::: two\nN = -2..3\nFunctions:\nf(S) : S ::: f\nc : N\n"
        f"Predicates:\nP(x) ::: p\nR\nPremises:\n{text} ::: g\nQuestion: must be true\n"
        "Options:\nA) P(a) ; R ::: first\nB) Q(b)\n"
    )
    _quietly(parser.parse_program, typed)
    _check(compared, 2)


def test_binding_leaves_untouched_subformulas_as_they_are() -> None:
    """A quantifier rebuilds only the paths to its own names, not its whole body."""
    untouched, _ = parser.parse_formula("(P(a) ∧ f(b) = c) ∨ ¬count y:S (Q(y, d)) > 1")
    assert bind(untouched, frozenset({"x"})) is untouched
    formula, _ = parser.parse_formula("(P(a) ∧ f(b) = c) ∨ ¬Q(x)")
    bound = bind(formula, frozenset({"x"}))
    assert isinstance(formula, Binary) and isinstance(bound, Binary)
    assert bound.left is formula.left
    assert bound.right != formula.right
    assert to_dsl(bound) == to_dsl(formula)


def test_the_tables_are_the_tree_parsers() -> None:
    """Errors come from the tables: the assembling parsers share them with the tree ones."""
    for built, reference in (
        (grammar.ast_parser(), grammar.parser()),
        (grammar.ast_line_parser(), grammar.line_parser()),
    ):
        ours, theirs = (_canonical(p.parser.parser.parser.parse_table) for p in (built, reference))
        assert ours == theirs


def _canonical(table: Any) -> list[Any]:
    """The table with states numbered in the order a walk from the start states meets
    them (Lark numbers them by hash order, which differs between processes)."""
    number: dict[int, int] = {}
    queue = [table.start_states[s] for s in sorted(table.start_states)]
    for state in queue:
        number.setdefault(state, len(number))
        for token in sorted(table.states[state]):
            action, arg = table.states[state][token]
            if action.name == "Shift" and arg not in number:
                number[arg] = len(number)
                queue.append(arg)
    out = []
    for state in sorted(number, key=number.__getitem__):
        row = []
        for token, (action, arg) in sorted(table.states[state].items()):
            if action.name == "Shift":
                row.append((token, "shift", number[arg]))
            else:
                rule = (arg.origin.name, tuple(s.name for s in arg.expansion), arg.alias)
                row.append((token, "reduce", rule))
        out.append(row)
    ends = {s: number[table.end_states[s]] for s in table.end_states}
    return [out, {s: number[table.start_states[s]] for s in table.start_states}, ends]


def test_a_stored_assembling_parser_assembles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The assembler is not in the stored tables: a loaded parser is given it again."""
    monkeypatch.setenv("LOGICSVC_PARSER_CACHE", str(tmp_path))
    start = [grammar.START_PROGRAM, grammar.START_FORMULA]
    built = grammar._build(start, ast=True)
    (stored,) = tmp_path.iterdir()
    loaded = grammar._build(start, ast=True)
    assert list(tmp_path.iterdir()) == [stored] and loaded is not built
    text = "Premises:\nall x (Big(x) → ¬Small(x)) ::: gloss\nBig(bob)\nConclusion:\n¬Small(bob)\n"
    program = loaded.parse(text, start=grammar.START_PROGRAM)
    same_with_spans(program, built.parse(text, start=grammar.START_PROGRAM), "program")
    reference = builder.build_program(grammar.parser().parse(text, start=grammar.START_PROGRAM))
    same_with_spans(program, reference, "program")

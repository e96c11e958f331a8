"""The line-by-line program reader and its memo: the same ASTs, spans and errors as
the whole-text parse, for every program of a batch, with a bounded memo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logicsvc.errors import DSLSyntaxError, LogicsvcError, SemanticError
from logicsvc.load import load_problem
from logicsvc.syntax import lines, parser
from logicsvc.translate.formats import to_dsl_program
from tests.same_ast import same_with_spans, whole_text


def _programs(shared_datasets: Path, name: str) -> list[str]:
    items = json.loads((shared_datasets / "llm_programs" / "logiclm" / name).read_text())
    out = []
    for item in items:
        try:
            out.append(to_dsl_program(item["raw_logic_programs"][0], lenient=True)[1])
        except LogicsvcError:
            continue
    return out


@pytest.mark.parametrize("name", ["ProofWriter_dev-A_gpt-4.json", "FOLIO_dev-A_gpt-4.json"])
@pytest.mark.parametrize("lenient", [False, True])
def test_line_reader_gives_the_whole_text_parse(
    shared_datasets: Path, name: str, lenient: bool
) -> None:
    read = 0
    for text in _programs(shared_datasets, name):
        try:
            reference = whole_text(text, lenient=lenient)
        except LogicsvcError:
            assert lines.read_program(text, lenient=lenient) is None
            continue
        fast = lines.read_program(text, lenient=lenient)
        if fast is None:
            continue
        read += 1
        same_with_spans(fast[0], reference.program)
        assert fast[1] == reference.warnings
    assert read > 50  # the line reader, not the fallback, read these


def _lines(numbered: dict[int, str]) -> str:
    return "\n".join(numbered.get(n, "") for n in range(1, max(numbered) + 1)) + "\n"


RULE = "∀x (Big(x) ∧ Red(x) → Kind(x)) ::: big red things are kind"


def test_a_memoised_line_reports_the_second_programs_spans() -> None:
    first = _lines(
        {1: "Premises:", 2: "Big(bob)", 3: "Red(bob)", 4: RULE, 5: "Conclusion:", 6: "Kind(bob)"}
    )
    assert load_problem(first).problem.premises[2].span.line == 4
    # the same line, lower down, in a program where Big takes two arguments
    second = _lines(
        {
            1: "Predicates:",
            2: "Big(x, y)",
            3: "Premises:",
            4: "Red(bob)",
            5: "# a comment",
            6: RULE,
            7: "Conclusion:",
            8: "Kind(bob)",
        }
    )
    with pytest.raises(SemanticError) as caught:
        load_problem(second)
    span = caught.value.span
    assert caught.value.code == "arity_mismatch"
    assert span is not None and (span.line, span.column, span.end_column) == (6, 5, 11)
    assert caught.value.context is not None and RULE in caught.value.context
    # and where it stood in the first program, its spans are the first program's
    again = load_problem(first).problem.premises[2]
    assert again.span is not None and again.span.line == 4
    moved = lines.read_program(second.replace("Big(x, y)", "Big(x)"), lenient=False)
    assert moved is not None
    rule = moved[0].premises[1]
    assert rule.span is not None and rule.span.line == 6
    quantified = rule.formula
    assert quantified.span is not None and quantified.span.line == 6


def test_a_syntax_error_after_memoised_lines_names_its_own_line() -> None:
    good = _lines({1: "Premises:", 2: RULE, 3: "Big(bob)", 4: "Conclusion:", 5: "Kind(bob)"})
    load_problem(good)
    bad = _lines({1: "Premises:", 2: RULE, 3: "Big(bob))", 4: "Conclusion:", 5: "Kind(bob)"})
    with pytest.raises(DSLSyntaxError) as caught:
        load_problem(bad)
    assert caught.value.span is not None and caught.value.span.line == 3
    assert lines.read_program(bad, lenient=False) is None  # the whole text decided


def test_lenient_notes_name_the_line_they_stand_on() -> None:
    clause = "Big(x) → Red(x)"
    first = _lines({1: "Premises:", 2: clause, 3: "Conclusion:", 4: "Red(bob)"})
    second = _lines({1: "Premises:", 2: "Big(bob)", 3: clause, 4: "Conclusion:", 5: "Red(bob)"})
    for text in (first, second, first):
        fast = lines.read_program(text, lenient=True)
        assert fast == (
            whole_text(text, lenient=True).program,
            whole_text(text, lenient=True).warnings,
        )
    notes = parser.parse_program(second, lenient=True).warnings
    assert notes and all(note.startswith("line 3: ") for note in notes)


def test_the_memo_is_bounded() -> None:
    memos = [lines._home_statement, lines._statement, lines._lenient_statement]
    assert all(memo.cache_info().maxsize == lines.CACHED_LINES for memo in memos)
    count = lines.CACHED_LINES + 100
    premises = "\n".join(f"Big(c{n})" for n in range(count))
    parser.parse_program(f"Premises:\n{premises}\nConclusion:\nBig(c0)\n")
    for memo in (lines._home_statement, lines._statement):
        info = memo.cache_info()
        assert info.currsize == lines.CACHED_LINES and info.misses >= count


def test_a_long_line_is_not_kept() -> None:
    long_line = " ∧ ".join(f"Big(c{n})" for n in range(400))
    assert len(long_line) > lines.LONGEST_CACHED
    text = f"Premises:\n{long_line}\nConclusion:\nBig(c0)\n"
    lines.forget()
    program = parser.parse_program(text).program
    assert len(program.premises) == 1
    assert lines._home_statement.cache_info().currsize == 1  # "Big(c0)" only


@pytest.mark.parametrize(
    "text",
    [
        "Sorts:\nS = {a, b}\nPremises:\nP(a)\nConclusion:\nP(b)\n",
        "Premises:\r\nP(a)\r\nConclusion:\r\nP(a)\r\n",
        "Premises:\nP(a)\nQuestion: must be true\nOptions:\nA) P(a)\n",
        "P(a)\nPremises:\nConclusion:\nP(a)\n",
        "Premises:\nP(a)\n",
        "Conclusion:\nP(a)\nPremises:\nP(a)\n",
    ],
)
def test_other_shapes_go_to_the_whole_text_parse(text: str) -> None:
    assert lines.read_program(text, lenient=True) is None

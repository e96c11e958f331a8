"""The multiple-choice adapters (LogicalDeduction, AR-LSAT): meaning, and error spans."""

from __future__ import annotations

import pytest

from logicsvc import provers
from logicsvc.errors import DSLSyntaxError, InputError
from logicsvc.syntax.ast import QuestionKind
from logicsvc.translate.formats import (
    arlsat,
    detect_style,
    load_choice_program,
    logical_deduction,
    to_dsl_program,
)

LD = """Domain:
1: leftmost
3: rightmost
Variables:
owl [IN] [1, 2, 3]
robin [IN] [1, 2, 3]
raven [IN] [1, 2, 3]
Constraints:
owl == 1 ::: The owl is the leftmost.
robin < raven ::: The robin is to the left of the raven.
AllDifferentConstraint([owl, robin, raven]) ::: All birds differ.
Query:
A) owl == 3 ::: The owl is the rightmost.
B) robin == 3 ::: The robin is the rightmost.
C) raven == 3 ::: The raven is the rightmost."""


def test_logical_deduction_means_a_csp_and_answers_the_entailed_option() -> None:
    assert detect_style(LD) == "logical_deduction"
    checked = logical_deduction.load(LD, "Which of the following is true?")
    assert checked.problem.question.kind is QuestionKind.MUST_BE_TRUE
    result = provers.choose(checked.problem)
    assert (result.status, result.answer) == ("ok", "C")
    # a LogicalDeduction program is never read as a yes/no program
    assert to_dsl_program(LD)[0] == "folio"


def test_logical_deduction_arithmetic_keeps_hyphenated_variables_apart() -> None:
    program = LD.replace("robin < raven", "robin == raven-1").replace("Query:", "Query:")
    result = provers.choose(logical_deduction.load(program, "Which is true?").problem)
    assert result.answer == "C"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which of the following is true?", QuestionKind.MUST_BE_TRUE),
        ("Which one of the following could be true?", QuestionKind.COULD_BE_TRUE),
        ("Each of the following could be true EXCEPT:", QuestionKind.COULD_BE_TRUE_EXCEPT),
        ("Which one CANNOT be true?", QuestionKind.CANNOT_BE_TRUE),
    ],
)
def test_question_kind_from_the_items_wording(question: str, kind: QuestionKind) -> None:
    assert logical_deduction.question_kind(question) is kind


def test_question_without_a_kind_is_a_typed_error() -> None:
    with pytest.raises(InputError) as caught:
        logical_deduction.load(LD, "Who won?")
    assert caught.value.code == "unknown_question_kind"


def test_logical_deduction_errors_point_at_the_models_line() -> None:
    bad = LD.replace("robin [IN] [1, 2, 3]", "robin in 1..3")
    with pytest.raises(DSLSyntaxError) as caught:
        logical_deduction.load(bad, "Which is true?")
    assert caught.value.span is not None and caught.value.span.line == 6
    # a value our sorts cannot hold: the DSL line is generated, so the whole line is marked
    bad = LD.replace("robin [IN] [1, 2, 3]", "robin [IN] [cheapest, most expensive]")
    with pytest.raises(DSLSyntaxError) as caught:
        logical_deduction.load(bad, "Which is true?")
    span = caught.value.span
    assert span is not None and (span.line, span.column, span.end_column) == (6, 1, 38)
    # an error of our DSL parser comes back on the model's line and column
    bad = LD.replace("robin < raven", "robin < < raven")
    with pytest.raises(DSLSyntaxError) as caught:
        logical_deduction.load(bad, "Which is true?")
    span = caught.value.span
    assert span is not None and (span.line, span.column) == (10, 9)
    assert (
        caught.value.context
        == "robin < < raven ::: The robin is to the left of the raven.\n        ^"
    )


AR = """# Declarations
children = EnumSort([Fred, Juan, Nita, Rachel])
boys = EnumSort([Fred, Juan])
lockers = EnumSort([1, 2, 3])
assigned = Function([children] -> [lockers])
shared = Function([lockers] -> [bool])

# Constraints
ForAll([l:lockers], shared(l) == (Count([c:children], assigned(c) == l) == 2)) ::: shared
Count([c:children], assigned(c) == 3) == 2 ::: two children on locker 3
ForAll([b:boys], assigned(b) % 2 == 1) ::: boys get odd lockers
Abs(assigned(Nita) - assigned(Rachel)) > 1 ::: Nita and Rachel are not adjacent
assigned(Fred) == 3

# Options
Question ::: Which one of the following must be true?
is_valid(assigned(Juan) == 1) ::: (A)
is_valid(assigned(Juan) == 3) ::: (B)
is_valid(shared(2)) ::: (C)"""


def test_ar_lsat_subset_lists_counts_modulo_and_abs() -> None:
    assert detect_style(AR) == "ar_lsat"
    style, checked = load_choice_program(AR)
    assert style == "ar_lsat" and checked.problem.question.kind is QuestionKind.MUST_BE_TRUE
    assert [d.name for d in checked.problem.signature.sorts] == ["children", "lockers"]
    result = provers.choose(checked.problem)
    # Fred on 3, Juan odd: 1 or 3; Nita and Rachel on 1 and 3; locker 3 full ⇒ Juan on 1
    assert (result.status, result.answer) == ("ok", "A")


@pytest.mark.parametrize(
    ("test", "kind"),
    [
        ("is_sat({})", QuestionKind.COULD_BE_TRUE),
        ("is_unsat({})", QuestionKind.CANNOT_BE_TRUE),
        ("is_exception(is_valid({}))", QuestionKind.MUST_BE_TRUE_EXCEPT),
        ("is_exception(is_sat({}))", QuestionKind.COULD_BE_TRUE_EXCEPT),
        ("is_exception(is_unsat({}))", QuestionKind.CANNOT_BE_TRUE_EXCEPT),
        ("is_accurate_list([{}])", QuestionKind.ACCURATE_LIST),
    ],
)
def test_ar_lsat_option_tests_map_to_kinds(test: str, kind: QuestionKind) -> None:
    head, _, _ = AR.partition("is_valid")
    options = "\n".join(test.format(f"assigned(Juan) == {n}") + " ::: x" for n in (1, 2, 3))
    checked = arlsat.load(head + options)
    assert checked.problem.question.kind is kind
    assert [o.label for o in checked.problem.question.options] == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("replace", "by", "code", "line", "column"),
    [
        (
            "is_valid(shared(2))",
            "is_equivalent(shared(2), shared(1))",
            "unknown_option_test",
            19,
            1,
        ),
        ("is_valid(shared(2))", "is_sat(shared(2))", "mixed_option_tests", 19, 1),
        ("assigned(Fred) == 3", "assigned(Fred) == 3)", "syntax_error", 13, 20),
        ("assigned(Fred) == 3", "assigned(Paul) == 3", "undeclared_name", 13, 10),
        ("assigned(Fred) == 3", "assigned(Fred) == Juan", "sort_mismatch", 13, 1),
        ("ForAll([b:boys]", "ForAll([b:girls]", "unknown_sort", 11, 9),
        ("assigned(Fred) == 3", "If(assigned(Fred) == 3, shared(3))", "arity_mismatch", 13, 1),
    ],
)
def test_ar_lsat_errors_carry_code_line_and_column(
    replace: str, by: str, code: str, line: int, column: int
) -> None:
    with pytest.raises(InputError) as caught:
        arlsat.load(AR.replace(replace, by))
    error = caught.value
    assert error.code == code
    assert error.span is not None and (error.span.line, error.span.column) == (line, column)
    assert error.context is not None and "^" in error.context


def test_ar_lsat_missing_section_and_strings_as_names() -> None:
    with pytest.raises(DSLSyntaxError, match="missing section '# Options'"):
        arlsat.load(AR.partition("# Options")[0])
    quoted = AR.replace("Nita", '"Nita Jones"')
    assert provers.choose(arlsat.load(quoted).problem).answer == "A"


def test_ar_lsat_count_over_an_integer_term_is_a_sum() -> None:
    program = """# Declarations
zones = EnumSort([Z1, Z2])
designated = Function([zones] -> [int])
ForAll([z:zones], And(0 <= designated(z), designated(z) <= 3))
# Constraints
Count([z:zones], designated(z)) == 5
# Options
Question ::: Which could be true?
is_sat(designated(Z1) == 1) ::: (A)
is_sat(designated(Z1) == 2) ::: (B)"""
    result = provers.choose(arlsat.load(program).problem)
    assert (result.status, result.answer) == ("ok", "B")

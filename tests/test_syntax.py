"""The DSL parser: operators, precedence, quantifiers, sections and error reports."""

from __future__ import annotations

import pytest

from logicsvc.errors import DSLSyntaxError, SemanticError
from logicsvc.load import load_problem
from logicsvc.syntax import parse_formula, parse_program, to_dsl
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Equals,
    Not,
    Op,
    Quantified,
    Quantifier,
    Var,
)


def f(text: str) -> object:
    return parse_formula(text)[0]


A, B, C = Atom("A"), Atom("B"), Atom("C")


def test_implication_binds_looser_than_conjunction() -> None:
    assert f("A → B ∧ C") == Binary(Op.IMPLIES, A, Binary(Op.AND, B, C))
    assert f("A ∧ B → C") == Binary(Op.IMPLIES, Binary(Op.AND, A, B), C)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A ∨ B ∧ C", Binary(Op.OR, A, Binary(Op.AND, B, C))),
        ("A ⊕ B ∨ C", Binary(Op.XOR, A, Binary(Op.OR, B, C))),
        ("A → B ⊕ C", Binary(Op.IMPLIES, A, Binary(Op.XOR, B, C))),
        ("A ↔ B → C", Binary(Op.IFF, A, Binary(Op.IMPLIES, B, C))),
        ("A → B → C", Binary(Op.IMPLIES, A, Binary(Op.IMPLIES, B, C))),
        ("A ∧ B ∧ C", Binary(Op.AND, Binary(Op.AND, A, B), C)),
        ("A ↔ B ↔ C", Binary(Op.IFF, Binary(Op.IFF, A, B), C)),
        ("¬A ∧ B", Binary(Op.AND, Not(A), B)),
        ("¬(A ∧ B)", Not(Binary(Op.AND, A, B))),
    ],
)
def test_precedence_and_associativity(text: str, expected: object) -> None:
    assert f(text) == expected


@pytest.mark.parametrize(
    ("ascii_text", "unicode_text"),
    [
        ("forall x (P(x) -> Q(x))", "∀x (P(x) → Q(x))"),
        ("all x (P(x) -> Q(x))", "∀x (P(x) → Q(x))"),
        ("exists x (P(x) & ~Q(x))", "∃x (P(x) ∧ ¬Q(x))"),
        ("-P(a) | not Q(a)", "¬P(a) ∨ ¬Q(a)"),
        ("P(a) xor Q(a) <-> R(a)", "P(a) ⊕ Q(a) ↔ R(a)"),
        ("a != b", "a ≠ b"),
    ],
)
def test_ascii_and_unicode_spellings_agree(ascii_text: str, unicode_text: str) -> None:
    assert f(ascii_text) == f(unicode_text)


def test_keywords_do_not_swallow_names_that_start_with_them() -> None:
    formula = f("notable(allison) ∧ existsIn(x1)")
    assert formula == Binary(
        Op.AND, Atom("notable", (Const("allison"),)), Atom("existsIn", (Const("x1"),))
    )


def test_quantifier_forms_nest_the_same_way() -> None:
    nested = Quantified(
        Quantifier.ALL,
        "x",
        Quantified(Quantifier.ALL, "y", Atom("R", (Var("x"), Var("y")))),
    )
    assert f("∀x ∀y R(x, y)") == nested
    assert f("∀x y (R(x, y))") == nested
    assert f("∀x, y R(x, y)") == nested
    assert f("forall x forall y R(x,y)") == nested


def test_quantifiers_anywhere_and_scope_is_tight() -> None:
    formula = f("P(a) → ∃x (Q(x) ∧ ∀y R(x, y))")
    assert isinstance(formula, Binary) and isinstance(formula.right, Quantified)
    # A quantifier binds like ¬: the second x is outside its scope, so a constant.
    tight = f("∀x P(x) → Q(x)")
    assert tight == Binary(
        Op.IMPLIES,
        Quantified(Quantifier.ALL, "x", Atom("P", (Var("x"),))),
        Atom("Q", (Const("x"),)),
    )


def test_shadowing_binds_the_innermost_quantifier() -> None:
    formula = f("∀x (P(x) ∧ ∃x Q(x))")
    assert formula == Quantified(
        Quantifier.ALL,
        "x",
        Binary(
            Op.AND,
            Atom("P", (Var("x"),)),
            Quantified(Quantifier.EXISTS, "x", Atom("Q", (Var("x"),))),
        ),
    )


def test_names_terms_and_equality() -> None:
    formula = f("Ternary(tower-a, l_2021, 42) ∧ a = b ∧ c ≠ d ∧ Prop ∧ Empty()")
    text = to_dsl(formula)
    assert "Ternary(tower-a, l_2021, 42)" in text
    parts = []
    node = formula
    while isinstance(node, Binary):
        parts.append(node.right)
        node = node.left
    parts.append(node)
    assert Equals(Const("a"), Const("b")) in parts
    assert Not(Equals(Const("c"), Const("d"))) in parts
    assert Atom("Prop") in parts and Atom("Empty") in parts


def test_unicode_letters_in_names() -> None:
    assert f("LostToIgaŚwiątek(cocoGauff)") == Atom("LostToIgaŚwiątek", (Const("cocoGauff"),))


PROGRAM = """\
Predicates:
Man(x) ::: x is a man.
Mortal(x) ::: x is mortal.
Premises:
∀x (Man(x) → Mortal(x)) ::: All men are mortal.

Man(socrates) ::: Socrates is a man.
# comments and blank lines are fine
Conclusion:
Mortal(socrates) ::: Socrates is mortal."""


def test_program_sections_and_glosses() -> None:
    program = parse_program(PROGRAM).program
    assert [d.name for d in program.predicates] == ["Man", "Mortal"]
    assert program.predicates[0].params == ("x",)
    assert program.predicates[0].gloss == "x is a man."
    assert [s.gloss for s in program.premises] == ["All men are mortal.", "Socrates is a man."]
    assert program.conclusions[0].formula == Atom("Mortal", (Const("socrates"),))
    assert program.premises[1].span is not None and program.premises[1].span.line == 7


def test_predicates_section_is_optional() -> None:
    program = parse_program("Premises:\nP(a)\nConclusion:\nP(a)\n").program
    assert program.predicates == () and len(program.premises) == 1


def test_syntax_error_carries_position_caret_and_expectations() -> None:
    text = "Premises:\nP(a) ::: fine\n∀x (Q(x) ∈ R) ::: bad\nConclusion:\nP(a)\n"
    with pytest.raises(DSLSyntaxError) as info:
        parse_program(text)
    err = info.value
    assert err.code == "syntax_error"
    assert err.span is not None and (err.span.line, err.span.column) == (3, 10)
    assert err.context == "∀x (Q(x) ∈ R) ::: bad\n         ^"
    assert "')'" in err.expected and "∧" in err.expected
    assert "'∈'" in err.message
    rendered = str(err)
    assert rendered.startswith("line 3, column 10: unexpected '∈'; expected one of")


def test_error_at_end_of_formula_lists_what_may_follow() -> None:
    with pytest.raises(DSLSyntaxError) as info:
        parse_formula("∀x (P(x) → Q(x)")
    assert info.value.expected == ("')'",)
    assert "end of input" in info.value.message


def test_missing_section_header_is_a_syntax_error() -> None:
    with pytest.raises(DSLSyntaxError) as info:
        parse_program("Premises:\nP(a)\nP(b)\n")
    assert "'Conclusion:'" in info.value.expected


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x1c", "\x0b", "\r"])
def test_error_context_is_the_line_the_span_names(separator: str) -> None:
    """Characters str.splitlines() breaks at, inside a gloss, must not shift the context line."""
    text = f"Premises:\nP(a) ::: odd{separator}gloss\nQ(b)\nR(c) ∧\nConclusion:\nP(a)\n"
    with pytest.raises(DSLSyntaxError) as caught:
        parse_program(text)
    assert caught.value.span is not None and caught.value.span.line == 4
    assert caught.value.context is not None
    assert caught.value.context.split("\n")[0] == "R(c) ∧"


def test_semantic_error_context_after_an_odd_gloss() -> None:
    text = "Premises:\nP(a) ::: odd\u2028gloss\nQ(b)\nR(x)\nConclusion:\nP(a)\n"
    with pytest.raises(SemanticError) as caught:
        load_problem(text)
    assert caught.value.code == "free_variable"
    assert caught.value.context is not None and caught.value.context.startswith("R(x)\n")

"""Prover9/NLTK and TPTP in: the same AST as the DSL, errors with spans, exact round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logicsvc.errors import DSLSyntaxError, LogicsvcError, SemanticError
from logicsvc.load import load_formulas
from logicsvc.syntax import parse_formula, problem_to_tptp
from logicsvc.syntax.ast import Binary, Formula, Not, Op, Problem, Quantified
from logicsvc.syntax.prover9 import parse_prover9, parse_prover9_formula
from logicsvc.syntax.prover9_printer import problem_to_prover9
from logicsvc.syntax.tptp_reader import parse_tptp
from logicsvc.syntaxes import detect_syntax, load_in_syntax
from tests.test_roundtrip import formulas


def without_xor(formula: Formula) -> Formula:
    """Prover9 has no ⊕: the exporter writes ¬(A ↔ B), which is what comes back."""
    if isinstance(formula, Not):
        return Not(without_xor(formula.operand))
    if isinstance(formula, Quantified):
        return Quantified(formula.quantifier, formula.var, without_xor(formula.body))
    if isinstance(formula, Binary):
        left, right = without_xor(formula.left), without_xor(formula.right)
        if formula.op is Op.XOR:
            return Not(Binary(Op.IFF, left, right))
        return Binary(formula.op, left, right)
    return formula


def assert_round_trips(problem: Problem) -> None:
    back = parse_tptp(problem_to_tptp(problem)).program
    assert [s.formula for s in back.premises] == list(problem.premise_formulas)
    assert [s.formula for s in back.conclusions] == [problem.conclusion.formula]
    back = parse_prover9(problem_to_prover9(problem)).program
    assert [s.formula for s in back.premises] == [without_xor(f) for f in problem.premise_formulas]
    assert [s.formula for s in back.conclusions] == [without_xor(problem.conclusion.formula)]


@settings(max_examples=150, deadline=None)
@given(st.lists(formulas(), min_size=0, max_size=3), formulas())
def test_dsl_to_tptp_and_prover9_and_back_is_identity(
    premises: list[Formula], conclusion: Formula
) -> None:
    assert_round_trips(Problem.of(premises, conclusion))


@pytest.mark.slow
def test_round_trips_every_folio_gold_program(shared_datasets: Path) -> None:
    folio = shared_datasets / "folio"
    count = 0
    for name in ("folio-validation-A.jsonl", "folio-train.jsonl"):
        for line in (folio / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            # train has premise FOL only: its last premise stands in for the conclusion
            formulas = [*item["premises-FOL"], item.get("conclusion-FOL")]
            formulas = [f for f in formulas if f]
            try:
                checked = load_formulas(formulas[:-1], formulas[-1], lenient=True)
            except LogicsvcError:
                continue  # gold FOL that does not load is not a program to export
            assert_round_trips(checked.problem)
            count += 1
    assert count > 900


def test_nltk_formulas_mean_what_nltk_means() -> None:
    def same(prover9: str, dsl: str) -> None:
        assert parse_prover9_formula(prover9)[0] == parse_formula(dsl)[0]

    same("all x. (Student(x) -> Human(x))", "∀x (Student(x) → Human(x))")
    same("exists x y. (R(x, y) & -Q(y))", "∃x ∃y (R(x, y) ∧ ¬Q(y))")
    same("all x (P(x) <- Q(x))", "∀x (Q(x) → P(x))")
    same("A & B | C <-> D", "(A ∧ B) ∨ C ↔ D")
    same("-Teaches(Jerry) & Jerry != Rose", "¬Teaches(Jerry) ∧ Jerry ≠ Rose")
    same("all x. (P(x) ^ Q(x))", "∀x (P(x) ∧ Q(x))")
    # quantifiers bind tightly in NLTK and LADR alike; the free x is Prover9's variable
    same("all x. P(x) -> Q(x)", "∀x ((∀x P(x)) → Q(x))")
    # lenient mode widens the scope, as for the DSL, and says so
    formula, notes = parse_prover9_formula("all x. P(x) -> Q(x)", lenient=True)
    assert formula == parse_formula("∀x (P(x) → Q(x))")[0]
    assert any("widened" in note for note in notes)
    # Prover9: a free name starting with u-z is a variable; quoted, a constant
    assert parse_prover9_formula("Likes(x, Bob)")[0] == parse_formula("∀x Likes(x, Bob)")[0]
    assert parse_prover9_formula('Likes("x", Bob)')[0] == parse_formula("Likes(x, Bob)")[0]


@pytest.mark.parametrize(
    ("text", "line", "column", "code"),
    [
        ("formulas(assumptions).\n  P(a).\n  all x (P(x) -> ).\nend_of_list.\n", 3, 18, None),
        ("formulas(goals).\n  a -> b -> c.\nend_of_list.\n", 2, 10, None),
        ("formulas(goals).\n  Rich(father(bob)).\nend_of_list.\n", 2, 8, "function_symbol"),
    ],
)
def test_prover9_errors_point_at_the_mistake(
    text: str, line: int, column: int, code: str | None
) -> None:
    with pytest.raises((DSLSyntaxError, SemanticError)) as caught:
        parse_prover9(text)
    error = caught.value
    assert error.span is not None
    assert (error.span.line, error.span.column) == (line, column)
    assert error.code == (code or "syntax_error")
    assert error.context and error.context.split("\n")[1].index("^") == column - 1


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("fof(a, axiom, p(b)).\nfof(c, conjecture, ![X] : p(X) =>).\n", 2, 34),
        ("fof(a, axiom, p & q => r).\n", 1, 21),
        ("fof(a, axiom, p(b))\nfof(c, conjecture, p(b)).\n", 2, 1),
    ],
)
def test_tptp_errors_point_at_the_mistake(text: str, line: int, column: int) -> None:
    with pytest.raises(DSLSyntaxError) as caught:
        parse_tptp(text)
    assert caught.value.span is not None
    assert (caught.value.span.line, caught.value.span.column) == (line, column)


def test_tptp_cnf_clauses_are_universally_closed_and_free_fof_variables_refused() -> None:
    program = parse_tptp(
        "cnf(a, axiom, ~man(X) | mortal(X)).\ncnf(b, axiom, man(s)).\n"
        "fof(c, conjecture, mortal(s)).\n"
    ).program
    assert program.premises[0].formula == parse_formula("∀X (¬man(X) ∨ mortal(X))")[0]
    with pytest.raises(SemanticError, match="not bound"):
        parse_tptp("fof(a, axiom, p(X)).\nfof(c, conjecture, p(b)).\n")


def test_syntax_is_detected_from_extension_then_content() -> None:
    assert detect_syntax("anything", "problem.p") == "tptp"
    assert detect_syntax("anything", "problem.in") == "prover9"
    assert detect_syntax("fof(a, axiom, p).\n") == "tptp"
    assert detect_syntax("formulas(goals).\n p.\nend_of_list.\n") == "prover9"
    assert detect_syntax("Premises:\nP\nConclusion:\nP\n") == "dsl"


def test_the_three_syntaxes_load_the_same_problem() -> None:
    dsl = "Premises:\n∀x (Man(x) → Mortal(x))\nMan(Socrates)\nConclusion:\nMortal(Socrates)\n"
    prover9 = (
        "formulas(assumptions).\n  all x. (Man(x) -> Mortal(x)).\n  Man(Socrates).\n"
        "end_of_list.\nformulas(goals).\n  Mortal(Socrates).\nend_of_list.\n"
    )
    tptp = (
        "fof(a, axiom, ![Vx]: ('Man'(Vx) => 'Mortal'(Vx))).\nfof(b, axiom, 'Man'('Socrates')).\n"
        "fof(c, conjecture, 'Mortal'('Socrates')).\n"
    )
    problems = [load_in_syntax(text)[0].problem for text in (dsl, prover9, tptp)]
    assert problems[0].premise_formulas == problems[1].premise_formulas
    assert problems[0].premise_formulas == problems[2].premise_formulas
    assert problems[0].conclusion.formula == problems[2].conclusion.formula


def test_symbols_with_one_meaning_are_read_and_capitalised_quantifiers_in_lenient_mode() -> None:
    expected = parse_formula("¬∃x (Club(x) ∧ Loaned(Ailton, x))")[0]
    assert parse_prover9_formula("~exists x. (Club(x) & Loaned(Ailton, x))")[0] == expected
    assert parse_prover9_formula("¬∃x(Club(x) ∧ Loaned(Ailton, x))")[0] == expected
    with pytest.raises(DSLSyntaxError):
        parse_prover9_formula("-Exists x. (Club(x) & Loaned(Ailton, x))")
    formula, notes = parse_prover9_formula("-Exists x. (Club(x) & Loaned(Ailton, x))", lenient=True)
    assert formula == expected and "capitalised quantifier" in notes[0]


@pytest.mark.parametrize(
    "text",
    [
        "fof(a, axiom, 'u:x_uffffff_'(b)).\nfof(c, conjecture, p(b)).\n",  # no such character
        'fof(a, axiom, p("b")).\nfof(c, conjecture, p(b)).\n',  # distinct object
        "fof(a, axiom, p(1)).\nfof(c, conjecture, p(b)).\n",  # a number
        "fof(a, axiom, $true).\nfof(c, conjecture, p(b)).\n",
        "include('Axioms/SET001.ax').\n",
        "tff(a, axiom, p(b)).\n",
        "fof(a, axiom, p(f(b))).\n",
        "fof(a, negated_conjecture, p(b)).\n",
    ],
)
def test_tptp_outside_what_we_read_is_a_typed_input_error(text: str) -> None:
    try:
        load_in_syntax(text, "tptp")
    except LogicsvcError as exc:
        assert exc.code in ("unsupported", "function_symbol", "syntax_error")
        assert exc.span is not None
    else:
        assert "u:x" in text  # an escape that is not ours is just a name

"""Lenient mode repairs only what is unambiguous, reports every repair; strict repairs nothing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logicsvc.errors import DSLSyntaxError, SemanticError
from logicsvc.load import load_formulas, load_problem
from logicsvc.syntax import parse_formula, parse_program, to_dsl
from logicsvc.syntax.repair import _after_quantifier


@pytest.mark.parametrize(
    ("broken", "repaired", "note"),
    [
        ("P(a) ^ Q(a)", "P(a) ∧ Q(a)", "'^'"),
        ("P(a) ⟷ Q(a)", "P(a) ↔ Q(a)", "'⟷'"),
        ("P(a) => Q(a)", "P(a) → Q(a)", "'=>'"),
        ("∀x (P(x) → Q(x)))", "∀x (P(x) → Q(x))", "unmatched trailing ')'"),
        ("∀x (P(x) → (Q(x) ∨ R(x))", "∀x (P(x) → Q(x) ∨ R(x))", "missing ')'"),
        ("P(a) ∧ Q(a).", "P(a) ∧ Q(a)", "final '.'"),
        ("∀x  (Eel (x) → Fish (x))", "∀x (Eel(x) → Fish(x))", "spaces between"),
        ("WrittenIn(p, c++)", "WrittenIn(p, c_plus_plus)", "'c++'"),
        ("Visited(mr.smith, two)", "Visited(mr_smith, two)", "'mr.smith'"),
        ("American(captain america)", "American(captain_america)", "'captain america'"),
        ("∀x (Movie(x), Named(x) → Good(x))", "∀x (Movie(x) ∧ Named(x) → Good(x))", "','"),
        ("not(P(a) ∧ Q(a))", "¬(P(a) ∧ Q(a))", "keyword"),
    ],
)
def test_text_repairs(broken: str, repaired: str, note: str) -> None:
    with pytest.raises(DSLSyntaxError):
        parse_formula(broken)  # strict repairs nothing
    formula, warnings = parse_formula(broken, lenient=True)
    assert to_dsl(formula) == repaired
    assert any(note in w for w in warnings), warnings


def test_free_variable_widening_is_reported_and_strict_refuses() -> None:
    checked = load_formulas(["∀x Weddings(x) → GettingMarried(x)"], "P", lenient=True)
    assert to_dsl(checked.problem.premises[0].formula) == "∀x (Weddings(x) → GettingMarried(x))"
    assert any("widened the scope of '∀x'" in w for w in checked.warnings)
    with pytest.raises(SemanticError) as info:
        load_formulas(["∀x Weddings(x) → GettingMarried(x)"], "P")
    assert info.value.code == "free_variable"


def test_widening_covers_chained_connectives_and_quantifier_prefixes() -> None:
    formula, _ = parse_formula("∀x ∃y (B(x, y) ∨ S(x, y)) → A(x, y)", lenient=True)
    assert to_dsl(formula) == "∀x ∃y (B(x, y) ∨ S(x, y) → A(x, y))"
    formula, _ = parse_formula("∀x A(x) ∧ B(x) → C(x)", lenient=True)
    assert to_dsl(formula) == "∀x (A(x) ∧ B(x) → C(x))"


def test_widening_leaves_well_scoped_formulas_alone() -> None:
    text = "∀x ∀y (∃z (Know(x, z) ∧ Know(y, z)) → Talk(x, y))"
    formula, warnings = parse_formula(text, lenient=True)
    assert formula == parse_formula(text)[0] and warnings == ()


def test_ambiguous_parenthesis_is_not_guessed() -> None:
    with pytest.raises(DSLSyntaxError) as info:
        parse_formula("Luxury(jess) ⊕ Miserly(jess)) → Luxury(jess)", lenient=True)
    assert info.value.span is not None and info.value.span.column == 29


def test_program_repairs_name_their_line_and_spare_good_lines() -> None:
    text = "Premises:\nP(a) ^ Q(a) ::: uses a caret\nR(a) ::: fine\nConclusion:\nR(a).\n"
    checked = load_problem(text, lenient=True)
    assert checked.warnings == ("line 2: replaced '^' with '∧'", "line 5: removed a final '.'")
    assert [s.gloss for s in checked.problem.premises] == ["uses a caret", "fine"]
    with pytest.raises(DSLSyntaxError):
        parse_program(text)


def test_lenient_does_not_touch_valid_text() -> None:
    text = "Premises:\n∀x (P(x) → Q(x))\nP(a)\nConclusion:\nQ(a)\n"
    assert load_problem(text, lenient=True).warnings == ()


def test_quantifier_free_premises_are_universally_closed_in_lenient_mode_only() -> None:
    text = "Premises:\n¬Begins35(x) → ¬Begins34(x)\nBegins34(p1)\nConclusion:\n¬Begins35(p1)\n"
    checked = load_problem(text, lenient=True)
    assert to_dsl(checked.problem.premises[0].formula) == "∀x (¬Begins35(x) → ¬Begins34(x))"
    assert checked.warnings == (
        "line 2: read free variable(s) x of a premise as universally quantified",
    )
    with pytest.raises(SemanticError):
        load_problem(text)
    # Never in a conclusion ("some x" is as likely), nor beside other quantifiers.
    with pytest.raises(SemanticError):
        load_problem("Premises:\nP(a)\nConclusion:\nP(x) → Q(x)\n", lenient=True)
    with pytest.raises(SemanticError):
        load_problem("Premises:\n∃x ∃x (P(x) ∧ Q(y))\nConclusion:\nP(a)\n", lenient=True)
    formulas = load_formulas(["P(x) → Q(x)", "P(a)"], "Q(a)", lenient=True)
    assert to_dsl(formulas.problem.premises[0].formula) == "∀x (P(x) → Q(x))"


_PIECES = ["all", "forall", "exists", "∀", "∃", "x", " ", ",", "(", ")", "P", "fall", "_", "→", "é"]


@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
@settings(max_examples=300, deadline=None)
def test_quantifier_scan_agrees_with_the_pattern_it_replaces(text: str) -> None:
    """The one-pass scan says what searching the pattern in every prefix said (that search
    backtracked quadratically: a 48 KB line of ``all``s and commas took 15 s)."""
    reference = re.compile(r"(?:[∀∃]|\b(?:forall|all|exists))[\s\w,]*$")
    marks = _after_quantifier(text)
    assert marks == [bool(reference.search(text[:i])) for i in range(len(text) + 1)]


def test_widening_moves_only_the_quantifiers_that_capture() -> None:
    """`∀x ∃y (…) → Rich(x)`: only ∀x captures; ∃y stays inside the antecedent. Widening
    both made the premise nearly vacuous, and the answer `unknown` instead of `true`."""
    from logicsvc import provers
    from logicsvc.syntax import problem_to_dsl

    premises = ["∀x ∃y (Owns(x, y) ∧ Car(y)) → Rich(x)", "Owns(bob, c1)", "Car(c1)"]
    checked = load_formulas(premises, "Rich(bob)", lenient=True)
    assert "∀x (∃y (Owns(x, y) ∧ Car(y)) → Rich(x))" in problem_to_dsl(checked.problem)
    assert any("'∀x' over '→'" in w for w in checked.warnings)
    assert provers.prove(checked.problem).verdict == "true"
    both = load_formulas(["∀x ∃y P(x, y) → Q(x, y)"], "Q(a, b)", lenient=True)
    assert "∀x ∃y (P(x, y) → Q(x, y))" in problem_to_dsl(both.problem)  # y captured too


@pytest.mark.parametrize(
    "ambiguous",
    ["Rain → Wet, Cold → Ice", "Rain ∨ Snow, Cold", "A, B ∨ C", "A -> B, C", "A xor B, C"],
)
def test_a_comma_that_precedence_would_regroup_is_not_repaired(ambiguous: str) -> None:
    """As ∧ it would bind tighter than the writer's grouping (`Rain → ((Wet ∧ Cold) →
    Ice)`, a wrong answer before): a syntax error goes back instead, to say which."""
    with pytest.raises(DSLSyntaxError):
        load_formulas([ambiguous], "Z", lenient=True)


def test_a_comma_between_conjuncts_is_still_read_as_and() -> None:
    checked = load_formulas(["∀x, y (P(x, y), Q(x) → R(y))", "(A → B), C"], "Z", lenient=True)
    formulas = [to_dsl(s.formula) for s in checked.problem.premises]
    assert formulas == ["∀x ∀y (P(x, y) ∧ Q(x) → R(y))", "(A → B) ∧ C"]


@pytest.mark.parametrize(
    "line",
    ["not(rain) # c", "P(a) # (unbalanced, note", "P(a) ::: a gloss # with, hash ("],
)
def test_a_comment_or_gloss_is_never_repaired(line: str) -> None:
    """Lenient repair looked at `# …` as formula text whenever another line was broken:
    spurious warnings, and `not(rain) # c` read as ¬rain where `not(rain)` is a predicate."""
    program = f"Premises:\n{line}\nQ(a) ^ R(a)\nConclusion:\nR(a)\n"
    checked = load_problem(program, lenient=True)
    assert checked.warnings == ("line 3: replaced '^' with '∧'",)
    plain = load_problem(program.replace(line, line.split("#")[0].split(":::")[0]), lenient=True)
    assert checked.problem.premises[0].formula == plain.problem.premises[0].formula


# --- free variables: "some" for facts, "every" in a rule's condition -----------------


@pytest.mark.parametrize(
    ("premises", "conclusion", "closed", "verdict"),
    [
        # a conjunction of facts: "some", in a premise or a conclusion
        (
            ["Cost(gre, x) ∧ x < 300", "∀y (Cost(gre, y) ∧ y < 500 → Cheap(gre))"],
            "Cheap(gre)",
            "∃x:Int (Cost(gre, x) ∧ x < 300)",
            "true",
        ),
        (
            ["Visit(juan, picuris)", "Range(picuris)"],
            "Visit(juan, y) ∧ Range(y)",
            "∃y (Visit(juan, y) ∧ Range(y))",
            "true",
        ),
        (
            ["State(wss, y) ∧ State(butte, y)"],
            "∃s (State(wss, s) ∧ State(butte, s))",
            "∃y (State(wss, y) ∧ State(butte, y))",
            "true",
        ),
        # the condition of a universal rule: ∀ over the implication
        (
            ["∀x (Rating(x, y) ∧ y > 9 → Good(x))", "Rating(film, 10)"],
            "Good(film)",
            "∀x ∀y:Int (Rating(x, y) ∧ y > 9 → Good(x))",
            "true",
        ),
        (
            ["∀x (Rating(x, y) ∧ y > 9 → Good(x))", "Rating(film, 8)"],
            "Good(film)",
            "∀x ∀y:Int (Rating(x, y) ∧ y > 9 → Good(x))",
            "unknown",
        ),
        (
            ["∀x (Win(x, y) → Lose(y, x))", "Win(ali, joe)"],
            "Lose(joe, ali)",
            "∀x ∀y (Win(x, y) → Lose(y, x))",
            "true",
        ),
    ],
)
def test_free_variables_read_where_one_reading_is_clear(
    premises: list[str], conclusion: str, closed: str, verdict: str
) -> None:
    from logicsvc import provers
    from logicsvc.syntax import problem_to_dsl

    checked = load_formulas(premises, conclusion, lenient=True)
    assert closed in problem_to_dsl(checked.problem)
    notes = [w for w in checked.warnings if "free variable" in w]
    assert len(notes) == 1 and ("'some'" in notes[0]), checked.warnings
    assert provers.prove(checked.problem).verdict == verdict
    with pytest.raises(SemanticError) as info:
        load_formulas(premises, conclusion)  # strict mode refuses every one
    assert info.value.code == "free_variable"


def test_a_free_variable_under_a_denied_existential_is_part_of_what_does_not_exist() -> None:
    """``¬∃x (… y …)`` is ``¬∃x ∃y (…)``, i.e. ``∀y ¬∃x (…)``; ``∃y`` outside would hold of
    anything that is not a mine, so the reading is not a guess."""
    from logicsvc import provers
    from logicsvc.syntax import problem_to_dsl

    denial = "¬∃x (Range(x) ∧ In(x, texas) ∧ Mine(y) ∧ Donated(y) ∧ LocatedIn(y, x))"
    facts = ["Range(picuris)", "Mine(harding)", "Donated(harding)", "LocatedIn(harding, picuris)"]
    checked = load_formulas([denial, *facts], "¬In(picuris, texas)", lenient=True)
    assert "¬∃x ∃y (Range(x) ∧ In(x, texas)" in problem_to_dsl(checked.problem)
    assert checked.warnings == (
        "premise 1: read free variable(s) y under '¬∃x' as part of what does not exist "
        "(¬∃x ∃y (…), the same as universally quantified outside)",
    )
    assert provers.prove(checked.problem).verdict == "true"
    with pytest.raises(SemanticError):
        load_formulas([denial, *facts], "¬In(picuris, texas)")


@pytest.mark.parametrize(
    "ambiguous",
    [
        "¬∀x (P(x) ∧ Q(y))",  # ∃x ¬(…): "some y" or "every y" differ
        "¬(∃x P(x) ∧ Q(y))",
        "∀x (Student(x) → Attends(x, y))",  # one school for all, or one each?
        "∀x (Rating(x, y) ↔ Good(x))",  # (∃y R) ↔ G and ∀y (R ↔ G) differ
        "∀x (Student(x) ∧ Attends(x, y))",
        "∃x (P(x) ∧ Q(y))",
        "∀x (P(x) → Q(x)) ∧ R(y)",
        "∀x (P(y) → Q(x)) ∧ R(y, x)",
    ],
)
def test_free_variables_with_two_readings_are_left_to_fail(ambiguous: str) -> None:
    for premises, conclusion in (([ambiguous], "Z"), ([], ambiguous)):
        with pytest.raises(SemanticError) as info:
            load_formulas(premises, conclusion, lenient=True)
        assert info.value.code == "free_variable"


@pytest.mark.parametrize("conclusion", ["¬Unicorn(x)", "¬Unicorn(x) ∧ Horse(a)", "P(x) ∨ Q(x)"])
def test_a_conclusion_is_read_as_facts_only_when_a_positive_fact_names_the_variable(
    conclusion: str,
) -> None:
    """ "¬Unicorn(x)": no unicorns at all, or something that is no unicorn? Both are sane."""
    with pytest.raises(SemanticError):
        load_formulas(["P(a)"], conclusion, lenient=True)


def test_a_conjunction_premise_with_only_negated_mentions_stays_universal() -> None:
    """Unchanged from before: ∀ for a quantifier-free premise that is not facts-naming."""
    checked = load_formulas(["¬Unicorn(x) ∧ Horse(a)"], "¬Unicorn(a)", lenient=True)
    assert checked.warnings == (
        "premise 1: read free variable(s) x of a premise as universally quantified",
    )


@pytest.mark.parametrize(
    ("text", "repaired", "name"),
    [
        (
            "∀x ∀y (Club(x) ∧ y ∈ x → Member(y))",
            "∀x ∀y (Club(x) ∧ ElementOf(y, x) → Member(y))",
            "ElementOf",
        ),
        ("gre ∉ tests", "¬ElementOf(gre, tests)", "ElementOf"),
        ("a ∈ s ∧ ElementOf(b)", "ElementOf_2(a, s) ∧ ElementOf(b)", "ElementOf_2"),  # no clash
    ],
)
def test_set_membership_is_the_relation_it_denotes(text: str, repaired: str, name: str) -> None:
    with pytest.raises(DSLSyntaxError):
        parse_formula(text)
    formula, warnings = parse_formula(text, lenient=True)
    assert to_dsl(formula) == repaired
    assert any(f"as the relation {name}(element, set)" in w for w in warnings), warnings


def test_membership_takes_a_name_the_whole_program_does_not_use() -> None:
    text = (
        "Premises:\n∀x (ElementOf(x) → P(x)) ::: ElementOf_2 in a gloss counts too\n"
        "a ∈ s\nConclusion:\nElementOf(a)\n"
    )
    checked = load_problem(text, lenient=True)
    assert to_dsl(checked.problem.premises[1].formula) == "ElementOf_3(a, s)"
    request = load_formulas(["a ∈ s", "ElementOf(a)"], "P(a)", lenient=True)
    assert to_dsl(request.problem.premises[0].formula) == "ElementOf_2(a, s)"


@pytest.mark.parametrize("text", ["∀x ∈ S (P(x))", "P(a) ∈ Q", "∀x (Q(x) ∈ R)"])
def test_membership_is_not_guessed_for_bounded_quantifiers_or_formulas(text: str) -> None:
    with pytest.raises(DSLSyntaxError):
        parse_formula(text, lenient=True)

"""ProofWriter-style programs (Logic-LM's Pyke format) → DSL, and style detection.

Every construct, every rejection with its original line, and round trips through
``load_problem`` and the provers on hand-written programs.
"""

from __future__ import annotations

import pytest

from logicsvc import provers
from logicsvc.errors import DSLSyntaxError, SemanticError
from logicsvc.load import load_problem
from logicsvc.translate.formats import detect_style, to_dsl_program
from logicsvc.translate.formats.proofwriter_style import to_dsl

PROGRAM = """Predicates:
Sees($x, $y, bool) ::: Does x see y?
Green($x, bool) ::: Is x green?
Kind($x, bool) ::: Is x kind?

Facts:
Sees(cat, Cow, True) ::: The cat sees the cow.
Green(cat, False) ::: The cat is not green.

Rules:
Sees($x, Cow, True) && Green($x, False) >>> Kind($x, True) ::: If someone sees the cow ...
Kind($y, True) && Sees($y, $x, True) >>> Green($x, True) && Kind($x, False) ::: two heads
Kind(cat, True) >>> Sees(Cow, cat, True)

Query:
Kind(cat, False) ::: The cat is not kind.
"""

CONVERTED = """Predicates:
Sees(x, y) ::: Does x see y?
Green(x) ::: Is x green?
Kind(x) ::: Is x kind?

Premises:
Sees(cat, Cow) ::: The cat sees the cow.
¬Green(cat) ::: The cat is not green.

# Rules:
∀x (Sees(x, Cow) ∧ ¬Green(x) → Kind(x)) ::: If someone sees the cow ...
∀y ∀x (Kind(y) ∧ Sees(y, x) → Green(x) ∧ ¬Kind(x)) ::: two heads
Kind(cat) → Sees(Cow, cat)

Conclusion:
¬Kind(cat) ::: The cat is not kind.
"""


def convert(program: str, *, lenient: bool = False) -> tuple[str, tuple[str, ...]]:
    return to_dsl(program, lenient=lenient)


def pw(facts: str, rules: str = "", query: str = "Kind(cat, True)") -> str:
    return f"Facts:\n{facts}\nRules:\n{rules}\nQuery:\n{query}\n"


# --- conversion -----------------------------------------------------------------------


def test_every_construct_converts_line_for_line() -> None:
    text, notes = convert(PROGRAM)
    assert text == CONVERTED and notes == ()
    assert len(text.split("\n")) == len(PROGRAM.split("\n"))  # line k comes from line k


def test_declarations_lose_the_bool_and_keep_their_arity() -> None:
    checked = load_problem(convert(PROGRAM)[0])
    arities = {d.name: len(d.params) for d in checked.problem.predicates}
    assert arities == {"Sees": 2, "Green": 1, "Kind": 1}
    assert checked.warnings == ()


@pytest.mark.parametrize(
    ("literal", "dsl"),
    [
        ("Big(Charlie, True)", "Big(Charlie)"),
        ("Big(Charlie, False)", "¬Big(Charlie)"),
        ("Eats( bear , BaldEagle,False )", "¬Eats(bear, BaldEagle)"),
        ("Raining(True)", "Raining()"),
    ],
)
def test_polarity_is_the_last_argument(literal: str, dsl: str) -> None:
    text, _ = convert(pw(literal))
    assert text.split("\n")[1] == dsl


def test_rule_variables_are_quantified_in_order_of_appearance() -> None:
    rule = "Likes($b, $a, True) && Big($a, True) >>> Likes($a, $b, True)"
    text, _ = convert(pw("Big(cat, True)", rule))
    assert text.split("\n")[3] == "∀b ∀a (Likes(b, a) ∧ Big(a) → Likes(a, b))"


def test_sections_may_be_missing_or_swapped_and_lines_still_match() -> None:
    program = (
        "Rules:\nBig($x, True) >>> Kind($x, True)\nFacts:\nBig(cat, True)\nQuery:\nKind(cat, True)"
    )
    text, _ = convert(program)
    assert text.split("\n") == [
        "Premises:",
        "∀x (Big(x) → Kind(x))",
        "# Facts:",
        "Big(cat)",
        "Conclusion:",
        "Kind(cat)",
    ]
    assert convert("Facts:\r\nBig(cat, True)\r\nQuery:\r\nBig(cat, True)\r\n")[0].count("\n") == 4


def test_gloss_is_kept_verbatim_even_with_symbols() -> None:
    text, _ = convert(pw("Big(cat, True) ::: a >>> b && c, False)"))
    assert text.split("\n")[1] == "Big(cat) ::: a >>> b && c, False)"


# --- lenient repairs ------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["!", "¬", "~", "not "])
def test_prefix_negation_is_a_lenient_repair_with_a_note(prefix: str) -> None:
    program = pw("Big(cat, True)", f"Big($x, True) >>> {prefix}Kind($x, True)")
    text, notes = convert(program, lenient=True)
    assert text.split("\n")[3] == "∀x (Big(x) → ¬Kind(x))"
    assert notes == (f"line 4: read prefix {prefix.strip()!r} as negation",)
    with pytest.raises(DSLSyntaxError, match="as the last argument False") as strict:
        convert(program)
    assert strict.value.span is not None and strict.value.span.line == 4


def test_prefix_negation_on_a_false_literal_is_ambiguous_even_when_lenient() -> None:
    with pytest.raises(DSLSyntaxError, match="not as a prefix") as exc:
        convert(pw("!Big(cat, False)"), lenient=True)
    assert exc.value.span is not None and exc.value.span.line == 2


def test_misplaced_rules_and_facts_are_lenient_repairs() -> None:
    program = (
        "Facts:\nBig(cat, True)\nBig($x, True) >>> Kind($x, True)\n"
        "Rules:\nRed(cat, True)\nQuery:\nKind(cat, True)"
    )
    text, notes = convert(program, lenient=True)
    assert text.split("\n")[2:5] == ["∀x (Big(x) → Kind(x))", "# Rules:", "Red(cat)"]
    assert notes == (
        "line 3: read a rule under Facts: as written",
        "line 5: read a fact under Rules: as written",
    )
    with pytest.raises(DSLSyntaxError, match="a rule under Facts:") as exc:
        convert(program)
    assert exc.value.span is not None and (exc.value.span.line, exc.value.span.column) == (3, 15)
    with pytest.raises(DSLSyntaxError, match="a fact under Rules:") as exc:
        convert(pw("Big(cat, True)", "Red(cat, True)"))
    assert exc.value.span is not None and exc.value.span.line == 4


# --- rejections: each names the original line and shows it with a caret -----------------

ERRORS = [
    # (program, line, column, message fragment)
    ("Facts:\nBig(cat, True)\n\n", 2, 15, "missing Query: section"),  # after the last line
    ("", 1, 1, "missing Query: section"),
    ("Facts:\nBig(cat, True)\nQuery:\n\n# nothing", 5, 1, "expected a literal"),
    (pw("Big(cat)"), 2, 5, "needs True or False"),
    (pw("Big(cat, Unknown)"), 2, 10, "needs True or False"),
    (pw("Big(cat, True)", "Big($x) >>> Kind($x, True)"), 4, 5, "needs True or False"),
    ("Facts:\nBig(cat, True)\nQuery:\nBig(cat, True)\nRules:\n", 5, 1, "must be the last"),
    (
        "Facts:\nBig(cat, True)\nAnswer: True\nQuery:\nBig(cat, True)",
        3,
        1,
        "unknown section 'Answer:'",
    ),
    (pw("Big(cat, True)", "", "Big(cat, True)\nKind(cat, True)"), 7, 1, "more than one query"),
    ("Facts:\nBig(cat, True)\nQuery:\nBig(cat, True)\nFacts:\n", 5, 1, "a second Facts:"),
    (
        "Facts:\nBig(cat, True)\nPredicates:\nBig($x, bool)\nQuery:\nBig(cat, True)",
        3,
        1,
        "first section",
    ),
    ("Predicates:\nBig($x, bool)\nQuery:\nBig(cat, True)\nFacts:\n", 3, 1, "no Facts: or Rules:"),
    ("Facts:\nBig(cat, True)\nQuery:\n\n", 3, 1, "the Query: section is empty"),
    ("Here is the program:\n" + pw("Big(cat, True)"), 1, 1, "text before the first section"),
    ("Query: Big(cat, True)\n", 1, 1, "below its header"),
    ("Predicates:\nBig($x, $y)\n" + pw("Big(cat, True)"), 2, 9, "a declaration ends with bool"),
    (pw("Not(Big(cat), True) ::: not big"), 2, 1, "expected a literal"),
    (pw("Big(cat, True) && Red(cat, True)"), 2, 16, "a fact is one literal"),
    (pw("Big($x, True)"), 2, 5, "must be ground"),
    (pw("Big(cat, True)", "", "Kind($x, True)"), 6, 6, "must be ground"),
    (
        pw("Big(cat, True)", "", "Big(cat, True) >>> Kind(cat, True)"),
        6,
        16,
        "a query is not a rule",
    ),
    (
        pw("Big(cat, True)", "Big($x, True) >>> Red($x, True) >>> Kind($x, True)"),
        4,
        33,
        "one '>>>'",
    ),
    (pw("Big(cat, True)", "Big($x, True) >>> Kind(x, True)"), 4, 24, "'x' without '$'"),
    (pw("Big(cat, True)", "Big($x, True) &&  >>> Kind($x, True)"), 4, 19, "expected a literal"),
    (pw("Big(cat, $, True)"), 2, 1, "malformed argument"),
    (pw("Harry is nice"), 2, 1, "expected a literal"),
    (pw("..."), 2, 1, "expected a literal"),
]


@pytest.mark.parametrize(("program", "line", "column", "fragment"), ERRORS)
def test_rejections_name_the_original_line(
    program: str, line: int, column: int, fragment: str
) -> None:
    with pytest.raises(DSLSyntaxError) as exc:
        convert(program, lenient=True)
    error = exc.value
    assert fragment in error.message
    assert error.code == "syntax_error" and error.span is not None
    assert (error.span.line, error.span.column) == (line, column)
    shown, caret = (error.context or "").split("\n")
    assert shown == program.split("\n")[line - 1]
    assert caret.strip().startswith("^") and len(caret) - len(caret.lstrip()) == column - 1
    assert f"line {line}, column {column}" in str(error)
    assert error.to_dict()["code"] == "syntax_error"


# --- round trips through load_problem and the provers ---------------------------------


@pytest.mark.parametrize(
    ("query", "world", "verdict"),
    [
        ("Kind(cat, False)", "explicit", "false"),  # Sees(cat,Cow) ∧ ¬Green(cat) → Kind(cat)
        ("Kind(cat, True)", "explicit", "true"),
        ("Sees(Cow, cat, True)", "explicit", "true"),  # chained through a ground rule
        ("Green(Cow, True)", "explicit", "true"),  # the conjunctive head, x = Cow
        ("Kind(Cow, True)", "explicit", "false"),
        ("Sees(cat, cat, True)", "explicit", "unknown"),
        ("Kind(cat, True)", "open", "true"),
    ],
)
def test_round_trip_through_load_and_prove(query: str, world: provers.World, verdict: str) -> None:
    program = PROGRAM.replace("Kind(cat, False) ::: The cat is not kind.", query)
    checked = load_problem(convert(program)[0])
    result = provers.prove(checked.problem, world=world)
    assert (result.status, result.verdict) == ("ok", verdict)


def test_conjunctive_head_and_contraposition_in_explicit_vs_open_world() -> None:
    program = pw(
        "Kind(bob, True)\nSees(bob, cat, True)\nGreen(dog, False)",
        "Kind($y, True) && Sees($y, $x, True) >>> Green($x, True) && Kind($x, False)\n"
        "Big($x, True) >>> Green($x, True)",
        "Big(dog, False)",
    )
    problem = load_problem(convert(program)[0]).problem
    assert provers.prove(problem, world="explicit").verdict == "unknown"  # no contraposition
    assert provers.prove(problem, world="open").verdict == "true"
    heads = program.replace("Big(dog, False)", "Kind(cat, False)")
    result = provers.prove(load_problem(convert(heads)[0]).problem, world="explicit")
    assert (result.verdict, result.used_premises) == ("true", (0, 1, 3))


def test_semantic_errors_after_conversion_keep_the_original_line() -> None:
    program = "Predicates:\nSees($x, $y, bool)\n" + pw("Sees(cat, True) ::: wrong arity")
    with pytest.raises(SemanticError) as exc:
        load_problem(convert(program)[0])
    assert exc.value.code == "arity_mismatch"
    assert exc.value.span is not None and exc.value.span.line == 4
    assert program.split("\n")[3].startswith("Sees(cat, True)")


def test_constants_with_spaces_are_left_to_the_dsl_parser() -> None:
    text, _ = convert(pw("Big(bald eagle, True)", "", "Big(bald eagle, True)"))
    with pytest.raises(DSLSyntaxError) as exc:
        load_problem(text)
    assert exc.value.span is not None and exc.value.span.line == 2
    checked = load_problem(text, lenient=True)
    assert provers.prove(checked.problem, world="explicit").verdict == "true"
    assert any("bald_eagle" in w for w in checked.warnings)


# --- style detection ------------------------------------------------------------------

FOLIO = (
    "Predicates:\nMan(x) ::: x is a man.\nPremises:\nMan(socrates)\nConclusion:\nMan(socrates)\n"
)


@pytest.mark.parametrize(
    ("program", "style"),
    [
        (PROGRAM, "proofwriter"),
        (FOLIO, "folio"),
        ("Rules:\nA($x, True) >>> B($x, True)", "proofwriter"),
        ("A(a, True) >>> B(a, True)", "proofwriter"),
        ("Facts:\nA(a, True)\nConclusion:\nA(a)", "folio"),  # mixed: the DSL parser reports
        ("", "folio"),
        ("just text", "folio"),
    ],
)
def test_detect_style(program: str, style: str) -> None:
    assert detect_style(program) == style


def test_to_dsl_program_passes_folio_through_and_converts_proofwriter() -> None:
    assert to_dsl_program(FOLIO) == ("folio", FOLIO, ())
    assert to_dsl_program(PROGRAM) == ("proofwriter", CONVERTED, ())
    program = pw("Big(cat, True)", "Big($x, True) >>> !Kind($x, True)")
    assert to_dsl_program(program, lenient=True)[2] == ("line 4: read prefix '!' as negation",)
    with pytest.raises(DSLSyntaxError):
        to_dsl_program(program)

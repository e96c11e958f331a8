"""Every grammar an LLM may be constrained with compiles under llguidance, and whatever a
decoder following it can write, our parser reads.

The samples are random walks under llguidance's own token masks (the byte vocabulary of
``tests/llguidance_helpers.py``), so they are what a model with arbitrary weights would
write under vLLM's guidance backend; each must end, parse in strict mode and name exactly
one conclusion.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import llguidance
import pytest

from logicsvc.errors import DSLSyntaxError
from logicsvc.llm import constraints
from logicsvc.llm.constraints import GRAMMARS, DecodingLimits, decoding_grammar
from logicsvc.llm.prompts import extract_program
from logicsvc.load import load_formulas
from logicsvc.syntax import parse_program
from logicsvc.syntax.printer import problem_to_dsl
from tests.llguidance_helpers import EOS, allowed, byte_tokenizer

TIGHT = DecodingLimits(
    max_predicates=2,
    max_premises=3,
    max_gloss_chars=6,
    max_comment_chars=4,
    max_blank_lines=1,
)
# Bytes that close something: a random walk leaning on them ends in a few hundred steps.
CLOSERS = {ord("\n"): 40.0, ord(")"): 20.0, EOS: 40.0}
MAX_STEPS = 20_000


@pytest.fixture(scope="module")
def tokenizer() -> llguidance.LLTokenizer:
    return byte_tokenizer()


def _matcher(tokenizer: llguidance.LLTokenizer, grammar: str) -> llguidance.LLMatcher:
    matcher = llguidance.LLMatcher(tokenizer, llguidance.grammar_from("lark", grammar), log_level=0)
    assert not matcher.is_error(), matcher.get_error()
    return matcher


def accepts(tokenizer: llguidance.LLTokenizer, grammar: str, text: str) -> bool:
    matcher = _matcher(tokenizer, grammar)
    data = list(text.encode("utf-8"))
    return matcher.try_consume_tokens(data) == len(data) and matcher.is_accepting()


def random_walk(tokenizer: llguidance.LLTokenizer, grammar: str, rng: random.Random) -> str:
    """Sample bytes the mask allows (closers preferred) until the matcher stops at EOS."""
    matcher = _matcher(tokenizer, grammar)
    out = bytearray()
    for _ in range(MAX_STEPS):
        mask = matcher.compute_bitmask()
        choices = [t for t in range(EOS + 1) if allowed(mask, t)]
        assert choices, f"dead end after {bytes(out)!r}"
        token = rng.choices(choices, [CLOSERS.get(t, 1.0) for t in choices])[0]
        assert matcher.consume_token(token), matcher.get_error()
        if token == EOS:
            assert matcher.is_stopped()
            return out.decode("utf-8")
        out.append(token)
    raise AssertionError(f"no end after {MAX_STEPS} bytes: {bytes(out[:200])!r}…")


@pytest.mark.parametrize("name", sorted(GRAMMARS))
@pytest.mark.parametrize("limits", [DecodingLimits(), TIGHT], ids=["default", "tight"])
def test_every_decoding_grammar_validates(
    tokenizer: llguidance.LLTokenizer, name: str, limits: DecodingLimits
) -> None:
    grammar = llguidance.grammar_from("lark", GRAMMARS[name](limits))
    assert llguidance.LLMatcher.validate_grammar(grammar, tokenizer) == ""
    assert llguidance.LLMatcher.validate_grammar_with_warnings(grammar, tokenizer) == (False, [])


@pytest.mark.parametrize("seed", range(120))
def test_random_walks_under_the_decoding_grammar_parse(
    tokenizer: llguidance.LLTokenizer, seed: int
) -> None:
    text = random_walk(tokenizer, decoding_grammar(TIGHT), random.Random(seed))
    program = parse_program(text).program  # strict: DSLSyntaxError on anything else
    assert len(program.conclusions) == 1, text
    assert len(program.premises) <= TIGHT.max_premises
    # what the loop reads out of the reply is the same program, whatever its glosses hold
    assert parse_program(extract_program(text)).program == program, text


@pytest.mark.parametrize("seed", range(40))
def test_random_walks_under_the_choice_grammar_parse_to_questions(
    tokenizer: llguidance.LLTokenizer, seed: int
) -> None:
    text = random_walk(tokenizer, GRAMMARS["choice"](TIGHT), random.Random(seed))
    program = parse_program(text).program  # strict
    assert program.question is not None and not program.conclusions, text
    assert 1 <= len(program.question.options) <= TIGHT.max_options
    assert parse_program(extract_program(text)).program == program, text


def test_keywords_of_the_typed_language_are_not_names(tokenizer: llguidance.LLTokenizer) -> None:
    """`distinct(` and `count` are keywords to Lark's lexer; the decoder must agree."""
    grammar = GRAMMARS["choice"](DecodingLimits())
    ask = "Question: must be true\nOptions:\nA) Q\n"
    for formula in ("distinct()", "P(count)", "count(a)"):
        assert not accepts(tokenizer, grammar, f"Premises:\n{formula}\n{ask}")
    assert accepts(tokenizer, grammar, f"Premises:\ndistinct(a, b)\n{ask}")


def test_yes_no_programs_decode_in_the_untyped_language(tokenizer: llguidance.LLTokenizer) -> None:
    """The folio/rulebase prompts teach untyped logic: their decoding grammar is exactly it
    (a random sampler under every typed branch rarely reaches the conclusion)."""
    grammar = decoding_grammar()
    for formula in ("distinct(a, b)", "x + 1 < 2", "∀c:Child P(c)", "f(a) = b"):
        assert not accepts(tokenizer, grammar, f"Premises:\n{formula}\nConclusion:\nQ\n")
    assert not accepts(tokenizer, grammar, "Sorts:\nS = {a}\nPremises:\nP(a)\nConclusion:\nQ\n")
    assert accepts(tokenizer, grammar, "Premises:\n∀x (P(x) → x = a)\nConclusion:\n-Q\n")


def test_the_decoding_grammar_asks_for_exactly_one_conclusion(
    tokenizer: llguidance.LLTokenizer,
) -> None:
    grammar = decoding_grammar()
    one = "Premises:\nP(a)\nConclusion:\nQ(a)\n"
    assert accepts(tokenizer, grammar, one)
    assert not accepts(tokenizer, grammar, "Premises:\nP(a)\nConclusion:\n")
    assert not accepts(tokenizer, grammar, one + "R(a)\n")
    # the parsing grammar reads both; the checker is what rejects them there
    assert len(parse_program(one + "R(a)\n").program.conclusions) == 2


def test_lexemes_and_sections_are_bounded(tokenizer: llguidance.LLTokenizer) -> None:
    grammar = decoding_grammar(TIGHT)

    def program(premises: str, conclusion: str = "Q(a)") -> str:
        return f"Premises:\n{premises}Conclusion:\n{conclusion}\n"

    assert accepts(tokenizer, grammar, program("Abcd(a) ::: abcde\n"))
    assert not accepts(tokenizer, grammar, program("P(a) ::: abcdef\n"))  # gloss over 6
    assert accepts(tokenizer, grammar, program("P(a)\n\nP(b)\nP(c)\n"))  # one blank line
    assert not accepts(tokenizer, grammar, program("P(a)\n\n\nP(b)\n"))
    assert not accepts(tokenizer, grammar, program("P(a)\nP(b)\nP(c)\nP(d)\n"))  # 4 > 3
    assert accepts(tokenizer, grammar, program("P(a) #abc\n#\nP(b)\n"))
    assert not accepts(tokenizer, grammar, program("P(a) # abcde\n"))  # comment over 4
    assert not accepts(tokenizer, grammar, program("P(a)\n#abcdP(b)\n"))  # glued after it
    for text in (
        program("Abcd(a) ::: abcde\n"),
        program("P(a)\n\nP(b)\nP(c)\n"),
        program("P(a) #abc\n#\nP(b)\n"),
    ):
        parse_program(text)


def test_the_derivation_fails_loudly_when_fol_lark_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = constraints.read_grammar("fol")
    monkeypatch.setattr(
        constraints, "read_grammar", lambda _name: source.replace("GLOSS: /", "GLOSS:  /")
    )
    decoding_grammar.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="GLOSS"):
            decoding_grammar(DecodingLimits(max_premises=7))
    finally:
        decoding_grammar.cache_clear()


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="max_gloss_chars"):
        DecodingLimits(max_gloss_chars=-1)


def test_keywords_come_from_the_grammar() -> None:
    assert constraints.keywords(constraints.read_grammar("fol")) == (
        "all",
        "count",
        "exists",
        "forall",
        "not",
        "xor",
    )


@pytest.mark.parametrize(
    "formula",
    [
        "not",
        "all = b",
        "a = not",
        "P(not)",
        "not(a)",
        "xor(a, b)",
        "forall(x)",
        "∀x exists",
        "not P(a)",
        "all x P(x)",
        "P(a) xor Q(a)",
        "notable ∧ allx ∧ xor1(a)",
    ],
)
def test_what_the_decoder_may_write_with_keywords_the_parser_reads(
    tokenizer: llguidance.LLTokenizer, formula: str
) -> None:
    """A name spelled like a keyword is the one place Lark and llguidance read differently."""
    text = f"Premises:\n{formula}\nConclusion:\nQ(a)\n"
    try:
        parse_program(text)
        parses = True
    except DSLSyntaxError:
        parses = False
    if accepts(tokenizer, decoding_grammar(), text):
        assert parses, formula
    # the keyword forms themselves stay usable
    if formula in ("not P(a)", "all x P(x)", "P(a) xor Q(a)", "notable ∧ allx ∧ xor1(a)"):
        assert parses and accepts(tokenizer, decoding_grammar(), text)


def test_every_folio_gold_program_as_printed_is_allowed(
    tokenizer: llguidance.LLTokenizer, shared_datasets: Path
) -> None:
    """The bounds forbid nothing a real program needs: all 86 FOLIO validation-A gold
    programs, printed canonically (with each premise's sentence as its gloss), are accepted."""
    grammar = decoding_grammar()
    path = shared_datasets / "folio" / "folio-validation-A.jsonl"
    refused = []
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        checked = load_formulas(record["premises-FOL"], record["conclusion-FOL"], lenient=True)
        premises = checked.problem.premises
        if len(premises) == len(record["premises"]):  # a few items pair them unevenly
            premises = tuple(
                replace(statement, gloss=" ".join(sentence.split()))
                for statement, sentence in zip(premises, record["premises"], strict=True)
            )
        text = problem_to_dsl(replace(checked.problem, premises=premises))
        count += 1
        parse_program(text)
        if not accepts(tokenizer, grammar, text):
            refused.append(text)
    assert count == 86 and not refused, refused[:3]

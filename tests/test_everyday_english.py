"""Everyday English through ``reason``, offline: a hand-checked set of entailment problems.

``tests/data/everyday_english.json`` holds problems written for the fragment's
constructs (premises, conclusion, gold verdict in classical logic, construct).
A refusal (``untranslatable``) is allowed; a wrong verdict never is.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from logicsvc.errors import UntranslatableError
from logicsvc.reasoning import reason
from logicsvc.syntax import to_dsl
from logicsvc.translate.controlled import translate_sentence

ITEMS = json.loads((Path(__file__).parent / "data" / "everyday_english.json").read_text("utf-8"))
CONSTRUCTS = {
    "transitive verb", "intransitive verb", "negated verb", "the X", "relational noun",
    "relative clause", "everybody", "everyone", "anybody", "anything", "nobody", "somebody",
    "someone", "coordinated names", "coordinated adjectives", "coordinated clauses",
    "either or", "neither nor", "proposition", "comparative", "bare plural", "all plural",
}  # fmt: skip


def _verdict(item: dict[str, object]) -> str:
    premises = item["premises"]
    assert isinstance(premises, list)
    try:
        return reason(premises, str(item["conclusion"])).result.verdict
    except UntranslatableError:
        return "refused"


def test_the_set_covers_every_construct() -> None:
    assert len(ITEMS) >= 60
    counts = Counter(item["construct"] for item in ITEMS)
    assert set(counts) >= CONSTRUCTS
    assert {item["gold"] for item in ITEMS} == {"true", "false", "unknown"}


def test_everyday_english_no_wrong_verdict() -> None:
    verdicts = [_verdict(item) for item in ITEMS]
    wrong = [
        (item["premises"], item["conclusion"], item["gold"], got)
        for item, got in zip(ITEMS, verdicts, strict=True)
        if got not in (item["gold"], "refused")
    ]
    assert wrong == []
    correct = sum(got == item["gold"] for item, got in zip(ITEMS, verdicts, strict=True))
    assert correct / len(ITEMS) >= 0.9


NEWCOMER = [
    ("John loves Mary.", "Love(john, mary)"),
    ("Bob sees Anne.", "See(bob, anne)"),
    ("Paul lies.", "Lie(paul)"),
    ("If someone is honest then they do not lie.", "∀x (Honest(x) → ¬Lie(x))"),
    ("Nobody who is honest lies.", "∀x (Honest(x) → ¬Lie(x))"),
    ("Bob and Anne are big.", "Big(bob) ∧ Big(anne)"),
    ("Mary is taller than John.", "TallerThan(mary, john)"),
    # ACE's donkey reading: "a dog" in the restriction is universal
    ("Everyone who owns a dog is happy.", "∀x ∀y (Dog(y) ∧ Own(x, y) → Happy(x))"),
    ("Every man loves a woman.", "∀x (Man(x) → ∃y (Woman(y) ∧ Love(x, y)))"),
    ("Bob does not own a dog.", "¬∃x (Dog(x) ∧ Own(bob, x))"),
    ("Every dog that John owns is big.", "∀x (Dog(x) ∧ Own(john, x) → Big(x))"),
    (
        "Every doctor who works at the hospital is rich.",
        "∀x (Doctor(x) ∧ WorkAt(x, hospital) → Rich(x))",
    ),
    ("Tom is a friend of Jerry.", "FriendOf(tom, jerry)"),
    ("It rains.", "Rain"),
    ("Either Bob sings or Bob dances but not both.", "Sing(bob) ⊕ Dance(bob)"),
    ("Neither Bob nor Anne is rich.", "¬Rich(bob) ∧ ¬Rich(anne)"),
    ("Dogs bark.", "∀x (Dog(x) → Bark(x))"),
    ("Cats chase the mouse.", "∀x (Cat(x) → Chase(x, mouse))"),
    # APE's regression text 295 (tests/acetexts.pl): the DRS ACE gives, "it" is the donkey
    (
        "Every farmer who owns a donkey beats it.",
        "∀x ∀y (Farmer(x) ∧ Donkey(y) ∧ Own(x, y) → Beat(x, y))",
    ),
    ("It is not the case that every dog barks.", "¬∀x (Dog(x) → Bark(x))"),
    (
        "If a farmer owns a donkey then the farmer beats the donkey.",
        "∀x ∀y (Farmer(x) ∧ Donkey(y) ∧ Own(x, y) → Beat(x, y))",
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), NEWCOMER, ids=[s for s, _ in NEWCOMER])
def test_newcomer_sentences(sentence: str, expected: str) -> None:
    assert to_dsl(translate_sentence(sentence)) == expected


REFUSED = [
    ("Most dogs bark.", "'most'"),
    ("Bob can swim.", "'can'"),
    ("Bob likes dogs.", "try 'every dog'"),
    ("Bob isn't big.", "is not"),
    ("If a man owns a dog then he beats it.", "more than one thing"),
    ("Bob and Anne are friends.", "Bob is a friend of Anne"),
    ("Bob likes anyone.", "everyone"),
    ("Bob sings loudly.", "adverb"),
    ("If Bob is rich Bob is happy.", "'if' without 'then'"),
    ("Bob loves himself.", "reflexive"),
    ("It is big.", "'it' with nothing to refer to"),
    ("Bob does not sing and dance.", "scope"),
    ("Bob is not a doctor or a lawyer.", "scope"),
    ("Not every dog barks.", "It is not the case that every dog barks."),
    ("Bob is the teacher.", "Bob is a teacher."),
    ("A dog is an animal.", "try 'Every dog …' or 'Some dog …'"),
    ("Mary is the tallest.", "Mary is taller than John."),
    ("Anne is happily sad.", "adverb 'happily'"),
]


@pytest.mark.parametrize(("sentence", "why"), REFUSED, ids=[s for s, _ in REFUSED])
def test_refusals_name_the_construct(sentence: str, why: str) -> None:
    with pytest.raises(UntranslatableError) as info:
        translate_sentence(sentence, 2)
    assert why in str(info.value)
    assert (info.value.sentence, info.value.sentence_index) == (sentence, 2)


def test_a_pronoun_never_refers_to_its_own_clause_subject() -> None:
    with pytest.raises(UntranslatableError):
        translate_sentence("The cat does not like it.")
    assert to_dsl(translate_sentence("If someone visits Bob then Bob likes them.")) == (
        "∀x (Visit(x, bob) → Like(bob, x))"
    )


def test_the_readme_table_is_what_the_translator_does() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme[readme.index("### Everyday English") :]
    section = section[: section.index("Readings fixed on purpose")]
    rows = re.findall(r"^\| [^|]+ \| `([^`]+)` \| `([^`]+)` \|$", section, re.M)
    assert len(rows) >= 30
    assert [to_dsl(translate_sentence(s)) for s, _ in rows] == [f for _, f in rows]

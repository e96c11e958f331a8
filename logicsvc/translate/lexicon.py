"""Word forms: one predicate per concept, whatever its inflection.

``men``/``man`` and ``sees``/``see`` must name one predicate each.
lemminflect knows English morphology from a dictionary (irregular plurals,
which words are adjectives) and falls back to rules for unknown words, so we
ask it rather than strip suffixes by hand (through :mod:`lemmas`, which answers as
lemminflect does without reading its table in every process).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from logicsvc.translate import lemmas

# Nouns that restrict nothing: "Big people are kind" is said of anyone big,
# and "All things are nice" of everything.
GENERIC_NOUNS = frozenset(
    {"thing", "things", "person", "people", "one", "ones", "someone", "something",
     "somebody", "everyone", "everything", "everybody"}
)  # fmt: skip
# Nouns that restrict nothing once an adjective names the class: PARARULE-Plus
# says "Quiet animals are lovely" of the lion without calling it an animal,
# while "All cats are animals" is a claim about the class Animal.
GENERIC_WHEN_MODIFIED = frozenset({"animal", "animals", "creature", "creatures"})
# Words that are never names, adjectives, nouns or verbs.  Lark's contextual
# lexer reads a keyword as a WORD where no keyword fits ("Bob is a not cat"),
# and "Most cats are black" must not become an adjective "most": meeting one of
# these where a content word belongs means the sentence has no reading here.
FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "and", "or", "but", "nor", "not", "no", "if", "then", "so",
     "is", "are", "was", "were", "be", "been", "do", "does", "did",
     "it", "its", "they", "them", "their", "he", "she", "him", "her", "his", "hers",
     "we", "us", "our", "you", "your", "i", "me", "my", "this", "that", "these", "those",
     "all", "every", "each", "some", "any", "most", "many", "few", "several", "both",
     "either", "neither", "only", "none", "nothing", "nobody", "everyone", "everybody",
     "everything", "anyone", "anybody", "anything", "someone", "somebody", "something",
     # prepositions and relatives: "The doctor works at the hospital" is no relation "At"
     # between a "doctor_works" and the hospital
     "at", "in", "on", "to", "with", "for", "from", "about", "of", "by", "into", "than",
     "who", "whom", "whose", "which", "as"}
)  # fmt: skip
# Endings of adjectives that must not be read as plural nouns (zorbous, glass).
_NOT_PLURAL = ("ss", "us", "is", "ous")


def all_lemmas(word: str) -> dict[str, Any]:
    """``lemminflect.getAllLemmas``: each word class the dictionary knows, with its lemmas."""
    return lemmas.all_lemmas(word)


def oov_lemma(word: str, upos: str) -> tuple[str, ...]:
    """``lemminflect.getLemma``, its rules guessing for a word the dictionary lacks."""
    return lemmas.lemma(word, upos)


def _name(word: str) -> str:
    cleaned = re.sub(r"[^\w-]", "", word).strip("-")
    return cleaned[:1].upper() + cleaned[1:]


def constant(words: list[str]) -> str:
    """``the bald eagle`` → ``bald_eagle``; ``Bob`` → ``bob``."""
    return "_".join(re.sub(r"[^\w-]", "", w) for w in words)


@cache
def singular(word: str) -> str:
    """The singular of a noun (``men`` → ``man``); other words unchanged."""
    known = all_lemmas(word)
    if "NOUN" in known:
        return str(known["NOUN"][0])
    if known or word.endswith(_NOT_PLURAL):  # a known adjective, verb...: not plural
        return word
    guess = oov_lemma(word, "NOUN")
    return str(guess[0]) if guess else word


def noun_predicate(word: str) -> str:
    return _name(singular(word))


def adjective_predicate(word: str) -> str:
    return _name(word)


@cache
def word_predicate(word: str) -> str:
    """A bare word after "are": an adjective (``mortal``) or a plural noun (``animals``)."""
    known = all_lemmas(word)
    if "ADJ" in known or (not known and (not word.endswith("s") or word.endswith(_NOT_PLURAL))):
        return _name(word)
    return _name(singular(word))


@cache
def passive_participle(word: str) -> str | None:
    """``loved`` → ``love``: a verb form that is no adjective ("Bob is loved" is a passive,
    ∃y Love(y, bob), not an adjective Loved that "Mary loves Bob" could never give)."""
    known = all_lemmas(word)
    if "VERB" not in known or "ADJ" in known or word.endswith(("s", "ing")):
        return None
    lemma = str(known["VERB"][0])
    return lemma if lemma != word else None


@cache
def verb_predicate(word: str) -> str:
    """``sees``, ``see`` → ``See``."""
    lemma = oov_lemma(word, "VERB")
    return _name(str(lemma[0]) if lemma else word)

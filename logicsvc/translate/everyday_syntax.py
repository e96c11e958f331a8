"""Everyday English, parsed: the phrase structure of the ``rules`` translator's second fragment.

ProofWriter's language is read by ``grammars/controlled_english.lark``; what a
newcomer types ("John loves Mary.", "Nobody who is honest lies.") is read here.
Words are an open class, so one sentence can split into names, nouns, verbs and
adjectives in more than one way: the parser (``everyday_parser.py``) is a small
backtracking one that returns *every* complete parse (lemminflect prunes word
classes), and the meaning layer (``everyday.py``) accepts a sentence only when all
its parses mean the same formula.  Nothing here builds formulas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from logicsvc.translate import lexicon


class Refusal(Exception):
    """A construct outside the fragment, named, with a rephrasing where one exists."""


# -- phrase structure -----------------------------------------------------------------


@dataclass(frozen=True)
class Nbar:
    """``big dog``, ``friend of Jerry``, ``doctor who works at the hospital``."""

    adjectives: tuple[str, ...]
    noun: str
    of: NP | None = None
    rel: VP | None = None  # the relative clause as a predicate of the head
    plural: bool = False


@dataclass(frozen=True)
class NP:
    """kind: name, the, pronoun, some, every, no, any, and, or, nor."""

    kind: str
    word: str = ""
    nbar: Nbar | None = None
    parts: tuple[NP, ...] = ()
    the_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class VP:
    """kind: and / or / nor (parts), not (parts[0]), verb, adj, noun, rel (relation to obj)."""

    kind: str
    parts: tuple[VP, ...] = ()
    pred: str = ""
    obj: NP | None = None
    nbar: Nbar | None = None
    gap: bool = False  # object gap: "that John owns"
    subject: NP | None = None  # the subject of an object-gap relative clause


@dataclass(frozen=True)
class S:
    """kind: clause (np, vp), if / and / or / nor / xor (parts), not (parts[0])."""

    kind: str
    parts: tuple[S, ...] = ()
    np: NP | None = None
    vp: VP | None = None


# -- words ---------------------------------------------------------------------------

QUANTIFIER_PRONOUNS = {
    "everyone": "every", "everybody": "every", "everything": "every",
    "someone": "some", "somebody": "some", "something": "some",
    "nobody": "no", "nothing": "no", "noone": "no",
    "anyone": "any", "anybody": "any", "anything": "any",
}  # fmt: skip
DETERMINERS = {"a": "some", "an": "some", "some": "some", "every": "every", "each": "every",
               "all": "every", "no": "no"}  # fmt: skip
SUBJECT_PRONOUNS = frozenset({"it", "they", "he", "she"})
OBJECT_PRONOUNS = frozenset({"it", "them", "him", "her"})
PREPOSITIONS = frozenset(
    {"at", "in", "on", "to", "with", "for", "from", "about", "of", "by", "into", "under",
     "near", "behind", "over", "above", "below", "after", "before", "against"}
)  # fmt: skip
RELATIVES = frozenset({"who", "that", "which", "whom"})
COPULAS = frozenset({"is", "are"})
# Not content words: a name, noun, verb or adjective slot never holds one.
CLOSED = (
    lexicon.FUNCTION_WORDS
    | PREPOSITIONS
    | RELATIVES
    | {"than", "as", "whose", "what", "nor", "either", "neither", "case", "both", "noone"}
    | {"can", "cannot", "could", "may", "might", "must", "should", "would", "will", "shall"}
    | {"himself", "herself", "itself", "themselves", "myself", "yourself", "other", "another"}
    | {"there", "here", "very", "too", "also", "always", "never", "sometimes", "often", "usually"}
    | {"when", "whenever", "where", "while", "because", "since", "unless", "although", "though"}
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|,|\S")


@cache
def word_classes(word: str) -> frozenset[str]:
    return frozenset(lexicon.all_lemmas(word))


def can_be(word: str, upos: str) -> bool:
    """Unknown words may be anything; known ones only what the dictionary says."""
    if word in CLOSED:
        return False
    known = word_classes(word)
    if upos == "ADJ" and (word.endswith(("ed", "ing")) or "PROPN" in known):
        return True
    return not known or upos in known or (upos == "NOUN" and "PROPN" in known)


def is_plural_noun(word: str) -> bool:
    return word == "people" or (can_be(word, "NOUN") and lexicon.singular(word) != word)


@dataclass(frozen=True)
class Token:
    word: str  # lower case
    text: str  # as written

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def tokenize(sentence: str) -> list[Token]:
    text = sentence.strip()
    if text.endswith((".", "?", "!")):
        text = text[:-1]
    tokens = [Token(m.group().lower(), m.group()) for m in _WORD.finditer(text)]
    for token in tokens:
        if "'" in token.word:
            raise Refusal(
                f"the contraction or possessive {token.text!r} "
                "(try: 'is not', 'does not', or 'a friend of Bob' for 'Bob's friend')"
            )
        if not (token.word[0].isalpha() or token.word == ","):
            raise Refusal(f"the punctuation {token.text!r} inside a sentence")
    return tokens

"""The backtracking parser of everyday English: every complete parse of one sentence.

Its phrase types, word classes and tokens are in :mod:`logicsvc.translate.everyday_syntax`;
the meaning layer (``everyday.py``) keeps a sentence only when all its parses agree.
"""

from __future__ import annotations

from collections.abc import Iterator

from logicsvc.translate import lexicon
from logicsvc.translate.everyday_syntax import (
    CLOSED,
    COPULAS,
    DETERMINERS,
    NP,
    OBJECT_PRONOUNS,
    PREPOSITIONS,
    QUANTIFIER_PRONOUNS,
    RELATIVES,
    SUBJECT_PRONOUNS,
    VP,
    Nbar,
    S,
    Token,
    can_be,
    is_plural_noun,
    word_classes,
)

Parse = Iterator[tuple[object, int]]


class Parser:
    """Every parse of one sentence; ``parses`` yields complete ones only."""

    def __init__(self, tokens: list[Token]) -> None:
        self.t = tokens
        self.far = 0  # the furthest word any parse looked at: where reading stopped

    def w(self, i: int) -> str:
        self.far = max(self.far, i)
        return self.t[i].word if i < len(self.t) else ""

    def parses(self) -> list[S]:
        return [s for s, end in self.sentence(0) if end == len(self.t)]

    # sentences

    def sentence(self, i: int) -> Iterator[tuple[S, int]]:
        if self.w(i) == "if":
            for a, j in self.sentence(i + 1):
                comma = self.w(j) == ","
                j += comma
                if self.w(j) == "then" or comma:
                    for b, k in self.sentence(j + (self.w(j) == "then")):
                        yield S("if", (a, b)), k
            return
        if self.w(i) in ("either", "neither"):
            joint = "or" if self.w(i) == "either" else "nor"
            for a, j in self.clauses(i + 1, single=True):
                j += self.w(j) == ","
                if self.w(j) == joint:
                    for b, k in self.clauses(j + 1, single=True):
                        if joint == "or" and self.w(k) == "but" and self.w(k + 1) == "not":
                            if self.w(k + 2) == "both":
                                yield S("xor", (a, b)), k + 3
                            continue
                        yield S(joint, (a, b)), k
        if [self.w(i + n) for n in range(6)] == ["it", "is", "not", "the", "case", "that"]:
            for a, j in self.sentence(i + 6):
                yield S("not", (a,)), j
            return
        yield from self.clauses(i)

    def clauses(self, i: int, single: bool = False) -> Iterator[tuple[S, int]]:
        for first, j in self.clause(i):
            yield first, j
            if single:
                continue
            for joint in ("and", "or"):
                k = j + (self.w(j) == ",")
                if self.w(k) == joint:
                    for rest, end in self.clauses(k + 1):
                        if rest.kind in ("and", "or") and rest.kind != joint:
                            continue  # "A and B or C": the grouping would be a guess
                        parts = rest.parts if rest.kind == joint else (rest,)
                        yield S(joint, (first, *parts)), end

    def clause(self, i: int) -> Iterator[tuple[S, int]]:
        for np, j in self.np(i, subject=True):
            for vp, k in self.vp(j):
                yield S("clause", np=np, vp=vp), k

    # noun phrases

    def name(self, i: int) -> bool:
        tok = self.t[i] if i < len(self.t) else None
        if tok is None or not tok.capitalised or tok.word in CLOSED:
            return False
        # sentence-initial capitals say nothing: "Dogs bark", "Honest people lie"
        initial = i == 0 or self.w(i - 1) in ("if", "then", "either", "neither", ",")
        return not initial or not (
            is_plural_noun(tok.word)
            or ("ADJ" in word_classes(tok.word) and not can_be(tok.word, "NOUN"))
        )

    def content(self, i: int) -> bool:
        """A content word that is no name: lower case, or first in the sentence."""
        return (
            i < len(self.t)
            and self.t[i].word.isalpha()
            and self.t[i].word not in CLOSED
            and (i == 0 or not self.t[i].capitalised)
        )

    def mass(self, i: int) -> bool:
        word = self.w(i)
        known = word_classes(word)
        after_preposition = self.w(i - 1) in PREPOSITIONS
        if known and ("NOUN" not in known or ("ADV" in known and not after_preposition)):
            return False
        return i > 0 and lexicon.singular(word) == word and not word.endswith("ly")

    def np(self, i: int, subject: bool, nested: bool = False) -> Iterator[tuple[NP, int]]:
        """A noun phrase, or several joined by one connective (read distributively)."""
        for first, j in self.np1(i, subject, nested):
            yield first, j
            if not nested:
                yield from self._np_list([first], j, subject)

    def _np_list(self, parts: list[NP], j: int, subject: bool) -> Iterator[tuple[NP, int]]:
        if self.w(j) == ",":
            for nxt, k in self.np1(j + 1, subject, nested=True):
                yield from self._np_list([*parts, nxt], k, subject)
        sep = j + (self.w(j) == ",")
        joint = self.w(sep)
        if joint in ("and", "or"):
            for nxt, k in self.np1(sep + 1, subject, nested=True):
                yield NP(joint, parts=(*parts, nxt)), k

    def np1(self, i: int, subject: bool, nested: bool) -> Iterator[tuple[NP, int]]:
        word = self.w(i)
        if self.name(i):
            end = self.name_end(i)
            yield NP("name", word="_".join(t.word for t in self.t[i:end])), end
            return
        if word in ("either", "neither") and not nested:
            joint = "or" if word == "either" else "nor"
            for a, j in self.np(i + 1, subject, nested=True):
                if self.w(j) == joint:
                    for b, k in self.np(j + 1, subject, nested=True):
                        yield NP(joint, parts=(a, b)), k
            return
        if word == "the":
            j = i + 1
            while j < len(self.t) and self.t[j].word not in CLOSED:
                j += 1
                if j - i > 1:
                    yield NP("the", the_words=tuple(t.word for t in self.t[i + 1 : j])), j
            return
        if word in (SUBJECT_PRONOUNS if subject else OBJECT_PRONOUNS):
            yield NP("pronoun", word=word), i + 1
            return
        if word == "no" and self.w(i + 1) == "one":
            word, i = "noone", i + 1
        if word in QUANTIFIER_PRONOUNS:
            kind = QUANTIFIER_PRONOUNS[word]
            yield NP(kind, word=word, nbar=Nbar((), "thing")), i + 1
            for rel, j in self.relative(i + 1):
                yield NP(kind, word=word, nbar=Nbar((), "thing", rel=rel)), j
            return
        if word in DETERMINERS:
            det = DETERMINERS[word]
            for nbar, j in self.nbar(i + 1, plural=word in ("all", "some", "no")):
                yield NP(det, word=word, nbar=nbar), j
            return
        if not subject and self.content(i) and self.mass(i):
            # "plays basketball", "is at home": a bare singular noun names one thing
            yield NP("the", the_words=(word,)), i + 1
        if subject:  # bare plurals: "Dogs bark.", "Honest people do not lie."
            for nbar, j in self.nbar(i, plural=True):
                if nbar.plural:
                    yield NP("every", word="", nbar=nbar), j

    def name_end(self, i: int) -> int:
        """ "Harry Potter", "Mr Smith": capitalised words in a row are one name."""
        j = i + 1
        while j < len(self.t) and self.t[j].capitalised and self.t[j].word not in CLOSED:
            j += 1
        return j

    def nbar(self, i: int, plural: bool) -> Iterator[tuple[Nbar, int]]:
        """Adjectives then a noun; then "of NP" or a relative clause."""
        j = i
        while self.content(j):
            noun = self.t[j].word
            adjectives = tuple(t.word for t in self.t[i:j])
            if can_be(noun, "NOUN") and all(can_be(a, "ADJ") for a in adjectives):
                is_plural = lexicon.singular(noun) != noun or noun in ("people",)
                base = Nbar(adjectives, noun, plural=is_plural)
                yield base, j + 1
                if self.w(j + 1) == "of":
                    for obj, k in self.np(j + 2, subject=False, nested=True):
                        yield Nbar(adjectives, noun, of=obj, plural=is_plural), k
                for rel, k in self.relative(j + 1):
                    yield Nbar(adjectives, noun, rel=rel, plural=is_plural), k
            j += 1
        _ = plural

    def relative(self, i: int) -> Iterator[tuple[VP, int]]:
        if self.w(i) not in RELATIVES:
            return
        if self.w(i) != "whom":
            yield from self.vp(i + 1)
        for subject, j in self.np(i + 1, subject=True, nested=True):
            negated = self.w(j) in ("does", "do") and self.w(j + 1) == "not"
            k = j + 2 if negated else j
            for pred, end in self.verb(k):
                gap = VP("rel", pred=pred, gap=True, subject=subject)
                yield (VP("not", (gap,)) if negated else gap), end

    # verb phrases

    def vp(self, i: int) -> Iterator[tuple[VP, int]]:
        if self.w(i) in ("either", "neither"):
            joint = "or" if self.w(i) == "either" else "nor"
            for a, j in self.vp1(i + 1):
                if self.w(j) == joint:
                    for b, k in self.vp1(j + 1):
                        yield VP(joint, (a, b)), k
            return
        for first, j in self.vp1(i):
            yield first, j
            for joint in ("and", "or"):
                k = j + (self.w(j) == ",")
                if self.w(k) != joint:
                    continue
                if first.kind == "not" and self.w(k + 1) not in ("does", "do", "is", "are"):
                    continue  # "does not sing and dance": the scope of "not" is a guess
                for rest, end in self.vp(k + 1):
                    if rest.kind in ("and", "or") and rest.kind != joint:
                        continue
                    parts = rest.parts if rest.kind == joint else (rest,)
                    yield VP(joint, (first, *parts)), end

    def verb(self, i: int) -> Iterator[tuple[str, int]]:
        """``loves`` → Love, ``works at`` → WorkAt."""
        word = self.w(i)
        if not self.content(i) or not can_be(word, "VERB"):
            return
        pred = lexicon.verb_predicate(word)
        yield pred, i + 1
        if self.w(i + 1) in PREPOSITIONS:
            yield pred + self.w(i + 1).capitalize(), i + 2

    def vp1(self, i: int) -> Iterator[tuple[VP, int]]:
        word = self.w(i)
        if word in COPULAS:
            negated = self.w(i + 1) == "not"
            j = i + 2 if negated else i + 1
            for comp, k in self.complement(j):
                if negated and comp.kind in ("and", "or"):
                    continue  # "is not a doctor and a lawyer": the scope of "not" is a guess
                yield (VP("not", (comp,)) if negated else comp), k
            return
        if word in ("does", "do"):
            if self.w(i + 1) == "not":
                for vp, k in self.action(i + 2):
                    yield VP("not", (vp,)), k
            return
        yield from self.action(i)

    def action(self, i: int) -> Iterator[tuple[VP, int]]:
        for pred, j in self.verb(i):
            yield VP("verb", pred=pred), j
            for obj, k in self.np(j, subject=False):
                yield VP("rel", pred=pred, obj=obj), k

    def complement(self, i: int) -> Iterator[tuple[VP, int]]:
        """One complement, or several joined by one connective: "a doctor or a lawyer"."""
        for first, j in self.complement1(i):
            yield first, j
            for joint in ("and", "or"):
                k = j + (self.w(j) == ",")
                if self.w(k) != joint:
                    continue
                for rest, end in self.complement(k + 1):
                    if rest.kind in ("and", "or") and rest.kind != joint:
                        continue
                    parts = rest.parts if rest.kind == joint else (rest,)
                    yield VP(joint, (first, *parts)), end

    def complement1(self, i: int) -> Iterator[tuple[VP, int]]:
        word = self.w(i)
        if word in ("either", "neither"):
            joint = "or" if word == "either" else "nor"
            for a, j in self.complement1(i + 1):
                if self.w(j) == joint:
                    for b, k in self.complement1(j + 1):
                        yield VP(joint, (a, b)), k
            return
        if word in ("a", "an"):
            for nbar, j in self.nbar(i + 1, plural=False):
                yield VP("noun", nbar=nbar), j
            return
        if word in ("on", "off") and self.w(i + 1) in ("", "and", "or", "then", ","):
            yield VP("adj", pred=word.capitalize()), i + 1  # "the light is on"
        if word in PREPOSITIONS:  # "at the hospital"
            for obj, j in self.np(i + 1, subject=False):
                yield VP("rel", pred=word.capitalize(), obj=obj), j
            return
        if word in ("more", "less") and self.w(i + 2) == "than":
            pred = word.capitalize() + lexicon.adjective_predicate(self.w(i + 1)) + "Than"
            if can_be(self.w(i + 1), "ADJ"):
                for obj, j in self.np(i + 3, subject=False):
                    yield VP("rel", pred=pred, obj=obj), j
            return
        if self.w(i + 1) == "than" and word not in CLOSED:
            for obj, j in self.np(i + 2, subject=False):
                yield VP("rel", pred=lexicon.adjective_predicate(word) + "Than", obj=obj), j
            return
        if not self.content(i):
            return
        passive = lexicon.passive_participle(word)
        if passive:  # "is loved (by Mary)": ∃y Love(y, x), Love(mary, x)
            pred = lexicon.verb_predicate(passive)
            yield VP("passive", pred=pred), i + 1
            if self.w(i + 1) == "by":
                for agent, j in self.np(i + 2, subject=False):
                    yield VP("passive", pred=pred, obj=agent), j
        if can_be(word, "ADJ") and not passive:
            yield VP("adj", pred=lexicon.adjective_predicate(word)), i + 1
        preposition = self.w(i + 1)
        if (can_be(word, "ADJ") or passive) and preposition in PREPOSITIONS - {"by"}:
            pred = lexicon.adjective_predicate(word) + preposition.capitalize()
            for obj, j in self.np(i + 2, subject=False):  # "afraid of the dog", "made of wood"
                yield VP("rel", pred=pred, obj=obj), j
        for nbar, j in self.nbar(i, plural=True):  # "are doctors", "are big animals"
            mass = j == i + 1 and nbar.of is None and self.mass(i)  # "is gold"
            if (nbar.plural or mass) and nbar.rel is None:
                yield VP("noun", nbar=nbar), j

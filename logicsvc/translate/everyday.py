"""Everyday English → first-order formula, following Attempto Controlled English's readings.

The parses of ``everyday_syntax`` are given meaning the way ACE does it, with
discourse representation structures (boxes of referents and conditions):

* an indefinite ("a dog", "someone") adds a referent to the box it stands in:
  existential at the top and in a consequent, *universal* in the restriction of
  "every …" and in the if-part ("Everyone who owns a dog is happy" is
  ∀x ∀y (Dog(y) ∧ Own(x, y) → Happy(x)), ACE's donkey reading);
* quantifiers scope in the order they are written; "no" is ∀ … → ¬;
* a pronoun (it, they, he, she, him, her, them) and "the X" refer back to an
  accessible referent; "the X" with none is the constant ``x``; a pronoun with
  more than one candidate is refused, never resolved by guess;
* "anyone"/"anything" are universal as a subject and existential under
  negation or in a condition ("Bob does not like anyone");
* coordinated names distribute ("Bob and Anne are big"); "either … or" is
  inclusive unless "but not both" follows; comparatives and verbs with a
  preposition are plain relations (``TallerThan``, ``WorkAt``) with no axioms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Formula,
    Not,
    Op,
    Quantified,
    Quantifier,
    Term,
    Var,
)
from logicsvc.translate import lexicon
from logicsvc.translate.everyday_hints import explain
from logicsvc.translate.everyday_parser import Parser
from logicsvc.translate.everyday_syntax import NP, VP, Nbar, Refusal, S, tokenize

_WEATHER = Const("it")  # the subject of "it rains": no thing at all
WEATHER = frozenset(
    {"Rain", "Snow", "Hail", "Thunder", "Drizzle", "Sunny", "Cloudy", "Windy", "Rainy", "Foggy",
     "Snowy", "Stormy", "Hot", "Cold", "Warm", "Dark", "Raining", "Snowing", "Hailing"}
)  # fmt: skip
_WEATHER_VERBS = frozenset({"Rain", "Snow", "Hail", "Thunder", "Drizzle"})
_NAMES = ("x", "y", "z", "u", "v", "w")
T = TypeVar("T")


@dataclass
class Box:
    refs: list[str] = field(default_factory=list)
    conds: list[Formula] = field(default_factory=list)


def _conjoin(parts: list[Formula]) -> Formula:
    if not parts:
        raise Refusal("a sentence that asserts nothing")
    out = parts[0]
    for part in parts[1:]:
        out = Binary(Op.AND, out, part)
    return out


def exists(box: Box) -> Formula:
    formula = _conjoin(box.conds)
    for name in reversed(box.refs):
        formula = Quantified(Quantifier.EXISTS, name, formula)
    return formula


def implies(condition: Box, consequence: Formula) -> Formula:
    formula = (
        Binary(Op.IMPLIES, _conjoin(condition.conds), consequence)
        if condition.conds
        else consequence
    )
    for name in reversed(condition.refs):
        formula = Quantified(Quantifier.ALL, name, formula)
    return formula


@dataclass
class _Referent:
    term: Term
    noun: str = ""
    person: bool | None = None  # someone/names: True; something: False; a noun: unknown


# "Bob and Anne are friends" says something of the pair, not of each: not distributed.
RECIPROCAL = frozenset(
    {"friend", "sibling", "brother", "sister", "cousin", "neighbour", "neighbor", "colleague",
     "spouse", "husband", "wife", "enemy", "classmate", "roommate", "teammate", "father",
     "mother", "son", "daughter", "parent", "partner", "married", "related", "similar",
     "different", "equal", "alike", "acquainted", "together"}
)  # fmt: skip
_PERSON = {"everyone", "everybody", "someone", "somebody", "nobody", "noone", "anyone", "anybody"}
_THING = {"everything", "something", "nothing", "anything"}


Body = Callable[[Term, Box], None]


class Meaning:
    """One reading of one parse; raises :class:`Refusal` where the reading would be a guess."""

    def __init__(self) -> None:
        self.count = 0
        self.accessible: list[_Referent] = []
        self.downward = 0  # inside a negation or a condition: "any" is existential there
        self.subjects: list[Term] = []

    def fresh(self, box: Box, noun: str = "", word: str = "") -> Var:
        name = _NAMES[self.count] if self.count < len(_NAMES) else f"x{self.count}"
        self.count += 1
        box.refs.append(name)
        person = True if word in _PERSON else False if word in _THING else None
        self.accessible.append(_Referent(Var(name), noun, person))
        return Var(name)

    def scoped(self, run: Callable[[], None], downward: bool = False) -> None:
        """Referents introduced by ``run`` are inaccessible afterwards."""
        mark = len(self.accessible)
        self.downward += downward
        try:
            run()
        finally:
            self.downward -= downward
            del self.accessible[mark:]

    def sub(self, fill: Callable[[Box], None], downward: bool = False) -> Formula:
        box = Box()
        self.scoped(lambda: fill(box), downward)
        return exists(box)

    # -- sentences -----------------------------------------------------------------

    def sentence(self, s: S, box: Box) -> None:
        if s.kind == "clause":
            assert s.np is not None and s.vp is not None
            vp = s.vp
            if s.np.kind in ("and", "or", "nor") and _reciprocal(vp):
                raise Refusal(
                    "a plural predicate of several names ('… are friends') may be said of the "
                    "pair, not of each (try: 'Bob is a friend of Anne.')"
                )
            self.np(s.np, box, lambda t, b: self.vp(vp, t, b), subject=True)
        elif s.kind == "and":
            for part in s.parts:
                self.sentence(part, box)
        elif s.kind == "if":
            a, b = s.parts

            def run() -> None:
                condition = Box()
                self.downward += 1
                self.sentence(a, condition)
                self.downward -= 1
                box.conds.append(implies(condition, self.sub(lambda c: self.sentence(b, c))))

            self.scoped(run)
        elif s.kind in ("or", "xor"):
            box.conds.append(self.any(Op.OR if s.kind == "or" else Op.XOR, s.parts, self.sentence))
        elif s.kind in ("nor", "not"):
            box.conds.extend(self.none(s.parts, self.sentence))
        else:
            raise AssertionError(s.kind)

    # -- noun phrases ----------------------------------------------------------------

    def np(self, np: NP, box: Box, body: Body, subject: bool = False) -> None:
        kind = np.kind
        if kind == "name":
            term: Term = Const(lexicon.constant([np.word]))
            self.accessible.append(_Referent(term, person=True))
            body(term, box)
        elif kind == "the":
            body(self.definite(np.the_words), box)
        elif kind == "pronoun":
            body(self.pronoun(np.word), box)
        elif kind == "and":
            for part in np.parts:
                self.np(part, box, body, subject)
        elif kind in ("or", "nor"):

            def fill(part: NP, c: Box) -> None:
                self.np(part, c, body, subject)

            if kind == "or":
                box.conds.append(self.any(Op.OR, np.parts, fill))
            else:
                box.conds.extend(self.none(np.parts, fill))
        elif kind == "any" and not subject and not self.downward:
            raise Refusal(
                f"'{np.word}' as the object of a positive sentence "
                "(try 'everyone'/'everything', or 'does not … anyone')"
            )
        elif kind == "some" and subject and np.word in ("a", "an") and not self.downward:
            noun = np.nbar.noun if np.nbar else "dog"
            raise Refusal(
                f"'{np.word} {noun}' as the subject of a statement may mean one {noun} or every "
                f"{noun} (try 'Every {noun} …' or 'Some {noun} …')"
            )
        elif kind == "some" or (kind == "any" and self.downward):
            assert np.nbar is not None
            var = self.fresh(box, self._noun(np.nbar), np.word)
            self.restrict(np.nbar, var, box)
            body(var, box)
        elif kind in ("every", "any", "no"):
            assert np.nbar is not None
            nbar = np.nbar

            def run() -> None:
                condition = Box()
                self.downward += 1
                var = self.fresh(condition, self._noun(nbar), np.word)
                self.restrict(nbar, var, condition)
                self.downward -= 1
                if kind == "no":
                    claim: Formula = Not(self.sub(lambda c: body(var, c), downward=True))
                else:
                    claim = self.sub(lambda c: body(var, c))
                box.conds.append(implies(condition, claim))

            self.scoped(run)
        else:
            raise AssertionError(kind)

    def any(self, op: Op, parts: Sequence[T], fill: Callable[[T, Box], None]) -> Formula:
        """Disjuncts are boxes of their own: their referents are not accessible after."""
        out: Formula | None = None
        for part in parts:
            formula = self.sub(partial(fill, part))
            out = formula if out is None else Binary(op, out, formula)
        assert out is not None
        return out

    def none(self, parts: Sequence[T], fill: Callable[[T, Box], None]) -> list[Formula]:
        return [Not(self.sub(partial(fill, part), downward=True)) for part in parts]

    @staticmethod
    def _noun(nbar: Nbar) -> str:
        return "" if nbar.noun in lexicon.GENERIC_NOUNS else lexicon.noun_predicate(nbar.noun)

    @staticmethod
    def _relational(nbar: Nbar) -> None:
        """A relational noun needs its "of": "Jerry has a friend" would name another relation."""
        noun = lexicon.singular(nbar.noun)
        if nbar.of is None and noun in RECIPROCAL:
            raise Refusal(
                f"the relational noun '{nbar.noun}' without 'of' "
                f"(try: 'a {noun} of Jerry', 'Tom is a {noun} of Jerry.')"
            )

    def restrict(self, nbar: Nbar, var: Var, box: Box) -> None:
        self._relational(nbar)
        for adjective in nbar.adjectives:
            box.conds.append(Atom(lexicon.adjective_predicate(adjective), (var,)))
        noun = self._noun(nbar)
        if nbar.of is not None:
            of = noun + "Of"
            self.np(nbar.of, box, lambda o, b: b.conds.append(Atom(of, (var, o))))
        elif noun:
            box.conds.append(Atom(noun, (var,)))
        if nbar.rel is not None:
            self.vp(nbar.rel, var, box)

    def definite(self, words: tuple[str, ...]) -> Term:
        noun = lexicon.noun_predicate(words[-1])
        found = [r for r in self.accessible if r.noun == noun and isinstance(r.term, Var)]
        if len(found) > 1 and len(words) == 1:
            raise Refusal(f"'the {words[-1]}' could refer to more than one {words[-1]}")
        if found and len(words) == 1:
            return found[-1].term
        term = Const(lexicon.constant(list(words)))
        self.accessible.append(_Referent(term, noun))
        return term

    def pronoun(self, word: str) -> Term:
        seen: dict[Term, _Referent] = {}
        for referent in self.accessible:
            seen.setdefault(referent.term, referent)
        candidates = list(seen.values())
        if word in ("him", "her", "them", "it") and self.subjects:
            # "Bob likes him": not Bob
            candidates = [r for r in candidates if r.term != self.subjects[-1]]
        if word == "it":
            candidates = [r for r in candidates if r.person is not True]
        else:  # he, she, they: a person if exactly one is one (singular "they")
            candidates = [r for r in candidates if r.person is not False]
            people = [r for r in candidates if r.person]
            if len(people) == 1:
                candidates = people
        terms = [r.term for r in candidates]
        variables: list[Term] = [t for t in terms if isinstance(t, Var)]
        if len(terms) > 1 and len(variables) == 1:
            # the rule-base convention: a pronoun refers to the rule's one variable
            terms = variables
        if len(terms) == 1:
            return terms[0]
        if not terms and word == "it":
            return _WEATHER
        if not terms:
            raise Refusal(f"the pronoun '{word}' with nothing before it to refer to")
        raise Refusal(
            f"the pronoun '{word}' could refer to more than one thing "
            "(try repeating the name or the noun: 'the dog')"
        )

    # -- verb phrases ----------------------------------------------------------------

    def atom(self, pred: str, args: tuple[Term, ...]) -> Formula:
        if args and args[0] is _WEATHER:
            if pred not in WEATHER or len(args) > 1:
                raise Refusal("'it' with nothing to refer to (only weather: 'It rains.')")
            if pred.endswith("ing"):  # "it is raining" is "it rains"
                return Atom(lexicon.verb_predicate(pred.lower()), ())
            if pred in _WEATHER_VERBS:
                return Atom(pred, ())
            # "It is cold" must not clash with "The soup is cold" (Cold/1)
            return Atom("ItIs" + pred, ())
        if _WEATHER in args:
            raise Refusal("'it' with nothing to refer to")
        return Atom(pred, args)

    def vp(self, vp: VP, subject: Term, box: Box) -> None:
        kind = vp.kind
        if kind == "and":
            for part in vp.parts:
                self.vp(part, subject, box)
        elif kind in ("or", "not", "nor"):

            def fill(part: VP, c: Box) -> None:
                self.vp(part, subject, c)

            if kind == "or":
                box.conds.append(self.any(Op.OR, vp.parts, fill))
            else:
                box.conds.extend(self.none(vp.parts, fill))
        elif kind in ("verb", "adj"):
            box.conds.append(self.atom(vp.pred, (subject,)))
        elif kind == "noun":
            assert vp.nbar is not None
            if vp.nbar.rel is not None and vp.nbar.of is not None:
                raise Refusal("a relational noun with a relative clause")
            self.restrict_term(vp.nbar, subject, box)
        elif kind == "passive":  # "Bob is loved": someone loves Bob
            pred = vp.pred
            if vp.obj is None:
                box.conds.append(self.atom(pred, (self.fresh(box), subject)))
            else:
                self.np(vp.obj, box, lambda a, b: b.conds.append(self.atom(pred, (a, subject))))
        elif kind == "rel" and vp.gap:
            assert vp.subject is not None
            pred = vp.pred
            self.np(vp.subject, box, lambda s, b: b.conds.append(self.atom(pred, (s, subject))))
        elif kind == "rel":
            assert vp.obj is not None
            pred = vp.pred
            self.subjects.append(subject)
            try:
                self.np(vp.obj, box, lambda o, b: b.conds.append(self.atom(pred, (subject, o))))
            finally:
                self.subjects.pop()
        else:
            raise AssertionError(kind)

    def restrict_term(self, nbar: Nbar, term: Term, box: Box) -> None:
        """``Bob is a big dog``: the noun's conditions said of Bob."""
        noun = self._noun(nbar)
        self._relational(nbar)
        for adjective in nbar.adjectives:
            box.conds.append(self.atom(lexicon.adjective_predicate(adjective), (term,)))
        if nbar.of is not None:
            of = noun + "Of"
            self.np(nbar.of, box, lambda o, b: b.conds.append(self.atom(of, (term, o))))
        elif noun:
            box.conds.append(self.atom(noun, (term,)))
        elif not nbar.adjectives:
            raise Refusal(f"'a {nbar.noun}' says nothing of its subject")
        if nbar.rel is not None:
            self.vp(nbar.rel, term, box)


def _reciprocal(vp: VP) -> bool:
    if vp.nbar is not None:
        return lexicon.singular(vp.nbar.noun) in RECIPROCAL
    return vp.pred.lower() in RECIPROCAL or any(_reciprocal(p) for p in vp.parts)


def translate_everyday(sentence: str) -> Formula:
    """The one reading of ``sentence``, or :class:`Refusal` naming what is outside."""
    tokens = tokenize(sentence)
    parser = Parser(tokens)
    parses = parser.parses()
    if not parses:
        raise Refusal(explain(tokens, parser))
    readings: list[Formula] = []
    refusals: list[str] = []
    for parse in parses:
        try:
            box = Box()
            Meaning().sentence(parse, box)
            formula = exists(box)
        except Refusal as exc:
            refusals.append(str(exc))
            continue
        if formula not in readings:
            readings.append(formula)
    if not readings:
        raise Refusal(refusals[0])
    if len(readings) > 1:
        raise Refusal("more than one reading (the words can be grouped in several ways)")
    return readings[0]

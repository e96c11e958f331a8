"""The ``rules`` translator: controlled English → DSL, with no LLM at all.

Covers the language of ProofWriter / RuleTaker / PARARULE-Plus and textbook
syllogisms (``grammars/controlled_english.lark``).  A sentence outside it is
never guessed at: it raises :class:`UntranslatableError` naming the sentence,
so a caller can hand just that problem to an LLM.

Reading conventions: ``something``/``someone`` introduce the rule's one
variable and ``it``/``they``/``them`` refer back to it (or, in a rule about
named things, to the last thing named); ``the bald eagle`` is the constant
``bald_eagle``; "All A are B" is universal, "No A are B" universal and
negative, "Some A are B" existential.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

import lark
from lark import Token, Tree

from logicsvc.checks import check_depth
from logicsvc.errors import Span, UntranslatableError
from logicsvc.resources import read_grammar
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Formula,
    Not,
    Op,
    Problem,
    Quantified,
    Quantifier,
    QuestionKind,
    Statement,
    Term,
    Var,
)
from logicsvc.syntax.lark_cache import load_or_build
from logicsvc.syntax.printer import problem_to_dsl
from logicsvc.translate import lexicon
from logicsvc.translate.base import Translation, sentences_with_offsets
from logicsvc.translate.everyday import translate_everyday
from logicsvc.translate.everyday_syntax import Refusal

NAME = "rules"
_VAR = "x"
_VARIABLES = ("x", "y", "z")


class _Unsupported(Exception):
    """A parsed sentence whose meaning the fragment cannot express."""


@cache
def _parser() -> lark.Lark:
    return load_or_build(
        "controlled_english", read_grammar("controlled_english"), {"parser": "lalr"}
    )


def _words(node: Tree[Token]) -> list[str]:
    """The content words under ``node``; a function word there means no reading."""
    words = [str(t) for t in node.scan_values(lambda v: isinstance(v, Token) and v.type == "WORD")]
    for word in words:
        if word in lexicon.FUNCTION_WORDS:
            raise _Unsupported(f"'{word}' cannot stand where a name, adjective, noun or verb does")
    return words


def _adjective(node: Tree[Token], word: str | None = None) -> str:
    word = word if word is not None else _words(node)[0]
    if lexicon.passive_participle(word):
        raise _Unsupported(f"'{word}' is a passive, read by the everyday-English reader")
    return word


def _conjoin(parts: Sequence[Formula]) -> Formula:
    if not parts:
        raise _Unsupported("nothing to assert")
    out = parts[0]
    for part in parts[1:]:
        out = Binary(Op.AND, out, part)
    return out


def _literal(pred: str, args: tuple[Term, ...], negated: bool) -> Formula:
    atom = Atom(pred, args)
    return Not(atom) if negated else atom


@dataclass
class _Sentence:
    """Reads one sentence's tree; tracks its variables and the last subject."""

    variables: list[str] = field(default_factory=list)
    last_subject: Term | None = None
    in_conclusion: bool = False

    # -- terms --------------------------------------------------------------

    def term(self, node: Tree[Token]) -> Term:
        kind = str(node.data)
        if kind in ("the_entity", "name"):
            return Const(lexicon.constant(_words(node)))
        if kind == "indefinite":
            return self.indefinite()
        if kind == "pronoun":
            return self.pronoun()
        raise AssertionError(f"no reading for subject {kind!r}")

    def indefinite(self) -> Var:
        """Each "something" is a new thing: x, then y, then z."""
        if self.in_conclusion:
            raise _Unsupported("'something' in a rule's conclusion")
        if len(self.variables) == len(_VARIABLES):
            raise _Unsupported("too many indefinite things in one sentence")
        name = _VARIABLES[len(self.variables)]
        self.variables.append(name)
        return Var(name)

    def pronoun(self) -> Term:
        if len(self.variables) == 1:
            return Var(self.variables[0])
        if self.variables:
            raise _Unsupported("'it'/'they' could refer to more than one thing")
        if self.last_subject is not None:
            return self.last_subject
        raise _Unsupported("a pronoun with nothing to refer to")

    def subject_verb(self, node: Tree[Token]) -> tuple[Term, str]:
        kind = str(node.data)
        words = _words(node)
        verb = words[-1]
        if kind == "the_entity_verb":
            if len(words) < 2:
                raise _Unsupported("a verb with no subject")
            return Const(lexicon.constant(words[:-1])), verb
        if kind == "name_verb":
            if lexicon.singular(words[0]) != words[0]:  # "Cats chase the mouse": no name
                raise _Unsupported(f"'{words[0]}' reads as a plural noun, not a name")
            return Const(lexicon.constant(words[:1])), verb
        if kind == "indefinite_verb":
            return self.indefinite(), verb
        return self.pronoun(), verb  # pronoun_verb

    def subject_verb_name(self, node: Tree[Token]) -> tuple[Term, str, Const]:
        """``the bald eagle likes bob``: subject words, then the verb, then a name."""
        words = _words(node)
        lead = node.children[0]
        if isinstance(lead, Tree) and lead.data == "indefinite":  # something likes bob
            subject: Term = self.indefinite()
        elif isinstance(lead, Tree):  # the ... likes bob ("the" itself is filtered out)
            if len(words) < 3:
                raise _Unsupported("a verb with no subject or object")
            subject = Const(lexicon.constant(words[:-2]))
        else:  # it / they likes bob
            subject = self.pronoun()
        return subject, words[-2], Const(lexicon.constant(words[-1:]))

    # -- clauses ------------------------------------------------------------

    def items(self, node: Tree[Token]) -> list[Formula]:
        out: list[Formula] = []
        for item in node.children:
            assert isinstance(item, Tree)
            out.append(self.item(item))
        return out

    def item(self, node: Tree[Token]) -> Formula:
        kind = str(node.data)
        kids = [k for k in node.children if isinstance(k, Tree)]
        negated = any(isinstance(k, Token) and k.type == "NOT" for k in node.children)
        if kind in ("is_adjective", "they_are_adjective", "is_a"):
            subject = self.term(kids[0]) if kind != "they_are_adjective" else self.pronoun()
            self.last_subject = subject
            if kind == "is_a":
                words = _words(kids[-1])
                preds = [lexicon.adjective_predicate(w) for w in words[:-1]]
                preds.append(lexicon.noun_predicate(words[-1]))
                body = _conjoin([Atom(p, (subject,)) for p in preds])
                return Not(body) if negated else body
            word = _adjective(kids[-1])
            return _literal(lexicon.adjective_predicate(word), (subject,), negated)
        if kind == "more_adjective":
            if self.last_subject is None:
                raise _Unsupported("an adjective with no subject")
            word = _adjective(kids[-1])
            return _literal(lexicon.adjective_predicate(word), (self.last_subject,), negated)
        if kind == "relation":
            subject, verb = self.subject_verb(kids[0])
            obj = self.term(kids[1])  # "it" here means an earlier subject, not this one
            self.last_subject = subject
            return Atom(lexicon.verb_predicate(verb), (subject, obj))
        if kind == "relation_to_name":
            subject, verb, name = self.subject_verb_name(kids[0])
            self.last_subject = subject
            return Atom(lexicon.verb_predicate(verb), (subject, name))
        if kind == "negated_relation":
            subject = self.term(kids[0])
            verb = _words(Tree("verb", [t for t in node.children if isinstance(t, Token)]))[0]
            obj = self.term(kids[-1])
            self.last_subject = subject
            return Not(Atom(lexicon.verb_predicate(verb), (subject, obj)))
        raise AssertionError(f"no reading for clause {kind!r}")

    # -- sentences ----------------------------------------------------------

    def sentence(self, tree: Tree[Token]) -> Formula:
        sentence = tree.children[0]
        assert isinstance(sentence, Tree)
        body = sentence.children[-1]
        assert isinstance(body, Tree)
        kind = str(body.data)
        if kind == "statement":
            items = body.children[0]
            assert isinstance(items, Tree)
            return self._bind(Quantifier.EXISTS, _conjoin(self.items(items)))
        if kind == "rule":
            conditions, conclusions = (c for c in body.children if isinstance(c, Tree))
            premise = _conjoin(self.items(conditions))
            self.in_conclusion = True
            consequence = _conjoin(self.items(conclusions))
            return self._bind(Quantifier.ALL, Binary(Op.IMPLIES, premise, consequence))
        return self.general(body)

    def _bind(self, quantifier: Quantifier, formula: Formula) -> Formula:
        for name in reversed(self.variables):
            formula = Quantified(quantifier, name, formula)
        return formula

    def general(self, node: Tree[Token]) -> Formula:
        kids = [k for k in node.children if isinstance(k, Tree)]
        quantifier = _words_or_tokens(kids[0]) if node.data == "general" else "all"
        description = kids[1] if node.data == "general" else kids[0]
        predicates = kids[-1]
        x = Var(_VAR)
        words = _words(description)
        restriction: list[Formula] = [
            Atom(lexicon.adjective_predicate(w), (x,)) for w in words[:-1]
        ]
        head = words[-1]
        generic = head in lexicon.GENERIC_NOUNS or (
            len(words) > 1 and head in lexicon.GENERIC_WHEN_MODIFIED
        )
        if not generic:
            restriction.append(Atom(lexicon.noun_predicate(head), (x,)))
        claims = [self._predicate(p, x) for p in predicates.children if isinstance(p, Tree)]
        claim = _conjoin(claims)
        if quantifier == "some":
            return Quantified(Quantifier.EXISTS, _VAR, _conjoin([*restriction, claim]))
        if quantifier == "no":
            claim = Not(claim)
        if not restriction:
            return Quantified(Quantifier.ALL, _VAR, claim)
        return Quantified(Quantifier.ALL, _VAR, Binary(Op.IMPLIES, _conjoin(restriction), claim))

    def _predicate(self, node: Tree[Token], x: Term) -> Formula:
        tokens = [t for t in node.scan_values(lambda v: isinstance(v, Token))]
        negated = any(t.type == "NOT" for t in tokens)
        has_article = any(isinstance(k, Tree) and k.data == "article" for k in node.children)
        words = [str(t) for t in tokens if t.type == "WORD"]
        if lexicon.FUNCTION_WORDS.intersection(words):
            raise _Unsupported(f"a function word among {' '.join(words)!r}")
        if has_article or len(words) > 1:
            preds = [lexicon.adjective_predicate(w) for w in words[:-1]]
            preds.append(lexicon.noun_predicate(words[-1]))
        else:
            preds = [lexicon.word_predicate(_adjective(node, words[0]))]
        body = _conjoin([Atom(p, (x,)) for p in preds])
        return Not(body) if negated else body


def _words_or_tokens(node: Tree[Token]) -> str:
    return str(next(iter(node.scan_values(lambda v: isinstance(v, Token)))))


@lru_cache(maxsize=65536)
def _translate(sentence: str) -> Formula:
    """Rule bases repeat their sentences across questions: read each once."""
    return _Sentence().sentence(_parser().parse(sentence))


def _names_as_predicates(sentence: str, formula: Formula) -> bool:
    """ "The cat likes the dog and Bob" is not Bob(cat): the rule-base grammar lower-cases
    and reads a word after "and" as an adjective, so a capitalised one means a misreading."""
    words = sentence.split()
    names = {
        b.strip(".,").lower()
        for a, b in itertools.pairwise(words)
        if a.lower() in ("and", "or") and b[:1].isupper() and not b.isupper()
    }
    if not names:
        return False
    preds = {p.lower() for p in _predicates(formula)}
    return bool(names & preds)


def _predicates(formula: Formula) -> list[str]:
    if isinstance(formula, Atom):
        return [formula.pred]
    if isinstance(formula, Not):
        return _predicates(formula.operand)
    if isinstance(formula, Binary):
        return _predicates(formula.left) + _predicates(formula.right)
    if isinstance(formula, Quantified):
        return _predicates(formula.body)
    return []


@lru_cache(maxsize=65536)
def _everyday(sentence: str) -> Formula:
    """Case matters here ("Dogs" at the start, "Mary" after a verb): cached as written."""
    return translate_everyday(sentence)


def _span_at(text: str, at: int, length: int) -> Span:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(line, column, line, column + length)


def translate_sentence(
    sentence: str, index: int = 0, source: str | None = None, offset: int = 0
) -> Formula:
    """One sentence → one formula, or :class:`UntranslatableError`.

    ``source`` and ``offset`` place the sentence in the caller's text, for the span.
    """
    try:
        formula = _translate(sentence.lower())
        if not _names_as_predicates(sentence, formula):
            return formula
    except (lark.exceptions.UnexpectedInput, _Unsupported):
        pass
    try:  # everyday English: names, relative clauses, "nobody", comparatives, …
        return _everyday(sentence)
    except Refusal as exc:
        why = str(exc)
        raise UntranslatableError(
            f"sentence {index + 1} is outside the controlled-English fragment ({why}): "
            f"{sentence!r}",
            sentence_index=index,
            sentence=sentence,
            span=_span_at(source, offset, len(sentence)) if source else None,
        ) from None


class ControlledEnglishTranslator:
    """The embedded default translator: deterministic, offline, fast."""

    name = NAME

    def translate_question(
        self, premises: Sequence[str], options: Sequence[tuple[str, str]], kind: QuestionKind
    ) -> Translation | None:
        """Ordering puzzles are read whole (:mod:`logicsvc.translate.ordering`); any other
        question goes option by option through :meth:`translate`."""
        from logicsvc.translate.ordering import NotAnOrderingPuzzle, OrderingTranslator

        try:
            return OrderingTranslator().translate_choice(premises, options, kind)
        except NotAnOrderingPuzzle:
            return None

    def translate(self, premises: Sequence[str], conclusion: str) -> Translation:
        source = " ".join(premises)  # spans point into the premises joined by spaces
        located: list[tuple[str, int]] = []
        base = 0
        for text in premises:
            located.extend((s, base + at) for s, at in sentences_with_offsets(text))
            base += len(text) + 1
        sentences = [s for s, _ in located]
        statements = tuple(
            Statement(translate_sentence(s, i, source, at), s) for i, (s, at) in enumerate(located)
        )
        question = " ".join(conclusion.split())
        start = len(conclusion) - len(conclusion.lstrip())
        goal = translate_sentence(question, len(sentences), conclusion, start)
        problem = Problem(statements, Statement(goal, question))
        check_depth(problem)  # "a and b and …" may nest as deep as a sentence is long
        return Translation(
            problem_to_dsl(problem), NAME, tuple(sentences), question, problem=problem
        )

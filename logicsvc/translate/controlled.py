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

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

import lark
from lark import Token, Tree

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
    Statement,
    Term,
    Var,
)
from logicsvc.syntax.printer import problem_to_dsl
from logicsvc.translate import lexicon
from logicsvc.translate.base import Translation, split_sentences

NAME = "rules"
_VAR = "x"


class _Unsupported(Exception):
    """A parsed sentence whose meaning the fragment cannot express."""


@cache
def _parser() -> lark.Lark:
    return lark.Lark(read_grammar("controlled_english"), parser="lalr")


def _words(node: Tree[Token]) -> list[str]:
    return [str(t) for t in node.scan_values(lambda v: isinstance(v, Token) and v.type == "WORD")]


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
    """Reads one sentence's tree; tracks the variable and the last subject."""

    uses_variable: bool = False
    last_subject: Term | None = None
    referents: list[Term] = field(default_factory=list)

    # -- terms --------------------------------------------------------------

    def term(self, node: Tree[Token]) -> Term:
        kind = str(node.data)
        if kind == "the_entity":
            return Const(lexicon.constant(_words(node)))
        if kind == "name":
            return Const(lexicon.constant(_words(node)))
        if kind == "indefinite":
            self.uses_variable = True
            return Var(_VAR)
        if kind == "pronoun":
            if self.uses_variable:
                return Var(_VAR)
            if self.last_subject is not None:
                return self.last_subject
            raise _Unsupported("a pronoun with nothing to refer to")
        raise AssertionError(f"no reading for subject {kind!r}")

    def subject_verb(self, node: Tree[Token]) -> tuple[Term, str]:
        kind = str(node.data)
        words = _words(node)
        verb = words[-1]
        if kind == "the_entity_verb":
            if len(words) < 2:
                raise _Unsupported("a verb with no subject")
            return Const(lexicon.constant(words[:-1])), verb
        if kind == "name_verb":
            return Const(lexicon.constant(words[:1])), verb
        if kind == "indefinite_verb":
            self.uses_variable = True
            return Var(_VAR), verb
        # pronoun_verb
        if self.uses_variable:
            return Var(_VAR), verb
        if self.last_subject is not None:
            return self.last_subject, verb
        raise _Unsupported("a pronoun with nothing to refer to")

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
            subject = self.term(kids[0]) if kind != "they_are_adjective" else self._they()
            self.last_subject = subject
            if kind == "is_a":
                words = _words(kids[-1])
                preds = [lexicon.adjective_predicate(w) for w in words[:-1]]
                preds.append(lexicon.noun_predicate(words[-1]))
                body = _conjoin([Atom(p, (subject,)) for p in preds])
                return Not(body) if negated else body
            word = _words(kids[-1])[0]
            return _literal(lexicon.adjective_predicate(word), (subject,), negated)
        if kind == "more_adjective":
            if self.last_subject is None:
                raise _Unsupported("an adjective with no subject")
            word = _words(kids[-1])[0]
            return _literal(lexicon.adjective_predicate(word), (self.last_subject,), negated)
        if kind == "relation":
            subject, verb = self.subject_verb(kids[0])
            self.last_subject = subject
            obj = self.term(kids[1])
            return Atom(lexicon.verb_predicate(verb), (subject, obj))
        if kind == "negated_relation":
            subject = self.term(kids[0])
            self.last_subject = subject
            verb = next(str(t) for t in node.children if isinstance(t, Token) and t.type == "WORD")
            obj = self.term(kids[-1])
            return Not(Atom(lexicon.verb_predicate(verb), (subject, obj)))
        raise AssertionError(f"no reading for clause {kind!r}")

    def _they(self) -> Term:
        return self.term(Tree("pronoun", []))

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
            formula = _conjoin(self.items(items))
            return Quantified(Quantifier.EXISTS, _VAR, formula) if self.uses_variable else formula
        if kind == "rule":
            conditions, conclusions = (c for c in body.children if isinstance(c, Tree))
            premise = _conjoin(self.items(conditions))
            consequence = _conjoin(self.items(conclusions))
            formula = Binary(Op.IMPLIES, premise, consequence)
            return Quantified(Quantifier.ALL, _VAR, formula) if self.uses_variable else formula
        return self.general(body)

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
        if has_article or len(words) > 1:
            preds = [lexicon.adjective_predicate(w) for w in words[:-1]]
            preds.append(lexicon.noun_predicate(words[-1]))
        else:
            preds = [lexicon.word_predicate(words[0])]
        body = _conjoin([Atom(p, (x,)) for p in preds])
        return Not(body) if negated else body


def _words_or_tokens(node: Tree[Token]) -> str:
    return str(next(iter(node.scan_values(lambda v: isinstance(v, Token)))))


@lru_cache(maxsize=65536)
def _translate(sentence: str) -> Formula:
    """Rule bases repeat their sentences across questions: read each once."""
    return _Sentence().sentence(_parser().parse(sentence))


def _span_of(text: str, sentence: str) -> Span | None:
    at = text.find(sentence)
    if at < 0:
        return None
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(line, column, line, column + len(sentence))


def translate_sentence(sentence: str, index: int = 0, source: str | None = None) -> Formula:
    """One sentence → one formula, or :class:`UntranslatableError`."""
    try:
        return _translate(sentence.lower())
    except (lark.exceptions.UnexpectedInput, _Unsupported) as exc:
        if isinstance(exc, lark.exceptions.UnexpectedInput):
            column = max(getattr(exc, "column", 1), 1)
            why = f"no reading from character {column}: {sentence[column - 1 : column + 19]!r}"
        else:
            why = str(exc)
        raise UntranslatableError(
            f"sentence {index + 1} is outside the controlled-English fragment ({why}): "
            f"{sentence!r}",
            sentence_index=index,
            sentence=sentence,
            span=_span_of(source, sentence) if source else None,
        ) from None


class ControlledEnglishTranslator:
    """The embedded default translator: deterministic, offline, fast."""

    name = NAME

    def translate(self, premises: Sequence[str], conclusion: str) -> Translation:
        sentences = split_sentences(premises)
        source = " ".join(premises)
        statements = tuple(
            Statement(translate_sentence(s, i, source), s) for i, s in enumerate(sentences)
        )
        goal = translate_sentence(conclusion.strip(), len(sentences), conclusion)
        question = conclusion.strip()
        problem = Problem(statements, Statement(goal, question))
        return Translation(
            problem_to_dsl(problem), NAME, tuple(sentences), question, problem=problem
        )

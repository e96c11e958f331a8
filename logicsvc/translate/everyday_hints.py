"""Why a sentence has no reading: the construct named, and a rephrasing the fragment reads.

A refusal that points at the full stop helps nobody; these are the constructs
people reach for first that first-order controlled English (like ACE) leaves
out or spells differently.
"""

from __future__ import annotations

import itertools

from logicsvc.translate.everyday_parser import Parser
from logicsvc.translate.everyday_syntax import Token, is_plural_noun
from logicsvc.translate.lexicon import all_lemmas, singular

_WORD_HINTS: dict[frozenset[str], str] = {
    frozenset({"most", "many", "few", "several", "only", "exactly", "least"}): (
        "the quantity word '{w}' has no first-order reading here "
        "(try 'every', 'some' or 'no': 'Every bird flies.')"
    ),
    frozenset(
        {"can", "cannot", "could", "may", "might", "must", "should", "would", "will", "shall"}
    ): ("the modal or future verb '{w}' (try the plain present: 'Tweety flies.')"),
    frozenset({"was", "were", "did", "had", "been", "yesterday", "tomorrow", "today"}): (
        "tense and time ('{w}') (try the plain present: 'Bob is happy.')"
    ),
    frozenset({"because", "since", "although", "though", "but", "so", "hence", "therefore"}): (
        "the connective '{w}' (try 'If … then …' or 'and')"
    ),
    frozenset({"unless"}): "'unless' (try: 'If Bob is not rich then Bob is sad.')",
    frozenset({"himself", "herself", "itself", "themselves", "each", "other", "one"}): (
        "a reflexive or reciprocal pronoun ('{w}') (try repeating the name: 'Bob likes Bob.')"
    ),
    frozenset({"whose"}): "'whose' (try: 'every man who is a father of a doctor')",
    frozenset({"when", "whenever", "where", "while"}): (
        "the subordinate clause with '{w}' (try 'If … then …')"
    ),
    frozenset({"always", "never", "sometimes", "often", "usually"}): (
        "the adverb of frequency '{w}' (try 'every …' or 'does not': 'Bob does not smoke.')"
    ),
    frozenset({"there"}): "'there is' (try: 'Something is a dog.' or 'A dog is hungry.')",
    frozenset({"very", "too", "also"}): "the adverb '{w}' (try leaving it out)",
    frozenset({"as"}): "the comparison 'as … as' (try a relation: 'Bob is taller than Anne.')",
}


def explain(tokens: list[Token], parser: Parser) -> str:
    words = [t.word for t in tokens]
    for group, hint in _WORD_HINTS.items():
        for word in words:
            if word in group:
                return hint.format(w=word)
    for word in words:
        if word.endswith("ly") and set(all_lemmas(word)) == {"ADV"}:
            return f"the adverb '{word}' (try an adjective or leave it out)"
    if any(w.isdigit() for w in words):
        return "numbers (try words the fragment reads: 'Bob has a dog.')"
    if "if" in words and "then" not in words:
        return "'if' without 'then' (try: 'If Bob is rich then Bob is happy.')"
    if "if" in words and words[0] != "if":
        return "a condition after the main clause (try: 'If A then B.')"
    if words and words[0] == "not":
        return "'not' before a quantifier (try: 'It is not the case that every dog barks.')"
    if "not" in words and {"and", "or"} & set(words[words.index("not") :]):
        return (
            "'not' before a coordination: its scope would be a guess "
            "(try: 'Bob does not sing and does not dance.' or 'It is not the case that …')"
        )
    for first, second in itertools.pairwise(words):
        if first == "the" and second.endswith("est") and len(second) > 4:
            return f"the superlative '{second}' (try a comparative: 'Mary is taller than John.')"
    for first, second in itertools.pairwise(words):
        if first in ("is", "are") and second == "the":
            return "identity ('is the …') (try a noun: 'Bob is a teacher.')"
    if "or" in words and "and" in words:
        return "'and' mixed with 'or' (the grouping would be a guess; split the sentence)"
    at = min(parser.far, len(tokens) - 1)
    if at < 0:
        return "an empty sentence"
    word = tokens[at].word
    if at > 0 and is_plural_noun(word) and tokens[at - 1].word not in ("are", "all", "some"):
        one = singular(word)
        article = "an" if one[:1] in "aeiou" else "a"
        return (
            f"the bare plural '{word}' as an object (try 'every {one}' or "
            f"'{article} {one}': 'Bob likes every {one}.')"
        )
    return (
        f"no reading from the word {tokens[at].text!r} (word {at + 1}); the fragment reads "
        "'Name verb Name.', 'Every/No/A noun (who …) verb …', 'If … then …' — see the README"
    )

"""The grammars an LLM's decoding may be constrained with, derived from ``grammars/fol.lark``.

Parsing and decoding want different things from one language. The parser should accept
everything a person may write and explain what is wrong; a decoder that follows a grammar
must also be able to *finish*: with ``NAME: /\\w+/`` a model that never picks a non-word
token writes one name until ``max_tokens``, and the cut-off program parses no better than an
unconstrained one. So the decoding grammar is the parsing grammar with:

- exactly one conclusion (the checker rejects zero or several anyway), or, in the
  ``choice`` grammar, a question with its options instead;
- bounded sections (``max_predicates``, ``max_premises``: the service refuses more);
- bounded glosses, comments and runs of blank lines; a bounded comment must end its line;
- no name spelled like a keyword (``not``, ``all`` …): llguidance would take it as a name
  where Lark's lexer reads the keyword (llguidance's ``&``/``~`` lexeme operators).

Names stay unbounded on purpose. llguidance lexes greedily but a bounded lexeme ends at its
bound, so a name cut at 64 characters could be followed at once by another name (``∀x`` and
its body, glued), which our parser reads as one longer name: a text the decoder allows and
the parser rejects. A model that never ends a name needs sampling help (``logit_bias``), not
a grammar bound.

Everything the decoding grammar accepts, the parser accepts (``tests/test_constraints.py``
samples it with llguidance and parses every sample). The derivation edits fol.lark's text and
fails loudly (``RuntimeError``) when an edited line is no longer there, so a grammar change
cannot silently drop a bound.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from logicsvc.resources import read_grammar

__all__ = ["GRAMMARS", "DecodingLimits", "decoding_grammar"]


@dataclass(frozen=True, slots=True)
class DecodingLimits:
    """Bounds a constrained decoder keeps to; generous for real models, tight in tests."""

    max_predicates: int = 64
    max_sorts: int = 16
    max_functions: int = 32
    max_options: int = 8
    max_premises: int = 200
    """The service's own limit (``LOGICSVC_MAX_PREMISES``) by default."""
    max_gloss_chars: int = 400
    max_comment_chars: int = 200
    max_blank_lines: int = 2

    def __post_init__(self) -> None:
        for name in self.__slots__:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, not {getattr(self, name)}")


def _edit(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"grammars/fol.lark changed: cannot find the line {old!r} once")
    return text.replace(old, new)


_KEYWORD = re.compile(r'^[A-Z_]+_WORD: "(\w+)"$', re.M)


def keywords(grammar: str) -> tuple[str, ...]:
    """The word forms of operators (``FORALL_WORD: "forall"`` …) a grammar defines."""
    return tuple(sorted(_KEYWORD.findall(grammar)))


_UNTYPED = [
    (
        "quantified: (_forall | _exists) NAME [sort_of] quant_rest",
        "quantified: (_forall | _exists) NAME quant_rest",
    ),
    (
        "           | NAME [sort_of] quant_rest    -> more_vars",
        "           | NAME quant_rest    -> more_vars",
    ),
    (
        '           | "," NAME [sort_of] quant_rest -> more_vars',
        '           | "," NAME quant_rest -> more_vars',
    ),
    ("       | term (LT | LE | GT | GE) term     -> compare\n", ""),
    ('       | DISTINCT_OPEN term ("," term)* ")" -> distinct\n', ""),
    ("?term: sum", "?term: NAME -> name"),
]
"""A yes/no program (the ``folio`` and ``rulebase`` prompts) is decoded in the untyped
language those prompts teach: every branch the typed language adds is one more place a
sampler can wander before the conclusion (a random model under the full grammar rarely
ends), and the checker would refuse sorts in such a program's prompt context anyway."""


@cache
def decoding_grammar(limits: DecodingLimits = DecodingLimits(), *, choice: bool = False) -> str:
    """fol.lark, bounded as the module docstring says, in the Lark dialect llguidance reads.

    ``choice`` asks for a multiple-choice program (``Question:``/``Options:``) instead of
    one with a conclusion."""
    n = limits
    comment = rf"(#[^\n]{{0,{n.max_comment_chars}}})?"
    text = read_grammar("fol")
    words = " | ".join(f'"{w}"' for w in keywords(text))
    if not words:
        raise RuntimeError("grammars/fol.lark changed: no *_WORD keyword terminals found")
    edits = [] if choice else _UNTYPED
    for old, new in (
        *edits,
        (
            "predicates: PREDICATES_HEADER _NL (predicate_decl _NL)*",
            f"predicates: PREDICATES_HEADER _NL (predicate_decl _NL){{0,{n.max_predicates}}}",
        ),
        (
            "premises: PREMISES_HEADER _NL (statement _NL)*",
            f"premises: PREMISES_HEADER _NL (statement _NL){{0,{n.max_premises}}}",
        ),
        (
            "conclusion: CONCLUSION_HEADER _NL (statement _NL)*",
            "conclusion: CONCLUSION_HEADER _NL statement _NL",
        ),
        (
            "problem: _NL? sorts? functions? predicates? premises (conclusion | question)",
            "problem: _NL? sorts? functions? predicates? premises question"
            if choice
            else "problem: _NL? predicates? premises conclusion",
        ),
        (
            "sorts: SORTS_HEADER _NL (sort_decl _NL)*",
            f"sorts: SORTS_HEADER _NL (sort_decl _NL){{0,{n.max_sorts}}}",
        ),
        (
            "functions: FUNCTIONS_HEADER _NL (function_decl _NL)*",
            f"functions: FUNCTIONS_HEADER _NL (function_decl _NL){{0,{n.max_functions}}}",
        ),
        (
            "OPTIONS_HEADER _NL (option _NL)*",
            f"OPTIONS_HEADER _NL (option _NL){{1,{n.max_options}}}",
        ),
        (r"NAME: /\w+(-\w+)*/", rf"NAME: /\w+(-\w+)*/ & ~({words})"),
        (
            r"PRED_OPEN: /\w+(-\w+)*\(/",
            rf"PRED_OPEN: /\w+(-\w+)*\(/ & ~(({words} | " '"distinct") "(")',
        ),
        (r"GLOSS: /:::[^\n]*/", rf"GLOSS: /:::[^\n]{{0,{n.max_gloss_chars}}}/"),
        (
            r"_NL: /(#[^\n]*)?(\r?\n[\t ]*(#[^\n]*)?)+/",
            # every comment is followed by its line end: the next lexeme starts a new line
            rf"_NL: /{comment}\r?\n([\t ]{{0,8}}{comment}\r?\n){{0,{n.max_blank_lines}}}/",
        ),
    ):
        text = _edit(text, old, new)
    return text


def choice_grammar(limits: DecodingLimits = DecodingLimits()) -> str:
    """The decoding grammar of multiple-choice programs (a question and its options)."""
    return decoding_grammar(limits, choice=True)


GRAMMARS: dict[str, Callable[[DecodingLimits], str]] = {
    "fol": decoding_grammar,
    "choice": choice_grammar,
}
"""Every grammar logicsvc may constrain an LLM with, by name. The loop takes its grammar from
here, and ``tests/test_constraints.py`` validates each entry with llguidance."""

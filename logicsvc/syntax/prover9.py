"""Prover9/LADR and NLTK logic syntax → the same AST the DSL parser builds.

LINC and most NLTK-based pipelines write ``all x. (P(x) -> -Q(x))``; Prover9 input files
wrap such formulas, each ending in ``.``, in ``formulas(assumptions).`` … ``end_of_list.``
lists.  Both are read by ``grammars/prover9.lark``.  The notation's own meanings are kept:

- a name bound by a quantifier is a variable; a *free* name that starts with ``u``–``z``
  (and is not double-quoted) is a variable too, universally quantified over the whole
  formula, as Prover9 reads it (the LADR rule; NLTK hands such formulas to Prover9);
  every other name is a constant;
- quantifiers bind as tightly as negation (NLTK and LADR agree: ``all x. P(x) & Q(x)`` is
  ``(all x. P(x)) & Q(x)``); lenient mode then widens a scope that would leave its
  variable free, exactly as it does for the DSL, and says so;
- ``formulas(goals)`` holds the conclusion; ``set(…)``/``assign(…)`` directives are
  prover options and are skipped.

What has no single meaning is refused with a span: a chain ``a -> b -> c`` (NLTK groups it
to the left, LADR refuses it) and function symbols (logicsvc's logic has none).
"""

from __future__ import annotations

import re
from functools import cache

import lark
from lark import Token, Tree

from logicsvc.errors import DSLSyntaxError, SemanticError, caret_context
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Equals,
    Formula,
    Not,
    Op,
    Program,
    Quantified,
    Quantifier,
    Statement,
    Term,
    Var,
)
from logicsvc.syntax.foreign import node_span, syntax_error, token_span
from logicsvc.syntax.parser import ParsedProgram
from logicsvc.syntax.repair import widen_quantifiers
from logicsvc.syntax.walk import bind, constants

__all__ = ["parse_prover9", "parse_prover9_formula"]

_TERMINALS = {
    "NAME": "a name",
    "QUOTED": 'a "quoted name"',
    "PRED_OPEN": "a predicate such as P(",
    "QUOTED_OPEN": "a predicate such as P(",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "DOT": "'.'",
    "ALL": "all",
    "EXISTS": "exists",
    "NOT": "-",
    "AND": "&",
    "OR": "|",
    "IMPLIES": "->",
    "IMPLIED_BY": "<-",
    "IFF": "<->",
    "EQUALS": "=",
    "NOT_EQUALS": "!=",
    "LIST_OPEN": "formulas(",
    "END_OF_LIST": "end_of_list",
    "DIRECTIVE_OPEN": "",
    "FORALL": "",
    "FORALL_SYM": "",
    "EXISTS_SYM": "",
    "SOME": "",
    "EXIST": "",
    "NOT_WORD": "",
    "AND_WORD": "",
    "OR_WORD": "",
    "IMPLIES_WORD": "",
    "IFF_WORD": "",
    "$END": "end of input",
}
_BINARY = {"iff_op": Op.IFF, "implies_op": Op.IMPLIES, "or_op": Op.OR, "and_op": Op.AND}
_EXISTS = {"exists", "some", "exist", "∃"}
# A capitalised quantifier word before its variables and NLTK's dot: one meaning only.
_CAPITALISED = re.compile(
    r"(?<![\w\"'])(Exists|EXISTS|Forall|ForAll|FORALL|All|ALL)(?=(\s+\w+)+\s*\.)"
)
_LADR_VARIABLE = re.compile(r"[u-z]\w*")
_PREMISE_LISTS = {"assumptions", "sos", "usable", "hints"}
_GOAL_LISTS = {"goals"}
_FORMULA = "formula"


@cache
def _parser() -> lark.Lark:
    from logicsvc.resources import read_grammar
    from logicsvc.syntax.lark_cache import load_or_build

    options = {
        "parser": "lalr",
        "lexer": "contextual",
        "start": ["start", _FORMULA],
        "propagate_positions": True,
        "maybe_placeholders": False,
    }
    return load_or_build("prover9", read_grammar("prover9"), options)


def _parse_lenient(text: str, start: str, lenient: bool) -> tuple[Tree[Token], list[str]]:
    """Parse; in lenient mode, on failure, read capitalised quantifier words and retry."""
    try:
        return _parse(text, start), []
    except DSLSyntaxError:
        if not lenient:
            raise
        # lowercase keeps every length (Forall → forall), so spans stay those of the input
        fixed, count = _CAPITALISED.subn(lambda m: m.group(1).lower(), text)
        if not count:
            raise
        notes = [f"read {count} capitalised quantifier word(s) (Exists, Forall) as quantifiers"]
        try:
            return _parse(fixed, start), notes
        except DSLSyntaxError as exc:  # same spans: show the line as the caller wrote it
            exc.context = caret_context(text, exc.span) if exc.span else exc.context
            raise


def _parse(text: str, start: str) -> Tree[Token]:
    try:
        return _parser().parse(text, start=start)
    except lark.exceptions.UnexpectedInput as exc:
        error = syntax_error(exc, text, _TERMINALS, "Prover9 syntax")
        if isinstance(exc, lark.exceptions.UnexpectedToken) and exc.token.type in (
            "IMPLIES",
            "IMPLIES_WORD",
            "IMPLIED_BY",
            "IFF",
            "IFF_WORD",
        ):
            error.message += (
                " (a chain of -> or <-> needs parentheses: NLTK and Prover9 group it differently)"
            )
        raise error from None


def parse_prover9_formula(text: str, *, lenient: bool = False) -> tuple[Formula, tuple[str, ...]]:
    """One NLTK/Prover9 formula (a final ``.`` is allowed)."""
    body = text.rstrip()
    body = body[:-1] if body.endswith(".") else body
    tree, repairs = _parse_lenient(body, _FORMULA, lenient)
    formula, notes = _Builder(body).statement(tree, lenient=lenient)
    return formula, (*repairs, *notes)


def parse_prover9(text: str, *, lenient: bool = False) -> ParsedProgram:
    """A Prover9 input file: ``formulas(assumptions)`` premises, ``formulas(goals)`` the
    conclusion (more than one goal fails the checks, as in the DSL)."""
    tree, repairs = _parse_lenient(text, "start", lenient)
    builder = _Builder(text)
    warnings: list[str] = list(repairs)
    premises: list[Statement] = []
    goals: list[Statement] = []
    file = tree.children[0]
    assert isinstance(file, Tree)
    for section in file.children:
        if not isinstance(section, Tree) or section.data != "formula_list":
            continue
        name_token = section.children[1]
        assert isinstance(name_token, Token)
        name = str(name_token)
        if name not in _PREMISE_LISTS | _GOAL_LISTS:
            raise SemanticError(
                f"unknown formula list {name!r}; expected assumptions or goals",
                code="unknown_list",
                span=token_span(name_token),
                context=caret_context(text, token_span(name_token)),
            )
        target = goals if name in _GOAL_LISTS else premises
        for statement in section.children[2:]:
            if not isinstance(statement, Tree) or statement.data != "statement":
                continue
            span = node_span(statement)
            formula, notes = builder.statement(statement.children[0], lenient=lenient)
            line = span.line if span else "?"
            warnings.extend(f"line {line}: {note}" for note in notes)
            target.append(Statement(formula, None, span))
    return ParsedProgram(Program((), tuple(premises), tuple(goals)), tuple(warnings))


class _Builder:
    """Parse tree → AST, scope-aware like the DSL builder; remembers quoted names."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.quoted: set[str] = set()

    def statement(self, node: Tree[Token] | Token, *, lenient: bool) -> tuple[Formula, list[str]]:
        self.quoted = set()
        formula = self.formula(node, frozenset())
        notes: list[str] = []
        if lenient:
            formula, notes = widen_quantifiers(formula)
        free = sorted(
            n for n in constants(formula) if _LADR_VARIABLE.fullmatch(n) and n not in self.quoted
        )
        for name in free:
            formula = bind(formula, frozenset((name,)))
        for name in reversed(free):
            formula = Quantified(Quantifier.ALL, name, formula, formula.span)
        if free:
            notes.append(
                f"free variable(s) {', '.join(free)} read as universally quantified"
                " (Prover9's rule)"
            )
        return formula, notes

    def name(self, token: Token) -> str:
        text = str(token)
        if token.type in ("QUOTED", "QUOTED_OPEN"):
            text = text.rstrip("(")[1:-1]
            self.quoted.add(text)
            return text
        return text.rstrip("(")

    def term(self, node: Tree[Token] | Token, bound: frozenset[str]) -> Term:
        if isinstance(node, Tree) and node.data == "function_term":
            span = node_span(node)
            assert span is not None
            raise SemanticError(
                "function symbols are not supported (logicsvc's logic has none): "
                "write the function as a predicate",
                code="function_symbol",
                span=span,
                context=caret_context(self.text, span),
            )
        token = node.children[0] if isinstance(node, Tree) else node
        assert isinstance(token, Token)
        name = self.name(token)
        span = token_span(token)
        return Var(name, span) if name in bound else Const(name, span)

    def formula(self, node: Tree[Token] | Token, bound: frozenset[str]) -> Formula:
        if isinstance(node, Token):  # a bare name or "quoted" as a proposition
            return Atom(self.name(node), (), token_span(node))
        kind, kids, span = str(node.data), node.children, node_span(node)
        if kind in _BINARY:
            left, right = kids[0], kids[-1]
            return Binary(
                _BINARY[kind], self.formula(left, bound), self.formula(right, bound), span
            )
        if kind == "implied_by_op":
            left, right = kids[0], kids[-1]
            return Binary(Op.IMPLIES, self.formula(right, bound), self.formula(left, bound), span)
        if kind == "not_op":
            return Not(self.formula(kids[-1], bound), span)
        if kind == "quantified":
            head = kids[0]
            assert isinstance(head, Token)
            quantifier = Quantifier.EXISTS if str(head) in _EXISTS else Quantifier.ALL
            names = [self.name(k) for k in kids[1:-1] if isinstance(k, Token)]
            formula = self.formula(kids[-1], bound | frozenset(names))
            for var in reversed(names):
                formula = Quantified(quantifier, var, formula, span)
            return formula
        if kind == "atom":
            head = kids[0]
            assert isinstance(head, Token)
            return Atom(self.name(head), tuple(self.term(k, bound) for k in kids[1:]), span)
        if kind == "prop":
            token = kids[0]
            assert isinstance(token, Token)
            return Atom(self.name(token), (), span)
        if kind in ("equals", "not_equals"):
            left, _, right = kids
            eq = Equals(self.term(left, bound), self.term(right, bound), span)
            return eq if kind == "equals" else Not(eq, span)
        raise AssertionError(f"grammar rule {kind!r} has no AST builder")

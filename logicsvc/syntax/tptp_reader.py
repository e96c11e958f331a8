"""TPTP FOF and CNF problems → the same AST the DSL parser builds.

(``logicsvc/syntax/tptp.py`` is the other direction.)  ``axiom``-like roles become
premises, ``conjecture`` the conclusion.  TPTP's variables are upper words, its constants
and predicates lower words or single-quoted atoms; CNF clauses are universally closed, as
TPTP defines them.  Names written by our exporter come back exactly: ``'u:…'`` atoms and
``V…`` variables are unescaped, so DSL → TPTP → DSL is the identity.
"""

from __future__ import annotations

import re
from functools import cache

import lark
from lark import Token, Tree

from logicsvc.errors import SemanticError, Span, caret_context
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
from logicsvc.syntax.walk import bind, free_vars

__all__ = ["parse_tptp"]

_TERMINALS = {
    "LOWER_WORD": "a lower word",
    "UPPER_WORD": "a variable",
    "SINGLE_QUOTED": "a 'quoted atom'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "DOT": "'.'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COLON": "':'",
    "QUANT": "! or ?",
    "TILDE": "~",
    "VBAR": "|",
    "AMPERSAND": "&",
    "NONASSOC": "=>, <=>, <~>",
    "EQUAL": "=",
    "NOT_EQUALS": "!=",
    "LANGUAGE": "fof(",
    "INCLUDE": "",
    "$END": "end of input",
}
_NONASSOC = {"<=>": Op.IFF, "=>": Op.IMPLIES, "<~>": Op.XOR}
_PREMISE_ROLES = {
    "axiom",
    "hypothesis",
    "definition",
    "assumption",
    "lemma",
    "theorem",
    "corollary",
}
_ESCAPE = re.compile(r"__|_h|_u([0-9a-f]{4,6})_")


@cache
def _parser() -> lark.Lark:
    from logicsvc.resources import read_grammar
    from logicsvc.syntax.lark_cache import load_or_build

    options = {
        "parser": "lalr",
        "lexer": "contextual",
        "propagate_positions": True,
        "maybe_placeholders": False,
    }
    return load_or_build("tptp", read_grammar("tptp"), options)


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(0) == "__":
            return "_"
        if match.group(0) == "_h":
            return "-"
        code = int(match.group(1), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)  # not ours: leave it

    return _ESCAPE.sub(one, text)


def parse_tptp(text: str, *, lenient: bool = False) -> ParsedProgram:
    """A TPTP problem: ``fof``/``cnf`` lines; ``include`` and typed languages are refused."""
    del lenient  # TPTP is machine-written: nothing to repair
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as exc:
        raise syntax_error(exc, text, _TERMINALS, "TPTP") from None
    builder = _Builder(text, tree)
    premises: list[Statement] = []
    goals: list[Statement] = []
    file = tree.children[0]
    assert isinstance(file, Tree)
    for node in file.children:
        assert isinstance(node, Tree)
        span = node_span(node)
        if node.data == "include":
            raise builder.error("include directives are not supported", span, "unsupported")
        language, _, role, body = node.children[:4]
        if str(language) in ("tff", "thf"):
            raise builder.error(f"{language} (typed TPTP) is not supported", span, "unsupported")
        formula = builder.formula(body, frozenset())
        free = sorted(free_vars(formula))
        if str(language) == "cnf" and free:  # a clause: its variables are universal
            for name in free:
                formula = bind(formula, frozenset((name,)))
            for name in reversed(free):
                formula = Quantified(Quantifier.ALL, name, formula, span)
        elif free:
            raise builder.error(
                f"variable {free[0]} is not bound by a quantifier", span, "free_variable"
            )
        if str(role) == "conjecture":
            goals.append(Statement(formula, None, span))
        elif str(role) in _PREMISE_ROLES:
            premises.append(Statement(formula, None, span))
        else:
            raise builder.error(
                f"role {role!s} is not supported; use axiom or conjecture",
                token_span(role) if isinstance(role, Token) else span,
                "unsupported",
            )
    return ParsedProgram(Program((), tuple(premises), tuple(goals)), ())


class _Builder:
    def __init__(self, text: str, tree: Tree[Token]) -> None:
        self.text = text
        upper = {
            str(t)
            for t in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "UPPER_WORD")
        }
        # our exporter writes V + the (escaped) name; strip V only when every variable has it
        self.strip_v = bool(upper) and all(len(v) > 1 and v[0] == "V" for v in upper)

    def error(self, message: str, span: Span | None, code: str) -> SemanticError:
        context = caret_context(self.text, span) if span else None
        return SemanticError(message, code=code, span=span, context=context)

    def var_name(self, token: Token) -> str:
        name = str(token)
        if self.strip_v:
            name = name[1:]
            return _unescape(name) if "_" in name else name
        return name

    def atom_name(self, token: Token) -> str:
        name = str(token)
        if token.type != "SINGLE_QUOTED":
            return name
        inner = re.sub(r"\\(.)", r"\1", name[1:-1])
        return _unescape(inner[2:]) if inner.startswith("u:") else inner

    def term(self, node: Tree[Token] | Token, bound: frozenset[str]) -> Term:
        if isinstance(node, Tree) and node.data == "function_term":
            raise self.error(
                "function symbols are not supported (logicsvc's logic has none)",
                node_span(node),
                "function_symbol",
            )
        token = node.children[0] if isinstance(node, Tree) else node
        assert isinstance(token, Token)
        span = token_span(token)
        if token.type == "UPPER_WORD":
            return Var(self.var_name(token), span)
        if token.type in ("DISTINCT_OBJECT", "INTEGER"):
            # TPTP gives these an interpretation (pairwise distinct) that a constant lacks
            raise self.error(
                f"{token!s}: distinct objects and numbers are not supported", span, "unsupported"
            )
        return Const(self.atom_name(token), span)

    def formula(self, node: Tree[Token] | Token, bound: frozenset[str]) -> Formula:
        if isinstance(node, Token):
            return Atom(self.atom_name(node), (), token_span(node))
        kind, kids, span = str(node.data), node.children, node_span(node)
        if kind == "binary":
            left, op_token, right = kids
            a, b = self.formula(left, bound), self.formula(right, bound)
            op = str(op_token)
            if op in _NONASSOC:
                return Binary(_NONASSOC[op], a, b, span)
            if op == "<=":
                return Binary(Op.IMPLIES, b, a, span)
            return Not(Binary(Op.OR if op == "~|" else Op.AND, a, b, span), span)
        if kind in ("or_chain", "and_chain"):
            chain_op = Op.OR if kind == "or_chain" else Op.AND
            parts = [self.formula(k, bound) for k in kids]
            result = parts[0]
            for part in parts[1:]:
                result = Binary(chain_op, result, part, span)
            return result
        if kind == "not_op":
            return Not(self.formula(kids[-1], bound), span)
        if kind == "quantified":
            head = kids[0]
            quantifier = Quantifier.ALL if str(head) == "!" else Quantifier.EXISTS
            names = [self.var_name(k) for k in kids[1:-1] if isinstance(k, Token)]
            formula = self.formula(kids[-1], bound | frozenset(names))
            for var in reversed(names):
                formula = Quantified(quantifier, var, formula, span)
            return formula
        if kind == "atom":
            head = kids[0]
            assert isinstance(head, Token)
            return Atom(self.atom_name(head), tuple(self.term(k, bound) for k in kids[1:]), span)
        if kind == "prop":
            token = kids[0]
            assert isinstance(token, Token)
            return Atom(self.atom_name(token), (), span)
        if kind == "defined":
            raise self.error(f"{kids[0]!s} is not supported", span, "unsupported")
        if kind in ("equals", "not_equals"):
            eq = Equals(self.term(kids[0], bound), self.term(kids[-1], bound), span)
            return eq if kind == "equals" else Not(eq, span)
        raise AssertionError(f"grammar rule {kind!r} has no AST builder")

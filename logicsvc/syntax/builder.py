"""Lark parse tree → typed AST.

Variables and constants look alike in the DSL; what tells them apart is scope.
The builder walks top-down with the set of names bound by enclosing
quantifiers: a bound name becomes ``Var``, any other name ``Const``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lark import Token, Tree

from logicsvc.errors import Span
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
    Equals,
    Formula,
    Not,
    Op,
    PredicateDecl,
    Program,
    Quantified,
    Quantifier,
    Statement,
    Term,
    Var,
)

_BINARY = {
    "iff_op": Op.IFF,
    "implies_op": Op.IMPLIES,
    "xor_op": Op.XOR,
    "or_op": Op.OR,
    "and_op": Op.AND,
}
_QUANTIFIERS = {
    "FORALL": Quantifier.ALL,
    "FORALL_WORD": Quantifier.ALL,
    "ALL_WORD": Quantifier.ALL,
    "EXISTS": Quantifier.EXISTS,
    "EXISTS_WORD": Quantifier.EXISTS,
}


def _token_span(token: Token) -> Span:
    return Span(
        token.line or 1,
        token.column or 1,
        token.end_line or token.line or 1,
        token.end_column or (token.column or 1) + len(token),
    )


def _span(node: Tree[Token] | Token) -> Span | None:
    if isinstance(node, Token):
        return _token_span(node)
    meta = node.meta
    if getattr(meta, "empty", True):
        return None
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _gloss(token: Token | None) -> str | None:
    if token is None:
        return None
    return str(token)[3:].strip() or None


def _pred_name(token: Token) -> str:
    return str(token)[:-1]  # PRED_OPEN is "Name("


def build_term(node: Tree[Token], bound: frozenset[str]) -> Term:
    token = node.children[0]
    assert isinstance(token, Token)
    name = str(token)
    return Var(name, _token_span(token)) if name in bound else Const(name, _token_span(token))


def build_formula(node: Tree[Token] | Token, bound: frozenset[str] = frozenset()) -> Formula:
    assert isinstance(node, Tree), f"unexpected token {node!r} where a formula belongs"
    kind = str(node.data)
    span = _span(node)
    kids = node.children
    if kind in _BINARY:
        left, _, right = kids
        assert left is not None and right is not None
        return Binary(_BINARY[kind], build_formula(left, bound), build_formula(right, bound), span)
    if kind == "not_op":
        operand = kids[1]
        assert operand is not None
        return Not(build_formula(operand, bound), span)
    if kind == "quantified":
        quant_token = kids[0]
        assert isinstance(quant_token, Token)
        return _build_quantified(_QUANTIFIERS[quant_token.type], kids[1:], bound, span)
    if kind == "atom":
        head = kids[0]
        assert isinstance(head, Token)
        args = tuple(build_term(k, bound) for k in kids[1:] if isinstance(k, Tree))
        return Atom(_pred_name(head), args, span)
    if kind == "prop":
        return Atom(str(kids[0]), (), span)
    if kind in ("equals", "not_equals"):
        left, _, right = kids
        assert isinstance(left, Tree) and isinstance(right, Tree)
        eq = Equals(build_term(left, bound), build_term(right, bound), span)
        return eq if kind == "equals" else Not(eq, span)
    raise AssertionError(f"grammar rule {kind!r} has no AST builder")


def _build_quantified(
    quantifier: Quantifier,
    rest: Sequence[Tree[Token] | Token | None],
    bound: frozenset[str],
    span: Span | None,
) -> Formula:
    """``∀x y z body`` nests as ``∀x ∀y ∀z body``."""
    names: list[str] = []
    while True:
        name, body = rest
        names.append(str(name))
        if isinstance(body, Tree) and body.data == "more_vars":
            rest = list(body.children)
            continue
        break
    assert body is not None
    formula = build_formula(body, bound | frozenset(names))
    for var in reversed(names):
        formula = Quantified(quantifier, var, formula, span)
    return formula


def build_program(tree: Tree[Token]) -> Program:
    problem = tree.children[0] if tree.data == "start" else tree
    assert isinstance(problem, Tree)
    sections: dict[str, Tree[Token]] = {
        str(c.data): c for c in problem.children if isinstance(c, Tree)
    }
    decls: list[PredicateDecl] = []
    if "predicates" in sections:
        for decl in sections["predicates"].children:
            if isinstance(decl, Tree):
                decls.append(_build_decl(decl))
    return Program(
        tuple(decls),
        _statements(sections["premises"]),
        _statements(sections["conclusion"]),
    )


def _build_decl(node: Tree[Token]) -> PredicateDecl:
    tokens = [k for k in node.children if isinstance(k, Token)]
    gloss = next((t for t in tokens if t.type == "GLOSS"), None)
    if node.data == "prop_decl":
        return PredicateDecl(str(tokens[0]), (), _gloss(gloss), _span(node))
    params = tuple(str(t) for t in tokens if t.type == "NAME")
    return PredicateDecl(_pred_name(tokens[0]), params, _gloss(gloss), _span(node))


def _statements(section: Tree[Token]) -> tuple[Statement, ...]:
    out: list[Statement] = []
    for node in section.children:
        if not isinstance(node, Tree):
            continue
        formula_node = node.children[0]
        assert formula_node is not None
        gloss_token = next(
            (k for k in node.children[1:] if isinstance(k, Token) and k.type == "GLOSS"), None
        )
        out.append(Statement(build_formula(formula_node), _gloss(gloss_token), _span(node)))
    return tuple(out)

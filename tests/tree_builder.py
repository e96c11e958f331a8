"""Lark parse tree → typed AST: the reference the production parser is held to.

Production builds the AST inside the parse (:mod:`logicsvc.syntax.assemble`, issue 18);
this walk over Lark's tree is how it was built before, kept here as the independent
second reading that ``tests/test_assemble.py`` compares it with on every recorded program.

Variables and constants look alike in the DSL; what tells them apart is scope.
The builder walks top-down with the set of names bound by enclosing
quantifiers: a bound name becomes ``Var``, any other name ``Const``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lark import Token, Tree

from logicsvc.errors import Span
from logicsvc.syntax.ast import (
    App,
    Arith,
    ArithOp,
    Atom,
    Binary,
    Compare,
    CompareOp,
    Const,
    Count,
    Distinct,
    Equals,
    Formula,
    FunctionDecl,
    Not,
    Op,
    Option,
    PredicateDecl,
    Program,
    Quantified,
    Quantifier,
    Question,
    QuestionKind,
    Signature,
    SortDecl,
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
_ARITH = {"add": ArithOp.ADD, "sub": ArithOp.SUB, "mul": ArithOp.MUL}
_COMPARE = {"LT": CompareOp.LT, "LE": CompareOp.LE, "GT": CompareOp.GT, "GE": CompareOp.GE}
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


def build_term(node: Tree[Token] | Token | None, bound: frozenset[str]) -> Term:
    assert isinstance(node, Tree), f"unexpected token {node!r} where a term belongs"
    kind = str(node.data)
    kids = node.children
    if kind == "name":
        token = kids[0]
        assert isinstance(token, Token)
        name = str(token)
        span = _token_span(token)
        return Var(name, span) if name in bound else Const(name, span)
    if kind == "app":
        head = kids[0]
        assert isinstance(head, Token)
        args = tuple(build_term(k, bound) for k in kids[1:] if isinstance(k, Tree))
        return App(_pred_name(head), args, _span(node))
    if kind in _ARITH:
        left, _, right = kids
        return Arith(_ARITH[kind], build_term(left, bound), build_term(right, bound), _span(node))
    if kind == "count":
        _, var, sort_of, body = kids
        assert isinstance(var, Token) and isinstance(sort_of, Tree) and body is not None
        inner = build_formula(body, bound | {str(var)})
        return Count(str(var), _sort_name(sort_of), inner, _span(node))
    raise AssertionError(f"grammar rule {kind!r} has no term builder")


def _sort_name(sort_of: Tree[Token]) -> str:
    return str(sort_of.children[-1])


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
        eq = Equals(build_term(left, bound), build_term(right, bound), span)
        return eq if kind == "equals" else Not(eq, span)
    if kind == "compare":
        left, op, right = kids
        assert isinstance(op, Token)
        return Compare(_COMPARE[op.type], build_term(left, bound), build_term(right, bound), span)
    if kind == "distinct":
        return Distinct(tuple(build_term(k, bound) for k in kids if isinstance(k, Tree)), span)
    raise AssertionError(f"grammar rule {kind!r} has no AST builder")


def _build_quantified(
    quantifier: Quantifier,
    rest: Sequence[Tree[Token] | Token | None],
    bound: frozenset[str],
    span: Span | None,
) -> Formula:
    """``∀x y:S z body`` nests as ``∀x ∀y:S ∀z body``."""
    names: list[tuple[str, str | None]] = []
    while True:
        name, sort_of, body = rest
        names.append((str(name), _sort_name(sort_of) if isinstance(sort_of, Tree) else None))
        if isinstance(body, Tree) and body.data == "more_vars":
            rest = list(body.children)
            continue
        break
    assert body is not None
    formula = build_formula(body, bound | frozenset(n for n, _ in names))
    for var, sort in reversed(names):
        formula = Quantified(quantifier, var, formula, span, sort)
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
                decls.append(build_decl(decl))
    signature = Signature(
        tuple(_build_sort(d) for d in _lines(sections.get("sorts"))),
        tuple(_build_function(d) for d in _lines(sections.get("functions"))),
    )
    question = _build_question(sections["question"]) if "question" in sections else None
    conclusions = _statements(sections["conclusion"]) if "conclusion" in sections else ()
    return Program(
        tuple(decls), _statements(sections["premises"]), conclusions, signature, question
    )


def _lines(section: Tree[Token] | None) -> list[Tree[Token]]:
    return [] if section is None else [c for c in section.children if isinstance(c, Tree)]


def _tokens(node: Tree[Token], kind: str) -> list[Token]:
    return [k for k in node.children if isinstance(k, Token) and k.type == kind]


def _gloss_of(node: Tree[Token]) -> str | None:
    return _gloss(next(iter(_tokens(node, "GLOSS")), None))


def _build_sort(node: Tree[Token]) -> SortDecl:
    name, *values = (str(t) for t in _tokens(node, "NAME"))
    if node.data == "enum_sort":
        return SortDecl(name, tuple(values), gloss=_gloss_of(node), span=_span(node))
    low, high = (_integer(k) for k in node.children if isinstance(k, Tree))
    return SortDecl(name, low=low, high=high, gloss=_gloss_of(node), span=_span(node))


def _integer(node: Tree[Token]) -> int:
    digits = int(_tokens(node, "DIGITS")[0])
    return -digits if _tokens(node, "DASH") else digits


def _build_function(node: Tree[Token]) -> FunctionDecl:
    names = [str(t) for t in _tokens(node, "NAME")]
    gloss, span = _gloss_of(node), _span(node)
    if node.data == "constant_decl":
        return FunctionDecl(names[0], (), names[1], gloss, span)
    head = _tokens(node, "PRED_OPEN")[0]
    return FunctionDecl(_pred_name(head), tuple(names[:-1]), names[-1], gloss, span)


def _build_question(node: Tree[Token]) -> Question:
    kind = QuestionKind(str(_tokens(node, "QUESTION_KIND")[0]))
    options = []
    for line in _lines(node):
        label = str(_tokens(line, "OPTION_LABEL")[0])[:-1]
        formulas = tuple(build_formula(k) for k in line.children if isinstance(k, Tree))
        options.append(Option(label, formulas, _gloss_of(line), _span(line)))
    return Question(kind, tuple(options), _span(node))


def build_decl(node: Tree[Token]) -> PredicateDecl:
    """One line of ``Predicates:``."""
    tokens = [k for k in node.children if isinstance(k, Token)]
    gloss = next((t for t in tokens if t.type == "GLOSS"), None)
    if node.data == "prop_decl":
        return PredicateDecl(str(tokens[0]), (), _gloss(gloss), _span(node))
    params = tuple(str(t) for t in tokens if t.type == "NAME")
    return PredicateDecl(_pred_name(tokens[0]), params, _gloss(gloss), _span(node))


def _statements(section: Tree[Token]) -> tuple[Statement, ...]:
    return tuple(build_statement(node) for node in section.children if isinstance(node, Tree))


def build_statement(node: Tree[Token]) -> Statement:
    """One line of ``Premises:`` or ``Conclusion:`` (a ``statement`` node)."""
    formula_node = node.children[0]
    assert formula_node is not None
    gloss_token = next(
        (k for k in node.children[1:] if isinstance(k, Token) and k.type == "GLOSS"), None
    )
    return Statement(build_formula(formula_node), _gloss(gloss_token), _span(node))

"""The AST assembled inside the LALR parse: each reduction builds its node at once.

Lark's tree, then a walk over it (:mod:`builder`), cost two objects and two calls per
grammar rule; here the parser calls :class:`Assembler` on every reduction and no
tree is built.  Two things the tree walk had for free are rebuilt from the tokens:

- Spans.  The parser keeps every token (``keep_all_tokens``), so a node's span runs
  from its first child's start to its last child's end, as Lark's
  ``propagate_positions`` computes it.  A parenthesised formula or term keeps its own
  span, but its parent's span reaches over the parentheses (Lark's *container*
  position): :class:`_Paren` carries that outer span until the parent unwraps it.
- Scope.  A name in term position is a ``Var`` where a quantifier (or ``count``)
  above it binds it, else a ``Const``.  Reductions run bottom-up, so every name is
  read as a ``Const`` first and a quantifier turns its own names into ``Var`` in its
  body when it is reduced (:func:`bind`).

Every method gets the children of one grammar alternative, in order, ``None`` where
an optional ``[…]`` is absent.  ``tests/test_assemble.py`` holds the result to the
tree builder's, spans included, on every recorded program.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lark import Token, Transformer, Tree

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
)
from logicsvc.syntax.walk import bind

_COMPARE = {"LT": CompareOp.LT, "LE": CompareOp.LE, "GT": CompareOp.GT, "GE": CompareOp.GE}
_QUANTIFIERS = {
    "FORALL": Quantifier.ALL,
    "FORALL_WORD": Quantifier.ALL,
    "ALL_WORD": Quantifier.ALL,
    "EXISTS": Quantifier.EXISTS,
    "EXISTS_WORD": Quantifier.EXISTS,
}


class _Paren:
    """A formula or term in parentheses: the node, and the span the parentheses cover."""

    __slots__ = ("node", "span")

    def __init__(self, node: Any, span: Span) -> None:
        self.node = node
        self.span = span


class _Vars:
    """``y:S z body`` after a quantifier's first name (the grammar's ``more_vars``)."""

    __slots__ = ("body", "names", "span")

    def __init__(self, names: list[tuple[str, str | None]], body: Any, span: Span) -> None:
        self.names = names
        self.body = body
        self.span = span


class _Integer:
    __slots__ = ("span", "value")

    def __init__(self, value: int, span: Span) -> None:
        self.value = value
        self.span = span


class _Section:
    __slots__ = ("items", "kind")

    def __init__(self, kind: str, items: tuple[Any, ...]) -> None:
        self.kind = kind
        self.items = items


def _span(children: Sequence[Any]) -> Span:
    """First child's start to last child's end (the outer span of a parenthesised one)."""
    first = children[0]
    if first is None:
        first = next(c for c in children if c is not None)
    last = children[-1]
    if last is None:
        last = next(c for c in reversed(children) if c is not None)
    start: Any = first if isinstance(first, Token) else first.span  # tokens have positions
    end: Any = last if isinstance(last, Token) else last.span
    return Span(start.line, start.column, end.end_line, end.end_column)


def _token_span(token: Token) -> Span:
    position: Any = token  # the lexer sets every position; Lark types them optional
    return Span(position.line, position.column, position.end_line, position.end_column)


def _node(item: Any) -> Any:
    return item.node if type(item) is _Paren else item


def _subnodes(children: Sequence[Any]) -> tuple[Any, ...]:
    """The formulas or terms among ``children`` (not tokens, not absent options)."""
    return tuple(_node(c) for c in children if c is not None and not isinstance(c, Token))


def _gloss(children: Sequence[Any]) -> str | None:
    last = children[-1]
    if isinstance(last, Token) and last.type == "GLOSS":
        return str(last)[3:].strip() or None
    return None


def _names(children: Sequence[Any]) -> list[str]:
    return [str(c) for c in children if isinstance(c, Token) and c.type == "NAME"]


def _binary(op: Op) -> Any:
    def reduce(self: Assembler, children: list[Any]) -> Binary:
        left, _, right = children
        return Binary(op, _node(left), _node(right), _span(children))

    return reduce


def _arith(op: ArithOp) -> Any:
    def reduce(self: Assembler, children: list[Any]) -> Arith:
        left, _, right = children
        return Arith(op, _node(left), _node(right), _span(children))

    return reduce


class Assembler(Transformer[Token, Any]):
    """Lark's callbacks, one per grammar rule or alias; stateless, so shared by threads."""

    def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
        if data.startswith("_"):  # `_not`, `_forall`, `_exists`: Lark splices them into the parent
            return Tree(data, children)
        raise AssertionError(f"grammar rule {data!r} has no assembler")

    # ---- formulas -------------------------------------------------------------

    iff_op = _binary(Op.IFF)
    implies_op = _binary(Op.IMPLIES)
    xor_op = _binary(Op.XOR)
    or_op = _binary(Op.OR)
    and_op = _binary(Op.AND)

    def not_op(self, children: list[Any]) -> Not:
        return Not(_node(children[1]), _span(children))

    def unary(self, children: list[Any]) -> _Paren:  # "(" formula ")"
        return _Paren(_node(children[1]), _span(children))

    def quantified(self, children: list[Any]) -> Formula:
        token, name, sort, rest = children
        names: list[tuple[str, str | None]] = [(str(name), sort)]
        if type(rest) is _Vars:
            names.extend(rest.names)
            rest = rest.body
        quantifier, span = _QUANTIFIERS[token.type], _span(children)
        formula: Formula = bind(_node(rest), frozenset(n for n, _ in names))
        for var, sort_name in reversed(names):
            formula = Quantified(quantifier, var, formula, span, sort_name)
        return formula

    def more_vars(self, children: list[Any]) -> _Vars:
        name, sort, rest = children[-3:]  # after a "," where there is one
        names: list[tuple[str, str | None]] = [(str(name), sort)]
        if type(rest) is _Vars:
            names.extend(rest.names)
            rest = rest.body
        return _Vars(names, rest, _span(children))

    def sort_of(self, children: list[Any]) -> str:
        return str(children[-1])

    def atom(self, children: list[Any]) -> Atom:
        return Atom(str(children[0])[:-1], _subnodes(children[1:]), _span(children))

    def prop(self, children: list[Any]) -> Atom:
        return Atom(str(children[0]), (), _span(children))

    def equals(self, children: list[Any]) -> Equals:
        left, _, right = children
        return Equals(_node(left), _node(right), _span(children))

    def not_equals(self, children: list[Any]) -> Not:
        left, _, right = children
        span = _span(children)
        return Not(Equals(_node(left), _node(right), span), span)

    def compare(self, children: list[Any]) -> Compare:
        left, op, right = children
        return Compare(_COMPARE[op.type], _node(left), _node(right), _span(children))

    def distinct(self, children: list[Any]) -> Distinct:
        return Distinct(_subnodes(children[1:]), _span(children))

    # ---- terms ------------------------------------------------------------------

    def name(self, children: list[Any]) -> Const:
        token = children[0]
        return Const(str(token), _token_span(token))

    def app(self, children: list[Any]) -> App:
        return App(str(children[0])[:-1], _subnodes(children[1:]), _span(children))

    add = _arith(ArithOp.ADD)
    sub = _arith(ArithOp.SUB)
    mul = _arith(ArithOp.MUL)

    def factor(self, children: list[Any]) -> _Paren:  # "(" sum ")"
        return _Paren(_node(children[1]), _span(children))

    def count(self, children: list[Any]) -> Count:
        _, var, sort, _, body, _ = children
        name = str(var)
        return Count(name, sort, bind(_node(body), frozenset((name,))), _span(children))

    # ---- lines --------------------------------------------------------------------

    def statement(self, children: list[Any]) -> Statement:
        return Statement(_node(children[0]), _gloss(children), _span(children))

    def predicate_decl(self, children: list[Any]) -> PredicateDecl:
        params = tuple(_names(children))
        return PredicateDecl(str(children[0])[:-1], params, _gloss(children), _span(children))

    def prop_decl(self, children: list[Any]) -> PredicateDecl:
        return PredicateDecl(str(children[0]), (), _gloss(children), _span(children))

    def enum_sort(self, children: list[Any]) -> SortDecl:
        name, *values = _names(children)
        return SortDecl(name, tuple(values), gloss=_gloss(children), span=_span(children))

    def range_sort(self, children: list[Any]) -> SortDecl:
        low, high = (c.value for c in children if type(c) is _Integer)
        name = str(children[0])
        return SortDecl(name, low=low, high=high, gloss=_gloss(children), span=_span(children))

    def integer(self, children: list[Any]) -> _Integer:
        digits = int(children[-1])
        return _Integer(-digits if len(children) == 2 else digits, _span(children))

    def function_decl(self, children: list[Any]) -> FunctionDecl:
        names = _names(children)
        head = str(children[0])[:-1]
        return FunctionDecl(head, tuple(names[:-1]), names[-1], _gloss(children), _span(children))

    def constant_decl(self, children: list[Any]) -> FunctionDecl:
        names = _names(children)
        return FunctionDecl(names[0], (), names[1], _gloss(children), _span(children))

    def option(self, children: list[Any]) -> Option:
        label = str(children[0])[:-1]
        return Option(label, _subnodes(children[1:]), _gloss(children), _span(children))

    # ---- sections -------------------------------------------------------------------

    def sorts(self, children: list[Any]) -> _Section:
        return _Section("sorts", _subnodes(children))

    def functions(self, children: list[Any]) -> _Section:
        return _Section("functions", _subnodes(children))

    def predicates(self, children: list[Any]) -> _Section:
        return _Section("predicates", _subnodes(children))

    def premises(self, children: list[Any]) -> _Section:
        return _Section("premises", _subnodes(children))

    def conclusion(self, children: list[Any]) -> _Section:
        return _Section("conclusion", _subnodes(children))

    def question(self, children: list[Any]) -> _Section:
        kind = QuestionKind(str(children[1]))
        return _Section("question", (Question(kind, _subnodes(children), _span(children)),))

    def problem(self, children: list[Any]) -> Program:
        sections = {c.kind: c.items for c in children if type(c) is _Section}
        question = sections.get("question")
        return Program(
            sections.get("predicates", ()),
            sections["premises"],
            sections.get("conclusion", ()),
            Signature(sections.get("sorts", ()), sections.get("functions", ())),
            question[0] if question else None,
        )

    def start(self, children: list[Any]) -> Program:
        program: Program = children[0]
        return program


def result(value: Any) -> Any:
    """What a parse returned, out of its parentheses (a formula parsed alone)."""
    return _node(value)


# ---- scope ------------------------------------------------------------------------

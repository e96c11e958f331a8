"""AST → DSL text, with the fewest parentheses that parse back to the same tree."""

from __future__ import annotations

from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Equals,
    Formula,
    Op,
    Problem,
    Quantified,
    Statement,
    Term,
)
from logicsvc.syntax.ast import Not as NotNode

_PRECEDENCE = {Op.IFF: 1, Op.IMPLIES: 2, Op.XOR: 3, Op.OR: 4, Op.AND: 5}
_UNARY = 6
_RIGHT_ASSOC = {Op.IMPLIES}


def _precedence(formula: Formula) -> int:
    return _PRECEDENCE[formula.op] if isinstance(formula, Binary) else _UNARY


def term_to_dsl(term: Term) -> str:
    return term.name


def to_dsl(formula: Formula) -> str:
    if isinstance(formula, Atom):
        if not formula.args:
            return formula.pred
        return f"{formula.pred}({', '.join(term_to_dsl(a) for a in formula.args)})"
    if isinstance(formula, Equals):
        return f"{term_to_dsl(formula.left)} = {term_to_dsl(formula.right)}"
    if isinstance(formula, NotNode):
        inner = formula.operand
        if isinstance(inner, Equals):
            return f"{term_to_dsl(inner.left)} ≠ {term_to_dsl(inner.right)}"
        return "¬" + _operand(inner)
    if isinstance(formula, Quantified):
        return f"{formula.quantifier.value}{formula.var} {_operand(formula.body)}"
    own = _PRECEDENCE[formula.op]
    left, right = to_dsl(formula.left), to_dsl(formula.right)
    lp, rp = _precedence(formula.left), _precedence(formula.right)
    if lp < own or (lp == own and formula.op in _RIGHT_ASSOC):
        left = f"({left})"
    if rp < own or (rp == own and formula.op not in _RIGHT_ASSOC):
        right = f"({right})"
    return f"{left} {formula.op.value} {right}"


def _operand(formula: Formula) -> str:
    """The operand of ¬ or a quantifier: binary formulas need parentheses."""
    text = to_dsl(formula)
    return f"({text})" if isinstance(formula, Binary) else text


def _statement(statement: Statement) -> str:
    line = to_dsl(statement.formula)
    return f"{line} ::: {statement.gloss}" if statement.gloss else line


def problem_to_dsl(problem: Problem) -> str:
    lines: list[str] = []
    if problem.predicates:
        lines.append("Predicates:")
        for decl in problem.predicates:
            head = f"{decl.name}({', '.join(decl.params)})" if decl.params else decl.name
            lines.append(f"{head} ::: {decl.gloss}" if decl.gloss else head)
    lines.append("Premises:")
    lines.extend(_statement(s) for s in problem.premises)
    lines.append("Conclusion:")
    lines.append(_statement(problem.conclusion))
    return "\n".join(lines) + "\n"

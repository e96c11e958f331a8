"""AST → DSL text, with the fewest parentheses that parse back to the same tree."""

from __future__ import annotations

from logicsvc.syntax.ast import (
    App,
    Arith,
    ArithOp,
    Atom,
    Binary,
    ChoiceProblem,
    Compare,
    Count,
    Distinct,
    Equals,
    Formula,
    Op,
    Option,
    PredicateDecl,
    Problem,
    Quantified,
    Signature,
    SortDecl,
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
    if isinstance(term, App):
        return f"{term.func}({', '.join(term_to_dsl(a) for a in term.args)})"
    if isinstance(term, Count):
        return f"count {term.var}:{term.sort} ({to_dsl(term.body)})"
    if isinstance(term, Arith):
        return _arith(term)
    return term.name


def _arith(term: Arith) -> str:
    """Sums bind looser than products; only a right operand may be parenthesised."""
    left, right = term.left, term.right
    if term.op is ArithOp.MUL and _is_sum(left) and not _is_sum(right):
        left, right = right, left  # `(a + b) * 2` cannot open a term: write `2 * (a + b)`
    left_text, right_text = term_to_dsl(left), term_to_dsl(right)
    if term.op is ArithOp.MUL and _is_sum(left):
        left_text = f"({left_text})"
    if _is_sum(right) or (term.op is ArithOp.MUL and isinstance(right, Arith)):
        right_text = f"({right_text})"
    return f"{left_text} {term.op.value} {right_text}"


def _is_sum(term: Term) -> bool:
    return isinstance(term, Arith) and term.op is not ArithOp.MUL


def to_dsl(formula: Formula) -> str:
    if isinstance(formula, Atom):
        if not formula.args:
            return formula.pred
        return f"{formula.pred}({', '.join(term_to_dsl(a) for a in formula.args)})"
    if isinstance(formula, Equals):
        return f"{term_to_dsl(formula.left)} = {term_to_dsl(formula.right)}"
    if isinstance(formula, Compare):
        return f"{term_to_dsl(formula.left)} {formula.op.value} {term_to_dsl(formula.right)}"
    if isinstance(formula, Distinct):
        return f"distinct({', '.join(term_to_dsl(t) for t in formula.terms)})"
    if isinstance(formula, NotNode):
        inner = formula.operand
        if isinstance(inner, Equals):
            return f"{term_to_dsl(inner.left)} ≠ {term_to_dsl(inner.right)}"
        return "¬" + _operand(inner)
    if isinstance(formula, Quantified):
        binder = f"{formula.var}:{formula.sort}" if formula.sort else formula.var
        return f"{formula.quantifier.value}{binder} {_operand(formula.body)}"
    own = _PRECEDENCE[formula.op]
    left, right = to_dsl(formula.left), to_dsl(formula.right)
    lp, rp = _precedence(formula.left), _precedence(formula.right)
    if lp < own or (lp == own and formula.op in _RIGHT_ASSOC):
        left = f"({left})"
    if rp < own or (rp == own and formula.op not in _RIGHT_ASSOC):
        right = f"({right})"
    return f"{left} {formula.op.value} {right}"


def _operand(formula: Formula) -> str:
    """The operand of ¬ or a quantifier: binary formulas need parentheses, and so does a
    comparison opening with arithmetic (in `∀x y - 1 = 2`, `y` would be read as a second
    variable and `-` as negation)."""
    text = to_dsl(formula)
    opens_with_sum = isinstance(formula, Equals | Compare) and isinstance(formula.left, Arith)
    return f"({text})" if isinstance(formula, Binary) or opens_with_sum else text


def _statement(statement: Statement) -> str:
    line = to_dsl(statement.formula)
    return f"{line} ::: {statement.gloss}" if statement.gloss else line


def _glossed(line: str, gloss: str | None) -> str:
    return f"{line} ::: {gloss}" if gloss else line


def _sort(decl: SortDecl) -> str:
    if decl.is_range:
        return f"{decl.name} = {decl.low}..{decl.high}"
    return f"{decl.name} = {{{', '.join(decl.values)}}}"


def _header(
    signature: Signature, predicates: tuple[PredicateDecl, ...], premises: tuple[Statement, ...]
) -> list[str]:
    lines: list[str] = []
    if signature.sorts:
        lines.append("Sorts:")
        lines.extend(_glossed(_sort(d), d.gloss) for d in signature.sorts)
    if signature.functions:
        lines.append("Functions:")
        for f in signature.functions:
            head = f"{f.name}({', '.join(f.params)})" if f.params else f.name
            lines.append(_glossed(f"{head} : {f.result}", f.gloss))
    if predicates:
        lines.append("Predicates:")
        for decl in predicates:
            head = f"{decl.name}({', '.join(decl.params)})" if decl.params else decl.name
            lines.append(_glossed(head, decl.gloss))
    lines.append("Premises:")
    lines.extend(_statement(s) for s in premises)
    return lines


def _option(option: Option) -> str:
    return _glossed(f"{option.label}) " + " ; ".join(map(to_dsl, option.formulas)), option.gloss)


def problem_to_dsl(problem: Problem | ChoiceProblem) -> str:
    lines = _header(problem.signature, problem.predicates, problem.premises)
    if isinstance(problem, ChoiceProblem):
        lines.append(f"Question: {problem.question.kind.value}")
        lines.append("Options:")
        lines.extend(_option(o) for o in problem.question.options)
    else:
        lines.append("Conclusion:")
        lines.append(_statement(problem.conclusion))
    return "\n".join(lines) + "\n"

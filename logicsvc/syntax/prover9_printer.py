"""AST → Prover9/LADR input (``logicsvc export --prover9``), read back by :mod:`prover9`.

Every binary operand that is itself binary is parenthesised, so NLTK and LADR group it
the same way.  Prover9 has no exclusive or: ``A ⊕ B`` is written ``-(A <-> B)`` (the same
formula; reading it back gives the negated biconditional).  Names LADR could misread are
double-quoted: anything but ASCII letters, digits and ``_``, keywords, and constants that
start with ``u``–``z`` (which Prover9 would take for variables).
"""

from __future__ import annotations

import re

from logicsvc.errors import FragmentError
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Compare,
    Const,
    Distinct,
    Equals,
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

__all__ = ["formula_to_prover9", "problem_to_prover9"]

_PLAIN = re.compile(r"[A-Za-z0-9_]+")
_LADR_VARIABLE = re.compile(r"[u-z]\w*")
_KEYWORDS = {
    "all",
    "forall",
    "exists",
    "some",
    "exist",
    "not",
    "and",
    "or",
    "implies",
    "iff",
    "end_of_list",
}
_OPS = {Op.AND: "&", Op.OR: "|", Op.IMPLIES: "->", Op.IFF: "<->"}


def _name(name: str, *, constant: bool = False) -> str:
    if (
        _PLAIN.fullmatch(name)
        and name not in _KEYWORDS
        and not (constant and _LADR_VARIABLE.fullmatch(name))
    ):
        return name
    return f'"{name}"'


def _term(term: Term) -> str:
    if not isinstance(term, Const | Var):
        raise FragmentError("Prover9 export has no typed terms (functions over sorts, integers)")
    return _name(term.name, constant=isinstance(term, Const))


def formula_to_prover9(formula: Formula) -> str:
    if isinstance(formula, Atom):
        if not formula.args:
            return _name(formula.pred)
        return f"{_name(formula.pred)}({', '.join(_term(a) for a in formula.args)})"
    if isinstance(formula, Equals):
        return f"{_term(formula.left)} = {_term(formula.right)}"
    if isinstance(formula, Compare | Distinct):
        raise FragmentError("Prover9 export has no integer comparisons or distinct(…)")
    if isinstance(formula, Not):
        inner = formula.operand
        if isinstance(inner, Equals):
            return f"{_term(inner.left)} != {_term(inner.right)}"
        return "-" + _operand(inner)
    if isinstance(formula, Quantified):
        if formula.sort is not None:
            raise FragmentError("Prover9 export has no sorted quantifiers")
        word = "all" if formula.quantifier is Quantifier.ALL else "exists"
        return f"{word} {_name(formula.var)} ({formula_to_prover9(formula.body)})"
    if formula.op is Op.XOR:
        return f"-({_operand(formula.left)} <-> {_operand(formula.right)})"
    return f"{_operand(formula.left)} {_OPS[formula.op]} {_operand(formula.right)}"


def _operand(formula: Formula) -> str:
    text = formula_to_prover9(formula)
    return f"({text})" if isinstance(formula, Binary) else text


def _line(statement: Statement) -> str:
    line = f"  {formula_to_prover9(statement.formula)}."
    return f"{line}  % {statement.gloss}" if statement.gloss else line


def problem_to_prover9(problem: Problem) -> str:
    """A Prover9 input file: the premises as assumptions, the conclusion as the goal.
    A typed program has no Prover9 form (:class:`FragmentError`)."""
    if problem.signature:
        raise FragmentError("Prover9 has no sorts or functions; this program is typed")
    lines = ["formulas(assumptions).", *map(_line, problem.premises), "end_of_list.", ""]
    lines += ["formulas(goals).", _line(problem.conclusion), "end_of_list."]
    return "\n".join(lines) + "\n"

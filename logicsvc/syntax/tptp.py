"""AST → TPTP FOF, for E, Vampire, Prover9 (via tptp_to_ladr) and friends.

Predicates and constants become single-quoted atoms when they are not TPTP
lower words, so every ASCII DSL name survives unchanged; variables become upper words.
Names TPTP cannot spell are escaped injectively: two DSL names never become one.
"""

from __future__ import annotations

import re

from logicsvc.errors import FragmentError
from logicsvc.syntax.ast import (
    Atom,
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
    Term,
    Var,
)

_LOWER_WORD = re.compile(r"[a-z][A-Za-z0-9_]*")
_OPS = {Op.AND: "&", Op.OR: "|", Op.XOR: "<~>", Op.IMPLIES: "=>", Op.IFF: "<=>"}


_PLAIN_VARIABLE = re.compile(r"[A-Za-z0-9]*")


def _escaped(name: str) -> str:
    """Injective: ``_`` doubles, ``-`` is ``_h``, a non-ASCII character ``_uXXXX_``."""
    out = []
    for c in name:
        if c == "_":
            out.append("__")
        elif c == "-":
            out.append("_h")
        elif not c.isascii():
            out.append(f"_u{ord(c):04x}_")
        else:
            out.append(c)
    return "".join(out)


def _atom_name(name: str) -> str:
    """ASCII names unchanged (quoted unless a TPTP lower word); the others escaped under a
    ``u:`` prefix no DSL name can have, so ``café`` and ``caf_u00e9_`` stay two names."""
    if not name.isascii():
        return f"'u:{_escaped(name)}'"
    if _LOWER_WORD.fullmatch(name):
        return name
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _var_name(name: str) -> str:
    """``V`` + the name, escaped when it holds anything but letters and digits (escaped
    names always hold ``_``, plain ones never: ``v-1`` and ``v_1`` stay two variables)."""
    return "V" + (name if _PLAIN_VARIABLE.fullmatch(name) else _escaped(name))


def _term(term: Term) -> str:
    if isinstance(term, Const):
        return _atom_name(term.name)
    if isinstance(term, Var):
        return _var_name(term.name)
    raise FragmentError("TPTP FOF has no functions over sorts, integers or counts", span=term.span)


def formula_to_tptp(formula: Formula) -> str:
    if isinstance(formula, Atom):
        name = _atom_name(formula.pred)
        if not formula.args:
            return name
        return f"{name}({','.join(_term(a) for a in formula.args)})"
    if isinstance(formula, Equals):
        return f"{_term(formula.left)} = {_term(formula.right)}"
    if isinstance(formula, Compare | Distinct):
        message = "TPTP FOF has no integer comparisons or distinct(…)"
        raise FragmentError(message, span=formula.span)
    if isinstance(formula, Not):
        return f"~ ({formula_to_tptp(formula.operand)})"
    if isinstance(formula, Quantified):
        if formula.sort is not None:
            raise FragmentError("TPTP FOF has no sorted quantifiers", span=formula.span)
        q = "!" if formula.quantifier is Quantifier.ALL else "?"
        return f"{q} [{_var_name(formula.var)}] : ({formula_to_tptp(formula.body)})"
    return f"({formula_to_tptp(formula.left)} {_OPS[formula.op]} {formula_to_tptp(formula.right)})"


def problem_to_tptp(problem: Problem, *, negate_conclusion: bool = False) -> str:
    """One ``fof`` per premise plus the conclusion as conjecture.

    ``negate_conclusion`` asks the external prover whether the premises entail
    the conclusion's negation (how "false" is decided). A typed program (sorts,
    integers) has no FOF form: :class:`FragmentError`.
    """
    if problem.signature:
        raise FragmentError("TPTP FOF has no sorts or functions; this program is typed")
    lines = [
        f"fof(premise_{i}, axiom, {formula_to_tptp(s.formula)})."
        for i, s in enumerate(problem.premises)
    ]
    goal: Formula = problem.conclusion.formula
    if negate_conclusion:
        goal = Not(goal)
    lines.append(f"fof(conclusion, conjecture, {formula_to_tptp(goal)}).")
    return "\n".join(lines) + "\n"

"""The formal check: prove an argument's inference, and explain an invalid one.

An argument is premises followed by a conclusion marked "Therefore," / "So," /
"Hence," / "Thus," / "Consequently,". When the controlled-English translator
can read every sentence, Z3 decides whether the premises entail the
conclusion. If not, the argument is a formal fallacy ("fallacy of logic" in
the Logic dataset's classes), named where its shape is a textbook one, and
explained by a countermodel: "the premises can all be true while the
conclusion is false, e.g. when …".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from logicsvc import provers
from logicsvc.errors import LogicsvcError
from logicsvc.syntax.ast import Atom, Binary, Formula, Not, Op, Problem, Quantified, Quantifier
from logicsvc.translate.base import split_sentences
from logicsvc.translate.controlled import ControlledEnglishTranslator

FORMAL_LABEL = "fallacy of logic"
_MARKER = re.compile(r"^(therefore|so|hence|thus|consequently)\s*,?\s+", re.I)


@dataclass(frozen=True, slots=True)
class FormalCheck:
    valid: bool
    verdict: str
    form: str
    """The textbook name of the inference (valid or fallacious), or a generic one."""
    program: str
    explanation: str
    countermodel: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "verdict": self.verdict,
            "form": self.form,
            "program": self.program,
            "explanation": self.explanation,
            "countermodel": self.countermodel,
        }


def split_argument(text: str) -> tuple[list[str], str] | None:
    """Premises and the marked conclusion, or None when the text is not an argument."""
    sentences = split_sentences([text])
    for index, sentence in enumerate(sentences):
        if index > 0 and _MARKER.match(sentence):
            conclusion = _MARKER.sub("", sentence)
            return sentences[:index], conclusion[:1].upper() + conclusion[1:]
    return None


def check(text: str, limits: provers.Limits | None = None) -> FormalCheck | None:
    """Formalise and prove; None when the text is no argument or is outside the fragment."""
    parts = split_argument(text)
    if parts is None:
        return None
    premises, conclusion = parts
    try:
        translation = ControlledEnglishTranslator().translate(premises, conclusion)
        assert translation.problem is not None
        result = provers.prove(translation.problem, limits, backend="z3")
    except LogicsvcError:
        return None
    if result.status != "ok" or result.verdict is None:
        return None
    problem = translation.problem
    form = name_form(problem)
    if result.verdict == "true":
        return FormalCheck(True, "true", form or "valid inference", translation.program,
                           "the conclusion follows from the premises")  # fmt: skip
    return FormalCheck(
        False,
        result.verdict,
        form or "invalid inference",
        translation.program,
        _explain(result.countermodel, result.verdict),
        result.countermodel,
    )


def _explain(countermodel: dict[str, Any] | None, verdict: str) -> str:
    if verdict == "false":
        return "the premises rule the conclusion out: it is false whenever they are true"
    facts = ", ".join((countermodel or {}).get("facts", [])[:8])
    return "the premises can all be true while the conclusion is false" + (
        f", e.g. when {facts}" if facts else ""
    )


# --- naming the shape of an inference ---------------------------------------------


def _rule(f: Formula) -> tuple[Formula, Formula] | None:
    """``∀x (A → B)`` or ``A → B`` as (A, B), quantifiers peeled."""
    while isinstance(f, Quantified) and f.quantifier is Quantifier.ALL:
        f = f.body
    if isinstance(f, Binary) and f.op is Op.IMPLIES:
        return f.left, f.right
    return None


def _pred(f: Formula) -> tuple[bool, str] | None:
    if isinstance(f, Not) and isinstance(f.operand, Atom):
        return False, f.operand.pred
    if isinstance(f, Atom):
        return True, f.pred
    return None


def name_form(problem: Problem) -> str | None:
    """The textbook name of a two-premise inference, when it has one."""
    premises = [s.formula for s in problem.premises]
    goal = problem.conclusion.formula
    if len(premises) != 2:
        return None
    rules = [(_rule(p), p) for p in premises]
    for (rule, _), other in ((rules[0], premises[1]), (rules[1], premises[0])):
        if rule is None:
            continue
        ante, cons = _pred(rule[0]), _pred(rule[1])
        fact, concl = _pred(other), _pred(goal)
        if None in (ante, cons, fact, concl):
            continue
        if fact == cons and concl == ante:
            return "affirming the consequent"
        if fact == ante and concl == cons:
            return "modus ponens"
        if fact == (not ante[0], ante[1]) and concl == (not cons[0], cons[1]):  # type: ignore[index]
            return "denying the antecedent"
        if fact == (not cons[0], cons[1]) and concl == (not ante[0], ante[1]):  # type: ignore[index]
            return "modus tollens"
    goal_rule = _rule(goal)
    if all(r is not None for r, _ in rules) and goal_rule is not None:
        (a1, b1), (a2, b2) = (r for r, _ in rules)  # type: ignore[misc]
        ends = [_pred(x) for x in (a1, b1, a2, b2, goal_rule[0], goal_rule[1])]
        if None not in ends:
            p1a, p1b, p2a, p2b, ga, gb = ends
            if p1b == p2b and {ga, gb} == {p1a, p2a}:
                return "undistributed middle"
            if (p1b == p2a and (ga, gb) == (p1a, p2b)) or (p2b == p1a and (ga, gb) == (p2a, p1b)):
                return "categorical syllogism (Barbara)"
    return None

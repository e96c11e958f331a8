"""Property tests: the backward chainer against Z3 and against two tiny reference deciders.

Open world: on random Horn rule bases the chainer must give exactly Z3's
(status, verdict), and the verdict of brute-force model enumeration over the
ground instances (Herbrand models suffice: the premises are universal and
function-free).  Closed world: it must match a bottom-up stratified fixpoint.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from logicsvc.provers import backward
from logicsvc.provers.result import Limits, World
from logicsvc.syntax.ast import Atom, Binary, Const, Formula, Not, Op, Problem, Quantified, Var
from logicsvc.syntax.ast import Quantifier as Q

LIMITS = Limits(timeout_s=30)
CONSTANTS = ("a", "b", "c")
UNARY = ("P", "Q", "R", "S")
RANK = {"Rel": 0, "P": 0, "Q": 1, "R": 2, "S": 3}
"""Closed world: a body predicate never outranks its head, a negated one is strictly below."""

SAtom = tuple[str, tuple[str, ...]]
"""A generated atom; arguments starting with ``?`` are variables."""


@dataclass(frozen=True)
class Clause:
    variables: tuple[str, ...]
    body: tuple[tuple[bool, SAtom], ...]  # (positive, atom); empty for a fact
    head: tuple[bool, SAtom]


@dataclass(frozen=True)
class Case:
    clauses: tuple[Clause, ...]
    conclusion: tuple[bool, SAtom]

    def problem(self) -> Problem:
        return Problem.of([_formula(c) for c in self.clauses], _literal(*self.conclusion))

    def domain(self) -> list[str]:
        atoms = [self.conclusion[1]] + [a for c in self.clauses for _, a in (*c.body, c.head)]
        return sorted({t for _, args in atoms for t in args if not t.startswith("?")})


def _literal(positive: bool, atom: SAtom) -> Formula:
    pred, args = atom
    out = Atom(pred, tuple(Var(t[1:]) if t.startswith("?") else Const(t) for t in args))
    return out if positive else Not(out)


def _formula(clause: Clause) -> Formula:
    head = _literal(*clause.head)
    if not clause.body:
        return head
    body = _literal(*clause.body[0])
    for lit in clause.body[1:]:
        body = Binary(Op.AND, body, _literal(*lit))
    out: Formula = Binary(Op.IMPLIES, body, head)
    for v in reversed(clause.variables):
        out = Quantified(Q.ALL, v, out)
    return out


@st.composite
def cases(draw: st.DrawFn, *, constants: int = 3, unary: int = 4, closed: bool = False) -> Case:
    """A random rule base; some rules get facts matching their body, so chains do fire."""
    consts = list(CONSTANTS[: draw(st.integers(2, constants))])
    preds = [(p, 1) for p in UNARY[: draw(st.integers(3, unary))]] + [("Rel", 2)]
    often = st.sampled_from([True, True, True, False])

    def atom(pool: list[str], choices: list[tuple[str, int]] | None = None) -> SAtom:
        pred, arity = draw(st.sampled_from(choices or preds))
        return pred, tuple(draw(st.sampled_from(pool)) for _ in range(arity))

    facts = [
        Clause((), (), (closed or draw(often), atom(consts)))
        for _ in range(draw(st.integers(0, 5)))
    ]
    rules, goals = [], [atom(consts)]
    for _ in range(draw(st.integers(0, 5))):
        variables = ("x", "y")[: draw(st.integers(1, 2))]
        pool = [f"?{v}" for v in variables] * 2 + consts
        head_pred = draw(st.sampled_from(preds))
        below = [p for p in preds if RANK[p[0]] < RANK[head_pred[0]]] if closed else []
        same = [p for p in preds if RANK[p[0]] <= RANK[head_pred[0]]] if closed else preds
        body: list[tuple[bool, SAtom]] = []
        for _ in range(draw(st.integers(1, 3))):
            negative = bool(below) and draw(st.booleans())
            body.append((not negative, atom(pool, below if negative else same)))
        bound = sorted({t for _, (_, args) in body for t in args if t.startswith("?")})
        head = atom(bound or consts, [head_pred])
        rules.append(Clause(variables, tuple(body), (closed or draw(often), head)))
        if draw(st.booleans()):  # seed: make one instance of the body (mostly) hold
            binding = {f"?{v}": draw(st.sampled_from(consts)) for v in variables}
            for positive, lit in body:
                if positive and draw(often):
                    facts.append(Clause((), (), (True, _ground(lit, binding))))
            goals.append(_ground(head, binding))
    clauses = draw(st.permutations(facts + rules))
    return Case(tuple(clauses), (draw(st.booleans()), draw(st.sampled_from(goals))))


def _groundings(clause: Clause, domain: list[str]) -> list[dict[str, str]]:
    return [
        {f"?{v}": c for v, c in zip(clause.variables, values, strict=True)}
        for values in itertools.product(domain, repeat=len(clause.variables))
    ]


def _ground(atom: SAtom, binding: dict[str, str]) -> SAtom:
    return atom[0], tuple(binding.get(t, t) for t in atom[1])


def truth_table(case: Case) -> tuple[str, str | None]:
    """Classical entailment by enumerating every Herbrand model."""
    domain = case.domain()
    index: dict[SAtom, int] = {}
    clauses = []  # (must be true, must be false): satisfied unless all fail
    for clause in case.clauses:
        for binding in _groundings(clause, domain):
            pos = neg = 0
            for positive, atom in ((not p, a) for p, a in clause.body):
                bit = 1 << index.setdefault(_ground(atom, binding), len(index))
                pos, neg = (pos | bit, neg) if positive else (pos, neg | bit)
            positive, atom = clause.head
            bit = 1 << index.setdefault(_ground(atom, binding), len(index))
            clauses.append((pos | bit, neg) if positive else (pos, neg | bit))
    goal_positive, goal = case.conclusion
    goal_bit = 1 << index.setdefault(goal, len(index))
    assert len(index) <= 14, "too many ground atoms to enumerate"
    seen = set()
    for model in range(1 << len(index)):
        if all((model & pos) or (neg & ~model) for pos, neg in clauses):
            seen.add(bool(model & goal_bit) == goal_positive)
    if not seen:
        return "contradictory_premises", None
    return "ok", "true" if seen == {True} else "false" if seen == {False} else "unknown"


def stratified_fixpoint(case: Case) -> tuple[str, str | None]:
    """The perfect model, stratum by stratum, by naive bottom-up iteration."""
    domain = case.domain()
    model = {c.head[1] for c in case.clauses if not c.body}
    for rank in sorted(set(RANK.values())):
        changed = True
        while changed:
            changed = False
            for clause in case.clauses:
                if not clause.body or RANK[clause.head[1][0]] != rank:
                    continue
                for binding in _groundings(clause, domain):
                    head = _ground(clause.head[1], binding)
                    if head not in model and all(
                        (_ground(a, binding) in model) == p for p, a in clause.body
                    ):
                        model.add(head)
                        changed = True
    positive, goal = case.conclusion
    return "ok", "true" if (goal in model) == positive else "false"


def _chainer(case: Case, world: World) -> tuple[str, str | None]:
    r = backward.prove(case.problem(), LIMITS, world=world)
    assert r.backend == "backward"
    if r.verdict in ("true", "false") or r.status == "contradictory_premises":
        assert r.proof is not None
    return r.status, r.verdict


@settings(max_examples=200, deadline=None)
@given(cases())
def test_open_world_agrees_with_z3(case: Case) -> None:
    from logicsvc.provers import z3_backend

    expected = z3_backend.prove(case.problem(), LIMITS)
    assert _chainer(case, "open") == (expected.status, expected.verdict)


@settings(max_examples=200, deadline=None)
@given(cases(constants=2, unary=4))
def test_open_world_agrees_with_truth_tables(case: Case) -> None:
    assert _chainer(case, "open") == truth_table(case)


@settings(max_examples=200, deadline=None)
@given(cases(closed=True))
def test_closed_world_agrees_with_stratified_fixpoint(case: Case) -> None:
    assert _chainer(case, "closed") == stratified_fixpoint(case)


def test_reference_deciders_are_not_vacuous() -> None:
    """The oracles themselves tell the four outcomes apart."""
    fact = Clause((), (), (True, ("P", ("a",))))
    neg = Clause((), (), (False, ("P", ("a",))))
    rule = Clause(("x",), ((True, ("P", ("?x",))),), (True, ("Q", ("?x",))))
    naf = Clause(("x",), ((False, ("Q", ("?x",))),), (True, ("R", ("?x",))))
    assert truth_table(Case((fact, rule), (True, ("Q", ("a",))))) == ("ok", "true")
    assert truth_table(Case((fact, rule), (False, ("Q", ("a",))))) == ("ok", "false")
    assert truth_table(Case((rule,), (True, ("Q", ("a",))))) == ("ok", "unknown")
    assert truth_table(Case((fact, neg), (True, ("Q", ("a",))))) == ("contradictory_premises", None)
    assert stratified_fixpoint(Case((fact, rule, naf), (True, ("R", ("a",))))) == ("ok", "false")
    assert stratified_fixpoint(Case((fact, naf), (True, ("R", ("a",))))) == ("ok", "true")

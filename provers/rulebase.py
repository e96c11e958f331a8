"""AST → rule base, and the fragment check of the backward chainer.

The chainer only understands facts (ground literals) and range-restricted
rules ``∀x̄ (L1 ∧ ... ∧ Lk → L)``.  Everything is checked here, before any
search, so ``auto`` can fall back to Z3 cheaply: a :class:`FragmentError`
names the premise (1-based, as a person counts) and the construct that put it outside.

Every fact and rule keeps the index of the premise it came from, so proofs
can report ``used_premises``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from logicsvc.errors import FragmentError
from logicsvc.provers.result import World
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
    Var,
)

GroundAtom = tuple[str, tuple[str, ...]]
"""``(predicate, constant names)``: the only kind of goal the chainer solves."""

_OP_NAMES = {
    Op.OR: "disjunction (∨)",
    Op.XOR: "exclusive or (⊕)",
    Op.IFF: "biconditional (↔)",
    Op.IMPLIES: "nested implication (→)",
    Op.AND: "conjunction (∧)",
}


@dataclass(frozen=True, slots=True)
class Lit:
    """A possibly negated atom whose arguments are constants or variables."""

    positive: bool
    pred: str
    args: tuple[Var | Const, ...]

    def variables(self) -> Iterator[str]:
        return (t.name for t in self.args if isinstance(t, Var))

    def ground(self, binding: dict[str, str]) -> GroundAtom:
        """The atom under ``binding``; every variable must be bound."""
        return self.pred, tuple(
            binding[t.name] if isinstance(t, Var) else t.name for t in self.args
        )


@dataclass(frozen=True, slots=True)
class Fact:
    positive: bool
    atom: GroundAtom
    premise: int


@dataclass(frozen=True, slots=True)
class Rule:
    head: Lit
    body: tuple[Lit, ...]
    premise: int


@dataclass(frozen=True, slots=True)
class RuleBase:
    facts: tuple[Fact, ...]
    rules: tuple[Rule, ...]
    goal: tuple[bool, GroundAtom]
    """The conclusion: polarity and atom."""
    domain: tuple[str, ...]
    """Every constant of the problem, in order of first appearance."""


def format_atom(atom: GroundAtom, positive: bool = True) -> str:
    pred, args = atom
    text = f"{pred}({', '.join(args)})" if args else pred
    return text if positive else f"¬{text}"


class _Reject(Exception):
    """A reason, raised deep in the walk and turned into a FragmentError above."""


def _literal(f: Formula) -> Lit:
    positive = True
    if isinstance(f, Not):
        positive, f = False, f.operand
        if isinstance(f, Not):
            raise _Reject("double negation")
    if isinstance(f, Atom):
        if not all(isinstance(t, Var | Const) for t in f.args):
            raise _Reject("function or arithmetic term")
        return Lit(positive, f.pred, cast(tuple[Var | Const, ...], f.args))
    raise _Reject(_describe(f) if positive else f"negation of a {_describe(f)}")


def _describe(f: Formula) -> str:
    if isinstance(f, Equals):
        return "equality (=)"
    if isinstance(f, Compare | Distinct):
        return "integer comparison or distinct(…)"
    if isinstance(f, Binary):
        return _OP_NAMES[f.op]
    if isinstance(f, Quantified):
        if f.quantifier is Quantifier.EXISTS:
            return "existential quantifier (∃)"
        return "universal quantifier (∀) inside a rule"
    return "compound formula"


def _conjuncts(f: Formula) -> list[Lit]:
    """The literals of a conjunction tree (a rule body or a conjunctive head)."""
    if isinstance(f, Binary) and f.op is Op.AND:
        return _conjuncts(f.left) + _conjuncts(f.right)
    return [_literal(f)]


def _clauses(f: Formula, bound: frozenset[str]) -> Iterator[tuple[tuple[Lit, ...], Lit]]:
    """Split one premise into ``(body, head)`` clauses; facts have an empty body."""
    while isinstance(f, Quantified):
        if f.quantifier is Quantifier.EXISTS:
            raise _Reject("existential quantifier (∃)")
        if f.sort is not None:
            raise _Reject(f"quantifier over the sort {f.sort}")
        bound, f = bound | {f.var}, f.body
    if isinstance(f, Binary) and f.op is Op.AND:
        yield from _clauses(f.left, bound)
        yield from _clauses(f.right, bound)
        return
    if isinstance(f, Binary) and f.op is Op.IMPLIES:
        body = tuple(_conjuncts(f.left))
        heads = _conjuncts(f.right)
    elif isinstance(f, Binary):
        raise _Reject(_OP_NAMES[f.op])
    else:
        body, heads = (), [_literal(f)]
    body_vars = {v for lit in body for v in lit.variables()}
    for lit in (*body, *heads):
        free = set(lit.variables()) - bound
        if free:
            raise _Reject(f"free variable {sorted(free)[0]}")
    for head in heads:
        loose = sorted(set(head.variables()) - body_vars)
        if loose:
            where = "any condition" if body else "a condition (there is none)"
            raise _Reject(
                f"variable {loose[0]} of {head.pred} is not in {where}: not range-restricted"
            )
        yield body, head


class _Premise:
    """One premise formula compiled: its clauses, its constants in order of appearance,
    and its facts and rules as met at each premise index (they name the index)."""

    __slots__ = ("clauses", "constants", "formula", "made")

    def __init__(self, formula: Formula) -> None:
        self.formula = formula
        self.clauses = tuple(_clauses(formula, frozenset()))
        self.constants = {
            t.name: None
            for body, head in self.clauses
            for lit in (*body, head)
            for t in lit.args
            if isinstance(t, Const)
        }
        self.made: dict[int, tuple[tuple[Fact, ...], tuple[Rule, ...]]] = {}

    def at(self, index: int) -> tuple[tuple[Fact, ...], tuple[Rule, ...]]:
        made = self.made.get(index)
        if made is None:
            facts = tuple(
                Fact(head.positive, head.ground({}), index)
                for body, head in self.clauses
                if not body
            )
            rules = tuple(Rule(head, body, index) for body, head in self.clauses if body)
            made = self.made[index] = (facts, rules)
        return made


_COMPILED: dict[int, _Premise] = {}
"""By the formula's identity (the entry keeps the formula, so the identity stays its
own): the converters' line memos hand out one formula object for a line met again, and
a ProofWriter theory's premises recur in question after question. Entries are frozen
results of a pure function, like those memos' (``made`` only grows, by index)."""
COMPILED_FORMULAS = 4096


def _compiled(formula: Formula) -> _Premise:
    """A premise compiled, memoised; raises ``_Reject`` (never memoised) if outside."""
    entry = _COMPILED.get(id(formula))
    if entry is not None and entry.formula is formula:
        return entry
    entry = _Premise(formula)
    if len(_COMPILED) >= COMPILED_FORMULAS:
        _COMPILED.clear()
    _COMPILED[id(formula)] = entry
    return entry


def compile_problem(problem: Problem) -> RuleBase:
    """The rule base of ``problem``, or a FragmentError saying which premise is outside."""
    if problem.signature:
        raise FragmentError("a typed program (Sorts:, Functions:) is outside the rule fragment")
    facts: list[Fact] = []
    rules: list[Rule] = []
    domain: dict[str, None] = {}
    for index, statement in enumerate(problem.premises):
        try:
            premise = _compiled(statement.formula)
        except _Reject as reason:
            raise FragmentError(
                f"premise {index + 1} is outside the rule fragment: {reason}", span=statement.span
            ) from None
        domain.update(premise.constants)
        its_facts, its_rules = premise.at(index)
        facts.extend(its_facts)
        rules.extend(its_rules)
    conclusion = problem.conclusion
    try:
        goal = _literal(conclusion.formula)
    except _Reject as reason:
        raise FragmentError(
            f"the conclusion must be a ground literal ({reason})", span=conclusion.span
        ) from None
    if any(isinstance(t, Var) for t in goal.args):
        raise FragmentError(
            "the conclusion must be a ground literal (it has a variable)", span=conclusion.span
        )
    domain.update((t.name, None) for t in goal.args)
    return RuleBase(tuple(facts), tuple(rules), (goal.positive, goal.ground({})), tuple(domain))


def explicit_negation(base: RuleBase) -> RuleBase:
    """Read every ``¬P`` as a predicate of its own, ``¬P``: a definite program.

    This is the "explicit negation" of extended logic programs, the semantics
    of RuleTaker/ProofWriter's open world: a negation holds when stated or
    derived, never by contraposition.
    """

    def lit(x: Lit) -> Lit:
        return x if x.positive else Lit(True, "¬" + x.pred, x.args)

    def rule(r: Rule) -> Rule:
        if r.head.positive and all(b.positive for b in r.body):
            return r  # already definite: the same (frozen) rule
        return Rule(lit(r.head), tuple(lit(b) for b in r.body), r.premise)

    return RuleBase(
        tuple(
            f if f.positive else Fact(True, ("¬" + f.atom[0], f.atom[1]), f.premise)
            for f in base.facts
        ),
        tuple(rule(r) for r in base.rules),
        base.goal,
        base.domain,
    )


def check_world(base: RuleBase, world: World) -> None:
    """Reject what the chosen semantics cannot decide soundly and completely.

    Open world: only Horn clauses (chaining is complete for those alone), so a
    negated condition is rejected and ``auto`` falls back to Z3.  Closed world:
    negation as failure needs positive facts and heads, and a stratified
    program, or "not provable" would be ill-defined.
    """
    if world == "explicit":
        return  # ¬P is a predicate of its own: any rule base is a definite program
    if world == "open":
        for rule in base.rules:
            if any(not lit.positive for lit in rule.body):
                raise FragmentError(
                    f"premise {rule.premise + 1}: negated condition in open world; use z3"
                )
        return
    for fact in base.facts:
        if not fact.positive:
            raise FragmentError(
                f"premise {fact.premise + 1}: negative fact {format_atom(fact.atom, False)} "
                "cannot be stated in the closed world (falsity is absence)"
            )
    import networkx as nx

    graph = nx.DiGraph()
    for rule in base.rules:
        if not rule.head.positive:
            raise FragmentError(
                f"premise {rule.premise + 1}: a rule cannot conclude a negation "
                f"(¬{rule.head.pred}) in the closed world"
            )
        for lit in rule.body:
            if graph.has_edge(lit.pred, rule.head.pred):
                graph.edges[lit.pred, rule.head.pred]["negative"] |= not lit.positive
            else:
                graph.add_edge(lit.pred, rule.head.pred, negative=not lit.positive)
            if not lit.positive:
                graph.edges[lit.pred, rule.head.pred].setdefault("premise", rule.premise)
    if world == "closed-stated":
        return  # "not P" asks whether P is stated: no dependency on derivations
    for component in nx.strongly_connected_components(graph):
        for src, dst, data in graph.subgraph(component).edges(data=True):
            if data["negative"]:
                raise FragmentError(
                    f"premise {data['premise'] + 1}: not stratified: {dst} depends on "
                    f"¬{src} and {src} depends on {dst} (a cycle through negation)"
                )

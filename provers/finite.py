"""Ground finite-domain questions, decided by listing every model.

A puzzle whose every symbol is a constant of a finite sort (LogicalDeduction's
positions: ``green_book : Position`` with ``Position = 1..5``) and whose formulas
have no quantifiers, predicates or functions with arguments has finitely many
models, few enough to list: all-different over seven constants leaves at most
7! assignments before any other premise prunes them. One backtracking search
(each premise checked as soon as its constants are set; top-level
conjunctions split so they prune early; ``distinct`` over constants skips the
values already taken) answers every option at
once, exactly: *entailed* is true in every model, *possible* true in one.
There is no solver context to build per problem, which is what lets hundreds of
puzzles be decided in a second where Z3 spends tens of milliseconds on each.

Explanations: a selected option that is entailed (or impossible) names a
minimal set of premises it rests on, found by deletion (each test one search
that stops at its first model); the other options carry only their verdicts
(Z3 names premises for each, at a cost per option this backend is meant to
avoid), and a possible option comes with a witness assignment.
Anything outside the fragment raises :class:`FragmentError` (Z3 then decides).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from logicsvc.errors import FragmentError
from logicsvc.provers.result import ChoiceResult, ChoiceStatus, Limits, OptionResult
from logicsvc.syntax.ast import (
    Arith,
    ArithOp,
    Binary,
    ChoiceProblem,
    Compare,
    CompareOp,
    Const,
    Distinct,
    Equals,
    Formula,
    Not,
    Op,
    QuestionKind,
    Term,
    is_numeral,
)

BACKEND = "finite"
Value = int | str
Model = tuple[Value, ...]
Test = Callable[[Sequence[Value]], bool]
_CHECK_EVERY = 4096
"""Search nodes between two looks at the clock."""
MAX_CONSTANTS = 64
"""More unknowns than this go to Z3 (the search recurses once per constant)."""


class _OutOfTime(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Constraint:
    test: Test
    uses: frozenset[int]
    premise: int
    different: tuple[int, ...] = ()
    """All-different over these constants: the search skips taken values (``test`` unused)."""


def _always(assignment: Sequence[Value]) -> bool:
    return True


class _Vocabulary:
    """The problem's constants (the unknowns) and the values of its finite sorts."""

    def __init__(self, problem: ChoiceProblem) -> None:
        if problem.predicates:
            raise FragmentError("predicates are outside the finite-domain fragment")
        sorts: dict[str, tuple[Value, ...]] = {}
        self.values: dict[str, Value] = {}
        for sort in problem.signature.sorts:
            integers = sort.integers
            members: tuple[Value, ...] = integers if integers is not None else sort.values
            sorts[sort.name] = members
            if integers is None:
                self.values.update((v, v) for v in sort.values)
        self.names: list[str] = []
        self.domains: list[tuple[Value, ...]] = []
        for function in problem.signature.functions:
            if function.params or function.result not in sorts:
                raise FragmentError(f"'{function.name}' is not a constant of a finite sort")
            self.names.append(function.name)
            self.domains.append(sorts[function.result])
        if len(self.names) > MAX_CONSTANTS:
            raise FragmentError(f"more than {MAX_CONSTANTS} constants to search over")
        self.index = {name: i for i, name in enumerate(self.names)}

    def term(self, term: Term) -> tuple[Callable[[Sequence[Value]], Value], frozenset[int]]:
        if isinstance(term, Const):
            if term.name in self.index:
                i = self.index[term.name]
                return (lambda a: a[i]), frozenset((i,))
            value: Value
            if is_numeral(term.name):
                value = int(term.name)
            elif term.name in self.values:
                value = self.values[term.name]
            else:
                raise FragmentError(f"'{term.name}' is neither a declared constant nor a value")
            return (lambda a: value), frozenset()
        if isinstance(term, Arith):
            left, lu = self.term(term.left)
            right, ru = self.term(term.right)
            if term.op is ArithOp.ADD:
                return (lambda a: int(left(a)) + int(right(a))), lu | ru
            if term.op is ArithOp.SUB:
                return (lambda a: int(left(a)) - int(right(a))), lu | ru
            return (lambda a: int(left(a)) * int(right(a))), lu | ru
        raise FragmentError(f"the term {type(term).__name__} is outside the fragment")

    def formula(self, formula: Formula) -> tuple[Test, frozenset[int]]:
        if isinstance(formula, Compare | Equals):
            left, lu = self.term(formula.left)
            right, ru = self.term(formula.right)
            op = formula.op if isinstance(formula, Compare) else None
            return _comparison(op, left, right), lu | ru
        if isinstance(formula, Distinct):
            parts = [self.term(t) for t in formula.terms]
            getters = [g for g, _ in parts]
            uses = frozenset().union(*(u for _, u in parts))
            return (lambda a: len({g(a) for g in getters}) == len(getters)), uses
        if isinstance(formula, Not):
            inner, uses = self.formula(formula.operand)
            return (lambda a: not inner(a)), uses
        if isinstance(formula, Binary):
            left, lu = self.formula(formula.left)
            right, ru = self.formula(formula.right)
            return _connective(formula.op, left, right), lu | ru
        raise FragmentError(f"{type(formula).__name__} is outside the finite-domain fragment")

    def constraints(self, formula: Formula, premise: int) -> list[_Constraint]:
        """A premise as constraints that prune early: conjuncts apart, ``distinct`` pairwise."""
        if isinstance(formula, Binary) and formula.op is Op.AND:
            return self.constraints(formula.left, premise) + self.constraints(
                formula.right, premise
            )
        if isinstance(formula, Distinct):
            names = [t.name for t in formula.terms if isinstance(t, Const)]
            indices = [self.index[n] for n in names if n in self.index]
            if len(indices) == len(formula.terms) == len(set(indices)):
                return [_Constraint(_always, frozenset(indices), premise, tuple(indices))]
            out = []
            for k, first in enumerate(formula.terms):
                for second in formula.terms[k + 1 :]:
                    test, uses = self.formula(Not(Equals(first, second)))
                    out.append(_Constraint(test, uses, premise))
            return out
        test, uses = self.formula(formula)
        return [_Constraint(test, uses, premise)]


def _comparison(
    op: CompareOp | None,
    left: Callable[[Sequence[Value]], Value],
    right: Callable[[Sequence[Value]], Value],
) -> Test:
    if op is None:
        return lambda a: left(a) == right(a)
    if op is CompareOp.LT:
        return lambda a: int(left(a)) < int(right(a))
    if op is CompareOp.LE:
        return lambda a: int(left(a)) <= int(right(a))
    if op is CompareOp.GT:
        return lambda a: int(left(a)) > int(right(a))
    return lambda a: int(left(a)) >= int(right(a))


def _connective(op: Op, left: Test, right: Test) -> Test:
    if op is Op.AND:
        return lambda a: left(a) and right(a)
    if op is Op.OR:
        return lambda a: left(a) or right(a)
    if op is Op.IMPLIES:
        return lambda a: not left(a) or right(a)
    if op is Op.IFF:
        return lambda a: left(a) == right(a)
    return lambda a: left(a) != right(a)


class _Search:
    """Backtracking over the constants; one instance per problem, shared by every search."""

    def __init__(self, vocabulary: _Vocabulary, deadline: float) -> None:
        self.domains = vocabulary.domains
        self.deadline = deadline
        self.nodes = 0

    def models(self, constraints: Sequence[_Constraint]) -> Iterator[Model]:
        size = len(self.domains)
        domains = [list(d) for d in self.domains]
        at_level: list[list[Test]] = [[] for _ in range(size)]
        taken: list[list[set[Value]]] = [[] for _ in range(size)]
        for c in constraints:
            if c.different:
                values: set[Value] = set()
                for i in c.different:
                    taken[i].append(values)
            elif len(c.uses) == 1:  # unary: filter the domain once
                (i,) = c.uses
                probe: list[Value] = [0] * size
                kept = []
                for value in domains[i]:
                    probe[i] = value
                    if c.test(probe):
                        kept.append(value)
                domains[i] = kept
        degree = [sum(i in c.uses for c in constraints) for i in range(size)]
        order = sorted(range(size), key=lambda i: (len(domains[i]), -degree[i]))
        position = {var: k for k, var in enumerate(order)}
        for c in constraints:
            if c.different:
                continue
            if not c.uses:
                if not c.test([]):
                    return
            elif len(c.uses) > 1:
                at_level[max(position[i] for i in c.uses)].append(c.test)
        assignment: list[Value] = [0] * size
        yield from self._extend(0, order, domains, at_level, taken, assignment)

    def _extend(
        self,
        level: int,
        order: list[int],
        domains: list[list[Value]],
        at_level: list[list[Test]],
        taken: list[list[set[Value]]],
        assignment: list[Value],
    ) -> Iterator[Model]:
        if level == len(order):
            yield tuple(assignment)
            return
        var, tests, groups = order[level], at_level[level], taken[order[level]]
        for value in domains[var]:
            self.nodes += 1
            if self.nodes % _CHECK_EVERY == 0 and time.monotonic() > self.deadline:
                raise _OutOfTime
            if any(value in group for group in groups):
                continue
            assignment[var] = value
            if all(t(assignment) for t in tests):
                for group in groups:
                    group.add(value)
                yield from self._extend(level + 1, order, domains, at_level, taken, assignment)
                for group in groups:
                    group.discard(value)

    def satisfiable(self, constraints: Sequence[_Constraint]) -> bool:
        return next(self.models(constraints), None) is not None


def accepts(problem: ChoiceProblem) -> bool:
    """Whether the problem is in the fragment this module decides."""
    try:
        _compile(problem)
    except FragmentError:
        return False
    return True


def _compile(problem: ChoiceProblem) -> tuple[_Vocabulary, list[_Constraint]]:
    vocabulary = _Vocabulary(problem)
    constraints = [
        c for i, s in enumerate(problem.premises) for c in vocabulary.constraints(s.formula, i)
    ]
    for option in problem.question.options:
        for formula in option.formulas:
            vocabulary.formula(formula)
    return vocabulary, constraints


def choose(problem: ChoiceProblem, limits: Limits | None = None) -> ChoiceResult:
    """Decide every option by listing the premises' models (raises ``FragmentError``)."""
    limits = limits or Limits()
    started = time.perf_counter()
    vocabulary, constraints = _compile(problem)
    search = _Search(vocabulary, time.monotonic() + limits.timeout_s)
    kind = problem.question.kind.value
    try:
        result = _decide(problem, vocabulary, constraints, search)
        if time.monotonic() > search.deadline:  # the deadline covers the whole call
            raise _OutOfTime
    except _OutOfTime:
        warning = f"the finite-domain search ran past {limits.timeout_s} s"
        result = ChoiceResult("timeout", kind, warnings=(warning,), backend=BACKEND)
    elapsed_ms = (time.perf_counter() - started) * 1000
    stats = {"nodes": search.nodes}
    return dataclasses.replace(result, elapsed_ms=elapsed_ms, backend=BACKEND, stats=stats)


_ENTAILED_TESTS = {QuestionKind.MUST_BE_TRUE, QuestionKind.COULD_BE_FALSE}
_ENTAILED_TESTS |= {QuestionKind.CANNOT_BE_FALSE}
_WANTED = {
    QuestionKind.MUST_BE_TRUE: True,
    QuestionKind.MUST_BE_FALSE: False,
    QuestionKind.COULD_BE_TRUE: True,
    QuestionKind.COULD_BE_FALSE: False,
    QuestionKind.CANNOT_BE_TRUE: False,
    QuestionKind.CANNOT_BE_FALSE: True,
}


def _decide(
    problem: ChoiceProblem,
    vocabulary: _Vocabulary,
    constraints: list[_Constraint],
    search: _Search,
) -> ChoiceResult:
    question = problem.question
    kind = question.kind
    compiled = [[vocabulary.formula(f) for f in o.formulas] for o in question.options]
    tests = [[test for test, _ in option] for option in compiled]
    uses = [frozenset().union(*(u for _, u in option)) for option in compiled]
    listed = kind is QuestionKind.ACCURATE_LIST
    entailed = [True] * len(tests)  # accurate list: the disjunction is entailed
    possible = [[False] * len(t) for t in tests]
    witness: list[Model | None] = [None] * len(tests)
    any_model = False
    for model in search.models(constraints):
        any_model = True
        for k, option_tests in enumerate(tests):
            truths = [t(model) for t in option_tests]
            if not any(truths):
                entailed[k] = False
            for j, truth in enumerate(truths):
                if truth:
                    possible[k][j] = True
                    if witness[k] is None:
                        witness[k] = model
        if not any(entailed) and all(all(p) for p in possible):
            break  # nothing more a model could change
    if not any_model:
        core = _core(search, constraints, [], len(problem.premises))
        return ChoiceResult("contradictory_premises", kind.value, used_premises=core)
    judged = []
    for k, option in enumerate(question.options):
        can = all(possible[k]) if listed else possible[k][0]
        if listed:
            passes = entailed[k] and can
        else:
            base = _base(kind)
            passes = (entailed[k] if base in _ENTAILED_TESTS else can) == _WANTED[base]
            passes = passes != (base is not kind)
        why: tuple[int, ...] = ()
        if passes and (entailed[k] or (not listed and not can)):
            negated = not entailed[k]
            goal = _Constraint(_option_test(tests[k], negated), uses[k], -1)
            why = _core(search, constraints, [goal], len(problem.premises))
        shown: dict[str, object] | None = None
        found = witness[k]
        if found is not None and not entailed[k]:
            shown = _render(vocabulary, found)
        judged.append(OptionResult(option.label, passes, entailed[k], can, why, shown))
    selected = tuple(o.label for o in judged if o.selected)
    if len(selected) == 1:
        return ChoiceResult("ok", kind.value, selected[0], selected, tuple(judged))
    status: ChoiceStatus = "no_option" if not selected else "several_options"
    return ChoiceResult(status, kind.value, None, selected, tuple(judged))


def _base(kind: QuestionKind) -> QuestionKind:
    """The kind an ``except`` kind negates (itself when it has no ``except``)."""
    return QuestionKind(kind.value.removesuffix(" except"))


def _option_test(tests: list[Test], negated: bool) -> Test:
    """A model that *refutes* the explanation's claim: none may exist under the core."""
    if negated:  # impossible option: a countermodel makes it true
        return lambda a: any(t(a) for t in tests)
    return lambda a: not any(t(a) for t in tests)


def _core(
    search: _Search, constraints: list[_Constraint], goal: list[_Constraint], premises: int
) -> tuple[int, ...]:
    """A minimal set of premises under which ``goal`` has no model (deletion-based)."""
    kept = list(range(premises))
    for premise in range(premises):
        trial = [p for p in kept if p != premise]
        chosen = [c for c in constraints if c.premise in trial]
        if not search.satisfiable([*chosen, *goal]):
            kept = trial
    return tuple(kept)


def _render(vocabulary: _Vocabulary, model: Model) -> dict[str, object]:
    assignments = [f"{name} = {value}" for name, value in zip(vocabulary.names, model, strict=True)]
    return {"domain": [], "facts": [], "assignments": assignments}

"""The Z3 backend on hand-picked problems: verdicts, cores, countermodels, budgets, threads."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import z3

from logicsvc.provers import z3_backend
from logicsvc.provers.result import Limits, Result
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Const,
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

LIMITS = Limits(timeout_s=10)


# --- tiny formula builders ---------------------------------------------------------------


def at(pred: str, *args: Term) -> Atom:
    return Atom(pred, args)


def c(name: str) -> Const:
    return Const(name)


def v(name: str) -> Var:
    return Var(name)


def imp(a: Formula, b: Formula) -> Binary:
    return Binary(Op.IMPLIES, a, b)


def conj(a: Formula, b: Formula) -> Binary:
    return Binary(Op.AND, a, b)


def forall(var: str, body: Formula) -> Quantified:
    return Quantified(Quantifier.ALL, var, body)


def exists(var: str, body: Formula) -> Quantified:
    return Quantified(Quantifier.EXISTS, var, body)


def prove(premises: list[Formula], conclusion: Formula, limits: Limits = LIMITS) -> Result:
    return z3_backend.prove(Problem.of(premises, conclusion), limits)


# --- an independent evaluator over a rendered countermodel -------------------------------


def holds(formula: Formula, model: dict[str, Any]) -> bool:
    """Truth of ``formula`` in the structure the rendered facts describe (KeyError if partial)."""
    alias: dict[str, str] = {}
    for equality in model["equalities"]:
        first, other = equality.split(" = ")
        alias[other] = first
    truth: dict[tuple[str, tuple[str, ...]], bool] = {}
    for fact in model["facts"]:
        body = fact.removeprefix("¬")
        name, _, rest = body.partition("(")
        args = tuple(rest.removesuffix(")").split(", ")) if rest else ()
        assert set(args) <= set(model["domain"]), fact
        truth[(name, args)] = body == fact

    def term(t: Term, env: dict[str, str]) -> str:
        if isinstance(t, Var):
            return env[t.name]
        element = alias.get(t.name, t.name)
        assert element in model["domain"], t.name
        return element

    def ev(f: Formula, env: dict[str, str]) -> bool:
        if isinstance(f, Atom):
            return truth[(f.pred, tuple(term(a, env) for a in f.args))]
        if isinstance(f, Equals):
            return term(f.left, env) == term(f.right, env)
        if isinstance(f, Not):
            return not ev(f.operand, env)
        if isinstance(f, Binary):
            left, right = ev(f.left, env), ev(f.right, env)
            return {
                Op.AND: left and right,
                Op.OR: left or right,
                Op.IMPLIES: not left or right,
                Op.XOR: left != right,
                Op.IFF: left == right,
            }[f.op]
        pick = all if f.quantifier is Quantifier.ALL else any
        return pick(ev(f.body, {**env, f.var: e}) for e in model["domain"])

    return ev(formula, {})


def assert_countermodel(premises: list[Formula], conclusion: Formula, result: Result) -> None:
    assert result.status == "ok" and result.verdict == "unknown"
    model = result.countermodel
    assert model is not None and not model["truncated"]
    for premise in premises:
        assert holds(premise, model), premise
    assert not holds(conclusion, model)


# --- verdicts -----------------------------------------------------------------------------

MEN = forall("x", imp(at("Man", v("x")), at("Mortal", v("x"))))


def test_syllogism_is_true_and_needs_both_premises() -> None:
    result = prove([MEN, at("Man", c("socrates"))], at("Mortal", c("socrates")))
    assert (result.status, result.verdict, result.used_premises) == ("ok", "true", (0, 1))
    assert result.backend == "z3" and result.elapsed_ms > 0 and result.countermodel is None


def test_core_leaves_out_irrelevant_premises() -> None:
    premises: list[Formula] = [
        at("Happy", c("plato")),
        MEN,
        forall("x", imp(at("Happy", v("x")), at("Wise", v("x")))),
        at("Man", c("socrates")),
    ]
    result = prove(premises, at("Mortal", c("socrates")))
    assert (result.verdict, result.used_premises) == ("true", (1, 3))


def test_false_verdict_uses_the_refuting_premises() -> None:
    premises: list[Formula] = [
        forall("x", imp(at("Bird", v("x")), at("Flies", v("x")))),
        at("Cat", c("tom")),
        forall("x", imp(at("Flies", v("x")), Not(at("Penguin", v("x"))))),
        at("Bird", c("tweety")),
    ]
    result = prove(premises, at("Penguin", c("tweety")))
    assert (result.status, result.verdict, result.used_premises) == ("ok", "false", (0, 2, 3))


def test_unknown_comes_with_a_checkable_countermodel() -> None:
    bonnie = c("bonnie")
    premises: list[Formula] = [
        at("Student", bonnie),
        forall("x", imp(at("Student", v("x")), Not(at("Perform", v("x"))))),
        exists("y", at("Likes", bonnie, v("y"))),
    ]
    conclusion = at("Likes", bonnie, bonnie)
    result = prove(premises, conclusion)
    assert_countermodel(premises, conclusion, result)
    model = result.countermodel
    assert model is not None
    assert {"Student(bonnie)", "¬Perform(bonnie)", "¬Likes(bonnie, bonnie)"} <= set(model["facts"])
    assert model["domain"] == ["bonnie", "e1"]  # the smallest model: bonnie likes someone else
    assert "Likes(bonnie, e1)" in model["facts"]
    assert result.used_premises == ()


def test_countermodel_is_shrunk_to_few_elements() -> None:
    # Z3's first model gives each existential a witness of its own: four elements.
    premises: list[Formula] = [
        exists("x", at("P", v("x"))),
        exists("x", at("Q", v("x"))),
        exists("x", at("R", v("x"))),
        at("S", c("a")),
    ]
    result = prove(premises, at("P", c("a")))
    assert_countermodel(premises, at("P", c("a")), result)
    assert result.countermodel is not None
    assert result.countermodel["domain"] == ["a", "e1"]


def test_countermodel_is_deterministic_and_json_ready() -> None:
    import json

    premises: list[Formula] = [forall("x", exists("y", at("R", v("x"), v("y")))), at("P", c("a"))]
    conclusion = exists("y", forall("x", at("R", v("x"), v("y"))))
    first, second = prove(premises, conclusion), prove(premises, conclusion)
    assert_countermodel(premises, conclusion, first)
    assert first.countermodel == second.countermodel
    assert json.loads(json.dumps(first.countermodel)) == first.countermodel


def test_propositional_countermodel_lists_letters_and_no_domain() -> None:
    premises: list[Formula] = [Binary(Op.OR, at("P"), at("Q"))]
    result = prove(premises, at("P"))
    assert_countermodel(premises, at("P"), result)
    assert result.countermodel == {
        "domain": [],
        "facts": ["¬P", "Q"],
        "equalities": [],
        "truncated": False,
    }


def test_large_countermodels_are_truncated() -> None:
    names = ["a", "b", "c", "d", "e", "f"]
    premises: list[Formula] = [Not(Equals(c(x), c(y))) for x, y in itertools.combinations(names, 2)]
    premises.append(at("R", c("a"), c("b"), c("c")))
    result = prove(premises, at("R", c("b"), c("a"), c("c")))
    model = result.countermodel
    assert result.verdict == "unknown" and model is not None
    assert model["truncated"] is True and len(model["facts"]) == 200
    assert model["domain"] == names


def test_contradictory_premises() -> None:
    premises: list[Formula] = [
        at("Q", c("b")),
        at("P", c("a")),
        forall("x", Not(at("P", v("x")))),
    ]
    result = prove(premises, at("R", c("c")))
    assert (result.status, result.verdict, result.used_premises) == (
        "contradictory_premises",
        None,
        (1, 2),
    )


def test_contradiction_found_whatever_the_conclusion() -> None:
    premises: list[Formula] = [at("P"), imp(at("P"), at("Q")), Not(at("Q"))]
    for conclusion in (at("Q"), Not(at("Q")), at("P"), at("Z")):
        result = prove(premises, conclusion)
        assert (result.status, result.used_premises) == ("contradictory_premises", (0, 1, 2))


def test_no_premises() -> None:
    excluded_middle = Binary(Op.OR, at("P"), Not(at("P")))
    result = prove([], excluded_middle)
    assert (result.verdict, result.used_premises) == ("true", ())
    assert prove([], Not(excluded_middle)).verdict == "false"
    assert prove([], at("P")).verdict == "unknown"


# --- the language ------------------------------------------------------------------------


def test_equality_substitutes() -> None:
    a, b = c("a"), c("b")
    assert prove([Equals(a, b), at("P", a)], at("P", b)).verdict == "true"
    assert prove([at("P", a), Not(at("P", b))], Not(Equals(a, b))).verdict == "true"
    assert prove([at("P", a)], Equals(a, b)).verdict == "unknown"


def test_elements_named_by_several_constants_are_reported_as_equalities() -> None:
    a, b = c("a"), c("b")
    premises: list[Formula] = [Equals(b, a), at("P", a)]
    result = prove(premises, at("Q", b))
    assert_countermodel(premises, at("Q", b), result)
    assert result.countermodel is not None
    assert result.countermodel["domain"] == ["a"]
    assert result.countermodel["equalities"] == ["a = b"]


def test_xor_and_iff() -> None:
    p, q = at("P"), at("Q")
    xor, iff = Binary(Op.XOR, p, q), Binary(Op.IFF, p, q)
    assert prove([xor, p], Not(q)).verdict == "true"
    assert prove([xor, Not(p)], q).verdict == "true"
    assert prove([xor], iff).verdict == "false"
    assert prove([iff, Not(q)], Not(p)).verdict == "true"
    assert prove([iff, p], q).verdict == "true"
    assert prove([iff], xor).verdict == "false"
    assert prove([xor], p).verdict == "unknown"


def test_quantifier_order_matters() -> None:
    r = at("R", v("x"), v("y"))
    forall_exists = forall("x", exists("y", r))
    exists_forall = exists("y", forall("x", r))
    assert prove([exists_forall], forall_exists).verdict == "true"
    result = prove([forall_exists], exists_forall)
    assert_countermodel([forall_exists], exists_forall, result)


def test_inner_quantifier_shadows_the_outer_variable() -> None:
    # ∀x (P(x) → ∃x Q(x)): the inner x is a new variable, so Q(a) does not follow.
    shadowed = forall("x", imp(at("P", v("x")), exists("x", at("Q", v("x")))))
    premises: list[Formula] = [shadowed, at("P", c("a"))]
    result = prove(premises, at("Q", c("a")))
    assert_countermodel(premises, at("Q", c("a")), result)
    assert prove(premises, exists("y", at("Q", v("y")))).verdict == "true"
    # ∀x ∀x R(x, x) binds only the inner x: it says every R(y, y).
    twice = forall("x", forall("x", at("R", v("x"), v("x"))))
    assert prove([twice], at("R", c("a"), c("a"))).verdict == "true"
    assert prove([twice], at("R", c("a"), c("b"))).verdict == "unknown"


@pytest.mark.parametrize("name", ["x", "x!1", "y"])
def test_a_constant_named_like_a_variable_stays_a_constant(name: str) -> None:
    # "x!1" is the name the first bound variable would get internally.
    const = c(name)
    # Were the constant captured, this would read ∃x (P(x) ∧ ¬P(x)): contradictory.
    premises: list[Formula] = [exists("x", conj(at("P", v("x")), Not(at("P", const))))]
    assert prove(premises, Not(at("P", const))).verdict == "true"
    # Were it captured, this would read ∀x R(x, x), which says nothing about R(a, x).
    assert prove([forall("x", at("R", v("x"), const))], at("R", c("a"), const)).verdict == "true"
    rule = forall("x", imp(at("P", v("x")), at("Q", v("x"))))
    assert prove([rule, at("P", const)], at("Q", const)).verdict == "true"


def test_a_free_variable_is_an_error_not_a_crash() -> None:
    result = prove([at("P", v("x"))], at("P", c("a")))
    assert result.status == "error" and result.error is not None
    assert result.error["code"] == "free_variable"


# --- budgets and solver failures --------------------------------------------------------

# A strict order without a last element: only infinite models, so Z3's model search spins.
SPIN: list[Formula] = [
    forall("x", exists("y", at("Lt", v("x"), v("y")))),
    forall("x", Not(at("Lt", v("x"), v("x")))),
    forall(
        "x",
        forall(
            "y",
            forall(
                "z",
                imp(
                    conj(at("Lt", v("x"), v("y")), at("Lt", v("y"), v("z"))),
                    at("Lt", v("x"), v("z")),
                ),
            ),
        ),
    ),
]


def test_wall_clock_timeout_gives_status_timeout_and_no_verdict() -> None:
    result = prove(SPIN, at("P", c("a")), Limits(timeout_s=0.5))
    assert (result.status, result.verdict, result.countermodel) == ("timeout", None, None)
    # Both checks would spin: the budget covers them together (no wall-clock assertion
    # here: timings are flaky on a loaded machine; the stats say how many checks ran).
    assert result.stats["checks"] >= 1


def test_resource_limit_gives_status_timeout() -> None:
    result = prove(SPIN, at("P", c("a")), Limits(rlimit=20_000))
    assert (result.status, result.verdict) == ("timeout", None)
    assert result.stats["rlimit_used"] <= 30_000


def _fake_checks(monkeypatch: pytest.MonkeyPatch, answers: list[str | None], reason: str) -> None:
    """Replace the n-th solver check by ``unknown`` (or the real one where ``None``)."""
    real_check: Callable[..., Any] = z3_backend._check
    calls = iter(answers)

    def check(solver: z3.Solver, assumptions: Any) -> Any:
        answer = next(calls, None)
        return real_check(solver, assumptions) if answer is None else "unknown"

    monkeypatch.setattr(z3_backend, "_check", check)
    monkeypatch.setattr(z3.Solver, "reason_unknown", lambda self: reason)


SYLLOGISM: tuple[list[Formula], Formula] = (
    [MEN, at("Man", c("socrates"))],
    at("Mortal", c("socrates")),
)


def test_solver_giving_up_is_an_error_never_the_verdict_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_checks(monkeypatch, ["unknown", "unknown"], "(incomplete quantifiers)")
    result = prove(*SYLLOGISM)
    assert (result.status, result.verdict) == ("error", None)
    assert result.error == {"code": "solver_gave_up", "message": "(incomplete quantifiers)"}


@pytest.mark.parametrize("reason", ["canceled", "timeout", "max. resource limit exceeded"])
def test_budget_reasons_are_timeouts(monkeypatch: pytest.MonkeyPatch, reason: str) -> None:
    _fake_checks(monkeypatch, ["unknown", "unknown"], reason)
    monkeypatch.setattr(z3_backend, "_catches_ctrl_c", lambda: False)  # a worker, a thread
    result = prove(*SYLLOGISM)
    assert (result.status, result.verdict, result.error) == ("timeout", None, None)


def test_a_cancel_nothing_of_ours_made_is_a_ctrl_c_where_z3_catches_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Z3's SIGINT handler stops a main thread's check "canceled" before its deadline and
    resource units: the command stops as Python would have stopped it."""
    _fake_checks(monkeypatch, ["unknown", "unknown"], "canceled")
    monkeypatch.setattr(z3_backend, "_catches_ctrl_c", lambda: True)
    with pytest.raises(KeyboardInterrupt):
        prove(*SYLLOGISM)


def test_giving_up_as_the_deadline_passes_is_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelled by its deadline mid-round, Z3 may name the phase it was in ("incomplete
    quantifiers"; seen on the spinning problem under load): the budget ran out, so it is a
    ``timeout``, not ``solver_gave_up``."""
    import time

    def late_unknown(solver: z3.Solver, assumptions: Any) -> Any:
        time.sleep(0.1)
        return "unknown"

    monkeypatch.setattr(z3_backend, "_check", late_unknown)
    monkeypatch.setattr(z3.Solver, "reason_unknown", lambda self: "(incomplete quantifiers)")
    result = prove(*SYLLOGISM, Limits(timeout_s=0.05))
    assert (result.status, result.verdict, result.error) == ("timeout", None, None)
    assert any("incomplete quantifiers" in w for w in result.warnings)


def test_entailment_stands_when_only_the_consistency_check_gives_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_checks(monkeypatch, [None, "unknown"], "(incomplete quantifiers)")
    result = prove(*SYLLOGISM)
    assert (result.status, result.verdict, result.used_premises) == ("ok", "true", (0, 1))
    assert len(result.warnings) == 1 and "contradictory" in result.warnings[0]


def test_refutation_stands_when_only_the_first_check_gives_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_checks(monkeypatch, ["unknown", None], "(incomplete quantifiers)")
    premises, conclusion = SYLLOGISM
    result = prove(premises, Not(conclusion))
    assert (result.status, result.verdict, result.used_premises) == ("ok", "false", (0, 1))
    assert len(result.warnings) == 1


def test_unknown_needs_both_checks_to_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_checks(monkeypatch, [None, "unknown"], "(incomplete quantifiers)")
    result = prove([at("P")], at("Q"))
    assert (result.status, result.verdict) == ("error", None)


def test_z3_exceptions_become_prover_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(solver: z3.Solver, assumptions: Any) -> Any:
        raise z3.Z3Exception("boom")

    monkeypatch.setattr(z3_backend, "_check", boom)
    result = prove(*SYLLOGISM)
    assert (result.status, result.verdict) == ("error", None)
    assert result.error == {"code": "prover_error", "message": "boom"}


# --- threads -----------------------------------------------------------------------------


def test_concurrent_calls_agree_with_sequential_ones() -> None:
    a, b = c("a"), c("b")
    problems: list[tuple[list[Formula], Formula]] = [
        SYLLOGISM,
        ([MEN, at("Man", a)], at("Mortal", b)),
        ([Equals(a, b), at("P", a)], at("P", b)),
        ([at("P", a), forall("x", Not(at("P", v("x"))))], at("Q", a)),
        ([forall("x", exists("y", at("R", v("x"), v("y"))))], at("R", a, a)),
        ([Binary(Op.XOR, at("P"), at("Q")), at("P")], at("Q")),
        (
            [exists("y", forall("x", at("R", v("x"), v("y"))))],
            forall("x", exists("y", at("R", v("x"), v("y")))),
        ),
        ([at("P", a), exists("x", Not(at("P", v("x"))))], Equals(a, b)),
    ]

    def run(item: tuple[list[Formula], Formula]) -> dict[str, Any]:
        out = prove(*item).to_dict()
        del out["elapsed_ms"]
        return out

    sequential = [run(p) for p in problems]
    assert len({str(s["verdict"]) + s["status"] for s in sequential}) >= 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert list(pool.map(run, problems)) == sequential


def test_a_long_rule_chain_is_proved_not_given_up() -> None:
    """At Z3's default E-matching thresholds a chain of ~45 rules came back 'incomplete
    quantifiers' (status error); `auto` sends such a problem to Z3 when the conclusion
    leaves the rule fragment, as this one does."""
    from logicsvc import provers
    from logicsvc.load import load_formulas

    n = 80
    premises = ["P0(a)"] + [f"∀x (P{i}(x) → P{i + 1}(x))" for i in range(n)]
    problem = load_formulas(premises, f"P{n}(a) ∨ Q(a)").problem
    for backend in ("z3", "auto"):
        result = provers.prove(problem, backend=backend)
        assert (result.status, result.verdict) == ("ok", "true"), result
        assert result.used_premises == tuple(range(n + 1))


def test_auto_hands_a_chain_past_the_chainers_depth_bound_to_z3() -> None:
    """The backward chainer stops at max_depth (200 steps); in the open world Z3 then gets
    the time left instead of the answer being `timeout`."""
    from logicsvc import provers
    from logicsvc.load import load_formulas

    n = 250
    premises = ["P0(a)"] + [f"∀x (P{i}(x) → P{i + 1}(x))" for i in range(n)]
    problem = load_formulas(premises, f"P{n}(a)").problem
    assert provers.prove(problem, backend="backward").status == "timeout"
    result = provers.prove(problem, backend="auto")
    assert (result.status, result.verdict, result.backend) == ("ok", "true", "z3")
    assert "max_depth" in result.warnings[0] and "z3 decided" in result.warnings[0]
    assert provers.prove(problem, backend="auto", world="explicit").status == "timeout"


def test_a_failure_finding_the_countermodel_again_keeps_the_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The verdict was decided; Z3 failing in the fresh context costs the model only, and
    the thread's shared context (which did nothing wrong) is kept."""
    from logicsvc.load import load_problem
    from logicsvc.provers import z3_contexts

    problem = load_problem("Premises:\nP(a)\nConclusion:\nQ(a)\n").problem
    decide = z3_backend._decide

    def failing_when_fresh(p: Any, budget: Any, ctx: z3.Context, *, explain: bool) -> Result:
        if explain:
            raise z3.Z3Exception("out of resources in the fresh context")
        return decide(p, budget, ctx, explain=explain)

    monkeypatch.setattr(z3_backend, "_decide", failing_when_fresh)
    shared = z3_contexts.shared_context()
    result = z3_backend.prove(problem, Limits(timeout_s=10))
    assert (result.status, result.verdict, result.countermodel) == ("ok", "unknown", None)
    assert any("failed finding it again" in w for w in result.warnings)
    assert z3_contexts.shared_context() is shared

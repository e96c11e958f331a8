"""Z3 terms built through the C API (``provers/z3_raw.py``, issue 18) are the very terms the
Python API builds: Z3 shares equal terms, so the same formula made both ways in one context
has one AST id. Checked on every FOLIO program GPT-4, GPT-3.5 and davinci wrote for
Logic-LM, against the encoding as it was written with the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import z3

from logicsvc.errors import LogicsvcError
from logicsvc.load import load_problem
from logicsvc.provers.z3_encoding import Encoder, Env
from logicsvc.provers.z3_raw import Raw, core_ids, rlimit_count, set_params
from logicsvc.syntax.ast import (
    Atom,
    Binary,
    Equals,
    Formula,
    Not,
    Op,
    Problem,
    Quantified,
    Quantifier,
)
from logicsvc.syntax.sorts import U, infer
from logicsvc.translate.formats import to_dsl_program

LOGICLM = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "llm_programs" / "logiclm"
FOLIO = [LOGICLM / f"FOLIO_dev-A_{m}.json" for m in ("gpt-4", "gpt-3.5-turbo", "text-davinci-003")]


def folio_problems(path: Path) -> list[Problem]:
    if not path.is_file():
        pytest.skip(f"{path} not found beside the repository")
    problems = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        try:
            _, dsl, _ = to_dsl_program(item["raw_logic_programs"][0], lenient=True)
            problems.append(load_problem(dsl, lenient=True).problem)
        except LogicsvcError:
            continue
    return problems


def encoder(problem: Problem, ctx: z3.Context) -> Encoder:
    formulas = (*problem.premise_formulas, problem.conclusion.formula)
    return Encoder(ctx, formulas, infer(formulas, problem.signature, problem.predicates).typing)


def python_api_formula(enc: Encoder, f: Formula, env: Env) -> z3.BoolRef:
    """The untyped encoding as it was written with the Python API (before issue 18's second
    round); what it never covered goes to the encoder's own Python-API path."""
    if isinstance(f, Atom) and all(s == U for s in enc.typing.predicates.get(f.pred, ())):
        decl = enc.predicates[(f.pred, len(f.args))]
        if not f.args:
            assert isinstance(decl, z3.BoolRef)
            return decl
        assert isinstance(decl, z3.FuncDeclRef)
        return decl(*[enc.term(a, env, U) for a in f.args])  # type: ignore[no-any-return]
    if isinstance(f, Not):
        return z3.Not(python_api_formula(enc, f.operand, env), enc.ctx)
    if isinstance(f, Binary):
        left, right = python_api_formula(enc, f.left, env), python_api_formula(enc, f.right, env)
        if f.op is Op.AND:
            return z3.And(left, right)
        if f.op is Op.OR:
            return z3.Or(left, right)
        if f.op is Op.IMPLIES:
            return z3.Implies(left, right, enc.ctx)
        if f.op is Op.XOR:
            return z3.Xor(left, right, enc.ctx)
        return left == right
    if isinstance(f, Equals):
        sort = enc.sort_of(f.left, env) or enc.sort_of(f.right, env) or U
        return enc.term(f.left, env, sort) == enc.term(f.right, env, sort)  # type: ignore[no-any-return]
    if isinstance(f, Quantified) and (f.sort or U) == U:
        bound = enc.fresh(f.var, enc.sort)
        body = python_api_formula(enc, f.body, {**env, f.var: (bound, U)})
        make = z3.ForAll if f.quantifier is Quantifier.ALL else z3.Exists
        return make([bound], body)
    return enc._formula_api(f, env)


@pytest.mark.parametrize("path", FOLIO, ids=lambda p: p.stem)
def test_raw_terms_are_the_python_apis(path: Path) -> None:
    ctx = z3.Context()
    compared = 0
    for problem in folio_problems(path):
        formulas = (*problem.premise_formulas, problem.conclusion.formula)
        raw, api = encoder(problem, ctx), encoder(problem, ctx)  # same fresh names each
        for f in formulas:
            made, expected = raw.formula(f, {}), python_api_formula(api, f, {})
            assert made.get_id() == expected.get_id(), f
            assert made.sexpr() == expected.sexpr()
            compared += 1
    assert compared > 300  # formulas of the programs that load: 499 to 776 a file


def test_z3_refusing_a_term_is_an_exception_not_a_crash() -> None:
    ctx = z3.Context()
    raw = Raw(ctx)
    p = z3.Function("P", z3.DeclareSort("U", ctx), z3.BoolSort(ctx))
    with pytest.raises(z3.Z3Exception):
        raw.app(p.ast, [raw.borrow(z3.IntVal(3, ctx))])  # an Int where P takes a U
    with pytest.raises(z3.Z3Exception):
        raw.not_(raw.borrow(z3.IntVal(3, ctx)))


def test_cores_and_counts_read_as_the_python_api_reads_them() -> None:
    ctx = z3.Context()
    a, b, c = z3.Bools("a b c", ctx)
    solver = z3.Solver(ctx=ctx)
    set_params(solver, ("core.minimize", True), ("timeout", 10_000), ("rlimit", 1_000_000))
    solver.add(z3.Implies(a, z3.Not(b)))
    assert solver.check(a, b, c) == z3.unsat
    expected = {lit.get_id() for lit in solver.unsat_core()}  # minimised, a core reads once
    assert solver.check(a, b, c) == z3.unsat
    assert core_ids(solver) == expected == {a.get_id(), b.get_id()}
    assert rlimit_count(solver) == int(solver.statistics().get_key_value("rlimit count")) > 0


def test_the_rlimit_set_through_the_c_api_stops_z3() -> None:
    ctx = z3.Context()
    u = z3.DeclareSort("U", ctx)
    f, x = z3.Function("f", u, u), z3.Const("x", u)
    p = z3.Function("P", u, z3.BoolSort(ctx))
    solver = z3.Solver(ctx=ctx)
    solver.add(z3.ForAll([x], z3.Implies(p(x), p(f(x)))), p(z3.Const("a", u)))
    b = z3.Const("b", u)
    for _ in range(12):
        b = f(b)
    solver.add(z3.Not(p(b)))
    set_params(solver, ("timeout", 10_000), ("rlimit", 1))
    assert solver.check() == z3.unknown
    assert "resource" in solver.reason_unknown() or "canceled" in solver.reason_unknown()

"""Z3 terms built through its C API, wrapped as Python objects only at the boundary.

The Python API casts and sort-checks every argument and wraps every intermediate term
in an object whose creation and finalisation are two more C calls; encoding a FOLIO
problem spent most of its time there (issue 18). Here a term is a raw ``Z3_ast``
pointer that the caller owns one reference to (:meth:`Raw.own` on creation,
:meth:`Raw.release` once a parent holds it), so Z3 frees exactly what the Python API
freed, at the same points. The calls go to the library's ctypes functions directly:
the generated wrappers of ``z3.z3core`` check the error code after every call, which
here is needed only where Z3 returns no term (it returns null on a sort mismatch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import z3
import z3.z3core as core


def _c(wrapper: Any) -> Any:
    """The ctypes function a ``z3.z3core`` wrapper calls, its signature set by z3core (which
    does not keep the library itself)."""
    return wrapper.__defaults__[-1].f


_inc_ref = _c(core.Z3_inc_ref)
_dec_ref = _c(core.Z3_dec_ref)
_mk_app = _c(core.Z3_mk_app)
_mk_eq = _c(core.Z3_mk_eq)
_mk_not = _c(core.Z3_mk_not)
_mk_and = _c(core.Z3_mk_and)
_mk_or = _c(core.Z3_mk_or)
_mk_implies = _c(core.Z3_mk_implies)
_mk_xor = _c(core.Z3_mk_xor)
_mk_const = _c(core.Z3_mk_const)
_mk_symbol = _c(core.Z3_mk_string_symbol)
_mk_quantifier = _c(core.Z3_mk_quantifier_const_ex)
_solver_assert = _c(core.Z3_solver_assert)
_ast_id = _c(core.Z3_get_ast_id)
_get_stats = _c(core.Z3_solver_get_statistics)
_stats_inc_ref = _c(core.Z3_stats_inc_ref)
_stats_dec_ref = _c(core.Z3_stats_dec_ref)
_stats_size = _c(core.Z3_stats_size)
_stats_key = _c(core.Z3_stats_get_key)
_stats_is_uint = _c(core.Z3_stats_is_uint)
_stats_uint = _c(core.Z3_stats_get_uint_value)
_stats_double = _c(core.Z3_stats_get_double_value)
_get_core = _c(core.Z3_solver_get_unsat_core)
_vector_inc_ref = _c(core.Z3_ast_vector_inc_ref)
_vector_dec_ref = _c(core.Z3_ast_vector_dec_ref)
_vector_size = _c(core.Z3_ast_vector_size)
_vector_get = _c(core.Z3_ast_vector_get)
_mk_func_decl = _c(core.Z3_mk_func_decl)
_mk_params = _c(core.Z3_mk_params)
_params_inc_ref = _c(core.Z3_params_inc_ref)
_params_dec_ref = _c(core.Z3_params_dec_ref)
_params_set_bool = _c(core.Z3_params_set_bool)
_params_set_uint = _c(core.Z3_params_set_uint)
_params_set_double = _c(core.Z3_params_set_double)
_solver_set_params = _c(core.Z3_solver_set_params)
_interrupt = _c(core.Z3_interrupt)

Ast = Any
"""A raw ``Z3_ast`` (ctypes pointer object) the holder owns one reference to."""

_NO_PATTERNS = (core.Pattern * 0)()
_NO_ASTS = (z3.Ast * 0)()
_RLIMIT_KEY = b"rlimit count"


class Raw:
    """Builds terms in one context; every method that makes a term returns it owned."""

    def __init__(self, ctx: z3.Context) -> None:
        self.ctx = ctx
        self.ref = ctx.ref()
        self._empty = _mk_symbol(self.ref, b"")
        """The quantifier id and skolem id the Python API gives when none is named."""

    def _fail(self) -> z3.Z3Exception:
        code = core.Z3_get_error_code(self.ref)
        return z3.Z3Exception(core.Z3_get_error_msg(self.ref, code))

    def own(self, ast: Ast) -> Ast:
        """Take a reference to a term Z3 just returned (null: Z3 refused to build it)."""
        if not ast:
            raise self._fail()
        _inc_ref(self.ref, ast)
        return ast

    def borrow(self, expr: z3.AstRef) -> Ast:
        """An owned reference to a term a Python object holds."""
        ast = expr.as_ast()
        _inc_ref(self.ref, ast)
        return ast

    def release(self, *asts: Ast) -> None:
        for ast in asts:
            _dec_ref(self.ref, ast)

    def wrap(self, ast: Ast) -> z3.BoolRef:
        """A formula as the Python API's object; the raw reference is given up."""
        formula = z3.BoolRef(ast, self.ctx)
        _dec_ref(self.ref, ast)
        return formula

    # --- terms; each consumes the references of its arguments -------------------

    def _made(self, made: Ast, consumed: Sequence[Ast]) -> Ast:
        """``made`` owned, then the references of the terms it was made of given up, also
        when Z3 refused to make it."""
        try:
            return self.own(made)
        finally:
            self.release(*consumed)

    def app(self, decl: Ast, args: Sequence[Ast]) -> Ast:
        array = (z3.Ast * len(args))(*args)
        return self._made(_mk_app(self.ref, decl, len(args), array), args)

    def eq(self, left: Ast, right: Ast) -> Ast:
        return self._made(_mk_eq(self.ref, left, right), (left, right))

    def not_(self, operand: Ast) -> Ast:
        return self._made(_mk_not(self.ref, operand), (operand,))

    def and_(self, left: Ast, right: Ast) -> Ast:
        return self._made(_mk_and(self.ref, 2, (z3.Ast * 2)(left, right)), (left, right))

    def or_(self, left: Ast, right: Ast) -> Ast:
        return self._made(_mk_or(self.ref, 2, (z3.Ast * 2)(left, right)), (left, right))

    def implies(self, left: Ast, right: Ast) -> Ast:
        return self._made(_mk_implies(self.ref, left, right), (left, right))

    def xor(self, left: Ast, right: Ast) -> Ast:
        return self._made(_mk_xor(self.ref, left, right), (left, right))

    def quantifier(self, forall: bool, bound: z3.ExprRef, body: Ast) -> Ast:
        """``ForAll([bound], body)`` (or ``Exists``) as the Python API makes it: weight 1,
        no patterns, empty ids. ``body`` stays owned by the caller: the quantifier holds
        its abstraction, not the body itself."""
        bounds = (z3.Ast * 1)(bound.as_ast())
        made = _mk_quantifier(
            self.ref, forall, 1, self._empty, self._empty, 1, bounds, 0, _NO_PATTERNS, 0,
            _NO_ASTS, body,
        )  # fmt: skip
        return self.own(made)

    def function(
        self, name: str, domain: Sequence[z3.SortRef], result: z3.SortRef
    ) -> z3.FuncDeclRef:
        """``z3.Function(name, *domain, result)``."""
        symbol = _mk_symbol(self.ref, name.encode())
        sorts = (core.Sort * len(domain))(*(s.ast for s in domain))
        decl = _mk_func_decl(self.ref, symbol, len(domain), sorts, result.ast)
        if not decl:
            raise self._fail()
        return z3.FuncDeclRef(decl, self.ctx)

    def const(self, name: str, sort: z3.SortRef) -> Ast:
        symbol = _mk_symbol(self.ref, name.encode())
        return self.own(_mk_const(self.ref, symbol, sort.ast))

    # --- solvers ----------------------------------------------------------------

    def assert_(self, solver: z3.Solver, formula: Ast) -> None:
        """Assert ``formula`` in ``solver`` and give up the reference (the solver holds it)."""
        _solver_assert(self.ref, solver.solver, formula)
        if core.Z3_get_error_code(self.ref) != 0:
            self.release(formula)
            raise self._fail()
        self.release(formula)


def set_params(solver: z3.Solver, *settings: tuple[str, bool | int | float]) -> None:
    """``solver.set(name, value, ...)``: one parameter set, made without the Python API's
    parameter object (a C call and a symbol conversion per setting)."""
    ref = solver.ctx.ref()
    params = _mk_params(ref)
    _params_inc_ref(ref, params)
    try:
        for name, value in settings:
            symbol = _mk_symbol(ref, name.encode())
            if isinstance(value, bool):
                _params_set_bool(ref, params, symbol, value)
            elif isinstance(value, int):
                _params_set_uint(ref, params, symbol, value)
            else:
                _params_set_double(ref, params, symbol, value)
        _solver_set_params(ref, solver.solver, params)
        code = core.Z3_get_error_code(ref)
        if code != 0:
            raise z3.Z3Exception(core.Z3_get_error_msg(ref, code))
    finally:
        _params_dec_ref(ref, params)


def core_ids(solver: z3.Solver) -> frozenset[int]:
    """The AST ids of the last unsat core's literals, without a Python object each
    (``solver.unsat_core()`` then ``get_id()`` on every literal)."""
    ref = solver.ctx.ref()
    vector = _get_core(ref, solver.solver)
    if not vector:
        code = core.Z3_get_error_code(ref)
        raise z3.Z3Exception(core.Z3_get_error_msg(ref, code))
    _vector_inc_ref(ref, vector)
    try:
        size = _vector_size(ref, vector)
        return frozenset(int(_ast_id(ref, _vector_get(ref, vector, i))) for i in range(size))
    finally:
        _vector_dec_ref(ref, vector)


def rlimit_count(solver: z3.Solver) -> int | None:
    """The solver's ``rlimit count`` statistic; ``None`` where the build does not count.
    (``solver.statistics().get_key_value`` makes two Python-wrapped C calls per key.)"""
    ref = solver.ctx.ref()
    stats = _get_stats(ref, solver.solver)
    if not stats:
        return None
    _stats_inc_ref(ref, stats)
    try:
        for i in range(_stats_size(ref, stats)):
            if _stats_key(ref, stats, i) == _RLIMIT_KEY:
                if _stats_is_uint(ref, stats, i):
                    return int(_stats_uint(ref, stats, i))
                return int(_stats_double(ref, stats, i))
        return None
    finally:
        _stats_dec_ref(ref, stats)


def interrupt(ctx: z3.Context) -> None:
    """``Z3_interrupt`` without the wrapper's error check afterwards: called from the
    watchdog thread, which must not read (or raise) an error another thread's call left."""
    _interrupt(ctx.ref())
